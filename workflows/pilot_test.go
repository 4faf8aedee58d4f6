package workflows_test

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/activities"
	"github.com/hailurah/hailurah/workflows"
)

// pa names the pilot activities to mock.
var pa *activities.PilotActivities

// pilotStart is the first day of the test pilot, 00:00 WIB.
var pilotStart = time.Date(2026, 1, 5, 0, 0, 0, 0, wib)

func pilotInput(cycleStart time.Time) hailurah.PilotInput {
	return hailurah.PilotInput{Pilot: hailurah.Pilot{
		ID: "PL-2026-001", Name: "Pelatihan digital RW01", Component: hailurah.ComponentPelatihan, Kelurahan: "taman",
		Scope:     []hailurah.PilotArea{{Kelurahan: "taman", RW: "01"}},
		StartDate: cycleStart, CycleStart: cycleStart, Owner: "rina", Status: hailurah.PilotRunning, Cycle: 1,
		Targets: []hailurah.PilotTarget{{KPI: hailurah.KPITrained, Target: 100}, {KPI: hailurah.KPIWomenSharePct, Target: 50}},
	}}
}

type pilotProjected struct {
	at time.Duration
	in hailurah.PilotProjection
}

type pilotNotified struct {
	at time.Duration
	in activities.PilotNotifyInput
}

type pilotSnapshot struct {
	at time.Duration
	in activities.SnapshotInput
}

type pilotHarness struct {
	t     *testing.T
	env   *testsuite.TestWorkflowEnvironment
	start time.Time

	// Trained is what the snapshot measures for the trained target;
	// SnapshotErr fails it.
	Trained     float64
	SnapshotErr error

	mu        sync.Mutex
	projected []pilotProjected
	notified  []pilotNotified
	snapshots []pilotSnapshot
}

func newPilotHarness(t *testing.T, startAt time.Time) *pilotHarness {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))))
	h := &pilotHarness{t: t, env: suite.NewTestWorkflowEnvironment(), start: startAt, Trained: 80}
	env := h.env
	env.SetStartTime(startAt)
	env.SetTestTimeout(20 * time.Second)
	env.RegisterWorkflow(workflows.PilotReviewWorkflow)
	env.RegisterActivity(&activities.PilotActivities{})
	env.OnActivity(pa.ProjectPilot, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in hailurah.PilotProjection) error {
			h.mu.Lock()
			defer h.mu.Unlock()
			p := *in.Pilot
			in.Pilot = &p
			h.projected = append(h.projected, pilotProjected{h.now(), in})
			return nil
		})
	env.OnActivity(pa.NotifyPilot, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.PilotNotifyInput) error {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.notified = append(h.notified, pilotNotified{h.now(), in})
			return nil
		})
	// The snapshot is the real packet arithmetic on measured values the
	// test chooses; the measuring itself is the store's, tested there.
	env.OnActivity(pa.SnapshotPilot, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.SnapshotInput) (*hailurah.PilotPacket, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.snapshots = append(h.snapshots, pilotSnapshot{h.now(), in})
			if h.SnapshotErr != nil {
				return nil, h.SnapshotErr
			}
			values := map[string]hailurah.KPIValue{
				hailurah.KPITrained:       {Code: hailurah.KPITrained, Value: &h.Trained},
				hailurah.KPIWomenSharePct: {Code: hailurah.KPIWomenSharePct, Value: nil},
			}
			series := []hailurah.SeriesPoint{{Day: in.Pilot.DayAt(in.At, in.DayLength), At: in.At, Values: values}}
			return hailurah.BuildPacket(hailurah.PacketInput{Pilot: &in.Pilot, DecisionDay: in.DecisionDay, DayLength: in.DayLength, At: in.At, Series: series}), nil
		})
	return h
}

func (h *pilotHarness) now() time.Duration { return h.env.Now().Sub(h.start) }

type pilotResult struct {
	accepted, rejected, completed bool
	err                           error
	pilot                         hailurah.Pilot
}

