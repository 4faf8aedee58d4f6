package workflows_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hailurah/hailurah"
)

func TestHappyPath(t *testing.T) {
	h := newHarness(t, start)
	atOpen := h.stateAt(10 * time.Minute)
	h.mustAct(2*hour, modTaman, hailurah.ActionRequest{Action: hailurah.ActionVerify, Subkategori: "got tersumbat"})
	assign := h.act(3*hour, modTaman, hailurah.ActionRequest{Action: hailurah.ActionAssign, Unit: "dlh"})
	h.mustAct(day, dinasDLH, hailurah.ActionRequest{Action: hailurah.ActionAccept})
	h.mustAct(2*day, dinasDLH, hailurah.ActionRequest{Action: hailurah.ActionProgress, Text: "Tim survei ke lokasi."})
	done := h.act(3*day, dinasDLH, hailurah.ActionRequest{Action: hailurah.ActionDone, Text: "Got sudah dikeruk.",
		Evidence: []string{"https://example.org/foto1.jpg"}})
	h.say(3*day+hour, "SESUDAH")
	h.say(3*day+2*hour, "5")

	st := h.run(input())

	if h.ended() != 3*day+2*hour {
		t.Errorf("ended at %v, want right after the rating", h.ended())
	}
	if atOpen.Status != hailurah.StatusOpen || atOpen.Kategori != hailurah.KategoriLingkungan || atOpen.Urgency != 3 {
		t.Errorf("after intake: %+v", atOpen)
	}
	if want := start.Add(24 * hour); atOpen.ModeratorDue == nil || !atOpen.ModeratorDue.Equal(want) {
		t.Errorf("moderator due = %v, want %v", atOpen.ModeratorDue, want)
	}
	// The update returns the state after the action.
	if assign.state.Status != hailurah.StatusAssigned || assign.state.Unit != "dlh" {
		t.Errorf("assign returned %+v", assign.state)
	}
	if want := start.Add(3*hour + 14*day); assign.state.DinasDue == nil || !assign.state.DinasDue.Equal(want) {
		t.Errorf("dinas due = %v, want %v (urgency 3: 14 days)", assign.state.DinasDue, want)
	}
	if done.state.Status != hailurah.StatusAwaitingConfirmation {
		t.Errorf("done returned status %s", done.state.Status)
	}

	if st.Status != hailurah.StatusResolved || st.Rating != 5 || st.Unit != "dlh" || !st.Verified || st.VerifiedBy != "siti" {
		t.Errorf("final state: %+v", st)
	}
	if st.ModeratorBreached || st.DinasBreached || st.Escalated {
		t.Errorf("no SLA was breached and nothing escalated: %+v", st)
	}
	if st.Subkategori != "got tersumbat" || st.FinalAction != hailurah.FinalActionReferred {
		t.Errorf("verify correction or final action lost: %+v", st)
	}
	if st.MessagesCount != 3 {
		t.Errorf("messages = %d, want 3", st.MessagesCount)
	}

	equal(t, "citizen messages", h.kinds(), []string{
		hailurah.OutboxAck, hailurah.OutboxReply, hailurah.OutboxStatus, hailurah.OutboxConfirm,
		hailurah.OutboxRatingQuestion, hailurah.OutboxRatingThanks,
	})
	if ack := h.sent[0]; ack.at != 0 || ack.in.KelurahanName != "Taman" || ack.in.Recipient != "phonehash_abc123" {
		t.Errorf("ACK: %+v at %v", ack.in, ack.at)
	}
	if reply := h.sent[1].in; reply.Triage == nil || reply.Triage.Summary == "" {
		t.Errorf("reply without triage: %+v", reply)
	}
	equal(t, "timeline", h.events(), []string{
		"created →new",
		"triaged new→open",
		"verify open→open",
		"assign open→assigned",
		"accept assigned→in_progress",
		"progress in_progress→in_progress",
		"done in_progress→awaiting_confirmation",
		"citizen_confirmed awaiting_confirmation→resolved",
		"rated resolved→resolved",
	})
	if ev := h.eventsOf(hailurah.ActionDone)[0].in.Event; len(ev.Attachments) != 1 || ev.Actor != "joko" || ev.Role != hailurah.RoleDinas {
		t.Errorf("done event: %+v", ev)
	}
	var kinds []string
	for _, n := range h.notified {
		kinds = append(kinds, n.in.Kind+" "+audiences(n))
	}
	equal(t, "notifications", kinds, []string{"assigned dinas:dlh", "done moderator:taman"})

	// Event keys are unique and versions only grow, so the store can apply
	// retries and late writes safely.
	keys := map[string]bool{}
	var last int64
	for _, p := range h.projected {
		if keys[p.in.Event.Key] {
			t.Errorf("duplicate event key %s", p.in.Event.Key)
		}
		keys[p.in.Event.Key] = true
		if p.in.Ticket.Version <= last {
			t.Errorf("version %d after %d", p.in.Ticket.Version, last)
		}
		last = p.in.Ticket.Version
	}
	if tk := h.lastTicket(); tk.Status != hailurah.StatusResolved || tk.Rating != 5 || tk.AssignedUnit != "dlh" ||
		tk.MessageText == "" || len(tk.RawPayload) == 0 || tk.SuggestedResponseType != "B" || tk.RT != "03" {
		t.Errorf("projected ticket: %+v", tk)
	}
}

