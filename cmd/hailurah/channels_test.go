package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/whatsapp"
)

// The channels end to end: the whole program (embedded Temporal, worker,
// relay, SQLite) with WhatsApp credentials pointing at a fake Graph API,
// driven through the webhook in Meta's own shapes, a gateway, Open311 and
// the simulated phone.

const (
	e2eAppSecret   = "meta-app-secret-e2e"
	e2eVerify      = "verifikasi-e2e"
	e2eToken       = "EAAG-e2e-token"
	e2eCityNumber  = "106540352242922"
	e2eTamanNumber = "207651463353033"
)

// fakeGraph records the messages the relay sends, in the Cloud API's wire
// format, and accepts them all.
type fakeGraph struct {
	mu   sync.Mutex
	sent []graphSend
	srv  *httptest.Server
}

type graphSend struct {
	From        string
	To          string                 `json:"to"`
	Type        string                 `json:"type"`
	Text        *struct{ Body string } `json:"text"`
	Interactive *struct {
		Body   struct{ Text string } `json:"body"`
		Action struct {
			Buttons []struct {
				Reply struct{ ID, Title string } `json:"reply"`
			} `json:"buttons"`
		} `json:"action"`
	} `json:"interactive"`
	Template *struct{ Name string } `json:"template"`
}

func (g graphSend) body() string {
	switch {
	case g.Text != nil:
		return g.Text.Body
	case g.Interactive != nil:
		return g.Interactive.Body.Text
	}
	return ""
}

func newFakeGraph(t *testing.T) *fakeGraph {
	g := &fakeGraph{}
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		from, ok := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, "/"), "/messages")
		if !ok || r.Header.Get("Authorization") != "Bearer "+e2eToken {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error":{"message":"Invalid OAuth access token.","type":"OAuthException","code":190,"fbtrace_id":"X"}}`)
			return
		}
		var s graphSend
		if err := json.NewDecoder(r.Body).Decode(&s); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		s.From = from
		g.mu.Lock()
		g.sent = append(g.sent, s)
		n := len(g.sent)
		g.mu.Unlock()
		fmt.Fprintf(w, `{"messaging_product":"whatsapp","contacts":[{"input":%q,"wa_id":%q}],"messages":[{"id":"wamid.OUT-%d"}]}`, s.To, s.To, n)
	}))
	t.Cleanup(g.srv.Close)
	return g
}

// to returns what was sent to a wa_id, in order.
func (g *fakeGraph) to(wa string) []graphSend {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []graphSend
	for _, s := range g.sent {
		if s.To == wa {
			out = append(out, s)
		}
	}
	return out
}

// startE2E starts the whole program with WhatsApp credentials pointing at
// a fake Graph API.
func startE2E(t *testing.T) *e2e {
	t.Helper()
	graph := newFakeGraph(t)
	m := startMain(t, t.TempDir(), "WHATSAPP_APP_SECRET="+e2eAppSecret, "WHATSAPP_VERIFY_TOKEN="+e2eVerify,
		"WHATSAPP_TOKEN="+e2eToken, "WHATSAPP_PHONE_NUMBER_ID="+e2eCityNumber, "WHATSAPP_API_BASE="+graph.srv.URL)
	return &e2e{t: t, m: m, base: m.HTTP.URL(), graph: graph}
}

type e2e struct {
	t     *testing.T
	m     *Main
	base  string
	graph *fakeGraph
}

// post sends a raw body; sign adds Meta's signature.
func (e *e2e) post(path, contentType, body string, header map[string]string) (int, string) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

