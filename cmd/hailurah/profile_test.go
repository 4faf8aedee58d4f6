package main

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestProfileInBrowser: a PUPR officer on a 360 px phone keeps their
// WhatsApp number and switches notices off on /profil; the admin, on a
// phone too, sees the number on the account's page. Neither page is wider
// than the screen. HAILURAH_SCREENSHOTS keeps the screenshots.
func TestProfileInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server and Chromium")
	}
	m := startMain(t, t.TempDir())
	b := newBrowser(t, m.HTTP.URL())

	officer := b.newTab("dinas-pupr", 360, 740, true)
	officer.login("dinas-pupr")
	if st := officer.open("/profil"); st != http.StatusOK {
		t.Fatalf("/profil: %d", st)
	}
	officer.shot("profil-360")
	officer.do(chromedp.Clear(chromedp.ID("p-phone")), chromedp.SendKeys(chromedp.ID("p-phone"), "0812 7000 1234"))
	if officer.eval(`document.getElementById('p-notices').checked`) {
		officer.do(chromedp.Click(chromedp.ID("p-notices")))
	}
	if st := officer.submit(`form[action="/profil"] button[type="submit"]`); st != http.StatusOK {
		t.Fatalf("save profile: %d", st)
	}
	if !officer.eval(`document.querySelector('.flash') !== null && document.querySelector('.flash').textContent.includes('Profil Anda disimpan')`) ||
		!officer.eval(`document.getElementById('p-phone').value === '+6281270001234' && !document.getElementById('p-notices').checked`) {
		t.Errorf("saved profile not shown: %s", officer.text("main"))
	}
	if !officer.eval(`document.documentElement.scrollWidth <= 360`) {
		t.Error("/profil is wider than 360 px")
	}
	u, err := m.DB.FindUserByUsername(context.Background(), "dinas-pupr")
	if err != nil || u.Phone != "+6281270001234" || u.WhatsAppNotices {
		t.Fatalf("stored: %+v %v", u, err)
	}

	admin := b.newTab("admin", 360, 740, true)
	admin.login("admin")
	if st := admin.open("/admin/pengguna/" + strconv.FormatInt(u.ID, 10)); st != http.StatusOK {
		t.Fatalf("account page: %d", st)
	}
	if !admin.eval(`document.getElementById('u-phone').value === '+6281270001234' && !document.getElementById('u-notices').checked`) {
		t.Errorf("the account page: %s", admin.text("main"))
	}
	if !admin.eval(`document.documentElement.scrollWidth <= 360`) {
		t.Error("/admin/pengguna is wider than 360 px")
	}
	admin.shot("admin-pengguna-360")
}
