package programme_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/programme"
)

const header = "household_id,nama_kepala_keluarga,alamat_rt_rw,dtks_status,potensi_usaha,pelatihan_participation,modal_received,omzet_monthly,umkm_onboarded,date_updated\n"

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// issues writes issues as "line:column" for comparison.
func issues(list []hailurah.ImportIssue) []string {
	var out []string
	for _, i := range list {
		out = append(out, fmt.Sprintf("%d:%s", i.Line, i.Column))
	}
	return out
}

func equal(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("%s:\n got  %q\n want %q", what, got, want)
	}
}

func mustReason(t *testing.T, list []hailurah.ImportIssue) {
	t.Helper()
	for _, i := range list {
		if strings.TrimSpace(i.Reason) == "" {
			t.Errorf("issue without a reason: %+v", i)
		}
	}
}

func TestParseGoodFile(t *testing.T) {
	r := programme.ParseHouseholdCSV(readFile(t, "good.csv"), "taman")
	if r.Fatal || len(r.Errors) > 0 || len(r.Warnings) > 0 {
		t.Fatalf("good file: fatal=%v errors=%v warnings=%v", r.Fatal, r.Errors, r.Warnings)
	}
	if r.Encoding != programme.EncodingUTF8 || len(r.Rows) != 3 {
		t.Fatalf("encoding %q, %d rows", r.Encoding, len(r.Rows))
	}
	siti := r.Rows[0]
	h := siti.Household
	if siti.Line != 2 || h.ID != "TMN-001" || h.Kelurahan != "taman" || h.NamaKepalaKeluarga != "Siti Aminah" ||
		h.RT != "03" || h.RW != "02" || !h.DTKS || h.ModalReceived != 1_500_000 || h.OmzetMonthly != 2_000_000 ||
		h.UMKMOnboarded || h.DateUpdated == nil || !h.DateUpdated.Equal(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("row 2: line %d %+v", siti.Line, h)
	}
	equal(t, "pelatihan", h.Pelatihan, []string{"Wirausaha dasar", "Digital marketing"})

	budi := r.Rows[1].Household
	if budi.RT != "01" || budi.RW != "04" || budi.DTKS || !budi.UMKMOnboarded || budi.OmzetMonthly != 750_000 ||
		budi.DateUpdated == nil || budi.DateUpdated.Format("2006-01-02") != "2026-03-01" || len(budi.Pelatihan) != 0 {
		t.Errorf("row 3 (DD/MM/YYYY, RT 1 RW 4): %+v", budi)
	}
	dewi := r.Rows[2].Household
	if dewi.RT != "03" || dewi.RW != "02" || !dewi.DTKS || dewi.OmzetMonthly != 1_250_000 || dewi.DateUpdated != nil {
		t.Errorf("row 4 (003/002, en-US grouping, no date): %+v", dewi)
	}
	equal(t, "pandas list", dewi.Pelatihan, []string{"Wirausaha dasar", "Sertifikasi boga"})
}

func TestParseMixedFile(t *testing.T) {
	r := programme.ParseHouseholdCSV(readFile(t, "mixed.csv"), "taman")
	if r.Fatal {
		t.Fatalf("mixed file is not fatal: %v", r.Errors)
	}
	if len(r.Rows) != 1 || r.Rows[0].Household.ID != "TMN-013" || r.Rows[0].Line != 6 {
		t.Fatalf("only TMN-013 (line 6) is valid: %+v", r.Rows)
	}
	if h := r.Rows[0].Household; h.OmzetMonthly != 3_000_000 || h.ModalReceived != 2_000_000 {
		t.Errorf("\"3 juta\" and \"Rp 2.000.000\": %+v", h)
	}
	// Every bad cell is reported, by line and column; the blank line 5 is
	// skipped; both lines of the duplicate id are refused.
	equal(t, "errors", issues(r.Errors), []string{
		"2:household_id",
		"3:nama_kepala_keluarga", "3:dtks_status", "3:modal_received", "3:date_updated",
		"4:alamat_rt_rw", "4:omzet_monthly",
		"7:household_id",
	})
	equal(t, "warnings", issues(r.Warnings), []string{"1:catatan"})
	mustReason(t, r.Errors)
	for _, e := range r.Errors {
		if e.Line == 3 && e.Column == "date_updated" && !strings.Contains(e.Reason, "31/02/2026") {
			t.Errorf("the reason quotes the bad value: %q", e.Reason)
		}
		if e.Line == 7 && !strings.Contains(e.Reason, "baris 2") {
			t.Errorf("the duplicate names the first line: %q", e.Reason)
		}
	}
}

