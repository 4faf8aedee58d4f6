package server

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/pii"
)

// A named citizen's contact (name, phone, their first message unmasked) is
// on no page and in no JSON by default: staff work the case, not the
// person. A moderator of the kelurahan or an officer of the assigned unit
// reveals it to call back, with a reason the audit log keeps
// (hailurah.AuthorizeContactReveal). The API and the ticket page share
// revealContact.

type contactRequest struct {
	Reason string `json:"reason"`
}

// apiTicketContact: POST /api/v1/tickets/{id}/contact. Who may reveal is
// checked before the body is read: 404, 403, then 422.
func (s *Server) apiTicketContact(c *gin.Context) {
	t, err := s.visibleTicket(c, c.Param("id"))
	if err == nil {
		err = hailurah.AuthorizeContactReveal(userOf(c), t)
	}
	if err != nil {
		fail(c, err)
		return
	}
	var req contactRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	contact, err := s.revealContact(c, t, req.Reason)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, contact)
}

// revealContact reads a named citizen's contact for a user the caller has
// authorized, and audits it with the reason (its own typed personal data
// masked), or fails. Returns EINVALID (field "reason") for a missing or short reason.
func (s *Server) revealContact(c *gin.Context, t *hailurah.Ticket, reason string) (*hailurah.CitizenContact, error) {
	reason, err := hailurah.CheckRevealReason(reason)
	if err != nil {
		return nil, err
	}
	contact, err := s.cfg.Intake.Contact(c.Request.Context(), t)
	if err != nil {
		return nil, err
	}
	// Unlike other actions' audit (s.audit logs a failure and goes on), a
	// reveal the log cannot record is not made.
	e := &hailurah.AuditEntry{At: s.now(), Actor: usernameOf(c), Action: hailurah.AuditContactRevealed, Target: t.ID,
		Detail: auditDetail(map[string]any{"reason": pii.Mask(reason)}), IP: c.ClientIP()}
	if err := s.cfg.Audit.Audit(c.Request.Context(), e); err != nil {
		return nil, err
	}
	return contact, nil
}

// contactPanel is the ticket page's "Tampilkan kontak": the form while
// nothing is revealed, the contact once it is.
type contactPanel struct {
	Contact *hailurah.CitizenContact
	Reason  string
	Error   string
}

// contactPanelFor is the panel the ticket page shows u, or nil when u may
// not reveal t's contact (an anonymous ticket, the lurah) or the server
// takes no citizens' messages.
func (s *Server) contactPanelFor(u *hailurah.User, t *hailurah.Ticket, sub *submission) *contactPanel {
	if s.cfg.Intake == nil || hailurah.AuthorizeContactReveal(u, t) != nil {
		return nil
	}
	if sub != nil && sub.Contact != nil {
		return sub.Contact
	}
	return &contactPanel{}
}

// ticketContactForm: POST /tiket/{id}/kontak. The page answers with the
// contact itself, never a redirect: it stays out of URLs and flashes.
func (s *Server) ticketContactForm(c *gin.Context) {
	t, err := s.visibleTicket(c, c.Param("id"))
	if err == nil && s.cfg.Intake == nil {
		err = hailurah.Errorf(hailurah.ENOTFOUND, "Halaman tidak ditemukan.")
	}
	if err == nil {
		err = hailurah.AuthorizeContactReveal(userOf(c), t)
	}
	if err != nil {
		s.renderError(c, err)
		return
	}
	panel := &contactPanel{Reason: strings.TrimSpace(c.PostForm("reason"))}
	status := http.StatusOK
	if panel.Contact, err = s.revealContact(c, t, panel.Reason); err != nil {
		if code := hailurah.ErrorCode(err); code != hailurah.EINVALID {
			s.renderError(c, err)
			return
		}
		panel.Error, status = hailurah.ErrorMessage(err), ErrorStatus(err)
	}
	s.renderTicket(c, status, t, &submission{Contact: panel})
}
