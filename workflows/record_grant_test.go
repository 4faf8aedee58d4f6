//go:build record

// This file is not a test of GrantWorkflow: it records the histories that
// TestReplayGrantHistories replays, by running grants on a real Temporal
// server (temporaltest, SQLite in memory) with a policy of seconds. Record
// again only for a NEW history (a new workflow version); never overwrite
// the histories of versions still running.
//
//	go test -tags record -run TestRecordGrantHistories -v ./workflows/
package workflows_test

import (
	"context"
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
	"go.temporal.io/sdk/worker"
	"go.temporal.io/server/temporaltest"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/activities"
	"github.com/hailurah/hailurah/workflows"
)

// grantStore is the smallest stand-in for the store that lets the real
// grant activities run: it keeps the last projection and the
// notifications, which the recording checks.
type grantStore struct {
	mu    sync.Mutex
	last  map[string]*hailurah.Grant
	notes map[string]*hailurah.Notification
}

func (s *grantStore) ProjectGrant(_ context.Context, p *hailurah.GrantProjection) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.last[p.Grant.ID]; !ok || old.Version <= p.Grant.Version {
		s.last[p.Grant.ID] = p.Grant
	}
	return nil
}

func (s *grantStore) Notify(_ context.Context, n *hailurah.Notification) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.notes[n.IdempotencyKey] = n
	return 1, nil
}

func (s *grantStore) CreateGrant(context.Context, *hailurah.Grant) error { return nil }
func (s *grantStore) CancelGrant(context.Context, string) error          { return nil }
func (s *grantStore) FindGrant(context.Context, string) (*hailurah.Grant, error) {
	return nil, hailurah.Errorf(hailurah.ENOTFOUND, "not kept")
}
func (s *grantStore) ListGrants(context.Context, hailurah.GrantFilter) ([]*hailurah.Grant, error) {
	return nil, nil
}
func (s *grantStore) ListGrantEvents(context.Context, string) ([]*hailurah.GrantEvent, error) {
	return nil, nil
}
func (s *grantStore) FindGrantBudget(context.Context, string) (*hailurah.GrantBudget, error) {
	return nil, hailurah.Errorf(hailurah.ENOTFOUND, "not kept")
}

type grantRecorder struct {
	t     *testing.T
	c     client.Client
	store *grantStore
}

func newGrantRecorder(t *testing.T) *grantRecorder {
	t.Helper()
	ts := temporaltest.NewServer(temporaltest.WithT(t))
	c := ts.GetDefaultClient()
	if _, err := c.OperatorService().AddSearchAttributes(context.Background(), &operatorservice.AddSearchAttributesRequest{
		SearchAttributes: workflows.SearchAttributes(), Namespace: ts.GetDefaultNamespace(),
	}); err != nil {
		t.Fatal(err)
	}
	store := &grantStore{last: map[string]*hailurah.Grant{}, notes: map[string]*hailurah.Notification{}}
	acts := &activities.GrantActivities{Grants: store, Notifications: store, BaseURL: "http://localhost:8080"}
	ts.NewWorker(workflows.TaskQueue, func(r worker.Registry) {
		r.RegisterWorkflow(workflows.GrantWorkflow)
		r.RegisterActivity(acts)
	})
	return &grantRecorder{t: t, c: c, store: store}
}

func (r *grantRecorder) start(in hailurah.GrantInput) client.WorkflowRun {
	r.t.Helper()
	run, err := r.c.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{
		ID: workflows.GrantWorkflowID(in.GrantID), TaskQueue: workflows.TaskQueue,
	}, workflows.GrantWorkflow, in)
	if err != nil {
		r.t.Fatal(err)
	}
	return run
}

