package workflows_test

import (
	"context"
	"fmt"
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

// ga names the grant activities to mock.
var ga *activities.GrantActivities

var fasilNambangan = hailurah.Actor{Username: "tono", Role: hailurah.RoleFasilitator, Kelurahan: "nambangan"}

func grantInput() hailurah.GrantInput {
	return hailurah.GrantInput{
		GrantID: "HB-2026-000001", HouseholdID: "TMN-001", HouseholdName: "Siti Aminah", Kelurahan: "taman",
		DTKS: true, Amount: 2_000_000, Purpose: hailurah.PurposeAlat,
		Plan:      "Membeli oven kue dan loyang untuk usaha kue basah.",
		AppliedBy: "rina", AppliedAt: start, BaselineOmzet: 1_000_000, BaselineIncome: 1_200_000,
		Policy: hailurah.DefaultGrantPolicy(),
	}
}

type grantProjected struct {
	at time.Duration
	in hailurah.GrantProjection
}

type grantNotified struct {
	at time.Duration
	in activities.GrantNotifyInput
}

type grantHarness struct {
	t     *testing.T
	env   *testsuite.TestWorkflowEnvironment
	start time.Time

	mu        sync.Mutex
	projected []grantProjected
	notified  []grantNotified
}

func newGrantHarness(t *testing.T) *grantHarness {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))))
	h := &grantHarness{t: t, env: suite.NewTestWorkflowEnvironment(), start: start}
	h.env.SetStartTime(start)
	h.env.SetTestTimeout(20 * time.Second)
	h.env.RegisterWorkflow(workflows.GrantWorkflow)
	h.env.RegisterActivity(&activities.GrantActivities{})
	h.env.OnActivity(ga.ProjectGrant, mock.Anything, mock.Anything).Return(
		func(_ context.Context, p hailurah.GrantProjection) error {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.projected = append(h.projected, grantProjected{h.now(), p})
			return nil
		})
	h.env.OnActivity(ga.NotifyGrant, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.GrantNotifyInput) error {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.notified = append(h.notified, grantNotified{h.now(), in})
			return nil
		})
	return h
}

func (h *grantHarness) now() time.Duration { return h.env.Now().Sub(h.start) }

func (h *grantHarness) run(in hailurah.GrantInput) hailurah.Grant {
	h.t.Helper()
	h.env.ExecuteWorkflow(workflows.GrantWorkflow, in)
	if !h.env.IsWorkflowCompleted() {
		h.t.Fatal("workflow did not complete")
	}
	if err := h.env.GetWorkflowError(); err != nil {
		h.t.Fatalf("workflow failed: %v", err)
	}
	var g hailurah.Grant
	if err := h.env.GetWorkflowResult(&g); err != nil {
		h.t.Fatal(err)
	}
	return g
}

type grantResult struct {
	completed, rejected bool
	err                 error
	grant               hailurah.Grant
}

func (h *grantHarness) act(d time.Duration, actor hailurah.Actor, req hailurah.GrantActionRequest) *grantResult {
	req.Actor = actor
	r := &grantResult{}
	h.env.RegisterDelayedCallback(func() {
		h.env.UpdateWorkflow(workflows.UpdateGrantAction, "", &testsuite.TestUpdateCallback{
			OnAccept: func() {},
			OnReject: func(err error) { r.rejected, r.err = true, err },
			OnComplete: func(v any, err error) {
				r.completed, r.err = true, err
				switch v := v.(type) {
				case hailurah.Grant:
					r.grant = v
				case converter.EncodedValue:
					_ = v.Get(&r.grant)
				}
			},
		}, req)
	}, d)
	return r
}

func (h *grantHarness) mustAct(d time.Duration, actor hailurah.Actor, req hailurah.GrantActionRequest) *grantResult {
	r := h.act(d, actor, req)
	h.t.Cleanup(func() {
		if !r.completed || r.err != nil {
			h.t.Errorf("%s by %s at %v: completed=%v rejected=%v err=%v", req.Action, actor.Username, d, r.completed, r.rejected, r.err)
		}
	})
	return r
}

