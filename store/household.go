package store

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/hailurah/hailurah"
)

var _ hailurah.HouseholdService = (*DB)(nil)

const (
	defaultHouseholdLimit = 50
	maxHouseholdLimit     = 500
)

type householdRow struct {
	ID                     string `gorm:"primaryKey"`
	KelurahanCode          string
	NamaKepalaKeluarga     string
	AlamatRTRW             string `gorm:"column:alamat_rt_rw"`
	RT                     string `gorm:"column:rt"`
	RW                     string `gorm:"column:rw"`
	DTKSStatus             bool   `gorm:"column:dtks_status"`
	PotensiUsaha           string
	PelatihanParticipation *string // a JSON array; NULL when empty
	ModalReceived          int64
	OmzetMonthly           int64
	UMKMOnboarded          bool `gorm:"column:umkm_onboarded"`
	DateUpdated            *time.Time
	BaselineIncome         int64
	KelompokRentan         *string // a JSON array; NULL when empty
	CreatedAt              time.Time
	UpdatedAt              time.Time
}

func (householdRow) TableName() string { return "households" }

func newHouseholdRow(h *hailurah.Household, now time.Time) householdRow {
	return householdRow{
		ID:                     h.ID,
		KelurahanCode:          h.Kelurahan,
		NamaKepalaKeluarga:     h.NamaKepalaKeluarga,
		AlamatRTRW:             h.AlamatRTRW,
		RT:                     h.RT,
		RW:                     h.RW,
		DTKSStatus:             h.DTKS,
		PotensiUsaha:           h.PotensiUsaha,
		PelatihanParticipation: jsonList(h.Pelatihan),
		ModalReceived:          h.ModalReceived,
		OmzetMonthly:           h.OmzetMonthly,
		UMKMOnboarded:          h.UMKMOnboarded,
		DateUpdated:            dateOnly(h.DateUpdated),
		BaselineIncome:         h.BaselineIncome,
		KelompokRentan:         jsonList(h.Vulnerability),
		CreatedAt:              now,
		UpdatedAt:              now,
	}
}

func (r *householdRow) household() *hailurah.Household {
	return &hailurah.Household{
		ID:                 r.ID,
		Kelurahan:          r.KelurahanCode,
		NamaKepalaKeluarga: r.NamaKepalaKeluarga,
		AlamatRTRW:         r.AlamatRTRW,
		RT:                 r.RT,
		RW:                 r.RW,
		DTKS:               r.DTKSStatus,
		PotensiUsaha:       r.PotensiUsaha,
		Pelatihan:          parseJSONList(r.PelatihanParticipation),
		ModalReceived:      r.ModalReceived,
		OmzetMonthly:       r.OmzetMonthly,
		UMKMOnboarded:      r.UMKMOnboarded,
		DateUpdated:        dateOnly(r.DateUpdated),
		BaselineIncome:     r.BaselineIncome,
		Vulnerability:      parseJSONList(r.KelompokRentan),
		CreatedAt:          r.CreatedAt.UTC(),
		UpdatedAt:          r.UpdatedAt.UTC(),
	}
}

// jsonList encodes a list for a JSON column; an empty list is NULL, so
// "no trainings" has one representation.
func jsonList(items []string) *string {
	if len(items) == 0 {
		return nil
	}
	b, _ := json.Marshal(items) // a []string always encodes
	s := string(b)
	return &s
}

// parseJSONList decodes a JSON column written by jsonList; a row edited by
// hand into something else reads as empty.
func parseJSONList(s *string) []string {
	if s == nil {
		return nil
	}
	var out []string
	_ = json.Unmarshal([]byte(*s), &out)
	if len(out) == 0 {
		return nil
	}
	return out
}

// dateOnly is a calendar date at 00:00 UTC: the day as written, whatever
// the zone of the time it came in.
func dateOnly(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	y, m, d := t.Date()
	u := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return &u
}

// householdImportColumns are the columns an import overwrites.
var householdImportColumns = []string{
	"nama_kepala_keluarga", "alamat_rt_rw", "rt", "rw", "dtks_status", "potensi_usaha",
	"pelatihan_participation", "modal_received", "omzet_monthly", "umkm_onboarded", "date_updated",
	"baseline_income", "kelompok_rentan", "updated_at",
}

// Optional import columns a file may lack; the stored values then stay.
const (
	importColBaselineIncome = "baseline_income"
	importColKelompokRentan = "kelompok_rentan"
)

