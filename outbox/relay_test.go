package outbox_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/outbox"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/storetest"
	"github.com/hailurah/hailurah/whatsapp"
)

// graphAPI is a fake of Meta's Graph API /{phone-number-id}/messages: it
// decodes the requests the real client sends and answers with the bodies
// Meta answers with. Each reply in script is used once, in order; then,
// unless outage returns a failure for the request, the send succeeds.
type graphAPI struct {
	t        *testing.T
	srv      *httptest.Server
	mu       sync.Mutex
	script   []graphReply
	outage   func() *graphReply
	sent     []graphRequest // every request, failed ones included
	accepted []graphRequest // the sends answered with a message id
	n        int
}

type graphReply struct {
	status int
	body   string
}

// graphRequest is the part of a Cloud API send request the tests check.
type graphRequest struct {
	From             string
	MessagingProduct string `json:"messaging_product"`
	To               string `json:"to"`
	Type             string `json:"type"`
	Text             *struct {
		Body string `json:"body"`
	} `json:"text"`
	Interactive *struct {
		Type string `json:"type"`
		Body struct {
			Text string `json:"text"`
		} `json:"body"`
		Action struct {
			Buttons []struct {
				Reply struct {
					ID    string `json:"id"`
					Title string `json:"title"`
				} `json:"reply"`
			} `json:"buttons"`
		} `json:"action"`
	} `json:"interactive"`
	Template *struct {
		Name     string `json:"name"`
		Language struct {
			Code string `json:"code"`
		} `json:"language"`
		Components []struct {
			Type       string `json:"type"`
			Parameters []struct {
				Type  string     `json:"type"`
				Text  string     `json:"text"`
				Image *graphLink `json:"image"`
			} `json:"parameters"`
		} `json:"components"`
	} `json:"template"`
	Image *graphLink `json:"image"`
}

type graphLink struct {
	Link    string `json:"link"`
	Caption string `json:"caption"`
}

func (r graphRequest) body() string {
	switch {
	case r.Text != nil:
		return r.Text.Body
	case r.Interactive != nil:
		return r.Interactive.Body.Text
	}
	return ""
}

const (
	graphToken     = "EAAG-test-token"
	cityNumber     = "106540352242922"
	rateLimited    = `{"error":{"message":"(#130429) Rate limit hit","type":"OAuthException","code":130429,"error_subcode":2494055,"fbtrace_id":"AbCdEf1"}}`
	serverError    = `{"error":{"message":"An unknown error has occurred.","type":"OAuthException","code":1,"is_transient":true,"fbtrace_id":"AbCdEf2"}}`
	outsideWindow  = `{"error":{"message":"(#131047) Re-engagement message","type":"OAuthException","code":131047,"error_data":{"messaging_product":"whatsapp","details":"Message failed to send because more than 24 hours have passed since the customer last replied to this number."},"fbtrace_id":"AbCdEf3"}}`
	invalidNumber  = `{"error":{"message":"(#100) Invalid parameter","type":"OAuthException","code":100,"error_data":{"messaging_product":"whatsapp","details":"Parameter value is not valid"},"fbtrace_id":"AbCdEf4"}}`
	citizenPhone   = "+6281234567890"
	citizenPhoneWA = "6281234567890"
)

func newGraphAPI(t *testing.T, script ...graphReply) *graphAPI {
	g := &graphAPI{t: t, script: script}
	g.srv = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(g.srv.Close)
	return g
}

