package server_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	temporalclient "go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/intake"
	"github.com/hailurah/hailurah/server"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/storetest"
	"github.com/hailurah/hailurah/triage"
	"github.com/hailurah/hailurah/whatsapp"
	"github.com/hailurah/hailurah/workflows"
)

// These tests run the channel handlers on a real store. The paths that
// start or signal a ticket need Temporal and are tested end to end in
// cmd/hailurah/channels_test.go; here Cases is a client-less
// workflows.Client, which a test reaching it would notice as a 503.

const (
	chanSecret    = "rahasia-instansi-yang-cukup-panjang-32"
	appSecret     = "meta-app-secret"
	verifyToken   = "token-verifikasi-hailurah"
	cityNumberID  = "106540352242922"
	tamanNumberID = "207651463353033"
	sitiWA        = "6281234567890"
	budiWA        = "6285712345678"
)

type chanFixture struct {
	t      *testing.T
	db     *store.DB
	srv    *server.Server
	intake *intake.Intake
	ts     *httptest.Server
	clock  *clock
	// tick moves the clock before every request, so the per-IP limits
	// refill as they would between a client's real requests.
	tick time.Duration
}

type chanOptions struct {
	appSecret string
	dev       bool
	cases     server.Cases // nil: a client-less workflows.Client
	sweep     time.Duration
}

func newChanFixture(t *testing.T, db *store.DB, opt chanOptions) *chanFixture {
	t.Helper()
	ctx := context.Background()
	for _, k := range []hailurah.Kelurahan{
		{Code: "taman", Name: "Taman", WhatsAppPhoneNumberID: tamanNumberID},
		{Code: "demangan", Name: "Demangan"},
	} {
		if err := db.UpsertKelurahan(ctx, &k); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.UpsertUnit(ctx, &hailurah.Unit{Code: "pupr", Name: "Dinas Pekerjaan Umum dan Penataan Ruang"}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []hailurah.User{
		{Username: "admin", Name: "Admin", Role: hailurah.RoleAdmin},
		{Username: "moderator", Name: "Moderator Taman", Role: hailurah.RoleModerator, Kelurahan: "taman"},
		{Username: "dinas-pupr", Name: "Petugas PUPR", Role: hailurah.RoleDinas, Unit: "pupr"},
	} {
		if err := db.CreateUser(ctx, &u, testPassword); err != nil {
			t.Fatal(err)
		}
	}
	clk := &clock{t: time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC)}
	db.SetNow(clk.Now)
	cases := opt.cases
	if cases == nil {
		cases = &workflows.Client{}
	}
	in := runIntake(t, db, cases, chanSecret, clk.Now, opt.sweep)
	srv, err := server.New(server.Config{
		Users: db, Audit: db, Kelurahan: db, Tickets: db, Notifications: db, Cases: cases,
		Channels: db, Secret: []byte(chanSecret), Now: clk.Now, Dev: opt.dev, Logger: slog.New(slog.DiscardHandler),
		WhatsApp: server.WhatsAppSettings{VerifyToken: verifyToken, AppSecret: opt.appSecret, PhoneNumberID: cityNumberID},
		Intake:   in,
	})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	t.Cleanup(func() { _ = srv.Close(context.Background()) })
	return &chanFixture{t: t, db: db, srv: srv, intake: in, ts: ts, clock: clk}
}

// runIntake runs an intake on the store for a server under test, as Main
// does, until the test ends.
func runIntake(tb testing.TB, db *store.DB, cases intake.Cases, secret string, now func() time.Time, sweep time.Duration) *intake.Intake {
	tb.Helper()
	in, err := intake.New(intake.Config{Store: db, Cases: cases, Secret: []byte(secret), Now: now,
		Logger: slog.New(slog.DiscardHandler), SweepEvery: sweep})
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = in.Run(ctx)
	}()
	tb.Cleanup(func() { cancel(); <-done })
	return in
}

