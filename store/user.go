package store

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"

	"github.com/hailurah/hailurah"
)

// passwordCost is bcrypt's work factor: 10 takes tens of milliseconds per
// login here, slow enough to make guessing from a stolen table expensive
// and fast enough for a login form.
const passwordCost = bcrypt.DefaultCost

const (
	minPasswordLen = 8
	// bcrypt reads only the first 72 bytes; refusing longer passwords is
	// better than silently ignoring their end.
	maxPasswordBytes = 72
)

type userRow struct {
	ID            int64 `gorm:"primaryKey"`
	Username      string
	Name          string
	PasswordHash  string
	Role          string
	KelurahanCode *string
	UnitCode      *string
	Disabled      bool
	Phone         string
	// WhatsAppNotices has no default tag: the column's default (on) is
	// for rows written before it existed; CreateUser writes it itself.
	WhatsAppNotices bool `gorm:"column:whatsapp_notices"`
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

func (userRow) TableName() string { return "users" }

func (r *userRow) user() *hailurah.User {
	u := &hailurah.User{
		ID:              r.ID,
		Username:        r.Username,
		Name:            r.Name,
		Role:            hailurah.Role(r.Role),
		Disabled:        r.Disabled,
		Phone:           r.Phone,
		WhatsAppNotices: r.WhatsAppNotices,
		CreatedAt:       r.CreatedAt.UTC(),
	}
	if r.KelurahanCode != nil {
		u.Kelurahan = *r.KelurahanCode
	}
	if r.UnitCode != nil {
		u.Unit = *r.UnitCode
	}
	return u
}

// CreateUser stores u with a bcrypt hash of password and sets u.ID and
// u.CreatedAt; u.Phone is normalised and u.WhatsAppNotices set (a new user
// starts with notices on). Returns EINVALID for a bad user or password or
// a kelurahan or unit that does not exist, and ECONFLICT if the username,
// or the phone of another active user, is taken.
func (db *DB) CreateUser(ctx context.Context, u *hailurah.User, password string) error {
	if u == nil {
		return hailurah.Errorf(hailurah.EINVALID, "Data pengguna kosong.")
	}
	phone, err := hailurah.NormalizeStaffPhone(u.Phone)
	if err != nil {
		return err
	}
	u.Phone = phone
	if err := u.Validate(); err != nil {
		return err
	}
	if !validText(u.Name, maxNameLen, true) {
		return hailurah.FieldErrorf("name", "Nama wajib diisi (maks. %d karakter).", maxNameLen)
	}
	// Hashing takes tens of milliseconds; it is done before the transaction
	// so it does not hold SQLite's write lock.
	hash, err := hashPassword(password)
	if err != nil {
		return err
	}
	now := db.now()
	row := userRow{
		Username:      u.Username,
		Name:          u.Name,
		PasswordHash:  string(hash),
		Role:          string(u.Role),
		KelurahanCode: nullable(u.Kelurahan),
		UnitCode:      nullable(u.Unit),
		Disabled:      u.Disabled,
		Phone:         u.Phone,
		// The row's own column, so the user starts with notices on.
		WhatsAppNotices: true,
		CreatedAt:       now,
		UpdatedAt:       now,
	}
	err = db.tx(ctx, func(tx *gorm.DB) error {
		if err := checkUserScope(tx, u); err != nil {
			return err
		}
		if err := checkPhoneFree(tx, u.Phone, 0, u.Disabled); err != nil {
			return err
		}
		return tx.Create(&row).Error
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return &hailurah.Error{Code: hailurah.ECONFLICT, Field: "username",
			Message: "Nama pengguna \"" + u.Username + "\" sudah dipakai."}
	} else if err != nil {
		return err
	}
	u.ID = row.ID
	u.CreatedAt = row.CreatedAt
	u.WhatsAppNotices = row.WhatsAppNotices
	return nil
}

// checkUserScope checks that the user's kelurahan and unit exist. Checked
// here, not left to the foreign keys, so the form learns which field is
// wrong.
func checkUserScope(tx *gorm.DB, u *hailurah.User) error {
	if u.Kelurahan != "" {
		if ok, err := exists(tx, &kelurahanRow{}, "code = ?", u.Kelurahan); err != nil {
			return err
		} else if !ok {
			return hailurah.FieldErrorf("kelurahan", "Kelurahan %q tidak ditemukan.", u.Kelurahan)
		}
	}
	if u.Unit != "" {
		if ok, err := exists(tx, &unitRow{}, "code = ?", u.Unit); err != nil {
			return err
		} else if !ok {
			return hailurah.FieldErrorf("unit", "Unit dinas %q tidak ditemukan.", u.Unit)
		}
	}
	return nil
}

// checkPhoneFree returns ECONFLICT when an active user other than userID
// has the phone: a message from it must name one staff member. A disabled
// user's phone is free (and checked again when they are enabled). The
// unique index users_phone_active_key holds the rule against a race.
func checkPhoneFree(tx *gorm.DB, phone string, userID int64, disabled bool) error {
	if phone == "" || disabled {
		return nil
	}
	taken, err := exists(tx, &userRow{}, "phone = ? AND disabled = ? AND id <> ?", phone, false, userID)
	if err != nil {
		return err
	}
	if taken {
		return errPhoneTaken(phone)
	}
	return nil
}

func errPhoneTaken(phone string) error {
	return &hailurah.Error{Code: hailurah.ECONFLICT, Field: "phone",
		Message: "Nomor " + phone + " sudah dipakai pengguna aktif lain."}
}

// FindUserByID returns ENOTFOUND if there is no such user.
func (db *DB) FindUserByID(ctx context.Context, id int64) (*hailurah.User, error) {
	return db.findUser(ctx, "id = ?", id)
}

// FindUserByUsername returns ENOTFOUND if there is no such user.
func (db *DB) FindUserByUsername(ctx context.Context, username string) (*hailurah.User, error) {
	return db.findUser(ctx, "username = ?", username)
}

func (db *DB) findUser(ctx context.Context, where string, arg any) (*hailurah.User, error) {
	var row userRow
	err := db.q(ctx).Where(where, arg).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, errUserNotFound()
	} else if err != nil {
		return nil, err
	}
	return row.user(), nil
}

// ListUsers returns the users that match every non-empty field of f,
// ordered by username. Returns EINVALID for an unknown role.
func (db *DB) ListUsers(ctx context.Context, f hailurah.UserFilter) ([]*hailurah.User, error) {
	q := db.q(ctx).Order("username")
	if f.Role != "" {
		if !f.Role.Valid() {
			return nil, hailurah.FieldErrorf("role", "Peran %q tidak dikenal.", f.Role)
		}
		q = q.Where("role = ?", string(f.Role))
	}
	if f.Kelurahan != "" {
		q = q.Where("kelurahan_code = ?", f.Kelurahan)
	}
	if f.Unit != "" {
		q = q.Where("unit_code = ?", f.Unit)
	}
	var rows []userRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]*hailurah.User, len(rows))
	for i := range rows {
		out[i] = rows[i].user()
	}
	return out, nil
}

