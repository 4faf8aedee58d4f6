// Package fieldstore keeps what the fasilitator records in the field
// beside the programme's tables (hailurah.FieldService): Pasar Rakyat
// bazaars, mentoring visits, the Toko Warga Taman catalogue and its
// orders, and the member lists the forms pick from. It sits beside package
// store, over the same database, so the store stays within its size bound.
package fieldstore

import (
	"context"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store"
)

var _ hailurah.FieldService = (*Store)(nil)

// Store implements hailurah.FieldService over the store's database.
type Store struct {
	db *store.DB
}

// New returns the field records of db.
func New(db *store.DB) *Store { return &Store{db: db} }

func (s *Store) q(ctx context.Context) *gorm.DB { return s.db.Gorm().WithContext(ctx) }

func (s *Store) now() time.Time { return utc(s.db.Now()) }

func utc(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// day is a calendar date as the store keeps it: 00:00 UTC.
func day(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// maxRows bounds what one form records at once: a padat karya week of a
// hundred workers fits with room.
const maxRows = 500

func notFound(what string) error {
	return hailurah.Errorf(hailurah.ENOTFOUND, "%s tidak ditemukan.", what)
}

func findOr(err error, what string) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return notFound(what)
	}
	return err
}

// householdOf returns the kelurahan and head of household of id, or
// ENOTFOUND.
func householdOf(tx *gorm.DB, id string) (kelurahan, name string, err error) {
	var r struct{ KelurahanCode, NamaKepalaKeluarga string }
	err = tx.Table("households").Select("kelurahan_code, nama_kepala_keluarga").Where("id = ?", id).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return "", "", hailurah.FieldErrorf("household_id", "Rumah tangga %q tidak ditemukan.", id)
	}
	return r.KelurahanCode, r.NamaKepalaKeluarga, err
}

// SearchMembers implements hailurah.FieldService.
func (s *Store) SearchMembers(ctx context.Context, kelurahan, q string, limit int) ([]*hailurah.MemberPick, error) {
	if limit < 1 || limit > maxRows {
		return nil, hailurah.FieldErrorf("limit", "Batas daftar harus 1–%d.", maxRows)
	}
	var rows []struct {
		ID          int64
		HouseholdID string
		Name        string
		Gender      string
		Age         int
		Head        string
		AlamatRTRW  string
	}
	tx := s.q(ctx).Table("household_members AS m").
		Select("m.id, m.household_id, m.name, m.gender, m.age, h.nama_kepala_keluarga AS head, h.alamat_rt_rw").
		Joins("JOIN households h ON h.id = m.household_id").Where("h.kelurahan_code = ?", kelurahan)
	if q = strings.ToLower(strings.TrimSpace(q)); q != "" {
		like := "%" + strings.NewReplacer("%", "", "_", "").Replace(q) + "%"
		tx = tx.Where("LOWER(m.name) LIKE ? OR LOWER(h.id) LIKE ? OR LOWER(h.nama_kepala_keluarga) LIKE ?", like, like, like)
	}
	if err := tx.Order("m.household_id, m.id").Limit(limit).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]*hailurah.MemberPick, len(rows))
	for i, r := range rows {
		out[i] = &hailurah.MemberPick{HouseholdMember: hailurah.HouseholdMember{ID: r.ID, HouseholdID: r.HouseholdID,
			Name: r.Name, Gender: r.Gender, Age: r.Age}, Household: r.Head, RTRW: r.AlamatRTRW}
	}
	return out, nil
}

// ListAttendance implements hailurah.FieldService.
func (s *Store) ListAttendance(ctx context.Context, trainingID int64) ([]*hailurah.AttendanceRow, error) {
	var rows []struct {
		TrainingID, MemberID    int64
		HouseholdID, Name, Head string
		Attended, Certified     bool
	}
	err := s.q(ctx).Table("training_attendance AS a").
		Select("a.training_id, a.member_id, a.household_id, a.attended, a.certified, m.name, h.nama_kepala_keluarga AS head").
		Joins("JOIN household_members m ON m.id = a.member_id").Joins("JOIN households h ON h.id = a.household_id").
		Where("a.training_id = ?", trainingID).Order("a.household_id, m.id").Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]*hailurah.AttendanceRow, len(rows))
	for i, r := range rows {
		out[i] = &hailurah.AttendanceRow{TrainingAttendance: hailurah.TrainingAttendance{TrainingID: r.TrainingID,
			MemberID: r.MemberID, HouseholdID: r.HouseholdID, Attended: r.Attended, Certified: r.Certified},
			Member: r.Name, Household: r.Head}
	}
	return out, nil
}

