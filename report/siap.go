package report

import (
	"context"
	"time"

	"github.com/hailurah/hailurah"
)

// siapTaman builds the SIAP-TAMAN report: the programme's KPIs against
// their year-1 targets, their monthly course, each kelurahan's figures
// (city), the productive grants and the 90-day pilots.
func (b *builder) siapTaman(ctx context.Context) error {
	b.doc.Title = "Laporan SIAP-TAMAN Bulanan"
	if b.req.Period.Quarterly() {
		b.doc.Title = "Laporan SIAP-TAMAN Triwulanan"
	}
	period, err := b.src.KPIs.ProgrammeDashboard(ctx, b.filter(b.from, b.to))
	if err != nil {
		return err
	}
	ytd, err := b.src.KPIs.ProgrammeDashboard(ctx, b.filter(b.yearStart(), b.to))
	if err != nil {
		return err
	}
	defs := make([]kpiTarget, len(ytd.KPIs))
	for i, k := range ytd.KPIs {
		defs[i] = kpiTarget{Code: k.Code, Label: k.Label, Unit: k.Unit, Target: k.Target}
	}
	b.doc.KPIs = b.kpiRows(kpiValues(period), kpiValues(ytd), defs)
	b.doc.Sections = append(b.doc.Sections, kpiSection("kpi", "Capaian indikator SIAP-TAMAN terhadap target", b.doc.KPIs))
	b.doc.Sections = append(b.doc.Sections, b.trendSection(ytd))
	if b.req.Kelurahan == "" {
		b.doc.Sections = append(b.doc.Sections, b.programmeBreakdown(period))
	}
	grants, err := b.grantSection(ctx)
	if err != nil {
		return err
	}
	b.doc.Sections = append(b.doc.Sections, grants, b.pilotSection(ytd.Pilots))
	return nil
}

// juta writes an amount in millions: "Rp 16,8 jt".
func juta(v float64) string {
	m := v / 1e6
	return "Rp " + hailurah.FormatKPI(hailurah.KPIUnitCount, roundTo(m, 1)) + " jt"
}

func kpiValues(d *hailurah.ProgrammeDashboard) map[string]hailurah.KPIValue {
	out := map[string]hailurah.KPIValue{}
	for _, k := range d.KPIs {
		out[k.Code] = hailurah.KPIValue{Code: k.Code, Value: k.Actual, Num: k.Num, Den: k.Den}
	}
	return out
}

// trendSection is each KPI's value since 1 January at the end of every
// month, and the share of its target as a line per KPI.
func (b *builder) trendSection(ytd *hailurah.ProgrammeDashboard) Section {
	s := Section{Key: "tren", Title: "Perkembangan sejak 1 Januari (akhir tiap bulan)", Columns: []string{"Indikator"},
		Note:  "Capaian kumulatif sejak 1 Januari sampai akhir tiap bulan; anggaran dalam juta rupiah (jt).",
		Chart: &Chart{Kind: ChartLine, Title: "Persen target tercapai di akhir tiap bulan", Target: hailurah.Float(100)}}
	if len(ytd.KPIs) == 0 {
		return s
	}
	for _, tp := range ytd.KPIs[0].Trend {
		end := b.src.Zone.In(tp.At.Add(-time.Nanosecond))
		label := hailurah.ShortMonth(end.Month())
		s.Columns = append(s.Columns, label)
		s.Chart.XLabels = append(s.Chart.XLabels, label)
	}
	for _, k := range ytd.KPIs {
		row := Row{Label: k.Label}
		line := Series{Label: k.Label}
		for _, tp := range k.Trend {
			c := numCell(k.Unit, tp.Value)
			if k.Unit == hailurah.KPIUnitRupiah && tp.Value != nil {
				// Twelve columns of full rupiah do not fit a page.
				c.Text = juta(*tp.Value)
			}
			row.Cells = append(row.Cells, c)
			var pct *float64
			if tp.Value != nil && k.Target > 0 {
				pct = hailurah.Share(*tp.Value, k.Target)
			}
			line.Values = append(line.Values, pct)
		}
		s.Rows = append(s.Rows, row)
		s.Chart.Series = append(s.Chart.Series, line)
	}
	return s
}

// programmeBreakdown is each kelurahan's KPIs in the period.
func (b *builder) programmeBreakdown(period *hailurah.ProgrammeDashboard) Section {
	s := Section{Key: "per_kelurahan", Title: "Capaian periode ini per kelurahan", Columns: []string{"Kelurahan"}}
	for _, k := range period.KPIs {
		s.Columns = append(s.Columns, k.Label)
	}
	for _, r := range period.Breakdown {
		row := Row{Label: r.KelurahanName}
		for _, k := range period.KPIs {
			row.Cells = append(row.Cells, numCell(k.Unit, r.Values[k.Code].Value))
		}
		s.Rows = append(s.Rows, row)
	}
	return s
}