// decide sends a decision after d of virtual time.
func (h *pilotHarness) decide(d time.Duration, actor hailurah.Actor, req hailurah.DecisionRequest) *pilotResult {
	return h.decideAs(d, "", actor, req)
}

// decideAs sends a decision with an Update id, as the client does with an
// idempotency key (workflows.ActionUpdateID).
func (h *pilotHarness) decideAs(d time.Duration, updateID string, actor hailurah.Actor, req hailurah.DecisionRequest) *pilotResult {
	req.Actor = actor
	r := &pilotResult{}
	h.env.RegisterDelayedCallback(func() {
		h.env.UpdateWorkflow(workflows.UpdatePilotDecision, updateID, &testsuite.TestUpdateCallback{
			OnAccept: func() { r.accepted = true },
			OnReject: func(err error) { r.rejected, r.err = true, err },
			OnComplete: func(v any, err error) {
				r.completed, r.err = true, err
				switch v := v.(type) {
				case *hailurah.Pilot:
					if v != nil {
						r.pilot = *v
					}
				case converter.EncodedValue:
					_ = v.Get(&r.pilot)
				}
			},
		}, req)
	}, d)
	return r
}

// refused checks, after the run, that a decision was rejected with typ.
func (h *pilotHarness) refused(r *pilotResult, typ, what string) {
	h.t.Helper()
	if !r.rejected || errorType(r.err) != typ {
		h.t.Errorf("%s: rejected=%v completed=%v err=%v, want a %s refusal", what, r.rejected, r.completed, r.err, typ)
	}
}

func (h *pilotHarness) notifiedOf(kind string) []pilotNotified {
	var out []pilotNotified
	for _, n := range h.notified {
		if n.in.Kind == kind {
			out = append(out, n)
		}
	}
	return out
}

func (h *pilotHarness) eventsOf(typ string) []pilotProjected {
	var out []pilotProjected
	for _, p := range h.projected {
		if p.in.Event != nil && p.in.Event.Type == typ {
			out = append(out, p)
		}
	}
	return out
}

func times[T any](items []T, at func(T) time.Duration) []time.Duration {
	out := make([]time.Duration, len(items))
	for i, x := range items {
		out[i] = at(x)
	}
	return out
}

func notifiedAt(n pilotNotified) time.Duration { return n.at }

// finish runs the workflow to its end, which must be a completion.
func (h *pilotHarness) finish(in hailurah.PilotInput) hailurah.Pilot {
	h.t.Helper()
	h.env.ExecuteWorkflow(workflows.PilotReviewWorkflow, in)
	if !h.env.IsWorkflowCompleted() {
		h.t.Fatal("workflow did not complete")
	}
	if err := h.env.GetWorkflowError(); err != nil {
		h.t.Fatalf("workflow failed: %v", err)
	}
	var p hailurah.Pilot
	if err := h.env.GetWorkflowResult(&p); err != nil {
		h.t.Fatal(err)
	}
	return p
}

// continued runs the workflow, which must continue as new into the next
// cycle, and returns that cycle's input.
func (h *pilotHarness) continued(in hailurah.PilotInput) hailurah.PilotInput {
	h.t.Helper()
	h.env.ExecuteWorkflow(workflows.PilotReviewWorkflow, in)
	var can *workflow.ContinueAsNewError
	if err := h.env.GetWorkflowError(); !errors.As(err, &can) {
		h.t.Fatalf("want continue-as-new, got %v", err)
	}
	if can.WorkflowType.Name != "PilotReviewWorkflow" {
		h.t.Errorf("continued as %q", can.WorkflowType.Name)
	}
	var next hailurah.PilotInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		h.t.Fatal(err)
	}
	return next
}

const rationale = "Capaian pelatihan baik dan warga antusias; lanjutkan dengan pendampingan."

