package store_test

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/storetest"
)

func inbound(providerID, sender, text string) *hailurah.InboundMessage {
	return &hailurah.InboundMessage{ProviderID: providerID, Channel: hailurah.ChannelWhatsApp, PhoneNumberID: "1001",
		SenderID: sender, Kind: "text", Text: text, SentAt: time.Date(2026, 3, 2, 7, 59, 0, 0, time.UTC)}
}

func TestStoreInboundDedupes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		useClock(db)
		ctx := t.Context()
		lat, lng := -7.63, 111.52
		m := inbound("wamid.A", "s1", "HAI LURAH Taman got mampet")
		m.Lat, m.Lng = &lat, &lng
		m.Media = []string{"https://contoh.id/a.jpg"}
		m.Raw = json.RawMessage(`{"id": "wamid.A", "type": "text"}`)
		created, err := db.StoreInbound(ctx, m)
		mustOK(t, err)
		if !created || m.ID == 0 || m.Status != hailurah.InboundStored || m.ReceivedAt.IsZero() {
			t.Fatalf("first store: created=%v %+v", created, m)
		}

		// A redelivery, even with other content, reads back the stored row.
		again := inbound("wamid.A", "s1", "lain")
		created, err = db.StoreInbound(ctx, again)
		mustOK(t, err)
		if created || again.ID != m.ID || again.Text != "HAI LURAH Taman got mampet" || *again.Lat != lat ||
			len(again.Media) != 1 || string(again.Raw) != `{"id":"wamid.A","type":"text"}` {
			t.Fatalf("redelivery: created=%v %+v", created, again)
		}

		mustOK(t, db.MarkInbound(ctx, "wamid.A", hailurah.InboundDelivered, "HL-2026-000001", ""))
		mustOK(t, db.MarkInbound(ctx, "wamid.A", hailurah.InboundDelivered, "", "lagi"))
		got, err := db.FindInbound(ctx, "wamid.A")
		mustOK(t, err)
		if got.Status != hailurah.InboundDelivered || got.TicketID != "HL-2026-000001" || got.Attempts != 2 || got.Note != "lagi" {
			t.Fatalf("after mark: %+v", got)
		}
		wantCode(t, db.MarkInbound(ctx, "wamid.X", hailurah.InboundDelivered, "", ""), hailurah.ENOTFOUND, "")
		wantCode(t, db.MarkInbound(ctx, "wamid.A", "lost", "", ""), hailurah.EINVALID, "status")
		_, err = db.FindInbound(ctx, "wamid.X")
		wantCode(t, err, hailurah.ENOTFOUND, "")
	})
}

func TestStoreInboundValidates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		lat := 95.0
		for field, m := range map[string]*hailurah.InboundMessage{
			"provider_id": inbound("", "s1", "x"),
			"sender_id":   inbound("wamid.B", "", "x"),
			"text":        inbound("wamid.C", "s1", "nul\x00byte"),
			"lat": func() *hailurah.InboundMessage {
				m := inbound("wamid.D", "s1", "x")
				m.Lat, m.Lng = &lat, &lat
				return m
			}(),
			"raw": func() *hailurah.InboundMessage {
				m := inbound("wamid.E", "s1", "x")
				m.Raw = json.RawMessage("{")
				return m
			}(),
		} {
			_, err := db.StoreInbound(ctx, m)
			wantCode(t, err, hailurah.EINVALID, field)
		}
		list, err := db.ListInboundBySender(ctx, "s1", 0)
		mustOK(t, err)
		if len(list) != 0 {
			t.Fatalf("invalid messages were stored: %d", len(list))
		}
	})
}

func TestListInboundBySender(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		for i := range 4 {
			_, err := db.StoreInbound(ctx, inbound(fmt.Sprintf("wamid.%d", i), "s1", fmt.Sprint(i)))
			mustOK(t, err)
		}
		_, err := db.StoreInbound(ctx, inbound("wamid.other", "s2", "x"))
		mustOK(t, err)
		list, err := db.ListInboundBySender(ctx, "s1", 3)
		mustOK(t, err)
		if len(list) != 3 || list[0].Text != "1" || list[2].Text != "3" {
			t.Fatalf("newest three, oldest first: %+v", list)
		}
		_, err = db.ListInboundBySender(ctx, "s1", 501)
		wantCode(t, err, hailurah.EINVALID, "limit")
	})
}