// refused sends an action that must be refused with the error type.
func (h *grantHarness) refused(d time.Duration, actor hailurah.Actor, req hailurah.GrantActionRequest, errType string) {
	r := h.act(d, actor, req)
	h.t.Cleanup(func() {
		if !r.rejected || errorType(r.err) != errType {
			h.t.Errorf("%s by %s at %v: want refusal %q, got rejected=%v err=%v", req.Action, actor.Username, d, errType, r.rejected, r.err)
		}
	})
}

func (h *grantHarness) stateAt(d time.Duration) *hailurah.Grant {
	g := &hailurah.Grant{}
	h.env.RegisterDelayedCallback(func() {
		v, err := h.env.QueryWorkflow(workflows.QueryGrantState)
		if err != nil {
			h.t.Errorf("query at %v: %v", d, err)
			return
		}
		if err := v.Get(g); err != nil {
			h.t.Errorf("query result: %v", err)
		}
	}, d)
	return g
}

// events lists the timeline as "type from→to @offset".
func (h *grantHarness) events() []string {
	var out []string
	for _, p := range h.projected {
		if e := p.in.Event; e != nil {
			out = append(out, fmt.Sprintf("%s %s→%s @%s", e.Type, e.From, e.To, offset(p.at)))
		}
	}
	return out
}

// notes lists the notifications as "kind(level) to @offset".
func (h *grantHarness) notes() []string {
	var out []string
	for _, n := range h.notified {
		var to []string
		for _, a := range n.in.To {
			to = append(to, fmt.Sprintf("%s:%s", a.Role, a.Kelurahan))
		}
		level := ""
		if n.in.Level > 0 {
			level = fmt.Sprintf("(%d)", n.in.Level)
		}
		out = append(out, fmt.Sprintf("%s%s %s @%s", n.in.Kind, level, strings.Join(to, ","), offset(n.at)))
	}
	return out
}

// offset writes a virtual time as "12d" or "12d3h".
func offset(d time.Duration) string {
	days, rest := d/day, d%day
	if rest == 0 {
		return fmt.Sprintf("%dd", days)
	}
	return fmt.Sprintf("%dd%s", days, rest)
}

func omzet(v int64) *int64 { return &v }