func TestModeratorBreachAt24hAnd48h(t *testing.T) {
	h := newHarness(t, start)
	at23 := h.stateAt(23 * hour)
	at25 := h.stateAt(25 * hour)
	h.mustAct(80*hour, modTaman, hailurah.ActionRequest{Action: hailurah.ActionReject, Reason: "Sudah ditangani RT."})

	st := h.run(input())

	breaches := h.notifiedOf(hailurah.NotifyModeratorBreach)
	if len(breaches) != 2 {
		t.Fatalf("breach notifications: %d, want 2 (escalation_levels: 2)", len(breaches))
	}
	if b := breaches[0]; b.at != 24*hour || b.in.Level != 1 || audiences(b) != "lurah:taman,moderator:taman" {
		t.Errorf("first breach: level %d at %v to %s", b.in.Level, b.at, audiences(b))
	}
	if b := breaches[1]; b.at != 48*hour || b.in.Level != 2 || audiences(b) != "lurah:taman,moderator:taman,admin:" {
		t.Errorf("second breach: level %d at %v to %s", b.in.Level, b.at, audiences(b))
	}
	if b := breaches[0].in.Ticket; !b.ModeratorBreached || b.ModeratorBreachLevel != 1 {
		t.Errorf("the notification must carry the breached ticket: %+v", b)
	}
	if at23.ModeratorBreached || !at25.ModeratorBreached || at25.ModeratorBreachLevel != 1 || at25.Status != hailurah.StatusOpen {
		t.Errorf("at 23h: %+v\nat 25h: %+v", at23, at25)
	}
	if got := h.eventsOf(hailurah.EventModeratorBreach); len(got) != 2 || got[0].at != 24*hour || got[1].in.Ticket.ModeratorBreachLevel != 2 {
		t.Errorf("breach events: %+v", got)
	}
	if st.Status != hailurah.StatusRejected || !st.ModeratorBreached || st.ModeratorBreachLevel != 2 || h.ended() != 80*hour {
		t.Errorf("final: %+v, ended %v", st, h.ended())
	}
	if !h.lastTicket().ModeratorBreached {
		t.Error("the projection must keep the breach")
	}
}

func TestModeratorSLAByUrgencyAndVerifyStopsIt(t *testing.T) {
	h := newHarness(t, start)
	h.Triage = triageResult(5) // rules.yaml: moderator by_urgency 5: 1h
	h.mustAct(90*time.Minute, modTaman, hailurah.ActionRequest{Action: hailurah.ActionVerify})
	h.mustAct(10*hour, modTaman, hailurah.ActionRequest{Action: hailurah.ActionReject, Reason: "Duplikat.", DuplicateOf: "HL-2026-000100"})

	st := h.run(input())

	breaches := h.notifiedOf(hailurah.NotifyModeratorBreach)
	if len(breaches) != 1 || breaches[0].at != hour {
		t.Fatalf("want one breach at 1h (verified at 1h30 before the second level), got %+v", breaches)
	}
	if st.ModeratorBreachLevel != 1 || !st.ModeratorBreached {
		t.Errorf("final: %+v", st)
	}
}

func TestEscalationRules(t *testing.T) {
	tembusanYes := true
	tests := []struct {
		name     string
		urgency  int
		keywords []string
		flag     bool
		tembusan *bool // in the input
		inText   *bool // TEMBUSAN: YA found by triage
		want     []string
	}{
		{name: "urgency 3 stays with the moderators", urgency: 3},
		{name: "urgency 4 escalates", urgency: 4, want: []string{"escalation lurah:taman,moderator:taman"}},
		{name: "a critical keyword escalates", urgency: 2, keywords: []string{"gizi buruk"}, want: []string{"escalation lurah:taman,moderator:taman"}},
		{name: "the classifier's flag escalates", urgency: 2, flag: true, want: []string{"escalation lurah:taman,moderator:taman"}},
		{name: "tembusan sends the lurah the summary", urgency: 2, tembusan: &tembusanYes, want: []string{"tembusan lurah:taman"}},
		{name: "tembusan in the message text", urgency: 2, inText: &tembusanYes, want: []string{"tembusan lurah:taman"}},
		{name: "escalation covers tembusan", urgency: 5, tembusan: &tembusanYes, want: []string{"escalation lurah:taman,moderator:taman"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, start)
			h.Triage = triageResult(tt.urgency)
			h.Triage.CriticalKeywords = tt.keywords
			h.Triage.Escalate = tt.flag
			h.Triage.Tembusan = tt.inText
			h.mustAct(30*time.Minute, modTaman, hailurah.ActionRequest{Action: hailurah.ActionReject, Reason: "uji"})
			in := input()
			in.Tembusan = tt.tembusan

			st := h.run(in)

			var got []string
			for _, n := range h.notified {
				if n.at != 0 {
					t.Errorf("%s sent at %v, want at intake", n.in.Kind, n.at)
				}
				got = append(got, n.in.Kind+" "+audiences(n))
			}
			equal(t, "notifications", got, tt.want)
			if st.Escalated != (len(tt.want) > 0 && tt.want[0][:10] == "escalation") {
				t.Errorf("escalated = %v", st.Escalated)
			}
			if len(tt.want) > 0 && tt.want[0][:10] == "escalation" && len(h.eventsOf(hailurah.EventEscalated)) != 1 {
				t.Error("the escalation must be on the timeline")
			}
		})
	}
}

