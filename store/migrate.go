package store

import (
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"text/tabwriter"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/hailurah/hailurah/migrations"
)

// provider returns a goose provider for the dialect's embedded migrations.
// The provider API is used rather than goose's package functions because
// those keep the dialect and file system in globals, which parallel tests
// on two dialects would race on.
func (db *DB) provider(ctx context.Context) (*goose.Provider, error) {
	fsys, err := migrations.FS(db.dialect)
	if err != nil {
		return nil, err
	}
	dialect := goose.DialectSQLite3
	opts := []goose.ProviderOption{
		goose.WithDisableGlobalRegistry(true),
		goose.WithSlog(db.logger),
	}
	if db.dialect == DialectPostgres {
		dialect = goose.DialectPostgres
		// The server and the worker may start, and migrate, at the same
		// moment; an advisory lock lets one apply the migrations while the
		// other waits. SQLite needs none: its pool has one connection and
		// BEGIN IMMEDIATE serialises other processes.
		//
		// Advisory locks are per database, but goose's table is per schema:
		// the lock id is derived from the schema, so migrations of separate
		// schemas (parallel tests) do not wait for each other. The lock is
		// polled every second, for up to five minutes.
		var schema string
		if err := db.sql.QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
			return nil, err
		}
		locker, err := lock.NewPostgresSessionLocker(
			lock.WithLockID(int64(crc32.ChecksumIEEE([]byte("hailurah-migrations:"+schema)))),
			lock.WithLockTimeout(1, 300),
		)
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	return goose.NewProvider(dialect, db.sql, fsys, opts...)
}

// MigrateUp applies every migration not yet applied, in version order, each
// in its own transaction, recording it in goose's table (goose_db_version).
func (db *DB) MigrateUp(ctx context.Context) error {
	p, err := db.provider(ctx)
	if err != nil {
		return fmt.Errorf("store: migrate up: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("store: migrate up: %w", err)
	}
	for _, r := range results {
		db.logger.Info("migration applied", "version", r.Source.Version, "file", r.Source.Path,
			"duration", r.Duration.Round(time.Millisecond))
	}
	return nil
}

// MigrateDown rolls back the most recently applied migration.
func (db *DB) MigrateDown(ctx context.Context) error {
	p, err := db.provider(ctx)
	if err != nil {
		return fmt.Errorf("store: migrate down: %w", err)
	}
	r, err := p.Down(ctx)
	if errors.Is(err, goose.ErrNoNextVersion) {
		return fmt.Errorf("store: migrate down: no migration is applied")
	} else if err != nil {
		return fmt.Errorf("store: migrate down: %w", err)
	}
	db.logger.Info("migration rolled back", "version", r.Source.Version, "file", r.Source.Path)
	return nil
}

// MigrationStatus writes one line per migration: its version, file, and
// when it was applied or "pending".
func (db *DB) MigrationStatus(ctx context.Context, w io.Writer) error {
	p, err := db.provider(ctx)
	if err != nil {
		return fmt.Errorf("store: migration status: %w", err)
	}
	statuses, err := p.Status(ctx)
	if err != nil {
		return fmt.Errorf("store: migration status: %w", err)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "VERSION\tFILE\tAPPLIED\n")
	for _, s := range statuses {
		applied := "pending"
		if s.State == goose.StateApplied {
			applied = s.AppliedAt.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\n", s.Source.Version, s.Source.Path, applied)
	}
	return tw.Flush()
}
