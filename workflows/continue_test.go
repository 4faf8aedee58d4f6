package workflows_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/workflow"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/workflows"
)

// continuedInput runs the workflow, which must continue as new, and
// returns the next run's input.
func (h *harness) continuedInput(in hailurah.CurhatInput) hailurah.CurhatInput {
	h.t.Helper()
	h.env.ExecuteWorkflow(workflows.CurhatWorkflow, in)
	var can *workflow.ContinueAsNewError
	if err := h.env.GetWorkflowError(); !errors.As(err, &can) {
		h.t.Fatalf("want continue-as-new, got %v", err)
	}
	if can.WorkflowType.Name != "CurhatWorkflow" {
		h.t.Errorf("continued as %q", can.WorkflowType.Name)
	}
	var next hailurah.CurhatInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		h.t.Fatal(err)
	}
	return next
}

// suggestContinueAsNew delivers a citizen message after d and, a minute
// later, the server's suggestion to continue as new, as a long
// conversation would. (The test environment fires callbacks due at the
// same instant before it delivers the signals they send, so the same
// instant would lose the message there; a real server fails the workflow
// task that would end the run with a signal pending instead.)
func (h *harness) suggestContinueAsNew(d time.Duration, text string) {
	h.say(d, text)
	h.env.RegisterDelayedCallback(func() { h.env.SetContinueAsNewSuggested(true) }, d+time.Minute)
}

func TestContinueAsNewCarriesTheTicket(t *testing.T) {
	first := newHarness(t, start)
	first.Triage = triageResult(4)
	first.mustAct(hour, modTaman, hailurah.ActionRequest{Action: hailurah.ActionVerify, Subkategori: "got"})
	first.say(2*hour, "ANONIM YA", "wamid.anon")
	first.suggestContinueAsNew(5*hour, "Pesan panjang ke-100")

	next := first.continuedInput(input())

	if first.ended() != 5*hour+time.Minute {
		t.Errorf("continued at %v, want at the suggestion", first.ended())
	}
	if len(next.Resume) == 0 || next.TicketID != "HL-2026-000123" || next.First.Text == "" || next.Policy.Moderator.Default != 24*hour {
		t.Fatalf("next input: %+v", next)
	}
	// The message that arrived with the suggestion was handled before the
	// run ended, not lost between runs.
	if msgs := first.eventsOf(hailurah.EventCitizenMessage); len(msgs) != 1 || msgs[0].in.Event.Note != "Pesan panjang ke-100" {
		t.Errorf("message before continue-as-new: %+v", msgs)
	}
	lastSeq := first.projected[len(first.projected)-1].in.Event.Seq
	lastVersion := first.lastTicket().Version

	second := newHarness(t, start.Add(5*hour+time.Minute))
	state := second.stateAt(30 * time.Second)
	second.say(time.Minute, "ANONIM YA", "wamid.anon") // redelivered across runs
	second.say(2*time.Minute, "STATUS")
	second.mustAct(hour, modTaman, hailurah.ActionRequest{Action: hailurah.ActionAssign, Unit: "dlh"})
	second.mustAct(2*hour, dinasDLH, hailurah.ActionRequest{Action: hailurah.ActionAccept})
	second.mustAct(3*hour, dinasDLH, hailurah.ActionRequest{Action: hailurah.ActionDone, Text: "Selesai."})
	second.say(4*hour, "SESUDAH")
	second.say(5*hour, "5")

	st := second.run(next)

	if state.Status != hailurah.StatusOpen || !state.Verified || state.Subkategori != "got" || !state.Anonim ||
		!state.Escalated || state.MessagesCount != 3 || state.TicketID != "HL-2026-000123" {
		t.Errorf("resumed state: %+v", state)
	}
	if second.triaged != 0 || len(second.sentOf(hailurah.OutboxAck)) != 0 || len(second.sentOf(hailurah.OutboxReply)) != 0 {
		t.Errorf("intake ran again: triaged %d, sent %v", second.triaged, second.kinds())
	}
	if len(second.notifiedOf(hailurah.NotifyEscalation)) != 0 {
		t.Error("the escalation was sent again")
	}
	if len(second.eventsOf(hailurah.EventFlags)) != 0 {
		t.Error("a message seen before continue-as-new was handled again")
	}
	// Keys and versions go on from where the first run stopped.
	if e := second.projected[0].in.Event; e.Seq != lastSeq+1 || e.Key != fmt.Sprintf("HL-2026-000123/default-test-run-id/%d", lastSeq+1) {
		t.Errorf("first event of the new run %s (seq %d), last of the old seq %d", e.Key, e.Seq, lastSeq)
	}
	if v := second.projected[0].in.Ticket.Version; v <= lastVersion {
		t.Errorf("version went back: %d after %d", v, lastVersion)
	}
	if st.Status != hailurah.StatusResolved || st.Rating != 5 || st.MessagesCount != 6 {
		t.Errorf("final: %+v", st)
	}
}

func TestContinueAsNewKeepsDeadlines(t *testing.T) {
	first := newHarness(t, start)
	first.mustAct(hour, modTaman, hailurah.ActionRequest{Action: hailurah.ActionResolve, Text: "Saran: kerja bakti."})
	// After the reminder at 49h, before the auto-close at 169h.
	first.suggestContinueAsNew(50*hour, "halo?")

	next := first.continuedInput(input())
	if n := len(first.sentOf(hailurah.OutboxConfirmReminder)); n != 1 {
		t.Fatalf("reminders before continue-as-new: %d", n)
	}

	second := newHarness(t, start.Add(50*hour+time.Minute))
	st := second.run(next)

	if n := len(second.sentOf(hailurah.OutboxConfirmReminder)); n != 0 {
		t.Errorf("the reminder was sent again (%d)", n)
	}
	if st.Status != hailurah.StatusClosed || second.ended() != 119*hour-time.Minute {
		t.Errorf("want auto-close 168h after the question (119h less a minute into the new run), got %s at %v", st.Status, second.ended())
	}
}

func TestContinueAsNewDuringModeratorWaitKeepsSLA(t *testing.T) {
	first := newHarness(t, start)
	first.suggestContinueAsNew(30*hour, "masih banjir")
	next := first.continuedInput(input())
	if b := first.notifiedOf(hailurah.NotifyModeratorBreach); len(b) != 1 || b[0].at != 24*hour {
		t.Fatalf("first run breaches: %+v", b)
	}

	second := newHarness(t, start.Add(30*hour+time.Minute))
	second.mustAct(20*hour, modTaman, hailurah.ActionRequest{Action: hailurah.ActionReject, Reason: "uji"})
	second.run(next)

	// The second level falls at 48h from receipt: 18h less a minute into
	// the new run.
	if b := second.notifiedOf(hailurah.NotifyModeratorBreach); len(b) != 1 || b[0].at != 18*hour-time.Minute || b[0].in.Level != 2 {
		t.Errorf("second run breaches: %+v", b)
	}
}
