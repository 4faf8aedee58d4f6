package store_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/storetest"
)

func TestPurgeExpiredContacts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := useClock(db)
		seed(t, db)
		ctx := t.Context()
		t0 := clk.Now()
		const number = "081234567890"
		for _, s := range []string{"expired", "open", "recent", "quiet"} {
			mustOK(t, db.RecordContact(ctx, &hailurah.Contact{SenderID: s, Channel: "whatsapp", PhoneSealed: "sealed-" + s, LastInboundAt: t0}))
		}
		// The number sits where WhatsApp puts it and where citizens type it.
		// The sender here is a foreign number, which no Indonesian phone
		// pattern recognises: only its field gives it away.
		const foreign = "4915112345678"
		raw := json.RawMessage(`{"from":"` + foreign + `","phone_number_id":"PNID","text":"jalan rusak, hubungi ` + number + `",` +
			`"contacts":[{"wa_id":"` + foreign + `","profile":{"name":"Budi"}}]}`)
		closed := t0.Add(24 * time.Hour)
		mustOK(t, db.CreateTicket(ctx, &hailurah.Ticket{ID: "HL-2026-000001", TrackingCode: "AAA", SenderID: "expired", Channel: "whatsapp",
			Status: hailurah.StatusClosed, ClosedAt: &closed, RawPayload: raw}))
		mustOK(t, db.CreateTicket(ctx, &hailurah.Ticket{ID: "HL-2026-000002", TrackingCode: "BBB", SenderID: "open", Channel: "whatsapp",
			Status: hailurah.StatusAssigned, RawPayload: raw}))
		recentlyClosed := t0.Add(195 * 24 * time.Hour)
		mustOK(t, db.CreateTicket(ctx, &hailurah.Ticket{ID: "HL-2026-000003", TrackingCode: "CCC", SenderID: "recent", Channel: "whatsapp",
			Status: hailurah.StatusResolved, ResolvedAt: &recentlyClosed, RawPayload: raw}))
		for _, s := range []string{"expired", "open"} {
			_, err := db.StoreInbound(ctx, &hailurah.InboundMessage{ProviderID: "wamid." + s, Channel: "whatsapp", SenderID: s,
				Kind: "text", Text: "hubungi " + number, Raw: raw, SentAt: t0})
			mustOK(t, err)
		}
		clk.Advance(200 * 24 * time.Hour)
		before := clk.Now().Add(-180 * 24 * time.Hour)

		res, err := db.PurgeExpiredContacts(ctx, before)
		mustOK(t, err)
		if want := (hailurah.RetentionResult{Contacts: 2, Tickets: 1, InboundMessages: 1}); res != want {
			t.Fatalf("result %+v, want %+v (expired and quiet purged, expired's payloads cleaned)", res, want)
		}
		for s, kept := range map[string]bool{"expired": false, "quiet": false, "open": true, "recent": true} {
			_, err := db.FindContact(ctx, s)
			if kept && err != nil || !kept && hailurah.ErrorCode(err) != hailurah.ENOTFOUND {
				t.Errorf("contact %s: kept=%v, err=%v", s, kept, err)
			}
		}
		// The row stays, without the phone, so sender_id remains a key.
		var sealed []string
		mustOK(t, db.Gorm().Raw("SELECT phone_sealed FROM contacts WHERE sender_id = 'expired' AND deleted_at IS NOT NULL").Scan(&sealed).Error)
		if len(sealed) != 1 || sealed[0] != "" {
			t.Fatalf("purged contact row: %q", sealed)
		}

		tk, err := db.FindTicket(ctx, "HL-2026-000001")
		mustOK(t, err)
		in, err := db.FindInbound(ctx, "wamid.expired")
		mustOK(t, err)
		for name, got := range map[string]string{"ticket": string(tk.RawPayload), "inbound": string(in.Raw)} {
			if strings.Contains(got, "81234567890") || strings.Contains(got, foreign) || strings.Contains(got, "Budi") {
				t.Errorf("%s raw still holds personal data: %s", name, got)
			}
			// What is not personal survives.
			if !strings.Contains(got, `"phone_number_id":"PNID"`) || !strings.Contains(got, "jalan rusak") {
				t.Errorf("%s raw lost its content: %s", name, got)
			}
		}
		for _, id := range []string{"HL-2026-000002", "HL-2026-000003"} {
			tk, err := db.FindTicket(ctx, id)
			mustOK(t, err)
			if !strings.Contains(string(tk.RawPayload), number) {
				t.Errorf("ticket %s of a kept contact was cleaned: %s", id, tk.RawPayload)
			}
		}
		if in, err := db.FindInbound(ctx, "wamid.open"); err != nil || !strings.Contains(string(in.Raw), number) {
			t.Errorf("message of a kept contact was cleaned: %s %v", in.Raw, err)
		}

		res, err = db.PurgeExpiredContacts(ctx, before)
		mustOK(t, err)
		if res != (hailurah.RetentionResult{}) {
			t.Fatalf("second sweep changed %+v, want nothing", res)
		}
	})
}

func TestPurgeExpiredContactsBatches(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := useClock(db)
		ctx := t.Context()
		// More senders than one batch: the sweep must go on to the rest.
		const n = 250
		for i := range n {
			mustOK(t, db.RecordContact(ctx, &hailurah.Contact{SenderID: fmt.Sprintf("s%03d", i), Channel: "whatsapp", PhoneSealed: "sealed", LastInboundAt: clk.Now()}))
		}
		clk.Advance(time.Hour)
		res, err := db.PurgeExpiredContacts(ctx, clk.Now())
		mustOK(t, err)
		if res.Contacts != n {
			t.Fatalf("purged %d, want %d", res.Contacts, n)
		}
	})
}
