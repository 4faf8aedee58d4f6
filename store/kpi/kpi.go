// Package kpi measures the KPIs and builds the dashboards, the open data
// and the lurah's weekly digest from the store's tables and the daily
// rollups the store's triggers keep, and rebuilds those rollups; the store
// serves hailurah.KPIService and the digest counts through it.
package kpi

import (
	"context"
	"database/sql/driver"
	"fmt"
	"log/slog"
	"maps"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/migrations"
)

var _ hailurah.KPIService = (*Reader)(nil)

// Store is what the KPI queries read: the store's SQL, its calendar and
// clock, and the lists the dashboards name things by. *store.DB
// implements it.
type Store interface {
	Dialect() string
	Gorm() *gorm.DB
	// Raw runs a query with named parameters.
	Raw(ctx context.Context, sql string, args map[string]any) *gorm.DB
	// Zone is the calendar of days and months; LocalDay and LocalMonth
	// are the SQL expressions of a column's day and month in it.
	Zone() hailurah.Zone
	LocalDay(col string) string
	LocalMonth(col string) string
	Now() time.Time
	ListKelurahan(ctx context.Context) ([]*hailurah.Kelurahan, error)
	ListPilots(ctx context.Context, f hailurah.PilotFilter) ([]*hailurah.Pilot, error)
	PublicDecisions(ctx context.Context, kelurahan string) ([]*hailurah.PublicDecision, error)
}

// Reader answers the KPI queries on a store.
type Reader struct {
	db     Store
	logger *slog.Logger
	// strict turns a rollup found out of step with the tickets into an
	// error instead of a fallback to counting tickets; the store's tests
	// set it.
	strict bool
}

// New returns a Reader of db, which logs a rollup out of step to logger;
// strict as for Reader.
func New(db Store, logger *slog.Logger, strict bool) *Reader {
	return &Reader{db: db, logger: logger, strict: strict}
}

// utc is how the store keeps times: UTC, in whole microseconds.
func utc(t time.Time) time.Time {
	return t.UTC().Truncate(time.Microsecond)
}

// The KPI queries are written once for both dialects. Where SQL differs
// (durations, calendar days in the kelurahan's zone) a helper returns the
// dialect's expression; medians are taken with ORDER BY … LIMIT/OFFSET,
// which both dialects run in the database. For periods of whole days the curhat
// figures read the daily rollups of rollup.go instead, which hold the
// same counts; the queries on tickets below remain for other periods and
// are what the rollups are tested against.
//
// Every period is [from, to). Calendar days and months are those of the
// kelurahan's own clock (SetZone, zone.go). The kpi_* views of migration 00005 use the
// same definitions, so Metabase or Grafana read the same numbers.

// maxPeriod bounds a dashboard's period: three years covers every
// comparison a kelurahan makes and keeps a daily trend readable.
const maxPeriod = 3*366*24*time.Hour + time.Hour

func checkPeriod(from, to time.Time) error {
	switch {
	case from.IsZero() || to.IsZero() || !from.Before(to):
		return hailurah.FieldErrorf("from", "Awal periode harus sebelum akhirnya.")
	case to.Sub(from) > maxPeriod:
		return hailurah.FieldErrorf("from", "Periode paling panjang tiga tahun.")
	}
	return nil
}

// secondsBetween is the expression of later − earlier in seconds, rounded
// to the millisecond: SQLite's julianday is a float whose error shows in
// the microseconds, and both dialects must give the same number.
func (rd *Reader) secondsBetween(later, earlier string) string {
	return secondsBetween(rd.db.Dialect(), later, earlier)
}

func secondsBetween(dialect, later, earlier string) string {
	if dialect == migrations.DialectPostgres {
		return fmt.Sprintf("ROUND(EXTRACT(EPOCH FROM (%s - %s)), 3)", later, earlier)
	}
	return fmt.Sprintf("ROUND((julianday(%s) - julianday(%s)) * 86400.0, 3)", later, earlier)
}

