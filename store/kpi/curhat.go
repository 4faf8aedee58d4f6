package kpi

import (
	"context"
	"math"
	"sort"
	"time"

	"github.com/hailurah/hailurah"
)

// boardSize is how many tickets each column of the board lists.
const boardSize = 6

// boardStatuses are the board's columns: every status a ticket still waits in.
var boardStatuses = []hailurah.TicketStatus{
	hailurah.StatusNew, hailurah.StatusOpen, hailurah.StatusAssigned,
	hailurah.StatusInProgress, hailurah.StatusAwaitingConfirmation,
}

// CurhatDashboard builds the HAI LURAH dashboard of one kelurahan, or of
// the city with one breakdown row per kelurahan (and the city queue).
// Period figures count tickets received in [From, To); new in 24 hours,
// overdue and the board are the state at Now. Returns EINVALID for a bad
// period.
func (rd *Reader) CurhatDashboard(ctx context.Context, f hailurah.DashboardFilter) (*hailurah.CurhatDashboard, error) {
	if err := checkPeriod(f.From, f.To); err != nil {
		return nil, err
	}
	if f.Now.IsZero() {
		f.Now = rd.db.Now()
	}
	scope := hailurah.ScopeOfKelurahan(f.Kelurahan)
	d := &hailurah.CurhatDashboard{Kelurahan: f.Kelurahan, From: f.From, To: f.To,
		Breakdown: []hailurah.CurhatBreakdownRow{}, Categories: []hailurah.CategoryCount{}, UrgencyTrend: []hailurah.UrgencyDay{},
		Heatmap: []hailurah.HeatCell{}, OverdueUnits: []hailurah.UnitOverdue{}, Board: []hailurah.BoardColumn{}}

	tallies, err := rd.curhatTallies(ctx, scope, f.From, f.To)
	if err != nil {
		return nil, err
	}
	overdue, err := rd.overdueByKelurahan(ctx, scope, f.Now)
	if err != nil {
		return nil, err
	}
	var sum curhatTally
	byKel := map[string]curhatTally{}
	for _, t := range tallies {
		sum.add(t)
		byKel[t.Kelurahan] = t
	}
	s := &d.Summary
	s.Total, s.FollowedUp, s.Resolved = int(sum.Total), int(sum.Followed), int(sum.Resolved)
	s.FollowedUpPct = hailurah.Share(float64(sum.Followed), float64(sum.Total))
	s.ModeratorSLA = slaFigure(sum.ModEnded, sum.ModOnTime)
	s.DinasSLA = slaFigure(sum.DinasEnded, sum.DinasOnTime)
	s.Rated, s.Satisfied = int(sum.Rated), int(sum.Satisfied)
	s.SatisfactionPct = hailurah.Share(float64(sum.Satisfied), float64(sum.Rated))
	for _, n := range overdue {
		s.OverdueNow += n
	}
	if s.New24h, err = rd.countReceived(ctx, scope, f.Now.Add(-24*time.Hour), f.Now); err != nil {
		return nil, err
	}
	if s.MedianReplySeconds, s.Replied, err = rd.medianReply(ctx, scope, f.From, f.To); err != nil {
		return nil, err
	}
	if s.MedianResolveSeconds, err = rd.medianResolve(ctx, scope, f.From, f.To); err != nil {
		return nil, err
	}

	if f.Kelurahan == "" {
		kels, err := rd.db.ListKelurahan(ctx)
		if err != nil {
			return nil, err
		}
		for _, k := range kels {
			d.Breakdown = append(d.Breakdown, breakdownRow(k.Code, k.Name, byKel[k.Code], overdue[k.Code]))
		}
		if t, ok := byKel[""]; ok || overdue[""] > 0 {
			d.Breakdown = append(d.Breakdown, breakdownRow("", "Antrean kota (belum dirutekan)", t, overdue[""]))
		}
	}
	if d.Categories, err = rd.categoryCounts(ctx, scope, f.From, f.To, int(sum.Total)); err != nil {
		return nil, err
	}
	if d.UrgencyTrend, err = rd.urgencyTrend(ctx, scope, f.From, f.To); err != nil {
		return nil, err
	}
	if d.Heatmap, err = rd.heatmap(ctx, scope, f.From, f.To); err != nil {
		return nil, err
	}
	if d.OverdueUnits, err = rd.overdueUnits(ctx, scope, f.Now); err != nil {
		return nil, err
	}
	if d.Board, err = rd.board(ctx, scope); err != nil {
		return nil, err
	}
	return d, nil
}

