package kpi

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/migrations"
)

// The daily rollups of migration 00006 hold, per kelurahan and day
// received (in the kelurahan's zone, migration 00007), the counts the HAI LURAH dashboard adds up: the tallies of
// sqlCurhatTally per RW and RT (curhat_daily), tickets per kategori and
// urgency (curhat_daily_counts), and histograms of the AI reply and
// resolve times (curhat_daily_durations). Triggers on tickets keep them
// exact in the transaction of every ticket write, so a year's dashboard
// reads a few thousand rollup rows instead of a million tickets.
//
// The rollups answer periods of whole days, which is what the
// dashboards ask; any other period (a pilot's cycle up to now) is counted
// on tickets, by the same definitions. Medians stay exact: the histogram
// names the bucket holding the middle value and its rank there, and that
// bucket's values are read from tickets through an index on the duration.

// rollupsOffKey marks a context whose KPI queries must count tickets
// directly: the reference the rollups are tested against.
type rollupsOffKey struct{}

// WithoutRollups returns ctx with the rollups switched off: the tests'
// reference.
func WithoutRollups(ctx context.Context) context.Context {
	return context.WithValue(ctx, rollupsOffKey{}, true)
}

// rollupDays returns the days [dfrom, dto) of the period as the rollups
// key them ("YYYY-MM-DD"), and whether the rollups can answer it: both
// ends are midnights of the zone and ctx does not switch them off.
func (rd *Reader) rollupDays(ctx context.Context, from, to time.Time) (dfrom, dto string, ok bool) {
	if off, _ := ctx.Value(rollupsOffKey{}).(bool); off {
		return "", "", false
	}
	z := rd.db.Zone()
	f, t := z.In(from), z.In(to)
	midnight := func(x time.Time) bool {
		return x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 && x.Nanosecond() == 0
	}
	if !midnight(f) || !midnight(t) {
		return "", "", false
	}
	return f.Format(time.DateOnly), t.Format(time.DateOnly), true
}

// wholeKelurahan reports whether scope is the city or whole kelurahan
// only: the counts, kategori, urgency and duration rollups are kept per
// kelurahan, not per RW.
func wholeKelurahan(scope hailurah.KPIScope) bool {
	for _, a := range scope.Areas {
		if a.RW != "" || a.RT != "" {
			return false
		}
	}
	return true
}

// ratingSum is the SQL sum of the rating_N columns of curhat_daily from
// lowest to 5.
func ratingSum(lowest int) string {
	var cols []string
	for k := lowest; k <= 5; k++ {
		cols = append(cols, fmt.Sprintf("d.rating_%d", k))
	}
	return "SUM(" + strings.Join(cols, " + ") + ")"
}

// rollupTallies is curhatTallies over curhat_daily.
func (rd *Reader) rollupTallies(ctx context.Context, scope hailurah.KPIScope, dfrom, dto string) ([]curhatTally, error) {
	args := map[string]any{"dfrom": dfrom, "dto": dto}
	q := `SELECT d.kelurahan_code AS kelurahan, SUM(d.total) AS total, SUM(d.followed) AS followed,
    SUM(d.mod_ended) AS mod_ended, SUM(d.mod_on_time) AS mod_on_time,
    SUM(d.dinas_ended) AS dinas_ended, SUM(d.dinas_on_time) AS dinas_on_time,
    SUM(d.resolved) AS resolved, ` + ratingSum(1) + ` AS rated, ` + ratingSum(hailurah.SatisfiedRating) + ` AS satisfied
FROM curhat_daily d
WHERE ` + scopeWhere("d", "s", scope, args) + ` AND d.day >= @dfrom AND d.day < @dto
GROUP BY d.kelurahan_code
HAVING SUM(d.total) > 0
ORDER BY kelurahan`
	var rows []curhatTally
	err := rd.db.Raw(ctx, q, args).Scan(&rows).Error
	return rows, err
}

// rollupHeatmap is heatmap over curhat_daily.
func (rd *Reader) rollupHeatmap(ctx context.Context, scope hailurah.KPIScope, dfrom, dto string) ([]heatRow, error) {
	args := map[string]any{"dfrom": dfrom, "dto": dto}
	q := `SELECT d.kelurahan_code AS kelurahan, d.rw AS rw, d.rt AS rt, SUM(d.total) AS n FROM curhat_daily d
WHERE ` + scopeWhere("d", "s", scope, args) + ` AND d.day >= @dfrom AND d.day < @dto
GROUP BY d.kelurahan_code, d.rw, d.rt
HAVING SUM(d.total) > 0
ORDER BY kelurahan, rw, rt`
	var rows []heatRow
	err := rd.db.Raw(ctx, q, args).Scan(&rows).Error
	return rows, err
}

