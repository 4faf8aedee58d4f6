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
	for _, pr := range periodPresets(s.Zone, s.Now())[2:] {
		pg.Presets = append(pg.Presets, presetLink{Label: pr.label, Href: "/data?" + dashQuery(d.Kelurahan, pr.p),
			Current: pr.p.From.Equal(p.From) && pr.p.To.Equal(p.To)})
	}
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
		pg.Kategoris[i] = kategoriLabel(pg.Kategoris[i])
	}
	for _, x := range d.Decisions {
		pg.Decisions = append(pg.Decisions, publicDecisionView{Pilot: x.PilotName, Component: hailurah.ComponentLabel(x.Component),
			Kelurahan: x.KelurahanName, Cycle: app.IntText(x.Cycle), Decision: hailurah.DecisionLabel(x.Decision), Rationale: x.Rationale,
			Scope: strings.Join(x.Scope, ", "), At: formatTanggal(s.Zone.In(x.DecidedAt))})
	}
	s.renderPage(c, http.StatusOK, "opendata", pageData{Title: "Data terbuka HAI LURAH", Wide: true, Data: pg})
}

func monthLabel(m string) string {
	t, err := time.Parse("2006-01", m)
	if err != nil {
		return m
	}
	return hailurah.ShortMonth(t.Month()) + " " + strconv.Itoa(t.Year())
}
