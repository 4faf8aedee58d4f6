package programme_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/programme"
)

// FuzzParseHouseholdCSV feeds arbitrary files to the parser. Whatever the
// file, it must not panic, and its answer must be one the import can act
// on: valid, unique rows only, every problem with a reason and a line
// inside the file, and nothing to import when the file is fatal.
//
// The seed corpus is the testdata files plus testdata/fuzz/.
func FuzzParseHouseholdCSV(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.csv"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(header + "TMN-1,\"A\"\"B\",RT1/RW1,YA,,,Rp 1.500.000,1,5 juta,TIDAK,01/02/2026\n"))
	f.Add([]byte("household_id;nama_kepala_keluarga\n\"unterminated"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := programme.ParseHouseholdCSV(data, "taman")
		lines := 1 + strings.Count(string(data), "\n")
		if r.Fatal && len(r.Rows) > 0 {
			t.Fatalf("a fatal file has rows to import: %d", len(r.Rows))
		}
		if r.Fatal && len(r.Errors) == 0 {
			t.Fatal("a fatal file without an error saying why")
		}
		seen := map[string]bool{}
		for _, row := range r.Rows {
			h := row.Household
			if err := h.Validate(); err != nil {
				t.Fatalf("line %d: an invalid row passed: %v (%+v)", row.Line, err, h)
			}
			if seen[h.ID] {
				t.Fatalf("household_id %q imported twice", h.ID)
			}
			seen[h.ID] = true
			if row.Line < 2 || row.Line > lines {
				t.Fatalf("row line %d outside the file's %d lines", row.Line, lines)
			}
			if !utf8.ValidString(h.NamaKepalaKeluarga) {
				t.Fatalf("invalid UTF-8 reached a row: %q", h.NamaKepalaKeluarga)
			}
		}
		for _, i := range append(append([]hailurah.ImportIssue{}, r.Errors...), r.Warnings...) {
			if i.Reason == "" || i.Line < 0 || i.Line > lines {
				t.Fatalf("issue %+v outside the file's %d lines or without a reason", i, lines)
			}
		}
	})
}
