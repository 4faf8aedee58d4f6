package main

import (
	"context"
	"github.com/hailurah/hailurah/store/mediastore"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hailurah/hailurah"
)

// TestWebChatPhotoInBrowser: on a 360 px phone a citizen attaches a photo
// to the web chat's curhat — a file that is not a photo is refused next to
// the field first — and sees it as a thumbnail on the tracking view, served
// under the tracking code; the moderator, on a phone too, sees the photo on
// the ticket page and what was said to the citizen with its delivery
// status. HAILURAH_SCREENSHOTS keeps the screenshots.
func TestWebChatPhotoInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server and Chromium")
	}
	m := startMain(t, t.TempDir())
	base := m.HTTP.URL()
	ctx := context.Background()
	dir := t.TempDir()
	fake, photo := filepath.Join(dir, "bukan-foto.jpg"), filepath.Join(dir, "got-tersumbat.png")
	if err := os.WriteFile(fake, []byte("ini bukan gambar, hanya teks\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	writePNG(t, photo)

	tab := newCitizenTab(t, base, 360, 740)
	tab.do(chromedp.Navigate(base+"/curhat"), chromedp.WaitVisible(chromedp.ID("curhat-photo")))
	if got := tab.eval(`[document.getElementById('curhat-photo').accept, document.getElementById('curhat-photo').getAttribute('capture')].join(' ')`); got != "image/* environment" {
		t.Errorf("the photo input: %q", got)
	}
	tab.do(chromedp.SetValue(chromedp.ID("curhat-text"),
		"HAI LURAH Taman\nSaya warga RT03/RW02. Got depan rumah tersumbat sampah, air meluap tiap hujan."),
		chromedp.SetValue(chromedp.ID("curhat-kelurahan"), "taman"),
		chromedp.SetUploadFiles(chromedp.ID("curhat-photo"), []string{fake}))
	tab.waitFor("the chosen file", `document.querySelectorAll('#photo-list li').length === 1`, 10*time.Second)
	tab.do(chromedp.Click(chromedp.CSS(`#curhat-form button[type=submit]`)))
	tab.waitFor("the refusal next to the photo field", `!document.getElementById('photo-error').hidden && document.getElementById('photo-error').textContent.includes('bukan foto')`, time.Minute)
	if tab.eval(`String(document.getElementById('chat').hidden)`) != "true" {
		t.Fatal("a curhat with a file that is not a photo was sent")
	}
	// The browser logs the 422 it was meant to get; no other error may follow.
	tab.mu.Lock()
	tab.errs = nil
	tab.mu.Unlock()
	// The keyboard removes the refused file: its "Hapus" button, then back on the input.
	tab.do(chromedp.Focus(chromedp.CSS(`#photo-list button[data-photo]`)))
	tab.do(chromedp.KeyEvent("\r"))
	tab.waitFor("the file removed", `document.querySelectorAll('#photo-list li').length === 0 && document.activeElement.id === 'curhat-photo'`, 10*time.Second)
	tab.do(chromedp.SetUploadFiles(chromedp.ID("curhat-photo"), []string{photo}))
	tab.waitFor("the chosen photo", `document.querySelector('#photo-list li') !== null && document.querySelector('#photo-list li').textContent.includes('got-tersumbat.png')`, 10*time.Second)
	if tab.eval(`String(document.documentElement.scrollWidth <= 360)`) != "true" {
		t.Errorf("the form is wider than 360 px: %s", tab.eval(`String(document.documentElement.scrollWidth)`))
	}
	tab.shot("webphoto-chosen-360")
	tab.do(chromedp.Click(chromedp.CSS(`#curhat-form button[type=submit]`)))
	tab.waitFor("the chat with a tracking code", `!document.getElementById('chat').hidden && document.getElementById('chat-code').textContent.length >= 8`, time.Minute)
	tab.waitFor("the photo on the tracking view", `[...document.querySelectorAll('#chat-photo-list img')].some(i => i.complete && i.naturalWidth > 0)`, time.Minute)
	tab.waitFor("the AI reply", logHas("chat-log", "Ringkasan"), time.Minute)
	src := tab.eval(`document.querySelector('#chat-photo-list img').getAttribute('src')`)
	code := tab.eval(`document.getElementById('chat-code').textContent`)
	if !strings.HasPrefix(src, "/api/v1/track/"+code+"/media/") || !strings.HasSuffix(src, "/thumbnail") {
		t.Errorf("thumbnail served at %q", src)
	}
	if tab.eval(`String(document.documentElement.scrollWidth <= 360)`) != "true" {
		t.Errorf("the chat is wider than 360 px")
	}
	tab.shot("webphoto-tracking-360")

	tk, err := m.DB.FindTicketByTrackingCode(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := mediastore.New(m.DB).ListTicketMedia(ctx, tk.ID)
	if err != nil || len(ms) != 1 || ms[0].Status != hailurah.MediaStored || ms[0].MIME != "image/png" {
		t.Fatalf("media of %s: %+v %v", tk.ID, ms, err)
	}

	staff := newBrowser(t, base).newTab("moderator", 360, 740, true)
	staff.login("moderator")
	if st := staff.open("/tiket/" + tk.ID); st != 200 {
		t.Fatalf("ticket page: %d", st)
	}
	staff.waitFor(`[...document.querySelectorAll('#pesan img')].some(i => i.complete && i.naturalWidth > 0 && i.getAttribute('src') === '/api/v1/media/`+ms[0].ID+`/thumbnail')`, 30*time.Second)
	// The acknowledgement and the AI's reply, each with where it stands:
	// a web curhat's answers wait on the tracking page.
	staff.waitFor(`document.querySelectorAll('#terkirim li.sent-msg').length >= 2 && [...document.querySelectorAll('#terkirim li.sent-msg .badge')].every(b => b.textContent.trim() !== '')`, 30*time.Second)
	if !staff.eval(`document.documentElement.scrollWidth <= 360`) {
		t.Errorf("the ticket page is wider than 360 px")
	}
	staff.shot("webphoto-ticket-360")
}
