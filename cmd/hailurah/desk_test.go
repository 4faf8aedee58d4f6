package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserStaffDesks walks each staff role's daily job on the demo data
// at 360 and 1280 px: the moderator verifies from "Perlu verifikasi" and
// the focus lands on the result; the PUPR officer accepts a new task from
// /tugas and stays on its card, then completes it; the lurah works the
// desk, confirms a grant approval and a pilot decision, and the packet
// stays in view; the admin reads the audit log. No page scrolls sideways.
// The 360 px run's screenshots are the guides' (docs/panduan).
func TestBrowserStaffDesks(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server and Chromium")
	}
	dir := t.TempDir()
	seedDemoDir(t, dir, "--tickets", "500", "--months", "1")
	m := startMain(t, dir)
	base := m.HTTP.URL()
	for _, width := range []int64{360, 1280} {
		t.Run(map[int64]string{360: "ponsel", 1280: "layar-lebar"}[width], func(t *testing.T) {
			b := newBrowser(t, base)
			phone := width < 600
			fits := func(tb *tab, page string) {
				t.Helper()
				if w := runIn(tb, chromedp.Evaluate[int64](`document.documentElement.scrollWidth`)); w > width {
					t.Errorf("%s at %d px scrolls sideways: %d px wide", page, width, w)
				}
			}
			shot := func(tb *tab, name string) {
				if phone {
					tb.shot(name)
				}
			}

			// Moderator: the queue opens on what waits for verification.
			mod := b.newTab("moderator", width, 800, phone)
			mod.login("moderator")
			if got := mod.text(`.queue-tabs a[aria-current="page"]`); !strings.HasPrefix(got, "Perlu verifikasi") {
				t.Errorf("the queue opens on %q", got)
			}
			fits(mod, "/antrian")
			shot(mod, "staf-antrian")
			id := runIn(mod, chromedp.Evaluate[string](`document.querySelector("#queue-rows .ticket-link").textContent`))
			mod.open("/tiket/" + id)
			if st := mod.submit("#f-verify button[type=submit]"); st != http.StatusOK {
				t.Fatalf("verify %s: %d", id, st)
			}
			if !focusOn(mod, `document.activeElement.classList.contains("flash")`) {
				t.Errorf("after verifying, the focus is on %s", runIn(mod, chromedp.Evaluate[string](`document.activeElement.outerHTML.slice(0, 80)`)))
			}
			if got := mod.text(".ticket-head .badges"); strings.Contains(got, "Menunggu verifikasi") || !strings.Contains(got, "Terverifikasi") {
				t.Errorf("badges after verifying: %q", got)
			}
			if mod.eval(`[...document.querySelectorAll(".facts dd")].some(d => d.querySelector("time[data-deadline]") && d.previousElementSibling.textContent === "Verifikasi moderator")`) {
				t.Error("the verification deadline still runs after verifying")
			}
			fits(mod, "/tiket after verifying")
			shot(mod, "staf-tiket-diverifikasi")
			mod.open("/antrian")
			if mod.eval(`document.getElementById("row-` + id + `") !== null`) {
				t.Errorf("%s is still in Perlu verifikasi after verifying", id)
			}
			mod.open("/antrian?tab=tindak")
			if !mod.eval(`document.getElementById("row-` + id + `") !== null`) {
				t.Errorf("%s is not under Perlu tindak lanjut", id)
			}
			// It goes to PUPR, as another window would send it: a new task.
			apiAct(t, base, "moderator", id, map[string]any{"action": "assign", "unit": "pupr"})

			// PUPR officer: new tasks first; accepting keeps them on the card.
			pupr := b.newTab("dinas-pupr", width, 800, phone)
			pupr.login("dinas-pupr")
			if got := pupr.text("main h2"); !strings.HasPrefix(got, "Tugas baru") {
				t.Errorf("/tugas starts with %q", got)
			}
			fits(pupr, "/tugas")
			shot(pupr, "staf-tugas")
			task := id
			if !pupr.eval(`document.querySelector("#baru + .tasks #task-` + task + `") !== null`) {
				t.Fatalf("the new task %s is not under Tugas baru", task)
			}
			if st := pupr.submit("#task-" + task + " button[type=submit]"); st != http.StatusOK {
				t.Fatalf("accept %s: %d", task, st)
			}
			if !focusOn(pupr, `location.hash === "#task-`+task+`" && document.activeElement.closest("#task-`+task+`") !== null`) {
				t.Errorf("after accepting, the officer is at %s, focus on %s", runIn(pupr, chromedp.Location()),
					runIn(pupr, chromedp.Evaluate[string](`document.activeElement.outerHTML.slice(0, 80)`)))
			}
			if got := pupr.text("#task-" + task + " .flash"); !strings.Contains(got, "Tugas diterima") {
				t.Errorf("flash in the card: %q", got)
			}
			shot(pupr, "staf-tugas-diterima")
			pupr.open("/tiket/" + task)
			photo := filepath.Join(t.TempDir(), "bukti.png")
			writePNG(t, photo)
			pupr.do(chromedp.SendKeys(chromedp.ID("done-text"), "Saluran sudah dibersihkan."),
				chromedp.SetUploadFiles(chromedp.ID("done-foto"), []string{photo}))
			if st := pupr.submit("#f-done button[type=submit]"); st != http.StatusOK {
				t.Fatalf("done %s: %d", task, st)
			}
			pupr.open("/tugas")
			if !pupr.eval(`document.getElementById("task-` + task + `") !== null && document.getElementById("task-` + task + `").tagName === "LI" && !document.getElementById("task-` + task + `").classList.contains("task")`) {
				t.Errorf("%s is not under Menunggu konfirmasi warga", task)
			}

			// Lurah: the desk, a grant approved after confirming.
			lurah := b.newTab("lurah", width, 800, phone)
			lurah.login("lurah")
			if got := lurah.text(".tiles"); !strings.Contains(got, "Hibah menunggu persetujuan") || !strings.Contains(got, "Lewat SLA") {
				t.Errorf("desk tiles: %q", got)
			}
			if lurah.eval(`document.body.textContent.includes("setelah modulnya aktif")`) {
				t.Error("the desk still says grants and pilots are not active")
			}
			fits(lurah, "/kotak-masuk")
			shot(lurah, "staf-kotak-masuk")
			grant := runIn(lurah, chromedp.Evaluate[string](`(a => a ? a.getAttribute("href") : "")(document.querySelector('#keputusan a[href^="/hibah/"]'))`))
			if grant == "" {
				t.Fatal("the desk lists no grant to approve")
			}
			lurah.open(grant)
			lurah.do(chromedp.SendKeys(chromedp.ID("a-notes"), "Prioritas DTKS."))
			if st := lurah.submit(`form:has(input[name=action][value=approve]) button[type=submit]`); st != http.StatusUnprocessableEntity {
				t.Errorf("approval without confirming: %d", st)
			}
			if !focusOn(lurah, `document.activeElement.id === "a-yakin"`) {
				t.Errorf("the focus is not on the confirmation box: %s", runIn(lurah, chromedp.Evaluate[string](`document.activeElement.outerHTML.slice(0, 80)`)))
			}
			shot(lurah, "staf-hibah-konfirmasi")
			lurah.do(chromedp.Click(chromedp.ID("a-yakin")))
			if st := lurah.submit(`form:has(input[name=action][value=approve]) button[type=submit]`); st != http.StatusOK {
				t.Fatalf("approve %s: %d", grant, st)
			}
			if got := lurah.text("#status-hibah"); !strings.Contains(got, "Disetujui") {
				t.Errorf("grant after approval: %q", got)
			}
			fits(lurah, grant)

			// The pilot decision, once per demo (the 360 px run signs it).
			if phone {
				lurah.open("/kotak-masuk")
				pilot := runIn(lurah, chromedp.Evaluate[string](`(a => a ? a.getAttribute("href") : "")(document.querySelector('#keputusan a[href^="/pilot/"]'))`))
				if pilot == "" {
					t.Fatal("the desk lists no pilot decision")
				}
				lurah.open(pilot)
				lurah.do(chromedp.Click(chromedp.CSS(`input[name=decision][value=stop]`)),
					chromedp.SendKeys(chromedp.ID("rationale"), "Target tidak tercapai dan warga kurang puas; dana dialihkan ke pelatihan."),
					chromedp.Click(chromedp.ID("putus-yakin")))
				if st := lurah.submit(`.decision-form button[type=submit]`); st != http.StatusOK {
					t.Fatalf("pilot decision: %d: %s", st, lurah.text("main"))
				}
				if got := lurah.text(".decisions"); !strings.Contains(got, "Hentikan") || strings.Contains(got, "stop") {
					t.Errorf("signed decision: %q", got)
				}
				if !lurah.eval(`document.getElementById("paket-h").nextElementSibling.tagName !== "P" || !document.getElementById("paket-h").nextElementSibling.classList.contains("empty")`) {
					t.Error("the packet is gone after signing")
				}
				fits(lurah, pilot)
				shot(lurah, "staf-pilot-keputusan")
			}

			// Admin: the audit log fits the phone.
			admin := b.newTab("admin", width, 800, phone)
			admin.login("admin")
			shot(admin, "staf-admin")
			admin.open("/admin/audit")
			fits(admin, "/admin/audit")
			shot(admin, "staf-audit")
		})
	}
}

