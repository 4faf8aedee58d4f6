package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
)

type auditJSON struct {
	ID     int64     `json:"id"`
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	Target string    `json:"target,omitempty"`
	Detail string    `json:"detail,omitempty"`
	IP     string    `json:"ip,omitempty"`
}

// auditPage reads one page of the append-only audit log, newest first;
// before is the smallest id of the previous page.
func (s *Server) AuditPage(c *gin.Context) ([]*hailurah.AuditEntry, int64, error) {
	limit, before := 100, int64(0)
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return nil, 0, hailurah.FieldErrorf("limit", "limit harus angka 1–500.")
		}
		limit = n
	}
	if v := c.Query("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			return nil, 0, hailurah.FieldErrorf("before", "before harus id entri (angka positif).")
		}
		before = n
	}
	entries, err := s.cfg.Audit.ListAudit(c.Request.Context(), limit, before)
	if err != nil {
		return nil, 0, err
	}
	next := int64(0)
	if len(entries) == limit {
		next = entries[len(entries)-1].ID
	}
	return entries, next, nil
}

// apiAudit: GET /api/v1/audit (admin).
func (s *Server) apiAudit(c *gin.Context) {
	entries, next, err := s.AuditPage(c)
	if err != nil {
		Fail(c, err)
		return
	}
	items := make([]auditJSON, 0, len(entries))
	for _, e := range entries {
		items = append(items, auditJSON{ID: e.ID, At: e.At, Actor: e.Actor, Action: e.Action, Target: e.Target, Detail: e.Detail, IP: e.IP})
	}
	resp := gin.H{"items": items, "next_before": nil}
	if next > 0 {
		resp["next_before"] = next
	}
	c.JSON(http.StatusOK, resp)
}

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
func (s *Server) adminAuditPage(c *gin.Context) {
	d := &adminAuditData{Tabs: tabsFor("/admin/audit")}
	entries, next, err := s.AuditPage(c)
	if err != nil {
		if hailurah.ErrorCode(err) == hailurah.EINTERNAL {
			Fail(c, err)
			return
		}
		d.Error = hailurah.ErrorMessage(err)
	}
	for _, e := range entries {
		d.Rows = append(d.Rows, auditRow{At: formatWaktu(s.cfg.Zone, e.At), Actor: e.Actor, Action: e.Action, Target: e.Target, Detail: e.Detail, IP: e.IP})
	}
	if next > 0 {
		d.Older = "/admin/audit?before=" + strconv.FormatInt(next, 10)
	}
	s.renderPage(c, http.StatusOK, "admin-audit", pageData{Title: "Administrasi · Log audit", Data: d, Wide: true})
}
