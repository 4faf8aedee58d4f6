package workflows_test

import (
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/workflows"
)

// cancelled runs the workflow to its end and checks it ended as cancelled,
// which a workflow that swallowed the cancellation would not (before the
// fix the SDK reported TMPRL1101, a deadlock, on every workflow task).
func cancelled(t *testing.T, env interface {
	IsWorkflowCompleted() bool
	GetWorkflowError() error
}) {
	t.Helper()
	if !env.IsWorkflowCompleted() {
		t.Fatal("workflow did not complete")
	}
	if err := env.GetWorkflowError(); !temporal.IsCanceledError(err) {
		t.Fatalf("want the workflow cancelled, got %v", err)
	}
}

// A ticket cancelled while it waits for the unit is closed with a note, its
// final state projected, the moderators and the unit told and the citizen
// sent its status, instead of escalating every level at once.
func TestCancelledTicketEndsClosed(t *testing.T) {
	h := newHarness(t, start)
	h.mustAct(hour, modTaman, hailurah.ActionRequest{Action: hailurah.ActionAssign, Unit: "dlh"})
	h.env.RegisterDelayedCallback(h.env.CancelWorkflow, 2*hour)

	h.env.ExecuteWorkflow(workflows.CurhatWorkflow, input())

	cancelled(t, h.env)
	if h.ended() != 2*hour {
		t.Errorf("ended at %v, want when cancelled", h.ended())
	}
	equal(t, "timeline", h.events(), []string{
		"created →new", "triaged new→open", "assign open→assigned", "cancelled assigned→closed",
	})
	if ev := h.eventsOf(hailurah.EventCancelled); len(ev) != 1 || ev[0].in.Event.Note == "" || ev[0].in.Event.Actor != hailurah.ActorSystem {
		t.Errorf("cancel event: %+v", ev)
	}
	if tk := h.lastTicket(); tk.Status != hailurah.StatusClosed || tk.ClosedAt == nil || tk.DinasBreached {
		t.Errorf("projected ticket: %+v", tk)
	}
	if b := h.notifiedOf(hailurah.NotifyDinasBreach); len(b) != 0 {
		t.Errorf("a cancellation is not a breach: %+v", b)
	}
	var got []string
	for _, n := range h.notified {
		got = append(got, n.in.Kind+" "+audiences(n))
	}
	equal(t, "notifications", got, []string{"assigned dinas:dlh", "cancelled moderator:taman,dinas:dlh"})
	if last := h.sent[len(h.sent)-1]; last.in.Kind != hailurah.OutboxStatus || last.in.Status != hailurah.StatusClosed {
		t.Errorf("citizen told %+v", last.in)
	}
}

// A ticket cancelled during triage, while its moderator waits, or while it
// waits for the rating ends in each case; a resolved one stays resolved.
func TestCancelledTicketInEveryWait(t *testing.T) {
	for _, tc := range []struct {
		name   string
		at     time.Duration
		setup  func(h *harness)
		status hailurah.TicketStatus
	}{
		{name: "moderator", at: 30 * hour, status: hailurah.StatusClosed},
		{name: "confirmation", at: 3 * hour, status: hailurah.StatusClosed, setup: func(h *harness) {
			h.mustAct(hour, modTaman, hailurah.ActionRequest{Action: hailurah.ActionResolve, Text: "Kerja bakti."})
		}},
		{name: "rating", at: 3 * hour, status: hailurah.StatusResolved, setup: func(h *harness) {
			h.mustAct(hour, modTaman, hailurah.ActionRequest{Action: hailurah.ActionResolve, Text: "Kerja bakti."})
			h.say(2*hour, "SESUDAH")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, start)
			if tc.setup != nil {
				tc.setup(h)
			}
			h.env.RegisterDelayedCallback(h.env.CancelWorkflow, tc.at)
			h.env.ExecuteWorkflow(workflows.CurhatWorkflow, input())
			cancelled(t, h.env)
			if tk := h.lastTicket(); tk.Status != tc.status {
				t.Errorf("projected status %s, want %s", tk.Status, tc.status)
			}
			if h.ended() != tc.at {
				t.Errorf("ended at %v, want %v", h.ended(), tc.at)
			}
		})
	}
}

// A grant cancelled before disbursement is rejected with the reason, so the
// store gives its budget back; the fasilitator and the lurah are told.
func TestCancelledGrantIsRejected(t *testing.T) {
	h := newGrantHarness(t)
	h.mustAct(day, fasilTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionVerify, Notes: "Usaha berjalan."})
	h.env.RegisterDelayedCallback(h.env.CancelWorkflow, 20*day)

	h.env.ExecuteWorkflow(workflows.GrantWorkflow, grantInput())

	cancelled(t, h.env)
	equal(t, "timeline", h.events(), []string{
		"applied →applied @0d", "verify applied→verified @1d", "reminder verified→verified @8d",
		"escalated verified→verified @15d", "cancelled verified→rejected @20d",
	})
	g := h.projected[len(h.projected)-1].in.Grant
	if g.Status != hailurah.GrantRejected || g.RejectedAt == nil || g.RejectReason == "" || g.ApproveDue != nil {
		t.Errorf("projected grant: %+v", g)
	}
	if n := h.notes(); n[len(n)-1] != "grant_cancelled fasilitator:taman,lurah:taman @20d" {
		t.Errorf("notifications: %v", n)
	}
}

// A grant cancelled while it is monitored stops its reminders and is
// completed with a note: the money is out, the household may apply again.
func TestCancelledGrantInMonitoringCompletes(t *testing.T) {
	h := newGrantHarness(t)
	h.mustAct(day, fasilTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionVerify, Notes: "Usaha berjalan."})
	h.mustAct(2*day, lurahTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionApprove})
	h.mustAct(3*day, admin, hailurah.GrantActionRequest{Action: hailurah.GrantActionDisburse, Reference: "TRF-0001"})
	h.env.RegisterDelayedCallback(h.env.CancelWorkflow, 5*day)

	h.env.ExecuteWorkflow(workflows.GrantWorkflow, grantInput())

	cancelled(t, h.env)
	events := h.events()
	if last := events[len(events)-1]; last != "cancelled disbursed→completed @5d" {
		t.Errorf("timeline: %v", events)
	}
	g := h.projected[len(h.projected)-1].in.Grant
	if g.Status != hailurah.GrantCompleted || g.CompletedAt == nil || g.ProofDue != nil || g.AuditAt != nil {
		t.Errorf("projected grant: %+v", g)
	}
}
