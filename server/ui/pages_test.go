package ui

import (
	"testing"
)

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"/antrian?x=1":          "/antrian?x=1",
		"//jahat.example/":      "/def",
		"https://jahat.example": "/def",
		"/\\jahat.example":      "/def",
		"":                      "/def",
		"/\t/jahat.example/":    "/def",
		"/%09/jahat.example/":   "/def",
		"/%2F/jahat.example/":   "/def",
		"/a b":                  "/def",
	} {
		if got := safeNext(in, "/def"); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}
