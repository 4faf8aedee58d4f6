package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/server/app"
)

// The admin's page for one account: name, role and place, the WhatsApp
// number and the notice switch; the change goes through app.UpdateUser
// as the JSON API's PATCH does.

type adminUserData struct {
	Tabs      []adminTab
	ID        int64
	Username  string
	Form      userForm
	Notices   bool
	Roles     []option
	Kelurahan []option
	Units     []option
}

// adminUserPage: GET /admin/pengguna/{id}.
func (s *UI) adminUserPage(c *gin.Context) {
	u, ok := s.adminUser(c)
	if !ok {
		return
	}
	form := userForm{Username: u.Username, Name: u.Name, Role: string(u.Role), Kelurahan: u.Kelurahan, Unit: u.Unit, Phone: u.Phone}
	s.renderAdminUser(c, http.StatusOK, u, form, u.WhatsAppNotices, nil)
}

func (s *UI) adminUser(c *gin.Context) (*hailurah.User, bool) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		s.renderError(c, hailurah.Errorf(hailurah.ENOTFOUND, "Pengguna tidak ditemukan."))
		return nil, false
	}
	u, err := s.Users.FindUserByID(c.Request.Context(), id)
	if err != nil {
		s.renderError(c, err)
		return nil, false
	}
	return u, true
}

func (s *UI) renderAdminUser(c *gin.Context, status int, u *hailurah.User, form userForm, notices bool, errs map[string]string) {
	n := s.LoadNames(c.Request.Context())
	d := &adminUserData{Tabs: tabsFor("/admin"), ID: u.ID, Username: u.Username, Form: form, Notices: notices,
		Kelurahan: kelurahanOptions(n), Units: unitOptions(n)}
	for _, r := range hailurah.Roles {
		d.Roles = append(d.Roles, option{string(r), r.Label()})
	}
	s.renderPage(c, status, "admin-pengguna", pageData{Title: "Administrasi · " + u.Name, Data: d, FieldErrors: errs})
}

// adminUpdateUser: POST /admin/pengguna/{id}.
func (s *UI) adminUpdateUser(c *gin.Context) {
	u, ok := s.adminUser(c)
	if !ok {
		return
	}
	form := userForm{Username: u.Username, Name: strings.TrimSpace(c.PostForm("name")), Role: c.PostForm("role"),
		Phone: strings.TrimSpace(c.PostForm("phone"))}
	role := hailurah.Role(form.Role)
	// Only the place that fits the role is kept, as when the user was made.
	switch role {
	case hailurah.RoleDinas:
		form.Unit = c.PostForm("unit")
	case hailurah.RoleModerator, hailurah.RoleLurah, hailurah.RoleFasilitator:
		form.Kelurahan = c.PostForm("kelurahan")
	}
	notices := c.PostForm("whatsapp_notices") == "1"
	ch := app.UserChange{UserPatch: hailurah.UserPatch{Name: &form.Name, Phone: &form.Phone, WhatsAppNotices: &notices,
		Role: &role, Kelurahan: &form.Kelurahan, Unit: &form.Unit}}
	if _, err := s.UpdateUser(c, u.Username, ch); err != nil {
		s.renderAdminFormError(c, err, func(errs map[string]string) {
			s.renderAdminUser(c, app.ErrorStatus(err), u, form, notices, errs)
		})
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin?ok=pengguna")
}