// ListWorkers implements hailurah.FieldService.
func (s *Store) ListWorkers(ctx context.Context, projectID int64) ([]*hailurah.WorkerRow, error) {
	var rows []struct {
		ProjectID, MemberID     int64
		HouseholdID, Name, Head string
		Days                    int
		WagePerDay              int64
	}
	err := s.q(ctx).Table("padat_karya_workers AS w").
		Select("w.project_id, w.member_id, w.household_id, w.days, w.wage_per_day, m.name, h.nama_kepala_keluarga AS head").
		Joins("JOIN household_members m ON m.id = w.member_id").Joins("JOIN households h ON h.id = w.household_id").
		Where("w.project_id = ?", projectID).Order("w.household_id, m.id").Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]*hailurah.WorkerRow, len(rows))
	for i, r := range rows {
		out[i] = &hailurah.WorkerRow{PadatKaryaWorker: hailurah.PadatKaryaWorker{ProjectID: r.ProjectID, MemberID: r.MemberID,
			HouseholdID: r.HouseholdID, Days: r.Days, WagePerDay: r.WagePerDay}, Member: r.Name, Household: r.Head}
	}
	return out, nil
}

// --- Pasar Rakyat ---

type bazaarRow struct {
	ID            int64 `gorm:"primaryKey"`
	KelurahanCode string
	HeldOn        time.Time
	Place         string
	CreatedBy     string
	CreatedAt     time.Time
}

func (bazaarRow) TableName() string { return "bazaars" }

func (r *bazaarRow) bazaar() *hailurah.Bazaar {
	return &hailurah.Bazaar{ID: r.ID, Kelurahan: r.KelurahanCode, HeldOn: day(r.HeldOn), Place: r.Place,
		CreatedBy: r.CreatedBy, CreatedAt: utc(r.CreatedAt), Stalls: []hailurah.BazaarStall{}}
}

type stallRow struct {
	BazaarID    int64  `gorm:"primaryKey"`
	HouseholdID string `gorm:"primaryKey"`
	Product     string
	Sales       int64
	UpdatedAt   time.Time
}

func (stallRow) TableName() string { return "bazaar_stalls" }

// CreateBazaar implements hailurah.FieldService.
func (s *Store) CreateBazaar(ctx context.Context, b *hailurah.Bazaar) error {
	if err := b.Validate(); err != nil {
		return err
	}
	row := bazaarRow{KelurahanCode: b.Kelurahan, HeldOn: day(b.HeldOn), Place: strings.TrimSpace(b.Place),
		CreatedBy: b.CreatedBy, CreatedAt: s.now()}
	if err := s.q(ctx).Create(&row).Error; err != nil {
		if errors.Is(err, gorm.ErrForeignKeyViolated) {
			return hailurah.FieldErrorf("kelurahan", "Kelurahan %q tidak ditemukan.", b.Kelurahan)
		}
		return err
	}
	*b = *row.bazaar()
	return nil
}

// FindBazaar implements hailurah.FieldService.
func (s *Store) FindBazaar(ctx context.Context, id int64) (*hailurah.Bazaar, error) {
	var row bazaarRow
	if err := s.q(ctx).Take(&row, id).Error; err != nil {
		return nil, findOr(err, "Pasar rakyat")
	}
	b := row.bazaar()
	var stalls []struct {
		HouseholdID, Product, Head string
		Sales                      int64
	}
	err := s.q(ctx).Table("bazaar_stalls AS st").Select("st.household_id, st.product, st.sales, h.nama_kepala_keluarga AS head").
		Joins("JOIN households h ON h.id = st.household_id").Where("st.bazaar_id = ?", id).Order("st.household_id").Scan(&stalls).Error
	if err != nil {
		return nil, err
	}
	for _, st := range stalls {
		b.Stalls = append(b.Stalls, hailurah.BazaarStall{BazaarID: id, HouseholdID: st.HouseholdID, Household: st.Head,
			Product: st.Product, Sales: st.Sales})
	}
	return b, nil
}

// ListBazaars implements hailurah.FieldService: newest first, each with
// its stalls' count and sales summed into one stall-less row.
func (s *Store) ListBazaars(ctx context.Context, kelurahan string) ([]*hailurah.Bazaar, error) {
	var rows []bazaarRow
	if err := s.q(ctx).Where("kelurahan_code = ?", kelurahan).Order("held_on DESC, id DESC").Limit(maxRows).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]*hailurah.Bazaar, len(rows))
	for i := range rows {
		out[i] = rows[i].bazaar()
		var stalls []stallRow
		if err := s.q(ctx).Where("bazaar_id = ?", rows[i].ID).Find(&stalls).Error; err != nil {
			return nil, err
		}
		for _, st := range stalls {
			out[i].Stalls = append(out[i].Stalls, hailurah.BazaarStall{BazaarID: st.BazaarID, HouseholdID: st.HouseholdID,
				Product: st.Product, Sales: st.Sales})
		}
	}
	return out, nil
}

