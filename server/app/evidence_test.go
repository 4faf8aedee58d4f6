package app

import (
	"bytes"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
)

func pngBytes(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 4, 3))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestCheckEvidence: the type comes from the content, not from the name
// the phone gave the file.
func TestCheckEvidence(t *testing.T) {
	webp := append([]byte("RIFF\x24\x00\x00\x00WEBPVP8 "), make([]byte, 32)...)
	jpeg := append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, make([]byte, 64)...)
	cases := []struct {
		name    string
		content []byte
		ext     string
		err     string
	}{
		{"foto.png", pngBytes(t), ".png", ""},
		{"foto-tanpa-ekstensi", pngBytes(t), ".png", ""},
		{"kamera.jpeg.txt", jpeg, ".jpg", ""},
		{"layar.webp", webp, ".webp", ""},
		{"palsu.png", []byte("bukan gambar"), "", "bukan foto JPEG, PNG atau WebP"},
		{"halaman.jpg", []byte("<html><script>alert(1)</script></html>"), "", "bukan foto"},
		{"kosong.png", nil, "", "kosong"},
		{"besar.png", append(pngBytes(t), make([]byte, MaxEvidenceBytes)...), "", "terlalu besar"},
	}
	for _, c := range cases {
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		part, _ := w.CreateFormFile("foto", c.name)
		_, _ = part.Write(c.content)
		_ = w.Close()
		req := httptest.NewRequest(http.MethodPost, "/", &body)
		req.Header.Set("Content-Type", w.FormDataContentType())
		if err := req.ParseMultipartForm(1 << 20); err != nil {
			t.Fatal(err)
		}
		ext, err := checkEvidence(req.MultipartForm.File["foto"][0])
		switch {
		case c.err == "" && (err != nil || ext != c.ext):
			t.Errorf("%s: %q %v, want %q", c.name, ext, err, c.ext)
		case c.err != "" && (err == nil || !strings.Contains(hailurah.ErrorMessage(err), c.err) || hailurah.ErrorField(err) != "foto"):
			t.Errorf("%s: %v, want an error on foto saying %q", c.name, err, c.err)
		}
	}
}

func TestBodyLimit(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	var got int64
	r.POST("/tiket/:id/aksi", func(c *gin.Context) { got = BodyLimit(c, 1<<20) })
	r.POST("/api/v1/curhat", func(c *gin.Context) { got = BodyLimit(c, 1<<20) })
	r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/tiket/HL-1/aksi", nil))
	if got != MaxEvidenceBody {
		t.Errorf("evidence form limit %d", got)
	}
	r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/api/v1/curhat", nil))
	if got != 1<<20 {
		t.Errorf("other routes %d", got)
	}
}