// dummyHash is a bcrypt hash of the same cost as real ones, compared against
// when the username is unknown.
var dummyHash = sync.OnceValue(func() []byte {
	h, err := bcrypt.GenerateFromPassword([]byte("hailurah-no-such-user"), passwordCost)
	if err != nil {
		panic(err) // only for a bad cost, which is a constant
	}
	return h
})

// Authenticate returns the user whose password matches, or EUNAUTHORIZED for
// an unknown user, a wrong password or a disabled user. The username is
// matched without case or surrounding spaces, as usernames hold neither.
func (db *DB) Authenticate(ctx context.Context, username, password string) (*hailurah.User, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	var row userRow
	err := db.q(ctx).Where("username = ?", username).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		// An unknown username costs the same bcrypt comparison as a wrong
		// password, so the response time does not tell an attacker which
		// usernames exist.
		_ = bcrypt.CompareHashAndPassword(dummyHash(), []byte(password))
		return nil, errBadLogin()
	} else if err != nil {
		return nil, err
	}
	if bcrypt.CompareHashAndPassword([]byte(row.PasswordHash), []byte(password)) != nil {
		return nil, errBadLogin()
	}
	// Checked after the password, so only someone who knows it learns that
	// the account exists and is disabled.
	if row.Disabled {
		return nil, hailurah.Errorf(hailurah.EUNAUTHORIZED, "Akun ini dinonaktifkan. Hubungi admin.")
	}
	return row.user(), nil
}

