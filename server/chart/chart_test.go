package chart_test

import (
	"testing"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/server/chart"
)

// TestNewHBarChart: bars scale to the largest value, the overlaid part by
// the same scale.
func TestNewHBarChart(t *testing.T) {
	ch := chart.NewHBarChart([]chart.HBar{{Label: "a"}, {Label: "b"}}, []float64{10, 5}, []float64{5, 0})
	if len(ch.Bars) != 2 || ch.Bars[0].W != 2*ch.Bars[1].W || ch.Bars[0].PartW != ch.Bars[1].W || ch.Bars[1].Y <= ch.Bars[0].Y {
		t.Errorf("bars: %+v", ch.Bars)
	}
	if empty := chart.NewHBarChart([]chart.HBar{{Label: "a"}}, []float64{0}, nil); empty.Bars[0].W != 0 {
		t.Errorf("a chart of zeros draws %+v", empty.Bars)
	}
}

// TestNewHeatmap: the city's heatmap names kelurahan in rows and counts
// into five shades, the unknown RW last as "?".
func TestNewHeatmap(t *testing.T) {
	cells := []hailurah.HeatCell{{Kelurahan: "taman", RW: "02", Count: 10}, {Kelurahan: "taman", RW: "", Count: 2}}
	h := chart.NewHeatmap(cells, true, func(code string) string { return "Kel. " + code })
	if len(h.Rows) != 1 || h.Rows[0].Label != "Kel. taman" || len(h.Cols) != 2 || h.Cols[1].Text != "?" {
		t.Fatalf("heatmap: %+v", h)
	}
	if c := h.Rows[0].Cells[0]; c.Count != "10" || c.Class != "heat5" {
		t.Errorf("fullest cell: %+v", c)
	}
}

func TestProgress(t *testing.T) {
	if w, class := chart.Progress(nil); w != 0 || class != "prog-none" {
		t.Errorf("no figure: %d %s", w, class)
	}
	full := 150.0
	if w, class := chart.Progress(&full); w != chart.ProgressWidth || class != "prog-done" {
		t.Errorf("over target: %d %s", w, class)
	}
}
