package activities_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"github.com/hailurah/hailurah/pii"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/activities"
	"github.com/hailurah/hailurah/triage"
)

var voiceNote = []byte("OggS\x00\x02" + strings.Repeat("\x00", 22) + "OpusHead voice of a citizen")

// fakeGeminiAudio answers generateContent with text, in Gemini's wire
// format, and keeps the inlineData parts it received.
func fakeGeminiAudio(t *testing.T, status int, text string) (*httptest.Server, *[]map[string]string) {
	var got []map[string]string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, ":generateContent") {
			t.Errorf("path %s", r.URL.Path)
		}
		var req struct {
			Contents []struct {
				Parts []struct {
					InlineData map[string]string `json:"inlineData"`
				} `json:"parts"`
			} `json:"contents"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			t.Errorf("request: %v", err)
		}
		for _, c := range req.Contents {
			for _, p := range c.Parts {
				if p.InlineData != nil {
					got = append(got, p.InlineData)
				}
			}
		}
		w.Header().Set("Content-Type", "application/json")
		if status != http.StatusOK {
			w.WriteHeader(status)
			_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": status, "message": "x", "status": "UNAVAILABLE"}})
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"candidates": []any{map[string]any{
			"content": map[string]any{"role": "model", "parts": []any{map[string]any{"text": text}}}, "finishReason": "STOP"}}})
	}))
	t.Cleanup(srv.Close)
	return srv, &got
}

func transcriber(t *testing.T, srv *httptest.Server) triage.Transcriber {
	tr, err := triage.NewGeminiTranscriber(triage.GeminiConfig{APIKey: "k", BaseURL: srv.URL, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// A voice note is downloaded, kept as audio, and its stored bytes go to
// Gemini inline; the words come back masked.
func TestTranscribeKeepsAndHearsTheVoiceNote(t *testing.T) {
	f := newMediaFixture(t)
	f.graph.files["v1"] = voiceNote
	srv, got := fakeGeminiAudio(t, http.StatusOK, "Got di RT 02 mampet. Nomor saya 0812 3456 7890.")
	f.acts.Transcriber = transcriber(t, srv)
	in := activities.MediaInput{TicketID: "HL-2026-000123", Source: "whatsapp-media:v1"}

	tr, err := f.acts.Transcribe(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Text != pii.Mask("Got di RT 02 mampet. Nomor saya 0812 3456 7890.") || tr.MediaID != hailurah.MediaID(in.TicketID, in.Source) {
		t.Errorf("transcript %+v", tr)
	}
	if len(*got) != 1 || (*got)[0]["mimeType"] != "audio/ogg" || (*got)[0]["data"] != base64.StdEncoding.EncodeToString(voiceNote) {
		t.Errorf("inlineData %v, want the stored Ogg", *got)
	}
	m, err := f.acts.Media.FindMedia(context.Background(), tr.MediaID)
	if err != nil || m.Status != hailurah.MediaStored || m.Type != hailurah.MediaAudio {
		t.Fatalf("kept %+v, %v", m, err)
	}
	// A retry finds the audio kept and does not download it again.
	if _, err := f.acts.Transcribe(context.Background(), in); err != nil || f.graph.issued["v1"] != 1 {
		t.Errorf("retry: %v, URLs issued %d", err, f.graph.issued["v1"])
	}
}

// What cannot be heard is kept for the staff and answered without words,
// not an error; Gemini being down is an error, worth a retry.
func TestTranscribeWithoutWords(t *testing.T) {
	f := newMediaFixture(t)
	f.graph.files["v1"] = voiceNote
	f.graph.files["photo"] = pngOf(t, photo(4, 4))
	ctx := context.Background()
	in := func(src string) activities.MediaInput {
		return activities.MediaInput{TicketID: "HL-2026-000123", Source: src}
	}

	tr, err := f.acts.Transcribe(ctx, in("whatsapp-media:v1")) // no GEMINI_API_KEY
	if err != nil || tr.Text != "" || tr.MediaID == "" || !strings.Contains(tr.Note, "GEMINI_API_KEY") {
		t.Errorf("without a transcriber: %+v, %v", tr, err)
	}
	if m, _ := f.acts.Media.FindMedia(ctx, tr.MediaID); m == nil || m.Status != hailurah.MediaStored {
		t.Errorf("the voice note was not kept to be heard: %+v", m)
	}
	tr, err = f.acts.Transcribe(ctx, in("whatsapp-media:gone"))
	if err != nil || tr.Text != "" || tr.MediaID != "" || !strings.Contains(tr.Note, "tidak tersimpan") {
		t.Errorf("gone: %+v, %v", tr, err)
	}
	srv, _ := fakeGeminiAudio(t, http.StatusOK, "tidak boleh terdengar")
	f.acts.Transcriber = transcriber(t, srv)
	if tr, err = f.acts.Transcribe(ctx, in("whatsapp-media:photo")); err != nil || tr.Text != "" || !strings.Contains(tr.Note, "bukan rekaman suara") {
		t.Errorf("a photo: %+v, %v", tr, err)
	}
	silent, _ := fakeGeminiAudio(t, http.StatusOK, " ")
	f.acts.Transcriber = transcriber(t, silent)
	if tr, err = f.acts.Transcribe(ctx, in("whatsapp-media:v1")); err != nil || tr.Text != "" || tr.MediaID == "" {
		t.Errorf("no speech: %+v, %v", tr, err)
	}
	down, _ := fakeGeminiAudio(t, http.StatusServiceUnavailable, "")
	f.acts.Transcriber = transcriber(t, down)
	_, err = f.acts.Transcribe(ctx, in("whatsapp-media:v1"))
	var he *hailurah.Error
	if err == nil || errors.As(err, &he) {
		t.Errorf("Gemini down: %v, want an error worth a retry", err)
	}
}
