package ui

import (
	"math"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/server/app"
	"github.com/hailurah/hailurah/server/chart"
)

// openDataPage is the public page's content.
type openDataPage struct {
	Period     app.Period
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
	// Budget is the programme's budget, planned against spent.
	Budget *budgetPageData
	// Headline are the big numbers the page opens with.
	Headline []tile
	Map      mapView
	Grid     chart.Heatmap
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
func (s *UI) openDataPage(c *gin.Context) {
	d, p, err := s.OpenData(c)
	if err != nil {
		s.renderError(c, err)
		return
	}
	n := s.LoadNames(c.Request.Context())
	pg := &openDataPage{Period: p, Kelurahan: d.Kelurahan, Options: kelurahanOptions(n), MinCell: d.MinCell, Query: dashQuery(d.Kelurahan, p)}
	pg.Presets = presetLinks("/data", d.Kelurahan, periodPresets(s.Zone, s.Now())[2:], p)
	for _, t := range app.OpenDataTables(d, s.Zone) {
		base := "/api/v1/opendata?" + pg.Query + "&table=" + t.Name
		pg.Exports = append(pg.Exports, exportLink{Label: t.Title, CSV: base + "&format=csv", JSON: base})
	}
	for _, x := range d.SLA {
		v := publicSLAView{Kelurahan: x.KelurahanName, Month: monthLabel(x.Month), Tickets: x.Tickets.Text(), Pct: "<" + app.IntText(d.MinCell) + " tenggat"}
		if x.CompliancePct != nil {
			v.Pct = hailurah.FormatPct(x.CompliancePct)
			v.BarW, v.Class = chart.Progress(x.CompliancePct)
			v.BarW = int(math.Round(*x.CompliancePct / 100 * chart.ProgressWidth))
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
		pg.Kategoris[i] = app.KategoriLabel(pg.Kategoris[i])
	}
	for _, x := range d.Decisions {
		pg.Decisions = append(pg.Decisions, publicDecisionView{Pilot: x.PilotName, Component: hailurah.ComponentLabel(x.Component),
			Kelurahan: x.KelurahanName, Cycle: app.IntText(x.Cycle), Decision: hailurah.DecisionLabel(x.Decision), Rationale: x.Rationale,
			Scope: strings.Join(x.Scope, ", "), At: formatTanggal(s.Zone.In(x.DecidedAt))})
	}
	pg.Budget = s.publicBudget(c, d.Kelurahan)
	pg.Headline = openDataHeadline(d)
	pg.Map = s.mapView("/api/v1/opendata/map?"+pg.Query, "cells", "Peta jumlah curhat per kotak wilayah")
	grid := make([]hailurah.HeatCell, len(d.RWGrid))
	for i, x := range d.RWGrid {
		grid[i] = hailurah.HeatCell{Kelurahan: x.Kelurahan, RW: x.RW, Count: x.Count}
	}
	pg.Grid = chart.NewHeatmap(grid, true, n.KelurahanName) // never finer than RW
	s.renderPage(c, http.StatusOK, "opendata", pageData{Title: "Data terbuka HAI LURAH", Wide: true, Data: pg})
}

func monthLabel(m string) string {
	t, err := time.Parse("2006-01", m)
	if err != nil {
		return m
	}
	return hailurah.ShortMonth(t.Month()) + " " + strconv.Itoa(t.Year())
}

// openDataHeadline: curhat received, the share of SLA clocks on time and
// the signed pilot decisions of the period, from the published figures
// only (a suppressed cell counts as nothing).
func openDataHeadline(d *hailurah.OpenData) []tile {
	total, hidden := 0, 0
	for _, t := range d.RWTotals {
		if t.Count.Value != nil {
			total += *t.Count.Value
		} else {
			hidden++
		}
	}
	received := tile{Label: "Curhat diterima", Value: hailurah.PublicCount{Value: &total}.Text(), Sub: "dalam periode ini"}
	if hidden > 0 {
		received.Value = "≥ " + received.Value
		received.Sub = "ditambah " + strconv.Itoa(hidden) + " wilayah kecil yang disamarkan"
	}
	ended, onTime := 0.0, 0.0
	for _, x := range d.SLA {
		if x.CompliancePct != nil && x.Ended.Value != nil {
			ended += float64(*x.Ended.Value)
			onTime += float64(*x.Ended.Value) * *x.CompliancePct / 100
		}
	}
	sla := tile{Label: "Ditangani tepat waktu", Value: "-", Sub: "belum cukup data"}
	if ended > 0 {
		sla.Value = hailurah.FormatPct(hailurah.Share(onTime, ended))
		sla.Sub = "dari tenggat yang sudah berakhir"
	}
	return []tile{received, sla, {Label: "Keputusan pilot", Value: strconv.Itoa(len(d.Decisions)), Sub: "ditandatangani Lurah"}}
}
