package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/hailurah/hailurah"
)

const (
	// apiTokenPrefix marks HAI LURAH secrets, so a secret pasted into a chat
	// or a repository is recognisable (and secret scanners can match it).
	apiTokenPrefix = "hl_"
	apiTokenBytes  = 32
	// apiTokenLen is the length of a secret: the prefix and 32 bytes in
	// unpadded base64url.
	apiTokenLen = len(apiTokenPrefix) + (apiTokenBytes*8+5)/6
	// apiTokenShown is how much of the secret ListAPITokens shows.
	apiTokenShown = 8
	// apiTokenTouchEvery limits how often last_used_at is written: an
	// integration calling every second would otherwise write a row a second.
	apiTokenTouchEvery = time.Minute
)

type apiTokenRow struct {
	ID         int64 `gorm:"primaryKey"`
	Name       string
	UserID     int64
	Prefix     string
	TokenHash  string
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

func (apiTokenRow) TableName() string { return "api_tokens" }

func (r *apiTokenRow) token() *hailurah.APIToken {
	return &hailurah.APIToken{
		ID:         r.ID,
		Name:       r.Name,
		UserID:     r.UserID,
		Prefix:     r.Prefix,
		CreatedAt:  r.CreatedAt.UTC(),
		LastUsedAt: utcPtr(r.LastUsedAt),
		RevokedAt:  utcPtr(r.RevokedAt),
	}
}

// CreateAPIToken stores a new token for the user and returns it with its
// secret ("hl_" and 43 base64url characters), which is shown once: only its
// SHA-256 is stored. Returns EINVALID for a bad name and ENOTFOUND for an
// unknown user.
func (db *DB) CreateAPIToken(ctx context.Context, userID int64, name string) (*hailurah.APIToken, string, error) {
	if !validText(name, 100, true) {
		return nil, "", hailurah.FieldErrorf("name", "Nama token wajib diisi (maks. 100 karakter).")
	}
	b := make([]byte, apiTokenBytes)
	if _, err := rand.Read(b); err != nil {
		return nil, "", err
	}
	secret := apiTokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	row := apiTokenRow{
		Name:      name,
		UserID:    userID,
		Prefix:    secret[:apiTokenShown],
		TokenHash: hashToken(secret),
		CreatedAt: db.now(),
	}
	err := db.q(ctx).Create(&row).Error
	if errors.Is(err, gorm.ErrForeignKeyViolated) {
		return nil, "", errUserNotFound()
	} else if err != nil {
		return nil, "", err
	}
	return row.token(), secret, nil
}

// FindUserByAPIToken returns the token's user, or EUNAUTHORIZED for an
// unknown or revoked token or a disabled user, and records the use.
func (db *DB) FindUserByAPIToken(ctx context.Context, secret string) (*hailurah.User, error) {
	if len(secret) != apiTokenLen || !strings.HasPrefix(secret, apiTokenPrefix) {
		return nil, errBadToken()
	}
	var user *hailurah.User
	err := db.tx(ctx, func(tx *gorm.DB) error {
		var tok apiTokenRow
		err := tx.Where("token_hash = ?", hashToken(secret)).Take(&tok).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return errBadToken()
		} else if err != nil {
			return err
		}
		if tok.RevokedAt != nil {
			return hailurah.Errorf(hailurah.EUNAUTHORIZED, "Token API sudah dicabut.")
		}
		var u userRow
		if err := tx.Where("id = ?", tok.UserID).Take(&u).Error; err != nil {
			return err
		}
		if u.Disabled {
			return hailurah.Errorf(hailurah.EUNAUTHORIZED, "Akun pemilik token ini dinonaktifkan.")
		}
		now := db.now()
		if tok.LastUsedAt == nil || now.Sub(*tok.LastUsedAt) >= apiTokenTouchEvery {
			if err := tx.Model(&apiTokenRow{}).Where("id = ?", tok.ID).Update("last_used_at", now).Error; err != nil {
				return err
			}
		}
		user = u.user()
		return nil
	})
	return user, err
}

// ListAPITokens returns every token, revoked ones included, oldest first.
func (db *DB) ListAPITokens(ctx context.Context) ([]*hailurah.APIToken, error) {
	var rows []apiTokenRow
	if err := db.q(ctx).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]*hailurah.APIToken, len(rows))
	for i := range rows {
		out[i] = rows[i].token()
	}
	return out, nil
}

// RevokeAPIToken revokes the token; revoking it again keeps the first
// revocation time. Returns ENOTFOUND for an unknown token.
func (db *DB) RevokeAPIToken(ctx context.Context, id int64) error {
	return db.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&apiTokenRow{}).Where("id = ? AND revoked_at IS NULL", id).Update("revoked_at", db.now())
		if res.Error != nil || res.RowsAffected > 0 {
			return res.Error
		}
		if ok, err := exists(tx, &apiTokenRow{}, "id = ?", id); err != nil {
			return err
		} else if !ok {
			return hailurah.Errorf(hailurah.ENOTFOUND, "Token API tidak ditemukan.")
		}
		return nil
	})
}

// hashToken is the stored form of a secret. A plain SHA-256 suffices (no
// bcrypt): the secret has 256 random bits, so there is nothing to guess.
func hashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func errBadToken() error {
	return hailurah.Errorf(hailurah.EUNAUTHORIZED, "Token API tidak valid.")
}
