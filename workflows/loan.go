package workflows

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/activities"
	"github.com/hailurah/hailurah/finance"
)

// LoanWorkflowID is the workflow id of a loan: "loan-DB-2026-000001".
func LoanWorkflowID(loanID string) string { return "loan-" + loanID }

// Interactions with a running LoanWorkflow.
const (
	// UpdateLoanAction carries a finance.LoanActionRequest and returns
	// the finance.Loan after it; refusals are of the Error* types.
	UpdateLoanAction = "loan_action"
	// QueryLoanState returns the live finance.Loan.
	QueryLoanState = "loan_state"
)

// la is only used to name the loan activities.
var la *activities.LoanActivities

// LoanWorkflow runs one dana bergulir loan: the lurah's approval (or
// rejection), the disbursement with its reference, then one instalment a
// month — a WhatsApp reminder to the borrower RemindBefore each due date,
// arrears (status menunggak, the fasilitator and the lurah told) when one
// is unpaid ArrearsAfter it — until the repayments cover the loan.
// Repayments go back to the kelurahan's fund through the projection.
//
// Changes to this function's logic must be guarded by workflow.GetVersion:
// a loan runs for up to two years.
func LoanWorkflow(ctx workflow.Context, in finance.LoanInput) (*finance.Loan, error) {
	if in.Loan.ID == "" || in.Loan.Kelurahan == "" || in.Loan.Months < 1 || in.Loan.Amount <= 0 {
		return nil, temporal.NewNonRetryableApplicationError("loan id, kelurahan, amount and months are required", ErrorInvalid, nil)
	}
	l := &loan{in: in, policy: in.Policy.WithDefaults(), st: in.Loan, logger: workflow.GetLogger(ctx), keys: map[string]bool{}}
	if l.st.Status == "" {
		l.st.Status = finance.LoanApplied
	}
	if l.st.AppliedAt.IsZero() {
		l.st.AppliedAt = workflow.Now(ctx)
	}
	return l.run(ctx)
}

type loan struct {
	in     finance.LoanInput
	policy finance.LoanPolicy
	st     finance.Loan
	// keys are the repayments recorded, by key: a repeat changes nothing.
	keys      map[string]bool
	eventSeq  int
	notifySeq int
	// changes grows with every action, so a wait ends when one happened.
	changes int
	search  string
	logger  log.Logger
}

func (l *loan) run(ctx workflow.Context) (*finance.Loan, error) {
	if err := workflow.SetQueryHandler(ctx, QueryLoanState, func() (finance.Loan, error) { return l.snapshot(), nil }); err != nil {
		return nil, err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateLoanAction, l.act,
		workflow.UpdateHandlerOptions{Validator: l.check}); err != nil {
		return nil, err
	}
	for _, r := range l.st.Repayments {
		l.keys[strings.TrimPrefix(r.Key, l.st.ID+"/repay/")] = true
	}
	if l.st.Version > 0 {
		// A loan whose row and timeline are written already (the demo
		// data's loans part-way): it goes on from its state.
		l.upsertSearch(ctx)
	} else if err := l.record(ctx, finance.LoanEvent{Type: finance.EventLoanApplied, Actor: l.st.AppliedBy, Role: hailurah.RoleFasilitator,
		Note: fmt.Sprintf("Pengajuan %s dalam %d bulan: %s", hailurah.FormatRupiah(l.st.Amount), l.st.Months, l.st.Purpose)}, nil); withdrawn(err) {
		// The server undid the application after a start that failed
		// ambiguously; nobody knows of this loan and its fund is back.
		return nil, temporal.NewNonRetryableApplicationError("Pengajuan pinjaman "+l.st.ID+" dibatalkan sebelum alur kerjanya mulai.", ErrorWithdrawn, err)
	} else {
		l.notify(ctx, finance.NotifyLoanToApprove, 0, hailurah.RoleLurah)
	}
	for {
		if ctx.Err() != nil {
			return l.cancelled(ctx)
		}
		switch l.st.Status {
		case finance.LoanApplied, finance.LoanApproved:
			seen := l.changes
			_ = workflow.Await(ctx, func() bool { return l.changes != seen })
		case finance.LoanRunning, finance.LoanArrears:
			l.follow(ctx)
		default:
			if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
				return nil, err
			}
			s := l.snapshot()
			return &s, nil
		}
	}
}

