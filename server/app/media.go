package app

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

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

// PhotoLinks signs and reads the public links of photos (media.Links).
type PhotoLinks interface {
	// URL is the link of a ticket's photo at baseURL ("" for a path).
	URL(baseURL, ticketID, ref string, now time.Time) string
	// Open returns the ticket and the photo's reference a token signs;
	// ok is false for a token never signed, altered or expired at now.
	Open(token string, now time.Time) (ticketID, ref string, ok bool)
}

// ServeLink sends the photo a signed link names to whoever holds the
// link: the Graph API fetching a unit's evidence photo to send it to the
// citizen. The photo is an upload of the ticket's ("/bukti/<ticket>/…") or
// a stored image among its media; an altered, expired or unknown link,
// or anything but a photo, is 404.
func (s *App) ServeLink(c *gin.Context) {
	notFound := hailurah.Errorf(hailurah.ENOTFOUND, "Foto tidak ditemukan.")
	if s.Links == nil {
		Fail(c, notFound)
		return
	}
	ticketID, ref, ok := s.Links.Open(c.Param("token"), s.Now())
	if !ok {
		Fail(c, notFound)
		return
	}
	c.Header("Cache-Control", "private, max-age=600")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("X-Robots-Tag", "noindex")
	if name, ok := strings.CutPrefix(ref, "/bukti/"+ticketID+"/"); ok {
		path, ok := s.StoredUpload(ticketID, name)
		if !ok {
			Fail(c, notFound)
			return
		}
		c.File(path) // its type by its extension, which the upload gave by content
		return
	}
	if s.Media == nil || !strings.HasPrefix(ref, hailurah.MediaSourcePrefix) {
		Fail(c, notFound)
		return
	}
	ctx := c.Request.Context()
	m, err := s.Media.Store.FindMedia(ctx, hailurah.MediaID(ticketID, ref))
	if err != nil || m.TicketID != ticketID || m.Status != hailurah.MediaStored || m.Type != hailurah.MediaImage {
		Fail(c, notFound)
		return
	}
	f, size, err := s.Media.Files.Open(ctx, m.StorageKey)
	if err != nil {
		Fail(c, err)
		return
	}
	defer f.Close()
	c.Header("Content-Type", m.MIME)
	c.Header("Content-Length", strconv.FormatInt(size, 10))
	c.Status(http.StatusOK)
	if _, err := io.Copy(c.Writer, f); err != nil {
		s.Logger.Warn("serving a linked photo stopped", "media", m.ID, "error", err)
	}
}
