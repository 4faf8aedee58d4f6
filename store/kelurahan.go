package store

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/hailurah/hailurah"
)

type kelurahanRow struct {
	Code                  string `gorm:"primaryKey"`
	Name                  string
	Kecamatan             string
	Kota                  string
	LurahName             string
	WhatsAppPhoneNumberID string `gorm:"column:whatsapp_phone_number_id"`
	GrantBudget           int64
	CreatedAt             time.Time
	UpdatedAt             time.Time
}

func (kelurahanRow) TableName() string { return "kelurahan" }

func (r *kelurahanRow) kelurahan() *hailurah.Kelurahan {
	return &hailurah.Kelurahan{
		Code:                  r.Code,
		Name:                  r.Name,
		Kecamatan:             r.Kecamatan,
		Kota:                  r.Kota,
		LurahName:             r.LurahName,
		WhatsAppPhoneNumberID: r.WhatsAppPhoneNumberID,
		GrantBudget:           r.GrantBudget,
	}
}

type unitRow struct {
	Code string `gorm:"primaryKey"`
	Name string
}

func (unitRow) TableName() string { return "units" }

// FindKelurahan returns ENOTFOUND if no kelurahan has the code.
func (db *DB) FindKelurahan(ctx context.Context, code string) (*hailurah.Kelurahan, error) {
	var row kelurahanRow
	err := db.q(ctx).Where("code = ?", code).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, hailurah.Errorf(hailurah.ENOTFOUND, "Kelurahan %q tidak ditemukan.", code)
	} else if err != nil {
		return nil, err
	}
	return row.kelurahan(), nil
}

// ListKelurahan returns every kelurahan ordered by name.
func (db *DB) ListKelurahan(ctx context.Context) ([]*hailurah.Kelurahan, error) {
	var rows []kelurahanRow
	if err := db.q(ctx).Order("name, code").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]*hailurah.Kelurahan, len(rows))
	for i := range rows {
		out[i] = rows[i].kelurahan()
	}
	return out, nil
}

// UpsertKelurahan creates the kelurahan or updates every field of the one
// with its code. Returns EINVALID for a bad field and ECONFLICT if another
// kelurahan already uses its WhatsApp phone number id.
func (db *DB) UpsertKelurahan(ctx context.Context, k *hailurah.Kelurahan) error {
	if k == nil {
		return hailurah.Errorf(hailurah.EINVALID, "Data kelurahan kosong.")
	}
	if err := validateKelurahan(k); err != nil {
		return err
	}
	now := db.now()
	row := kelurahanRow{
		Code:                  k.Code,
		Name:                  k.Name,
		Kecamatan:             k.Kecamatan,
		Kota:                  k.Kota,
		LurahName:             k.LurahName,
		WhatsAppPhoneNumberID: k.WhatsAppPhoneNumberID,
		GrantBudget:           k.GrantBudget,
		CreatedAt:             now,
		UpdatedAt:             now,
	}
	err := db.q(ctx).Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "code"}},
		DoUpdates: clause.AssignmentColumns([]string{
			"name", "kecamatan", "kota", "lurah_name", "whatsapp_phone_number_id", "grant_budget", "updated_at",
		}),
	}).Create(&row).Error
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return &hailurah.Error{Code: hailurah.ECONFLICT, Field: "whatsapp_phone_number_id",
			Message: "Nomor WhatsApp ini sudah dipakai kelurahan lain."}
	}
	return err
}

func validateKelurahan(k *hailurah.Kelurahan) error {
	switch {
	case !validCode(k.Code):
		return hailurah.FieldErrorf("code", "Kode kelurahan wajib diisi, hanya huruf kecil, angka dan tanda hubung (maks. %d karakter), mis. \"taman\".", maxCodeLen)
	case !validText(k.Name, maxNameLen, true):
		return hailurah.FieldErrorf("name", "Nama kelurahan wajib diisi (maks. %d karakter).", maxNameLen)
	case !validText(k.Kecamatan, maxNameLen, false):
		return hailurah.FieldErrorf("kecamatan", "Nama kecamatan terlalu panjang atau tidak sah (maks. %d karakter).", maxNameLen)
	case !validText(k.Kota, maxNameLen, false):
		return hailurah.FieldErrorf("kota", "Nama kota terlalu panjang atau tidak sah (maks. %d karakter).", maxNameLen)
	case !validText(k.LurahName, maxNameLen, false):
		return hailurah.FieldErrorf("lurah_name", "Nama lurah terlalu panjang atau tidak sah (maks. %d karakter).", maxNameLen)
	case !validDigits(k.WhatsAppPhoneNumberID, 32):
		return hailurah.FieldErrorf("whatsapp_phone_number_id", "Phone number ID WhatsApp hanya berisi angka (maks. 32 digit).")
	case k.GrantBudget < 0:
		return hailurah.FieldErrorf("grant_budget", "Anggaran hibah tidak boleh negatif.")
	}
	return nil
}

// FindUnit returns ENOTFOUND if no unit has the code.
func (db *DB) FindUnit(ctx context.Context, code string) (*hailurah.Unit, error) {
	var row unitRow
	err := db.q(ctx).Where("code = ?", code).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, hailurah.Errorf(hailurah.ENOTFOUND, "Unit dinas %q tidak ditemukan.", code)
	} else if err != nil {
		return nil, err
	}
	return &hailurah.Unit{Code: row.Code, Name: row.Name}, nil
}

// ListUnits returns every unit ordered by code.
func (db *DB) ListUnits(ctx context.Context) ([]*hailurah.Unit, error) {
	var rows []unitRow
	if err := db.q(ctx).Order("code").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]*hailurah.Unit, len(rows))
	for i, r := range rows {
		out[i] = &hailurah.Unit{Code: r.Code, Name: r.Name}
	}
	return out, nil
}

// UpsertUnit creates the unit or renames the one with its code. Returns
// EINVALID for a bad field.
func (db *DB) UpsertUnit(ctx context.Context, u *hailurah.Unit) error {
	if u == nil {
		return hailurah.Errorf(hailurah.EINVALID, "Data unit dinas kosong.")
	}
	switch {
	case !validCode(u.Code):
		return hailurah.FieldErrorf("code", "Kode unit wajib diisi, hanya huruf kecil, angka dan tanda hubung (maks. %d karakter), mis. \"pupr\".", maxCodeLen)
	case !validText(u.Name, maxNameLen, true):
		return hailurah.FieldErrorf("name", "Nama unit wajib diisi (maks. %d karakter).", maxNameLen)
	}
	return db.q(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "code"}},
		DoUpdates: clause.AssignmentColumns([]string{"name"}),
	}).Create(&unitRow{Code: u.Code, Name: u.Name}).Error
}

const (
	maxCodeLen = 32
	maxNameLen = 200
)

// validCode reports whether s is a slug: lowercase letters and digits in
// groups joined by single hyphens. Codes appear in URLs and in
// "HAI LURAH <kelurahan>" routing, so they stay that plain.
func validCode(s string) bool {
	if s == "" || len(s) > maxCodeLen || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '-' && s[i-1] != '-':
		default:
			return false
		}
	}
	return true
}

// validText reports whether s is valid UTF-8 without NUL bytes (which
// Postgres refuses in text), at most max characters, and not blank when
// required.
func validText(s string, max int, required bool) bool {
	if required && strings.TrimSpace(s) == "" {
		return false
	}
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return false
		}
	}
	return true
}

// validDigits reports whether s is empty or at most max ASCII digits.
func validDigits(s string, max int) bool {
	if len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