func TestGrantHappyPath(t *testing.T) {
	h := newGrantHarness(t)
	verify := h.mustAct(day, fasilTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionVerify,
		Notes: "Usaha kue berjalan, oven lama rusak.", Photos: []string{"/bukti/HB-2026-000001/rumah.jpg"}})
	approve := h.mustAct(2*day, lurahTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionApprove, Notes: "Prioritas DTKS."})
	h.mustAct(3*day, admin, hailurah.GrantActionRequest{Action: hailurah.GrantActionDisburse, Reference: "TRF-0001"})
	h.mustAct(5*day, fasilTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionProof, Photos: []string{"oven.jpg"}, Notes: "Oven terpasang."})
	h.mustAct(32*day, fasilTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionCheckin, Omzet: omzet(1_200_000)})
	h.mustAct(62*day, fasilTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionCheckin, Omzet: omzet(1_350_000), Income: omzet(1_400_000)})
	last := h.mustAct(92*day, fasilTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionCheckin, Omzet: omzet(1_500_000),
		Income: omzet(1_500_000), Notes: "Pesanan naik menjelang Lebaran."})
	atApplied := h.stateAt(time.Hour)
	atDisbursed := h.stateAt(4 * day)

	g := h.run(grantInput())

	if h.now() != 92*day {
		t.Errorf("completed at %v, want with the third check-in", offset(h.now()))
	}
	if atApplied.Status != hailurah.GrantApplied || atApplied.VerifyDue == nil || !atApplied.VerifyDue.Equal(start.Add(7*day)) {
		t.Errorf("after application: %+v", atApplied)
	}
	if verify.grant.Status != hailurah.GrantVerified || verify.grant.ApproveDue == nil || !verify.grant.ApproveDue.Equal(start.Add(8*day)) ||
		verify.grant.VerifyDue != nil {
		t.Errorf("verify returned %+v", verify.grant)
	}
	if approve.grant.Status != hailurah.GrantApproved || approve.grant.DecidedBy != "irfa" || approve.grant.DisburseDue == nil {
		t.Errorf("approve returned %+v", approve.grant)
	}
	if atDisbursed.Status != hailurah.GrantDisbursed || len(atDisbursed.Checkins) != 3 ||
		!atDisbursed.Checkins[2].Due.Equal(start.Add(93*day)) || !atDisbursed.ProofDue.Equal(start.Add(17*day)) ||
		!atDisbursed.AuditAt.Equal(start.Add(33*day)) {
		t.Errorf("after disbursement: %+v", atDisbursed)
	}
	if last.grant.Status != hailurah.GrantInUse || *last.grant.LatestOmzet != 1_500_000 {
		t.Errorf("last check-in returned %+v", last.grant)
	}

	if g.Status != hailurah.GrantCompleted || g.CompletedAt == nil || g.AuditFlag || g.DisbursementRef != "TRF-0001" ||
		g.ProofBy != "rina" || g.VerifiedBy != "rina" {
		t.Errorf("final: %+v", g)
	}
	// Omzet 1.000.000 → 1.500.000 is +50%; income 1.200.000 → 1.500.000 +25%.
	if g.OmzetChangePct == nil || *g.OmzetChangePct != 50 || g.IncomeChangePct == nil || *g.IncomeChangePct != 25 {
		t.Errorf("changes: omzet %v income %v", g.OmzetChangePct, g.IncomeChangePct)
	}
	for i, c := range g.Checkins {
		if c.At == nil || c.Missed || c.By != "rina" || c.N != i+1 {
			t.Errorf("check-in %d: %+v", i+1, c)
		}
	}
	if g.Checkins[0].Income != nil || *g.Checkins[1].Income != 1_400_000 {
		t.Errorf("income is recorded only when asked: %+v", g.Checkins)
	}

	equal(t, "timeline", h.events(), []string{
		"applied →applied @0d",
		"verify applied→verified @1d",
		"approve verified→approved @2d",
		"disburse approved→disbursed @3d",
		"proof disbursed→in_use @5d",
		"checkin in_use→in_use @32d",
		"checkin in_use→in_use @62d",
		"checkin in_use→in_use @92d",
		"completed in_use→completed @92d",
	})
	equal(t, "notifications", h.notes(), []string{
		"grant_to_verify fasilitator:taman @0d",
		"grant_to_approve lurah:taman @1d",
		"grant_to_disburse admin:,lurah:taman @2d",
		"grant_disbursed fasilitator:taman @3d",
		"grant_completed fasilitator:taman,lurah:taman @92d",
	})
	// Every projection carries a newer version, and each check-in the
	// household's measurement, keyed so a retry stores it once.
	var checkins []string
	for i, p := range h.projected {
		if p.in.Grant.Version != int64(i+1) {
			t.Errorf("projection %d has version %d", i, p.in.Grant.Version)
		}
		if c := p.in.Checkin; c != nil {
			checkins = append(checkins, fmt.Sprintf("%s %s %d", c.Key, c.Source, c.Omzet))
		}
	}
	equal(t, "household check-ins", checkins, []string{
		"HB-2026-000001/checkin/1 hibah 1200000",
		"HB-2026-000001/checkin/2 hibah 1350000",
		"HB-2026-000001/checkin/3 hibah 1500000",
	})
	if e := h.projected[1].in.Event; len(e.Attachments) != 1 || e.Actor != "rina" || e.Role != hailurah.RoleFasilitator {
		t.Errorf("verify event: %+v", e)
	}
}

