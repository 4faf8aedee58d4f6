package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The browser tests drive Debian's Chromium against the whole program:
// the store on SQLite, the embedded Temporal server and the worker, as
// `hailurah dev` runs them. Each staff user gets a browser context of
// their own (their own cookies), as on their own device.
//
// Every page the tests visit is saved as a PNG under the test's temp dir
// (the path is logged); set HAILURAH_SCREENSHOTS to a directory to keep a
// copy, e.g. for docs/panduan/img.

// chromiumPath finds the browser. A missing browser fails the test: CI
// installs it (.ci/run), and a browser test that quietly skips proves
// nothing.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("HAILURAH_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("Chromium not found: install it (apt-get install chromium) or set HAILURAH_CHROMIUM")
	return ""
}

// browser is one Chromium process shared by the tabs of a test.
type browser struct {
	t     *testing.T
	ctx   context.Context
	base  string
	shots string
	keep  string
	n     int
}

func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancelBrowser := chromedp.NewContext(ctx)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("start Chromium: %v", err)
	}
	b := &browser{t: t, ctx: ctx, base: base, shots: filepath.Join(t.TempDir(), "screenshots"), keep: os.Getenv("HAILURAH_SCREENSHOTS")}
	if err := os.MkdirAll(b.shots, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots: %s", b.shots)
	return b
}

// tab is one staff user's browser window.
type tab struct {
	b    *browser
	ctx  context.Context
	user string
}

// newTab opens a window in a fresh browser context, width × height CSS px;
// mobile emulates a phone (touch, mobile viewport).
func (b *browser) newTab(user string, width, height int64, mobile bool) *tab {
	b.t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	b.t.Cleanup(cancel)
	var vopts []chromedp.EmulateViewportOption
	if mobile {
		vopts = append(vopts, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)
	}
	tb := &tab{b: b, ctx: ctx, user: user}
	tb.do(chromedp.EmulateViewport(width, height, vopts...))
	return tb
}

func (tb *tab) do(actions ...chromedp.Action[chromedp.Void]) {
	tb.b.t.Helper()
	if err := chromedp.Do(tb.ctx, actions...); err != nil {
		tb.b.t.Fatalf("%s: %v", tb.user, err)
	}
}

func runIn[T any](tb *tab, a chromedp.Action[T]) T {
	tb.b.t.Helper()
	v, err := chromedp.Run(tb.ctx, a)
	if err != nil {
		tb.b.t.Fatalf("%s: %v", tb.user, err)
	}
	return v
}

// open navigates and returns the document's HTTP status.
func (tb *tab) open(path string) int64 {
	tb.b.t.Helper()
	resp := runIn(tb, chromedp.NavigateResponse(tb.b.base+path))
	return resp.Status
}

// submit clicks a submit button and waits for the page that answers.
func (tb *tab) submit(button string) int64 {
	tb.b.t.Helper()
	resp, err := chromedp.RunResponse(tb.ctx, chromedp.Click(chromedp.CSS(button)))
	if err != nil {
		tb.b.t.Fatalf("%s: submit %s: %v", tb.user, button, err)
	}
	return resp.Status
}

func (tb *tab) text(sel string) string {
	tb.b.t.Helper()
	return runIn(tb, chromedp.TextContent(chromedp.CSS(sel)))
}

func (tb *tab) eval(js string) bool {
	tb.b.t.Helper()
	return runIn(tb, chromedp.Evaluate[bool](js))
}

// waitFor polls a JavaScript predicate in the page, without reloading it.
func (tb *tab) waitFor(js string, timeout time.Duration) {
	tb.b.t.Helper()
	if _, err := chromedp.Run(tb.ctx, chromedp.Poll[bool](js, chromedp.WithPollingInterval(250*time.Millisecond),
		chromedp.WithPollingTimeout(timeout))); err != nil {
		tb.b.t.Fatalf("%s: waiting for %s: %v", tb.user, js, err)
	}
}

