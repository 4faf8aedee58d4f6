package workflows

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/activities"
)

// PilotWorkflowID is the workflow id of a pilot: "pilot-PL-2026-001".
func PilotWorkflowID(pilotID string) string { return "pilot-" + pilotID }

// Interactions with a running PilotReviewWorkflow.
const (
	// UpdatePilotDecision carries a hailurah.DecisionRequest and returns
	// the hailurah.Pilot after it (for scale and adjust, the next cycle as
	// it starts). Only the lurah of the pilot's kelurahan may sign (403),
	// only once the review packet is out (409), once per cycle (409).
	UpdatePilotDecision = "decision"
	// QueryPilotState returns the live hailurah.Pilot.
	QueryPilotState = "pilot_state"
)

// pa is only used to name the pilot activities; the worker registers a
// filled one.
var pa *activities.PilotActivities

// snapshotOptions give the KPI snapshot time for a city-wide scope and
// retry it for a day, like a projection.
func snapshotOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout:    5 * time.Minute,
		ScheduleToCloseTimeout: 24 * time.Hour,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    5 * time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    5 * time.Minute,
		},
	})
}

// PilotReviewWorkflow runs one cycle of a 90-day pilot (DESIGN.md, "90-day
// pilot review"): milestone reminders at days 14, 45 and 75 to the owner
// and the lurah; on day 76 the KPI snapshot, the review packet and the
// lurah notified; the decision due by day 90, with a weekly reminder once
// it is overdue. The lurah signs through UpdatePilotDecision: stop ends
// the pilot; adjust and scale continue as new into the next cycle, which
// starts on the day of the decision with the new targets or scope.
//
// A cycle that started before the workflow did (a pilot recorded late)
// records the milestones already passed as missed instead of replaying
// their reminders, and takes its snapshot at once when day 76 has passed.
//
// Changes to this function's logic must be guarded by workflow.GetVersion,
// with a history recorded before the change kept in testdata/, because a
// pilot runs for months.
func PilotReviewWorkflow(ctx workflow.Context, in hailurah.PilotInput) (*hailurah.Pilot, error) {
	p := in.Pilot
	if p.ID == "" || p.Kelurahan == "" || p.Cycle < 1 || p.CycleStart.IsZero() || len(p.Targets) == 0 || len(p.Scope) == 0 {
		return nil, temporal.NewNonRetryableApplicationError("pilot id, kelurahan, cycle, start, targets and scope are required", ErrorInvalid, nil)
	}
	r := &pilotReview{p: p, policy: in.Policy.WithDefaults(), answered: in.Answered, logger: workflow.GetLogger(ctx)}
	return r.run(ctx)
}

type pilotReview struct {
	p      hailurah.Pilot
	policy hailurah.PilotPolicy
	// decided is the cycle's decision, set by the update handler before it
	// blocks, so a second update sees it; next is the cycle it starts.
	decided *hailurah.PilotDecision
	next    *hailurah.Pilot
	// answered are the recent decisions' Update ids and results, this
	// run's predecessors' and its own, handed on at continue-as-new.
	answered []hailurah.PilotAnswer

	eventSeq  int
	notifySeq int
	logger    log.Logger
}