// request sends body to path with the headers and returns the status and
// the raw answer.
func (f *chanFixture) request(method, path, contentType, body string, header map[string]string) (int, string) {
	f.t.Helper()
	f.clock.Add(f.tick)
	req, err := http.NewRequest(method, f.ts.URL+path, strings.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if path == "/webhook/whatsapp" {
		// The inbox hands Cloud API messages over after the answer;
		// the tests read what the delivery did.
		if err := f.intake.Wait(context.Background()); err != nil {
			f.t.Fatal(err)
		}
	}
	return resp.StatusCode, string(raw)
}

// deliver posts a Cloud API body, signed with secret when it is not "".
func (f *chanFixture) deliver(body, secret string) (int, string) {
	f.t.Helper()
	h := map[string]string{}
	if secret != "" {
		h["X-Hub-Signature-256"] = sign(body, secret)
	}
	return f.request(http.MethodPost, "/webhook/whatsapp", "application/json", body, h)
}

func sign(body, secret string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(body))
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

func (f *chanFixture) sender(wa string) string {
	e164, err := whatsapp.NormalizePhone(wa)
	if err != nil {
		f.t.Fatal(err)
	}
	return whatsapp.SenderID([]byte(chanSecret), e164)
}

func (f *chanFixture) inbound(wa string) []*hailurah.InboundMessage {
	f.t.Helper()
	list, err := f.db.ListInboundBySender(context.Background(), f.sender(wa), 0)
	if err != nil {
		f.t.Fatal(err)
	}
	return list
}

func (f *chanFixture) outbox(recipient string) []*hailurah.OutboxDelivery {
	f.t.Helper()
	list, err := f.db.ListOutboxByRecipient(context.Background(), recipient, 0, 0)
	if err != nil {
		f.t.Fatal(err)
	}
	return list
}

func (f *chanFixture) token(username string) string {
	f.t.Helper()
	u, err := f.db.FindUserByUsername(context.Background(), username)
	if err != nil {
		f.t.Fatal(err)
	}
	_, secret, err := f.db.CreateAPIToken(context.Background(), u.ID, "gateway "+username)
	if err != nil {
		f.t.Fatal(err)
	}
	return secret
}

// Meta's webhook shapes: one delivery holds entries of numbers, each with
// contacts and messages (or statuses) in a change of field "messages".

// metaEntry wraps messages sent to one of our numbers.
func metaEntry(numberID string, contacts map[string]string, messages ...string) string {
	var cs []string
	for wa, name := range contacts {
		cs = append(cs, fmt.Sprintf(`{"profile":{"name":%q},"wa_id":%q}`, name, wa))
	}
	return fmt.Sprintf(`{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp",`+
		`"metadata":{"display_phone_number":"6281130001234","phone_number_id":%q},"contacts":[%s],"messages":[%s]},"field":"messages"}]}`,
		numberID, strings.Join(cs, ","), strings.Join(messages, ","))
}

func metaDelivery(entries ...string) string {
	return `{"object":"whatsapp_business_account","entry":[` + strings.Join(entries, ",") + `]}`
}

func metaTS(t time.Time) string { return fmt.Sprint(t.Unix()) }

func metaText(id, from string, at time.Time, body string) string {
	return fmt.Sprintf(`{"from":%q,"id":%q,"timestamp":%q,"type":"text","text":{"body":%q}}`, from, id, metaTS(at), body)
}

func metaImage(id, from string, at time.Time, caption string) string {
	return fmt.Sprintf(`{"from":%q,"id":%q,"timestamp":%q,"type":"image","image":{"caption":%q,"mime_type":"image/jpeg",`+
		`"sha256":"aGFpIGx1cmFo","id":"918273645546372"}}`, from, id, metaTS(at), caption)
}

func metaLocation(id, from string, at time.Time) string {
	return fmt.Sprintf(`{"from":%q,"id":%q,"timestamp":%q,"type":"location","location":{"latitude":-7.6298,"longitude":111.5239,`+
		`"name":"Pasar Besar Madiun","address":"Jl. Pahlawan, Madiun"}}`, from, id, metaTS(at))
}

func metaButton(id, from string, at time.Time, buttonID, title string) string {
	return fmt.Sprintf(`{"context":{"from":"6281130001234","id":"wamid.OUT-ACK"},"from":%q,"id":%q,"timestamp":%q,"type":"interactive",`+
		`"interactive":{"type":"button_reply","button_reply":{"id":%q,"title":%q}}}`, from, id, metaTS(at), buttonID, title)
}

func metaAudio(id, from string, at time.Time) string {
	return fmt.Sprintf(`{"from":%q,"id":%q,"timestamp":%q,"type":"audio","audio":{"mime_type":"audio/ogg; codecs=opus",`+
		`"sha256":"c3VhcmEgd2FyZ2E=","id":"1122334455667788","voice":true}}`, from, id, metaTS(at))
}

func metaSticker(id, from string, at time.Time) string {
	return fmt.Sprintf(`{"from":%q,"id":%q,"timestamp":%q,"type":"sticker","sticker":{"mime_type":"image/webp",`+
		`"sha256":"c3Rpa2Vy","id":"5566778899","animated":false}}`, from, id, metaTS(at))
}

func metaUnsupported(id, from string, at time.Time) string {
	return fmt.Sprintf(`{"from":%q,"id":%q,"timestamp":%q,"type":"unsupported","errors":[{"code":131051,`+
		`"title":"Message type unknown","message":"Message type unknown","error_data":{"details":"Message type is currently not supported."}}]}`,
		from, id, metaTS(at))
}

func metaReaction(id, from string, at time.Time) string {
	return fmt.Sprintf(`{"from":%q,"id":%q,"timestamp":%q,"type":"reaction","reaction":{"message_id":"wamid.OUT-ACK","emoji":"👍"}}`,
		from, id, metaTS(at))
}

func metaStatuses(numberID string, statuses ...string) string {
	return fmt.Sprintf(`{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp",`+
		`"metadata":{"display_phone_number":"6281130001234","phone_number_id":%q},"statuses":[%s]},"field":"messages"}]}`,
		numberID, strings.Join(statuses, ","))
}

func metaStatus(id, status, recipient string, at time.Time) string {
	extra := ""
	if status == "failed" {
		extra = `,"errors":[{"code":131026,"title":"Message undeliverable","message":"Message undeliverable",` +
			`"error_data":{"details":"Message Undeliverable."}}]`
	}
	return fmt.Sprintf(`{"id":%q,"status":%q,"timestamp":%q,"recipient_id":%q%s}`, id, status, metaTS(at), recipient, extra)
}

func TestWhatsAppHandshake(t *testing.T) {
	f := newChanFixture(t, storetest.Open(t), chanOptions{})
	q := func(mode, token, challenge string) string {
		v := url.Values{"hub.mode": {mode}, "hub.verify_token": {token}, "hub.challenge": {challenge}}
		return "/webhook/whatsapp?" + v.Encode()
	}
	if st, body := f.request("GET", q("subscribe", verifyToken, "1158201444"), "", "", nil); st != 200 || body != "1158201444" {
		t.Fatalf("handshake: %d %q", st, body)
	}
	for name, path := range map[string]string{
		"wrong token":  q("subscribe", "tebakan", "1158201444"),
		"no token":     q("subscribe", "", "1158201444"),
		"wrong mode":   q("unsubscribe", verifyToken, "1158201444"),
		"nothing":      "/webhook/whatsapp",
		"html payload": q("subscribe", "x", "<script>"),
	} {
		if st, body := f.request("GET", path, "", "", nil); st != http.StatusForbidden {
			t.Errorf("%s: %d %s, want 403", name, st, body)
		}
	}
	if st, _ := f.request("GET", q("subscribe", verifyToken, "<script>alert(1)</script>"), "", "", nil); st != http.StatusUnprocessableEntity {
		t.Errorf("a challenge that is not a token must not be echoed: %d", st)
	}
}

// TestWhatsAppSignature: with WHATSAPP_APP_SECRET set, a missing or wrong
// signature is 401 and stores nothing; the right one is accepted.
func TestWhatsAppSignature(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newChanFixture(t, db, chanOptions{appSecret: appSecret})
		at := f.clock.Now().Add(-time.Minute)
		body := metaDelivery(metaEntry(cityNumberID, map[string]string{sitiWA: "Siti Aminah"}, metaAudio("wamid.SIG-1", sitiWA, at)))
		other := metaDelivery(metaEntry(cityNumberID, map[string]string{sitiWA: "Siti Aminah"}, metaAudio("wamid.SIG-2", sitiWA, at)))
		for name, h := range map[string]map[string]string{
			"missing":        nil,
			"wrong secret":   {"X-Hub-Signature-256": sign(body, "bukan-rahasianya")},
			"other body":     {"X-Hub-Signature-256": sign(other, appSecret)},
			"sha1":           {"X-Hub-Signature-256": "sha1=" + strings.TrimPrefix(sign(body, appSecret), "sha256=")},
			"not hex":        {"X-Hub-Signature-256": "sha256=zz"},
			"bare signature": {"X-Hub-Signature-256": strings.TrimPrefix(sign(body, appSecret), "sha256=")},
		} {
			st, raw := f.request("POST", "/webhook/whatsapp", "application/json", body, h)
			if st != http.StatusUnauthorized || !strings.Contains(raw, hailurah.EUNAUTHORIZED) {
				t.Errorf("%s signature: %d %s, want 401", name, st, raw)
			}
		}
		if got := f.inbound(sitiWA); len(got) != 0 {
			t.Fatalf("an unsigned delivery stored %d messages", len(got))
		}
		if _, err := db.FindContact(context.Background(), f.sender(sitiWA)); hailurah.ErrorCode(err) != hailurah.ENOTFOUND {
			t.Fatalf("an unsigned delivery recorded a contact: %v", err)
		}
		if st, raw := f.deliver(body, appSecret); st != http.StatusOK {
			t.Fatalf("signed delivery: %d %s", st, raw)
		}
		if got := f.inbound(sitiWA); len(got) != 1 || got[0].ProviderID != "wamid.SIG-1" {
			t.Fatalf("signed delivery stored %+v", got)
		}
	})
}

