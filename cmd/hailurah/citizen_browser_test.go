package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hailurah/hailurah"
)

// geoStub answers the page's location request as a phone's GPS would:
// the one system outside the machine in this test.
const geoStub = `navigator.geolocation.getCurrentPosition = function (ok) {
	setTimeout(function () { ok({ coords: { latitude: -7.6298214, longitude: 111.5239456, accuracy: 12 } }); }, 50);
}; true`

// TestBrowserCitizenJourney walks the citizen's side at 360 and 1280 px:
// the front page, a curhat on the web with its plain buttons and its
// location, the tracking page as a moderator verifies, the unit works and
// sends its photo, and the citizen says it is fixed and rates it; the
// kiosk's QR code; the staff map on /dasbor with its markers; and /data,
// whose map shows only grid cells and falls back to the RW grid when the
// tiles do not load. HAILURAH_SCREENSHOTS keeps the screenshots.
func TestBrowserCitizenJourney(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server and Chromium")
	}
	// The tile server: a local one, so the map's base layer loads without
	// internet; tilesUp false makes it fail like an office offline.
	var tilesUp atomic.Bool
	tilesUp.Store(true)
	tile := filepath.Join(t.TempDir(), "tile.png")
	writePNG(t, tile)
	tiles := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !tilesUp.Load() {
			http.Error(w, "offline", http.StatusServiceUnavailable)
			return
		}
		http.ServeFile(w, r, tile)
	}))
	defer tiles.Close()
	m := startMain(t, t.TempDir(), "HAILURAH_MAP_TILES="+tiles.URL+"/{z}/{x}/{y}.png", "HAILURAH_WHATSAPP_NUMBER=0811-3500-112")
	base := m.HTTP.URL()
	ctx := context.Background()

	// 1. The front page on a phone, then the web chat from its button.
	cit := newCitizenTab(t, base, 360, 740)
	cit.do(chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS(".front-cta")))
	for _, want := range []string{"Tiga cara curhat", "0811-3500-112", "Lacak curhat Anda", "Data terbuka", "Pemerintah Kota Madiun"} {
		if !strings.Contains(cit.eval(`document.querySelector("main").innerText`), want) {
			t.Errorf("front page lacks %q", want)
		}
	}
	if cit.eval(`String(document.documentElement.scrollWidth <= 360)`) != "true" {
		t.Error("the front page is wider than 360 px")
	}
	if cit.eval(`document.querySelector('a[href^="https://wa.me/628113500112"]') ? "ya" : ""`) != "ya" {
		t.Error("no WhatsApp link with the number")
	}
	wargaShot(cit, "beranda-360")
	cit.do(chromedp.Click(chromedp.CSS(".front-cta")), chromedp.WaitVisible(chromedp.ID("curhat-text")))

	// An empty curhat is refused; the error goes once the citizen types.
	cit.do(chromedp.Click(chromedp.CSS(`#curhat-form button[type=submit]`)))
	cit.waitFor("the form error", `!document.getElementById('form-error').hidden`, 10*time.Second)
	cit.do(chromedp.SendKeys(chromedp.ID("curhat-text"), "HAI LURAH Taman\nSaya warga RT03/RW02. Got depan masjid mampet, air meluap ke jalan tiap hujan."))
	cit.waitFor("the error cleared", `document.getElementById('form-error').hidden`, 5*time.Second)
	cit.do(chromedp.SetValue(chromedp.ID("curhat-kelurahan"), "taman"), chromedp.SetValue(chromedp.ID("curhat-rt"), "3"),
		chromedp.SetValue(chromedp.ID("curhat-rw"), "2"), chromedp.Evaluate[chromedp.Void](geoStub), chromedp.Click(chromedp.ID("curhat-lokasi")))
	cit.waitFor("the location found", `document.getElementById('lokasi-status').textContent.includes('ditemukan')`, 10*time.Second)
	wargaShot(cit, "curhat-form-360")
	cit.do(chromedp.Click(chromedp.CSS(`#curhat-form button[type=submit]`)))
	cit.waitFor("focus on the result", `!document.getElementById('chat').hidden && document.activeElement.id === 'chat-title'`, time.Minute)
	code := cit.eval(`document.getElementById('chat-code').textContent`)
	tk, err := m.DB.FindTicketByTrackingCode(ctx, code)
	if err != nil || tk.Lat == nil || *tk.Lat != -7.629821 || *tk.Lng != 111.523946 {
		t.Fatalf("the web ticket and its location: %+v %v", tk, err)
	}
	id := tk.ID

	// The AI reply in sections, in plain words, with plain buttons.
	cit.waitFor("the reply in sections", `document.querySelector('#chat-log .reply-sections h3') !== null`, time.Minute)
	cit.waitFor("the buttons after the reply", `document.querySelector('#chat-commands button[data-command="MINTA DRAFT"]') !== null`, time.Minute)
	chatText := cit.eval(`document.getElementById('chat').innerText`)
	for _, raw := range []string{"Urgensi", "| Kategori", "High-impact", "BALAS:", "Ketik ", "LANJUT", "ANONIM YA", "MINTA DRAFT"} {
		if strings.Contains(chatText, raw) {
			t.Errorf("the web chat shows %q:\n%s", raw, chatText)
		}
	}
	for _, want := range []string{"Ringkasan", "Pilihan penyelesaian", "Langkah yang bisa Anda lakukan", "Tingkat kepentingan", "Buatkan surat permohonan", "Sembunyikan identitas saya"} {
		if !strings.Contains(chatText, want) {
			t.Errorf("the web chat lacks %q:\n%s", want, chatText)
		}
	}
	if cit.eval(`String(document.documentElement.scrollWidth <= 360)`) != "true" {
		t.Error("the chat is wider than 360 px")
	}
	wargaShot(cit, "curhat-balasan-360")

	// 2. The tracking page, shared by its link; it moves as staff act.
	if href := cit.eval(`document.getElementById('chat-lacak').getAttribute('href')`); href != "/lacak/"+code {
		t.Fatalf("the chat's tracking link: %q", href)
	}
	cit.do(chromedp.Click(chromedp.ID("chat-lacak")), chromedp.WaitVisible(chromedp.CSS(".steps")))
	current := func() string {
		return cit.eval(`document.querySelector('.step.current .step-label') ? document.querySelector('.step.current .step-label').textContent : ''`)
	}
	if got := current(); got != "Diverifikasi" {
		t.Errorf("current step of a new curhat: %q", got)
	}
	if words := cit.eval(`document.querySelector('blockquote.words').textContent`); !strings.Contains(words, "Got depan masjid mampet") {
		t.Errorf("the citizen's words: %q", words)
	}
	wargaShot(cit, "lacak-diterima-360")
	apiAct(t, base, "moderator", id, map[string]any{"action": "verify"})
	cit.waitFor("the news notice", `!document.getElementById('lacak-news').hidden`, time.Minute)
	cit.do(chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(".steps")))
	if got := current(); !strings.HasPrefix(got, "Diteruskan ke") {
		t.Errorf("current step after verification: %q", got)
	}
	if cit.eval(`document.querySelectorAll('.step.done').length`+` + ""`) != "2" {
		t.Errorf("done steps after verification: %s", cit.eval(`document.querySelectorAll('.step.done').length + ""`))
	}
	apiAct(t, base, "moderator", id, map[string]any{"action": "assign", "unit": "pupr"})

	// The unit accepts and finishes with a photo, on the staff pages.
	b := newBrowser(t, base)
	pupr := b.newTab("dinas-pupr", 360, 740, true)
	pupr.login("dinas-pupr")
	apiAct(t, base, "dinas-pupr", id, map[string]any{"action": "accept"})
	pupr.open("/tiket/" + id)
	photo := filepath.Join(t.TempDir(), "got-bersih.png")
	writePNG(t, photo)
	pupr.do(chromedp.SendKeys(chromedp.ID("done-text"), "Got sudah dikeruk dan dibersihkan dari sampah."),
		chromedp.SetUploadFiles(chromedp.ID("done-foto"), []string{photo}))
	if st := pupr.submit("#f-done button[type=submit]"); st != http.StatusOK {
		t.Fatalf("done: %d", st)
	}
	cit.do(chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(".steps")))
	cit.waitFor("the unit's photo", `[...document.querySelectorAll('#bukti img')].some(i => i.complete && i.naturalWidth > 0)`, time.Minute)
	for _, want := range []string{"Got sudah dikeruk", "Ditangani oleh Dinas Pekerjaan Umum", "Apakah masalahnya sudah beres?"} {
		if !strings.Contains(cit.eval(`document.querySelector("main").innerText`), want) {
			t.Errorf("the tracking page after the work lacks %q", want)
		}
	}
	if got := current(); got != "Selesai" {
		t.Errorf("current step while the citizen confirms: %q", got)
	}
	wargaShot(cit, "lacak-dikerjakan-360")

	// "Is it fixed?": yes, then a rating; the rating buttons go.
	cit.click("#ask", "Ya, sudah beres")
	afterReload(cit, "the rating question, focused", `document.querySelector('#ask .rating') !== null && document.activeElement.id === 'ask'`)
	if cit.eval(`document.querySelectorAll('.step.done').length + ""`) != "5" {
		t.Errorf("steps done after confirmation: %s", cit.eval(`document.querySelectorAll('.step.done').length + ""`))
	}
	cit.click("#ask", "5 · Sangat puas")
	afterReload(cit, "the thanks", `document.getElementById('ask') !== null && document.getElementById('ask').textContent.includes('nilai Anda sudah kami terima')`)
	if cit.eval(`document.querySelectorAll('button[data-command]').length + ""`) != "0" {
		t.Error("rating buttons remain after the rating")
	}
	if cit.eval(`String(document.documentElement.scrollWidth <= 360)`) != "true" {
		t.Error("the tracking page is wider than 360 px")
	}
	wargaShot(cit, "lacak-selesai-360")
	eventually(t, "rated 5", func() bool {
		tk, err := m.DB.FindTicket(ctx, id)
		return err == nil && tk.Rating == 5 && tk.Status == hailurah.StatusResolved
	})

	// 3. The kiosk shows the tracking page's QR code, ready to print.
	kiosk := newCitizenTab(t, base, 1280, 800)
	kiosk.do(chromedp.Navigate(base+"/kiosk?kelurahan=taman"), chromedp.WaitVisible(chromedp.ID("curhat-text")))
	boxes := kiosk.eval(`[...document.querySelectorAll('.consent input[type=checkbox]')].map(i => { const r = i.getBoundingClientRect(); return r.width + "x" + r.height; }).join(" ")`)
	if boxes != "28x28 28x28" {
		t.Errorf("kiosk checkboxes: %s", boxes)
	}
	kiosk.do(chromedp.SetValue(chromedp.ID("curhat-text"), "Saya warga RT01/RW02. Lampu jalan di gang 3 mati sejak minggu lalu."),
		chromedp.Click(chromedp.CSS(`#curhat-form button[type=submit]`)))
	kiosk.waitFor("the QR code", `(q => q && !q.hidden && q.complete && q.naturalWidth > 0)(document.getElementById('chat-qr'))`, time.Minute)
	kcode := kiosk.eval(`document.getElementById('chat-code').textContent`)
	if src := kiosk.eval(`document.getElementById('chat-qr').getAttribute('src')`); src != "/lacak/"+kcode+"/qr.png" {
		t.Errorf("QR source: %q", src)
	}
	wargaShot(kiosk, "kiosk-qr-1280")

	// More located curhat at the same place (WhatsApp locations, stored as
	// intake stores them), so the public map has a cell to show.
	for i := 0; i < 5; i++ {
		lat, lng := -7.6299+float64(i)*0.0001, 111.5238
		at := time.Now().Add(-time.Duration(i+1) * time.Hour)
		if err := m.DB.CreateTicket(ctx, &hailurah.Ticket{ID: fmt.Sprintf("HL-LOK-%d", i), TrackingCode: fmt.Sprintf("LOKASI%04d", i),
			DatetimeReceived: at, Channel: hailurah.ChannelWhatsApp, SenderID: fmt.Sprintf("s-lok-%d", i), Kelurahan: "taman",
			RT: "03", RW: "02", MessageText: "Got depan masjid mampet lagi.", Kategori: "lingkungan", UrgencyScore: 3,
			Status: hailurah.StatusNew, Lat: &lat, Lng: &lng}); err != nil {
			t.Fatal(err)
		}
	}

	// 4. The staff map on /dasbor: markers over the tiles, clustered.
	mod := b.newTab("moderator", 1280, 900, false)
	mod.login("moderator")
	mod.open("/dasbor")
	mod.waitFor(`(m => m && !m.hidden && m.querySelectorAll('.leaflet-marker-icon.marker-cluster, path.leaflet-interactive').length > 0)(document.getElementById('peta'))`, 30*time.Second)
	mod.waitFor(`document.querySelectorAll('#peta img.leaflet-tile-loaded').length > 0`, 30*time.Second)
	if !mod.eval(`document.getElementById('peta-status').textContent.includes('curhat dengan lokasi')`) {
		t.Errorf("map status: %s", mod.text("#peta-status"))
	}
	mod.shot("dasbor-peta-1280")

	// 5. /data: grid cells with counts, never a point; offline, the grid.
	pub := b.newTab("warga", 1280, 900, false)
	pub.open("/data")
	pub.waitFor(`document.querySelectorAll('#peta .map-count').length > 0`, 30*time.Second)
	if pub.eval(`document.querySelectorAll('#peta .leaflet-marker-icon:not(.map-count), #peta path.leaflet-interactive[d*="a"]').length > 0`) {
		t.Error("the public map shows a point")
	}
	cells := runIn(pub, chromedp.Evaluate[string](`[...document.querySelectorAll('#peta .map-count')].map(c => c.textContent).join(",")`))
	for _, c := range strings.Split(cells, ",") {
		var n int
		if err := json.Unmarshal([]byte(c), &n); err != nil || n < hailurah.MinPublicCell {
			t.Errorf("a public cell shows %q", c)
		}
	}
	pub.shot("data-peta-1280")
	tilesUp.Store(false)
	phone := b.newTab("warga", 360, 740, true)
	phone.open("/data")
	phone.waitFor(`document.getElementById('peta').getAttribute('data-fallback') === 'grid' && document.getElementById('peta').hidden`, 30*time.Second)
	if !phone.eval(`document.querySelector('.tiles.headline .tile-value') !== null && document.querySelector('main').innerText.indexOf('Curhat diterima') < document.querySelector('main').innerText.indexOf('Keputusan pilot 90 hari') &&
		(document.querySelector('.tiles.headline').compareDocumentPosition(document.querySelector('form.period-form')) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0`) {
		t.Error("/data does not open with its headline numbers")
	}
	if !phone.eval(`[...document.querySelectorAll('.table-wrap')].every(w => w.getAttribute('tabindex') === '0' && w.getAttribute('role') === 'region' && w.getAttribute('aria-label'))`) {
		t.Error("a wide table on /data cannot be reached by keyboard")
	}
	if !phone.eval(`document.querySelector('svg.chart-fixed') !== null`) {
		t.Error("no grid on /data with the tiles down")
	}
	html := runIn(phone, chromedp.Evaluate[string](`document.documentElement.outerHTML`))
	for _, secret := range []string{"-7.6298", "111.5239", id, code} {
		if strings.Contains(html, secret) {
			t.Errorf("/data shows %q", secret)
		}
	}
	if !phone.eval(`document.documentElement.scrollWidth <= 360`) {
		t.Errorf("/data is wider than 360 px: %s", runIn(phone, chromedp.Evaluate[string](`[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 361).map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right)).slice(0, 8).join('; ')`)))
	}
	phone.shot("data-grid-360")

	// 6. The same citizen pages on a desk screen.
	wide := newCitizenTab(t, base, 1280, 900)
	wide.do(chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS(".front-cta")))
	wargaShot(wide, "beranda-1280")
	wide.do(chromedp.Navigate(base+"/lacak/"+code), chromedp.WaitVisible(chromedp.CSS(".steps")))
	wide.waitFor("the unit's photo", `[...document.querySelectorAll('#bukti img')].some(i => i.complete && i.naturalWidth > 0)`, time.Minute)
	wargaShot(wide, "lacak-1280")
	wide.do(chromedp.Navigate(base+"/lacak/BUKANKODE1"), chromedp.WaitVisible(chromedp.CSS("h1")))
	if got := wide.eval(`document.querySelector('h1').textContent`); got != "Kode lacak tidak ditemukan" {
		t.Errorf("unknown code page: %q", got)
	}
	// The browser logs the 404 it was meant to get.
	wide.mu.Lock()
	wide.errs = nil
	wide.mu.Unlock()
}

// afterReload waits for js across the reload the tracking page does once
// the citizen's answer has landed.
func afterReload(tb *citizenTab, what, js string) {
	tb.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		ok, err := chromedp.Run(tb.ctx, chromedp.Evaluate[bool](js))
		if err == nil && ok {
			return
		}
		time.Sleep(300 * time.Millisecond)
	}
	tb.shot("failed")
	tb.t.Fatalf("waiting for %s (%s)", what, js)
}

// wargaShot saves a citizen page's screenshot as warga-name.png, shrunk
// like the staff guides' (docs/panduan/img), under HAILURAH_SCREENSHOTS
// or the test's temp dir.
func wargaShot(tb *citizenTab, name string) {
	tb.t.Helper()
	buf, err := chromedp.Run(tb.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.t.Fatalf("screenshot %s: %v", name, err)
	}
	small, err := shrinkPNG(buf)
	if err != nil {
		tb.t.Fatal(err)
	}
	path := filepath.Join(tb.shots, "warga-"+name+".png")
	if err := os.WriteFile(path, small, 0o644); err != nil {
		tb.t.Fatal(err)
	}
	tb.t.Logf("screenshot %s", path)
}
