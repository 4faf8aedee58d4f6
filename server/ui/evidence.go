package ui

import (
	"path/filepath"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
)

// evidenceFile: GET /bukti/{id}/{file} — only for staff who may see the
// ticket; to anyone else the photo does not exist.
func (s *UI) evidenceFile(c *gin.Context) {
	t, err := s.VisibleTicket(c, c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	s.serveUpload(c, t.ID, c.Param("file"), "Foto bukti tidak ditemukan.")
}

// serveUpload sends one stored photo of a ticket or grant (under
// DataDir/uploads/<owner id>/); anything else — a name we never wrote, a
// path trick, a missing file — is "not found".
func (s *UI) serveUpload(c *gin.Context, ownerID, name, notFoundMsg string) {
	path, ok := s.StoredUpload(ownerID, name)
	if !ok {
		s.renderError(c, hailurah.Errorf(hailurah.ENOTFOUND, "%s", notFoundMsg))
		return
	}
	ct := "image/jpeg"
	switch filepath.Ext(name) {
	case ".png":
		ct = "image/png"
	case ".webp":
		ct = "image/webp"
	}
	c.Header("Content-Type", ct)
	c.Header("Cache-Control", "private, max-age=3600")
	c.Header("Content-Disposition", "inline")
	c.File(path)
}