func TestGrantRejectedBeforeAndAfterVerification(t *testing.T) {
	t.Run("before verification", func(t *testing.T) {
		h := newGrantHarness(t)
		h.mustAct(2*day, lurahTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionReject, Reason: "Sudah menerima bantuan serupa."})
		g := h.run(grantInput())
		if g.Status != hailurah.GrantRejected || g.RejectReason != "Sudah menerima bantuan serupa." || g.DecidedBy != "irfa" ||
			g.VerifyDue != nil || h.now() != 2*day {
			t.Fatalf("final: %+v at %v", g, offset(h.now()))
		}
		equal(t, "timeline", h.events(), []string{"applied →applied @0d", "reject applied→rejected @2d"})
		equal(t, "notifications", h.notes(), []string{"grant_to_verify fasilitator:taman @0d", "grant_rejected fasilitator:taman @2d"})
	})
	t.Run("after verification", func(t *testing.T) {
		h := newGrantHarness(t)
		h.mustAct(day, fasilTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionVerify, Notes: "Belum ada usaha."})
		h.mustAct(3*day, lurahTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionReject, Reason: "Usaha belum berjalan."})
		// Nothing can be done with a rejected grant: the workflow has ended.
		g := h.run(grantInput())
		if g.Status != hailurah.GrantRejected || g.ApproveDue != nil {
			t.Fatalf("final: %+v", g)
		}
		equal(t, "timeline", h.events(), []string{"applied →applied @0d", "verify applied→verified @1d", "reject verified→rejected @3d"})
	})
}

// TestGrantVerificationReminders: the fasilitator is reminded at the SLA
// and each further week, the lurah is told from the second reminder, and
// the reminders stop at the policy's count.
func TestGrantVerificationReminders(t *testing.T) {
	h := newGrantHarness(t)
	h.mustAct(25*day, fasilTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionVerify, Notes: "Akhirnya dikunjungi."})
	late := h.stateAt(15 * day)
	h.mustAct(26*day, lurahTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionReject, Reason: "Tidak layak."})
	h.run(grantInput())

	if late.ReminderLevel != 2 || !late.Escalated {
		t.Errorf("at 15 days: level %d escalated %v", late.ReminderLevel, late.Escalated)
	}
	equal(t, "timeline", h.events(), []string{
		"applied →applied @0d",
		"reminder applied→applied @7d",
		"escalated applied→applied @14d",
		"reminder applied→applied @21d",
		"verify applied→verified @25d",
		"reject verified→rejected @26d",
	})
	equal(t, "notifications", h.notes(), []string{
		"grant_to_verify fasilitator:taman @0d",
		"grant_reminder(1) fasilitator:taman @7d",
		"grant_reminder(2) fasilitator:taman,lurah:taman @14d",
		"grant_reminder(3) fasilitator:taman,lurah:taman @21d",
		"grant_to_approve lurah:taman @25d",
		"grant_rejected fasilitator:taman @26d",
	})
}

// TestGrantApprovalEscalation: the lurah's SLA counts from verification;
// from the second reminder the city's admins are told. Disbursement has
// its own SLA, reminding admin and lurah.
func TestGrantApprovalEscalation(t *testing.T) {
	h := newGrantHarness(t)
	in := grantInput()
	in.Policy.Reminders = 2
	h.mustAct(day, fasilTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionVerify, Notes: "Layak."})
	approve := h.mustAct(20*day, lurahTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionApprove})
	h.mustAct(36*day, lurahTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionDisburse, Reference: "KAS-7"})
	h.mustAct(37*day, fasilTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionProof, Photos: []string{"a.jpg"}})
	for i, d := range []time.Duration{60, 90, 120} {
		h.mustAct(d*day+36*day-2*day, fasilTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionCheckin, Omzet: omzet(int64(i) * 100_000)})
	}
	in.Policy.Checkins = []time.Duration{60 * day, 90 * day, 120 * day}
	g := h.run(in)

	if approve.grant.ReminderLevel != 0 || approve.grant.Escalated {
		t.Errorf("a new step starts without reminders: %+v", approve.grant)
	}
	var got []string
	for _, n := range h.notes() {
		if strings.HasPrefix(n, "grant_reminder") {
			got = append(got, n)
		}
	}
	equal(t, "reminders", got, []string{
		"grant_reminder(1) lurah:taman @8d",
		"grant_reminder(2) lurah:taman,admin: @15d",
		"grant_reminder(1) admin:,lurah:taman @34d",
	})
	// Omzet fell from Rp 1.000.000 to Rp 200.000: -80%, shown as it is.
	if g.Status != hailurah.GrantCompleted || g.OmzetChangePct == nil || *g.OmzetChangePct != -80 {
		t.Errorf("final: %s, omzet change %v", g.Status, g.OmzetChangePct)
	}
}

