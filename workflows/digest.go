package workflows

import (
	"context"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/activities"
)

// digestWeek is the period a digest covers, ending when it was scheduled.
const digestWeek = 7 * 24 * time.Hour

// searchScheduledStart is the search attribute a schedule sets on the runs
// it starts: the time it meant the run for.
var searchScheduledStart = temporal.NewSearchAttributeKeyTime("TemporalScheduledStartTime")

// DigestWorkflow sends every lurah the week's ticket counts for their
// kelurahan and returns how many kelurahan it covered. The schedule starts
// it on Monday at 07:00 on the kelurahan's clock.
func DigestWorkflow(ctx workflow.Context) (int, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 5 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 10},
	})
	// The week ends when the schedule meant the digest for, not when it
	// ran: a run caught up after the worker was down, or started late,
	// covers Monday 07:00 to Monday 07:00 and keys its notifications by
	// that Monday. A run started by hand covers the week up to now.
	to := workflow.Now(ctx)
	if at, ok := workflow.GetTypedSearchAttributes(ctx).GetTime(searchScheduledStart); ok && !at.IsZero() {
		to = at
	}
	var n int
	err := workflow.ExecuteActivity(ctx, a.SendWeeklyDigest, activities.DigestPeriod{From: to.Add(-digestWeek), To: to}).Get(ctx, &n)
	return n, err
}

// EnsureDigestSchedule creates the weekly digest schedule in zone, or
// brings an existing one to the current cron, time zone and action, so
// every worker start can call it and a changed HAILURAH_TZ takes effect.
func EnsureDigestSchedule(ctx context.Context, c client.Client, zone hailurah.Zone) error {
	spec := client.ScheduleSpec{CronExpressions: []string{DigestCron}, TimeZoneName: zone.Name()}
	action := &client.ScheduleWorkflowAction{
		ID:        "hailurah-weekly-digest",
		Workflow:  DigestWorkflow,
		TaskQueue: TaskQueue,
		// A digest that cannot run within a day is stale; next week's
		// covers the same tickets.
		WorkflowExecutionTimeout: 24 * time.Hour,
	}
	// A worker down over Monday morning sends the digest when it is back,
	// once, rather than never.
	return ensureSchedule(ctx, c, DigestScheduleID, "digest", spec, action)
}

// ensureSchedule creates a schedule, or replaces the spec and action of
// an existing one while keeping its state (an operator's pause), so every
// worker start can call it and a changed setting takes effect. Runs a
// worker missed while down are caught up once within a day.
func ensureSchedule(ctx context.Context, c client.Client, id, name string, spec client.ScheduleSpec, action *client.ScheduleWorkflowAction) error {
	_, err := c.ScheduleClient().Create(ctx, client.ScheduleOptions{
		ID:            id,
		Spec:          spec,
		Action:        action,
		Overlap:       enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
		CatchupWindow: 24 * time.Hour,
	})
	if err == nil {
		return nil
	}
	if !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		return fmt.Errorf("create %s schedule: %w", name, err)
	}
	h := c.ScheduleClient().GetHandle(ctx, id)
	err = h.Update(ctx, client.ScheduleUpdateOptions{
		DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
			s := in.Description.Schedule
			s.Spec = &spec
			s.Action = action
			return &client.ScheduleUpdate{Schedule: &s}, nil
		},
	})
	if err != nil {
		return fmt.Errorf("update %s schedule: %w", name, err)
	}
	return nil
}