func slaFigure(ended, onTime int64) hailurah.SLAFigure {
	return hailurah.SLAFigure{Ended: int(ended), OnTime: int(onTime), Pct: hailurah.Share(float64(onTime), float64(ended))}
}

func breakdownRow(code, name string, t curhatTally, overdue int) hailurah.CurhatBreakdownRow {
	return hailurah.CurhatBreakdownRow{
		Kelurahan: code, KelurahanName: name, Total: int(t.Total),
		FollowedUpPct: hailurah.Share(float64(t.Followed), float64(t.Total)),
		ModeratorPct:  hailurah.Share(float64(t.ModOnTime), float64(t.ModEnded)),
		DinasPct:      hailurah.Share(float64(t.DinasOnTime), float64(t.DinasEnded)),
		Satisfaction:  hailurah.Share(float64(t.Satisfied), float64(t.Rated)),
		OverdueNow:    overdue,
	}
}

func (rd *Reader) countReceived(ctx context.Context, scope hailurah.KPIScope, from, to time.Time) (int, error) {
	args := map[string]any{}
	var n int64
	err := rd.db.Raw(ctx, "SELECT COUNT(*) FROM tickets t WHERE "+ticketPeriod(scope, from, to, args), args).Scan(&n).Error
	return int(n), err
}

// overdueByKelurahan counts, per kelurahan, the tickets past their
// moderator or dinas deadline at now, whenever they were received. The
// two kinds are counted apart, each from its partial index alone; as one
// OR the database would visit every overdue ticket's row.
func (rd *Reader) overdueByKelurahan(ctx context.Context, scope hailurah.KPIScope, now time.Time) (map[string]int, error) {
	args := map[string]any{"now": utc(now)}
	cond := scopeWhere("t", "s", scope, args)
	q := `SELECT x.kelurahan AS kelurahan, SUM(x.n) AS n FROM (
  SELECT COALESCE(t.kelurahan_code, '') AS kelurahan, COUNT(*) AS n FROM tickets t
  WHERE ` + cond + ` AND ` + sqlDinasOverdue + `
  GROUP BY t.kelurahan_code
  UNION ALL
  SELECT COALESCE(t.kelurahan_code, ''), COUNT(*) FROM tickets t
  WHERE ` + cond + ` AND ` + sqlModOverdue + `
  GROUP BY t.kelurahan_code
) x
GROUP BY x.kelurahan`
	var rows []struct {
		Kelurahan string
		N         int64
	}
	if err := rd.db.Raw(ctx, q, args).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, r := range rows {
		out[r.Kelurahan] = int(r.N)
	}
	return out, nil
}

type kategoriRow struct {
	Kategori string
	N        int64
}

func (rd *Reader) categoryCounts(ctx context.Context, scope hailurah.KPIScope, from, to time.Time, total int) ([]hailurah.CategoryCount, error) {
	var rows []kategoriRow
	if dfrom, dto, ok := rd.rollupDays(ctx, from, to); ok && wholeKelurahan(scope) {
		var err error
		if rows, err = rd.rollupCategories(ctx, scope, dfrom, dto); err != nil {
			return nil, err
		}
	} else {
		args := map[string]any{}
		q := `SELECT t.kategori AS kategori, COUNT(*) AS n FROM tickets t WHERE ` + ticketPeriod(scope, from, to, args) + `
GROUP BY t.kategori ORDER BY n DESC, kategori`
		if err := rd.db.Raw(ctx, q, args).Scan(&rows).Error; err != nil {
			return nil, err
		}
	}
	out := make([]hailurah.CategoryCount, len(rows))
	for i, r := range rows {
		out[i] = hailurah.CategoryCount{Kategori: r.Kategori, Count: int(r.N), Pct: hailurah.Share(float64(r.N), float64(total))}
	}
	return out, nil
}

type urgencyRow struct {
	Day     string
	Urgency int
	N       int64
}