func (g *graphAPI) serve(w http.ResponseWriter, r *http.Request) {
	from, ok := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, "/v23.0/"), "/messages")
	if r.Method != http.MethodPost || !ok || r.Header.Get("Authorization") != "Bearer "+graphToken ||
		r.Header.Get("Content-Type") != "application/json" {
		g.t.Errorf("unexpected request %s %s (auth %q)", r.Method, r.URL.Path, r.Header.Get("Authorization"))
		http.Error(w, `{"error":{"message":"bad request","code":100}}`, http.StatusBadRequest)
		return
	}
	raw, _ := io.ReadAll(r.Body)
	var req graphRequest
	if err := json.Unmarshal(raw, &req); err != nil || req.MessagingProduct != "whatsapp" {
		g.t.Errorf("undecodable send %s: %v", raw, err)
	}
	req.From = from
	g.mu.Lock()
	g.sent = append(g.sent, req)
	g.n++
	n := g.n
	var reply *graphReply
	if len(g.script) > 0 {
		reply, g.script = &g.script[0], g.script[1:]
	} else if g.outage != nil {
		reply = g.outage()
	}
	if reply == nil {
		g.accepted = append(g.accepted, req)
	}
	g.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if reply != nil {
		w.WriteHeader(reply.status)
		io.WriteString(w, reply.body)
		return
	}
	fmt.Fprintf(w, `{"messaging_product":"whatsapp","contacts":[{"input":%q,"wa_id":%q}],"messages":[{"id":"wamid.FAKE%03d"}]}`, req.To, req.To, n)
}

func (g *graphAPI) requests() []graphRequest {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]graphRequest(nil), g.sent...)
}

func (g *graphAPI) delivered() []graphRequest {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]graphRequest(nil), g.accepted...)
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

const secret = "rahasia-instansi-yang-cukup-panjang-32"

// fixture is a relay on a real store talking to the fake Graph API.
type fixture struct {
	t      *testing.T
	db     *store.DB
	graph  *graphAPI
	clk    *clock
	sealer *whatsapp.Sealer
	relay  *outbox.Relay
}

func newFixture(t *testing.T, db *store.DB, graph *graphAPI, tune func(*outbox.Config)) *fixture {
	t.Helper()
	ctx := t.Context()
	clk := &clock{t: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)}
	db.SetNow(clk.Now)
	must(t, db.UpsertKelurahan(ctx, &hailurah.Kelurahan{Code: "taman", Name: "Taman", WhatsAppPhoneNumberID: "207651463353033"}))
	must(t, db.CreateUser(ctx, &hailurah.User{Username: "moderator", Name: "Moderator Taman", Role: hailurah.RoleModerator, Kelurahan: "taman"}, "rahasia-123"))
	must(t, db.CreateUser(ctx, &hailurah.User{Username: "admin", Name: "Admin", Role: hailurah.RoleAdmin}, "rahasia-123"))
	sealer, err := whatsapp.NewSealer([]byte(secret))
	must(t, err)
	cfg := outbox.Config{
		Store: db, Tickets: db, Notifications: db, Sealer: sealer, Now: clk.Now,
		Rate: 1000, BaseBackoff: time.Minute, MaxBackoff: time.Hour, Logger: slog.New(slog.DiscardHandler),
	}
	if graph != nil {
		cfg.Sender = &whatsapp.Client{BaseURL: graph.srv.URL + "/v23.0", Token: graphToken, PhoneNumberID: cityNumber}
	}
	if tune != nil {
		tune(&cfg)
	}
	relay, err := outbox.New(cfg)
	must(t, err)
	return &fixture{t: t, db: db, graph: graph, clk: clk, sealer: sealer, relay: relay}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// citizen records the contact of a phone that last wrote at lastInbound to
// number, and a ticket of theirs in Taman; it returns the sender id.
func (f *fixture) citizen(phone, number string, lastInbound time.Time, ticketID string) string {
	f.t.Helper()
	ctx := f.t.Context()
	sender := whatsapp.SenderID([]byte(secret), phone)
	sealed, err := f.sealer.Seal(phone)
	must(f.t, err)
	must(f.t, f.db.RecordContact(ctx, &hailurah.Contact{SenderID: sender, Channel: hailurah.ChannelWhatsApp,
		PhoneSealed: sealed, PhoneNumberID: number, LastInboundAt: lastInbound}))
	if ticketID != "" {
		must(f.t, f.db.CreateTicket(ctx, &hailurah.Ticket{ID: ticketID, TrackingCode: "TRK" + ticketID[len(ticketID)-3:],
			SenderID: sender, Channel: hailurah.ChannelWhatsApp, Kelurahan: "taman"}))
	}
	return sender
}