// maxGrantRows bounds the grants read per kelurahan; the store's limit.
const maxGrantRows = 500

// grantSection is the productive grants of the scope: the budget and what
// is committed and paid of it, and what happened in the period.
func (b *builder) grantSection(ctx context.Context) (Section, error) {
	s := Section{Key: "hibah", Title: "Hibah produktif", Columns: []string{"Uraian", "Jumlah", "Nilai"},
		Note: "Anggaran, dicadangkan dan dicairkan: posisi saat laporan dibuat. Baris \"dalam periode\" menghitung kejadian di periode laporan."}
	var budget, reserved, disbursed int64
	var applied, approved, rejected, paid int
	var appliedAmt, approvedAmt, paidAmt int64
	byStatus := map[string]int{}
	in := func(t *time.Time) bool { return t != nil && !t.Before(b.from) && t.Before(b.to) }
	for _, k := range b.kels {
		gb, err := b.src.Grants.FindGrantBudget(ctx, k.Code)
		if err != nil && hailurah.ErrorCode(err) != hailurah.ENOTFOUND {
			return s, err
		}
		if gb != nil {
			budget, reserved, disbursed = budget+gb.Budget, reserved+gb.Reserved, disbursed+gb.Disbursed
		}
		grants, err := b.src.Grants.ListGrants(ctx, hailurah.GrantFilter{Kelurahan: k.Code, Limit: maxGrantRows})
		if err != nil {
			return s, err
		}
		for _, g := range grants {
			byStatus[g.Status.Label()]++
			if in(&g.AppliedAt) {
				applied, appliedAmt = applied+1, appliedAmt+g.Amount
			}
			if in(g.ApprovedAt) {
				approved, approvedAmt = approved+1, approvedAmt+g.Amount
			}
			if in(g.RejectedAt) {
				rejected++
			}
			if in(g.DisbursedAt) {
				paid, paidAmt = paid+1, paidAmt+g.Amount
			}
		}
	}
	none := textCell("")
	s.Rows = append(s.Rows,
		Row{Label: "Anggaran hibah", Cells: []Cell{none, rupiahCell(budget)}},
		Row{Label: "Dicadangkan (pengajuan yang tidak ditolak)", Cells: []Cell{none, rupiahCell(reserved)}},
		Row{Label: "Dicairkan (seluruhnya)", Cells: []Cell{none, rupiahCell(disbursed)}},
		Row{Label: "Pengajuan baru dalam periode", Cells: []Cell{countCell(applied), rupiahCell(appliedAmt)}},
		Row{Label: "Disetujui Lurah dalam periode", Cells: []Cell{countCell(approved), rupiahCell(approvedAmt)}},
		Row{Label: "Ditolak dalam periode", Cells: []Cell{countCell(rejected), none}},
		Row{Label: "Dicairkan dalam periode", Cells: []Cell{countCell(paid), rupiahCell(paidAmt)}},
	)
	for _, st := range sortedKeys(byStatus) {
		s.Rows = append(s.Rows, Row{Label: "Status kini: " + st, Cells: []Cell{countCell(byStatus[st]), none}})
	}
	return s, nil
}

// pilotSection lists the 90-day pilots of the scope.
func (b *builder) pilotSection(pilots []*hailurah.Pilot) Section {
	s := Section{Key: "pilot", Title: "Pilot 90 hari", Columns: []string{"Pilot", "Kelurahan", "Komponen", "Status", "Siklus", "Batas keputusan", "Keputusan terakhir"}}
	names := map[string]string{}
	for _, k := range b.all {
		names[k.Code] = k.Name
	}
	for _, p := range pilots {
		last := "–"
		if n := len(p.Decisions); n > 0 {
			last = hailurah.DecisionLabel(p.Decisions[n-1].Decision)
		}
		s.Rows = append(s.Rows, Row{Label: p.Name, Cells: []Cell{textCell(names[p.Kelurahan]), textCell(hailurah.ComponentLabel(p.Component)),
			textCell(p.Status.Label()), countCell(p.Cycle), textCell(formatTanggal(b.src.Zone, p.DecisionDue)), textCell(last)}})
	}
	if len(s.Rows) == 0 {
		s.Note = "Belum ada pilot di cakupan laporan."
	}
	return s
}