// TestWhatsAppWithoutText: audio, stickers and unknown types are answered
// once with a request to write, however often Meta delivers them;
// reactions are kept and not answered. The phone is kept only sealed.
func TestWhatsAppWithoutText(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newChanFixture(t, db, chanOptions{})
		at := f.clock.Now().Add(-time.Minute)
		body := metaDelivery(metaEntry(tamanNumberID, map[string]string{sitiWA: "Siti Aminah"},
			metaAudio("wamid.AUDIO", sitiWA, at), metaSticker("wamid.STICKER", sitiWA, at.Add(time.Second)),
			metaUnsupported("wamid.UNSUP", sitiWA, at.Add(2*time.Second)), metaReaction("wamid.REACT", sitiWA, at.Add(3*time.Second)),
			metaImage("wamid.PHOTO", sitiWA, at.Add(4*time.Second), ""), metaLocation("wamid.LOC", sitiWA, at.Add(5*time.Second))))
		for range 5 {
			if st, raw := f.deliver(body, ""); st != http.StatusOK || !strings.Contains(raw, `"received":6`) {
				t.Fatalf("delivery: %d %s", st, raw)
			}
		}
		want := map[string]string{
			"wamid.AUDIO": hailurah.InboundAnswered, "wamid.STICKER": hailurah.InboundAnswered,
			"wamid.UNSUP": hailurah.InboundAnswered, "wamid.REACT": hailurah.InboundIgnored,
			"wamid.PHOTO": hailurah.InboundAnswered, "wamid.LOC": hailurah.InboundAnswered,
		}
		got := f.inbound(sitiWA)
		if len(got) != len(want) {
			t.Fatalf("stored %d messages, want %d", len(got), len(want))
		}
		for _, m := range got {
			if m.Status != want[m.ProviderID] || m.Attempts != 1 || m.Channel != hailurah.ChannelWhatsApp || m.PhoneNumberID != tamanNumberID {
				t.Errorf("%s: %+v", m.ProviderID, m)
			}
			if strings.Contains(string(m.Raw), sitiWA) || strings.Contains(string(m.Raw), "Siti") {
				t.Errorf("%s: the raw message keeps the phone or the name: %s", m.ProviderID, m.Raw)
			}
		}
		if m := got[5]; m.Lat == nil || *m.Lat != -7.6298 || m.Text != "Pasar Besar Madiun, Jl. Pahlawan, Madiun" {
			t.Errorf("location stored as %+v", m)
		}
		if m := got[4]; len(m.Media) != 1 || m.Media[0] != "whatsapp-media:918273645546372" {
			t.Errorf("photo media stored as %v", m.Media)
		}
		out := f.outbox(f.sender(sitiWA))
		if len(out) != 5 {
			t.Fatalf("%d replies queued, want 5 (one per message, none for the reaction)", len(out))
		}
		for _, d := range out {
			if d.Kind != hailurah.OutboxAskText || d.Text != triage.ComposeAskText() || d.Channel != hailurah.ChannelWhatsApp ||
				d.Status != hailurah.OutboxStatusPending || d.TicketID != "" {
				t.Errorf("reply %+v", d)
			}
		}
		c, err := db.FindContact(context.Background(), f.sender(sitiWA))
		if err != nil {
			t.Fatal(err)
		}
		if c.Kelurahan != "taman" || c.PhoneNumberID != tamanNumberID || !c.LastInboundAt.Equal(at.Add(5*time.Second)) ||
			c.PhoneSealed == "" || strings.Contains(c.PhoneSealed, "81234567890") {
			t.Fatalf("contact: %+v", c)
		}
		sealer, _ := whatsapp.NewSealer([]byte(chanSecret))
		if phone, err := sealer.Open(c.PhoneSealed); err != nil || phone != "+"+sitiWA {
			t.Fatalf("sealed phone opens to %q, %v", phone, err)
		}
	})
}

