package main

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// devMessages reads what the system queued for a phone (the dev outbox).
func devMessages(c *apiClient, phone string) []map[string]any {
	c.t.Helper()
	var out []map[string]any
	if st := c.call("GET", "/api/v1/dev/outbox?to="+url.QueryEscape(phone), nil, &out); st != http.StatusOK {
		c.t.Fatalf("dev outbox: %d", st)
	}
	return out
}

// TestTypedPhoneConfirmedByCode: a phone typed into the web chat is sent
// one neutral code and nothing else, and its WhatsApp messages do not
// reach the ticket; a staff session cannot type the code; the citizen's
// right code makes the phone the ticket's contact, so the next update
// reaches it and its SESUDAH and rating close the ticket. The whole
// program: embedded Temporal, the worker, SQLite.
func TestTypedPhoneConfirmedByCode(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server")
	}
	m := startMain(t, t.TempDir())
	base := m.HTTP.URL()
	const phone = "+6281298765432"
	citizen := newAPIClient(t, base)
	var accepted struct {
		TicketID      string `json:"ticket_id"`
		TrackingCode  string `json:"tracking_code"`
		PhoneCodeSent bool   `json:"phone_code_sent"`
	}
	if st := citizen.call("POST", "/api/v1/curhat", map[string]any{"text": gotCurhat, "phone": "081298765432"}, &accepted); st != http.StatusAccepted || !accepted.PhoneCodeSent {
		t.Fatalf("curhat: %d %+v", st, accepted)
	}
	id, track := accepted.TicketID, "/api/v1/track/"+accepted.TrackingCode
	var tr struct {
		Status   string `json:"status"`
		Phone    string `json:"phone"`
		Messages []struct {
			Text string `json:"text"`
		} `json:"messages"`
	}
	eventually(t, "the AI reply", func() bool {
		citizen.call("GET", track, nil, &tr)
		return tr.Status == "open"
	})
	if tr.Phone != "pending" {
		t.Errorf("tracking page phone = %q, want pending", tr.Phone)
	}
	// Before confirming: the code, and nothing of the ticket.
	sent := devMessages(citizen, phone)
	if len(sent) != 1 || sent[0]["kind"] != "phone_code" || sent[0]["ticket_id"] != nil && sent[0]["ticket_id"] != "" {
		t.Fatalf("messages to the typed phone before confirming: %+v", sent)
	}
	code := regexp.MustCompile(`\b[0-9]{6}\b`).FindString(sent[0]["text"].(string))
	for _, msg := range tr.Messages {
		if strings.Contains(msg.Text, code) {
			t.Errorf("the tracking page shows the code: %q", msg.Text)
		}
	}
	// The phone's WhatsApp answer does not join the ticket.
	whatsApp := func(wamid, text string) {
		t.Helper()
		resp, err := http.Post(base+"/webhook/whatsapp", "application/json",
			bytes.NewReader(metaTextNamed(wamid, strings.TrimPrefix(phone, "+"), "Warga", text)))
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("webhook: %v %v", err, resp)
		}
		resp.Body.Close()
		if err := m.Intake.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	whatsApp("wamid.typed1", "SESUDAH")
	if in, err := m.DB.FindInbound(context.Background(), "wamid.typed1"); err != nil || in.TicketID == id {
		t.Errorf("the phone's SESUDAH reached the web ticket: %+v %v", in, err)
	}
	for _, msg := range devMessages(citizen, phone) {
		if msg["ticket_id"] == id {
			t.Errorf("a message of the ticket went to the unconfirmed phone: %+v", msg)
		}
	}

	// Staff cannot confirm for the citizen; bad input and wrong codes are refused.
	mod := staffClient(t, base, "moderator")
	if st := mod.call("POST", track+"/phone", map[string]string{"code": code}, nil); st != http.StatusForbidden {
		t.Errorf("staff confirming: %d, want 403", st)
	}
	var refusal struct {
		Error struct{ Field, Message string } `json:"error"`
	}
	if st := citizen.call("POST", track+"/phone", map[string]string{"code": "12ab"}, &refusal); st != http.StatusUnprocessableEntity || refusal.Error.Field != "code" {
		t.Errorf("bad input: %d %+v", st, refusal)
	}
	wrong := "000000"
	if code == wrong {
		wrong = "000001"
	}
	if st := citizen.call("POST", track+"/phone", map[string]string{"code": wrong}, &refusal); st != http.StatusUnprocessableEntity || !strings.Contains(refusal.Error.Message, "Kode salah") {
		t.Errorf("wrong code: %d %+v", st, refusal)
	}
	if st := citizen.call("POST", track+"/phone", map[string]string{"code": code}, nil); st != http.StatusOK {
		t.Fatalf("right code: %d", st)
	}
	if citizen.call("GET", track, nil, &tr); tr.Phone != "confirmed" {
		t.Errorf("tracking page phone = %q after confirming", tr.Phone)
	}

	// The phone now follows the ticket: the next update reaches it, and its
	// SESUDAH and rating close the ticket.
	kinds := func() map[string]int {
		n := map[string]int{}
		for _, msg := range devMessages(citizen, phone) {
			if msg["ticket_id"] == id {
				n[msg["kind"].(string)]++
			}
		}
		return n
	}
	eventually(t, "the phone told it follows the ticket", func() bool { return kinds()["phone_linked"] == 1 })
	if st := mod.call("POST", "/api/v1/tickets/"+id+"/actions", map[string]any{"action": "assign", "unit": "pupr"}, nil); st != http.StatusOK {
		t.Fatalf("assign: %d", st)
	}
	eventually(t, "the assignment on the phone", func() bool { return kinds()["status"] == 1 })
	whatsApp("wamid.typed2", "SESUDAH")
	eventually(t, "the phone's SESUDAH resolves the ticket", func() bool {
		citizen.call("GET", track, nil, &tr)
		return tr.Status == "resolved"
	})
	whatsApp("wamid.typed3", "5")
	eventually(t, "the phone's rating", func() bool {
		tk, err := m.DB.FindTicket(context.Background(), id)
		return err == nil && tk.Rating == 5
	})
	if n := kinds()["rating_question"]; n != 1 {
		t.Errorf("rating questions to the phone: %d", n)
	}
}

