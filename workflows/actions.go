package workflows

import (
	"fmt"
	"strings"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/activities"
)

func forbidden(format string, args ...any) error {
	return temporal.NewApplicationError(fmt.Sprintf(format, args...), ErrorForbidden)
}

func conflict(format string, args ...any) error {
	return temporal.NewApplicationError(fmt.Sprintf(format, args...), ErrorConflict)
}

func invalid(format string, args ...any) error {
	return temporal.NewApplicationError(fmt.Sprintf(format, args...), ErrorInvalid)
}

// validate rejects an action before it enters the history. It must not
// change anything.
//
// The SDK skips validators on replay, so that these rules may change while
// tickets run; the handler (act) must therefore not run them again. Nor
// does it need to: the SDK runs each update's validator and then its
// handler in one go, so a second update in the same workflow task is
// validated against the state the first handler left
// (TestTwoActionsInOneTask).
func (c *curhat) validate(ctx workflow.Context, req hailurah.ActionRequest) error {
	return c.check(ctx, req)
}

// laterRule stands for a validation rule a later version adds. Only tests
// set it, to prove that replaying a recorded history does not run the
// validation (TestReplayWithAChangedValidator).
var laterRule = func(hailurah.ActionRequest) error { return nil }

// check answers, in order: may this actor act on this ticket (403), is the
// request complete (422), does the ticket's status allow it (409).
// Unauthorised callers learn nothing about the ticket's state.
func (c *curhat) check(ctx workflow.Context, req hailurah.ActionRequest) error {
	if err := c.authorize(req); err != nil {
		return err
	}
	if err := req.Validate(); err != nil {
		return invalid("%s", hailurah.ErrorMessage(err))
	}
	if err := laterRule(req); err != nil {
		return invalid("%s", hailurah.ErrorMessage(err))
	}
	st := &c.s.State
	if !hailurah.ActionAllowedIn(req.Action, st.Status) {
		if st.Status == hailurah.StatusNew {
			return conflict("Tiket masih dianalisis; coba lagi sebentar.")
		}
		return conflict("Aksi %s tidak dapat dilakukan saat tiket berstatus %q.", req.Action, st.Status.Label())
	}
	switch req.Action {
	case hailurah.ActionAssign:
		if req.DueAt != nil && !req.DueAt.After(workflow.Now(ctx)) {
			return invalid("Batas waktu harus di masa depan.")
		}
	case hailurah.ActionReject:
		if req.DuplicateOf == st.TicketID {
			return invalid("Tiket tidak dapat menjadi duplikat dirinya sendiri.")
		}
	case hailurah.ActionSetKelurahan:
		if req.Kelurahan == st.Kelurahan {
			return conflict("Tiket sudah berada di kelurahan ini.")
		}
	}
	return nil
}

// authorize applies the root package's rule of who may act on which
// ticket, as a refusal of the forbidden type.
func (c *curhat) authorize(req hailurah.ActionRequest) error {
	if err := req.Authorize(c.s.State.Kelurahan, c.s.State.Unit); err != nil {
		return forbidden("%s", hailurah.ErrorMessage(err))
	}
	return nil
}

