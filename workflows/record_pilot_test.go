//go:build record

// This file is not a test of PilotReviewWorkflow: it records the histories
// that TestReplayPilotHistories replays, by running pilots on a real
// Temporal server (temporaltest, SQLite in memory) with the real pilot
// activities on a real store (SQLite in the test's directory), and a
// policy whose days last a fraction of a second. Record again only for a
// NEW history (a new workflow version); never overwrite the histories of
// versions still running.
//
//	go test -tags record -run TestRecordPilotHistories -v ./workflows/
package workflows_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/temporalproto"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/server/temporaltest"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/activities"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/storetest"
	"github.com/hailurah/hailurah/workflows"
)

type pilotRecorder struct {
	t  *testing.T
	c  client.Client
	db *store.DB
}

func newPilotRecorder(t *testing.T) *pilotRecorder {
	t.Helper()
	db := storetest.Open(t)
	ctx := t.Context()
	for _, k := range []hailurah.Kelurahan{{Code: "taman", Name: "Taman"}, {Code: "nambangan", Name: "Nambangan"}} {
		if err := db.UpsertKelurahan(ctx, &k); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range []hailurah.User{
		{Username: "irfa", Name: "Irfa", Role: hailurah.RoleLurah, Kelurahan: "taman"},
		{Username: "dewi", Name: "Dewi", Role: hailurah.RoleLurah, Kelurahan: "nambangan"},
		{Username: "rina", Name: "Rina", Role: hailurah.RoleFasilitator, Kelurahan: "taman"},
	} {
		if err := db.CreateUser(ctx, &u, "rahasia-123"); err != nil {
			t.Fatal(err)
		}
	}
	ts := temporaltest.NewServer(temporaltest.WithT(t))
	acts := &activities.PilotActivities{Pilots: db, KPIs: db, Notifications: db, Kelurahan: db, BaseURL: "http://localhost:8080"}
	ts.NewWorker(workflows.TaskQueue, func(r worker.Registry) {
		r.RegisterWorkflow(workflows.PilotReviewWorkflow)
		r.RegisterActivity(acts)
	})
	return &pilotRecorder{t: t, c: ts.GetDefaultClient(), db: db}
}

// start creates the pilot in the store and starts its workflow.
func (r *pilotRecorder) start(cycleStart time.Time, policy hailurah.PilotPolicy) (string, client.WorkflowRun) {
	r.t.Helper()
	p := &hailurah.Pilot{Name: "Pelatihan digital RW01", Component: hailurah.ComponentPelatihan, Kelurahan: "taman",
		Scope: []hailurah.PilotArea{{Kelurahan: "taman", RW: "01"}}, StartDate: cycleStart, CycleStart: cycleStart,
		Owner: "rina", CreatedBy: "irfa",
		Targets: []hailurah.PilotTarget{{KPI: hailurah.KPITrained, Target: 100}, {KPI: hailurah.KPISatisfactionPct, Target: 80}}}
	if err := r.db.CreatePilot(r.t.Context(), p); err != nil {
		r.t.Fatal(err)
	}
	run, err := r.c.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{
		ID: workflows.PilotWorkflowID(p.ID), TaskQueue: workflows.TaskQueue,
	}, workflows.PilotReviewWorkflow, hailurah.PilotInput{Pilot: *p, Policy: policy})
	if err != nil {
		r.t.Fatal(err)
	}
	return p.ID, run
}