// dateFrom and dateTo bound a calendar-date column (stored as the date at
// 00:00 UTC) to the days of the zone a period touches: the day of from,
// and the day after the one holding the last instant before to.
func (rd *Reader) dateFrom(from time.Time) time.Time {
	y, m, d := rd.db.Zone().In(from).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func (rd *Reader) dateTo(to time.Time) time.Time {
	y, m, d := rd.db.Zone().In(to.Add(-time.Nanosecond)).Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
}

// scopeWhere returns the condition that keeps rows of alias (a table with
// kelurahan_code, rw and rt) inside scope, adding its parameters to args
// under names starting with prefix. The whole city is "1=1".
func scopeWhere(alias, prefix string, scope hailurah.KPIScope, args map[string]any) string {
	if len(scope.Areas) == 0 {
		return "1=1"
	}
	var ors []string
	for i, a := range scope.Areas {
		k := fmt.Sprintf("%s%dk", prefix, i)
		args[k] = a.Kelurahan
		cond := fmt.Sprintf("%s.kelurahan_code = @%s", alias, k)
		if a.RW != "" {
			rw := fmt.Sprintf("%s%drw", prefix, i)
			args[rw] = a.RW
			cond += fmt.Sprintf(" AND %s.rw = @%s", alias, rw)
		}
		if a.RT != "" {
			rt := fmt.Sprintf("%s%drt", prefix, i)
			args[rt] = a.RT
			cond += fmt.Sprintf(" AND %s.rt = @%s", alias, rt)
		}
		ors = append(ors, "("+cond+")")
	}
	return "(" + strings.Join(ors, " OR ") + ")"
}

// nullTime scans a time an aggregate returns. SQLite reports an
// aggregate's value without the column's declared type, so MIN(a time)
// arrives as the text the driver wrote; Postgres sends a time.
type nullTime struct{ t *time.Time }

func (n *nullTime) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		n.t = nil
		return nil
	case time.Time:
		u := utc(x)
		n.t = &u
		return nil
	case []byte:
		v = string(x)
	}
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("store: cannot scan %T as a time", v)
	}
	for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			u := utc(t)
			n.t = &u
			return nil
		}
	}
	return fmt.Errorf("store: cannot parse time %q", s)
}

// Value makes nullTime a column type GORM accepts; it is only scanned.
func (n nullTime) Value() (driver.Value, error) {
	if n.t == nil {
		return nil, nil
	}
	return *n.t, nil
}

// median returns the median of column v of the query sub and how many rows
// it has; nil without rows. The middle one or two values are read with
// ORDER BY … LIMIT/OFFSET, so only they leave the database.
func (rd *Reader) median(ctx context.Context, sub string, args map[string]any) (*float64, int, error) {
	var n int64
	if err := rd.db.Raw(ctx, "SELECT COUNT(*) FROM ("+sub+") m", args).Scan(&n).Error; err != nil {
		return nil, 0, err
	}
	if n == 0 {
		return nil, 0, nil
	}
	a := maps.Clone(args)
	a["med_limit"] = 2 - n%2
	a["med_offset"] = (n - 1) / 2
	var vals []float64
	if err := rd.db.Raw(ctx, "SELECT m.v FROM ("+sub+") m ORDER BY m.v LIMIT @med_limit OFFSET @med_offset", a).Scan(&vals).Error; err != nil {
		return nil, 0, err
	}
	if len(vals) == 0 {
		return nil, int(n), nil
	}
	sum := 0.0
	for _, v := range vals {
		sum += v
	}
	m := sum / float64(len(vals))
	return &m, int(n), nil
}

