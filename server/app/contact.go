package app

import (
	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/pii"
)

// A named citizen's contact (name, phone, their first message unmasked) is
// on no page and in no JSON by default: staff work the case, not the
// person. A moderator of the kelurahan or an officer of the assigned unit
// reveals it to call back, with a reason the audit log keeps
// (hailurah.AuthorizeContactReveal). The API (POST
// /api/v1/tickets/{id}/contact) and the ticket page (POST
// /tiket/{id}/kontak) share RevealContact.

// RevealContact reads a named citizen's contact for a user the caller has
// authorized, and audits it with the reason (its own typed personal data
// masked), or fails. Returns EINVALID (field "reason") for a missing or
// short reason.
func (s *App) RevealContact(c *gin.Context, t *hailurah.Ticket, reason string) (*hailurah.CitizenContact, error) {
	reason, err := hailurah.CheckRevealReason(reason)
	if err != nil {
		return nil, err
	}
	contact, err := s.Intake.Contact(c.Request.Context(), t)
	if err != nil {
		return nil, err
	}
	// Unlike other actions' audit (s.Audit logs a failure and goes on), a
	// reveal the log cannot record is not made.
	e := &hailurah.AuditEntry{At: s.Now(), Actor: UsernameOf(c), Action: hailurah.AuditContactRevealed, Target: t.ID,
		Detail: ProgrammeAudit(map[string]any{"reason": pii.Mask(reason)}), IP: c.ClientIP()}
	if err := s.AuditLog.Audit(c.Request.Context(), e); err != nil {
		return nil, err
	}
	return contact, nil
}
