// Package chart draws the dashboards' charts: it computes the geometry of
// each SVG (bars, stacks, heatmap cells, sparklines, progress bars), so the
// templates only place shapes, and every shape carries its number as a
// title for screen readers.
package chart

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hailurah/hailurah"
)

// HBar is one bar of a horizontal bar chart: a value and, overlaid, a
// part of it (overdue of open).
type HBar struct {
	Label, Value, Title    string
	Y, TextY, W, PartW, TX int
	Class                  string
}

// HBarChart is a horizontal bar chart, one bar a row.
type HBarChart struct {
	Width, Height, LabelW, ValueX int
	Bars                          []HBar
}

const (
	hbarWidth = 600
	hbarLabel = 150
	hbarArea  = 300
	hbarRow   = 30
	hbarThick = 20
)

// MaxBars is the most bars a dashboard's bar chart shows.
const MaxBars = 12

// NewHBarChart lays items out as bars of values, each with the part of
// parts overlaid (nil: none), scaled to the largest value.
func NewHBarChart(items []HBar, values, parts []float64) HBarChart {
	ch := HBarChart{Width: hbarWidth, LabelW: hbarLabel - 8, ValueX: hbarLabel, Height: len(items)*hbarRow + 8}
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

// StackSeg is one urgency level's part of a day's bar.
type StackSeg struct {
	Y, H  int
	Class string
}

// StackDay is one day's bar, stacked by urgency.
type StackDay struct {
	X, W  int
	Title string
	Segs  []StackSeg
}

// AxisTick is a labelled tick of an axis at Pos.
type AxisTick struct {
	Pos  int
	Text string
}

// StackChart is the curhat per day stacked by urgency, with the mean
// urgency as a line.
type StackChart struct {
	Width, Height, Left, Right, Top, Bottom int
	Days                                    []StackDay
	Line                                    string // mean urgency, on the right axis
	YTicks, RightTicks, XTicks              []AxisTick
}

// Urgency draws the curhat of each day stacked by urgency.
func Urgency(days []hailurah.UrgencyDay) StackChart {
	ch := StackChart{Width: 760, Height: 260, Left: 44, Right: 716, Top: 12, Bottom: 222}
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
		sd := StackDay{X: int(x), W: max(1, int(step*0.8)), Title: fmt.Sprintf("%s: %d curhat", d.Day, d.Total)}
		y := float64(ch.Bottom)
		for level := 0; level <= 5; level++ {
			n := d.ByUrgency[level]
			if n == 0 {
				continue
			}
			h := float64(n) / top * plotH
			y -= h
			sd.Segs = append(sd.Segs, StackSeg{Y: int(math.Round(y)), H: max(1, int(math.Round(h))), Class: "u" + strconv.Itoa(level)})
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
		ch.YTicks = append(ch.YTicks, AxisTick{Pos: ch.Bottom - int(plotH*float64(i)/4), Text: hailurah.FormatKPI(hailurah.KPIUnitCount, &v)})
	}
	for u := 1; u <= 5; u++ {
		ch.RightTicks = append(ch.RightTicks, AxisTick{Pos: ch.Bottom - int(plotH*float64(u)/5), Text: strconv.Itoa(u)})
	}
	every := max(1, len(days)/8)
	for i := 0; i < len(days); i += every {
		t, _ := time.Parse(time.DateOnly, days[i].Day)
		ch.XTicks = append(ch.XTicks, AxisTick{Pos: ch.Left + int(float64(i)*step+step*0.4), Text: fmt.Sprintf("%d %s", t.Day(), hailurah.ShortMonth(t.Month()))})
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

// HeatCell is one cell of a Heatmap.
type HeatCell struct {
	X, Y, TX, TY int
	Count        string
	Class        string
	TextClass    string
	Title        string
}

// HeatRow is one row of a Heatmap.
type HeatRow struct {
	Y     int
	Label string
	Cells []HeatCell
}

// Heatmap is a grid of counts: RW by RT for a kelurahan, kelurahan by RW
// for the city.
type Heatmap struct {
	Width, Height int
	RowHead       string
	ColHead       string
	Cols          []AxisTick
	Rows          []HeatRow
}

const (
	heatCell  = 38
	heatLeft  = 110
	heatTop   = 30
	heatLimit = 24
)

// NewHeatmap grids cells by RW and RT, or for the city by kelurahan (named
// by kelurahanName) and RW.
func NewHeatmap(cells []hailurah.HeatCell, city bool, kelurahanName func(code string) string) Heatmap {
	rowKey := func(c hailurah.HeatCell) string { return c.RW }
	colKey := func(c hailurah.HeatCell) string { return c.RT }
	h := Heatmap{RowHead: "RW", ColHead: "RT"}
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
			return kelurahanName(code)
		}
		return code
	}
	for j, col := range cols {
		h.Cols = append(h.Cols, AxisTick{Pos: heatLeft + j*heatCell + heatCell/2, Text: label(col, h.ColHead)})
	}
	for i, row := range rows {
		rv := HeatRow{Y: heatTop + i*heatCell, Label: h.RowHead + " " + label(row, h.RowHead)}
		if h.RowHead == "Kelurahan" {
			rv.Label = label(row, h.RowHead)
		}
		for j, col := range cols {
			v := counts[[2]string{row, col}]
			level := 0
			if v > 0 && maxN > 0 {
				level = int(math.Ceil(float64(v) / float64(maxN) * 5))
			}
			cell := HeatCell{X: heatLeft + j*heatCell, Y: rv.Y, TX: heatLeft + j*heatCell + 18, TY: rv.Y + 23,
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

// Sparkline is a KPI's trend with its target.
type Sparkline struct {
	Width, Height int
	Points        string
	Dots          []SparkDot
	TargetY       int
	HasTarget     bool
}

// SparkDot is one value of a Sparkline.
type SparkDot struct {
	X, Y  int
	Title string
}

// NewSparkline draws a trend's values, scaled to the larger of its maximum
// and the target, which is a dashed line. Its dots name days of zone z.
func NewSparkline(trend []hailurah.TrendPoint, target float64, unit hailurah.KPIUnit, z hailurah.Zone) Sparkline {
	sp := Sparkline{Width: 220, Height: 56}
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
		sp.Dots = append(sp.Dots, SparkDot{X: x, Y: y(*t.Value), Title: fmt.Sprintf("s.d. %s: %s",
			z.In(t.At).Format("02-01-2006"), hailurah.FormatKPI(unit, t.Value))})
	}
	sp.Points = strings.Join(pts, " ")
	if target > 0 {
		sp.TargetY, sp.HasTarget = y(target), true
	}
	return sp
}

// ProgressWidth is the width of a full progress bar.
const ProgressWidth = 240

// Progress is the filled width of a progress bar and its colour class.
func Progress(pct *float64) (int, string) {
	if pct == nil {
		return 0, "prog-none"
	}
	w := int(math.Round(math.Min(*pct, 100) / 100 * ProgressWidth))
	switch {
	case *pct >= 100:
		return w, "prog-done"
	case *pct >= 50:
		return w, "prog-mid"
	}
	return w, "prog-low"
}
