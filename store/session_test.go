package store_test

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/storetest"
)

// sessionID returns the hex SHA-256 of a random cookie token, as the server
// makes one.
func sessionID() string {
	sum := sha256.Sum256([]byte(rand.Text()))
	return hex.EncodeToString(sum[:])
}

func newSession(t *testing.T, db *store.DB, userID int64, expires time.Time) *hailurah.Session {
	t.Helper()
	s := &hailurah.Session{ID: sessionID(), UserID: userID, CSRFToken: rand.Text(), ExpiresAt: expires}
	mustOK(t, db.CreateSession(t.Context(), s))
	return s
}

func TestSession(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		c := useClock(db)
		u := mustUser(t, db, "budi", hailurah.RoleAdmin, "", "")
		s := newSession(t, db, u.ID, c.Now().Add(12*time.Hour))
		if !s.CreatedAt.Equal(c.Now()) || !s.LastSeenAt.Equal(c.Now()) {
			t.Fatalf("CreatedAt %v, LastSeenAt %v: want both set to now (%v)", s.CreatedAt, s.LastSeenAt, c.Now())
		}
		got, err := db.FindSession(ctx, s.ID, c.Now())
		mustOK(t, err)
		if *got != *s {
			t.Fatalf("FindSession = %+v, want %+v", got, s)
		}

		c.Advance(time.Hour)
		mustOK(t, db.TouchSession(ctx, s.ID, c.Now()))
		got, err = db.FindSession(ctx, s.ID, c.Now())
		mustOK(t, err)
		if !got.LastSeenAt.Equal(c.Now()) || !got.CreatedAt.Equal(s.CreatedAt) {
			t.Fatalf("after touch: %+v", got)
		}

		// Expired at ExpiresAt exactly.
		c.Advance(11 * time.Hour)
		_, err = db.FindSession(ctx, s.ID, c.Now())
		wantCode(t, err, hailurah.ENOTFOUND, "")
		wantCode(t, db.TouchSession(ctx, s.ID, c.Now()), hailurah.ENOTFOUND, "")
	})
}

func TestSessionExpiryAcrossTimeZones(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := useClock(db)
		u := mustUser(t, db, "budi", hailurah.RoleAdmin, "", "")
		// An expiry given in WIB (UTC+7) one hour from now must count as one
		// hour from now, however the database stores it.
		wib := time.FixedZone("WIB", 7*3600)
		s := newSession(t, db, u.ID, c.Now().Add(time.Hour).In(wib))
		if s.ExpiresAt.Location() != time.UTC || !s.ExpiresAt.Equal(c.Now().Add(time.Hour)) {
			t.Fatalf("ExpiresAt = %v, want the same instant in UTC", s.ExpiresAt)
		}
		c.Advance(59 * time.Minute)
		_, err := db.FindSession(t.Context(), s.ID, c.Now())
		mustOK(t, err)
		c.Advance(2 * time.Minute)
		_, err = db.FindSession(t.Context(), s.ID, c.Now())
		wantCode(t, err, hailurah.ENOTFOUND, "")
	})
}

func TestDeleteSessions(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		c := useClock(db)
		budi := mustUser(t, db, "budi", hailurah.RoleAdmin, "", "")
		siti := mustUser(t, db, "siti", hailurah.RoleAdmin, "", "")
		exp := c.Now().Add(time.Hour)
		b1, b2, s1 := newSession(t, db, budi.ID, exp), newSession(t, db, budi.ID, exp), newSession(t, db, siti.ID, exp)

		mustOK(t, db.DeleteSession(ctx, b1.ID))
		_, err := db.FindSession(ctx, b1.ID, c.Now())
		wantCode(t, err, hailurah.ENOTFOUND, "")
		mustOK(t, db.DeleteSession(ctx, b1.ID)) // logging out twice is harmless

		mustOK(t, db.DeleteUserSessions(ctx, budi.ID))
		_, err = db.FindSession(ctx, b2.ID, c.Now())
		wantCode(t, err, hailurah.ENOTFOUND, "")
		_, err = db.FindSession(ctx, s1.ID, c.Now())
		mustOK(t, err)
	})
}

func TestCreateSessionInvalid(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		c := useClock(db)
		u := mustUser(t, db, "budi", hailurah.RoleAdmin, "", "")
		exp := c.Now().Add(time.Hour)
		tests := []struct {
			s     hailurah.Session
			field string
		}{
			{hailurah.Session{ID: "cookie-token-itself", UserID: u.ID, CSRFToken: "x", ExpiresAt: exp}, "id"},
			{hailurah.Session{ID: strings.ToUpper(sessionID()), UserID: u.ID, CSRFToken: "x", ExpiresAt: exp}, "id"},
			{hailurah.Session{ID: sessionID(), UserID: u.ID, ExpiresAt: exp}, "csrf_token"},
			{hailurah.Session{ID: sessionID(), UserID: u.ID, CSRFToken: "x"}, "expires_at"},
			{hailurah.Session{ID: sessionID(), UserID: u.ID, CSRFToken: "x", ExpiresAt: c.Now()}, "expires_at"},
			{hailurah.Session{ID: sessionID(), UserID: 98765, CSRFToken: "x", ExpiresAt: exp}, "user_id"},
		}
		for _, tt := range tests {
			s := tt.s
			wantCode(t, db.CreateSession(ctx, &s), hailurah.EINVALID, tt.field)
			if _, err := db.FindSession(ctx, s.ID, c.Now()); hailurah.ErrorCode(err) != hailurah.ENOTFOUND {
				t.Fatalf("rejected session %+v was stored", s)
			}
		}
		wantCode(t, db.CreateSession(ctx, nil), hailurah.EINVALID, "")

		s := newSession(t, db, u.ID, exp)
		dup := *s
		wantCode(t, db.CreateSession(ctx, &dup), hailurah.ECONFLICT, "")
		wantCode(t, db.TouchSession(ctx, s.ID, time.Time{}), hailurah.EINVALID, "at")
		wantCode(t, db.TouchSession(ctx, sessionID(), c.Now()), hailurah.ENOTFOUND, "")
	})
}
