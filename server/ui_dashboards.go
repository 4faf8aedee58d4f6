package server

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
)

// The dashboards draw their charts as SVG in the templates: the geometry
// is computed here, so the templates only place shapes, and every chart
// has its numbers in a table beside it (and as CSV/JSON) for screen
// readers and spreadsheets. Colours come from dash.css classes; the CSP
// allows no inline style.

// presetLink is a period shortcut above a dashboard.
type presetLink struct {
	Label, Href string
	Current     bool
}

// exportLink is a table's CSV and JSON download.
type exportLink struct {
	Label, CSV, JSON string
}

// dashHead is what every dashboard page shows above its charts.
type dashHead struct {
	Period      period
	Presets     []presetLink
	City        bool   // the admin's city view
	Kelurahan   string // code; "" for the city
	ScopeLabel  string
	Options     []option // the admin's kelurahan choice
	ExportQuery string
	Exports     []exportLink
}

// dashQuery is the query string of a dashboard link.
func dashQuery(kel string, p period) string {
	q := url.Values{}
	q.Set("from", p.FromText())
	q.Set("to", p.ToText())
	if kel != "" {
		q.Set("kelurahan", kel)
	}
	return q.Encode()
}

func (s *Server) dashHead(c *gin.Context, path string, f hailurah.DashboardFilter, p period, presets []struct {
	label string
	p     period
}) dashHead {
	n := s.loadNames(c.Request.Context())
	h := dashHead{Period: p, City: f.Kelurahan == "", Kelurahan: f.Kelurahan, ExportQuery: dashQuery(f.Kelurahan, p)}
	h.ScopeLabel = "Seluruh kota"
	if f.Kelurahan != "" {
		h.ScopeLabel = "Kelurahan " + n.kelurahanName(f.Kelurahan)
	}
	for _, pr := range presets {
		h.Presets = append(h.Presets, presetLink{Label: pr.label, Href: path + "?" + dashQuery(c.Query("kelurahan"), pr.p),
			Current: pr.p.From.Equal(p.From) && pr.p.To.Equal(p.To)})
	}
	if userOf(c).Role == hailurah.RoleAdmin {
		h.Options = kelurahanOptions(n)
	}
	return h
}

func (h *dashHead) export(api string, tables []exportTable) {
	for _, t := range tables {
		if t.Name == "breakdown" && !h.City {
			continue // one kelurahan has no per-kelurahan table
		}
		base := api + "?" + h.ExportQuery + "&table=" + t.Name
		h.Exports = append(h.Exports, exportLink{Label: t.Title, CSV: base + "&format=csv", JSON: base})
	}
}

func periodPresets(z hailurah.Zone, now time.Time) []struct {
	label string
	p     period
} {
	today := z.StartOfDay(now)
	return []struct {
		label string
		p     period
	}{
		{"7 hari", lastDays(z, now, 7)}, {"30 hari", lastDays(z, now, 30)}, {"90 hari", lastDays(z, now, 90)},
		{"12 bulan", lastMonths(z, now, 12)},
		{"Tahun ini", period{From: time.Date(today.Year(), 1, 1, 0, 0, 0, 0, z.Location()), To: today.AddDate(0, 0, 1), zone: z}},
	}
}

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

// kpiCard is one SIAP-TAMAN KPI.
type kpiCard struct {
	Code, Label, Target, Actual, Pct, Detail, Description string
	BarW, BarMax                                          int
	Class                                                 string
	Spark                                                 sparkline
}

type sparkline struct {
	Width, Height int
	Points        string
	Dots          []sparkDot
	TargetY       int
	HasTarget     bool
}

type sparkDot struct {
	X, Y  int
	Title string
}

