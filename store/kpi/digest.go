package kpi

import (
	"context"
	"time"

	"github.com/hailurah/hailurah"
)

// digestQuery counts a period's tickets per kelurahan and kategori in one
// pass; DigestCounts folds the kategori away. A ticket counts as open when
// it was received before the end and was not yet final then: the row
// keeps only the current status, but resolved_at and closed_at (closed or
// rejected) say when it became final. Final tickets without such a time
// are taken as final before the period.
const digestQuery = `
SELECT t.kelurahan_code AS kelurahan, k.name AS kelurahan_name, t.kategori AS kategori,
    SUM(CASE WHEN t.datetime_received >= @from THEN 1 ELSE 0 END) AS n_new,
    SUM(CASE WHEN ` + digestOpen + ` THEN 1 ELSE 0 END) AS n_open,
    SUM(CASE WHEN ` + digestOpen + ` AND t.moderator_breached THEN 1 ELSE 0 END) AS n_moderator_breached,
    SUM(CASE WHEN ` + digestOpen + ` AND t.dinas_breached THEN 1 ELSE 0 END) AS n_dinas_breached,
    SUM(CASE WHEN t.status = 'resolved' AND t.resolved_at >= @from AND t.resolved_at < @to THEN 1 ELSE 0 END) AS n_resolved,
    SUM(CASE WHEN t.status = 'closed' AND t.closed_at >= @from AND t.closed_at < @to THEN 1 ELSE 0 END) AS n_closed,
    SUM(CASE WHEN t.status = 'rejected' AND t.closed_at >= @from AND t.closed_at < @to THEN 1 ELSE 0 END) AS n_rejected,
    SUM(CASE WHEN t.datetime_received >= @from AND t.escalation_flag THEN 1 ELSE 0 END) AS n_escalated,
    SUM(CASE WHEN t.rating > 0 AND t.resolved_at >= @from AND t.resolved_at < @to THEN t.rating ELSE 0 END) AS rating_sum,
    SUM(CASE WHEN t.rating > 0 AND t.resolved_at >= @from AND t.resolved_at < @to THEN 1 ELSE 0 END) AS n_rated
FROM tickets t
JOIN kelurahan k ON k.code = t.kelurahan_code
WHERE t.datetime_received < @to
  AND (t.datetime_received >= @from
       OR t.status NOT IN ('resolved', 'closed', 'rejected')
       OR t.resolved_at >= @from
       OR t.closed_at >= @from)
GROUP BY t.kelurahan_code, k.name, t.kategori
ORDER BY t.kelurahan_code, t.kategori`

const digestOpen = `NOT ((t.status = 'resolved' AND t.resolved_at < @to)
    OR (t.status IN ('closed', 'rejected') AND t.closed_at < @to))`

type digestRow struct {
	Kelurahan          string
	KelurahanName      string
	Kategori           string
	NNew               int64 `gorm:"column:n_new"`
	NOpen              int64 `gorm:"column:n_open"`
	NModeratorBreached int64 `gorm:"column:n_moderator_breached"`
	NDinasBreached     int64 `gorm:"column:n_dinas_breached"`
	NResolved          int64 `gorm:"column:n_resolved"`
	NClosed            int64 `gorm:"column:n_closed"`
	NRejected          int64 `gorm:"column:n_rejected"`
	NEscalated         int64 `gorm:"column:n_escalated"`
	RatingSum          int64 `gorm:"column:rating_sum"`
	NRated             int64 `gorm:"column:n_rated"`
}

func (r *digestRow) empty() bool {
	return r.NNew == 0 && r.NOpen == 0 && r.NResolved == 0 && r.NClosed == 0 && r.NRejected == 0 && r.NRated == 0
}

// DigestCounts returns the period [from, to) of every kelurahan that had
// a ticket received, open, resolved, closed, rejected or rated in it,
// ordered by kelurahan code; the city queue is left out. New and
// Escalated count tickets received in the period, ByKategori splits New
// (tickets not yet triaged have no kategori and are left out of it); Open
// and the breach counts are tickets not final at the end of the period;
// Resolved, Closed and Rejected count tickets that reached that status in
// the period, and AvgRating averages the ratings of tickets resolved in
// it. Returns EINVALID unless from is before to.
func (rd *Reader) DigestCounts(ctx context.Context, from, to time.Time) ([]*hailurah.KelurahanDigest, error) {
	if !from.Before(to) {
		return nil, hailurah.FieldErrorf("to", "Akhir periode ringkasan harus setelah awalnya.")
	}
	var rows []digestRow
	err := rd.db.Raw(ctx, digestQuery, map[string]any{"from": utc(from), "to": utc(to)}).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	var out []*hailurah.KelurahanDigest
	var ratingSum, rated int64
	// The rows come ordered by kelurahan, so each kelurahan's rows are
	// consecutive; finish closes the digest being built.
	finish := func() {
		if len(out) > 0 && rated > 0 {
			out[len(out)-1].AvgRating = float64(ratingSum) / float64(rated)
		}
		ratingSum, rated = 0, 0
	}
	for i := range rows {
		r := &rows[i]
		if r.empty() {
			continue
		}
		if len(out) == 0 || out[len(out)-1].Kelurahan != r.Kelurahan {
			finish()
			out = append(out, &hailurah.KelurahanDigest{Kelurahan: r.Kelurahan, KelurahanName: r.KelurahanName})
		}
		d := out[len(out)-1]
		d.New += int(r.NNew)
		d.Open += int(r.NOpen)
		d.Resolved += int(r.NResolved)
		d.Closed += int(r.NClosed)
		d.Rejected += int(r.NRejected)
		d.ModeratorBreached += int(r.NModeratorBreached)
		d.DinasBreached += int(r.NDinasBreached)
		d.Escalated += int(r.NEscalated)
		if r.Kategori != "" && r.NNew > 0 {
			if d.ByKategori == nil {
				d.ByKategori = map[string]int{}
			}
			d.ByKategori[r.Kategori] += int(r.NNew)
		}
		ratingSum += r.RatingSum
		rated += r.NRated
	}
	finish()
	return out, nil
}
