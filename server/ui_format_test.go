package server

import (
	"bytes"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
)

func TestFormatWaktu(t *testing.T) {
	var wib hailurah.Zone // the default, Kota Madiun's
	wita, err := hailurah.LoadZone("Asia/Makassar")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 27, 2, 15, 5, 0, time.UTC)
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"WIB", formatWaktu(wib, at), "27 Nov 2026 09.15 WIB"},
		{"past midnight in Madiun", formatWaktu(wib, time.Date(2026, 8, 3, 17, 5, 0, 0, time.UTC)), "4 Agu 2026 00.05 WIB"},
		{"WITA", formatWaktu(wita, at), "27 Nov 2026 10.15 WITA"},
		{"past midnight in Makassar, not yet in Madiun", formatWaktu(wita, time.Date(2026, 8, 3, 16, 5, 0, 0, time.UTC)), "4 Agu 2026 00.05 WITA"},
		{"clock WIB", formatJam(wib, at), "09.15.05 WIB"},
		{"clock WITA", formatJam(wita, at), "10.15.05 WITA"},
		{"nil time", formatWaktuPtr(wita, nil), "-"},
		{"zero time", formatWaktu(wita, time.Time{}), "-"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

// TestPeriodInTheKelurahansZone: dashboard periods are whole days of the
// kelurahan's zone, and a query's dates are read in it.
func TestPeriodInTheKelurahansZone(t *testing.T) {
	wita, err := hailurah.LoadZone("Asia/Makassar")
	if err != nil {
		t.Fatal(err)
	}
	// 27 Nov 2026 17:30 UTC is already the 28th in Makassar.
	now := time.Date(2026, 11, 27, 17, 30, 0, 0, time.UTC)
	p := LastDays(wita, now, 30)
	if !p.From.Equal(time.Date(2026, 10, 29, 16, 0, 0, 0, time.UTC)) || !p.To.Equal(time.Date(2026, 11, 28, 16, 0, 0, 0, time.UTC)) {
		t.Errorf("lastDays: [%v, %v)", p.From, p.To)
	}
	if p.FromText() != "2026-10-30" || p.ToText() != "2026-11-28" || p.Label() != "30 Okt 2026 – 28 Nov 2026" {
		t.Errorf("texts: %s %s %q", p.FromText(), p.ToText(), p.Label())
	}
	c, _ := gin.CreateTestContext(httptest.NewRecorder())
	c.Request = httptest.NewRequest("GET", "/?from=2026-01-01&to=2026-01-31", nil)
	q, err := parsePeriod(c, p)
	if err != nil || !q.From.Equal(time.Date(2025, 12, 31, 16, 0, 0, 0, time.UTC)) || !q.To.Equal(time.Date(2026, 1, 31, 16, 0, 0, 0, time.UTC)) {
		t.Errorf("parsePeriod: [%v, %v), %v", q.From, q.To, err)
	}
	if m := LastMonths(hailurah.Zone{}, now, 12); !m.From.Equal(time.Date(2025, 11, 30, 17, 0, 0, 0, time.UTC)) {
		t.Errorf("lastMonths in WIB from %v", m.From)
	}
}

func TestFormatSisa(t *testing.T) {
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	cases := []struct {
		d    time.Duration
		want string
		over bool
	}{
		{3*time.Hour + 20*time.Minute + 30*time.Second, "sisa 3 jam 20 menit", false},
		{-2 * time.Hour, "lewat 2 jam", true},
		{-(2*time.Hour + 59*time.Second), "lewat 2 jam", true},
		{2*24*time.Hour + 3*time.Hour + 10*time.Minute, "sisa 2 hari 3 jam", false},
		{24 * time.Hour, "sisa 1 hari", false},
		{45 * time.Minute, "sisa 45 menit", false},
		{30 * time.Second, "sisa kurang dari 1 menit", false},
		{-90 * time.Second, "lewat 1 menit", true},
	}
	for _, c := range cases {
		got, over := formatSisa(now.Add(c.d), now)
		if got != c.want || over != c.over {
			t.Errorf("%s: %q %v, want %q %v", c.d, got, over, c.want, c.over)
		}
	}
}

// TestOffered: the page offers each role only the forms of its part of the
// case, and only in the statuses the workflow accepts them.
func TestOffered(t *testing.T) {
	mod := &hailurah.User{Username: "m", Role: hailurah.RoleModerator, Kelurahan: "taman"}
	pupr := &hailurah.User{Username: "p", Role: hailurah.RoleDinas, Unit: "pupr"}
	dlh := &hailurah.User{Username: "d", Role: hailurah.RoleDinas, Unit: "dlh"}
	admin := &hailurah.User{Username: "a", Role: hailurah.RoleAdmin}
	open := &hailurah.Ticket{Kelurahan: "taman", Status: hailurah.StatusOpen}
	assigned := &hailurah.Ticket{Kelurahan: "taman", Status: hailurah.StatusAssigned, AssignedUnit: "pupr"}
	working := &hailurah.Ticket{Kelurahan: "taman", Status: hailurah.StatusInProgress, AssignedUnit: "pupr"}
	other := &hailurah.Ticket{Kelurahan: "demangan", Status: hailurah.StatusOpen}
	city := &hailurah.Ticket{Status: hailurah.StatusOpen}
	resolved := &hailurah.Ticket{Kelurahan: "taman", Status: hailurah.StatusResolved}
	cases := []struct {
		u      *hailurah.User
		t      *hailurah.Ticket
		action string
		want   bool
	}{
		{mod, open, hailurah.ActionAssign, true},
		{mod, open, hailurah.ActionReject, true},
		{mod, open, hailurah.ActionAccept, false},
		{mod, assigned, hailurah.ActionAssign, false},
		{mod, assigned, hailurah.ActionReply, true},
		{mod, other, hailurah.ActionReply, false},
		{mod, city, hailurah.ActionAssign, false},
		{mod, city, hailurah.ActionSetKelurahan, true},
		{mod, resolved, hailurah.ActionNote, true},
		{mod, resolved, hailurah.ActionReply, false},
		{pupr, assigned, hailurah.ActionAccept, true},
		{pupr, assigned, hailurah.ActionDone, false},
		{pupr, working, hailurah.ActionDone, true},
		{pupr, working, hailurah.ActionNote, false},
		{dlh, working, hailurah.ActionDone, false},
		{admin, working, hailurah.ActionDone, true},
		{admin, city, hailurah.ActionSetKelurahan, true},
	}
	for _, c := range cases {
		if got := offered(c.u, c.t, c.action); got != c.want {
			t.Errorf("%s %s on %s/%s/%s: %v, want %v", c.u.Role, c.action, c.t.Kelurahan, c.t.Status, c.t.AssignedUnit, got, c.want)
		}
	}
}

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
