package main

import (
	"context"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/intake"
	"github.com/hailurah/hailurah/whatsapp"
	"github.com/hailurah/hailurah/workflows"
)

// movableClock is a clock the test moves on, to bring the inbox's sweep
// round without waiting for it.
type movableClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *movableClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *movableClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// failingStart fails the next start of a ticket as an unreachable cluster
// would; everything else goes to the real workflows.
type failingStart struct {
	intake.Cases
	mu    sync.Mutex
	fails int
}

func (f *failingStart) StartCurhat(ctx context.Context, in hailurah.CurhatInput) error {
	f.mu.Lock()
	fail := f.fails > 0
	f.fails--
	f.mu.Unlock()
	if fail {
		return hailurah.Errorf(hailurah.EUNAVAILABLE, "injected: Temporal unreachable")
	}
	return f.Cases.StartCurhat(ctx, in)
}

// crashBeforeMark loses the outcome of one message's hand-over, as a
// process killed between signalling the ticket and marking the message.
type crashBeforeMark struct {
	intake.Store
	mu         sync.Mutex
	providerID string
}

func (s *crashBeforeMark) MarkInbound(ctx context.Context, providerID, status, ticketID, note string) error {
	s.mu.Lock()
	crash := providerID == s.providerID
	if crash {
		s.providerID = ""
	}
	s.mu.Unlock()
	if crash {
		return errors.New("injected: process died before marking the message")
	}
	return s.Store.MarkInbound(ctx, providerID, status, ticketID, note)
}

// TestInboxKeepsSenderOrder runs an inbox on the real store and the real
// embedded Temporal server. The hand-over of a sender's "HAI LURAH …"
// fails once; the "ANONIM YA" sent after it waits instead of overtaking
// it, and both reach the ticket in order (the ticket becomes anonymous).
// Then a message is signalled to that ticket and the process "dies"
// before marking it; the ticket is closed; the retry records the message
// as the closed ticket's instead of starting a second ticket with it.
func TestInboxKeepsSenderOrder(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server")
	}
	m := startMain(t, t.TempDir())
	ctx := context.Background()
	cases := &failingStart{Cases: &workflows.Client{Temporal: m.Temporal}, fails: 1}
	st := &crashBeforeMark{Store: m.DB}
	r := startInbox(t, m, st, cases, "6281299990001")
	clk, sender, send, inbound := r.clk, r.sender, r.send, r.inbound

	send("wamid.order-1", "HAI LURAH Taman\nSaya warga RT03/RW02. Got di Jalan Mawar tersumbat, air meluap ke rumah warga.")
	send("wamid.order-2", "ANONIM YA")
	if in := inbound("wamid.order-1"); in.Status != hailurah.InboundStored {
		t.Fatalf("the failed hand-over: %s, want stored", in.Status)
	}
	if in := inbound("wamid.order-2"); in.Status != hailurah.InboundStored {
		t.Fatalf("the message after a failed one was handed over first (%s, note %q); it must wait", in.Status, in.Note)
	}
	clk.Add(31 * time.Second) // the sweep's age
	eventually(t, "both messages handed over", func() bool {
		return inbound("wamid.order-2").Status != hailurah.InboundStored
	})
	first, second := inbound("wamid.order-1"), inbound("wamid.order-2")
	if first.Status != hailurah.InboundDelivered || second.Status != hailurah.InboundDelivered || first.TicketID == "" || second.TicketID != first.TicketID {
		t.Fatalf("in order: %s→%s, then %s→%s (%s)", first.Status, first.TicketID, second.Status, second.TicketID, second.Note)
	}
	id := first.TicketID
	eventually(t, "the ticket anonymous and open", func() bool {
		tk, err := m.DB.FindTicket(ctx, id)
		return err == nil && tk.PrivacyFlag && tk.Status == hailurah.StatusOpen
	})

	// Signalled, not marked; then the ticket closes.
	st.mu.Lock()
	st.providerID = "wamid.order-3"
	st.mu.Unlock()
	send("wamid.order-3", "Sekarang airnya sudah masuk ke dapur.")
	if in := inbound("wamid.order-3"); in.Status != hailurah.InboundStored || in.TicketID != id {
		t.Fatalf("after the crash: %s, ticket %q; want stored with %s reserved", in.Status, in.TicketID, id)
	}
	r.reject(id)
	clk.Add(2*intake.HandOverTimeout + time.Second) // the dead claim goes stale
	eventually(t, "the retry", func() bool { return inbound("wamid.order-3").Status != hailurah.InboundStored })
	if in := inbound("wamid.order-3"); in.Status != hailurah.InboundDelivered || in.TicketID != id {
		t.Errorf("the retry: %s → %q (%s), want delivered to %s", in.Status, in.TicketID, in.Note, id)
	}
	if latest, err := m.DB.LatestTicketOfSender(ctx, sender); err != nil {
		t.Fatal(err)
	} else if latest.ID != id {
		t.Errorf("the retry started a second ticket, %s", latest.ID)
	}
}

