package hailurah

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Report kinds: the reports the office sends to Kecamatan and Baperida
// (seed: "Laporan bulanan → Kecamatan / Baperida"; SIAP-TAMAN "bulanan
// (ringkasan), triwulan (evaluasi mendalam)").
const (
	ReportSIAPTaman = "siap-taman" // the programme's KPIs against their targets
	ReportHaiLurah  = "hai-lurah"  // how citizens' curhat were served
)

// Report formats.
const (
	ReportPDF  = "pdf"
	ReportCSV  = "csv"
	ReportJSON = "json"
)

// NotifyReport tells a lurah the month's reports are ready.
const NotifyReport = "report"

// ReportKinds lists the kinds in the order the pages offer them.
var ReportKinds = []string{ReportSIAPTaman, ReportHaiLurah}

// ReportKindLabel names a kind in Bahasa Indonesia.
func ReportKindLabel(kind string) string {
	switch kind {
	case ReportSIAPTaman:
		return "Laporan SIAP-TAMAN"
	case ReportHaiLurah:
		return "Laporan HAI LURAH"
	}
	return kind
}

// ReportPeriod is a calendar month (Month 1–12) or quarter (Quarter 1–4)
// of the kelurahan's zone.
type ReportPeriod struct {
	Year    int
	Month   int
	Quarter int
}

var (
	monthPeriodRE   = regexp.MustCompile(`^(\d{4})-(\d{2})$`)
	quarterPeriodRE = regexp.MustCompile(`^(\d{4})-[Qq]([1-4])$`)
)

// ParseReportPeriod reads "YYYY-MM" or "YYYY-Qn". Returns EINVALID naming
// the field period.
func ParseReportPeriod(s string) (ReportPeriod, error) {
	s = strings.TrimSpace(s)
	bad := FieldErrorf("period", "period harus bulan YYYY-MM (misalnya 2026-11) atau triwulan YYYY-Qn (misalnya 2026-Q4).")
	var p ReportPeriod
	if m := monthPeriodRE.FindStringSubmatch(s); m != nil {
		p.Year, _ = strconv.Atoi(m[1])
		p.Month, _ = strconv.Atoi(m[2])
		if p.Month < 1 || p.Month > 12 {
			return ReportPeriod{}, bad
		}
	} else if m := quarterPeriodRE.FindStringSubmatch(s); m != nil {
		p.Year, _ = strconv.Atoi(m[1])
		p.Quarter, _ = strconv.Atoi(m[2])
	} else {
		return ReportPeriod{}, bad
	}
	if p.Year < 2000 || p.Year > 2100 {
		return ReportPeriod{}, FieldErrorf("period", "Tahun pada period harus antara 2000 dan 2100.")
	}
	return p, nil
}

// Quarterly reports whether p is a quarter.
func (p ReportPeriod) Quarterly() bool { return p.Quarter > 0 }

// String is the period as the API writes it: "2026-11", "2026-Q4".
func (p ReportPeriod) String() string {
	if p.Quarterly() {
		return fmt.Sprintf("%04d-Q%d", p.Year, p.Quarter)
	}
	return fmt.Sprintf("%04d-%02d", p.Year, p.Month)
}

var longMonths = [12]string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"}

// LongMonth is m in full: "Januari", "Desember".
func LongMonth(m time.Month) string { return longMonths[m-1] }

// Label is the period in words: "November 2026", "Triwulan IV 2026
// (Oktober–Desember)".
func (p ReportPeriod) Label() string {
	if p.Quarterly() {
		first := time.Month(3*p.Quarter - 2)
		return fmt.Sprintf("Triwulan %s %d (%s–%s)", [5]string{"", "I", "II", "III", "IV"}[p.Quarter], p.Year,
			LongMonth(first), LongMonth(first+2))
	}
	return fmt.Sprintf("%s %d", LongMonth(time.Month(p.Month)), p.Year)
}

