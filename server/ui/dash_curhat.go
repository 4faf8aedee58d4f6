package ui

import (
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/server/app"
	"github.com/hailurah/hailurah/server/chart"
)

// tile is a headline number.
type tile struct {
	Label, Value, Sub string
	Warn              bool
}

// boardView is the ticket board's columns.
type boardTicketView struct {
	ID, Kategori, RTRW, Unit, Summary, Due string
	Urgency                                int
	UrgencyLabel                           string
	Breached, Over                         bool
}

type boardColumnView struct {
	Label, StatusClass string
	Count              int
	More               int
	Tickets            []boardTicketView
}

func buildBoard(cols []hailurah.BoardColumn, n app.Names, now time.Time) []boardColumnView {
	var out []boardColumnView
	for _, c := range cols {
		v := boardColumnView{Label: c.Status.Label(), StatusClass: statusClass(c.Status), Count: c.Count, More: c.Count - len(c.Tickets)}
		for _, t := range c.Tickets {
			bt := boardTicketView{ID: t.ID, Kategori: app.KategoriLabel(t.Kategori), RTRW: rtrw(t.RT, t.RW), Unit: n.UnitName(t.Unit),
				Summary: excerpt(t.Summary, 90), Urgency: t.Urgency, UrgencyLabel: app.UrgencyLabel(t.Urgency), Breached: t.Breached}
			if t.Due != nil {
				bt.Due, bt.Over = formatSisa(*t.Due, now)
			}
			v.Tickets = append(v.Tickets, bt)
		}
		out = append(out, v)
	}
	return out
}

// breakdownView is one kelurahan's row on the city dashboard.
type breakdownView struct {
	Code, Name, Total, FollowedUp, Moderator, Dinas, Satisfaction string
	Overdue                                                       int
	Link                                                          string
}

type curhatPage struct {
	dashHead
	Tiles      []tile
	Breakdown  []breakdownView
	Categories chart.HBarChart
	CatRows    []chart.HBar
	Urgency    chart.StackChart
	Heat       chart.Heatmap
	Map        mapView
	Units      chart.HBarChart
	UnitRows   []chart.HBar
	Board      []boardColumnView
	Empty      bool
}

func secondsText(v *float64) string {
	if v == nil {
		return "–"
	}
	d := time.Duration(*v * float64(time.Second))
	if d < time.Minute {
		return fmt.Sprintf("%.0f detik", math.Max(0, *v))
	}
	return formatDurasi(d)
}

func slaSub(f hailurah.SLAFigure) string {
	if f.Ended == 0 {
		return "belum ada tenggat yang berakhir"
	}
	return fmt.Sprintf("%d dari %d tepat waktu", f.OnTime, f.Ended)
}

