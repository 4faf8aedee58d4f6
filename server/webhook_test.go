package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/storetest"
	"github.com/hailurah/hailurah/triage"
	"github.com/hailurah/hailurah/whatsapp"
)

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
		f := newChanFixture(t, db, chanOptions{appSecret: appSecret})
		at := f.clock.Now().Add(-time.Minute)
		body := metaDelivery(metaEntry(tamanNumberID, map[string]string{sitiWA: "Siti Aminah"},
			metaSticker("wamid.STICKER", sitiWA, at.Add(time.Second)),
			metaUnsupported("wamid.UNSUP", sitiWA, at.Add(2*time.Second)), metaReaction("wamid.REACT", sitiWA, at.Add(3*time.Second)),
			metaImage("wamid.PHOTO", sitiWA, at.Add(4*time.Second), ""), metaLocation("wamid.LOC", sitiWA, at.Add(5*time.Second))))
		for range 5 {
			if st, raw := f.deliver(body, appSecret); st != http.StatusOK || !strings.Contains(raw, `"received":5`) {
				t.Fatalf("delivery: %d %s", st, raw)
			}
		}
		want := map[string]string{
			"wamid.STICKER": hailurah.InboundAnswered,
			"wamid.UNSUP":   hailurah.InboundAnswered, "wamid.REACT": hailurah.InboundIgnored,
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
		if m := got[4]; m.Lat == nil || *m.Lat != -7.6298 || m.Text != "Pasar Besar Madiun, Jl. Pahlawan, Madiun" {
			t.Errorf("location stored as %+v", m)
		}
		if m := got[3]; len(m.Media) != 1 || m.Media[0] != "whatsapp-media:918273645546372" {
			t.Errorf("photo media stored as %v", m.Media)
		}
		out := f.outbox(f.sender(sitiWA))
		if len(out) != 4 {
			t.Fatalf("%d replies queued, want 4 (one per message, none for the reaction)", len(out))
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
// A voice note is a curhat without words: it opens a ticket (or joins the
// running one) marked Voice with its audio's reference, for the ticket's
// workflow to transcribe or keep for the moderator; intake answers nothing.
func TestWhatsAppVoiceNoteReachesATicket(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		cases := &recordingCases{}
		f := newChanFixture(t, db, chanOptions{appSecret: appSecret, cases: cases})
		at := f.clock.Now().Add(-time.Minute)
		body := metaDelivery(metaEntry(tamanNumberID, map[string]string{sitiWA: "Siti Aminah"},
			metaAudio("wamid.AUDIO", sitiWA, at), metaAudio("wamid.AUDIO2", sitiWA, at.Add(time.Second))))
		if st, raw := f.deliver(body, appSecret); st != http.StatusOK || !strings.Contains(raw, `"received":2`) {
			t.Fatalf("delivery: %d %s", st, raw)
		}
		for _, m := range f.inbound(sitiWA) {
			if m.Status != hailurah.InboundDelivered || m.TicketID == "" {
				t.Errorf("%s: %+v", m.ProviderID, m)
			}
		}
		cases.mu.Lock()
		defer cases.mu.Unlock()
		if len(cases.starts) != 1 {
			t.Fatalf("%d tickets started, want 1", len(cases.starts))
		}
		first := cases.starts[0].First
		if !first.Voice || first.Text != "" || !slices.Equal(first.Media, []string{"whatsapp-media:1122334455667788"}) ||
			cases.starts[0].Kelurahan != "taman" {
			t.Errorf("opening message %+v of %+v", first, cases.starts[0])
		}
		next := cases.signals[cases.starts[0].TicketID]
		if len(next) != 1 || next[0].ID != "wamid.AUDIO2" || !next[0].Voice || len(next[0].Media) != 1 {
			t.Errorf("the second voice note reached the ticket as %+v", next)
		}
		if out := f.outbox(f.sender(sitiWA)); len(out) != 0 {
			t.Errorf("intake answered %+v; the ticket's workflow answers a voice note", out)
		}
	})
}

func TestWhatsAppCommandWithoutTicket(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newChanFixture(t, db, chanOptions{appSecret: appSecret})
		at := f.clock.Now().Add(-time.Minute)
		body := metaDelivery(metaEntry(cityNumberID, map[string]string{budiWA: "Budi"},
			metaText("wamid.STATUS", budiWA, at, "STATUS"),
			metaButton("wamid.BTN", budiWA, at.Add(time.Second), hailurah.ButtonLanjut, "LANJUT")))
		if st, raw := f.deliver(body, appSecret); st != http.StatusOK {
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
	f := newChanFixture(t, storetest.Open(t), chanOptions{appSecret: appSecret})
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
		if st, raw := f.deliver(c.body, appSecret); st != c.want {
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
	f := newChanFixture(t, storetest.Open(t), chanOptions{appSecret: appSecret})
	at := f.clock.Now()
	var flood []string
	for i := range 20 {
		flood = append(flood, metaSticker(fmt.Sprintf("wamid.FLOOD-%02d", i), sitiWA, at))
	}
	body := metaDelivery(metaEntry(cityNumberID, nil, flood...),
		metaEntry(cityNumberID, nil, metaSticker("wamid.OTHER", budiWA, at)))
	if st, raw := f.deliver(body, appSecret); st != http.StatusOK || !strings.Contains(raw, `"received":21`) {
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
	f.deliver(body, appSecret)
	if got := f.outbox(f.sender(sitiWA)); len(got) != 15 {
		t.Fatalf("%d replies to the flood, want 15", len(got))
	}
}