func (f *fixture) enqueue(key, ticketID, recipient, kind, text string) *hailurah.OutboxMessage {
	f.t.Helper()
	m := &hailurah.OutboxMessage{IdempotencyKey: key, TicketID: ticketID, Channel: hailurah.ChannelWhatsApp,
		Recipient: recipient, Kind: kind, Text: text}
	must(f.t, f.db.Enqueue(f.t.Context(), m))
	return m
}

func (f *fixture) pass() int {
	f.t.Helper()
	n, err := f.relay.Pass(f.t.Context())
	must(f.t, err)
	return n
}

func (f *fixture) row(recipient string, id int64) *hailurah.OutboxDelivery {
	f.t.Helper()
	list, err := f.db.ListOutboxByRecipient(f.t.Context(), recipient, id-1, 1)
	must(f.t, err)
	if len(list) != 1 || list[0].ID != id {
		f.t.Fatalf("outbox row %d not found", id)
	}
	return list[0]
}

func (f *fixture) notifications(username string) []*hailurah.Notification {
	f.t.Helper()
	list, err := f.db.ListNotifications(f.t.Context(), username, 50)
	must(f.t, err)
	return list
}

// TestRelayWindow: inside the 24-hour window the ACK goes out with its
// quick-reply buttons and a staff reply as text; outside it the
// confirmation question goes as the approved template, and an ACK, which
// has no template, fails and the moderators hear of it.
func TestRelayWindow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		graph := newGraphAPI(t)
		f := newFixture(t, db, graph, nil)
		recent := f.citizen(citizenPhone, "207651463353033", f.clk.Now().Add(-time.Hour), "HL-2026-000001")
		stale := f.citizen("+6285712345678", "", f.clk.Now().Add(-49*time.Hour), "HL-2026-000002")

		ack := f.enqueue("HL-2026-000001/ack/1", "HL-2026-000001", recent, hailurah.OutboxAck, "Terima kasih. Pesan Anda telah diterima oleh HAI LURAH (Kel. Taman).")
		staff := f.enqueue("HL-2026-000001/staff_reply/2", "HL-2026-000001", recent, hailurah.OutboxStaffReply, "Pesan dari petugas:\nGot akan dikeruk Senin.")
		confirm := f.enqueue("HL-2026-000002/confirm/1", "HL-2026-000002", stale, hailurah.OutboxConfirm, "Apakah masalah sudah selesai? Balas SESUDAH atau BELUM.")
		lateAck := f.enqueue("HL-2026-000002/ack/2", "HL-2026-000002", stale, hailurah.OutboxAck, "Terima kasih.")

		if n := f.pass(); n != 3 {
			t.Fatalf("sent %d, want 3", n)
		}
		reqs := graph.requests()
		if len(reqs) != 3 {
			t.Fatalf("graph API got %d requests, want 3", len(reqs))
		}
		// Claims go in id order with one row per recipient in flight: the
		// ACK, the stale citizen's confirmation, then the staff reply. The
		// recent citizen's messages come from the number they wrote to.
		if r := reqs[0]; r.Type != "interactive" || r.To != citizenPhoneWA || r.From != "207651463353033" ||
			r.body() != ack.Text || len(r.Interactive.Action.Buttons) != 3 ||
			r.Interactive.Action.Buttons[0].Reply.ID != hailurah.ButtonAnonimYa || r.Interactive.Action.Buttons[2].Reply.Title != "LANJUT" {
			t.Errorf("ACK sent as %+v", r)
		}
		if r := reqs[2]; r.Type != "text" || r.body() != staff.Text || r.From != "207651463353033" {
			t.Errorf("staff reply sent as %+v", r)
		}
		if r := reqs[1]; r.Type != "template" || r.Template.Name != whatsapp.TemplateReminder || r.Template.Language.Code != "id" ||
			r.From != cityNumber || len(r.Template.Components) != 1 || len(r.Template.Components[0].Parameters) != 2 ||
			r.Template.Components[0].Parameters[0].Text != "HL-2026-000002" {
			t.Errorf("late confirmation sent as %+v", r)
		}

		if d := f.row(recent, ack.ID); d.Status != hailurah.OutboxStatusSent || d.ProviderMessageID != "wamid.FAKE001" || d.SentAs != "buttons" || d.SentAt == nil {
			t.Errorf("ACK row: %+v", d)
		}
		if d := f.row(stale, confirm.ID); d.Status != hailurah.OutboxStatusSent || d.SentAs != "template:"+whatsapp.TemplateReminder {
			t.Errorf("confirmation row: %+v", d)
		}
		d := f.row(stale, lateAck.ID)
		if d.Status != hailurah.OutboxStatusFailed || !strings.Contains(d.LastError, "24 jam") {
			t.Errorf("late ACK row: %+v", d)
		}
		notes := f.notifications("moderator")
		if len(notes) != 1 || notes[0].Kind != hailurah.NotifyDeliveryFailed || notes[0].TicketID != "HL-2026-000002" ||
			!strings.Contains(notes[0].Body, "tanda terima") || strings.Contains(notes[0].Body, "6285712345678") {
			t.Fatalf("moderator notifications: %+v", notes)
		}
		if len(f.notifications("admin")) != 0 {
			t.Error("admin notified of a Taman ticket")
		}
	})
}

