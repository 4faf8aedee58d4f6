package workflows_test

import (
	"os"
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/activities"
	"github.com/hailurah/hailurah/workflows"
)

// keyRecorder collects the idempotency keys the workflow gives its
// activities: events, citizen messages and notifications.
type keyRecorder struct {
	interceptor.WorkerInterceptorBase
	keys []string
}

func (k *keyRecorder) InterceptWorkflow(_ workflow.Context, next interceptor.WorkflowInboundInterceptor) interceptor.WorkflowInboundInterceptor {
	return &keyInbound{WorkflowInboundInterceptorBase: interceptor.WorkflowInboundInterceptorBase{Next: next}, rec: k}
}

type keyInbound struct {
	interceptor.WorkflowInboundInterceptorBase
	rec *keyRecorder
}

func (i *keyInbound) Init(out interceptor.WorkflowOutboundInterceptor) error {
	return i.Next.Init(&keyOutbound{WorkflowOutboundInterceptorBase: interceptor.WorkflowOutboundInterceptorBase{Next: out}, rec: i.rec})
}

type keyOutbound struct {
	interceptor.WorkflowOutboundInterceptorBase
	rec *keyRecorder
}

func (o *keyOutbound) ExecuteActivity(ctx workflow.Context, activityType string, args ...any) workflow.Future {
	for _, arg := range args {
		switch in := arg.(type) {
		case activities.ProjectInput:
			o.rec.keys = append(o.rec.keys, in.Event.Key)
		case activities.SendCitizenInput:
			o.rec.keys = append(o.rec.keys, activities.OutboxKey(in.TicketID, in.Run, in.Kind, in.Seq))
		case activities.NotifyInput:
			o.rec.keys = append(o.rec.keys, in.Key)
		case hailurah.GrantProjection:
			o.rec.keys = append(o.rec.keys, in.Event.Key)
		case activities.GrantNotifyInput:
			o.rec.keys = append(o.rec.keys, in.Key)
		case hailurah.PilotProjection:
			o.rec.keys = append(o.rec.keys, in.Event.Key)
		case activities.PilotNotifyInput:
			o.rec.keys = append(o.rec.keys, in.Key)
		}
	}
	return o.Next.ExecuteActivity(ctx, activityType, args...)
}

// keysOf replays a recorded history as the run runID and returns the keys
// its activities were given.
func keysOf(t *testing.T, name, runID string) []string {
	t.Helper()
	rec := &keyRecorder{}
	r, err := worker.NewWorkflowReplayerWithOptions(worker.WorkflowReplayerOptions{Interceptors: []interceptor.WorkerInterceptor{rec}})
	if err != nil {
		t.Fatal(err)
	}
	r.RegisterWorkflowWithOptions(workflows.CurhatWorkflow, workflow.RegisterOptions{Name: "CurhatWorkflow"})
	r.RegisterWorkflowWithOptions(workflows.GrantWorkflow, workflow.RegisterOptions{Name: "GrantWorkflow"})
	r.RegisterWorkflowWithOptions(workflows.PilotReviewWorkflow, workflow.RegisterOptions{Name: "PilotReviewWorkflow"})
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h, err := client.HistoryFromJSON(f, client.HistoryJSONOptions{})
	if err != nil {
		t.Fatal(err)
	}
	err = r.ReplayWorkflowHistoryWithOptions(quietLogger(), h, worker.ReplayWorkflowHistoryOptions{
		OriginalExecution: workflow.Execution{ID: "case-" + name, RunID: runID}})
	if err != nil {
		t.Fatal(err)
	}
	return rec.keys
}

// TestResetRunWritesNewRows: `temporal workflow reset` starts a new run
// that replays the old one up to the reset point and then goes on with the
// same event, message and notification counters. Replaying a recorded case
// as two runs shows that the keys a run gives its activities are its own,
// so the reset timeline's rows are not dropped as duplicates of the
// abandoned one's (before, every key was the same), while a run replayed
// again (a retry, a worker restart) gives the same keys.
func TestResetRunWritesNewRows(t *testing.T) {
	for _, name := range []string{"curhat_full_v1.json", "grant_completed_v1.json", "pilot_stop_v1.json"} {
		t.Run(name, func(t *testing.T) {
			before := keysOf(t, name, "run-before-reset")
			again := keysOf(t, name, "run-before-reset")
			after := keysOf(t, name, "run-after-reset")
			if len(before) < 5 || len(after) != len(before) {
				t.Fatalf("keys: %d before, %d after", len(before), len(after))
			}
			equal(t, "keys of the same run", again, before)
			old := map[string]bool{}
			for _, k := range before {
				old[k] = true
			}
			for _, k := range after {
				if old[k] {
					t.Errorf("the reset run reuses key %s", k)
				}
			}
		})
	}
}
