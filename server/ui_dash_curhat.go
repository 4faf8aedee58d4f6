package server

import (
	"fmt"
	"math"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
)

// tile is a headline number.
type tile struct {
	Label, Value, Sub string
	Warn              bool
}

// hbar is one bar of a horizontal bar chart: a value and, overlaid, a
// part of it (overdue of open).
type hbar struct {
	Label, Value, Title    string
	Y, TextY, W, PartW, TX int
	Class                  string
}

type hbarChart struct {
	Width, Height, LabelW, ValueX int
	Bars                          []hbar
}

const (
	hbarWidth  = 600
	hbarLabel  = 150
	hbarArea   = 300
	hbarRow    = 30
	hbarThick  = 20
	chartSmall = 12
)

func newHBarChart(items []hbar, values, parts []float64) hbarChart {
	ch := hbarChart{Width: hbarWidth, LabelW: hbarLabel - 8, ValueX: hbarLabel, Height: len(items)*hbarRow + 8}
	maxV := 0.0
	for _, v := range values {
		maxV = math.Max(maxV, v)
	}
	for i := range items {
		b := items[i]
		b.Y = 4 + i*hbarRow
		b.TextY = b.Y + hbarThick - 5
		if maxV > 0 {
			b.W = int(math.Round(values[i] / maxV * hbarArea))
			if parts != nil {
				b.PartW = int(math.Round(parts[i] / maxV * hbarArea))
			}
		}
		b.TX = hbarLabel + b.W + 6
		ch.Bars = append(ch.Bars, b)
	}
	return ch
}

// stackSeg is one urgency level's part of a day's bar.
type stackSeg struct {
	Y, H  int
	Class string
}

type stackDay struct {
	X, W  int
	Title string
	Segs  []stackSeg
}

type axisTick struct {
	Pos  int
	Text string
}

type stackChart struct {
	Width, Height, Left, Right, Top, Bottom int
	Days                                    []stackDay
	Line                                    string // mean urgency, on the right axis
	YTicks, RightTicks, XTicks              []axisTick
}

func urgencyChart(days []hailurah.UrgencyDay) stackChart {
	ch := stackChart{Width: 760, Height: 260, Left: 44, Right: 716, Top: 12, Bottom: 222}
	maxN := 0
	for _, d := range days {
		maxN = max(maxN, d.Total)
	}
	if maxN == 0 || len(days) == 0 {
		return ch
	}
	top := niceCeil(float64(maxN))
	if top >= 4 {
		// Four grid lines at whole numbers of curhat.
		top = math.Ceil(top/4) * 4
	}
	plotH := float64(ch.Bottom - ch.Top)
	step := float64(ch.Right-ch.Left) / float64(len(days))
	var line []string
	for i, d := range days {
		x := float64(ch.Left) + float64(i)*step
		sd := stackDay{X: int(x), W: max(1, int(step*0.8)), Title: fmt.Sprintf("%s: %d curhat", d.Day, d.Total)}
		y := float64(ch.Bottom)
		for level := 0; level <= 5; level++ {
			n := d.ByUrgency[level]
			if n == 0 {
				continue
			}
			h := float64(n) / top * plotH
			y -= h
			sd.Segs = append(sd.Segs, stackSeg{Y: int(math.Round(y)), H: max(1, int(math.Round(h))), Class: "u" + strconv.Itoa(level)})
		}
		ch.Days = append(ch.Days, sd)
		if d.AvgUrgency != nil {
			ly := float64(ch.Bottom) - *d.AvgUrgency/5*plotH
			line = append(line, fmt.Sprintf("%.1f,%.1f", x+step*0.4, ly))
		}
	}
	ch.Line = strings.Join(line, " ")
	for i := 0; i <= 4; i++ {
		v := top * float64(i) / 4
		ch.YTicks = append(ch.YTicks, axisTick{Pos: ch.Bottom - int(plotH*float64(i)/4), Text: hailurah.FormatKPI(hailurah.KPIUnitCount, &v)})
	}
	for u := 1; u <= 5; u++ {
		ch.RightTicks = append(ch.RightTicks, axisTick{Pos: ch.Bottom - int(plotH*float64(u)/5), Text: strconv.Itoa(u)})
	}
	every := max(1, len(days)/8)
	for i := 0; i < len(days); i += every {
		t, _ := time.Parse(time.DateOnly, days[i].Day)
		ch.XTicks = append(ch.XTicks, axisTick{Pos: ch.Left + int(float64(i)*step+step*0.4), Text: fmt.Sprintf("%d %s", t.Day(), bulan[t.Month()-1])})
	}
	return ch
}

// niceCeil rounds a chart's top up to 1, 2 or 5 times a power of ten.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

// heatmap is a grid of counts: RW by RT for a kelurahan, kelurahan by RW
// for the city.
type heatCellView struct {
	X, Y, TX, TY int
	Count        string
	Class        string
	TextClass    string
	Title        string
}

