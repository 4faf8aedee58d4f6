package server

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/server/app"
	"github.com/hailurah/hailurah/whatsapp"
)

// The simulated phone's attachments (dev mode only). A photo, voice note
// or document sent from /dev/phone is kept under DataDir/dev-graph and
// arrives as a Cloud API message with a media id, as Meta would deliver
// it; /dev/graph answers for that id as the Graph API does (the media's
// metadata with a download URL, then the bytes, both behind the bearer
// token), so the ticket's workflow downloads it along the real path.

// DevGraphToken is the bearer token /dev/graph asks for: the media
// fetcher of a dev program without WhatsApp credentials uses it with
// DevGraphPath as its Graph API root.
func DevGraphToken(secret []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("hailurah/dev-graph/v1"))
	return hex.EncodeToString(m.Sum(nil))
}

// DevGraphPath is where the stand-in Graph API answers.
const DevGraphPath = "/dev/graph"

// maxDevMedia is the Cloud API's own limit on a media file.
const maxDevMedia = 16 << 20

var devMediaID = regexp.MustCompile(`^DEV[0-9A-Z]{12,40}$`)

func (s *Server) devGraphRoutes(r *gin.Engine, api *gin.RouterGroup) {
	api.POST("/dev/phone/media", app.LimitByIP(s.channels.ips), s.apiDevPhoneMedia)
	r.GET(DevGraphPath+"/:id", s.devGraphMeta)
	r.GET(DevGraphPath+"/:id/file", s.devGraphFile)
}

func (s *Server) devGraphDir() string { return filepath.Join(s.cfg.DataDir, "dev-graph") }

// apiDevPhoneMedia: POST /api/v1/dev/phone/media (multipart: phone,
// phone_number_id, caption, file) — the citizen sends a photo, a voice
// note, a video or a document.
func (s *Server) apiDevPhoneMedia(c *gin.Context) {
	file, header, err := c.Request.FormFile("file")
	if err != nil {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			app.Fail(c, hailurah.Errorf(hailurah.ETOOLARGE, "Berkas terlalu besar (maks. 16 MB)."))
			return
		}
		app.Fail(c, hailurah.FieldErrorf("file", "Pilih berkas foto, suara, video atau dokumen."))
		return
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, maxDevMedia+1))
	if err != nil {
		app.Fail(c, err)
		return
	}
	if len(data) == 0 || len(data) > maxDevMedia {
		app.Fail(c, hailurah.FieldErrorf("file", "Berkas kosong atau lebih dari 16 MB."))
		return
	}
	mime := http.DetectContentType(data)
	if ct := header.Header.Get("Content-Type"); strings.HasPrefix(ct, "audio/") && !strings.HasPrefix(mime, "audio/") {
		mime = ct // the sniffer knows few audio formats; the browser's word for a voice note
	}
	kind := whatsapp.KindDocument
	switch {
	case strings.HasPrefix(mime, "image/"):
		kind = whatsapp.KindImage
	case strings.HasPrefix(mime, "audio/"), mime == "application/ogg":
		kind = whatsapp.KindAudio
	case strings.HasPrefix(mime, "video/"):
		kind = whatsapp.KindVideo
	}
	in, err := s.devMessage(c.PostForm("phone"), c.PostForm("phone_number_id"), c.PostForm("caption"), "caption")
	if err != nil {
		app.Fail(c, err)
		return
	}
	in.Kind, in.MediaID, in.MediaMime = kind, "DEV"+hailurah.RandomCode(24), mime
	if err := os.MkdirAll(s.devGraphDir(), 0o700); err != nil {
		app.Fail(c, err)
		return
	}
	if err := os.WriteFile(filepath.Join(s.devGraphDir(), in.MediaID), data, 0o600); err != nil {
		app.Fail(c, err)
		return
	}
	meta, _ := json.Marshal(map[string]any{"mime_type": mime, "file_size": len(data)})
	if err := os.WriteFile(filepath.Join(s.devGraphDir(), in.MediaID+".json"), meta, 0o600); err != nil {
		app.Fail(c, err)
		return
	}
	s.devDeliver(c, in)
}

// devGraphMedia checks the bearer token and the id and returns the path
// of the stored file, or answers as the Graph API would.
func (s *Server) devGraphMedia(c *gin.Context) (string, bool) {
	token := strings.TrimPrefix(c.GetHeader("Authorization"), "Bearer ")
	if !hmac.Equal([]byte(token), []byte(DevGraphToken(s.cfg.Secret))) {
		c.JSON(http.StatusUnauthorized, gin.H{"error": gin.H{"message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190}})
		return "", false
	}
	id := c.Param("id")
	path := filepath.Join(s.devGraphDir(), id)
	if !devMediaID.MatchString(id) {
		path = ""
	} else if _, err := os.Stat(path); err != nil {
		path = ""
	}
	if path == "" {
		c.JSON(http.StatusNotFound, gin.H{"error": gin.H{"message": "Unsupported get request.", "type": "GraphMethodException", "code": 100}})
		return "", false
	}
	return path, true
}

// devGraphMeta: GET /dev/graph/{id} — the media's metadata and its URL.
func (s *Server) devGraphMeta(c *gin.Context) {
	path, ok := s.devGraphMedia(c)
	if !ok {
		return
	}
	var meta struct {
		MIMEType string `json:"mime_type"`
		FileSize int64  `json:"file_size"`
	}
	if raw, err := os.ReadFile(path + ".json"); err == nil {
		_ = json.Unmarshal(raw, &meta)
	}
	scheme := "http"
	if c.Request.TLS != nil {
		scheme = "https"
	}
	c.JSON(http.StatusOK, gin.H{"messaging_product": "whatsapp", "id": c.Param("id"), "mime_type": meta.MIMEType,
		"file_size": meta.FileSize, "url": scheme + "://" + c.Request.Host + DevGraphPath + "/" + c.Param("id") + "/file"})
}

// devGraphFile: GET /dev/graph/{id}/file — the bytes.
func (s *Server) devGraphFile(c *gin.Context) {
	if path, ok := s.devGraphMedia(c); ok {
		c.File(path)
	}
}