// TestWhatsAppCommandWithoutTicket: a command (typed or a button tap) from
// a phone with no ticket is answered with how to start one.
func TestWhatsAppCommandWithoutTicket(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newChanFixture(t, db, chanOptions{})
		at := f.clock.Now().Add(-time.Minute)
		body := metaDelivery(metaEntry(cityNumberID, map[string]string{budiWA: "Budi"},
			metaText("wamid.STATUS", budiWA, at, "STATUS"),
			metaButton("wamid.BTN", budiWA, at.Add(time.Second), hailurah.ButtonLanjut, "LANJUT")))
		if st, raw := f.deliver(body, ""); st != http.StatusOK {
			t.Fatalf("delivery: %d %s", st, raw)
		}
		for _, m := range f.inbound(budiWA) {
			if m.Status != hailurah.InboundAnswered || m.TicketID != "" {
				t.Errorf("%s: %+v", m.ProviderID, m)
			}
		}
		out := f.outbox(f.sender(budiWA))
		if len(out) != 2 || out[0].Kind != hailurah.OutboxNoTicket || !strings.Contains(out[0].Text, "HAI LURAH") {
			t.Fatalf("replies: %+v", out)
		}
	})
}

// TestWhatsAppStatuses: Meta's delivery reports update the outbox row they
// are about, never backwards; a failure notifies the ticket's moderators.
func TestWhatsAppStatuses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newChanFixture(t, db, chanOptions{appSecret: appSecret})
		ctx := context.Background()
		sender := f.sender(sitiWA)
		if err := db.CreateTicket(ctx, &hailurah.Ticket{ID: "HL-2026-000001", TrackingCode: "ABCDEF", SenderID: sender,
			Channel: hailurah.ChannelWhatsApp, Kelurahan: "taman"}); err != nil {
			t.Fatal(err)
		}
		for i, key := range []string{"HL-2026-000001/ack/1", "HL-2026-000001/reply/2"} {
			m := &hailurah.OutboxMessage{IdempotencyKey: key, TicketID: "HL-2026-000001", Channel: hailurah.ChannelWhatsApp,
				Recipient: sender, Kind: hailurah.OutboxAck, Text: "Terima kasih."}
			if err := db.Enqueue(ctx, m); err != nil {
				t.Fatal(err)
			}
			claimed, err := db.ClaimOutbox(ctx, []string{hailurah.ChannelWhatsApp}, 1)
			if err != nil || len(claimed) != 1 {
				t.Fatalf("claim: %v %v", claimed, err)
			}
			if err := db.MarkOutboxSent(ctx, m.ID, fmt.Sprintf("wamid.OUT-%d", i+1), "text"); err != nil {
				t.Fatal(err)
			}
		}
		at := f.clock.Now()
		body := metaDelivery(metaStatuses(cityNumberID,
			metaStatus("wamid.OUT-1", "sent", sitiWA, at),
			metaStatus("wamid.OUT-1", "read", sitiWA, at.Add(2*time.Minute)),
			metaStatus("wamid.OUT-1", "delivered", sitiWA, at.Add(time.Minute)),
			metaStatus("wamid.OUT-2", "failed", sitiWA, at.Add(time.Minute)),
			metaStatus("wamid.SOMEONE-ELSES", "delivered", sitiWA, at)))
		for range 2 {
			if st, raw := f.deliver(body, appSecret); st != http.StatusOK || !strings.Contains(raw, `"statuses":5`) {
				t.Fatalf("statuses: %d %s", st, raw)
			}
		}
		out := f.outbox(sender)
		if out[0].Status != hailurah.OutboxStatusRead || out[0].ReadAt == nil || out[0].DeliveredAt == nil {
			t.Errorf("first message: %+v", out[0])
		}
		if out[1].Status != hailurah.OutboxStatusFailed || !strings.Contains(out[1].LastError, "131026") {
			t.Errorf("second message: %+v", out[1])
		}
		notes, err := db.ListNotifications(ctx, "moderator", 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(notes) != 1 || notes[0].Kind != hailurah.NotifyDeliveryFailed || notes[0].TicketID != "HL-2026-000001" {
			t.Fatalf("moderator notifications (one, though delivered twice): %+v", notes)
		}
	})
}