func TestParseBadFile(t *testing.T) {
	r := programme.ParseHouseholdCSV(readFile(t, "bad.csv"), "taman")
	if r.Fatal || len(r.Rows) != 0 {
		t.Fatalf("bad rows are row errors, and none is valid: fatal=%v rows=%v", r.Fatal, r.Rows)
	}
	equal(t, "errors", issues(r.Errors), []string{"2:household_id", "3:household_id", "4:alamat_rt_rw"})
	mustReason(t, r.Errors)
}

func TestParseMissingColumns(t *testing.T) {
	r := programme.ParseHouseholdCSV(readFile(t, "missing_columns.csv"), "taman")
	if !r.Fatal || len(r.Rows) != 0 || len(r.Errors) != 1 {
		t.Fatalf("missing columns: one error for the file, no rows: %+v", r)
	}
	e := r.Errors[0]
	if e.Line != 1 || e.Column != "alamat_rt_rw, date_updated" || !strings.Contains(e.Reason, "alamat_rt_rw, date_updated") {
		t.Errorf("missing columns error: %+v", e)
	}
}

func TestParseEncodings(t *testing.T) {
	t.Run("UTF-8 with BOM and upper-case header", func(t *testing.T) {
		r := programme.ParseHouseholdCSV(readFile(t, "utf8_bom.csv"), "taman")
		if r.Fatal || len(r.Errors) > 0 || len(r.Rows) != 1 || r.Encoding != programme.EncodingUTF8BOM {
			t.Fatalf("%+v", r)
		}
		if h := r.Rows[0].Household; h.ID != "TMN-040" || h.NamaKepalaKeluarga != "José Ramírez" || h.PotensiUsaha != "Kafe ‘Kopi’" {
			t.Errorf("BOM not stripped or text changed: %+v", h)
		}
	})
	t.Run("Windows-1252 from Excel is detected", func(t *testing.T) {
		r := programme.ParseHouseholdCSV(readFile(t, "windows1252.csv"), "taman")
		if r.Fatal || len(r.Errors) > 0 || len(r.Rows) != 1 || r.Encoding != programme.EncodingWindows1252 {
			t.Fatalf("%+v", r)
		}
		// é and í are Latin-1; the curly quotes are Windows-1252's own.
		if h := r.Rows[0].Household; h.NamaKepalaKeluarga != "José Ramírez" || h.PotensiUsaha != "Kafe ‘Kopi’" {
			t.Errorf("decoded as %q / %q", h.NamaKepalaKeluarga, h.PotensiUsaha)
		}
		if len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0].Reason, "Windows-1252") {
			t.Errorf("the fasilitator is told how the file was read: %v", r.Warnings)
		}
	})
	t.Run("UTF-16 is rejected with the way out", func(t *testing.T) {
		r := programme.ParseHouseholdCSV(readFile(t, "utf16.csv"), "taman")
		if !r.Fatal || len(r.Rows) != 0 || len(r.Errors) != 1 || !strings.Contains(r.Errors[0].Reason, "CSV UTF-8") {
			t.Fatalf("%+v", r)
		}
	})
	t.Run("bytes Windows-1252 leaves undefined are rejected", func(t *testing.T) {
		data := []byte(header + "TMN-1,Nama \x81,RT01/RW01,YA,,,0,0,TIDAK,\n")
		r := programme.ParseHouseholdCSV(data, "taman")
		if !r.Fatal || !strings.Contains(r.Errors[0].Reason, "Encoding file tidak dikenali") {
			t.Fatalf("%+v", r)
		}
	})
	t.Run("a BOM with invalid UTF-8 after it names the line", func(t *testing.T) {
		data := append([]byte("\xef\xbb\xbf"+header+"TMN-1,Ok,RT01/RW01,YA,,,0,0,TIDAK,\n"), []byte("TMN-2,Jos\xe9,RT01/RW01,YA,,,0,0,TIDAK,\n")...)
		r := programme.ParseHouseholdCSV(data, "taman")
		if !r.Fatal || r.Errors[0].Line != 3 {
			t.Fatalf("%+v", r.Errors)
		}
	})
	t.Run("binary file", func(t *testing.T) {
		r := programme.ParseHouseholdCSV([]byte("PK\x03\x04\x00\x00"), "taman")
		if !r.Fatal || !strings.Contains(r.Errors[0].Reason, "NUL") {
			t.Fatalf("%+v", r)
		}
	})
}

