package store

import (
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/callbacks"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/logger"
	"gorm.io/gorm/migrator"
	"gorm.io/gorm/schema"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// sqliteDialector is GORM's view of SQLite through modernc.org/sqlite, the
// pure-Go driver.
//
// It exists instead of github.com/glebarez/sqlite because that package
// registers its own database/sql driver under the name "sqlite", and so does
// modernc.org/sqlite, which the embedded Temporal server links for its own
// SQLite persistence: a binary holding both panics at start-up ("sql:
// Register called twice for driver sqlite"). With this dialector the binary
// has one SQLite engine and one driver, shared with Temporal.
//
// It implements only what the store uses: queries, inserts with RETURNING,
// upserts, savepoints and error translation. Schema changes are goose
// migrations, so the migrator is GORM's generic one and is never run.
type sqliteDialector struct {
	conn *sql.DB
}

func (sqliteDialector) Name() string { return DialectSQLite }

func (d sqliteDialector) Initialize(db *gorm.DB) error {
	// RETURNING has been in SQLite since 3.35; the embedded engine is newer.
	callbacks.RegisterDefaultCallbacks(db, &callbacks.Config{
		CreateClauses: []string{"INSERT", "VALUES", "ON CONFLICT", "RETURNING"},
		UpdateClauses: []string{"UPDATE", "SET", "FROM", "WHERE", "RETURNING"},
		DeleteClauses: []string{"DELETE", "FROM", "WHERE", "RETURNING"},
	})
	db.ConnPool = d.conn
	// SQLite accepts OFFSET only after a LIMIT; -1 means no limit.
	db.ClauseBuilders[clause.Limit{}.Name()] = func(c clause.Clause, b clause.Builder) {
		l, ok := c.Expression.(clause.Limit)
		if !ok {
			c.Build(b)
			return
		}
		if l.Limit == nil && l.Offset == 0 {
			return
		}
		b.WriteString("LIMIT ")
		if l.Limit != nil && *l.Limit >= 0 {
			b.WriteString(strconv.Itoa(*l.Limit))
		} else {
			b.WriteString("-1")
		}
		if l.Offset > 0 {
			b.WriteString(" OFFSET ")
			b.WriteString(strconv.Itoa(l.Offset))
		}
	}
	return nil
}

func (d sqliteDialector) Migrator(db *gorm.DB) gorm.Migrator {
	return migrator.Migrator{Config: migrator.Config{DB: db, Dialector: d}}
}

// DataTypeOf is used only by the migrator, which the store never runs.
func (sqliteDialector) DataTypeOf(f *schema.Field) string {
	switch f.DataType {
	case schema.Bool, schema.Int, schema.Uint:
		return "INTEGER"
	case schema.Float:
		return "REAL"
	case schema.Time:
		return "TIMESTAMP"
	case schema.Bytes:
		return "BLOB"
	}
	return "TEXT"
}

// DefaultValueOf is used for an insert with no columns; SQLite has no
// DEFAULT keyword in VALUES, and NULL lets every column take its default.
func (sqliteDialector) DefaultValueOf(*schema.Field) clause.Expression {
	return clause.Expr{SQL: "NULL"}
}

func (sqliteDialector) BindVarTo(w clause.Writer, _ *gorm.Statement, _ any) {
	w.WriteByte('?')
}

// QuoteTo quotes an identifier, or each part of a dotted one ("users.id"),
// in double quotes.
func (sqliteDialector) QuoteTo(w clause.Writer, s string) {
	for i, part := range strings.Split(s, ".") {
		if i > 0 {
			w.WriteByte('.')
		}
		part = strings.Trim(part, "`\"")
		w.WriteByte('"')
		w.WriteString(strings.ReplaceAll(part, `"`, `""`))
		w.WriteByte('"')
	}
}

func (sqliteDialector) Explain(sql string, vars ...any) string {
	return logger.ExplainSQL(sql, nil, `'`, vars...)
}

func (sqliteDialector) SavePoint(tx *gorm.DB, name string) error {
	return tx.Exec("SAVEPOINT " + name).Error
}

func (sqliteDialector) RollbackTo(tx *gorm.DB, name string) error {
	return tx.Exec("ROLLBACK TO SAVEPOINT " + name).Error
}

// Translate maps SQLite's constraint errors to GORM's, as the Postgres
// dialector does, so the store checks errors.Is(err, gorm.ErrDuplicatedKey)
// on both dialects. The driver reports extended result codes.
func (sqliteDialector) Translate(err error) error {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return err
	}
	switch e.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return fmt.Errorf("%w: %w", gorm.ErrDuplicatedKey, err)
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return fmt.Errorf("%w: %w", gorm.ErrForeignKeyViolated, err)
	case sqlite3.SQLITE_CONSTRAINT_CHECK:
		return fmt.Errorf("%w: %w", gorm.ErrCheckConstraintViolated, err)
	}
	return err
}