// The SLA rules of the curhat KPIs, as SQL on tickets t:
//   - followed up: a moderator verified it, or it moved past new/open;
//   - the moderator's clock ended when it breached, or the ticket was
//     verified or moved past new/open; on time when it never breached;
//   - the unit's clock ran from assignment and ended when it breached or
//     the ticket left assigned/in_progress.
const (
	sqlFollowedUp = `(t.verified OR t.status NOT IN ('new', 'open'))`
	sqlModEnded   = `(t.moderator_breached OR t.verified OR t.status NOT IN ('new', 'open'))`
	sqlDinasEnded = `(t.assigned_at IS NOT NULL AND (t.dinas_breached OR t.status NOT IN ('assigned', 'in_progress')))`
	// Overdue now: a unit's task past its deadline, or a ticket past the
	// moderators' (the two never hold together).
	sqlDinasOverdue = `(t.status IN ('assigned', 'in_progress') AND t.dinas_due < @now)`
	sqlModOverdue   = `(t.status IN ('new', 'open') AND NOT t.verified AND t.moderator_due < @now)`
	sqlCurhatTally  = `COUNT(*) AS total,
    SUM(CASE WHEN ` + sqlFollowedUp + ` THEN 1 ELSE 0 END) AS followed,
    SUM(CASE WHEN ` + sqlModEnded + ` THEN 1 ELSE 0 END) AS mod_ended,
    SUM(CASE WHEN ` + sqlModEnded + ` AND NOT t.moderator_breached THEN 1 ELSE 0 END) AS mod_on_time,
    SUM(CASE WHEN ` + sqlDinasEnded + ` THEN 1 ELSE 0 END) AS dinas_ended,
    SUM(CASE WHEN ` + sqlDinasEnded + ` AND NOT t.dinas_breached THEN 1 ELSE 0 END) AS dinas_on_time,
    SUM(CASE WHEN t.status = 'resolved' THEN 1 ELSE 0 END) AS resolved,
    SUM(CASE WHEN t.rating > 0 THEN 1 ELSE 0 END) AS rated,
    SUM(CASE WHEN t.rating >= @satisfied THEN 1 ELSE 0 END) AS satisfied`
)

type curhatTally struct {
	Kelurahan   string
	Total       int64
	Followed    int64
	ModEnded    int64
	ModOnTime   int64
	DinasEnded  int64
	DinasOnTime int64
	Resolved    int64
	Rated       int64
	Satisfied   int64
}

func (t *curhatTally) add(o curhatTally) {
	t.Total += o.Total
	t.Followed += o.Followed
	t.ModEnded += o.ModEnded
	t.ModOnTime += o.ModOnTime
	t.DinasEnded += o.DinasEnded
	t.DinasOnTime += o.DinasOnTime
	t.Resolved += o.Resolved
	t.Rated += o.Rated
	t.Satisfied += o.Satisfied
}

// curhatTallies counts the tickets received in [from, to) inside scope,
// one row per kelurahan ("" for the city queue): from the daily rollups
// for whole days, else from the tickets.
func (rd *Reader) curhatTallies(ctx context.Context, scope hailurah.KPIScope, from, to time.Time) ([]curhatTally, error) {
	if dfrom, dto, ok := rd.rollupDays(ctx, from, to); ok {
		return rd.rollupTallies(ctx, scope, dfrom, dto)
	}
	args := map[string]any{"from": utc(from), "to": utc(to), "satisfied": hailurah.SatisfiedRating}
	q := `SELECT COALESCE(t.kelurahan_code, '') AS kelurahan, ` + sqlCurhatTally + `
FROM tickets t
WHERE ` + scopeWhere("t", "s", scope, args) + ` AND t.datetime_received >= @from AND t.datetime_received < @to
GROUP BY t.kelurahan_code
ORDER BY kelurahan`
	var rows []curhatTally
	err := rd.db.Raw(ctx, q, args).Scan(&rows).Error
	return rows, err
}

// ticketPeriod is the shared WHERE of the median queries.
func ticketPeriod(scope hailurah.KPIScope, from, to time.Time, args map[string]any) string {
	args["from"], args["to"] = utc(from), utc(to)
	return scopeWhere("t", "s", scope, args) + " AND t.datetime_received >= @from AND t.datetime_received < @to"
}

// medianResolve is the median time from receipt to resolution of the
// tickets resolved among those received in the period.
func (rd *Reader) medianResolve(ctx context.Context, scope hailurah.KPIScope, from, to time.Time) (*float64, error) {
	if dfrom, dto, ok := rd.rollupDays(ctx, from, to); ok && wholeKelurahan(scope) {
		m, _, ok, err := rd.rollupMedian(ctx, metricResolve, scope, from, to, dfrom, dto)
		if err != nil || ok {
			return m, err
		}
	}
	args := map[string]any{}
	sub := "SELECT " + rd.secondsBetween("t.resolved_at", "t.datetime_received") + " AS v FROM tickets t WHERE " +
		ticketPeriod(scope, from, to, args) + " AND t.status = 'resolved' AND t.resolved_at IS NOT NULL"
	m, _, err := rd.median(ctx, sub, args)
	return m, err
}

