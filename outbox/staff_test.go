package outbox_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/storetest"
	"github.com/hailurah/hailurah/whatsapp"
)

// TestRelayStaffNotice: a staff member who never wrote gets the [NOTIF]
// as the staff template with the parameters the row carries; a notice
// that fails for good tells the admins, not a ticket's moderators, and
// says nothing of the phone.
func TestRelayStaffNotice(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		graph := newGraphAPI(t)
		f := newFixture(t, db, graph, nil)
		staff := f.citizen("+6281300000001", "", time.Unix(0, 0), "")
		params := []string{"Eskalasi", "HL-2026-000001", "kesehatan", "5", "Taman, RT 01/RW 02", "Balita gizi buruk", "https://x/tiket/HL-2026-000001"}
		m := &hailurah.OutboxMessage{IdempotencyKey: "notice/lurah/1", Channel: hailurah.ChannelWhatsApp, Recipient: staff,
			Kind: hailurah.OutboxStaffNotice, Text: "[NOTIF] Eskalasi: Tiket HL-2026-000001\n…", Template: whatsapp.TemplateStaffNotice, TemplateParams: params}
		must(t, db.Enqueue(t.Context(), m))
		if n := f.pass(); n != 1 {
			t.Fatalf("sent %d, want 1", n)
		}
		r := graph.requests()[0]
		if r.Type != "template" || r.Template.Name != whatsapp.TemplateStaffNotice || r.To != "6281300000001" ||
			len(r.Template.Components) != 1 || len(r.Template.Components[0].Parameters) != 7 ||
			r.Template.Components[0].Parameters[5].Text != "Balita gizi buruk" {
			t.Fatalf("notice sent as %+v", r)
		}

		graph.mu.Lock()
		graph.script = []graphReply{{http.StatusBadRequest, invalidNumber}}
		graph.mu.Unlock()
		bad := &hailurah.OutboxMessage{IdempotencyKey: "notice/lurah/2", Channel: hailurah.ChannelWhatsApp, Recipient: staff,
			Kind: hailurah.OutboxStaffBundle, Text: "[NOTIF] 5 notifikasi baru", Template: whatsapp.TemplateStaffBundle,
			TemplateParams: []string{"5", "HL-1, HL-2", "https://x/notifikasi"}}
		must(t, db.Enqueue(t.Context(), bad))
		f.pass()
		if d := f.row(staff, bad.ID); d.Status != hailurah.OutboxStatusFailed {
			t.Fatalf("bundle row: %+v", d)
		}
		notes := f.notifications("admin")
		if len(notes) != 1 || notes[0].Kind != hailurah.NotifyDeliveryFailed || !strings.Contains(notes[0].Title, "staf") ||
			strings.Contains(notes[0].Body, "6281300000001") {
			t.Fatalf("admin notifications: %+v", notes)
		}
		if len(f.notifications("moderator")) != 0 {
			t.Error("moderators told of a staff notice")
		}
	})
}
