package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
)

// apiClient is a logged-in staff member (or an anonymous citizen) talking
// to the running program.
type apiClient struct {
	t    *testing.T
	base string
	http *http.Client
	csrf string
	// header is sent with every call (an Idempotency-Key).
	header map[string]string
}

func newAPIClient(t *testing.T, base string) *apiClient {
	jar, _ := cookiejar.New(nil)
	return &apiClient{t: t, base: base, http: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

func staffClient(t *testing.T, base, username string) *apiClient {
	t.Helper()
	c := newAPIClient(t, base)
	var out map[string]any
	if st := c.call("POST", "/api/v1/login", map[string]string{"username": username, "password": "demo-sandi-123"}, &out); st != 200 {
		t.Fatalf("login %s: %d %v", username, st, out)
	}
	c.csrf = out["csrf_token"].(string)
	return c
}

// call sends a JSON request and decodes the JSON answer into out.
func (c *apiClient) call(method, path string, body any, out any) int {
	c.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		c.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			c.t.Fatalf("%s %s: %d, not JSON: %s", method, path, resp.StatusCode, raw)
		}
	}
	return resp.StatusCode
}

// eventually polls cond until it holds or a minute passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

type tracking struct {
	TicketID string `json:"ticket_id"`
	Status   string `json:"status"`
	Kategori string `json:"kategori"`
	Urgency  int    `json:"urgency"`
	Reply    string `json:"reply"`
	Timeline []struct {
		Event string `json:"event"`
	} `json:"timeline"`
}

const gotCurhat = `HAI LURAH Taman Irfa Darojat
Saya warga RT03/RW02, Jalan Mawar. Sudah 3 bulan got sering tersumbat sampah, kalau hujan air meluap ke jalan. Mohon bantu.
TEMBUSAN: TIDAK
ANONIM: YA`