// TestRelayRetries: 429 and 500 are retried with backoff, and the row is
// sent once; running the relay again, or enqueueing the same key again,
// sends nothing more.
func TestRelayRetries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		graph := newGraphAPI(t, graphReply{http.StatusTooManyRequests, rateLimited}, graphReply{http.StatusInternalServerError, serverError})
		f := newFixture(t, db, graph, nil)
		sender := f.citizen(citizenPhone, "", f.clk.Now(), "HL-2026-000001")
		m := f.enqueue("HL-2026-000001/reply/1", "HL-2026-000001", sender, hailurah.OutboxReply, "Halo, terima kasih sudah menyampaikan.")

		if n := f.pass(); n != 0 {
			t.Fatalf("sent %d on a 429", n)
		}
		d := f.row(sender, m.ID)
		if d.Status != hailurah.OutboxStatusPending || d.Attempts != 1 || d.NextAttemptAt == nil || !strings.Contains(d.LastError, "130429") {
			t.Fatalf("after 429: %+v", d)
		}
		if wait := d.NextAttemptAt.Sub(f.clk.Now()); wait < 48*time.Second || wait > 72*time.Second {
			t.Fatalf("first backoff %v, want about a minute", wait)
		}
		f.pass() // not due yet
		if len(graph.requests()) != 1 {
			t.Fatalf("retried before the backoff ended: %d requests", len(graph.requests()))
		}
		f.clk.Advance(2 * time.Minute)
		f.pass()
		d = f.row(sender, m.ID)
		if d.Status != hailurah.OutboxStatusPending || d.Attempts != 2 || !strings.Contains(d.LastError, "HTTP 500") {
			t.Fatalf("after 500: %+v", d)
		}
		if wait := d.NextAttemptAt.Sub(f.clk.Now()); wait < 96*time.Second || wait > 144*time.Second {
			t.Fatalf("second backoff %v, want about two minutes", wait)
		}
		f.clk.Advance(3 * time.Minute)
		if n := f.pass(); n != 1 {
			t.Fatalf("third attempt sent %d", n)
		}
		d = f.row(sender, m.ID)
		if d.Status != hailurah.OutboxStatusSent || d.Attempts != 3 || d.ProviderMessageID != "wamid.FAKE003" || d.LastError != "" {
			t.Fatalf("after success: %+v", d)
		}

		// Idempotent: nothing left to send, and the same key queues nothing.
		f.clk.Advance(time.Hour)
		f.pass()
		again := f.enqueue("HL-2026-000001/reply/1", "HL-2026-000001", sender, hailurah.OutboxReply, "Halo, terima kasih sudah menyampaikan.")
		if again.ID != m.ID {
			t.Fatalf("same key queued a new row %d", again.ID)
		}
		f.pass()
		reqs := graph.requests()
		if len(reqs) != 3 {
			t.Fatalf("graph API got %d requests, want 3 (429, 500, success)", len(reqs))
		}
		for _, r := range reqs {
			if r.body() != m.Text {
				t.Errorf("a retry sent something else: %+v", r)
			}
		}
	})
}

