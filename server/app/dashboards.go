package app

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
)

// Period is a dashboard's [From, To): whole days of the kelurahan's zone,
// To exclusive. The query's to is the last day included, as people write
// a period.
type Period struct {
	From, To time.Time
	zone     hailurah.Zone
}

// FromText and ToText are the period as the query and the page write it.
func (p Period) FromText() string { return p.zone.In(p.From).Format(time.DateOnly) }
func (p Period) ToText() string   { return p.zone.In(p.To.Add(-time.Nanosecond)).Format(time.DateOnly) }

// Label is the period in words: "1 Jan 2026 – 31 Mar 2026".
func (p Period) Label() string {
	f, t := p.zone.In(p.From), p.zone.In(p.To.Add(-time.Nanosecond))
	return fmt.Sprintf("%d %s %d – %d %s %d", f.Day(), hailurah.ShortMonth(f.Month()), f.Year(), t.Day(), hailurah.ShortMonth(t.Month()), t.Year())
}

// LastDays is the period of the n days of zone z ending today.
func LastDays(z hailurah.Zone, now time.Time, n int) Period {
	end := z.StartOfDay(now).AddDate(0, 0, 1)
	return Period{From: end.AddDate(0, 0, -n), To: end, zone: z}
}

// LastMonths is the period from the first day of the month n−1 months ago
// to the end of today: n calendar months of zone z, the current one
// partial.
func LastMonths(z hailurah.Zone, now time.Time, n int) Period {
	today := z.StartOfDay(now)
	return Period{From: time.Date(today.Year(), today.Month()-time.Month(n-1), 1, 0, 0, 0, 0, z.Location()), To: today.AddDate(0, 0, 1), zone: z}
}

// ThisYear is the period from the first of January of zone z to the end
// of today.
func ThisYear(z hailurah.Zone, now time.Time) Period {
	today := z.StartOfDay(now)
	return Period{From: time.Date(today.Year(), 1, 1, 0, 0, 0, 0, z.Location()), To: today.AddDate(0, 0, 1), zone: z}
}

// parsePeriod reads from and to (YYYY-MM-DD in the default's zone, both
// days included) over a default. Returns EINVALID naming the parameter.
func parsePeriod(c *gin.Context, def Period) (Period, error) {
	p := def
	if v := strings.TrimSpace(c.Query("from")); v != "" {
		t, err := p.zone.ParseDate(v)
		if err != nil {
			return p, hailurah.FieldErrorf("from", "from harus tanggal YYYY-MM-DD, misalnya 2026-01-01.")
		}
		p.From = t
	}
	if v := strings.TrimSpace(c.Query("to")); v != "" {
		t, err := p.zone.ParseDate(v)
		if err != nil {
			return p, hailurah.FieldErrorf("to", "to harus tanggal YYYY-MM-DD, misalnya 2026-03-31.")
		}
		p.To = t.AddDate(0, 0, 1)
	}
	switch {
	case !p.From.Before(p.To):
		return p, hailurah.FieldErrorf("from", "Tanggal awal (from) harus sebelum atau sama dengan tanggal akhir (to).")
	case p.To.Sub(p.From) > 3*366*24*time.Hour:
		return p, hailurah.FieldErrorf("from", "Periode paling panjang tiga tahun.")
	}
	return p, nil
}

// DashboardFilter reads a dashboard's period and kelurahan: staff their
// own, admin any one or "" for the city.
func (s *App) DashboardFilter(c *gin.Context, def Period) (hailurah.DashboardFilter, Period, error) {
	p, err := parsePeriod(c, def)
	if err != nil {
		return hailurah.DashboardFilter{}, p, err
	}
	kel, err := KelurahanScope(UserOf(c), strings.TrimSpace(c.Query("kelurahan")))
	if err != nil {
		return hailurah.DashboardFilter{}, p, err
	}
	if kel != "" {
		if _, err := s.Kelurahan.FindKelurahan(c.Request.Context(), kel); err != nil {
			if hailurah.ErrorCode(err) == hailurah.ENOTFOUND {
				return hailurah.DashboardFilter{}, p, hailurah.FieldErrorf("kelurahan", "Kelurahan %q tidak ditemukan.", kel)
			}
			return hailurah.DashboardFilter{}, p, err
		}
	}
	return hailurah.DashboardFilter{Kelurahan: kel, From: p.From, To: p.To, Now: s.Now()}, p, nil
}

