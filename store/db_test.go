package store_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/storetest"
)

func TestOpenRejectsOtherURLs(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"mysql://root@localhost/hl", "sqlite:///tmp/x.db", "file:hailurah.db", "host=localhost dbname=hl"} {
		db, err := store.Open(t.Context(), u, t.TempDir(), nil)
		if err == nil {
			db.Close()
			t.Fatalf("Open(%q) succeeded", u)
		}
		wantCode(t, err, hailurah.EINVALID, "")
	}
}

func TestOpenSQLiteNeedsDataDir(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{"", "  ", "/tmp/a?b"} {
		_, err := store.Open(t.Context(), "", dir, nil)
		wantCode(t, err, hailurah.EINVALID, "")
	}
}

func TestOpenSQLite(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data", "nested")
	db, err := store.Open(t.Context(), "", dir, nil)
	mustOK(t, err)
	defer db.Close()
	if db.Dialect() != store.DialectSQLite {
		t.Fatalf("Dialect() = %q", db.Dialect())
	}
	if _, err := os.Stat(filepath.Join(dir, store.SQLiteFile)); err != nil {
		t.Fatalf("database file not created in the data dir: %v", err)
	}
	pragmas := map[string]string{"foreign_keys": "1", "journal_mode": "wal", "busy_timeout": "5000"}
	for name, want := range pragmas {
		var got string
		mustOK(t, db.Gorm().Raw("PRAGMA "+name).Scan(&got).Error)
		if got != want {
			t.Errorf("PRAGMA %s = %q, want %q", name, got, want)
		}
	}
}

// TestSQLiteTimeFormat checks that times are stored as text SQLite's own
// date functions read, so SQL written later (reports by day, purges of old
// rows) can use them. Go's default time format is not such text.
func TestSQLiteTimeFormat(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t)
	wib := time.FixedZone("WIB", 7*3600)
	db.SetNow(func() time.Time { return time.Date(2026, 3, 2, 15, 4, 5, 123456000, wib) })
	mustOK(t, db.UpsertKelurahan(t.Context(), &hailurah.Kelurahan{Code: "taman", Name: "Taman"}))
	var raw, normalised string
	mustOK(t, db.Gorm().Raw("SELECT CAST(created_at AS TEXT), datetime(created_at) FROM kelurahan").Row().Scan(&raw, &normalised))
	if raw != "2026-03-02 08:04:05.123456+00:00" || normalised != "2026-03-02 08:04:05" {
		t.Fatalf("created_at stored as %q, read by datetime() as %q; want UTC text SQLite understands", raw, normalised)
	}
}

// TestLimitOffset covers the SQLite dialector's LIMIT clause: SQLite
// accepts OFFSET only after a LIMIT.
func TestLimitOffset(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		for _, code := range []string{"a", "b", "c", "d"} {
			mustOK(t, db.UpsertUnit(t.Context(), &hailurah.Unit{Code: code, Name: code}))
		}
		tests := []struct {
			limit, offset int
			want          string
		}{
			{-1, 1, "b,c,d"},
			{2, 0, "a,b"},
			{2, 1, "b,c"},
			{-1, 0, "a,b,c,d"},
		}
		for _, tt := range tests {
			var codes []string
			q := db.Gorm().WithContext(t.Context()).Table("units").Order("code")
			if tt.limit >= 0 {
				q = q.Limit(tt.limit)
			}
			if tt.offset > 0 {
				q = q.Offset(tt.offset)
			}
			mustOK(t, q.Pluck("code", &codes).Error)
			if got := strings.Join(codes, ","); got != tt.want {
				t.Errorf("limit %d offset %d: got %s, want %s", tt.limit, tt.offset, got, tt.want)
			}
		}
	})
}

// TestNestedTransaction covers savepoints: an inner transaction that fails
// is rolled back alone.
func TestNestedTransaction(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		insert := func(tx *gorm.DB, code string) error {
			return tx.Exec("INSERT INTO units (code, name) VALUES (?, ?)", code, code).Error
		}
		err := db.Gorm().WithContext(t.Context()).Transaction(func(tx *gorm.DB) error {
			mustOK(t, insert(tx, "outer"))
			inner := tx.Transaction(func(tx *gorm.DB) error {
				mustOK(t, insert(tx, "inner"))
				return errors.New("roll back the inner transaction")
			})
			if inner == nil {
				t.Error("inner transaction returned no error")
			}
			return nil
		})
		mustOK(t, err)
		units, err := db.ListUnits(t.Context())
		mustOK(t, err)
		if len(units) != 1 || units[0].Code != "outer" {
			t.Fatalf("units = %+v, want only the outer one", units)
		}
	})
}

func TestOpenPostgres(t *testing.T) {
	t.Parallel()
	db := storetest.OpenPostgres(t)
	if db.Dialect() != store.DialectPostgres {
		t.Fatalf("Dialect() = %q", db.Dialect())
	}
}

func TestOpenPostgresUnreachable(t *testing.T) {
	t.Parallel()
	// Port 1 on loopback refuses at once: Open must fail, not hang.
	_, err := store.Open(t.Context(), "postgres://postgres@127.0.0.1:1/test?sslmode=disable&connect_timeout=5", "", nil)
	if err == nil {
		t.Fatal("Open of an unreachable Postgres succeeded")
	}
}

func TestPing(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		mustOK(t, db.Ping(t.Context()))
	})
	db, err := store.Open(t.Context(), "", t.TempDir(), nil)
	mustOK(t, err)
	mustOK(t, db.Close())
	wantCode(t, db.Ping(t.Context()), hailurah.EUNAVAILABLE, "")
}

func TestSetNow(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		at := time.Date(2026, 1, 5, 1, 2, 3, 456789999, time.FixedZone("WIB", 7*3600))
		db.SetNow(func() time.Time { return at })
		u := mustUser(t, db, "budi", hailurah.RoleAdmin, "", "")
		want := at.UTC().Truncate(time.Microsecond)
		got, err := db.FindUserByID(t.Context(), u.ID)
		mustOK(t, err)
		if !got.CreatedAt.Equal(want) || got.CreatedAt.Location() != time.UTC {
			t.Fatalf("CreatedAt = %v, want %v in UTC", got.CreatedAt, want)
		}
		db.SetNow(nil)
		v := mustUser(t, db, "siti", hailurah.RoleAdmin, "", "")
		if time.Since(v.CreatedAt) > time.Minute {
			t.Fatalf("after SetNow(nil) CreatedAt = %v, want about now", v.CreatedAt)
		}
	})
}

// TestConcurrentWrites runs writers at once: on SQLite they queue for the
// one connection instead of failing with SQLITE_BUSY.
func TestConcurrentWrites(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		const n = 8
		var wg sync.WaitGroup
		errs := make(chan error, 2*n)
		for i := range n {
			wg.Go(func() {
				u := &hailurah.User{Username: fmt.Sprintf("mod%d", i), Name: "Moderator", Role: hailurah.RoleModerator, Kelurahan: "taman"}
				errs <- db.CreateUser(t.Context(), u, testPassword)
				errs <- db.Audit(t.Context(), &hailurah.AuditEntry{Actor: "system", Action: "test.concurrent"})
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			mustOK(t, err)
		}
		users, err := db.ListUsers(t.Context(), hailurah.UserFilter{})
		mustOK(t, err)
		entries, err := db.ListAudit(t.Context(), 0, 0)
		mustOK(t, err)
		if len(users) != n || len(entries) != n {
			t.Fatalf("%d users and %d audit entries, want %d of each", len(users), len(entries), n)
		}
	})
}
