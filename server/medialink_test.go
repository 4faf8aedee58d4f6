package server_test

import (
	"encoding/json"
	"github.com/hailurah/hailurah/store/mediastore"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/media"
	"github.com/hailurah/hailurah/server"
	"github.com/hailurah/hailurah/store/storetest"
	"github.com/hailurah/hailurah/whatsapp"
	"github.com/hailurah/hailurah/workflows"
)

// TestSignedPhotoLink: the Graph API, with no session, fetches a unit's
// evidence photo by its signed link — a web upload or a photo sent over
// WhatsApp — and a tampered, expired or foreign link is 404.
func TestSignedPhotoLink(t *testing.T) {
	f := newMediaFixture(t)
	links := media.NewLinks([]byte("at-least-32-characters-of-secret!!"))
	srv, err := server.New(server.Config{Users: f.db, Audit: f.db, Kelurahan: f.db, Tickets: f.db, Notifications: f.db,
		Cases: &workflows.Client{}, DataDir: f.dataDir, Now: f.now.Now, Logger: slog.New(slog.DiscardHandler),
		Media: &server.Media{Store: mediastore.New(f.db), Files: f.files}, MediaLinks: links})
	if err != nil {
		t.Fatal(err)
	}
	f.ts.Config.Handler = srv.Handler()

	// A photo the unit uploaded on the web, where the server keeps them.
	upload := "0123456789abcdef0123456789abcdef.jpg"
	dir := filepath.Join(f.dataDir, "uploads", f.task.ID)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	jpeg := []byte("\xff\xd8\xff\xe0 evidence")
	if err := os.WriteFile(filepath.Join(dir, upload), jpeg, 0o600); err != nil {
		t.Fatal(err)
	}
	get := func(path string) (int, string, string) {
		t.Helper()
		resp, err := http.Get(f.ts.URL + path) // no session, as Meta's fetcher
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
	}
	path := func(u string) string { return strings.TrimPrefix(u, "https://hailurah.example") }
	now := f.now.Now()

	webURL := links.URL("https://hailurah.example", f.task.ID, "/bukti/"+f.task.ID+"/"+upload, now)
	if st, ct, body := get(path(webURL)); st != http.StatusOK || ct != "image/jpeg" || body != string(jpeg) {
		t.Errorf("web upload by link: %d %s %q", st, ct, body)
	}
	waURL := links.URL("https://hailurah.example", f.task.ID, f.photo.Source, now)
	if st, ct, body := get(path(waURL)); st != http.StatusOK || ct != "image/png" || !strings.HasPrefix(body, "\x89PNG") {
		t.Errorf("WhatsApp photo by link: %d %s %q", st, ct, body)
	}

	token := strings.TrimPrefix(path(waURL), media.LinkPath)
	payload, sig, _ := strings.Cut(token, ".")
	flip := func(s string) string {
		if s[len(s)-1] == 'A' {
			return s[:len(s)-1] + "B"
		}
		return s[:len(s)-1] + "A"
	}
	refused := map[string]string{
		"tampered signature": media.LinkPath + payload + "." + flip(sig),
		"tampered payload":   media.LinkPath + flip(payload) + "." + sig,
		"no signature":       media.LinkPath + payload,
		"garbage":            media.LinkPath + "bukan-token",
		"another key":        path(media.NewLinks([]byte("another-secret-of-32-characters!!!")).URL("https://hailurah.example", f.task.ID, f.photo.Source, now)),
		"a voice note":       path(links.URL("https://hailurah.example", f.task.ID, f.voice.Source, now)),
		"another ticket's":   path(links.URL("https://hailurah.example", "HL-2026-000001", f.photo.Source, now)),
		"a path trick":       path(links.URL("https://hailurah.example", f.task.ID, "/bukti/"+f.task.ID+"/../../secret.jpg", now)),
		"expired":            media.LinkPath + links.Token(f.task.ID, f.photo.Source, now.Add(-time.Second)),
	}
	for name, p := range refused {
		if st, _, _ := get(p); st != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", name, st)
		}
	}
	// A link works for media.LinkTTL and not a second longer.
	f.now.Add(media.LinkTTL - time.Second)
	if st, _, _ := get(path(waURL)); st != http.StatusOK {
		t.Errorf("a link just before it expires: %d", st)
	}
	f.now.Add(time.Second)
	if st, _, _ := get(path(waURL)); st != http.StatusNotFound {
		t.Errorf("an expired link: %d, want 404", st)
	}
}

// TestDevOutboxShowsThePhotoLink: without WhatsApp credentials a done
// message with a photo stays in the outbox, and the simulated phone's
// outbox shows its signed link.
func TestDevOutboxShowsThePhotoLink(t *testing.T) {
	db := storetest.Open(t)
	f := newChanFixture(t, db, chanOptions{dev: true, appSecret: appSecret})
	ref := "/bukti/HL-2026-000001/0123456789abcdef0123456789abcdef.jpg"
	err := db.Enqueue(t.Context(), &hailurah.OutboxMessage{IdempotencyKey: "k", TicketID: "HL-2026-000001",
		Channel: hailurah.ChannelWhatsApp, Recipient: whatsapp.SenderID([]byte(chanSecret), "+6281234567890"),
		Kind: hailurah.OutboxConfirm, Text: "Dinas PUPR telah menindaklanjuti.", Image: ref})
	if err != nil {
		t.Fatal(err)
	}
	st, raw := f.request("GET", "/api/v1/dev/outbox?to=081234567890", "", "", nil)
	var out []map[string]any
	if err := json.Unmarshal([]byte(raw), &out); st != http.StatusOK || err != nil || len(out) != 1 {
		t.Fatalf("dev outbox: %d %s", st, raw)
	}
	link, _ := out[0]["image_url"].(string)
	token, ok := strings.CutPrefix(link, media.LinkPath)
	if out[0]["status"] != hailurah.OutboxStatusPending || !ok {
		t.Fatalf("row: %v", out[0])
	}
	if ticket, got, ok := media.NewLinks([]byte(chanSecret)).Open(token, f.clock.Now()); !ok || ticket != "HL-2026-000001" || got != ref {
		t.Errorf("the link opens to %q %q %v", ticket, got, ok)
	}
}
