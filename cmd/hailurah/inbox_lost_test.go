package main

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/intake"
	"github.com/hailurah/hailurah/workflows"
)

// diesBeforeSignal loses one message's signal, as a process killed after
// reserving the ticket on the message and before signalling it.
type diesBeforeSignal struct {
	intake.Cases
	mu         sync.Mutex
	providerID string
}

func (c *diesBeforeSignal) SignalCitizen(ctx context.Context, ticketID string, m hailurah.CitizenMessage) error {
	c.mu.Lock()
	die := m.ID == c.providerID
	if die {
		c.providerID = ""
	}
	c.mu.Unlock()
	if die {
		return hailurah.Errorf(hailurah.EUNAVAILABLE, "injected: process died before signalling")
	}
	return c.Cases.SignalCitizen(ctx, ticketID, m)
}

// TestInboxRetryAfterReserveWithoutSignal runs an inbox on the real store
// and the real embedded Temporal server. A message is reserved for the
// sender's open ticket and the process "dies" before signalling it; the
// ticket is closed; the retry asks the closed ticket's workflow, which
// never took the message, and the message starts a ticket of its own (as
// a message to a closed ticket does) instead of being marked as the
// closed ticket's and lost.
func TestInboxRetryAfterReserveWithoutSignal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server")
	}
	m := startMain(t, t.TempDir())
	ctx := context.Background()
	cases := &diesBeforeSignal{Cases: &workflows.Client{Temporal: m.Temporal}}
	r := startInbox(t, m, m.DB, cases, "6281299990002")
	clk, sender, send, inbound := r.clk, r.sender, r.send, r.inbound

	send("wamid.lost-1", "HAI LURAH Taman\nSaya warga RT03/RW02. Got di Jalan Mawar tersumbat, air meluap ke rumah warga.")
	first := inbound("wamid.lost-1")
	if first.Status != hailurah.InboundDelivered || first.TicketID == "" {
		t.Fatalf("the first message: %s → %q (%s)", first.Status, first.TicketID, first.Note)
	}
	id := first.TicketID
	eventually(t, "the ticket open", func() bool {
		tk, err := m.DB.FindTicket(ctx, id)
		return err == nil && tk.Status == hailurah.StatusOpen
	})

	// Reserved for the open ticket, never signalled; then the ticket closes.
	cases.mu.Lock()
	cases.providerID = "wamid.lost-2"
	cases.mu.Unlock()
	const lostText = "Sekarang airnya sudah masuk ke dapur, tolong segera dibantu."
	send("wamid.lost-2", lostText)
	if in := inbound("wamid.lost-2"); in.Status != hailurah.InboundStored || in.TicketID != id {
		t.Fatalf("after the crash: %s, ticket %q; want stored with %s reserved", in.Status, in.TicketID, id)
	}
	r.reject(id)

	clk.Add(2*intake.HandOverTimeout + time.Second) // past the sweep's age and any claim
	eventually(t, "the retry", func() bool { return inbound("wamid.lost-2").Status != hailurah.InboundStored })
	in := inbound("wamid.lost-2")
	if in.Status != hailurah.InboundDelivered || in.TicketID == "" || in.TicketID == id {
		t.Fatalf("the retry: %s → %q (%s), want delivered to a new ticket, not the closed %s that never took it", in.Status, in.TicketID, in.Note, id)
	}
	latest, err := m.DB.LatestTicketOfSender(ctx, sender)
	if err != nil {
		t.Fatal(err)
	}
	if latest.ID != in.TicketID {
		t.Errorf("the sender's newest ticket is %s, want the message's %s", latest.ID, in.TicketID)
	}
	seen, err := (&workflows.Client{Temporal: m.Temporal}).SawMessage(ctx, in.TicketID, "wamid.lost-2")
	if err != nil || !seen {
		t.Errorf("the new ticket took the message: %v, %v", seen, err)
	}
	if seen, err := (&workflows.Client{Temporal: m.Temporal}).SawMessage(ctx, id, "wamid.lost-1"); err != nil || !seen {
		t.Errorf("the closed ticket answers for its own message: %v, %v", seen, err)
	}
}