// TestRelayGivesUp: a row failing with 5xx every time is given up after
// MaxAttempts, a permanent error at once; both notify the moderators.
func TestRelayGivesUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		var script []graphReply
		for range 3 {
			script = append(script, graphReply{http.StatusServiceUnavailable, serverError})
		}
		script = append(script, graphReply{http.StatusBadRequest, invalidNumber})
		graph := newGraphAPI(t, script...)
		f := newFixture(t, db, graph, func(c *outbox.Config) { c.MaxAttempts = 3 })
		a := f.citizen(citizenPhone, "", f.clk.Now(), "HL-2026-000001")
		m := f.enqueue("HL-2026-000001/status/1", "HL-2026-000001", a, hailurah.OutboxStatus, "Status tiket HL-2026-000001: Sedang dikerjakan.")
		for range 3 {
			f.pass()
			f.clk.Advance(time.Hour)
		}
		if d := f.row(a, m.ID); d.Status != hailurah.OutboxStatusFailed || d.Attempts != 3 || !strings.Contains(d.LastError, "Gagal 3 kali") {
			t.Fatalf("after 3 failures: %+v", d)
		}
		b := f.citizen("+6285712345678", "", f.clk.Now(), "HL-2026-000002")
		m2 := f.enqueue("HL-2026-000002/status/1", "HL-2026-000002", b, hailurah.OutboxStatus, "Status tiket HL-2026-000002: Selesai.")
		f.pass()
		if d := f.row(b, m2.ID); d.Status != hailurah.OutboxStatusFailed || d.Attempts != 1 || !strings.Contains(d.LastError, "code 100") {
			t.Fatalf("after a permanent error: %+v", d)
		}
		if len(graph.requests()) != 4 {
			t.Fatalf("graph API got %d requests, want 4", len(graph.requests()))
		}
		if notes := f.notifications("moderator"); len(notes) != 2 {
			t.Fatalf("moderator got %d notifications, want 2", len(notes))
		}
	})
}

// TestDefaultRetrySpan: with the default backoff and attempts, and every
// wait at the low end of its jitter, the last send of a row that keeps
// failing comes more than 2.5 hours after the first, so a WhatsApp outage
// of 10 minutes (or two hours) cannot fail a message for good.
func TestDefaultRetrySpan(t *testing.T) {
	var shortest, nominal time.Duration
	for n := 1; n < outbox.DefaultMaxAttempts; n++ {
		d := outbox.DefaultBaseBackoff
		for i := 1; i < n && d < outbox.DefaultMaxBackoff; i++ {
			d *= 2
		}
		d = min(d, outbox.DefaultMaxBackoff)
		nominal += d
		shortest += d * 8 / 10 // Backoff's jitter is ±20 %
	}
	t.Logf("default retry span: %v nominal, %v at the shortest", nominal, shortest)
	if shortest < 150*time.Minute {
		t.Fatalf("a row failing with retryable errors is given up %v after its first send (%d attempts); want at least 2h30m",
			shortest, outbox.DefaultMaxAttempts)
	}
}

