package store_test

import (
	"context"
	"testing"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/storetest"
)

// TestReserveIntakeKey: the first reservation of a key is kept; a second
// gets the first's ticket and tracking code.
func TestReserveIntakeKey(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, _, err := db.FindIntakeKey(ctx, "h1"); hailurah.ErrorCode(err) != hailurah.ENOTFOUND {
			t.Fatalf("unknown key: %v", err)
		}
		id, code, err := db.ReserveIntakeKey(ctx, "h1", "HL-2026-000001", "KODE000001")
		if err != nil || id != "HL-2026-000001" || code != "KODE000001" {
			t.Fatalf("first: %s %s %v", id, code, err)
		}
		id, code, err = db.ReserveIntakeKey(ctx, "h1", "HL-2026-000002", "KODE000002")
		if err != nil || id != "HL-2026-000001" || code != "KODE000001" {
			t.Fatalf("second reservation of one key: %s %s %v", id, code, err)
		}
		if _, _, err := db.ReserveIntakeKey(ctx, "h2", "", "x"); hailurah.ErrorCode(err) != hailurah.EINVALID {
			t.Errorf("empty ticket id: %v", err)
		}
	})
}