func TestContacts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := useClock(db)
		seed(t, db)
		ctx := t.Context()
		t0 := clk.Now()
		c := &hailurah.Contact{SenderID: "s1", Channel: hailurah.ChannelWhatsApp, PhoneSealed: "sealed-1",
			PhoneNumberID: "1001", Kelurahan: "taman", LastInboundAt: t0}
		mustOK(t, db.RecordContact(ctx, c))
		if c.CreatedAt.IsZero() || !c.LastInboundAt.Equal(t0) {
			t.Fatalf("recorded: %+v", c)
		}
		// An older message arriving late does not move the window back;
		// the newest seal and number win.
		mustOK(t, db.RecordContact(ctx, &hailurah.Contact{SenderID: "s1", Channel: hailurah.ChannelWhatsApp,
			PhoneSealed: "sealed-2", PhoneNumberID: "1002", LastInboundAt: t0.Add(-time.Hour)}))
		got, err := db.FindContact(ctx, "s1")
		mustOK(t, err)
		if !got.LastInboundAt.Equal(t0) || got.PhoneSealed != "sealed-2" || got.PhoneNumberID != "1002" || got.Kelurahan != "" {
			t.Fatalf("refreshed: %+v", got)
		}
		wantCode(t, db.RecordContact(ctx, &hailurah.Contact{SenderID: "s2", Channel: "whatsapp", PhoneSealed: "x", Kelurahan: "atlantis"}),
			hailurah.EINVALID, "kelurahan")
		wantCode(t, db.RecordContact(ctx, &hailurah.Contact{SenderID: "s2", Channel: "whatsapp"}), hailurah.EINVALID, "phone_sealed")
		_, err = db.FindContact(ctx, "s2")
		wantCode(t, err, hailurah.ENOTFOUND, "")
	})
}

func TestLatestTicketOfSender(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := useClock(db)
		ctx := t.Context()
		_, err := db.LatestTicketOfSender(ctx, "s1")
		wantCode(t, err, hailurah.ENOTFOUND, "")
		mustOK(t, db.CreateTicket(ctx, &hailurah.Ticket{ID: "HL-2026-000001", TrackingCode: "AAA", SenderID: "s1", DatetimeReceived: clk.Now()}))
		mustOK(t, db.CreateTicket(ctx, &hailurah.Ticket{ID: "HL-2026-000002", TrackingCode: "BBB", SenderID: "s1", DatetimeReceived: clk.Now().Add(time.Minute)}))
		mustOK(t, db.CreateTicket(ctx, &hailurah.Ticket{ID: "HL-2026-000003", TrackingCode: "CCC", SenderID: "s2", DatetimeReceived: clk.Now().Add(time.Hour)}))
		tk, err := db.LatestTicketOfSender(ctx, "s1")
		mustOK(t, err)
		if tk.ID != "HL-2026-000002" {
			t.Fatalf("latest of s1: %s", tk.ID)
		}
		_, err = db.LatestTicketOfSender(ctx, "")
		wantCode(t, err, hailurah.ENOTFOUND, "")
	})
}

func enqueue(t *testing.T, db *store.DB, key, channel, recipient string) *hailurah.OutboxMessage {
	t.Helper()
	m := &hailurah.OutboxMessage{IdempotencyKey: key, TicketID: "HL-2026-000001", Channel: channel, Recipient: recipient, Kind: hailurah.OutboxAck, Text: "Terima kasih " + key}
	mustOK(t, db.Enqueue(t.Context(), m))
	return m
}

func claimedIDs(ds []*hailurah.OutboxDelivery) []int64 {
	var ids []int64
	for _, d := range ds {
		ids = append(ids, d.ID)
	}
	return ids
}

func TestClaimOutboxKeepsRecipientOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := useClock(db)
		ctx := t.Context()
		wa := []string{hailurah.ChannelWhatsApp}
		a1 := enqueue(t, db, "a1", "whatsapp", "A")
		a2 := enqueue(t, db, "a2", "whatsapp", "A")
		b1 := enqueue(t, db, "b1", "whatsapp", "B")
		enqueue(t, db, "w1", "web", "A")

		got, err := db.ClaimOutbox(ctx, wa, 10)
		mustOK(t, err)
		if ids := claimedIDs(got); fmt.Sprint(ids) != fmt.Sprint([]int64{a1.ID, b1.ID}) {
			t.Fatalf("first claim %v, want a1 and b1 (a2 waits for a1)", ids)
		}
		if got[0].Status != hailurah.OutboxStatusSending {
			t.Fatalf("claimed row status %q", got[0].Status)
		}
		again, err := db.ClaimOutbox(ctx, wa, 10)
		mustOK(t, err)
		if len(again) != 0 {
			t.Fatalf("claimed twice: %v", claimedIDs(again))
		}

		// a1 fails for now: a2 still waits behind it until it is sent.
		mustOK(t, db.RetryOutbox(ctx, a1.ID, clk.Now().Add(time.Minute), "HTTP 500"))
		again, err = db.ClaimOutbox(ctx, wa, 10)
		mustOK(t, err)
		if len(again) != 0 {
			t.Fatalf("claimed before the retry is due: %v", claimedIDs(again))
		}
		clk.Advance(time.Minute)
		again, err = db.ClaimOutbox(ctx, wa, 10)
		mustOK(t, err)
		if ids := claimedIDs(again); fmt.Sprint(ids) != fmt.Sprint([]int64{a1.ID}) || again[0].Attempts != 1 || again[0].LastError != "HTTP 500" {
			t.Fatalf("retry claim: %+v", again)
		}
		mustOK(t, db.MarkOutboxSent(ctx, a1.ID, "wamid.OUT1", "buttons"))
		wantCode(t, db.MarkOutboxSent(ctx, a1.ID, "wamid.OUT1", "text"), hailurah.ENOTFOUND, "")
		again, err = db.ClaimOutbox(ctx, wa, 10)
		mustOK(t, err)
		if ids := claimedIDs(again); fmt.Sprint(ids) != fmt.Sprint([]int64{a2.ID}) {
			t.Fatalf("after a1 sent: %v, want a2", ids)
		}
		d, err := db.FailOutbox(ctx, a2.ID, "nomor tidak terdaftar di WhatsApp")
		mustOK(t, err)
		if d.Status != hailurah.OutboxStatusFailed || d.Attempts != 1 || d.LastError == "" {
			t.Fatalf("failed row: %+v", d)
		}
		_, err = db.FailOutbox(ctx, a2.ID, "lagi")
		wantCode(t, err, hailurah.ENOTFOUND, "")

		list, err := db.ListOutboxByRecipient(ctx, "A", 0, 0)
		mustOK(t, err)
		if len(list) != 3 || list[0].Status != hailurah.OutboxStatusSent || list[0].ProviderMessageID != "wamid.OUT1" ||
			list[0].SentAs != "buttons" || list[0].SentAt == nil || list[0].Attempts != 2 || list[0].LastError != "" {
			t.Fatalf("A's messages: %+v", list[0])
		}
		list, err = db.ListOutboxByRecipient(ctx, "A", a2.ID, 0)
		mustOK(t, err)
		if len(list) != 1 || list[0].Channel != "web" {
			t.Fatalf("after a2: %+v", list)
		}

		n, err := db.PostOutbox(ctx, []string{"web", "kiosk"})
		mustOK(t, err)
		if n != 1 {
			t.Fatalf("posted %d, want 1", n)
		}
		_, err = db.ClaimOutbox(ctx, wa, 0)
		wantCode(t, err, hailurah.EINVALID, "limit")
	})
}

// TestClaimOutboxOnce runs relays side by side: every row is claimed by
// exactly one of them.
func TestClaimOutboxOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		for i := range 40 {
			enqueue(t, db, fmt.Sprintf("k%d", i), "whatsapp", fmt.Sprintf("r%d", i))
		}
		var mu sync.Mutex
		seen := map[int64]int{}
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for {
					got, err := db.ClaimOutbox(ctx, []string{"whatsapp"}, 7)
					if err != nil {
						t.Error(err)
						return
					}
					if len(got) == 0 {
						return
					}
					mu.Lock()
					for _, d := range got {
						seen[d.ID]++
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(seen) != 40 {
			t.Fatalf("claimed %d distinct rows, want 40", len(seen))
		}
		for id, n := range seen {
			if n != 1 {
				t.Errorf("row %d claimed %d times", id, n)
			}
		}
	})
}

func TestExpireSending(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := useClock(db)
		ctx := t.Context()
		m := enqueue(t, db, "k", "whatsapp", "A")
		_, err := db.ClaimOutbox(ctx, []string{"whatsapp"}, 1)
		mustOK(t, err)
		got, err := db.ExpireSending(ctx, clk.Now().Add(-time.Minute))
		mustOK(t, err)
		if len(got) != 0 {
			t.Fatalf("expired a fresh claim: %v", claimedIDs(got))
		}
		clk.Advance(10 * time.Minute)
		got, err = db.ExpireSending(ctx, clk.Now().Add(-5*time.Minute))
		mustOK(t, err)
		if len(got) != 1 || got[0].ID != m.ID || got[0].Status != hailurah.OutboxStatusFailed {
			t.Fatalf("expired: %+v", got)
		}
	})
}