func TestPilotMilestonesSnapshotAndStop(t *testing.T) {
	h := newPilotHarness(t, pilotStart)
	early := h.decide(20*day, lurahTaman, hailurah.DecisionRequest{Decision: hailurah.DecisionStop, Rationale: rationale})
	moderator := h.decide(77*day, modTaman, hailurah.DecisionRequest{Decision: hailurah.DecisionStop, Rationale: rationale})
	otherLurah := h.decide(77*day, lurahNamb, hailurah.DecisionRequest{Decision: hailurah.DecisionStop, Rationale: rationale})
	city := h.decide(77*day, admin, hailurah.DecisionRequest{Decision: hailurah.DecisionStop, Rationale: rationale})
	short := h.decide(78*day, lurahTaman, hailurah.DecisionRequest{Decision: hailurah.DecisionStop, Rationale: "Cukup."})
	stop := h.decide(80*day, lurahTaman, hailurah.DecisionRequest{Decision: hailurah.DecisionStop,
		Rationale: "Peserta pelatihan jauh di bawah target; dana dialihkan ke hibah."})

	p := h.finish(pilotInput(pilotStart))

	h.refused(early, workflows.ErrorConflict, "a decision before the packet")
	if !strings.Contains(early.err.Error(), "hari ke-76") {
		t.Errorf("early refusal does not say when: %v", early.err)
	}
	h.refused(moderator, workflows.ErrorForbidden, "a moderator's decision")
	h.refused(otherLurah, workflows.ErrorForbidden, "another kelurahan's lurah")
	h.refused(city, workflows.ErrorForbidden, "the admin's decision")
	h.refused(short, workflows.ErrorInvalid, "a decision without a real rationale")
	if !stop.completed || stop.err != nil || stop.pilot.Status != hailurah.PilotStopped {
		t.Fatalf("stop: %+v", stop)
	}

	// Reminders on days 14, 45 and 75, each to the owner and the lurah
	// (the activity resolves both from the pilot it is given).
	reminders := h.notifiedOf(hailurah.NotifyPilotMilestone)
	equal(t, "milestone reminders", times(reminders, notifiedAt), []time.Duration{14 * day, 45 * day, 75 * day})
	for i, n := range reminders {
		if n.in.Day != []int{14, 45, 75}[i] || n.in.Pilot.Owner != "rina" || n.in.Pilot.Kelurahan != "taman" {
			t.Errorf("reminder %d: %+v", i, n.in)
		}
	}
	// The snapshot on day 76, for the cycle's period, then the lurah.
	if len(h.snapshots) != 1 || h.snapshots[0].at != 76*day || !h.snapshots[0].in.At.Equal(pilotStart.Add(76*day)) ||
		h.snapshots[0].in.DecisionDay != 90 {
		t.Fatalf("snapshots: %+v", h.snapshots)
	}
	equal(t, "packet notification", times(h.notifiedOf(hailurah.NotifyPilotPacket), notifiedAt), []time.Duration{76 * day})
	packets := h.eventsOf(hailurah.EventPilotPacket)
	if len(packets) != 1 || packets[0].in.Packet == nil || packets[0].in.Pilot.Status != hailurah.PilotAwaitingDecision {
		t.Fatalf("packet projection: %+v", packets)
	}
	pk := packets[0].in.Packet
	// 80 trained of 100 by day 76 of 90: 80%, under the 84% expected.
	if len(pk.Rows) != 2 || pk.Rows[0].Flag != hailurah.FlagAtRisk || *pk.Rows[0].PercentOfTarget != 80 || pk.Rows[1].Flag != hailurah.FlagNoData {
		t.Errorf("packet rows: %+v", pk.Rows)
	}
	if len(h.notifiedOf(hailurah.NotifyPilotOverdue)) != 0 {
		t.Error("a decision signed on day 80 was reminded as overdue")
	}

	if p.Status != hailurah.PilotStopped || p.StoppedAt == nil || !p.StoppedAt.Equal(pilotStart.Add(80*day)) || len(p.Decisions) != 1 {
		t.Fatalf("final: %+v", p)
	}
	d := p.Decisions[0]
	if d.Decision != hailurah.DecisionStop || d.DecidedBy != "irfa" || d.Cycle != 1 || d.Overdue || len(d.Targets) != 0 {
		t.Errorf("decision: %+v", d)
	}
	decisions := h.eventsOf(hailurah.EventPilotDecision)
	if len(decisions) != 1 || decisions[0].in.Decision == nil || decisions[0].in.Pilot.Status != hailurah.PilotStopped {
		t.Fatalf("decision projection: %+v", decisions)
	}
	if n := h.notifiedOf(hailurah.NotifyPilotDecision); len(n) != 1 || n[0].in.Decision.Decision != hailurah.DecisionStop {
		t.Errorf("decision notification: %+v", n)
	}
	// Versions only grow, so the store keeps the newest projection.
	for i := 1; i < len(h.projected); i++ {
		if h.projected[i].in.Pilot.Version < h.projected[i-1].in.Pilot.Version {
			t.Errorf("projection %d has version %d after %d", i, h.projected[i].in.Pilot.Version, h.projected[i-1].in.Pilot.Version)
		}
	}
}

