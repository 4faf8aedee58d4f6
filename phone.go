package hailurah

import (
	"context"
	"time"
)

// A phone typed into the web or kiosk form is not the citizen's until its
// owner confirms it: the form's ticket gets a pseudonym of its own, and one
// neutral WhatsApp message carries a one-time code to the number. The
// code, typed on the tracking page, makes the phone the ticket's contact:
// the ticket's news then go to it and its WhatsApp replies join the ticket.

// Citizen messages and ticket events of a phone's confirmation.
const (
	// OutboxPhoneCode is the one-time code, sent to the typed phone with
	// no ticket id and nothing of the curhat: whoever holds the number
	// learns only that someone asked to link it.
	OutboxPhoneCode = "phone_code"
	// OutboxPhoneLinked tells the confirmed phone it now follows the ticket.
	OutboxPhoneLinked = "phone_linked"
	// EventPhoneConfirmed: the citizen confirmed the phone with the code.
	EventPhoneConfirmed = "phone_confirmed"
)

// PhoneClaim is a typed phone waiting for its owner's confirmation. It
// keeps an HMAC of the code, never the code.
type PhoneClaim struct {
	ID       int64
	TicketID string
	// PhoneSender is the phone's own pseudonym (whatsapp.SenderID), the
	// sender its WhatsApp messages have.
	PhoneSender string
	// PhoneSealed is the number, sealed as in Contact, until confirmation.
	PhoneSealed string
	CodeHash    string
	// Attempts counts the codes tried against the claim.
	Attempts    int
	ExpiresAt   time.Time
	ConfirmedAt *time.Time
	CreatedAt   time.Time
}

// PhoneClaimService keeps the claims and, at confirmation, gives the
// ticket the phone's pseudonym.
type PhoneClaimService interface {
	// CreatePhoneClaim stores c and sets c.ID and c.CreatedAt.
	CreatePhoneClaim(ctx context.Context, c *PhoneClaim) error
	// LatestPhoneClaim returns the ticket's newest claim. Returns
	// ENOTFOUND if there is none.
	LatestPhoneClaim(ctx context.Context, ticketID string) (*PhoneClaim, error)
	// CountPhoneClaims counts the claims made for a phone since a time.
	CountPhoneClaims(ctx context.Context, phoneSender string, since time.Time) (int, error)
	// AttemptPhoneClaim counts one try of a code against an unconfirmed
	// claim with fewer than max tries. It reports false, counting
	// nothing, when the claim is confirmed or out of tries.
	AttemptPhoneClaim(ctx context.Context, id int64, max int) (bool, error)
	// ConfirmPhoneClaim marks the claim confirmed, blanks its sealed
	// number and makes its phone's pseudonym the ticket's sender, in one
	// transaction. Returns
	// ENOTFOUND if the claim does not exist.
	ConfirmPhoneClaim(ctx context.Context, id int64, at time.Time) error
}

// ContactChange moves a ticket's messages to a confirmed contact: the
// SignalContact of a CurhatWorkflow.
type ContactChange struct {
	SenderID string `json:"sender_id"`
	Channel  string `json:"channel"`
}
