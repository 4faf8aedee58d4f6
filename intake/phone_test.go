package intake_test

import (
	"context"
	"log/slog"
	"regexp"
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

// contactCases starts every ticket and records the confirmed contacts;
// tickets in ended answer ENOTFOUND, as a finished workflow does.
type contactCases struct {
	startedCases
	mu       sync.Mutex
	contacts map[string][]hailurah.ContactChange
	ended    map[string]bool
}

func (c *contactCases) ChangeContact(_ context.Context, id string, to hailurah.ContactChange) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ended[id] {
		return hailurah.Errorf(hailurah.ENOTFOUND, "ended")
	}
	if c.contacts == nil {
		c.contacts = map[string][]hailurah.ContactChange{}
	}
	c.contacts[id] = append(c.contacts[id], to)
	return nil
}

var sixDigits = regexp.MustCompile(`\b[0-9]{6}\b`)

// TestPhoneConfirmation: a phone typed into the web form is sent one
// neutral code, and becomes the ticket's contact (its pseudonym the
// ticket's sender, a ContactChange to the workflow) only with the right
// code, typed before it expires and within the tries allowed.
func TestPhoneConfirmation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC)
		clock := func() time.Time { return now }
		db.SetNow(clock)
		cases := &contactCases{ended: map[string]bool{}}
		if err := db.UpsertKelurahan(ctx, &hailurah.Kelurahan{Code: "taman", Name: "Taman"}); err != nil {
			t.Fatal(err)
		}
		x, err := intake.New(intake.Config{Store: db, Cases: cases, Secret: []byte(secret), Now: clock, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		phone := whatsapp.SenderID([]byte(secret), "+6281234567890")
		seen := 0
		// start files a web curhat naming the phone and returns the ticket
		// and the code the phone was sent.
		start := func(channel string) (*intake.Started, string) {
			t.Helper()
			st, err := x.Start(ctx, intake.Message{Channel: channel, Phone: "081234567890",
				Text: "HAI LURAH Taman, lampu jalan RT 3 mati.", Kelurahan: "taman"})
			if err != nil {
				t.Fatal(err)
			}
			out, err := db.ListOutboxByRecipient(ctx, phone, 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			if len(out) == seen {
				return st, ""
			}
			if len(out) != seen+1 {
				t.Fatalf("%d messages for the phone, want one code more than %d", len(out), seen)
			}
			seen = len(out)
			m := out[len(out)-1]
			if m.Kind != hailurah.OutboxPhoneCode || m.TicketID != "" || m.Channel != hailurah.ChannelWhatsApp {
				t.Fatalf("code message: %+v", m)
			}
			for _, secret := range []string{st.TicketID, st.TrackingCode, "lampu", "Taman"} {
				if strings.Contains(m.Text, secret) {
					t.Errorf("the code message names %q: %s", secret, m.Text)
				}
			}
			code := sixDigits.FindString(m.Text)
			if code == "" {
				t.Fatalf("no code in %q", m.Text)
			}
			own, err := db.ListTicketOutbox(ctx, st.TicketID)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range own {
				if strings.Contains(o.Text, code) {
					t.Errorf("the ticket's own messages (the tracking page) show the code: %+v", o)
				}
			}
			return st, code
		}
		wrong := func(code string) string {
			if code == "000000" {
				return "000001"
			}
			return "000000"
		}
		status := func(id, want string) {
			t.Helper()
			if got, err := x.PhoneStatus(ctx, id); err != nil || got != want {
				t.Errorf("phone status of %s: %q %v, want %q", id, got, err, want)
			}
		}

		// A wrong code, then an expired one.
		expired, code := start(hailurah.ChannelWeb)
		if !expired.PhoneCodeSent || code == "" {
			t.Fatalf("no code sent: %+v", expired)
		}
		if cases.starts[0].SenderID == phone {
			t.Fatal("the typed phone is the sender before confirming")
		}
		status(expired.TicketID, intake.PhonePending)
		err = x.ConfirmPhone(ctx, expired.TicketID, wrong(code))
		if hailurah.ErrorField(err) != "code" || !strings.Contains(hailurah.ErrorMessage(err), "Sisa 4") {
			t.Errorf("wrong code: %v", err)
		}
		now = now.Add(intake.PhoneCodeTTL)
		err = x.ConfirmPhone(ctx, expired.TicketID, code)
		if hailurah.ErrorCode(err) != hailurah.ECONFLICT || !strings.Contains(hailurah.ErrorMessage(err), "kedaluwarsa") {
			t.Errorf("expired code: %v", err)
		}
		status(expired.TicketID, "")

		// Too many tries: the right code comes too late.
		guessed, code := start(hailurah.ChannelKiosk)
		for i := 1; i <= intake.PhoneCodeAttempts; i++ {
			err := x.ConfirmPhone(ctx, guessed.TicketID, wrong(code))
			if want := hailurah.EINVALID; i == intake.PhoneCodeAttempts {
				if hailurah.ErrorCode(err) != hailurah.ETOOMANY {
					t.Errorf("try %d: %v, want too many", i, err)
				}
			} else if hailurah.ErrorCode(err) != want {
				t.Errorf("try %d: %v, want a wrong code", i, err)
			}
		}
		if err := x.ConfirmPhone(ctx, guessed.TicketID, code); hailurah.ErrorCode(err) != hailurah.ETOOMANY {
			t.Errorf("right code after too many tries: %v", err)
		}
		status(guessed.TicketID, "")

		// A ticket that ended cannot take the phone.
		ended, code := start(hailurah.ChannelWeb)
		cases.ended[ended.TicketID] = true
		if err := x.ConfirmPhone(ctx, ended.TicketID, code); hailurah.ErrorCode(err) != hailurah.ECONFLICT {
			t.Errorf("ended ticket: %v", err)
		}
		if len(cases.contacts) != 0 {
			t.Fatalf("contacts changed before a right code: %+v", cases.contacts)
		}

		// Three codes an hour to one phone, whoever asks.
		if st, code := start(hailurah.ChannelWeb); st.PhoneCodeSent || code != "" {
			t.Errorf("a fourth code within the hour: %+v %q", st, code)
		}
		now = now.Add(time.Hour)

		// The right code, in time, even after the retention sweep purged
		// the number the code went to: a phone that never wrote is kept no
		// longer than until the next sweep, unless it is confirmed.
		confirmed, code := start(hailurah.ChannelWeb)
		if c, err := db.FindContact(ctx, phone); err != nil || whatsapp.InWindow(c.LastInboundAt, now) {
			t.Fatalf("the typed phone's contact: %+v %v, want one outside the 24-hour window", c, err)
		}
		if res, err := db.PurgeExpiredContacts(ctx, now); err != nil || res.Contacts != 1 {
			t.Fatalf("purge: %+v %v", res, err)
		}
		if err := x.ConfirmPhone(ctx, confirmed.TicketID, code); err != nil {
			t.Fatalf("right code: %v", err)
		}
		want := hailurah.ContactChange{SenderID: phone, Channel: hailurah.ChannelWhatsApp}
		if got := cases.contacts[confirmed.TicketID]; len(got) != 1 || got[0] != want {
			t.Errorf("contact change: %+v, want %+v", got, want)
		}
		if tk, err := db.LatestTicketOfSender(ctx, phone); err != nil || tk.ID != confirmed.TicketID {
			t.Errorf("the phone's ticket: %+v %v, want %s", tk, err, confirmed.TicketID)
		}
		if _, err := db.FindContact(ctx, phone); err != nil {
			t.Errorf("the confirmed phone's contact: %v", err)
		}
		status(confirmed.TicketID, intake.PhoneConfirmed)
		if err := x.ConfirmPhone(ctx, confirmed.TicketID, code); hailurah.ErrorCode(err) != hailurah.ECONFLICT {
			t.Errorf("confirming twice: %v", err)
		}
		if err := x.ConfirmPhone(ctx, "HL-2026-999999", code); hailurah.ErrorCode(err) != hailurah.ENOTFOUND {
			t.Errorf("a ticket without a typed phone: %v", err)
		}

		// Open311 has no page to type a code on: no code is sent.
		if st, code := start(hailurah.ChannelOpen311); st.PhoneCodeSent || code != "" {
			t.Errorf("Open311 sent a code: %+v %q", st, code)
		}
	})
}
