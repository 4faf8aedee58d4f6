// Package reportstore keeps the reports table: the reports the monthly
// schedule made, with their files (hailurah.ReportService). It sits beside
// package store, over the same database, so the store stays within its
// size bound.
package reportstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store"
)

var _ hailurah.ReportService = (*Store)(nil)

// Store implements hailurah.ReportService over the store's database, on
// its clock.
type Store struct {
	db *store.DB
}

// New returns the reports table of db.
func New(db *store.DB) *Store { return &Store{db: db} }

// maxReportSize bounds a stored file; a month's report is tens of
// kilobytes.
const maxReportSize = 20 << 20

type reportRow struct {
	ID        int64 `gorm:"primaryKey"`
	Kind      string
	Period    string
	Kelurahan string
	Format    string
	Size      int64
	SHA256    string `gorm:"column:sha256"`
	Content   []byte
	MadeAt    time.Time
}

func (reportRow) TableName() string { return "reports" }

func (r *reportRow) report() *hailurah.StoredReport {
	return &hailurah.StoredReport{ID: r.ID, Kind: r.Kind, Period: r.Period, Kelurahan: r.Kelurahan, Format: r.Format,
		Size: r.Size, SHA256: r.SHA256, MadeAt: r.MadeAt.UTC(), Content: r.Content}
}

// SaveReport implements hailurah.ReportService: one upsert on the
// report's natural key, so a period made twice (a retried activity, a
// schedule caught up, a run by hand) keeps one row, the latest.
func (s *Store) SaveReport(ctx context.Context, r *hailurah.StoredReport) error {
	period, err := hailurah.ParseReportPeriod(r.Period)
	switch {
	case r.Kind != hailurah.ReportSIAPTaman && r.Kind != hailurah.ReportHaiLurah:
		return hailurah.FieldErrorf("kind", "Jenis laporan harus siap-taman atau hai-lurah.")
	case err != nil:
		return err
	case r.Format != hailurah.ReportPDF && r.Format != hailurah.ReportCSV && r.Format != hailurah.ReportJSON:
		return hailurah.FieldErrorf("format", "format harus pdf, csv atau json.")
	case len(r.Content) == 0 || len(r.Content) > maxReportSize:
		return hailurah.FieldErrorf("content", "Berkas laporan kosong atau terlalu besar.")
	}
	sum := sha256.Sum256(r.Content)
	row := reportRow{Kind: r.Kind, Period: period.String(), Kelurahan: r.Kelurahan, Format: r.Format,
		Size: int64(len(r.Content)), SHA256: hex.EncodeToString(sum[:]), Content: r.Content, MadeAt: s.db.Now().UTC().Truncate(time.Microsecond)}
	if !r.MadeAt.IsZero() {
		row.MadeAt = r.MadeAt.UTC().Truncate(time.Microsecond)
	}
	err = s.db.Gorm().WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "kind"}, {Name: "period"}, {Name: "kelurahan"}, {Name: "format"}},
			DoUpdates: clause.AssignmentColumns([]string{"size", "sha256", "content", "made_at"}),
		}).Omit("id").Create(&row).Error; err != nil {
			return err
		}
		return tx.Where("kind = ? AND period = ? AND kelurahan = ? AND format = ?", row.Kind, row.Period, row.Kelurahan, row.Format).
			Select("id").Take(&row).Error
	})
	if err != nil {
		return err
	}
	r.ID, r.Period, r.Size, r.SHA256, r.MadeAt = row.ID, row.Period, row.Size, row.SHA256, row.MadeAt
	return nil
}

// ListReports implements hailurah.ReportService.
func (s *Store) ListReports(ctx context.Context, f hailurah.ReportFilter) ([]*hailurah.StoredReport, error) {
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 200
	}
	q := s.db.Gorm().WithContext(ctx).Model(&reportRow{}).
		Select("id, kind, period, kelurahan, format, size, sha256, made_at")
	if !f.All {
		q = q.Where("kelurahan = ?", f.Kelurahan)
	}
	var rows []reportRow
	if err := q.Order("period DESC, kind DESC, kelurahan, format DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]*hailurah.StoredReport, len(rows))
	for i := range rows {
		out[i] = rows[i].report()
	}
	return out, nil
}

// FindReport implements hailurah.ReportService.
func (s *Store) FindReport(ctx context.Context, id int64) (*hailurah.StoredReport, error) {
	var row reportRow
	err := s.db.Gorm().WithContext(ctx).Where("id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, hailurah.Errorf(hailurah.ENOTFOUND, "Laporan tidak ditemukan.")
	}
	if err != nil {
		return nil, err
	}
	return row.report(), nil
}
