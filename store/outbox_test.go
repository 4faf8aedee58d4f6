package store_test

import (
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/storetest"
)

func TestEnqueue(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		c := useClock(db)
		id := "HL-2026-000001"
		ack := &hailurah.OutboxMessage{IdempotencyKey: id + "/ack/0", TicketID: id, Channel: hailurah.ChannelWhatsApp,
			Recipient: "hash-1", Kind: hailurah.OutboxAck, Text: "Terima kasih, curhat Anda sudah kami terima."}
		mustOK(t, db.Enqueue(ctx, ack))
		if ack.ID <= 0 || !ack.CreatedAt.Equal(c.Now()) || ack.SentAt != nil || ack.Attempts != 0 {
			t.Fatalf("enqueued message: %+v", ack)
		}
		var status string
		mustOK(t, db.Gorm().Raw("SELECT status FROM outbox WHERE id = ?", ack.ID).Scan(&status).Error)
		if status != "pending" {
			t.Fatalf("new message has status %q, want pending", status)
		}

		c.Advance(time.Minute)
		reminder := &hailurah.OutboxMessage{IdempotencyKey: id + "/confirm_reminder/5", TicketID: id, Channel: hailurah.ChannelWhatsApp,
			Recipient: "hash-1", Kind: hailurah.OutboxConfirmReminder, Text: "Apakah masalah sudah selesai?", Template: "hl_confirm_reminder"}
		mustOK(t, db.Enqueue(ctx, reminder))
		if reminder.ID <= ack.ID {
			t.Fatalf("second message id %d not after the first's %d", reminder.ID, ack.ID)
		}
		other := &hailurah.OutboxMessage{IdempotencyKey: "HL-2026-000002/ack/0", TicketID: "HL-2026-000002", Recipient: "hash-2", Text: "Halo"}
		mustOK(t, db.Enqueue(ctx, other))

		// A retry with the same key stores nothing and gets the stored row,
		// whatever it carries itself.
		c.Advance(time.Minute)
		want := *ack
		for range 3 {
			retry := &hailurah.OutboxMessage{IdempotencyKey: ack.IdempotencyKey, TicketID: id, Recipient: "hash-lain",
				Kind: hailurah.OutboxReply, Text: "teks lain"}
			mustOK(t, db.Enqueue(ctx, retry))
			if !reflect.DeepEqual(*retry, want) {
				t.Fatalf("retry filled with %+v, want %+v", retry, want)
			}
		}
		// Once the relay has worked on it, a retry sees that too.
		sent := c.Now()
		mustOK(t, db.Gorm().Exec("UPDATE outbox SET sent_at = ?, attempts = 2, last_error = 'timeout', status = 'sent' WHERE id = ?", sent, ack.ID).Error)
		retry := &hailurah.OutboxMessage{IdempotencyKey: ack.IdempotencyKey, Recipient: "x", Text: "x"}
		mustOK(t, db.Enqueue(ctx, retry))
		want.SentAt, want.Attempts, want.LastError = &sent, 2, "timeout"
		if !reflect.DeepEqual(*retry, want) {
			t.Fatalf("retry after sending filled with %+v, want %+v", retry, want)
		}

		list, err := db.ListTicketOutbox(ctx, id)
		mustOK(t, err)
		if len(list) != 2 || !reflect.DeepEqual(list[0].OutboxMessage, want) || !reflect.DeepEqual(list[1].OutboxMessage, *reminder) ||
			list[0].Status != hailurah.OutboxStatusSent || list[1].Status != hailurah.OutboxStatusPending {
			t.Fatalf("ListTicketOutbox = %+v %+v", list[0], list[1])
		}
		none, err := db.ListTicketOutbox(ctx, "HL-2026-999999")
		mustOK(t, err)
		if len(none) != 0 {
			t.Fatalf("unknown ticket has %d messages", len(none))
		}
	})
}

func TestEnqueueInvalid(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		ok := hailurah.OutboxMessage{IdempotencyKey: "k", TicketID: "HL-2026-000001", Recipient: "hash-1", Text: "Halo"}
		tests := []struct {
			edit  func(*hailurah.OutboxMessage)
			field string
		}{
			{func(m *hailurah.OutboxMessage) { m.IdempotencyKey = "" }, "idempotency_key"},
			{func(m *hailurah.OutboxMessage) { m.Recipient = "" }, "recipient"},
			{func(m *hailurah.OutboxMessage) { m.Text = "" }, "text"},
			{func(m *hailurah.OutboxMessage) { m.Text = " \n " }, "text"},
			{func(m *hailurah.OutboxMessage) { m.Text = "a\x00" }, "text"},
			{func(m *hailurah.OutboxMessage) { m.Template = "\xff" }, "template"},
		}
		for _, tt := range tests {
			m := ok
			tt.edit(&m)
			err := db.Enqueue(ctx, &m)
			if hailurah.ErrorCode(err) != hailurah.EINVALID || hailurah.ErrorField(err) != tt.field {
				t.Errorf("Enqueue(%+v): got %v, want EINVALID on %s", m, err, tt.field)
			}
			if m.ID != 0 {
				t.Errorf("rejected message got id %d", m.ID)
			}
		}
		wantCode(t, db.Enqueue(ctx, nil), hailurah.EINVALID, "")
		list, err := db.ListTicketOutbox(ctx, ok.TicketID)
		mustOK(t, err)
		if len(list) != 0 {
			t.Fatalf("rejected messages were stored: %d", len(list))
		}
	})
}

// TestEnqueueConcurrent enqueues one key from many activities at once (a
// retry racing the original): one row, and every caller gets its id.
func TestEnqueueConcurrent(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		const n = 12
		ids := make([]int64, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				m := &hailurah.OutboxMessage{IdempotencyKey: "HL-2026-000001/reply/1", TicketID: "HL-2026-000001",
					Recipient: "hash-1", Text: fmt.Sprintf("balasan %d", i)}
				errs[i] = db.Enqueue(t.Context(), m)
				ids[i] = m.ID
			})
		}
		close(start)
		wg.Wait()
		for i := range n {
			mustOK(t, errs[i])
			if ids[i] != ids[0] || ids[i] == 0 {
				t.Fatalf("callers got ids %v, want one id", ids)
			}
		}
		list, err := db.ListTicketOutbox(t.Context(), "HL-2026-000001")
		mustOK(t, err)
		if len(list) != 1 {
			t.Fatalf("%d rows for one key", len(list))
		}
	})
}