// medianReply is the median time from receipt to the AI reply, the first
// outbox row of kind reply, and how many tickets had one.
func (rd *Reader) medianReply(ctx context.Context, scope hailurah.KPIScope, from, to time.Time) (*float64, int, error) {
	if dfrom, dto, ok := rd.rollupDays(ctx, from, to); ok && wholeKelurahan(scope) {
		m, n, ok, err := rd.rollupMedian(ctx, metricReply, scope, from, to, dfrom, dto)
		if err != nil || ok {
			return m, n, err
		}
	}
	args := map[string]any{"kind": hailurah.OutboxReply}
	// Joined per ticket of the period (outbox_ticket_idx), not grouped
	// over the whole outbox first: a city's outbox holds millions of rows.
	sub := "SELECT " + rd.secondsBetween("MIN(o.created_at)", "t.datetime_received") + ` AS v
FROM tickets t
JOIN outbox o ON o.ticket_id = t.id AND o.kind = @kind
WHERE ` + ticketPeriod(scope, from, to, args) + `
GROUP BY t.id, t.datetime_received`
	return rd.median(ctx, sub, args)
}

// CurhatFigures measures the curhat service of scope over tickets received
// in [from, to).
func (rd *Reader) CurhatFigures(ctx context.Context, scope hailurah.KPIScope, from, to time.Time) (*hailurah.CurhatFigures, error) {
	if err := checkPeriod(from, to); err != nil {
		return nil, err
	}
	rows, err := rd.curhatTallies(ctx, scope, from, to)
	if err != nil {
		return nil, err
	}
	var sum curhatTally
	for _, r := range rows {
		sum.add(r)
	}
	f := &hailurah.CurhatFigures{
		Tickets: int(sum.Total), ModeratorEnded: int(sum.ModEnded), ModeratorOnTime: int(sum.ModOnTime),
		DinasEnded: int(sum.DinasEnded), DinasOnTime: int(sum.DinasOnTime), Rated: int(sum.Rated), Satisfied: int(sum.Satisfied),
	}
	if f.MedianResolveSecs, err = rd.medianResolve(ctx, scope, from, to); err != nil {
		return nil, err
	}
	if f.MedianReplySeconds, _, err = rd.medianReply(ctx, scope, from, to); err != nil {
		return nil, err
	}
	return f, nil
}

// MeasureKPIs measures every catalogue KPI in scope over [from, to). See
// hailurah.KPICatalogue for what each counts.
func (rd *Reader) MeasureKPIs(ctx context.Context, scope hailurah.KPIScope, from, to time.Time) (map[string]hailurah.KPIValue, error) {
	if err := checkPeriod(from, to); err != nil {
		return nil, err
	}
	out, err := rd.measureProgramme(ctx, scope, from, to)
	if err != nil {
		return nil, err
	}
	fig, err := rd.curhatTallies(ctx, scope, from, to)
	if err != nil {
		return nil, err
	}
	var sum curhatTally
	for _, r := range fig {
		sum.add(r)
	}
	out[hailurah.KPISLACompliancePct] = hailurah.KPIValue{Code: hailurah.KPISLACompliancePct,
		Value: hailurah.Share(float64(sum.ModOnTime+sum.DinasOnTime), float64(sum.ModEnded+sum.DinasEnded)),
		Num:   float64(sum.ModOnTime + sum.DinasOnTime), Den: float64(sum.ModEnded + sum.DinasEnded)}
	out[hailurah.KPISatisfactionPct] = hailurah.KPIValue{Code: hailurah.KPISatisfactionPct,
		Value: hailurah.Share(float64(sum.Satisfied), float64(sum.Rated)), Num: float64(sum.Satisfied), Den: float64(sum.Rated)}
	return out, nil
}

// programmeArgs are the parameters every programme query shares.
func (rd *Reader) programmeArgs(from, to time.Time) map[string]any {
	return map[string]any{"from": utc(from), "to": utc(to), "dfrom": rd.dateFrom(from), "dto": rd.dateTo(to)}
}