// curhatDashboardPage: GET /dasbor — the HAI LURAH dashboard.
func (s *UI) curhatDashboardPage(c *gin.Context) {
	f, p, err := s.DashboardFilter(c, app.LastDays(s.Zone, s.Now(), 30))
	if err != nil {
		s.renderError(c, err)
		return
	}
	ctx := c.Request.Context()
	d, err := s.Pilots.KPIs.CurhatDashboard(ctx, f)
	if err != nil {
		s.renderError(c, err)
		return
	}
	n := s.LoadNames(ctx)
	pg := &curhatPage{dashHead: s.dashHead(c, "/dasbor", f, p, periodPresets(s.Zone, s.Now())), Empty: d.Summary.Total == 0}
	pg.export("/api/v1/dashboard/curhat", app.CurhatTables(d, n))
	sm := d.Summary
	pg.Tiles = []tile{
		{Label: "Curhat dalam periode", Value: app.IntText(sm.Total), Sub: fmt.Sprintf("%d baru dalam 24 jam", sm.New24h)},
		{Label: "Ditindaklanjuti", Value: hailurah.FormatPct(sm.FollowedUpPct), Sub: fmt.Sprintf("%d tiket diverifikasi atau diproses", sm.FollowedUp)},
		{Label: "Median balasan AI", Value: secondsText(sm.MedianReplySeconds), Sub: fmt.Sprintf("dari %d balasan (target < 1 menit)", sm.Replied),
			Warn: sm.MedianReplySeconds != nil && *sm.MedianReplySeconds > 60},
		{Label: "SLA verifikasi moderator", Value: hailurah.FormatPct(sm.ModeratorSLA.Pct), Sub: slaSub(sm.ModeratorSLA),
			Warn: sm.ModeratorSLA.Pct != nil && *sm.ModeratorSLA.Pct < hailurah.WarnSLAPct},
		{Label: "SLA tugas dinas", Value: hailurah.FormatPct(sm.DinasSLA.Pct), Sub: slaSub(sm.DinasSLA),
			Warn: sm.DinasSLA.Pct != nil && *sm.DinasSLA.Pct < hailurah.WarnSLAPct},
		{Label: "Median waktu selesai", Value: secondsText(sm.MedianResolveSeconds), Sub: fmt.Sprintf("%d tiket selesai", sm.Resolved)},
		{Label: "Kepuasan ≥ 4/5", Value: hailurah.FormatPct(sm.SatisfactionPct), Sub: fmt.Sprintf("%d dari %d penilaian (target ≥ 80%%)", sm.Satisfied, sm.Rated),
			Warn: sm.SatisfactionPct != nil && *sm.SatisfactionPct < hailurah.WarnSatisfactionPct},
		{Label: "Lewat tenggat saat ini", Value: app.IntText(sm.OverdueNow), Sub: "verifikasi atau tugas dinas", Warn: sm.OverdueNow > 0},
	}
	for _, r := range d.Breakdown {
		bv := breakdownView{Code: r.Kelurahan, Name: r.KelurahanName, Total: app.IntText(r.Total), FollowedUp: hailurah.FormatPct(r.FollowedUpPct),
			Moderator: hailurah.FormatPct(r.ModeratorPct), Dinas: hailurah.FormatPct(r.DinasPct), Satisfaction: hailurah.FormatPct(r.Satisfaction),
			Overdue: r.OverdueNow}
		if r.Kelurahan != "" {
			bv.Link = "/dasbor?" + dashQuery(r.Kelurahan, p)
		}
		pg.Breakdown = append(pg.Breakdown, bv)
	}
	var bars []chart.HBar
	var values []float64
	for i, x := range d.Categories {
		if i == chart.MaxBars {
			break
		}
		bars = append(bars, chart.HBar{Label: app.KategoriLabel(x.Kategori), Value: fmt.Sprintf("%d (%s)", x.Count, hailurah.FormatPct(x.Pct)), Class: "bar-cat"})
		values = append(values, float64(x.Count))
	}
	pg.Categories = chart.NewHBarChart(bars, values, nil)
	pg.CatRows = pg.Categories.Bars
	pg.Urgency = chart.Urgency(d.UrgencyTrend)
	pg.Heat = chart.NewHeatmap(d.Heatmap, f.Kelurahan == "", n.KelurahanName)
	pg.Map = s.mapView("/api/v1/dashboard/curhat/map?"+dashQuery(f.Kelurahan, p), "points", "Peta titik curhat yang membagikan lokasi")
	bars, values = nil, nil
	var parts []float64
	for _, u := range d.OverdueUnits {
		label, name := strings.ToUpper(u.Unit), app.UnitLabel(n, u.Unit)
		if u.Unit == "" {
			label = "Moderator"
		}
		title := fmt.Sprintf("%s: %d terbuka, %d lewat tenggat", name, u.Open, u.Overdue)
		if u.MaxLateH != nil {
			title += ", terlama terlambat " + formatDurasi(time.Duration(*u.MaxLateH*float64(time.Hour)))
		}
		bars = append(bars, chart.HBar{Label: label, Value: fmt.Sprintf("%d / %d lewat", u.Open, u.Overdue), Title: title, Class: "bar-open"})
		values = append(values, float64(u.Open))
		parts = append(parts, float64(u.Overdue))
	}
	pg.Units = chart.NewHBarChart(bars, values, parts)
	pg.UnitRows = pg.Units.Bars
	pg.Board = buildBoard(d.Board, n, s.Now())
	s.renderPage(c, http.StatusOK, "dash_curhat", pageData{Title: "Dasbor HAI LURAH", Wide: true, Data: pg})
}
