package workflows

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/activities"
)

// GrantWorkflowID is the workflow id of a grant: "grant-HB-2026-000001".
func GrantWorkflowID(grantID string) string { return "grant-" + grantID }

// Interactions with a running GrantWorkflow.
const (
	// UpdateGrantAction carries a hailurah.GrantActionRequest and returns
	// the hailurah.Grant after it; refusals are application errors of the
	// Error* types, as for tickets.
	UpdateGrantAction = "grant_action"
	// QueryGrantState returns the live hailurah.Grant.
	QueryGrantState = "grant_state"
)

// ga is only used to name the grant activities; the worker registers a
// filled one.
var ga *activities.GrantActivities

// GrantWorkflow runs one hibah produktif from application to completion
// or rejection (DESIGN.md, "Grant application"): field verification by a
// fasilitator, the lurah's decision, disbursement, proof of use within 14
// days with an audit flag at 30, and omzet check-ins at 30, 60 and 90
// days. Every human step has an SLA with reminders and escalation. Staff
// act through UpdateGrantAction; QueryGrantState returns the live grant,
// which is also the result.
//
// Changes to this function's logic must be guarded by workflow.GetVersion
// and a history recorded before the change kept in testdata/, because a
// grant runs for three months and more.
func GrantWorkflow(ctx workflow.Context, in hailurah.GrantInput) (*hailurah.Grant, error) {
	if in.GrantID == "" || in.HouseholdID == "" || in.Kelurahan == "" {
		return nil, temporal.NewNonRetryableApplicationError("grant id, household and kelurahan are required", ErrorInvalid, nil)
	}
	if in.From != nil {
		if err := checkGrantFrom(in); err != nil {
			return nil, temporal.NewNonRetryableApplicationError("cannot start the grant from its state: "+err.Error(), ErrorInvalid, nil)
		}
	}
	g := newGrant(ctx, in)
	return g.run(ctx)
}

// checkGrantFrom makes sure a grant started part-way has what its wait
// reads.
func checkGrantFrom(in hailurah.GrantInput) error {
	st := in.From.Grant
	if st.ID != in.GrantID {
		return fmt.Errorf("the state is of grant %q", st.ID)
	}
	switch st.Status {
	case hailurah.GrantApplied:
	case hailurah.GrantVerified:
		if st.VerifiedAt == nil {
			return fmt.Errorf("verified without the time of verification")
		}
	case hailurah.GrantApproved:
		if st.ApprovedAt == nil {
			return fmt.Errorf("approved without the time of approval")
		}
	case hailurah.GrantDisbursed, hailurah.GrantInUse:
		if st.DisbursedAt == nil || len(st.Checkins) == 0 {
			return fmt.Errorf("disbursed without the time of disbursement or the check-ins")
		}
	default:
		return fmt.Errorf("status %q has no wait to start from", st.Status)
	}
	return nil
}

type grant struct {
	in     hailurah.GrantInput
	policy hailurah.GrantPolicy
	st     hailurah.Grant

	eventSeq  int
	notifySeq int
	// phase grows at every status change, so a step's wait ends when the
	// grant moves on.
	phase int
	// stepStart is when the current human step began: its SLA and
	// reminders count from there.
	stepStart time.Time
	search    string
	logger    log.Logger
}

func newGrant(ctx workflow.Context, in hailurah.GrantInput) *grant {
	applied := in.AppliedAt
	if applied.IsZero() {
		applied = workflow.Now(ctx)
	}
	g := &grant{in: in, policy: in.Policy.WithDefaults(), logger: workflow.GetLogger(ctx), stepStart: applied}
	if f := in.From; f != nil {
		g.st = f.Grant
		g.st.Checkins = append([]hailurah.GrantCheckin(nil), f.Grant.Checkins...)
		g.eventSeq = f.Events
		switch g.st.Status {
		case hailurah.GrantVerified:
			g.stepStart = *g.st.VerifiedAt
		case hailurah.GrantApproved:
			g.stepStart = *g.st.ApprovedAt
		default:
			g.stepStart = g.st.AppliedAt
		}
		return g
	}
	g.st = hailurah.Grant{
		ID: in.GrantID, HouseholdID: in.HouseholdID, HouseholdName: in.HouseholdName, Kelurahan: in.Kelurahan,
		DTKS: in.DTKS, Amount: in.Amount, Purpose: in.Purpose, Plan: in.Plan, Status: hailurah.GrantApplied,
		AppliedBy: in.AppliedBy, AppliedAt: applied, BaselineOmzet: in.BaselineOmzet, BaselineIncome: in.BaselineIncome,
		CreatedAt: applied, UpdatedAt: applied,
	}
	due := applied.Add(g.policy.VerifySLA)
	g.st.VerifyDue = &due
	return g
}