// newSparkline draws a trend's values, scaled to the larger of its maximum
// and the target, which is a dashed line. Its dots name days of zone z.
func newSparkline(trend []hailurah.TrendPoint, target float64, unit hailurah.KPIUnit, z hailurah.Zone) sparkline {
	sp := sparkline{Width: 220, Height: 56}
	top := target
	for _, t := range trend {
		if t.Value != nil {
			top = math.Max(top, *t.Value)
		}
	}
	if top <= 0 || len(trend) == 0 {
		return sp
	}
	step := float64(sp.Width-12) / float64(max(1, len(trend)-1))
	var pts []string
	y := func(v float64) int { return int(math.Round(float64(sp.Height-6) - v/top*float64(sp.Height-12))) }
	for i, t := range trend {
		if t.Value == nil {
			continue
		}
		x := 6 + int(math.Round(float64(i)*step))
		pts = append(pts, fmt.Sprintf("%d,%d", x, y(*t.Value)))
		sp.Dots = append(sp.Dots, sparkDot{X: x, Y: y(*t.Value), Title: fmt.Sprintf("s.d. %s: %s",
			z.In(t.At).Format("02-01-2006"), hailurah.FormatKPI(unit, t.Value))})
	}
	sp.Points = strings.Join(pts, " ")
	if target > 0 {
		sp.TargetY, sp.HasTarget = y(target), true
	}
	return sp
}

const progressWidth = 240

// progress is the filled width of a progress bar and its colour class.
func progress(pct *float64) (int, string) {
	if pct == nil {
		return 0, "prog-none"
	}
	w := int(math.Round(math.Min(*pct, 100) / 100 * progressWidth))
	switch {
	case *pct >= 100:
		return w, "prog-done"
	case *pct >= 50:
		return w, "prog-mid"
	}
	return w, "prog-low"
}

type breakdownTable struct {
	Header []string
	Rows   []breakdownTableRow
}

type breakdownTableRow struct {
	Name  string
	Link  string
	Cells []string
}

type pilotRowView struct {
	ID, Name, Component, Kelurahan, Status, StatusClass, Cycle, Day, Due, Last string
	Overdue                                                                    bool
}

type programmePage struct {
	dashHead
	Cards     []kpiCard
	Breakdown breakdownTable
	Pilots    []pilotRowView
}

func pilotStatusClass(s hailurah.PilotStatus) string {
	switch s {
	case hailurah.PilotAwaitingDecision:
		return "st-wait"
	case hailurah.PilotStopped:
		return "st-final"
	}
	return "st-open"
}

func viewPilotRow(p *hailurah.Pilot, n names, now time.Time, z hailurah.Zone) pilotRowView {
	v := pilotRowView{ID: p.ID, Name: p.Name, Component: hailurah.ComponentLabel(p.Component), Kelurahan: n.kelurahanName(p.Kelurahan),
		Status: p.Status.Label(), StatusClass: pilotStatusClass(p.Status), Cycle: intText(p.Cycle),
		Due: formatWaktu(z, p.DecisionDue), Overdue: p.Overdue}
	if p.Status != hailurah.PilotStopped {
		v.Day = fmt.Sprintf("hari ke-%d", max(0, p.DayAt(now, 0)))
	}
	if k := len(p.Decisions); k > 0 {
		v.Last = hailurah.DecisionLabel(p.Decisions[k-1].Decision)
	}
	return v
}

