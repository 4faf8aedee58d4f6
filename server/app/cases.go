package app

import (
	"context"

	"github.com/hailurah/hailurah"
)

// Cases is what the server needs of the case workflows: start a ticket,
// pass a citizen's message, perform a staff action, read the live state.
// workflows.Client implements it on a Temporal client.
type Cases interface {
	// StartCurhat starts the ticket's workflow. Starting an id that already
	// runs returns ECONFLICT.
	StartCurhat(ctx context.Context, in hailurah.CurhatInput) error
	// SignalCitizen delivers a citizen's message to the ticket's workflow.
	// Returns ENOTFOUND if the workflow is not running.
	SignalCitizen(ctx context.Context, ticketID string, m hailurah.CitizenMessage) error
	// ChangeContact sends the ticket's messages to a phone the citizen
	// confirmed; ENOTFOUND if the workflow is not running.
	ChangeContact(ctx context.Context, ticketID string, c hailurah.ContactChange) error
	// SawMessage reports whether the ticket's workflow took the message
	// with this provider id, also after it closed; ENOTFOUND when the
	// ticket has no workflow.
	SawMessage(ctx context.Context, ticketID, messageID string) (bool, error)
	// Act performs a staff action and returns the new state. The workflow's
	// refusals come back as EFORBIDDEN, ECONFLICT or EINVALID with its
	// message; ENOTFOUND if the workflow has ended or does not exist.
	Act(ctx context.Context, ticketID string, req hailurah.ActionRequest) (*hailurah.TicketState, error)
	// State returns the live state; ENOTFOUND as for Act.
	State(ctx context.Context, ticketID string) (*hailurah.TicketState, error)
}