// Bounds is the period's [from, to) on zone z's calendar.
func (p ReportPeriod) Bounds(z Zone) (from, to time.Time) {
	m, n := time.Month(p.Month), 1
	if p.Quarterly() {
		m, n = time.Month(3*p.Quarter-2), 3
	}
	from = time.Date(p.Year, m, 1, 0, 0, 0, 0, z.Location())
	return from, from.AddDate(0, n, 0)
}

// PreviousMonth is the calendar month before the one holding now in z.
func PreviousMonth(z Zone, now time.Time) ReportPeriod {
	t := z.In(now)
	prev := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, z.Location()).AddDate(0, -1, 0)
	return ReportPeriod{Year: prev.Year(), Month: int(prev.Month())}
}

// PreviousQuarter is the quarter before the one holding now in z.
func PreviousQuarter(z Zone, now time.Time) ReportPeriod {
	t := z.In(now)
	q := (int(t.Month())-1)/3 + 1
	if q == 1 {
		return ReportPeriod{Year: t.Year() - 1, Quarter: 4}
	}
	return ReportPeriod{Year: t.Year(), Quarter: q - 1}
}

// ReportRequest is one report asked for: its kind, period and format.
type ReportRequest struct {
	Kind   string
	Period ReportPeriod
	Format string
}

// ParseReportRequest validates kind, period and format together and
// returns every bad one at once: EBADREQUEST whose Field lists the bad
// fields (comma-separated) and whose message says what each should be.
func ParseReportRequest(kind, period, format string) (ReportRequest, error) {
	r := ReportRequest{Kind: strings.TrimSpace(kind), Format: strings.ToLower(strings.TrimSpace(format))}
	var fields, msgs []string
	bad := func(field, msg string) { fields, msgs = append(fields, field), append(msgs, msg) }
	if r.Kind != ReportSIAPTaman && r.Kind != ReportHaiLurah {
		bad("kind", "Jenis laporan (kind) harus siap-taman atau hai-lurah.")
	}
	var err error
	if strings.TrimSpace(period) == "" {
		bad("period", "period wajib diisi: bulan YYYY-MM atau triwulan YYYY-Qn.")
	} else if r.Period, err = ParseReportPeriod(period); err != nil {
		bad("period", ErrorMessage(err))
	}
	if r.Format == "" {
		r.Format = ReportJSON
	}
	if r.Format != ReportPDF && r.Format != ReportCSV && r.Format != ReportJSON {
		bad("format", "format harus pdf, csv atau json.")
	}
	if len(fields) > 0 {
		return r, &Error{Code: EBADREQUEST, Field: strings.Join(fields, ","), Message: strings.Join(msgs, " ")}
	}
	return r, nil
}

// StoredReport is a report the monthly schedule made and kept: one per
// kind, period, kelurahan ("" is the city) and format.
type StoredReport struct {
	ID        int64     `json:"id"`
	Kind      string    `json:"kind"`
	Period    string    `json:"period"` // ReportPeriod.String
	Kelurahan string    `json:"kelurahan"`
	Format    string    `json:"format"`
	Size      int64     `json:"size"`
	SHA256    string    `json:"sha256"`
	MadeAt    time.Time `json:"made_at"`
	Content   []byte    `json:"-"`
}

// ReportFilter selects stored reports: one kelurahan's (Kelurahan "" is
// the city's) or, with All, every one.
type ReportFilter struct {
	Kelurahan string
	All       bool
	Limit     int // 1–500; 0 means 200
}

// ReportService keeps the reports the schedule made.
type ReportService interface {
	// SaveReport stores r, replacing the report of the same kind, period,
	// kelurahan and format, so a period made twice is kept once. It fills
	// ID, Size and SHA256. Returns EINVALID for a bad field.
	SaveReport(ctx context.Context, r *StoredReport) error
	// ListReports lists reports without their content, the latest period
	// first, SIAP-TAMAN before HAI LURAH, the city before the kelurahan,
	// the PDF before the CSV.
	ListReports(ctx context.Context, f ReportFilter) ([]*StoredReport, error)
	// FindReport returns a report with its content; ENOTFOUND if there is
	// none.
	FindReport(ctx context.Context, id int64) (*StoredReport, error)
}