// urgencyTrend counts the tickets of each day of the period per
// urgency; every day of the period is listed, quiet ones with zeros.
func (rd *Reader) urgencyTrend(ctx context.Context, scope hailurah.KPIScope, from, to time.Time) ([]hailurah.UrgencyDay, error) {
	var rows []urgencyRow
	if dfrom, dto, ok := rd.rollupDays(ctx, from, to); ok && wholeKelurahan(scope) {
		var err error
		if rows, err = rd.rollupUrgency(ctx, scope, dfrom, dto); err != nil {
			return nil, err
		}
	} else {
		args := map[string]any{}
		day := rd.db.LocalDay("t.datetime_received")
		q := `SELECT ` + day + ` AS day, t.urgency_score AS urgency, COUNT(*) AS n FROM tickets t WHERE ` + ticketPeriod(scope, from, to, args) + `
GROUP BY ` + day + `, t.urgency_score`
		if err := rd.db.Raw(ctx, q, args).Scan(&rows).Error; err != nil {
			return nil, err
		}
	}
	byDay := map[string]*hailurah.UrgencyDay{}
	var days []string
	for d := rd.db.Zone().In(from); d.Before(to); d = d.AddDate(0, 0, 1) {
		key := d.Format(time.DateOnly)
		if _, ok := byDay[key]; !ok {
			byDay[key] = &hailurah.UrgencyDay{Day: key}
			days = append(days, key)
		}
	}
	for _, r := range rows {
		u, ok := byDay[r.Day]
		if !ok {
			u = &hailurah.UrgencyDay{Day: r.Day}
			byDay[r.Day] = u
			days = append(days, r.Day)
		}
		if r.Urgency >= 0 && r.Urgency <= 5 {
			u.ByUrgency[r.Urgency] += int(r.N)
		}
		u.Total += int(r.N)
	}
	sort.Strings(days)
	out := make([]hailurah.UrgencyDay, 0, len(days))
	for _, key := range days {
		u := byDay[key]
		sum, n := 0, 0
		for level := 1; level <= 5; level++ {
			sum += level * u.ByUrgency[level]
			n += u.ByUrgency[level]
		}
		if n > 0 {
			avg := math.Round(float64(sum)/float64(n)*100) / 100
			u.AvgUrgency = &avg
		}
		out = append(out, *u)
	}
	return out, nil
}

type heatRow struct {
	Kelurahan, RW, RT string
	N                 int64
}

// heatmap counts the period's tickets per kelurahan, RW and RT; the page
// folds RT away for the city.
func (rd *Reader) heatmap(ctx context.Context, scope hailurah.KPIScope, from, to time.Time) ([]hailurah.HeatCell, error) {
	var rows []heatRow
	if dfrom, dto, ok := rd.rollupDays(ctx, from, to); ok {
		var err error
		if rows, err = rd.rollupHeatmap(ctx, scope, dfrom, dto); err != nil {
			return nil, err
		}
	} else {
		args := map[string]any{}
		q := `SELECT COALESCE(t.kelurahan_code, '') AS kelurahan, t.rw AS rw, t.rt AS rt, COUNT(*) AS n FROM tickets t
WHERE ` + ticketPeriod(scope, from, to, args) + `
GROUP BY t.kelurahan_code, t.rw, t.rt ORDER BY kelurahan, rw, rt`
		if err := rd.db.Raw(ctx, q, args).Scan(&rows).Error; err != nil {
			return nil, err
		}
	}
	out := make([]hailurah.HeatCell, len(rows))
	for i, r := range rows {
		out[i] = hailurah.HeatCell{Kelurahan: r.Kelurahan, RW: r.RW, RT: r.RT, Count: int(r.N)}
	}
	return out, nil
}