func TestParseExcelSemicolonFile(t *testing.T) {
	r := programme.ParseHouseholdCSV(readFile(t, "excel_semicolon.csv"), "taman")
	if r.Fatal || len(r.Errors) > 0 || len(r.Rows) != 1 {
		t.Fatalf("%+v", r)
	}
	h := r.Rows[0].Household
	if h.ID != "TMN-030" || h.ModalReceived != 1_500_000 || h.OmzetMonthly != 2_500_000 || h.DateUpdated.Format("2006-01-02") != "2026-03-05" {
		t.Errorf("%+v", h)
	}
	// No semicolon in the cell, so the comma splits it: "Boga, batch 1" is
	// two items. (A semicolon-separated file cannot hold a list with
	// semicolons unquoted; the comma is what remains.)
	equal(t, "pelatihan", h.Pelatihan, []string{"Boga", "batch 1"})
}

func TestParseFileShapes(t *testing.T) {
	tests := []struct {
		name       string
		data       string
		fatal      bool
		rows       int
		errors     []string
		errContain string
	}{
		{name: "empty", data: "", fatal: true, errors: []string{"0:"}},
		{name: "header only", data: header, fatal: true, errors: []string{"0:"}, errContain: "hanya berisi baris judul"},
		{name: "blank rows skipped", data: header + ",,,,,,,,,\n\nTMN-1,A,RT1/RW1,YA,,,,,,\n", rows: 1},
		{name: "columns in another order, extra spaces",
			data: " Date_Updated ,umkm_onboarded,omzet_monthly,modal_received,pelatihan_participation,potensi_usaha,dtks_status,alamat_rt_rw,nama_kepala_keluarga,HOUSEHOLD_ID\n" +
				"2026-01-02,YA,100000,0,,Jahit,TIDAK,RT1/RW2,Ani,TMN-9\n", rows: 1},
		{name: "duplicate header column", data: strings.TrimSuffix(header, "\n") + ",household_id\n", fatal: true, errors: []string{"1:household_id"}},
		{name: "wrong field count", data: header + "TMN-1,A,RT1/RW1,YA\n", errors: []string{"2:"}},
		{name: "bare quote is a row error, later rows still read",
			data: header + "TMN-1,A \"B\" C,RT1/RW1,YA,,,0,0,TIDAK,\nTMN-2,B,RT1/RW1,YA,,,0,0,TIDAK,\n", rows: 1, errors: []string{"2:"}},
		{name: "multi-line quoted cell keeps line numbers",
			data: header + "TMN-1,\"Ani\nBinti Ahmad\",RT1/RW1,YA,,,0,0,TIDAK,\nTMN-2,,RT1/RW1,YA,,,0,0,TIDAK,\n", rows: 1,
			errors: []string{"4:nama_kepala_keluarga"}},
		{name: "kelurahan column must match", data: strings.TrimSuffix(header, "\n") + ",kelurahan\nTMN-1,A,RT1/RW1,YA,,,0,0,TIDAK,,nambangan\n",
			errors: []string{"2:kelurahan"}},
		{name: "optional columns", data: strings.TrimSuffix(header, "\n") + ",baseline_income,kelompok_rentan\n" +
			"TMN-1,A,RT1/RW1,YA,,,0,0,TIDAK,,Rp 900.000,\"Lansia; ibu rumah tangga\"\nTMN-2,B,RT1/RW1,YA,,,0,0,TIDAK,,0,pensiunan\n",
			rows: 1, errors: []string{"3:kelompok_rentan"}},
		{name: "formula guard is taken off", data: header + "TMN-1,'=Ani,RT1/RW1,YA,,,0,0,TIDAK,\n", rows: 1},
		{name: "RT zero", data: header + "TMN-1,A,RT00/RW01,YA,,,0,0,TIDAK,\n", errors: []string{"2:alamat_rt_rw"}},
		{name: "year out of range", data: header + "TMN-1,A,RT1/RW1,YA,,,0,0,TIDAK,45352\n", errors: []string{"2:date_updated"}},
		{name: "name too long", data: header + "TMN-1," + strings.Repeat("a", 201) + ",RT1/RW1,YA,,,0,0,TIDAK,\n", errors: []string{"2:nama_kepala_keluarga"}},
		{name: "control character", data: header + "TMN-1,A\x07,RT1/RW1,YA,,,0,0,TIDAK,\n", errors: []string{"2:nama_kepala_keluarga"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := programme.ParseHouseholdCSV([]byte(tt.data), "taman")
			if r.Fatal != tt.fatal || len(r.Rows) != tt.rows {
				t.Fatalf("fatal=%v rows=%d, want %v %d; errors %v", r.Fatal, len(r.Rows), tt.fatal, tt.rows, r.Errors)
			}
			equal(t, "errors", issues(r.Errors), tt.errors)
			mustReason(t, r.Errors)
			if tt.errContain != "" && !strings.Contains(r.Errors[0].Reason, tt.errContain) {
				t.Errorf("reason %q lacks %q", r.Errors[0].Reason, tt.errContain)
			}
		})
	}
	r := programme.ParseHouseholdCSV([]byte(header+"TMN-1,'=Ani,RT1/RW1,YA,,,0,0,TIDAK,\n"), "taman")
	if r.Rows[0].Household.NamaKepalaKeluarga != "=Ani" {
		t.Errorf("formula guard: %q", r.Rows[0].Household.NamaKepalaKeluarga)
	}
}