// SetPassword replaces the user's password. Returns EINVALID for a bad
// password and ENOTFOUND for an unknown user. Sessions are kept: the caller
// decides whether a password change logs the user out elsewhere.
func (db *DB) SetPassword(ctx context.Context, userID int64, password string) error {
	hash, err := hashPassword(password)
	if err != nil {
		return err
	}
	res := db.q(ctx).Model(&userRow{}).Where("id = ?", userID).
		Updates(map[string]any{"password_hash": string(hash), "updated_at": db.now()})
	if res.Error != nil {
		return res.Error
	} else if res.RowsAffected == 0 {
		return errUserNotFound()
	}
	return nil
}

// SetDisabled disables or re-enables a user; disabling also deletes the
// user's sessions, so the account is logged out at once. API tokens are
// kept but refused while the user is disabled. Returns ENOTFOUND for an
// unknown user and ECONFLICT (field "phone") for re-enabling a user whose
// phone another active user has taken meanwhile.
func (db *DB) SetDisabled(ctx context.Context, userID int64, disabled bool) error {
	return db.tx(ctx, func(tx *gorm.DB) error {
		if !disabled {
			var phones []string
			if err := tx.Model(&userRow{}).Where("id = ?", userID).Pluck("phone", &phones).Error; err != nil {
				return err
			}
			for _, phone := range phones {
				if err := checkPhoneFree(tx, phone, userID, false); err != nil {
					return err
				}
			}
		}
		res := tx.Model(&userRow{}).Where("id = ?", userID).
			Updates(map[string]any{"disabled": disabled, "updated_at": db.now()})
		if res.Error != nil {
			return res.Error
		} else if res.RowsAffected == 0 {
			return errUserNotFound()
		}
		if disabled {
			return tx.Where("user_id = ?", userID).Delete(&sessionRow{}).Error
		}
		return nil
	})
}

func hashPassword(password string) ([]byte, error) {
	switch {
	case !utf8.ValidString(password):
		return nil, hailurah.FieldErrorf("password", "Kata sandi memuat karakter yang tidak sah.")
	case utf8.RuneCountInString(password) < minPasswordLen:
		return nil, hailurah.FieldErrorf("password", "Kata sandi minimal %d karakter.", minPasswordLen)
	case len(password) > maxPasswordBytes:
		return nil, hailurah.FieldErrorf("password", "Kata sandi terlalu panjang (maks. %d byte).", maxPasswordBytes)
	}
	return bcrypt.GenerateFromPassword([]byte(password), passwordCost)
}

func errUserNotFound() error {
	return hailurah.Errorf(hailurah.ENOTFOUND, "Pengguna tidak ditemukan.")
}

func errBadLogin() error {
	return hailurah.Errorf(hailurah.EUNAUTHORIZED, "Nama pengguna atau kata sandi salah.")
}

// nullable maps "" to NULL for an optional foreign key.
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// exists reports whether a row of model matches the condition.
func exists(tx *gorm.DB, model any, where string, args ...any) (bool, error) {
	var n int64
	err := tx.Model(model).Where(where, args...).Limit(1).Count(&n).Error
	return n > 0, err
}