// ImportHouseholds upserts the rows into kelurahan in one transaction. An
// identical row is counted unchanged and not written, so importing a file
// twice changes nothing. A row whose household belongs to another
// kelurahan, or that fails validation, is reported by line and skipped.
// Returns EINVALID for an unknown kelurahan.
func (db *DB) ImportHouseholds(ctx context.Context, kelurahan string, rows []hailurah.ImportRow) (*hailurah.ImportResult, error) {
	if _, err := db.FindKelurahan(ctx, kelurahan); err != nil {
		if hailurah.ErrorCode(err) == hailurah.ENOTFOUND {
			return nil, hailurah.FieldErrorf("kelurahan", "Kelurahan %q tidak ditemukan.", kelurahan)
		}
		return nil, err
	}
	res := &hailurah.ImportResult{Errors: []hailurah.ImportIssue{}, Warnings: []hailurah.ImportIssue{}}
	valid := make([]hailurah.ImportRow, 0, len(rows))
	for _, r := range rows {
		if r.Household == nil {
			continue
		}
		h := *r.Household
		h.Kelurahan = kelurahan
		if err := h.Validate(); err != nil {
			res.Errors = append(res.Errors, hailurah.ImportIssue{Line: r.Line, Column: hailurah.ErrorField(err), Reason: hailurah.ErrorMessage(err)})
			continue
		}
		valid = append(valid, hailurah.ImportRow{Line: r.Line, Household: &h, Absent: r.Absent})
	}
	now := db.now()
	err := db.tx(ctx, func(tx *gorm.DB) error {
		existing := map[string]*householdRow{}
		for chunk := range slices.Chunk(valid, 500) {
			ids := make([]string, len(chunk))
			for i, r := range chunk {
				ids[i] = r.Household.ID
			}
			var found []householdRow
			if err := tx.Where("id IN ?", ids).Find(&found).Error; err != nil {
				return err
			}
			for i := range found {
				existing[found[i].ID] = &found[i]
			}
		}
		var inserts []householdRow
		for _, r := range valid {
			h := r.Household
			old, ok := existing[h.ID]
			if !ok {
				inserts = append(inserts, newHouseholdRow(h, now))
				continue
			}
			if old.KelurahanCode != kelurahan {
				res.Errors = append(res.Errors, hailurah.ImportIssue{Line: r.Line, Column: "household_id",
					Reason: "household_id " + h.ID + " sudah terdaftar di kelurahan lain; hubungi admin bila rumah tangga ini pindah."})
				continue
			}
			prev := old.household()
			if slices.Contains(r.Absent, importColBaselineIncome) {
				h.BaselineIncome = prev.BaselineIncome
			}
			if slices.Contains(r.Absent, importColKelompokRentan) {
				h.Vulnerability = prev.Vulnerability
			}
			if sameHousehold(prev, h) {
				res.Unchanged++
				continue
			}
			row := newHouseholdRow(h, now)
			if err := tx.Model(&householdRow{}).Where("id = ?", h.ID).Select(householdImportColumns).Updates(&row).Error; err != nil {
				return err
			}
			res.Updated++
		}
		if len(inserts) > 0 {
			if err := tx.CreateInBatches(&inserts, 200).Error; err != nil {
				return err
			}
		}
		res.Imported = len(inserts)
		return nil
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		// Another import added one of these households meanwhile.
		return nil, hailurah.Errorf(hailurah.ECONFLICT, "Data rumah tangga berubah selama impor; impor ulang file yang sama.")
	} else if err != nil {
		return nil, err
	}
	return res, nil
}

// sameHousehold compares what an import writes.
func sameHousehold(a, b *hailurah.Household) bool {
	sameDate := (a.DateUpdated == nil) == (b.DateUpdated == nil) &&
		(a.DateUpdated == nil || a.DateUpdated.Equal(*b.DateUpdated))
	return sameDate && a.ID == b.ID && a.Kelurahan == b.Kelurahan &&
		a.NamaKepalaKeluarga == b.NamaKepalaKeluarga && a.AlamatRTRW == b.AlamatRTRW &&
		a.RT == b.RT && a.RW == b.RW && a.DTKS == b.DTKS && a.PotensiUsaha == b.PotensiUsaha &&
		slices.Equal(a.Pelatihan, b.Pelatihan) && a.ModalReceived == b.ModalReceived &&
		a.OmzetMonthly == b.OmzetMonthly && a.UMKMOnboarded == b.UMKMOnboarded &&
		a.BaselineIncome == b.BaselineIncome && slices.Equal(a.Vulnerability, b.Vulnerability)
}

// FindHousehold returns ENOTFOUND if there is no such household.
func (db *DB) FindHousehold(ctx context.Context, id string) (*hailurah.Household, error) {
	var row householdRow
	err := db.q(ctx).Where("id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, errHouseholdNotFound(id)
	} else if err != nil {
		return nil, err
	}
	return row.household(), nil
}

func errHouseholdNotFound(id string) error {
	return hailurah.Errorf(hailurah.ENOTFOUND, "Rumah tangga %q tidak ditemukan.", id)
}

// ListHouseholds returns one page ordered by kelurahan and household_id,
// with the total under the filter. Returns EINVALID for a bad limit,
// offset or search text.
func (db *DB) ListHouseholds(ctx context.Context, f hailurah.HouseholdFilter) (*hailurah.HouseholdPage, error) {
	limit := f.Limit
	switch {
	case limit == 0:
		limit = defaultHouseholdLimit
	case limit == -1:
	case limit < 1 || limit > maxHouseholdLimit:
		return nil, hailurah.FieldErrorf("limit", "limit harus 1–%d.", maxHouseholdLimit)
	}
	if f.Offset < 0 {
		return nil, hailurah.FieldErrorf("offset", "offset tidak boleh negatif.")
	}
	q := db.q(ctx).Model(&householdRow{})
	if f.Kelurahan != "" {
		q = q.Where("kelurahan_code = ?", f.Kelurahan)
	}
	if f.RT != "" {
		q = q.Where("rt = ?", f.RT)
	}
	if f.RW != "" {
		q = q.Where("rw = ?", f.RW)
	}
	if f.DTKS != nil {
		q = q.Where("dtks_status = ?", *f.DTKS)
	}
	if f.UMKM != nil {
		q = q.Where("umkm_onboarded = ?", *f.UMKM)
	}
	if s := strings.TrimSpace(f.Q); s != "" {
		if !validText(s, 200, true) {
			return nil, hailurah.FieldErrorf("q", "Kata kunci tidak sah (maks. 200 karakter).")
		}
		like := "LIKE"
		if db.dialect == DialectPostgres {
			like = "ILIKE"
		}
		p := "%" + escapeLike(s) + "%"
		q = q.Where("(id "+like+` ? ESCAPE '\' OR nama_kepala_keluarga `+like+` ? ESCAPE '\')`, p, p)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, err
	}
	var rows []householdRow
	list := q.Order("kelurahan_code, id").Offset(f.Offset)
	if limit > 0 {
		list = list.Limit(limit)
	}
	if err := list.Find(&rows).Error; err != nil {
		return nil, err
	}
	page := &hailurah.HouseholdPage{Items: make([]*hailurah.Household, len(rows)), Total: int(total)}
	for i := range rows {
		page.Items[i] = rows[i].household()
	}
	return page, nil
}

type memberRow struct {
	ID          int64 `gorm:"primaryKey"`
	HouseholdID string
	Name        string
	Gender      string
	Age         int
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (memberRow) TableName() string { return "household_members" }

func (r *memberRow) member() *hailurah.HouseholdMember {
	return &hailurah.HouseholdMember{ID: r.ID, HouseholdID: r.HouseholdID, Name: r.Name, Gender: r.Gender,
		Age: r.Age, CreatedAt: r.CreatedAt.UTC()}
}

// AddMember stores m, or updates the household's member of the same name,
// and sets m.ID and m.CreatedAt. Returns ENOTFOUND for an unknown household
// and EINVALID for a bad member.
func (db *DB) AddMember(ctx context.Context, m *hailurah.HouseholdMember) error {
	if m == nil {
		return hailurah.Errorf(hailurah.EINVALID, "Data anggota kosong.")
	}
	m.Name = strings.Join(strings.Fields(m.Name), " ")
	if err := m.Validate(); err != nil {
		return err
	}
	now := db.now()
	return db.tx(ctx, func(tx *gorm.DB) error {
		if ok, err := exists(tx, &householdRow{}, "id = ?", m.HouseholdID); err != nil {
			return err
		} else if !ok {
			return errHouseholdNotFound(m.HouseholdID)
		}
		row := memberRow{HouseholdID: m.HouseholdID, Name: m.Name, Gender: m.Gender, Age: m.Age, CreatedAt: now, UpdatedAt: now}
		err := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "household_id"}, {Name: "name"}},
			DoUpdates: clause.AssignmentColumns([]string{"gender", "age", "updated_at"}),
		}).Create(&row).Error
		if err != nil {
			return err
		}
		// The upsert's RETURNING gives the id on both dialects, but not the
		// first created_at of an updated member; read the row back.
		var stored memberRow
		if err := tx.Where("household_id = ? AND name = ?", m.HouseholdID, m.Name).Take(&stored).Error; err != nil {
			return err
		}
		*m = *stored.member()
		return nil
	})
}

