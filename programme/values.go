// Package programme reads and writes the data of "Satu Rumah Satu
// Penghasilan" as the field teams keep it: the seed's Lampiran C household
// sheet (CSV exported from Google Sheets or Excel), rupiah amounts written
// the Indonesian way, and dates in either of the two forms the sheets use.
// It is pure: no store, no network, so the server, the CLI and fuzzing all
// use the same rules.
package programme

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/hailurah/hailurah"
)

var (
	// 1.500.000 (Indonesian grouping), optionally with zero sen (,00).
	rupiahID = regexp.MustCompile(`^(\d{1,3}(?:\.\d{3})+)(?:,(\d{1,2}))?$`)
	// 1,500,000 (English grouping, as an en-US Excel writes it).
	rupiahEN = regexp.MustCompile(`^(\d{1,3}(?:,\d{3})+)(?:\.(\d{1,2}))?$`)
	// 1500000, 1500000,00 or 1500000.0.
	rupiahPlain = regexp.MustCompile(`^(\d+)(?:[.,](\d{1,2}))?$`)
	// 1,5 juta, 1.5jt, 750 ribu, 750rb.
	rupiahWords = regexp.MustCompile(`^(\d+)(?:[.,](\d{1,3}))?\s*(juta|jt|ribu|rb)$`)
)

var errRupiah = errors.New("bukan nilai rupiah yang sah; tulis seperti 1500000, 1.500.000 atau Rp 1.500.000")

// ParseRupiah reads a rupiah amount as people write it: "1500000",
// "1.500.000", "Rp 1.500.000", "Rp1.500.000,00", "1,500,000", "1,5 juta".
// Sen must be zero: no price in the programme has them, and a "1.5" is far
// more likely a typo than Rp 1,50. Negative amounts are refused.
func ParseRupiah(s string) (int64, error) {
	s = strings.ToLower(strings.TrimSpace(strings.ReplaceAll(s, "\u00a0", " ")))
	s = strings.TrimPrefix(s, "rp.")
	s = strings.TrimPrefix(s, "rp")
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, errors.New("kosong")
	}
	if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "(") {
		return 0, errors.New("tidak boleh negatif")
	}
	var digits, sen string
	if m := rupiahWords.FindStringSubmatch(s); m != nil {
		unit := int64(1_000_000)
		if m[3] == "ribu" || m[3] == "rb" {
			unit = 1_000
		}
		// A "1.500 juta" is 1500 million only if the fraction is a
		// thousands group; "1,5 juta" is one and a half.
		whole, err := parseDigits(m[1])
		if err != nil {
			return 0, err
		}
		v := whole * unit
		if frac := m[2]; frac != "" {
			f, _ := strconv.ParseInt(frac, 10, 64)
			scale := int64(1)
			for range len(frac) {
				scale *= 10
			}
			if f*unit%scale != 0 {
				return 0, errRupiah
			}
			v += f * unit / scale
		}
		return checkRupiah(v)
	}
	switch {
	case rupiahID.MatchString(s):
		m := rupiahID.FindStringSubmatch(s)
		digits, sen = strings.ReplaceAll(m[1], ".", ""), m[2]
	case rupiahEN.MatchString(s):
		m := rupiahEN.FindStringSubmatch(s)
		digits, sen = strings.ReplaceAll(m[1], ",", ""), m[2]
	case rupiahPlain.MatchString(s):
		m := rupiahPlain.FindStringSubmatch(s)
		digits, sen = m[1], m[2]
	default:
		return 0, errRupiah
	}
	if strings.Trim(sen, "0") != "" {
		return 0, errors.New("rupiah tidak boleh memuat sen; tulis tanpa pecahan")
	}
	v, err := parseDigits(digits)
	if err != nil {
		return 0, err
	}
	return checkRupiah(v)
}

func parseDigits(s string) (int64, error) {
	if len(s) > 15 {
		return 0, errors.New("terlalu besar (maks. Rp 1 triliun)")
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, errRupiah
	}
	return v, nil
}

func checkRupiah(v int64) (int64, error) {
	if v > hailurah.MaxRupiah {
		return 0, errors.New("terlalu besar (maks. Rp 1 triliun)")
	}
	return v, nil
}

// Date layouts the sheets use: ISO from Google Sheets and the seed, day
// first from an Indonesian Excel.
var dateLayouts = []string{"2006-01-02", "02/01/2006", "2/1/2006", "02-01-2006", "2-1-2006"}