// ExportTable is one table of a dashboard, as CSV rows and as JSON.
type ExportTable struct {
	Name   string
	Title  string
	Header []string
	Rows   [][]string
	JSON   any
}

// num writes a value for CSV: plain digits with a decimal point, "" for
// no value.
func num(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}

func IntText(n int) string { return strconv.Itoa(n) }

func isoTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func CurhatTables(d *hailurah.CurhatDashboard, n Names) []ExportTable {
	sm := d.Summary
	summary := ExportTable{Name: "summary", Title: "Ringkasan", Header: []string{"indikator", "nilai"}, JSON: sm, Rows: [][]string{
		{"total", IntText(sm.Total)}, {"new_24h", IntText(sm.New24h)}, {"followed_up", IntText(sm.FollowedUp)},
		{"followed_up_pct", num(sm.FollowedUpPct)}, {"median_ai_reply_seconds", num(sm.MedianReplySeconds)},
		{"moderator_sla_ended", IntText(sm.ModeratorSLA.Ended)}, {"moderator_sla_on_time", IntText(sm.ModeratorSLA.OnTime)},
		{"moderator_sla_pct", num(sm.ModeratorSLA.Pct)}, {"dinas_sla_ended", IntText(sm.DinasSLA.Ended)},
		{"dinas_sla_on_time", IntText(sm.DinasSLA.OnTime)}, {"dinas_sla_pct", num(sm.DinasSLA.Pct)},
		{"resolved", IntText(sm.Resolved)}, {"median_resolve_seconds", num(sm.MedianResolveSeconds)},
		{"rated", IntText(sm.Rated)}, {"satisfied", IntText(sm.Satisfied)}, {"satisfaction_pct", num(sm.SatisfactionPct)},
		{"overdue_now", IntText(sm.OverdueNow)},
	}}
	breakdown := ExportTable{Name: "breakdown", Title: "Per kelurahan", JSON: d.Breakdown,
		Header: []string{"kelurahan", "nama", "total", "followed_up_pct", "moderator_sla_pct", "dinas_sla_pct", "satisfaction_pct", "overdue_now"}}
	for _, r := range d.Breakdown {
		breakdown.Rows = append(breakdown.Rows, []string{r.Kelurahan, r.KelurahanName, IntText(r.Total), num(r.FollowedUpPct),
			num(r.ModeratorPct), num(r.DinasPct), num(r.Satisfaction), IntText(r.OverdueNow)})
	}
	cats := ExportTable{Name: "categories", Title: "Kategori", JSON: d.Categories, Header: []string{"kategori", "jumlah", "persen"}}
	for _, x := range d.Categories {
		cats.Rows = append(cats.Rows, []string{x.Kategori, IntText(x.Count), num(x.Pct)})
	}
	trend := ExportTable{Name: "urgency_trend", Title: "Tren urgensi harian", JSON: d.UrgencyTrend,
		Header: []string{"tanggal", "total", "urgensi_0", "urgensi_1", "urgensi_2", "urgensi_3", "urgensi_4", "urgensi_5", "rata_rata"}}
	for _, u := range d.UrgencyTrend {
		row := []string{u.Day, IntText(u.Total)}
		for _, v := range u.ByUrgency {
			row = append(row, IntText(v))
		}
		trend.Rows = append(trend.Rows, append(row, num(u.AvgUrgency)))
	}
	heat := ExportTable{Name: "heatmap", Title: "Sebaran RT/RW", JSON: d.Heatmap, Header: []string{"kelurahan", "rw", "rt", "jumlah"}}
	for _, h := range d.Heatmap {
		heat.Rows = append(heat.Rows, []string{h.Kelurahan, h.RW, h.RT, IntText(h.Count)})
	}
	units := ExportTable{Name: "overdue_units", Title: "Tunggakan per unit", JSON: d.OverdueUnits,
		Header: []string{"unit", "nama", "terbuka", "lewat_tenggat", "tenggat_terlama", "terlambat_jam"}}
	for _, u := range d.OverdueUnits {
		units.Rows = append(units.Rows, []string{u.Unit, UnitLabel(n, u.Unit), IntText(u.Open), IntText(u.Overdue), isoTime(u.Oldest), num(u.MaxLateH)})
	}
	board := ExportTable{Name: "board", Title: "Papan tiket", JSON: d.Board,
		Header: []string{"status", "jumlah_status", "id", "kelurahan", "kategori", "urgensi", "rw", "rt", "unit", "ringkasan", "tenggat", "lewat_sla", "diterima"}}
	for _, col := range d.Board {
		for _, t := range col.Tickets {
			board.Rows = append(board.Rows, []string{string(col.Status), IntText(col.Count), t.ID, t.Kelurahan, t.Kategori, IntText(t.Urgency),
				t.RW, t.RT, t.Unit, t.Summary, isoTime(t.Due), strconv.FormatBool(t.Breached), t.ReceivedAt.UTC().Format(time.RFC3339)})
		}
	}
	return []ExportTable{summary, breakdown, cats, trend, heat, units, board}
}

