package hailurah

import (
	"context"
	"math"
	"sort"
	"time"
)

// TicketPoint is a ticket that carries coordinates (a WhatsApp location,
// or the web chat's opt-in "bagikan lokasi"), for the staff map.
type TicketPoint struct {
	TicketID  string       `json:"ticket_id"`
	Kelurahan string       `json:"kelurahan"`
	RT        string       `json:"rt,omitempty"`
	RW        string       `json:"rw,omitempty"`
	Kategori  string       `json:"kategori"`
	Status    TicketStatus `json:"status"`
	Urgency   int          `json:"urgency"`
	Lat       float64      `json:"lat"`
	Lng       float64      `json:"lng"`
}

// TicketMapService lists the located tickets of a kelurahan ("" for the
// city) received in [from, to), at most limit, newest first.
type TicketMapService interface {
	TicketPoints(ctx context.Context, kelurahan string, from, to time.Time, limit int) ([]TicketPoint, error)
}

// MaxMapPoints bounds one map's points.
const MaxMapPoints = 5000

// MapCellDegrees is the side of the public map's grid cells, about 550 m
// at Madiun's latitude: a cell holds a neighbourhood, never a house.
const MapCellDegrees = 0.005

// MapCell is one cell of the public map: its bounds and how many located
// tickets fall in it. Only cells with at least MinPublicCell tickets are
// published; a point's own coordinates never are.
type MapCell struct {
	South float64 `json:"south"`
	West  float64 `json:"west"`
	North float64 `json:"north"`
	East  float64 `json:"east"`
	Count int     `json:"count"`
}

// PublicMap is the public map's content: the published cells and how many
// located tickets sit in cells too small to show.
type PublicMap struct {
	CellDegrees float64   `json:"cell_degrees"`
	MinCell     int       `json:"min_cell"`
	Cells       []MapCell `json:"cells"`
	Hidden      int       `json:"hidden"`
}

// ValidCoordinates reports whether lat/lng are a point on Earth (and not
// the 0,0 a broken GPS sends).
func ValidCoordinates(lat, lng float64) bool {
	if math.IsNaN(lat) || math.IsNaN(lng) || math.IsInf(lat, 0) || math.IsInf(lng, 0) {
		return false
	}
	return lat >= -90 && lat <= 90 && lng >= -180 && lng <= 180 && (lat != 0 || lng != 0)
}

// PublishMap snaps points to the MapCellDegrees grid and keeps the cells
// of at least MinPublicCell tickets, largest first.
func PublishMap(points []TicketPoint) *PublicMap {
	type key struct{ y, x int64 }
	counts := map[key]int{}
	for _, p := range points {
		k := key{int64(math.Floor(p.Lat / MapCellDegrees)), int64(math.Floor(p.Lng / MapCellDegrees))}
		counts[k]++
	}
	out := &PublicMap{CellDegrees: MapCellDegrees, MinCell: MinPublicCell, Cells: []MapCell{}}
	for k, n := range counts {
		if n < MinPublicCell {
			out.Hidden += n
			continue
		}
		round := func(v float64) float64 { return math.Round(v*1e6) / 1e6 }
		out.Cells = append(out.Cells, MapCell{South: round(float64(k.y) * MapCellDegrees), West: round(float64(k.x) * MapCellDegrees),
			North: round(float64(k.y+1) * MapCellDegrees), East: round(float64(k.x+1) * MapCellDegrees), Count: n})
	}
	sort.Slice(out.Cells, func(i, j int) bool {
		a, b := out.Cells[i], out.Cells[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		if a.South != b.South {
			return a.South < b.South
		}
		return a.West < b.West
	})
	return out
}

// PublicRWCell is one RW's published tickets over the whole period.
type PublicRWCell struct {
	Kelurahan string `json:"kelurahan"`
	RW        string `json:"rw"`
	Count     int    `json:"count"`
}

// publicRWGrid sums the published monthly RW totals per kelurahan and RW;
// an RW with any suppressed month, or without an RW, is left out.
func publicRWGrid(totals []PublicRWTotal) []PublicRWCell {
	type key struct{ kel, rw string }
	sum, hidden := map[key]int{}, map[key]bool{}
	var order []key
	for _, t := range totals {
		k := key{t.Kelurahan, t.RW}
		if _, ok := sum[k]; !ok {
			order = append(order, k)
			sum[k] = 0
		}
		if t.Count.Suppressed || t.Count.Value == nil {
			hidden[k] = true
			continue
		}
		sum[k] += *t.Count.Value
	}
	out := []PublicRWCell{}
	for _, k := range order {
		if k.rw != "" && !hidden[k] && sum[k] >= MinPublicCell {
			out = append(out, PublicRWCell{Kelurahan: k.kel, RW: k.rw, Count: sum[k]})
		}
	}
	return out
}