func TestGrantRefusals(t *testing.T) {
	h := newGrantHarness(t)
	moderator := hailurah.Actor{Username: "siti", Role: hailurah.RoleModerator, Kelurahan: "taman"}
	verify := hailurah.GrantActionRequest{Action: hailurah.GrantActionVerify, Notes: "Ok."}

	// 403 before anything else: who may act on this grant at all.
	h.refused(time.Hour, fasilNambangan, verify, workflows.ErrorForbidden)
	h.refused(time.Hour, moderator, verify, workflows.ErrorForbidden)
	h.refused(time.Hour, admin, hailurah.GrantActionRequest{Action: hailurah.GrantActionApprove}, workflows.ErrorForbidden)
	h.refused(time.Hour, admin, verify, workflows.ErrorForbidden)
	h.refused(time.Hour, fasilTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionApprove}, workflows.ErrorForbidden)
	h.refused(time.Hour, lurahNamb, hailurah.GrantActionRequest{Action: hailurah.GrantActionReject, Reason: "x"}, workflows.ErrorForbidden)
	h.refused(time.Hour, lurahTaman, verify, workflows.ErrorForbidden)
	// 422: incomplete requests.
	h.refused(time.Hour, fasilTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionVerify}, workflows.ErrorInvalid)
	h.refused(time.Hour, lurahTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionReject}, workflows.ErrorInvalid)
	h.refused(time.Hour, fasilTaman, hailurah.GrantActionRequest{Action: "hapus"}, workflows.ErrorForbidden)
	// 409: not in this status.
	h.refused(time.Hour, lurahTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionApprove}, workflows.ErrorConflict)
	h.refused(time.Hour, admin, hailurah.GrantActionRequest{Action: hailurah.GrantActionDisburse, Reference: "X"}, workflows.ErrorConflict)
	h.refused(time.Hour, fasilTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionCheckin, Omzet: omzet(1)}, workflows.ErrorConflict)

	h.mustAct(day, fasilTaman, verify)
	h.refused(day+time.Hour, fasilTaman, verify, workflows.ErrorConflict)
	h.mustAct(2*day, lurahTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionApprove})
	h.refused(2*day+time.Hour, lurahTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionReject, Reason: "berubah pikiran"}, workflows.ErrorConflict)
	h.refused(2*day+time.Hour, admin, hailurah.GrantActionRequest{Action: hailurah.GrantActionDisburse}, workflows.ErrorInvalid)
	h.mustAct(3*day, admin, hailurah.GrantActionRequest{Action: hailurah.GrantActionDisburse, Reference: "TRF-9"})
	h.refused(3*day+time.Hour, fasilTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionProof, Notes: "tanpa foto"}, workflows.ErrorInvalid)
	// The first check-in opens a week before it is due (day 33).
	h.refused(25*day, fasilTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionCheckin, Omzet: omzet(1)}, workflows.ErrorConflict)
	h.refused(26*day, fasilTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionCheckin}, workflows.ErrorInvalid)
	h.mustAct(26*day+time.Hour, fasilTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionCheckin, Omzet: omzet(1)})
	h.mustAct(4*day, fasilTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionProof, Photos: []string{"p.jpg"}})
	h.mustAct(60*day, fasilTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionCheckin, Omzet: omzet(2)})
	h.mustAct(90*day, fasilTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionCheckin, Omzet: omzet(3)})
	g := h.run(grantInput())
	if g.Status != hailurah.GrantCompleted || h.now() != 90*day {
		t.Fatalf("final %s at %v", g.Status, offset(h.now()))
	}
}

