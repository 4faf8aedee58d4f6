package server

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/hailurah/hailurah/server/app"
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

// apiAudit: GET /api/v1/audit (admin).
func (s *Server) apiAudit(c *gin.Context) {
	entries, next, err := s.app.AuditPage(c)
	if err != nil {
		app.Fail(c, err)
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