func (r *grantRecorder) act(id string, actor hailurah.Actor, req hailurah.GrantActionRequest) error {
	r.t.Helper()
	req.Actor = actor
	h, err := r.c.UpdateWorkflow(context.Background(), client.UpdateWorkflowOptions{
		WorkflowID: workflows.GrantWorkflowID(id), UpdateName: workflows.UpdateGrantAction,
		Args: []any{req}, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return err
	}
	var g hailurah.Grant
	return h.Get(context.Background(), &g)
}

func (r *grantRecorder) mustAct(id string, actor hailurah.Actor, req hailurah.GrantActionRequest) {
	r.t.Helper()
	if err := r.act(id, actor, req); err != nil {
		r.t.Fatalf("%s: %v", req.Action, err)
	}
}

func (r *grantRecorder) waitFor(id, what string, cond func(hailurah.Grant) bool) {
	r.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		v, err := r.c.QueryWorkflow(context.Background(), workflows.GrantWorkflowID(id), "", workflows.QueryGrantState)
		if err == nil {
			var g hailurah.Grant
			if err := v.Get(&g); err == nil && cond(g) {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	r.t.Fatalf("timed out waiting for %s", what)
}

func (r *grantRecorder) save(run client.WorkflowRun, name string) {
	r.t.Helper()
	iter := r.c.GetWorkflowHistory(context.Background(), run.GetID(), run.GetRunID(), false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
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
}

// secondsPolicy runs a grant's whole life in a few seconds.
func secondsPolicy() hailurah.GrantPolicy {
	return hailurah.GrantPolicy{
		VerifySLA: time.Hour, ApproveSLA: time.Hour, DisburseSLA: time.Hour, Reminders: 2,
		ProofReminder: time.Hour, ProofDue: 2 * time.Hour, AuditAfter: 3 * time.Hour,
		Checkins: []time.Duration{time.Second, 2 * time.Second, 3 * time.Second}, CheckinWindow: time.Hour, CheckinGrace: time.Hour,
	}
}

func TestRecordGrantHistories(t *testing.T) {
	r := newGrantRecorder(t)

	t.Run("completed", func(t *testing.T) {
		in := grantInput()
		in.GrantID, in.AppliedAt, in.Policy = "HB-2026-000901", time.Now(), secondsPolicy()
		run := r.start(in)
		id := in.GrantID
		r.mustAct(id, fasilTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionVerify, Notes: "Layak.", Photos: []string{"rumah.jpg"}})
		r.mustAct(id, lurahTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionApprove})
		r.mustAct(id, admin, hailurah.GrantActionRequest{Action: hailurah.GrantActionDisburse, Reference: "TRF-1"})
		r.mustAct(id, lurahTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionDisburse, Reference: "TRF-1"})
		r.mustAct(id, fasilTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionProof, Photos: []string{"oven.jpg"}})
		for i, v := range []int64{1_100_000, 1_300_000, 1_500_000} {
			income := v
			req := hailurah.GrantActionRequest{Action: hailurah.GrantActionCheckin, Omzet: omzet(v)}
			if i == 2 {
				req.Income = &income
			}
			r.mustAct(id, fasilTaman, req)
		}
		var g hailurah.Grant
		if err := run.Get(context.Background(), &g); err != nil || g.Status != hailurah.GrantCompleted || *g.OmzetChangePct != 50 {
			t.Fatalf("final: %+v, %v", g, err)
		}
		r.save(run, "grant_completed_v1.json")
	})

	t.Run("reminders", func(t *testing.T) {
		in := grantInput()
		in.GrantID, in.AppliedAt = "HB-2026-000902", time.Now()
		p := secondsPolicy()
		p.VerifySLA, p.ApproveSLA = time.Second, time.Second
		p.ProofReminder, p.ProofDue, p.AuditAfter = time.Second, 2*time.Second, 3*time.Second
		p.Checkins, p.CheckinWindow, p.CheckinGrace = []time.Duration{5 * time.Second}, time.Second, 2*time.Second
		in.Policy = p
		run := r.start(in)
		id := in.GrantID
		r.waitFor(id, "verification escalated", func(g hailurah.Grant) bool { return g.Escalated })
		r.mustAct(id, fasilTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionVerify, Notes: "Terlambat."})
		r.waitFor(id, "approval reminder", func(g hailurah.Grant) bool { return g.ReminderLevel == 1 })
		r.mustAct(id, lurahTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionApprove})
		r.mustAct(id, lurahTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionDisburse, Reference: "KAS-2"})
		r.waitFor(id, "audit flag", func(g hailurah.Grant) bool { return g.AuditFlag })
		r.mustAct(id, fasilTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionProof, Photos: []string{"stok.jpg"}})
		var g hailurah.Grant
		if err := run.Get(context.Background(), &g); err != nil || g.Status != hailurah.GrantCompleted || !g.Checkins[0].Missed {
			t.Fatalf("final: %+v, %v", g, err)
		}
		r.save(run, "grant_reminders_v1.json")
	})

	t.Run("rejected", func(t *testing.T) {
		in := grantInput()
		in.GrantID, in.AppliedAt, in.Policy = "HB-2026-000903", time.Now(), secondsPolicy()
		run := r.start(in)
		id := in.GrantID
		if err := r.act(id, admin, hailurah.GrantActionRequest{Action: hailurah.GrantActionApprove}); err == nil {
			t.Fatal("admin may not approve")
		}
		if err := r.act(id, fasilNambangan, hailurah.GrantActionRequest{Action: hailurah.GrantActionVerify, Notes: "x"}); err == nil {
			t.Fatal("another kelurahan's fasilitator may not verify")
		}
		r.mustAct(id, fasilTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionVerify, Notes: "Tidak ada usaha."})
		r.mustAct(id, lurahTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionReject, Reason: "Usaha belum berjalan."})
		var g hailurah.Grant
		if err := run.Get(context.Background(), &g); err != nil || g.Status != hailurah.GrantRejected {
			t.Fatalf("final: %+v, %v", g, err)
		}
		r.save(run, "grant_rejected_v1.json")
		if len(r.store.notes) == 0 {
			t.Fatal("no notification reached the store")
		}
	})
}
