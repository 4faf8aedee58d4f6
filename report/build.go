package report

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/hailurah/hailurah"
)

// Sources are the services a report reads, all aggregates.
type Sources struct {
	KPIs    hailurah.KPIService
	Tickets interface {
		DigestCounts(ctx context.Context, from, to time.Time) ([]*hailurah.KelurahanDigest, error)
	}
	Grants interface {
		ListGrants(ctx context.Context, f hailurah.GrantFilter) ([]*hailurah.Grant, error)
		FindGrantBudget(ctx context.Context, kelurahan string) (*hailurah.GrantBudget, error)
	}
	Kelurahan hailurah.KelurahanService
	Zone      hailurah.Zone
}

// Request is one report to make: its kind and period, for one kelurahan
// ("" is the city), made at At.
type Request struct {
	Kind      string
	Period    hailurah.ReportPeriod
	Kelurahan string
	At        time.Time
}

// builder holds what every section of one report reads.
type builder struct {
	src      Sources
	req      Request
	from, to time.Time
	kels     []*hailurah.Kelurahan // in scope, in the store's order
	all      []*hailurah.Kelurahan
	doc      *Document
}

// Build makes the report's document. Returns ENOTFOUND for an unknown
// kelurahan and EINVALID for an unknown kind.
func Build(ctx context.Context, src Sources, req Request) (*Document, error) {
	b := &builder{src: src, req: req}
	b.from, b.to = req.Period.Bounds(src.Zone)
	all, err := src.Kelurahan.ListKelurahan(ctx)
	if err != nil {
		return nil, err
	}
	b.all = all
	for _, k := range all {
		if req.Kelurahan == "" || k.Code == req.Kelurahan {
			b.kels = append(b.kels, k)
		}
	}
	if req.Kelurahan != "" && len(b.kels) == 0 {
		return nil, hailurah.Errorf(hailurah.ENOTFOUND, "Kelurahan %q tidak ditemukan.", req.Kelurahan)
	}
	b.doc = &Document{Kind: req.Kind, Period: req.Period.String(), PeriodLabel: req.Period.Label(),
		From: b.from, To: b.to, Kelurahan: req.Kelurahan, MadeAt: req.At.UTC(), MadeAtLabel: formatWaktu(src.Zone, req.At),
		Recipients: "Camat dan Baperida Kota", KPIs: []KPIRow{}, Sections: []Section{}}
	b.doc.Dates = formatTanggal(src.Zone, b.from) + " – " + formatTanggal(src.Zone, b.to.Add(-time.Nanosecond))
	b.doc.KelurahanName, b.doc.Place = b.place()
	switch req.Kind {
	case hailurah.ReportSIAPTaman:
		err = b.siapTaman(ctx)
	case hailurah.ReportHaiLurah:
		err = b.haiLurah(ctx)
	default:
		return nil, hailurah.FieldErrorf("kind", "Jenis laporan (kind) harus siap-taman atau hai-lurah.")
	}
	if err != nil {
		return nil, err
	}
	return b.doc, nil
}

// place names where the report is of: one kelurahan with its kecamatan and
// city, or the city of the kelurahan served.
func (b *builder) place() (name, place string) {
	kota := "Kota Madiun"
	for _, k := range b.all {
		if k.Kota != "" {
			kota = k.Kota
			if !strings.HasPrefix(strings.ToLower(kota), "kota") && !strings.HasPrefix(strings.ToLower(kota), "kab") {
				kota = "Kota " + kota
			}
			break
		}
	}
	if b.req.Kelurahan == "" {
		return "Seluruh kota", fmt.Sprintf("%s (%d kelurahan)", kota, len(b.all))
	}
	k := b.kels[0]
	place = "Kelurahan " + k.Name
	if k.Kecamatan != "" {
		place += ", Kecamatan " + k.Kecamatan
	}
	return k.Name, place + ", " + kota
}

func (b *builder) filter(from, to time.Time) hailurah.DashboardFilter {
	now := b.req.At
	if now.After(to) || now.IsZero() {
		now = to
	}
	return hailurah.DashboardFilter{Kelurahan: b.req.Kelurahan, From: from, To: to, Now: now}
}

// yearStart is 1 January of the period's year on the zone's calendar.
func (b *builder) yearStart() time.Time {
	return time.Date(b.req.Period.Year, 1, 1, 0, 0, 0, 0, b.src.Zone.Location())
}

