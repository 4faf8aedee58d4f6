package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/server/app"
)

type notificationJSON struct {
	ID        int64     `json:"id"`
	Kind      string    `json:"kind"`
	TicketID  string    `json:"ticket_id"`
	Title     string    `json:"title"`
	Text      string    `json:"text"`
	Link      string    `json:"link,omitempty"`
	Read      bool      `json:"read"`
	CreatedAt time.Time `json:"created_at"`
}

// apiNotifications: GET /api/v1/notifications — the caller's, newest first.
func (s *API) apiNotifications(c *gin.Context) {
	limit := 50
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			app.Fail(c, hailurah.FieldErrorf("limit", "limit harus angka 1–200."))
			return
		}
		limit = n
	}
	u := app.UserOf(c)
	ctx := c.Request.Context()
	list, err := s.Notifications.ListNotifications(ctx, u.Username, limit)
	if err != nil {
		app.Fail(c, err)
		return
	}
	unread, err := s.Notifications.UnreadCount(ctx, u.Username)
	if err != nil {
		app.Fail(c, err)
		return
	}
	items := make([]notificationJSON, 0, len(list))
	for _, n := range list {
		items = append(items, notificationJSON{ID: n.ID, Kind: n.Kind, TicketID: n.TicketID, Title: n.Title,
			Text: n.Body, Link: n.Link, Read: n.ReadAt != nil, CreatedAt: n.CreatedAt})
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "unread": unread})
}

type markReadRequest struct {
	IDs []int64 `json:"ids"`
}

// apiNotificationsRead: POST /api/v1/notifications/read {"ids": [...]};
// no ids marks all read.
func (s *API) apiNotificationsRead(c *gin.Context) {
	var req markReadRequest
	if err := app.BindJSON(c, &req); err != nil {
		app.Fail(c, err)
		return
	}
	if len(req.IDs) > 500 {
		app.Fail(c, hailurah.FieldErrorf("ids", "Paling banyak 500 notifikasi sekaligus."))
		return
	}
	if err := s.Notifications.MarkNotificationsRead(c.Request.Context(), app.UserOf(c).Username, req.IDs); err != nil {
		app.Fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