// programmeDashboardPage: GET /siap-taman — the SIAP-TAMAN dashboard.
func (s *Server) programmeDashboardPage(c *gin.Context) {
	f, p, err := s.dashboardFilter(c, lastMonths(s.cfg.Zone, s.now(), 12))
	if err != nil {
		s.renderError(c, err)
		return
	}
	ctx := c.Request.Context()
	d, err := s.cfg.Pilots.KPIs.ProgrammeDashboard(ctx, f)
	if err != nil {
		s.renderError(c, err)
		return
	}
	n := s.loadNames(ctx)
	pg := &programmePage{dashHead: s.dashHead(c, "/siap-taman", f, p, periodPresets(s.cfg.Zone, s.now()))}
	pg.export("/api/v1/dashboard/program", programmeTables(d))
	for _, k := range d.KPIs {
		card := kpiCard{Code: k.Code, Label: k.Label, Target: hailurah.FormatKPI(k.Unit, &k.Target), Actual: hailurah.FormatKPI(k.Unit, k.Actual),
			Pct: hailurah.FormatPct(k.PercentOfTarget), Description: k.Description, BarMax: progressWidth}
		card.BarW, card.Class = progress(k.PercentOfTarget)
		card.Spark = newSparkline(k.Trend, k.Target, k.Unit, s.cfg.Zone)
		switch k.Code {
		case hailurah.KPIWomenSharePct:
			card.Detail = fmt.Sprintf("%.0f perempuan dari %.0f peserta", k.Num, k.Den)
		case hailurah.KPIDTKSReductionPct:
			card.Detail = fmt.Sprintf("%.0f dari %.0f rumah tangga DTKS keluar dari DTKS", k.Num, k.Den)
		case hailurah.KPIIncomeIncreasePct:
			card.Detail = fmt.Sprintf("total pendapatan bulanan rumah tangga terukur: Rp %s kini, Rp %s awal", hailurah.FormatKPI(hailurah.KPIUnitCount, &k.Num),
				hailurah.FormatKPI(hailurah.KPIUnitCount, &k.Den))
		}
		pg.Cards = append(pg.Cards, card)
	}
	if len(d.Breakdown) > 0 {
		pg.Breakdown.Header = []string{"Kelurahan"}
		for _, code := range hailurah.ProgrammeKPICodes() {
			def, _ := hailurah.FindKPI(code)
			pg.Breakdown.Header = append(pg.Breakdown.Header, def.Label)
		}
		for _, r := range d.Breakdown {
			row := breakdownTableRow{Name: r.KelurahanName, Link: "/siap-taman?" + dashQuery(r.Kelurahan, p)}
			for _, code := range hailurah.ProgrammeKPICodes() {
				def, _ := hailurah.FindKPI(code)
				row.Cells = append(row.Cells, hailurah.FormatKPI(def.Unit, r.Values[code].Value))
			}
			pg.Breakdown.Rows = append(pg.Breakdown.Rows, row)
		}
	}
	for _, pl := range d.Pilots {
		pg.Pilots = append(pg.Pilots, viewPilotRow(pl, n, s.now(), s.cfg.Zone))
	}
	s.renderPage(c, http.StatusOK, "dash_program", pageData{Title: "Dasbor SIAP-TAMAN", Wide: true, Data: pg})
}

// targetField is one KPI of the pilot forms' target inputs.
type targetField struct {
	Code, Label, Unit, Value, Hint string
}

func targetFields(current []hailurah.PilotTarget, form url.Values) []targetField {
	var out []targetField
	for _, def := range hailurah.KPICatalogue {
		f := targetField{Code: def.Code, Label: def.Label, Hint: def.Description}
		switch def.Unit {
		case hailurah.KPIUnitPercent:
			f.Unit = "%"
		case hailurah.KPIUnitRupiah:
			f.Unit = "Rp"
		default:
			f.Unit = "orang/unit"
		}
		for _, t := range current {
			if t.KPI == def.Code {
				f.Value = strconv.FormatFloat(t.Target, 'f', -1, 64)
			}
		}
		if form != nil {
			f.Value = form.Get("target_" + def.Code)
		}
		out = append(out, f)
	}
	return out
}

// parseTargets reads the target_<kpi> inputs; empty ones are not targets.
// Indonesian decimals ("12,5") and grouping ("150.000.000") are accepted.
func parseTargets(form url.Values) ([]hailurah.PilotTarget, error) {
	var out []hailurah.PilotTarget
	for _, def := range hailurah.KPICatalogue {
		v := strings.TrimSpace(form.Get("target_" + def.Code))
		if v == "" {
			continue
		}
		if def.Unit == hailurah.KPIUnitRupiah || strings.Count(v, ".") > 1 {
			v = strings.ReplaceAll(v, ".", "")
		}
		v = strings.ReplaceAll(strings.TrimPrefix(strings.TrimSpace(strings.TrimPrefix(v, "Rp")), " "), ",", ".")
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return nil, hailurah.FieldErrorf("targets", "Target %s harus berupa angka.", def.Label)
		}
		out = append(out, hailurah.PilotTarget{KPI: def.Code, Target: x})
	}
	return out, nil
}

type pilotsPage struct {
	Pilots     []pilotRowView
	CanCreate  bool
	Admin      bool
	Components []option
	Kelurahan  []option
	Owners     []option
	Targets    []targetField
	Form       map[string]string
	Other      bool
}

