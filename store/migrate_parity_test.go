package store_test

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/storetest"
)

// parityAllowed lists the schema lines (as schemaLines writes them) that may
// exist in one dialect only, each with the reason. A line listed here that
// the schemas no longer differ by fails the test too, so the list stays true.
var parityAllowed = map[string]string{
	// The duration indexes of 00006 cover the median's query. Postgres
	// carries the other columns it reads as INCLUDE columns, which SQLite
	// does not have: its indexes carry kelurahan_code and datetime_received
	// as trailing key columns instead.
	"postgres: index tickets_reply_seconds_idx on tickets ((expression)) partial":                                    "SQLite has no INCLUDE",
	"sqlite: index tickets_reply_seconds_idx on tickets ((expression), kelurahan_code, datetime_received) partial":   "SQLite has no INCLUDE",
	"postgres: index tickets_resolve_seconds_idx on tickets ((expression)) partial":                                  "SQLite has no INCLUDE",
	"sqlite: index tickets_resolve_seconds_idx on tickets ((expression), kelurahan_code, datetime_received) partial": "SQLite has no INCLUDE",
}

// TestMigrationsParity migrates a fresh SQLite and a fresh Postgres database
// and compares what the two dialects' migrations built: tables, their
// columns (name, nullability, type family), primary keys, unique
// constraints, indexes (name, columns, unique, partial) and views. The
// migrations test only checks that both folders hold the same file names;
// this checks that the files say the same thing. The Postgres half runs
// when TEST_DATABASE_URL is set.
func TestMigrationsParity(t *testing.T) {
	t.Parallel()
	lite := schemaLines(t, storetest.Open(t))
	if !slices.Contains(lite, "table tickets") || !slices.Contains(lite, "view kpi_curhat_daily") {
		t.Fatalf("the SQLite schema as read lacks the tickets table or a kpi view:\n%s", strings.Join(lite, "\n"))
	}
	pg := schemaLines(t, storetest.OpenPostgres(t))

	type only struct{ dialect, line string }
	var diff []only
	seen := map[string]bool{}
	for _, side := range []struct {
		dialect     string
		have, other []string
	}{{store.DialectPostgres, pg, lite}, {store.DialectSQLite, lite, pg}} {
		for _, l := range side.have {
			if slices.Contains(side.other, l) {
				continue
			}
			key := side.dialect + ": " + l
			if _, ok := parityAllowed[key]; ok {
				seen[key] = true
				continue
			}
			diff = append(diff, only{side.dialect, l})
		}
	}
	if len(diff) > 0 {
		// By line, so the two versions of a column that differs sit together.
		slices.SortFunc(diff, func(a, b only) int {
			return cmp.Or(strings.Compare(a.line, b.line), strings.Compare(a.dialect, b.dialect))
		})
		var b strings.Builder
		for _, d := range diff {
			fmt.Fprintf(&b, "  only in %-9s %s\n", d.dialect+":", d.line)
		}
		t.Errorf("the postgres and sqlite migrations build different schemas:\n%s"+
			"Write a new migration in both folders, or, if SQLite cannot say it, add the line to parityAllowed with the reason.",
			b.String())
	}
	for key := range parityAllowed {
		if !seen[key] {
			t.Errorf("parityAllowed lists %q, but the schemas do not differ by it: remove it", key)
		}
	}
}

