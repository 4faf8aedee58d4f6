package kpi

import (
	"context"
	"time"

	"github.com/hailurah/hailurah"
)

// The indicators the fasilitator's field forms feed (issue 22). Each is
// written once here; the catalogue's descriptions say the same in words.

// latestCheckin is the expression of a column of household h's latest
// check-in before @to.
func latestCheckin(expr string) string {
	return `(SELECT ` + expr + ` FROM household_checkins c WHERE c.household_id = h.id AND c.at < @to
      ORDER BY c.at DESC, c.id DESC LIMIT 1)`
}

// measureBusinesses measures usaha aktif, total omzet and Lampiran C's
// summary as they stand at the end of the period: a household's business
// is active by its latest check-in's "usaha aktif" (unanswered: an omzet
// above 0), or, without a check-in, by the omzet its registry row holds.
func (rd *Reader) measureBusinesses(ctx context.Context, scope hailurah.KPIScope, from, to time.Time, out map[string]hailurah.KPIValue) error {
	args := rd.programmeArgs(from, to)
	q := `SELECT COUNT(*) AS n,
  COALESCE(SUM(CASE WHEN x.active THEN 1 ELSE 0 END), 0) AS active,
  COALESCE(SUM(CASE WHEN x.active THEN x.omzet ELSE 0 END), 0) AS omzet,
  COALESCE(SUM(CASE WHEN x.dtks THEN 1 ELSE 0 END), 0) AS dtks
FROM (SELECT h.dtks_status AS dtks,
    COALESCE(` + latestCheckin("c.omzet") + `, h.omzet_monthly) AS omzet,
    COALESCE(` + latestCheckin("COALESCE(c.active, c.omzet > 0)") + `, h.omzet_monthly > 0) AS active
  FROM households h WHERE ` + scopeWhere("h", "s", scope, args) + `) x`
	var r struct{ N, Active, Omzet, DTKS int64 }
	if err := rd.db.Raw(ctx, q, args).Scan(&r).Error; err != nil {
		return err
	}
	put := func(code string, v *float64, num, den float64) {
		out[code] = hailurah.KPIValue{Code: code, Value: v, Num: num, Den: den}
	}
	put(hailurah.KPIUsahaAktif, hailurah.Float(float64(r.Active)), float64(r.Active), 0)
	put(hailurah.KPITotalOmzet, hailurah.Float(float64(r.Omzet)), float64(r.Omzet), 0)
	put(hailurah.KPIPercentActive, hailurah.Share(float64(r.Active), float64(r.N)), float64(r.Active), float64(r.N))
	var avg *float64
	if r.Active > 0 {
		avg = hailurah.Float(float64(r.Omzet) / float64(r.Active))
	}
	put(hailurah.KPIAvgOmzet, avg, float64(r.Omzet), float64(r.Active))
	put(hailurah.KPIDTKSCount, hailurah.Float(float64(r.DTKS)), float64(r.DTKS), 0)
	return nil
}

// measureBansos: of the households whose first check-in that asked (before
// the period's end) found them receiving bansos, those whose latest such
// check-in no longer does.
func (rd *Reader) measureBansos(ctx context.Context, scope hailurah.KPIScope, from, to time.Time, out map[string]hailurah.KPIValue) error {
	args := rd.programmeArgs(from, to)
	asked := func(order string) string {
		return `(SELECT c.bansos FROM household_checkins c WHERE c.household_id = h.id AND c.bansos IS NOT NULL AND c.at < @to
      ORDER BY ` + order + ` LIMIT 1)`
	}
	q := `SELECT COUNT(*) AS base, COALESCE(SUM(CASE WHEN x.latest THEN 0 ELSE 1 END), 0) AS left_
FROM (SELECT ` + asked("c.at, c.id") + ` AS first, ` + asked("c.at DESC, c.id DESC") + ` AS latest
  FROM households h WHERE ` + scopeWhere("h", "s", scope, args) + `) x
WHERE x.first`
	var r struct {
		Base int64
		Left int64 `gorm:"column:left_"`
	}
	if err := rd.db.Raw(ctx, q, args).Scan(&r).Error; err != nil {
		return err
	}
	out[hailurah.KPIBansosReductionPct] = hailurah.KPIValue{Code: hailurah.KPIBansosReductionPct,
		Value: hailurah.Share(float64(r.Left), float64(r.Base)), Num: float64(r.Left), Den: float64(r.Base)}
	return nil
}

// measureJobs sums the new jobs the check-ins of the period report.
func (rd *Reader) measureJobs(ctx context.Context, scope hailurah.KPIScope, from, to time.Time, out map[string]hailurah.KPIValue) error {
	args := rd.programmeArgs(from, to)
	q := `SELECT COALESCE(SUM(c.new_jobs), 0) FROM household_checkins c JOIN households h ON h.id = c.household_id
WHERE c.at >= @from AND c.at < @to AND ` + scopeWhere("h", "s", scope, args)
	var n int64
	if err := rd.db.Raw(ctx, q, args).Scan(&n).Error; err != nil {
		return err
	}
	out[hailurah.KPINewJobs] = hailurah.KPIValue{Code: hailurah.KPINewJobs, Value: hailurah.Float(float64(n)), Num: float64(n)}
	return nil
}

// measureOrders counts the Toko Warga orders of the period: each click on
// an order link, and each order a seller reported.
func (rd *Reader) measureOrders(ctx context.Context, scope hailurah.KPIScope, from, to time.Time, out map[string]hailurah.KPIValue) error {
	args := rd.programmeArgs(from, to)
	q := `SELECT COALESCE(SUM(o.quantity), 0) FROM toko_orders o JOIN households h ON h.id = o.household_id
WHERE o.at >= @from AND o.at < @to AND ` + scopeWhere("h", "s", scope, args)
	var n int64
	if err := rd.db.Raw(ctx, q, args).Scan(&n).Error; err != nil {
		return err
	}
	out[hailurah.KPIMarketplaceOrders] = hailurah.KPIValue{Code: hailurah.KPIMarketplaceOrders, Value: hailurah.Float(float64(n)), Num: float64(n)}
	return nil
}
