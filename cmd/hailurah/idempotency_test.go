package main

import (
	"context"
	"net/http"
	"reflect"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/workflows"
)

// keyed sends a request with an Idempotency-Key.
func (c *apiClient) keyed(method, path, key string, body any) (int, map[string]any) {
	c.t.Helper()
	c.header = map[string]string{"Idempotency-Key": key}
	defer func() { c.header = nil }()
	var out map[string]any
	return c.call(method, path, body, &out), out
}

// countOf counts what list holds of kind.
func countOf[T any](list []T, kind string, kindOf func(T) string) int {
	n := 0
	for _, v := range list {
		if kindOf(v) == kind {
			n++
		}
	}
	return n
}

// staffReplies counts the moderator's replies queued for the citizen.
func staffReplies(t *testing.T, m *Main, ticketID string) int {
	t.Helper()
	out, err := m.DB.ListTicketOutbox(context.Background(), ticketID)
	if err != nil {
		t.Fatal(err)
	}
	return countOf(out, hailurah.OutboxStaffReply, func(o *hailurah.OutboxDelivery) string { return o.Kind })
}

// TestStaffActionIdempotent: on the real embedded Temporal server, a staff
// action sent twice with one Idempotency-Key acts once and answers the
// repeat with the first outcome: the citizen gets one reply, and a
// repeated assign answers as the first did instead of 409. An action
// whose case has not finished it within the wait is EPENDING (the API's
// 202), and the same key later gets its outcome.
func TestStaffActionIdempotent(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server")
	}
	m := startMain(t, t.TempDir())
	base := m.HTTP.URL()
	citizen := newAPIClient(t, base)
	var accepted map[string]any
	if st := citizen.call("POST", "/api/v1/curhat", map[string]any{"text": gotCurhat, "channel": "web"}, &accepted); st != http.StatusAccepted {
		t.Fatalf("curhat: %d %v", st, accepted)
	}
	id := accepted["ticket_id"].(string)
	actions := "/api/v1/tickets/" + id + "/actions"
	mod := staffClient(t, base, "moderator")
	eventually(t, "the ticket open", func() bool {
		var tk map[string]any
		return mod.call("GET", "/api/v1/tickets/"+id, nil, &tk) == 200 && tk["status"] == "open"
	})

	// A double click on "Balas": one reply, the same answer twice.
	reply := map[string]any{"action": "reply", "text": "Terima kasih, petugas kami segera memeriksa got di RT03."}
	st1, first := mod.keyed("POST", actions, "balas-1", reply)
	st2, second := mod.keyed("POST", actions, "balas-1", reply)
	if st1 != http.StatusOK || st2 != http.StatusOK {
		t.Fatalf("reply twice: %d %v, %d %v", st1, first, st2, second)
	}
	if !reflect.DeepEqual(first, second) {
		t.Errorf("the repeat answered differently:\n%v\n%v", first, second)
	}
	if n := staffReplies(t, m, id); n != 1 {
		t.Errorf("the citizen got %d replies for one key, want 1", n)
	}
	// Another key is another reply.
	if st, out := mod.keyed("POST", actions, "balas-2", reply); st != http.StatusOK {
		t.Fatalf("second reply: %d %v", st, out)
	}
	if n := staffReplies(t, m, id); n != 2 {
		t.Errorf("%d replies after a second key, want 2", n)
	}

	// A retried status change answers as the first did, not 409.
	assign := map[string]any{"action": "assign", "unit": "pupr"}
	st1, first = mod.keyed("POST", actions, "teruskan-1", assign)
	st2, second = mod.keyed("POST", actions, "teruskan-1", assign)
	if st1 != http.StatusOK || st2 != http.StatusOK || !reflect.DeepEqual(first, second) {
		t.Fatalf("assign twice: %d %v, %d %v", st1, first, st2, second)
	}
	if st, out := mod.keyed("POST", actions, "teruskan-2", assign); st != http.StatusConflict {
		t.Errorf("assign again with a new key: %d %v, want 409", st, out)
	}

	// Not finished within the wait: EPENDING; the same key later gets the
	// outcome, and the note is written once.
	impatient := &workflows.Client{Temporal: m.Temporal, ActionWait: time.Nanosecond}
	note := hailurah.ActionRequest{Action: hailurah.ActionNote, Text: "Sudah dicek lewat telepon.",
		Actor: hailurah.Actor{Username: "moderator", Role: hailurah.RoleModerator, Kelurahan: "taman"}, IdempotencyKey: "catat-1"}
	if _, err := impatient.Act(context.Background(), id, note); hailurah.ErrorCode(err) != hailurah.EPENDING {
		t.Fatalf("an action not finished in time: %v, want EPENDING", err)
	}
	eventually(t, "the pending note's outcome", func() bool {
		st, _ := mod.keyed("POST", actions, "catat-1", map[string]any{"action": "note", "text": note.Text})
		return st == http.StatusOK
	})
	events, err := m.DB.ListTicketEvents(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if n := countOf(events, hailurah.ActionNote, func(e *hailurah.TicketEvent) string { return e.Type }); n != 1 {
		t.Errorf("%d notes for one key, want 1", n)
	}

	// An action that ends the case, repeated after it has ended: Temporal
	// still answers the Update's id with its outcome.
	if st := citizen.call("POST", "/api/v1/curhat", map[string]any{"text": gotCurhat, "channel": "web"}, &accepted); st != http.StatusAccepted {
		t.Fatalf("second curhat: %d %v", st, accepted)
	}
	ended := accepted["ticket_id"].(string)
	eventually(t, "the second ticket open", func() bool {
		var tk map[string]any
		return mod.call("GET", "/api/v1/tickets/"+ended, nil, &tk) == 200 && tk["status"] == "open"
	})
	reject := map[string]any{"action": "reject", "reason": "Duplikat laporan sebelumnya."}
	st1, first = mod.keyed("POST", "/api/v1/tickets/"+ended+"/actions", "tolak-1", reject)
	eventually(t, "the rejected ticket's workflow ended", func() bool {
		d, err := m.Temporal.DescribeWorkflowExecution(context.Background(), workflows.CurhatWorkflowID(ended), "")
		return err == nil && d.WorkflowExecutionInfo.Status == enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED
	})
	st2, second = mod.keyed("POST", "/api/v1/tickets/"+ended+"/actions", "tolak-1", reject)
	if st1 != http.StatusOK || st2 != http.StatusOK || !reflect.DeepEqual(first, second) {
		t.Errorf("reject repeated after the end: %d %v, %d %v", st1, first, st2, second)
	}
}