func TestDinasBreach(t *testing.T) {
	h := newHarness(t, start)
	h.Triage = triageResult(5)
	h.mustAct(30*time.Minute, modTaman, hailurah.ActionRequest{Action: hailurah.ActionVerify})
	h.mustAct(hour, modTaman, hailurah.ActionRequest{Action: hailurah.ActionAssign, Unit: "pupr"})
	h.mustAct(2*hour, dinasPUPR, hailurah.ActionRequest{Action: hailurah.ActionAccept})
	at26 := h.stateAt(26 * hour)
	h.mustAct(60*hour, dinasPUPR, hailurah.ActionRequest{Action: hailurah.ActionDone, Text: "Selesai."})
	h.say(61*hour, "sesudah")
	h.say(62*hour, "4")

	st := h.run(input())

	breaches := h.notifiedOf(hailurah.NotifyDinasBreach)
	if len(breaches) != 2 {
		t.Fatalf("dinas breaches: %d, want 2", len(breaches))
	}
	// Urgency 5: one day from the assignment at 1h.
	if b := breaches[0]; b.at != 25*hour || b.in.Level != 1 || audiences(b) != "lurah:taman,moderator:taman,dinas:pupr" {
		t.Errorf("first: level %d at %v to %s", b.in.Level, b.at, audiences(b))
	}
	if b := breaches[1]; b.at != 49*hour || b.in.Level != 2 || audiences(b) != "lurah:taman,moderator:taman,admin:,dinas:pupr" {
		t.Errorf("second: level %d at %v to %s", b.in.Level, b.at, audiences(b))
	}
	if !at26.DinasBreached || at26.DinasBreachLevel != 1 || at26.Status != hailurah.StatusInProgress {
		t.Errorf("at 26h: %+v", at26)
	}
	if len(h.notifiedOf(hailurah.NotifyModeratorBreach)) != 0 {
		t.Error("the moderator verified in time")
	}
	if st.Status != hailurah.StatusResolved || !st.DinasBreached || st.DinasBreachLevel != 2 || st.Rating != 4 {
		t.Errorf("final: %+v", st)
	}
}

// urgentTaskOnWorkingDays runs an urgency-5 ticket received at received
// on a working-day dinas SLA counted in zone: verified after 30 minutes,
// assigned to DLH after an hour, accepted after four days, done after
// five, then confirmed and rated. It returns the harness and the assign.
func urgentTaskOnWorkingDays(t *testing.T, received time.Time, zone hailurah.Zone) (*harness, *updateResult) {
	t.Helper()
	h := newHarness(t, received)
	h.Triage = triageResult(5)
	in := input()
	in.First.At = received
	in.Policy.Dinas.Calendar = hailurah.CalendarWorkingDays
	in.Policy.Zone = zone
	h.mustAct(30*time.Minute, modTaman, hailurah.ActionRequest{Action: hailurah.ActionVerify})
	assign := h.act(hour, modTaman, hailurah.ActionRequest{Action: hailurah.ActionAssign, Unit: "dlh"})
	h.mustAct(4*day, dinasDLH, hailurah.ActionRequest{Action: hailurah.ActionAccept})
	h.mustAct(5*day, dinasDLH, hailurah.ActionRequest{Action: hailurah.ActionDone, Text: "Selesai."})
	h.say(5*day+hour, "SESUDAH")
	h.say(5*day+2*hour, "5")
	h.run(in)
	return h, assign
}

func TestDinasSLACountsWorkingDays(t *testing.T) {
	friday := time.Date(2026, 7, 3, 14, 0, 0, 0, wib)
	h, assign := urgentTaskOnWorkingDays(t, friday, hailurah.Zone{}) // assigned Friday 15:00

	monday := time.Date(2026, 7, 6, 15, 0, 0, 0, wib)
	if assign.state.DinasDue == nil || !assign.state.DinasDue.Equal(monday) {
		t.Errorf("due = %v, want Monday 15:00 WIB", assign.state.DinasDue)
	}
	breaches := h.notifiedOf(hailurah.NotifyDinasBreach)
	if len(breaches) != 2 {
		t.Fatalf("breaches: %+v", breaches)
	}
	if got := friday.Add(breaches[0].at); !got.Equal(monday) {
		t.Errorf("first breach at %v, want Monday 15:00", got.In(wib))
	}
	if got, want := friday.Add(breaches[1].at), monday.Add(day); !got.Equal(want) {
		t.Errorf("second breach at %v, want Tuesday 15:00", got.In(wib))
	}
}

// TestDinasSLACountsInTheTicketsZone: a WITA kelurahan's working days
// begin at its own midnight. Friday 23:30 WIB is already Saturday 00:30
// WITA, so a one-working-day task assigned then is due at the end of
// Monday WITA (Monday 23:00 WIB), not at Monday 23:30 WIB.
func TestDinasSLACountsInTheTicketsZone(t *testing.T) {
	wita, err := hailurah.LoadZone("Asia/Makassar")
	if err != nil {
		t.Fatal(err)
	}
	friday := time.Date(2026, 7, 3, 22, 30, 0, 0, wib)
	h, assign := urgentTaskOnWorkingDays(t, friday, wita) // assigned Friday 23:30 WIB

	endOfMonday := time.Date(2026, 7, 7, 0, 0, 0, 0, wita.Location())
	if assign.state.DinasDue == nil || !assign.state.DinasDue.Equal(endOfMonday) {
		t.Fatalf("due = %v, want %v (Tuesday 00:00 WITA)", assign.state.DinasDue, endOfMonday)
	}
	breaches := h.notifiedOf(hailurah.NotifyDinasBreach)
	if len(breaches) == 0 || !friday.Add(breaches[0].at).Equal(endOfMonday) {
		t.Errorf("first breach: %+v, want at %v", breaches, endOfMonday)
	}
}

