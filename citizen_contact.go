package hailurah

import (
	"context"
	"strings"
	"unicode/utf8"
)

// CitizenContact is how staff call a named citizen back. Staff pages and
// the ticket JSON never show it; a moderator or the assigned unit's
// officer reveals it with a reason, which the audit log keeps
// (AuditContactRevealed).
type CitizenContact struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
	// Message is the ticket's first message as the citizen wrote it,
	// before intake masked the NIK, phones, e-mail addresses and bank
	// accounts in it; "" when nothing in it was masked.
	Message string `json:"message,omitempty"`
}

// TicketPrivate is what intake keeps, sealed, of a named citizen's ticket
// besides the contact it replies to: the name the channel gave and the
// first message unmasked. An anonymous ticket keeps none of it.
type TicketPrivate struct {
	Name    string `json:"name,omitempty"`
	Message string `json:"message,omitempty"`
}

// Empty reports whether there is nothing to keep.
func (p TicketPrivate) Empty() bool { return p.Name == "" && p.Message == "" }

// TicketPrivateService keeps the sealed TicketPrivate of named tickets.
type TicketPrivateService interface {
	// KeepTicketPrivate keeps sealed for the ticket unless the ticket is
	// anonymous or not recorded (then nothing is kept); the first kept
	// stays. Returns EINVALID for an empty id or sealed.
	KeepTicketPrivate(ctx context.Context, ticketID, sealed string) error
	// FindTicketPrivate returns ENOTFOUND when nothing is kept for the
	// ticket (anonymous, nothing given, or purged by retention).
	FindTicketPrivate(ctx context.Context, ticketID string) (string, error)
}

// AuditContactRevealed is the audit action of a reveal; its detail holds
// the reason.
const AuditContactRevealed = "ticket.contact_revealed"

// Bounds of a reveal's reason, in characters.
const (
	MinRevealReason = 10
	MaxRevealReason = 500
)

// AuthorizeContactReveal is the one rule of who may see a named citizen's
// contact: a moderator of the ticket's kelurahan, an officer of the unit
// holding its task, and the admin — whoever may see the ticket and works
// it, not the lurah, who oversees. Returns ENOTFOUND for a ticket the user
// may not see (CanSeeTicket), EFORBIDDEN for another role or an anonymous
// ticket, whose reporter's identity is not kept at all.
func AuthorizeContactReveal(u *User, t *Ticket) error {
	switch {
	case !CanSeeTicket(u, t):
		return Errorf(ENOTFOUND, "Tiket %s tidak ditemukan.", t.ID)
	case u.Role != RoleModerator && u.Role != RoleDinas && u.Role != RoleAdmin:
		return Errorf(EFORBIDDEN, "Kontak warga hanya dapat dibuka oleh moderator kelurahan atau petugas unit dinas yang menangani tiket.")
	}
	return RefuseAnonymous(t)
}

// RefuseAnonymous returns EFORBIDDEN for an anonymous ticket, whose
// reporter's identity is not kept at all, else nil.
func RefuseAnonymous(t *Ticket) error {
	if t.PrivacyFlag {
		return Errorf(EFORBIDDEN, "Pelapor tiket ini memilih anonim: identitas dan kontaknya tidak disimpan dan tidak dapat dibuka.")
	}
	return nil
}

// CheckRevealReason returns the reason trimmed, or EINVALID (field
// "reason") when it is missing, too short to say why, or too long.
func CheckRevealReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	n := utf8.RuneCountInString(reason)
	switch {
	case n == 0:
		return "", FieldErrorf("reason", "Alasan membuka kontak wajib diisi.")
	case !utf8.ValidString(reason):
		return "", FieldErrorf("reason", "Alasan memuat karakter yang tidak valid.")
	case n < MinRevealReason:
		return "", FieldErrorf("reason", "Alasan terlalu singkat (min. %d karakter): tuliskan untuk apa kontak ini dibutuhkan.", MinRevealReason)
	case n > MaxRevealReason:
		return "", FieldErrorf("reason", "Alasan terlalu panjang (maks. %d karakter).", MaxRevealReason)
	}
	return reason, nil
}
