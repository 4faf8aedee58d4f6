package server_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	temporalclient "go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/storetest"
	"github.com/hailurah/hailurah/workflows"
)

// TestWebhookTemporalDown: when Temporal cannot be reached the webhook
// still answers 200 — the message is stored, which is all Meta needs —
// and the failed hand-over leaves it stored, its ticket id reserved and
// its claim released, for the inbox to hand over again. A redelivery
// tries again at once and reuses the reserved id. The client is the real
// SDK client, pointed at a port where nothing listens.
func TestWebhookTemporalDown(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c, err := temporalclient.NewLazyClient(temporalclient.Options{HostPort: "127.0.0.1:1", Logger: sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler))})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.Close)
		f := newChanFixture(t, db, chanOptions{appSecret: appSecret, cases: &workflows.Client{Temporal: c}})
		ctx := context.Background()
		at := f.clock.Now().Add(-time.Minute)
		body := metaDelivery(metaEntry(cityNumberID, nil, metaText("wamid.DOWN", sitiWA, at, "HAI LURAH Taman, jalan depan SD berlubang besar.")))
		for range 2 {
			if st, raw := f.deliver(body, appSecret); st != http.StatusOK {
				t.Fatalf("Temporal down: %d %s", st, raw)
			}
			// Still stored, with the ticket id reserved by the first
			// attempt and reused by the second.
			m, err := db.FindInbound(ctx, "wamid.DOWN")
			if err != nil || m.Status != hailurah.InboundStored || m.TicketID != "HL-2026-000001" || m.Attempts != 0 {
				t.Fatalf("message after a failed hand-over: %+v %v", m, err)
			}
			if ok, err := db.ClaimInbound(ctx, "wamid.DOWN", f.clock.Now().Add(-time.Hour)); err != nil || !ok {
				t.Fatalf("the claim was not released: %v %v", ok, err)
			}
			if err := db.ReleaseInbound(ctx, "wamid.DOWN"); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.FindContact(ctx, f.sender(sitiWA)); err != nil {
			t.Fatalf("the contact the ACK needs was not kept: %v", err)
		}
		// A message for a running ticket: the signal fails the same way.
		if err := db.CreateTicket(ctx, &hailurah.Ticket{ID: "HL-2026-000099", TrackingCode: "ABCDEF", SenderID: f.sender(budiWA),
			Channel: hailurah.ChannelWhatsApp, Status: hailurah.StatusOpen}); err != nil {
			t.Fatal(err)
		}
		body = metaDelivery(metaEntry(cityNumberID, nil, metaText("wamid.DOWN-2", budiWA, at, "Airnya makin tinggi.")))
		if st, raw := f.deliver(body, appSecret); st != http.StatusOK {
			t.Fatalf("signal with Temporal down: %d %s", st, raw)
		}
		if m, _ := db.FindInbound(ctx, "wamid.DOWN-2"); m == nil || m.Status != hailurah.InboundStored {
			t.Fatalf("signalled message: %+v", m)
		}
	})
}

// flakyCases refuses every start while down, like a Temporal outage, and
// records the starts it takes.
type flakyCases struct {
	workflows.Client
	mu     sync.Mutex
	down   bool
	starts []hailurah.CurhatInput
}

func (c *flakyCases) StartCurhat(_ context.Context, in hailurah.CurhatInput) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.down {
		return hailurah.Errorf(hailurah.EUNAVAILABLE, "Temporal tidak terjangkau.")
	}
	c.starts = append(c.starts, in)
	return nil
}

func (c *flakyCases) set(down bool) {
	c.mu.Lock()
	c.down = down
	c.mu.Unlock()
}

func (c *flakyCases) started() []hailurah.CurhatInput {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.starts)
}