func TestWebhookRejectsBadBodies(t *testing.T) {
	f := newChanFixture(t, storetest.Open(t), chanOptions{})
	at := f.clock.Now()
	for name, c := range map[string]struct {
		body string
		want int
	}{
		"empty":    {"", http.StatusUnprocessableEntity},
		"not JSON": {"HAI LURAH", http.StatusUnauthorized}, // not Meta's: a gateway post without a token
		"message without id": {metaDelivery(metaEntry(cityNumberID, nil,
			strings.Replace(metaText("x", sitiWA, at, "halo"), `"id":"x",`, "", 1))), http.StatusUnprocessableEntity},
		"too large": {metaDelivery(metaEntry(cityNumberID, nil, metaText("wamid.BIG", sitiWA, at, strings.Repeat("a", 3<<20)))),
			http.StatusRequestEntityTooLarge},
	} {
		if st, raw := f.deliver(c.body, ""); st != c.want {
			t.Errorf("%s: %d %s, want %d", name, st, clipBody(raw), c.want)
		}
	}
	if got := f.inbound(sitiWA); len(got) != 0 {
		t.Fatalf("rejected bodies stored %d messages", len(got))
	}
}

func clipBody(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

// TestGateway: the seed's flat payload needs an API token of an admin or
// a moderator; it is stored and deduplicated like Meta's messages.
func TestGateway(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newChanFixture(t, db, chanOptions{appSecret: appSecret})
		payload := `{"id":"kiosk-77","channel":"kiosk","timestamp":"2026-03-10T08:55:00+07:00","from":"kios-taman-1",` +
			`"text":"","media":["https://kios.madiunkota.go.id/foto/77.jpg"],"tembusan":"TIDAK","anonim":"YA"}`
		bearer := func(tok string) map[string]string { return map[string]string{"Authorization": "Bearer " + tok} }

		if st, raw := f.request("POST", "/webhook/whatsapp", "application/json", payload, nil); st != http.StatusUnauthorized {
			t.Errorf("no token: %d %s", st, raw)
		}
		if st, raw := f.request("POST", "/webhook/whatsapp", "application/json", payload, bearer("salah")); st != http.StatusUnauthorized {
			t.Errorf("bad token: %d %s", st, raw)
		}
		if st, raw := f.request("POST", "/webhook/whatsapp", "application/json", payload, bearer(f.token("dinas-pupr"))); st != http.StatusForbidden {
			t.Errorf("dinas token: %d %s", st, raw)
		}
		// A browser session is not a gateway.
		c := newFixtureClient(f)
		if resp, _ := c.login("moderator", testPassword); resp.StatusCode != 200 {
			t.Fatal("login")
		}
		if resp, out := c.do("POST", "/webhook/whatsapp", payload, map[string]string{"X-CSRF-Token": c.csrf}); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("session cookie: %d %v", resp.StatusCode, out)
		}
		if _, err := db.FindInbound(context.Background(), "gw:moderator:kiosk-77"); hailurah.ErrorCode(err) != hailurah.ENOTFOUND {
			t.Fatalf("a refused post was stored: %v", err)
		}

		tok := f.token("moderator")
		st, raw := f.request("POST", "/webhook/whatsapp", "application/json", payload, bearer(tok))
		var rc map[string]any
		_ = json.Unmarshal([]byte(raw), &rc)
		if st != http.StatusAccepted || rc["status"] != hailurah.InboundAnswered || rc["reply"] != triage.ComposeAskText() || rc["duplicate"] != false {
			t.Fatalf("photo without text: %d %s", st, raw)
		}
		st, raw = f.request("POST", "/webhook/whatsapp", "application/json", payload, bearer(tok))
		if st != http.StatusOK || !strings.Contains(raw, `"duplicate":true`) {
			t.Fatalf("redelivery: %d %s", st, raw)
		}
		m, err := db.FindInbound(context.Background(), "gw:moderator:kiosk-77")
		if err != nil {
			t.Fatal(err)
		}
		if m.Channel != hailurah.ChannelKiosk || !strings.HasPrefix(m.SenderID, "gw-") || m.SentAt.Hour() != 1 || m.Attempts != 1 ||
			len(m.Media) != 1 || strings.Contains(string(m.Raw), "kios-taman-1") {
			t.Fatalf("stored gateway message: %+v %s", m, m.Raw)
		}
		if out := f.outbox(m.SenderID); len(out) != 1 || out[0].Channel != hailurah.ChannelKiosk {
			t.Fatalf("reply to the kiosk: %+v", out)
		}

		for name, body := range map[string]string{
			"no id":        `{"channel":"kiosk","from":"k1","text":"halo"}`,
			"bad channel":  `{"id":"1","channel":"sms","from":"k1","text":"halo"}`,
			"bad phone":    `{"id":"2","channel":"whatsapp","from":"telepon saya","text":"halo"}`,
			"no text":      `{"id":"3","channel":"kiosk","from":"k1"}`,
			"media is not": `{"id":"4","channel":"kiosk","from":"k1","media":["javascript:alert(1)"]}`,
		} {
			if st, raw := f.request("POST", "/webhook/whatsapp", "application/json", body, bearer(tok)); st != http.StatusUnprocessableEntity {
				t.Errorf("%s: %d %s", name, st, raw)
			}
		}
	})
}

