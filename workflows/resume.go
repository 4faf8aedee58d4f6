package workflows

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/triage"
)

// CurhatFrom is a ticket part-way through its life whose row, timeline and
// AI reply are written already (seed-demo's open tickets): what
// ResumeCurhat starts the workflow from.
type CurhatFrom struct {
	// State is the ticket as its row holds it. Its status is open,
	// assigned, in_progress, awaiting_confirmation or resolved; a task has
	// its Unit and AssignedAt, a question to the citizen its
	// ConfirmAskedAt, a resolved ticket its ResolvedAt. Version is the
	// row's, so the workflow's projections replace it.
	State hailurah.TicketState
	// Triage is the classification the row was filled from: the
	// projection's suggested response type and the notifications'
	// suggestion come from it. Nil when unknown.
	Triage *triage.Triage
	// Events and Sends count the ticket's timeline events and its messages
	// in the outbox, so the workflow's event and message keys follow them.
	Events, Sends int
}

// ResumeCurhat returns in set to start the ticket's workflow from the
// state in from, as a run that continued as new resumes: past its intake,
// with the SLA clocks the workflow would have started (the moderator's so
// that it ends at State.ModeratorDue, or at receipt plus the SLA; the
// unit's at AssignedAt). Each wait then lasts what is left of its deadline;
// one already past fires at once, and the escalation levels above
// State's breach level follow as they would have.
func ResumeCurhat(in hailurah.CurhatInput, from CurhatFrom) (hailurah.CurhatInput, error) {
	st := from.State
	if err := checkCurhatFrom(in, st); err != nil {
		return in, fmt.Errorf("resume ticket %s: %w", in.TicketID, err)
	}
	s := curhatState{
		State: st, Triage: from.Triage,
		IntakeDone: true, ReplySent: true,
		// A ticket recorded before its workflow has had its escalation or
		// tembusan handled by whoever recorded it.
		LurahNotified: st.Escalated || st.Tembusan,
		EventSeq:      from.Events, SendSeq: from.Sends,
		Phase:    1,
		Holidays: hailurah.HolidaysLatest,
	}
	s.State.Triaged = true
	if in.First.ID != "" {
		s.Seen = []string{in.First.ID}
	}

	s.ModSLA = in.Policy.ModeratorSLAFor(st.Urgency)
	s.ModStart = st.ReceivedAt
	if st.ModeratorDue != nil {
		s.ModStart = st.ModeratorDue.Add(-s.ModSLA)
	} else {
		due := s.ModStart.Add(s.ModSLA)
		s.State.ModeratorDue = &due
	}

	if st.AssignedAt != nil {
		s.Assignment = 1
		s.DinasStart = *st.AssignedAt
		s.DinasSLA, s.DinasCal = in.Policy.DinasSLAFor(st.Urgency), in.Policy.Dinas.Calendar
		due := in.Policy.Zone.AddWorkingTimeWith(s.Holidays, s.DinasStart, s.DinasSLA, s.DinasCal)
		switch {
		case st.DinasDue == nil:
			s.State.DinasDue = &due
		case !st.DinasDue.Equal(due):
			// A due date the moderator gave counts wall-clock time, as
			// the assign action sets it.
			s.DinasSLA, s.DinasCal = st.DinasDue.Sub(s.DinasStart), hailurah.CalendarHours
		}
	}

	resume, err := json.Marshal(s)
	if err != nil {
		return in, err
	}
	in.Resume = resume
	return in, nil
}

func checkCurhatFrom(in hailurah.CurhatInput, st hailurah.TicketState) error {
	switch {
	case in.TicketID == "" || st.TicketID != in.TicketID:
		return errors.New("the state is of another ticket")
	case st.ReceivedAt.IsZero():
		return errors.New("no time of receipt")
	}
	switch st.Status {
	case hailurah.StatusOpen:
	case hailurah.StatusAssigned, hailurah.StatusInProgress:
		if st.Unit == "" || st.AssignedAt == nil {
			return errors.New("a task without its unit or time of assignment")
		}
	case hailurah.StatusAwaitingConfirmation:
		if st.ConfirmAskedAt == nil {
			return errors.New("awaiting confirmation without the time of the question")
		}
	case hailurah.StatusResolved:
		if st.ResolvedAt == nil {
			return errors.New("resolved without the time of resolution")
		}
	default:
		return fmt.Errorf("status %q has no wait to resume", st.Status)
	}
	return nil
}
