package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/hailurah/hailurah"
)

var _ hailurah.ProgrammeService = (*DB)(nil)

// maxParticipants bounds one attendance or worker list: a training batch
// of the seed is 100 people, padat karya 100 workers.
const maxParticipants = 500

type trainingRow struct {
	ID            int64 `gorm:"primaryKey"`
	KelurahanCode string
	Title         string
	Topic         string
	Trainer       string
	HeldOn        time.Time
	Certifying    bool
	CreatedBy     string
	CreatedAt     time.Time
}

func (trainingRow) TableName() string { return "trainings" }

func (r *trainingRow) training() *hailurah.Training {
	return &hailurah.Training{ID: r.ID, Kelurahan: r.KelurahanCode, Title: r.Title, Topic: r.Topic, Trainer: r.Trainer,
		HeldOn: *dateOnly(&r.HeldOn), Certifying: r.Certifying, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC()}
}

// CreateTraining stores t and sets t.ID and t.CreatedAt. Returns EINVALID
// for a bad field or an unknown kelurahan.
func (db *DB) CreateTraining(ctx context.Context, t *hailurah.Training) error {
	if t == nil {
		return hailurah.Errorf(hailurah.EINVALID, "Data pelatihan kosong.")
	}
	switch {
	case !validText(t.Title, hailurah.MaxNameLen, true):
		return hailurah.FieldErrorf("title", "Judul pelatihan wajib diisi (maks. %d karakter).", hailurah.MaxNameLen)
	case !validText(t.Topic, hailurah.MaxNameLen, false):
		return hailurah.FieldErrorf("topic", "Topik terlalu panjang (maks. %d karakter).", hailurah.MaxNameLen)
	case !validText(t.Trainer, hailurah.MaxNameLen, false):
		return hailurah.FieldErrorf("trainer", "Nama pelatih terlalu panjang (maks. %d karakter).", hailurah.MaxNameLen)
	case t.HeldOn.IsZero():
		return hailurah.FieldErrorf("held_on", "Tanggal pelatihan wajib diisi.")
	}
	row := trainingRow{KelurahanCode: t.Kelurahan, Title: strings.TrimSpace(t.Title), Topic: t.Topic, Trainer: strings.TrimSpace(t.Trainer),
		HeldOn: *dateOnly(&t.HeldOn), Certifying: t.Certifying, CreatedBy: t.CreatedBy, CreatedAt: db.now()}
	if err := db.q(ctx).Create(&row).Error; err != nil {
		return programmeWriteError(err, "kelurahan", "Kelurahan %q tidak ditemukan.", t.Kelurahan)
	}
	*t = *row.training()
	return nil
}

// FindTraining returns ENOTFOUND if there is no such training.
func (db *DB) FindTraining(ctx context.Context, id int64) (*hailurah.Training, error) {
	var row trainingRow
	err := db.q(ctx).Where("id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, hailurah.Errorf(hailurah.ENOTFOUND, "Pelatihan %d tidak ditemukan.", id)
	} else if err != nil {
		return nil, err
	}
	return row.training(), nil
}

// ListTrainings returns the kelurahan's trainings (every one for ""),
// latest first.
func (db *DB) ListTrainings(ctx context.Context, kelurahan string) ([]*hailurah.Training, error) {
	q := db.q(ctx).Order("held_on DESC, id DESC")
	if kelurahan != "" {
		q = q.Where("kelurahan_code = ?", kelurahan)
	}
	var rows []trainingRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]*hailurah.Training, len(rows))
	for i := range rows {
		out[i] = rows[i].training()
	}
	return out, nil
}

type attendanceRow struct {
	TrainingID  int64 `gorm:"primaryKey"`
	MemberID    int64 `gorm:"primaryKey"`
	HouseholdID string
	Attended    bool
	Certified   bool
	UpdatedAt   time.Time
}

func (attendanceRow) TableName() string { return "training_attendance" }

