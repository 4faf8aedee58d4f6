//go:build record

// This file is not a test of the workflows: it records the histories that
// replay_test.go replays, by running the workflows on a real Temporal
// server (the server module's temporaltest, SQLite in memory) with short
// SLAs. It needs go.temporal.io/server, whose first build is slow, hence
// the build tag. Record again only for a NEW history (a new workflow
// version); never overwrite the histories of versions still running.
//
//	go test -tags record -run TestRecordHistories -v ./workflows/
package workflows_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/temporalproto"
	"go.temporal.io/sdk/client"
	sdktemporal "go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/temporal"
	"go.temporal.io/server/temporaltest"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/activities"
	"github.com/hailurah/hailurah/triage"
	"github.com/hailurah/hailurah/workflows"
)

// memStore is the smallest stand-in for the store that lets the real
// activities run: it keeps nothing but what the recording checks.
type memStore struct {
	mu     sync.Mutex
	outbox map[string]*hailurah.OutboxMessage
	notes  map[string]*hailurah.Notification
}

func (m *memStore) UpsertTicket(context.Context, *hailurah.Ticket) error        { return nil }
func (m *memStore) AddTicketEvent(context.Context, *hailurah.TicketEvent) error { return nil }
func (m *memStore) DigestCounts(context.Context, time.Time, time.Time) ([]*hailurah.KelurahanDigest, error) {
	return []*hailurah.KelurahanDigest{{Kelurahan: "taman", KelurahanName: "Taman", New: 3, Resolved: 1}}, nil
}

func (m *memStore) Enqueue(_ context.Context, msg *hailurah.OutboxMessage) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.outbox[msg.IdempotencyKey] = msg
	return nil
}

func (m *memStore) Notify(_ context.Context, n *hailurah.Notification) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.notes[n.IdempotencyKey] = n
	return 1, nil
}

type fixedClassifier struct{ urgency int }

func (c fixedClassifier) Classify(context.Context, string) (*triage.Triage, error) {
	return triageResult(c.urgency), nil
}

// shortPolicy makes every SLA of the scenarios pass within seconds.
func shortPolicy() hailurah.SLAPolicy {
	return hailurah.SLAPolicy{
		Moderator:        hailurah.ModeratorSLA{Default: 3 * time.Second},
		Dinas:            hailurah.DinasSLA{ByUrgency: map[int]time.Duration{1: 3 * time.Second}, Calendar: hailurah.CalendarHours},
		Citizen:          hailurah.CitizenSLA{Reminder: 2 * time.Second, AutoClose: 4 * time.Second},
		EscalationLevels: 2,
	}
}

type recorder struct {
	t  *testing.T
	c  client.Client
	ns string
}

// newRecorder starts a server and a worker with the activities and any
// more activity structs (extra) registered.
func newRecorder(t *testing.T, urgency int, dc dynamicconfig.StaticClient, extra ...any) *recorder {
	t.Helper()
	dc[dynamicconfig.ForceSearchAttributesCacheRefreshOnRead.Key()] = true
	ts := temporaltest.NewServer(temporaltest.WithT(t),
		temporaltest.WithBaseServerOptions(temporal.WithDynamicConfigClient(dc)))
	c := ts.GetDefaultClient()
	ctx := context.Background()
	if _, err := c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		SearchAttributes: workflows.SearchAttributes(), Namespace: ts.GetDefaultNamespace(),
	}); err != nil {
		t.Fatal(err)
	}
	store := &memStore{outbox: map[string]*hailurah.OutboxMessage{}, notes: map[string]*hailurah.Notification{}}
	acts := &activities.Activities{Tickets: store, Outbox: store, Notifications: store,
		Classifier: fixedClassifier{urgency}, BaseURL: "http://localhost:8080"}
	ts.NewWorker(workflows.TaskQueue, func(r worker.Registry) {
		r.RegisterWorkflow(workflows.CurhatWorkflow)
		r.RegisterWorkflow(workflows.DigestWorkflow)
		r.RegisterActivity(acts)
		for _, e := range extra {
			r.RegisterActivity(e)
		}
	})
	return &recorder{t: t, c: c, ns: ts.GetDefaultNamespace()}
}

func (r *recorder) start(in hailurah.CurhatInput) client.WorkflowRun {
	r.t.Helper()
	run, err := r.c.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{
		ID: workflows.CurhatWorkflowID(in.TicketID), TaskQueue: workflows.TaskQueue,
	}, workflows.CurhatWorkflow, in)
	if err != nil {
		r.t.Fatal(err)
	}
	return run
}