// TestGrantDisburseIdempotent: recording the same disbursement twice
// changes nothing; another reference is a conflict.
func TestGrantDisburseIdempotent(t *testing.T) {
	h := newGrantHarness(t)
	h.mustAct(day, fasilTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionVerify, Notes: "Layak."})
	h.mustAct(2*day, lurahTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionApprove})
	first := h.mustAct(3*day, admin, hailurah.GrantActionRequest{Action: hailurah.GrantActionDisburse, Reference: "TRF-1"})
	again := h.mustAct(4*day, lurahTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionDisburse, Reference: "TRF-1"})
	h.refused(4*day, admin, hailurah.GrantActionRequest{Action: hailurah.GrantActionDisburse, Reference: "TRF-2"}, workflows.ErrorConflict)
	h.refused(5*day, lurahTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionReject, Reason: "x"}, workflows.ErrorConflict)
	h.env.RegisterDelayedCallback(func() { h.env.CancelWorkflow() }, 6*day)
	h.env.ExecuteWorkflow(workflows.GrantWorkflow, grantInput())

	if again.grant.Version != first.grant.Version || again.grant.DisbursedBy != "admin" || !again.grant.DisbursedAt.Equal(*first.grant.DisbursedAt) {
		t.Errorf("second disbursement changed the grant: first %+v\nagain %+v", first.grant, again.grant)
	}
	var disburse int
	for _, e := range h.events() {
		if strings.HasPrefix(e, "disburse") {
			disburse++
		}
	}
	if disburse != 1 {
		t.Errorf("%d disbursement events, want 1: %v", disburse, h.events())
	}
}

// TestGrantProofRemindersAndAuditFlag: no proof of use → a reminder at 7
// days, another with the lurah at 14, the audit flag at 30 (to the lurah
// and the city's admins); proof that comes later is taken, and the flag
// stays for the audit.
func TestGrantProofRemindersAndAuditFlag(t *testing.T) {
	h := newGrantHarness(t)
	h.mustAct(day, fasilTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionVerify, Notes: "Layak."})
	h.mustAct(2*day, lurahTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionApprove})
	h.mustAct(3*day, admin, hailurah.GrantActionRequest{Action: hailurah.GrantActionDisburse, Reference: "TRF-1"})
	flagged := h.stateAt(34 * day)
	proof := h.mustAct(35*day, fasilTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionProof, Photos: []string{"stok.jpg"}})
	for _, d := range []time.Duration{32, 62, 92} {
		h.mustAct(d*day, fasilTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionCheckin, Omzet: omzet(1_000_000)})
	}
	g := h.run(grantInput())

	if !flagged.AuditFlag || flagged.AuditFlaggedAt == nil || !flagged.AuditFlaggedAt.Equal(start.Add(33*day)) || flagged.Status != hailurah.GrantDisbursed {
		t.Errorf("at 34 days: %+v", flagged)
	}
	if proof.grant.Status != hailurah.GrantInUse || !proof.grant.AuditFlag || proof.grant.AuditAt != nil {
		t.Errorf("late proof: %+v", proof.grant)
	}
	if !g.AuditFlag || g.Status != hailurah.GrantCompleted || *g.OmzetChangePct != 0 {
		t.Errorf("final: %+v", g)
	}
	var timeline []string
	for _, e := range h.events() {
		if !strings.HasPrefix(e, "checkin") {
			timeline = append(timeline, e)
		}
	}
	equal(t, "timeline", timeline, []string{
		"applied →applied @0d",
		"verify applied→verified @1d",
		"approve verified→approved @2d",
		"disburse approved→disbursed @3d",
		"proof_reminder disbursed→disbursed @10d",
		"proof_reminder disbursed→disbursed @17d",
		"audit_flag disbursed→disbursed @33d",
		"proof disbursed→in_use @35d",
		"completed in_use→completed @92d",
	})
	var notes []string
	for _, n := range h.notes() {
		if strings.Contains(n, "proof") || strings.Contains(n, "audit") {
			notes = append(notes, n)
		}
	}
	equal(t, "notifications", notes, []string{
		"grant_proof_reminder(1) fasilitator:taman @10d",
		"grant_proof_reminder(2) fasilitator:taman,lurah:taman @17d",
		"grant_audit lurah:taman,admin: @33d",
	})
}