func (g *grant) run(ctx workflow.Context) (*hailurah.Grant, error) {
	if err := workflow.SetQueryHandler(ctx, QueryGrantState, func() (hailurah.Grant, error) {
		return g.snapshot(), nil
	}); err != nil {
		return nil, err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateGrantAction, g.act,
		workflow.UpdateHandlerOptions{Validator: g.validate}); err != nil {
		return nil, err
	}

	if g.in.From == nil {
		err := g.record(ctx, hailurah.GrantEvent{Type: hailurah.EventGrantApplied, Actor: g.in.AppliedBy, Role: hailurah.RoleFasilitator,
			To: hailurah.GrantApplied, Note: fmt.Sprintf("Pengajuan %s %s.", g.in.Purpose, hailurah.FormatRupiah(g.in.Amount))}, nil)
		if withdrawn(err) && workflow.GetVersion(ctx, grantWithdrawnChange, workflow.DefaultVersion, 1) == 1 {
			// The server's start of this workflow failed ambiguously and
			// it undid the application before this first projection (the
			// store refuses the undo of a grant projected once): nobody
			// knows of this grant and its budget is released, so it ends
			// here rather than run without a row.
			return nil, temporal.NewNonRetryableApplicationError("Pengajuan hibah "+g.in.GrantID+" dibatalkan sebelum alur kerjanya mulai.", ErrorWithdrawn, err)
		}
		g.notify(ctx, activities.GrantNotifyInput{Kind: hailurah.NotifyGrantToVerify, To: g.audience(hailurah.RoleFasilitator)})
	} else {
		// Whoever wrote the grant's row told its staff; the Temporal UI
		// still lists it by kelurahan and status.
		g.upsertSearch(ctx)
	}

	for {
		// Every wait below returns when the workflow is cancelled.
		if ctx.Err() != nil {
			return g.cancelled(ctx)
		}
		switch g.st.Status {
		case hailurah.GrantApplied:
			g.awaitStep(ctx, hailurah.GrantActionVerify, g.policy.VerifySLA)
		case hailurah.GrantVerified:
			g.awaitStep(ctx, hailurah.GrantActionApprove, g.policy.ApproveSLA)
		case hailurah.GrantApproved:
			g.awaitStep(ctx, hailurah.GrantActionDisburse, g.policy.DisburseSLA)
		case hailurah.GrantDisbursed, hailurah.GrantInUse:
			g.monitor(ctx)
			if ctx.Err() == nil {
				g.complete(ctx)
			}
		case hailurah.GrantCompleted, hailurah.GrantRejected:
			// A late update may still be running its activities.
			if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
				return nil, err
			}
			s := g.snapshot()
			return &s, nil
		default:
			return nil, temporal.NewNonRetryableApplicationError("unexpected grant status "+string(g.st.Status), ErrorConflict, nil)
		}
	}
}

// awaitStep waits for a human step (verify, approve, disburse). At its SLA
// and at each further multiple it reminds whoever must act, Reminders
// times at most; from the second reminder on, the step is escalated.
func (g *grant) awaitStep(ctx workflow.Context, step string, sla time.Duration) {
	phase := g.phase
	moved := func() bool { return g.phase != phase }
	// Here and below, a cancelled wait returns at once: run ends the grant.
	for g.st.ReminderLevel < g.policy.Reminders {
		deadline := g.stepStart.Add(time.Duration(g.st.ReminderLevel+1) * sla)
		if held, err := awaitDeadline(ctx, deadline, moved); held || err != nil {
			return
		}
		g.st.ReminderLevel++
		level := g.st.ReminderLevel
		ev := hailurah.GrantEvent{Type: hailurah.EventGrantReminder, Actor: hailurah.ActorSystem,
			Note: fmt.Sprintf("Pengingat ke-%d: %s belum dilakukan.", level, stepLabel(step))}
		if level >= 2 && !g.st.Escalated {
			g.st.Escalated = true
			ev.Type = hailurah.EventGrantEscalated
			ev.Note += " Diteruskan ke " + escalatedTo(step) + "."
		}
		g.record(ctx, ev, nil)
		g.notify(ctx, activities.GrantNotifyInput{Kind: hailurah.NotifyGrantReminder, Step: step, Level: level,
			To: g.reminderAudience(step, level)})
	}
	_ = workflow.Await(ctx, moved) // cancelled: run ends the grant
}

