package workflows_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/activities"
	"github.com/hailurah/hailurah/finance"
	"github.com/hailurah/hailurah/workflows"
)

// la names the loan activities to mock.
var la *activities.LoanActivities

type loanHarness struct {
	t   *testing.T
	env *testsuite.TestWorkflowEnvironment

	mu        sync.Mutex
	projected []finance.LoanProjection
	notified  map[string][]activities.LoanNotifyInput
	reminded  []activities.RemindInput
	remindAt  []time.Time
}

func newLoanHarness(t *testing.T) *loanHarness {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	h := &loanHarness{t: t, env: suite.NewTestWorkflowEnvironment(), notified: map[string][]activities.LoanNotifyInput{}}
	h.env.SetStartTime(start)
	h.env.SetTestTimeout(20 * time.Second)
	h.env.RegisterWorkflow(workflows.LoanWorkflow)
	h.env.RegisterActivity(&activities.LoanActivities{})
	h.env.OnActivity(la.ProjectLoan, mock.Anything, mock.Anything).Return(func(_ context.Context, p finance.LoanProjection) error {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.projected = append(h.projected, p)
		return nil
	})
	h.env.OnActivity(la.NotifyLoan, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.LoanNotifyInput) error {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.notified[in.Kind] = append(h.notified[in.Kind], in)
		return nil
	})
	h.env.OnActivity(la.RemindBorrower, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.RemindInput) error {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.reminded = append(h.reminded, in)
		h.remindAt = append(h.remindAt, h.env.Now())
		return nil
	})
	return h
}

func loanInput() finance.LoanInput {
	return finance.LoanInput{Loan: finance.Loan{ID: "DB-2026-000001", HouseholdID: "TMN-001", HouseholdName: "Siti Aminah",
		Kelurahan: "taman", Amount: 1_500_000, Months: 3, Purpose: "Modal warung sembako", Status: finance.LoanApplied,
		AppliedBy: "rina", AppliedAt: start}, Phone: "+6281234567890"}
}

type loanResult struct {
	completed, rejected bool
	err                 error
	loan                finance.Loan
}

func (h *loanHarness) act(d time.Duration, actor hailurah.Actor, req finance.LoanActionRequest) *loanResult {
	req.Actor = actor
	r := &loanResult{}
	h.env.RegisterDelayedCallback(func() {
		h.env.UpdateWorkflow(workflows.UpdateLoanAction, "", &testsuite.TestUpdateCallback{
			OnAccept: func() {},
			OnReject: func(err error) { r.rejected, r.err = true, err },
			OnComplete: func(v any, err error) {
				r.completed, r.err = true, err
				switch v := v.(type) {
				case finance.Loan:
					r.loan = v
				case converter.EncodedValue:
					_ = v.Get(&r.loan)
				}
			},
		}, req)
	}, d)
	return r
}

func (h *loanHarness) mustAct(d time.Duration, actor hailurah.Actor, req finance.LoanActionRequest) *loanResult {
	r := h.act(d, actor, req)
	h.t.Cleanup(func() {
		if !r.completed || r.err != nil {
			h.t.Errorf("%s by %s at %v: completed=%v rejected=%v err=%v", req.Action, actor.Username, d, r.completed, r.rejected, r.err)
		}
	})
	return r
}

func (h *loanHarness) refused(d time.Duration, actor hailurah.Actor, req finance.LoanActionRequest, want string) {
	r := h.act(d, actor, req)
	h.t.Cleanup(func() {
		if !r.rejected || r.err == nil || !strings.Contains(r.err.Error(), want) {
			h.t.Errorf("%s by %s at %v: want refusal with %q, got rejected=%v err=%v", req.Action, actor.Username, d, want, r.rejected, r.err)
		}
	})
}

func paidOn(y int, m time.Month, d int) *time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return &t
}