func TestUpdateOutboxStatus(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := useClock(db)
		ctx := t.Context()
		m := enqueue(t, db, "k", "whatsapp", "A")
		_, err := db.ClaimOutbox(ctx, []string{"whatsapp"}, 1)
		mustOK(t, err)
		mustOK(t, db.MarkOutboxSent(ctx, m.ID, "wamid.S", "text"))

		at := clk.Now().Add(time.Second)
		steps := []struct {
			status  string
			changed bool
			want    string
		}{
			{hailurah.OutboxStatusSent, false, hailurah.OutboxStatusSent},
			{hailurah.OutboxStatusRead, true, hailurah.OutboxStatusRead},
			{hailurah.OutboxStatusDelivered, false, hailurah.OutboxStatusRead}, // late: no step back
			{hailurah.OutboxStatusFailed, true, hailurah.OutboxStatusFailed},
			{hailurah.OutboxStatusRead, false, hailurah.OutboxStatusFailed},
		}
		for _, s := range steps {
			d, changed, err := db.UpdateOutboxStatus(ctx, "wamid.S", s.status, at, "131026: Message undeliverable")
			mustOK(t, err)
			if changed != s.changed || d.Status != s.want {
				t.Fatalf("report %s: changed=%v status=%s, want %v %s", s.status, changed, d.Status, s.changed, s.want)
			}
		}
		d, _, err := db.UpdateOutboxStatus(ctx, "wamid.S", hailurah.OutboxStatusSent, at, "")
		mustOK(t, err)
		if d.ReadAt == nil || !d.ReadAt.Equal(at) || d.DeliveredAt == nil || d.LastError != "131026: Message undeliverable" {
			t.Fatalf("times and error: %+v", d)
		}
		_, _, err = db.UpdateOutboxStatus(ctx, "wamid.unknown", hailurah.OutboxStatusRead, at, "")
		wantCode(t, err, hailurah.ENOTFOUND, "")
		_, _, err = db.UpdateOutboxStatus(ctx, "wamid.S", "deleted", at, "")
		wantCode(t, err, hailurah.EINVALID, "status")
	})
}

// TestClaimInbound: one hand-over at a time per message, across servers;
// a claim its server abandoned is taken over once stale.
func TestClaimInbound(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := useClock(db)
		ctx := t.Context()
		_, err := db.StoreInbound(ctx, inbound("wamid.C", "s1", "halo"))
		mustOK(t, err)
		stale := func() time.Time { return clk.Now().Add(-time.Minute) }

		ok, err := db.ClaimInbound(ctx, "wamid.C", stale())
		mustOK(t, err)
		if !ok {
			t.Fatal("first claim refused")
		}
		if ok, _ := db.ClaimInbound(ctx, "wamid.C", stale()); ok {
			t.Fatal("a held claim was taken")
		}
		mustOK(t, db.ReleaseInbound(ctx, "wamid.C"))
		if ok, _ := db.ClaimInbound(ctx, "wamid.C", stale()); !ok {
			t.Fatal("a released message could not be claimed")
		}
		clk.Advance(2 * time.Minute)
		if ok, _ := db.ClaimInbound(ctx, "wamid.C", stale()); !ok {
			t.Fatal("a stale claim was not taken over")
		}
		mustOK(t, db.ReserveInboundTicket(ctx, "wamid.C", "HL-2026-000007"))
		if m, _ := db.FindInbound(ctx, "wamid.C"); m == nil || m.TicketID != "HL-2026-000007" || m.Status != hailurah.InboundStored {
			t.Fatalf("reserved: %+v", m)
		}
		if ok, _ := db.ClaimInbound(ctx, "wamid.C", stale()); ok {
			t.Fatal("reserving a ticket ended the claim")
		}
		mustOK(t, db.MarkInbound(ctx, "wamid.C", hailurah.InboundDelivered, "HL-2026-000001", ""))
		wantCode(t, db.ReserveInboundTicket(ctx, "wamid.C", "HL-2026-000008"), hailurah.ENOTFOUND, "")
		clk.Advance(time.Hour)
		if ok, _ := db.ClaimInbound(ctx, "wamid.C", stale()); ok {
			t.Fatal("a delivered message was claimed again")
		}
		_, err = db.ClaimInbound(ctx, "wamid.NONE", stale())
		wantCode(t, err, hailurah.ENOTFOUND, "")
	})
}