func TestAssignWithDueDate(t *testing.T) {
	h := newHarness(t, start)
	due := start.Add(10 * day)
	h.mustAct(hour, modTaman, hailurah.ActionRequest{Action: hailurah.ActionAssign, Unit: "dlh", DueAt: &due})
	h.mustAct(11*day, dinasDLH, hailurah.ActionRequest{Action: hailurah.ActionAccept})
	h.mustAct(12*day, dinasDLH, hailurah.ActionRequest{Action: hailurah.ActionDone, Text: "Selesai."})
	h.say(12*day+hour, "SESUDAH")
	h.say(12*day+2*hour, "3")

	h.run(input())

	breaches := h.notifiedOf(hailurah.NotifyDinasBreach)
	if len(breaches) != 1 || breaches[0].at != 10*day {
		t.Fatalf("want one breach at the given due date, got %+v", breaches)
	}
	if got := breaches[0].in.Ticket.DinasDue; got == nil || !got.Equal(due) {
		t.Errorf("dinas due = %v", got)
	}
}

func TestReturnToModerator(t *testing.T) {
	h := newHarness(t, start)
	h.mustAct(hour, modTaman, hailurah.ActionRequest{Action: hailurah.ActionVerify})
	h.mustAct(2*hour, modTaman, hailurah.ActionRequest{Action: hailurah.ActionAssign, Unit: "dlh"})
	ret := h.act(5*hour, dinasDLH, hailurah.ActionRequest{Action: hailurah.ActionReturn, Reason: "Bukan wewenang DLH; saluran milik PUPR."})
	late := h.act(6*hour, dinasDLH, hailurah.ActionRequest{Action: hailurah.ActionAccept})
	h.mustAct(30*hour, modTaman, hailurah.ActionRequest{Action: hailurah.ActionAssign, Unit: "pupr"})
	h.mustAct(31*hour, dinasPUPR, hailurah.ActionRequest{Action: hailurah.ActionAccept})
	h.mustAct(40*hour, dinasPUPR, hailurah.ActionRequest{Action: hailurah.ActionDone, Text: "Saluran diperbaiki."})
	h.say(41*hour, "SESUDAH")
	h.say(42*hour, "5")

	st := h.run(input())

	if ret.state.Status != hailurah.StatusOpen || ret.state.Unit != "" || ret.state.Verified {
		t.Errorf("after return: %+v", ret.state)
	}
	if want := start.Add(5*hour + 24*hour); ret.state.ModeratorDue == nil || !ret.state.ModeratorDue.Equal(want) {
		t.Errorf("moderator SLA must restart at the return: due %v, want %v", ret.state.ModeratorDue, want)
	}
	if returned := h.notifiedOf(hailurah.NotifyReturned); len(returned) != 1 || audiences(returned[0]) != "moderator:taman" ||
		returned[0].in.Note == "" || returned[0].in.Actor != "joko" {
		t.Errorf("returned notifications: %+v", returned)
	}
	if late.accepted || errorType(late.err) != "forbidden" {
		t.Errorf("DLH after the return: accepted=%v err=%v", late.accepted, late.err)
	}
	breaches := h.notifiedOf(hailurah.NotifyModeratorBreach)
	if len(breaches) != 1 || breaches[0].at != 29*hour {
		t.Errorf("want one breach 24h after the return, got %+v", breaches)
	}
	if st.Status != hailurah.StatusResolved || st.Unit != "pupr" {
		t.Errorf("final: %+v", st)
	}
	if len(h.eventsOf(hailurah.ActionReturn)) != 1 || h.eventsOf(hailurah.ActionReturn)[0].in.Event.To != hailurah.StatusOpen {
		t.Error("return must be on the timeline")
	}
}

func TestReject(t *testing.T) {
	t.Run("spam", func(t *testing.T) {
		h := newHarness(t, start)
		noReason := h.act(hour, modTaman, hailurah.ActionRequest{Action: hailurah.ActionReject})
		h.mustAct(2*hour, lurahTaman, hailurah.ActionRequest{Action: hailurah.ActionReject, Reason: "Spam promosi."})

		st := h.run(input())

		if !noReason.rejected || errorType(noReason.err) != "invalid" {
			t.Errorf("reject without reason: rejected=%v err=%v", noReason.rejected, noReason.err)
		}
		if st.Status != hailurah.StatusRejected || st.RejectReason != "Spam promosi." || st.DuplicateOf != "" || h.ended() != 2*hour {
			t.Errorf("final: %+v at %v", st, h.ended())
		}
		if st.ClosedAt == nil || !st.ClosedAt.Equal(start.Add(2*hour)) {
			t.Errorf("closed at %v", st.ClosedAt)
		}
		if n := len(h.sentOf(hailurah.OutboxRejected)); n != 0 {
			t.Errorf("spam got %d rejection messages", n)
		}
	})
	t.Run("duplicate", func(t *testing.T) {
		h := newHarness(t, start)
		h.mustAct(hour, modTaman, hailurah.ActionRequest{Action: hailurah.ActionReject, Reason: "Laporan sama.", DuplicateOf: "HL-2026-000100"})

		st := h.run(input())

		if st.Status != hailurah.StatusRejected || st.DuplicateOf != "HL-2026-000100" {
			t.Errorf("final: %+v", st)
		}
		if msgs := h.sentOf(hailurah.OutboxRejected); len(msgs) != 1 || msgs[0].in.DuplicateOf != "HL-2026-000100" {
			t.Errorf("rejection messages: %+v", msgs)
		}
		if tk := h.lastTicket(); tk.DuplicateOf != "HL-2026-000100" || tk.Status != hailurah.StatusRejected {
			t.Errorf("projection: %+v", tk)
		}
	})
}