// TestLoanFromApplicationToPaid runs a loan of Rp 1.500.000 over three
// months on virtual time: only the lurah of Taman approves, the same
// reference twice changes nothing and another is refused, each instalment
// is reminded before it is due, the unpaid second one puts the loan in
// arrears a week after its due date (the fasilitator and the lurah told),
// and the repayments — one repeated with its key — complete it.
func TestLoanFromApplicationToPaid(t *testing.T) {
	h := newLoanHarness(t)
	h.refused(hour, fasilTaman, finance.LoanActionRequest{Action: finance.LoanActionApprove}, "Lurah")
	h.refused(hour, lurahNamb, finance.LoanActionRequest{Action: finance.LoanActionApprove}, "bukan milik kelurahan")
	h.refused(hour, lurahTaman, finance.LoanActionRequest{Action: finance.LoanActionRepay, Amount: 1, PaidOn: paidOn(2026, 7, 1), IdempotencyKey: "x"}, "tidak dapat dilakukan")
	h.mustAct(2*hour, lurahTaman, finance.LoanActionRequest{Action: finance.LoanActionApprove})
	disbursed := h.mustAct(day, admin, finance.LoanActionRequest{Action: finance.LoanActionDisburse, Reference: "TRF-9"})
	again := h.mustAct(day+hour, lurahTaman, finance.LoanActionRequest{Action: finance.LoanActionDisburse, Reference: "TRF-9"})
	h.refused(day+2*hour, lurahTaman, finance.LoanActionRequest{Action: finance.LoanActionDisburse, Reference: "TRF-10"}, "TRF-9")
	h.refused(2*day, fasilTaman, finance.LoanActionRequest{Action: finance.LoanActionRepay, Amount: 2_000_000, PaidOn: paidOn(2026, 7, 3), IdempotencyKey: "big"}, "melebihi sisa")
	first := h.mustAct(31*day, fasilTaman, finance.LoanActionRequest{Action: finance.LoanActionRepay, Amount: 500_000, PaidOn: paidOn(2026, 8, 1), IdempotencyKey: "k1"})
	repeat := h.mustAct(32*day, fasilTaman, finance.LoanActionRequest{Action: finance.LoanActionRepay, Amount: 500_000, PaidOn: paidOn(2026, 8, 1), IdempotencyKey: "k1"})
	var atArrears finance.LoanStatus
	h.env.RegisterDelayedCallback(func() {
		v, err := h.env.QueryWorkflow(workflows.QueryLoanState)
		if err != nil {
			t.Error(err)
			return
		}
		var l finance.Loan
		_ = v.Get(&l)
		atArrears = l.Status
	}, 71*day)
	last := h.mustAct(76*day, lurahTaman, finance.LoanActionRequest{Action: finance.LoanActionRepay, Amount: 1_000_000, PaidOn: paidOn(2026, 9, 15), IdempotencyKey: "k2"})

	h.env.ExecuteWorkflow(workflows.LoanWorkflow, loanInput())
	if !h.env.IsWorkflowCompleted() || h.env.GetWorkflowError() != nil {
		t.Fatalf("completed %v err %v", h.env.IsWorkflowCompleted(), h.env.GetWorkflowError())
	}
	var l finance.Loan
	if err := h.env.GetWorkflowResult(&l); err != nil {
		t.Fatal(err)
	}
	if l.Status != finance.LoanPaid || l.Repaid != 1_500_000 || l.CompletedAt == nil || l.DecidedBy != "irfa" || l.DisbursementRef != "TRF-9" {
		t.Fatalf("result %+v", l)
	}
	if len(disbursed.loan.Schedule) != 3 || again.loan.Version != disbursed.loan.Version {
		t.Fatalf("the same reference again changed the loan: %d → %d", disbursed.loan.Version, again.loan.Version)
	}
	wantDue := []string{"2026-08-02", "2026-09-02", "2026-10-02"}
	for i, x := range disbursed.loan.Schedule {
		if got := x.Due.In(wib).Format("2006-01-02"); got != wantDue[i] || x.Amount != 500_000 {
			t.Errorf("instalment %d: due %s amount %d", i+1, got, x.Amount)
		}
	}
	if first.loan.Repaid != 500_000 || repeat.loan.Repaid != 500_000 || repeat.loan.Version != first.loan.Version {
		t.Fatalf("the repeated repayment counted: %d then %d", first.loan.Repaid, repeat.loan.Repaid)
	}
	if atArrears != finance.LoanArrears || last.loan.Status != finance.LoanPaid {
		t.Fatalf("status at day 71 %q, after the last payment %q", atArrears, last.loan.Status)
	}
	// Reminders: 3 days before instalment 1 and 2 (3 was paid before its).
	if len(h.reminded) != 2 || h.reminded[0].Instalment != 1 || h.reminded[1].Instalment != 2 || h.reminded[0].Phone != "+6281234567890" {
		t.Fatalf("reminders %+v", h.reminded)
	}
	for i, at := range h.remindAt {
		due := disbursed.loan.Schedule[i].Due
		if !at.Before(due) || due.Sub(at) != 3*day {
			t.Errorf("reminder %d at %v, due %v", i+1, at, due)
		}
	}
	arrears := h.notified[finance.NotifyLoanArrears]
	if len(arrears) != 1 || arrears[0].Instalment != 2 || len(arrears[0].To) != 2 ||
		arrears[0].To[0].Role != hailurah.RoleFasilitator || arrears[0].To[1].Role != hailurah.RoleLurah {
		t.Fatalf("arrears notifications %+v", arrears)
	}
	if at := disbursed.loan.Schedule[1].Due.Add(7 * day); len(h.notified[finance.NotifyLoanPaid]) != 1 || at.After(start.Add(76*day)) {
		t.Fatalf("paid notifications %v", h.notified[finance.NotifyLoanPaid])
	}
	// Each repayment is projected once for the fund, under its key.
	var pays []string
	for _, p := range h.projected {
		if p.Repayment != nil {
			pays = append(pays, p.Repayment.Key)
		}
	}
	if strings.Join(pays, ",") != "DB-2026-000001/repay/k1,DB-2026-000001/repay/k2" {
		t.Fatalf("repayments projected %v", pays)
	}
}

// TestLoanRejected: the lurah's rejection ends the loan, projected as
// ditolak so the store gives the fund back.
func TestLoanRejected(t *testing.T) {
	h := newLoanHarness(t)
	h.refused(hour, lurahTaman, finance.LoanActionRequest{Action: finance.LoanActionReject}, "Alasan")
	h.mustAct(2*hour, lurahTaman, finance.LoanActionRequest{Action: finance.LoanActionReject, Reason: "Usaha belum berjalan."})
	h.env.ExecuteWorkflow(workflows.LoanWorkflow, loanInput())
	var l finance.Loan
	if err := h.env.GetWorkflowResult(&l); err != nil {
		t.Fatal(err)
	}
	lastP := h.projected[len(h.projected)-1]
	if l.Status != finance.LoanRejected || lastP.Loan.Status != finance.LoanRejected || len(h.notified[finance.NotifyLoanToApprove]) != 1 {
		t.Fatalf("loan %+v last projection %+v", l, lastP.Loan)
	}
}