func newFixtureClient(f *chanFixture) *client {
	return (&fixture{t: f.t, db: f.db, ts: f.ts, now: f.clock}).client()
}

// TestSenderThrottle: a flood from one phone is stored and acknowledged,
// but past the sender's burst nothing more is handed over; another phone
// is not held up.
func TestSenderThrottle(t *testing.T) {
	f := newChanFixture(t, storetest.Open(t), chanOptions{})
	at := f.clock.Now()
	var flood []string
	for i := range 20 {
		flood = append(flood, metaAudio(fmt.Sprintf("wamid.FLOOD-%02d", i), sitiWA, at))
	}
	body := metaDelivery(metaEntry(cityNumberID, nil, flood...),
		metaEntry(cityNumberID, nil, metaAudio("wamid.OTHER", budiWA, at)))
	if st, raw := f.deliver(body, ""); st != http.StatusOK || !strings.Contains(raw, `"received":21`) {
		t.Fatalf("flood: %d %s", st, raw)
	}
	counts := map[string]int{}
	for _, m := range f.inbound(sitiWA) {
		counts[m.Status]++
	}
	if counts[hailurah.InboundAnswered] != 15 || counts[hailurah.InboundThrottled] != 5 {
		t.Fatalf("flood statuses %v, want 15 answered and 5 throttled", counts)
	}
	if got := f.inbound(budiWA); len(got) != 1 || got[0].Status != hailurah.InboundAnswered {
		t.Fatalf("the other phone: %+v", got)
	}
	// A redelivery of a throttled message stays throttled.
	f.deliver(body, "")
	if got := f.outbox(f.sender(sitiWA)); len(got) != 15 {
		t.Fatalf("%d replies to the flood, want 15", len(got))
	}
}

