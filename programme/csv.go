package programme

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/hailurah/hailurah"
)

// Lampiran C's columns, in the seed's order. Every one must be in the
// header; the values of some may be empty (see parseRow).
var Columns = []string{
	"household_id", "nama_kepala_keluarga", "alamat_rt_rw", "dtks_status", "potensi_usaha",
	"pelatihan_participation", "modal_received", "omzet_monthly", "umkm_onboarded", "date_updated",
}

// Optional columns the registry keeps beyond Lampiran C. A sheet without
// them imports; one with them fills them.
const (
	ColBaselineIncome = "baseline_income"
	ColKelompokRentan = "kelompok_rentan"
	// ColKelurahan is written by the export so a city-wide file says where
	// each household is; an import checks it against the target kelurahan.
	ColKelurahan = "kelurahan"
)

// Limits of one import: a kelurahan has a few thousand households, so
// these leave room for a whole kecamatan while keeping one request's work
// bounded.
const (
	MaxImportBytes = 5 << 20
	MaxImportRows  = 20_000
)

// Encodings Parse recognises, as it reports them.
const (
	EncodingUTF8        = "UTF-8"
	EncodingUTF8BOM     = "UTF-8 dengan BOM"
	EncodingWindows1252 = "Windows-1252"
)

// Result is a parsed household sheet: the valid rows, and every problem by
// line and column. Fatal is set when the file as a whole cannot be read
// (wrong encoding, missing columns, too large): then Rows is empty and
// nothing may be imported.
type Result struct {
	Rows     []hailurah.ImportRow
	Errors   []hailurah.ImportIssue
	Warnings []hailurah.ImportIssue
	Encoding string
	Fatal    bool
}

func (r *Result) fatal(line int, column, format string, args ...any) *Result {
	r.Rows = nil
	r.Fatal = true
	r.Errors = append(r.Errors, hailurah.ImportIssue{Line: line, Column: column, Reason: fmt.Sprintf(format, args...)})
	return r
}

func (r *Result) rowError(line int, column, format string, args ...any) {
	r.Errors = append(r.Errors, hailurah.ImportIssue{Line: line, Column: column, Reason: fmt.Sprintf(format, args...)})
}

func (r *Result) warn(line int, column, format string, args ...any) {
	r.Warnings = append(r.Warnings, hailurah.ImportIssue{Line: line, Column: column, Reason: fmt.Sprintf(format, args...)})
}