// TestPilotWritesDatesInItsZone: a WITA pilot's timeline names its days
// on the WITA clock, through its next cycle too. Its first day begins at
// 00:00 WITA, which is still the day before in WIB.
func TestPilotWritesDatesInItsZone(t *testing.T) {
	wita, err := hailurah.LoadZone("Asia/Makassar")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 1, 5, 0, 0, 0, 0, wita.Location())
	h := newPilotHarness(t, start)
	h.decide(80*day, lurahTaman, hailurah.DecisionRequest{Decision: hailurah.DecisionAdjust, Rationale: rationale})
	in := pilotInput(start)
	in.Policy.Zone = wita
	next := h.continued(in)

	started := h.eventsOf(hailurah.EventPilotStarted)
	if len(started) != 1 {
		t.Fatalf("started events: %d", len(started))
	}
	if note := started[0].in.Event.Note; !strings.Contains(note, "dimulai 05-01-2026; evaluasi 22-03-2026, keputusan paling lambat 05-04-2026") {
		t.Errorf("started: %q", note)
	}
	if next.Policy.Zone.Name() != "Asia/Makassar" {
		t.Errorf("the next cycle counts in %q", next.Policy.Zone.Name())
	}
}

func TestPilotOverdueDecision(t *testing.T) {
	h := newPilotHarness(t, pilotStart)
	newTargets := []hailurah.PilotTarget{{KPI: hailurah.KPITrained, Target: 60}}
	adjust := h.decide(100*day, lurahTaman, hailurah.DecisionRequest{Decision: hailurah.DecisionAdjust,
		Rationale: "Target terlalu tinggi untuk satu RW; turunkan dan tambah kelas malam.", Targets: newTargets})

	next := h.continued(pilotInput(pilotStart))

	// Due on day 90, then reminded weekly until signed on day 100.
	equal(t, "overdue reminders", times(h.notifiedOf(hailurah.NotifyPilotOverdue), notifiedAt), []time.Duration{90 * day, 97 * day})
	overdue := h.eventsOf(hailurah.EventPilotOverdue)
	if len(overdue) != 2 || !overdue[1].in.Pilot.Overdue || overdue[1].in.Pilot.OverdueReminders != 2 {
		t.Errorf("overdue projections: %+v", overdue)
	}
	if !adjust.completed || adjust.err != nil {
		t.Fatalf("adjust: %+v", adjust)
	}
	d := next.Pilot.Decisions
	if len(d) != 1 || !d[0].Overdue || d[0].Decision != hailurah.DecisionAdjust || d[0].Targets[0].Target != 60 {
		t.Errorf("decision: %+v", d)
	}
	// The next cycle starts on the day of the decision with the adjusted
	// targets and a clean slate.
	p := next.Pilot
	if p.Cycle != 2 || !p.CycleStart.Equal(pilotStart.Add(100*day)) || len(p.Targets) != 1 || p.Targets[0].Target != 60 ||
		p.Overdue || p.OverdueReminders != 0 || p.Packet != nil || p.Status != hailurah.PilotRunning ||
		!p.DecisionDue.Equal(pilotStart.Add(190*day)) {
		t.Errorf("next cycle: %+v", p)
	}
	// The update answered with that next cycle.
	if adjust.pilot.Cycle != 2 || adjust.pilot.Targets[0].Target != 60 {
		t.Errorf("update result: %+v", adjust.pilot)
	}
	if len(h.projected) == 0 || h.projected[len(h.projected)-1].in.Pilot.Cycle != 2 {
		t.Error("the read model was not moved to the next cycle at the decision")
	}
}