// FindMember returns ENOTFOUND if there is no such member.
func (db *DB) FindMember(ctx context.Context, id int64) (*hailurah.HouseholdMember, error) {
	var row memberRow
	err := db.q(ctx).Where("id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, hailurah.Errorf(hailurah.ENOTFOUND, "Anggota rumah tangga %d tidak ditemukan.", id)
	} else if err != nil {
		return nil, err
	}
	return row.member(), nil
}

// ListMembers returns the household's members ordered by name.
func (db *DB) ListMembers(ctx context.Context, householdID string) ([]*hailurah.HouseholdMember, error) {
	var rows []memberRow
	if err := db.q(ctx).Where("household_id = ?", householdID).Order("name, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]*hailurah.HouseholdMember, len(rows))
	for i := range rows {
		out[i] = rows[i].member()
	}
	return out, nil
}

type checkinRow struct {
	ID          int64 `gorm:"primaryKey"`
	Key         string
	HouseholdID string
	At          time.Time
	Omzet       int64
	Income      *int64
	Active      *bool
	Bansos      *bool
	NewJobs     int
	Source      string
	GrantID     *string
	Note        string
	CreatedBy   string
	CreatedAt   time.Time
}

func (checkinRow) TableName() string { return "household_checkins" }

func (r *checkinRow) checkin() *hailurah.HouseholdCheckin {
	return &hailurah.HouseholdCheckin{ID: r.ID, Key: r.Key, HouseholdID: r.HouseholdID, At: r.At.UTC(),
		Omzet: r.Omzet, Income: r.Income, Active: r.Active, Bansos: r.Bansos, NewJobs: r.NewJobs, Source: r.Source, GrantID: deref(r.GrantID), Note: r.Note,
		By: r.CreatedBy, CreatedAt: r.CreatedAt.UTC()}
}

// AddCheckin stores c once per Key and brings the household's
// omzet_monthly to the latest check-in's. A zero At is now. Returns
// ENOTFOUND for an unknown household, EINVALID for a bad check-in.
func (db *DB) AddCheckin(ctx context.Context, c *hailurah.HouseholdCheckin) error {
	if c == nil {
		return hailurah.Errorf(hailurah.EINVALID, "Data check-in kosong.")
	}
	return db.tx(ctx, func(tx *gorm.DB) error { return db.addCheckin(tx, c) })
}

func (db *DB) addCheckin(tx *gorm.DB, c *hailurah.HouseholdCheckin) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if !validText(c.Key, 200, true) {
		return hailurah.FieldErrorf("key", "Kunci check-in wajib diisi (maks. 200 karakter).")
	}
	if ok, err := exists(tx, &householdRow{}, "id = ?", c.HouseholdID); err != nil {
		return err
	} else if !ok {
		return errHouseholdNotFound(c.HouseholdID)
	}
	now := db.now()
	row := checkinRow{Key: c.Key, HouseholdID: c.HouseholdID, At: orNow(c.At, now), Omzet: c.Omzet, Income: c.Income,
		Active: c.Active, Bansos: c.Bansos, NewJobs: c.NewJobs, Source: c.Source, GrantID: nullable(c.GrantID), Note: c.Note, CreatedBy: c.By, CreatedAt: now}
	res := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "key"}}, DoNothing: true}).Create(&row)
	if res.Error != nil {
		return res.Error
	}
	var stored checkinRow
	if err := tx.Where("key = ?", c.Key).Take(&stored).Error; err != nil {
		return err
	}
	*c = *stored.checkin()
	if res.RowsAffected == 0 {
		return nil
	}
	// The household shows its latest omzet: the check-in with the latest
	// date, which a late-recorded older visit must not overwrite.
	var latest checkinRow
	if err := tx.Where("household_id = ?", c.HouseholdID).Order("at DESC, id DESC").Take(&latest).Error; err != nil {
		return err
	}
	return tx.Model(&householdRow{}).Where("id = ?", c.HouseholdID).
		Updates(map[string]any{"omzet_monthly": latest.Omzet, "updated_at": now}).Error
}

// ListCheckins returns the household's check-ins, oldest first.
func (db *DB) ListCheckins(ctx context.Context, householdID string) ([]*hailurah.HouseholdCheckin, error) {
	var rows []checkinRow
	if err := db.q(ctx).Where("household_id = ?", householdID).Order("at, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]*hailurah.HouseholdCheckin, len(rows))
	for i := range rows {
		out[i] = rows[i].checkin()
	}
	return out, nil
}
