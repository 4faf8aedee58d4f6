package intake_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/intake"
	"github.com/hailurah/hailurah/store/storetest"
)

// What a citizen types about themselves.
const (
	typedNIK     = "3577012345670001"
	typedPhone   = "0812-3456-7890"
	typedEmail   = "budi.santoso@gmail.com"
	typedAccount = "1234567890"
	typedWords   = "HAI LURAH Taman, jalan berlubang di RT 03/RW 02. NIK saya " + typedNIK + ", hubungi " + typedPhone +
		" atau " + typedEmail + ", bantuan ke rek BRI " + typedAccount + " sebesar Rp 500.000."
	citizenName = "Budi Santoso"
)

var typed = []string{typedNIK, typedPhone, "81234567890", typedEmail, typedAccount, citizenName}

// leaks returns the typed personal data s holds.
func leaks(s string) []string {
	var out []string
	for _, p := range typed {
		if strings.Contains(s, p) {
			out = append(out, p)
		}
	}
	return out
}

// TestMaskedAtIntake: every way a message enters — a stored channel
// message handed over now (Receive) or later (Accept), a form (Start) —
// keeps only the masked words in the message, the workflow's input and
// the ticket; a named ticket keeps what the citizen wrote sealed, for
// Contact, and an anonymous one keeps nothing.
func TestMaskedAtIntake(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	cases := &startedCases{}
	x := newIntake(t, db, cases)
	at := time.Now().UTC().Truncate(time.Second)
	yes := true

	rc, err := x.Receive(ctx, intake.Message{Channel: hailurah.ChannelWhatsApp, ProviderID: "wamid.named", Phone: "6281399990000",
		PhoneVerified: true, Name: citizenName, Text: typedWords, Raw: []byte(`{"text":"` + typedWords + `"}`), SentAt: at})
	if err != nil || rc.TicketID == "" {
		t.Fatalf("receive: %+v %v", rc, err)
	}
	named := rc.TicketID
	web, err := x.Start(ctx, intake.Message{Channel: hailurah.ChannelWeb, Text: typedWords, Kelurahan: "taman"})
	if err != nil {
		t.Fatal(err)
	}
	anonForm, err := x.Start(ctx, intake.Message{Channel: hailurah.ChannelKiosk, Text: typedWords, Kelurahan: "taman", Anonim: &yes})
	if err != nil {
		t.Fatal(err)
	}
	rc, err = x.Receive(ctx, intake.Message{Channel: hailurah.ChannelWhatsApp, ProviderID: "wamid.anon", Phone: "6281399990001",
		PhoneVerified: true, Name: citizenName, Text: typedWords + "\nANONIM: YA", SentAt: at})
	if err != nil {
		t.Fatal(err)
	}
	anonWords := rc.TicketID
	if err := x.Accept(ctx, intake.Message{Channel: hailurah.ChannelWhatsApp, ProviderID: "wamid.later", Phone: "6281399990002",
		PhoneVerified: true, Name: citizenName, Text: typedWords, SentAt: at}); err != nil {
		t.Fatal(err)
	}

	for _, in := range cases.starts {
		if l := leaks(in.First.Text); l != nil || !strings.Contains(in.First.Text, "3577••••••••0001") {
			t.Errorf("workflow input of %s: %q leaks %v", in.TicketID, in.First.Text, l)
		}
	}
	var rows []struct{ ID, MessageText, RawPayload string }
	if err := db.Gorm().Raw(`SELECT id, message_text, COALESCE(raw_payload, '') AS raw_payload FROM tickets`).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 {
		t.Fatalf("%d tickets, want 4", len(rows))
	}
	for _, r := range rows {
		if l := leaks(r.MessageText + r.RawPayload); l != nil {
			t.Errorf("ticket %s row leaks %v: %q %s", r.ID, l, r.MessageText, r.RawPayload)
		}
	}
	var inbound []struct{ ProviderID, Text, Raw, PrivateSealed, Status string }
	if err := db.Gorm().Raw(`SELECT provider_id, text, COALESCE(raw, '') AS raw, private_sealed, status FROM inbound_messages`).Scan(&inbound).Error; err != nil {
		t.Fatal(err)
	}
	for _, m := range inbound {
		if l := leaks(m.Text + m.Raw + m.PrivateSealed); l != nil {
			t.Errorf("inbound %s leaks %v", m.ProviderID, l)
		}
		// Sealed until the hand-over, dropped by it.
		if waiting := m.Status == hailurah.InboundStored; waiting != (m.PrivateSealed != "") {
			t.Errorf("inbound %s (%s): private_sealed %q", m.ProviderID, m.Status, m.PrivateSealed)
		}
	}

	// The encrypted column holds no plaintext, and only named tickets have it.
	var private []struct{ TicketID, Sealed string }
	if err := db.Gorm().Raw(`SELECT ticket_id, sealed FROM ticket_private ORDER BY ticket_id`).Scan(&private).Error; err != nil {
		t.Fatal(err)
	}
	if len(private) != 2 || private[0].TicketID != named || private[1].TicketID != web.TicketID {
		t.Fatalf("ticket_private rows %+v, want %s and %s", private, named, web.TicketID)
	}
	for _, p := range private {
		if l := leaks(p.Sealed); l != nil || strings.Contains(p.Sealed, "jalan berlubang") {
			t.Errorf("ticket_private of %s is not sealed: %q", p.TicketID, p.Sealed)
		}
	}

	for id, want := range map[string]hailurah.CitizenContact{
		named:        {Name: citizenName, Phone: "+6281399990000", Message: typedWords},
		web.TicketID: {Message: typedWords}, // a typed number is not the citizen's contact
	} {
		tk, err := db.FindTicket(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		got, err := x.Contact(ctx, tk)
		if err != nil || *got != want {
			t.Errorf("Contact(%s) = %+v, %v; want %+v", id, got, err, want)
		}
	}
	for _, id := range []string{anonForm.TicketID, anonWords} {
		tk, err := db.FindTicket(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if !tk.PrivacyFlag {
			t.Errorf("ticket %s is not anonymous", id)
		}
		if got, err := x.Contact(ctx, tk); hailurah.ErrorCode(err) != hailurah.EFORBIDDEN {
			t.Errorf("Contact of anonymous %s = %+v, %v; want EFORBIDDEN", id, got, err)
		}
	}
}
