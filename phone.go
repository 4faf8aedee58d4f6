package hailurah

import (
	"context"
	"strings"
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

// Indonesian numbers after the country code 62: landlines have at least 8
// digits (area code and subscriber), mobiles at most 12 (8xx plus 9 digits).
const (
	minIndonesianNSN = 8
	maxIndonesianNSN = 12
	// E.164 caps a number at 15 digits; nothing shorter than 8 is a real
	// international number one can WhatsApp.
	minE164Digits = 8
	maxE164Digits = 15
)

// NormalizePhone returns s as E.164 ("+628123456789"). It accepts what
// citizens and gateways write: "08123456789" (Indonesian trunk prefix),
// "628123456789" (a wa_id), "+62 812-3456-789", "0062 812…", "+62 (0)812…".
// Spaces, dashes, dots and parentheses are separators. Digits without a
// leading 0 or + are read as a wa_id, i.e. already starting with the country
// code, so "8123…" is not taken as Indonesian.
//
// Returns EINVALID (field "phone") for an empty value, letters or other
// characters, a country code starting with 0, or an implausible length.
func NormalizePhone(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", FieldErrorf("phone", "Nomor telepon wajib diisi.")
	}
	if len(s) > 40 {
		return "", FieldErrorf("phone", "Nomor telepon terlalu panjang.")
	}
	plus := strings.HasPrefix(s, "+")
	if plus {
		// "+62 (0)812…" writes the trunk prefix that is dialled only inside
		// the country; it is not part of the international number.
		s = strings.Replace(s[1:], "(0)", "", 1)
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			b.WriteByte(c)
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')':
		default:
			return "", FieldErrorf("phone", "Nomor telepon hanya boleh berisi angka, spasi, tanda hubung dan + di depan.")
		}
	}
	d := b.String()
	switch {
	case plus:
	case strings.HasPrefix(d, "00"):
		d = d[2:] // the international call prefix
	case strings.HasPrefix(d, "0"):
		d = "62" + d[1:]
	}
	if strings.HasPrefix(d, "620") {
		d = "62" + d[3:] // "+62 0812…": the trunk 0 kept after the country code
	}
	switch {
	case d == "" || d[0] == '0':
		return "", FieldErrorf("phone", "Kode negara nomor telepon tidak valid.")
	case strings.HasPrefix(d, "620"):
		return "", FieldErrorf("phone", "Nomor telepon Indonesia tidak boleh diawali 0 setelah +62.")
	case strings.HasPrefix(d, "62"):
		if n := len(d) - 2; n < minIndonesianNSN || n > maxIndonesianNSN {
			return "", FieldErrorf("phone", "Panjang nomor telepon Indonesia tidak wajar.")
		}
	case len(d) < minE164Digits || len(d) > maxE164Digits:
		return "", FieldErrorf("phone", "Panjang nomor telepon tidak wajar.")
	}
	return "+" + d, nil
}
