package server_test

import (
	"context"
	"encoding/json"
	"github.com/hailurah/hailurah/pii"
	"net/http"
	"strings"
	"testing"

	"github.com/hailurah/hailurah"
)

// seedSent queues five messages to the anonymous ticket's citizen and
// moves them through the relay's statuses: the ACK read, the AI reply
// delivered, the status change sent, a follow-up failed and the
// confirmation question still waiting.
func seedSent(t *testing.T, f *uiFixture, ticket *hailurah.Ticket) {
	t.Helper()
	ctx := context.Background()
	texts := []struct{ kind, text string }{
		{hailurah.OutboxAck, "Terima kasih. Pesan Anda telah diterima oleh HAI LURAH (Kel. Taman)."},
		{hailurah.OutboxReply, "Ringkasan: got tersumbat.\nSolusi:\n• A (Sederhana, 1–7 hari): kerja bakti RT\n• B (Menengah): sedot drainase\n• C (High-impact): perbaikan drainase"},
		{hailurah.OutboxStatus, "Tiket " + ticket.ID + ": Ditugaskan ke unit dinas."},
		{hailurah.OutboxStaffReply, "Pesan dari petugas: hubungi Pak RT di 0812-3456-7890."},
		{hailurah.OutboxConfirm, "Dinas PUPR telah menindaklanjuti. Mohon konfirmasi (SESUDAH/BELUM)."},
	}
	for i, m := range texts {
		err := f.db.Enqueue(ctx, &hailurah.OutboxMessage{IdempotencyKey: ticket.ID + "/sent/" + m.kind, TicketID: ticket.ID,
			Channel: hailurah.ChannelWhatsApp, Recipient: ticket.SenderID, Kind: m.kind, Text: m.text})
		if err != nil {
			t.Fatal(err)
		}
		if i == len(texts)-1 {
			break // the confirmation waits
		}
		// One in flight per citizen: each is claimed after the last is out.
		rows, err := f.db.ClaimOutbox(ctx, []string{hailurah.ChannelWhatsApp}, 10)
		if err != nil || len(rows) != 1 {
			t.Fatalf("claim %s: %v %d rows", m.kind, err, len(rows))
		}
		d := rows[0]
		if m.kind == hailurah.OutboxStaffReply {
			if _, err := f.db.FailOutbox(ctx, d.ID, "whatsapp send: HTTP 400, code 131026: Message undeliverable"); err != nil {
				t.Fatal(err)
			}
			continue
		}
		wamid := "wamid." + m.kind
		if err := f.db.MarkOutboxSent(ctx, d.ID, wamid, "text"); err != nil {
			t.Fatal(err)
		}
		switch m.kind {
		case hailurah.OutboxAck:
			_, _, err = f.db.UpdateOutboxStatus(ctx, wamid, hailurah.OutboxStatusRead, f.now.Now(), "")
		case hailurah.OutboxReply:
			_, _, err = f.db.UpdateOutboxStatus(ctx, wamid, hailurah.OutboxStatusDelivered, f.now.Now(), "")
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestTicketPageListsMessagesToTheCitizen: the ticket page shows every
// message sent to the citizen in order with its delivery status in
// Bahasa Indonesia, the anonymous citizen's texts masked and their
// contact nowhere.
func TestTicketPageListsMessagesToTheCitizen(t *testing.T) {
	f := newUIFixture(t, nil)
	anon, _, _, _ := seedTickets(t, f)
	seedSent(t, f, anon)

	status, body := f.as(t, "moderator").page("GET", "/tiket/"+anon.ID, nil)
	if status != http.StatusOK {
		t.Fatalf("ticket page: %d", status)
	}
	start := strings.Index(body, `id="terkirim"`)
	if start < 0 {
		t.Fatal("the page has no section of messages to the citizen")
	}
	section := body[start:]
	section = section[:strings.Index(section, "</section>")]
	order := []string{
		"tanda terima", "Dibaca",
		"saran HAI LURAH", "Diterima", "A (Sederhana, 1–7 hari): kerja bakti RT", "C (High-impact)",
		"status tiket", "Terkirim",
		"balasan petugas", "Gagal", pii.Mask("hubungi Pak RT di 0812-3456-7890"), "Alasan gagal: whatsapp send: HTTP 400",
		"pertanyaan SESUDAH/BELUM", "Menunggu", "Dinas PUPR telah menindaklanjuti",
	}
	at := 0
	for _, want := range order {
		i := strings.Index(section[at:], want)
		if i < 0 {
			t.Fatalf("after %d bytes the section lacks %q (in order):\n%s", at, want, section)
		}
		at += i + len(want)
	}
	for _, leak := range []string{"0812-3456-7890", anon.SenderID, "wamid."} {
		if strings.Contains(body, leak) {
			t.Errorf("the page shows %q", leak)
		}
	}
}

// TestTicketJSONListsMessages: GET /api/v1/tickets/{id} carries the same
// messages, oldest first, with their status.
func TestTicketJSONListsMessages(t *testing.T) {
	f := newUIFixture(t, nil)
	anon, _, _, _ := seedTickets(t, f)
	seedSent(t, f, anon)
	resp, out := f.as(t, "moderator").do("GET", "/api/v1/tickets/"+anon.ID, "", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET ticket: %d %v", resp.StatusCode, out)
	}
	b, _ := json.Marshal(out["messages"])
	var got []struct {
		At, Kind, Text, Status, Error string
		StatusLabel                   string `json:"status_label"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("messages: %s", b)
	}
	want := []struct{ kind, status, label string }{
		{hailurah.OutboxAck, "read", "Dibaca"},
		{hailurah.OutboxReply, "delivered", "Diterima"},
		{hailurah.OutboxStatus, "sent", "Terkirim"},
		{hailurah.OutboxStaffReply, "failed", "Gagal"},
		{hailurah.OutboxConfirm, "pending", "Menunggu"},
	}
	if len(got) != len(want) {
		t.Fatalf("messages = %s", b)
	}
	for i, w := range want {
		if got[i].Kind != w.kind || got[i].Status != w.status || got[i].StatusLabel != w.label || got[i].At == "" {
			t.Errorf("messages[%d] = %+v, want %s %s %s", i, got[i], w.kind, w.status, w.label)
		}
	}
	if !strings.Contains(got[3].Text, pii.Mask("0812-3456-7890")) || strings.Contains(string(b), "3456") || strings.Contains(string(b), anon.SenderID) {
		t.Errorf("an anonymous citizen's messages are not masked: %s", b)
	}
	if got[3].Error == "" {
		t.Error("a failed message does not say why")
	}
}
