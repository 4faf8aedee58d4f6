// Package storetest opens real, migrated databases for tests: SQLite in the
// test's temporary directory, and Postgres, when TEST_DATABASE_URL is set,
// in a fresh schema of its own. Every database is closed (and the Postgres
// schema dropped) when the test ends, so tests are isolated and may run in
// parallel.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hailurah/hailurah/store"
)

// EnvDatabaseURL names the variable holding the Postgres URL of the test
// database, e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable.
// CI always sets it.
const EnvDatabaseURL = "TEST_DATABASE_URL"

// Open returns a migrated SQLite database in tb.TempDir().
func Open(tb testing.TB) *store.DB {
	tb.Helper()
	return openSQLite(tb, true)
}

// OpenPostgres returns a migrated Postgres database in a new schema of the
// database at TEST_DATABASE_URL. It skips the test only when the variable is
// unset; any other problem fails it.
func OpenPostgres(tb testing.TB) *store.DB {
	tb.Helper()
	return openPostgres(tb, true)
}

// Each runs fn as the subtest "sqlite" and the subtest "postgres", each with
// a migrated database of its own. The postgres subtest is skipped when
// TEST_DATABASE_URL is unset, so a local run shows what it did not test.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	each(t, true, fn)
}

// EachEmpty is Each with databases that have no tables yet, for tests of
// the migrations themselves.
func EachEmpty(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	each(t, false, fn)
}

func each(t *testing.T, migrate bool, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run(store.DialectSQLite, func(t *testing.T) {
		fn(t, openSQLite(t, migrate))
	})
	t.Run(store.DialectPostgres, func(t *testing.T) {
		fn(t, openPostgres(t, migrate))
	})
}

func openSQLite(tb testing.TB, migrate bool) *store.DB {
	tb.Helper()
	db, err := store.Open(tb.Context(), "", tb.TempDir(), logger())
	if err != nil {
		tb.Fatalf("open sqlite: %v", err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("close sqlite: %v", err)
		}
	})
	if migrate {
		if err := db.MigrateUp(tb.Context()); err != nil {
			tb.Fatalf("migrate sqlite: %v", err)
		}
	}
	return db
}

func openPostgres(tb testing.TB, migrate bool) *store.DB {
	tb.Helper()
	base := os.Getenv(EnvDatabaseURL)
	if base == "" {
		tb.Skipf("%s is not set; set it to a Postgres URL to run this test (CI always does)", EnvDatabaseURL)
	}
	if !strings.HasPrefix(base, "postgres://") && !strings.HasPrefix(base, "postgresql://") {
		tb.Fatalf("%s must be a postgres:// URL", EnvDatabaseURL)
	}

	schema := "hltest_" + randomHex(tb, 8)
	if err := execAdmin(base, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatal(err)
	}
	// Registered before the store's Close, so it runs after it.
	tb.Cleanup(func() {
		if err := execAdmin(base, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			tb.Error(err)
		}
	})

	// search_path as a startup parameter applies to every connection of the
	// pool, so every unqualified table, goose's included, is in the schema.
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("parse %s: %v", EnvDatabaseURL, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()

	db, err := store.Open(tb.Context(), u.String(), "", logger())
	if err != nil {
		tb.Fatalf("open postgres: %v", err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("close postgres: %v", err)
		}
	})
	if migrate {
		if err := db.MigrateUp(tb.Context()); err != nil {
			tb.Fatalf("migrate postgres: %v", err)
		}
	}
	return db
}

// execAdmin runs one statement outside the test's schema. It uses its own
// context because it also runs during cleanup, after tb.Context is done.
func execAdmin(databaseURL, sql string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", EnvDatabaseURL, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		return fmt.Errorf("%s: %w", sql, err)
	}
	return nil
}

func randomHex(tb testing.TB, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		tb.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// logger discards the store's log: errors reach the test as return values,
// and a log written after a test ends would panic if it went to tb.
func logger() *slog.Logger {
	return slog.New(slog.DiscardHandler)
}
