package loanstore

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/finance"
)

type budgetLineRow struct {
	KelurahanCode string `gorm:"primaryKey"`
	Line          string `gorm:"primaryKey"`
	Source        string
	Planned       int64
	UpdatedBy     string
	UpdatedAt     time.Time
}

func (budgetLineRow) TableName() string { return "budget_lines" }

// SetBudgetLine implements finance.BudgetService.
func (s *Store) SetBudgetLine(ctx context.Context, kelurahan, line, source string, planned int64, by string) error {
	if finance.BudgetLineLabel(line) == "" {
		return hailurah.FieldErrorf("line", "Pos anggaran %q tidak dikenal.", line)
	}
	if finance.BudgetSourceLabel(source) == "" {
		return hailurah.FieldErrorf("source", "Sumber dana harus APBD kelurahan, CSR atau dana bergulir.")
	}
	if planned < 0 || planned > hailurah.MaxRupiah {
		return hailurah.FieldErrorf("planned", "Rencana anggaran tidak boleh negatif.")
	}
	row := budgetLineRow{KelurahanCode: kelurahan, Line: line, Source: source, Planned: planned, UpdatedBy: by, UpdatedAt: utc(s.db.Now())}
	err := s.q(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "kelurahan_code"}, {Name: "line"}},
		DoUpdates: clause.AssignmentColumns([]string{"source", "planned", "updated_by", "updated_at"})}).Create(&row).Error
	if errors.Is(err, gorm.ErrForeignKeyViolated) {
		return hailurah.Errorf(hailurah.ENOTFOUND, "Kelurahan %q tidak ditemukan.", kelurahan)
	}
	return err
}

// FindBudget implements finance.BudgetService. Committed and spent come
// from what exists: grants not rejected / disbursed, padat karya wages
// (workers × days × wage, paid as recorded), loans approved / disbursed.
func (s *Store) FindBudget(ctx context.Context, kelurahan string) (*finance.Budget, error) {
	q := s.q(ctx)
	scope := func(col string) (string, []any) {
		if kelurahan == "" {
			return "1 = 1", nil
		}
		return col + " = ?", []any{kelurahan}
	}
	if kelurahan != "" {
		var n int64
		if err := q.Table("kelurahan").Where("code = ?", kelurahan).Count(&n).Error; err != nil {
			return nil, err
		} else if n == 0 {
			return nil, hailurah.Errorf(hailurah.ENOTFOUND, "Kelurahan %q tidak ditemukan.", kelurahan)
		}
	}
	var planned []struct {
		Line, Source string
		Planned      int64
	}
	where, args := scope("kelurahan_code")
	if err := q.Table("budget_lines").Select("line, MIN(source) AS source, SUM(planned) AS planned").
		Where(where, args...).Group("line").Scan(&planned).Error; err != nil {
		return nil, err
	}
	var g, l struct{ Committed, Spent int64 }
	if err := q.Table("grants").Select(`COALESCE(SUM(CASE WHEN status <> 'rejected' THEN amount ELSE 0 END), 0) AS committed,
		COALESCE(SUM(CASE WHEN disbursed_at IS NOT NULL THEN amount ELSE 0 END), 0) AS spent`).Where(where, args...).Scan(&g).Error; err != nil {
		return nil, err
	}
	if err := q.Table("loans").Select(`COALESCE(SUM(CASE WHEN approved_at IS NOT NULL AND status <> 'ditolak' THEN amount ELSE 0 END), 0) AS committed,
		COALESCE(SUM(CASE WHEN disbursed_at IS NOT NULL THEN amount ELSE 0 END), 0) AS spent`).Where(where, args...).Scan(&l).Error; err != nil {
		return nil, err
	}
	var wages int64
	pwhere, pargs := scope("p.kelurahan_code")
	if err := q.Table("padat_karya_workers w").Joins("JOIN padat_karya_projects p ON p.id = w.project_id").
		Select("COALESCE(SUM(w.days * w.wage_per_day), 0)").Where(pwhere, pargs...).Scan(&wages).Error; err != nil {
		return nil, err
	}
	used := map[string][2]int64{
		finance.BudgetHibah:        {g.Committed, g.Spent},
		finance.BudgetDanaBergulir: {l.Committed, l.Spent},
		finance.BudgetPadatKarya:   {wages, wages},
	}
	b := &finance.Budget{Kelurahan: kelurahan}
	for _, d := range finance.SeedBudget {
		line := finance.BudgetLine{Line: d.Line, Label: d.Label, Source: d.Source}
		for _, p := range planned {
			if p.Line == d.Line {
				line.Planned, line.Source = p.Planned, p.Source
			}
		}
		line.SourceLabel = finance.BudgetSourceLabel(line.Source)
		if u, ok := used[d.Line]; ok {
			line.Committed, line.Spent = &u[0], &u[1]
			b.Committed += u[0]
			b.Spent += u[1]
		}
		b.Planned += line.Planned
		b.Lines = append(b.Lines, line)
	}
	return b, nil
}
