package store_test

import (
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/storetest"
)

// A named ticket keeps its sealed originals until it becomes anonymous or
// its contact passes retention; an anonymous or unrecorded one keeps none.
func TestTicketPrivate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := useClock(db)
		seed(t, db)
		ctx := t.Context()
		named := &hailurah.Ticket{ID: "HL-2026-000001", TrackingCode: "AAA", SenderID: "s-named", Channel: "whatsapp", Kelurahan: "taman"}
		anon := &hailurah.Ticket{ID: "HL-2026-000002", TrackingCode: "BBB", SenderID: "s-anon", Channel: "whatsapp", Kelurahan: "taman", PrivacyFlag: true}
		later := &hailurah.Ticket{ID: "HL-2026-000003", TrackingCode: "CCC", SenderID: "s-later", Channel: "whatsapp", Kelurahan: "taman"}
		for _, tk := range []*hailurah.Ticket{named, anon, later} {
			mustOK(t, db.CreateTicket(ctx, tk))
			mustOK(t, db.KeepTicketPrivate(ctx, tk.ID, "sealed-"+tk.ID))
		}
		mustOK(t, db.KeepTicketPrivate(ctx, "HL-2026-000099", "sealed-nobody"))
		wantCode(t, db.KeepTicketPrivate(ctx, named.ID, ""), hailurah.EINVALID, "")

		// The first kept stays.
		mustOK(t, db.KeepTicketPrivate(ctx, named.ID, "sealed-again"))
		if got, err := db.FindTicketPrivate(ctx, named.ID); err != nil || got != "sealed-"+named.ID {
			t.Fatalf("named: %q, %v", got, err)
		}
		for _, id := range []string{anon.ID, "HL-2026-000099"} {
			_, err := db.FindTicketPrivate(ctx, id)
			wantCode(t, err, hailurah.ENOTFOUND, "")
		}

		// ANONIM YA after the start: the projection forgets it.
		later.PrivacyFlag, later.Version, later.Status = true, 1, hailurah.StatusOpen
		mustOK(t, db.UpsertTicket(ctx, later))
		_, err := db.FindTicketPrivate(ctx, later.ID)
		wantCode(t, err, hailurah.ENOTFOUND, "")

		// Retention takes it with the contact.
		mustOK(t, db.RecordContact(ctx, &hailurah.Contact{SenderID: "s-named", Channel: "whatsapp", PhoneSealed: "x", LastInboundAt: clk.Now()}))
		closed := clk.Now()
		named.Status, named.ClosedAt, named.Version = hailurah.StatusClosed, &closed, 1
		mustOK(t, db.UpsertTicket(ctx, named))
		clk.Advance(200 * 24 * time.Hour)
		_, err = db.PurgeExpiredContacts(ctx, clk.Now().Add(-180*24*time.Hour))
		mustOK(t, err)
		_, err = db.FindTicketPrivate(ctx, named.ID)
		wantCode(t, err, hailurah.ENOTFOUND, "")
	})
}