// TestCurhatIdempotent: a web or kiosk client that sends its curhat again
// with the same Idempotency-Key after a timeout gets the first ticket back
// (same id and tracking code), not a second ticket; another key, or other
// words under the same key, is another curhat.
func TestCurhatIdempotent(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server")
	}
	m := startMain(t, t.TempDir())
	kiosk := newAPIClient(t, m.HTTP.URL())
	body := map[string]any{"text": gotCurhat, "channel": "kiosk", "kelurahan": "taman"}
	st1, first := kiosk.keyed("POST", "/api/v1/curhat", "kios-7f3a", body)
	st2, second := kiosk.keyed("POST", "/api/v1/curhat", "kios-7f3a", body)
	if st1 != http.StatusAccepted || st2 != http.StatusAccepted {
		t.Fatalf("curhat twice: %d %v, %d %v", st1, first, st2, second)
	}
	if first["ticket_id"] != second["ticket_id"] || first["tracking_code"] != second["tracking_code"] || first["ticket_id"] == nil {
		t.Errorf("a retry with the same key made another ticket:\n%v\n%v", first, second)
	}
	_, other := kiosk.keyed("POST", "/api/v1/curhat", "kios-8b21", body)
	other2 := map[string]any{"text": "HAI LURAH Taman\nlampu jalan RT 1 mati", "channel": "kiosk", "kelurahan": "taman"}
	_, words := kiosk.keyed("POST", "/api/v1/curhat", "kios-7f3a", other2)
	if other["ticket_id"] == first["ticket_id"] || words["ticket_id"] == first["ticket_id"] {
		t.Errorf("another key or other words took the first ticket: %v, %v", other, words)
	}
	eventually(t, "three tickets recorded", func() bool {
		page, err := m.DB.ListTickets(context.Background(), hailurah.TicketFilter{Limit: 10})
		return err == nil && len(page.Items) == 3
	})
}