// TestRelayOutlastsTenMinuteOutage: with the production defaults (5 s to
// 30 min backoff, DefaultMaxAttempts), every send fails with retryable
// errors for 10 minutes, in the shapes Meta answers with during an outage;
// afterwards every message is delivered once, in order per citizen, and
// none failed. The relay passes once a (fake) second, as it polls.
func TestRelayOutlastsTenMinuteOutage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		graph := newGraphAPI(t)
		f := newFixture(t, db, graph, func(c *outbox.Config) {
			c.BaseBackoff, c.MaxBackoff, c.MaxAttempts = 0, 0, 0 // the defaults
		})
		const outage = 10 * time.Minute
		start := f.clk.Now()
		end := start.Add(outage)
		failures := []graphReply{
			{http.StatusServiceUnavailable, `{"error":{"message":"(#133004) Server Temporarily Unavailable","type":"OAuthException","code":133004,"fbtrace_id":"AbCdEf5"}}`},
			{http.StatusInternalServerError, serverError},
			{http.StatusTooManyRequests, rateLimited},
			{http.StatusServiceUnavailable, "<html><body>Service Unavailable</body></html>"},
		}
		calls := 0
		graph.outage = func() *graphReply {
			if !f.clk.Now().Before(end) {
				return nil
			}
			calls++
			return &failures[calls%len(failures)]
		}
		// Thirty citizens, three messages each, all queued as the outage
		// begins.
		const citizens, each = 30, 3
		var senders []string
		for i := range citizens {
			sender := f.citizen(fmt.Sprintf("+62812777%05d", i), "", start, fmt.Sprintf("HL-2026-%06d", i+1))
			senders = append(senders, sender)
			for j := range each {
				f.enqueue(fmt.Sprintf("HL-2026-%06d/m/%d", i+1, j), fmt.Sprintf("HL-2026-%06d", i+1), sender,
					hailurah.OutboxStatus, fmt.Sprintf("warga %02d pesan %d", i, j))
			}
		}
		var lastSent time.Time
		for len(graph.delivered()) < citizens*each || f.clk.Now().Before(end) {
			if f.clk.Now().After(start.Add(3 * time.Hour)) {
				t.Errorf("after 3 hours only %d of %d messages delivered", len(graph.delivered()), citizens*each)
				break
			}
			if f.pass() > 0 {
				lastSent = f.clk.Now()
			}
			f.clk.Advance(time.Second)
		}
		maxAttempts := 0
		for i, sender := range senders {
			list, err := db.ListOutboxByRecipient(t.Context(), sender, 0, 10)
			must(t, err)
			if len(list) != each {
				t.Fatalf("citizen %d has %d rows", i, len(list))
			}
			for _, d := range list {
				if d.Status != hailurah.OutboxStatusSent {
					t.Errorf("row %d (%q): %s after %d attempts: %s", d.ID, d.Text, d.Status, d.Attempts, d.LastError)
				}
				maxAttempts = max(maxAttempts, d.Attempts)
			}
		}
		seen := map[string]int{}
		last := map[string]string{}
		for _, r := range graph.requests() {
			if !strings.HasPrefix(r.body(), "warga ") {
				t.Fatalf("unexpected send %+v", r)
			}
		}
		for _, r := range graph.delivered() {
			seen[r.body()]++
			if prev := last[r.To]; prev != "" && prev > r.body() {
				t.Errorf("to %s: %q after %q", r.To, r.body(), prev)
			}
			last[r.To] = r.body()
		}
		for body, n := range seen {
			if n != 1 {
				t.Errorf("%q delivered %d times", body, n)
			}
		}
		if len(seen) != citizens*each {
			t.Errorf("%d distinct messages delivered, want %d", len(seen), citizens*each)
		}
		failed := len(graph.requests()) - len(graph.delivered()) // every failed send was an outage answer
		if failed < citizens*5 || maxAttempts < 5 {
			t.Fatalf("the outage was hardly felt: %d failed sends, at most %d attempts per row", failed, maxAttempts)
		}
		if n := len(f.notifications("moderator")); n != 0 {
			t.Errorf("moderators got %d delivery-failure notifications", n)
		}
		t.Logf("10-minute outage: %d failed sends, at most %d attempts per row, last message out %v after the outage ended",
			failed, maxAttempts, lastSent.Sub(end))
	})
}

// TestRelayTemplateWhenMetaSaysWindowClosed: our clock said inside, Meta's
// says outside (131047): the same row goes again as its template.
func TestRelayTemplateWhenMetaSaysWindowClosed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		graph := newGraphAPI(t, graphReply{http.StatusBadRequest, outsideWindow})
		f := newFixture(t, db, graph, nil)
		a := f.citizen(citizenPhone, "", f.clk.Now().Add(-23*time.Hour), "HL-2026-000001")
		m := f.enqueue("HL-2026-000001/staff_reply/1", "HL-2026-000001", a, hailurah.OutboxStaffReply, "Pesan dari petugas: mohon kirim foto.")
		if n := f.pass(); n != 1 {
			t.Fatalf("sent %d", n)
		}
		reqs := graph.requests()
		if len(reqs) != 2 || reqs[0].Type != "text" || reqs[1].Type != "template" || reqs[1].Template.Name != whatsapp.TemplateFollowUp {
			t.Fatalf("requests: %+v", reqs)
		}
		if d := f.row(a, m.ID); d.Status != hailurah.OutboxStatusSent || d.SentAs != "template:"+whatsapp.TemplateFollowUp || d.ProviderMessageID != "wamid.FAKE002" {
			t.Fatalf("row: %+v", d)
		}
	})
}

