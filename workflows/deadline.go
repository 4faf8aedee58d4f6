package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"
)

// awaitDeadline is every workflow's wait for a human step: it waits until
// cond holds or the deadline passes, and reports whether cond held. A nil
// cond waits for the deadline alone. A deadline already past (a run resumed
// or recorded late) returns at once, after checking cond once.
//
// Deadlines live in the workflows' state, so a continued or restarted run
// waits only what is left of them. The commands are one timer of exactly
// the time left (workflow.Sleep's for a nil cond, AwaitWithTimeout's
// otherwise), as the recorded histories in testdata/ expect.
//
// err is set only when ctx is cancelled, and then ok is false although
// the deadline has not passed: every caller must look at err before it
// treats !ok as a breach, or a cancelled case escalates at once and spins
// (TMPRL1101). The workflows end the case on it (curhat.cancelled,
// grant.cancelled; the pilot review returns it).
func awaitDeadline(ctx workflow.Context, deadline time.Time, cond func() bool) (ok bool, err error) {
	if cond != nil && cond() {
		return true, nil
	}
	d := deadline.Sub(workflow.Now(ctx))
	if d <= 0 {
		return false, nil
	}
	if cond == nil {
		return false, workflow.Sleep(ctx, d)
	}
	return workflow.AwaitWithTimeout(ctx, d, cond)
}
