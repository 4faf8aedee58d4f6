package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/server"
)

// slowCases takes every action and finishes none in time (EPENDING), and
// records the idempotency keys the server sent.
type slowCases struct {
	closedCases
	mu   sync.Mutex
	keys []string
}

func (s *slowCases) Act(_ context.Context, _ string, req hailurah.ActionRequest) (*hailurah.TicketState, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys = append(s.keys, req.IdempotencyKey)
	return nil, hailurah.Errorf(hailurah.EPENDING, "Aksi sudah diterima dan sedang diproses.")
}

func (s *slowCases) sent() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.keys...)
}

// TestActionIdempotencyKeyAndPending: the API passes the Idempotency-Key
// header on and the pages a hidden idempotency_key field rendered into
// each form; an action its case has not finished in time answers 202
// with "sedang diproses" (JSON for the API, a flash for the pages)
// instead of hanging or failing.
func TestActionIdempotencyKeyAndPending(t *testing.T) {
	f := newUIFixture(t, nil)
	cases := &slowCases{}
	srv, err := server.New(server.Config{Users: f.db, Audit: f.db, Kelurahan: f.db, Tickets: f.db, Notifications: f.db,
		Cases: cases, DataDir: f.dataDir, Now: f.now.Now})
	if err != nil {
		t.Fatal(err)
	}
	f.ts.Config.Handler = srv.Handler()
	tamanOpen, _, _, _ := seedTickets(t, f)
	mod := f.as(t, "moderator")
	_, page := mod.page("GET", "/tiket/"+tamanOpen.ID, nil)
	token := between(page, `name="csrf-token" content="`, `"`)
	key := between(page, `name="idempotency_key" value="`, `"`)
	if key == "" || strings.Count(page, key) != 1 {
		t.Fatalf("each form needs its own idempotency key; got %q", key)
	}

	resp, out := mod.do("POST", "/api/v1/tickets/"+tamanOpen.ID+"/actions", `{"action":"note","text":"dicek"}`,
		map[string]string{"Idempotency-Key": "catat-1", "X-CSRF-Token": token})
	if resp.StatusCode != http.StatusAccepted || out["status"] != "processing" || !strings.Contains(out["message"].(string), "sedang diproses") {
		t.Fatalf("pending action: %d %v", resp.StatusCode, out)
	}
	resp, out = mod.do("POST", "/api/v1/tickets/"+tamanOpen.ID+"/actions", `{"action":"note","text":"dicek"}`,
		map[string]string{"Idempotency-Key": strings.Repeat("k", 129), "X-CSRF-Token": token})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a 129-character key: %d %v", resp.StatusCode, out)
	}

	st, _ := mod.page("POST", "/tiket/"+tamanOpen.ID+"/aksi", url.Values{"csrf_token": {token}, "action": {"note"},
		"text": {"dicek"}, "idempotency_key": {key}})
	if st != http.StatusSeeOther {
		t.Fatalf("pending form: %d", st)
	}
	_, page = mod.page("GET", "/tiket/"+tamanOpen.ID+"?ok=diproses", nil)
	if !strings.Contains(page, "sedang diproses") {
		t.Error("the page does not say the action is being processed")
	}
	if got := cases.sent(); len(got) != 2 || got[0] != "catat-1" || got[1] != key {
		b, _ := json.Marshal(got)
		t.Errorf("keys sent to the workflow: %s", b)
	}
}