// overdueUnits lists, per dinas unit, its open tasks in scope and how many
// are past due at now; the moderators' verification queue comes first as
// unit "".
func (rd *Reader) overdueUnits(ctx context.Context, scope hailurah.KPIScope, now time.Time) ([]hailurah.UnitOverdue, error) {
	args := map[string]any{"now": utc(now)}
	cond := scopeWhere("t", "s", scope, args)
	q := `SELECT '' AS unit, COUNT(*) AS open,
    COALESCE(SUM(CASE WHEN t.moderator_due < @now THEN 1 ELSE 0 END), 0) AS overdue,
    MIN(CASE WHEN t.moderator_due < @now THEN t.moderator_due END) AS oldest
FROM tickets t WHERE ` + cond + ` AND t.status IN ('new', 'open') AND NOT t.verified
UNION ALL
SELECT t.assigned_unit AS unit, COUNT(*) AS open,
    COALESCE(SUM(CASE WHEN t.dinas_due < @now THEN 1 ELSE 0 END), 0) AS overdue,
    MIN(CASE WHEN t.dinas_due < @now THEN t.dinas_due END) AS oldest
FROM tickets t WHERE ` + cond + ` AND t.status IN ('assigned', 'in_progress') AND t.assigned_unit IS NOT NULL
GROUP BY t.assigned_unit`
	var rows []struct {
		Unit    string
		Open    int64
		Overdue int64
		Oldest  nullTime
	}
	if err := rd.db.Raw(ctx, q, args).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := []hailurah.UnitOverdue{}
	for _, r := range rows {
		if r.Open == 0 {
			continue
		}
		u := hailurah.UnitOverdue{Unit: r.Unit, Open: int(r.Open), Overdue: int(r.Overdue), Oldest: r.Oldest.t}
		if r.Oldest.t != nil {
			late := math.Round(now.Sub(*r.Oldest.t).Hours()*10) / 10
			u.MaxLateH = &late
		}
		out = append(out, u)
	}
	// The moderators first, then the unit with most overdue tasks.
	sort.SliceStable(out, func(i, j int) bool {
		if (out[i].Unit == "") != (out[j].Unit == "") {
			return out[i].Unit == ""
		}
		if out[i].Overdue != out[j].Overdue {
			return out[i].Overdue > out[j].Overdue
		}
		return out[i].Unit < out[j].Unit
	})
	return out, nil
}

// board counts the tickets waiting in each status now and lists the most
// urgent of each, whenever they were received.
func (rd *Reader) board(ctx context.Context, scope hailurah.KPIScope) ([]hailurah.BoardColumn, error) {
	args := map[string]any{}
	cond := scopeWhere("t", "s", scope, args)
	var counts []struct {
		Status string
		N      int64
	}
	if err := rd.db.Raw(ctx, `SELECT t.status AS status, COUNT(*) AS n FROM tickets t WHERE `+cond+`
AND t.status IN ('new', 'open', 'assigned', 'in_progress', 'awaiting_confirmation') GROUP BY t.status`, args).Scan(&counts).Error; err != nil {
		return nil, err
	}
	n := map[string]int{}
	for _, c := range counts {
		n[c.Status] = int(c.N)
	}
	out := make([]hailurah.BoardColumn, 0, len(boardStatuses))
	for _, st := range boardStatuses {
		col := hailurah.BoardColumn{Status: st, Count: n[string(st)], Tickets: []hailurah.BoardTicket{}}
		if col.Count > 0 {
			var rows []boardRow
			a := map[string]any{"status": string(st)}
			for k, v := range args {
				a[k] = v
			}
			err := rd.db.Gorm().WithContext(ctx).Table("tickets t").Select(boardColumns).Where(cond+" AND t.status = @status", a).
				Order("t.urgency_score DESC, t.sla_due, t.datetime_received").Limit(boardSize).Find(&rows).Error
			if err != nil {
				return nil, err
			}
			for _, t := range rows {
				bt := hailurah.BoardTicket{ID: t.ID, Kelurahan: deref(t.KelurahanCode), Status: st, Kategori: t.Kategori,
					Urgency: t.UrgencyScore, RT: t.RT, RW: t.RW, Unit: deref(t.AssignedUnit), Summary: t.Summary,
					ReceivedAt: t.DatetimeReceived.UTC()}
				switch st {
				case hailurah.StatusNew, hailurah.StatusOpen:
					bt.Due, bt.Breached = utcPtr(t.ModeratorDue), t.ModeratorBreached
				case hailurah.StatusAssigned, hailurah.StatusInProgress:
					bt.Due, bt.Breached = utcPtr(t.DinasDue), t.DinasBreached
				}
				col.Tickets = append(col.Tickets, bt)
			}
		}
		out = append(out, col)
	}
	return out, nil
}

// boardRow is what the board shows of a ticket.
type boardRow struct {
	ID                               string
	KelurahanCode, AssignedUnit      *string
	RT                               string `gorm:"column:rt"`
	RW                               string `gorm:"column:rw"`
	Kategori, Summary                string
	UrgencyScore                     int
	DatetimeReceived                 time.Time
	ModeratorDue, DinasDue           *time.Time
	ModeratorBreached, DinasBreached bool
}

const boardColumns = "t.id, t.kelurahan_code, t.assigned_unit, t.rt, t.rw, t.kategori, t.summary, t.urgency_score, " +
	"t.datetime_received, t.moderator_due, t.dinas_due, t.moderator_breached, t.dinas_breached"

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := utc(*t)
	return &u
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
