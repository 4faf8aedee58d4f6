package store_test

import (
	"bytes"
	"io/fs"
	"strings"
	"testing"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/migrations"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/storetest"
)

var foundationTables = []string{"kelurahan", "units", "users", "sessions", "api_tokens", "audit_log"}

func tableExists(t *testing.T, db *store.DB, table string) bool {
	t.Helper()
	var n int64
	var err error
	if db.Dialect() == store.DialectPostgres {
		err = db.Gorm().Raw("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = ?", table).Scan(&n).Error
	} else {
		err = db.Gorm().Raw("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", table).Scan(&n).Error
	}
	mustOK(t, err)
	return n == 1
}

func status(t *testing.T, db *store.DB) string {
	t.Helper()
	var b bytes.Buffer
	mustOK(t, db.MigrationStatus(t.Context(), &b))
	return b.String()
}

func TestMigrateUpDownUp(t *testing.T) {
	t.Parallel()
	storetest.EachEmpty(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		for _, table := range foundationTables {
			if tableExists(t, db, table) {
				t.Fatalf("table %s exists before any migration", table)
			}
		}
		if s := status(t, db); !strings.Contains(s, "00001_foundation.sql") || !strings.Contains(s, "pending") {
			t.Fatalf("status before migrating:\n%s", s)
		}

		mustOK(t, db.MigrateUp(ctx))
		for _, table := range foundationTables {
			if !tableExists(t, db, table) {
				t.Errorf("table %s missing after MigrateUp", table)
			}
		}
		// Every embedded migration is applied, in order, after goose's own 0.
		files, err := fs.Glob(migrations.SQLite, "sqlite/*.sql")
		mustOK(t, err)
		var versions []int64
		mustOK(t, db.Gorm().Raw("SELECT version_id FROM goose_db_version WHERE is_applied ORDER BY id").Scan(&versions).Error)
		if len(versions) != len(files)+1 {
			t.Fatalf("goose_db_version holds versions %v, want 0 and %d migrations", versions, len(files))
		}
		for i, v := range versions {
			if v != int64(i) {
				t.Fatalf("goose_db_version holds versions %v, want 0…%d in order", versions, len(files))
			}
		}
		if s := status(t, db); strings.Contains(s, "pending") {
			t.Fatalf("status after MigrateUp still shows a pending migration:\n%s", s)
		}

		// Up again is a no-op.
		mustOK(t, db.MigrateUp(ctx))

		for range files {
			mustOK(t, db.MigrateDown(ctx))
		}
		for _, table := range foundationTables {
			if tableExists(t, db, table) {
				t.Errorf("table %s still exists after MigrateDown", table)
			}
		}
		if s := status(t, db); !strings.Contains(s, "pending") {
			t.Fatalf("status after MigrateDown shows nothing pending:\n%s", s)
		}
		if err := db.MigrateDown(ctx); err == nil {
			t.Fatal("MigrateDown with nothing applied returned no error")
		}

		mustOK(t, db.MigrateUp(ctx))
		mustOK(t, db.UpsertKelurahan(ctx, &hailurah.Kelurahan{Code: "taman", Name: "Taman"}))
		if _, err := db.FindKelurahan(ctx, "taman"); err != nil {
			t.Fatalf("store unusable after down and up again: %v", err)
		}
	})
}

// TestPostgresSchemasAreIsolated checks what parallel tests rely on: two
// databases from storetest do not see each other's rows.
func TestPostgresSchemasAreIsolated(t *testing.T) {
	t.Parallel()
	a, b := storetest.OpenPostgres(t), storetest.OpenPostgres(t)
	mustOK(t, a.UpsertUnit(t.Context(), &hailurah.Unit{Code: "pupr", Name: "PUPR"}))
	units, err := b.ListUnits(t.Context())
	mustOK(t, err)
	if len(units) != 0 {
		t.Fatalf("second schema sees %d units written to the first", len(units))
	}
}