// Timers of a running loan, per unpaid instalment.
const (
	timerRemind = "remind"
	timerArrear = "arrears"
)

// nextTimer is the earliest reminder or arrears deadline still to come
// among the unpaid instalments; i is -1 when none is left.
func (l *loan) nextTimer() (i int, at time.Time, kind string) {
	i = -1
	for n, x := range l.st.Schedule {
		if x.Settled() {
			continue
		}
		if !x.Reminded {
			if t := x.Due.Add(-l.policy.RemindBefore); i < 0 || t.Before(at) {
				i, at, kind = n, t, timerRemind
			}
		}
		if !x.Overdue {
			if t := x.Due.Add(l.policy.ArrearsAfter); i < 0 || t.Before(at) {
				i, at, kind = n, t, timerArrear
			}
		}
	}
	return i, at, kind
}

// follow waits, timer by timer, while the loan runs: each instalment's
// reminder and, if it stays unpaid, its arrears. Any action (a
// repayment) ends the wait so the next timer is chosen again.
func (l *loan) follow(ctx workflow.Context) {
	for l.st.Status == finance.LoanRunning || l.st.Status == finance.LoanArrears {
		seen := l.changes
		moved := func() bool { return l.changes != seen }
		i, at, kind := l.nextTimer()
		if i < 0 {
			if workflow.Await(ctx, moved) != nil {
				return
			}
			continue
		}
		held, err := awaitDeadline(ctx, at, moved)
		if err != nil {
			return
		}
		if held {
			continue
		}
		x := &l.st.Schedule[i]
		if kind == timerRemind {
			x.Reminded = true
			l.record(ctx, finance.LoanEvent{Type: finance.EventLoanReminder, Actor: hailurah.ActorSystem,
				Note: fmt.Sprintf("Pengingat WhatsApp cicilan ke-%d (%s) ke peminjam.", x.N, hailurah.FormatRupiah(x.Amount-x.Paid))}, nil)
			in := activities.RemindInput{Key: fmt.Sprintf("%s/%s/remind/%d", l.st.ID, runID(ctx), x.N), Phone: l.in.Phone,
				Loan: l.snapshot(), Instalment: x.N}
			if err := workflow.ExecuteActivity(storeOptions(ctx), la.RemindBorrower, in).Get(ctx, nil); err != nil {
				l.logger.Error("reminding the borrower failed", "loan", l.st.ID, "error", err)
			}
			continue
		}
		x.Overdue = true
		from := l.st.Status
		l.st.Status = finance.LoanArrears
		l.record(ctx, finance.LoanEvent{Type: finance.EventLoanArrears, Actor: hailurah.ActorSystem, From: from,
			Note: fmt.Sprintf("Cicilan ke-%d belum dibayar %d hari setelah jatuh tempo.", x.N, int(l.policy.ArrearsAfter/(24*time.Hour)))}, nil)
		l.notify(ctx, finance.NotifyLoanArrears, x.N, hailurah.RoleFasilitator, hailurah.RoleLurah)
	}
}

// check answers, in order: may this actor do this (403), is the request
// complete (422), does the loan's state allow it (409). It changes
// nothing; the handler does not run it again.
func (l *loan) check(ctx workflow.Context, req finance.LoanActionRequest) error {
	if err := req.Authorize(l.st.Kelurahan); err != nil {
		return forbidden("%s", hailurah.ErrorMessage(err))
	}
	if err := req.Validate(); err != nil {
		return invalid("%s", hailurah.ErrorMessage(err))
	}
	st := &l.st
	if req.Action == finance.LoanActionRepay && l.keys[req.IdempotencyKey] {
		return nil // recorded already: answered unchanged
	}
	if !finance.LoanActionAllowedIn(req.Action, st.Status) {
		return conflict("Pinjaman berstatus %q: aksi ini tidak dapat dilakukan.", st.Status.Label())
	}
	switch req.Action {
	case finance.LoanActionDisburse:
		if st.Status != finance.LoanApproved && strings.TrimSpace(req.Reference) != st.DisbursementRef {
			return conflict("Pinjaman sudah dicairkan dengan referensi %s.", st.DisbursementRef)
		}
	case finance.LoanActionRepay:
		if st.Status == finance.LoanPaid {
			return conflict("Pinjaman %s sudah lunas.", st.ID)
		}
		if req.Amount > st.Outstanding() {
			return invalid("Pembayaran %s melebihi sisa pinjaman %s.", hailurah.FormatRupiah(req.Amount), hailurah.FormatRupiah(st.Outstanding()))
		}
		zone := l.policy.Zone
		today := zone.StartOfDay(workflow.Now(ctx))
		if req.PaidOn.After(today.Add(24*time.Hour)) || req.PaidOn.Before(zone.StartOfDay(*st.DisbursedAt).Add(-24*time.Hour)) {
			return invalid("Tanggal pembayaran harus antara tanggal pencairan dan hari ini.")
		}
	}
	return nil
}