// pilotsPage: GET /pilot — the pilots of the user's kelurahan (all for
// admin) and, for the lurah and admin, the form to start one.
func (s *Server) pilotsPage(c *gin.Context) {
	s.renderPilots(c, http.StatusOK, nil, "", nil)
}

func (s *Server) renderPilots(c *gin.Context, status int, form url.Values, message string, fieldErrs map[string]string) {
	ctx := c.Request.Context()
	u := userOf(c)
	kel, _ := KelurahanScope(u, "")
	list, err := s.cfg.Pilots.Store.ListPilots(ctx, hailurah.PilotFilter{Kelurahan: kel})
	if err != nil {
		s.renderError(c, err)
		return
	}
	n := s.loadNames(ctx)
	pg := &pilotsPage{CanCreate: u.Role == hailurah.RoleAdmin || u.Role == hailurah.RoleLurah, Admin: u.Role == hailurah.RoleAdmin,
		Form: map[string]string{"start_date": s.cfg.Zone.StartOfDay(s.now()).Format(time.DateOnly), "scope": "semua"}}
	for _, p := range list {
		pg.Pilots = append(pg.Pilots, viewPilotRow(p, n, s.now(), s.cfg.Zone))
	}
	for _, comp := range hailurah.PilotComponents {
		pg.Components = append(pg.Components, option{comp, hailurah.ComponentLabel(comp)})
	}
	pg.Components = append(pg.Components, option{"lainnya", "Komponen lain…"})
	if pg.Admin {
		pg.Kelurahan = kelurahanOptions(n)
	}
	if users, err := s.cfg.Users.ListUsers(ctx, hailurah.UserFilter{Kelurahan: kel}); err == nil {
		for _, x := range users {
			if !x.Disabled && x.Role != hailurah.RoleDinas {
				pg.Owners = append(pg.Owners, option{x.Username, x.Name + " (" + x.Role.Label() + ")"})
			}
		}
		sortOptions(pg.Owners)
	}
	for _, k := range []string{"name", "component", "component_other", "kelurahan", "start_date", "scope", "owner"} {
		if form != nil {
			pg.Form[k] = form.Get(k)
		}
	}
	pg.Other = pg.Form["component"] == "lainnya"
	pg.Targets = targetFields([]hailurah.PilotTarget{{KPI: hailurah.KPITrained, Target: 100}, {KPI: hailurah.KPIWomenSharePct, Target: 50}}, form)
	s.renderPage(c, status, "dash_pilots", pageData{Title: "Pilot 90 hari", Wide: true, Data: pg, Error: message, FieldErrors: fieldErrs,
		Flash: pilotFlash[c.Query("ok")]})
}

var pilotFlash = map[string]string{
	okPending:   pendingFlash,
	"pilot":     "Pilot dibuat; pengingat milestone dan evaluasi hari ke-76 sudah dijadwalkan.",
	"keputusan": "Keputusan ditandatangani dan dicatat; tidak dapat diubah lagi.",
}

// createPilotForm: POST /pilot.
func (s *Server) createPilotForm(c *gin.Context) {
	form := c.Request.PostForm
	if form == nil {
		_ = c.Request.ParseForm()
		form = c.Request.PostForm
	}
	req := hailurah.PilotRequest{Name: form.Get("name"), Component: form.Get("component"), Kelurahan: form.Get("kelurahan"),
		StartDate: form.Get("start_date"), Owner: form.Get("owner")}
	if req.Component == "lainnya" {
		req.Component = form.Get("component_other")
	}
	kel := userOf(c).Kelurahan
	if userOf(c).Role == hailurah.RoleAdmin {
		kel = req.Kelurahan
	}
	var err error
	if req.Scope, err = hailurah.ParseScope(form.Get("scope"), kel); err == nil {
		req.Targets, err = parseTargets(form)
	}
	var p *hailurah.Pilot
	if err == nil {
		p, err = s.createPilot(c, &req)
	}
	if err != nil {
		if hailurah.ErrorCode(err) == hailurah.EINTERNAL {
			s.renderError(c, err)
			return
		}
		var fe map[string]string
		if f := hailurah.ErrorField(err); f != "" {
			fe = map[string]string{f: hailurah.ErrorMessage(err)}
		}
		s.renderPilots(c, ErrorStatus(err), form, hailurah.ErrorMessage(err), fe)
		return
	}
	c.Redirect(http.StatusSeeOther, "/pilot/"+p.ID+"?ok=pilot")
}

