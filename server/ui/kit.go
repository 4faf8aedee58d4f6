package ui

import (
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
)

// Page is what a page of a sibling package (server/fieldui) gives the
// layout; Render fills the rest (user, menu, bell, CSRF token) as for the
// pages of this package.
type Page struct {
	Title, Flash, Error string
	FieldErrors         map[string]string
	Wide                bool
	Data                any
}

// Render renders the page template name (web/templates/<name>.html) in
// the layout.
func (s *UI) Render(c *gin.Context, status int, name string, p Page) {
	if p.FieldErrors == nil {
		p.FieldErrors = map[string]string{}
	}
	s.renderPage(c, status, name, pageData{Title: p.Title, Flash: p.Flash, Error: p.Error, FieldErrors: p.FieldErrors,
		Wide: p.Wide, Data: p.Data})
}

// RenderError shows the error page of err.
func (s *UI) RenderError(c *gin.Context, err error) { s.renderError(c, err) }

// RequireStaffPage sends an anonymous browser to the login page and checks
// the CSRF token of form posts.
func (s *UI) RequireStaffPage(c *gin.Context) { s.requireStaffPage(c) }

// RequireRolePage refuses a user of another role with the error page.
func (s *UI) RequireRolePage(roles ...hailurah.Role) gin.HandlerFunc {
	return s.requireRolePage(roles...)
}

// FormatWaktu writes a moment as every page does: "7 Des 2026 12.11 WIB".
func FormatWaktu(z hailurah.Zone, t time.Time) string { return formatWaktu(z, t) }
