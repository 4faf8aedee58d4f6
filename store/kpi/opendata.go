package kpi

import (
	"context"
	"time"

	"github.com/hailurah/hailurah"
)

// OpenDataCounts returns the exact counts behind the public page for one
// kelurahan ("" = every kelurahan) over tickets received in [from, to):
// tickets per kategori, month and RW, and each kelurahan's SLA clocks per
// month. Rejected tickets (spam, duplicates) and tickets of the city queue
// are left out. hailurah.PublishOpenData suppresses the small cells; these
// counts must never be served as they are.
func (rd *Reader) OpenDataCounts(ctx context.Context, kelurahan string, from, to time.Time) (*hailurah.OpenDataCounts, error) {
	if err := checkPeriod(from, to); err != nil {
		return nil, err
	}
	out := &hailurah.OpenDataCounts{KelurahanNames: map[string]string{}}
	kels, err := rd.db.ListKelurahan(ctx)
	if err != nil {
		return nil, err
	}
	for _, k := range kels {
		out.KelurahanNames[k.Code] = k.Name
	}
	args := map[string]any{"from": utc(from), "to": utc(to), "kel": kelurahan}
	where := `t.kelurahan_code IS NOT NULL AND t.status <> 'rejected'
  AND t.datetime_received >= @from AND t.datetime_received < @to
  AND (@kel = '' OR t.kelurahan_code = @kel)`
	month := rd.db.LocalMonth("t.datetime_received")

	var cats []struct {
		Kelurahan, Month, RW, Kategori string
		N                              int64
	}
	q := `SELECT t.kelurahan_code AS kelurahan, ` + month + ` AS month, t.rw AS rw, t.kategori AS kategori, COUNT(*) AS n
FROM tickets t WHERE ` + where + `
GROUP BY t.kelurahan_code, ` + month + `, t.rw, t.kategori`
	if err := rd.db.Raw(ctx, q, args).Scan(&cats).Error; err != nil {
		return nil, err
	}
	for _, c := range cats {
		kat := c.Kategori
		if kat == "" {
			kat = "belum_ditriase"
		}
		out.Categories = append(out.Categories, hailurah.OpenCategoryCount{Kelurahan: c.Kelurahan, Month: c.Month, RW: c.RW, Kategori: kat, Count: int(c.N)})
	}

	var sla []struct {
		Kelurahan, Month           string
		Total, ModEnded, ModOnTime int64
		DinasEnded, DinasOnTime    int64
	}
	q = `SELECT t.kelurahan_code AS kelurahan, ` + month + ` AS month, COUNT(*) AS total,
    SUM(CASE WHEN ` + sqlModEnded + ` THEN 1 ELSE 0 END) AS mod_ended,
    SUM(CASE WHEN ` + sqlModEnded + ` AND NOT t.moderator_breached THEN 1 ELSE 0 END) AS mod_on_time,
    SUM(CASE WHEN ` + sqlDinasEnded + ` THEN 1 ELSE 0 END) AS dinas_ended,
    SUM(CASE WHEN ` + sqlDinasEnded + ` AND NOT t.dinas_breached THEN 1 ELSE 0 END) AS dinas_on_time
FROM tickets t WHERE ` + where + `
GROUP BY t.kelurahan_code, ` + month + `
ORDER BY kelurahan, month`
	if err := rd.db.Raw(ctx, q, args).Scan(&sla).Error; err != nil {
		return nil, err
	}
	for _, s := range sla {
		out.SLA = append(out.SLA, hailurah.OpenSLACount{Kelurahan: s.Kelurahan, Month: s.Month, Tickets: int(s.Total),
			Ended: int(s.ModEnded + s.DinasEnded), OnTime: int(s.ModOnTime + s.DinasOnTime)})
	}
	if out.Decisions, err = rd.db.PublicDecisions(ctx, kelurahan); err != nil {
		return nil, err
	}
	return out, nil
}