func stepLabel(step string) string {
	switch step {
	case hailurah.GrantActionVerify:
		return "verifikasi lapangan"
	case hailurah.GrantActionApprove:
		return "persetujuan Lurah"
	}
	return "pencairan"
}

func escalatedTo(step string) string {
	if step == hailurah.GrantActionVerify {
		return "Lurah"
	}
	return "admin kota"
}

// reminderAudience is who must act on the step, and from the second
// reminder the one above them: the lurah over the fasilitator, the city's
// admins over the lurah. Disbursement is the admin's or the lurah's, so
// both are reminded from the start.
func (g *grant) reminderAudience(step string, level int) []hailurah.Audience {
	switch step {
	case hailurah.GrantActionVerify:
		if level >= 2 {
			return g.audience(hailurah.RoleFasilitator, hailurah.RoleLurah)
		}
		return g.audience(hailurah.RoleFasilitator)
	case hailurah.GrantActionApprove:
		if level >= 2 {
			return g.audience(hailurah.RoleLurah, hailurah.RoleAdmin)
		}
		return g.audience(hailurah.RoleLurah)
	}
	return g.audience(hailurah.RoleAdmin, hailurah.RoleLurah)
}

// monitor follows a disbursed grant: the proof-of-use watch and the omzet
// check-ins run side by side, and the grant completes when both are done.
func (g *grant) monitor(ctx workflow.Context) {
	wg := workflow.NewWaitGroup(ctx)
	wg.Add(2)
	workflow.Go(ctx, func(ctx workflow.Context) {
		defer wg.Done()
		g.watchProof(ctx)
	})
	workflow.Go(ctx, func(ctx workflow.Context) {
		defer wg.Done()
		g.runCheckins(ctx)
	})
	wg.Wait(ctx)
	// The last check-in's handler may still be projecting it; completing
	// after it keeps the timeline in the order things happened.
	_ = workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}

// watchProof reminds the fasilitator to collect proof of use, again when
// it is overdue (with the lurah), and raises the audit flag when none has
// come by AuditAfter.
func (g *grant) watchProof(ctx workflow.Context) {
	disbursed := *g.st.DisbursedAt
	received := func() bool { return g.st.ProofAt != nil }
	if held, err := awaitDeadline(ctx, disbursed.Add(g.policy.ProofReminder), received); held || err != nil {
		return
	}
	g.record(ctx, hailurah.GrantEvent{Type: hailurah.EventGrantProofReminder, Actor: hailurah.ActorSystem,
		Note: "Bukti penggunaan belum diunggah."}, nil)
	g.notify(ctx, activities.GrantNotifyInput{Kind: hailurah.NotifyGrantProofReminder, Level: 1,
		To: g.audience(hailurah.RoleFasilitator)})
	if held, err := awaitDeadline(ctx, disbursed.Add(g.policy.ProofDue), received); held || err != nil {
		return
	}
	g.record(ctx, hailurah.GrantEvent{Type: hailurah.EventGrantProofReminder, Actor: hailurah.ActorSystem,
		Note: "Batas bukti penggunaan terlewati."}, nil)
	g.notify(ctx, activities.GrantNotifyInput{Kind: hailurah.NotifyGrantProofReminder, Level: 2,
		To: g.audience(hailurah.RoleFasilitator, hailurah.RoleLurah)})
	if held, err := awaitDeadline(ctx, disbursed.Add(g.policy.AuditAfter), received); held || err != nil {
		return
	}
	now := workflow.Now(ctx)
	g.st.AuditFlag, g.st.AuditFlaggedAt = true, &now
	g.record(ctx, hailurah.GrantEvent{Type: hailurah.EventGrantAuditFlag, Actor: hailurah.ActorSystem,
		Note: "Tanpa bukti penggunaan " + itoa(int(g.policy.AuditAfter/(24*time.Hour))) + " hari: ditandai untuk audit."}, nil)
	g.notify(ctx, activities.GrantNotifyInput{Kind: hailurah.NotifyGrantAudit, To: g.audience(hailurah.RoleLurah, hailurah.RoleAdmin)})
}