// rollupCategories is the query of categoryCounts over curhat_daily_counts.
func (rd *Reader) rollupCategories(ctx context.Context, scope hailurah.KPIScope, dfrom, dto string) ([]kategoriRow, error) {
	args := map[string]any{"dfrom": dfrom, "dto": dto}
	q := `SELECT d.val AS kategori, SUM(d.n) AS n FROM curhat_daily_counts d
WHERE d.dim = 'kategori' AND ` + scopeWhere("d", "s", scope, args) + ` AND d.day >= @dfrom AND d.day < @dto
GROUP BY d.val
HAVING SUM(d.n) > 0
ORDER BY n DESC, kategori`
	var rows []kategoriRow
	err := rd.db.Raw(ctx, q, args).Scan(&rows).Error
	return rows, err
}

// rollupUrgency is the query of urgencyTrend over curhat_daily_counts.
func (rd *Reader) rollupUrgency(ctx context.Context, scope hailurah.KPIScope, dfrom, dto string) ([]urgencyRow, error) {
	args := map[string]any{"dfrom": dfrom, "dto": dto}
	q := `SELECT d.day AS day, CAST(d.val AS INTEGER) AS urgency, SUM(d.n) AS n FROM curhat_daily_counts d
WHERE d.dim = 'urgency' AND ` + scopeWhere("d", "s", scope, args) + ` AND d.day >= @dfrom AND d.day < @dto
GROUP BY d.day, d.val
HAVING SUM(d.n) > 0`
	var rows []urgencyRow
	err := rd.db.Raw(ctx, q, args).Scan(&rows).Error
	return rows, err
}

// Duration metrics of curhat_daily_durations.
const (
	metricReply   = "reply"
	metricResolve = "resolve"
)

// durationSQL selects, as v, the durations of metric among the tickets
// received in [from, to) inside scope, as medianReply and medianResolve
// measure them: the tickets' first_reply_at is the earliest outbox reply.
func (rd *Reader) durationSQL(metric string, scope hailurah.KPIScope, from, to time.Time, args map[string]any) string {
	if metric == metricReply {
		return "SELECT " + rd.secondsBetween("t.first_reply_at", "t.datetime_received") + " AS v FROM tickets t WHERE " +
			ticketPeriod(scope, from, to, args) + " AND t.first_reply_at IS NOT NULL"
	}
	return "SELECT " + rd.secondsBetween("t.resolved_at", "t.datetime_received") + " AS v FROM tickets t WHERE " +
		ticketPeriod(scope, from, to, args) + " AND t.status = 'resolved' AND t.resolved_at IS NOT NULL"
}

// durationBin is one bucket of a duration histogram: n values in [lo, hi).
type durationBin struct {
	Bucket int
	N      int64
	Lo, Hi float64
}

// rollupMedian returns the median of metric over the whole days
// [dfrom, dto) = [from, to) of a whole-kelurahan scope, and how many
// values it has. ok is false when the histogram and the tickets disagree,
// which only a rollup out of step would cause; the caller then counts on
// tickets.
func (rd *Reader) rollupMedian(ctx context.Context, metric string, scope hailurah.KPIScope, from, to time.Time, dfrom, dto string) (m *float64, n int, ok bool, err error) {
	args := map[string]any{"metric": metric, "dfrom": dfrom, "dto": dto}
	q := `SELECT h.bucket AS bucket, h.n AS n, b.lo AS lo, b.hi AS hi FROM (
  SELECT d.bucket AS bucket, SUM(d.n) AS n FROM curhat_daily_durations d
  WHERE d.metric = @metric AND ` + scopeWhere("d", "s", scope, args) + ` AND d.day >= @dfrom AND d.day < @dto
  GROUP BY d.bucket
  HAVING SUM(d.n) > 0
) h
JOIN curhat_duration_buckets b ON b.bucket = h.bucket
ORDER BY h.bucket`
	var hist []durationBin
	if err := rd.db.Raw(ctx, q, args).Scan(&hist).Error; err != nil {
		return nil, 0, false, err
	}
	var total int64
	for _, h := range hist {
		total += h.N
	}
	if total == 0 {
		return nil, 0, true, nil
	}
	// The middle one or two values, by rank from 0: which bucket holds each
	// and the rank inside it.
	type at struct {
		bin  durationBin
		rank int64
	}
	locate := func(rank int64) at {
		for _, h := range hist {
			if rank < h.N {
				return at{h, rank}
			}
			rank -= h.N
		}
		return at{} // not reached: rank < total
	}
	lo, hi := locate((total-1)/2), locate(total/2)
	var vals []float64
	read := func(bin durationBin, offset, limit int64) error {
		a := map[string]any{"med_offset": offset, "med_limit": limit}
		sub := rd.durationSQL(metric, scope, from, to, a)
		// The bounds are written into the statement, not bound: a
		// prepared statement's generic plan would otherwise guess the
		// range's size, and may read the period's tickets instead of the
		// one bucket of the duration index. They are whole seconds.
		q := `SELECT m.v FROM (` + sub + `) m
WHERE m.v >= ` + strconv.FormatFloat(bin.Lo, 'f', -1, 64) + ` AND m.v < ` + strconv.FormatFloat(bin.Hi, 'f', -1, 64) + `
ORDER BY m.v LIMIT @med_limit OFFSET @med_offset`
		var got []float64
		if err := rd.db.Raw(ctx, q, a).Scan(&got).Error; err != nil {
			return err
		}
		vals = append(vals, got...)
		return nil
	}
	if lo.bin.Bucket == hi.bin.Bucket {
		err = read(lo.bin, lo.rank, hi.rank-lo.rank+1)
	} else if err = read(lo.bin, lo.rank, 1); err == nil {
		err = read(hi.bin, hi.rank, 1)
	}
	if err != nil {
		return nil, 0, false, err
	}
	if want := 2 - total%2; int64(len(vals)) != want {
		if rd.strict {
			return nil, 0, false, fmt.Errorf("store: %s rollup out of step: %d values, the middle ones not found", metric, total)
		}
		rd.logger.ErrorContext(ctx, "curhat rollup out of step with tickets; median counted on tickets",
			"metric", metric, "from", dfrom, "to", dto, "rollup_values", total)
		return nil, 0, false, nil
	}
	sum := 0.0
	for _, v := range vals {
		sum += v
	}
	med := sum / float64(len(vals))
	return &med, int(total), true, nil
}

