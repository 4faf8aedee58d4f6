package server_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/intake"
	"github.com/hailurah/hailurah/server"
	"github.com/hailurah/hailurah/store/storetest"
)

// contactFixture is the server with intake on a real store, holding a
// named WhatsApp ticket that typed its NIK, an anonymous one, and the
// named one's twin assigned to PUPR.
type contactFixture struct {
	*fixture
	named, anon, task string
}

const (
	contactNIK   = "3577012345670001"
	contactWA    = "6281399990000"
	contactName  = "Budi Santoso"
	contactWords = "HAI LURAH Taman, got mampet di RT 03/RW 02. NIK saya " + contactNIK + "."
)

func newContactFixture(t *testing.T) *contactFixture {
	t.Helper()
	db := storetest.Open(t)
	f := newFixture(t, db)
	f.addOutOfScopeUsers()
	ctx := context.Background()
	cases := &recordingCases{}
	in := runIntake(t, db, cases, chanSecret, f.now.Now, 0)
	srv, err := server.New(server.Config{Users: db, Audit: db, Kelurahan: db, Tickets: db, Notifications: db,
		Cases: cases, Channels: db, Intake: in, Secret: []byte(chanSecret), Now: f.now.Now})
	if err != nil {
		t.Fatal(err)
	}
	f.srv = srv
	f.ts.Config.Handler = srv.Handler()

	cf := &contactFixture{fixture: f}
	yes := true
	for i, m := range []intake.Message{
		{ProviderID: "wamid.named", Phone: contactWA, Name: contactName},
		{ProviderID: "wamid.anon", Phone: "6281399990001", Name: contactName, Anonim: &yes},
		{ProviderID: "wamid.task", Phone: "6281399990002", Name: contactName},
	} {
		m.Channel, m.PhoneVerified, m.Text, m.SentAt = hailurah.ChannelWhatsApp, true, contactWords, f.now.Now()
		rc, err := in.Receive(ctx, m)
		if err != nil || rc.TicketID == "" {
			t.Fatalf("receive %d: %+v %v", i, rc, err)
		}
		*[]*string{&cf.named, &cf.anon, &cf.task}[i] = rc.TicketID
	}
	task, err := db.FindTicket(ctx, cf.task)
	if err != nil {
		t.Fatal(err)
	}
	task.Status, task.AssignedUnit, task.Version = hailurah.StatusAssigned, "pupr", 1
	if err := db.UpsertTicket(ctx, task); err != nil {
		t.Fatal(err)
	}
	return cf
}

func (c *client) reveal(id, body string) (*http.Response, map[string]any) {
	return c.do("POST", "/api/v1/tickets/"+id+"/contact", body, map[string]string{"X-CSRF-Token": c.csrf})
}

