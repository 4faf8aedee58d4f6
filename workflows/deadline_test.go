package workflows_test

import (
	"errors"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/hailurah/hailurah/workflows"
)

// waitResult is what the test workflow saw of one AwaitDeadline.
type waitResult struct {
	Held     bool          `json:"held"`
	Canceled bool          `json:"canceled"`
	Waited   time.Duration `json:"waited"`
}

// TestAwaitDeadline: cond already true or a deadline already past returns
// at once; otherwise the wait ends when cond comes true or at the
// deadline; a nil cond waits for the deadline; cancellation is reported.
func TestAwaitDeadline(t *testing.T) {
	tests := []struct {
		name        string
		deadline    time.Duration // from the workflow's start; negative is past
		nilCond     bool
		trueAt      time.Duration // when a signal makes cond true; 0 never
		heldAtStart bool          // cond true before the wait starts
		cancelAt    time.Duration // when the workflow is cancelled; 0 never
		want        waitResult
	}{
		{name: "cond already holds", deadline: hour, heldAtStart: true, want: waitResult{Held: true}},
		{name: "deadline already past", deadline: -hour, want: waitResult{}},
		{name: "cond comes true first", deadline: 2 * hour, trueAt: hour, want: waitResult{Held: true, Waited: hour}},
		{name: "deadline passes first", deadline: hour, trueAt: 2 * hour, want: waitResult{Waited: hour}},
		{name: "nil cond sleeps to the deadline", deadline: 3 * hour, nilCond: true, want: waitResult{Waited: 3 * hour}},
		{name: "nil cond, deadline past", deadline: -hour, nilCond: true, want: waitResult{}},
		{name: "cancelled", deadline: 2 * hour, cancelAt: hour, want: waitResult{Canceled: true, Waited: hour}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wf := func(ctx workflow.Context) (waitResult, error) {
				began := workflow.Now(ctx)
				held := tt.heldAtStart
				workflow.Go(ctx, func(ctx workflow.Context) {
					workflow.GetSignalChannel(ctx, "done").Receive(ctx, nil)
					held = true
				})
				var cond func() bool
				if !tt.nilCond {
					cond = func() bool { return held }
				}
				ok, err := workflows.AwaitDeadline(ctx, began.Add(tt.deadline), cond)
				var canceled *temporal.CanceledError
				return waitResult{Held: ok, Canceled: errors.As(err, &canceled), Waited: workflow.Now(ctx).Sub(began)}, nil
			}
			var s testsuite.WorkflowTestSuite
			s.SetLogger(quietLogger())
			env := s.NewTestWorkflowEnvironment()
			env.RegisterWorkflowWithOptions(wf, workflow.RegisterOptions{Name: "wait"})
			if tt.trueAt > 0 {
				env.RegisterDelayedCallback(func() { env.SignalWorkflow("done", nil) }, tt.trueAt)
			}
			if tt.cancelAt > 0 {
				env.RegisterDelayedCallback(env.CancelWorkflow, tt.cancelAt)
			}
			env.ExecuteWorkflow("wait")
			if err := env.GetWorkflowError(); err != nil {
				t.Fatal(err)
			}
			var got waitResult
			if err := env.GetWorkflowResult(&got); err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}
