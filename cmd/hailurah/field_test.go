package main

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hailurah/hailurah"
)

// kpiFigure reads a SIAP-TAMAN card's figure ("12", "57,1%") as a number;
// "–" (no value) is -1.
func kpiFigure(t *testing.T, tb *tab, code string) float64 {
	t.Helper()
	s := strings.TrimSpace(tb.text("#kpi-" + code + " .kpi-actual"))
	if s == "–" {
		return -1
	}
	s = strings.NewReplacer("Rp ", "", ".", "", "%", "", ",", ".").Replace(s)
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("%s: figure %q", code, s)
	}
	return v
}

// TestBrowserFasilitatorOnPhone is issue 22's "done when" for the field
// forms: on a 360 px phone the fasilitator records a training with its
// attendance and a padat karya week for every worker at once, a check-in
// and a Toko Warga product, and the SIAP-TAMAN dashboard's figures move by
// exactly what was entered. Every page fits the screen. The screenshots are
// those of docs/panduan/fasilitator.md (HAILURAH_SCREENSHOTS=docs/panduan/img).
func TestBrowserFasilitatorOnPhone(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server and Chromium")
	}
	m := startMain(t, t.TempDir())
	ctx := context.Background()
	var rows []hailurah.ImportRow
	for i := 1; i <= 4; i++ {
		rows = append(rows, hailurah.ImportRow{Line: i + 1, Household: &hailurah.Household{ID: fmt.Sprintf("TMN-RT03-%03d", i),
			NamaKepalaKeluarga: []string{"Sri Wahyuni", "Budi Santoso", "Siti Aminah", "Joko Purnomo"}[i-1],
			AlamatRTRW:         "RT03/RW02", RT: "03", RW: "02", DTKS: i%2 == 1, OmzetMonthly: int64(i%2) * 750_000}})
	}
	if res, err := m.DB.ImportHouseholds(ctx, "taman", rows); err != nil || len(res.Errors) > 0 {
		t.Fatalf("import: %v %v", res, err)
	}
	var members []*hailurah.HouseholdMember
	for i, who := range []struct {
		name, gender string
		age          int
	}{{"Sri Wahyuni", "P", 38}, {"Dian Lestari", "P", 19}, {"Budi Santoso", "L", 44}, {"Siti Aminah", "P", 29},
		{"Rudi Aminah", "L", 24}, {"Joko Purnomo", "L", 51}} {
		mem := &hailurah.HouseholdMember{HouseholdID: rows[[]int{0, 0, 1, 2, 2, 3}[i]].Household.ID, Name: who.name, Gender: who.gender, Age: who.age}
		if err := m.DB.AddMember(ctx, mem); err != nil {
			t.Fatal(err)
		}
		members = append(members, mem)
	}
	b := newBrowser(t, m.HTTP.URL())
	fasil := b.newTab("fasilitator", 360, 740, true)
	fasil.login("fasilitator")
	// tick clicks a checkbox by script: a tap the sticky save bar covers
	// would land on the bar, as a thumb would scroll first.
	tick := func(id string) {
		t.Helper()
		if !fasil.eval(`(() => { const e = document.getElementById(` + strconv.Quote(id) + `); e.scrollIntoView({block: "center"}); e.click(); return e.checked })()`) {
			t.Fatalf("%s is not ticked", id)
		}
	}
	fits := func(page string) {
		t.Helper()
		if !fasil.eval(`document.documentElement.scrollWidth <= 360`) {
			t.Errorf("%s is wider than 360 px", page)
		}
	}

	if st := fasil.open("/siap-taman"); st != http.StatusOK {
		t.Fatalf("/siap-taman: %d", st)
	}
	before := map[string]float64{}
	for _, code := range []string{hailurah.KPITrained, hailurah.KPIPadatKaryaWorkers, hailurah.KPIUsahaAktif, hailurah.KPIMarketplaceOrders, hailurah.KPINewJobs} {
		before[code] = kpiFigure(t, fasil, code)
	}

	if st := fasil.open("/kegiatan"); st != http.StatusOK {
		t.Fatalf("/kegiatan: %d", st)
	}
	fits("/kegiatan")
	fasil.shot("fasilitator-kegiatan-360")

	// A training: an empty form names both missing fields at once.
	fasil.open("/pelatihan")
	fasil.do(chromedp.Clear(chromedp.ID("t-date")))
	if st := fasil.submit(`form[action="/pelatihan"] button[type=submit]`); st != http.StatusUnprocessableEntity {
		t.Fatalf("empty training: %d", st)
	}
	if n := fasil.text("form[action=\"/pelatihan\"]"); !strings.Contains(n, "Judul pelatihan wajib diisi") || !strings.Contains(n, "Nama pelatih wajib diisi") {
		t.Errorf("the refused form does not name both fields: %s", n)
	}
	fasil.shot("fasilitator-pelatihan-salah-360")
	fasil.do(chromedp.SendKeys(chromedp.ID("t-title"), "Pemasaran lewat WhatsApp Bisnis"),
		chromedp.SendKeys(chromedp.ID("t-trainer"), "Bu Lestari"), chromedp.Click(chromedp.ID("t-cert")))
	if st := fasil.submit(`form[action="/pelatihan"] button[type=submit]`); st != http.StatusOK {
		t.Fatalf("create training: %d %s", st, fasil.text("main"))
	}
	if !fasil.eval(`location.pathname.startsWith("/pelatihan/")`) {
		t.Fatalf("not on the session's page: %s", fasil.text("main"))
	}
	// Three come (two women), one of them earns the certificate.
	for _, mem := range []*hailurah.HouseholdMember{members[0], members[2], members[3]} {
		tick("h-" + strconv.FormatInt(mem.ID, 10))
	}
	tick("s-" + strconv.FormatInt(members[0].ID, 10))
	if st := fasil.submit(`.sticky-save button`); st != http.StatusOK {
		t.Fatalf("attendance: %d %s", st, fasil.text("main"))
	}
	if got := fasil.text(".tally"); !strings.Contains(got, "3 hadir") || !strings.Contains(got, "1 bersertifikat") {
		t.Errorf("tally after attendance: %q (%s)", got, fasil.text("main"))
	}
	fits("/pelatihan/{id}")
	fasil.shot("fasilitator-pelatihan-hadir-360")

	// A padat karya week: every listed member at once, 5 days at Rp 100.000.
	fasil.open("/padat-karya")
	if v := runIn(fasil, chromedp.Value(chromedp.ID("p-wage"))); v != "100.000" {
		t.Errorf("default wage %q", v)
	}
	fasil.do(chromedp.SendKeys(chromedp.ID("p-name"), "Paving gang RT 03"), chromedp.SendKeys(chromedp.ID("p-loc"), "Gang Mawar RW 02"))
	if st := fasil.submit(`form[action="/padat-karya"] button[type=submit]`); st != http.StatusOK {
		t.Fatalf("create project: %d %s", st, fasil.text("main"))
	}
	tick("semua")
	if st := fasil.submit(`.sticky-save button`); st != http.StatusOK {
		t.Fatalf("workers: %d %s", st, fasil.text("main"))
	}
	want := fmt.Sprintf("%d pekerja · %d hari kerja · upah %s", len(members), 5*len(members), hailurah.FormatRupiah(int64(len(members))*5*100_000))
	if got := fasil.text(".tally"); !strings.Contains(got, want) {
		t.Errorf("tally after the week: %q, want %q", got, want)
	}
	fits("/padat-karya/{id}")
	fasil.shot("fasilitator-padat-karya-360")

	// A check-in: Budi's household opens a business and takes on a worker.
	hh := rows[1].Household.ID
	fasil.open("/rumah-tangga/" + hh)
	fasil.do(chromedp.SendKeys(chromedp.ID("c-omzet"), "1.500.000"), chromedp.Click(chromedp.ID("c-act-ya")),
		chromedp.Click(chromedp.ID("c-bs-tidak")), chromedp.Clear(chromedp.ID("c-jobs")), chromedp.SendKeys(chromedp.ID("c-jobs"), "1"))
	if st := fasil.submit(`form[action$="/checkin#omzet"] button[type=submit]`); st != http.StatusOK {
		t.Fatalf("check-in: %d %s", st, fasil.text("main"))
	}
	fits("/rumah-tangga/{id}")

	// A Toko Warga product with a photo and the seller's consent; a buyer's
	// click on its order link is counted and sent to WhatsApp.
	photo := filepath.Join(t.TempDir(), "keripik.png")
	writePNG(t, photo)
	fasil.open("/toko-warga/kelola")
	fasil.do(chromedp.SetValue(chromedp.ID("pr-hh"), rows[0].Household.ID), chromedp.SendKeys(chromedp.ID("pr-biz"), "Keripik Bu Sri"),
		chromedp.SendKeys(chromedp.ID("pr-name"), "Keripik tempe 250 g"), chromedp.SendKeys(chromedp.ID("pr-price"), "15.000"),
		chromedp.SetUploadFiles(chromedp.ID("pr-photo"), []string{photo}), chromedp.SendKeys(chromedp.ID("pr-phone"), "0812 3456 7890"),
		chromedp.Click(chromedp.ID("pr-consent")))
	if st := fasil.submit(`form[action="/toko-warga/kelola"] button[type=submit]`); st != http.StatusOK {
		t.Fatalf("product: %d %s", st, fasil.text("main"))
	}
	id := one(t, m, "SELECT id FROM toko_products WHERE business_name = 'Keripik Bu Sri'")
	buyer := b.newTab("pembeli", 360, 740, true)
	if st := buyer.open("/toko-warga"); st != http.StatusOK {
		t.Fatalf("/toko-warga: %d", st)
	}
	buyer.waitFor(`document.querySelector('.product img').complete && document.querySelector('.product img').naturalWidth > 0`, 10*time.Second)
	if !buyer.eval(`document.querySelector('a[href="/toko-warga/`+id+`/pesan"]') !== null`) ||
		strings.Contains(buyer.text("main"), "0812") || strings.Contains(buyer.text("main"), "Sri Wahyuni") {
		t.Errorf("the public card: %s", buyer.text("main"))
	}
	if !buyer.eval(`document.documentElement.scrollWidth <= 360`) {
		t.Error("/toko-warga is wider than 360 px")
	}
	buyer.shot("toko-warga-360")
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(m.HTTP.URL() + "/toko-warga/" + id + "/pesan")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, "https://wa.me/6281234567890?text=") {
		t.Errorf("order link: %d %q", resp.StatusCode, loc)
	}

	// The dashboard moved by what was entered.
	fasil.open("/siap-taman")
	for code, delta := range map[string]float64{hailurah.KPITrained: 3, hailurah.KPIPadatKaryaWorkers: float64(len(members)),
		hailurah.KPIUsahaAktif: 1, hailurah.KPIMarketplaceOrders: 1, hailurah.KPINewJobs: 1} {
		if got := kpiFigure(t, fasil, code); got != before[code]+delta {
			t.Errorf("SIAP-TAMAN %s: %v after, %v before, want +%v", code, got, before[code], delta)
		}
	}
	// Women: Sri, Siti (training) and Dian (padat karya) of 6 participants.
	if got := kpiFigure(t, fasil, hailurah.KPIWomenSharePct); got != 50 {
		t.Errorf("women share %v%%, want 50%%", got)
	}
	fits("/siap-taman")
	fasil.shot("fasilitator-siap-taman-360")
}