// TestGrantCheckinsRemindedAndMissed: check-ins nobody records are
// reminded when due and halfway through the grace period (with the lurah),
// then counted missed; the grant still completes, without a change to
// report.
func TestGrantCheckinsRemindedAndMissed(t *testing.T) {
	h := newGrantHarness(t)
	h.mustAct(day, fasilTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionVerify, Notes: "Layak."})
	h.mustAct(2*day, lurahTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionApprove})
	h.mustAct(3*day, admin, hailurah.GrantActionRequest{Action: hailurah.GrantActionDisburse, Reference: "TRF-1"})
	h.mustAct(4*day, fasilTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionProof, Photos: []string{"a.jpg"}})
	// The second check-in comes late, inside its grace period.
	late := h.mustAct(63*day+10*day, fasilTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionCheckin, Omzet: omzet(900_000)})
	g := h.run(grantInput())

	if late.grant.Checkins[0].Missed != true || late.grant.Checkins[1].At == nil {
		t.Errorf("late check-in recorded as the second: %+v", late.grant.Checkins)
	}
	if g.Status != hailurah.GrantCompleted || h.now() != 107*day || !g.Checkins[0].Missed || g.Checkins[1].Missed || !g.Checkins[2].Missed {
		t.Fatalf("final %s at %v: %+v", g.Status, offset(h.now()), g.Checkins)
	}
	if *g.LatestOmzet != 900_000 || *g.OmzetChangePct != -10 || g.IncomeChangePct != nil {
		t.Errorf("changes from the one check-in: %+v", g)
	}
	var got []string
	for _, e := range h.events() {
		if strings.HasPrefix(e, "checkin") || strings.HasPrefix(e, "completed") {
			got = append(got, e)
		}
	}
	equal(t, "check-ins", got, []string{
		"checkin_reminder in_use→in_use @33d",
		"checkin_reminder in_use→in_use @40d",
		"checkin_missed in_use→in_use @47d",
		"checkin_reminder in_use→in_use @63d",
		"checkin_reminder in_use→in_use @70d",
		"checkin in_use→in_use @73d",
		"checkin_reminder in_use→in_use @93d",
		"checkin_reminder in_use→in_use @100d",
		"checkin_missed in_use→in_use @107d",
		"completed in_use→completed @107d",
	})
	var notes []string
	for _, n := range h.notes() {
		if strings.Contains(n, "checkin") && strings.HasSuffix(n, "@40d") || strings.HasSuffix(n, "@47d") {
			notes = append(notes, n)
		}
	}
	equal(t, "late and missed", notes, []string{
		"grant_checkin_due(2) fasilitator:taman,lurah:taman @40d",
		"grant_checkin_missed fasilitator:taman,lurah:taman @47d",
	})
}

// TestGrantPolicyOverride: a kelurahan (or a test) may run the process on
// other durations; zero values keep the defaults.
func TestGrantPolicyOverride(t *testing.T) {
	h := newGrantHarness(t)
	in := grantInput()
	in.Policy = hailurah.GrantPolicy{VerifySLA: time.Hour, Reminders: 1, Checkins: []time.Duration{2 * day}}
	h.mustAct(3*time.Hour, fasilTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionVerify, Notes: "Ok."})
	h.mustAct(4*time.Hour, lurahTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionApprove})
	h.mustAct(5*time.Hour, lurahTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionDisburse, Reference: "KAS-1"})
	h.mustAct(6*time.Hour, fasilTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionProof, Photos: []string{"a.jpg"}})
	h.mustAct(day, fasilTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionCheckin, Omzet: omzet(2_000_000)})
	g := h.run(in)
	// One reminder an hour after application, none after it; the single
	// check-in completes the grant at once. The audit period (30 days by
	// default) is not waited for: proof came.
	equal(t, "timeline", h.events(), []string{
		"applied →applied @0d",
		"reminder applied→applied @0d1h0m0s",
		"verify applied→verified @0d3h0m0s",
		"approve verified→approved @0d4h0m0s",
		"disburse approved→disbursed @0d5h0m0s",
		"proof disbursed→in_use @0d6h0m0s",
		"checkin in_use→in_use @1d",
		"completed in_use→completed @1d",
	})
	if g.Status != hailurah.GrantCompleted || len(g.Checkins) != 1 || *g.OmzetChangePct != 100 {
		t.Fatalf("final: %+v", g)
	}
}

