package intake_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/intake"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/storetest"
	"github.com/hailurah/hailurah/whatsapp"
)

// ruledCases is startedCases with the ticket workflow's action Update as
// far as intake can tell: the stored ticket's status and the root
// package's rules, which the workflow's validator applies (Authorize,
// Validate, ActionAllowedIn). The whole path through the real workflow is
// cmd/hailurah's TestStaffByWhatsApp.
type ruledCases struct {
	startedCases
	db    *store.DB
	mu    sync.Mutex
	acted []hailurah.ActionRequest
}

func (c *ruledCases) Act(ctx context.Context, id string, req hailurah.ActionRequest) (*hailurah.TicketState, error) {
	t, err := c.db.FindTicket(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := req.Authorize(t.Kelurahan, t.AssignedUnit); err != nil {
		return nil, err
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	if !hailurah.ActionAllowedIn(req.Action, t.Status) {
		return nil, hailurah.Errorf(hailurah.ECONFLICT, "Aksi %s tidak dapat dilakukan saat tiket berstatus %q.", req.Action, t.Status.Label())
	}
	c.mu.Lock()
	c.acted = append(c.acted, req)
	c.mu.Unlock()
	next := t.Status
	switch req.Action {
	case hailurah.ActionAccept:
		next = hailurah.StatusInProgress
	case hailurah.ActionDone:
		next = hailurah.StatusAwaitingConfirmation
	}
	t.Status, t.Version = next, t.Version+1 // as the workflow's projection
	if err := c.db.UpsertTicket(ctx, t); err != nil {
		return nil, err
	}
	return &hailurah.TicketState{TicketID: id, Status: next}, nil
}

func (c *ruledCases) State(ctx context.Context, id string) (*hailurah.TicketState, error) {
	return nil, hailurah.Errorf(hailurah.ENOTFOUND, "ended")
}

// TestStaffByWhatsApp: a message from a registered staff phone is a
// command on a ticket, never a curhat; the web's rules decide (a PUPR
// officer cannot take a DLH task, nor see it); anything else gets the help
// text; the answers go through the outbox without a ticket id.
func TestStaffByWhatsApp(t *testing.T) {
	ctx := t.Context()
	db := storetest.Open(t)
	cases := &ruledCases{db: db}
	x := newIntake(t, db, cases)
	for _, u := range []hailurah.Unit{{Code: "pupr", Name: "PUPR"}, {Code: "dlh", Name: "DLH"}} {
		if err := db.UpsertUnit(ctx, &u); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range []hailurah.User{
		{Username: "eko", Name: "Eko", Role: hailurah.RoleDinas, Unit: "pupr", Phone: "081100000001"},
		{Username: "irfa", Name: "Irfa", Role: hailurah.RoleLurah, Kelurahan: "taman", Phone: "081100000002"},
	} {
		if err := db.CreateUser(ctx, &u, "rahasia-123"); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now().UTC()
	for id, unit := range map[string]string{"HL-2026-000001": "pupr", "HL-2026-000002": "dlh"} {
		if err := db.UpsertTicket(ctx, &hailurah.Ticket{ID: id, TrackingCode: "T" + id[len(id)-3:], Channel: hailurah.ChannelWhatsApp,
			SenderID: "warga", Kelurahan: "taman", Kategori: "infrastruktur", UrgencyScore: 3, AssignedUnit: unit,
			Status: hailurah.StatusAssigned, DatetimeReceived: now, Version: 1}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Notify(ctx, &hailurah.Notification{IdempotencyKey: "k1", To: hailurah.Audience{Role: hailurah.RoleLurah, Kelurahan: "taman"},
		TicketID: "HL-2026-000001", Kind: hailurah.NotifyEscalation, Title: "Eskalasi", Body: "x"}); err != nil {
		t.Fatal(err)
	}

	n := 0
	send := func(phone, text string, media ...string) (intake.Receipt, string) {
		t.Helper()
		n++
		kind := whatsapp.KindText
		if len(media) > 0 {
			kind = whatsapp.KindImage
		}
		pid := "wamid.staff" + strings.Repeat("x", n)
		rc, err := x.Receive(ctx, intake.Message{Channel: hailurah.ChannelWhatsApp, ProviderID: pid, Phone: phone, PhoneVerified: true,
			Kind: kind, Text: text, Media: media, SentAt: now})
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		e164, _ := whatsapp.NormalizePhone(phone)
		rows, err := db.ListOutboxByRecipient(ctx, whatsapp.SenderID([]byte(secret), e164), 0, 100)
		if err != nil || len(rows) == 0 {
			t.Fatalf("%q: no answer queued (%v)", text, err)
		}
		last := rows[len(rows)-1]
		if last.Kind != hailurah.OutboxStaffAnswer || last.TicketID != "" || last.IdempotencyKey != "inbound/"+pid+"/"+hailurah.OutboxStaffAnswer {
			t.Fatalf("%q: answer row %+v", text, last)
		}
		return rc, last.Text
	}
	wantReply := func(phone, text, want string) {
		t.Helper()
		rc, reply := send(phone, text)
		if !strings.Contains(reply, want) || rc.Status != hailurah.InboundAnswered || rc.TicketID != "" {
			t.Errorf("%q: %+v, reply %q; want one with %q", text, rc, reply, want)
		}
	}

	// A curhat from a staff phone is not one: help, no ticket.
	wantReply("0811-0000-0001", "HAI LURAH Taman, jalan berlubang di RT 02.", "TERIMA HL-")
	// The PUPR officer cannot see, nor take, the DLH task.
	wantReply("081100000001", "TERIMA HL-2026-000002", "tidak ditemukan atau bukan wewenang Anda")
	// Their own task: accepted through the action, with the web's actor.
	wantReply("081100000001", "terima hl-2026-000001", "tugas diterima")
	// SELESAI needs a note; with one and a photo it is done, the photo's
	// media id the evidence. The note is masked as every message is (the
	// ticket's code is not personal data, so the command still parses).
	wantReply("081100000001", "SELESAI HL-2026-000001", "Tulis catatan")
	if _, reply := send("081100000001", "SELESAI HL-2026-000001 lubang sudah ditambal, warga 0812-3456-7890 sudah dihubungi",
		"whatsapp-media:98765"); !strings.Contains(reply, "selesai") {
		t.Errorf("SELESAI with a photo: %q", reply)
	}
	// The lurah may not accept a unit's task: the rule's own words.
	wantReply("081100000002", "TERIMA HL-2026-000001", "hanya untuk petugas unit dinas")
	// OK marks the lurah's notifications read and notes the ticket.
	wantReply("081100000002", "OK HL-2026-000001", "tercatat sudah Anda ketahui")
	if c, _ := db.UnreadCount(ctx, "irfa"); c != 0 {
		t.Errorf("the lurah still has %d unread notifications", c)
	}
	wantReply("081100000002", "STATUS HL-2026-000001", "Tiket HL-2026-000001: ")
	wantReply("081100000002", "apa kabar", "Perintah yang dikenali")

	if len(cases.starts) != 0 {
		t.Fatalf("a staff phone started tickets: %+v", cases.starts)
	}
	var got []string
	for _, r := range cases.acted {
		got = append(got, r.Actor.Username+" "+r.Action)
	}
	if want := []string{"eko accept", "eko done", "irfa note"}; !slices.Equal(got, want) {
		t.Fatalf("actions %v, want %v", got, want)
	}
	done := cases.acted[1]
	if done.Text != "lubang sudah ditambal, warga 0812••••••90 sudah dihubungi" || !slices.Equal(done.Evidence, []string{"whatsapp-media:98765"}) ||
		done.Actor.Unit != "pupr" || done.IdempotencyKey == "" {
		t.Errorf("done request: %+v", done)
	}
	if entries, _ := db.ListAudit(ctx, 10, 0); len(entries) != 3 || entries[0].Detail != `{"via":"whatsapp"}` {
		t.Errorf("audit: %+v", entries)
	}

	// A citizen's number is still a citizen's.
	rc, err := x.Receive(ctx, intake.Message{Channel: hailurah.ChannelWhatsApp, ProviderID: "wamid.citizen", Phone: "085712345678",
		PhoneVerified: true, Text: "HAI LURAH Taman, got mampet.", SentAt: now})
	if err != nil || rc.Status != hailurah.InboundDelivered || len(cases.starts) != 1 {
		t.Fatalf("citizen: %+v %v", rc, err)
	}
}
