package intake_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/intake"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/storetest"
	"github.com/hailurah/hailurah/whatsapp"
)

// The channels' own tests (server/channels_test.go, cmd/hailurah) drive
// intake through HTTP; these pin down what a channel may rely on when it
// builds a Message.

const secret = "rahasia-instansi-yang-cukup-panjang-32"

// startedCases records the tickets started and refuses every signal as if
// the ticket had ended.
type startedCases struct {
	mu     sync.Mutex
	starts []hailurah.CurhatInput
}

func (c *startedCases) StartCurhat(_ context.Context, in hailurah.CurhatInput) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.starts = append(c.starts, in)
	return nil
}

func (c *startedCases) SignalCitizen(context.Context, string, hailurah.CitizenMessage) error {
	return hailurah.Errorf(hailurah.ENOTFOUND, "ended")
}

func (c *startedCases) SawMessage(_ context.Context, id, messageID string) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, in := range c.starts {
		if in.TicketID == id {
			return in.First.ID == messageID, nil
		}
	}
	return false, hailurah.Errorf(hailurah.ENOTFOUND, "no such ticket")
}

func (c *startedCases) ChangeContact(context.Context, string, hailurah.ContactChange) error {
	return hailurah.Errorf(hailurah.ENOTFOUND, "ended")
}

func newIntake(t *testing.T, db *store.DB, cases intake.Cases) *intake.Intake {
	t.Helper()
	if err := db.UpsertKelurahan(context.Background(), &hailurah.Kelurahan{Code: "taman", Name: "Taman"}); err != nil {
		t.Fatal(err)
	}
	x, err := intake.New(intake.Config{Store: db, Cases: cases, Secret: []byte(secret), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// TestVerifiedPhonesOnly: a number is kept to reply to, and is its
// sender's pseudonym, only when the channel vouches for it.
func TestVerifiedPhonesOnly(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	x := newIntake(t, db, &startedCases{})
	at := time.Now().UTC().Truncate(time.Second)
	for _, c := range []struct {
		phone    string
		verified bool
	}{{"6281234567890", true}, {"6285712345678", false}} {
		rc, err := x.Receive(ctx, intake.Message{Channel: hailurah.ChannelWhatsApp, ProviderID: "wamid." + c.phone,
			Phone: c.phone, PhoneVerified: c.verified, Text: "HAI LURAH Taman, got mampet.", SentAt: at})
		if err != nil || rc.Status != hailurah.InboundDelivered || rc.TicketID == "" {
			t.Fatalf("%s: %+v %v", c.phone, rc, err)
		}
		e164, _ := whatsapp.NormalizePhone(c.phone)
		_, err = db.FindContact(ctx, whatsapp.SenderID([]byte(secret), e164))
		if kept := err == nil; kept != c.verified {
			t.Errorf("%s verified=%v: contact kept=%v (%v)", c.phone, c.verified, kept, err)
		}
		m, err := db.FindInbound(ctx, "wamid."+c.phone)
		if err != nil {
			t.Fatal(err)
		}
		if own := m.SenderID == whatsapp.SenderID([]byte(secret), e164); own != c.verified {
			t.Errorf("%s verified=%v: the phone's own pseudonym=%v", c.phone, c.verified, own)
		}
	}
}

// TestStartAndRedelivery: a form's message starts a ticket in the
// kelurahan it names, under an anonymous sender when it gives no phone; a
// stored message delivered twice is handed over once, and the second
// receipt names the first one's ticket.
func TestStartAndRedelivery(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	cases := &startedCases{}
	x := newIntake(t, db, cases)
	st, err := x.Start(ctx, intake.Message{Channel: hailurah.ChannelWeb, Text: "Lampu jalan mati di RT 02 RW 03.", Kelurahan: "taman"})
	if err != nil || st.TicketID == "" || st.TrackingCode == "" || st.Ack == "" {
		t.Fatalf("start: %+v %v", st, err)
	}
	if in := cases.starts[0]; in.Kelurahan != "taman" || in.SenderID == "" || in.Channel != hailurah.ChannelWeb {
		t.Errorf("first ticket: %+v", in)
	}
	if _, err := x.Start(ctx, intake.Message{Channel: hailurah.ChannelWeb, Text: "x", Kelurahan: "atlantis"}); hailurah.ErrorField(err) != "kelurahan" {
		t.Errorf("unknown kelurahan: %v", err)
	}

	m := intake.Message{Channel: hailurah.ChannelKiosk, ProviderID: "gw:kiosk:1", From: "sesi-7",
		Text: "HAI LURAH Taman, sampah menumpuk.", SentAt: time.Now().UTC()}
	first, err := x.Receive(ctx, m)
	if err != nil || first.Duplicate || first.TicketID == "" {
		t.Fatalf("first delivery: %+v %v", first, err)
	}
	again, err := x.Receive(ctx, m)
	if err != nil || !again.Duplicate || again.TicketID != first.TicketID || again.TrackingCode != first.TrackingCode {
		t.Fatalf("redelivery: %+v %v (first %+v)", again, err, first)
	}
	if len(cases.starts) != 2 {
		t.Errorf("%d tickets started, want 2", len(cases.starts))
	}
}

// TestStartKeepsKategori: the kategori a client chose (an Open311
// service_code) reaches the workflow's input and the recorded ticket; an
// unknown one is left to triage.
func TestStartKeepsKategori(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	cases := &startedCases{}
	x := newIntake(t, db, cases)
	for _, c := range []struct{ given, want string }{
		{hailurah.KategoriInfrastruktur, hailurah.KategoriInfrastruktur},
		{"parkir", ""},
		{"", ""},
	} {
		st, err := x.Start(ctx, intake.Message{Channel: hailurah.ChannelOpen311, Text: "Lampu jalan mati.", Kelurahan: "taman", Kategori: c.given})
		if err != nil {
			t.Fatal(err)
		}
		if in := cases.starts[len(cases.starts)-1]; in.Kategori != c.want {
			t.Errorf("%q: workflow input kategori %q, want %q", c.given, in.Kategori, c.want)
		}
		if tk, err := db.FindTicket(ctx, st.TicketID); err != nil || tk.Kategori != c.want {
			t.Errorf("%q: ticket kategori %q, want %q (%v)", c.given, tk.Kategori, c.want, err)
		}
	}
}