// focusOn waits up to 3 seconds for the page's script to move the focus
// where pred says.
func focusOn(tb *tab, pred string) bool {
	for range 30 {
		if tb.eval(pred) {
			return true
		}
		time.Sleep(100 * time.Millisecond)
	}
	return false
}

// TestBrowserQueueKeepsFocus is the keyboard barrier of issue 21: the
// moderator Tabs to a ticket link in the antrian; while it refreshes twice
// and a new curhat arrives, the focus stays on that link, the page does
// not scroll, and the new ticket is announced.
func TestBrowserQueueKeepsFocus(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server and Chromium")
	}
	m := startMain(t, t.TempDir())
	base := m.HTTP.URL()
	for _, text := range []string{"Jalan di RT 01 RW 01 berlubang dekat sekolah.", "Lampu jalan RT 02 RW 01 mati sejak seminggu."} {
		postCurhat(t, base, map[string]any{"text": "HAI LURAH Taman. " + text, "kelurahan": "taman", "rt": "01", "rw": "01"})
	}
	b := newBrowser(t, base)
	mod := b.newTab("moderator", 1280, 800, false)
	mod.login("moderator")
	mod.waitFor(`document.querySelectorAll("#queue-rows .ticket-link").length >= 2`, 45*time.Second)
	for range 40 {
		if mod.eval(`document.activeElement.classList.contains("ticket-link")`) {
			break
		}
		mod.do(chromedp.KeyEvent("\t"))
	}
	focused := runIn(mod, chromedp.Evaluate[string](`document.activeElement.classList.contains("ticket-link") ? document.activeElement.textContent : ""`))
	if focused == "" {
		t.Fatal("Tab never reached a ticket link")
	}
	scroll := runIn(mod, chromedp.Evaluate[float64](`window.scrollY`))
	postCurhat(t, base, map[string]any{"text": "HAI LURAH Taman. Sampah menumpuk di RT 03 RW 01.", "kelurahan": "taman"})
	time.Sleep(11 * time.Second) // two refreshes of 5 s
	if got := runIn(mod, chromedp.Evaluate[string](`document.activeElement.textContent`)); got != focused {
		t.Errorf("after two refreshes the focus is on %q, not %q", got, focused)
	}
	if got := runIn(mod, chromedp.Evaluate[float64](`window.scrollY`)); got != scroll {
		t.Errorf("the page scrolled from %v to %v", scroll, got)
	}
	mod.waitFor(`document.getElementById("queue-news").textContent.includes("tiket baru")`, 10*time.Second)
	if n := runIn(mod, chromedp.Evaluate[int](`document.querySelectorAll("#queue-rows tr").length`)); n != 3 {
		t.Errorf("%d rows after the new curhat, want 3", n)
	}
	// Enter on the still-focused link opens that ticket.
	if _, err := chromedp.RunResponse(mod.ctx, chromedp.KeyEvent("\r")); err != nil {
		t.Fatalf("Enter on the focused link: %v", err)
	}
	if got := runIn(mod, chromedp.Location()); !strings.HasSuffix(got, "/tiket/"+focused) {
		t.Errorf("Enter opened %s, not %s", got, focused)
	}
	if os.Getenv("HAILURAH_SCREENSHOTS") != "" {
		mod.shot("staf-fokus-tetap")
	}
}
