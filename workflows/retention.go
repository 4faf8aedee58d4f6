package workflows

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/activities"
)

// The daily retention sweep.
const (
	RetentionScheduleID = "hailurah-retention"
	// RetentionCron is 02:00 every day in the deployment's zone, when
	// nobody works the queue.
	RetentionCron = "0 2 * * *"
)

// ra is the nil receiver workflows name the retention activities by.
var ra *activities.RetentionActivities

// RetentionInput is what the schedule starts RetentionWorkflow with.
type RetentionInput struct {
	// Retention is how long after a case ends the citizen's phone is kept.
	Retention time.Duration `json:"retention"`
}

// RetentionWorkflow forgets the phones of citizens whose cases ended more
// than in.Retention ago (see hailurah.RetentionService) and returns what it
// changed. The schedule starts it every night.
func RetentionWorkflow(ctx workflow.Context, in RetentionInput) (hailurah.RetentionResult, error) {
	if in.Retention <= 0 {
		// A zero retention would purge every finished case at once; that
		// is a configuration mistake, never a wish.
		return hailurah.RetentionResult{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("retention must be positive, got %v", in.Retention), ErrorInvalid, nil)
	}
	// The sweep works in batches and heartbeats while it runs, so a worker
	// that dies is noticed within the heartbeat timeout and the sweep is
	// retried elsewhere (it continues where the committed batches ended);
	// the long start-to-close only bounds a first sweep of a large backlog.
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 4 * time.Hour,
		HeartbeatTimeout:    time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 10},
	})
	// The cutoff comes from workflow time, so every retry sweeps to the
	// same instant and a replay computes the same input.
	before := workflow.Now(ctx).Add(-in.Retention)
	var res hailurah.RetentionResult
	err := workflow.ExecuteActivity(ctx, ra.PurgeExpiredContacts, before).Get(ctx, &res)
	return res, err
}

// EnsureRetentionSchedule creates the daily retention schedule in zone, or
// brings an existing one to the current cron, time zone and retention, so
// every worker start can call it and a changed HAILURAH_RETENTION or
// HAILURAH_TZ takes effect.
func EnsureRetentionSchedule(ctx context.Context, c client.Client, retention time.Duration, zone hailurah.Zone) error {
	if retention <= 0 {
		return fmt.Errorf("retention schedule: retention must be positive, got %v", retention)
	}
	spec := client.ScheduleSpec{CronExpressions: []string{RetentionCron}, TimeZoneName: zone.Name()}
	action := &client.ScheduleWorkflowAction{
		ID:        "hailurah-retention-sweep",
		Workflow:  RetentionWorkflow,
		Args:      []any{RetentionInput{Retention: retention}},
		TaskQueue: TaskQueue,
		// A sweep not done within a day is overtaken by the next one,
		// which covers the same contacts.
		WorkflowExecutionTimeout: 24 * time.Hour,
	}
	// A worker down at 02:00 sweeps once when it is back.
	return ensureSchedule(ctx, c, RetentionScheduleID, "retention", spec, action)
}