func TestReminderAndAutoClose(t *testing.T) {
	h := newHarness(t, start)
	h.mustAct(hour, modTaman, hailurah.ActionRequest{Action: hailurah.ActionResolve, Text: "Silakan kerja bakti dan lapor RT."})
	at := h.stateAt(2 * hour)

	st := h.run(input())

	if at.Status != hailurah.StatusAwaitingConfirmation || at.FinalAction != hailurah.FinalActionAdvice {
		t.Errorf("after resolve: %+v", at)
	}
	if advice := h.sentOf(hailurah.OutboxStaffReply); len(advice) != 1 || advice[0].in.Text == "" {
		t.Errorf("advice: %+v", advice)
	}
	if q := h.sentOf(hailurah.OutboxConfirm); len(q) != 1 || q[0].at != hour {
		t.Errorf("confirmation question: %+v", q)
	}
	if r := h.sentOf(hailurah.OutboxConfirmReminder); len(r) != 1 || r[0].at != hour+48*hour {
		t.Errorf("reminder: %+v", r)
	}
	if c := h.sentOf(hailurah.OutboxClosed); len(c) != 1 || c[0].at != hour+168*hour {
		t.Errorf("closing message: %+v", c)
	}
	if st.Status != hailurah.StatusClosed || h.ended() != hour+168*hour {
		t.Errorf("final: %s at %v", st.Status, h.ended())
	}
	if st.ClosedAt == nil || !st.ClosedAt.Equal(start.Add(169*hour)) {
		t.Errorf("closed at %v", st.ClosedAt)
	}
	equal(t, "timeline tail", h.events()[len(h.events())-2:], []string{
		"confirm_reminder awaiting_confirmation→awaiting_confirmation",
		"auto_closed awaiting_confirmation→closed",
	})
}

func TestBelumReopensThenResolved(t *testing.T) {
	h := newHarness(t, start)
	h.mustAct(hour, modTaman, hailurah.ActionRequest{Action: hailurah.ActionAssign, Unit: "dlh"})
	h.mustAct(2*hour, dinasDLH, hailurah.ActionRequest{Action: hailurah.ActionAccept})
	h.mustAct(3*day, dinasDLH, hailurah.ActionRequest{Action: hailurah.ActionDone, Text: "Got dikeruk."})
	h.say(3*day+hour, "belum")
	reopened := h.stateAt(3*day + 2*hour)
	h.mustAct(3*day+3*hour, modTaman, hailurah.ActionRequest{Action: hailurah.ActionAssign, Unit: "dlh"})
	h.mustAct(3*day+4*hour, dinasDLH, hailurah.ActionRequest{Action: hailurah.ActionAccept})
	h.mustAct(5*day, dinasDLH, hailurah.ActionRequest{Action: hailurah.ActionDone, Text: "Saluran diperlebar."})
	h.say(5*day+hour, "SESUDAH")

	st := h.run(input())

	if reopened.Status != hailurah.StatusOpen || reopened.ReopenedCount != 1 || reopened.Unit != "" || reopened.Verified {
		t.Errorf("after BELUM: %+v", reopened)
	}
	if want := start.Add(3*day + hour + 24*hour); reopened.ModeratorDue == nil || !reopened.ModeratorDue.Equal(want) {
		t.Errorf("moderator due after reopen = %v, want %v", reopened.ModeratorDue, want)
	}
	if n := h.notifiedOf(hailurah.NotifyReopened); len(n) != 1 || audiences(n[0]) != "moderator:taman" || n[0].in.Ticket.ReopenedCount != 1 {
		t.Errorf("reopened notifications: %+v", n)
	}
	if len(h.sentOf(hailurah.OutboxReopened)) != 1 || len(h.sentOf(hailurah.OutboxConfirm)) != 2 {
		t.Errorf("citizen messages: %v", h.kinds())
	}
	// Unrated, the resolved ticket waits the auto-close time for a rating.
	if st.Status != hailurah.StatusResolved || st.ReopenedCount != 1 || st.Rating != 0 || h.ended() != 5*day+hour+168*hour {
		t.Errorf("final: %+v, ended %v", st, h.ended())
	}
	if ev := h.eventsOf(hailurah.EventCitizenReopened); len(ev) != 1 || ev[0].in.Event.From != hailurah.StatusAwaitingConfirmation {
		t.Errorf("reopen events: %+v", ev)
	}
}