func (r *recorder) say(id, msgID, text string) {
	r.t.Helper()
	err := r.c.SignalWorkflow(context.Background(), workflows.CurhatWorkflowID(id), "", workflows.SignalCitizenMessage,
		hailurah.CitizenMessage{ID: msgID, At: time.Now(), Text: text, Channel: hailurah.ChannelWhatsApp})
	if err != nil {
		r.t.Fatal(err)
	}
}

func (r *recorder) act(id string, actor hailurah.Actor, req hailurah.ActionRequest) error {
	r.t.Helper()
	req.Actor = actor
	h, err := r.c.UpdateWorkflow(context.Background(), client.UpdateWorkflowOptions{
		WorkflowID: workflows.CurhatWorkflowID(id), UpdateName: workflows.UpdateAction,
		Args: []any{req}, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return err
	}
	var st hailurah.TicketState
	return h.Get(context.Background(), &st)
}

func (r *recorder) mustAct(id string, actor hailurah.Actor, req hailurah.ActionRequest) {
	r.t.Helper()
	if err := r.act(id, actor, req); err != nil {
		r.t.Fatalf("%s: %v", req.Action, err)
	}
}

// waitFor polls the state query until cond holds.
func (r *recorder) waitFor(id, what string, cond func(hailurah.TicketState) bool) {
	r.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		v, err := r.c.QueryWorkflow(context.Background(), workflows.CurhatWorkflowID(id), "", workflows.QueryState)
		if err == nil {
			var st hailurah.TicketState
			if err := v.Get(&st); err == nil && cond(st) {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	r.t.Fatalf("timed out waiting for %s", what)
}

// save writes the history of one run in the CLI's JSON format and returns
// the run it continued as, if any.
func (r *recorder) save(workflowID, runID, name string) (next string) {
	r.t.Helper()
	ctx := context.Background()
	iter := r.c.GetWorkflowHistory(ctx, workflowID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	hist := &historypb.History{}
	for iter.HasNext() {
		e, err := iter.Next()
		if err != nil {
			r.t.Fatal(err)
		}
		hist.Events = append(hist.Events, e)
	}
	b, err := temporalproto.CustomJSONMarshalOptions{Indent: "  "}.Marshal(hist)
	if err != nil {
		r.t.Fatal(err)
	}
	path := filepath.Join("testdata", name)
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		r.t.Fatal(err)
	}
	r.t.Logf("wrote %s: %d events", path, len(hist.Events))
	last := hist.Events[len(hist.Events)-1]
	return last.GetWorkflowExecutionContinuedAsNewEventAttributes().GetNewExecutionRunId()
}

func TestRecordHistories(t *testing.T) {
	t.Run("full", func(t *testing.T) {
		r := newRecorder(t, 4, dynamicconfig.StaticClient{})
		in := input()
		in.TicketID = "HL-2026-000901"
		in.Policy = shortPolicy()
		id := in.TicketID
		run := r.start(in)

		r.say(id, "m1", "ANONIM YA")
		r.say(id, "m2", "TEMBUSAN YA")
		r.say(id, "m3", "LANJUT")
		r.say(id, "m4", "STATUS")
		r.say(id, "m5", "MINTA DRAFT SEDOT")
		r.say(id, "m6", "Tambahan: air sudah masuk rumah.")
		r.say(id, "m6", "Tambahan: air sudah masuk rumah.") // redelivered
		r.waitFor(id, "messages", func(s hailurah.TicketState) bool { return s.MessagesCount == 7 })
		r.waitFor(id, "moderator breach level 2", func(s hailurah.TicketState) bool { return s.ModeratorBreachLevel == 2 })
		if err := r.act(id, modNambangan, hailurah.ActionRequest{Action: hailurah.ActionVerify}); err == nil {
			t.Fatal("a moderator of another kelurahan must be rejected")
		}
		r.mustAct(id, modTaman, hailurah.ActionRequest{Action: hailurah.ActionVerify, Kategori: hailurah.KategoriInfrastruktur})
		r.mustAct(id, modTaman, hailurah.ActionRequest{Action: hailurah.ActionAssign, Unit: "dlh"})
		r.waitFor(id, "dinas breach", func(s hailurah.TicketState) bool { return s.DinasBreachLevel == 1 })
		r.mustAct(id, dinasDLH, hailurah.ActionRequest{Action: hailurah.ActionAccept})
		r.mustAct(id, dinasDLH, hailurah.ActionRequest{Action: hailurah.ActionReturn, Reason: "Bukan wewenang DLH."})
		r.mustAct(id, lurahTaman, hailurah.ActionRequest{Action: hailurah.ActionNote, Text: "Tolong segera."})
		due := time.Now().Add(time.Hour)
		r.mustAct(id, modTaman, hailurah.ActionRequest{Action: hailurah.ActionAssign, Unit: "pupr", DueAt: &due})
		r.mustAct(id, dinasPUPR, hailurah.ActionRequest{Action: hailurah.ActionAccept})
		r.mustAct(id, dinasPUPR, hailurah.ActionRequest{Action: hailurah.ActionProgress, Text: "Survei."})
		r.mustAct(id, dinasPUPR, hailurah.ActionRequest{Action: hailurah.ActionDone, Text: "Selesai.", Evidence: []string{"foto.jpg"}})
		r.say(id, "m7", "BELUM")
		r.waitFor(id, "reopen", func(s hailurah.TicketState) bool { return s.ReopenedCount == 1 })
		r.mustAct(id, modTaman, hailurah.ActionRequest{Action: hailurah.ActionReply, Text: "Kami tinjau ulang."})
		r.mustAct(id, modTaman, hailurah.ActionRequest{Action: hailurah.ActionAssign, Unit: "pupr", DueAt: &due})
		r.mustAct(id, dinasPUPR, hailurah.ActionRequest{Action: hailurah.ActionAccept})
		r.mustAct(id, dinasPUPR, hailurah.ActionRequest{Action: hailurah.ActionDone, Text: "Saluran diperlebar."})
		r.waitFor(id, "reminder", func(s hailurah.TicketState) bool {
			return s.ConfirmAskedAt != nil && time.Since(*s.ConfirmAskedAt) > 3*time.Second
		})
		r.say(id, "m8", "SESUDAH")
		r.say(id, "m9", "5")
		var st hailurah.TicketState
		if err := run.Get(context.Background(), &st); err != nil {
			t.Fatal(err)
		}
		if st.Status != hailurah.StatusResolved || st.Rating != 5 || !st.ModeratorBreached || !st.DinasBreached {
			t.Fatalf("final: %+v", st)
		}
		r.save(run.GetID(), run.GetRunID(), "curhat_full_v1.json")
	})

	t.Run("autoclose and reject", func(t *testing.T) {
		r := newRecorder(t, 2, dynamicconfig.StaticClient{})
		in := input()
		in.TicketID = "HL-2026-000902"
		in.Policy = shortPolicy()
		run := r.start(in)
		r.waitFor(in.TicketID, "open", func(s hailurah.TicketState) bool { return s.Status == hailurah.StatusOpen })
		r.mustAct(in.TicketID, modTaman, hailurah.ActionRequest{Action: hailurah.ActionResolve, Text: "Kerja bakti RT."})
		var st hailurah.TicketState
		if err := run.Get(context.Background(), &st); err != nil || st.Status != hailurah.StatusClosed {
			t.Fatalf("autoclose: %+v, %v", st, err)
		}
		r.save(run.GetID(), run.GetRunID(), "curhat_autoclose_v1.json")

		city := input()
		city.TicketID, city.Kelurahan, city.KelurahanName = "HL-2026-000903", "", ""
		city.Policy = shortPolicy()
		run = r.start(city)
		r.waitFor(city.TicketID, "open", func(s hailurah.TicketState) bool { return s.Status == hailurah.StatusOpen })
		r.mustAct(city.TicketID, modTaman, hailurah.ActionRequest{Action: hailurah.ActionSetKelurahan, Kelurahan: "taman"})
		r.mustAct(city.TicketID, modTaman, hailurah.ActionRequest{Action: hailurah.ActionReject, Reason: "Sama.", DuplicateOf: "HL-2026-000901"})
		if err := run.Get(context.Background(), &st); err != nil || st.Status != hailurah.StatusRejected {
			t.Fatalf("reject: %+v, %v", st, err)
		}
		r.save(run.GetID(), run.GetRunID(), "curhat_reject_v1.json")

		digest, err := r.c.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{
			ID: "digest-record", TaskQueue: workflows.TaskQueue}, workflows.DigestWorkflow)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := digest.Get(context.Background(), &n); err != nil || n != 1 {
			t.Fatalf("digest: %d, %v", n, err)
		}
		r.save(digest.GetID(), digest.GetRunID(), "digest_v1.json")

		// The schedule helper against a real server: twice, as two worker
		// starts would.
		for range 2 {
			if err := workflows.EnsureDigestSchedule(context.Background(), r.c, hailurah.Zone{}); err != nil {
				t.Fatal(err)
			}
		}
		desc, err := r.c.ScheduleClient().GetHandle(context.Background(), workflows.DigestScheduleID).Describe(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if tz := desc.Schedule.Spec.TimeZoneName; tz != hailurah.DefaultZoneName || len(desc.Info.NextActionTimes) == 0 {
			t.Fatalf("schedule: tz %q, next %v", tz, desc.Info.NextActionTimes)
		}
		jakarta := time.FixedZone("WIB", 7*3600)
		if next := desc.Info.NextActionTimes[0].In(jakarta); next.Weekday() != time.Monday || next.Hour() != 7 || next.Minute() != 0 {
			t.Fatalf("next digest at %v, want Monday 07:00 WIB", next)
		}
	})

	t.Run("continue as new", func(t *testing.T) {
		// The server suggests continue-as-new after a few events here, so a
		// short conversation crosses into a second run.
		r := newRecorder(t, 3, dynamicconfig.StaticClient{dynamicconfig.HistoryCountSuggestContinueAsNew.Key(): 60})
		in := input()
		in.TicketID = "HL-2026-000904"
		in.Policy = shortPolicy()
		in.Policy.Moderator.Default = time.Hour
		first := r.start(in)
		for i, text := range []string{"halo", "masih banjir", "ANONIM YA", "STATUS", "tolong", "air naik", "LANJUT", "hujan lagi"} {
			r.say(in.TicketID, "c"+string(rune('a'+i)), text)
		}
		r.waitFor(in.TicketID, "all messages", func(s hailurah.TicketState) bool { return s.MessagesCount == 9 })
		r.mustAct(in.TicketID, modTaman, hailurah.ActionRequest{Action: hailurah.ActionReject, Reason: "uji"})
		var st hailurah.TicketState
		if err := r.c.GetWorkflow(context.Background(), first.GetID(), "").Get(context.Background(), &st); err != nil {
			t.Fatal(err)
		}
		if st.MessagesCount != 9 || !st.Anonim || st.Status != hailurah.StatusRejected {
			t.Fatalf("final: %+v", st)
		}
		runs := 0
		for runID := first.GetRunID(); runID != ""; runs++ {
			runID = r.save(first.GetID(), runID, fmt.Sprintf("curhat_continued_run%d_v1.json", runs+1))
		}
		if runs < 2 {
			t.Fatal("the workflow did not continue as new")
		}
	})
}

// TestRecordCancelledHistory records curhat_cancelled_v2.json: a ticket
// counting its unit's SLA in working days (so its history holds the
// holiday-list version), assigned, then cancelled from outside as the
// Temporal UI does. The run ends cancelled after closing the ticket; it
// used to fail every workflow task with TMPRL1101.
//
//	go test -tags record -run TestRecordCancelledHistory -v ./workflows/
func TestRecordCancelledHistory(t *testing.T) {
	r := newRecorder(t, 3, dynamicconfig.StaticClient{})
	in := input()
	in.TicketID = "HL-2026-000905"
	in.Policy = shortPolicy()
	in.Policy.Moderator.Default = time.Hour
	in.Policy.Dinas = hailurah.DinasSLA{ByUrgency: map[int]time.Duration{1: 24 * time.Hour}, Calendar: hailurah.CalendarWorkingDays}
	id := in.TicketID
	run := r.start(in)
	r.waitFor(id, "open", func(s hailurah.TicketState) bool { return s.Status == hailurah.StatusOpen })
	r.mustAct(id, modTaman, hailurah.ActionRequest{Action: hailurah.ActionAssign, Unit: "dlh"})
	if err := r.c.CancelWorkflow(context.Background(), run.GetID(), run.GetRunID()); err != nil {
		t.Fatal(err)
	}
	err := run.Get(context.Background(), nil)
	var cancelled *sdktemporal.CanceledError
	if !errors.As(err, &cancelled) {
		t.Fatalf("want the run cancelled, got %v", err)
	}
	r.save(run.GetID(), run.GetRunID(), "curhat_cancelled_v2.json")
}