func (e *e2e) get(path string) (int, string) {
	e.t.Helper()
	resp, err := http.Get(e.base + path)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

func (e *e2e) deliver(body string) {
	e.t.Helper()
	mac := hmac.New(sha256.New, []byte(e2eAppSecret))
	mac.Write([]byte(body))
	st, raw := e.post("/webhook/whatsapp", "application/json", body,
		map[string]string{"X-Hub-Signature-256": "sha256=" + hex.EncodeToString(mac.Sum(nil))})
	if st != http.StatusOK {
		e.t.Fatalf("delivery: %d %s", st, raw)
	}
	// The inbox hands the messages over after the answer; the test reads
	// what the delivery did.
	if err := e.m.Intake.Wait(context.Background()); err != nil {
		e.t.Fatal(err)
	}
}

func (e *e2e) sender(phone string) string {
	e164, err := whatsapp.NormalizePhone(phone)
	if err != nil {
		e.t.Fatal(err)
	}
	return whatsapp.SenderID([]byte(e.m.Config.Secret), e164)
}

// tickets returns the sender's tickets, oldest first.
func (e *e2e) tickets(phone string) []string {
	e.t.Helper()
	var ids []string
	err := e.m.DB.Gorm().Raw("SELECT id FROM tickets WHERE sender_id = ? ORDER BY datetime_received, id", e.sender(phone)).Scan(&ids).Error
	if err != nil {
		e.t.Fatal(err)
	}
	return ids
}

func (e *e2e) ticket(id string) *hailurah.Ticket {
	e.t.Helper()
	t, err := e.m.DB.FindTicket(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return t
}

func (e *e2e) events(id, typ string) []*hailurah.TicketEvent {
	e.t.Helper()
	all, err := e.m.DB.ListTicketEvents(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []*hailurah.TicketEvent
	for _, ev := range all {
		if ev.Type == typ {
			out = append(out, ev)
		}
	}
	return out
}

func (e *e2e) outboxKinds(id string) map[string]int {
	e.t.Helper()
	out, err := e.m.DB.ListTicketOutbox(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, o := range out {
		kinds[o.Kind]++
	}
	return kinds
}

// Meta's webhook shapes (see server/channels_test.go for every kind).
func waEntry(numberID string, messages ...string) string {
	return fmt.Sprintf(`{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp",`+
		`"metadata":{"display_phone_number":"6281130001234","phone_number_id":%q},"contacts":[{"profile":{"name":"Warga"},"wa_id":"6281234567890"}],`+
		`"messages":[%s]},"field":"messages"}]}`, numberID, strings.Join(messages, ","))
}

func waStatusEntry(numberID string, statuses ...string) string {
	return fmt.Sprintf(`{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp",`+
		`"metadata":{"display_phone_number":"6281130001234","phone_number_id":%q},"statuses":[%s]},"field":"messages"}]}`,
		numberID, strings.Join(statuses, ","))
}

func waDelivery(entries ...string) string {
	return `{"object":"whatsapp_business_account","entry":[` + strings.Join(entries, ",") + `]}`
}

func waText(id, from, body string) string {
	return fmt.Sprintf(`{"from":%q,"id":%q,"timestamp":"%d","type":"text","text":{"body":%q}}`, from, id, time.Now().Unix(), body)
}

func waImage(id, from, caption string) string {
	return fmt.Sprintf(`{"from":%q,"id":%q,"timestamp":"%d","type":"image","image":{"caption":%q,"mime_type":"image/jpeg",`+
		`"sha256":"aGFpIGx1cmFo","id":"918273645546372"}}`, from, id, time.Now().Unix(), caption)
}

func waLocation(id, from string) string {
	return fmt.Sprintf(`{"from":%q,"id":%q,"timestamp":"%d","type":"location","location":{"latitude":-7.6298,"longitude":111.5239,`+
		`"name":"Gang Mawar","address":"RT 03/RW 02, Taman"}}`, from, id, time.Now().Unix())
}

func waButton(id, from, buttonID, title string) string {
	return fmt.Sprintf(`{"context":{"from":"6281130001234","id":"wamid.OUT-1"},"from":%q,"id":%q,"timestamp":"%d","type":"interactive",`+
		`"interactive":{"type":"button_reply","button_reply":{"id":%q,"title":%q}}}`, from, id, time.Now().Unix(), buttonID, title)
}

func waStatus(id, status, recipient string) string {
	return fmt.Sprintf(`{"id":%q,"status":%q,"timestamp":"%d","recipient_id":%q}`, id, status, time.Now().Unix(), recipient)
}

const (
	phoneA = "6281234567890"
	phoneB = "6285712345678"
	phoneC = "6289611122233"
)

func TestChannelsEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server")
	}
	e := startE2E(t)
	m, graph := e.m, e.graph
	ctx := context.Background()
	taman, err := m.DB.FindKelurahan(ctx, "taman")
	if err != nil {
		t.Fatal(err)
	}
	taman.WhatsAppPhoneNumberID = e2eTamanNumber
	if err := m.DB.UpsertKelurahan(ctx, taman); err != nil {
		t.Fatal(err)
	}

	t.Run("handshake", func(t *testing.T) {
		q := url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {e2eVerify}, "hub.challenge": {"1158201444"}}
		if st, body := e.get("/webhook/whatsapp?" + q.Encode()); st != 200 || body != "1158201444" {
			t.Fatalf("handshake: %d %q", st, body)
		}
		q.Set("hub.verify_token", "salah")
		if st, _ := e.get("/webhook/whatsapp?" + q.Encode()); st != http.StatusForbidden {
			t.Fatalf("wrong verify token: %d", st)
		}
	})

	t.Run("unsigned delivery", func(t *testing.T) {
		body := waDelivery(waEntry(e2eCityNumber, waText("wamid.UNSIGNED", phoneA, "HAI LURAH Taman jalan rusak")))
		if st, _ := e.post("/webhook/whatsapp", "application/json", body, nil); st != http.StatusUnauthorized {
			t.Fatalf("unsigned: %d", st)
		}
		if _, err := m.DB.FindInbound(ctx, "wamid.UNSIGNED"); hailurah.ErrorCode(err) != hailurah.ENOTFOUND {
			t.Fatalf("unsigned delivery stored: %v", err)
		}
	})

	var first string
	t.Run("duplicate delivery x5", func(t *testing.T) {
		body := waDelivery(waEntry(e2eCityNumber, waText("wamid.FIRST", phoneA,
			"HAI LURAH Taman Irfa Darojat\nSaya warga RT03/RW02, Jalan Mawar. Sudah 3 bulan got sering tersumbat sampah, rumah banjir tiap hujan. Mohon bantu.")))
		var wg sync.WaitGroup
		for range 3 {
			wg.Go(func() { e.deliver(body) })
		}
		wg.Wait()
		e.deliver(body)
		e.deliver(body)
		ids := e.tickets(phoneA)
		if len(ids) != 1 {
			t.Fatalf("five deliveries made tickets %v", ids)
		}
		first = ids[0]
		in, err := m.DB.FindInbound(ctx, "wamid.FIRST")
		if err != nil || in.Status != hailurah.InboundDelivered || in.TicketID != first || in.Attempts != 1 {
			t.Fatalf("inbound row: %+v %v", in, err)
		}
		eventually(t, "the ACK on the phone", func() bool { return len(graph.to(phoneA)) >= 1 })
		// Give a second ACK, if there were one, time to arrive.
		time.Sleep(3 * time.Second)
		acks := 0
		for _, s := range graph.to(phoneA) {
			if s.Interactive != nil && strings.Contains(s.body(), "Terima kasih") {
				acks++
				if s.From != e2eCityNumber || len(s.Interactive.Action.Buttons) != 3 ||
					s.Interactive.Action.Buttons[0].Reply.ID != hailurah.ButtonAnonimYa {
					t.Errorf("ACK sent as %+v", s)
				}
			}
		}
		if acks != 1 || e.outboxKinds(first)[hailurah.OutboxAck] != 1 {
			t.Fatalf("%d ACKs on the phone, %d in the outbox; want one", acks, e.outboxKinds(first)[hailurah.OutboxAck])
		}
		if tk := e.ticket(first); tk.Kelurahan != "taman" || tk.Channel != hailurah.ChannelWhatsApp || tk.RT != "03" ||
			strings.Contains(string(tk.RawPayload), phoneA) {
			t.Fatalf("ticket: %+v", tk)
		}
	})

	t.Run("conversation", func(t *testing.T) {
		eventually(t, "triage done", func() bool { return e.ticket(first).Status == hailurah.StatusOpen })
		e.deliver(waDelivery(waEntry(e2eCityNumber,
			waButton("wamid.BTN-ANONIM", phoneA, hailurah.ButtonAnonimYa, "ANONIM YA"),
			waLocation("wamid.LOC", phoneA),
			waImage("wamid.PHOTO", phoneA, "Ini foto gotnya, airnya sampai masuk rumah"),
			waText("wamid.STATUS", phoneA, "STATUS"))))
		eventually(t, "anonim and the status answer", func() bool {
			k := e.outboxKinds(first)
			return e.ticket(first).PrivacyFlag && k[hailurah.OutboxFlags] == 1 && k[hailurah.OutboxStatus] >= 1
		})
		eventually(t, "the location on the ticket", func() bool {
			tk := e.ticket(first)
			return tk.Lat != nil && *tk.Lat == -7.6298 && tk.Lng != nil && *tk.Lng == 111.5239
		})
		eventually(t, "the photo's caption and the location on the timeline", func() bool {
			notes := map[string]bool{}
			for _, ev := range e.events(first, hailurah.EventCitizenMessage) {
				notes[ev.Note] = true
			}
			return notes["Ini foto gotnya, airnya sampai masuk rumah"] && notes["Lokasi: Gang Mawar, RT 03/RW 02, Taman"]
		})
		for _, id := range []string{"wamid.BTN-ANONIM", "wamid.LOC", "wamid.PHOTO", "wamid.STATUS"} {
			if in, err := m.DB.FindInbound(ctx, id); err != nil || in.Status != hailurah.InboundDelivered || in.TicketID != first {
				t.Errorf("%s: %+v %v", id, in, err)
			}
		}
		// A second HAI LURAH opens a second ticket; later commands go to it.
		e.deliver(waDelivery(waEntry(e2eCityNumber, waText("wamid.SECOND", phoneA,
			"HAI LURAH Taman, lampu jalan di gang 3 mati sejak minggu lalu, gelap dan rawan."))))
		ids := e.tickets(phoneA)
		if len(ids) != 2 || ids[0] != first {
			t.Fatalf("tickets after a second HAI LURAH: %v", ids)
		}
		e.deliver(waDelivery(waEntry(e2eCityNumber, waText("wamid.STATUS-2", phoneA, "status"))))
		if in, _ := m.DB.FindInbound(ctx, "wamid.STATUS-2"); in == nil || in.TicketID != ids[1] {
			t.Fatalf("a command after the second ticket went to %+v", in)
		}
		eventually(t, "the second ticket's ACK", func() bool { return e.outboxKinds(ids[1])[hailurah.OutboxAck] == 1 })
	})

	t.Run("batched entries and statuses", func(t *testing.T) {
		eventually(t, "the first ACK's provider id", func() bool {
			d, err := m.DB.ListOutboxByRecipient(ctx, e.sender(phoneA), 0, 1)
			return err == nil && len(d) == 1 && d[0].ProviderMessageID != ""
		})
		acks, _ := m.DB.ListOutboxByRecipient(ctx, e.sender(phoneA), 0, 1)
		ackID := acks[0].ProviderMessageID
		e.deliver(waDelivery(
			waEntry(e2eTamanNumber, waText("wamid.B-1", phoneB, "Lampu jalan di depan masjid mati, mohon diperbaiki.")),
			waEntry(e2eTamanNumber, waText("wamid.C-1", phoneC, "HAI LURAH Demangan, sampah menumpuk di pasar sejak seminggu.")),
			waStatusEntry(e2eCityNumber, waStatus(ackID, "delivered", phoneA), waStatus(ackID, "read", phoneA))))
		b, c := e.tickets(phoneB), e.tickets(phoneC)
		if len(b) != 1 || len(c) != 1 {
			t.Fatalf("tickets: B %v, C %v", b, c)
		}
		// The number's kelurahan, unless the message names one.
		if k := e.ticket(b[0]).Kelurahan; k != "taman" {
			t.Errorf("B's ticket in %q, want taman (the number's)", k)
		}
		if k := e.ticket(c[0]).Kelurahan; k != "demangan" {
			t.Errorf("C's ticket in %q, want demangan (named)", k)
		}
		d, _ := m.DB.ListOutboxByRecipient(ctx, e.sender(phoneA), 0, 1)
		if d[0].Status != hailurah.OutboxStatusRead {
			t.Errorf("ACK status after Meta's reports: %s", d[0].Status)
		}
		eventually(t, "B's ACK from Taman's own number", func() bool {
			s := graph.to(phoneB)
			return len(s) > 0 && s[0].From == e2eTamanNumber
		})
	})

	t.Run("gateway", func(t *testing.T) {
		admin, err := m.DB.FindUserByUsername(ctx, "admin")
		if err != nil {
			t.Fatal(err)
		}
		_, token, err := m.DB.CreateAPIToken(ctx, admin.ID, "gateway")
		if err != nil {
			t.Fatal(err)
		}
		payload := `{"id":"curhat-011","channel":"whatsapp","timestamp":"` + time.Now().Format(time.RFC3339) + `","from":"0896-1112-2234",` +
			`"text":"HAI LURAH Taman Irfa Darojat. RT04/RW01, jalan samping SD tergenang, anak-anak kesulitan pergi sekolah. Mohon bantu.",` +
			`"media":[],"tembusan":"TIDAK","anonim":"YA"}`
		st, raw := e.post("/webhook/whatsapp", "application/json", payload, map[string]string{"Authorization": "Bearer " + token})
		var rc struct {
			Status       string `json:"status"`
			TicketID     string `json:"ticket_id"`
			TrackingCode string `json:"tracking_code"`
		}
		_ = json.Unmarshal([]byte(raw), &rc)
		if st != http.StatusAccepted || rc.Status != hailurah.InboundDelivered || rc.TicketID == "" || rc.TrackingCode == "" {
			t.Fatalf("gateway: %d %s", st, raw)
		}
		if tk := e.ticket(rc.TicketID); !tk.PrivacyFlag || tk.RT != "04" || tk.Kelurahan != "taman" {
			t.Errorf("gateway ticket: %+v", tk)
		}
		st, raw = e.post("/webhook/whatsapp", "application/json", payload, map[string]string{"Authorization": "Bearer " + token})
		if st != http.StatusOK || !strings.Contains(raw, `"duplicate":true`) || !strings.Contains(raw, rc.TrackingCode) {
			t.Fatalf("gateway redelivery: %d %s", st, raw)
		}
		eventually(t, "the gateway citizen's ACK on WhatsApp", func() bool { return len(graph.to("6289611122234")) > 0 })
	})

	mod := staffClient(t, e.base, "moderator")
	t.Run("open311 to resolved", func(t *testing.T) {
		admin, _ := m.DB.FindUserByUsername(ctx, "admin")
		_, key, err := m.DB.CreateAPIToken(ctx, admin.ID, "open311")
		if err != nil {
			t.Fatal(err)
		}
		form := url.Values{"api_key": {key}, "jurisdiction_id": {"taman"}, "service_code": {"infrastruktur"},
			"lat": {"-7.6301"}, "long": {"111.5244"}, "address_string": {"Jl. Mawar 12"}, "attribute[RT]": {"3"}, "attribute[RW]": {"2"},
			"description": {"Jalan berlubang besar di depan SD, sudah dua motor jatuh minggu ini."}, "email": {"warga@contoh.id"}}
		st, raw := e.post("/open311/v2/requests.json", "application/x-www-form-urlencoded", form.Encode(), nil)
		var created []struct {
			ServiceRequestID string `json:"service_request_id"`
			ServiceNotice    string `json:"service_notice"`
		}
		if err := json.Unmarshal([]byte(raw), &created); st != 200 || err != nil || len(created) != 1 || created[0].ServiceRequestID == "" {
			t.Fatalf("POST requests.json: %d %s", st, raw)
		}
		id := created[0].ServiceRequestID
		code := created[0].ServiceNotice[strings.Index(created[0].ServiceNotice, "Kode lacak: ")+len("Kode lacak: "):]
		code = code[:strings.IndexByte(code, ' ')]
		tk := e.ticket(id)
		if tk.Channel != hailurah.ChannelOpen311 || tk.Kelurahan != "taman" || tk.RT != "03" || tk.Lat == nil ||
			strings.Contains(string(tk.RawPayload), key) || strings.Contains(string(tk.RawPayload), "warga@contoh.id") {
			t.Fatalf("Open311 ticket: %+v %s", tk, tk.RawPayload)
		}
		eventually(t, "triaged", func() bool { return e.ticket(id).Status == hailurah.StatusOpen })
		var state hailurah.TicketState
		if st := mod.call("POST", "/api/v1/tickets/"+id+"/actions", map[string]any{"action": "resolve",
			"text": "Lubang sudah ditimbun sementara; perbaikan permanen dijadwalkan."}, &state); st != 200 {
			t.Fatalf("resolve: %d %+v", st, state)
		}
		if st, raw := e.get("/open311/v2/requests/" + id + ".json"); st != 200 || !strings.Contains(raw, `"status":"open"`) {
			t.Fatalf("awaiting confirmation: %d %s", st, raw)
		}
		citizen := newAPIClient(t, e.base)
		if st := citizen.call("POST", "/api/v1/track/"+code+"/reply", map[string]string{"text": "SESUDAH"}, nil); st != http.StatusAccepted {
			t.Fatalf("SESUDAH with the Open311 tracking code %q: %d", code, st)
		}
		eventually(t, "closed in Open311", func() bool {
			_, raw := e.get("/open311/v2/requests/" + id + ".xml")
			var doc struct {
				Requests []struct {
					Status      string `xml:"status"`
					StatusNotes string `xml:"status_notes"`
				} `xml:"request"`
			}
			return xml.Unmarshal([]byte(raw), &doc) == nil && len(doc.Requests) == 1 &&
				doc.Requests[0].Status == "closed" && doc.Requests[0].StatusNotes == hailurah.StatusResolved.Label()
		})
	})

	t.Run("simulated phone to resolved", func(t *testing.T) {
		const phone = "0812-5555-0101"
		send := func(body map[string]any) map[string]any {
			t.Helper()
			body["phone"] = phone
			var rc map[string]any
			c := newAPIClient(t, e.base)
			if st := c.call("POST", "/api/v1/dev/phone", body, &rc); st != http.StatusAccepted {
				t.Fatalf("dev phone %v: %d %v", body, st, rc)
			}
			return rc
		}
		outbox := func() []map[string]any {
			var out []map[string]any
			newAPIClient(t, e.base).call("GET", "/api/v1/dev/outbox?to="+url.QueryEscape(phone), nil, &out)
			return out
		}
		has := func(kind string) bool {
			for _, o := range outbox() {
				if o["kind"] == kind {
					return true
				}
			}
			return false
		}
		rc := send(map[string]any{"text": "HAI LURAH Taman\nSaya warga RT05/RW01. Saluran air di gang Melati tersumbat, air meluap ke jalan tiap hujan."})
		id, _ := rc["ticket_id"].(string)
		if rc["status"] != hailurah.InboundDelivered || id == "" {
			t.Fatalf("first message: %v", rc)
		}
		eventually(t, "ACK and AI reply on the simulated phone", func() bool { return has(hailurah.OutboxAck) && has(hailurah.OutboxReply) })
		for _, o := range outbox() {
			if o["kind"] == hailurah.OutboxAck {
				if b, _ := o["buttons"].([]any); len(b) != 3 {
					t.Errorf("ACK without its buttons: %v", o)
				}
			}
		}
		send(map[string]any{"kind": "button", "button_id": hailurah.ButtonTembusanYa})
		eventually(t, "tembusan noted", func() bool { return e.ticket(id).TembusanFlag })

		var state hailurah.TicketState
		if st := mod.call("POST", "/api/v1/tickets/"+id+"/actions", map[string]any{"action": "assign", "unit": "pupr"}, &state); st != 200 {
			t.Fatalf("assign: %d", st)
		}
		pupr := staffClient(t, e.base, "dinas-pupr")
		if st := pupr.call("POST", "/api/v1/tickets/"+id+"/actions", map[string]any{"action": "accept"}, &state); st != 200 {
			t.Fatalf("accept: %d", st)
		}
		if st := pupr.call("POST", "/api/v1/tickets/"+id+"/actions", map[string]any{"action": "done", "text": "Saluran sudah dibersihkan."}, &state); st != 200 {
			t.Fatalf("done: %d", st)
		}
		eventually(t, "the SESUDAH/BELUM question", func() bool { return has(hailurah.OutboxConfirm) })
		send(map[string]any{"kind": "button", "button_id": hailurah.ButtonSesudah})
		eventually(t, "resolved", func() bool { return e.ticket(id).Status == hailurah.StatusResolved })
		eventually(t, "the rating question", func() bool { return has(hailurah.OutboxRatingQuestion) })
		rc = send(map[string]any{"text": "5"})
		if rc["ticket_id"] != id {
			t.Fatalf("the rating went to %v, want the resolved ticket %s", rc["ticket_id"], id)
		}
		eventually(t, "rated", func() bool { return e.ticket(id).Rating == 5 })
		if ids := e.tickets(phone); len(ids) != 1 {
			t.Fatalf("the conversation made tickets %v", ids)
		}
		// A number typed into the simulated phone is never sent to, even
		// with credentials: its messages are marked shown there.
		if sent := graph.to("6281255550101"); len(sent) != 0 {
			t.Fatalf("the relay sent %d messages to a simulated number", len(sent))
		}
		eventually(t, "the relay marking the simulated messages", func() bool {
			for _, o := range outbox() {
				if o["status"] != hailurah.OutboxStatusPosted || o["sent_as"] != "simulated" {
					return false
				}
			}
			return true
		})
	})
}

// citizenTab is one browser window on the citizen pages; it fails the test
// on any script error or blocked resource the page reports.
type citizenTab struct {
	t     *testing.T
	ctx   context.Context
	base  string
	shots string
	mu    sync.Mutex
	errs  []string
}

func newCitizenTab(t *testing.T, base string, width, height int64) *citizenTab {
	t.Helper()
	browserPath := ""
	for _, p := range []string{os.Getenv("HAILURAH_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p != "" {
			if _, err := os.Stat(p); err == nil {
				browserPath = p
				break
			}
		}
	}
	if browserPath == "" {
		t.Fatal("Chromium not found: install it (apt-get install chromium) or set HAILURAH_CHROMIUM")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, chromedp.ExecPath(browserPath), chromedp.Headless, chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-dev-shm-usage", true))
	t.Cleanup(cancelAlloc)
	ctx, cancelTab := chromedp.NewContext(ctx)
	t.Cleanup(cancelTab)
	tab := &citizenTab{t: t, ctx: ctx, base: base, shots: os.Getenv("HAILURAH_SCREENSHOTS")}
	if tab.shots == "" {
		tab.shots = t.TempDir()
	}
	tab.do(chromedp.EmulateViewport(width, height))
	go func() {
		for msg, err := range chromedp.Console(ctx) {
			if err != nil {
				return
			}
			if msg.Type == chromedp.ConsoleError || msg.Type == chromedp.ConsoleException {
				tab.mu.Lock()
				tab.errs = append(tab.errs, msg.String())
				tab.mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() {
		tab.mu.Lock()
		defer tab.mu.Unlock()
		for _, e := range tab.errs {
			t.Errorf("browser console: %s", e)
		}
	})
	return tab
}

func (tb *citizenTab) do(actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	if err := chromedp.Do(tb.ctx, actions...); err != nil {
		tb.t.Fatal(err)
	}
}

// waitFor polls a JavaScript predicate in the page.
func (tb *citizenTab) waitFor(what, js string, timeout time.Duration) {
	tb.t.Helper()
	if _, err := chromedp.Run(tb.ctx, chromedp.Poll[bool](js, chromedp.WithPollingInterval(200*time.Millisecond),
		chromedp.WithPollingTimeout(timeout))); err != nil {
		tb.shot("failed")
		tb.t.Fatalf("waiting for %s (%s): %v", what, js, err)
	}
}

func (tb *citizenTab) eval(js string) string {
	tb.t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](js))
	if err != nil {
		tb.t.Fatal(err)
	}
	return v
}

// click presses the button whose text is label inside the element sel, as
// a citizen's finger would.
func (tb *citizenTab) click(sel, label string) {
	tb.t.Helper()
	tb.do(chromedp.Click(chromedp.Search(fmt.Sprintf(`//*[@id=%q]//button[normalize-space(.)=%q]`, strings.TrimPrefix(sel, "#"), label))))
}

func (tb *citizenTab) shot(name string) {
	tb.t.Helper()
	buf, err := chromedp.Run(tb.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	path := filepath.Join(tb.shots, "channels-"+name+".png")
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		tb.t.Fatal(err)
	}
	tb.t.Logf("screenshot %s", path)
}

// logHas is a predicate: some bubble of the log contains text.
func logHas(log, text string) string {
	return fmt.Sprintf(`[...document.querySelectorAll('#%s .bubble')].some(b => b.textContent.includes(%q))`, log, text)
}

// TestCitizenPagesInBrowser drives the simulated phone, the web chat and
// the kiosk in Chromium, scripts and all, against the whole program
// without WhatsApp credentials (the embedded default).
func TestCitizenPagesInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server and Chromium")
	}
	m := startMain(t, t.TempDir())
	base := m.HTTP.URL()
	mod := staffClient(t, base, "moderator")
	ctx := context.Background()

	t.Run("simulated phone", func(t *testing.T) {
		tab := newCitizenTab(t, base, 1280, 900)
		tab.do(chromedp.Navigate(base+"/dev/phone"), chromedp.WaitVisible(chromedp.ID("phone-text")))
		tab.do(chromedp.SetValue(chromedp.ID("phone-number"), "0812-7777-0001"), chromedp.Click(chromedp.CSS(`#phone-pick button[type=submit]`)))
		tab.do(chromedp.SetValue(chromedp.ID("phone-text"),
			"HAI LURAH Taman\nSaya warga RT02/RW03, Jalan Kenanga. Got depan rumah mampet, air meluap tiap hujan. Mohon bantu."),
			chromedp.Click(chromedp.CSS(`#phone-send button[type=submit]`)))
		tab.waitFor("the ACK with its buttons", `document.querySelector('#phone-log button[data-button="anonim_ya"]') !== null`, time.Minute)
		tab.waitFor("the AI reply", logHas("phone-log", "Ringkasan"), time.Minute)
		tab.click("#phone-log", "ANONIM YA")
		tab.waitFor("anonim noted", logHas("phone-log", "anonim YA"), time.Minute)
		tab.shot("phone-intake")

		ids := (&e2e{t: t, m: m}).tickets("081277770001")
		if len(ids) != 1 {
			t.Fatalf("tickets of the phone: %v", ids)
		}
		id := ids[0]
		if tk, _ := m.DB.FindTicket(ctx, id); tk == nil || !tk.PrivacyFlag {
			t.Fatalf("ticket not anonymous: %+v", tk)
		}
		var state hailurah.TicketState
		if st := mod.call("POST", "/api/v1/tickets/"+id+"/actions", map[string]any{"action": "resolve",
			"text": "Petugas kebersihan sudah menjadwalkan pengerukan besok pagi."}, &state); st != 200 {
			t.Fatalf("resolve: %d", st)
		}
		tab.waitFor("SESUDAH/BELUM", `document.querySelector('#phone-log button[data-button="sesudah"]') !== null`, time.Minute)
		tab.do(chromedp.Click(chromedp.CSS(`#phone-log li:last-child button[data-button="sesudah"]`)))
		tab.waitFor("the rating question", logHas("phone-log", "1–5"), time.Minute)
		tab.do(chromedp.SetValue(chromedp.ID("phone-text"), "5"), chromedp.Click(chromedp.CSS(`#phone-send button[type=submit]`)))
		tab.waitFor("thanks for the rating", logHas("phone-log", "Terima kasih atas penilaian"), time.Minute)
		tab.shot("phone-resolved")
		eventually(t, "resolved and rated", func() bool {
			tk, err := m.DB.FindTicket(ctx, id)
			return err == nil && tk.Status == hailurah.StatusResolved && tk.Rating == 5
		})
		// Every outbound message is on the screen, pending (no credentials).
		if n := tab.eval(`String(document.querySelectorAll('#phone-log .bubble.them').length)`); n == "0" {
			t.Fatal("no outbound messages shown")
		}
		if !strings.Contains(tab.eval(`document.querySelector('#phone-log').innerText`), "di outbox (simulasi)") {
			t.Error("outbound messages not shown as kept in the outbox")
		}
	})

	t.Run("web chat", func(t *testing.T) {
		tab := newCitizenTab(t, base, 390, 844)
		tab.do(chromedp.Navigate(base+"/curhat"), chromedp.WaitVisible(chromedp.ID("curhat-text")))
		tab.shot("curhat-form")
		tab.do(chromedp.SetValue(chromedp.ID("curhat-text"),
			"Lampu jalan di gang 3 mati sejak minggu lalu, gelap sekali dan rawan kejahatan malam hari."),
			chromedp.SetValue(chromedp.ID("curhat-kelurahan"), "demangan"),
			chromedp.SetValue(chromedp.ID("curhat-rt"), "4"), chromedp.SetValue(chromedp.ID("curhat-rw"), "1"),
			chromedp.Click(chromedp.ID("curhat-tembusan")),
			chromedp.Click(chromedp.CSS(`#curhat-form button[type=submit]`)))
		tab.waitFor("the chat with a tracking code", `!document.getElementById('chat').hidden && document.getElementById('chat-code').textContent.length >= 8`, time.Minute)
		tab.waitFor("the AI reply", logHas("chat-log", "Ringkasan"), time.Minute)
		tab.waitFor("the follow-up buttons", `document.querySelector('#chat-commands button[data-command="STATUS"]') !== null`, time.Minute)
		code := tab.eval(`document.getElementById('chat-code').textContent`)
		tk, err := m.DB.FindTicketByTrackingCode(ctx, code)
		if err != nil || tk.Kelurahan != "demangan" || tk.RT != "04" || !tk.TembusanFlag || tk.Channel != hailurah.ChannelWeb {
			t.Fatalf("web ticket %s: %+v %v", code, tk, err)
		}
		tab.click("#chat-commands", "Lihat perkembangan")
		tab.waitFor("the status answer", logHas("chat-log", "Status tiket"), time.Minute)
		tab.shot("curhat-chat")
		// A reload keeps the conversation of this tab.
		tab.do(chromedp.Reload())
		tab.waitFor("the conversation after a reload", logHas("chat-log", "Status tiket")+` && document.getElementById('chat-code').textContent === `+strconvQuote(code), time.Minute)
		tab.click("#chat", "Mulai curhat baru")
		tab.waitFor("the empty form", `!document.getElementById('curhat-form').hidden && document.getElementById('chat').hidden`, 10*time.Second)
	})

	t.Run("kiosk", func(t *testing.T) {
		tab := newCitizenTab(t, base, 1280, 800)
		tab.do(chromedp.Navigate(base+"/kiosk?kelurahan=taman&idle=10"), chromedp.WaitVisible(chromedp.ID("curhat-text")))
		tab.do(chromedp.SetValue(chromedp.ID("curhat-text"), "Saya warga RT01/RW02. Ada pohon besar miring di dekat balai RW, takut tumbang."),
			chromedp.Click(chromedp.ID("curhat-anonim")),
			chromedp.Click(chromedp.CSS(`#curhat-form button[type=submit]`)))
		tab.waitFor("the chat", `!document.getElementById('chat').hidden && document.getElementById('chat-code').textContent !== ''`, time.Minute)
		code := tab.eval(`document.getElementById('chat-code').textContent`)
		tk, err := m.DB.FindTicketByTrackingCode(ctx, code)
		if err != nil || tk.Kelurahan != "taman" || tk.Channel != hailurah.ChannelKiosk || !tk.PrivacyFlag {
			t.Fatalf("kiosk ticket: %+v %v", tk, err)
		}
		tab.shot("kiosk-chat")
		// Left alone, the kiosk warns, then forgets the citizen.
		tab.waitFor("the idle warning", `!document.getElementById('kiosk-idle').hidden`, 20*time.Second)
		tab.waitFor("the reset", `document.getElementById('chat').hidden && !document.getElementById('curhat-form').hidden && `+
			`document.getElementById('curhat-text').value === '' && document.getElementById('chat-log').children.length === 0`, 20*time.Second)
		// (htmx keeps the page's path in sessionStorage; nothing of the citizen.)
		kept := tab.eval(`JSON.stringify([Object.entries(sessionStorage), Object.entries(localStorage)])`)
		if strings.Contains(kept, code) || strings.Contains(kept, "pohon") || strings.Contains(kept, "hailurah.") {
			t.Errorf("the kiosk kept the citizen's curhat in the browser: %s", kept)
		}
	})
}

func strconvQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