// act carries out a checked action; the state changes before the first
// activity, so waits and the next validator see it at once.
func (l *loan) act(ctx workflow.Context, req finance.LoanActionRequest) (finance.Loan, error) {
	st := &l.st
	now := workflow.Now(ctx)
	ev := finance.LoanEvent{Type: req.Action, Actor: req.Actor.Username, Role: req.Actor.Role, From: st.Status, Note: strings.TrimSpace(req.Notes)}
	switch req.Action {
	case finance.LoanActionApprove:
		st.DecidedBy, st.ApprovedAt = req.Actor.Username, &now
		st.Status = finance.LoanApproved
	case finance.LoanActionReject:
		st.DecidedBy, st.RejectedAt, st.RejectReason = req.Actor.Username, &now, strings.TrimSpace(req.Reason)
		st.Status = finance.LoanRejected
		ev.Note = st.RejectReason + " Dana dikembalikan ke saldo."
	case finance.LoanActionDisburse:
		if st.Status != finance.LoanApproved {
			return l.snapshot(), nil // the same reference again: nothing changes
		}
		st.DisbursedBy, st.DisbursedAt, st.DisbursementRef = req.Actor.Username, &now, strings.TrimSpace(req.Reference)
		st.Schedule = finance.LoanSchedule(st.Amount, st.Months, now, l.policy.Zone)
		st.Status = finance.LoanRunning
		ev.Note = strings.TrimSpace("Referensi " + st.DisbursementRef + ". " + ev.Note)
	case finance.LoanActionRepay:
		if l.keys[req.IdempotencyKey] {
			return l.snapshot(), nil
		}
		l.keys[req.IdempotencyKey] = true
		l.repay(req.Amount, *req.PaidOn)
		if st.Repaid >= st.Amount {
			st.CompletedAt = &now
		}
		ev.Note = strings.TrimSpace(fmt.Sprintf("Angsuran %s diterima; sisa %s. %s", hailurah.FormatRupiah(req.Amount),
			hailurah.FormatRupiah(st.Outstanding()), ev.Note))
		pay := &finance.LoanRepayment{Key: st.ID + "/repay/" + req.IdempotencyKey, LoanID: st.ID, Amount: req.Amount,
			PaidOn: *req.PaidOn, By: req.Actor.Username, At: now}
		l.changes++
		l.record(ctx, ev, pay)
		if st.Status == finance.LoanPaid {
			l.record(ctx, finance.LoanEvent{Type: finance.EventLoanPaid, Actor: hailurah.ActorSystem, From: finance.LoanPaid,
				Note: "Lunas: " + hailurah.FormatRupiah(st.Repaid) + " kembali ke dana bergulir."}, nil)
			l.notify(ctx, finance.NotifyLoanPaid, 0, hailurah.RoleFasilitator, hailurah.RoleLurah)
		}
		return l.snapshot(), nil
	}
	l.changes++
	l.record(ctx, ev, nil)
	return l.snapshot(), nil
}