// RebuildRollups recomputes the daily rollups from the tickets in tx, by
// the same definitions the queries count with; day is the SQL expression
// of a ticket's day received in the store's zone.
func RebuildRollups(tx *gorm.DB, dialect, day string) error {
	kel := "COALESCE(t.kelurahan_code, '')"
	flag := func(cond string) string { return "SUM(CASE WHEN " + cond + " THEN 1 ELSE 0 END)" }
	area := []string{"COUNT(*)", flag(sqlFollowedUp), flag(sqlModEnded), flag(sqlModEnded + " AND NOT t.moderator_breached"),
		flag(sqlDinasEnded), flag(sqlDinasEnded + " AND NOT t.dinas_breached"), flag("t.status = 'resolved'")}
	for k := 1; k <= 5; k++ {
		area = append(area, flag(fmt.Sprintf("t.rating = %d", k)))
	}
	// The bucket whose [lo, hi) holds v, as the triggers find it. Postgres
	// can binary-search the sorted bounds, once per row, which rebuilds a
	// million tickets' histograms several times faster; the buckets are
	// numbered 1, 2, … in the order of lo, so its index is the bucket.
	bucket := func(v string) string {
		return "(SELECT b.bucket FROM curhat_duration_buckets b WHERE b.lo <= " + v + " ORDER BY b.lo DESC LIMIT 1)"
	}
	if dialect == migrations.DialectPostgres {
		bucket = func(v string) string {
			return "width_bucket(" + v + ", (SELECT array_agg(b.lo ORDER BY b.bucket) FROM curhat_duration_buckets b))"
		}
	}
	stmts := []string{
		"DELETE FROM curhat_daily",
		"DELETE FROM curhat_daily_counts",
		"DELETE FROM curhat_daily_durations",
		`INSERT INTO curhat_daily (kelurahan_code, day, rw, rt, total, followed, mod_ended, mod_on_time, dinas_ended, dinas_on_time,
    resolved, rating_1, rating_2, rating_3, rating_4, rating_5)
SELECT ` + kel + `, ` + day + `, t.rw, t.rt, ` + strings.Join(area, ", ") + `
FROM tickets t
GROUP BY ` + kel + `, ` + day + `, t.rw, t.rt`,
		`INSERT INTO curhat_daily_counts (kelurahan_code, day, dim, val, n)
SELECT x.kelurahan_code, x.day, x.dim, x.val, COUNT(*) FROM (
    SELECT ` + kel + ` AS kelurahan_code, ` + day + ` AS day, 'kategori' AS dim, t.kategori AS val FROM tickets t
    UNION ALL
    SELECT ` + kel + `, ` + day + `, 'urgency', CAST(t.urgency_score AS TEXT) FROM tickets t
) x
GROUP BY x.kelurahan_code, x.day, x.dim, x.val`,
		`INSERT INTO curhat_daily_durations (kelurahan_code, day, metric, bucket, n)
SELECT x.kelurahan_code, x.day, x.metric, x.bucket, COUNT(*) FROM (
    SELECT ` + kel + ` AS kelurahan_code, ` + day + ` AS day, 'reply' AS metric,
        ` + bucket(secondsBetween(dialect, "t.first_reply_at", "t.datetime_received")) + ` AS bucket
    FROM tickets t WHERE t.first_reply_at IS NOT NULL
    UNION ALL
    SELECT ` + kel + `, ` + day + `, 'resolve', ` + bucket(secondsBetween(dialect, "t.resolved_at", "t.datetime_received")) + `
    FROM tickets t WHERE t.status = 'resolved' AND t.resolved_at IS NOT NULL
) x
GROUP BY x.kelurahan_code, x.day, x.metric, x.bucket`,
	}
	for _, s := range stmts {
		if err := tx.Exec(s).Error; err != nil {
			return fmt.Errorf("rebuild curhat rollups: %w", err)
		}
	}
	return nil
}
