// Package migrations holds the goose SQL migrations of the store, one folder
// per dialect, embedded in the binary.
//
// postgres/ and sqlite/ are kept in lockstep: every migration exists in both
// folders under the same file name (so the same version), and describes the
// same schema in each dialect's SQL. A test fails when the folders differ,
// and store's TestMigrationsParity when the schemas they build do.
// To add one, write NNNNN_name.sql in both folders, with the next number,
// `-- +goose Up` and `-- +goose Down` sections, and
// `-- +goose StatementBegin`/`StatementEnd` around any statement that
// contains semicolons (functions, triggers).
package migrations

import (
	"embed"
	"fmt"
	"io/fs"
)

// Postgres holds postgres/*.sql.
//
//go:embed postgres/*.sql
var Postgres embed.FS

// SQLite holds sqlite/*.sql.
//
//go:embed sqlite/*.sql
var SQLite embed.FS

// Dialect names, as store.DB.Dialect returns them.
const (
	DialectPostgres = "postgres"
	DialectSQLite   = "sqlite"
)

// FS returns the migrations of a dialect with the .sql files at its root,
// as goose expects them.
func FS(dialect string) (fs.FS, error) {
	switch dialect {
	case DialectPostgres:
		return fs.Sub(Postgres, "postgres")
	case DialectSQLite:
		return fs.Sub(SQLite, "sqlite")
	}
	return nil, fmt.Errorf("migrations: unknown dialect %q", dialect)
}