// ParseHouseholdCSV reads a Lampiran C sheet for a kelurahan. It never
// fails: every problem is in the result, so the caller reports all of them
// at once, the way a fasilitator fixes a sheet.
//
// The header must hold every Lampiran C column (case and surrounding spaces
// do not matter); unknown columns are ignored with a warning. The file may
// be UTF-8 (with or without BOM) or Windows-1252/Latin-1 as older Excel
// writes it; UTF-16 is refused with the way to re-save it. Comma,
// semicolon (Excel in the Indonesian locale) and tab separate fields.
// Blank rows are skipped. A household_id that appears twice is an error
// on every line it appears on, and none of them is imported: the file does
// not say which is right.
func ParseHouseholdCSV(data []byte, kelurahan string) *Result {
	r := &Result{}
	if len(data) > MaxImportBytes {
		return r.fatal(0, "", "File terlalu besar (%s); maks. %d MB per impor. Pecah file per RW.", sizeLabel(len(data)), MaxImportBytes>>20)
	}
	text, ok := r.decode(data)
	if !ok {
		return r
	}
	if strings.TrimSpace(text) == "" {
		return r.fatal(0, "", "File kosong; baris pertama harus berisi nama kolom Lampiran C.")
	}

	cr := csv.NewReader(strings.NewReader(text))
	cr.Comma = sniffDelimiter(text)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return r.fatal(1, "", "Baris judul tidak dapat dibaca: %s.", csvReason(err))
	}
	cols, ok := r.columns(header)
	if !ok {
		return r
	}

	var absent []string
	for _, c := range []string{ColBaselineIncome, ColKelompokRentan} {
		if _, ok := cols[c]; !ok {
			absent = append(absent, c)
		}
	}
	type pending struct {
		row   hailurah.ImportRow
		valid bool
	}
	var rows []pending
	firstLine := map[string]int{} // household_id → the first line it is on
	dupes := map[string]bool{}
	count := 0
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			r.rowError(pe.StartLine, "", "Baris tidak dapat dibaca sebagai CSV: %s.", csvReason(err))
			continue
		} else if err != nil {
			return r.fatal(0, "", "File tidak dapat dibaca: %s.", csvReason(err))
		}
		line, _ := cr.FieldPos(0)
		if blank(rec) {
			continue
		}
		count++
		if count > MaxImportRows {
			return r.fatal(0, "", "File memuat lebih dari %d baris data; pecah file per RW.", MaxImportRows)
		}
		if len(rec) != len(header) {
			r.rowError(line, "", "Baris memuat %d kolom, padahal judul memuat %d; periksa pemisah (koma/titik koma) dan tanda kutip.", len(rec), len(header))
			continue
		}
		h, ok := r.parseRow(line, rec, cols, kelurahan)
		if h != nil && h.ID != "" {
			if first, seen := firstLine[h.ID]; seen {
				dupes[h.ID] = true
				r.rowError(line, "household_id", "household_id %q sudah muncul di baris %d; setiap rumah tangga hanya boleh satu baris.", h.ID, first)
				ok = false
			} else {
				firstLine[h.ID] = line
			}
		}
		rows = append(rows, pending{row: hailurah.ImportRow{Line: line, Household: h, Absent: absent}, valid: ok})
	}
	for _, p := range rows {
		id := p.row.Household.ID
		if dupes[id] && firstLine[id] == p.row.Line {
			r.rowError(p.row.Line, "household_id", "household_id %q muncul lebih dari sekali dalam file; tidak ada baris dengan id ini yang diimpor.", id)
			continue
		}
		if p.valid {
			r.Rows = append(r.Rows, p.row)
		}
	}
	if count == 0 {
		return r.fatal(0, "", "File hanya berisi baris judul; tidak ada data rumah tangga.")
	}
	sortIssues(r.Errors)
	return r
}

// decode returns the file as UTF-8 text, or records why it cannot.
func (r *Result) decode(data []byte) (string, bool) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
		r.Encoding = EncodingUTF8BOM
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		r.fatal(0, "", "File tersimpan sebagai UTF-16 (\"Unicode Text\" Excel). Simpan ulang dengan \"CSV UTF-8 (Comma delimited)\".")
		return "", false
	default:
		r.Encoding = EncodingUTF8
	}
	if bytes.IndexByte(data, 0) >= 0 {
		r.fatal(0, "", "File memuat byte NUL: ini bukan file CSV teks. Ekspor lembar kerja sebagai CSV.")
		return "", false
	}
	if utf8.Valid(data) {
		return string(data), true
	}
	if r.Encoding == EncodingUTF8BOM {
		line := 1 + bytes.Count(data[:firstInvalidUTF8(data)], []byte("\n"))
		r.fatal(line, "", "File ditandai UTF-8 tetapi memuat karakter yang bukan UTF-8 (sekitar baris %d). Simpan ulang sebagai \"CSV UTF-8\".", line)
		return "", false
	}
	text, ok := decodeWindows1252(data)
	if !ok {
		r.fatal(0, "", "Encoding file tidak dikenali (bukan UTF-8 maupun Windows-1252). Simpan ulang sebagai \"CSV UTF-8 (Comma delimited)\".")
		return "", false
	}
	r.Encoding = EncodingWindows1252
	r.warn(0, "", "File bukan UTF-8; dibaca sebagai Windows-1252/Latin-1 (ekspor Excel lama). Periksa huruf beraksen pada nama; sebaiknya simpan sebagai \"CSV UTF-8\".")
	return text, true
}