// runCheckins waits for each check-in in turn: a reminder when it is due,
// another (with the lurah) halfway through the grace period, and at its
// end the check-in counts as missed so the grant can still complete.
func (g *grant) runCheckins(ctx workflow.Context) {
	for i := range g.st.Checkins {
		c := &g.st.Checkins[i]
		done := func() bool { return c.Done() }
		held, err := awaitDeadline(ctx, c.Due, done)
		if err != nil {
			return
		}
		if held {
			continue
		}
		g.record(ctx, hailurah.GrantEvent{Type: hailurah.EventGrantCheckinReminder, Actor: hailurah.ActorSystem,
			Note: fmt.Sprintf("Check-in omzet ke-%d jatuh tempo.", c.N)}, nil)
		g.notify(ctx, activities.GrantNotifyInput{Kind: hailurah.NotifyGrantCheckinDue, Checkin: c.N, Level: 1,
			To: g.audience(hailurah.RoleFasilitator)})
		held, err = awaitDeadline(ctx, c.Due.Add(g.policy.CheckinGrace/2), done)
		if err != nil {
			return
		}
		if held {
			continue
		}
		g.record(ctx, hailurah.GrantEvent{Type: hailurah.EventGrantCheckinReminder, Actor: hailurah.ActorSystem,
			Note: fmt.Sprintf("Check-in omzet ke-%d terlambat.", c.N)}, nil)
		g.notify(ctx, activities.GrantNotifyInput{Kind: hailurah.NotifyGrantCheckinDue, Checkin: c.N, Level: 2,
			To: g.audience(hailurah.RoleFasilitator, hailurah.RoleLurah)})
		held, err = awaitDeadline(ctx, c.Due.Add(g.policy.CheckinGrace), done)
		if err != nil {
			return
		}
		if held {
			continue
		}
		c.Missed = true
		g.record(ctx, hailurah.GrantEvent{Type: hailurah.EventGrantCheckinMissed, Actor: hailurah.ActorSystem,
			Note: fmt.Sprintf("Check-in omzet ke-%d terlewat.", c.N)}, nil)
		g.notify(ctx, activities.GrantNotifyInput{Kind: hailurah.NotifyGrantCheckinMissed, Checkin: c.N,
			To: g.audience(hailurah.RoleFasilitator, hailurah.RoleLurah)})
	}
}

// complete ends a monitored grant with the change in omzet and income
// against the baseline.
func (g *grant) complete(ctx workflow.Context) {
	now := workflow.Now(ctx)
	from := g.st.Status
	g.st.CompletedAt = &now
	g.st.ProofDue, g.st.AuditAt = nil, nil
	g.setStatus(hailurah.GrantCompleted)
	note := "Omzet " + hailurah.FormatRupiah(g.st.BaselineOmzet) + " → " + hailurah.FormatRupiahOrDash(g.st.LatestOmzet) + " (" + pctOrNone(g.st.OmzetChangePct) + ")"
	if g.st.LatestIncome != nil {
		note += "; pendapatan " + hailurah.FormatRupiah(g.st.BaselineIncome) + " → " + hailurah.FormatRupiahOrDash(g.st.LatestIncome) +
			" (" + pctOrNone(g.st.IncomeChangePct) + ")"
	}
	g.record(ctx, hailurah.GrantEvent{Type: hailurah.EventGrantCompleted, Actor: hailurah.ActorSystem, From: from,
		To: hailurah.GrantCompleted, Note: note + "."}, nil)
	g.notify(ctx, activities.GrantNotifyInput{Kind: hailurah.NotifyGrantCompleted, To: g.audience(hailurah.RoleFasilitator, hailurah.RoleLurah)})
}