// inboxRun is an intake of its own, on the program's store and Temporal,
// serving one WhatsApp phone: send hands a message to it and waits for the
// hand-over; inbound reads what became of a message.
type inboxRun struct {
	t      *testing.T
	m      *Main
	x      *intake.Intake
	clk    *movableClock
	phone  string
	sender string
}

// startInbox runs an intake on st and cases, with a movable clock and a
// fast sweep, until the test ends.
func startInbox(t *testing.T, m *Main, st intake.Store, cases intake.Cases, phone string) *inboxRun {
	t.Helper()
	clk := &movableClock{t: time.Now()}
	x, err := intake.New(intake.Config{Store: st, Cases: cases, Secret: []byte(m.Config.Secret), Policy: m.Rules.SLA(),
		Now: clk.Now, SweepEvery: 20 * time.Millisecond, Logger: newLogger(io.Discard, "warn")})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = x.Run(runCtx); close(done) }()
	t.Cleanup(func() { stop(); <-done })
	e164, _ := whatsapp.NormalizePhone(phone)
	return &inboxRun{t: t, m: m, x: x, clk: clk, phone: phone, sender: whatsapp.SenderID([]byte(m.Config.Secret), e164)}
}

func (r *inboxRun) send(id, text string) {
	r.t.Helper()
	ctx := context.Background()
	if err := r.x.Accept(ctx, intake.Message{Channel: hailurah.ChannelWhatsApp, ProviderID: id, Phone: r.phone,
		PhoneVerified: true, Text: text, SentAt: r.clk.Now()}); err != nil {
		r.t.Fatal(err)
	}
	if err := r.x.Wait(ctx); err != nil {
		r.t.Fatal(err)
	}
}

func (r *inboxRun) inbound(id string) *hailurah.InboundMessage {
	r.t.Helper()
	in, err := r.m.DB.FindInbound(context.Background(), id)
	if err != nil {
		r.t.Fatal(err)
	}
	return in
}

// reject closes the ticket as its kelurahan's moderator would, and waits
// until the store shows it rejected.
func (r *inboxRun) reject(id string) {
	r.t.Helper()
	ctx := context.Background()
	mod := hailurah.Actor{Username: "moderator", Role: hailurah.RoleModerator, Kelurahan: "taman"}
	if _, err := (&workflows.Client{Temporal: r.m.Temporal}).Act(ctx, id, hailurah.ActionRequest{Action: hailurah.ActionReject,
		Actor: mod, Reason: "Sudah ditangani warga sendiri."}); err != nil {
		r.t.Fatal(err)
	}
	eventually(r.t, "the ticket rejected", func() bool {
		tk, err := r.m.DB.FindTicket(ctx, id)
		return err == nil && tk.Status == hailurah.StatusRejected
	})
}