func TestCitizenCommands(t *testing.T) {
	h := newHarness(t, start)
	h.say(10*time.Minute, "ANONIM YA")
	h.say(20*time.Minute, "TEMBUSAN: YA")
	h.say(25*time.Minute, "tembusan ya") // the lurah is told once
	h.say(30*time.Minute, "LANJUT")
	h.say(40*time.Minute, "STATUS")
	h.say(50*time.Minute, "MINTA DRAFT SEDOT")
	h.say(60*time.Minute, "Tambahan: airnya sekarang setinggi lutut.", "wamid.extra")
	h.say(65*time.Minute, "Tambahan: airnya sekarang setinggi lutut.", "wamid.extra") // redelivered
	h.say(70*time.Minute, "5")                                                        // a rating before resolution is text
	h.say(80*time.Minute, "BELUM")                                                    // BELUM before the question is text
	mid := h.stateAt(90 * time.Minute)
	h.say(2*hour, "Sesudah") // solution A worked: the citizen closes the loop
	h.say(3*hour, "4")

	st := h.run(input())

	if !mid.Anonim || !mid.Tembusan || mid.Status != hailurah.StatusOpen || mid.Rating != 0 {
		t.Errorf("at 90m: %+v", mid)
	}
	// The first message plus eleven; the redelivery is not counted.
	if mid.MessagesCount != 10 || st.MessagesCount != 12 {
		t.Errorf("messages at 90m = %d, final = %d; want 10 and 12", mid.MessagesCount, st.MessagesCount)
	}
	if want := start.Add(80 * time.Minute); !mid.LastCitizenMessageAt.Equal(want) {
		t.Errorf("last citizen message at %v, want %v", mid.LastCitizenMessageAt, want)
	}
	if n := h.notifiedOf(hailurah.NotifyTembusan); len(n) != 1 || n[0].at != 20*time.Minute || audiences(n[0]) != "lurah:taman" {
		t.Errorf("tembusan notifications: %+v", n)
	}
	flags := h.sentOf(hailurah.OutboxFlags)
	if len(flags) != 3 || !flags[0].in.Anonim || flags[0].in.Tembusan || !flags[1].in.Tembusan {
		t.Errorf("flag confirmations: %+v", flags)
	}
	replies := h.sentOf(hailurah.OutboxReply)
	if len(replies) != 2 || replies[1].at != 30*time.Minute || replies[1].in.Triage == nil {
		t.Errorf("LANJUT must re-send the reply: %+v", replies)
	}
	if s := h.sentOf(hailurah.OutboxStatus); len(s) != 1 || s[0].in.Status != hailurah.StatusOpen {
		t.Errorf("STATUS: %+v", s)
	}
	if d := h.sentOf(hailurah.OutboxDraft); len(d) != 1 || d[0].in.Text != "DRAFT SURAT SEDOT" || len(h.drafts) != 1 ||
		h.drafts[0].Arg != "SEDOT" || !h.drafts[0].Anonim || h.drafts[0].Summary == "" || h.drafts[0].Unit != "dlh" {
		t.Errorf("MINTA DRAFT: sent %+v, drafted %+v", d, h.drafts)
	}
	if len(h.eventsOf(hailurah.EventDraftSent)) != 1 || len(h.eventsOf(hailurah.EventFlags)) != 3 {
		t.Errorf("timeline: %v", h.events())
	}
	texts := h.eventsOf(hailurah.EventCitizenMessage)
	var notes []string
	for _, e := range texts {
		notes = append(notes, e.in.Event.Note)
	}
	equal(t, "messages on the timeline", notes, []string{"LANJUT", "STATUS", "Tambahan: airnya sekarang setinggi lutut.", "5", "BELUM"})
	if st.Status != hailurah.StatusResolved || st.Rating != 4 || st.ReopenedCount != 0 || !st.Anonim {
		t.Errorf("final: %+v", st)
	}
	if tk := h.lastTicket(); !tk.PrivacyFlag || !tk.TembusanFlag {
		t.Errorf("flags must reach the projection: %+v", tk)
	}
	if c := h.eventsOf(hailurah.EventCitizenConfirmed); len(c) != 1 || c[0].in.Event.From != hailurah.StatusOpen {
		t.Errorf("SESUDAH from open: %+v", c)
	}
}

func TestCommandsDuringTriageWaitForIt(t *testing.T) {
	h := newHarness(t, start)
	// Signalled with the start, before triage has answered.
	h.say(0, "TEMBUSAN YA")
	h.say(0, "STATUS")
	h.mustAct(hour, modTaman, hailurah.ActionRequest{Action: hailurah.ActionReject, Reason: "uji"})

	h.run(input())

	// The citizen's TEMBUSAN YA reached the rules step, which sent the copy.
	if n := h.notifiedOf(hailurah.NotifyTembusan); len(n) != 1 {
		t.Errorf("tembusan notifications: %d, want 1", len(n))
	}
	if s := h.sentOf(hailurah.OutboxStatus); len(s) != 1 || s[0].in.Status != hailurah.StatusOpen {
		t.Errorf("STATUS must be answered after triage: %+v", s)
	}
}

func TestTriageFailureLeavesTicketToModerator(t *testing.T) {
	h := newHarness(t, start)
	h.TriageErr = errors.New("gemini down and rules crashed")
	h.say(10*time.Minute, "LANJUT")
	h.mustAct(hour, modTaman, hailurah.ActionRequest{Action: hailurah.ActionVerify, Kategori: hailurah.KategoriInfrastruktur, Urgency: 4})
	h.mustAct(2*hour, modTaman, hailurah.ActionRequest{Action: hailurah.ActionReject, Reason: "uji"})

	st := h.run(input())

	if h.triaged != 3 {
		t.Errorf("triage attempts = %d, want 3", h.triaged)
	}
	if len(h.sentOf(hailurah.OutboxReply)) != 0 {
		t.Error("no AI reply without a triage")
	}
	if s := h.sentOf(hailurah.OutboxStatus); len(s) != 1 {
		t.Errorf("LANJUT without a reply answers with the status: %v", h.kinds())
	}
	if n := h.notifiedOf(hailurah.NotifyTriageFailed); len(n) != 1 || audiences(n[0]) != "moderator:taman" {
		t.Errorf("triage failure notifications: %+v", n)
	}
	// The moderator's urgency 4 applies the escalation rules triage could not.
	if n := h.notifiedOf(hailurah.NotifyEscalation); len(n) != 1 || n[0].at != hour {
		t.Errorf("escalation after verify: %+v", n)
	}
	if st.Triaged || st.Kategori != hailurah.KategoriInfrastruktur || st.Urgency != 4 || !st.Escalated {
		t.Errorf("final: %+v", st)
	}
}