// ParseDate reads a calendar date written YYYY-MM-DD or DD/MM/YYYY and
// returns it at 00:00 UTC. Years outside 2000–2100 are refused: they are
// typos (or Excel's serial numbers) in a programme that started in 2025.
func ParseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range dateLayouts {
		t, err := time.ParseInLocation(layout, s, time.UTC)
		if err != nil {
			continue
		}
		if t.Year() < 2000 || t.Year() > 2100 {
			return time.Time{}, errors.New("tahun harus antara 2000 dan 2100")
		}
		return t, nil
	}
	return time.Time{}, errors.New("tanggal tidak sah; tulis YYYY-MM-DD (2026-03-01) atau DD/MM/YYYY (01/03/2026)")
}

// ParseBool reads the sheets' yes/no: YA/TIDAK, true/false, 1/0.
func ParseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "ya", "true", "1", "yes", "y":
		return true, nil
	case "tidak", "false", "0", "no", "n":
		return false, nil
	}
	return false, errors.New("harus YA atau TIDAK (juga diterima: true/false, 1/0)")
}

var (
	rtrwLabelled = regexp.MustCompile(`(?i)\bRT\s*[.:]?\s*(\d{1,3})\s*[/,\-\s]*\s*RW\s*[.:]?\s*(\d{1,3})\b`)
	rtrwBare     = regexp.MustCompile(`^\s*(\d{1,3})\s*/\s*(\d{1,3})\b`)
)

// ParseRTRW finds the RT and RW numbers in an address such as
// "RT03/RW02", "RT 3 RW 2, Jl. Mawar" or "003/002", normalised to two
// digits ("03", "02") as the curhat tickets write them.
func ParseRTRW(s string) (rt, rw string, err error) {
	m := rtrwLabelled.FindStringSubmatch(s)
	if m == nil {
		m = rtrwBare.FindStringSubmatch(s)
	}
	if m == nil {
		return "", "", errors.New("harus memuat RT dan RW, mis. \"RT03/RW02\"")
	}
	rt, rw = NormalizeRTRW(m[1]), NormalizeRTRW(m[2])
	if rt == "" || rw == "" {
		return "", "", errors.New("nomor RT dan RW tidak boleh 0")
	}
	return rt, rw, nil
}

// NormalizeRTRW writes an RT or RW number with two digits at least: "3" →
// "03", "003" → "03", "12" → "12"; "" for zero or empty.
func NormalizeRTRW(s string) string {
	s = strings.TrimLeft(strings.TrimSpace(s), "0")
	switch len(s) {
	case 0:
		return ""
	case 1:
		return "0" + s
	}
	return s
}

// ParseList splits a list cell: "a; b", "a | b", "a, b", or the way
// pandas writes a Python list, "['a', 'b']". A cell with a semicolon or a
// bar is split on those only, so an item may hold a comma ("Wirausaha
// dasar, batch 1; Digital marketing"). Empty items are dropped.
func ParseList(s string) []string {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	sep := func(r rune) bool { return r == ';' || r == '|' }
	if !strings.ContainsAny(s, ";|") {
		sep = func(r rune) bool { return r == ',' }
	}
	var out []string
	for _, item := range strings.FieldsFunc(s, sep) {
		item = strings.TrimSpace(strings.Trim(strings.TrimSpace(item), `'"`))
		if item != "" {
			out = append(out, item)
		}
	}
	return out
}

// JoinList writes a list cell that ParseList reads back as the same items:
// joined with "; ", and a lone item holding a comma ends with ";" so it is
// not split on the comma.
func JoinList(items []string) string {
	s := strings.Join(items, "; ")
	if len(items) == 1 && strings.Contains(s, ",") {
		s += ";"
	}
	return s
}

// ParseVulnerability reads the kelompok_rentan cell: the group codes, or
// their words ("ibu rumah tangga", "Lansia", "disabilitas").
func ParseVulnerability(s string) ([]string, error) {
	var out []string
	for _, item := range ParseList(s) {
		code := strings.Join(strings.Fields(strings.ToLower(strings.ReplaceAll(item, "_", " "))), "_")
		switch code {
		case "irt", "ibu":
			code = hailurah.VulnerableIbuRumahTangga
		case "disabilitas", "difabel":
			code = hailurah.VulnerableDisabilitasRingan
		}
		if !hailurah.ValidVulnerability(code) {
			return nil, errors.New("kelompok rentan \"" + item + "\" tidak dikenal; gunakan ibu_rumah_tangga, lansia atau disabilitas_ringan")
		}
		dup := false
		for _, x := range out {
			dup = dup || x == code
		}
		if !dup {
			out = append(out, code)
		}
	}
	return out, nil
}
