package app

import (
	"context"
	"io"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
)

// Media serves the attachments the ticket workflows downloaded: their rows
// and their files. Nil in App leaves them out of the ticket and their
// routes away.
type Media struct {
	Store MediaStore
	Files MediaFiles
}

// MediaStore is what serving attachments, and keeping the photos of a web
// curhat, use of the store.
type MediaStore interface {
	// SaveMedia inserts m, or replaces the row with its id.
	SaveMedia(ctx context.Context, m *hailurah.Media) error
	// FindMedia returns ENOTFOUND if the media do not exist.
	FindMedia(ctx context.Context, id string) (*hailurah.Media, error)
	// ListTicketMedia returns a ticket's media, oldest first.
	ListTicketMedia(ctx context.Context, ticketID string) ([]*hailurah.Media, error)
}

// MediaFiles keeps and opens the files (media.Storage).
type MediaFiles interface {
	// Put writes the file under key.
	Put(ctx context.Context, key, contentType string, data []byte) error
	// Open returns ENOTFOUND for a key that holds nothing.
	Open(ctx context.Context, key string) (io.ReadCloser, int64, error)
}

// MediaURL and MediaThumbURL are where a stored attachment is served.
func MediaURL(id string) string      { return "/api/v1/media/" + id }
func MediaThumbURL(id string) string { return "/api/v1/media/" + id + "/thumbnail" }

// TicketMedia returns the ticket's attachments, none when media are not
// configured. The caller has checked that the user may see t.
func (s *App) TicketMedia(ctx context.Context, t *hailurah.Ticket) ([]*hailurah.Media, error) {
	if s.Media == nil {
		return nil, nil
	}
	return s.Media.Store.ListTicketMedia(ctx, t.ID)
}

// ServeMedia sends the attachment of c's :id (its thumbnail when thumb)
// to staff who may see its ticket. To everyone else — another kelurahan,
// another unit, a caller without a session — it does not exist: 404, not
// 401 or 403, so nobody learns which ids are real.
func (s *App) ServeMedia(c *gin.Context, thumb bool) {
	notFound := hailurah.Errorf(hailurah.ENOTFOUND, "Media tidak ditemukan.")
	p := PrincipalOf(c)
	if p == nil || p.User == nil || s.Media == nil {
		Fail(c, notFound)
		return
	}
	u := p.User
	ctx := c.Request.Context()
	m, err := s.Media.Store.FindMedia(ctx, c.Param("id"))
	if err != nil {
		Fail(c, err)
		return
	}
	t, err := s.Tickets.FindTicket(ctx, m.TicketID)
	if err != nil || !hailurah.CanSeeTicket(u, t) || m.Status != hailurah.MediaStored {
		Fail(c, notFound)
		return
	}
	s.SendMedia(c, m, thumb)
}

// SendMedia sends a stored attachment (its thumbnail when thumb); the
// caller has decided that c may see it.
func (s *App) SendMedia(c *gin.Context, m *hailurah.Media, thumb bool) {
	notFound := hailurah.Errorf(hailurah.ENOTFOUND, "Media tidak ditemukan.")
	if m.Status != hailurah.MediaStored {
		Fail(c, notFound)
		return
	}
	ctx := c.Request.Context()
	key, mime := m.StorageKey, m.MIME
	if thumb {
		key, mime = m.ThumbnailKey, "image/jpeg"
	}
	if key == "" {
		Fail(c, notFound)
		return
	}
	f, size, err := s.Media.Files.Open(ctx, key)
	if err != nil {
		Fail(c, err)
		return
	}
	defer f.Close()
	disposition := "attachment"
	if thumb || m.Type == hailurah.MediaImage || m.Type == hailurah.MediaAudio || m.Type == hailurah.MediaVideo {
		// Shown in the page (an <img>, an <audio> player); a PDF or a
		// WebP kept as a file is downloaded instead.
		disposition = "inline"
	}
	c.Header("Content-Type", mime)
	c.Header("Content-Length", strconv.FormatInt(size, 10))
	c.Header("Content-Disposition", disposition)
	c.Header("Cache-Control", "private, max-age=3600")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Status(http.StatusOK)
	if _, err := io.Copy(c.Writer, f); err != nil {
		s.Logger.Warn("serving media stopped", "media", m.ID, "error", err)
	}
}