func (r *pilotRecorder) decide(id string, actor hailurah.Actor, req hailurah.DecisionRequest) error {
	r.t.Helper()
	req.Actor = actor
	h, err := r.c.UpdateWorkflow(context.Background(), client.UpdateWorkflowOptions{
		WorkflowID: workflows.PilotWorkflowID(id), UpdateName: workflows.UpdatePilotDecision,
		Args: []any{req}, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return err
	}
	var p hailurah.Pilot
	return h.Get(context.Background(), &p)
}

func (r *pilotRecorder) mustRefuse(err error, typ string) {
	r.t.Helper()
	var ae *temporal.ApplicationError
	if !errors.As(err, &ae) || ae.Type() != typ {
		r.t.Fatalf("want a %s refusal, got %v", typ, err)
	}
}

// waitFor polls the state query of the latest run until cond holds.
func (r *pilotRecorder) waitFor(id, what string, cond func(hailurah.Pilot) bool) {
	r.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		v, err := r.c.QueryWorkflow(context.Background(), workflows.PilotWorkflowID(id), "", workflows.QueryPilotState)
		if err == nil {
			var p hailurah.Pilot
			if err := v.Get(&p); err == nil && cond(p) {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	r.t.Fatalf("timed out waiting for %s", what)
}

// save writes one run's history in the CLI's JSON format and returns the
// run it continued as, if any.
func (r *pilotRecorder) save(workflowID, runID, name string) string {
	r.t.Helper()
	iter := r.c.GetWorkflowHistory(context.Background(), workflowID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
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
	return hist.Events[len(hist.Events)-1].GetWorkflowExecutionContinuedAsNewEventAttributes().GetNewExecutionRunId()
}

func fastPolicy(day time.Duration) hailurah.PilotPolicy {
	p := hailurah.DefaultPilotPolicy()
	p.Day, p.OverdueEvery = day, 10*day
	return p
}

func awaiting(p hailurah.Pilot) bool { return p.Status == hailurah.PilotAwaitingDecision }

const recordRationale = "Capaian sesuai laporan fasilitator; keputusan dicatat untuk uji riwayat."

func TestRecordPilotHistories(t *testing.T) {
	modTaman := hailurah.Actor{Username: "siti", Role: hailurah.RoleModerator, Kelurahan: "taman"}
	irfa := hailurah.Actor{Username: "irfa", Role: hailurah.RoleLurah, Kelurahan: "taman"}

	t.Run("stop", func(t *testing.T) {
		r := newPilotRecorder(t)
		id, run := r.start(time.Now(), fastPolicy(150*time.Millisecond))
		r.mustRefuse(r.decide(id, irfa, hailurah.DecisionRequest{Decision: hailurah.DecisionStop, Rationale: recordRationale}), workflows.ErrorConflict)
		r.waitFor(id, "the packet", awaiting)
		r.mustRefuse(r.decide(id, modTaman, hailurah.DecisionRequest{Decision: hailurah.DecisionStop, Rationale: recordRationale}), workflows.ErrorForbidden)
		if err := r.decide(id, irfa, hailurah.DecisionRequest{Decision: hailurah.DecisionStop, Rationale: recordRationale}); err != nil {
			t.Fatal(err)
		}
		var p hailurah.Pilot
		if err := run.Get(context.Background(), &p); err != nil || p.Status != hailurah.PilotStopped {
			t.Fatalf("final: %+v %v", p, err)
		}
		stored, err := r.db.FindPilot(t.Context(), id)
		if err != nil || stored.Status != hailurah.PilotStopped || len(stored.Decisions) != 1 || stored.Packet == nil {
			t.Fatalf("stored: %+v %v", stored, err)
		}
		r.save(run.GetID(), run.GetRunID(), "pilot_stop_v1.json")
	})

	t.Run("scale", func(t *testing.T) {
		r := newPilotRecorder(t)
		id, run := r.start(time.Now(), fastPolicy(100*time.Millisecond))
		r.waitFor(id, "the packet", awaiting)
		err := r.decide(id, irfa, hailurah.DecisionRequest{Decision: hailurah.DecisionScale, Rationale: recordRationale,
			Scope: []hailurah.PilotArea{{RW: "01"}, {Kelurahan: "nambangan"}}})
		if err != nil {
			t.Fatal(err)
		}
		r.waitFor(id, "cycle 2's packet", func(p hailurah.Pilot) bool { return p.Cycle == 2 && awaiting(p) })
		if err := r.decide(id, irfa, hailurah.DecisionRequest{Decision: hailurah.DecisionStop, Rationale: recordRationale}); err != nil {
			t.Fatal(err)
		}
		var p hailurah.Pilot
		if err := r.c.GetWorkflow(context.Background(), run.GetID(), "").Get(context.Background(), &p); err != nil || len(p.Decisions) != 2 {
			t.Fatalf("final: %+v %v", p, err)
		}
		next := r.save(run.GetID(), run.GetRunID(), "pilot_scale_run1_v1.json")
		if next == "" {
			t.Fatal("the scale did not continue as new")
		}
		r.save(run.GetID(), next, "pilot_scale_run2_v1.json")
	})

	t.Run("recorded late", func(t *testing.T) {
		r := newPilotRecorder(t)
		day := 100 * time.Millisecond
		id, run := r.start(time.Now().Add(-95*day), fastPolicy(day))
		r.waitFor(id, "two overdue reminders", func(p hailurah.Pilot) bool { return p.OverdueReminders >= 2 })
		err := r.decide(id, irfa, hailurah.DecisionRequest{Decision: hailurah.DecisionAdjust, Rationale: recordRationale,
			Targets: []hailurah.PilotTarget{{KPI: hailurah.KPITrained, Target: 50}}})
		if err != nil {
			t.Fatal(err)
		}
		r.waitFor(id, "cycle 2's packet", func(p hailurah.Pilot) bool { return p.Cycle == 2 && awaiting(p) })
		if err := r.decide(id, irfa, hailurah.DecisionRequest{Decision: hailurah.DecisionStop, Rationale: recordRationale}); err != nil {
			t.Fatal(err)
		}
		var p hailurah.Pilot
		if err := r.c.GetWorkflow(context.Background(), run.GetID(), "").Get(context.Background(), &p); err != nil || !p.Decisions[0].Overdue {
			t.Fatalf("final: %+v %v", p, err)
		}
		next := r.save(run.GetID(), run.GetRunID(), "pilot_recorded_late_v1.json")
		r.save(run.GetID(), next, "pilot_recorded_late2_v1.json")
	})
}
