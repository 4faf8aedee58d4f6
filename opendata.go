package hailurah

import (
	"fmt"
	"sort"
	"time"
)

// MinPublicCell is the smallest count the public page shows: a cell of
// fewer tickets could single someone out.
const MinPublicCell = 5

// OpenCategoryCount is an exact count of tickets of one kategori received
// in one month in one RW of a kelurahan. It never leaves the server.
type OpenCategoryCount struct {
	Kelurahan string
	Month     string // YYYY-MM, in the kelurahan's zone
	RW        string // "" = no RW given
	Kategori  string
	Count     int
}

// OpenSLACount is an exact count of one kelurahan's SLA clocks that ended
// in tickets received in one month.
type OpenSLACount struct {
	Kelurahan string
	Month     string
	Tickets   int // tickets received
	Ended     int // SLA clocks ended (moderator + dinas)
	OnTime    int
}

// OpenDataCounts are the exact counts the store gives PublishOpenData.
type OpenDataCounts struct {
	KelurahanNames map[string]string
	Categories     []OpenCategoryCount
	SLA            []OpenSLACount
	Decisions      []*PublicDecision
}

// PublicCount is a count on the public page: Value is nil when Suppressed.
type PublicCount struct {
	Value      *int `json:"value"`
	Suppressed bool `json:"suppressed"`
}

// Text is the count as the page prints it: "<5" when suppressed.
func (c PublicCount) Text() string {
	if c.Suppressed || c.Value == nil {
		return fmt.Sprintf("<%d", MinPublicCell)
	}
	return groupThousands(int64(*c.Value))
}

// PublicCategoryCell is one kategori of one RW in one month.
type PublicCategoryCell struct {
	Kelurahan     string      `json:"kelurahan"`
	KelurahanName string      `json:"kelurahan_name"`
	Month         string      `json:"month"`
	RW            string      `json:"rw"`
	Kategori      string      `json:"kategori"`
	Count         PublicCount `json:"count"`
}

// PublicRWTotal is all tickets of one RW in one month.
type PublicRWTotal struct {
	Kelurahan     string      `json:"kelurahan"`
	KelurahanName string      `json:"kelurahan_name"`
	Month         string      `json:"month"`
	RW            string      `json:"rw"`
	Count         PublicCount `json:"count"`
}

// PublicSLA is one kelurahan's SLA compliance in one month.
type PublicSLA struct {
	Kelurahan     string      `json:"kelurahan"`
	KelurahanName string      `json:"kelurahan_name"`
	Month         string      `json:"month"`
	Tickets       PublicCount `json:"tickets"`
	Ended         PublicCount `json:"sla_ended"`
	// CompliancePct is nil when fewer than MinPublicCell clocks ended.
	CompliancePct *float64 `json:"compliance_pct"`
}

// OpenData is everything the public page shows: anonymised aggregates.
type OpenData struct {
	GeneratedAt time.Time            `json:"generated_at"`
	Kelurahan   string               `json:"kelurahan"` // "" = city
	From        time.Time            `json:"from"`
	To          time.Time            `json:"to"`
	MinCell     int                  `json:"min_cell"`
	Categories  []PublicCategoryCell `json:"categories"`
	RWTotals    []PublicRWTotal      `json:"rw_totals"`
	RWGrid      []PublicRWCell       `json:"rw_grid"` // each RW over the period, where all its months are published
	SLA         []PublicSLA          `json:"sla"`
	Decisions   []*PublicDecision    `json:"pilot_decisions"`
}

// PublishOpenData turns exact counts into the public page. Every cell of
// fewer than MinPublicCell tickets is suppressed. Within one RW and month,
// whose total is shown, a single suppressed kategori could be recovered by
// subtraction, so the next smallest kategori is suppressed with it; an RW
// total below the threshold suppresses the RW's every cell.
func PublishOpenData(c *OpenDataCounts, kelurahan string, from, to, now time.Time) *OpenData {
	out := &OpenData{GeneratedAt: now, Kelurahan: kelurahan, From: from, To: to, MinCell: MinPublicCell,
		Categories: []PublicCategoryCell{}, RWTotals: []PublicRWTotal{}, SLA: []PublicSLA{}, Decisions: []*PublicDecision{}}
	name := func(k string) string {
		if n := c.KelurahanNames[k]; n != "" {
			return n
		}
		return k
	}
	type group struct{ kel, month, rw string }
	groups := map[group][]OpenCategoryCount{}
	var order []group
	for _, x := range c.Categories {
		g := group{x.Kelurahan, x.Month, x.RW}
		if _, ok := groups[g]; !ok {
			order = append(order, g)
		}
		groups[g] = append(groups[g], x)
	}
	sort.Slice(order, func(i, j int) bool {
		a, b := order[i], order[j]
		if a.kel != b.kel {
			return a.kel < b.kel
		}
		if a.month != b.month {
			return a.month < b.month
		}
		return a.rw < b.rw
	})
	for _, g := range order {
		cells := groups[g]
		sort.Slice(cells, func(i, j int) bool {
			if cells[i].Count != cells[j].Count {
				return cells[i].Count < cells[j].Count
			}
			return cells[i].Kategori < cells[j].Kategori
		})
		total := 0
		for _, x := range cells {
			total += x.Count
		}
		suppressed := make([]bool, len(cells))
		n := 0
		for i, x := range cells {
			if x.Count < MinPublicCell || total < MinPublicCell {
				suppressed[i] = true
				n++
			}
		}
		// Complementary suppression: with the total shown, one hidden cell
		// equals the total minus the others.
		if total >= MinPublicCell && n == 1 {
			for i := range cells {
				if !suppressed[i] {
					suppressed[i] = true
					break
				}
			}
		}
		out.RWTotals = append(out.RWTotals, PublicRWTotal{Kelurahan: g.kel, KelurahanName: name(g.kel), Month: g.month, RW: g.rw,
			Count: publicCount(total, total < MinPublicCell)})
		sorted := make([]PublicCategoryCell, len(cells))
		for i, x := range cells {
			sorted[i] = PublicCategoryCell{Kelurahan: g.kel, KelurahanName: name(g.kel), Month: g.month, RW: g.rw,
				Kategori: x.Kategori, Count: publicCount(x.Count, suppressed[i])}
		}
		sort.Slice(sorted, func(i, j int) bool { return sorted[i].Kategori < sorted[j].Kategori })
		out.Categories = append(out.Categories, sorted...)
	}
	for _, s := range c.SLA {
		row := PublicSLA{Kelurahan: s.Kelurahan, KelurahanName: name(s.Kelurahan), Month: s.Month,
			Tickets: publicCount(s.Tickets, s.Tickets < MinPublicCell), Ended: publicCount(s.Ended, s.Ended < MinPublicCell)}
		if s.Ended >= MinPublicCell {
			row.CompliancePct = Share(float64(s.OnTime), float64(s.Ended))
		}
		out.SLA = append(out.SLA, row)
	}
	if c.Decisions != nil {
		out.Decisions = c.Decisions
	}
	out.RWGrid = publicRWGrid(out.RWTotals)
	return out
}

func publicCount(n int, suppressed bool) PublicCount {
	if suppressed {
		return PublicCount{Suppressed: true}
	}
	return PublicCount{Value: &n}
}
