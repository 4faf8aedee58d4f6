package ui

import (
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/server/app"
	"github.com/hailurah/hailurah/server/chart"
)

// kpiCard is one SIAP-TAMAN KPI.
type kpiCard struct {
	Code, Label, Target, Actual, Pct, Detail, Description string
	BarW, BarMax                                          int
	Class                                                 string
	// NoTarget: the seed sets no year-1 target (usaha aktif, omzet…).
	NoTarget bool
	Spark    chart.Sparkline
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

func viewPilotRow(p *hailurah.Pilot, n app.Names, now time.Time, z hailurah.Zone) pilotRowView {
	v := pilotRowView{ID: p.ID, Name: p.Name, Component: hailurah.ComponentLabel(p.Component), Kelurahan: n.KelurahanName(p.Kelurahan),
		Status: p.Status.Label(), StatusClass: pilotStatusClass(p.Status), Cycle: app.IntText(p.Cycle),
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
func (s *UI) programmeDashboardPage(c *gin.Context) {
	f, p, err := s.DashboardFilter(c, app.LastMonths(s.Zone, s.Now(), 12))
	if err != nil {
		s.renderError(c, err)
		return
	}
	ctx := c.Request.Context()
	d, err := s.Pilots.KPIs.ProgrammeDashboard(ctx, f)
	if err != nil {
		s.renderError(c, err)
		return
	}
	n := s.LoadNames(ctx)
	pg := &programmePage{dashHead: s.dashHead(c, "/siap-taman", f, p, periodPresets(s.Zone, s.Now()))}
	pg.export("/api/v1/dashboard/program", app.ProgrammeTables(d))
	for _, k := range d.KPIs {
		card := kpiCard{Code: k.Code, Label: k.Label, Target: hailurah.FormatKPI(k.Unit, &k.Target), Actual: hailurah.FormatKPI(k.Unit, k.Actual),
			Pct: hailurah.FormatPct(k.PercentOfTarget), Description: k.Description, BarMax: chart.ProgressWidth}
		card.BarW, card.Class = chart.Progress(k.PercentOfTarget)
		card.NoTarget = k.Target <= 0
		card.Spark = chart.NewSparkline(k.Trend, k.Target, k.Unit, s.Zone)
		switch k.Code {
		case hailurah.KPIWomenSharePct:
			card.Detail = fmt.Sprintf("%.0f perempuan dari %.0f peserta", k.Num, k.Den)
		case hailurah.KPIPercentActive:
			card.Detail = fmt.Sprintf("%.0f dari %.0f rumah tangga", k.Num, k.Den)
		case hailurah.KPIBansosReductionPct:
			card.Detail = fmt.Sprintf("%.0f dari %.0f penerima bansos tidak lagi menerima", k.Num, k.Den)
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
		pg.Pilots = append(pg.Pilots, viewPilotRow(pl, n, s.Now(), s.Zone))
	}
	s.renderPage(c, http.StatusOK, "dash_program", pageData{Title: "Dasbor SIAP-TAMAN", Wide: true, Data: pg})
}
