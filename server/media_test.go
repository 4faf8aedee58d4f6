package server_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/media"
	"github.com/hailurah/hailurah/server"
	"github.com/hailurah/hailurah/store/mediastore"
	"github.com/hailurah/hailurah/workflows"
)

// mediaFixture is the UI fixture's server with media configured and the
// PUPR task holding a photo, a voice note, a PDF and a refused file.
type mediaFixture struct {
	*uiFixture
	task                             *hailurah.Ticket
	photo, voice, pdf, refusedUpload *hailurah.Media
	files                            media.Dir
}

func newMediaFixture(t *testing.T) *mediaFixture {
	f := newUIFixture(t, nil)
	_, _, task, _ := seedTickets(t, f)
	files := media.Dir(t.TempDir())
	srv, err := server.New(server.Config{Users: f.db, Audit: f.db, Kelurahan: f.db, Tickets: f.db, Notifications: f.db,
		Cases: &workflows.Client{}, DataDir: f.dataDir, Now: f.now.Now, Logger: slog.New(slog.DiscardHandler),
		Media: &server.Media{Store: mediastore.New(f.db), Files: files}})
	if err != nil {
		t.Fatal(err)
	}
	f.ts.Config.Handler = srv.Handler()
	ctx := context.Background()
	keep := func(source, typ, mime, ext string, data []byte, thumb bool) *hailurah.Media {
		m := &hailurah.Media{ID: hailurah.MediaID(task.ID, source), TicketID: task.ID, Source: source, Type: typ,
			MIME: mime, Size: int64(len(data)), Status: hailurah.MediaStored}
		m.StorageKey = media.Key(task.ID, m.ID, ext)
		if err := files.Put(ctx, m.StorageKey, mime, data); err != nil {
			t.Fatal(err)
		}
		if thumb {
			m.ThumbnailKey = media.ThumbKey(task.ID, m.ID)
			if err := files.Put(ctx, m.ThumbnailKey, "image/jpeg", []byte("\xff\xd8thumb")); err != nil {
				t.Fatal(err)
			}
		}
		if err := mediastore.New(f.db).SaveMedia(ctx, m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	mf := &mediaFixture{uiFixture: f, task: task, files: files}
	mf.photo = keep("whatsapp-media:1", hailurah.MediaImage, "image/png", ".png", []byte("\x89PNG\r\n\x1a\nfoto"), true)
	mf.voice = keep("whatsapp-media:2", hailurah.MediaAudio, "audio/ogg", ".ogg", []byte("OggS voice"), false)
	mf.pdf = keep("https://gw.example/surat.pdf", hailurah.MediaDocument, "application/pdf", ".pdf", []byte("%PDF-1.7"), false)
	mf.refusedUpload = &hailurah.Media{ID: hailurah.MediaID(task.ID, "whatsapp-media:3"), TicketID: task.ID,
		Source: "whatsapp-media:3", Status: hailurah.MediaRefused, Note: "Jenis berkas application/zip tidak diterima."}
	if err := mediastore.New(f.db).SaveMedia(ctx, mf.refusedUpload); err != nil {
		t.Fatal(err)
	}
	return mf
}

func TestTicketJSONListsMedia(t *testing.T) {
	f := newMediaFixture(t)
	resp, out := f.as(t, "moderator").do("GET", "/api/v1/tickets/"+f.task.ID, "", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET ticket: %d %v", resp.StatusCode, out)
	}
	b, _ := json.Marshal(out["media"])
	var got []map[string]string
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("media: %s", b)
	}
	want := []map[string]string{
		{"id": f.photo.ID, "type": "image", "url": "/api/v1/media/" + f.photo.ID, "thumbnail_url": "/api/v1/media/" + f.photo.ID + "/thumbnail", "status": "stored"},
		{"id": f.voice.ID, "type": "audio", "url": "/api/v1/media/" + f.voice.ID, "status": "stored"},
		{"id": f.pdf.ID, "type": "document", "url": "/api/v1/media/" + f.pdf.ID, "status": "stored"},
		{"id": f.refusedUpload.ID, "type": "", "status": "refused", "note": f.refusedUpload.Note},
	}
	if len(got) != len(want) {
		t.Fatalf("media = %s", b)
	}
	byID := map[string]map[string]string{}
	for _, m := range got {
		byID[m["id"]] = m
	}
	for _, w := range want {
		for k, v := range w {
			if byID[w["id"]][k] != v {
				t.Errorf("media %s: %s = %q, want %q", w["id"], k, byID[w["id"]][k], v)
			}
		}
	}
}

func TestMediaServedOnlyToWhoMaySeeTheTicket(t *testing.T) {
	f := newMediaFixture(t)
	get := func(c *client, path string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("GET", f.ts.URL+path, nil)
		resp, err := c.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		return resp
	}
	photo, thumb := "/api/v1/media/"+f.photo.ID, "/api/v1/media/"+f.photo.ID+"/thumbnail"
	for _, who := range []string{"moderator", "lurah", "admin", "dinas-pupr"} {
		c := f.as(t, who)
		for _, tt := range []struct{ path, ctype, disposition string }{
			{photo, "image/png", "inline"},
			{thumb, "image/jpeg", "inline"},
			{"/api/v1/media/" + f.voice.ID, "audio/ogg", "inline"},
			{"/api/v1/media/" + f.pdf.ID, "application/pdf", "attachment"},
		} {
			resp := get(c, tt.path)
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != tt.ctype ||
				resp.Header.Get("Content-Disposition") != tt.disposition || resp.Header.Get("X-Content-Type-Options") != "nosniff" ||
				resp.Header.Get("Cache-Control") != "private, max-age=3600" {
				t.Errorf("%s GET %s: %d %v", who, tt.path, resp.StatusCode, resp.Header)
			}
		}
	}
	for _, who := range []string{"moderator-demangan", "dinas-dlh", "fasilitator", ""} {
		c := f.client()
		if who != "" {
			c = f.as(t, who)
		}
		for _, path := range []string{photo, thumb, "/api/v1/media/" + f.voice.ID} {
			if resp := get(c, path); resp.StatusCode != http.StatusNotFound {
				t.Errorf("%q GET %s: %d, want 404", who, path, resp.StatusCode)
			}
		}
	}
	mod := f.as(t, "moderator")
	for _, path := range []string{"/api/v1/media/" + f.refusedUpload.ID, "/api/v1/media/" + f.voice.ID + "/thumbnail", "/api/v1/media/nope"} {
		if resp := get(mod, path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, resp.StatusCode)
		}
	}
}

