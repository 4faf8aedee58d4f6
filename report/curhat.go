package report

import (
	"context"
	"fmt"

	"github.com/hailurah/hailurah"
)

// haiLurah builds the HAI LURAH report: how citizens' curhat were served
// in the period — volume, follow-up, SLA compliance, response times,
// escalations, kategori and status — from the dashboard's figures. The
// tickets themselves (their words, their senders) stay out.
func (b *builder) haiLurah(ctx context.Context) error {
	b.doc.Title = "Laporan HAI LURAH Bulanan"
	if b.req.Period.Quarterly() {
		b.doc.Title = "Laporan HAI LURAH Triwulanan"
	}
	d, err := b.src.KPIs.CurhatDashboard(ctx, b.filter(b.from, b.to))
	if err != nil {
		return err
	}
	counts, err := b.src.Tickets.DigestCounts(ctx, b.from, b.to)
	if err != nil {
		return err
	}
	var sum hailurah.KelurahanDigest
	sum.ByKategori = map[string]int{}
	for _, c := range counts {
		if b.req.Kelurahan != "" && c.Kelurahan != b.req.Kelurahan {
			continue
		}
		sum.New, sum.Open, sum.Resolved, sum.Closed = sum.New+c.New, sum.Open+c.Open, sum.Resolved+c.Resolved, sum.Closed+c.Closed
		sum.Rejected, sum.Escalated = sum.Rejected+c.Rejected, sum.Escalated+c.Escalated
		sum.ModeratorBreached, sum.DinasBreached = sum.ModeratorBreached+c.ModeratorBreached, sum.DinasBreached+c.DinasBreached
	}
	if err := b.curhatKPIs(ctx); err != nil {
		return err
	}
	b.doc.Sections = append(b.doc.Sections, b.serviceSection(d, &sum),
		kpiSection("kpi", "Indikator layanan terhadap target", b.doc.KPIs),
		categorySection(d), statusSection(&sum), b.dailySection(d))
	if b.req.Kelurahan == "" {
		b.doc.Sections = append(b.doc.Sections, curhatBreakdown(d))
	}
	b.doc.Sections = append(b.doc.Sections, b.unitSection(ctx, d))
	return nil
}

// curhatKPIs sets the catalogue's curhat KPIs against their targets.
func (b *builder) curhatKPIs(ctx context.Context) error {
	scope := hailurah.ScopeOfKelurahan(b.req.Kelurahan)
	period, err := b.src.KPIs.MeasureKPIs(ctx, scope, b.from, b.to)
	if err != nil {
		return err
	}
	ytd, err := b.src.KPIs.MeasureKPIs(ctx, scope, b.yearStart(), b.to)
	if err != nil {
		return err
	}
	var defs []kpiTarget
	for _, d := range hailurah.KPICatalogue {
		if d.Curhat {
			defs = append(defs, kpiTarget{Code: d.Code, Label: d.Label, Unit: d.Unit, Target: d.YearTarget})
		}
	}
	b.doc.KPIs = b.kpiRows(period, ytd, defs)
	return nil
}