func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(b)
}

// windows1252 maps 0x80–0x9F, where Windows-1252 differs from Latin-1; 0
// marks the five bytes it leaves undefined. Latin-1 puts invisible control
// codes there that no sheet contains, so reading Latin-1 as Windows-1252
// loses nothing.
var windows1252 = [32]rune{
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
}

func decodeWindows1252(b []byte) (string, bool) {
	var sb strings.Builder
	sb.Grow(len(b) + len(b)/8)
	for _, c := range b {
		switch {
		case c < 0x80:
			sb.WriteByte(c)
		case c < 0xA0:
			r := windows1252[c-0x80]
			if r == 0 {
				return "", false
			}
			sb.WriteRune(r)
		default:
			sb.WriteRune(rune(c))
		}
	}
	return sb.String(), true
}

// sniffDelimiter picks the separator the header line uses most: Excel in
// the Indonesian locale writes semicolons, because the comma is its
// decimal mark.
func sniffDelimiter(text string) rune {
	header, _, _ := strings.Cut(text, "\n")
	best, bestN := ',', 0
	for _, d := range []rune{',', ';', '\t'} {
		if n := countOutsideQuotes(header, d); n > bestN {
			best, bestN = d, n
		}
	}
	return best
}

func countOutsideQuotes(s string, d rune) int {
	n, quoted := 0, false
	for _, c := range s {
		switch {
		case c == '"':
			quoted = !quoted
		case c == d && !quoted:
			n++
		}
	}
	return n
}

// columns maps each known column to its index in the header.
func (r *Result) columns(header []string) (map[string]int, bool) {
	known := map[string]bool{ColBaselineIncome: true, ColKelompokRentan: true, ColKelurahan: true}
	for _, c := range Columns {
		known[c] = true
	}
	cols := map[string]int{}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		switch {
		case name == "":
			if i == len(header)-1 {
				// A trailing separator, as some exports write.
				continue
			}
			r.fatal(1, "", "Kolom ke-%d tidak bernama; setiap kolom harus memakai nama kolom Lampiran C.", i+1)
			return nil, false
		case !known[name]:
			r.warn(1, strings.TrimSpace(h), "Kolom %q tidak dikenal dan diabaikan.", strings.TrimSpace(h))
			continue
		}
		if _, dup := cols[name]; dup {
			r.fatal(1, name, "Kolom %q muncul dua kali di baris judul.", name)
			return nil, false
		}
		cols[name] = i
	}
	var missing []string
	for _, c := range Columns {
		if _, ok := cols[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		r.fatal(1, strings.Join(missing, ", "), "Kolom wajib Lampiran C tidak ada: %s. Tidak ada data yang diimpor.", strings.Join(missing, ", "))
		return nil, false
	}
	return cols, true
}