func TestPilotScaleContinuesAsNewIntoTheNextCycle(t *testing.T) {
	h := newPilotHarness(t, pilotStart)
	h.Trained = 120
	narrower := h.decide(84*day, lurahTaman, hailurah.DecisionRequest{Decision: hailurah.DecisionScale, Rationale: rationale,
		Scope: []hailurah.PilotArea{{RW: "01", RT: "02"}}})
	wider := []hailurah.PilotArea{{RW: "01"}, {RW: "02"}, {Kelurahan: "nambangan"}, {Kelurahan: "demangan", RW: "3"}}
	scale := h.decide(85*day, lurahTaman, hailurah.DecisionRequest{Decision: hailurah.DecisionScale, Rationale: rationale, Scope: wider})
	// Sent in the same instant: the first signs, the second is refused.
	second := h.decide(85*day, lurahTaman, hailurah.DecisionRequest{Decision: hailurah.DecisionStop, Rationale: rationale})

	next := h.continued(pilotInput(pilotStart))

	h.refused(narrower, workflows.ErrorInvalid, "a scale that does not widen the scope")
	if !scale.completed || scale.err != nil {
		t.Fatalf("scale: %+v", scale)
	}
	h.refused(second, workflows.ErrorConflict, "a second decision in the cycle")
	if packet := h.eventsOf(hailurah.EventPilotPacket); packet[0].in.Packet.Rows[0].Flag != hailurah.FlagOnTrack {
		t.Errorf("120 of 100 trained is on track: %+v", packet[0].in.Packet.Rows[0])
	}
	n := h.notifiedOf(hailurah.NotifyPilotDecision)
	if len(n) != 1 || strings.Join(n[0].in.NewKelurahan, ",") != "demangan,nambangan" {
		t.Errorf("the lurah of each new kelurahan is told: %+v", n)
	}
	p := next.Pilot
	if p.Cycle != 2 || !p.CycleStart.Equal(pilotStart.Add(85*day)) || len(p.Scope) != 4 || p.Scope[0] != (hailurah.PilotArea{Kelurahan: "demangan", RW: "03"}) ||
		p.Kelurahan != "taman" || len(p.Targets) != 2 || len(p.Decisions) != 1 {
		t.Fatalf("next cycle: %+v", p)
	}

	// The second cycle: reminders count from its own start, a stop ends it.
	h2 := newPilotHarness(t, p.CycleStart)
	stop := h2.decide(78*day, lurahTaman, hailurah.DecisionRequest{Decision: hailurah.DecisionStop, Rationale: rationale})
	final := h2.finish(next)
	if !stop.completed || stop.err != nil {
		t.Fatalf("stop in cycle 2: %+v", stop)
	}
	equal(t, "cycle 2 reminders", times(h2.notifiedOf(hailurah.NotifyPilotMilestone), notifiedAt), []time.Duration{14 * day, 45 * day, 75 * day})
	if s := h2.eventsOf(hailurah.EventPilotCycleStarted); len(s) != 1 || s[0].in.Pilot.Cycle != 2 {
		t.Errorf("cycle start: %+v", s)
	}
	if len(h2.snapshots) != 1 || len(h2.snapshots[0].in.Pilot.Scope) != 4 {
		t.Errorf("cycle 2 snapshot measures the wider scope: %+v", h2.snapshots)
	}
	if final.Status != hailurah.PilotStopped || len(final.Decisions) != 2 || final.Decisions[1].Cycle != 2 {
		t.Errorf("final: %+v", final)
	}
}