// measureDTKS: the store keeps a household's current DTKS status only; the
// one past status it records is the grants' dtks flag at application. A
// household counts in the baseline when it is DTKS now or was when it
// applied (before to), and as reduced when it no longer is.
func (rd *Reader) measureDTKS(ctx context.Context, scope hailurah.KPIScope, from, to time.Time, out map[string]hailurah.KPIValue) error {
	args := rd.programmeArgs(from, to)
	q := `SELECT COUNT(*) AS base, COALESCE(SUM(CASE WHEN h.dtks_status THEN 1 ELSE 0 END), 0) AS still
FROM households h
WHERE ` + scopeWhere("h", "s", scope, args) + `
  AND (h.dtks_status OR EXISTS (SELECT 1 FROM grants g WHERE g.household_id = h.id AND g.dtks AND g.applied_at < @to))`
	var r struct{ Base, Still int64 }
	if err := rd.db.Raw(ctx, q, args).Scan(&r).Error; err != nil {
		return err
	}
	left := float64(r.Base - r.Still)
	out[hailurah.KPIDTKSReductionPct] = hailurah.KPIValue{Code: hailurah.KPIDTKSReductionPct,
		Value: hailurah.Share(left, float64(r.Base)), Num: left, Den: float64(r.Base)}
	return nil
}

// measureIncome compares each household's latest income reported in the
// period with its baseline income, over households that have both.
func (rd *Reader) measureIncome(ctx context.Context, scope hailurah.KPIScope, from, to time.Time, out map[string]hailurah.KPIValue) error {
	args := rd.programmeArgs(from, to)
	q := `SELECT COUNT(*) AS n, COALESCE(SUM(x.base), 0) AS base, COALESCE(SUM(x.latest), 0) AS latest FROM (
  SELECT h.baseline_income AS base,
    (SELECT c.income FROM household_checkins c
      WHERE c.household_id = h.id AND c.income IS NOT NULL AND c.at >= @from AND c.at < @to
      ORDER BY c.at DESC, c.id DESC LIMIT 1) AS latest
  FROM households h
  WHERE ` + scopeWhere("h", "s", scope, args) + ` AND h.baseline_income > 0
) x WHERE x.latest IS NOT NULL`
	var r struct{ N, Base, Latest int64 }
	if err := rd.db.Raw(ctx, q, args).Scan(&r).Error; err != nil {
		return err
	}
	out[hailurah.KPIIncomeIncreasePct] = hailurah.KPIValue{Code: hailurah.KPIIncomeIncreasePct,
		Value: hailurah.Ratio(float64(r.Base), float64(r.Latest)), Num: float64(r.Latest), Den: float64(r.Base)}
	return nil
}

// measureMicro counts the businesses new or "naik kelas" in the period: the
// household's latest omzet of the period is positive, and its baseline
// omzet (the first grant's, else the first check-in's) was zero or is
// exceeded by UpgradeThresholdPct.
func (rd *Reader) measureMicro(ctx context.Context, scope hailurah.KPIScope, from, to time.Time, out map[string]hailurah.KPIValue) error {
	args := rd.programmeArgs(from, to)
	args["grow"] = 100 + hailurah.UpgradeThresholdPct
	q := `SELECT COUNT(*) AS n FROM (
  SELECT
    (SELECT c.omzet FROM household_checkins c
      WHERE c.household_id = h.id AND c.at >= @from AND c.at < @to
      ORDER BY c.at DESC, c.id DESC LIMIT 1) AS latest,
    COALESCE(
      (SELECT g.baseline_omzet FROM grants g WHERE g.household_id = h.id ORDER BY g.applied_at, g.id LIMIT 1),
      (SELECT c.omzet FROM household_checkins c WHERE c.household_id = h.id ORDER BY c.at, c.id LIMIT 1)) AS base
  FROM households h
  WHERE ` + scopeWhere("h", "s", scope, args) + `
) x WHERE x.latest > 0 AND (x.base = 0 OR x.latest * 100 >= x.base * @grow)`
	var n int64
	if err := rd.db.Raw(ctx, q, args).Scan(&n).Error; err != nil {
		return err
	}
	out[hailurah.KPIMicroBusinesses] = hailurah.KPIValue{Code: hailurah.KPIMicroBusinesses, Value: hailurah.Float(float64(n)), Num: float64(n)}
	return nil
}