func (b *builder) serviceSection(d *hailurah.CurhatDashboard, sum *hailurah.KelurahanDigest) Section {
	sm := d.Summary
	pct := func(v *float64) Cell { return Cell{Text: hailurah.FormatPct(v), Value: v} }
	return Section{Key: "layanan", Title: "Ringkasan layanan curhat warga", Columns: []string{"Uraian", "Nilai"},
		Note: "Semua angka adalah jumlah; identitas warga, termasuk pelapor anonim, tidak dimuat dalam laporan ini.",
		Rows: []Row{
			{Label: "Curhat masuk", Cells: []Cell{countCell(sm.Total)}},
			{Label: "Ditindaklanjuti", Cells: []Cell{countCell(sm.FollowedUp)}},
			{Label: "Persen ditindaklanjuti", Cells: []Cell{pct(sm.FollowedUpPct)}},
			{Label: "Median waktu balasan otomatis", Cells: []Cell{secondsCell(sm.MedianReplySeconds)}},
			{Label: "Kepatuhan SLA verifikasi moderator", Cells: []Cell{pct(sm.ModeratorSLA.Pct)}},
			{Label: "Kepatuhan SLA tugas dinas", Cells: []Cell{pct(sm.DinasSLA.Pct)}},
			{Label: "Selesai ditangani", Cells: []Cell{countCell(sm.Resolved)}},
			{Label: "Median waktu sampai selesai", Cells: []Cell{hoursCell(sm.MedianResolveSeconds)}},
			{Label: "Dinilai warga", Cells: []Cell{countCell(sm.Rated)}},
			{Label: "Kepuasan warga (nilai 4–5)", Cells: []Cell{pct(sm.SatisfactionPct)}},
			{Label: "Eskalasi ke Lurah", Cells: []Cell{countCell(sum.Escalated)}},
			{Label: "Lewat tenggat saat laporan dibuat", Cells: []Cell{countCell(sm.OverdueNow)}},
		}}
}

// secondsCell writes a short duration in seconds, or minutes past two.
func secondsCell(secs *float64) Cell {
	if secs == nil {
		return Cell{Text: "–"}
	}
	if *secs < 120 {
		v := *secs
		return Cell{Text: fmt.Sprintf("%s detik", hailurah.FormatKPI(hailurah.KPIUnitCount, roundTo(v, 1))), Value: &v}
	}
	return Cell{Text: fmt.Sprintf("%s menit", hailurah.FormatKPI(hailurah.KPIUnitCount, roundTo(*secs/60, 1))), Value: secs}
}

func roundTo(v float64, decimals int) *float64 {
	p := 1.0
	for range decimals {
		p *= 10
	}
	r := float64(int64(v*p+0.5)) / p
	return &r
}

func categorySection(d *hailurah.CurhatDashboard) Section {
	s := Section{Key: "kategori", Title: "Curhat per kategori", Columns: []string{"Kategori", "Jumlah", "Persen"},
		Chart: &Chart{Kind: ChartBars, Title: "Curhat per kategori"}}
	for _, c := range d.Categories {
		s.Rows = append(s.Rows, Row{Label: capital(c.Kategori), Cells: []Cell{countCell(c.Count), {Text: hailurah.FormatPct(c.Pct), Value: c.Pct}}})
		s.Chart.Items = append(s.Chart.Items, ChartItem{Label: capital(c.Kategori), Value: hailurah.Float(float64(c.Count)), Text: fmt.Sprint(c.Count)})
	}
	if len(s.Rows) == 0 {
		s.Note, s.Chart = "Tidak ada curhat dalam periode ini.", nil
	}
	return s
}

func statusSection(sum *hailurah.KelurahanDigest) Section {
	s := Section{Key: "status", Title: "Curhat per status", Columns: []string{"Status", "Jumlah"},
		Note:  "Baru, selesai, ditutup dan ditolak: dalam periode. Masih berjalan dan terlambat: pada akhir periode.",
		Chart: &Chart{Kind: ChartBars, Title: "Curhat per status"}}
	for _, r := range []struct {
		label string
		n     int
	}{
		{"Baru masuk", sum.New}, {"Selesai", sum.Resolved}, {"Ditutup otomatis", sum.Closed}, {"Ditolak", sum.Rejected},
		{"Masih berjalan", sum.Open}, {"Eskalasi ke Lurah", sum.Escalated},
		{"Terlambat verifikasi", sum.ModeratorBreached}, {"Terlambat di dinas", sum.DinasBreached},
	} {
		s.Rows = append(s.Rows, Row{Label: r.label, Cells: []Cell{countCell(r.n)}})
		s.Chart.Items = append(s.Chart.Items, ChartItem{Label: r.label, Value: hailurah.Float(float64(r.n)), Text: fmt.Sprint(r.n)})
	}
	return s
}

