package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/worker"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/workflows"
)

type loanView struct {
	ID              string `json:"id"`
	Status          string `json:"status"`
	DisbursementRef string `json:"disbursement_ref"`
	Repaid          int64  `json:"repaid"`
	Outstanding     int64  `json:"outstanding"`
	Version         int64  `json:"version"`
	Schedule        []struct {
		Due    time.Time `json:"due"`
		Amount int64     `json:"amount"`
		Paid   int64     `json:"paid"`
	} `json:"schedule"`
	Timeline []struct {
		Type string `json:"type"`
	} `json:"timeline"`
}

type fundView struct {
	Balance   int64 `json:"balance"`
	Committed int64 `json:"committed"`
	Repaid    int64 `json:"repaid"`
}

// TestLoanToFirstRepayment runs a dana bergulir loan on the real embedded
// Temporal, from the application to its first repayment: the fund holds
// the amount, the fasilitator may not approve, the lurah does, the
// disbursement's reference is idempotent, the repayment (sent twice with
// its key) returns to the fund once; then the recorded history replays.
func TestLoanToFirstRepayment(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server")
	}
	m := startMain(t, t.TempDir())
	base := m.HTTP.URL()
	fasil, lurah, admin := staffClient(t, base, "fasilitator"), staffClient(t, base, "lurah"), staffClient(t, base, "admin")
	if st := fasil.send("/api/v1/households/import", "text/csv", []byte(grantCSV), nil); st != http.StatusOK {
		t.Fatalf("import: %d", st)
	}
	// The demo's Rp 30 juta would fit any loan: the test's fund starts
	// empty and gets Rp 5 juta from the lurah.
	if err := m.DB.Gorm().Exec("UPDATE kelurahan SET loan_fund = 0 WHERE code = 'taman'").Error; err != nil {
		t.Fatal(err)
	}
	var fund fundView
	if st := lurah.call("POST", "/api/v1/loans/fund", map[string]any{"amount": "5.000.000"}, &fund); st != http.StatusOK || fund.Balance != 5_000_000 {
		t.Fatalf("add to the fund: %d %+v", st, fund)
	}
	balance := fund.Balance

	var errBody struct {
		Error struct{ Message, Field string } `json:"error"`
	}
	if st := fasil.call("POST", "/api/v1/loans", map[string]any{"household_id": "", "amount": "abc", "months": 0, "purpose": ""}, &errBody); st != http.StatusUnprocessableEntity ||
		!strings.Contains(errBody.Error.Message, "Jumlah pinjaman") || !strings.Contains(errBody.Error.Message, "Lama cicilan") || !strings.Contains(errBody.Error.Message, "untuk apa") {
		t.Fatalf("every bad field at once: %d %+v", st, errBody)
	}
	var applied map[string]any
	if st := fasil.call("POST", "/api/v1/loans", map[string]any{"household_id": "TMN-101", "amount": "1.500.000", "months": 3,
		"purpose": "Modal tambahan usaha kue basah", "phone": "0812 3456 7890"}, &applied); st != http.StatusCreated || applied["status"] != "diajukan" {
		t.Fatalf("apply: %d %v", st, applied)
	}
	id := applied["id"].(string)
	if st := fasil.call("POST", "/api/v1/loans", map[string]any{"household_id": "TMN-101", "amount": 500_000, "months": 2,
		"purpose": "Pinjaman kedua rumah tangga yang sama"}, nil); st != http.StatusConflict {
		t.Fatalf("a second active loan: %d", st)
	}
	over := hailurah.FormatRupiah(balance - 1_500_000)
	if st := fasil.call("POST", "/api/v1/loans", map[string]any{"household_id": "TMN-102", "amount": 10_000_000, "months": 10,
		"purpose": "Mesin jahit dan bahan kain"}, &errBody); st != http.StatusConflict || !strings.Contains(errBody.Error.Message, "sisa "+over) {
		t.Fatalf("beyond the fund: %d %+v (want the balance %s named)", st, errBody, over)
	}

	act := func(c *apiClient, key string, body map[string]any, out any) int {
		c.header = map[string]string{"Idempotency-Key": key}
		defer func() { c.header = nil }()
		return c.call("POST", "/api/v1/loans/"+id+"/actions", body, out)
	}
	if st := act(fasil, "a1", map[string]any{"action": "approve"}, nil); st != http.StatusForbidden {
		t.Fatalf("the fasilitator approves: %d", st)
	}
	var l loanView
	if st := act(lurah, "a2", map[string]any{"action": "approve"}, &l); st != http.StatusOK || l.Status != "disetujui" {
		t.Fatalf("approve: %d %+v", st, l)
	}
	if st := act(admin, "d1", map[string]any{"action": "disburse", "reference": "TRF-0042"}, &l); st != http.StatusOK || l.Status != "berjalan" || len(l.Schedule) != 3 {
		t.Fatalf("disburse: %d %+v", st, l)
	}
	version := l.Version
	if st := act(lurah, "d2", map[string]any{"action": "disburse", "reference": "TRF-0042"}, &l); st != http.StatusOK || l.Version != version {
		t.Fatalf("the same reference again: %d %+v", st, l)
	}
	if st := act(lurah, "d3", map[string]any{"action": "disburse", "reference": "TRF-9999"}, nil); st != http.StatusConflict {
		t.Fatalf("another reference: %d", st)
	}
	today := time.Now().Format("2006-01-02")
	for range 2 {
		var raw map[string]any
		if st := act(fasil, "bayar-1", map[string]any{"action": "repay", "amount": "500.000", "paid_on": today}, &raw); st != http.StatusOK || raw["repaid"] != 500_000.0 {
			t.Fatalf("repay: %d %v", st, raw)
		}
	}
	eventually(t, "the repayment projected", func() bool {
		fasil.call("GET", "/api/v1/loans/"+id, nil, &l)
		return l.Repaid == 500_000
	})
	if len(l.Schedule) != 3 || l.Schedule[0].Paid != 500_000 || l.Schedule[1].Paid != 0 || l.Outstanding != 1_000_000 || l.DisbursementRef != "TRF-0042" {
		t.Fatalf("stored loan %+v", l)
	}
	var list struct {
		Fund fundView `json:"fund"`
	}
	lurah.call("GET", "/api/v1/loans", nil, &list)
	if list.Fund.Balance != balance-1_500_000+500_000 || list.Fund.Repaid != 500_000 {
		t.Fatalf("fund after the first repayment %+v (before %d)", list.Fund, balance)
	}

	// The history of this run replays on the current code.
	ctx := context.Background()
	codec, err := m.Config.payloadCodec()
	if err != nil {
		t.Fatal(err)
	}
	r, err := worker.NewWorkflowReplayerWithOptions(worker.WorkflowReplayerOptions{
		DataConverter: converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), codec)})
	if err != nil {
		t.Fatal(err)
	}
	r.RegisterWorkflow(workflows.LoanWorkflow)
	hist := m.Temporal.GetWorkflowHistory(ctx, workflows.LoanWorkflowID(id), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	h, err := collectHistory(hist)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.ReplayWorkflowHistory(nil, h); err != nil {
		t.Fatalf("replay: %v", err)
	}
}

// collectHistory reads a whole workflow history.
func collectHistory(it client.HistoryEventIterator) (*historypb.History, error) {
	h := &historypb.History{}
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return nil, err
		}
		h.Events = append(h.Events, ev)
	}
	return h, nil
}