// UnitLabel names a unit row; "" is the moderators' verification queue.
func UnitLabel(n Names, code string) string {
	if code == "" {
		return "Verifikasi moderator"
	}
	return n.UnitName(code)
}

func ProgrammeTables(d *hailurah.ProgrammeDashboard) []ExportTable {
	kpis := ExportTable{Name: "kpis", Title: "KPI SIAP-TAMAN", JSON: d.KPIs,
		Header: []string{"kpi", "label", "satuan", "target", "capaian", "persen_target", "pembilang", "penyebut"}}
	trend := ExportTable{Name: "trend", Title: "Tren bulanan", Header: []string{"kpi", "sampai", "capaian"}}
	var trendJSON []map[string]any
	for _, k := range d.KPIs {
		kpis.Rows = append(kpis.Rows, []string{k.Code, k.Label, string(k.Unit), num(&k.Target), num(k.Actual), num(k.PercentOfTarget),
			num(&k.Num), num(&k.Den)})
		for _, tp := range k.Trend {
			trend.Rows = append(trend.Rows, []string{k.Code, tp.At.UTC().Format(time.RFC3339), num(tp.Value)})
			trendJSON = append(trendJSON, map[string]any{"kpi": k.Code, "until": tp.At, "value": tp.Value})
		}
	}
	trend.JSON = trendJSON
	breakdown := ExportTable{Name: "breakdown", Title: "Per kelurahan", JSON: d.Breakdown,
		Header: append([]string{"kelurahan", "nama", "anggaran_hibah"}, hailurah.ProgrammeKPICodes()...)}
	for _, r := range d.Breakdown {
		row := []string{r.Kelurahan, r.KelurahanName, strconv.FormatInt(r.GrantBudget, 10)}
		for _, code := range hailurah.ProgrammeKPICodes() {
			row = append(row, num(r.Values[code].Value))
		}
		breakdown.Rows = append(breakdown.Rows, row)
	}
	pilots := ExportTable{Name: "pilots", Title: "Pilot 90 hari", JSON: d.Pilots,
		Header: []string{"id", "nama", "komponen", "kelurahan", "status", "siklus", "mulai_siklus", "jatuh_tempo_keputusan", "keputusan_terakhir"}}
	for _, p := range d.Pilots {
		last := ""
		if n := len(p.Decisions); n > 0 {
			last = p.Decisions[n-1].Decision
		}
		pilots.Rows = append(pilots.Rows, []string{p.ID, p.Name, p.Component, p.Kelurahan, string(p.Status), IntText(p.Cycle),
			p.CycleStart.UTC().Format(time.RFC3339), p.DecisionDue.UTC().Format(time.RFC3339), last})
	}
	return []ExportTable{kpis, trend, breakdown, pilots}
}