// act carries out a validated action. The state changes before the first
// activity runs, so the main loop and the next update's validator see the
// new status at once; the projection, messages and notifications follow.
// It does not validate again (see validate).
func (c *curhat) act(ctx workflow.Context, req hailurah.ActionRequest) (hailurah.TicketState, error) {
	st := &c.s.State
	from := st.Status
	ev := hailurah.TicketEvent{Type: req.Action, Actor: req.Actor.Username, Role: req.Actor.Role, From: from}
	now := workflow.Now(ctx)

	switch req.Action {
	case hailurah.ActionVerify:
		var changes []string
		change := func(field, old, new string) {
			if new != "" && new != old {
				changes = append(changes, fmt.Sprintf("%s: %s → %s", field, dashed(old), new))
			}
		}
		change("kategori", st.Kategori, req.Kategori)
		change("subkategori", st.Subkategori, req.Subkategori)
		if req.Urgency != 0 {
			change("urgensi", itoa(st.Urgency), itoa(req.Urgency))
			st.Urgency = req.Urgency
		}
		change("unit", st.SuggestedUnit, req.Unit)
		st.Kategori = nonEmpty(req.Kategori, st.Kategori)
		st.Subkategori = nonEmpty(req.Subkategori, st.Subkategori)
		st.SuggestedUnit = nonEmpty(req.Unit, st.SuggestedUnit)
		st.Verified, st.VerifiedBy = true, req.Actor.Username
		ev.Note = "Triase dikonfirmasi."
		if len(changes) > 0 {
			ev.Note = "Koreksi: " + strings.Join(changes, "; ")
		}
		ev.To = st.Status
		c.record(ctx, ev)
		// A moderator who raises the urgency triggers the escalation rules
		// the triage did not.
		if reasons := c.escalationReasons(); !st.Escalated && len(reasons) > 0 {
			c.escalate(ctx, reasons)
		}

	case hailurah.ActionReply:
		ev.To, ev.Note = st.Status, req.Text
		c.record(ctx, ev)
		c.sendCitizen(ctx, activities.SendCitizenInput{Kind: hailurah.OutboxStaffReply, Text: req.Text})

	case hailurah.ActionAssign:
		c.s.Assignment++
		st.Unit = req.Unit
		st.AssignedAt = &now
		st.FinalAction = hailurah.FinalActionReferred
		if !st.Verified {
			st.Verified, st.VerifiedBy = true, req.Actor.Username
		}
		// A due date the moderator gives is wall-clock time; the further
		// escalation levels follow at its multiples.
		c.s.DinasStart = now
		c.s.DinasSLA, c.s.DinasCal = c.in.Policy.DinasSLAFor(st.Urgency), c.in.Policy.Dinas.Calendar
		if req.DueAt != nil {
			c.s.DinasSLA, c.s.DinasCal = req.DueAt.Sub(now), hailurah.CalendarHours
		}
		due := c.in.Policy.Zone.AddWorkingTimeWith(c.s.Holidays, now, c.s.DinasSLA, c.s.DinasCal)
		st.DinasDue = &due
		st.DinasBreachLevel = 0
		c.setStatus(hailurah.StatusAssigned)
		ev.To, ev.Note = st.Status, "Ditugaskan ke unit "+req.Unit
		if req.Text != "" {
			ev.Note += ": " + req.Text
		}
		c.record(ctx, ev)
		c.notify(ctx, activities.NotifyInput{Kind: hailurah.NotifyAssigned,
			To: []hailurah.Audience{{Role: hailurah.RoleDinas, Unit: req.Unit}}})
		c.sendCitizen(ctx, activities.SendCitizenInput{Kind: hailurah.OutboxStatus, Status: st.Status})

	case hailurah.ActionResolve:
		st.FinalAction = hailurah.FinalActionAdvice
		if !st.Verified {
			st.Verified, st.VerifiedBy = true, req.Actor.Username
		}
		c.askConfirmation(ctx)
		ev.To, ev.Note = st.Status, req.Text
		c.record(ctx, ev)
		c.sendCitizen(ctx, activities.SendCitizenInput{Kind: hailurah.OutboxStaffReply, Text: req.Text})
		c.sendCitizen(ctx, activities.SendCitizenInput{Kind: hailurah.OutboxConfirm})

	case hailurah.ActionReject:
		st.RejectReason, st.DuplicateOf = req.Reason, req.DuplicateOf
		st.ClosedAt = &now
		c.setStatus(hailurah.StatusRejected)
		ev.To, ev.Note = st.Status, req.Reason
		if req.DuplicateOf != "" {
			ev.Note += " (duplikat dari " + req.DuplicateOf + ")"
		}
		c.record(ctx, ev)
		// Spam gets no answer; a duplicate learns where its case went.
		if req.DuplicateOf != "" {
			c.sendCitizen(ctx, activities.SendCitizenInput{Kind: hailurah.OutboxRejected, DuplicateOf: req.DuplicateOf})
		}

	case hailurah.ActionNote:
		ev.To, ev.Note = st.Status, req.Text
		c.record(ctx, ev)

	case hailurah.ActionSetKelurahan:
		old := st.Kelurahan
		st.Kelurahan, st.KelurahanName = req.Kelurahan, ""
		c.s.LurahNotified = false
		ev.To, ev.Note = st.Status, "Kelurahan: "+dashed(old)+" → "+req.Kelurahan
		c.record(ctx, ev)
		// The new kelurahan's lurah must learn of an escalation or a
		// tembusan that went elsewhere before the ticket was routed.
		switch {
		case st.Escalated:
			c.s.LurahNotified = true
			c.notify(ctx, activities.NotifyInput{Kind: hailurah.NotifyEscalation, To: c.audience(c.lurah(), c.moderator())})
		case st.Tembusan && c.s.IntakeDone:
			c.notifyLurahTembusan(ctx)
		}

	case hailurah.ActionAccept:
		c.setStatus(hailurah.StatusInProgress)
		ev.To, ev.Note = st.Status, req.Text
		c.record(ctx, ev)

	case hailurah.ActionProgress:
		ev.To, ev.Note, ev.Attachments = st.Status, req.Text, req.Evidence
		c.record(ctx, ev)

	case hailurah.ActionDone:
		c.askConfirmation(ctx)
		ev.To, ev.Note, ev.Attachments = st.Status, req.Text, req.Evidence
		c.record(ctx, ev)
		c.notify(ctx, activities.NotifyInput{Kind: hailurah.NotifyDone, To: c.moderators(),
			Actor: req.Actor.Username, Note: req.Text})
		// The same activity as before, with more input: the citizen
		// learns which unit did what and sees its photo. Replay compares
		// no activity input, so no version is needed.
		c.sendCitizen(ctx, activities.SendCitizenInput{Kind: hailurah.OutboxConfirm,
			Unit: st.Unit, Note: req.Text, Evidence: req.Evidence})

	case hailurah.ActionReturn:
		unit := st.Unit
		st.Unit, st.DinasDue = "", nil
		c.openForModerator(ctx)
		ev.To, ev.Note = st.Status, "Dikembalikan oleh unit "+unit+": "+req.Reason
		c.record(ctx, ev)
		c.notify(ctx, activities.NotifyInput{Kind: hailurah.NotifyReturned, To: c.moderators(),
			Actor: req.Actor.Username, Note: req.Reason})
	}
	return c.snapshot(), nil
}

// askConfirmation moves the ticket to awaiting_confirmation; the caller
// sends the question after recording the event.
func (c *curhat) askConfirmation(ctx workflow.Context) {
	now := workflow.Now(ctx)
	c.s.State.ConfirmAskedAt = &now
	c.s.ReminderSent = false
	c.setStatus(hailurah.StatusAwaitingConfirmation)
}

func nonEmpty(s, fallback string) string {
	if s != "" {
		return s
	}
	return fallback
}

func dashed(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