// dailySection is the curhat of each day as a line and, as a table, of
// each week.
func (b *builder) dailySection(d *hailurah.CurhatDashboard) Section {
	s := Section{Key: "harian", Title: "Curhat masuk per hari", Columns: []string{"Minggu", "Curhat", "Rata-rata urgensi"},
		Chart: &Chart{Kind: ChartLine, Title: "Curhat masuk per hari"}}
	line := Series{Label: "Curhat per hari"}
	type week struct {
		label         string
		n, urg, rated int
	}
	var weeks []week
	for i, u := range d.UrgencyTrend {
		day := u.Day
		if t, err := b.src.Zone.ParseDate(u.Day); err == nil {
			day = fmt.Sprintf("%d %s", b.src.Zone.In(t).Day(), hailurah.ShortMonth(b.src.Zone.In(t).Month()))
		}
		s.Chart.XLabels = append(s.Chart.XLabels, day)
		line.Values = append(line.Values, hailurah.Float(float64(u.Total)))
		if i%7 == 0 {
			weeks = append(weeks, week{label: day})
		}
		w := &weeks[len(weeks)-1]
		w.n += u.Total
		for lvl := 1; lvl < len(u.ByUrgency); lvl++ {
			w.urg += lvl * u.ByUrgency[lvl]
			w.rated += u.ByUrgency[lvl]
		}
		if i%7 == 6 || i == len(d.UrgencyTrend)-1 {
			w.label += " – " + day
		}
	}
	s.Chart.Series = []Series{line}
	for _, w := range weeks {
		var avg *float64
		if w.rated > 0 {
			avg = roundTo(float64(w.urg)/float64(w.rated), 1)
		}
		s.Rows = append(s.Rows, Row{Label: w.label, Cells: []Cell{countCell(w.n), numCell(hailurah.KPIUnitCount, avg)}})
	}
	return s
}

func curhatBreakdown(d *hailurah.CurhatDashboard) Section {
	s := Section{Key: "per_kelurahan", Title: "Per kelurahan", Columns: []string{"Kelurahan", "Curhat", "Ditindaklanjuti", "SLA moderator", "SLA dinas", "Kepuasan", "Lewat tenggat"}}
	for _, r := range d.Breakdown {
		name := r.KelurahanName
		if r.Kelurahan == "" {
			name = "Antrean kota (belum ada kelurahan)"
		}
		s.Rows = append(s.Rows, Row{Label: name, Cells: []Cell{countCell(r.Total),
			{Text: hailurah.FormatPct(r.FollowedUpPct), Value: r.FollowedUpPct}, {Text: hailurah.FormatPct(r.ModeratorPct), Value: r.ModeratorPct},
			{Text: hailurah.FormatPct(r.DinasPct), Value: r.DinasPct}, {Text: hailurah.FormatPct(r.Satisfaction), Value: r.Satisfaction},
			countCell(r.OverdueNow)}})
	}
	return s
}

func (b *builder) unitSection(ctx context.Context, d *hailurah.CurhatDashboard) Section {
	s := Section{Key: "unit", Title: "Tugas terbuka per unit", Columns: []string{"Unit", "Terbuka", "Lewat tenggat"},
		Note: "Posisi saat laporan dibuat."}
	for _, u := range d.OverdueUnits {
		name := "Verifikasi moderator"
		if u.Unit != "" {
			name = u.Unit
			if unit, err := b.src.Kelurahan.FindUnit(ctx, u.Unit); err == nil {
				name = unit.Name
			}
		}
		s.Rows = append(s.Rows, Row{Label: name, Cells: []Cell{countCell(u.Open), countCell(u.Overdue)}})
	}
	if len(s.Rows) == 0 {
		s.Note = "Tidak ada tugas terbuka."
	}
	return s
}
