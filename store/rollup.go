package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/hailurah/hailurah/store/kpi"
)

// strictRollups makes the KPI queries turn a rollup found out of step with
// the tickets into an error instead of a fallback to counting tickets; the
// tests set it.
var strictRollups = false

// RebuildCurhatRollups recomputes the dashboard rollups from the tickets,
// holding ticket writes back meanwhile. The triggers of migration 00006
// keep the rollups exact by themselves; this is for a session that loaded
// tickets with the triggers skipped (seed-demo, on Postgres, sets
// hailurah.skip_rollups) and writes tickets' first_reply_at itself.
func (db *DB) RebuildCurhatRollups(ctx context.Context) error {
	return db.tx(ctx, func(tx *gorm.DB) error {
		if db.dialect == DialectPostgres {
			// Writers wait (their triggers would race the rebuild);
			// readers go on. SQLite's write transaction excludes writers
			// by itself.
			if err := tx.Exec("LOCK TABLE tickets IN SHARE MODE").Error; err != nil {
				return fmt.Errorf("rebuild curhat rollups: %w", err)
			}
		}
		return db.rebuildCurhatRollups(tx)
	})
}

// rebuildCurhatRollups is RebuildCurhatRollups in tx, which holds ticket
// writes back, with days of the store's zone.
func (db *DB) rebuildCurhatRollups(tx *gorm.DB) error {
	return kpi.RebuildRollups(tx, db.dialect, db.localDay("t.datetime_received"))
}
