package ui

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/server/app"
)

type auditRow struct {
	At                            string
	Actor, Action, Target, Detail string
	IP                            string
}

type adminAuditData struct {
	Tabs  []adminTab
	Rows  []auditRow
	Older string // link to the next page, "" on the last
	Error string
}

// adminAuditPage: GET /admin/audit.
func (s *UI) adminAuditPage(c *gin.Context) {
	d := &adminAuditData{Tabs: tabsFor("/admin/audit")}
	entries, next, err := s.AuditPage(c)
	if err != nil {
		if hailurah.ErrorCode(err) == hailurah.EINTERNAL {
			app.Fail(c, err)
			return
		}
		d.Error = hailurah.ErrorMessage(err)
	}
	n := s.LoadNames(c.Request.Context())
	for _, e := range entries {
		d.Rows = append(d.Rows, auditRow{At: formatWaktu(s.Zone, e.At), Actor: n.PersonName(e.Actor), Action: e.Action, Target: e.Target, Detail: e.Detail, IP: e.IP})
	}
	if next > 0 {
		d.Older = "/admin/audit?before=" + strconv.FormatInt(next, 10)
	}
	s.renderPage(c, http.StatusOK, "admin-audit", pageData{Title: "Administrasi · Log audit", Data: d, Wide: true})
}