type heatRowView struct {
	Y     int
	Label string
	Cells []heatCellView
}

type heatmapView struct {
	Width, Height int
	RowHead       string
	ColHead       string
	Cols          []axisTick
	Rows          []heatRowView
}

const (
	heatCell  = 38
	heatLeft  = 110
	heatTop   = 30
	heatLimit = 24
)

func buildHeatmap(cells []hailurah.HeatCell, city bool, n names) heatmapView {
	rowKey := func(c hailurah.HeatCell) string { return c.RW }
	colKey := func(c hailurah.HeatCell) string { return c.RT }
	h := heatmapView{RowHead: "RW", ColHead: "RT"}
	if city {
		rowKey = func(c hailurah.HeatCell) string { return c.Kelurahan }
		colKey = func(c hailurah.HeatCell) string { return c.RW }
		h.RowHead, h.ColHead = "Kelurahan", "RW"
	}
	counts := map[[2]string]int{}
	var rows, cols []string
	for _, c := range cells {
		r, k := rowKey(c), colKey(c)
		counts[[2]string{r, k}] += c.Count
		if !slices.Contains(rows, r) {
			rows = append(rows, r)
		}
		if !slices.Contains(cols, k) {
			cols = append(cols, k)
		}
	}
	sort.Strings(rows)
	sort.Strings(cols)
	// Rows and columns without an RT/RW ("") go last, as "?".
	for _, list := range []*[]string{&rows, &cols} {
		if len(*list) > 0 && (*list)[0] == "" {
			*list = append((*list)[1:], "")
		}
	}
	if len(cols) > heatLimit {
		cols = cols[:heatLimit]
	}
	maxN := 0
	for _, v := range counts {
		maxN = max(maxN, v)
	}
	label := func(code, unit string) string {
		switch {
		case code == "":
			return "?"
		case unit == "Kelurahan":
			return n.kelurahanName(code)
		}
		return code
	}
	for j, col := range cols {
		h.Cols = append(h.Cols, axisTick{Pos: heatLeft + j*heatCell + heatCell/2, Text: label(col, h.ColHead)})
	}
	for i, row := range rows {
		rv := heatRowView{Y: heatTop + i*heatCell, Label: h.RowHead + " " + label(row, h.RowHead)}
		if h.RowHead == "Kelurahan" {
			rv.Label = label(row, h.RowHead)
		}
		for j, col := range cols {
			v := counts[[2]string{row, col}]
			level := 0
			if v > 0 && maxN > 0 {
				level = int(math.Ceil(float64(v) / float64(maxN) * 5))
			}
			cell := heatCellView{X: heatLeft + j*heatCell, Y: rv.Y, TX: heatLeft + j*heatCell + 18, TY: rv.Y + 23,
				Class: "heat" + strconv.Itoa(level), TextClass: "heat-text",
				Title: fmt.Sprintf("%s, %s %s: %d curhat", rv.Label, h.ColHead, label(col, h.ColHead), v)}
			if v > 0 {
				cell.Count = strconv.Itoa(v)
			}
			if level >= 4 {
				cell.TextClass += " heat-dark"
			}
			rv.Cells = append(rv.Cells, cell)
		}
		h.Rows = append(h.Rows, rv)
	}
	h.Width = heatLeft + len(cols)*heatCell + 4
	h.Height = heatTop + len(rows)*heatCell + 4
	return h
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

func buildBoard(cols []hailurah.BoardColumn, n names, now time.Time) []boardColumnView {
	var out []boardColumnView
	for _, c := range cols {
		v := boardColumnView{Label: c.Status.Label(), StatusClass: statusClass(c.Status), Count: c.Count, More: c.Count - len(c.Tickets)}
		for _, t := range c.Tickets {
			bt := boardTicketView{ID: t.ID, Kategori: kategoriLabel(t.Kategori), RTRW: rtrw(t.RT, t.RW), Unit: n.unitName(t.Unit),
				Summary: excerpt(t.Summary, 90), Urgency: t.Urgency, UrgencyLabel: urgencyLabel(t.Urgency), Breached: t.Breached}
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
	Categories hbarChart
	CatRows    []hbar
	Urgency    stackChart
	Heat       heatmapView
	Units      hbarChart
	UnitRows   []hbar
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
func (s *Server) curhatDashboardPage(c *gin.Context) {
	f, p, err := s.dashboardFilter(c, lastDays(s.cfg.Zone, s.now(), 30))
	if err != nil {
		s.renderError(c, err)
		return
	}
	ctx := c.Request.Context()
	d, err := s.cfg.Pilots.KPIs.CurhatDashboard(ctx, f)
	if err != nil {
		s.renderError(c, err)
		return
	}
	n := s.loadNames(ctx)
	pg := &curhatPage{dashHead: s.dashHead(c, "/dasbor", f, p, periodPresets(s.cfg.Zone, s.now())), Empty: d.Summary.Total == 0}
	pg.export("/api/v1/dashboard/curhat", curhatTables(d, n))
	sm := d.Summary
	pg.Tiles = []tile{
		{Label: "Curhat dalam periode", Value: intText(sm.Total), Sub: fmt.Sprintf("%d baru dalam 24 jam", sm.New24h)},
		{Label: "Ditindaklanjuti", Value: hailurah.FormatPct(sm.FollowedUpPct), Sub: fmt.Sprintf("%d tiket diverifikasi atau diproses", sm.FollowedUp)},
		{Label: "Median balasan AI", Value: secondsText(sm.MedianReplySeconds), Sub: fmt.Sprintf("dari %d balasan (target < 1 menit)", sm.Replied),
			Warn: sm.MedianReplySeconds != nil && *sm.MedianReplySeconds > 60},
		{Label: "SLA verifikasi moderator", Value: hailurah.FormatPct(sm.ModeratorSLA.Pct), Sub: slaSub(sm.ModeratorSLA),
			Warn: sm.ModeratorSLA.Pct != nil && *sm.ModeratorSLA.Pct < hailurah.WarnSLAPct},
		{Label: "SLA tugas dinas", Value: hailurah.FormatPct(sm.DinasSLA.Pct), Sub: slaSub(sm.DinasSLA),
			Warn: sm.DinasSLA.Pct != nil && *sm.DinasSLA.Pct < hailurah.WarnSLAPct},
		{Label: "Median waktu selesai", Value: secondsText(sm.MedianResolveSeconds), Sub: fmt.Sprintf("%d tiket selesai", sm.Resolved)},
		{Label: "Kepuasan ≥ 4/5", Value: hailurah.FormatPct(sm.SatisfactionPct), Sub: fmt.Sprintf("%d dari %d penilaian (target seed ≥ 80%%)", sm.Satisfied, sm.Rated),
			Warn: sm.SatisfactionPct != nil && *sm.SatisfactionPct < hailurah.WarnSatisfactionPct},
		{Label: "Lewat tenggat saat ini", Value: intText(sm.OverdueNow), Sub: "verifikasi atau tugas dinas", Warn: sm.OverdueNow > 0},
	}
	for _, r := range d.Breakdown {
		bv := breakdownView{Code: r.Kelurahan, Name: r.KelurahanName, Total: intText(r.Total), FollowedUp: hailurah.FormatPct(r.FollowedUpPct),
			Moderator: hailurah.FormatPct(r.ModeratorPct), Dinas: hailurah.FormatPct(r.DinasPct), Satisfaction: hailurah.FormatPct(r.Satisfaction),
			Overdue: r.OverdueNow}
		if r.Kelurahan != "" {
			bv.Link = "/dasbor?" + dashQuery(r.Kelurahan, p)
		}
		pg.Breakdown = append(pg.Breakdown, bv)
	}
	var bars []hbar
	var values []float64
	for i, x := range d.Categories {
		if i == chartSmall {
			break
		}
		bars = append(bars, hbar{Label: kategoriLabel(x.Kategori), Value: fmt.Sprintf("%d (%s)", x.Count, hailurah.FormatPct(x.Pct)), Class: "bar-cat"})
		values = append(values, float64(x.Count))
	}
	pg.Categories = newHBarChart(bars, values, nil)
	pg.CatRows = pg.Categories.Bars
	pg.Urgency = urgencyChart(d.UrgencyTrend)
	pg.Heat = buildHeatmap(d.Heatmap, f.Kelurahan == "", n)
	bars, values = nil, nil
	var parts []float64
	for _, u := range d.OverdueUnits {
		label, name := strings.ToUpper(u.Unit), unitLabel(n, u.Unit)
		if u.Unit == "" {
			label = "Moderator"
		}
		title := fmt.Sprintf("%s: %d terbuka, %d lewat tenggat", name, u.Open, u.Overdue)
		if u.MaxLateH != nil {
			title += ", terlama terlambat " + formatDurasi(time.Duration(*u.MaxLateH*float64(time.Hour)))
		}
		bars = append(bars, hbar{Label: label, Value: fmt.Sprintf("%d / %d lewat", u.Open, u.Overdue), Title: title, Class: "bar-open"})
		values = append(values, float64(u.Open))
		parts = append(parts, float64(u.Overdue))
	}
	pg.Units = newHBarChart(bars, values, parts)
	pg.UnitRows = pg.Units.Bars
	pg.Board = buildBoard(d.Board, n, s.now())
	s.renderPage(c, http.StatusOK, "dash_curhat", pageData{Title: "Dasbor HAI LURAH", Wide: true, Data: pg})
}
