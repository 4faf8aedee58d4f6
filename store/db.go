// Package store implements the domain services of package hailurah with GORM
// on Postgres (production) or SQLite (the embedded default), with the schema
// managed by the goose migrations of package migrations.
//
// One file per table group (kelurahan.go, user.go, session.go, token.go,
// audit.go), each with its private row structs (explicit TableName) and
// their conversions to the domain types. Each public method validates its
// input, runs in one transaction (db.tx) when it writes more than one row,
// and returns *hailurah.Error values for every outcome a caller must tell
// apart. Times are written through db.now() or utc(): UTC, whole
// microseconds, so they compare and read back alike on both dialects.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/migrations"
	"github.com/hailurah/hailurah/store/kpi"
)

// Dialect names, as Dialect returns them.
const (
	DialectPostgres = migrations.DialectPostgres
	DialectSQLite   = migrations.DialectSQLite
)

// SQLiteFile is the name of the database file inside the data directory.
const SQLiteFile = "hailurah.db"

// sqliteBusyTimeout is how long a write waits for another process holding
// the SQLite write lock (the `hailurah user` command run beside a running
// server, say) before giving up.
const sqliteBusyTimeout = 5 * time.Second

var (
	_ hailurah.KelurahanService = (*DB)(nil)
	_ hailurah.UserService      = (*DB)(nil)
	_ hailurah.AuditService     = (*DB)(nil)
	_ hailurah.Pinger           = (*DB)(nil)
)

// DB is the store: one connection pool and the services built on it.
type DB struct {
	gorm    *gorm.DB
	sql     *sql.DB
	dialect string
	logger  *slog.Logger
	clock   atomic.Pointer[func() time.Time]
	// zone is the calendar of days and months (SetZone); nil is the
	// zero Zone, Asia/Jakarta.
	zone atomic.Pointer[hailurah.Zone]
	// kpis answers the KPI and dashboard queries (kpi.go).
	kpis *kpi.Reader
}

// Open connects to the database. An empty databaseURL opens (creating it if
// needed) the SQLite file dataDir/hailurah.db; a postgres:// or
// postgresql:// URL opens Postgres; anything else is EINVALID. Open does not
// migrate: call MigrateUp.
func Open(ctx context.Context, databaseURL, dataDir string, log *slog.Logger) (*DB, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	db := &DB{logger: log}
	db.SetNow(nil)
	db.kpis = kpi.New(db, log, strictRollups)

	var dialector gorm.Dialector
	switch {
	case databaseURL == "":
		conn, err := openSQLite(dataDir)
		if err != nil {
			return nil, err
		}
		dialector = sqliteDialector{conn: conn}
		db.dialect = DialectSQLite
	case strings.HasPrefix(databaseURL, "postgres://"), strings.HasPrefix(databaseURL, "postgresql://"):
		dialector = postgres.New(postgres.Config{DSN: databaseURL})
		db.dialect = DialectPostgres
	default:
		// The URL is not echoed: it may hold a password.
		return nil, hailurah.Errorf(hailurah.EINVALID,
			"DATABASE_URL harus diawali postgres:// atau postgresql://, atau dikosongkan untuk memakai SQLite.")
	}

	g, err := gorm.Open(dialector, &gorm.Config{
		TranslateError: true,
		NowFunc:        db.now,
		// Methods open their own transaction where they write more than one
		// row; a hidden one around every single-row write only costs a round trip.
		SkipDefaultTransaction: true,
		// gorm.Open would ping without a context, which can hang on an
		// unreachable host; the ping below honours ctx.
		DisableAutomaticPing: true,
		Logger: gormLogger{logger.NewSlogLogger(log, logger.Config{
			SlowThreshold:             500 * time.Millisecond,
			IgnoreRecordNotFoundError: true,
			LogLevel:                  logger.Warn,
		})},
	})
	if err != nil {
		if s, ok := dialector.(sqliteDialector); ok {
			s.conn.Close()
		}
		return nil, fmt.Errorf("store: open %s: %w", db.dialect, err)
	}
	db.gorm = g
	if db.sql, err = g.DB(); err != nil {
		return nil, fmt.Errorf("store: open %s: %w", db.dialect, err)
	}
	if db.dialect == DialectPostgres {
		// Server and worker each hold a pool; ten connections each stays well
		// inside Postgres's default of 100.
		db.sql.SetMaxOpenConns(10)
		db.sql.SetMaxIdleConns(5)
		db.sql.SetConnMaxIdleTime(5 * time.Minute)
	}
	if err := db.ping(ctx); err != nil {
		db.sql.Close()
		return nil, fmt.Errorf("store: connect to %s: %w", db.dialect, err)
	}
	return db, nil
}

