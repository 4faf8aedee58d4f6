package outbox_test

import (
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/outbox"
	"github.com/hailurah/hailurah/store/storetest"
	"github.com/hailurah/hailurah/whatsapp"
)

// TestRelaySendsTheEvidencePhoto: a unit's done message with its photo
// reaches the fake Graph API as an image message inside the citizen's
// 24-hour window and as the hailurah_selesai_foto template with the photo
// as its image header outside it, by a link signed at the send. Without a
// public https address the words go alone, with the plain template.
func TestRelaySendsTheEvidencePhoto(t *testing.T) {
	db := storetest.Open(t)
	graph := newGraphAPI(t)
	base := "https://hailurah.example"
	var signed []string
	f := newFixture(t, db, graph, func(c *outbox.Config) {
		c.PhotoLink = func(ticketID, ref string) string {
			signed = append(signed, ticketID+" "+ref)
			if ticketID == "HL-2026-000003" {
				return "http://localhost:8080/m/tok" // dev: Meta cannot fetch it
			}
			return base + "/m/tok-" + ticketID
		}
	})
	now := f.clk.Now()
	inside := f.citizen("+6281234567890", "207651463353033", now.Add(-time.Hour), "HL-2026-000001")
	outside := f.citizen("+6281234567891", "207651463353033", now.Add(-30*time.Hour), "HL-2026-000002")
	noLink := f.citizen("+6281234567892", "207651463353033", now.Add(-30*time.Hour), "HL-2026-000003")
	text := "Dinas PUPR telah menyelesaikan pekerjaan: got sudah dikeruk.\nMohon balas SESUDAH atau BELUM."
	for _, c := range []struct{ ticket, sender string }{{"HL-2026-000001", inside}, {"HL-2026-000002", outside}, {"HL-2026-000003", noLink}} {
		must(t, db.Enqueue(t.Context(), &hailurah.OutboxMessage{IdempotencyKey: c.ticket + "/confirm", TicketID: c.ticket,
			Channel: hailurah.ChannelWhatsApp, Recipient: c.sender, Kind: hailurah.OutboxConfirm, Text: text,
			Template: whatsapp.TemplateEvidence, TemplateParams: []string{c.ticket, "Dinas PUPR", "got sudah dikeruk"},
			Image: "/bukti/" + c.ticket + "/0123456789abcdef0123456789abcdef.jpg"}))
	}
	if n := f.pass(); n != 3 {
		t.Fatalf("sent %d, want 3", n)
	}
	got := graph.delivered()
	if len(got) != 3 || len(signed) != 3 || signed[0] != "HL-2026-000001 /bukti/HL-2026-000001/0123456789abcdef0123456789abcdef.jpg" {
		t.Fatalf("sent %d, signed %v", len(got), signed)
	}

	img := got[0]
	if img.Type != "image" || img.Image == nil || img.Image.Link != base+"/m/tok-HL-2026-000001" || img.Image.Caption != text {
		t.Errorf("inside the window: %+v %+v", img, img.Image)
	}

	tpl := got[1].Template
	if got[1].Type != "template" || tpl == nil || tpl.Name != "hailurah_selesai_foto" || tpl.Language.Code != "id" || len(tpl.Components) != 2 {
		t.Fatalf("outside the window: %+v", got[1])
	}
	header, body := tpl.Components[0], tpl.Components[1]
	if header.Type != "header" || len(header.Parameters) != 1 || header.Parameters[0].Type != "image" ||
		header.Parameters[0].Image == nil || header.Parameters[0].Image.Link != base+"/m/tok-HL-2026-000002" {
		t.Errorf("template header: %+v", header)
	}
	if body.Type != "body" || len(body.Parameters) != 3 || body.Parameters[1].Text != "Dinas PUPR" || body.Parameters[2].Text != "got sudah dikeruk" {
		t.Errorf("template body: %+v", body)
	}

	plain := got[2].Template
	if got[2].Type != "template" || plain == nil || plain.Name != whatsapp.TemplateReminder || len(plain.Components) != 1 {
		t.Errorf("without a public link: %+v", got[2])
	}
	for i, sender := range []string{inside, outside, noLink} {
		rows, err := db.ListOutboxByRecipient(t.Context(), sender, 0, 10)
		must(t, err)
		want := []string{"image", "template:hailurah_selesai_foto", "template:hailurah_pengingat"}[i]
		if len(rows) != 1 || rows[0].Status != hailurah.OutboxStatusSent || rows[0].SentAs != want || rows[0].Image == "" {
			t.Errorf("row %d: %+v, want sent as %s", i, rows[0], want)
		}
	}
}

// TestRelayKeepsThePhotoRowWithoutCredentials: in dev, without WhatsApp
// credentials, the photo's row stays pending with its reference.
func TestRelayKeepsThePhotoRowWithoutCredentials(t *testing.T) {
	db := storetest.Open(t)
	f := newFixture(t, db, nil, nil)
	sender := f.citizen("+6281234567890", "207651463353033", f.clk.Now(), "HL-2026-000001")
	must(t, db.Enqueue(t.Context(), &hailurah.OutboxMessage{IdempotencyKey: "k", TicketID: "HL-2026-000001",
		Channel: hailurah.ChannelWhatsApp, Recipient: sender, Kind: hailurah.OutboxConfirm, Text: "selesai",
		Image: "whatsapp-media:778899"}))
	f.pass()
	rows, err := db.ListOutboxByRecipient(t.Context(), sender, 0, 10)
	must(t, err)
	if len(rows) != 1 || rows[0].Status != hailurah.OutboxStatusPending || rows[0].Image != "whatsapp-media:778899" {
		t.Errorf("row: %+v", rows)
	}
}
