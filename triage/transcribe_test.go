package triage

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"github.com/hailurah/hailurah/pii"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
)

// audioRequest is what generateContent receives for a voice note.
type audioRequest struct {
	Contents []struct {
		Role  string `json:"role"`
		Parts []struct {
			Text       string `json:"text"`
			InlineData *struct {
				MIMEType string `json:"mimeType"`
				Data     string `json:"data"`
			} `json:"inlineData"`
		} `json:"parts"`
	} `json:"contents"`
}

func TestGeminiTranscriber(t *testing.T) {
	audio := []byte("OggS\x00\x02fake opus voice note")
	var got audioRequest
	reply := replyText("Pak, lampu jalan di RT 03 mati sudah seminggu. Hubungi saya di 0812-3456-7890.")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1beta/models/"+DefaultGeminiModel+":generateContent" {
			t.Errorf("path %s", r.URL.Path)
		}
		if k := r.Header.Get("x-goog-api-key"); k != testAPIKey {
			t.Errorf("x-goog-api-key = %q", k)
		}
		body, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(body, &got); err != nil {
			t.Errorf("body: %v", err)
		}
		reply(w, r)
	}))
	defer srv.Close()
	tr, err := NewGeminiTranscriber(GeminiConfig{APIKey: testAPIKey, BaseURL: srv.URL, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	text, err := tr.Transcribe(context.Background(), "audio/ogg", audio)
	if err != nil {
		t.Fatal(err)
	}
	if want := pii.Mask("Pak, lampu jalan di RT 03 mati sudah seminggu. Hubungi saya di 0812-3456-7890."); text != want {
		t.Errorf("transcript %q, want %q (masked)", text, want)
	}
	if len(got.Contents) != 1 || len(got.Contents[0].Parts) != 2 {
		t.Fatalf("request contents %+v, want one content with the instruction and the audio", got.Contents)
	}
	parts := got.Contents[0].Parts
	if parts[0].Text != transcribeInstruction {
		t.Errorf("instruction %q", parts[0].Text)
	}
	in := parts[1].InlineData
	if in == nil || in.MIMEType != "audio/ogg" || in.Data != base64.StdEncoding.EncodeToString(audio) {
		t.Errorf("inlineData %+v, want audio/ogg with the bytes in base64", in)
	}
}

func TestGeminiTranscriberErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		reply   func(w http.ResponseWriter, r *http.Request)
		invalid bool // EINVALID: not worth a retry
	}{
		{"bad key", replyError(http.StatusBadRequest, "INVALID_ARGUMENT", "API key not valid."), true},
		{"no speech", replyText("  "), true},
		{"overloaded", replyError(http.StatusServiceUnavailable, "UNAVAILABLE", "The model is overloaded."), false},
		{"rate limited", replyError(http.StatusTooManyRequests, "RESOURCE_EXHAUSTED", "Quota exceeded."), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(tc.reply))
			defer srv.Close()
			tr, err := NewGeminiTranscriber(GeminiConfig{APIKey: testAPIKey, BaseURL: srv.URL, Timeout: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			_, err = tr.Transcribe(context.Background(), "audio/ogg", []byte("OggS"))
			if err == nil {
				t.Fatal("no error")
			}
			if invalid := hailurah.ErrorCode(err) == hailurah.EINVALID; invalid != tc.invalid {
				t.Errorf("error %v: EINVALID %v, want %v", err, invalid, tc.invalid)
			}
		})
	}
	if _, err := NewGeminiTranscriber(GeminiConfig{}); hailurah.ErrorCode(err) != hailurah.EINVALID {
		t.Errorf("without a key: %v, want EINVALID", err)
	}
}
