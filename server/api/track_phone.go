package api

import (
	"context"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/server/app"
)

// The phone a citizen typed into the web or kiosk form follows the ticket
// on WhatsApp only once they type the code sent to it: anyone can type a
// stranger's number (issue 15, finding 2). The checks and their limits are
// intake's (ConfirmPhone); this is the tracking page's door to them.

type trackPhoneRequest struct {
	Code string `json:"code"`
}

// apiTrackPhone: POST /api/v1/track/{code}/phone {"code": "123456"}. Like
// the reply, the citizen's own: a staff session is refused (refuseStaff).
func (s *API) apiTrackPhone(c *gin.Context) {
	t, err := s.findTracked(c)
	if err != nil {
		app.Fail(c, err)
		return
	}
	var req trackPhoneRequest
	if err := app.BindJSON(c, &req); err != nil {
		app.Fail(c, err)
		return
	}
	code := strings.Join(strings.Fields(req.Code), "") // "123 456" as read aloud
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		app.Fail(c, hailurah.FieldErrorf("code", "Kode terdiri dari 6 angka, dari pesan WhatsApp HAI LURAH."))
		return
	}
	err = s.Intake.ConfirmPhone(c.Request.Context(), t.ID, code)
	switch hailurah.ErrorCode(err) {
	case "":
		s.Audit(c, "ticket.phone_confirmed", t.ID, "")
	case hailurah.EINVALID, hailurah.ETOOMANY:
		// Wrong codes are worth an admin's eye: a run of them is someone
		// guessing. The code itself is not written.
		s.Audit(c, "ticket.phone_code_wrong", t.ID, hailurah.ErrorMessage(err))
	}
	if err != nil {
		app.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"ticket_id": t.ID, "phone": "confirmed"})
}

// phoneStatus is the tracking page's view of the ticket's typed phone;
// "" where this server takes no curhat.
func (s *API) phoneStatus(ctx context.Context, ticketID string) (string, error) {
	if s.Intake == nil {
		return "", nil
	}
	return s.Intake.PhoneStatus(ctx, ticketID)
}