func (r *pilotReview) run(ctx workflow.Context) (*hailurah.Pilot, error) {
	if err := workflow.SetQueryHandler(ctx, QueryPilotState, func() (hailurah.Pilot, error) { return r.p, nil }); err != nil {
		return nil, err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdatePilotDecision, r.decide,
		workflow.UpdateHandlerOptions{Validator: r.validate}); err != nil {
		return nil, err
	}

	now := workflow.Now(ctx)
	r.p.PlanCycle(r.policy, now)
	r.p.Status = hailurah.PilotRunning
	r.p.Version++
	started := hailurah.EventPilotStarted
	note := fmt.Sprintf("Siklus %d dimulai %s; evaluasi %s, keputusan paling lambat %s.", r.p.Cycle,
		r.day(r.p.CycleStart), r.day(r.p.ReviewAt), r.day(r.p.DecisionDue))
	if r.p.Cycle > 1 {
		started = hailurah.EventPilotCycleStarted
	}
	r.record(ctx, started, hailurah.ActorSystem, note, nil)
	for _, m := range r.p.Milestones {
		if m.Status == hailurah.MilestoneMissed {
			r.record(ctx, hailurah.EventPilotMilestoneMissed, hailurah.ActorSystem,
				fmt.Sprintf("Milestone hari ke-%d (%s) sudah lewat saat pilot dicatat; tidak ada pengingat.", m.Day, r.day(m.Due)), nil)
		}
	}

	for i := range r.p.Milestones {
		m := &r.p.Milestones[i]
		if m.Status != hailurah.MilestonePending {
			continue
		}
		if _, err := awaitDeadline(ctx, m.Due, nil); err != nil {
			return nil, err
		}
		at := workflow.Now(ctx)
		m.Status, m.At = hailurah.MilestoneReminded, &at
		r.p.Version++
		r.record(ctx, hailurah.EventPilotMilestone, hailurah.ActorSystem, hailurah.MilestonePhase(m.Day), nil)
		r.notify(ctx, activities.PilotNotifyInput{Kind: hailurah.NotifyPilotMilestone, Day: m.Day})
	}

	if _, err := awaitDeadline(ctx, r.p.ReviewAt, nil); err != nil {
		return nil, err
	}
	r.review(ctx)

	for r.decided == nil {
		deadline := r.p.DecisionDue.Add(time.Duration(r.p.OverdueReminders) * r.policy.OverdueEvery)
		decided, err := awaitDeadline(ctx, deadline, func() bool { return r.decided != nil })
		if err != nil {
			return nil, err
		}
		if decided {
			break
		}
		r.p.Overdue = true
		r.p.OverdueReminders++
		r.p.Version++
		r.record(ctx, hailurah.EventPilotOverdue, hailurah.ActorSystem,
			fmt.Sprintf("Keputusan belum ditandatangani; jatuh tempo %s (pengingat ke-%d).", r.day(r.p.DecisionDue), r.p.OverdueReminders), nil)
		r.notify(ctx, activities.PilotNotifyInput{Kind: hailurah.NotifyPilotOverdue})
	}

	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return nil, err
	}
	if r.next == nil {
		p := r.p
		return &p, nil
	}
	return nil, workflow.NewContinueAsNewError(ctx, PilotReviewWorkflow, hailurah.PilotInput{Pilot: *r.next, Policy: r.policy, Answered: r.answered})
}

// review takes the KPI snapshot, stores the packet and asks the lurah to
// decide. A snapshot that cannot be taken still opens the decision, with
// an empty packet that says so: the lurah must not be blocked by a report.
func (r *pilotReview) review(ctx workflow.Context) {
	at := workflow.Now(ctx)
	var packet *hailurah.PilotPacket
	err := workflow.ExecuteActivity(snapshotOptions(ctx), pa.SnapshotPilot,
		activities.SnapshotInput{Pilot: r.p, At: at, DecisionDay: r.policy.DecisionDay, DayLength: r.policy.Day}).Get(ctx, &packet)
	if err != nil || packet == nil {
		r.logger.Error("KPI snapshot failed; the packet says so", "pilot", r.p.ID, "error", err)
		packet = &hailurah.PilotPacket{PilotID: r.p.ID, Cycle: r.p.Cycle, GeneratedAt: at, PeriodFrom: r.p.CycleStart, PeriodTo: at,
			Day: r.p.DayAt(at, r.policy.Day), Rows: []hailurah.PacketRow{},
			Warnings: []string{"KPI tidak dapat dihitung dari basis data saat evaluasi; periksa dasbor SIAP-TAMAN sebelum memutuskan."}}
	}
	r.p.Packet = packet
	r.p.Status = hailurah.PilotAwaitingDecision
	r.p.Version++
	r.record(ctx, hailurah.EventPilotPacket, hailurah.ActorSystem,
		fmt.Sprintf("Paket evaluasi hari ke-%d: %d target, %d peringatan dini.", packet.Day, len(packet.Rows), len(packet.Warnings)),
		func(in *hailurah.PilotProjection) { in.Packet = packet })
	r.notify(ctx, activities.PilotNotifyInput{Kind: hailurah.NotifyPilotPacket})
}

// validate rejects a decision before it enters the history. It must not
// change anything. The handler does not run it again, for the reasons
// curhat.validate gives; it only normalises the request (normalize).
func (r *pilotReview) validate(ctx workflow.Context, req hailurah.DecisionRequest) error {
	if _, ok := r.answer(ctx); ok {
		return nil
	}
	return r.check(&req)
}