// repay spreads a payment over the instalments in order and sets the
// status: lunas when all is paid, menunggak while an overdue instalment
// stays unpaid, else berjalan.
func (l *loan) repay(amount int64, paidOn time.Time) {
	st := &l.st
	st.Repaid += amount
	left := amount
	arrears := false
	for i := range st.Schedule {
		x := &st.Schedule[i]
		if take := min(left, x.Amount-x.Paid); take > 0 {
			x.Paid += take
			left -= take
			if x.Settled() {
				on := paidOn
				x.PaidAt = &on
			}
		}
		arrears = arrears || (x.Overdue && !x.Settled())
	}
	switch {
	case st.Repaid >= st.Amount:
		st.Status = finance.LoanPaid
	case arrears:
		st.Status = finance.LoanArrears
	default:
		st.Status = finance.LoanRunning
	}
}

// cancelled ends a loan whose workflow an operator cancelled: before the
// money went out it is rejected, so the fund gets it back; after, the
// store keeps it as it was. The run ends as cancelled.
func (l *loan) cancelled(ctx workflow.Context) (*finance.Loan, error) {
	if l.st.Status == finance.LoanApplied || l.st.Status == finance.LoanApproved {
		dctx, _ := workflow.NewDisconnectedContext(ctx)
		now := workflow.Now(ctx)
		from := l.st.Status
		l.st.DecidedBy, l.st.RejectedAt, l.st.RejectReason = hailurah.ActorSystem, &now, "Alur kerja pinjaman dibatalkan oleh operator sistem."
		l.st.Status = finance.LoanRejected
		l.record(dctx, finance.LoanEvent{Type: finance.LoanActionReject, Actor: hailurah.ActorSystem, From: from,
			Note: l.st.RejectReason + " Dana dikembalikan ke saldo."}, nil)
	}
	return nil, ctx.Err()
}

// record appends an event and projects the loan (with a repayment). Key
// and version are fixed before the activity, so a retry writes the same
// rows; the key names the run.
func (l *loan) record(ctx workflow.Context, e finance.LoanEvent, pay *finance.LoanRepayment) error {
	now := workflow.Now(ctx)
	l.eventSeq++
	e.Seq, e.LoanID, e.At = l.eventSeq, l.st.ID, now
	e.Key = fmt.Sprintf("%s/%s/%d", l.st.ID, runID(ctx), e.Seq)
	if e.To == "" {
		e.To = l.st.Status
	}
	if e.From == "" && e.Type != finance.EventLoanApplied {
		e.From = l.st.Status
	}
	l.st.UpdatedAt = now
	l.st.Version++
	l.upsertSearch(ctx)
	p := finance.LoanProjection{Loan: ptr(l.snapshot()), Event: &e, Repayment: pay}
	err := workflow.ExecuteActivity(storeOptions(ctx), la.ProjectLoan, p).Get(ctx, nil)
	if err != nil {
		l.logger.Error("projecting the loan failed", "loan", l.st.ID, "event", e.Key, "error", err)
	}
	return err
}

func (l *loan) notify(ctx workflow.Context, kind string, instalment int, roles ...hailurah.Role) {
	l.notifySeq++
	to := make([]hailurah.Audience, len(roles))
	for i, r := range roles {
		to[i] = hailurah.Audience{Role: r, Kelurahan: l.st.Kelurahan}
	}
	in := activities.LoanNotifyInput{Key: fmt.Sprintf("%s/%s/%s/%d", l.st.ID, runID(ctx), kind, l.notifySeq), Kind: kind,
		To: to, Loan: l.snapshot(), Instalment: instalment}
	if err := workflow.ExecuteActivity(storeOptions(ctx), la.NotifyLoan, in).Get(ctx, nil); err != nil {
		l.logger.Error("notifying staff failed", "loan", l.st.ID, "kind", kind, "error", err)
	}
}

func (l *loan) upsertSearch(ctx workflow.Context) {
	key := l.st.Kelurahan + "/" + string(l.st.Status)
	if key == l.search {
		return
	}
	l.search = key
	if err := workflow.UpsertTypedSearchAttributes(ctx,
		searchKelurahan.ValueSet(l.st.Kelurahan), searchStatus.ValueSet(string(l.st.Status))); err != nil {
		l.logger.Warn("upserting search attributes failed", "loan", l.st.ID, "error", err)
	}
}

// snapshot is a copy whose schedule the caller may keep.
func (l *loan) snapshot() finance.Loan {
	s := l.st
	s.Schedule = append([]finance.LoanInstalment{}, l.st.Schedule...)
	return s
}
