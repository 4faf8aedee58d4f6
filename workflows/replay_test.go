package workflows_test

import (
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/workflows"
)

// The histories in testdata/ were recorded on a real Temporal server by
// record_test.go. Replaying them against today's code fails when a change
// would break tickets already running: guard such changes with
// workflow.GetVersion and keep the old histories.
var histories = []string{
	"curhat_full_v1.json",           // breaches at both levels, commands, return, BELUM, reminder, rating
	"curhat_autoclose_v1.json",      // resolve with advice, reminder, auto-close
	"curhat_reject_v1.json",         // city queue, set_kelurahan, reject as duplicate
	"curhat_continued_run1_v1.json", // a run that continued as new
	"curhat_continued_run2_v1.json", // the run that resumed from it
	"digest_v1.json",
	"curhat_cancelled_v2.json", // working-day SLA (holiday-list version), assign, cancelled from outside
	"curhat_media_v3.json",     // attachments downloaded (media-download version): a photo, a Cloud API photo, a refused file
	"curhat_voice_v4.json",     // voice notes (voice-transcribe version): one transcribed and triaged, one unheard and asked for text
}

func replayer(t *testing.T, curhat any) worker.WorkflowReplayer {
	t.Helper()
	r := worker.NewWorkflowReplayer()
	r.RegisterWorkflowWithOptions(curhat, workflow.RegisterOptions{Name: "CurhatWorkflow"})
	r.RegisterWorkflow(workflows.DigestWorkflow)
	return r
}

func quietLogger() log.Logger {
	return log.NewStructuredLogger(slog.New(slog.DiscardHandler))
}

func TestReplayRecordedHistories(t *testing.T) {
	for _, name := range histories {
		t.Run(name, func(t *testing.T) {
			err := replayer(t, workflows.CurhatWorkflow).ReplayWorkflowHistoryFromJSONFile(quietLogger(), filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestReplayCatchesNonDeterminism proves the replay test can fail: a
// workflow that waits before its ACK no longer matches the recorded
// commands.
func TestReplayCatchesNonDeterminism(t *testing.T) {
	changed := func(ctx workflow.Context, in hailurah.CurhatInput) (*hailurah.TicketState, error) {
		if err := workflow.Sleep(ctx, time.Second); err != nil {
			return nil, err
		}
		return workflows.CurhatWorkflow(ctx, in)
	}
	err := replayer(t, changed).ReplayWorkflowHistoryFromJSONFile(quietLogger(), filepath.Join("testdata", "curhat_full_v1.json"))
	// TMPRL1100 is the SDK's code for a non-deterministic workflow.
	if err == nil || !strings.Contains(err.Error(), "TMPRL1100") {
		t.Fatalf("want a nondeterminism error, got %v", err)
	}
}