// TestCurhatLoop runs one ticket through the whole SOP on the real
// embedded Temporal server and the real store, through the API only:
// intake → triage → assign → dinas done → SESUDAH → resolved.
func TestCurhatLoop(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server")
	}
	m := startMain(t, t.TempDir())
	base := m.HTTP.URL()
	citizen := newAPIClient(t, base)

	var accepted struct{ TicketID, TrackingCode, Ack string }
	var raw map[string]any
	if st := citizen.call("POST", "/api/v1/curhat", map[string]any{"text": gotCurhat, "channel": "web"}, &raw); st != http.StatusAccepted {
		t.Fatalf("curhat: %d %v", st, raw)
	}
	accepted.TicketID, accepted.TrackingCode, accepted.Ack = raw["ticket_id"].(string), raw["tracking_code"].(string), raw["ack"].(string)
	if accepted.Ack == "" || len(accepted.TicketID) != len("HL-2026-000001") {
		t.Fatalf("accepted: %+v", accepted)
	}
	id := accepted.TicketID

	var tr tracking
	eventually(t, "the AI reply", func() bool {
		citizen.call("GET", "/api/v1/track/"+accepted.TrackingCode, nil, &tr)
		return tr.Reply != "" && tr.Status == string(hailurah.StatusOpen)
	})
	if tr.Kategori != hailurah.KategoriLingkungan {
		t.Errorf("kategori %q, want lingkungan", tr.Kategori)
	}

	mod := staffClient(t, base, "moderator")
	var list struct {
		Items []map[string]any `json:"items"`
	}
	if st := mod.call("GET", "/api/v1/tickets?status=open", nil, &list); st != 200 || len(list.Items) != 1 || list.Items[0]["id"] != id {
		t.Fatalf("moderator queue: %d %v", st, list)
	}
	if list.Items[0]["anonim"] != true || list.Items[0]["reporter"] != "Anonim" {
		t.Errorf("anonymous reporter shown as %v", list.Items[0]["reporter"])
	}

	// Kelurahan isolation: Demangan's staff neither see nor act on it.
	for _, u := range []string{"moderator-demangan", "lurah-demangan"} {
		other := staffClient(t, base, u)
		if st := other.call("GET", "/api/v1/tickets/"+id, nil, nil); st != http.StatusNotFound {
			t.Errorf("%s sees Taman's ticket: %d", u, st)
		}
		if st := other.call("POST", "/api/v1/tickets/"+id+"/actions", map[string]any{"action": "verify"}, nil); st != http.StatusNotFound {
			t.Errorf("%s acts on Taman's ticket: %d", u, st)
		}
		var l struct{ Items []any }
		other.call("GET", "/api/v1/tickets", nil, &l)
		if len(l.Items) != 0 {
			t.Errorf("%s lists %d Taman tickets", u, len(l.Items))
		}
	}

	var state hailurah.TicketState
	if st := mod.call("POST", "/api/v1/tickets/"+id+"/actions", map[string]any{"action": "assign", "unit": "pupr"}, &state); st != 200 || state.Status != hailurah.StatusAssigned {
		t.Fatalf("assign: %d %+v", st, state)
	}
	// A dinas action from the moderator is refused by the workflow.
	var refusal map[string]any
	if st := mod.call("POST", "/api/v1/tickets/"+id+"/actions", map[string]any{"action": "accept"}, &refusal); st != http.StatusForbidden {
		t.Errorf("moderator accepting: %d %v", st, refusal)
	}

	dlh := staffClient(t, base, "dinas-dlh")
	if st := dlh.call("GET", "/api/v1/tickets/"+id, nil, nil); st != http.StatusNotFound {
		t.Errorf("DLH sees a PUPR task: %d", st)
	}
	// A Demangan ticket for PUPR too: the unit sees its tasks from every
	// kelurahan, and nothing else.
	var second map[string]any
	if st := citizen.call("POST", "/api/v1/curhat", map[string]any{"text": "HAI LURAH Demangan\nrt 1 rw 4 jalan berlubang besar di depan pasar, sudah ada yang jatuh"}, &second); st != http.StatusAccepted {
		t.Fatalf("second curhat: %d %v", st, second)
	}
	id2 := second["ticket_id"].(string)
	modDemangan := staffClient(t, base, "moderator-demangan")
	eventually(t, "Demangan ticket open", func() bool {
		var tk map[string]any
		return modDemangan.call("GET", "/api/v1/tickets/"+id2, nil, &tk) == 200 && tk["status"] == "open"
	})
	if st := modDemangan.call("POST", "/api/v1/tickets/"+id2+"/actions", map[string]any{"action": "assign", "unit": "pupr"}, &state); st != 200 {
		t.Fatalf("assign Demangan ticket: %d %+v", st, state)
	}
	pupr := staffClient(t, base, "dinas-pupr")
	eventually(t, "both PUPR tasks listed", func() bool {
		return pupr.call("GET", "/api/v1/tickets", nil, &list) == 200 && len(list.Items) == 2
	})
	kels := map[any]bool{}
	for _, it := range list.Items {
		kels[it["kelurahan"]] = true
		if it["unit"] != "pupr" {
			t.Errorf("PUPR lists a task of unit %v", it["unit"])
		}
	}
	if !kels["taman"] || !kels["demangan"] {
		t.Errorf("PUPR tasks from %v, want taman and demangan", kels)
	}
	if st := pupr.call("GET", "/api/v1/tickets?unit=dlh", nil, nil); st != http.StatusForbidden {
		t.Errorf("PUPR asking for DLH's tasks: %d", st)
	}
	if st := pupr.call("POST", "/api/v1/tickets/"+id+"/actions", map[string]any{"action": "accept"}, &state); st != 200 || state.Status != hailurah.StatusInProgress {
		t.Fatalf("accept: %d %+v", st, state)
	}
	if st := pupr.call("POST", "/api/v1/tickets/"+id+"/actions", map[string]any{"action": "done", "text": "Got sudah dikeruk."}, &state); st != 200 || state.Status != hailurah.StatusAwaitingConfirmation {
		t.Fatalf("done: %d %+v", st, state)
	}
	if st := citizen.call("POST", "/api/v1/track/"+accepted.TrackingCode+"/reply", map[string]string{"text": "SESUDAH"}, nil); st != http.StatusAccepted {
		t.Fatalf("SESUDAH: %d", st)
	}
	eventually(t, "resolved", func() bool {
		citizen.call("GET", "/api/v1/track/"+accepted.TrackingCode, nil, &tr)
		return tr.Status == string(hailurah.StatusResolved)
	})
	// Verifying a resolved ticket is not allowed in its status.
	if st := mod.call("POST", "/api/v1/tickets/"+id+"/actions", map[string]any{"action": "verify"}, &refusal); st != http.StatusConflict {
		t.Errorf("verify after resolve: %d %v", st, refusal)
	}

	// The projection and the outbox, read from the store itself.
	ctx := context.Background()
	eventually(t, "projection resolved", func() bool {
		tk, err := m.DB.FindTicket(ctx, id)
		return err == nil && tk.Status == hailurah.StatusResolved
	})
	tk, _ := m.DB.FindTicket(ctx, id)
	if tk.AssignedUnit != "pupr" || tk.Kelurahan != "taman" || tk.RT != "03" || tk.RW != "02" || !tk.PrivacyFlag || tk.ModelVersion == "" {
		t.Errorf("projection: %+v", tk)
	}
	events, err := m.DB.ListTicketEvents(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, e := range events {
		seen[e.Type]++
	}
	for _, want := range []string{hailurah.EventCreated, hailurah.EventTriaged, hailurah.ActionAssign, hailurah.ActionAccept, hailurah.ActionDone, hailurah.EventCitizenConfirmed} {
		if seen[want] != 1 {
			t.Errorf("event %s recorded %d times: %v", want, seen[want], seen)
		}
	}
	eventually(t, "rating question in the outbox", func() bool {
		out, _ := m.DB.ListTicketOutbox(ctx, id)
		for _, o := range out {
			if o.Kind == hailurah.OutboxRatingQuestion {
				return true
			}
		}
		return false
	})
	out, _ := m.DB.ListTicketOutbox(ctx, id)
	kinds := map[string]int{}
	for _, o := range out {
		kinds[o.Kind]++
	}
	for _, k := range []string{hailurah.OutboxAck, hailurah.OutboxReply, hailurah.OutboxConfirm, hailurah.OutboxRatingQuestion} {
		if kinds[k] != 1 {
			t.Errorf("outbox %s: %d messages, want exactly 1 (%v)", k, kinds[k], kinds)
		}
	}
}

