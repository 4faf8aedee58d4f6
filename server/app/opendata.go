package app

import (
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
)

// The public open-data page and its JSON show anonymised aggregates only:
// tickets per kategori, month and RW (never RT, never an id or a word a
// citizen wrote), each kelurahan's SLA compliance per month, and the
// pilots' signed decisions with their rationale. Every cell of fewer than
// hailurah.MinPublicCell tickets is suppressed by hailurah.PublishOpenData,
// the only way counts reach these handlers' output.

// OpenData reads the public query (kelurahan, from, to; no login) and
// builds the published aggregates.
func (s *App) OpenData(c *gin.Context) (*hailurah.OpenData, Period, error) {
	p, kel, err := s.openDataQuery(c)
	if err != nil {
		return nil, p, err
	}
	counts, err := s.Pilots.KPIs.OpenDataCounts(c.Request.Context(), kel, p.From, p.To)
	if err != nil {
		return nil, p, err
	}
	return hailurah.PublishOpenData(counts, kel, p.From, p.To, s.Now()), p, nil
}

// OpenDataMap reads the same public query and builds the public map:
// located tickets counted per grid cell, small cells left out
// (hailurah.PublishMap, the only way points reach the public).
func (s *App) OpenDataMap(c *gin.Context) (*hailurah.PublicMap, Period, string, error) {
	p, kel, err := s.openDataQuery(c)
	if err != nil {
		return nil, p, kel, err
	}
	points, err := s.Pilots.Map.TicketPoints(c.Request.Context(), kel, p.From, p.To, hailurah.MaxMapPoints)
	if err != nil {
		return nil, p, kel, err
	}
	return hailurah.PublishMap(points), p, kel, nil
}

// openDataQuery reads the public pages' period (the last 12 months by
// default) and kelurahan ("" for the city).
func (s *App) openDataQuery(c *gin.Context) (Period, string, error) {
	p, err := parsePeriod(c, LastMonths(s.Zone, s.Now(), 12))
	if err != nil {
		return p, "", err
	}
	kel := strings.TrimSpace(c.Query("kelurahan"))
	if kel != "" {
		if _, err := s.Kelurahan.FindKelurahan(c.Request.Context(), kel); err != nil {
			if hailurah.ErrorCode(err) == hailurah.ENOTFOUND {
				return p, kel, hailurah.FieldErrorf("kelurahan", "Kelurahan %q tidak ditemukan.", kel)
			}
			return p, kel, err
		}
	}
	return p, kel, nil
}

func publicText(c hailurah.PublicCount) string { return c.Text() }

// OpenDataTables are the open data's tables; decision dates are days of
// zone z.
func OpenDataTables(d *hailurah.OpenData, z hailurah.Zone) []ExportTable {
	cats := ExportTable{Name: "categories", Title: "Curhat per kategori, bulan dan RW", JSON: d.Categories,
		Header: []string{"kelurahan", "nama_kelurahan", "bulan", "rw", "kategori", "jumlah"}}
	for _, x := range d.Categories {
		cats.Rows = append(cats.Rows, []string{x.Kelurahan, x.KelurahanName, x.Month, x.RW, x.Kategori, publicText(x.Count)})
	}
	rws := ExportTable{Name: "rw_totals", Title: "Curhat per RW dan bulan", JSON: d.RWTotals,
		Header: []string{"kelurahan", "nama_kelurahan", "bulan", "rw", "jumlah"}}
	for _, x := range d.RWTotals {
		rws.Rows = append(rws.Rows, []string{x.Kelurahan, x.KelurahanName, x.Month, x.RW, publicText(x.Count)})
	}
	sla := ExportTable{Name: "sla", Title: "Kepatuhan SLA per kelurahan dan bulan", JSON: d.SLA,
		Header: []string{"kelurahan", "nama_kelurahan", "bulan", "tiket", "tenggat_berakhir", "kepatuhan_persen"}}
	for _, x := range d.SLA {
		sla.Rows = append(sla.Rows, []string{x.Kelurahan, x.KelurahanName, x.Month, publicText(x.Tickets), publicText(x.Ended), num(x.CompliancePct)})
	}
	dec := ExportTable{Name: "decisions", Title: "Keputusan pilot 90 hari", JSON: d.Decisions,
		Header: []string{"pilot", "nama", "komponen", "kelurahan", "siklus", "keputusan", "alasan", "cakupan_baru", "tanggal"}}
	for _, x := range d.Decisions {
		dec.Rows = append(dec.Rows, []string{x.PilotID, x.PilotName, x.Component, x.KelurahanName, IntText(x.Cycle), x.Decision,
			x.Rationale, strings.Join(x.Scope, "; "), z.In(x.DecidedAt).Format(time.DateOnly)})
	}
	return []ExportTable{cats, rws, sla, dec}
}
