package workflows_test

import (
	"errors"
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/workflows"
)

// TestTwoActionsInOneTask: two moderators assign the ticket in the same
// instant, so both updates reach the workflow in one workflow task. The
// second is validated against the state the first handler left and
// refused before it enters the history; the handlers need no check of
// their own.
func TestTwoActionsInOneTask(t *testing.T) {
	h := newHarness(t, start)
	results := make([]*updateResult, 2)
	h.env.RegisterDelayedCallback(func() {
		for i, unit := range []string{"dlh", "pupr"} {
			r := &updateResult{}
			results[i] = r
			req := hailurah.ActionRequest{Action: hailurah.ActionAssign, Unit: unit, Actor: modTaman}
			h.env.UpdateWorkflow(workflows.UpdateAction, "", &testsuite.TestUpdateCallback{
				OnAccept: func() { r.accepted = true },
				OnReject: func(err error) { r.rejected, r.err = true, err },
				OnComplete: func(v any, err error) {
					r.completed, r.err = true, err
					if v, ok := v.(converter.EncodedValue); ok {
						_ = v.Get(&r.state)
					}
				},
			}, req)
		}
	}, hour)
	h.mustAct(2*hour, dinasDLH, hailurah.ActionRequest{Action: hailurah.ActionAccept})
	h.mustAct(3*hour, dinasDLH, hailurah.ActionRequest{Action: hailurah.ActionDone, Text: "Selesai."})
	h.say(4*hour, "SESUDAH")
	h.say(5*hour, "5")

	st := h.run(input())

	first, second := results[0], results[1]
	if !first.completed || first.err != nil {
		t.Errorf("first assign: %+v", first)
	}
	if !second.rejected || second.accepted || errorType(second.err) != "conflict" {
		t.Errorf("second assign: want refused by its validator as a conflict, got %+v", second)
	}
	if st.Unit != "dlh" || len(h.eventsOf(hailurah.ActionAssign)) != 1 || len(h.notifiedOf(hailurah.NotifyAssigned)) != 1 {
		t.Errorf("one assignment: unit %q, %d events, %d notifications", st.Unit,
			len(h.eventsOf(hailurah.ActionAssign)), len(h.notifiedOf(hailurah.NotifyAssigned)))
	}
}

// TestReplayWithAChangedValidator: a validation rule added after a ticket
// was recorded refuses actions that history accepted. The SDK skips
// validators on replay, and the handlers no longer validate again, so the
// recorded ticket still replays (before, it failed with TMPRL1100).
func TestReplayWithAChangedValidator(t *testing.T) {
	restore := workflows.SetLaterRule(func(hailurah.ActionRequest) error {
		return errors.New("aturan baru: setiap aksi memerlukan persetujuan kedua")
	})
	defer restore()
	for _, name := range []string{"curhat_full_v1.json", "curhat_reject_v1.json"} {
		err := replayer(t, workflows.CurhatWorkflow).ReplayWorkflowHistoryFromJSONFile(quietLogger(), filepath.Join("testdata", name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
