package workflows_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/activities"
	"github.com/hailurah/hailurah/workflows"
)

// runDigest runs the digest started at startAt, by a schedule that meant
// it for scheduled unless that is zero, and returns the period it asked
// the activity for and its result.
func runDigest(t *testing.T, startAt, scheduled time.Time) (activities.DigestPeriod, int) {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.SetStartTime(startAt)
	if !scheduled.IsZero() {
		if err := env.SetTypedSearchAttributesOnStart(temporal.NewSearchAttributes(
			temporal.NewSearchAttributeKeyTime("TemporalScheduledStartTime").ValueSet(scheduled))); err != nil {
			t.Fatal(err)
		}
	}
	env.RegisterActivity(&activities.Activities{})
	var got activities.DigestPeriod
	env.OnActivity(a.SendWeeklyDigest, mock.Anything, mock.Anything).Return(
		func(_ context.Context, p activities.DigestPeriod) (int, error) {
			got = p
			return 3, nil
		})

	env.ExecuteWorkflow(workflows.DigestWorkflow)

	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := env.GetWorkflowResult(&n); err != nil {
		t.Fatal(err)
	}
	return got, n
}

func TestDigestWorkflowCoversThePastWeek(t *testing.T) {
	monday := time.Date(2026, 7, 6, 7, 0, 0, 0, wib)
	got, n := runDigest(t, monday, time.Time{})
	if n != 3 {
		t.Errorf("result %d", n)
	}
	if !got.To.Equal(monday) || !got.From.Equal(monday.Add(-7*24*time.Hour)) {
		t.Errorf("period %v – %v", got.From, got.To)
	}
}

// TestDigestCoversTheScheduledWeek: a digest the schedule started late (a
// catch-up after the worker was down) covers the week up to the time it
// was scheduled for, not up to when it ran.
func TestDigestCoversTheScheduledWeek(t *testing.T) {
	monday := time.Date(2026, 7, 6, 7, 0, 0, 0, wib)
	got, _ := runDigest(t, monday.Add(5*time.Hour+17*time.Minute), monday)
	if !got.To.Equal(monday) || !got.From.Equal(monday.Add(-7*24*time.Hour)) {
		t.Errorf("period %v – %v, want the week up to %v", got.From, got.To, monday)
	}
}

// fakeClient implements the schedule calls EnsureDigestSchedule makes; any
// other call panics on the nil embedded interface.
type fakeClient struct {
	client.Client
	schedules *fakeSchedules
}

func (c *fakeClient) ScheduleClient() client.ScheduleClient { return c.schedules }

type fakeSchedules struct {
	client.ScheduleClient
	createErr error
	created   []client.ScheduleOptions
	existing  client.Schedule // what Update starts from
	updated   *client.ScheduleUpdate
	handleID  string
}

func (s *fakeSchedules) Create(_ context.Context, o client.ScheduleOptions) (client.ScheduleHandle, error) {
	if s.createErr != nil {
		return nil, s.createErr
	}
	s.created = append(s.created, o)
	return nil, nil
}

func (s *fakeSchedules) GetHandle(_ context.Context, id string) client.ScheduleHandle {
	s.handleID = id
	return &fakeHandle{s: s}
}

type fakeHandle struct {
	client.ScheduleHandle
	s *fakeSchedules
}

func (h *fakeHandle) Update(_ context.Context, o client.ScheduleUpdateOptions) error {
	u, err := o.DoUpdate(client.ScheduleUpdateInput{Description: client.ScheduleDescription{Schedule: h.s.existing}})
	h.s.updated = u
	return err
}

func TestEnsureDigestScheduleCreates(t *testing.T) {
	s := &fakeSchedules{}
	if err := workflows.EnsureDigestSchedule(context.Background(), &fakeClient{schedules: s}, hailurah.Zone{}); err != nil {
		t.Fatal(err)
	}
	if len(s.created) != 1 {
		t.Fatalf("created %d schedules", len(s.created))
	}
	o := s.created[0]
	if o.ID != workflows.DigestScheduleID || len(o.Spec.CronExpressions) != 1 || o.Spec.CronExpressions[0] != "0 7 * * 1" ||
		o.Spec.TimeZoneName != "Asia/Jakarta" || o.Overlap != enumspb.SCHEDULE_OVERLAP_POLICY_SKIP {
		t.Errorf("schedule options: %+v", o)
	}
	action, ok := o.Action.(*client.ScheduleWorkflowAction)
	if !ok || action.TaskQueue != workflows.TaskQueue || action.Workflow == nil {
		t.Errorf("action: %+v", o.Action)
	}
}

func TestEnsureDigestScheduleUpdatesAnExistingOne(t *testing.T) {
	old := client.ScheduleSpec{CronExpressions: []string{"0 8 * * 1"}, TimeZoneName: "UTC"}
	paused := client.ScheduleState{Paused: true, Note: "libur"}
	s := &fakeSchedules{createErr: temporal.ErrScheduleAlreadyRunning,
		existing: client.Schedule{Spec: &old, State: &paused}}
	if err := workflows.EnsureDigestSchedule(context.Background(), &fakeClient{schedules: s}, hailurah.Zone{}); err != nil {
		t.Fatal(err)
	}
	if s.handleID != workflows.DigestScheduleID || s.updated == nil {
		t.Fatalf("no update of %q", s.handleID)
	}
	sched := s.updated.Schedule
	if sched.Spec.CronExpressions[0] != "0 7 * * 1" || sched.Spec.TimeZoneName != "Asia/Jakarta" {
		t.Errorf("spec not brought up to date: %+v", sched.Spec)
	}
	// An admin's pause survives a worker restart.
	if sched.State == nil || !sched.State.Paused {
		t.Errorf("state: %+v", sched.State)
	}
}

func TestEnsureDigestScheduleReportsOtherErrors(t *testing.T) {
	s := &fakeSchedules{createErr: errors.New("unavailable")}
	if err := workflows.EnsureDigestSchedule(context.Background(), &fakeClient{schedules: s}, hailurah.Zone{}); err == nil {
		t.Error("want the error")
	}
	if s.updated != nil {
		t.Error("must not update after a failed create")
	}
}

// TestSchedulesFollowTheZone: a WITA kelurahan gets its digest on Monday
// 07:00 and its retention sweep at 02:00 on its own clock.
func TestSchedulesFollowTheZone(t *testing.T) {
	wita, err := hailurah.LoadZone("Asia/Makassar")
	if err != nil {
		t.Fatal(err)
	}
	s := &fakeSchedules{}
	if err := workflows.EnsureDigestSchedule(context.Background(), &fakeClient{schedules: s}, wita); err != nil {
		t.Fatal(err)
	}
	if err := workflows.EnsureRetentionSchedule(context.Background(), &fakeClient{schedules: s}, 90*day, wita); err != nil {
		t.Fatal(err)
	}
	if len(s.created) != 2 || s.created[0].Spec.TimeZoneName != "Asia/Makassar" || s.created[1].Spec.TimeZoneName != "Asia/Makassar" {
		t.Fatalf("schedules: %+v", s.created)
	}
}