// parseRow reads one data row. It reports every bad cell, not only the
// first, and returns the household (possibly partial, for the duplicate
// check) and whether the row is valid.
func (r *Result) parseRow(line int, rec []string, cols map[string]int, kelurahan string) (*hailurah.Household, bool) {
	cell := func(name string) string {
		i, ok := cols[name]
		if !ok {
			return ""
		}
		v := strings.TrimSpace(rec[i])
		// The export defuses cells Excel would run as formulas with a
		// leading apostrophe; take it off again.
		if len(v) > 1 && v[0] == '\'' && strings.ContainsRune("=+-@", rune(v[1])) {
			v = v[1:]
		}
		return v
	}
	ok := true
	bad := func(column, format string, args ...any) {
		ok = false
		r.rowError(line, column, format, args...)
	}
	h := &hailurah.Household{Kelurahan: kelurahan}

	h.ID = cell("household_id")
	switch {
	case h.ID == "":
		bad("household_id", "household_id wajib diisi.")
	case !hailurah.ValidHouseholdID(h.ID):
		bad("household_id", "household_id %q tidak sah: hanya huruf, angka, titik, garis miring, garis bawah dan tanda hubung (maks. %d karakter).", h.ID, hailurah.MaxHouseholdIDLen)
		h.ID = ""
	}
	if k := cell(ColKelurahan); k != "" && !strings.EqualFold(k, kelurahan) {
		bad(ColKelurahan, "Baris ini untuk kelurahan %q, bukan %q yang sedang diimpor.", k, kelurahan)
	}
	h.NamaKepalaKeluarga = cell("nama_kepala_keluarga")
	if h.NamaKepalaKeluarga == "" {
		bad("nama_kepala_keluarga", "Nama kepala keluarga wajib diisi.")
	}
	h.AlamatRTRW = cell("alamat_rt_rw")
	if h.AlamatRTRW == "" {
		bad("alamat_rt_rw", "Alamat RT/RW wajib diisi, mis. \"RT03/RW02\".")
	} else if rt, rw, err := ParseRTRW(h.AlamatRTRW); err != nil {
		bad("alamat_rt_rw", "%q %s.", h.AlamatRTRW, err)
	} else {
		h.RT, h.RW = rt, rw
	}
	if v := cell("dtks_status"); v == "" {
		bad("dtks_status", "dtks_status wajib diisi: YA atau TIDAK.")
	} else if b, err := ParseBool(v); err != nil {
		bad("dtks_status", "%q %s.", v, err)
	} else {
		h.DTKS = b
	}
	h.PotensiUsaha = cell("potensi_usaha")
	h.Pelatihan = ParseList(cell("pelatihan_participation"))
	for _, m := range []struct {
		column string
		dst    *int64
	}{{"modal_received", &h.ModalReceived}, {"omzet_monthly", &h.OmzetMonthly}, {ColBaselineIncome, &h.BaselineIncome}} {
		column, dst := m.column, m.dst
		v := cell(column)
		if v == "" {
			continue
		}
		n, err := ParseRupiah(v)
		if err != nil {
			bad(column, "%q %s.", v, err)
			continue
		}
		*dst = n
	}
	if v := cell("umkm_onboarded"); v != "" {
		if b, err := ParseBool(v); err != nil {
			bad("umkm_onboarded", "%q %s.", v, err)
		} else {
			h.UMKMOnboarded = b
		}
	}
	if v := cell("date_updated"); v != "" {
		if d, err := ParseDate(v); err != nil {
			bad("date_updated", "%q: %s.", v, err)
		} else {
			h.DateUpdated = &d
		}
	}
	if v := cell(ColKelompokRentan); v != "" {
		groups, err := ParseVulnerability(v)
		if err != nil {
			bad(ColKelompokRentan, "%s.", err)
		} else {
			h.Vulnerability = groups
		}
	}
	// The domain's own rules (lengths, characters) catch what the cell
	// parsers let through; report them once, on their column.
	if ok {
		if err := h.Validate(); err != nil {
			bad(hailurah.ErrorField(err), "%s", hailurah.ErrorMessage(err))
		}
	}
	return h, ok
}

func blank(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// csvReason says in Indonesian what encoding/csv found wrong.
func csvReason(err error) string {
	switch {
	case errors.Is(err, csv.ErrQuote):
		return "tanda kutip (\") tidak ditutup"
	case errors.Is(err, csv.ErrBareQuote):
		return "tanda kutip (\") di tengah isian; apit isian dengan tanda kutip dan gandakan kutip di dalamnya"
	case errors.Is(err, csv.ErrFieldCount):
		return "jumlah kolom tidak sama"
	}
	return "format CSV tidak sah"
}

func sizeLabel(n int) string {
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}

// sortIssues orders issues by line, keeping the order within a line (the
// columns left to right as they were checked).
func sortIssues(issues []hailurah.ImportIssue) {
	sort.SliceStable(issues, func(i, j int) bool { return issues[i].Line < issues[j].Line })
}
