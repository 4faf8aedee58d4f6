package migrations_test

import (
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hailurah/hailurah/migrations"
)

var fileName = regexp.MustCompile(`^(\d{5})_[a-z0-9_]+\.sql$`)

func names(t *testing.T, dialect string) []string {
	t.Helper()
	fsys, err := migrations.FS(dialect)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// TestLockstep fails when a migration exists for one dialect and not the
// other: the two schemas would drift apart.
func TestLockstep(t *testing.T) {
	pg := names(t, migrations.DialectPostgres)
	lite := names(t, migrations.DialectSQLite)
	if len(pg) == 0 {
		t.Fatal("no postgres migrations")
	}
	for _, n := range pg {
		if !slices.Contains(lite, n) {
			t.Errorf("%s is in postgres/ but not in sqlite/", n)
		}
	}
	for _, n := range lite {
		if !slices.Contains(pg, n) {
			t.Errorf("%s is in sqlite/ but not in postgres/", n)
		}
	}
}

// TestVersions checks that every file is NNNNN_name.sql and that versions
// run 1, 2, 3… without a gap or a repeat, so goose applies them in the order
// they were written.
func TestVersions(t *testing.T) {
	for _, dialect := range []string{migrations.DialectPostgres, migrations.DialectSQLite} {
		for i, n := range names(t, dialect) {
			m := fileName.FindStringSubmatch(n)
			if m == nil {
				t.Errorf("%s/%s: name must be NNNNN_lowercase_words.sql", dialect, n)
				continue
			}
			if v, _ := strconv.Atoi(m[1]); v != i+1 {
				t.Errorf("%s/%s: version %d, want %d", dialect, n, v, i+1)
			}
		}
	}
}

// TestAnnotations checks that every migration can be rolled back and that
// statement blocks are closed; goose would only find out when it runs them.
func TestAnnotations(t *testing.T) {
	for _, dialect := range []string{migrations.DialectPostgres, migrations.DialectSQLite} {
		fsys, err := migrations.FS(dialect)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range names(t, dialect) {
			b, err := fs.ReadFile(fsys, n)
			if err != nil {
				t.Fatal(err)
			}
			s := string(b)
			up := strings.Index(s, "-- +goose Up")
			down := strings.Index(s, "-- +goose Down")
			if up < 0 || down < up {
				t.Errorf("%s/%s: want a -- +goose Up section followed by a -- +goose Down section", dialect, n)
			}
			begins := strings.Count(s, "-- +goose StatementBegin")
			ends := strings.Count(s, "-- +goose StatementEnd")
			if begins != ends {
				t.Errorf("%s/%s: %d StatementBegin but %d StatementEnd", dialect, n, begins, ends)
			}
		}
	}
}

func TestFS(t *testing.T) {
	for _, dialect := range []string{migrations.DialectPostgres, migrations.DialectSQLite} {
		fsys, err := migrations.FS(dialect)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fs.Stat(fsys, "00001_foundation.sql"); err != nil {
			t.Errorf("%s: %v", dialect, err)
		}
	}
	if _, err := migrations.FS("mysql"); err == nil {
		t.Error("FS(mysql) returned no error")
	} else if !strings.Contains(err.Error(), fmt.Sprintf("%q", "mysql")) {
		t.Errorf("FS(mysql) error %q does not name the dialect", err)
	}
}
