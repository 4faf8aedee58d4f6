package activities

import (
	"context"
	"log/slog"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/hailurah/hailurah"
)

// RetentionActivities are the side effect of RetentionWorkflow. They are a
// struct of their own, registered beside Activities, because they need
// only the retention store.
type RetentionActivities struct {
	Store  hailurah.RetentionService
	Logger *slog.Logger
	// HeartbeatEvery is how often the sweep tells Temporal it is alive;
	// zero is every 10 seconds, well inside the workflow's heartbeat
	// timeout.
	HeartbeatEvery time.Duration
}

// PurgeExpiredContacts deletes the sealed phones of contacts whose cases
// ended before the cutoff and cleans their raw payloads. The workflow
// computes the cutoff, so a retried attempt sweeps to the same time; the
// store method is idempotent, so a retry after a partial sweep finishes it.
func (r *RetentionActivities) PurgeExpiredContacts(ctx context.Context, before time.Time) (hailurah.RetentionResult, error) {
	if before.IsZero() {
		// A zero cutoff purges nothing; it means the caller forgot it, and
		// retrying does not help.
		return hailurah.RetentionResult{}, temporal.NewNonRetryableApplicationError("retention cutoff is missing", hailurah.EINVALID, nil)
	}
	res, err := r.purge(ctx, before)
	if err != nil {
		return res, err
	}
	logger := r.Logger
	if logger == nil {
		logger = slog.Default()
	}
	logger.InfoContext(ctx, "retention sweep", "before", before, "contacts", res.Contacts,
		"tickets", res.Tickets, "inbound_messages", res.InboundMessages)
	return res, nil
}

// purge runs the store's sweep while it heartbeats, so a sweep of a large
// backlog is not mistaken for a dead worker and a dead worker is noticed
// within the heartbeat timeout. A cancelled heartbeat (the workflow gave
// up) cancels ctx, which stops the sweep between its batches.
func (r *RetentionActivities) purge(ctx context.Context, before time.Time) (hailurah.RetentionResult, error) {
	every := r.HeartbeatEvery
	if every <= 0 {
		every = 10 * time.Second
	}
	type result struct {
		res hailurah.RetentionResult
		err error
	}
	done := make(chan result, 1)
	go func() {
		res, err := r.Store.PurgeExpiredContacts(ctx, before)
		done <- result{res, err}
	}()
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case out := <-done:
			return out.res, out.err
		case <-tick.C:
			activity.RecordHeartbeat(ctx)
		}
	}
}