// schemaLines describes the schema of db's tables as sorted lines that mean
// the same in both dialects:
//
//	table T
//	column T.C FAMILY null|not null [generated]
//	primary key T (C, …)
//	unique T (C, …)                             a UNIQUE constraint, whatever its index is called
//	index NAME on T (C, C DESC, (expression)) [unique] [partial]
//	view V
//
// goose's own table is left out.
func schemaLines(t *testing.T, db *store.DB) []string {
	t.Helper()
	var out []string
	if db.Dialect() == store.DialectPostgres {
		out = postgresSchema(t, db)
	} else {
		out = sqliteSchema(t, db)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func postgresSchema(t *testing.T, db *store.DB) []string {
	t.Helper()
	g := db.Gorm().WithContext(t.Context())
	var out []string

	var relations []struct{ Name, Kind string }
	mustOK(t, g.Raw(`SELECT table_name AS name, table_type AS kind FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_name <> 'goose_db_version'`).Scan(&relations).Error)
	for _, r := range relations {
		if r.Kind == "VIEW" {
			out = append(out, "view "+r.Name)
		} else {
			out = append(out, "table "+r.Name)
		}
	}
	var matviews []string
	mustOK(t, g.Raw(`SELECT matviewname FROM pg_matviews WHERE schemaname = current_schema()`).Scan(&matviews).Error)
	for _, v := range matviews {
		out = append(out, "view "+v)
	}

	var columns []struct{ Table, Column, Type, Nullable, Generated string }
	mustOK(t, g.Raw(`SELECT c.table_name AS "table", c.column_name AS "column", c.data_type AS type, c.is_nullable AS nullable,
			c.is_generated AS generated
		FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name)
		WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' AND c.table_name <> 'goose_db_version'`).Scan(&columns).Error)
	for _, c := range columns {
		out = append(out, columnLine(c.Table, c.Column, postgresFamily(c.Type), c.Nullable == "YES", c.Generated == "ALWAYS"))
	}

	// One row per index: its key columns in order (expressions as such), and
	// the constraint it backs, if any.
	var indexes []struct {
		Table, Index, Columns, Constraint string
		Unique, Partial                   bool
	}
	mustOK(t, g.Raw(`SELECT t.relname AS "table", i.relname AS "index", ix.indisunique AS "unique",
			ix.indpred IS NOT NULL AS partial,
			COALESCE((SELECT contype::text FROM pg_constraint WHERE conindid = ix.indexrelid AND conrelid = ix.indrelid LIMIT 1), '') AS "constraint",
			(SELECT string_agg(CASE WHEN ix.indkey[k-1] = 0 THEN '(expression)'
			                        ELSE (SELECT attname FROM pg_attribute WHERE attrelid = ix.indrelid AND attnum = ix.indkey[k-1]) END
			                   || CASE WHEN ix.indoption[k-1] & 1 = 1 THEN ' DESC' ELSE '' END, ', ' ORDER BY k)
			   FROM generate_series(1, ix.indnkeyatts) AS k) AS columns
		FROM pg_index ix
		JOIN pg_class i ON i.oid = ix.indexrelid
		JOIN pg_class t ON t.oid = ix.indrelid
		JOIN pg_namespace n ON n.oid = t.relnamespace
		WHERE n.nspname = current_schema() AND t.relname <> 'goose_db_version'`).Scan(&indexes).Error)
	for _, ix := range indexes {
		switch ix.Constraint {
		case "p":
			out = append(out, fmt.Sprintf("primary key %s (%s)", ix.Table, ix.Columns))
		case "u":
			out = append(out, fmt.Sprintf("unique %s (%s)", ix.Table, ix.Columns))
		default:
			out = append(out, indexLine(ix.Index, ix.Table, ix.Columns, ix.Unique, ix.Partial))
		}
	}
	return out
}

func sqliteSchema(t *testing.T, db *store.DB) []string {
	t.Helper()
	g := db.Gorm().WithContext(t.Context())
	var out []string

	var objects []struct{ Name, Type string }
	mustOK(t, g.Raw(`SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view')
		AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name <> 'goose_db_version'`).Scan(&objects).Error)
	for _, o := range objects {
		out = append(out, o.Type+" "+o.Name)
		if o.Type != "table" {
			continue
		}

		// table_xinfo, not table_info, which leaves out generated columns.
		// hidden is 2 or 3 for a generated column (1 is a virtual table's
		// hidden column, which a plain table has none of).
		var columns []struct {
			Name, Type string
			NotNull    bool
			PK, Hidden int
		}
		mustOK(t, g.Raw(`SELECT name, type, "notnull" AS not_null, pk, hidden FROM pragma_table_xinfo(?)`, o.Name).Scan(&columns).Error)
		var pk []string
		for range columns {
			pk = append(pk, "")
		}
		pkColumns := 0
		for _, c := range columns {
			if c.PK > 0 {
				pk[c.PK-1] = c.Name
				pkColumns++
			}
		}
		for _, c := range columns {
			// A lone INTEGER PRIMARY KEY is the rowid, which is never NULL,
			// though SQLite does not mark it NOT NULL.
			rowid := c.PK > 0 && pkColumns == 1 && strings.EqualFold(c.Type, "INTEGER")
			out = append(out, columnLine(o.Name, c.Name, sqliteFamily(c.Type), !c.NotNull && !rowid, c.Hidden >= 2))
		}
		if pkColumns > 0 {
			out = append(out, fmt.Sprintf("primary key %s (%s)", o.Name, strings.Join(pk[:pkColumns], ", ")))
		}

		var indexes []struct {
			Name, Origin    string
			Unique, Partial bool
		}
		mustOK(t, g.Raw(`SELECT name, "unique", origin, partial FROM pragma_index_list(?)`, o.Name).Scan(&indexes).Error)
		for _, ix := range indexes {
			if ix.Origin == "pk" {
				continue // the primary key, described above
			}
			var keys []struct {
				CID  int
				Name *string
				Desc bool
			}
			mustOK(t, g.Raw(`SELECT cid, name, "desc" FROM pragma_index_xinfo(?) WHERE key ORDER BY seqno`, ix.Name).Scan(&keys).Error)
			var cols []string
			for _, k := range keys {
				c := "(expression)"
				if k.CID >= 0 && k.Name != nil {
					c = *k.Name
				}
				if k.Desc {
					c += " DESC"
				}
				cols = append(cols, c)
			}
			if ix.Origin == "u" {
				out = append(out, fmt.Sprintf("unique %s (%s)", o.Name, strings.Join(cols, ", ")))
			} else {
				out = append(out, indexLine(ix.Name, o.Name, strings.Join(cols, ", "), ix.Unique, ix.Partial))
			}
		}
	}
	return out
}

func columnLine(table, column, family string, nullable, generated bool) string {
	l := fmt.Sprintf("column %s.%s %s not null", table, column, family)
	if nullable {
		l = fmt.Sprintf("column %s.%s %s null", table, column, family)
	}
	if generated {
		l += " generated"
	}
	return l
}

func indexLine(name, table, columns string, unique, partial bool) string {
	l := fmt.Sprintf("index %s on %s (%s)", name, table, columns)
	if unique {
		l += " unique"
	}
	if partial {
		l += " partial"
	}
	return l
}

// postgresFamily and sqliteFamily name the kind of value a column holds in
// SQLite's words, SQLite having the fewer types. Three Postgres types have
// no SQLite counterpart and the migrations write them, on purpose, as the
// SQLite type they compare equal to here: boolean is INTEGER 0/1 with a
// CHECK, jsonb is TEXT with a json_valid CHECK, and date is a TIMESTAMP at
// 00:00 UTC (the store's dateOnly).
func postgresFamily(dataType string) string {
	switch dataType {
	case "text", "character varying", "character", "jsonb", "json":
		return "text"
	case "smallint", "integer", "bigint", "boolean":
		return "integer"
	case "timestamp with time zone", "timestamp without time zone", "date":
		return "timestamp"
	case "double precision", "real", "numeric":
		return "real"
	case "bytea":
		return "blob"
	}
	return dataType
}

// sqliteFamily follows SQLite's own rules for a declared type's affinity
// (https://sqlite.org/datatype3.html, 3.1), with TIMESTAMP and DATETIME, which
// it would call NUMERIC, kept apart as timestamps.
func sqliteFamily(declared string) string {
	d := strings.ToUpper(declared)
	switch {
	case strings.Contains(d, "INT"):
		return "integer"
	case strings.Contains(d, "CHAR"), strings.Contains(d, "CLOB"), strings.Contains(d, "TEXT"):
		return "text"
	case d == "", strings.Contains(d, "BLOB"):
		return "blob"
	case strings.Contains(d, "TIMESTAMP"), strings.Contains(d, "DATETIME"):
		return "timestamp"
	case strings.Contains(d, "REAL"), strings.Contains(d, "FLOA"), strings.Contains(d, "DOUB"),
		strings.Contains(d, "NUMERIC"), strings.Contains(d, "DECIMAL"):
		return "real"
	}
	return strings.ToLower(declared)
}