// openSQLite opens the pool of the SQLite file in dataDir.
//
// The pool holds one connection. SQLite admits one writer at a time
// whatever the pool size, and the embedded default serves one kelurahan or a
// few (a few writes a minute), far below what one connection handles. With
// one connection, the writers of this process queue in database/sql, in
// order, instead of contending for SQLite's lock and failing with
// SQLITE_BUSY when the busy timeout runs out. The cost: code must not use
// the DB outside a transaction while it holds one open, or it waits (until
// its context ends) for the connection its own transaction holds.
//
// Every connection gets, from the DSN: WAL, so readers in other processes
// (a backup, the sqlite3 shell) do not block the writer; a busy timeout for
// writers in other processes; foreign keys, which SQLite leaves off by
// default; BEGIN IMMEDIATE, so a transaction takes the write lock at its
// start instead of failing when it first writes; and one time format, UTC
// in ISO order, so times compare correctly as text.
func openSQLite(dataDir string) (*sql.DB, error) {
	if strings.TrimSpace(dataDir) == "" {
		return nil, hailurah.Errorf(hailurah.EINVALID, "Direktori data (HAILURAH_DATA_DIR) wajib diisi untuk SQLite.")
	}
	if strings.ContainsAny(dataDir, "?#") {
		return nil, hailurah.Errorf(hailurah.EINVALID, "Direktori data tidak boleh memuat tanda ? atau #.")
	}
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, fmt.Errorf("store: create data dir: %w", err)
	}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", sqliteBusyTimeout.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Set("_txlock", "immediate")
	q.Set("_time_format", "sqlite")
	conn, err := sql.Open("sqlite", filepath.Join(dataDir, SQLiteFile)+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	conn.SetMaxOpenConns(1)
	conn.SetMaxIdleConns(1)
	conn.SetConnMaxLifetime(0)
	conn.SetConnMaxIdleTime(0)
	return conn, nil
}

// Dialect returns DialectPostgres or DialectSQLite.
func (db *DB) Dialect() string { return db.dialect }

// Gorm returns the GORM handle, for the store's own files and tests.
func (db *DB) Gorm() *gorm.DB { return db.gorm }

// Ping runs a query, so it fails when the database cannot serve one (not
// only when the connection is gone). It returns EUNAVAILABLE and logs the
// cause, which may name hosts and users the caller should not show.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.ping(ctx); err != nil {
		db.logger.WarnContext(ctx, "database ping failed", "dialect", db.dialect, "err", err)
		return hailurah.Errorf(hailurah.EUNAVAILABLE, "Basis data tidak dapat dihubungi.")
	}
	return nil
}

func (db *DB) ping(ctx context.Context) error {
	var one int
	return db.sql.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// Close closes the connection pool.
func (db *DB) Close() error { return db.sql.Close() }

// SetNow replaces the clock (tests use a fixed one); nil restores time.Now.
func (db *DB) SetNow(now func() time.Time) {
	if now == nil {
		now = time.Now
	}
	db.clock.Store(&now)
}

// now is the time the store records: UTC, so SQLite's text times compare
// in order, and whole microseconds, because that is all Postgres keeps, so
// a time reads back equal on both dialects.
func (db *DB) now() time.Time {
	return utc((*db.clock.Load())())
}

func utc(t time.Time) time.Time {
	return t.UTC().Truncate(time.Microsecond)
}

// utcPtr is utc for a nullable column.
func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := utc(*t)
	return &u
}

// q returns a handle bound to ctx, for a single statement.
func (db *DB) q(ctx context.Context) *gorm.DB {
	return db.gorm.WithContext(ctx)
}

// tx runs fn in one transaction, committed when fn returns nil.
func (db *DB) tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return db.gorm.WithContext(ctx).Transaction(fn)
}

// isConstraint reports whether err is a constraint violation, which the
// store turns into EINVALID or ECONFLICT for the user.
func isConstraint(err error) bool {
	return errors.Is(err, gorm.ErrDuplicatedKey) ||
		errors.Is(err, gorm.ErrForeignKeyViolated) ||
		errors.Is(err, gorm.ErrCheckConstraintViolated)
}

// gormLogger logs slow and failed statements through slog, without their
// parameters: those hold password and token hashes and citizens' details.
// Constraint violations are left out too: they are reported to the user as
// EINVALID or ECONFLICT, not faults for the operator.
type gormLogger struct{ logger.Interface }

func (l gormLogger) LogMode(level logger.LogLevel) logger.Interface {
	return gormLogger{l.Interface.LogMode(level)}
}

func (l gormLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	if isConstraint(err) {
		err = nil
	}
	l.Interface.Trace(ctx, begin, fc, err)
}

// ParamsFilter drops the statement's parameters from the log.
func (gormLogger) ParamsFilter(_ context.Context, sql string, _ ...any) (string, []any) {
	return sql, nil
}
