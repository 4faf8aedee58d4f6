package devserver

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/metrics"
	"go.temporal.io/server/common/persistence/sql"
	"go.temporal.io/server/common/persistence/sql/sqlplugin"
	"go.temporal.io/server/common/resolver"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"google.golang.org/protobuf/types/known/durationpb"
)

// retention is how long a closed workflow's history is kept. Long enough
// that a case closed a few weeks ago can still be opened in the Web UI when
// a demo or a bug report needs it.
const retention = 30 * 24 * time.Hour

// ensureSchema creates Temporal's tables in a new database file at path and
// leaves an existing one alone.
//
// The tables are created in a scratch file that is renamed into place only
// when complete: a process killed half-way through the first start then
// leaves no half-made temporal.db that later starts would take for a real
// one.
func ensureSchema(path string) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	// Scratch files left by a start that was killed are useless.
	dir, scratchPrefix := filepath.Dir(path), filepath.Base(path)+".new-"
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), scratchPrefix) {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				return err
			}
		}
	}
	// A fresh name each time: Temporal's SQLite plugin keeps every
	// connection it opens until the process exits, keyed by file name, so a
	// reused name could hand this setup a connection to an older file.
	f, err := os.CreateTemp(dir, scratchPrefix+"*")
	if err != nil {
		return err
	}
	scratch := f.Name()
	if err := f.Close(); err != nil {
		return err
	}
	// SQLite's defaults (rollback journal, full sync) here: every table is
	// on disk, in the file itself, by the time it is renamed.
	cfg := sqliteConfig(scratch)
	delete(cfg.ConnectAttributes, "journal_mode")
	delete(cfg.ConnectAttributes, "synchronous")
	if err := sqliteschema.SetupSchema(cfg); err != nil {
		return fmt.Errorf("creating Temporal schema: %w", err)
	}
	return os.Rename(scratch, path)
}

// ensureNamespace registers namespace in the database at path unless it
// exists. This happens before the server starts, so the namespace is in the
// services' caches from their first moment. A new namespace gets the search
// attributes at once; for an existing one, Start adds missing ones through
// the operator API.
func ensureNamespace(path, namespace string, attrs map[string]enumspb.IndexedValueType) error {
	ns, err := sqliteschema.NewNamespaceConfig(clusterName, namespace, false, attrs)
	if err != nil {
		return err
	}
	ns.Detail.Config.Retention = durationpb.New(retention)
	if err := sqliteschema.CreateNamespaces(sqliteConfig(path), ns); err != nil {
		return fmt.Errorf("creating namespace %q: %w", namespace, err)
	}
	return nil
}

// forgetMembers deletes the cluster membership records of earlier runs.
//
// Every service records itself in the database and, on start, tries to
// join the members seen there in the last 20 seconds. After a quick restart
// those are the previous process's services, which no longer answer: joining
// them times out, and for 20 seconds or more the new services cannot find
// each other ("Not enough hosts to serve the request"). The server has not
// started yet, so every record left belongs to a process that is gone.
func forgetMembers(path string) (err error) {
	db, err := sql.NewSQLDB(sqlplugin.DbKindMain, sqliteConfig(path), resolver.NewNoopResolver(), log.NewNoopLogger(), metrics.NoopMetricsHandler)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, db.Close()) }()
	// Records expire 48 hours after their last heartbeat; a year ahead
	// covers them all.
	_, err = db.PruneClusterMembership(context.Background(), &sqlplugin.PruneClusterMembershipFilter{
		PruneRecordsBefore: time.Now().Add(365 * 24 * time.Hour),
	})
	if err != nil {
		return fmt.Errorf("clearing old cluster members: %w", err)
	}
	return nil
}