// cancelled ends a grant whose workflow was cancelled (the Temporal UI or
// CLI). Before disbursement it is rejected with the reason, so the store
// gives its reservation back; after it the money is out, so monitoring
// stops and the grant completes with a note. The fasilitator and the lurah
// are told. The workflow ctx is cancelled, so the activities run on a
// disconnected one; the run then ends as cancelled.
func (g *grant) cancelled(ctx workflow.Context) (*hailurah.Grant, error) {
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	_ = workflow.Await(dctx, func() bool { return workflow.AllHandlersFinished(ctx) })
	st := &g.st
	now := workflow.Now(ctx)
	from := st.Status
	const why = "Alur kerja hibah dibatalkan oleh operator sistem."
	switch from {
	case hailurah.GrantCompleted, hailurah.GrantRejected:
		return nil, ctx.Err()
	case hailurah.GrantDisbursed, hailurah.GrantInUse:
		st.CompletedAt = &now
		st.ProofDue, st.AuditAt = nil, nil
		g.setStatus(hailurah.GrantCompleted)
		g.record(dctx, hailurah.GrantEvent{Type: hailurah.EventGrantCancelled, Actor: hailurah.ActorSystem, From: from,
			Note: why + " Pemantauan bukti dan check-in omzet dihentikan."}, nil)
	default:
		st.DecidedBy, st.RejectedAt, st.RejectReason = hailurah.ActorSystem, &now, why
		st.VerifyDue, st.ApproveDue, st.DisburseDue = nil, nil, nil
		g.setStatus(hailurah.GrantRejected)
		g.record(dctx, hailurah.GrantEvent{Type: hailurah.EventGrantCancelled, Actor: hailurah.ActorSystem, From: from,
			Note: why + " Anggaran yang dicadangkan dikembalikan."}, nil)
	}
	g.notify(dctx, activities.GrantNotifyInput{Kind: hailurah.NotifyGrantCancelled,
		To: g.audience(hailurah.RoleFasilitator, hailurah.RoleLurah)})
	return nil, ctx.Err()
}

func pctOrNone(p *float64) string {
	if p == nil {
		return "tanpa pembanding"
	}
	return fmt.Sprintf("%+.1f%%", *p)
}

// validate rejects an action before it enters the history. It must not
// change anything. The handler does not run it again, for the reasons
// curhat.validate gives.
func (g *grant) validate(ctx workflow.Context, req hailurah.GrantActionRequest) error {
	return g.check(ctx, req)
}

// check answers, in order: may this actor do this with this grant (403),
// is the request complete (422), does the grant's state allow it (409).
func (g *grant) check(ctx workflow.Context, req hailurah.GrantActionRequest) error {
	if err := g.authorize(req); err != nil {
		return err
	}
	if err := req.Validate(); err != nil {
		return invalid("%s", hailurah.ErrorMessage(err))
	}
	st := &g.st
	if !hailurah.GrantActionAllowedIn(req.Action, st.Status) {
		return conflict("Aksi %s tidak dapat dilakukan saat hibah berstatus %q.", req.Action, st.Status.Label())
	}
	switch req.Action {
	case hailurah.GrantActionDisburse:
		if st.Status != hailurah.GrantApproved && strings.TrimSpace(req.Reference) != st.DisbursementRef {
			return conflict("Hibah sudah dicairkan dengan referensi %s.", st.DisbursementRef)
		}
	case hailurah.GrantActionCheckin:
		next, ok := st.NextCheckin()
		if !ok {
			return conflict("Semua check-in omzet hibah ini sudah dicatat.")
		}
		opens := next.Due.Add(-g.policy.CheckinWindow)
		if workflow.Now(ctx).Before(opens) {
			return conflict("Check-in omzet ke-%d baru dapat dicatat mulai %s.", next.N, g.policy.Zone.In(opens).Format("02-01-2006"))
		}
	}
	return nil
}

// authorize applies the root package's rule of who may act on which
// grant, as a refusal of the forbidden type.
func (g *grant) authorize(req hailurah.GrantActionRequest) error {
	if err := req.Authorize(g.st.Kelurahan); err != nil {
		return forbidden("%s", hailurah.ErrorMessage(err))
	}
	return nil
}