func TestGrantWorkflowRefusesIncompleteInput(t *testing.T) {
	h := newGrantHarness(t)
	in := grantInput()
	in.Kelurahan = ""
	h.env.ExecuteWorkflow(workflows.GrantWorkflow, in)
	if err := h.env.GetWorkflowError(); err == nil || !strings.Contains(err.Error(), "kelurahan") {
		t.Fatalf("want an error about the input, got %v", err)
	}
}

// grantHistories were recorded on a real Temporal server by
// record_grant_test.go; replaying them fails when a change would break
// grants already running.
var grantHistories = []string{
	"grant_completed_v1.json", // verify, approve, disburse twice, proof, three check-ins
	"grant_reminders_v1.json", // verification and approval reminders, audit flag, missed check-in
	"grant_rejected_v1.json",  // refused actions, rejection
}

func grantReplayer(wf any) worker.WorkflowReplayer {
	r := worker.NewWorkflowReplayer()
	r.RegisterWorkflowWithOptions(wf, workflow.RegisterOptions{Name: "GrantWorkflow"})
	return r
}

func TestReplayGrantHistories(t *testing.T) {
	for _, name := range grantHistories {
		t.Run(name, func(t *testing.T) {
			err := grantReplayer(workflows.GrantWorkflow).ReplayWorkflowHistoryFromJSONFile(quietLogger(), filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestReplayGrantCatchesNonDeterminism proves the replay can fail: a
// workflow that notifies before projecting the application no longer
// matches the recorded commands.
func TestReplayGrantCatchesNonDeterminism(t *testing.T) {
	changed := func(ctx workflow.Context, in hailurah.GrantInput) (*hailurah.Grant, error) {
		if err := workflow.Sleep(ctx, time.Second); err != nil {
			return nil, err
		}
		return workflows.GrantWorkflow(ctx, in)
	}
	err := grantReplayer(changed).ReplayWorkflowHistoryFromJSONFile(quietLogger(), filepath.Join("testdata", grantHistories[0]))
	if err == nil || !strings.Contains(err.Error(), "TMPRL1100") {
		t.Fatalf("want a nondeterminism error, got %v", err)
	}
}

// TestGrantWithdrawnBeforeItsWorkflowStarted: the server's start of a
// grant timed out although the workflow started, and the server undid the
// application before the workflow's first projection. The workflow finds
// its row gone and ends, instead of running for months without one and
// asking the fasilitator to verify a grant nobody can see.
func TestGrantWithdrawnBeforeItsWorkflowStarted(t *testing.T) {
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(quietLogger())
	env := suite.NewTestWorkflowEnvironment()
	env.SetStartTime(start)
	env.RegisterWorkflow(workflows.GrantWorkflow)
	env.RegisterActivity(&activities.GrantActivities{})
	projections, notes := 0, 0
	env.OnActivity(ga.ProjectGrant, mock.Anything, mock.Anything).Return(func(context.Context, hailurah.GrantProjection) error {
		projections++
		return temporal.NewNonRetryableApplicationError("Hibah HB-2026-000001 tidak ditemukan.", hailurah.ENOTFOUND, nil)
	})
	env.OnActivity(ga.NotifyGrant, mock.Anything, mock.Anything).Return(func(context.Context, activities.GrantNotifyInput) error {
		notes++
		return nil
	})

	env.ExecuteWorkflow(workflows.GrantWorkflow, grantInput())

	if !env.IsWorkflowCompleted() || errorType(env.GetWorkflowError()) != workflows.ErrorWithdrawn {
		t.Fatalf("want the workflow ended as withdrawn, got %v", env.GetWorkflowError())
	}
	if projections != 1 || notes != 0 || env.Now().Sub(start) != 0 {
		t.Errorf("%d projections, %d notifications, ended after %v: want 1, 0, at once", projections, notes, env.Now().Sub(start))
	}
}