func TestValidatorRejections(t *testing.T) {
	h := newHarness(t, start)
	past := start.Add(-hour)
	type attempt struct {
		name  string
		at    time.Duration
		actor hailurah.Actor
		req   hailurah.ActionRequest
		want  string // error type
		r     *updateResult
	}
	attempts := []*attempt{
		// While triage runs.
		{name: "verify while new", at: 0, actor: modTaman, req: hailurah.ActionRequest{Action: hailurah.ActionVerify}, want: "conflict"},
		// Open, in Taman.
		{name: "fasilitator", at: hour, actor: fasilTaman, req: hailurah.ActionRequest{Action: hailurah.ActionVerify}, want: "forbidden"},
		{name: "moderator of another kelurahan", at: hour, actor: modNambangan, req: hailurah.ActionRequest{Action: hailurah.ActionVerify}, want: "forbidden"},
		{name: "lurah of another kelurahan", at: hour, actor: lurahNamb, req: hailurah.ActionRequest{Action: hailurah.ActionAssign, Unit: "dlh"}, want: "forbidden"},
		{name: "dinas before assignment", at: hour, actor: dinasDLH, req: hailurah.ActionRequest{Action: hailurah.ActionAccept}, want: "forbidden"},
		{name: "moderator doing a dinas action", at: hour, actor: modTaman, req: hailurah.ActionRequest{Action: hailurah.ActionAccept}, want: "forbidden"},
		{name: "assign without unit", at: hour, actor: modTaman, req: hailurah.ActionRequest{Action: hailurah.ActionAssign}, want: "invalid"},
		{name: "assign due in the past", at: hour, actor: modTaman, req: hailurah.ActionRequest{Action: hailurah.ActionAssign, Unit: "dlh", DueAt: &past}, want: "invalid"},
		{name: "reject without reason", at: hour, actor: modTaman, req: hailurah.ActionRequest{Action: hailurah.ActionReject}, want: "invalid"},
		{name: "duplicate of itself", at: hour, actor: modTaman, req: hailurah.ActionRequest{Action: hailurah.ActionReject, Reason: "x", DuplicateOf: "HL-2026-000123"}, want: "invalid"},
		{name: "urgency out of range", at: hour, actor: modTaman, req: hailurah.ActionRequest{Action: hailurah.ActionVerify, Urgency: 9}, want: "invalid"},
		{name: "unknown kategori", at: hour, actor: modTaman, req: hailurah.ActionRequest{Action: hailurah.ActionVerify, Kategori: "politik"}, want: "invalid"},
		{name: "unknown action", at: hour, actor: modTaman, req: hailurah.ActionRequest{Action: "delete"}, want: "invalid"},
		{name: "reply without text", at: hour, actor: modTaman, req: hailurah.ActionRequest{Action: hailurah.ActionReply, Text: "  "}, want: "invalid"},
		{name: "same kelurahan", at: hour, actor: modTaman, req: hailurah.ActionRequest{Action: hailurah.ActionSetKelurahan, Kelurahan: "taman"}, want: "conflict"},
		{name: "done while open", at: hour, actor: admin, req: hailurah.ActionRequest{Action: hailurah.ActionDone, Text: "x"}, want: "conflict"},
		// Assigned to DLH at 2h.
		{name: "another unit", at: 3 * hour, actor: dinasPUPR, req: hailurah.ActionRequest{Action: hailurah.ActionAccept}, want: "forbidden"},
		{name: "done before accept", at: 3 * hour, actor: dinasDLH, req: hailurah.ActionRequest{Action: hailurah.ActionDone, Text: "x"}, want: "conflict"},
		{name: "assign twice", at: 3 * hour, actor: modTaman, req: hailurah.ActionRequest{Action: hailurah.ActionAssign, Unit: "pupr"}, want: "conflict"},
		{name: "dinas writing a note", at: 3 * hour, actor: dinasDLH, req: hailurah.ActionRequest{Action: hailurah.ActionNote, Text: "x"}, want: "forbidden"},
		{name: "verify while assigned", at: 3 * hour, actor: lurahTaman, req: hailurah.ActionRequest{Action: hailurah.ActionVerify}, want: "conflict"},
		{name: "return without reason", at: 3 * hour, actor: dinasDLH, req: hailurah.ActionRequest{Action: hailurah.ActionReturn}, want: "invalid"},
		// Resolved at 7h, waiting for the rating.
		{name: "reply to a resolved ticket", at: 7*hour + time.Minute, actor: modTaman, req: hailurah.ActionRequest{Action: hailurah.ActionReply, Text: "x"}, want: "conflict"},
	}
	for _, at := range attempts {
		at.r = h.act(at.at, at.actor, at.req)
	}
	h.mustAct(2*hour, modTaman, hailurah.ActionRequest{Action: hailurah.ActionAssign, Unit: "dlh"})
	note := h.act(3*hour, lurahTaman, hailurah.ActionRequest{Action: hailurah.ActionNote, Text: "Pantau, warga lansia."})
	h.mustAct(4*hour, dinasDLH, hailurah.ActionRequest{Action: hailurah.ActionAccept})
	h.mustAct(5*hour, admin, hailurah.ActionRequest{Action: hailurah.ActionProgress, Text: "Dipantau admin."})
	h.mustAct(6*hour, dinasDLH, hailurah.ActionRequest{Action: hailurah.ActionDone, Text: "Selesai."})
	h.say(7*hour, "SESUDAH")
	h.say(8*hour, "5")

	h.run(input())

	for _, at := range attempts {
		if !at.r.rejected || at.r.accepted || errorType(at.r.err) != at.want {
			t.Errorf("%s: rejected=%v accepted=%v err=%v, want a %q rejection", at.name, at.r.rejected, at.r.accepted, at.r.err, at.want)
		}
	}
	if !note.completed || note.err != nil {
		t.Errorf("the lurah may do what a moderator does: %+v", note)
	}
	// A rejected update leaves no trace in the ticket's timeline.
	equal(t, "timeline", h.events(), []string{
		"created →new", "triaged new→open", "assign open→assigned", "note assigned→assigned",
		"accept assigned→in_progress", "progress in_progress→in_progress",
		"done in_progress→awaiting_confirmation", "citizen_confirmed awaiting_confirmation→resolved",
		"rated resolved→resolved",
	})
	// Messages reach the UI: they are Indonesian, not Go errors.
	var ae *temporal.ApplicationError
	if !errors.As(attempts[2].r.err, &ae) || !strings.Contains(ae.Error(), "kelurahan Anda") {
		t.Errorf("message: %v", attempts[2].r.err)
	}
}