// TestRelayWithoutCredentials: the embedded default keeps WhatsApp rows
// pending for the simulated phone and marks web rows posted.
func TestRelayWithoutCredentials(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, nil, nil)
		if f.relay.Sends() {
			t.Fatal("a relay without a sender claims to send")
		}
		a := f.citizen(citizenPhone, "", f.clk.Now(), "")
		wa := f.enqueue("k1", "", a, hailurah.OutboxAskText, "Mohon tuliskan keluhan Anda.")
		web := &hailurah.OutboxMessage{IdempotencyKey: "k2", Channel: hailurah.ChannelWeb, Recipient: "anon-ABC", Kind: hailurah.OutboxAck, Text: "Terima kasih."}
		must(t, db.Enqueue(t.Context(), web))
		if n := f.pass(); n != 0 {
			t.Fatalf("sent %d without credentials", n)
		}
		if d := f.row(a, wa.ID); d.Status != hailurah.OutboxStatusPending {
			t.Fatalf("WhatsApp row: %+v", d)
		}
		if d := f.row("anon-ABC", web.ID); d.Status != hailurah.OutboxStatusPosted {
			t.Fatalf("web row: %+v", d)
		}
	})
}

// TestRelayMissingContact fails a row whose contact was purged.
func TestRelayMissingContact(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		graph := newGraphAPI(t)
		f := newFixture(t, db, graph, nil)
		must(t, db.CreateTicket(t.Context(), &hailurah.Ticket{ID: "HL-2026-000009", TrackingCode: "TRK009", SenderID: "gone", Channel: "whatsapp"}))
		m := f.enqueue("HL-2026-000009/status/1", "HL-2026-000009", "gone", hailurah.OutboxStatus, "Status.")
		f.pass()
		if d := f.row("gone", m.ID); d.Status != hailurah.OutboxStatusFailed || !strings.Contains(d.LastError, "Kontak") {
			t.Fatalf("row: %+v", d)
		}
		if len(graph.requests()) != 0 {
			t.Fatal("sent without a contact")
		}
		// The ticket is in the city queue: the admins hear of it.
		if notes := f.notifications("admin"); len(notes) != 1 {
			t.Fatalf("admin notifications: %+v", notes)
		}
	})
}

// TestRelaysSendOnce runs two relays on one store: every row is sent once.
func TestRelaysSendOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		graph := newGraphAPI(t)
		f := newFixture(t, db, graph, nil)
		second, err := outbox.New(outbox.Config{Store: db, Tickets: db, Notifications: db, Sealer: f.sealer, Now: f.clk.Now, Rate: 1000, Logger: slog.New(slog.DiscardHandler),
			Sender: &whatsapp.Client{BaseURL: graph.srv.URL + "/v23.0", Token: graphToken, PhoneNumberID: cityNumber}})
		must(t, err)
		const n = 30
		for i := range n {
			phone := fmt.Sprintf("+628123450%04d", i%10)
			sender := whatsapp.SenderID([]byte(secret), phone)
			if i < 10 {
				f.citizen(phone, "", f.clk.Now(), "")
			}
			f.enqueue(fmt.Sprintf("k%d", i), "", sender, hailurah.OutboxFlags, fmt.Sprintf("pesan %02d", i))
		}
		var wg sync.WaitGroup
		for _, r := range []*outbox.Relay{f.relay, second} {
			wg.Go(func() {
				if _, err := r.Pass(context.Background()); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		f.pass()
		reqs := graph.requests()
		if len(reqs) != n {
			t.Fatalf("graph API got %d sends, want %d", len(reqs), n)
		}
		seen := map[string]bool{}
		last := map[string]string{}
		for _, r := range reqs {
			if seen[r.body()] {
				t.Errorf("%q sent twice", r.body())
			}
			seen[r.body()] = true
		}
		// Each recipient's messages arrived in the order they were queued.
		for _, r := range reqs {
			if prev := last[r.To]; prev != "" && prev > r.body() {
				t.Errorf("to %s: %q after %q", r.To, r.body(), prev)
			}
			last[r.To] = r.body()
		}
	})
}

