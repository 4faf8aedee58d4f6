// Package mediastore keeps the media table: one row per attachment of a
// ticket (hailurah.MediaService). It sits beside package store, over the
// same database, so the store stays within its size bound.
package mediastore

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store"
)

var _ hailurah.MediaService = (*Store)(nil)

// Store implements hailurah.MediaService over the store's database, on
// its clock.
type Store struct {
	db *store.DB
}

// New returns the media table of db.
func New(db *store.DB) *Store { return &Store{db: db} }

func (s *Store) q(ctx context.Context) *gorm.DB { return s.db.Gorm().WithContext(ctx) }

// utc is how the store writes times: UTC, whole microseconds (all
// Postgres keeps), so they read back equal on both dialects.
func utc(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// validText is the store's check of a text column: UTF-8, no NUL, at most
// max runes, not blank when required.
func validText(s string, max int, required bool) bool {
	if required && strings.TrimSpace(s) == "" {
		return false
	}
	return utf8.ValidString(s) && utf8.RuneCountInString(s) <= max && !strings.ContainsRune(s, 0)
}

func isConstraint(err error) bool {
	return errors.Is(err, gorm.ErrDuplicatedKey) || errors.Is(err, gorm.ErrCheckConstraintViolated)
}

const maxMediaSourceLen = 2048

type mediaRow struct {
	ID           string `gorm:"primaryKey"`
	TicketID     string
	Source       string
	Type         string
	MIME         string `gorm:"column:mime"`
	Size         int64
	SHA256       string `gorm:"column:sha256"`
	StorageKey   string
	ThumbnailKey string
	Status       string
	Note         string
	CreatedAt    time.Time
}

func (mediaRow) TableName() string { return "media" }

func (r *mediaRow) media() *hailurah.Media {
	return &hailurah.Media{ID: r.ID, TicketID: r.TicketID, Source: r.Source, Type: r.Type, MIME: r.MIME,
		Size: r.Size, SHA256: r.SHA256, StorageKey: r.StorageKey, ThumbnailKey: r.ThumbnailKey,
		Status: r.Status, Note: r.Note, CreatedAt: utc(r.CreatedAt)}
}

// SaveMedia implements hailurah.MediaService. A replaced row keeps its
// created_at, so the ticket's media keep their order.
func (s *Store) SaveMedia(ctx context.Context, m *hailurah.Media) error {
	switch {
	case !validText(m.ID, 64, true):
		return hailurah.FieldErrorf("id", "Id media wajib diisi.")
	case !validText(m.TicketID, 64, true):
		return hailurah.FieldErrorf("ticket_id", "Id tiket wajib diisi.")
	case !validText(m.Source, maxMediaSourceLen, true):
		return hailurah.FieldErrorf("source", "Sumber media wajib diisi (maks. %d karakter).", maxMediaSourceLen)
	case m.Type != "" && !hailurah.ValidMediaType(m.Type):
		return hailurah.FieldErrorf("type", "Jenis media %q tidak dikenal.", m.Type)
	case !hailurah.ValidMediaStatus(m.Status):
		return hailurah.FieldErrorf("status", "Status media %q tidak dikenal.", m.Status)
	case !validText(m.Note, 1000, false):
		return hailurah.FieldErrorf("note", "Catatan media terlalu panjang.")
	}
	if m.CreatedAt.IsZero() {
		m.CreatedAt = s.db.Now()
	}
	row := mediaRow{ID: m.ID, TicketID: m.TicketID, Source: m.Source, Type: m.Type, MIME: m.MIME, Size: m.Size,
		SHA256: m.SHA256, StorageKey: m.StorageKey, ThumbnailKey: m.ThumbnailKey, Status: m.Status, Note: m.Note,
		CreatedAt: utc(m.CreatedAt)}
	err := s.q(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "id"}},
		DoUpdates: clause.AssignmentColumns([]string{"type", "mime", "size", "sha256", "storage_key", "thumbnail_key", "status", "note"}),
	}).Create(&row).Error
	if isConstraint(err) {
		return hailurah.Errorf(hailurah.EINVALID, "Media tidak valid.")
	}
	return err
}

// FindMedia implements hailurah.MediaService.
func (s *Store) FindMedia(ctx context.Context, id string) (*hailurah.Media, error) {
	var row mediaRow
	err := s.q(ctx).Where("id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, hailurah.Errorf(hailurah.ENOTFOUND, "Media tidak ditemukan.")
	} else if err != nil {
		return nil, err
	}
	return row.media(), nil
}

// ListTicketMedia implements hailurah.MediaService.
func (s *Store) ListTicketMedia(ctx context.Context, ticketID string) ([]*hailurah.Media, error) {
	var rows []mediaRow
	if err := s.q(ctx).Where("ticket_id = ?", ticketID).Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]*hailurah.Media, len(rows))
	for i := range rows {
		out[i] = rows[i].media()
	}
	return out, nil
}