func TestDevPhone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newChanFixture(t, db, chanOptions{dev: true, appSecret: appSecret})
		st, raw := f.request("POST", "/api/v1/dev/phone", "application/json", `{"phone":"0812-3456-7890","kind":"audio"}`, nil)
		if st != http.StatusAccepted || !strings.Contains(raw, `"status":"answered"`) {
			t.Fatalf("voice note: %d %s", st, raw)
		}
		st, raw = f.request("GET", "/api/v1/dev/outbox?to="+url.QueryEscape("+6281234567890"), "", "", nil)
		var out []map[string]any
		if err := json.Unmarshal([]byte(raw), &out); st != 200 || err != nil || len(out) != 1 ||
			out[0]["kind"] != hailurah.OutboxAskText || out[0]["status"] != hailurah.OutboxStatusPending {
			t.Fatalf("dev outbox: %d %s", st, raw)
		}
		st, raw = f.request("GET", "/api/v1/dev/outbox?to=08123456789&after="+fmt.Sprint(out[0]["id"]), "", "", nil)
		if st != 200 || strings.TrimSpace(raw) != "[]" {
			t.Fatalf("after the last id: %d %s", st, raw)
		}
		st, raw = f.request("GET", "/api/v1/dev/phone?phone=081234567890", "", "", nil)
		var conv struct {
			Phone          string
			Sent, Received []map[string]any
		}
		if err := json.Unmarshal([]byte(raw), &conv); st != 200 || err != nil || conv.Phone != "+6281234567890" ||
			len(conv.Sent) != 1 || conv.Sent[0]["text"] != "(audio)" || len(conv.Received) != 1 {
			t.Fatalf("conversation: %d %s", st, raw)
		}
		for name, body := range map[string]string{
			"bad phone":      `{"phone":"nomor saya","text":"halo"}`,
			"empty text":     `{"phone":"08123456789","text":"  "}`,
			"unknown button": `{"phone":"08123456789","kind":"button","button_id":"hapus_semua"}`,
			"bad location":   `{"phone":"08123456789","kind":"location","lat":120,"lng":5}`,
			"bad kind":       `{"phone":"08123456789","kind":"video"}`,
			"number id":      `{"phone":"08123456789","text":"x","phone_number_id":"../../x"}`,
		} {
			if st, raw := f.request("POST", "/api/v1/dev/phone", "application/json", body, nil); st != http.StatusUnprocessableEntity {
				t.Errorf("%s: %d %s", name, st, raw)
			}
		}
		if st, _ := f.request("GET", "/api/v1/dev/outbox?to=abc", "", "", nil); st != http.StatusUnprocessableEntity {
			t.Errorf("bad phone in the outbox query: %d", st)
		}
		st, raw = f.request("GET", "/dev/phone", "", "", map[string]string{"Accept": "text/html"})
		if st != 200 || !strings.Contains(raw, "Telepon simulasi") || !strings.Contains(raw, "Nomor Kelurahan Taman") {
			t.Fatalf("dev phone page: %d", st)
		}
		checkNoInlineScript(t, raw)
	})
}

func TestDevPhoneOffOutsideDev(t *testing.T) {
	f := newChanFixture(t, storetest.Open(t), chanOptions{})
	for _, path := range []string{"/dev/phone", "/api/v1/dev/outbox?to=08123456789", "/api/v1/dev/phone?phone=08123456789"} {
		if st, _ := f.request("GET", path, "", "", nil); st != http.StatusNotFound {
			t.Errorf("%s without dev mode: %d", path, st)
		}
	}
	if st, _ := f.request("POST", "/api/v1/dev/phone", "application/json", `{"phone":"08123456789","text":"x"}`, nil); st != http.StatusNotFound {
		t.Errorf("POST dev phone without dev mode: %d", st)
	}
}

var inlineScript = regexp.MustCompile(`<script(?:\s[^>]*)?>[^<]+</script>|\son[a-z]+=`)

// checkNoInlineScript: the CSP allows only script files from this server.
func checkNoInlineScript(t *testing.T, page string) {
	t.Helper()
	if m := inlineScript.FindString(page); m != "" {
		t.Errorf("page has inline script, which the CSP blocks: %q", m)
	}
	if !strings.Contains(page, `<script src="/static/js/citizen.js" defer></script>`) {
		t.Error("page does not load citizen.js")
	}
}