func TestParseLimits(t *testing.T) {
	var b bytes.Buffer
	b.WriteString(header)
	for i := range programme.MaxImportRows + 1 {
		fmt.Fprintf(&b, "T-%d,A,RT1/RW1,YA,,,0,0,TIDAK,\n", i)
	}
	r := programme.ParseHouseholdCSV(b.Bytes(), "taman")
	if !r.Fatal || len(r.Rows) != 0 || !strings.Contains(r.Errors[len(r.Errors)-1].Reason, "20000") {
		t.Fatalf("too many rows: fatal=%v rows=%d errors=%v", r.Fatal, len(r.Rows), r.Errors)
	}
	big := bytes.Repeat([]byte("x"), programme.MaxImportBytes+1)
	if r := programme.ParseHouseholdCSV(big, "taman"); !r.Fatal || !strings.Contains(r.Errors[0].Reason, "terlalu besar") {
		t.Fatalf("too large: %+v", r.Errors)
	}
}

// TestExportImportRoundTrip: an exported file imports back into the same
// households, so an admin can export, fix in a sheet and import.
func TestExportImportRoundTrip(t *testing.T) {
	d := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	in := []*hailurah.Household{
		{ID: "TMN-001", Kelurahan: "taman", NamaKepalaKeluarga: "=HYPERLINK(\"x\")", AlamatRTRW: "RT03/RW02, Jl. Mawar", RT: "03", RW: "02",
			DTKS: true, PotensiUsaha: "Warung, kopi", Pelatihan: []string{"Wirausaha dasar, batch 1"}, ModalReceived: 1_500_000,
			OmzetMonthly: 2_000_000, DateUpdated: &d, BaselineIncome: 900_000,
			Vulnerability: []string{hailurah.VulnerableLansia, hailurah.VulnerableIbuRumahTangga}},
		{ID: "TMN-002", Kelurahan: "taman", NamaKepalaKeluarga: "José", AlamatRTRW: "RT1 RW4", RT: "01", RW: "04",
			Pelatihan: []string{"A", "B"}, UMKMOnboarded: true},
	}
	var buf bytes.Buffer
	if err := programme.WriteHouseholdCSV(&buf, in); err != nil {
		t.Fatal(err)
	}
	r := programme.ParseHouseholdCSV(buf.Bytes(), "taman")
	if r.Fatal || len(r.Errors) > 0 || len(r.Warnings) > 0 || len(r.Rows) != 2 {
		t.Fatalf("re-import: %+v\n%s", r, buf.String())
	}
	for i, row := range r.Rows {
		got, want := fmt.Sprintf("%+v", *row.Household), fmt.Sprintf("%+v", *in[i])
		if got != want {
			t.Errorf("row %d:\n got  %s\n want %s", i, got, want)
		}
	}
	if !strings.Contains(buf.String(), "'=HYPERLINK") {
		t.Errorf("formula not defused in the export:\n%s", buf.String())
	}
}