// shot saves a full-page screenshot as NN-name.png; the copy kept for the
// guides is shrunk to a 256-colour PNG.
func (tb *tab) shot(name string) {
	tb.b.t.Helper()
	buf := runIn(tb, chromedp.FullScreenshot(100))
	tb.b.n++
	file := fmt.Sprintf("%02d-%s.png", tb.b.n, name)
	if err := os.WriteFile(filepath.Join(tb.b.shots, file), buf, 0o644); err != nil {
		tb.b.t.Fatal(err)
	}
	if tb.b.keep != "" {
		small, err := shrinkPNG(buf)
		if err != nil {
			tb.b.t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(tb.b.keep, file), small, 0o644); err != nil {
			tb.b.t.Fatal(err)
		}
	}
}

// shrinkPNG keeps the 256 most used colours of a screenshot and maps every
// other pixel (anti-aliased text edges) to the nearest of them: a page of
// flat colours loses nothing visible and the file shrinks to about a third.
func shrinkPNG(buf []byte) ([]byte, error) {
	img, err := png.Decode(bytes.NewReader(buf))
	if err != nil {
		return nil, err
	}
	bounds := img.Bounds()
	rgba := image.NewRGBA(bounds)
	draw.Draw(rgba, bounds, img, bounds.Min, draw.Src)
	count := map[color.RGBA]int{}
	for i := 0; i < len(rgba.Pix); i += 4 {
		count[color.RGBA{rgba.Pix[i], rgba.Pix[i+1], rgba.Pix[i+2], 255}]++
	}
	colors := slices.Collect(maps.Keys(count))
	slices.SortFunc(colors, func(a, b color.RGBA) int { return count[b] - count[a] })
	pal := make(color.Palette, 0, 256)
	for _, c := range colors[:min(256, len(colors))] {
		pal = append(pal, c)
	}
	out := image.NewPaletted(bounds, pal)
	index := map[color.RGBA]uint8{}
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			c := rgba.RGBAAt(x, y)
			c.A = 255
			i, ok := index[c]
			if !ok {
				i = uint8(pal.Index(c))
				index[c] = i
			}
			out.SetColorIndex(x, y, i)
		}
	}
	var w bytes.Buffer
	err = (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&w, out)
	return w.Bytes(), err
}

func (tb *tab) login(username string) {
	tb.b.t.Helper()
	tb.open("/login")
	tb.do(chromedp.SendKeys(chromedp.ID("username"), username), chromedp.SendKeys(chromedp.ID("password"), "demo-sandi-123"))
	if st := tb.submit(`form[action="/login"] button[type="submit"]`); st != http.StatusOK {
		tb.b.t.Fatalf("login %s: status %d", username, st)
	}
	if !tb.eval(`!location.pathname.startsWith("/login")`) {
		tb.b.t.Fatalf("login %s: still on the login page: %s", username, tb.text("main"))
	}
}

// postCurhat sends a citizen's message through the web intake API.
func postCurhat(t *testing.T, base string, body map[string]any) string {
	t.Helper()
	raw, _ := json.Marshal(body)
	resp, err := http.Post(base+"/api/v1/curhat", "application/json", bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		TicketID string `json:"ticket_id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("curhat: %d %v", resp.StatusCode, err)
	}
	return out.TicketID
}

// apiAct performs a staff action through the JSON API, as another staff
// member in another window would.
func apiAct(t *testing.T, base, username, ticketID string, action map[string]any) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	raw, _ := json.Marshal(map[string]string{"username": username, "password": "demo-sandi-123"})
	resp, err := c.Post(base+"/api/v1/login", "application/json", bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var login struct {
		CSRF string `json:"csrf_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&login)
	resp.Body.Close()
	raw, _ = json.Marshal(action)
	req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/tickets/"+ticketID+"/actions", bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", login.CSRF)
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %v on %s: %d", username, action, ticketID, resp.StatusCode)
	}
}

