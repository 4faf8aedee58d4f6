package store_test

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/storetest"
)

var secretFormat = regexp.MustCompile(`^hl_[A-Za-z0-9_-]{43}$`)

func TestAPIToken(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		c := useClock(db)
		u := mustUser(t, db, "gateway", hailurah.RoleAdmin, "", "")

		tok, secret, err := db.CreateAPIToken(ctx, u.ID, "WhatsApp gateway")
		mustOK(t, err)
		if !secretFormat.MatchString(secret) {
			t.Fatalf("secret %q is not hl_ and 43 base64url characters", secret)
		}
		if tok.ID <= 0 || tok.UserID != u.ID || tok.Name != "WhatsApp gateway" || tok.Prefix != secret[:8] ||
			!tok.CreatedAt.Equal(c.Now()) || tok.LastUsedAt != nil || tok.RevokedAt != nil {
			t.Fatalf("token = %+v", tok)
		}

		// Only the SHA-256 of the secret is stored.
		var hash string
		mustOK(t, db.Gorm().Raw("SELECT token_hash FROM api_tokens WHERE id = ?", tok.ID).Scan(&hash).Error)
		sum := sha256.Sum256([]byte(secret))
		if hash != hex.EncodeToString(sum[:]) {
			t.Fatalf("token_hash = %q, want the hex SHA-256 of the secret", hash)
		}

		got, err := db.FindUserByAPIToken(ctx, secret)
		mustOK(t, err)
		if *got != *u {
			t.Fatalf("FindUserByAPIToken = %+v, want %+v", got, u)
		}
		lastUsed := func() *time.Time {
			tokens, err := db.ListAPITokens(ctx)
			mustOK(t, err)
			return tokens[0].LastUsedAt
		}
		first := c.Now()
		if lu := lastUsed(); lu == nil || !lu.Equal(first) {
			t.Fatalf("LastUsedAt = %v, want %v", lu, first)
		}
		// Used again within a minute: not written again.
		c.Advance(30 * time.Second)
		_, err = db.FindUserByAPIToken(ctx, secret)
		mustOK(t, err)
		if lu := lastUsed(); !lu.Equal(first) {
			t.Fatalf("LastUsedAt = %v after a use 30s later, want it kept at %v", lu, first)
		}
		c.Advance(time.Minute)
		_, err = db.FindUserByAPIToken(ctx, secret)
		mustOK(t, err)
		if lu := lastUsed(); !lu.Equal(c.Now()) {
			t.Fatalf("LastUsedAt = %v, want %v", lu, c.Now())
		}

		other, otherSecret, err := db.CreateAPIToken(ctx, u.ID, "Kiosk")
		mustOK(t, err)
		if otherSecret == secret || other.ID == tok.ID {
			t.Fatal("two tokens share a secret or an id")
		}
		tokens, err := db.ListAPITokens(ctx)
		mustOK(t, err)
		if len(tokens) != 2 || tokens[0].ID != tok.ID || tokens[1].ID != other.ID {
			t.Fatalf("ListAPITokens = %+v", tokens)
		}
	})
}

func TestAPITokenRejected(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		u := mustUser(t, db, "gateway", hailurah.RoleAdmin, "", "")
		_, secret, err := db.CreateAPIToken(ctx, u.ID, "gateway")
		mustOK(t, err)

		for _, bad := range []string{
			"", "hl_", secret[:len(secret)-1], strings.ToUpper(secret[:3]) + secret[3:],
			"hl_" + strings.Repeat("A", 43), // well formed, never issued
		} {
			_, err := db.FindUserByAPIToken(ctx, bad)
			wantCode(t, err, hailurah.EUNAUTHORIZED, "")
		}

		// A disabled user's token is refused until the user is enabled again.
		mustOK(t, db.SetDisabled(ctx, u.ID, true))
		_, err = db.FindUserByAPIToken(ctx, secret)
		wantCode(t, err, hailurah.EUNAUTHORIZED, "")
		mustOK(t, db.SetDisabled(ctx, u.ID, false))
		_, err = db.FindUserByAPIToken(ctx, secret)
		mustOK(t, err)
	})
}

func TestRevokeAPIToken(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		c := useClock(db)
		u := mustUser(t, db, "gateway", hailurah.RoleAdmin, "", "")
		tok, secret, err := db.CreateAPIToken(ctx, u.ID, "gateway")
		mustOK(t, err)
		keep, keepSecret, err := db.CreateAPIToken(ctx, u.ID, "kiosk")
		mustOK(t, err)

		c.Advance(time.Hour)
		revokedAt := c.Now()
		mustOK(t, db.RevokeAPIToken(ctx, tok.ID))
		_, err = db.FindUserByAPIToken(ctx, secret)
		wantCode(t, err, hailurah.EUNAUTHORIZED, "")
		_, err = db.FindUserByAPIToken(ctx, keepSecret)
		mustOK(t, err)

		// Revoking again keeps the first time.
		c.Advance(time.Hour)
		mustOK(t, db.RevokeAPIToken(ctx, tok.ID))
		tokens, err := db.ListAPITokens(ctx)
		mustOK(t, err)
		for _, x := range tokens {
			switch x.ID {
			case tok.ID:
				if x.RevokedAt == nil || !x.RevokedAt.Equal(revokedAt) {
					t.Fatalf("RevokedAt = %v, want %v", x.RevokedAt, revokedAt)
				}
			case keep.ID:
				if x.RevokedAt != nil {
					t.Fatal("revoking one token revoked another")
				}
			}
		}
		wantCode(t, db.RevokeAPIToken(ctx, 98765), hailurah.ENOTFOUND, "")
	})
}

func TestCreateAPITokenInvalid(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		u := mustUser(t, db, "gateway", hailurah.RoleAdmin, "", "")
		_, _, err := db.CreateAPIToken(ctx, u.ID, " ")
		wantCode(t, err, hailurah.EINVALID, "name")
		_, _, err = db.CreateAPIToken(ctx, u.ID, strings.Repeat("n", 101))
		wantCode(t, err, hailurah.EINVALID, "name")
		_, _, err = db.CreateAPIToken(ctx, 98765, "gateway")
		wantCode(t, err, hailurah.ENOTFOUND, "")
		tokens, err := db.ListAPITokens(ctx)
		mustOK(t, err)
		if len(tokens) != 0 {
			t.Fatalf("rejected tokens were stored: %+v", tokens)
		}
	})
}