// RecordStalls implements hailurah.FieldService, all or nothing.
func (s *Store) RecordStalls(ctx context.Context, bazaarID int64, stalls []hailurah.BazaarStall) error {
	if len(stalls) == 0 || len(stalls) > maxRows {
		return hailurah.FieldErrorf("stalls", "Catat 1–%d lapak.", maxRows)
	}
	b, err := s.FindBazaar(ctx, bazaarID)
	if err != nil {
		return err
	}
	now := s.now()
	return s.q(ctx).Transaction(func(tx *gorm.DB) error {
		for _, st := range stalls {
			kel, _, err := householdOf(tx, st.HouseholdID)
			if err != nil {
				return err
			}
			if kel != b.Kelurahan {
				return hailurah.FieldErrorf("household_id", "Rumah tangga %s bukan dari kelurahan pasar ini.", st.HouseholdID)
			}
			if st.Sales < 0 || st.Sales > hailurah.MaxRupiah {
				return hailurah.FieldErrorf("sales", "Penjualan lapak %s harus antara Rp 0 dan Rp 1 triliun.", st.HouseholdID)
			}
			row := stallRow{BazaarID: bazaarID, HouseholdID: st.HouseholdID, Product: strings.TrimSpace(st.Product), Sales: st.Sales, UpdatedAt: now}
			if err := tx.Clauses(clause.OnConflict{
				Columns:   []clause.Column{{Name: "bazaar_id"}, {Name: "household_id"}},
				DoUpdates: clause.AssignmentColumns([]string{"product", "sales", "updated_at"}),
			}).Create(&row).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

// --- mentoring ---

type visitRow struct {
	ID            int64 `gorm:"primaryKey"`
	HouseholdID   string
	KelurahanCode string
	VisitedOn     time.Time
	Mentor        string
	Notes         string
	NextStep      string
	CreatedBy     string
	CreatedAt     time.Time
}

func (visitRow) TableName() string { return "mentoring_visits" }

// AddMentoringVisit implements hailurah.FieldService.
func (s *Store) AddMentoringVisit(ctx context.Context, v *hailurah.MentoringVisit) error {
	if err := firstOf(v.FieldErrors()); err != nil {
		return err
	}
	return s.q(ctx).Transaction(func(tx *gorm.DB) error {
		kel, head, err := householdOf(tx, v.HouseholdID)
		if err != nil {
			return err
		}
		row := visitRow{HouseholdID: v.HouseholdID, KelurahanCode: kel, VisitedOn: day(v.VisitedOn), Mentor: strings.TrimSpace(v.Mentor),
			Notes: strings.TrimSpace(v.Notes), NextStep: strings.TrimSpace(v.NextStep), CreatedBy: v.CreatedBy, CreatedAt: s.now()}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		v.ID, v.Kelurahan, v.Household, v.VisitedOn, v.CreatedAt = row.ID, kel, head, row.VisitedOn, row.CreatedAt
		return nil
	})
}

// ListMentoringVisits implements hailurah.FieldService.
func (s *Store) ListMentoringVisits(ctx context.Context, kelurahan, householdID string) ([]*hailurah.MentoringVisit, error) {
	var rows []struct {
		ID                                                        int64
		HouseholdID, KelurahanCode, Mentor, Notes, NextStep, Head string
		CreatedBy                                                 string
		VisitedOn, CreatedAt                                      time.Time
	}
	tx := s.q(ctx).Table("mentoring_visits AS v").Select("v.id, v.household_id, v.kelurahan_code, v.mentor, v.notes, v.next_step, "+
		"v.created_by, v.visited_on, v.created_at, h.nama_kepala_keluarga AS head").
		Joins("JOIN households h ON h.id = v.household_id").Where("v.kelurahan_code = ?", kelurahan)
	if householdID != "" {
		tx = tx.Where("v.household_id = ?", householdID)
	}
	if err := tx.Order("v.visited_on DESC, v.id DESC").Limit(maxRows).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]*hailurah.MentoringVisit, len(rows))
	for i, r := range rows {
		out[i] = &hailurah.MentoringVisit{ID: r.ID, HouseholdID: r.HouseholdID, Kelurahan: r.KelurahanCode, VisitedOn: day(r.VisitedOn),
			Mentor: r.Mentor, Notes: r.Notes, NextStep: r.NextStep, CreatedBy: r.CreatedBy, CreatedAt: utc(r.CreatedAt), Household: r.Head}
	}
	return out, nil
}

func firstOf(errs []*hailurah.Error) error {
	if len(errs) == 0 {
		return nil
	}
	return errs[0]
}
