package app

import (
	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
)

// The one way a staff action reaches a ticket, for the JSON API
// (apiTicketAction) and the ticket page's forms (ticketActionForm) alike.
// Grants and pilots have theirs in ActGrant and DecidePilot.

const maxActionText = 4000

// ActTicket performs req on t as the session's user: checkAction checks
// what only the server can, the workflow's update decides (its refusals
// come back as EFORBIDDEN, ECONFLICT or EINVALID with its message), and a
// done action is audited. A ticket whose workflow has ended refuses with
// ECONFLICT. The request's idempotency key makes a repeat answer as the
// first did; an action taken and not finished in time is EPENDING.
func (s *App) ActTicket(c *gin.Context, t *hailurah.Ticket, req hailurah.ActionRequest) (*hailurah.TicketState, error) {
	req.Actor = hailurah.ActorOf(UserOf(c))
	if err := s.checkAction(c, t.ID, &req); err != nil {
		return nil, err
	}
	key, err := IdempotencyKey(c)
	if err != nil {
		return nil, err
	}
	req.IdempotencyKey = key
	state, err := s.Cases.Act(c.Request.Context(), t.ID, req)
	if hailurah.ErrorCode(err) == hailurah.EPENDING {
		s.Audit(c, "ticket."+req.Action, t.ID, "")
	}
	if err != nil {
		if hailurah.ErrorCode(err) == hailurah.ENOTFOUND {
			err = hailurah.Errorf(hailurah.ECONFLICT, "Tiket %s sudah selesai; tidak ada aksi yang dapat dilakukan.", t.ID)
		}
		return nil, err
	}
	s.Audit(c, "ticket."+req.Action, t.ID, "")
	return state, nil
}

// checkAction validates what only the server can: lengths, that named
// units, kelurahan and tickets exist, and that evidence names photos
// uploaded to ticket ticketID. Status and permission checks are the
// workflow's, which alone knows the current state.
func (s *App) checkAction(c *gin.Context, ticketID string, req *hailurah.ActionRequest) error {
	if err := req.Validate(); err != nil {
		return err
	}
	for field, v := range map[string]string{"text": req.Text, "reason": req.Reason} {
		if len([]rune(v)) > maxActionText {
			return hailurah.FieldErrorf(field, "Teks terlalu panjang (maks. %d karakter).", maxActionText)
		}
	}
	if len(req.Evidence) > 10 {
		return hailurah.FieldErrorf("evidence", "Paling banyak 10 bukti.")
	}
	for _, e := range req.Evidence {
		if !s.uploadedEvidence(ticketID, e) {
			return hailurah.FieldErrorf("evidence", "Bukti harus foto yang diunggah untuk tiket %s.", ticketID)
		}
	}
	ctx := c.Request.Context()
	if req.Unit != "" {
		if _, err := s.Kelurahan.FindUnit(ctx, req.Unit); err != nil {
			if hailurah.ErrorCode(err) == hailurah.ENOTFOUND {
				return hailurah.FieldErrorf("unit", "Unit dinas %q tidak dikenal.", req.Unit)
			}
			return err
		}
	}
	if req.Kelurahan != "" {
		if _, err := s.Kelurahan.FindKelurahan(ctx, req.Kelurahan); err != nil {
			if hailurah.ErrorCode(err) == hailurah.ENOTFOUND {
				return hailurah.FieldErrorf("kelurahan", "Kelurahan %q tidak dikenal.", req.Kelurahan)
			}
			return err
		}
	}
	if req.DuplicateOf != "" {
		if _, err := s.VisibleTicket(c, req.DuplicateOf); err != nil {
			if hailurah.ErrorCode(err) == hailurah.ENOTFOUND {
				return hailurah.FieldErrorf("duplicate_of", "Tiket asli %s tidak ditemukan.", req.DuplicateOf)
			}
			return err
		}
	}
	if req.DueAt != nil && !req.DueAt.After(s.Now()) {
		return hailurah.FieldErrorf("due_at", "Tenggat harus di masa depan.")
	}
	return nil
}
