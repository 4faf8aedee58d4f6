package workflows_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/activities"
	"github.com/hailurah/hailurah/store/storetest"
	"github.com/hailurah/hailurah/workflows"
)

// The workflow against the real store: the cutoff it derives from its
// start time decides which contacts go.
func TestRetentionWorkflowPurgesExpiredContacts(t *testing.T) {
	db := storetest.Open(t)
	ctx := t.Context()
	night := time.Date(2026, 7, 6, 2, 0, 0, 0, wib)
	retention := 180 * day
	cutoff := night.Add(-retention)
	raw := []byte(`{"from":"6281234567890","text":"hubungi 081234567890"}`)
	for i, c := range []struct {
		sender string
		closed time.Time
	}{
		{"expired", cutoff.Add(-hour)},
		{"recent", cutoff.Add(hour)}, // closed just inside the retention period
	} {
		if err := db.RecordContact(ctx, &hailurah.Contact{SenderID: c.sender, Channel: "whatsapp", PhoneSealed: "sealed",
			LastInboundAt: cutoff.Add(-30 * day)}); err != nil {
			t.Fatal(err)
		}
		closed := c.closed
		if err := db.CreateTicket(ctx, &hailurah.Ticket{ID: "HL-2026-00000" + string(rune('1'+i)), TrackingCode: c.sender,
			SenderID: c.sender, Channel: "whatsapp", Status: hailurah.StatusClosed, ClosedAt: &closed, RawPayload: raw}); err != nil {
			t.Fatal(err)
		}
	}

	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.SetStartTime(night)
	env.RegisterActivity(&activities.RetentionActivities{Store: db})
	env.ExecuteWorkflow(workflows.RetentionWorkflow, workflows.RetentionInput{Retention: retention})

	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var res hailurah.RetentionResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	if want := (hailurah.RetentionResult{Contacts: 1, Tickets: 1}); res != want {
		t.Errorf("result %+v, want %+v", res, want)
	}
	if _, err := db.FindContact(ctx, "expired"); hailurah.ErrorCode(err) != hailurah.ENOTFOUND {
		t.Errorf("expired contact kept: %v", err)
	}
	if _, err := db.FindContact(ctx, "recent"); err != nil {
		t.Errorf("recent contact purged: %v", err)
	}
	tk, err := db.FindTicket(ctx, "HL-2026-000001")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(tk.RawPayload), "1234567890") {
		t.Errorf("raw payload still holds the number: %s", tk.RawPayload)
	}
}

// slowRetention is a store whose sweep takes a while, like a first sweep
// of a large backlog.
type slowRetention struct{ took time.Duration }

func (s slowRetention) PurgeExpiredContacts(ctx context.Context, _ time.Time) (hailurah.RetentionResult, error) {
	select {
	case <-time.After(s.took):
		return hailurah.RetentionResult{Contacts: 7}, nil
	case <-ctx.Done():
		return hailurah.RetentionResult{}, ctx.Err()
	}
}

// TestRetentionSweepHeartbeats: the sweep runs with a heartbeat timeout and
// heartbeats while the store works, so a dead worker is noticed in a
// minute rather than after the whole start-to-close timeout.
func TestRetentionSweepHeartbeats(t *testing.T) {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	acts := &activities.RetentionActivities{Store: slowRetention{took: 100 * time.Millisecond}, HeartbeatEvery: 5 * time.Millisecond}
	env.RegisterActivity(acts)
	var timeout time.Duration
	env.OnActivity(acts.PurgeExpiredContacts, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, before time.Time) (hailurah.RetentionResult, error) {
			timeout = activity.GetInfo(ctx).HeartbeatTimeout
			return acts.PurgeExpiredContacts(ctx, before)
		})
	var beats int
	env.SetOnActivityHeartbeatListener(func(*activity.Info, converter.EncodedValues) { beats++ })
	env.ExecuteWorkflow(workflows.RetentionWorkflow, workflows.RetentionInput{Retention: 180 * day})

	var res hailurah.RetentionResult
	if err := env.GetWorkflowResult(&res); err != nil || res.Contacts != 7 {
		t.Fatalf("result %+v, %v", res, err)
	}
	if beats == 0 || timeout != time.Minute {
		t.Errorf("%d heartbeats with a heartbeat timeout of %v; want some, and one minute", beats, timeout)
	}
}

func TestRetentionWorkflowRefusesZeroRetention(t *testing.T) {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	// No store: the workflow must fail before it reaches the activity.
	env.RegisterActivity(&activities.RetentionActivities{})
	env.ExecuteWorkflow(workflows.RetentionWorkflow, workflows.RetentionInput{})
	err := env.GetWorkflowError()
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != workflows.ErrorInvalid || !appErr.NonRetryable() {
		t.Fatalf("want a non-retryable invalid error, got %v", err)
	}
}

func TestEnsureRetentionScheduleCreates(t *testing.T) {
	s := &fakeSchedules{}
	if err := workflows.EnsureRetentionSchedule(context.Background(), &fakeClient{schedules: s}, 90*day, hailurah.Zone{}); err != nil {
		t.Fatal(err)
	}
	if len(s.created) != 1 {
		t.Fatalf("created %d schedules", len(s.created))
	}
	o := s.created[0]
	if o.ID != workflows.RetentionScheduleID || len(o.Spec.CronExpressions) != 1 || o.Spec.CronExpressions[0] != "0 2 * * *" ||
		o.Spec.TimeZoneName != "Asia/Jakarta" {
		t.Errorf("schedule options: %+v", o)
	}
	action, ok := o.Action.(*client.ScheduleWorkflowAction)
	if !ok || action.TaskQueue != workflows.TaskQueue || len(action.Args) != 1 ||
		action.Args[0] != (workflows.RetentionInput{Retention: 90 * day}) {
		t.Errorf("action: %+v", o.Action)
	}
}

func TestEnsureRetentionScheduleUpdatesRetention(t *testing.T) {
	old := client.ScheduleSpec{CronExpressions: []string{"0 3 * * *"}, TimeZoneName: "UTC"}
	paused := client.ScheduleState{Paused: true}
	s := &fakeSchedules{createErr: temporal.ErrScheduleAlreadyRunning, existing: client.Schedule{
		Spec: &old, State: &paused,
		Action: &client.ScheduleWorkflowAction{Args: []any{workflows.RetentionInput{Retention: 180 * day}}},
	}}
	if err := workflows.EnsureRetentionSchedule(context.Background(), &fakeClient{schedules: s}, 30*day, hailurah.Zone{}); err != nil {
		t.Fatal(err)
	}
	if s.handleID != workflows.RetentionScheduleID || s.updated == nil {
		t.Fatalf("no update of %q", s.handleID)
	}
	sched := s.updated.Schedule
	action, ok := sched.Action.(*client.ScheduleWorkflowAction)
	if !ok || len(action.Args) != 1 || action.Args[0] != (workflows.RetentionInput{Retention: 30 * day}) {
		t.Errorf("retention not brought up to date: %+v", sched.Action)
	}
	if sched.Spec.CronExpressions[0] != "0 2 * * *" || sched.State == nil || !sched.State.Paused {
		t.Errorf("spec %+v, state %+v", sched.Spec, sched.State)
	}
}

func TestEnsureRetentionScheduleRefusesZero(t *testing.T) {
	s := &fakeSchedules{}
	if err := workflows.EnsureRetentionSchedule(context.Background(), &fakeClient{schedules: s}, 0, hailurah.Zone{}); err == nil || len(s.created) != 0 {
		t.Errorf("err %v, created %d", err, len(s.created))
	}
}