// kpiRows sets every catalogue KPI in defs against its year-1 target:
// the value in the period and since 1 January, the share of the target
// reached and the flag by the pro-rata progress expected at the period's
// end. Targets come from the dashboard (the grant budget's is the
// kelurahan's budget); KPIs added to the catalogue appear by themselves.
func (b *builder) kpiRows(period, ytd map[string]hailurah.KPIValue, defs []kpiTarget) []KPIRow {
	ys := b.yearStart()
	day := int(b.to.Sub(ys).Hours() / 24)
	yearDays := int(ys.AddDate(1, 0, 0).Sub(ys).Hours() / 24)
	var rows []KPIRow
	for _, d := range defs {
		def, _ := hailurah.FindKPI(d.Code)
		def.Code, def.Label, def.Unit = d.Code, d.Label, d.Unit
		row := KPIRow{Code: d.Code, Label: d.Label, Unit: string(d.Unit), Target: d.Target,
			Period: period[d.Code].Value, YearToDate: ytd[d.Code].Value}
		expected := hailurah.ExpectedShare(def, day, yearDays)
		row.ExpectedPct = math.Round(expected * 100)
		if row.YearToDate != nil && d.Target > 0 {
			row.PercentOfTarget = hailurah.Share(*row.YearToDate, d.Target)
		}
		row.Flag = hailurah.TargetFlag(row.YearToDate, d.Target, expected)
		row.FlagLabel = hailurah.FlagLabel(row.Flag)
		rows = append(rows, row)
	}
	return rows
}

// kpiTarget is a KPI as a dashboard targets it.
type kpiTarget struct {
	Code, Label string
	Unit        hailurah.KPIUnit
	Target      float64
}

// kpiSection is the table and chart of KPIs against their targets.
func kpiSection(key, title string, rows []KPIRow) Section {
	s := Section{Key: key, Title: title,
		Note:    "Target = target tahun pertama program. Persen target dan status dihitung dari capaian sejak 1 Januari dibanding laju yang diharapkan pada akhir periode.",
		Columns: []string{"Indikator", "Periode ini", "Sejak 1 Jan", "Target", "% target", "Status"},
		Chart:   &Chart{Kind: ChartBars, Title: "Persen target tercapai (sejak 1 Januari)", Target: hailurah.Float(100)}}
	for _, r := range rows {
		unit := hailurah.KPIUnit(r.Unit)
		s.Rows = append(s.Rows, Row{Label: r.Label, Cells: []Cell{
			numCell(unit, r.Period), numCell(unit, r.YearToDate), numCell(unit, nonZero(r.Target)),
			{Text: hailurah.FormatPct(r.PercentOfTarget), Value: r.PercentOfTarget}, {Text: r.FlagLabel}}})
		s.Chart.Items = append(s.Chart.Items, ChartItem{Label: r.Label, Value: r.PercentOfTarget, Text: hailurah.FormatPct(r.PercentOfTarget)})
	}
	return s
}

func nonZero(v float64) *float64 {
	if v == 0 {
		return nil
	}
	return &v
}

func numCell(unit hailurah.KPIUnit, v *float64) Cell {
	return Cell{Text: hailurah.FormatKPI(unit, v), Value: v}
}

func countCell(n int) Cell {
	return Cell{Text: hailurah.FormatKPI(hailurah.KPIUnitCount, hailurah.Float(float64(n))), Value: hailurah.Float(float64(n))}
}

func rupiahCell(v int64) Cell {
	return Cell{Text: hailurah.FormatRupiah(v), Value: hailurah.Float(float64(v))}
}

func textCell(s string) Cell { return Cell{Text: s} }

// hoursCell writes a duration in seconds as hours with one decimal.
func hoursCell(secs *float64) Cell {
	if secs == nil {
		return Cell{Text: "–"}
	}
	h := math.Round(*secs/360) / 10
	return Cell{Text: hailurah.FormatKPI(hailurah.KPIUnitCount, &h) + " jam", Value: &h}
}

// formatWaktu writes a time as the pages do: "1 Des 2026 07.00 WIB".
func formatWaktu(z hailurah.Zone, t time.Time) string {
	l := z.In(t)
	return fmt.Sprintf("%d %s %d %02d.%02d %s", l.Day(), hailurah.ShortMonth(l.Month()), l.Year(), l.Hour(), l.Minute(), z.Abbrev(t))
}

// formatTanggal writes a date: "1 Des 2026".
func formatTanggal(z hailurah.Zone, t time.Time) string {
	l := z.In(t)
	return fmt.Sprintf("%d %s %d", l.Day(), hailurah.ShortMonth(l.Month()), l.Year())
}

// capital writes a code with a capital first letter: "lingkungan" → "Lingkungan".
func capital(s string) string {
	if s == "" {
		return "Belum dikategorikan"
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + strings.ReplaceAll(s[n:], "_", " ")
}

// sortedKeys returns m's keys, the largest count first, ties by name.
func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	return keys
}
