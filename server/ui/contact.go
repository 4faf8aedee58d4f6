package ui

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/server/app"
)

// contactPanel is the ticket page's "Tampilkan kontak": the form while
// nothing is revealed, the contact once it is (app.RevealContact).
type contactPanel struct {
	Contact *hailurah.CitizenContact
	Reason  string
	Error   string
}

// contactPanelFor is the panel the ticket page shows u, or nil when u may
// not reveal t's contact (an anonymous ticket, the lurah) or the server
// takes no citizens' messages.
func (s *UI) contactPanelFor(u *hailurah.User, t *hailurah.Ticket, sub *submission) *contactPanel {
	if s.Intake == nil || hailurah.AuthorizeContactReveal(u, t) != nil {
		return nil
	}
	if sub != nil && sub.Contact != nil {
		return sub.Contact
	}
	return &contactPanel{}
}

// ticketContactForm: POST /tiket/{id}/kontak. The page answers with the
// contact itself, never a redirect: it stays out of URLs and flashes.
func (s *UI) ticketContactForm(c *gin.Context) {
	t, err := s.VisibleTicket(c, c.Param("id"))
	if err == nil && s.Intake == nil {
		err = hailurah.Errorf(hailurah.ENOTFOUND, "Halaman tidak ditemukan.")
	}
	if err == nil {
		err = hailurah.AuthorizeContactReveal(app.UserOf(c), t)
	}
	if err != nil {
		s.renderError(c, err)
		return
	}
	panel := &contactPanel{Reason: strings.TrimSpace(c.PostForm("reason"))}
	status := http.StatusOK
	if panel.Contact, err = s.RevealContact(c, t, panel.Reason); err != nil {
		if code := hailurah.ErrorCode(err); code != hailurah.EINVALID {
			s.renderError(c, err)
			return
		}
		panel.Error, status = hailurah.ErrorMessage(err), app.ErrorStatus(err)
	}
	s.renderTicket(c, status, t, &submission{Contact: panel})
}
