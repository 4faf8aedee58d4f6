package api

import (
	"context"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/server/app"
)

// trackMedia is a photo the tracking page shows: the citizen's own (what
// they sent with the curhat or on WhatsApp) or the unit's evidence of the
// work done. Only the file: never the staff's notes about it.
type trackMedia struct {
	From         string `json:"from"` // "warga" or "dinas"
	Type         string `json:"type"`
	URL          string `json:"url"`
	ThumbnailURL string `json:"thumbnail_url,omitempty"`
}

// trackMediaRoutes serve the files of a tracked ticket by its code: a
// wrong code, or an id of another ticket's media, is 404.
func (s *API) trackMediaRoutes(api *gin.RouterGroup) {
	limit := app.LimitByIP(s.TrackingLimit)
	api.GET("/track/:code/media/:id", limit, func(c *gin.Context) { s.apiTrackMedia(c, false) })
	api.GET("/track/:code/media/:id/thumbnail", limit, func(c *gin.Context) { s.apiTrackMedia(c, true) })
	api.GET("/track/:code/bukti/:file", limit, s.apiTrackEvidence)
}

func trackBase(t *hailurah.Ticket) string {
	return "/api/v1/track/" + url.PathEscape(t.TrackingCode)
}

// trackedMedia lists the ticket's stored media and the photos of its
// "done" events, as the citizen who holds the code may see them.
func (s *API) trackedMedia(ctx context.Context, t *hailurah.Ticket, events []*hailurah.TicketEvent) ([]trackMedia, error) {
	out := []trackMedia{}
	ms, err := s.TicketMedia(ctx, t)
	if err != nil {
		return nil, err
	}
	base := trackBase(t)
	// A photo the unit sent with its "done" (SELESAI over WhatsApp) is kept
	// among the ticket's media too; it is the unit's, not the citizen's.
	done := map[string]bool{}
	for _, a := range doneAttachments(events) {
		done[a] = true
	}
	for _, m := range ms {
		if m.Status != hailurah.MediaStored {
			continue
		}
		j := trackMedia{From: "warga", Type: m.Type, URL: base + "/media/" + m.ID}
		if done[m.Source] {
			j.From = "dinas"
		}
		if m.ThumbnailKey != "" {
			j.ThumbnailURL = j.URL + "/thumbnail"
		}
		out = append(out, j)
	}
	for _, name := range s.evidencePhotos(t, events) {
		u := base + "/bukti/" + name
		out = append(out, trackMedia{From: "dinas", Type: hailurah.MediaImage, URL: u, ThumbnailURL: u})
	}
	return out, nil
}

// apiTrackMedia: GET /api/v1/track/{code}/media/{id}[/thumbnail].
func (s *API) apiTrackMedia(c *gin.Context, thumb bool) {
	notFound := hailurah.Errorf(hailurah.ENOTFOUND, "Media tidak ditemukan.")
	t, err := s.findTracked(c)
	if err != nil {
		app.Fail(c, err)
		return
	}
	if s.Media == nil {
		app.Fail(c, notFound)
		return
	}
	m, err := s.Media.Store.FindMedia(c.Request.Context(), c.Param("id"))
	if err != nil || m.TicketID != t.ID {
		app.Fail(c, notFound)
		return
	}
	s.SendMedia(c, m, thumb)
}

// apiTrackEvidence: GET /api/v1/track/{code}/bukti/{file} — a photo the
// unit stored as evidence for this ticket, and only one a "done" names.
func (s *API) apiTrackEvidence(c *gin.Context) {
	t, err := s.findTracked(c)
	if err != nil {
		app.Fail(c, err)
		return
	}
	events, err := s.Tickets.ListTicketEvents(c.Request.Context(), t.ID)
	if err != nil {
		app.Fail(c, err)
		return
	}
	for _, name := range s.evidencePhotos(t, events) {
		if name == c.Param("file") {
			s.SendUpload(c, t.ID, name)
			return
		}
	}
	app.Fail(c, hailurah.Errorf(hailurah.ENOTFOUND, "Foto tidak ditemukan."))
}

// evidencePhotos are the names of the photos the unit stored for t and
// named in its "done" events: what the citizen may see of the evidence.
func (s *API) evidencePhotos(t *hailurah.Ticket, events []*hailurah.TicketEvent) []string {
	var names []string
	prefix := "/bukti/" + t.ID + "/"
	for _, a := range doneAttachments(events) {
		if name, ok := strings.CutPrefix(a, prefix); ok {
			if _, stored := s.StoredUpload(t.ID, name); stored {
				names = append(names, name)
			}
		}
	}
	return names
}

// doneAttachments lists the evidence of the unit's "done" events, in order.
func doneAttachments(events []*hailurah.TicketEvent) []string {
	var out []string
	for _, e := range events {
		if e.Type == hailurah.ActionDone {
			out = append(out, e.Attachments...)
		}
	}
	return out
}
