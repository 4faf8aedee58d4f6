package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	sdklog "go.temporal.io/sdk/log"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/server"
	"github.com/hailurah/hailurah/workflows"
)

// sealedCurhat is a citizen's message that must never be readable in a
// history without the key.
const sealedCurhat = `HAI LURAH Taman Sri Wahyuni
Saya warga RT02/RW05, gang Kenanga. Saluran air mampet sejak minggu lalu, mohon dibantu pak. Kode-rahasia-7781.`

// TestSealedHistories runs a ticket on the real embedded server: its
// history holds only sealed payloads (read raw, without the codec), the
// app still reads its own results (an action's new state), an update
// sent by a client without the app's secret — as `temporal workflow
// update` would — is refused, the Temporal UI's codec endpoint opens the
// payloads for admins only, and /metrics shows the SDK's metrics.
func TestSealedHistories(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server")
	}
	m := startMain(t, t.TempDir())
	base := m.HTTP.URL()
	citizen := newAPIClient(t, base)
	var raw map[string]any
	if st := citizen.call("POST", "/api/v1/curhat", map[string]any{"text": sealedCurhat, "channel": "web"}, &raw); st != http.StatusAccepted {
		t.Fatalf("curhat: %d %v", st, raw)
	}
	id, code := raw["ticket_id"].(string), raw["tracking_code"].(string)
	var tr tracking
	eventually(t, "the AI reply", func() bool {
		citizen.call("GET", "/api/v1/track/"+code, nil, &tr)
		return tr.Reply != "" && tr.Status == string(hailurah.StatusOpen)
	})
	mod := staffClient(t, base, "moderator")
	var state hailurah.TicketState
	if st := mod.call("POST", "/api/v1/tickets/"+id+"/actions", map[string]any{"action": "assign", "unit": "pupr"}, &state); st != http.StatusOK || state.Status != hailurah.StatusAssigned {
		t.Fatalf("assign through the app: %d %+v", st, state)
	}

	// A client of the same cluster without the app's keys.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	outsider, err := client.DialContext(ctx, client.Options{HostPort: m.Devserver.FrontendAddr(), Namespace: m.Devserver.Namespace(),
		Logger: sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))})
	if err != nil {
		t.Fatal(err)
	}
	defer outsider.Close()
	wid := workflows.CurhatWorkflowID(id)
	var payloads []*commonpb.Payload
	it := outsider.GetWorkflowHistory(ctx, wid, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := proto.Marshal(ev)
		if bytes.Contains(b, []byte("Kode-rahasia-7781")) {
			t.Errorf("event %d (%s) holds the citizen's text in clear", ev.GetEventId(), ev.GetEventType())
		}
		payloads = append(payloads, eventPayloads(ev)...)
	}
	if len(payloads) < 5 {
		t.Fatalf("only %d payloads in the history", len(payloads))
	}
	for _, p := range payloads {
		if enc := string(p.GetMetadata()[converter.MetadataEncoding]); enc != workflows.MetadataEncodingEncrypted {
			t.Errorf("a payload in the history is %q, not sealed", enc)
		}
	}

	// `temporal workflow update` by someone who reaches the frontend.
	forged := hailurah.ActionRequest{Action: hailurah.ActionReject, Reason: "spam", Actor: hailurah.Actor{Username: "admin", Role: hailurah.RoleAdmin}}
	h, err := outsider.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: wid, UpdateName: workflows.UpdateAction,
		Args: []any{forged}, WaitForStage: client.WorkflowUpdateStageCompleted})
	if err == nil {
		err = h.Get(ctx, nil)
	}
	if err == nil || !strings.Contains(err.Error(), "tanda tangan pelaku tidak sah") {
		t.Errorf("an unsigned admin's update: %v, want refused", err)
	}
	var after hailurah.TicketState
	if st := mod.call("GET", "/api/v1/tickets/"+id, nil, &after); st != http.StatusOK || after.Status != hailurah.StatusAssigned {
		t.Errorf("after the forged update the ticket is %d %q, want still assigned", st, after.Status)
	}

	// The Temporal UI's codec endpoint: admins read the payloads, nobody else.
	body, _ := protojson.Marshal(&commonpb.Payloads{Payloads: payloads[:1]})
	admin := staffClient(t, base, "admin")
	for _, c := range []struct {
		who  string
		http *http.Client
		want int
	}{{"anonymous", http.DefaultClient, http.StatusUnauthorized}, {"moderator", mod.http, http.StatusForbidden}, {"admin", admin.http, http.StatusOK}} {
		req, _ := http.NewRequest("POST", base+server.CodecPath+"/decode", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", "https://penyerang.example")
		resp, err := c.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("codec decode as %s: %d, want %d: %s", c.who, resp.StatusCode, c.want, out)
		}
		if resp.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("codec decode allows the origin %q", resp.Header.Get("Access-Control-Allow-Origin"))
		}
		if c.want == http.StatusOK {
			var decoded commonpb.Payloads
			if err := protojson.Unmarshal(out, &decoded); err != nil || len(decoded.Payloads) != 1 {
				t.Fatalf("decoded: %v %s", err, out)
			}
			if !bytes.Contains(decoded.Payloads[0].GetData(), []byte("Kode-rahasia-7781")) {
				t.Errorf("the decoded start input lacks the citizen's text: %s", decoded.Payloads[0].GetData())
			}
		}
	}

	// The SDK's metrics on the app's /metrics.
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	text, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, name := range []string{"temporal_workflow_task_schedule_to_start_latency_seconds_bucket", "temporal_sticky_cache_size",
		"temporal_activity_execution_latency_seconds_count", "hailurah_http_requests_total"} {
		if !bytes.Contains(text, []byte(name)) {
			t.Errorf("/metrics lacks %s", name)
		}
	}
	if t.Failed() {
		t.Logf("temporal metrics:\n%s", grepLines(string(text), "temporal_"))
	}
}

// eventPayloads are the payloads an event carries as input or result.
func eventPayloads(ev *historypb.HistoryEvent) []*commonpb.Payload {
	var out []*commonpb.Payload
	add := func(ps *commonpb.Payloads) { out = append(out, ps.GetPayloads()...) }
	add(ev.GetWorkflowExecutionStartedEventAttributes().GetInput())
	add(ev.GetActivityTaskScheduledEventAttributes().GetInput())
	add(ev.GetActivityTaskCompletedEventAttributes().GetResult())
	add(ev.GetWorkflowExecutionSignaledEventAttributes().GetInput())
	add(ev.GetWorkflowExecutionUpdateAcceptedEventAttributes().GetAcceptedRequest().GetInput().GetArgs())
	add(ev.GetWorkflowExecutionUpdateCompletedEventAttributes().GetOutcome().GetSuccess())
	return out
}

func grepLines(s, substr string) string {
	var b strings.Builder
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, substr) && !strings.HasPrefix(l, "#") {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}