func TestCityQueue(t *testing.T) {
	h := newHarness(t, start)
	h.Triage = triageResult(4)
	in := input()
	in.Kelurahan, in.KelurahanName = "", ""
	before := h.act(hour, modTaman, hailurah.ActionRequest{Action: hailurah.ActionVerify})
	elsewhere := h.act(hour, modTaman, hailurah.ActionRequest{Action: hailurah.ActionSetKelurahan, Kelurahan: "nambangan"})
	h.mustAct(2*hour, modTaman, hailurah.ActionRequest{Action: hailurah.ActionSetKelurahan, Kelurahan: "taman"})
	stranger := h.act(3*hour, modNambangan, hailurah.ActionRequest{Action: hailurah.ActionVerify})
	h.mustAct(3*hour, modTaman, hailurah.ActionRequest{Action: hailurah.ActionVerify})
	h.mustAct(4*hour, modTaman, hailurah.ActionRequest{Action: hailurah.ActionResolve, Text: "Hubungi ketua RT untuk kerja bakti."})
	h.say(5*hour, "SESUDAH")
	h.say(6*hour, "5")

	st := h.run(in)

	if errorType(before.err) != "forbidden" || errorType(elsewhere.err) != "forbidden" || errorType(stranger.err) != "forbidden" {
		t.Errorf("city queue scope: %v / %v / %v", before.err, elsewhere.err, stranger.err)
	}
	var got []string
	for _, n := range h.notified {
		got = append(got, n.in.Kind+" "+audiences(n)+" "+n.at.String())
	}
	// Urgency 4 escalates at once, to the admins while no lurah is known;
	// routing the ticket tells the new kelurahan's lurah.
	equal(t, "notifications", got, []string{
		"escalation admin: 0s",
		"escalation lurah:taman,moderator:taman 2h0m0s",
	})
	if st.Kelurahan != "taman" || st.Status != hailurah.StatusResolved {
		t.Errorf("final: %+v", st)
	}
	if ack := h.sentOf(hailurah.OutboxAck); len(ack) != 1 || ack[0].in.Kelurahan != "" {
		t.Errorf("ACK: %+v", ack)
	}
}

// TestTicketRecordsItsHolidayList: a ticket asks workflow.GetVersion for
// its holiday list once, at its start, so the list is in its history: a
// list released later (the 2027 SKB) changes neither its deadlines nor its
// replay. Here the history predates versioned lists (DefaultVersion): the
// ticket counts with the first list, whose estimated Nyepi and Idulfitri
// 2027 push a one-working-day task from Monday 8 March to Monday 15 March.
func TestTicketRecordsItsHolidayList(t *testing.T) {
	monday := time.Date(2027, 3, 8, 14, 0, 0, 0, wib)
	h := newHarness(t, monday)
	asked := 0
	h.env.OnGetVersion("holiday-list", workflow.DefaultVersion, workflow.Version(hailurah.HolidaysLatest)).
		Run(func(mock.Arguments) { asked++ }).Return(workflow.DefaultVersion)
	h.Triage = triageResult(5)
	in := input()
	in.First.At = monday
	in.Policy.Dinas.Calendar = hailurah.CalendarWorkingDays
	assign := h.act(hour, modTaman, hailurah.ActionRequest{Action: hailurah.ActionAssign, Unit: "dlh"})
	h.mustAct(hour+time.Minute, dinasDLH, hailurah.ActionRequest{Action: hailurah.ActionReturn, Reason: "Bukan wewenang."})
	h.mustAct(2*hour, modTaman, hailurah.ActionRequest{Action: hailurah.ActionReject, Reason: "Uji."})

	h.run(in)

	if asked != 1 {
		t.Errorf("the holiday list was asked for %d times, want once", asked)
	}
	if want := time.Date(2027, 3, 15, 15, 0, 0, 0, wib); assign.state.DinasDue == nil || !assign.state.DinasDue.Equal(want) {
		t.Errorf("due = %v, want %v", assign.state.DinasDue, want)
	}
}