// Temporal dedupes an Update id only within a run: an adjust repeated with
// its idempotency key after it opened the next cycle is answered, from the
// state the cycle was handed, with the first result, and nothing is done
// again; another key is a new decision.
func TestPilotDecisionRepeatedAfterContinueAsNew(t *testing.T) {
	id := workflows.PilotWorkflowID("PL-2026-001")
	key := workflows.ActionUpdateID(id, hailurah.DecisionAdjust, "k-1")
	adjustReq := hailurah.DecisionRequest{Decision: hailurah.DecisionAdjust, Rationale: rationale,
		Targets: []hailurah.PilotTarget{{KPI: hailurah.KPITrained, Target: 60}}}
	h := newPilotHarness(t, pilotStart)
	first := h.decideAs(80*day, key, lurahTaman, adjustReq)
	next := h.continued(pilotInput(pilotStart))
	if !first.completed || first.err != nil || first.pilot.Cycle != 2 {
		t.Fatalf("adjust: %+v", first)
	}

	h2 := newPilotHarness(t, next.Pilot.CycleStart)
	repeat := h2.decideAs(time.Hour, key, lurahTaman, adjustReq)
	early := h2.decideAs(2*time.Hour, workflows.ActionUpdateID(id, hailurah.DecisionStop, "k-2"), lurahTaman,
		hailurah.DecisionRequest{Decision: hailurah.DecisionStop, Rationale: rationale})
	stop := h2.decideAs(80*day, workflows.ActionUpdateID(id, hailurah.DecisionStop, "k-3"), lurahTaman,
		hailurah.DecisionRequest{Decision: hailurah.DecisionStop, Rationale: rationale})
	final := h2.finish(next)

	if !repeat.completed || repeat.err != nil {
		t.Fatalf("the repeat is answered, not refused: accepted=%v rejected=%v err=%v", repeat.accepted, repeat.rejected, repeat.err)
	}
	if repeat.pilot.Cycle != first.pilot.Cycle || !repeat.pilot.CycleStart.Equal(first.pilot.CycleStart) ||
		repeat.pilot.Version != first.pilot.Version || len(repeat.pilot.Decisions) != 1 {
		t.Errorf("the repeat's answer is the first: %+v, want %+v", repeat.pilot, first.pilot)
	}
	h2.refused(early, workflows.ErrorConflict, "a new key before the packet")
	if !stop.completed || stop.err != nil {
		t.Fatalf("a new key is a new decision: %+v", stop)
	}
	if d := h2.eventsOf(hailurah.EventPilotDecision); len(d) != 1 || d[0].in.Decision.Decision != hailurah.DecisionStop {
		t.Errorf("cycle 2 records only its own decision: %+v", d)
	}
	if n := h2.notifiedOf(hailurah.NotifyPilotDecision); len(n) != 1 {
		t.Errorf("the repeat notified again: %+v", n)
	}
	if final.Status != hailurah.PilotStopped || len(final.Decisions) != 2 {
		t.Errorf("final: %+v", final)
	}
}

// A pilot recorded 80 days after it started: the three milestones are
// missed, not reminded, and the packet is ready at once.
func TestPilotStartedInThePast(t *testing.T) {
	now := pilotStart.Add(80 * day)
	h := newPilotHarness(t, now)
	state := &hailurah.Pilot{}
	h.env.RegisterDelayedCallback(func() {
		v, err := h.env.QueryWorkflow(workflows.QueryPilotState)
		if err != nil {
			t.Errorf("query: %v", err)
			return
		}
		_ = v.Get(state)
	}, time.Minute)
	stop := h.decide(time.Hour, lurahTaman, hailurah.DecisionRequest{Decision: hailurah.DecisionStop, Rationale: rationale})

	h.finish(pilotInput(pilotStart))

	if n := h.notifiedOf(hailurah.NotifyPilotMilestone); len(n) != 0 {
		t.Errorf("missed milestones were reminded: %+v", n)
	}
	if missed := h.eventsOf(hailurah.EventPilotMilestoneMissed); len(missed) != 3 {
		t.Errorf("missed milestone events: %d, want 3", len(missed))
	}
	if state.Status != hailurah.PilotAwaitingDecision || state.Packet == nil {
		t.Fatalf("state after a minute: %+v", state)
	}
	for _, m := range state.Milestones {
		if m.Status != hailurah.MilestoneMissed {
			t.Errorf("milestone %d: %s", m.Day, m.Status)
		}
	}
	if len(h.snapshots) != 1 || h.snapshots[0].at != 0 || !h.snapshots[0].in.At.Equal(now) {
		t.Errorf("snapshot at once: %+v", h.snapshots)
	}
	warned := 0
	for _, w := range state.Packet.Warnings {
		if strings.Contains(w, "sudah lewat saat pilot dicatat") {
			warned++
		}
	}
	if warned != 3 {
		t.Errorf("packet warnings: %v", state.Packet.Warnings)
	}
	if !stop.completed || stop.err != nil {
		t.Errorf("stop: %+v", stop)
	}
}

