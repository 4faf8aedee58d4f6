package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"strings"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/media"
)

// Photos a citizen attaches to a curhat from the web chat or the kiosk:
// a few phone pictures, each within the limit WhatsApp's photos have.
const (
	MaxCurhatPhotos = 3
	// MaxCurhatBody bounds a curhat form with its photos: three full
	// photos plus the text fields and multipart overhead.
	MaxCurhatBody = MaxCurhatPhotos*media.MaxBytes + 1<<20
	// PhotoField is the form field of the photos, and the field an error
	// about them names.
	PhotoField = "photo"
	// UploadSourcePrefix starts the reference of an uploaded photo; the
	// rest is the SHA-256 of the stored file, so a client's retry keeps
	// one row per photo.
	UploadSourcePrefix = "upload:"
)

// multipartLimits are the routes that take a JSON body or, with files, a
// multipart form: only the form gets the larger limit, so the JSON body
// keeps the server's default.
var multipartLimits = map[string]int64{
	"/api/v1/curhat": MaxCurhatBody,
}

// CheckPhotos checks the form's photos with the same rules as a
// WhatsApp attachment (type by content, 16 MB, metadata stripped,
// thumbnail), before any ticket exists: a refused photo refuses the
// curhat with a message next to the field, and nothing is half-stored.
func (s *App) CheckPhotos(form *multipart.Form) ([]*media.Checked, error) {
	files := form.File[PhotoField]
	if len(files) == 0 {
		return nil, nil
	}
	if s.Media == nil {
		return nil, hailurah.Errorf(hailurah.EUNAVAILABLE, "Penyimpanan foto belum diatur di server ini. Kirim curhat tanpa foto.")
	}
	if len(files) > MaxCurhatPhotos {
		return nil, hailurah.FieldErrorf(PhotoField, "Paling banyak %d foto per curhat.", MaxCurhatPhotos)
	}
	out := make([]*media.Checked, 0, len(files))
	for _, fh := range files {
		c, err := checkPhoto(fh)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func checkPhoto(fh *multipart.FileHeader) (*media.Checked, error) {
	name := filepath.Base(fh.Filename)
	if fh.Size > media.MaxBytes {
		return nil, &hailurah.Error{Code: hailurah.ETOOLARGE, Field: PhotoField,
			Message: fmt.Sprintf("Foto %q terlalu besar (maks. %d MB per foto).", name, media.MaxBytes>>20)}
	}
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, media.MaxBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > 0 && !strings.HasPrefix(media.Sniff(data), "image/") {
		return nil, hailurah.FieldErrorf(PhotoField, "Berkas %q bukan foto (JPEG, PNG, GIF atau WebP).", name)
	}
	c, err := media.Check(data)
	if fail, ok := media.AsFailure(err); ok {
		return nil, hailurah.FieldErrorf(PhotoField, "Foto %q tidak diterima: %s", name, fail.Note)
	} else if err != nil {
		return nil, err
	}
	if c.Type != hailurah.MediaImage {
		return nil, hailurah.FieldErrorf(PhotoField, "Berkas %q bukan foto (JPEG, PNG, GIF atau WebP).", name)
	}
	return c, nil
}

// KeepPhotos stores checked photos as the ticket's media, where the ticket
// page and the tracking page show them with the opening message.
func (s *App) KeepPhotos(ctx context.Context, ticketID string, photos []*media.Checked) error {
	for _, c := range photos {
		sum := sha256.Sum256(c.Data)
		source := UploadSourcePrefix + hex.EncodeToString(sum[:])
		m := &hailurah.Media{ID: hailurah.MediaID(ticketID, source), TicketID: ticketID, Source: source}
		if err := media.Keep(ctx, s.Media.Files, m, c); err != nil {
			return err
		}
		if err := s.Media.Store.SaveMedia(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// PhotoFormError is the message for a multipart form that could not be
// read: a body over the limit, or a broken one, next to the photo field.
func PhotoFormError(err error) error {
	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) {
		return &hailurah.Error{Code: hailurah.ETOOLARGE, Field: PhotoField,
			Message: fmt.Sprintf("Kiriman terlalu besar (maks. %d foto, %d MB per foto).", MaxCurhatPhotos, media.MaxBytes>>20)}
	}
	return hailurah.FieldErrorf(PhotoField, "Formulir tidak dapat dibaca. Coba kirim ulang.")
}
