package activities

import (
	"context"
	"errors"
	"strings"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/triage"
)

// TriageInput is the text a ticket is classified on.
type TriageInput struct {
	TicketID string `json:"ticket_id"`
	Text     string `json:"text"`
}

// Triage classifies the citizen's message. The classifier falls back to
// rules when the AI is unavailable, so an error here is worth retrying.
func (a *Activities) Triage(ctx context.Context, in TriageInput) (*triage.Triage, error) {
	if strings.TrimSpace(in.Text) == "" {
		return nil, nonRetryable(hailurah.Errorf(hailurah.EINVALID, "ticket %s has no text to classify", in.TicketID))
	}
	if a.Classifier == nil {
		return nil, nonRetryable(hailurah.Errorf(hailurah.EINVALID, "no classifier configured"))
	}
	t, err := a.Classifier.Classify(ctx, in.Text)
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, errors.New("classifier returned no triage")
	}
	return t, nil
}

// ProjectInput is one transition for the read model: the ticket row as it
// is now and, when something happened, the event that got it there.
type ProjectInput struct {
	Ticket *hailurah.Ticket      `json:"ticket"`
	Event  *hailurah.TicketEvent `json:"event,omitempty"`
}

// ProjectTicket writes the event (once per key) and then the ticket row
// (ignored when the store has a newer version). The event goes first so a
// ticket never shows a status its timeline cannot explain.
func (a *Activities) ProjectTicket(ctx context.Context, in ProjectInput) error {
	if in.Event != nil {
		if err := a.Tickets.AddTicketEvent(ctx, in.Event); err != nil {
			return nonRetryable(err)
		}
	}
	if in.Ticket != nil {
		if err := a.Tickets.UpsertTicket(ctx, in.Ticket); err != nil {
			return nonRetryable(err)
		}
	}
	return nil
}
