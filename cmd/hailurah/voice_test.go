package main

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/hailurah/hailurah/pii"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store/mediastore"
)

// A WhatsApp voice note, end to end: the Graph API serves the audio, a
// fake Gemini transcribes it (and refuses the triage, so the rules
// classify the transcript), and the ticket's text is the masked
// transcript, marked as transcribed, its audio kept.
func TestVoiceNoteEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server")
	}
	ogg := []byte("OggS\x00\x02" + strings.Repeat("\x00", 22) + "OpusHead suara warga")
	graph := newFakeGraph(t)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Header.Get("Authorization") != "Bearer "+e2eToken:
			w.WriteHeader(http.StatusUnauthorized)
		case r.Method == http.MethodGet && r.URL.Path == "/1122334455667788":
			fmt.Fprintf(w, `{"url":"http://%s/lookaside/voice","mime_type":"audio/ogg","file_size":%d,"id":"1122334455667788"}`, r.Host, len(ogg))
		case r.URL.Path == "/lookaside/voice":
			_, _ = w.Write(ogg)
		default:
			graph.srv.Config.Handler.ServeHTTP(w, r)
		}
	}))
	defer api.Close()
	heard := make(chan string, 4)
	gemini := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if !strings.Contains(string(body), `"inlineData"`) {
			w.WriteHeader(http.StatusBadRequest) // the triage: the rules answer
			_, _ = io.WriteString(w, `{"error":{"code":400,"message":"uji","status":"INVALID_ARGUMENT"}}`)
			return
		}
		var req struct {
			Contents []struct {
				Parts []struct {
					InlineData *struct{ MimeType, Data string } `json:"inlineData"`
				} `json:"parts"`
			} `json:"contents"`
		}
		_ = json.Unmarshal(body, &req)
		heard <- req.Contents[0].Parts[1].InlineData.MimeType
		_ = json.NewEncoder(w).Encode(map[string]any{"candidates": []any{map[string]any{"content": map[string]any{"role": "model",
			"parts": []any{map[string]any{"text": "HAI LURAH Taman, got di RT 03 RW 02 mampet, rumah banjir tiap hujan. HP saya 0812-3456-7890."}}}}}})
	}))
	defer gemini.Close()
	m := startMain(t, t.TempDir(), "WHATSAPP_APP_SECRET="+e2eAppSecret, "WHATSAPP_VERIFY_TOKEN="+e2eVerify,
		"WHATSAPP_TOKEN="+e2eToken, "WHATSAPP_PHONE_NUMBER_ID="+e2eCityNumber, "WHATSAPP_API_BASE="+api.URL,
		"GEMINI_API_KEY=uji", "GEMINI_BASE_URL="+gemini.URL)
	e := &e2e{t: t, m: m, base: m.HTTP.URL(), graph: graph}

	e.deliver(waDelivery(waEntry(e2eCityNumber, fmt.Sprintf(`{"from":%q,"id":"wamid.VOICE","timestamp":"%d","type":"audio",`+
		`"audio":{"mime_type":"audio/ogg; codecs=opus","sha256":"x","id":"1122334455667788","voice":true}}`, phoneC, time.Now().Unix()))))
	ids := e.tickets(phoneC)
	if len(ids) != 1 {
		t.Fatalf("tickets %v, want the voice note's", ids)
	}
	id := ids[0]
	deadline := time.Now().Add(60 * time.Second)
	for len(e.events(id, hailurah.EventTriaged)) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("not triaged; events %v", e.events(id, hailurah.EventTriageFailed))
		}
		time.Sleep(200 * time.Millisecond)
	}
	if mime := <-heard; mime != "audio/ogg" {
		t.Errorf("Gemini heard %q", mime)
	}
	tk := e.ticket(id)
	if !strings.Contains(tk.MessageText, "got di RT 03 RW 02 mampet") || !strings.Contains(tk.MessageText, pii.Mask("0812-3456-7890")) ||
		strings.Contains(tk.MessageText, "3456") || tk.Kategori == "" {
		t.Errorf("ticket %q kategori %q, want the masked transcript triaged", tk.MessageText, tk.Kategori)
	}
	if tr := e.events(id, hailurah.EventTranscribed); len(tr) != 1 || len(tr[0].Attachments) != 1 {
		t.Errorf("transcribed events %+v", tr)
	}
	kept, err := mediastore.New(m.DB).ListTicketMedia(context.Background(), id)
	if err != nil || len(kept) != 1 || kept[0].Type != hailurah.MediaAudio || kept[0].Status != hailurah.MediaStored {
		t.Errorf("media %+v, %v; want the audio kept", kept, err)
	}
	if k := e.outboxKinds(id); k[hailurah.OutboxAskText] != 0 || k[hailurah.OutboxAck] != 1 {
		t.Errorf("outbox %v", k)
	}
}
