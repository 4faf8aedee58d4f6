package ui

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/server/app"
)

// The profile page: every staff member sees their account and keeps their
// own WhatsApp number and the switch for notices on it.

type profileData struct {
	Name, Role, Where, Username string
	Phone                       string
	Notices                     bool
}

// profilePage: GET /profil.
func (s *UI) profilePage(c *gin.Context) {
	u, err := s.Users.FindUserByID(c.Request.Context(), app.UserOf(c).ID)
	if err != nil {
		s.renderError(c, err)
		return
	}
	s.renderProfile(c, http.StatusOK, u, nil)
}

func (s *UI) renderProfile(c *gin.Context, status int, u *hailurah.User, errs map[string]string) {
	n := s.LoadNames(c.Request.Context())
	d := profileData{Name: u.Name, Role: u.Role.Label(), Where: userWhere(n, u), Username: u.Username,
		Phone: u.Phone, Notices: u.WhatsAppNotices}
	s.renderPage(c, status, "profil", pageData{Title: "Profil saya", Flash: flashOf(c), FieldErrors: errs, Data: d})
}

// profileForm: POST /profil — the phone and the notice switch.
func (s *UI) profileForm(c *gin.Context) {
	me := app.UserOf(c)
	phone, sent := c.GetPostForm("phone")
	if !sent {
		// The page always sends the field, empty to remove the number; a
		// post without it is not the page's and changes nothing.
		u := *me
		s.renderProfile(c, http.StatusUnprocessableEntity, &u, map[string]string{"phone": "Isian nomor WhatsApp tidak terkirim; muat ulang halaman dan coba lagi."})
		return
	}
	phone = strings.TrimSpace(phone)
	notices := c.PostForm("whatsapp_notices") == "1"
	ch := app.UserChange{UserPatch: hailurah.UserPatch{Phone: &phone, WhatsAppNotices: &notices}}
	if _, err := s.UpdateUser(c, me.Username, ch); err != nil {
		if hailurah.ErrorField(err) == "" {
			s.renderError(c, err)
			return
		}
		u := *me
		u.Phone, u.WhatsAppNotices = phone, notices
		s.renderProfile(c, app.ErrorStatus(err), &u, map[string]string{hailurah.ErrorField(err): hailurah.ErrorMessage(err)})
		return
	}
	c.Redirect(http.StatusSeeOther, "/profil?ok=profil")
}

// userWhere writes where a user works: "Kel. Taman", the unit's name, or
// "Seluruh kota".
func userWhere(n app.Names, u *hailurah.User) string {
	switch {
	case u.Kelurahan != "":
		return "Kel. " + n.KelurahanName(u.Kelurahan)
	case u.Unit != "":
		return n.UnitName(u.Unit)
	}
	return "Seluruh kota"
}
