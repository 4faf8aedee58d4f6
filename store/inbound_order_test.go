package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/storetest"
)

// TestEarlierStoredInbound: a sender's message waits while an earlier one
// of theirs is still stored, claimed or not; not for other senders', nor
// once the earlier one is handed over.
func TestEarlierStoredInbound(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		one, two, other := inbound("wamid.1", "s1", "HAI LURAH"), inbound("wamid.2", "s1", "ANONIM YA"), inbound("wamid.3", "s2", "halo")
		for _, m := range []*hailurah.InboundMessage{one, two, other} {
			if _, err := db.StoreInbound(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		waits := func(m *hailurah.InboundMessage) bool {
			t.Helper()
			w, err := db.EarlierStoredInbound(ctx, m.SenderID, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			return w
		}
		if waits(one) || !waits(two) || waits(other) {
			t.Fatalf("stored: first waits %v, second %v, other sender %v", waits(one), waits(two), waits(other))
		}
		if _, err := db.ClaimInbound(ctx, one.ProviderID, time.Now().Add(-time.Minute)); err != nil {
			t.Fatal(err)
		}
		if !waits(two) {
			t.Error("the second overtakes a first that is being handed over")
		}
		if err := db.MarkInbound(ctx, one.ProviderID, hailurah.InboundDelivered, "HL-2026-000001", ""); err != nil {
			t.Fatal(err)
		}
		if waits(two) {
			t.Error("the second still waits after the first was handed over")
		}
	})
}
