package app

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
)

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