func TestPilotSnapshotFailureStillOpensTheDecision(t *testing.T) {
	h := newPilotHarness(t, pilotStart)
	h.SnapshotErr = temporal.NewNonRetryableApplicationError("database gone", "internal", nil)
	stop := h.decide(80*day, lurahTaman, hailurah.DecisionRequest{Decision: hailurah.DecisionStop, Rationale: rationale})
	p := h.finish(pilotInput(pilotStart))
	if !stop.completed || stop.err != nil || p.Status != hailurah.PilotStopped {
		t.Fatalf("stop: %+v, %+v", stop, p)
	}
	packet := h.eventsOf(hailurah.EventPilotPacket)
	if len(packet) != 1 || len(packet[0].in.Packet.Rows) != 0 || len(packet[0].in.Packet.Warnings) != 1 {
		t.Errorf("fallback packet: %+v", packet)
	}
}

func TestPilotWorkflowRefusesIncompleteInput(t *testing.T) {
	h := newPilotHarness(t, pilotStart)
	in := pilotInput(pilotStart)
	in.Pilot.Targets = nil
	h.env.ExecuteWorkflow(workflows.PilotReviewWorkflow, in)
	if err := h.env.GetWorkflowError(); err == nil || errorType(err) != workflows.ErrorInvalid {
		t.Fatalf("want an invalid-input failure, got %v", err)
	}
}

// The histories in testdata/ were recorded on a real Temporal server by
// record_pilot_test.go; replaying them fails when a change would break
// pilots already running.
var pilotHistories = []string{
	"pilot_stop_v1.json",           // milestones, snapshot, refusals, stop
	"pilot_scale_run1_v1.json",     // a cycle that scaled and continued as new
	"pilot_scale_run2_v1.json",     // the next cycle, stopped
	"pilot_recorded_late_v1.json",  // started in the past: missed milestones, overdue, adjust
	"pilot_recorded_late2_v1.json", // the adjusted cycle it continued into, stopped
}

func pilotReplayer(wf any) worker.WorkflowReplayer {
	r := worker.NewWorkflowReplayer()
	r.RegisterWorkflowWithOptions(wf, workflow.RegisterOptions{Name: "PilotReviewWorkflow"})
	return r
}

func TestReplayPilotHistories(t *testing.T) {
	for _, name := range pilotHistories {
		t.Run(name, func(t *testing.T) {
			err := pilotReplayer(workflows.PilotReviewWorkflow).ReplayWorkflowHistoryFromJSONFile(quietLogger(), filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestReplayPilotCatchesNonDeterminism proves the replay can fail: a
// workflow that sleeps before its first projection no longer matches.
func TestReplayPilotCatchesNonDeterminism(t *testing.T) {
	changed := func(ctx workflow.Context, in hailurah.PilotInput) (*hailurah.Pilot, error) {
		if err := workflow.Sleep(ctx, time.Second); err != nil {
			return nil, err
		}
		return workflows.PilotReviewWorkflow(ctx, in)
	}
	err := pilotReplayer(changed).ReplayWorkflowHistoryFromJSONFile(quietLogger(), filepath.Join("testdata", pilotHistories[0]))
	if err == nil || !strings.Contains(err.Error(), "TMPRL1100") {
		t.Fatalf("want a nondeterminism error, got %v", err)
	}
}
