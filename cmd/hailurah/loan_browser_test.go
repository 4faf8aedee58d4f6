package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestLoanInBrowser walks a dana bergulir loan on a 360 px phone: the
// fasilitator applies (first with every field wrong, each named at once),
// the lurah approves after ticking the confirmation and records the
// disbursement, the fasilitator records the first instalment; the fund
// and the budget page follow. HAILURAH_SCREENSHOTS keeps the screenshots.
func TestLoanInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server and Chromium")
	}
	m := startMain(t, t.TempDir())
	base := m.HTTP.URL()
	if st := staffClient(t, base, "fasilitator").send("/api/v1/households/import", "text/csv", []byte(grantCSV), nil); st != http.StatusOK {
		t.Fatalf("import: %d", st)
	}
	b := newBrowser(t, base)
	narrow := func(tb *tab, page string) {
		t.Helper()
		if !tb.eval(`document.documentElement.scrollWidth <= 360`) {
			t.Errorf("%s is wider than 360 px", page)
		}
	}

	fasil := b.newTab("fasilitator", 360, 740, true)
	fasil.login("fasilitator")
	if st := fasil.open("/dana-bergulir"); st != http.StatusOK {
		t.Fatalf("/dana-bergulir: %d", st)
	}
	if !strings.Contains(fasil.text("#saldo-dana"), "Rp 30.000.000") {
		t.Errorf("fund balance: %q", fasil.text("#saldo-dana"))
	}
	fasil.shot("dana-bergulir-360")
	fasil.do(chromedp.SendKeys(chromedp.ID("db-amount"), "banyak"), chromedp.Clear(chromedp.ID("db-months")), chromedp.SendKeys(chromedp.ID("db-months"), "40"))
	if st := fasil.submit(`form[action="/dana-bergulir"] button[type="submit"]`); st != http.StatusUnprocessableEntity {
		t.Fatalf("bad application: %d", st)
	}
	if n := fasil.eval(`document.querySelectorAll('.field-error').length === 4`); !n {
		t.Errorf("want 4 field errors at once: %s", fasil.text("#ajukan"))
	}
	fasil.shot("dana-bergulir-salah-360")
	fasil.do(chromedp.SetValue(chromedp.ID("db-rt"), "TMN-101"), chromedp.Clear(chromedp.ID("db-amount")), chromedp.SendKeys(chromedp.ID("db-amount"), "1.500.000"),
		chromedp.Clear(chromedp.ID("db-months")), chromedp.SendKeys(chromedp.ID("db-months"), "3"),
		chromedp.SendKeys(chromedp.ID("db-purpose"), "Modal tambahan usaha kue basah"), chromedp.SendKeys(chromedp.ID("db-phone"), "0812 3456 7890"))
	if st := fasil.submit(`form[action="/dana-bergulir"] button[type="submit"]`); st != http.StatusOK {
		t.Fatalf("apply: %d %s", st, fasil.text("main"))
	}
	if !strings.Contains(fasil.text("#status-pinjaman"), "Menunggu persetujuan Lurah") {
		t.Fatalf("after applying: %s", fasil.text("main"))
	}
	loanPath := runIn(fasil, chromedp.Evaluate[string](`location.pathname`))
	fasil.shot("pinjaman-diajukan-360")

	lurah := b.newTab("lurah", 360, 740, true)
	lurah.login("lurah")
	lurah.open(loanPath)
	// Without the confirmation ticked nothing happens.
	if st := lurah.submit(`#form-setujui button[type="submit"]`); st != http.StatusUnprocessableEntity || !strings.Contains(lurah.text("#aksi-ditolak"), "konfirmasi") {
		t.Fatalf("approve without confirming: %d", st)
	}
	lurah.do(chromedp.Click(chromedp.ID("a-confirm")))
	lurah.shot("pinjaman-setujui-360")
	if st := lurah.submit(`#form-setujui button[type="submit"]`); st != http.StatusOK || !strings.Contains(lurah.text("#status-pinjaman"), "menunggu pencairan") {
		t.Fatalf("approve: %d %s", st, lurah.text("main"))
	}
	lurah.do(chromedp.SendKeys(chromedp.ID("d-ref"), "KAS-0815"), chromedp.Click(chromedp.ID("d-confirm")))
	if st := lurah.submit(`#form-cairkan button[type="submit"]`); st != http.StatusOK || !strings.Contains(lurah.text("#status-pinjaman"), "Berjalan") {
		t.Fatalf("disburse: %d %s", st, lurah.text("main"))
	}
	if rows := lurah.eval(`document.querySelectorAll('#jadwal-cicilan tbody tr').length === 3`); !rows {
		t.Errorf("schedule: %s", lurah.text("#jadwal"))
	}
	lurah.shot("pinjaman-jadwal-360")
	narrow(lurah, loanPath)

	fasil.open(loanPath)
	if v := runIn(fasil, chromedp.Evaluate[string](`document.getElementById('p-amount').value`)); v != "500000" {
		t.Errorf("the form offers %q, want the next instalment", v)
	}
	if st := fasil.submit(`#form-bayar button[type="submit"]`); st != http.StatusOK {
		t.Fatalf("repay: %d %s", st, fasil.text("main"))
	}
	if !strings.Contains(fasil.text(".flash"), "Pembayaran cicilan dicatat") || !strings.Contains(fasil.text("#terbayar"), "Rp 500.000") ||
		!strings.Contains(fasil.text("#jadwal-cicilan tbody tr:first-child"), "Lunas") {
		t.Fatalf("after the repayment: %s", fasil.text("main"))
	}
	fasil.shot("pinjaman-dibayar-360")
	narrow(fasil, loanPath)
	fasil.open("/dana-bergulir")
	if !strings.Contains(fasil.text("#saldo-dana"), "Rp 29.000.000") {
		t.Errorf("fund after: %q", fasil.text("#saldo-dana"))
	}

	lurah.open("/anggaran")
	if !strings.Contains(lurah.text("#tabel-anggaran"), "Rp 320.000.000") || !strings.Contains(lurah.text("#tabel-anggaran"), "Rp 1.500.000") {
		t.Errorf("budget: %s", lurah.text("#tabel-anggaran"))
	}
	lurah.shot("anggaran-360")
	narrow(lurah, "/anggaran")
	wide := b.newTab("anon", 1280, 900, false)
	wide.open("/data?kelurahan=taman")
	if !strings.Contains(wide.text("#anggaran"), "Modal dana bergulir") {
		t.Errorf("/data budget: %s", wide.text("#anggaran"))
	}
	wide.shot("data-anggaran-1280")
}