// act carries out a validated action. The state changes before the first
// activity runs, so the waits and the next update's validator see the new
// state at once. It does not validate again (see validate).
func (g *grant) act(ctx workflow.Context, req hailurah.GrantActionRequest) (hailurah.Grant, error) {
	st := &g.st
	now := workflow.Now(ctx)
	ev := hailurah.GrantEvent{Type: req.Action, Actor: req.Actor.Username, Role: req.Actor.Role, From: st.Status}
	notes := strings.TrimSpace(req.Notes)

	switch req.Action {
	case hailurah.GrantActionVerify:
		st.VerifiedBy, st.VerifiedAt, st.VerifyNotes, st.VerifyPhotos = req.Actor.Username, &now, notes, req.Photos
		st.VerifyDue = nil
		due := now.Add(g.policy.ApproveSLA)
		st.ApproveDue = &due
		g.nextStep(now, hailurah.GrantVerified)
		ev.Note, ev.Attachments = notes, req.Photos
		g.record(ctx, ev, nil)
		g.notify(ctx, activities.GrantNotifyInput{Kind: hailurah.NotifyGrantToApprove, To: g.audience(hailurah.RoleLurah)})

	case hailurah.GrantActionApprove:
		st.DecidedBy, st.ApprovedAt, st.ApproveNotes = req.Actor.Username, &now, notes
		st.ApproveDue = nil
		due := now.Add(g.policy.DisburseSLA)
		st.DisburseDue = &due
		g.nextStep(now, hailurah.GrantApproved)
		ev.Note = notes
		g.record(ctx, ev, nil)
		g.notify(ctx, activities.GrantNotifyInput{Kind: hailurah.NotifyGrantToDisburse,
			To: g.audience(hailurah.RoleAdmin, hailurah.RoleLurah)})

	case hailurah.GrantActionReject:
		st.DecidedBy, st.RejectedAt, st.RejectReason = req.Actor.Username, &now, strings.TrimSpace(req.Reason)
		st.VerifyDue, st.ApproveDue = nil, nil
		g.nextStep(now, hailurah.GrantRejected)
		ev.Note = st.RejectReason
		g.record(ctx, ev, nil)
		g.notify(ctx, activities.GrantNotifyInput{Kind: hailurah.NotifyGrantRejected, To: g.audience(hailurah.RoleFasilitator)})

	case hailurah.GrantActionDisburse:
		if st.Status != hailurah.GrantApproved {
			// The same reference again: the disbursement is recorded
			// already, and recording it twice changes nothing.
			return g.snapshot(), nil
		}
		st.DisbursedBy, st.DisbursedAt, st.DisbursementRef = req.Actor.Username, &now, strings.TrimSpace(req.Reference)
		st.DisburseDue = nil
		proof, audit := now.Add(g.policy.ProofDue), now.Add(g.policy.AuditAfter)
		st.ProofDue, st.AuditAt = &proof, &audit
		st.Checkins = make([]hailurah.GrantCheckin, len(g.policy.Checkins))
		for i, d := range g.policy.Checkins {
			st.Checkins[i] = hailurah.GrantCheckin{N: i + 1, Due: now.Add(d)}
		}
		g.nextStep(now, hailurah.GrantDisbursed)
		ev.Note = "Referensi " + st.DisbursementRef
		if notes != "" {
			ev.Note += ": " + notes
		}
		g.record(ctx, ev, nil)
		g.notify(ctx, activities.GrantNotifyInput{Kind: hailurah.NotifyGrantDisbursed, To: g.audience(hailurah.RoleFasilitator)})

	case hailurah.GrantActionProof:
		st.ProofAt, st.ProofBy, st.ProofNotes, st.ProofPhotos = &now, req.Actor.Username, notes, req.Photos
		st.ProofDue, st.AuditAt = nil, nil
		g.setStatus(hailurah.GrantInUse)
		ev.Note, ev.Attachments = notes, req.Photos
		if st.AuditFlag {
			ev.Note = strings.TrimSpace("Bukti diterima setelah ditandai audit. " + notes)
		}
		g.record(ctx, ev, nil)

	case hailurah.GrantActionCheckin:
		next, _ := st.NextCheckin()
		c := &st.Checkins[next.N-1]
		omzet := *req.Omzet
		c.At, c.Omzet, c.By, c.Notes = &now, &omzet, req.Actor.Username, notes
		st.LatestOmzet = &omzet
		st.OmzetChangePct = hailurah.ChangePct(st.BaselineOmzet, omzet)
		if req.Income != nil {
			income := *req.Income
			c.Income, st.LatestIncome = &income, &income
			st.IncomeChangePct = hailurah.ChangePct(st.BaselineIncome, income)
		}
		ev.Note = fmt.Sprintf("Check-in ke-%d: omzet %s", c.N, hailurah.FormatRupiah(omzet))
		if c.Income != nil {
			ev.Note += ", pendapatan " + hailurah.FormatRupiah(*c.Income)
		}
		if notes != "" {
			ev.Note += ". " + notes
		}
		checkin := &hailurah.HouseholdCheckin{
			Key: fmt.Sprintf("%s/checkin/%d", st.ID, c.N), HouseholdID: st.HouseholdID, At: now, Omzet: omzet,
			Income: c.Income, Source: hailurah.CheckinGrant, GrantID: st.ID, Note: notes, By: req.Actor.Username,
		}
		g.record(ctx, ev, checkin)
	}
	return g.snapshot(), nil
}

