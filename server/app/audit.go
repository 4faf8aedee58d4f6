package app

import (
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
)

// AuditPage reads one page of the append-only audit log, newest first;
// before is the smallest id of the previous page.
func (s *App) AuditPage(c *gin.Context) ([]*hailurah.AuditEntry, int64, error) {
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
	entries, err := s.AuditLog.ListAudit(c.Request.Context(), limit, before)
	if err != nil {
		return nil, 0, err
	}
	next := int64(0)
	if len(entries) == limit {
		next = entries[len(entries)-1].ID
	}
	return entries, next, nil
}
