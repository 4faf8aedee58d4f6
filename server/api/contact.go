package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/server/app"
)

type contactRequest struct {
	Reason string `json:"reason"`
}

// apiTicketContact: POST /api/v1/tickets/{id}/contact, a named citizen's
// contact to call them back (app.RevealContact). Who may reveal is
// checked before the body is read: 404, 403, then 422.
func (s *API) apiTicketContact(c *gin.Context) {
	t, err := s.VisibleTicket(c, c.Param("id"))
	if err == nil {
		err = hailurah.AuthorizeContactReveal(app.UserOf(c), t)
	}
	if err != nil {
		app.Fail(c, err)
		return
	}
	var req contactRequest
	if err := app.BindJSON(c, &req); err != nil {
		app.Fail(c, err)
		return
	}
	contact, err := s.RevealContact(c, t, req.Reason)
	if err != nil {
		app.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, contact)
}