// keepAnswers is how many decisions' Update ids a pilot remembers across
// continue-as-new: a repeat arrives within minutes, one cycle is 90 days.
const keepAnswers = 5

// answer returns the recorded result of a decision already taken under
// this update's id in an earlier run. Temporal answers a repeat within the
// run itself; a run continued as new knows only what it was handed.
func (r *pilotReview) answer(ctx workflow.Context) (hailurah.Pilot, bool) {
	info := workflow.GetCurrentUpdateInfo(ctx)
	if info == nil || info.ID == "" {
		return hailurah.Pilot{}, false
	}
	for _, a := range r.answered {
		if a.UpdateID == info.ID {
			return a.Pilot, true
		}
	}
	return hailurah.Pilot{}, false
}

// remember records a decision's Update id and result for the runs after.
func (r *pilotReview) remember(ctx workflow.Context, result hailurah.Pilot) {
	info := workflow.GetCurrentUpdateInfo(ctx)
	if info == nil || info.ID == "" {
		return
	}
	r.answered = append(r.answered, hailurah.PilotAnswer{UpdateID: info.ID, Pilot: result})
	if n := len(r.answered); n > keepAnswers {
		r.answered = slices.Clone(r.answered[n-keepAnswers:])
	}
}

// normalize gives the handler the request as the validator accepted it:
// the rationale trimmed, a scale's scope normalised. It refuses nothing, so
// a replay never depends on the validation rules.
func (r *pilotReview) normalize(req *hailurah.DecisionRequest) {
	req.Rationale = strings.TrimSpace(req.Rationale)
	if req.Decision == hailurah.DecisionScale {
		if scope, err := hailurah.NormalizeScope(req.Scope, r.p.Kelurahan); err == nil {
			req.Scope = scope
		}
	}
}

// check answers, in order: may this actor sign (403), is the request
// complete (422), is the cycle ready for a decision and without one (409),
// and does a scale widen the scope (422). It normalises req.Scope.
func (r *pilotReview) check(req *hailurah.DecisionRequest) error {
	p := &r.p
	switch {
	case req.Actor.Role != hailurah.RoleLurah:
		return forbidden("Hanya Lurah yang dapat menandatangani keputusan pilot.")
	case req.Actor.Kelurahan != p.Kelurahan:
		return forbidden("Hanya Lurah Kelurahan pemilik pilot yang dapat menandatangani keputusannya.")
	}
	if err := req.Validate(p.Kelurahan); err != nil {
		return invalid("%s", hailurah.ErrorMessage(err))
	}
	if d, ok := r.cycleDecision(); ok {
		return conflict("Keputusan siklus %d sudah ditandatangani (%s oleh %s) dan tidak dapat diubah.", d.Cycle, d.Decision, d.DecidedBy)
	}
	switch p.Status {
	case hailurah.PilotRunning:
		return conflict("Keputusan baru dapat ditandatangani setelah paket evaluasi hari ke-%d tersedia (%s).",
			r.policy.ReviewDay, r.day(p.ReviewAt))
	case hailurah.PilotStopped:
		return conflict("Pilot sudah dihentikan.")
	}
	if req.Decision == hailurah.DecisionScale && !hailurah.ScopeWidens(p.Scope, req.Scope) {
		return invalid("Cakupan baru harus lebih luas dari cakupan sekarang (%s): tambahkan RW atau kelurahan lain.", scopeText(p.Scope))
	}
	return nil
}

func (r *pilotReview) cycleDecision() (hailurah.PilotDecision, bool) {
	if r.decided != nil {
		return *r.decided, true
	}
	return r.p.CycleDecision()
}