func TestCitizenPages(t *testing.T) {
	f := newChanFixture(t, storetest.Open(t), chanOptions{})
	html := map[string]string{"Accept": "text/html"}
	st, page := f.request("GET", "/curhat", "", "", html)
	if st != 200 {
		t.Fatalf("/curhat: %d", st)
	}
	for _, want := range []string{"Curhat ke HAI LURAH", "Apakah Anda ingin anonim?", "Apakah pesan ini dikirim juga ke Lurah?",
		`<option value="taman">Taman</option>`, `data-channel="web"`, "kode lacak", "/static/css/citizen.css"} {
		if !strings.Contains(page, want) {
			t.Errorf("/curhat lacks %q", want)
		}
	}
	checkNoInlineScript(t, page)

	st, page = f.request("GET", "/kiosk?kelurahan=taman", "", "", html)
	if st != 200 {
		t.Fatalf("/kiosk: %d", st)
	}
	for _, want := range []string{"Kelurahan Taman", `data-channel="kiosk"`, `data-idle="120"`, "Privasi Anda",
		`<input type="hidden" name="kelurahan" value="taman">`, "Apakah Anda ingin anonim?"} {
		if !strings.Contains(page, want) {
			t.Errorf("/kiosk lacks %q", want)
		}
	}
	checkNoInlineScript(t, page)
	if st, page := f.request("GET", "/kiosk?kelurahan=atlantis", "", "", html); st != http.StatusNotFound || !strings.Contains(page, "Kelurahan tidak ditemukan") {
		t.Errorf("/kiosk for an unknown kelurahan: %d", st)
	}
	if st, page := f.request("GET", "/kiosk", "", "", html); st != 200 || !strings.Contains(page, `<option value="demangan">Demangan</option>`) {
		t.Errorf("/kiosk without a kelurahan lets the citizen choose: %d", st)
	}
	for _, asset := range []string{"/static/js/citizen.js", "/static/css/citizen.css"} {
		if st, body := f.request("GET", asset, "", "", nil); st != 200 || len(body) < 500 {
			t.Errorf("%s: %d", asset, st)
		}
	}
}

// TestOpenAPIChannels checks server/openapi_channels.json, the entries to
// merge into openapi.json: every channel route is in it.
func TestOpenAPIChannels(t *testing.T) {
	raw, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths    map[string]map[string]any `json:"paths"`
		WebPages []string                  `json:"x-web-pages"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	db := storetest.Open(t)
	with, err := server.New(server.Config{Users: db, Audit: db, Kelurahan: db, Tickets: db, Notifications: db,
		Cases: &workflows.Client{}, Channels: db, Secret: []byte(chanSecret), Dev: true,
		Intake: runIntake(t, db, &workflows.Client{}, chanSecret, time.Now, 0)})
	if err != nil {
		t.Fatal(err)
	}
	without, err := server.New(server.Config{Users: db, Audit: db, Kelurahan: db, Tickets: db, Notifications: db,
		Cases: &workflows.Client{}, Dev: true})
	if err != nil {
		t.Fatal(err)
	}
	before := map[string]bool{}
	for _, r := range without.Routes() {
		before[r] = true
	}
	param := regexp.MustCompile(`:([A-Za-z_]+)`)
	n := 0
	for _, r := range with.Routes() {
		if before[r] {
			continue
		}
		n++
		method, path, _ := strings.Cut(r, " ")
		if ops, ok := doc.Paths[param.ReplaceAllString(path, "{$1}")]; ok {
			if _, ok := ops[strings.ToLower(method)]; !ok {
				t.Errorf("%s: documented without %s", path, method)
			}
			continue
		}
		if !slicesContains(doc.WebPages, path) {
			t.Errorf("%s is not in openapi_channels.json", r)
		}
	}
	if n < 15 {
		t.Fatalf("only %d channel routes registered", n)
	}
}

func slicesContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

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
		f := newChanFixture(t, db, chanOptions{cases: &workflows.Client{Temporal: c}})
		ctx := context.Background()
		at := f.clock.Now().Add(-time.Minute)
		body := metaDelivery(metaEntry(cityNumberID, nil, metaText("wamid.DOWN", sitiWA, at, "HAI LURAH Taman, jalan depan SD berlubang besar.")))
		for range 2 {
			if st, raw := f.deliver(body, ""); st != http.StatusOK {
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
		if st, raw := f.deliver(body, ""); st != http.StatusOK {
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
		f := newChanFixture(t, db, chanOptions{cases: cases, sweep: 20 * time.Millisecond})
		// Left stored by a process that died before handing it over.
		orphan := &hailurah.InboundMessage{ProviderID: "wamid.ORPHAN", Channel: hailurah.ChannelWhatsApp, SenderID: f.sender(budiWA),
			PhoneNumberID: cityNumberID, Kind: "text", Text: "HAI LURAH Taman, lampu jalan RT 03 mati seminggu.", SentAt: time.Date(2026, 3, 10, 1, 0, 0, 0, time.UTC)}
		if _, err := db.StoreInbound(ctx, orphan); err != nil {
			t.Fatal(err)
		}
		at := f.clock.Now().Add(-time.Minute)
		for i, text := range []string{"HAI LURAH Taman, got mampet di RT 02.", "HAI LURAH Taman, sampah menumpuk di pasar."} {
			body := metaDelivery(metaEntry(cityNumberID, nil, metaText(fmt.Sprintf("wamid.LATER-%d", i), sitiWA, at, text)))
			if st, raw := f.deliver(body, ""); st != http.StatusOK {
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
			m, err := db.FindInbound(ctx, id)
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

	open := newChanFixture(t, storetest.Open(t), chanOptions{})
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