// packetRowView is one target of the packet on the pilot page.
type packetRowView struct {
	Label, Target, Actual, Pct, Expected, Flag, FlagClass, Detail string
	BarW, BarMax, ExpectedX                                       int
	BarClass                                                      string
	Spark                                                         sparkline
}

type milestoneView struct {
	Day                           int
	Due, Status, StatusClass, Say string
}

type decisionView struct {
	Cycle, Decision, Rationale, By, At, Scope, Targets string
	Overdue                                            bool
}

type pilotPage struct {
	ID, Name, Component, Kelurahan, Scope, Owner, Status, StatusClass, Cycle, Day string
	Start, CycleStart, ReviewAt, DecisionDue, Overdue                             string
	IsOverdue, Stopped                                                            bool
	Milestones                                                                    []milestoneView
	HasPacket                                                                     bool
	PacketNote                                                                    string // whose figures the packet shows, when not the whole scope's
	PacketAt, PacketDay                                                           string
	Rows                                                                          []packetRowView
	Curhat                                                                        []tile
	Warnings                                                                      []string
	CanDecide                                                                     bool
	DecideNote                                                                    string
	Decisions                                                                     []decisionView
	Timeline                                                                      []timelineView
	Targets                                                                       []targetField
	Form                                                                          map[string]string
	TargetsText                                                                   string
}

type timelineView struct {
	At, Type, Actor, Note string
}

var pilotEventLabels = map[string]string{
	hailurah.EventPilotStarted:         "Pilot dimulai",
	hailurah.EventPilotCycleStarted:    "Siklus baru dimulai",
	hailurah.EventPilotMilestone:       "Pengingat milestone",
	hailurah.EventPilotMilestoneMissed: "Milestone terlewat",
	hailurah.EventPilotPacket:          "Paket evaluasi",
	hailurah.EventPilotOverdue:         "Keputusan terlambat",
	hailurah.EventPilotDecision:        "Keputusan Lurah",
}

func flagClass(f string) string {
	switch f {
	case hailurah.FlagOnTrack:
		return "st-done"
	case hailurah.FlagAtRisk:
		return "st-wait"
	case hailurah.FlagOffTrack:
		return "breach"
	}
	return "st-final"
}

func scopeLabel(scope []hailurah.PilotArea, n names) string {
	parts := make([]string, len(scope))
	for i, a := range scope {
		s := n.kelurahanName(a.Kelurahan)
		switch {
		case a.RT != "":
			s += " RT " + a.RT + "/RW " + a.RW
		case a.RW != "":
			s += " RW " + a.RW
		default:
			s += " (seluruh kelurahan)"
		}
		parts[i] = s
	}
	return strings.Join(parts, ", ")
}

func targetsText(ts []hailurah.PilotTarget) string {
	var parts []string
	for _, t := range ts {
		def, _ := hailurah.FindKPI(t.KPI)
		parts = append(parts, def.Label+" "+hailurah.FormatKPI(def.Unit, &t.Target))
	}
	return strings.Join(parts, "; ")
}

// pilotPage: GET /pilot/{id} — the pilot, its packet and, for its lurah
// once the packet is out, the decision form.
func (s *Server) pilotPage(c *gin.Context) {
	s.renderPilot(c, http.StatusOK, nil, "", nil)
}