// participantsSQL selects the member ids that took part in the period:
// attended a training held in it, or worked on a padat karya project that
// ran in it, from households in scope. which is "trained", "padat" or
// "all".
func participantsSQL(which, scopeCond string) string {
	trained := `SELECT a.member_id FROM training_attendance a
  JOIN trainings tr ON tr.id = a.training_id
  JOIN households h ON h.id = a.household_id
  WHERE a.attended AND tr.held_on >= @dfrom AND tr.held_on < @dto AND ` + scopeCond
	padat := `SELECT w.member_id FROM padat_karya_workers w
  JOIN padat_karya_projects p ON p.id = w.project_id
  JOIN households h ON h.id = w.household_id
  WHERE p.start_date < @dto AND (p.end_date IS NULL OR p.end_date >= @dfrom) AND ` + scopeCond
	switch which {
	case "trained":
		return trained
	case "padat":
		return padat
	}
	return trained + "\n  UNION\n  " + padat
}

func (rd *Reader) measureParticipation(ctx context.Context, scope hailurah.KPIScope, from, to time.Time, out map[string]hailurah.KPIValue) error {
	args := rd.programmeArgs(from, to)
	cond := scopeWhere("h", "s", scope, args)
	var trained, padat int64
	if err := rd.db.Raw(ctx, "SELECT COUNT(DISTINCT x.member_id) FROM ("+participantsSQL("trained", cond)+") x", args).Scan(&trained).Error; err != nil {
		return err
	}
	if err := rd.db.Raw(ctx, "SELECT COUNT(DISTINCT x.member_id) FROM ("+participantsSQL("padat", cond)+") x", args).Scan(&padat).Error; err != nil {
		return err
	}
	var w struct{ N, Women int64 }
	q := `SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN m.gender = 'P' THEN 1 ELSE 0 END), 0) AS women
FROM household_members m WHERE m.id IN (` + participantsSQL("all", cond) + `)`
	if err := rd.db.Raw(ctx, q, args).Scan(&w).Error; err != nil {
		return err
	}
	out[hailurah.KPITrained] = hailurah.KPIValue{Code: hailurah.KPITrained, Value: hailurah.Float(float64(trained)), Num: float64(trained)}
	out[hailurah.KPIPadatKaryaWorkers] = hailurah.KPIValue{Code: hailurah.KPIPadatKaryaWorkers, Value: hailurah.Float(float64(padat)), Num: float64(padat)}
	out[hailurah.KPIWomenSharePct] = hailurah.KPIValue{Code: hailurah.KPIWomenSharePct,
		Value: hailurah.Share(float64(w.Women), float64(w.N)), Num: float64(w.Women), Den: float64(w.N)}
	return nil
}

func (rd *Reader) measureMarketplace(ctx context.Context, scope hailurah.KPIScope, from, to time.Time, out map[string]hailurah.KPIValue) error {
	args := rd.programmeArgs(from, to)
	q := `SELECT COUNT(DISTINCT o.household_id) FROM marketplace_onboardings o
JOIN households h ON h.id = o.household_id
WHERE o.onboarded_on >= @dfrom AND o.onboarded_on < @dto AND ` + scopeWhere("h", "s", scope, args)
	var n int64
	if err := rd.db.Raw(ctx, q, args).Scan(&n).Error; err != nil {
		return err
	}
	out[hailurah.KPIUMKMMarketplace] = hailurah.KPIValue{Code: hailurah.KPIUMKMMarketplace, Value: hailurah.Float(float64(n)), Num: float64(n)}
	return nil
}

// measureGrants sums the grants disbursed in the period.
func (rd *Reader) measureGrants(ctx context.Context, scope hailurah.KPIScope, from, to time.Time, out map[string]hailurah.KPIValue) error {
	args := rd.programmeArgs(from, to)
	q := `SELECT COALESCE(SUM(g.amount), 0) FROM grants g
JOIN households h ON h.id = g.household_id
WHERE g.disbursed_at >= @from AND g.disbursed_at < @to AND g.status <> 'rejected' AND ` + scopeWhere("h", "s", scope, args)
	var sum int64
	if err := rd.db.Raw(ctx, q, args).Scan(&sum).Error; err != nil {
		return err
	}
	out[hailurah.KPIGrantBudgetUsed] = hailurah.KPIValue{Code: hailurah.KPIGrantBudgetUsed, Value: hailurah.Float(float64(sum)), Num: float64(sum)}
	return nil
}