func writePNG(t *testing.T, path string) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := 0; y < 48; y++ {
		for x := 0; x < 64; x++ {
			img.Set(x, y, color.RGBA{R: 40, G: uint8(100 + x), B: 60, A: 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// xssCurhat carries markup that would run if any page rendered it as HTML.
const xssCurhat = `Sampah menumpuk di RT 04 RW 01 <script>window.__xss=1</script> "><img src=x onerror="window.__xss=2"> tolong diangkut`

// noInjection is true when the page holds no element the curhat's markup
// would have created and nothing of it ran.
const noInjection = `window.__xss === undefined && document.querySelectorAll('img[src="x"]').length === 0 &&
	![...document.scripts].some(s => s.textContent.includes("__xss"))`

// TestBrowserCaseLoop walks one case loop through the staff UI: a curhat
// arrives, the moderator sees it appear and assigns it to PUPR, the PUPR
// officer on a 360 px phone accepts and completes it with a photo, the DLH
// officer cannot open it, the lurah sees the escalation, and the admin
// manages users and tokens. Markup in a curhat stays text everywhere, and
// an action the status no longer allows shows the workflow's refusal.
func TestBrowserCaseLoop(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server and Chromium")
	}
	start := time.Now()
	m := startMain(t, t.TempDir())
	base := m.HTTP.URL()
	t.Logf("program ready in %s", time.Since(start).Round(time.Millisecond))
	b := newBrowser(t, base)
	step := func(name string) func() {
		begin := time.Now()
		return func() { t.Logf("%-48s %s", name, time.Since(begin).Round(time.Millisecond)) }
	}

	// The login page, as a phone shows it.
	done := step("login page at 360 px")
	guest := b.newTab("tamu", 360, 740, true)
	if st := guest.open("/antrian"); st != http.StatusOK || !guest.eval(`location.pathname === "/login"`) {
		t.Fatalf("anonymous /antrian: %d, not sent to login", st)
	}
	guest.shot("login")
	done()

	// 1. The moderator watches the queue; a curhat arrives and appears
	// without a reload.
	done = step("moderator sees a new ticket appear")
	mod := b.newTab("moderator", 1280, 900, false)
	mod.login("moderator")
	if !mod.eval(`location.pathname === "/antrian"`) {
		t.Fatalf("moderator landed on %s", runIn(mod, chromedp.Location()))
	}
	mod.do(chromedp.Evaluate[chromedp.Void](`window.__sameDocument = 42`))
	t1 := postCurhat(t, base, map[string]any{
		"text":      "HAI LURAH Taman Pak Irfa. Jalan di RT 03 RW 02 berlubang besar dekat masjid, dua motor sudah jatuh minggu ini. Mohon segera diperbaiki.",
		"kelurahan": "taman", "rt": "03", "rw": "02",
	})
	mod.waitFor(`(r => r && r.textContent.includes("Menunggu verifikasi"))(document.getElementById("row-`+t1+`"))`, 45*time.Second)
	if !mod.eval(`window.__sameDocument === 42`) {
		t.Fatal("the queue reloaded the page to show the new ticket")
	}
	if got := mod.text("#row-" + t1 + ` td[data-label="Pelapor"]`); !strings.Contains(got, "Warga") {
		t.Errorf("reporter of a named curhat: %q", got)
	}
	mod.shot("antrian-moderator")
	done()

	// 2. The moderator opens it and assigns it to PUPR with a due date.
	done = step("moderator assigns to PUPR")
	mod.open("/tiket/" + t1)
	if got := mod.text("#model-version"); got == "" || got == "-" {
		t.Errorf("triage model version: %q", got)
	}
	mod.shot("tiket-moderator")
	due := time.Now().In(wibZone()).AddDate(0, 0, 3).Format("2006-01-02")
	mod.do(chromedp.SetValue(chromedp.ID("assign-unit"), "pupr"), chromedp.SetValue(chromedp.ID("assign-due"), due),
		chromedp.SendKeys(chromedp.ID("assign-text"), "Mohon ditinjau minggu ini."))
	if st := mod.submit("#f-assign button[type=submit]"); st != http.StatusOK {
		t.Fatalf("assign: %d: %s", st, mod.text("#tindakan"))
	}
	if got := mod.text(".flash"); !strings.Contains(got, "diteruskan ke unit dinas") {
		t.Errorf("flash after assign: %q", got)
	}
	if got := mod.text(".ticket-head .badges"); !strings.Contains(got, "Diteruskan ke dinas") {
		t.Errorf("status after assign: %q", got)
	}
	if got := mod.text(".ticket-head .facts"); !strings.Contains(got, "Pekerjaan Umum") || !strings.Contains(got, "23.59 WIB") {
		t.Errorf("unit and due date after assign: %q", got)
	}
	mod.shot("tiket-diteruskan")
	done()

	// 3. A curhat full of markup: text in the queue and the detail page,
	// and the reporter is "Anonim" everywhere.
	done = step("markup in a curhat stays text")
	t2 := postCurhat(t, base, map[string]any{"text": xssCurhat, "kelurahan": "taman", "anonim": true})
	mod.open("/antrian")
	mod.waitFor(`(r => r && r.textContent.includes("Menunggu verifikasi"))(document.getElementById("row-`+t2+`"))`, 45*time.Second)
	if got := mod.text("#row-" + t2 + " .excerpt"); !strings.Contains(got, `<script>window.__xss=1</script> "><img src=x`) {
		t.Errorf("queue shows the curhat as %q", got)
	}
	if got := mod.text("#row-" + t2 + ` td[data-label="Pelapor"]`); strings.TrimSpace(got) != "Anonim" {
		t.Errorf("queue reporter of an anonymous curhat: %q", got)
	}
	if !mod.eval(noInjection) {
		t.Fatal("queue: the curhat's markup became elements or ran")
	}
	mod.open("/tiket/" + t2)
	if got := mod.text("#pesan .msg-text"); got != xssCurhat {
		t.Errorf("detail shows the curhat as %q", got)
	}
	if got := mod.text("#pelapor"); got != "Anonim" {
		t.Errorf("detail reporter: %q", got)
	}
	if got := mod.text("#pesan .msg-meta"); !strings.HasPrefix(got, "Anonim") {
		t.Errorf("message author: %q", got)
	}
	if !mod.eval(noInjection) {
		t.Fatal("detail: the curhat's markup became elements or ran")
	}
	mod.shot("tiket-anonim-markup")
	done()

	// 4. While the moderator's page still offers "Tolak", someone else
	// assigns the ticket; the workflow refuses the stale action and the
	// page says why.
	done = step("refused action shows the workflow's reason")
	apiAct(t, base, "lurah", t2, map[string]any{"action": "assign", "unit": "pupr"})
	mod.do(chromedp.Click(chromedp.CSS("#f-reject > summary")), chromedp.Click(chromedp.CSS(`#f-reject input[value="spam"]`)),
		chromedp.Click(chromedp.ID("reject-yakin")))
	if st := mod.submit("#f-reject button[type=submit]"); st != http.StatusConflict {
		t.Errorf("stale reject: status %d, want 409", st)
	}
	if got := mod.text("#aksi-ditolak"); !strings.Contains(got, "tidak dapat dilakukan") || !strings.Contains(got, "Diteruskan ke dinas") {
		t.Errorf("refusal shown as %q", got)
	}
	mod.shot("aksi-ditolak")
	done()

	// 5. The PUPR officer on a 360 px phone accepts the task and completes
	// it with a photo; a file that only pretends to be a photo is refused
	// next to the field.
	done = step("PUPR officer completes the task at 360 px")
	pupr := b.newTab("dinas-pupr", 360, 740, true)
	pupr.login("dinas-pupr")
	if !pupr.eval(`location.pathname === "/tugas"`) {
		t.Fatalf("officer landed on %s", runIn(pupr, chromedp.Location()))
	}
	pupr.waitFor(`document.getElementById("task-`+t1+`") !== null`, 5*time.Second)
	pupr.shot("tugas-pupr-360")
	if pupr.submit("#task-"+t1+" button[type=submit]") != http.StatusOK || !strings.Contains(pupr.text(".flash"), "Tugas diterima") {
		t.Fatalf("accept: %s", pupr.text("main"))
	}
	pupr.open("/tiket/" + t1)
	dir := t.TempDir()
	fake, photo := filepath.Join(dir, "bukti-palsu.png"), filepath.Join(dir, "jalan-ditambal.png")
	if err := os.WriteFile(fake, []byte("ini bukan gambar, hanya teks\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	writePNG(t, photo)
	pupr.do(chromedp.SendKeys(chromedp.ID("done-text"), "Lubang sudah ditambal aspal, 2 m²."),
		chromedp.SetUploadFiles(chromedp.ID("done-foto"), []string{fake}))
	if st := pupr.submit("#f-done button[type=submit]"); st != http.StatusUnprocessableEntity {
		t.Errorf("fake photo: status %d, want 422", st)
	}
	if got := pupr.text("#done-foto-err"); !strings.Contains(got, "bukan foto JPEG, PNG atau WebP") {
		t.Errorf("fake photo message: %q", got)
	}
	if got := runIn(pupr, chromedp.Value(chromedp.ID("done-text"))); got != "Lubang sudah ditambal aspal, 2 m²." {
		t.Errorf("the refused form lost its text: %q", got)
	}
	pupr.do(chromedp.SetUploadFiles(chromedp.ID("done-foto"), []string{photo}))
	if st := pupr.submit("#f-done button[type=submit]"); st != http.StatusOK {
		t.Fatalf("done: %d: %s", st, pupr.text("#tindakan"))
	}
	if got := pupr.text(".ticket-head .badges"); !strings.Contains(got, "Menunggu konfirmasi warga") {
		t.Errorf("status after done: %q", got)
	}
	pupr.waitFor(`[...document.querySelectorAll('#riwayat img')].some(i => i.complete && i.naturalWidth === 64)`, 10*time.Second)
	photoURL := runIn(pupr, chromedp.Evaluate[string](`document.querySelector('#riwayat img').getAttribute('src')`))
	if !pupr.eval(`document.documentElement.scrollWidth <= 360`) {
		t.Errorf("the ticket page scrolls sideways at 360 px: %v", runIn(pupr, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)))
	}
	pupr.shot("tiket-selesai-pupr-360")
	if files, _ := os.ReadDir(filepath.Join(m.Config.DataDir, "uploads", t1)); len(files) != 1 {
		t.Errorf("uploads of %s: %d files, want only the real photo", t1, len(files))
	}
	done()

	// 6. The DLH officer cannot open PUPR's ticket nor its photo, and has
	// nothing of it in their tasks.
	done = step("DLH officer cannot open it")
	dlh := b.newTab("dinas-dlh", 360, 740, true)
	dlh.login("dinas-dlh")
	if dlh.eval(`document.getElementById("task-` + t1 + `") !== null`) {
		t.Error("DLH's task list shows PUPR's ticket")
	}
	if st := dlh.open(photoURL); st != http.StatusNotFound {
		t.Errorf("DLH opens PUPR's photo: %d", st)
	}
	if st := dlh.open("/tiket/" + t1); st != http.StatusNotFound || !strings.Contains(dlh.text("main"), "tidak ditemukan") {
		t.Errorf("DLH opens PUPR's ticket: %d %q", st, dlh.text("main"))
	}
	dlh.shot("dlh-tidak-boleh")
	done()

	// 7. PUPR returns the markup ticket, quoting the citizen; the
	// moderators' notification shows the quote as text.
	done = step("notifications render markup as text")
	pupr.open("/tiket/" + t2)
	pupr.do(chromedp.Click(chromedp.CSS("#f-return > summary")),
		chromedp.SendKeys(chromedp.ID("return-reason"), "Bukan wewenang PUPR. Warga menulis: "+xssCurhat))
	if st := pupr.submit("#f-return button[type=submit]"); st != http.StatusOK {
		t.Fatalf("return: %d", st)
	}
	mod.open("/notifikasi")
	mod.waitFor(`document.querySelector(".notif") !== null`, 5*time.Second)
	for i := 0; i < 20 && !strings.Contains(mod.text(".notifs"), "dikembalikan"); i++ {
		time.Sleep(250 * time.Millisecond)
		mod.open("/notifikasi")
	}
	if got := mod.text(".notifs"); !strings.Contains(got, `<script>window.__xss=1</script> "><img src=x`) {
		t.Errorf("notifications show the quote as %q", got)
	}
	if !mod.eval(noInjection) {
		t.Fatal("notifications: the curhat's markup became elements or ran")
	}
	if got := mod.text("#bell .count"); got == "0" || got == "" {
		t.Errorf("bell count: %q", got)
	}
	mod.shot("notifikasi-moderator")
	done()

	// 8. The lurah's inbox has the escalation (urgency 4).
	done = step("lurah's inbox")
	lurah := b.newTab("lurah", 1280, 900, false)
	lurah.login("lurah")
	if !lurah.eval(`location.pathname === "/kotak-masuk"`) {
		t.Fatalf("lurah landed on %s", runIn(lurah, chromedp.Location()))
	}
	if got := lurah.text("main"); !strings.Contains(got, "Eskalasi: tiket "+t1) {
		t.Errorf("inbox lacks the escalation of %s: %q", t1, got)
	}
	if got := lurah.text("#bell .count"); got == "0" || got == "" {
		t.Errorf("lurah's bell count: %q", got)
	}
	lurah.shot("kotak-masuk-lurah")
	done()

	// 9. The admin adds a user (a mistake first, shown next to the field),
	// makes an API token (its secret shown once) and reads the rules.
	done = step("admin: users, tokens, rules")
	admin := b.newTab("admin", 1280, 900, false)
	admin.login("admin")
	admin.do(chromedp.SendKeys(chromedp.ID("u-username"), "Petugas Baru!"), chromedp.SendKeys(chromedp.ID("u-name"), "Petugas Baru"),
		chromedp.SetValue(chromedp.ID("u-role"), "dinas"), chromedp.SetValue(chromedp.ID("u-unit"), "pupr"),
		chromedp.SendKeys(chromedp.ID("u-password"), "sandi-panjang-1"), chromedp.SendKeys(chromedp.ID("u-password2"), "sandi-panjang-1"))
	if st := admin.submit(`form[action="/admin/pengguna"] button[type=submit]`); st != http.StatusUnprocessableEntity {
		t.Errorf("invalid username: %d", st)
	}
	if got := admin.text("#u-username-err"); !strings.Contains(got, "huruf kecil") {
		t.Errorf("username error: %q", got)
	}
	admin.shot("admin-pengguna-salah")
	admin.do(chromedp.Clear(chromedp.ID("u-username")), chromedp.SendKeys(chromedp.ID("u-username"), "pupr-budi"),
		chromedp.SendKeys(chromedp.ID("u-password"), "sandi-panjang-1"), chromedp.SendKeys(chromedp.ID("u-password2"), "sandi-panjang-1"))
	if st := admin.submit(`form[action="/admin/pengguna"] button[type=submit]`); st != http.StatusOK || !admin.eval(`document.getElementById("user-pupr-budi") !== null`) {
		t.Fatalf("create user: %d %s", st, admin.text("main"))
	}
	admin.open("/admin/token")
	admin.do(chromedp.SendKeys(chromedp.ID("tok-name"), "Gateway WhatsApp Taman"),
		chromedp.SetValue(chromedp.ID("tok-user"), fmt.Sprint(userID(t, m, "moderator"))))
	if st := admin.submit(`form[action="/admin/token"] button[type=submit]`); st != http.StatusCreated {
		t.Fatalf("create token: %d", st)
	}
	secret := runIn(admin, chromedp.Value(chromedp.ID("new-secret")))
	if u, err := m.DB.FindUserByAPIToken(context.Background(), secret); err != nil || u.Username != "moderator" {
		t.Errorf("the shown secret does not authenticate: %v %v", u, err)
	}
	admin.shot("admin-token")
	admin.open("/admin/token")
	if strings.Contains(admin.text("main"), secret) {
		t.Error("the token's secret is shown again")
	}
	admin.open("/admin/aturan")
	if got := admin.text("pre.source"); !strings.Contains(got, "units:") || !strings.Contains(got, "pupr:") {
		t.Errorf("rules view: %.200q", got)
	}
	admin.shot("admin-aturan")
	audit, err := m.DB.ListAudit(context.Background(), 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range audit {
		seen[e.Action+" "+e.Target] = true
	}
	for _, want := range []string{"user.create pupr-budi", "token.create Gateway WhatsApp Taman", "ticket.assign " + t1, "ticket.done " + t1} {
		if !seen[want] {
			t.Errorf("audit log lacks %q", want)
		}
	}
	done()
	t.Logf("whole test %s", time.Since(start).Round(time.Millisecond))
}

// TestBrowserLivingDemo is a visitor's first minutes on the demo data, in
// the browser: seed-demo on a fresh data dir, then the moderator verifies
// the newest open demo ticket from its page, and the lurah finds a
// verified demo grant in the queue and approves it. Both answer from their
// workflows, started by seed-demo.
func TestBrowserLivingDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server and Chromium")
	}
	dir := t.TempDir()
	seedDemoDir(t, dir, "--tickets", "500", "--months", "1")
	m := startMain(t, dir)
	b := newBrowser(t, m.HTTP.URL())

	id := one(t, m, "SELECT id FROM tickets WHERE kelurahan_code = 'taman' AND status = 'open' ORDER BY datetime_received DESC, id DESC LIMIT 1")
	mod := b.newTab("moderator", 1280, 900, false)
	mod.login("moderator")
	if st := mod.open("/tiket/" + id); st != http.StatusOK {
		t.Fatalf("demo ticket %s: %d", id, st)
	}
	mod.shot("demo-tiket")
	if st := mod.submit("#f-verify button[type=submit]"); st != http.StatusOK {
		t.Fatalf("verify %s: %d: %s", id, st, mod.text("main"))
	}
	if got := mod.text(".flash"); !strings.Contains(got, "Triase diverifikasi") {
		t.Errorf("flash after verifying a demo ticket: %q (%s)", got, mod.text("#tindakan"))
	}
	if got := mod.text("#riwayat"); !strings.Contains(got, "Triase diverifikasi") {
		t.Errorf("the timeline lacks the verification: %q", got)
	}
	mod.shot("demo-tiket-diverifikasi")

	gid := one(t, m, "SELECT id FROM grants WHERE kelurahan_code = 'taman' AND status = 'verified' ORDER BY id LIMIT 1")
	lurah := b.newTab("lurah", 1280, 900, false)
	lurah.login("lurah")
	lurah.open("/hibah")
	if !lurah.eval(`document.querySelector('a[href="/hibah/` + gid + `"]') !== null`) {
		t.Errorf("the lurah's grant queue lacks %s: %s", gid, lurah.text("main"))
	}
	if st := lurah.open("/hibah/" + gid); st != http.StatusOK {
		t.Fatalf("demo grant %s: %d", gid, st)
	}
	lurah.do(chromedp.SendKeys(chromedp.ID("a-notes"), "Prioritas DTKS."), chromedp.Click(chromedp.ID("a-yakin")))
	if st := lurah.submit(`form:has(input[name=action][value=approve]) button[type=submit]`); st != http.StatusOK {
		t.Fatalf("approve %s: %d: %s", gid, st, lurah.text("#tindakan"))
	}
	if got := lurah.text(".flash"); !strings.Contains(got, "Hibah disetujui") {
		t.Errorf("flash after approving a demo grant: %q (%s)", got, lurah.text("#tindakan"))
	}
	if got := lurah.text("#status-hibah"); !strings.Contains(got, "Disetujui") {
		t.Errorf("grant status after approval: %q", got)
	}
	lurah.shot("demo-hibah-disetujui")
}

func userID(t *testing.T, m *Main, username string) int64 {
	t.Helper()
	u, err := m.DB.FindUserByUsername(context.Background(), username)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

func wibZone() *time.Location {
	if loc, err := time.LoadLocation("Asia/Jakarta"); err == nil {
		return loc
	}
	return time.FixedZone("WIB", 7*60*60)
}