// RecordAttendance upserts every member's attendance in one transaction:
// all or nothing. Returns ENOTFOUND for an unknown training, EINVALID for
// a member outside the training's kelurahan, a certificate for an absent
// member or from a training that certifies nobody.
func (db *DB) RecordAttendance(ctx context.Context, trainingID int64, att []hailurah.TrainingAttendance) error {
	if len(att) == 0 || len(att) > maxParticipants {
		return hailurah.FieldErrorf("attendance", "Daftar hadir harus memuat 1–%d anggota.", maxParticipants)
	}
	t, err := db.FindTraining(ctx, trainingID)
	if err != nil {
		return err
	}
	now := db.now()
	return db.tx(ctx, func(tx *gorm.DB) error {
		for i, a := range att {
			if a.Certified && (!a.Attended || !t.Certifying) {
				return hailurah.FieldErrorf("attendance", "Baris %d: sertifikat hanya untuk anggota yang hadir pada pelatihan bersertifikat.", i+1)
			}
			household, err := memberHousehold(tx, a.MemberID, t.Kelurahan)
			if err != nil {
				return err
			}
			row := attendanceRow{TrainingID: trainingID, MemberID: a.MemberID, HouseholdID: household,
				Attended: a.Attended, Certified: a.Certified, UpdatedAt: now}
			if err := tx.Clauses(clause.OnConflict{
				Columns:   []clause.Column{{Name: "training_id"}, {Name: "member_id"}},
				DoUpdates: clause.AssignmentColumns([]string{"attended", "certified", "updated_at"}),
			}).Create(&row).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

// memberHousehold returns the household of a member of kelurahan's
// households, or EINVALID. Staff record participation only for their own
// kelurahan, so a member elsewhere is an input error, not a lookup.
func memberHousehold(tx *gorm.DB, memberID int64, kelurahan string) (string, error) {
	var household string
	err := tx.Table("household_members AS m").Select("m.household_id").
		Joins("JOIN households h ON h.id = m.household_id").
		Where("m.id = ? AND h.kelurahan_code = ?", memberID, kelurahan).
		Limit(1).Scan(&household).Error
	if err != nil {
		return "", err
	}
	if household == "" {
		return "", hailurah.FieldErrorf("member_id", "Anggota %d tidak terdaftar pada rumah tangga kelurahan ini.", memberID)
	}
	return household, nil
}

type padatKaryaRow struct {
	ID            int64 `gorm:"primaryKey"`
	KelurahanCode string
	Name          string
	Location      string
	StartDate     time.Time
	EndDate       *time.Time
	WagePerDay    int64
	CreatedBy     string
	CreatedAt     time.Time
}

func (padatKaryaRow) TableName() string { return "padat_karya_projects" }

func (r *padatKaryaRow) project() *hailurah.PadatKaryaProject {
	return &hailurah.PadatKaryaProject{ID: r.ID, Kelurahan: r.KelurahanCode, Name: r.Name, Location: r.Location,
		StartDate: *dateOnly(&r.StartDate), EndDate: dateOnly(r.EndDate), WagePerDay: r.WagePerDay,
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC()}
}

// CreatePadatKarya stores p and sets p.ID; a zero wage takes the seed's
// Rp 100.000. Returns EINVALID for a bad field or an unknown kelurahan.
func (db *DB) CreatePadatKarya(ctx context.Context, p *hailurah.PadatKaryaProject) error {
	if p == nil {
		return hailurah.Errorf(hailurah.EINVALID, "Data proyek padat karya kosong.")
	}
	if p.WagePerDay == 0 {
		p.WagePerDay = hailurah.DefaultPadatKaryaWage
	}
	switch {
	case !validText(p.Name, hailurah.MaxNameLen, true):
		return hailurah.FieldErrorf("name", "Nama proyek wajib diisi (maks. %d karakter).", hailurah.MaxNameLen)
	case !validText(p.Location, hailurah.MaxNameLen, false):
		return hailurah.FieldErrorf("location", "Lokasi terlalu panjang (maks. %d karakter).", hailurah.MaxNameLen)
	case p.StartDate.IsZero():
		return hailurah.FieldErrorf("start_date", "Tanggal mulai wajib diisi.")
	case p.EndDate != nil && dateOnly(p.EndDate).Before(*dateOnly(&p.StartDate)):
		return hailurah.FieldErrorf("end_date", "Tanggal selesai tidak boleh sebelum tanggal mulai.")
	case p.WagePerDay < 0 || p.WagePerDay > 10_000_000:
		return hailurah.FieldErrorf("wage_per_day", "Upah harian harus antara Rp 1 dan Rp 10.000.000.")
	}
	row := padatKaryaRow{KelurahanCode: p.Kelurahan, Name: strings.TrimSpace(p.Name), Location: p.Location,
		StartDate: *dateOnly(&p.StartDate), EndDate: dateOnly(p.EndDate), WagePerDay: p.WagePerDay,
		CreatedBy: p.CreatedBy, CreatedAt: db.now()}
	if err := db.q(ctx).Create(&row).Error; err != nil {
		return programmeWriteError(err, "kelurahan", "Kelurahan %q tidak ditemukan.", p.Kelurahan)
	}
	*p = *row.project()
	return nil
}

// FindPadatKarya returns ENOTFOUND if there is no such project.
func (db *DB) FindPadatKarya(ctx context.Context, id int64) (*hailurah.PadatKaryaProject, error) {
	var row padatKaryaRow
	err := db.q(ctx).Where("id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, hailurah.Errorf(hailurah.ENOTFOUND, "Proyek padat karya %d tidak ditemukan.", id)
	} else if err != nil {
		return nil, err
	}
	return row.project(), nil
}

// ListPadatKarya returns the kelurahan's projects (every one for ""),
// latest first.
func (db *DB) ListPadatKarya(ctx context.Context, kelurahan string) ([]*hailurah.PadatKaryaProject, error) {
	q := db.q(ctx).Order("start_date DESC, id DESC")
	if kelurahan != "" {
		q = q.Where("kelurahan_code = ?", kelurahan)
	}
	var rows []padatKaryaRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]*hailurah.PadatKaryaProject, len(rows))
	for i := range rows {
		out[i] = rows[i].project()
	}
	return out, nil
}

type workerRow struct {
	ProjectID   int64 `gorm:"primaryKey"`
	MemberID    int64 `gorm:"primaryKey"`
	HouseholdID string
	Days        int
	WagePerDay  int64
	UpdatedAt   time.Time
}

func (workerRow) TableName() string { return "padat_karya_workers" }

// RecordWorkers upserts every member's days on the project in one
// transaction. Returns ENOTFOUND for an unknown project and EINVALID for a
// member outside the project's kelurahan or days outside 1–366.
func (db *DB) RecordWorkers(ctx context.Context, projectID int64, workers []hailurah.PadatKaryaWorker) error {
	if len(workers) == 0 || len(workers) > maxParticipants {
		return hailurah.FieldErrorf("workers", "Daftar pekerja harus memuat 1–%d anggota.", maxParticipants)
	}
	p, err := db.FindPadatKarya(ctx, projectID)
	if err != nil {
		return err
	}
	now := db.now()
	return db.tx(ctx, func(tx *gorm.DB) error {
		for i, w := range workers {
			if w.Days < 1 || w.Days > 366 {
				return hailurah.FieldErrorf("days", "Baris %d: jumlah hari kerja harus 1–366.", i+1)
			}
			wage := w.WagePerDay
			if wage == 0 {
				wage = p.WagePerDay
			}
			if wage < 0 || wage > 10_000_000 {
				return hailurah.FieldErrorf("wage_per_day", "Baris %d: upah harian harus antara Rp 1 dan Rp 10.000.000.", i+1)
			}
			household, err := memberHousehold(tx, w.MemberID, p.Kelurahan)
			if err != nil {
				return err
			}
			row := workerRow{ProjectID: projectID, MemberID: w.MemberID, HouseholdID: household, Days: w.Days,
				WagePerDay: wage, UpdatedAt: now}
			if err := tx.Clauses(clause.OnConflict{
				Columns:   []clause.Column{{Name: "project_id"}, {Name: "member_id"}},
				DoUpdates: clause.AssignmentColumns([]string{"days", "wage_per_day", "updated_at"}),
			}).Create(&row).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

type marketplaceRow struct {
	ID          int64 `gorm:"primaryKey"`
	HouseholdID string
	Platform    string
	ShopURL     string `gorm:"column:shop_url"`
	OnboardedOn time.Time
	CreatedBy   string
	CreatedAt   time.Time
}

func (marketplaceRow) TableName() string { return "marketplace_onboardings" }

func (r *marketplaceRow) onboarding() *hailurah.MarketplaceOnboarding {
	return &hailurah.MarketplaceOnboarding{ID: r.ID, HouseholdID: r.HouseholdID, Platform: r.Platform,
		ShopURL: r.ShopURL, OnboardedOn: *dateOnly(&r.OnboardedOn), CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC()}
}

// AddMarketplaceOnboarding stores o, or updates the household's
// onboarding on the same platform, and marks the household
// umkm_onboarded, in one transaction. Returns ENOTFOUND for an unknown
// household and EINVALID for a bad field.
func (db *DB) AddMarketplaceOnboarding(ctx context.Context, o *hailurah.MarketplaceOnboarding) error {
	if o == nil {
		return hailurah.Errorf(hailurah.EINVALID, "Data onboarding kosong.")
	}
	o.Platform = strings.TrimSpace(o.Platform)
	switch {
	case !validText(o.Platform, 100, true):
		return hailurah.FieldErrorf("platform", "Nama marketplace wajib diisi (maks. 100 karakter).")
	case !validText(o.ShopURL, 500, false) || strings.ContainsAny(o.ShopURL, " \n\t"):
		return hailurah.FieldErrorf("shop_url", "Alamat toko tidak sah (maks. 500 karakter, tanpa spasi).")
	case o.OnboardedOn.IsZero():
		return hailurah.FieldErrorf("onboarded_on", "Tanggal onboarding wajib diisi.")
	}
	now := db.now()
	return db.tx(ctx, func(tx *gorm.DB) error {
		if ok, err := exists(tx, &householdRow{}, "id = ?", o.HouseholdID); err != nil {
			return err
		} else if !ok {
			return errHouseholdNotFound(o.HouseholdID)
		}
		row := marketplaceRow{HouseholdID: o.HouseholdID, Platform: o.Platform, ShopURL: o.ShopURL,
			OnboardedOn: *dateOnly(&o.OnboardedOn), CreatedBy: o.CreatedBy, CreatedAt: now}
		if err := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "household_id"}, {Name: "platform"}},
			DoUpdates: clause.AssignmentColumns([]string{"shop_url", "onboarded_on"}),
		}).Create(&row).Error; err != nil {
			return err
		}
		var stored marketplaceRow
		if err := tx.Where("household_id = ? AND platform = ?", o.HouseholdID, o.Platform).Take(&stored).Error; err != nil {
			return err
		}
		*o = *stored.onboarding()
		return tx.Model(&householdRow{}).Where("id = ?", o.HouseholdID).
			Updates(map[string]any{"umkm_onboarded": true, "updated_at": now}).Error
	})
}

// HouseholdParticipation returns what the household's members took part
// in: trainings and padat karya by member, marketplace onboardings.
func (db *DB) HouseholdParticipation(ctx context.Context, householdID string) (*hailurah.Participation, error) {
	out := &hailurah.Participation{
		Trainings: []*hailurah.TrainingRecord{}, PadatKarya: []*hailurah.PadatKaryaRecord{},
		Marketplace: []*hailurah.MarketplaceOnboarding{},
	}
	names := map[int64]string{}
	members, err := db.ListMembers(ctx, householdID)
	if err != nil {
		return nil, err
	}
	for _, m := range members {
		names[m.ID] = m.Name
	}

	var att []attendanceRow
	if err := db.q(ctx).Where("household_id = ?", householdID).Order("training_id, member_id").Find(&att).Error; err != nil {
		return nil, err
	}
	trainings := map[int64]*hailurah.Training{}
	for _, a := range att {
		t, ok := trainings[a.TrainingID]
		if !ok {
			if t, err = db.FindTraining(ctx, a.TrainingID); err != nil {
				return nil, err
			}
			trainings[a.TrainingID] = t
		}
		out.Trainings = append(out.Trainings, &hailurah.TrainingRecord{Training: t, MemberName: names[a.MemberID],
			Attendance: hailurah.TrainingAttendance{TrainingID: a.TrainingID, MemberID: a.MemberID,
				HouseholdID: a.HouseholdID, Attended: a.Attended, Certified: a.Certified}})
	}

	var work []workerRow
	if err := db.q(ctx).Where("household_id = ?", householdID).Order("project_id, member_id").Find(&work).Error; err != nil {
		return nil, err
	}
	projects := map[int64]*hailurah.PadatKaryaProject{}
	for _, w := range work {
		p, ok := projects[w.ProjectID]
		if !ok {
			if p, err = db.FindPadatKarya(ctx, w.ProjectID); err != nil {
				return nil, err
			}
			projects[w.ProjectID] = p
		}
		out.PadatKarya = append(out.PadatKarya, &hailurah.PadatKaryaRecord{Project: p, MemberName: names[w.MemberID],
			Worker: hailurah.PadatKaryaWorker{ProjectID: w.ProjectID, MemberID: w.MemberID, HouseholdID: w.HouseholdID,
				Days: w.Days, WagePerDay: w.WagePerDay}})
	}

	var mp []marketplaceRow
	if err := db.q(ctx).Where("household_id = ?", householdID).Order("onboarded_on, id").Find(&mp).Error; err != nil {
		return nil, err
	}
	for i := range mp {
		out.Marketplace = append(out.Marketplace, mp[i].onboarding())
	}
	return out, nil
}

// programmeWriteError turns a foreign-key violation into EINVALID about
// field; other constraint errors mean a bad value.
func programmeWriteError(err error, field, format string, args ...any) error {
	switch {
	case errors.Is(err, gorm.ErrForeignKeyViolated):
		return hailurah.FieldErrorf(field, format, args...)
	case errors.Is(err, gorm.ErrCheckConstraintViolated):
		return hailurah.Errorf(hailurah.EINVALID, "Data program tidak sah.")
	}
	return err
}