// TestBrowserPhoneCode: the web chat with a WhatsApp number offers
// "Masukkan kode dari WhatsApp"; a wrong code is answered next to the
// field, the right one shows the number connected.
func TestBrowserPhoneCode(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server and Chromium")
	}
	m := startMain(t, t.TempDir())
	base := m.HTTP.URL()
	b := newBrowser(t, base)
	warga := b.newTab("warga", 390, 844, true)
	if st := warga.open("/curhat"); st != http.StatusOK {
		t.Fatalf("/curhat: %d", st)
	}
	warga.do(chromedp.SendKeys(chromedp.ID("curhat-text"), "HAI LURAH Taman\nRT 3 RW 2, lampu jalan mati sebulan."),
		chromedp.SendKeys(chromedp.ID("curhat-phone"), "081298765433"),
		chromedp.Click(chromedp.CSS("#curhat-form button[type=submit]")))
	warga.waitFor(`!document.getElementById("phone-form").hidden`, time.Minute)
	var code string
	eventually(t, "the code on the phone", func() bool {
		sent := devMessages(newAPIClient(t, base), "+6281298765433")
		if len(sent) == 1 {
			code = regexp.MustCompile(`\b[0-9]{6}\b`).FindString(sent[0]["text"].(string))
		}
		return code != ""
	})
	wrong := "000000"
	if code == wrong {
		wrong = "000001"
	}
	warga.do(chromedp.SendKeys(chromedp.ID("phone-code"), wrong), chromedp.Click(chromedp.CSS("#phone-form button[type=submit]")))
	warga.waitFor(`!document.getElementById("phone-code-error").hidden`, 30*time.Second)
	if got := warga.text("#phone-code-error"); !strings.Contains(got, "Kode salah") {
		t.Errorf("wrong code answered %q", got)
	}
	warga.shot("kode-whatsapp-salah")
	warga.do(chromedp.SetValue(chromedp.ID("phone-code"), code), chromedp.Click(chromedp.CSS("#phone-form button[type=submit]")))
	if _, err := chromedp.Run(warga.ctx, chromedp.Poll[bool](`!document.getElementById("phone-ok").hidden && document.getElementById("phone-form").hidden`,
		chromedp.WithPollingInterval(250*time.Millisecond), chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatalf("the right code: %v; the page says %q", err, warga.text("#phone-code-error"))
	}
	warga.shot("kode-whatsapp-terhubung")
}
