package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/hailurah/hailurah"
)

type sessionRow struct {
	ID         string `gorm:"primaryKey"`
	UserID     int64
	CSRFToken  string `gorm:"column:csrf_token"`
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
}

func (sessionRow) TableName() string { return "sessions" }

func (r *sessionRow) session() *hailurah.Session {
	return &hailurah.Session{
		ID:         r.ID,
		UserID:     r.UserID,
		CSRFToken:  r.CSRFToken,
		CreatedAt:  r.CreatedAt.UTC(),
		LastSeenAt: r.LastSeenAt.UTC(),
		ExpiresAt:  r.ExpiresAt.UTC(),
	}
}

// CreateSession stores s. A zero CreatedAt is set to now and a zero
// LastSeenAt to CreatedAt; the times are set to the stored ones, in UTC.
// Returns EINVALID for a bad id, an empty CSRF token, an expiry not after
// creation or an unknown user, and ECONFLICT if the id exists.
func (db *DB) CreateSession(ctx context.Context, s *hailurah.Session) error {
	if s == nil {
		return hailurah.Errorf(hailurah.EINVALID, "Data sesi kosong.")
	}
	row := sessionRow{
		ID:         s.ID,
		UserID:     s.UserID,
		CSRFToken:  s.CSRFToken,
		CreatedAt:  utc(s.CreatedAt),
		LastSeenAt: utc(s.LastSeenAt),
		ExpiresAt:  utc(s.ExpiresAt),
	}
	if s.CreatedAt.IsZero() {
		row.CreatedAt = db.now()
	}
	if s.LastSeenAt.IsZero() {
		row.LastSeenAt = row.CreatedAt
	}
	switch {
	case !validSHA256Hex(row.ID):
		return hailurah.FieldErrorf("id", "ID sesi harus berupa hash SHA-256 heksadesimal (64 karakter).")
	case !validText(row.CSRFToken, 256, true):
		return hailurah.FieldErrorf("csrf_token", "Token CSRF sesi wajib diisi.")
	case !row.ExpiresAt.After(row.CreatedAt):
		return hailurah.FieldErrorf("expires_at", "Waktu kedaluwarsa sesi harus setelah waktu dibuat.")
	}
	err := db.q(ctx).Create(&row).Error
	switch {
	case errors.Is(err, gorm.ErrForeignKeyViolated):
		return hailurah.FieldErrorf("user_id", "Pengguna sesi tidak ditemukan.")
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return hailurah.Errorf(hailurah.ECONFLICT, "Sesi dengan ID ini sudah ada.")
	case err != nil:
		return err
	}
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = row.CreatedAt, row.LastSeenAt, row.ExpiresAt
	return nil
}

// FindSession returns ENOTFOUND for an unknown session or one expired at
// now. The caller's clock decides, so the server and the store cannot
// disagree about whether a session is still valid.
func (db *DB) FindSession(ctx context.Context, id string, now time.Time) (*hailurah.Session, error) {
	var row sessionRow
	err := db.q(ctx).Where("id = ? AND expires_at > ?", id, utc(now)).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, errSessionNotFound()
	} else if err != nil {
		return nil, err
	}
	return row.session(), nil
}

// TouchSession records that the session was used at at. Returns ENOTFOUND
// for an unknown session or one expired at at.
func (db *DB) TouchSession(ctx context.Context, id string, at time.Time) error {
	if at.IsZero() {
		return hailurah.FieldErrorf("at", "Waktu akses sesi wajib diisi.")
	}
	res := db.q(ctx).Model(&sessionRow{}).Where("id = ? AND expires_at > ?", id, utc(at)).
		Update("last_seen_at", utc(at))
	if res.Error != nil {
		return res.Error
	} else if res.RowsAffected == 0 {
		return errSessionNotFound()
	}
	return nil
}

// DeleteSession removes the session. Deleting a session that does not exist
// is not an error, so logging out twice is harmless.
func (db *DB) DeleteSession(ctx context.Context, id string) error {
	return db.q(ctx).Where("id = ?", id).Delete(&sessionRow{}).Error
}

// DeleteUserSessions removes every session of the user ("log out
// everywhere").
func (db *DB) DeleteUserSessions(ctx context.Context, userID int64) error {
	return db.q(ctx).Where("user_id = ?", userID).Delete(&sessionRow{}).Error
}

func errSessionNotFound() error {
	return hailurah.Errorf(hailurah.ENOTFOUND, "Sesi tidak ditemukan atau sudah kedaluwarsa.")
}

// validSHA256Hex reports whether s is 64 lowercase hex digits.
func validSHA256Hex(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