// The staff ticket page (the moderator's and the unit's task) shows the
// photo's thumbnail linking to the photo, a player for the voice note, a
// link to the file and why the refused one is missing.
func TestTicketPageShowsMedia(t *testing.T) {
	f := newMediaFixture(t)
	for _, who := range []string{"moderator", "dinas-pupr"} {
		status, body := f.as(t, who).page("GET", "/tiket/"+f.task.ID, nil)
		if status != http.StatusOK {
			t.Fatalf("%s: ticket page %d", who, status)
		}
		for _, want := range []string{
			`<a href="/api/v1/media/` + f.photo.ID + `"><img src="/api/v1/media/` + f.photo.ID + `/thumbnail"`,
			`<audio controls preload="none" src="/api/v1/media/` + f.voice.ID + `"></audio>`,
			`<a href="/api/v1/media/` + f.pdf.ID + `">Berkas</a>`,
			`Lampiran tidak disimpan <span class="muted">(Jenis berkas application/zip tidak diterima.)</span>`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: the page lacks %s", who, want)
			}
		}
		if strings.Contains(body, "whatsapp-media:") {
			t.Errorf("%s: the page shows a media reference", who)
		}
	}
}

// A voice note the ticket's workflow transcribed is marked so beside its
// player, under the message whose text is its transcript.
func TestTicketPageMarksATranscribedVoiceNote(t *testing.T) {
	f := newMediaFixture(t)
	status, body := f.as(t, "moderator").page("GET", "/tiket/"+f.task.ID, nil)
	if status != http.StatusOK || strings.Contains(body, "Ditranskripsi dari pesan suara") {
		t.Fatalf("before any transcription: %d, marked %v", status, strings.Contains(body, "Ditranskripsi"))
	}
	err := f.db.AddTicketEvent(context.Background(), &hailurah.TicketEvent{Key: f.task.ID + "/run/99", TicketID: f.task.ID,
		Seq: 99, At: f.now.Now(), Type: hailurah.EventTranscribed, Actor: hailurah.ActorSystem,
		Note: "Ditranskripsi dari pesan suara", Attachments: []string{"whatsapp-media:2"}})
	if err != nil {
		t.Fatal(err)
	}
	status, body = f.as(t, "moderator").page("GET", "/tiket/"+f.task.ID, nil)
	want := `<audio controls preload="none" src="/api/v1/media/` + f.voice.ID + `"></audio> <a href="/api/v1/media/` + f.voice.ID +
		`">Pesan suara</a> <span class="muted transcribed">Ditranskripsi dari pesan suara</span>`
	if status != http.StatusOK || !strings.Contains(body, want) {
		t.Errorf("the page lacks %s", want)
	}
	if n := strings.Count(body, `<audio controls`); n != 1 {
		t.Errorf("%d players, want the one beside the message", n)
	}
}