// TestSLATimerSurvivesRestart stops the whole program while a ticket waits
// on its moderator SLA and starts it again: the timer fires after the
// restart and the breach is recorded and notified.
func TestSLATimerSurvivesRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server")
	}
	dir := t.TempDir()
	rules := filepath.Join(dir, "rules.yaml")
	if err := os.WriteFile(rules, []byte("sla:\n  moderator: {default: 8s, by_urgency: {5: 8s}}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	m := startMain(t, dir, "HAILURAH_RULES="+rules)
	citizen := newAPIClient(t, m.HTTP.URL())
	var raw map[string]any
	if st := citizen.call("POST", "/api/v1/curhat", map[string]any{"text": gotCurhat}, &raw); st != http.StatusAccepted {
		t.Fatalf("curhat: %d %v", st, raw)
	}
	id := raw["ticket_id"].(string)
	ctx := context.Background()
	eventually(t, "ticket open", func() bool {
		tk, err := m.DB.FindTicket(ctx, id)
		return err == nil && tk.Status == hailurah.StatusOpen
	})
	tk, _ := m.DB.FindTicket(ctx, id)
	if tk.ModeratorBreached {
		t.Fatal("breached before the SLA ran out")
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(9 * time.Second) // the SLA runs out while nothing runs

	m = startMain(t, dir, "HAILURAH_RULES="+rules)
	eventually(t, "moderator breach after restart", func() bool {
		tk, err := m.DB.FindTicket(ctx, id)
		return err == nil && tk.ModeratorBreached
	})
	lurah := staffClient(t, m.HTTP.URL(), "lurah")
	var notes struct {
		Items []struct {
			Kind     string `json:"kind"`
			TicketID string `json:"ticket_id"`
		} `json:"items"`
	}
	eventually(t, "breach notification to the lurah", func() bool {
		lurah.call("GET", "/api/v1/notifications", nil, &notes)
		for _, n := range notes.Items {
			if n.Kind == hailurah.NotifyModeratorBreach && n.TicketID == id {
				return true
			}
		}
		return false
	})
}
