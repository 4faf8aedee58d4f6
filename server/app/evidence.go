package app

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
)

// Evidence photos of dinas work: a handful of phone pictures per action.
const (
	MaxEvidenceFiles = 5
	MaxEvidenceBytes = 5 << 20
	// MaxEvidenceBody bounds a whole action form with photos: five full
	// photos plus the text fields and multipart overhead.
	MaxEvidenceBody = MaxEvidenceFiles*MaxEvidenceBytes + 1<<20
	evidenceField   = "foto"
)

// evidenceTypes are the accepted photo types, recognised by their content
// (http.DetectContentType), never by the name the phone gave the file.
var evidenceTypes = map[string]string{
	"image/jpeg": ".jpg",
	"image/png":  ".png",
	"image/webp": ".webp",
}

// EvidenceName is the shape of the random names the server gives photos;
// nothing else is ever served from the uploads directory.
var EvidenceName = regexp.MustCompile(`^[0-9a-f]{32}\.(jpg|png|webp)$`)

// safeTicketID keeps a ticket id usable as a directory name.
var safeTicketID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{0,63}$`)

// uploadLimits are the routes that take files, with their body limits;
// another upload route adds its line here.
var uploadLimits = map[string]int64{
	"/tiket/:id/aksi":           MaxEvidenceBody,
	"/hibah/:id/aksi":           MaxEvidenceBody,
	"/rumah-tangga/impor":       HouseholdImportBody,
	"/api/v1/households/import": HouseholdImportBody,
	"/api/v1/dev/phone/media":   17 << 20,      // the simulated phone's attachments (dev mode)
	"/toko-warga/kelola":        TokoPhotoBody, // a product with its photo
	"/toko-warga/kelola/:id":    TokoPhotoBody,
}

// TokoPhotoBody bounds a Toko Warga product form: one phone photo.
const TokoPhotoBody = 17 << 20

// BodyLimit returns the request body limit of a route: the routes that take
// files get theirs, everything else def. The body-limit middleware calls it
// (gin has matched the route by then, so FullPath is set).
func BodyLimit(c *gin.Context, def int64) int64 {
	if limit, ok := uploadLimits[c.FullPath()]; ok && c.Request.Method == http.MethodPost {
		return max(def, limit)
	}
	if limit, ok := multipartLimits[c.FullPath()]; ok && c.Request.Method == http.MethodPost && c.ContentType() == "multipart/form-data" {
		return max(def, limit)
	}
	return def
}

func evidenceDir(dataDir, ticketID string) string {
	return filepath.Join(dataDir, "uploads", ticketID)
}

// SaveEvidence stores the form's photos under DataDir/uploads/<ticket>/
// with random names and returns their URLs. It checks every file before
// writing any, so a refused upload leaves nothing behind.
func (s *App) SaveEvidence(c *gin.Context, ticketID string) ([]string, error) {
	form, err := c.MultipartForm()
	if err != nil {
		var maxErr *http.MaxBytesError
		switch {
		case errors.Is(err, http.ErrNotMultipart):
			return nil, nil // no file field at all: a note without photos
		case errors.As(err, &maxErr):
			return nil, hailurah.FieldErrorf(evidenceField, "Kiriman terlalu besar (maks. %d MB sekaligus). Kirim foto yang lebih kecil atau lebih sedikit.", maxErr.Limit>>20)
		}
		return nil, hailurah.FieldErrorf(evidenceField, "Foto tidak dapat dibaca. Coba kirim ulang.")
	}
	files := form.File[evidenceField]
	if len(files) == 0 {
		return nil, nil
	}
	if len(files) > MaxEvidenceFiles {
		return nil, hailurah.FieldErrorf(evidenceField, "Paling banyak %d foto per kiriman.", MaxEvidenceFiles)
	}
	if s.DataDir == "" || !safeTicketID.MatchString(ticketID) {
		return nil, hailurah.Errorf(hailurah.EUNAVAILABLE, "Penyimpanan foto bukti belum diatur di server ini.")
	}
	exts := make([]string, len(files))
	for i, fh := range files {
		ext, err := checkEvidence(fh)
		if err != nil {
			return nil, err
		}
		exts[i] = ext
	}
	dir := evidenceDir(s.DataDir, ticketID)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	var urls []string
	for i, fh := range files {
		name, err := writeEvidence(dir, fh, exts[i])
		if err != nil {
			RemoveEvidence(s.DataDir, urls)
			return nil, err
		}
		urls = append(urls, "/bukti/"+ticketID+"/"+name)
	}
	return urls, nil
}

// checkEvidence returns the extension for the file's sniffed type, or an
// error naming the file, next to the form's photo field.
func checkEvidence(fh *multipart.FileHeader) (string, error) {
	name := filepath.Base(fh.Filename)
	if fh.Size > MaxEvidenceBytes {
		return "", hailurah.FieldErrorf(evidenceField, "Foto %q terlalu besar (maks. %d MB per foto).", name, MaxEvidenceBytes>>20)
	}
	if fh.Size == 0 {
		return "", hailurah.FieldErrorf(evidenceField, "Berkas %q kosong.", name)
	}
	f, err := fh.Open()
	if err != nil {
		return "", err
	}
	defer f.Close()
	head := make([]byte, 512)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return "", err
	}
	ext, ok := evidenceTypes[http.DetectContentType(head[:n])]
	if !ok {
		return "", hailurah.FieldErrorf(evidenceField, "Berkas %q bukan foto JPEG, PNG atau WebP.", name)
	}
	return ext, nil
}

func writeEvidence(dir string, fh *multipart.FileHeader, ext string) (string, error) {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	name := hex.EncodeToString(b) + ext
	src, err := fh.Open()
	if err != nil {
		return "", err
	}
	defer src.Close()
	dst, err := os.OpenFile(filepath.Join(dir, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", err
	}
	_, err = io.Copy(dst, io.LimitReader(src, MaxEvidenceBytes))
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(filepath.Join(dir, name))
		return "", err
	}
	return name, nil
}

// uploadedEvidence reports whether url is "/bukti/<ticketID>/<name>" of a
// photo stored for that ticket: evidence is this ticket's photos, never a
// link elsewhere or another ticket's.
func (s *App) uploadedEvidence(ticketID, url string) bool {
	name, ok := strings.CutPrefix(url, "/bukti/"+ticketID+"/")
	if !ok {
		return false
	}
	_, ok = s.StoredUpload(ticketID, name)
	return ok
}

// StoredUpload returns the path of a photo the server stored for a ticket
// or grant, and false for a name it never wrote, a path trick or a
// missing file.
func (s *App) StoredUpload(ownerID, name string) (string, bool) {
	if s.DataDir == "" || !EvidenceName.MatchString(name) || !safeTicketID.MatchString(ownerID) {
		return "", false
	}
	path := filepath.Join(evidenceDir(s.DataDir, ownerID), name)
	fi, err := os.Stat(path)
	return path, err == nil && fi.Mode().IsRegular()
}

// RemoveEvidence deletes photos of an action the workflow refused.
func RemoveEvidence(dataDir string, urls []string) {
	for _, u := range urls {
		rest, ok := strings.CutPrefix(u, "/bukti/")
		if !ok {
			continue
		}
		id, name, ok := strings.Cut(rest, "/")
		if ok && safeTicketID.MatchString(id) && EvidenceName.MatchString(name) {
			_ = os.Remove(filepath.Join(evidenceDir(dataDir, id), name))
		}
	}
}

// SendUpload sends a photo the server stored for a ticket or grant; the
// caller has decided that c may see it. Anything else is 404.
func (s *App) SendUpload(c *gin.Context, ownerID, name string) {
	path, ok := s.StoredUpload(ownerID, name)
	if !ok {
		Fail(c, hailurah.Errorf(hailurah.ENOTFOUND, "Foto tidak ditemukan."))
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
	c.Header("X-Content-Type-Options", "nosniff")
	c.File(path)
}
