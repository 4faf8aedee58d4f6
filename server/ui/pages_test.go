package ui

import (
	"io/fs"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/programme"
	"github.com/hailurah/hailurah/server/app"
	"github.com/hailurah/hailurah/web"
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

// TestImportTemplateImports: the CSV template offered beside the household
// import is a sheet the import takes whole, without a warning.
func TestImportTemplateImports(t *testing.T) {
	data, err := fs.ReadFile(web.Static(), "contoh/rumah-tangga.csv")
	if err != nil {
		t.Fatal(err)
	}
	r := programme.ParseHouseholdCSV(data, "taman")
	if r.Fatal || len(r.Errors) > 0 || len(r.Warnings) > 0 || len(r.Rows) != 2 {
		t.Errorf("template: %d rows, errors %v, warnings %v", len(r.Rows), r.Errors, r.Warnings)
	}
}

// TestPresetLinksOneHighlighted: in December "12 bulan" and "Tahun ini"
// are the same days; the page (dashboards and /data alike) offers one of
// them, so only one choice is highlighted.
func TestPresetLinksOneHighlighted(t *testing.T) {
	z, err := hailurah.LoadZone("Asia/Jakarta")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, z.Location())
	presets := periodPresets(z, now)
	var year app.Period
	for _, pr := range presets {
		if pr.label == "Tahun ini" {
			year = pr.p
		}
	}
	links := presetLinks("/data", "", presets[2:], year)
	current := 0
	for _, l := range links {
		if l.Current {
			current++
		}
	}
	if current != 1 {
		t.Errorf("%d presets highlighted for the year in December: %+v", current, links)
	}
}
