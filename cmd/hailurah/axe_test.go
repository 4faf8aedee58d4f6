package main

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/gin-gonic/gin"
)

// axeSource is axe-core, vendored for the tests only (testdata/axe,
// licence and version in web/VENDORED.md); the pages never load it.
//
//go:embed testdata/axe/axe.min.js
var axeSource string

// axeViolation is one rule axe-core found broken on a page.
type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"` // the first elements' selectors
	Count  int      `json:"count"`
}

func (v axeViolation) String() string {
	return fmt.Sprintf("%s (%s, %d×): %s — %s", v.ID, v.Impact, v.Count, v.Help, strings.Join(v.Nodes, " | "))
}

// axe runs axe-core's default rules on the tab's current page and returns
// what it found. DevTools evaluates outside the page's CSP, so the
// script-src 'self' policy stays as it is served.
func (tb *tab) axe() []axeViolation {
	tb.b.t.Helper()
	if !tb.eval(`typeof window.axe === "object"`) {
		runIn(tb, chromedp.Evaluate[bool](axeSource+"\n;typeof window.axe === \"object\""))
	}
	raw := runIn(tb, chromedp.Evaluate[string](`axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify(r.violations.map(v => ({
		id: v.id, impact: v.impact || "", help: v.help, count: v.nodes.length,
		nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}))))`, chromedp.EvalAwaitPromise))
	var out []axeViolation
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		tb.b.t.Fatalf("axe result: %v: %.200s", err, raw)
	}
	return out
}

// checkAxe fails the test for every serious or critical violation on the
// current page and logs the moderate and minor ones.
func (tb *tab) checkAxe(page string) {
	tb.b.t.Helper()
	for _, v := range tb.axe() {
		if v.Impact == "serious" || v.Impact == "critical" {
			tb.b.t.Errorf("%s as %s: %s", page, tb.user, v)
		} else {
			tb.b.t.Logf("%s as %s: %s", page, tb.user, v)
		}
	}
}

// notPages are the GET routes that answer something other than a page a
// person reads: assets, files, fragments htmx swaps into a page, machine
// endpoints. Everything else the router serves is checked.
func notPage(path string) bool {
	for _, prefix := range []string{"/api/", "/static/", "/webhook/", "/open311/", "/m/", "/dev/graph/", "/bukti/", "/debug/"} {
		if strings.HasPrefix(path, prefix) {
			return true
		}
	}
	// Files, images and redirects out (a Toko Warga order goes to wa.me);
	// /laporan/buat answers with a file, or with /laporan's page and errors.
	return strings.Contains(path, "/foto/") || strings.HasSuffix(path, "/foto") || strings.HasSuffix(path, "/qr.png") ||
		strings.HasSuffix(path, "/pesan") || strings.HasPrefix(path, "/laporan/berkas/") || slices.Contains([]string{
		"/healthz", "/readyz", "/metrics", "/antrian/daftar", "/notifikasi/jumlah", "/laporan/buat",
	}, path)
}

