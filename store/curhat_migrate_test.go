package store_test

import (
	"io/fs"
	"testing"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/migrations"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/storetest"
)

var curhatTables = []string{"tickets", "ticket_seq", "ticket_events", "outbox", "notifications"}

// TestCurhatMigrationDownUp rolls back 00002_curhat (and the later
// migrations above it) and applies them again: its Down drops exactly its own tables, in an order the foreign
// keys allow, and leaves the foundation usable.
func TestCurhatMigrationDownUp(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		seed(t, db)
		mustUser(t, db, "mod", hailurah.RoleModerator, "taman", "")
		for _, table := range curhatTables {
			if !tableExists(t, db, table) {
				t.Fatalf("table %s missing after MigrateUp", table)
			}
		}
		// Rows in every table, so Down must cope with their references.
		x := intakeTicket("HL-2026-000001", "taman", t0)
		x.AssignedUnit = "pupr"
		mustOK(t, db.CreateTicket(ctx, x))
		mustOK(t, db.AddTicketEvent(ctx, &hailurah.TicketEvent{Key: x.ID + "/1", TicketID: x.ID, At: t0, Type: hailurah.EventCreated}))
		mustOK(t, db.Enqueue(ctx, &hailurah.OutboxMessage{IdempotencyKey: x.ID + "/ack/0", TicketID: x.ID, Recipient: "r", Text: "t"}))
		_, err := db.Notify(ctx, &hailurah.Notification{IdempotencyKey: "k", To: hailurah.Audience{Role: hailurah.RoleModerator, Kelurahan: "taman"}})
		mustOK(t, err)
		_, err = db.NextTicketID(ctx, t0)
		mustOK(t, err)

		// Roll back every migration after the foundation: 00002 and what
		// later migrations built on it.
		files, err := fs.Glob(migrations.SQLite, "sqlite/*.sql")
		mustOK(t, err)
		for range files[1:] {
			mustOK(t, db.MigrateDown(ctx))
		}
		for _, table := range curhatTables {
			if tableExists(t, db, table) {
				t.Errorf("table %s still exists after rolling back 00002", table)
			}
		}
		for _, table := range foundationTables {
			if !tableExists(t, db, table) {
				t.Errorf("foundation table %s dropped by rolling back 00002", table)
			}
		}
		mustOK(t, db.MigrateUp(ctx))
		mustOK(t, db.CreateTicket(ctx, intakeTicket("HL-2026-000001", "taman", t0)))
		if id, err := db.NextTicketID(ctx, t0); err != nil || id != "HL-2026-000001" {
			t.Fatalf("NextTicketID after down and up = %s, %v", id, err)
		}
	})
}
