// Package report makes the reports the kelurahan office sends to Kecamatan
// and Baperida — the SIAP-TAMAN report (monthly and quarterly) and the HAI
// LURAH report (monthly) — from the same figures as the dashboards, and
// writes them as PDF, CSV and JSON. Every figure is an aggregate: no
// citizen's name, words or contact enters a report.
package report

import (
	"time"
)

// Document is one report: a cover's facts and its sections, each a table
// with an optional chart. The PDF, CSV and JSON are written from it, so
// the three always hold the same figures.
type Document struct {
	Kind          string    `json:"kind"`
	Title         string    `json:"title"`
	Period        string    `json:"period"` // "2026-11", "2026-Q4"
	PeriodLabel   string    `json:"period_label"`
	From          time.Time `json:"from"`
	To            time.Time `json:"to"`
	Dates         string    `json:"dates"`     // "1 Nov 2026 – 30 Nov 2026"
	Kelurahan     string    `json:"kelurahan"` // "" = the city
	KelurahanName string    `json:"kelurahan_name"`
	Place         string    `json:"place"` // "Kelurahan Taman, Kecamatan Taman, Kota Madiun"
	Recipients    string    `json:"recipients"`
	MadeAt        time.Time `json:"made_at"`
	MadeAtLabel   string    `json:"made_at_label"`
	// KPIs are the catalogue's indicators of the report's kind against
	// their targets, for programs that read the JSON.
	KPIs     []KPIRow  `json:"kpis"`
	Sections []Section `json:"sections"`
}

// KPIRow is one indicator against its year-1 target: its value in the
// period and since the start of the year, the share of the target reached
// by then and the early-warning flag.
type KPIRow struct {
	Code            string   `json:"code"`
	Label           string   `json:"label"`
	Unit            string   `json:"unit"`
	Target          float64  `json:"target"`
	Period          *float64 `json:"period_value"`
	YearToDate      *float64 `json:"year_to_date"`
	PercentOfTarget *float64 `json:"percent_of_target"`
	ExpectedPct     float64  `json:"expected_pct"`
	Flag            string   `json:"flag"`
	FlagLabel       string   `json:"flag_label"`
}

// Section is a titled table of a report. Its Key names it in the CSV.
type Section struct {
	Key     string   `json:"key"`
	Title   string   `json:"title"`
	Note    string   `json:"note,omitempty"`
	Columns []string `json:"columns"`
	Rows    []Row    `json:"rows"`
	Chart   *Chart   `json:"chart,omitempty"`
}

// Row is one row of a section: a label and one cell per column after the
// first.
type Row struct {
	Label string `json:"label"`
	Cells []Cell `json:"cells"`
}

// Cell is a figure as the report prints it and, when it is a number, its
// value.
type Cell struct {
	Text  string   `json:"text"`
	Value *float64 `json:"value,omitempty"`
}

// Chart kinds.
const (
	ChartBars = "bars" // horizontal bars, one per item
	ChartLine = "line" // one line over the items in order
)

// Chart is what a section draws above its table: bars of Items, or lines
// of Series over XLabels.
type Chart struct {
	Kind    string      `json:"kind"`
	Title   string      `json:"title"`
	Items   []ChartItem `json:"items,omitempty"`
	XLabels []string    `json:"x_labels,omitempty"`
	Series  []Series    `json:"series,omitempty"`
	// Target, for a line, is drawn as a dashed level; for bars of shares
	// of targets, 100 is the whole target.
	Target *float64 `json:"target,omitempty"`
}

// ChartItem is one bar or point.
type ChartItem struct {
	Label string   `json:"label"`
	Value *float64 `json:"value"`
	Text  string   `json:"text"`
}

// Series is one line of a line chart: a value per x label, nil where there
// is none.
type Series struct {
	Label  string     `json:"label"`
	Values []*float64 `json:"values"`
}
