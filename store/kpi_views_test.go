package store_test

import (
	"sort"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/storetest"
)

// TestKPIViewsAgreeWithTheDashboards reads the kpi_* views a BI tool would
// read and checks them against what the dashboards compute, on the same
// fixture, on both dialects: one definition, two ways to read it.
func TestKPIViewsAgreeWithTheDashboards(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		seedProgramme(t, db)
		seedCurhat(t, db)
		db.SetNow(nil)
		ctx := t.Context()
		g := db.Gorm().WithContext(ctx)

		// Daily curhat figures, summed over the fixture's quarter.
		var daily struct {
			Received, FollowedUp, ModeratorSLAEnded, ModeratorSLAOnTime, DinasSLAEnded, DinasSLAOnTime, Rated, Satisfied int
		}
		mustOK(t, g.Raw(`SELECT SUM(received) AS received, SUM(followed_up) AS followed_up,
			SUM(moderator_sla_ended) AS moderator_sla_ended, SUM(moderator_sla_on_time) AS moderator_sla_on_time,
			SUM(dinas_sla_ended) AS dinas_sla_ended, SUM(dinas_sla_on_time) AS dinas_sla_on_time,
			SUM(rated) AS rated, SUM(satisfied) AS satisfied
			FROM kpi_curhat_daily WHERE kelurahan_code = 'taman' AND day >= ? AND day < ?`,
			kpiDate(2026, 1, 1), kpiDate(2026, 4, 1)).Scan(&daily).Error)
		d, err := db.CurhatDashboard(ctx, hailurah.DashboardFilter{Kelurahan: "taman", From: kpiFrom, To: kpiTo, Now: time.Now()})
		mustOK(t, err)
		s := d.Summary
		if daily.Received != s.Total || daily.FollowedUp != s.FollowedUp || daily.ModeratorSLAEnded != s.ModeratorSLA.Ended ||
			daily.ModeratorSLAOnTime != s.ModeratorSLA.OnTime || daily.DinasSLAEnded != s.DinasSLA.Ended ||
			daily.DinasSLAOnTime != s.DinasSLA.OnTime || daily.Rated != s.Rated || daily.Satisfied != s.Satisfied || daily.Received != 6 {
			t.Errorf("kpi_curhat_daily %+v, dashboard %+v", daily, s)
		}

		// The same medians from the per-ticket times.
		var times []struct {
			AIReplySeconds *float64 `gorm:"column:ai_reply_seconds"`
			ResolveSeconds *float64
		}
		mustOK(t, g.Raw(`SELECT ai_reply_seconds, resolve_seconds FROM kpi_curhat_times
			WHERE kelurahan_code = 'taman' AND datetime_received >= ? AND datetime_received < ?`, kpiFrom.UTC(), kpiTo.UTC()).Scan(&times).Error)
		var replies, resolves []float64
		for _, x := range times {
			if x.AIReplySeconds != nil {
				replies = append(replies, *x.AIReplySeconds)
			}
			if x.ResolveSeconds != nil {
				resolves = append(resolves, *x.ResolveSeconds)
			}
		}
		wantValue(t, "median reply from the view", medianOf(replies), s.MedianReplySeconds)
		wantValue(t, "median resolve from the view", medianOf(resolves), s.MedianResolveSeconds)

		// The open-data table before suppression.
		var monthly []struct {
			KelurahanCode, Month, RW, Kategori string
			Tickets                            int
		}
		mustOK(t, g.Raw(`SELECT kelurahan_code, month, rw, kategori, tickets FROM kpi_curhat_monthly_rw WHERE month >= '2026-01' AND month < '2026-04'`).Scan(&monthly).Error)
		counts, err := db.OpenDataCounts(ctx, "", kpiFrom, kpiTo)
		mustOK(t, err)
		fromView := map[string]int{}
		for _, m := range monthly {
			kat := m.Kategori
			if kat == "" {
				kat = "belum_ditriase"
			}
			fromView[m.KelurahanCode+m.Month+m.RW+kat] += m.Tickets
		}
		if len(fromView) != len(counts.Categories) {
			t.Errorf("kpi_curhat_monthly_rw has %d cells, open data %d", len(fromView), len(counts.Categories))
		}
		for _, c := range counts.Categories {
			if fromView[c.Kelurahan+c.Month+c.RW+c.Kategori] != c.Count {
				t.Errorf("%+v: view says %d", c, fromView[c.Kelurahan+c.Month+c.RW+c.Kategori])
			}
		}

		// Who waits now.
		var units []struct {
			KelurahanCode, Unit string
			Open, Overdue       int
		}
		mustOK(t, g.Raw(`SELECT kelurahan_code, unit, open, overdue FROM kpi_overdue_units WHERE kelurahan_code = 'taman' ORDER BY unit`).Scan(&units).Error)
		if len(units) != len(d.OverdueUnits) {
			t.Fatalf("kpi_overdue_units %+v, dashboard %+v", units, d.OverdueUnits)
		}
		for i, u := range units {
			if u.Unit != d.OverdueUnits[i].Unit || u.Open != d.OverdueUnits[i].Open || u.Overdue != d.OverdueUnits[i].Overdue {
				t.Errorf("unit %q: view %+v, dashboard %+v", u.Unit, u, d.OverdueUnits[i])
			}
		}

		// The SIAP-TAMAN figures over all time, against a period that holds
		// every row of the fixture.
		var prog struct {
			Households, DTKSBaseline, DTKSLeft, Trained, PadatKaryaWorkers, Participants, WomenParticipants int
			UMKMMarketplace, GrantDisbursed, IncomeBaselineSum, IncomeLatestSum, MicroBusinesses            int64
		}
		mustOK(t, g.Raw(`SELECT households, dtks_baseline AS dtks_baseline, dtks_left AS dtks_left, trained, padat_karya_workers,
			participants, women_participants, umkm_marketplace, grant_disbursed, income_baseline_sum, income_latest_sum, micro_businesses
			FROM kpi_programme_kelurahan WHERE kelurahan_code = 'taman'`).Scan(&prog).Error)
		all, err := db.MeasureKPIs(ctx, hailurah.ScopeOfKelurahan("taman"), kpiDate(2024, 6, 1), kpiDate(2027, 6, 1))
		mustOK(t, err)
		v := func(code string) hailurah.KPIValue { return all[code] }
		checks := map[string][2]float64{
			"households":       {float64(prog.Households), 4},
			"dtks baseline":    {float64(prog.DTKSBaseline), v(hailurah.KPIDTKSReductionPct).Den},
			"dtks left":        {float64(prog.DTKSLeft), v(hailurah.KPIDTKSReductionPct).Num},
			"trained":          {float64(prog.Trained), v(hailurah.KPITrained).Num},
			"padat karya":      {float64(prog.PadatKaryaWorkers), v(hailurah.KPIPadatKaryaWorkers).Num},
			"participants":     {float64(prog.Participants), v(hailurah.KPIWomenSharePct).Den},
			"women":            {float64(prog.WomenParticipants), v(hailurah.KPIWomenSharePct).Num},
			"marketplace":      {float64(prog.UMKMMarketplace), v(hailurah.KPIUMKMMarketplace).Num},
			"grants disbursed": {float64(prog.GrantDisbursed), v(hailurah.KPIGrantBudgetUsed).Num},
			"income baseline":  {float64(prog.IncomeBaselineSum), v(hailurah.KPIIncomeIncreasePct).Den},
			"income latest":    {float64(prog.IncomeLatestSum), v(hailurah.KPIIncomeIncreasePct).Num},
			"micro businesses": {float64(prog.MicroBusinesses), v(hailurah.KPIMicroBusinesses).Num},
		}
		for what, c := range checks {
			if c[0] != c[1] {
				t.Errorf("%s: view %v, dashboards %v", what, c[0], c[1])
			}
		}
		if prog.Trained != 3 || prog.GrantDisbursed != 5_000_000 {
			// Over all time training 2 (Ani) and HB-4 count too.
			t.Errorf("all-time figures: %+v", prog)
		}

		// Pilots and their decisions.
		p := newPilot("taman")
		mustOK(t, db.CreatePilot(ctx, p))
		p.Version, p.Status = 2, hailurah.PilotStopped
		mustOK(t, db.ProjectPilot(ctx, &hailurah.PilotProjection{Pilot: p, Decision: &hailurah.PilotDecision{PilotID: p.ID, Cycle: 1,
			Decision: hailurah.DecisionStop, Rationale: "Dihentikan karena peserta sedikit.", DecidedBy: "lurah", DecidedAt: time.Now()}}))
		var n struct{ Pilots, Decisions int }
		mustOK(t, g.Raw(`SELECT (SELECT COUNT(*) FROM kpi_pilots WHERE status = 'stopped') AS pilots,
			(SELECT COUNT(*) FROM kpi_pilot_decisions WHERE decision = 'stop' AND kelurahan_code = 'taman') AS decisions`).Scan(&n).Error)
		if n.Pilots != 1 || n.Decisions != 1 {
			t.Errorf("pilot views: %+v", n)
		}
	})
}

func medianOf(v []float64) *float64 {
	if len(v) == 0 {
		return nil
	}
	sort.Float64s(v)
	m := v[len(v)/2]
	if len(v)%2 == 0 {
		m = (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	return &m
}