func (s *Server) renderPilot(c *gin.Context, status int, form url.Values, message string, fieldErrs map[string]string) {
	p, err := s.visiblePilot(c, c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	ctx := c.Request.Context()
	n := s.loadNames(ctx)
	now := s.now()
	u := userOf(c)
	pg := &pilotPage{ID: p.ID, Name: p.Name, Component: hailurah.ComponentLabel(p.Component), Kelurahan: n.kelurahanName(p.Kelurahan),
		Scope: scopeLabel(p.Scope, n), Owner: p.Owner, Status: p.Status.Label(), StatusClass: pilotStatusClass(p.Status),
		Cycle: intText(p.Cycle), Start: formatWaktu(s.cfg.Zone, p.StartDate), CycleStart: formatWaktu(s.cfg.Zone, p.CycleStart), ReviewAt: formatWaktu(s.cfg.Zone, p.ReviewAt),
		DecisionDue: formatWaktu(s.cfg.Zone, p.DecisionDue), IsOverdue: p.Overdue, Stopped: p.Status == hailurah.PilotStopped,
		TargetsText: targetsText(p.Targets), Form: map[string]string{}}
	if !pg.Stopped {
		pg.Day = fmt.Sprintf("Hari ke-%d dari 90", max(0, p.DayAt(now, 0)))
		if p.Overdue {
			pg.Overdue = fmt.Sprintf("Terlambat %s; %d pengingat terkirim.", formatDurasi(now.Sub(p.DecisionDue)), p.OverdueReminders)
		}
	}
	for _, m := range p.Milestones {
		mv := milestoneView{Day: m.Day, Due: formatWaktu(s.cfg.Zone, m.Due), Say: hailurah.MilestonePhase(m.Day)}
		switch m.Status {
		case hailurah.MilestoneReminded:
			mv.Status, mv.StatusClass = "Diingatkan", "st-done"
		case hailurah.MilestoneMissed:
			mv.Status, mv.StatusClass = "Terlewat (pilot dicatat setelahnya)", "st-final"
		default:
			mv.Status, mv.StatusClass = "Akan datang", "st-open"
		}
		pg.Milestones = append(pg.Milestones, mv)
	}
	if pk := p.Packet; pk != nil {
		pg.HasPacket = true
		pg.PacketAt, pg.PacketDay = formatWaktu(s.cfg.Zone, pk.GeneratedAt), intText(pk.Day)
		switch {
		case pk.Withheld:
			pg.PacketNote = "Angka paket ini berasal dari kelurahan lain dalam cakupan pilot; hanya petugas kelurahan tersebut dan admin kota yang dapat melihatnya."
		case len(pk.Parts) == 1:
			pg.PacketNote = "Angka di bawah hanya untuk Kelurahan " + n.kelurahanName(pk.Parts[0].Kelurahan) + "; angka kelurahan lain dalam cakupan pilot tidak ditampilkan."
		}
		for _, r := range pk.Rows {
			rv := packetRowView{Label: r.Label, Target: hailurah.FormatKPI(r.Unit, &r.Target), Actual: hailurah.FormatKPI(r.Unit, r.Actual),
				Pct: hailurah.FormatPct(r.PercentOfTarget), Expected: fmt.Sprintf("%.0f%%", r.ExpectedPct), Flag: hailurah.FlagLabel(r.Flag),
				FlagClass: flagClass(r.Flag), BarMax: progressWidth, ExpectedX: int(math.Round(r.ExpectedPct / 100 * progressWidth))}
			rv.BarW, rv.BarClass = progress(r.PercentOfTarget)
			rv.Spark = newSparkline(r.Trend, r.Target, r.Unit, s.cfg.Zone)
			if r.Den > 0 {
				rv.Detail = fmt.Sprintf("%.0f dari %.0f", r.Num, r.Den)
			}
			pg.Rows = append(pg.Rows, rv)
		}
		cu := pk.Curhat
		pg.Curhat = []tile{
			{Label: "Curhat dari cakupan", Value: intText(cu.Tickets)},
			{Label: "SLA moderator", Value: hailurah.FormatPct(cu.ModeratorSLAPct)},
			{Label: "SLA dinas", Value: hailurah.FormatPct(cu.DinasSLAPct)},
			{Label: "Kepatuhan SLA", Value: hailurah.FormatPct(cu.SLACompliancePct), Warn: cu.SLACompliancePct != nil && *cu.SLACompliancePct < hailurah.WarnSLAPct},
			{Label: "Kepuasan ≥ 4/5", Value: hailurah.FormatPct(cu.SatisfactionPct), Sub: fmt.Sprintf("%d penilaian", cu.Rated),
				Warn: cu.SatisfactionPct != nil && *cu.SatisfactionPct < hailurah.WarnSatisfactionPct},
			{Label: "Median waktu selesai", Value: secondsText(cu.MedianResolveSeconds)},
		}
		pg.Warnings = pk.Warnings
	}
	switch {
	case u.Role != hailurah.RoleLurah || u.Kelurahan != p.Kelurahan:
		pg.DecideNote = "Keputusan ditandatangani oleh Lurah " + n.kelurahanName(p.Kelurahan) + "."
	case p.Status == hailurah.PilotRunning:
		pg.DecideNote = "Formulir keputusan terbuka setelah paket evaluasi hari ke-76 (" + formatWaktu(s.cfg.Zone, p.ReviewAt) + ")."
	case p.Status == hailurah.PilotAwaitingDecision:
		pg.CanDecide = true
	}
	for _, d := range slices.Backward(p.Decisions) {
		dv := decisionView{Cycle: intText(d.Cycle), Decision: hailurah.DecisionLabel(d.Decision), Rationale: d.Rationale, By: d.DecidedBy,
			At: formatWaktu(s.cfg.Zone, d.DecidedAt), Overdue: d.Overdue, Targets: targetsText(d.Targets)}
		if d.Decision == hailurah.DecisionScale {
			dv.Scope = scopeLabel(d.Scope, n)
		}
		pg.Decisions = append(pg.Decisions, dv)
	}
	if events, err := s.cfg.Pilots.Store.ListPilotEvents(ctx, p.ID); err == nil {
		for _, e := range slices.Backward(events) {
			label := pilotEventLabels[e.Type]
			if label == "" {
				label = e.Type
			}
			pg.Timeline = append(pg.Timeline, timelineView{At: formatWaktu(s.cfg.Zone, e.At), Type: label, Actor: e.Actor, Note: e.Note})
		}
	}
	pg.Targets = targetFields(p.Targets, form)
	scope := make([]string, len(p.Scope))
	for i, a := range p.Scope {
		scope[i] = a.String()
	}
	pg.Form["scope"] = strings.Join(scope, ", ")
	if form != nil {
		for _, k := range []string{"decision", "rationale", "scope"} {
			pg.Form[k] = form.Get(k)
		}
	}
	s.renderPage(c, status, "dash_pilot", pageData{Title: "Pilot " + p.ID, Wide: true, Data: pg, Error: message,
		FieldErrors: fieldErrs, Flash: pilotFlash[c.Query("ok")]})
}

// decidePilotForm: POST /pilot/{id}/keputusan.
func (s *Server) decidePilotForm(c *gin.Context) {
	p, err := s.visiblePilot(c, c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	form := c.Request.PostForm
	if form == nil {
		_ = c.Request.ParseForm()
		form = c.Request.PostForm
	}
	req := hailurah.DecisionRequest{Decision: form.Get("decision"), Rationale: form.Get("rationale")}
	if req.Decision != hailurah.DecisionStop {
		req.Targets, err = parseTargets(form)
		if err == nil && req.Decision == hailurah.DecisionScale {
			req.Scope, err = hailurah.ParseScope(form.Get("scope"), p.Kelurahan)
		}
	}
	if err == nil {
		_, err = s.decidePilot(c, p, &req)
	}
	if hailurah.ErrorCode(err) == hailurah.EPENDING {
		c.Redirect(http.StatusSeeOther, "/pilot/"+p.ID+"?ok="+okPending)
		return
	}
	if err != nil {
		if hailurah.ErrorCode(err) == hailurah.EINTERNAL {
			s.renderError(c, err)
			return
		}
		var fe map[string]string
		if f := hailurah.ErrorField(err); f != "" {
			fe = map[string]string{f: hailurah.ErrorMessage(err)}
		}
		s.renderPilot(c, ErrorStatus(err), form, hailurah.ErrorMessage(err), fe)
		return
	}
	c.Redirect(http.StatusSeeOther, "/pilot/"+p.ID+"?ok=keputusan")
}

// openDataPage is the public page's content.
type openDataPage struct {
	Period     period
	Presets    []presetLink
	Kelurahan  string
	Options    []option
	Query      string
	MinCell    int
	SLA        []publicSLAView
	Months     []string
	RWs        []publicRWView
	Kategoris  []string
	Decisions  []publicDecisionView
	Exports    []exportLink
	Suppressed int
}

type publicSLAView struct {
	Kelurahan, Month, Tickets, Pct string
	BarW                           int
	Class                          string
}

type publicRWView struct {
	Kelurahan, Month, RW, Total string
	Cells                       []string
}

type publicDecisionView struct {
	Pilot, Component, Kelurahan, Cycle, Decision, Rationale, Scope, At string
}

// openDataPage: GET /data — public, no login.
func (s *Server) openDataPage(c *gin.Context) {
	d, p, err := s.openData(c)
	if err != nil {
		s.renderError(c, err)
		return
	}
	n := s.loadNames(c.Request.Context())
	pg := &openDataPage{Period: p, Kelurahan: d.Kelurahan, Options: kelurahanOptions(n), MinCell: d.MinCell, Query: dashQuery(d.Kelurahan, p)}
	for _, pr := range periodPresets(s.cfg.Zone, s.now())[2:] {
		pg.Presets = append(pg.Presets, presetLink{Label: pr.label, Href: "/data?" + dashQuery(d.Kelurahan, pr.p),
			Current: pr.p.From.Equal(p.From) && pr.p.To.Equal(p.To)})
	}
	for _, t := range openDataTables(d, s.cfg.Zone) {
		base := "/api/v1/opendata?" + pg.Query + "&table=" + t.Name
		pg.Exports = append(pg.Exports, exportLink{Label: t.Title, CSV: base + "&format=csv", JSON: base})
	}
	for _, x := range d.SLA {
		v := publicSLAView{Kelurahan: x.KelurahanName, Month: monthLabel(x.Month), Tickets: x.Tickets.Text(), Pct: "<" + intText(d.MinCell) + " tenggat"}
		if x.CompliancePct != nil {
			v.Pct = hailurah.FormatPct(x.CompliancePct)
			v.BarW, v.Class = progress(x.CompliancePct)
			v.BarW = int(math.Round(*x.CompliancePct / 100 * progressWidth))
		}
		pg.SLA = append(pg.SLA, v)
	}
	// Categories as a table: one row per RW and month, one column per kategori.
	for _, x := range d.Categories {
		if !slices.Contains(pg.Kategoris, x.Kategori) {
			pg.Kategoris = append(pg.Kategoris, x.Kategori)
		}
	}
	sort.Strings(pg.Kategoris)
	index := map[string]int{}
	for _, t := range d.RWTotals {
		key := t.Kelurahan + "|" + t.Month + "|" + t.RW
		index[key] = len(pg.RWs)
		rw := "RW " + t.RW
		if t.RW == "" {
			rw = "RW tidak disebut"
		}
		pg.RWs = append(pg.RWs, publicRWView{Kelurahan: t.KelurahanName, Month: monthLabel(t.Month), RW: rw, Total: t.Count.Text(),
			Cells: make([]string, len(pg.Kategoris))})
	}
	for _, x := range d.Categories {
		row := &pg.RWs[index[x.Kelurahan+"|"+x.Month+"|"+x.RW]]
		row.Cells[slices.Index(pg.Kategoris, x.Kategori)] = x.Count.Text()
		if x.Count.Suppressed {
			pg.Suppressed++
		}
	}
	for i := range pg.Kategoris {
		pg.Kategoris[i] = kategoriLabel(pg.Kategoris[i])
	}
	for _, x := range d.Decisions {
		pg.Decisions = append(pg.Decisions, publicDecisionView{Pilot: x.PilotName, Component: hailurah.ComponentLabel(x.Component),
			Kelurahan: x.KelurahanName, Cycle: intText(x.Cycle), Decision: hailurah.DecisionLabel(x.Decision), Rationale: x.Rationale,
			Scope: strings.Join(x.Scope, ", "), At: s.cfg.Zone.In(x.DecidedAt).Format("2 Jan 2006")})
	}
	s.renderPage(c, http.StatusOK, "opendata", pageData{Title: "Data terbuka HAI LURAH", Wide: true, Data: pg})
}

func monthLabel(m string) string {
	t, err := time.Parse("2006-01", m)
	if err != nil {
		return m
	}
	return bulan[t.Month()-1] + " " + strconv.Itoa(t.Year())
}