// nextStep moves the grant to a status where a new step begins: its SLA
// counts from now and its reminders start over.
func (g *grant) nextStep(now time.Time, to hailurah.GrantStatus) {
	g.stepStart = now
	g.st.ReminderLevel, g.st.Escalated = 0, false
	g.setStatus(to)
}

func (g *grant) setStatus(to hailurah.GrantStatus) {
	g.st.Status = to
	g.phase++
}

// audience addresses roles of the grant's kelurahan; admin is city-wide.
func (g *grant) audience(roles ...hailurah.Role) []hailurah.Audience {
	out := make([]hailurah.Audience, len(roles))
	for i, r := range roles {
		out[i] = hailurah.Audience{Role: r, Kelurahan: g.st.Kelurahan}
		if r == hailurah.RoleAdmin {
			out[i].Kelurahan = ""
		}
	}
	return out
}

// grantWithdrawnChange is the workflow.GetVersion change id of ending a
// grant whose application was undone (see run): a history recorded before
// it went on without its row.
const grantWithdrawnChange = "grant-withdrawn"

// withdrawn reports whether a projection failed because the grant's row is
// gone: the application was undone after its start timed out.
func withdrawn(err error) bool {
	var ae *temporal.ApplicationError
	return errors.As(err, &ae) && ae.Type() == hailurah.ENOTFOUND
}

// record appends an event to the timeline and projects the grant as it
// is now, with the household's check-in when there is one. Key and version
// are fixed before the activity runs, so a retry writes the same rows; the
// key names the run (see runID). The check-in's key does not: it is the
// household's measurement, one per check-in of the grant.
//
// A failed projection is logged and returned; the grant goes on, as the
// next projection carries the whole row.
func (g *grant) record(ctx workflow.Context, e hailurah.GrantEvent, checkin *hailurah.HouseholdCheckin) error {
	now := workflow.Now(ctx)
	g.eventSeq++
	e.Seq = g.eventSeq
	e.Key = fmt.Sprintf("%s/%s/%d", g.st.ID, runID(ctx), e.Seq)
	e.GrantID = g.st.ID
	e.At = now
	if e.To == "" {
		e.To = g.st.Status
	}
	if e.From == "" && e.Type != hailurah.EventGrantApplied {
		e.From = g.st.Status
	}
	g.st.UpdatedAt = now
	g.st.Version++
	g.upsertSearch(ctx)
	p := hailurah.GrantProjection{Grant: ptr(g.snapshot()), Event: &e, Checkin: checkin}
	err := workflow.ExecuteActivity(storeOptions(ctx), ga.ProjectGrant, p).Get(ctx, nil)
	if err != nil {
		g.logger.Error("projecting the grant failed", "grant", g.st.ID, "event", e.Key, "error", err)
	}
	return err
}

func (g *grant) notify(ctx workflow.Context, in activities.GrantNotifyInput) {
	g.notifySeq++
	in.Key = fmt.Sprintf("%s/%s/%s/%d", g.st.ID, runID(ctx), in.Kind, g.notifySeq)
	in.Grant = g.snapshot()
	if err := workflow.ExecuteActivity(storeOptions(ctx), ga.NotifyGrant, in).Get(ctx, nil); err != nil {
		g.logger.Error("notifying staff failed", "grant", g.st.ID, "kind", in.Kind, "error", err)
	}
}

// upsertSearch keeps the Temporal UI's kelurahan and status columns
// current, with the attributes the curhat workflow registers.
func (g *grant) upsertSearch(ctx workflow.Context) {
	key := g.st.Kelurahan + "/" + string(g.st.Status)
	if key == g.search {
		return
	}
	g.search = key
	if err := workflow.UpsertTypedSearchAttributes(ctx,
		searchKelurahan.ValueSet(g.st.Kelurahan), searchStatus.ValueSet(string(g.st.Status))); err != nil {
		g.logger.Warn("upserting search attributes failed", "grant", g.st.ID, "error", err)
	}
}

// snapshot is a copy of the grant whose slices the caller may keep: the
// check-ins change in place as they are recorded.
func (g *grant) snapshot() hailurah.Grant {
	s := g.st
	s.Checkins = append([]hailurah.GrantCheckin(nil), g.st.Checkins...)
	return s
}

func ptr[T any](v T) *T { return &v }
