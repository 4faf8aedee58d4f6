package store_test

import (
	"sync"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store"
)

const testPassword = "rahasia-123"

// clock is a fixed clock the test moves by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

// useClock makes db read a clock that starts at 2 March 2026, 08:00 UTC.
func useClock(db *store.DB) *clock {
	c := &clock{t: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)}
	db.SetNow(c.Now)
	return c
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// wantCode fails the test unless err is an application error with code and,
// when field is not empty, about that field.
func wantCode(t *testing.T, err error, code, field string) {
	t.Helper()
	if got := hailurah.ErrorCode(err); got != code {
		t.Fatalf("error code = %q, want %q (error: %v)", got, code, err)
	}
	if field != "" && hailurah.ErrorField(err) != field {
		t.Fatalf("error field = %q, want %q (error: %v)", hailurah.ErrorField(err), field, err)
	}
	if hailurah.ErrorMessage(err) == "" {
		t.Fatalf("error %v has no message for the user", err)
	}
}

func mustOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// seed creates kelurahan "taman" and "nambangan" and units "pupr" and "dlh".
func seed(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := t.Context()
	mustOK(t, db.UpsertKelurahan(ctx, &hailurah.Kelurahan{Code: "taman", Name: "Taman", Kecamatan: "Taman", Kota: "Madiun", LurahName: "Ibu Lurah"}))
	mustOK(t, db.UpsertKelurahan(ctx, &hailurah.Kelurahan{Code: "nambangan", Name: "Nambangan Lor", Kota: "Madiun"}))
	mustOK(t, db.UpsertUnit(ctx, &hailurah.Unit{Code: "pupr", Name: "Dinas Pekerjaan Umum dan Penataan Ruang"}))
	mustOK(t, db.UpsertUnit(ctx, &hailurah.Unit{Code: "dlh", Name: "Dinas Lingkungan Hidup"}))
}

// mustUser creates a user with testPassword.
func mustUser(t *testing.T, db *store.DB, username string, role hailurah.Role, kelurahan, unit string) *hailurah.User {
	t.Helper()
	u := &hailurah.User{Username: username, Name: "Nama " + username, Role: role, Kelurahan: kelurahan, Unit: unit}
	if err := db.CreateUser(t.Context(), u, testPassword); err != nil {
		t.Fatalf("create user %s: %v", username, err)
	}
	return u
}
