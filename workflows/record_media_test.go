//go:build record

package workflows_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/server/common/dynamicconfig"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/activities"
	"github.com/hailurah/hailurah/media"
	"github.com/hailurah/hailurah/workflows"
)

type memMedia struct {
	mu   sync.Mutex
	rows map[string]*hailurah.Media
}

func (m *memMedia) SaveMedia(_ context.Context, x *hailurah.Media) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.rows[x.ID] = x
	return nil
}

func (m *memMedia) FindMedia(_ context.Context, id string) (*hailurah.Media, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if x, ok := m.rows[id]; ok {
		return x, nil
	}
	return nil, hailurah.Errorf(hailurah.ENOTFOUND, "no media")
}

// waitFor waits until n media are recorded.
func (m *memMedia) waitFor(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		m.mu.Lock()
		got := len(m.rows)
		m.mu.Unlock()
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("media recorded: %d, want %d", got, n)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (m *memMedia) ListTicketMedia(context.Context, string) ([]*hailurah.Media, error) {
	return nil, nil
}

// TestRecordMediaHistory records curhat_media_v3.json: a ticket whose
// opening message carries a gateway's photo, then a Cloud API photo and a
// file that is refused, downloaded by the media-download version; then
// rejected once the downloads are done.
//
//	go test -tags record -run TestRecordMediaHistory -v ./workflows/
func TestRecordMediaHistory(t *testing.T) {
	var pic bytes.Buffer
	_ = png.Encode(&pic, image.NewRGBA(image.Rect(0, 0, 8, 8)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/v23.0/4242":
			_ = json.NewEncoder(w).Encode(map[string]any{"url": "http://" + r.Host + "/lookaside/4242", "mime_type": "image/png", "id": "4242"})
		case strings.HasPrefix(r.URL.Path, "/lookaside/"), r.URL.Path == "/foto.jpg":
			_, _ = w.Write(pic.Bytes())
		case r.URL.Path == "/surat.docx":
			_, _ = w.Write([]byte("PK\x03\x04 not accepted"))
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer srv.Close()
	rows := &memMedia{rows: map[string]*hailurah.Media{}}
	mediaActs := &activities.MediaActivities{Media: rows, Storage: media.Dir(t.TempDir()),
		Fetcher: &media.Fetcher{GraphBaseURL: srv.URL + "/v23.0", Token: "t", AllowPrivate: true}}
	r := newRecorder(t, 2, dynamicconfig.StaticClient{}, mediaActs)
	in := input()
	in.TicketID = "HL-2026-000906"
	in.Policy = shortPolicy()
	in.Policy.Moderator.Default = time.Hour
	in.First.Media = []string{srv.URL + "/foto.jpg"}
	id := in.TicketID
	run := r.start(in)
	if err := r.c.SignalWorkflow(context.Background(), workflows.CurhatWorkflowID(id), "", workflows.SignalCitizenMessage,
		hailurah.CitizenMessage{ID: "p1", At: time.Now(), Channel: hailurah.ChannelWhatsApp,
			Media: []string{"whatsapp-media:4242", srv.URL + "/surat.docx"}}); err != nil {
		t.Fatal(err)
	}
	r.waitFor(id, "the photo message", func(s hailurah.TicketState) bool { return s.MessagesCount == 2 && s.Status == hailurah.StatusOpen })
	rows.waitFor(t, 3)
	r.mustAct(id, modTaman, hailurah.ActionRequest{Action: hailurah.ActionReject, Reason: "uji"})
	var st hailurah.TicketState
	if err := run.Get(context.Background(), &st); err != nil || st.Status != hailurah.StatusRejected {
		t.Fatalf("final: %+v, %v", st, err)
	}
	stored, refused := 0, 0
	for _, m := range rows.rows {
		switch m.Status {
		case hailurah.MediaStored:
			stored++
		case hailurah.MediaRefused:
			refused++
		}
	}
	if stored != 2 || refused != 1 {
		t.Fatalf("stored %d refused %d, want 2 and 1", stored, refused)
	}
	r.save(run.GetID(), run.GetRunID(), "curhat_media_v3.json")
}

// heardOnce transcribes the first voice note and hears nothing in the rest.
type heardOnce struct{ n int }

func (h *heardOnce) Transcribe(context.Context, string, []byte) (string, error) {
	h.n++
	if h.n == 1 {
		return "Lampu jalan di gang Mawar RT 03 mati sudah seminggu.", nil
	}
	return "", hailurah.Errorf(hailurah.EINVALID, "no speech")
}

// TestRecordVoiceHistory records curhat_voice_v4.json: a ticket opened by
// a voice note that is transcribed and triaged (voice-transcribe
// version), then a second voice note that is not heard and is answered
// with the ask-for-text; then rejected.
//
//	go test -tags record -run TestRecordVoiceHistory -v ./workflows/
func TestRecordVoiceHistory(t *testing.T) {
	ogg := []byte("OggS\x00\x02" + strings.Repeat("\x00", 22) + "OpusHead voice")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/v23.0/"):
			id := strings.TrimPrefix(r.URL.Path, "/v23.0/")
			_ = json.NewEncoder(w).Encode(map[string]any{"url": "http://" + r.Host + "/lookaside/" + id, "mime_type": "audio/ogg", "id": id})
		case strings.HasPrefix(r.URL.Path, "/lookaside/"):
			_, _ = w.Write(ogg)
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer srv.Close()
	rows := &memMedia{rows: map[string]*hailurah.Media{}}
	mediaActs := &activities.MediaActivities{Media: rows, Storage: media.Dir(t.TempDir()), Transcriber: &heardOnce{},
		Fetcher: &media.Fetcher{GraphBaseURL: srv.URL + "/v23.0", Token: "t", AllowPrivate: true}}
	r := newRecorder(t, 2, dynamicconfig.StaticClient{}, mediaActs)
	in := input()
	in.TicketID = "HL-2026-000907"
	in.Policy = shortPolicy()
	in.Policy.Moderator.Default = time.Hour
	in.First.Text, in.First.Voice, in.First.Media = "", true, []string{"whatsapp-media:7001"}
	id := in.TicketID
	run := r.start(in)
	r.waitFor(id, "the transcribed triage", func(s hailurah.TicketState) bool { return s.Status == hailurah.StatusOpen && s.Triaged })
	if err := r.c.SignalWorkflow(context.Background(), workflows.CurhatWorkflowID(id), "", workflows.SignalCitizenMessage,
		hailurah.CitizenMessage{ID: "v2", At: time.Now(), Channel: hailurah.ChannelWhatsApp, Voice: true,
			Media: []string{"whatsapp-media:7002"}}); err != nil {
		t.Fatal(err)
	}
	r.waitFor(id, "the second voice note", func(s hailurah.TicketState) bool { return s.MessagesCount == 2 })
	rows.waitFor(t, 2)
	time.Sleep(time.Second) // the unheard note's ask-for-text
	r.mustAct(id, modTaman, hailurah.ActionRequest{Action: hailurah.ActionReject, Reason: "uji"})
	var st hailurah.TicketState
	if err := run.Get(context.Background(), &st); err != nil || st.Status != hailurah.StatusRejected || st.Summary == "" {
		t.Fatalf("final: %+v, %v", st, err)
	}
	r.save(run.GetID(), run.GetRunID(), "curhat_voice_v4.json")
}
