package api

import (
	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/server/app"
)

// mediaJSON is one attachment on GET /api/v1/tickets/{id}. A refused or
// failed one has no URL and says why.
type mediaJSON struct {
	ID           string `json:"id"`
	Type         string `json:"type"`
	URL          string `json:"url,omitempty"`
	ThumbnailURL string `json:"thumbnail_url,omitempty"`
	Status       string `json:"status"`
	Note         string `json:"note,omitempty"`
}

func toMediaJSON(ms []*hailurah.Media) []mediaJSON {
	out := make([]mediaJSON, 0, len(ms))
	for _, m := range ms {
		j := mediaJSON{ID: m.ID, Type: m.Type, Status: m.Status, Note: m.Note}
		if m.Status == hailurah.MediaStored {
			j.URL = app.MediaURL(m.ID)
			if m.ThumbnailKey != "" {
				j.ThumbnailURL = app.MediaThumbURL(m.ID)
			}
		}
		out = append(out, j)
	}
	return out
}

// mediaRoutes serve the files; who may see them is decided per ticket in
// ServeMedia, which answers 404 to a caller without a session too.
func (s *API) mediaRoutes(api *gin.RouterGroup) {
	api.GET("/media/:id", func(c *gin.Context) { s.ServeMedia(c, false) })
	api.GET("/media/:id/thumbnail", func(c *gin.Context) { s.ServeMedia(c, true) })
}
