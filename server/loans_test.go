package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/finance"
	"github.com/hailurah/hailurah/server"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/loanstore"
	"github.com/hailurah/hailurah/store/storetest"
	"github.com/hailurah/hailurah/workflows"
)

// loanCases stands for the loan workflows at the Temporal boundary: it
// starts them (or, when down, refuses as an unreachable cluster does) and
// answers actions as for an ended workflow. LoanWorkflow itself is tested
// in workflows/loan_test.go and on a real server in cmd/hailurah.
type loanCases struct {
	down    bool
	started []finance.LoanInput
}

func (c *loanCases) StartLoan(_ context.Context, in finance.LoanInput) error {
	if c.down {
		return hailurah.Errorf(hailurah.EUNAVAILABLE, "Layanan alur kerja sedang tidak tersedia.")
	}
	c.started = append(c.started, in)
	return nil
}

func (c *loanCases) ActLoan(_ context.Context, id string, _ finance.LoanActionRequest) (*finance.Loan, error) {
	return nil, hailurah.Errorf(hailurah.ENOTFOUND, "Pinjaman %s tidak sedang berjalan.", id)
}

func newLoanFixture(t *testing.T, db *store.DB, cases *loanCases) *fixture {
	t.Helper()
	f := newProgrammeFixture(t, db)
	ls := loanstore.New(db)
	srv, err := server.New(server.Config{Users: db, Audit: db, Kelurahan: db, Tickets: db, Notifications: db,
		Cases: &workflows.Client{}, DataDir: t.TempDir(), Now: f.now.Now,
		Programme: &server.Programme{Households: db, Participation: db, Grants: db, Cases: endedCases{},
			Loans: &server.Loans{Store: ls, Budget: ls, Cases: cases}}})
	if err != nil {
		t.Fatal(err)
	}
	f.srv = srv
	f.ts.Config.Handler = srv.Handler()
	rows := []hailurah.ImportRow{}
	for i, id := range []string{"TMN-201", "TMN-202"} {
		rows = append(rows, hailurah.ImportRow{Line: i + 2, Household: &hailurah.Household{ID: id, NamaKepalaKeluarga: "Warga " + id,
			AlamatRTRW: "RT01/RW01", RT: "01", RW: "01"}})
	}
	if _, err := db.ImportHouseholds(context.Background(), "taman", rows); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestLoanAPI(t *testing.T) {
	db := storetest.Open(t)
	cases := &loanCases{}
	f := newLoanFixture(t, db, cases)
	fasil, lurah, lurah2, admin := f.progStaff("fasilitator"), f.progStaff("lurah"), f.progStaff("lurah-demangan"), f.progStaff("admin")

	resp, out := lurah.progPost("/api/v1/loans/fund", map[string]any{"amount": "2.000.000"})
	if resp.StatusCode != http.StatusOK || out["balance"] != 2_000_000.0 {
		t.Fatalf("fund: %d %v", resp.StatusCode, out)
	}
	if resp, _ := fasil.progPost("/api/v1/loans/fund", map[string]any{"amount": 1}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("the fasilitator adds to the fund: %d", resp.StatusCode)
	}

	// Every bad field named at once.
	resp, out = fasil.progPost("/api/v1/loans", map[string]any{"household_id": "TMN-999", "amount": "dua juta", "months": 30, "purpose": "x", "phone": "abc"})
	msg := errorMessage(out)
	if resp.StatusCode != http.StatusUnprocessableEntity || errorField(out) != "household_id" {
		t.Fatalf("bad application: %d %v", resp.StatusCode, out)
	}
	for _, want := range []string{"TMN-999", "Jumlah pinjaman", "Lama cicilan", "untuk apa", "WhatsApp"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the message %q does not name %q", msg, want)
		}
	}
	if resp, out := fasil.progPost("/api/v1/loans", map[string]any{"household_id": "TMN-201", "amount": "1.500.000", "months": "tiga", "purpose": "Modal warung"}); resp.StatusCode != http.StatusUnprocessableEntity || errorField(out) != "months" {
		t.Fatalf("months as text: %d %v", resp.StatusCode, out)
	}

	resp, out = fasil.progPost("/api/v1/loans", map[string]any{"household_id": "TMN-201", "amount": "1.500.000", "months": 3,
		"purpose": "Modal warung sembako", "phone": "0812-3456-7890"})
	if resp.StatusCode != http.StatusCreated || out["status"] != "diajukan" || out["id"] == "" || len(out) != 2 {
		t.Fatalf("apply: %d %v", resp.StatusCode, out)
	}
	id := out["id"].(string)
	if len(cases.started) != 1 || cases.started[0].Phone != "+6281234567890" || cases.started[0].Loan.PhoneMasked == "+6281234567890" ||
		cases.started[0].Loan.Amount != 1_500_000 || cases.started[0].Policy.RemindBefore == 0 {
		t.Fatalf("workflow input %+v", cases.started)
	}
	if resp, _ := fasil.progPost("/api/v1/loans", map[string]any{"household_id": "TMN-201", "amount": 500_000, "months": 1, "purpose": "Pinjaman kedua"}); resp.StatusCode != http.StatusConflict {
		t.Fatalf("a second active loan: %d", resp.StatusCode)
	}
	resp, out = fasil.progPost("/api/v1/loans", map[string]any{"household_id": "TMN-202", "amount": "1.000.000", "months": 2, "purpose": "Bahan baku kue"})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(errorMessage(out), "sisa Rp 500.000") {
		t.Fatalf("beyond the fund: %d %v", resp.StatusCode, out)
	}
	// A start that fails gives the amount back: nothing is left half-done.
	cases.down = true
	if resp, _ := fasil.progPost("/api/v1/loans", map[string]any{"household_id": "TMN-202", "amount": 500_000, "months": 1, "purpose": "Bahan baku kue"}); resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("start failed: %d", resp.StatusCode)
	}
	resp, out, _ = lurah.progGet("/api/v1/loans")
	fund, _ := out["fund"].(map[string]any)
	if resp.StatusCode != http.StatusOK || fund["balance"] != 500_000.0 || fund["committed"] != 1_500_000.0 || len(out["loans"].([]any)) != 1 {
		t.Fatalf("list: %d %v", resp.StatusCode, out)
	}

	resp, out, _ = lurah.progGet("/api/v1/loans/" + id)
	if resp.StatusCode != http.StatusOK || out["status_label"] != "Menunggu persetujuan Lurah" || out["schedule"] == nil || out["phone_masked"] == "" {
		t.Fatalf("loan: %d %v", resp.StatusCode, out)
	}
	if resp, _, _ := lurah2.progGet("/api/v1/loans/" + id); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("another kelurahan's lurah: %d", resp.StatusCode)
	}
	if resp, out := lurah.progPost("/api/v1/loans/"+id+"/actions", map[string]any{"action": "repay"}); resp.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(errorMessage(out), "Jumlah angsuran") || !strings.Contains(errorMessage(out), "Tanggal pembayaran") {
		t.Fatalf("an empty repayment: %d %v", resp.StatusCode, out)
	}

	// The budget: planned by the lurah, loans committed once approved.
	resp, out = lurah.progSend2("PUT", "/api/v1/budget/lines/dana_bergulir", map[string]any{"planned": "30.000.000", "source": "dana_bergulir"})
	if resp.StatusCode != http.StatusOK || out["planned"] != 30_000_000.0 {
		t.Fatalf("plan: %d %v", resp.StatusCode, out)
	}
	if resp, _ := fasil.progSend2("PUT", "/api/v1/budget/lines/hibah", map[string]any{"planned": 1, "source": "apbd"}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("the fasilitator plans: %d", resp.StatusCode)
	}
	if resp, out := lurah.progSend2("PUT", "/api/v1/budget/lines/pesta", map[string]any{"planned": 1, "source": "apbd"}); resp.StatusCode != http.StatusUnprocessableEntity || errorField(out) != "line" {
		t.Fatalf("an unknown line: %d %v", resp.StatusCode, out)
	}
	resp, out, _ = admin.progGet("/api/v1/budget")
	lines, _ := out["lines"].([]any)
	if resp.StatusCode != http.StatusOK || out["kelurahan"] != "" || len(lines) != 6 || out["planned"] != 30_000_000.0 {
		t.Fatalf("city budget: %d %v", resp.StatusCode, out)
	}
	for _, l := range lines {
		l := l.(map[string]any)
		if l["line"] == "pelatihan" && (l["committed"] != nil || l["spent"] != nil) {
			t.Errorf("a line with nothing to compute from shows %v", l)
		}
		if l["line"] == "dana_bergulir" && (l["committed"] != 0.0 || l["source_label"] != "Dana bergulir") {
			t.Errorf("an applied loan is not committed yet: %v", l)
		}
	}
	if resp, _, _ := lurah.progGet("/api/v1/budget?kelurahan=demangan"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("another kelurahan's budget: %d", resp.StatusCode)
	}
}

func errorMessage(out map[string]any) string {
	e, _ := out["error"].(map[string]any)
	msg, _ := e["message"].(string)
	return msg
}

// progSend2 sends a JSON body with any method.
func (c *client) progSend2(method, path string, v any) (*http.Response, map[string]any) {
	b, _ := json.Marshal(v)
	resp, out, _ := c.progSend(method, path, "application/json", b)
	return resp, out
}