// decide signs the cycle's decision: it is recorded at once (a second
// update finds it), stored with the pilot as the decision leaves it, and
// announced to the owner, the lurah and, for a scale, the lurah of every
// kelurahan the scope adds.
func (r *pilotReview) decide(ctx workflow.Context, req hailurah.DecisionRequest) (*hailurah.Pilot, error) {
	if first, ok := r.answer(ctx); ok {
		// A repeat of a decision an earlier cycle took: its first answer,
		// nothing done again.
		return &first, nil
	}
	r.normalize(&req)
	now := workflow.Now(ctx)
	p := &r.p
	d := hailurah.PilotDecision{PilotID: p.ID, Cycle: p.Cycle, Decision: req.Decision, Rationale: req.Rationale,
		DecidedBy: req.Actor.Username, DecidedAt: now, Overdue: now.After(p.DecisionDue)}
	var added []string
	if req.Decision != hailurah.DecisionStop {
		d.Targets = req.Targets
		if len(d.Targets) == 0 {
			d.Targets = p.Targets
		}
		d.Scope = p.Scope
		if req.Decision == hailurah.DecisionScale {
			d.Scope = req.Scope
			for _, k := range hailurah.ScopeKelurahan(req.Scope) {
				if !slices.Contains(hailurah.ScopeKelurahan(p.Scope), k) && k != p.Kelurahan {
					added = append(added, k)
				}
			}
		}
	}
	r.decided = &d
	p.Decisions = append(p.Decisions, d)
	p.Version++

	var result hailurah.Pilot
	if d.Decision == hailurah.DecisionStop {
		p.Status, p.StoppedAt = hailurah.PilotStopped, &now
		result = *p
	} else {
		next := *p
		next.Cycle, next.CycleStart = p.Cycle+1, now
		next.Targets, next.Scope = d.Targets, d.Scope
		next.Status = hailurah.PilotRunning
		next.PlanCycle(r.policy, now)
		next.Decisions = slices.Clone(p.Decisions)
		r.next = &next
		result = next
	}
	r.remember(ctx, result)
	note := fmt.Sprintf("%s: %s", hailurah.DecisionLabel(d.Decision), d.Rationale)
	r.recordPilot(ctx, result, hailurah.EventPilotDecision, d.DecidedBy, note, func(in *hailurah.PilotProjection) { in.Decision = &d })
	r.notify(ctx, activities.PilotNotifyInput{Kind: hailurah.NotifyPilotDecision, Decision: &d, NewKelurahan: added})
	return &result, nil
}

// record appends an event to the pilot's timeline and projects the pilot
// as it is now; extra adds the packet or decision the event produced.
func (r *pilotReview) record(ctx workflow.Context, typ, actor, note string, extra func(*hailurah.PilotProjection)) {
	r.recordPilot(ctx, r.p, typ, actor, note, extra)
}

// recordPilot is record with the pilot row to write: after a scale or
// adjust decision that is the next cycle, so the read model shows it at
// once. The event key and the version are fixed before the activity runs,
// so a retry writes the same rows; it names the run (see runID).
func (r *pilotReview) recordPilot(ctx workflow.Context, row hailurah.Pilot, typ, actor, note string, extra func(*hailurah.PilotProjection)) {
	now := workflow.Now(ctx)
	r.eventSeq++
	r.p.UpdatedAt = now
	row.UpdatedAt = now
	e := hailurah.PilotEvent{Key: fmt.Sprintf("%s/%s/%d/%d", r.p.ID, runID(ctx), r.p.Cycle, r.eventSeq), PilotID: r.p.ID, Cycle: r.p.Cycle,
		Seq: r.eventSeq, At: now, Type: typ, Actor: actor, Note: note}
	in := hailurah.PilotProjection{Pilot: &row, Event: &e}
	if extra != nil {
		extra(&in)
	}
	if err := workflow.ExecuteActivity(storeOptions(ctx), pa.ProjectPilot, in).Get(ctx, nil); err != nil {
		r.logger.Error("projecting the pilot failed", "pilot", r.p.ID, "event", e.Key, "error", err)
	}
}

// notify sends a notification about the pilot as it is now. A failure is
// logged: a missed notification must not stop the review.
func (r *pilotReview) notify(ctx workflow.Context, in activities.PilotNotifyInput) {
	r.notifySeq++
	in.Key = fmt.Sprintf("%s/%s/%d/%s/%d", r.p.ID, runID(ctx), r.p.Cycle, in.Kind, r.notifySeq)
	in.Pilot = r.p
	if err := workflow.ExecuteActivity(storeOptions(ctx), pa.NotifyPilot, in).Get(ctx, nil); err != nil {
		r.logger.Error("pilot notification failed", "pilot", r.p.ID, "key", in.Key, "error", err)
	}
}

// day writes a date in notes and refusals the way staff read it, on the
// clock of the pilot's policy.
func (r *pilotReview) day(t time.Time) string { return r.policy.Zone.In(t).Format("02-01-2006") }

func scopeText(scope []hailurah.PilotArea) string {
	parts := make([]string, len(scope))
	for i, a := range scope {
		parts[i] = a.String()
	}
	return strings.Join(parts, ", ")
}