// TestInboxSweep: messages the webhook acknowledged but could not hand
// over — the engine was down, or the process died first — are handed
// over later by the inbox's sweep, once each, each sender's in the order
// they came, with the ticket id the failed attempt reserved. (The orphan
// is Budi's: a message of Siti's would wait behind it, not attempt.)
func TestInboxSweep(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		cases := &flakyCases{down: true}
		f := newChanFixture(t, db, chanOptions{appSecret: appSecret, cases: cases, sweep: 20 * time.Millisecond})
		// Left stored by a process that died before handing it over.
		orphan := &hailurah.InboundMessage{ProviderID: "wamid.ORPHAN", Channel: hailurah.ChannelWhatsApp, SenderID: f.sender(budiWA),
			PhoneNumberID: cityNumberID, Kind: "text", Text: "HAI LURAH Taman, lampu jalan RT 03 mati seminggu.", SentAt: time.Date(2026, 3, 10, 1, 0, 0, 0, time.UTC)}
		if _, err := db.StoreInbound(ctx, orphan); err != nil {
			t.Fatal(err)
		}
		at := f.clock.Now().Add(-time.Minute)
		for i, text := range []string{"HAI LURAH Taman, got mampet di RT 02.", "HAI LURAH Taman, sampah menumpuk di pasar."} {
			body := metaDelivery(metaEntry(cityNumberID, nil, metaText(fmt.Sprintf("wamid.LATER-%d", i), sitiWA, at, text)))
			if st, raw := f.deliver(body, appSecret); st != http.StatusOK {
				t.Fatalf("delivery while Temporal is down: %d %s", st, raw)
			}
		}
		if got := cases.started(); len(got) != 0 {
			t.Fatalf("started while down: %+v", got)
		}
		// The engine is back; the sweep takes messages older than its
		// age, so a young one is left to the webhook's own hand-over.
		cases.set(false)
		time.Sleep(100 * time.Millisecond)
		if got := cases.started(); len(got) != 0 {
			t.Fatalf("the sweep took young messages: %+v", got)
		}
		f.clock.Add(time.Minute)
		deadline := time.Now().Add(10 * time.Second)
		for len(cases.started()) < 3 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(100 * time.Millisecond) // nothing more may come
		got := cases.started()
		var order []string
		var later0 hailurah.CurhatInput
		for _, in := range got {
			order = append(order, in.First.ID)
			if in.First.ID == "wamid.LATER-0" {
				later0 = in
			}
		}
		siti := slices.DeleteFunc(slices.Clone(order), func(id string) bool { return id == "wamid.ORPHAN" })
		if want := []string{"wamid.LATER-0", "wamid.LATER-1"}; len(order) != 3 || !slices.Contains(order, "wamid.ORPHAN") || !slices.Equal(siti, want) {
			t.Fatalf("handed over %v, want the orphan and %v, once each, Siti's in order", order, want)
		}
		for _, id := range []string{"wamid.ORPHAN", "wamid.LATER-0", "wamid.LATER-1"} {
			// The sweep marks a message delivered just after its start
			// returns; on a busy machine that can trail the start.
			m, err := db.FindInbound(ctx, id)
			for end := time.Now().Add(5 * time.Second); err == nil && m.Status != hailurah.InboundDelivered && time.Now().Before(end); {
				time.Sleep(10 * time.Millisecond)
				m, err = db.FindInbound(ctx, id)
			}
			if err != nil || m.Status != hailurah.InboundDelivered || m.TicketID == "" {
				t.Fatalf("%s after the sweep: %+v %v", id, m, err)
			}
		}
		if later0.TicketID != "HL-2026-000001" {
			t.Errorf("the first failed attempt reserved HL-2026-000001; the sweep started %s", later0.TicketID)
		}
	})
}

// TestWebhookIPLimit: on a flood night Meta's few servers carry every
// citizen's messages, so deliveries signed with the app secret are never
// held back by address; unsigned or badly signed posts from one address
// are, after the burst, with 429 and Retry-After.
func TestWebhookIPLimit(t *testing.T) {
	db := storetest.Open(t)
	f := newChanFixture(t, db, chanOptions{appSecret: appSecret})
	at := f.clock.Now()
	const flood = 400 // beyond the per-IP burst
	for i := range flood {
		wa := fmt.Sprintf("62812%08d", i)
		body := metaDelivery(metaEntry(cityNumberID, nil, metaAudio(fmt.Sprintf("wamid.IPS-%03d", i), wa, at)))
		if st, raw := f.deliver(body, appSecret); st != http.StatusOK {
			t.Fatalf("signed delivery %d: %d %s", i, st, raw)
		}
	}
	limited := 0
	for i := range flood {
		body := metaDelivery(metaEntry(cityNumberID, nil, metaAudio(fmt.Sprintf("wamid.BAD-%03d", i), sitiWA, at)))
		st, raw := f.deliver(body, "bukan-rahasianya")
		switch st {
		case http.StatusUnauthorized:
		case http.StatusTooManyRequests:
			limited++
		default:
			t.Fatalf("badly signed delivery %d: %d %s", i, st, raw)
		}
	}
	if limited != flood-300 {
		t.Errorf("%d of %d badly signed posts limited, want %d (all past the burst)", limited, flood, flood-300)
	}

	// Without an app secret only dev takes unsigned deliveries (from this
	// machine), and limits them per IP.
	open := newChanFixture(t, storetest.Open(t), chanOptions{dev: true})
	limited = 0
	for i := range flood {
		wa := fmt.Sprintf("62812%08d", i)
		body := metaDelivery(metaEntry(cityNumberID, nil, metaAudio(fmt.Sprintf("wamid.UNS-%03d", i), wa, at)))
		if st, _ := open.deliver(body, ""); st == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited != flood-300 {
		t.Errorf("%d of %d unsigned deliveries limited, want %d", limited, flood, flood-300)
	}
}
