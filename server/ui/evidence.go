package ui

import (
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
	if _, ok := s.StoredUpload(ownerID, name); !ok {
		s.renderError(c, hailurah.Errorf(hailurah.ENOTFOUND, "%s", notFoundMsg))
		return
	}
	s.SendUpload(c, ownerID, name)
}