// TestRelayRateLimit paces sends.
func TestRelayRateLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		graph := newGraphAPI(t)
		f := newFixture(t, db, graph, func(c *outbox.Config) { c.Rate = 10 })
		for i := range 6 {
			phone := fmt.Sprintf("+62812345600%02d", i)
			sender := f.citizen(phone, "", f.clk.Now(), "")
			f.enqueue(fmt.Sprintf("k%d", i), "", sender, hailurah.OutboxFlags, "Baik, dicatat.")
		}
		start := time.Now()
		if n := f.pass(); n != 6 {
			t.Fatalf("sent %d", n)
		}
		// Six sends at ten a second with a burst of one take at least 0.5 s.
		if took := time.Since(start); took < 450*time.Millisecond {
			t.Fatalf("6 sends took %v; the rate limit did not pace them", took)
		}
	})
}

// TestRelayExpiresDeadClaims: a row a dead relay claimed is failed, not
// sent again.
func TestRelayExpiresDeadClaims(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		graph := newGraphAPI(t)
		f := newFixture(t, db, graph, nil)
		a := f.citizen(citizenPhone, "", f.clk.Now(), "HL-2026-000001")
		m := f.enqueue("HL-2026-000001/reply/1", "HL-2026-000001", a, hailurah.OutboxReply, "Saran.")
		if _, err := db.ClaimOutbox(t.Context(), []string{hailurah.ChannelWhatsApp}, 1); err != nil {
			t.Fatal(err)
		}
		f.pass()
		if len(graph.requests()) != 0 || f.row(a, m.ID).Status != hailurah.OutboxStatusSending {
			t.Fatal("a fresh claim of another relay was touched")
		}
		f.clk.Advance(outbox.DefaultClaimTimeout + time.Minute)
		f.pass()
		if d := f.row(a, m.ID); d.Status != hailurah.OutboxStatusFailed || len(graph.requests()) != 0 {
			t.Fatalf("dead claim: %+v, %d sends", d, len(graph.requests()))
		}
		if len(f.notifications("moderator")) != 1 {
			t.Fatal("moderators not told of the lost message")
		}
	})
}

func TestBackoff(t *testing.T) {
	for n, want := range map[int]time.Duration{1: 5 * time.Second, 2: 10 * time.Second, 4: 40 * time.Second, 30: time.Hour} {
		got := outbox.Backoff(n, 5*time.Second, time.Hour)
		if got < want*8/10 || got > want*12/10 {
			t.Errorf("Backoff(%d) = %v, want %v ±20%%", n, got, want)
		}
	}
}

// TestRelaySimulatedContact: a number typed into the simulated phone is
// never sent to, even with credentials; its messages are shown there.
func TestRelaySimulatedContact(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		graph := newGraphAPI(t)
		f := newFixture(t, db, graph, nil)
		sender := whatsapp.SenderID([]byte(secret), citizenPhone)
		sealed, err := f.sealer.Seal(citizenPhone)
		must(t, err)
		must(t, db.RecordContact(t.Context(), &hailurah.Contact{SenderID: sender, Channel: hailurah.ContactSimulated,
			PhoneSealed: sealed, LastInboundAt: f.clk.Now()}))
		m := f.enqueue("k", "", sender, hailurah.OutboxAskText, "Mohon tuliskan keluhan Anda.")
		if n := f.pass(); n != 0 || len(graph.requests()) != 0 {
			t.Fatalf("sent %d to a simulated phone (%d requests)", n, len(graph.requests()))
		}
		if d := f.row(sender, m.ID); d.Status != hailurah.OutboxStatusPosted || d.SentAs != outbox.SentAsSimulated || d.Attempts != 1 {
			t.Fatalf("row: %+v", d)
		}
	})
}