// TestContactReveal: the moderator of the kelurahan, the officer of the
// assigned unit and the admin reveal a named citizen's contact with a
// reason, which the audit log keeps; nobody reveals an anonymous one;
// out of scope is 404 as for every ticket endpoint, a role that does not
// work the ticket 403, a missing reason 422.
func TestContactReveal(t *testing.T) {
	f := newContactFixture(t)
	const reason = "Menelepon warga untuk memastikan lokasi got"
	body := `{"reason":"` + reason + `"}`
	for _, c := range []struct{ user, ticket string }{{"moderator", f.named}, {"dinas-pupr", f.task}, {"admin", f.named}} {
		resp, out := f.as(t, c.user).reveal(c.ticket, body)
		if resp.StatusCode != http.StatusOK || out["name"] != contactName || out["message"] != contactWords {
			t.Errorf("%s reveals %s: %d %v", c.user, c.ticket, resp.StatusCode, out)
		}
		if c.ticket == f.named && out["phone"] != "+"+contactWA {
			t.Errorf("%s: phone %v", c.user, out["phone"])
		}
	}
	entries, err := f.db.ListAudit(context.Background(), 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	revealed := 0
	for _, e := range entries {
		if e.Action == hailurah.AuditContactRevealed {
			revealed++
			if !strings.Contains(e.Detail, reason) || (e.Target != f.named && e.Target != f.task) {
				t.Errorf("audit entry %+v", e)
			}
		}
	}
	if revealed != 3 {
		t.Fatalf("%d audit entries %s, want 3", revealed, hailurah.AuditContactRevealed)
	}

	for _, c := range []struct {
		user, ticket, body string
		status             int
		field              string
	}{
		{"moderator", f.anon, body, http.StatusForbidden, ""},
		{"admin", f.anon, body, http.StatusForbidden, ""},
		{"lurah", f.named, body, http.StatusForbidden, ""},
		{"fasilitator", f.named, body, http.StatusForbidden, ""},
		{"moderator-demangan", f.named, body, http.StatusNotFound, ""},
		{"dinas-dlh", f.task, body, http.StatusNotFound, ""},
		{"dinas-pupr", f.named, body, http.StatusNotFound, ""},
		{"moderator", "HL-2026-999999", body, http.StatusNotFound, ""},
		{"moderator", f.named, `{}`, http.StatusUnprocessableEntity, "reason"},
		{"moderator", f.named, `{"reason":"   "}`, http.StatusUnprocessableEntity, "reason"},
		{"moderator", f.named, `{"reason":"cek"}`, http.StatusUnprocessableEntity, "reason"},
		{"moderator", f.named, `{"reason":5}`, http.StatusUnprocessableEntity, "reason"},
		// The order of every action: who before what.
		{"lurah", f.named, `{}`, http.StatusForbidden, ""},
	} {
		resp, out := f.as(t, c.user).reveal(c.ticket, c.body)
		e, _ := out["error"].(map[string]any)
		if resp.StatusCode != c.status || e == nil || e["message"] == "" || (c.field != "" && e["field"] != c.field) {
			t.Errorf("%s on %s with %s: %d %v, want %d field %q", c.user, c.ticket, c.body, resp.StatusCode, out, c.status, c.field)
		}
		if _, ok := out["phone"]; ok {
			t.Errorf("%s on %s: refusal carries the contact: %v", c.user, c.ticket, out)
		}
	}
	_, out := f.as(t, "moderator").reveal(f.anon, body)
	if msg := out["error"].(map[string]any)["message"].(string); !strings.Contains(msg, "anonim") {
		t.Errorf("anonymous refusal says %q", msg)
	}
	// Without a session, or without the session's CSRF token.
	if resp, _ := f.client().do("POST", "/api/v1/tickets/"+f.named+"/contact", body, nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous caller: %d", resp.StatusCode)
	}
	if resp, _ := f.as(t, "moderator").do("POST", "/api/v1/tickets/"+f.named+"/contact", body, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("without CSRF token: %d", resp.StatusCode)
	}
	if entries, _ := f.db.ListAudit(context.Background(), 100, 0); countAction(entries, hailurah.AuditContactRevealed) != 3 {
		t.Error("a refused reveal was audited as revealed")
	}

	// The ticket JSON and page show neither, whatever was revealed before.
	mod := f.as(t, "moderator")
	_, raw := mod.page("GET", "/api/v1/tickets/"+f.named, nil)
	_, page := mod.page("GET", "/tiket/"+f.named, nil)
	for _, s := range []string{contactName, contactWA, "81399990000", contactNIK} {
		if strings.Contains(raw, s) || strings.Contains(page, s) {
			t.Errorf("ticket JSON or page shows %q before the reveal", s)
		}
	}
	if !strings.Contains(raw, "3577••••••••0001") {
		t.Errorf("ticket JSON lacks the masked NIK: %s", raw)
	}
}

func countAction(entries []*hailurah.AuditEntry, action string) int {
	n := 0
	for _, e := range entries {
		if e.Action == action {
			n++
		}
	}
	return n
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// TestContactRevealPage: the ticket page offers "Tampilkan kontak" to who
// may reveal, and answers the form with the contact on the page itself.
func TestContactRevealPage(t *testing.T) {
	f := newContactFixture(t)
	mod := f.as(t, "moderator")
	_, page := mod.page("GET", "/tiket/"+f.named, nil)
	if !strings.Contains(page, `action="/tiket/`+f.named+`/kontak`) || !strings.Contains(page, "Tampilkan kontak") {
		t.Fatal("the moderator's ticket page offers no reveal")
	}
	token := csrfField.FindStringSubmatch(page)[1]
	for user, id := range map[string]string{"lurah": f.named, "moderator": f.anon} {
		if _, page := f.as(t, user).page("GET", "/tiket/"+id, nil); strings.Contains(page, "/kontak") {
			t.Errorf("%s is offered the reveal on %s", user, id)
		}
	}

	status, page := mod.page("POST", "/tiket/"+f.named+"/kontak", url.Values{"csrf_token": {token}, "reason": {"cek"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(page, "Alasan terlalu singkat") || strings.Contains(page, contactName) {
		t.Errorf("short reason: %d", status)
	}
	if status, _ := mod.page("POST", "/tiket/"+f.named+"/kontak", url.Values{"reason": {"Menelepon warga untuk lokasi"}}); status != http.StatusForbidden {
		t.Errorf("without CSRF token: %d", status)
	}
	status, page = mod.page("POST", "/tiket/"+f.named+"/kontak", url.Values{"csrf_token": {token}, "reason": {"Menelepon warga untuk lokasi"}})
	if status != http.StatusOK {
		t.Fatalf("reveal form: %d", status)
	}
	for _, want := range []string{contactName, "&#43;" + contactWA, contactNIK, "tercatat di log audit"} {
		if !strings.Contains(page, want) {
			t.Errorf("revealed page lacks %q", want)
		}
	}
	lurah := f.as(t, "lurah")
	_, page = lurah.page("GET", "/tiket/"+f.named, nil)
	form := url.Values{"csrf_token": {csrfField.FindStringSubmatch(page)[1]}, "reason": {"Menelepon warga untuk lokasi"}}
	if status, page := lurah.page("POST", "/tiket/"+f.named+"/kontak", form); status != http.StatusForbidden || strings.Contains(page, contactName) {
		t.Errorf("lurah's form: %d", status)
	}
}
