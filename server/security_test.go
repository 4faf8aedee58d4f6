package server_test

import (
	"net/http"
	"testing"

	"github.com/hailurah/hailurah/store/storetest"
)

// TestLoginNextIsLocal: a signed-in user opening /login with a next that a
// browser would read as another site lands on the role's home page, never
// on that site (the probe's /%09/evil.example/ became //evil.example/).
func TestLoginNextIsLocal(t *testing.T) {
	f := newFixture(t, storetest.Open(t))
	c := f.client()
	if resp, out := c.login("moderator", testPassword); resp.StatusCode != http.StatusOK {
		t.Fatalf("login: %d %v", resp.StatusCode, out)
	}
	for next, want := range map[string]string{
		"/%09/evil.example/":       "/antrian",
		"/%0a/evil.example/":       "/antrian",
		"%2F%2Fevil.example/":      "/antrian",
		"/%5Cevil.example/":        "/antrian",
		"/%252F%252Fevil.example/": "/antrian",
		"https://evil.example/":    "/antrian",
		"":                         "/antrian",
		"/tiket/T-1?tab=riwayat":   "/tiket/T-1?tab=riwayat",
		"%2Ftiket%2FT-1":           "/tiket/T-1",
	} {
		resp, _ := c.do("GET", "/login?next="+next, "", nil)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want {
			t.Errorf("GET /login?next=%s: %d %q, want 303 %q", next, resp.StatusCode, resp.Header.Get("Location"), want)
		}
	}
}
