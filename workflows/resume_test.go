package workflows_test

import (
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/workflows"
)

// recorded is a ticket recorded before its workflow starts, as seed-demo
// writes one: received ago before the run starts, triaged (two events and
// the AI reply in the outbox), at version 3, then moved on by change.
func recorded(t *testing.T, ago time.Duration, urgency int, change func(st *hailurah.TicketState)) hailurah.CurhatInput {
	t.Helper()
	in := input()
	received := start.Add(-ago)
	in.First.At = received
	tr := triageResult(urgency)
	st := hailurah.TicketState{
		TicketID: in.TicketID, TrackingCode: in.TrackingCode, Kelurahan: in.Kelurahan, Channel: in.Channel,
		RT: "03", RW: "02", Status: hailurah.StatusOpen, ReceivedAt: received, UpdatedAt: received,
		Summary: tr.Summary, Kategori: tr.Kategori, Urgency: urgency, Severity: tr.Severity, SuggestedUnit: tr.Unit,
		ModelVersion: tr.ModelVersion, LastCitizenMessageAt: received, MessagesCount: 1, Version: 3,
	}
	if change != nil {
		change(&st)
	}
	in, err := workflows.ResumeCurhat(in, workflows.CurhatFrom{State: st, Triage: tr, Events: 2, Sends: 1})
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func at(d time.Duration) *time.Time {
	t := start.Add(d)
	return &t
}

// An open ticket whose moderator deadline passed twice before its
// workflow started escalates both levels at once, with event keys and
// versions going on from the row's, and runs no intake.
func TestResumeOverdueOpenTicketEscalatesAtOnce(t *testing.T) {
	h := newHarness(t, start)
	h.mustAct(hour, modTaman, hailurah.ActionRequest{Action: hailurah.ActionReject, Reason: "Duplikat."})
	state := h.stateAt(time.Minute)

	h.run(recorded(t, 50*hour, 3, nil))

	b := h.notifiedOf(hailurah.NotifyModeratorBreach)
	if len(b) != 2 || b[0].at != 0 || b[1].at != 0 || b[0].in.Level != 1 || b[1].in.Level != 2 {
		t.Fatalf("breaches: %+v", b)
	}
	if got := audiences(b[1]); got != "lurah:taman,moderator:taman,admin:" {
		t.Errorf("second level to %s", got)
	}
	if h.triaged != 0 || len(h.sentOf(hailurah.OutboxAck)) != 0 || len(h.sentOf(hailurah.OutboxReply)) != 0 {
		t.Errorf("intake ran: triaged %d, sent %v", h.triaged, h.kinds())
	}
	first := h.projected[0].in
	if first.Event.Seq != 3 || first.Event.Key != "HL-2026-000123/default-test-run-id/3" || first.Ticket.Version <= 3 {
		t.Errorf("first projection: event %s seq %d, version %d", first.Event.Key, first.Event.Seq, first.Ticket.Version)
	}
	if first.Ticket.SuggestedResponseType != "B" || first.Ticket.ModelVersion != "rules-v1" || !first.Ticket.DatetimeReceived.Equal(start.Add(-50*hour)) {
		t.Errorf("projection lost the recorded triage: %+v", first.Ticket)
	}
	if state.ModeratorBreachLevel != 2 || !state.ModeratorDue.Equal(start.Add(-26*hour)) || !state.Triaged {
		t.Errorf("state after start: %+v", state)
	}
}

// A task keeps the unit's deadline counted from its assignment: assigned
// three days before the start with seven days to go, it breaches four
// days into the run.
func TestResumeTaskWaitsWhatIsLeft(t *testing.T) {
	h := newHarness(t, start)
	h.mustAct(hour, dinasDLH, hailurah.ActionRequest{Action: hailurah.ActionAccept})
	h.mustAct(4*day+hour, dinasDLH, hailurah.ActionRequest{Action: hailurah.ActionDone, Text: "Got sudah dikeruk."})
	h.say(4*day+2*hour, "SESUDAH")
	h.say(4*day+3*hour, "5")

	st := h.run(recorded(t, 4*day, 4, func(st *hailurah.TicketState) {
		st.Status, st.Verified, st.Unit, st.AssignedAt = hailurah.StatusAssigned, true, "dlh", at(-3*day)
		st.FinalAction, st.Escalated = hailurah.FinalActionReferred, true
	}))

	b := h.notifiedOf(hailurah.NotifyDinasBreach)
	if len(b) != 1 || b[0].at != 4*day || b[0].in.Level != 1 {
		t.Fatalf("unit breaches: %+v", b)
	}
	if len(h.notifiedOf(hailurah.NotifyModeratorBreach)) != 0 || len(h.notifiedOf(hailurah.NotifyEscalation)) != 0 {
		t.Errorf("notified again what the row had: %v", h.notified)
	}
	if st.Status != hailurah.StatusResolved || st.Rating != 5 || !st.DinasDue.Equal(start.Add(4*day)) {
		t.Errorf("final: %+v", st)
	}
}

// A question to the citizen asked 50 hours before the start: the 48-hour
// reminder goes at once, and the ticket closes 168 hours after the
// question.
func TestResumeConfirmationRemindsAndCloses(t *testing.T) {
	h := newHarness(t, start)
	st := h.run(recorded(t, 3*day, 2, func(st *hailurah.TicketState) {
		st.Status, st.Verified, st.FinalAction, st.ConfirmAskedAt = hailurah.StatusAwaitingConfirmation, true, hailurah.FinalActionAdvice, at(-50*hour)
	}))
	if r := h.sentOf(hailurah.OutboxConfirmReminder); len(r) != 1 || r[0].at != 0 || r[0].in.Seq != 2 {
		t.Errorf("reminders: %+v", r)
	}
	if st.Status != hailurah.StatusClosed || h.ended() != 118*hour {
		t.Errorf("closed %s at %v, want closed at 118h", st.Status, h.ended())
	}
}

// A resolved ticket waits for its rating only what is left of the week.
func TestResumeResolvedWaitsForRating(t *testing.T) {
	h := newHarness(t, start)
	st := h.run(recorded(t, 4*day, 2, func(st *hailurah.TicketState) {
		st.Status, st.Verified, st.ConfirmAskedAt, st.ResolvedAt = hailurah.StatusResolved, true, at(-3*day), at(-2*day)
	}))
	if st.Status != hailurah.StatusResolved || st.Rating != 0 || h.ended() != 5*day || len(h.projected) != 0 {
		t.Errorf("ended %s at %v with %d projections", st.Status, h.ended(), len(h.projected))
	}
}

func TestResumeCurhatRefusesIncompleteState(t *testing.T) {
	for name, change := range map[string]func(*hailurah.TicketState){
		"new":                     func(st *hailurah.TicketState) { st.Status = hailurah.StatusNew },
		"closed":                  func(st *hailurah.TicketState) { st.Status = hailurah.StatusClosed },
		"task without assignment": func(st *hailurah.TicketState) { st.Status, st.Unit = hailurah.StatusInProgress, "dlh" },
		"question without time":   func(st *hailurah.TicketState) { st.Status = hailurah.StatusAwaitingConfirmation },
		"another ticket":          func(st *hailurah.TicketState) { st.TicketID = "HL-2026-000999" },
	} {
		st := hailurah.TicketState{TicketID: "HL-2026-000123", Status: hailurah.StatusOpen, ReceivedAt: start}
		change(&st)
		if _, err := workflows.ResumeCurhat(input(), workflows.CurhatFrom{State: st}); err == nil {
			t.Errorf("%s: resumed", name)
		}
	}
}
