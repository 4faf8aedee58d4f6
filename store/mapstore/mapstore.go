// Package mapstore reads the located tickets for the maps
// (hailurah.TicketMapService). It sits beside package store, over the
// same database, so the store stays within its size bound.
package mapstore

import (
	"context"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store"
)

var _ hailurah.TicketMapService = (*Store)(nil)

// Store implements hailurah.TicketMapService over the store's database.
type Store struct {
	db *store.DB
}

// New returns the map reader of db.
func New(db *store.DB) *Store { return &Store{db: db} }

type pointRow struct {
	ID            string
	KelurahanCode *string
	RT            string `gorm:"column:rt"`
	RW            string `gorm:"column:rw"`
	Kategori      string
	Status        string
	UrgencyScore  int
	Lat, Lng      float64
}

// TicketPoints lists the tickets with coordinates received in [from, to),
// newest first.
func (s *Store) TicketPoints(ctx context.Context, kelurahan string, from, to time.Time, limit int) ([]hailurah.TicketPoint, error) {
	if !from.Before(to) {
		return nil, hailurah.Errorf(hailurah.EINVALID, "Periode peta tidak valid: awal harus sebelum akhir.")
	}
	if limit <= 0 || limit > hailurah.MaxMapPoints {
		limit = hailurah.MaxMapPoints
	}
	q := s.db.Gorm().WithContext(ctx).Table("tickets").
		Select("id, kelurahan_code, rt, rw, kategori, status, urgency_score, lat, lng").
		Where("lat IS NOT NULL AND lng IS NOT NULL AND datetime_received >= ? AND datetime_received < ?", from.UTC(), to.UTC())
	if kelurahan != "" {
		q = q.Where("kelurahan_code = ?", kelurahan)
	}
	var rows []pointRow
	if err := q.Order("datetime_received DESC, id DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, hailurah.Errorf(hailurah.EINTERNAL, "list located tickets: %v", err)
	}
	out := make([]hailurah.TicketPoint, 0, len(rows))
	for _, r := range rows {
		if !hailurah.ValidCoordinates(r.Lat, r.Lng) {
			continue
		}
		p := hailurah.TicketPoint{TicketID: r.ID, RT: r.RT, RW: r.RW, Kategori: r.Kategori, Status: hailurah.TicketStatus(r.Status),
			Urgency: r.UrgencyScore, Lat: r.Lat, Lng: r.Lng}
		if r.KelurahanCode != nil {
			p.Kelurahan = *r.KelurahanCode
		}
		out = append(out, p)
	}
	return out, nil
}
