package kpi

import (
	"context"
	"time"

	"github.com/hailurah/hailurah"
)

// maxTrendPoints bounds the monthly trend of the programme dashboard.
const maxTrendPoints = 12

// measureProgramme measures the SIAP-TAMAN KPIs only (no curhat figures).
func (rd *Reader) measureProgramme(ctx context.Context, scope hailurah.KPIScope, from, to time.Time) (map[string]hailurah.KPIValue, error) {
	out := map[string]hailurah.KPIValue{}
	for _, m := range []func(context.Context, hailurah.KPIScope, time.Time, time.Time, map[string]hailurah.KPIValue) error{
		rd.measureDTKS, rd.measureIncome, rd.measureMicro, rd.measureParticipation, rd.measureMarketplace, rd.measureGrants,
		rd.measureBusinesses, rd.measureBansos, rd.measureJobs, rd.measureOrders,
	} {
		if err := m(ctx, scope, from, to, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// trendPoints are the ends of the period's months in zone z, and the
// period's end, at most maxTrendPoints of them (the latest).
func trendPoints(z hailurah.Zone, from, to time.Time) []time.Time {
	var pts []time.Time
	y, m, _ := z.In(from).Date()
	for t := time.Date(y, m+1, 1, 0, 0, 0, 0, z.Location()); t.Before(to); t = t.AddDate(0, 1, 0) {
		pts = append(pts, t)
	}
	pts = append(pts, to)
	if len(pts) > maxTrendPoints {
		pts = pts[len(pts)-maxTrendPoints:]
	}
	return pts
}

// ProgrammeDashboard builds the SIAP-TAMAN dashboard: each year-1 KPI of the
// seed over [From, To) with its target, the share of it reached and its
// monthly trend (the value from From to each month's end), and, for the
// city, each kelurahan's values. The grant budget's target is the budget
// of the kelurahan in scope.
func (rd *Reader) ProgrammeDashboard(ctx context.Context, f hailurah.DashboardFilter) (*hailurah.ProgrammeDashboard, error) {
	if err := checkPeriod(f.From, f.To); err != nil {
		return nil, err
	}
	scope := hailurah.ScopeOfKelurahan(f.Kelurahan)
	kels, err := rd.db.ListKelurahan(ctx)
	if err != nil {
		return nil, err
	}
	var budget int64
	for _, k := range kels {
		if f.Kelurahan == "" || k.Code == f.Kelurahan {
			budget += k.GrantBudget
		}
	}
	values, err := rd.measureProgramme(ctx, scope, f.From, f.To)
	if err != nil {
		return nil, err
	}
	pts := trendPoints(rd.db.Zone(), f.From, f.To)
	series := make([]map[string]hailurah.KPIValue, len(pts))
	for i, p := range pts {
		if p.Equal(f.To) {
			series[i] = values
			continue
		}
		if series[i], err = rd.measureProgramme(ctx, scope, f.From, p); err != nil {
			return nil, err
		}
	}
	d := &hailurah.ProgrammeDashboard{Kelurahan: f.Kelurahan, From: f.From, To: f.To,
		KPIs: []hailurah.ProgrammeKPI{}, Breakdown: []hailurah.ProgrammeBreakdownRow{}}
	for _, code := range hailurah.ProgrammeKPICodes() {
		def, _ := hailurah.FindKPI(code)
		target := def.YearTarget
		if code == hailurah.KPIGrantBudgetUsed {
			target = float64(budget)
		}
		v := values[code]
		k := hailurah.ProgrammeKPI{Code: code, Label: def.Label, Unit: def.Unit, Target: target, Actual: v.Value,
			Num: v.Num, Den: v.Den, Description: def.Description, Trend: make([]hailurah.TrendPoint, len(pts))}
		if v.Value != nil && target > 0 {
			k.PercentOfTarget = hailurah.Share(*v.Value, target)
		}
		for i, p := range pts {
			k.Trend[i] = hailurah.TrendPoint{Day: int(p.Sub(f.From).Hours() / 24), At: p, Value: series[i][code].Value}
		}
		d.KPIs = append(d.KPIs, k)
	}
	if f.Kelurahan == "" {
		for _, k := range kels {
			v, err := rd.measureProgramme(ctx, hailurah.ScopeOfKelurahan(k.Code), f.From, f.To)
			if err != nil {
				return nil, err
			}
			d.Breakdown = append(d.Breakdown, hailurah.ProgrammeBreakdownRow{Kelurahan: k.Code, KelurahanName: k.Name,
				Values: v, GrantBudget: k.GrantBudget})
		}
	}
	d.Summary = hailurah.LampiranCSummary{PercentActive: values[hailurah.KPIPercentActive].Value,
		AvgOmzet: values[hailurah.KPIAvgOmzet].Value, DTKSCount: int(values[hailurah.KPIDTKSCount].Num)}
	if d.Pilots, err = rd.db.ListPilots(ctx, hailurah.PilotFilter{Kelurahan: f.Kelurahan}); err != nil {
		return nil, err
	}
	return d, nil
}