// TestAccessibility runs axe-core on every page the program serves, on the
// demo data, at 360 and 1280 px: the public pages as a visitor, each
// role's landing page as that role, and every other staff page as the
// first role that may open it. A serious or critical violation
// fails the test; a page no role could open fails it too, so a new page
// is never left unchecked.
func TestAccessibility(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server and Chromium")
	}
	dir := t.TempDir()
	seedDemoDir(t, dir, "--tickets", "300", "--months", "2")
	m := startMain(t, dir)

	// One example of each page with a parameter, taken from the demo data.
	samples := map[string]string{
		"/tiket/:id":             one(t, m, "SELECT id FROM tickets WHERE kelurahan_code = 'taman' AND assigned_unit = 'pupr' ORDER BY datetime_received DESC LIMIT 1"),
		"/rumah-tangga/:id":      one(t, m, "SELECT id FROM households WHERE kelurahan_code = 'taman' ORDER BY id LIMIT 1"),
		"/hibah/:id":             one(t, m, "SELECT id FROM grants WHERE kelurahan_code = 'taman' ORDER BY id LIMIT 1"),
		"/pilot/:id":             one(t, m, "SELECT id FROM pilots ORDER BY id LIMIT 1"),
		"/admin/pengguna/:id":    fmt.Sprint(userID(t, m, "moderator")),
		"/dana-bergulir/:id":     one(t, m, "SELECT id FROM loans WHERE kelurahan_code = 'taman' ORDER BY id LIMIT 1"),
		"/pelatihan/:id":         one(t, m, "SELECT id FROM trainings WHERE kelurahan_code = 'taman' ORDER BY id LIMIT 1"),
		"/padat-karya/:id":       one(t, m, "SELECT id FROM padat_karya_projects WHERE kelurahan_code = 'taman' ORDER BY id LIMIT 1"),
		"/pasar-rakyat/:id":      one(t, m, "SELECT id FROM bazaars WHERE kelurahan_code = 'taman' ORDER BY id LIMIT 1"),
		"/toko-warga/kelola/:id": one(t, m, "SELECT id FROM toko_products WHERE kelurahan_code = 'taman' ORDER BY id LIMIT 1"),
		"/lacak/:code":           one(t, m, "SELECT tracking_code FROM tickets WHERE kelurahan_code = 'taman' AND assigned_unit = 'pupr' ORDER BY datetime_received DESC LIMIT 1"),
	}
	var pages []string
	engine, ok := m.HTTP.Handler().(*gin.Engine)
	if !ok {
		t.Fatalf("the server's handler is a %T, not gin's engine", m.HTTP.Handler())
	}
	for _, r := range engine.Routes() {
		if r.Method != http.MethodGet || notPage(r.Path) {
			continue
		}
		path := r.Path
		if strings.Contains(path, ":") || strings.Contains(path, "*") {
			sample, ok := samples[path]
			if !ok {
				t.Errorf("page %s: add an example to TestAccessibility's samples", path)
				continue
			}
			path = path[:strings.LastIndex(path, "/")+1] + sample
		}
		pages = append(pages, path)
	}
	slices.Sort(pages)
	pages = slices.Compact(pages)

	users := []string{"", "moderator", "lurah", "fasilitator", "dinas-pupr", "admin"}
	for _, width := range []int64{360, 1280} {
		b := newBrowser(t, m.HTTP.URL()) // one per width: each has its own time limit
		checked := map[string]bool{}
		for _, user := range users {
			name := user
			if name == "" {
				name = "pengunjung"
			}
			tb := b.newTab(fmt.Sprintf("%s@%d", name, width), width, 800, width < 600)
			if user != "" {
				tb.login(user)
				// Each role's own landing page, as it sees it.
				home := runIn(tb, chromedp.Evaluate[string](`location.pathname`))
				tb.checkAxe(home)
				checked[home] = true
			}
			// Every other page once per width, as the first user who may
			// open it: the layout around it is the same for all.
			for _, page := range pages {
				if checked[page] || axeExcluded[page] {
					continue
				}
				if st := tb.open(page); st != http.StatusOK || tb.eval(`location.pathname === "/login"`) && page != "/login" {
					continue // not this role's page
				}
				tb.checkAxe(page)
				checked[page] = true
			}
		}
		for _, page := range pages {
			if !checked[page] && !axeExcluded[page] {
				t.Errorf("%s at %d px: no user could open it", page, width)
			}
		}
	}
	t.Logf("%d pages checked at 360 and 1280 px", len(pages))
	if len(axeExcluded) > 0 {
		t.Errorf("pages still excluded from the accessibility check: %v", slices.Sorted(maps.Keys(axeExcluded)))
	}
}

// axeExcluded are pages known to fail; the list must be empty.
var axeExcluded = map[string]bool{}
