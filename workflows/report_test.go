package workflows_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/activities"
	"github.com/hailurah/hailurah/workflows"
)

var rpa *activities.ReportActivities

// reportRun is what a ReportWorkflow run asked its activities for.
type reportRun struct {
	made     []activities.MakeReportInput
	notified []activities.NotifyReportsInput
	n        int
	elapsed  time.Duration
}

// runReports runs the workflow started at startAt (by a schedule that
// meant it for scheduled, unless zero) with in; the first MakeReport fails
// failFirst times.
func runReports(t *testing.T, startAt, scheduled time.Time, in workflows.ReportInput, failFirst int) reportRun {
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
	env.RegisterActivity(&activities.ReportActivities{})
	var mu sync.Mutex
	var run reportRun
	env.OnActivity(rpa.ReportPlaces, mock.Anything).Return([]string{"", "taman", "demangan"}, nil)
	env.OnActivity(rpa.MakeReport, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.MakeReportInput) error {
		mu.Lock()
		defer mu.Unlock()
		if failFirst > 0 {
			failFirst--
			return errors.New("database away")
		}
		run.made = append(run.made, in)
		return nil
	})
	env.OnActivity(rpa.NotifyReports, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.NotifyReportsInput) error {
		mu.Lock()
		defer mu.Unlock()
		run.notified = append(run.notified, in)
		return nil
	})
	env.ExecuteWorkflow(workflows.ReportWorkflow, in)
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if err := env.GetWorkflowResult(&run.n); err != nil {
		t.Fatal(err)
	}
	run.elapsed = env.Now().Sub(startAt)
	return run
}

func TestReportWorkflowMakesLastMonthForEveryPlace(t *testing.T) {
	at := time.Date(2026, 12, 1, 6, 0, 0, 0, wib)
	run := runReports(t, at, time.Time{}, workflows.ReportInput{}, 0)
	var want []activities.MakeReportInput
	for _, kind := range []string{hailurah.ReportSIAPTaman, hailurah.ReportHaiLurah} {
		for _, kel := range []string{"", "taman", "demangan"} {
			want = append(want, activities.MakeReportInput{Kind: kind, Period: "2026-11", Kelurahan: kel})
		}
	}
	if !slices.Equal(run.made, want) || run.n != len(want) {
		t.Errorf("made %d %+v, want %+v", run.n, run.made, want)
	}
	// Each lurah is told once; the city has no lurah.
	wantNotified := []activities.NotifyReportsInput{{Periods: []string{"2026-11"}, Kelurahan: "taman"}, {Periods: []string{"2026-11"}, Kelurahan: "demangan"}}
	if len(run.notified) != 2 || run.notified[0].Kelurahan != "taman" || run.notified[1].Kelurahan != "demangan" ||
		!slices.Equal(run.notified[0].Periods, wantNotified[0].Periods) {
		t.Errorf("notified %+v", run.notified)
	}
}

// TestReportWorkflowAddsTheQuarterInJanuary: the run the schedule meant
// for 1 January makes December and the fourth quarter, SIAP-TAMAN only
// for the quarter, even caught up a day late; a failed report is retried
// after a backoff, not skipped.
func TestReportWorkflowAddsTheQuarterInJanuary(t *testing.T) {
	scheduled := time.Date(2027, 1, 1, 6, 0, 0, 0, wib)
	run := runReports(t, scheduled.Add(26*time.Hour), scheduled, workflows.ReportInput{}, 2)
	quarter := 0
	for _, m := range run.made {
		switch {
		case m.Period == "2026-Q4" && m.Kind == hailurah.ReportSIAPTaman:
			quarter++
		case m.Period == "2026-Q4", m.Period != "2026-12":
			t.Errorf("made %+v", m)
		}
	}
	if quarter != 3 || run.n != 9 || len(run.made) != 9 {
		t.Errorf("quarter reports %d, made %d: %+v", quarter, run.n, run.made)
	}
	if run.made[0] != (activities.MakeReportInput{Kind: hailurah.ReportSIAPTaman, Period: "2026-12"}) {
		t.Errorf("the retried report is not the first: %+v", run.made[0])
	}
	if run.elapsed < 2*time.Second {
		t.Errorf("the retries waited %v", run.elapsed)
	}
	if len(run.notified) != 2 || !slices.Equal(run.notified[0].Periods, []string{"2026-12", "2026-Q4"}) {
		t.Errorf("notified %+v", run.notified)
	}
}

func TestReportWorkflowMakesTheGivenPeriods(t *testing.T) {
	run := runReports(t, time.Date(2026, 12, 7, 10, 0, 0, 0, wib), time.Time{}, workflows.ReportInput{Periods: []string{"2026-10"}}, 0)
	if run.n != 6 || run.made[0].Period != "2026-10" {
		t.Errorf("made %d %+v", run.n, run.made)
	}
}

func TestReportPeriods(t *testing.T) {
	z, err := hailurah.LoadZone("Asia/Jakarta")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		at   time.Time
		want []string
	}{
		{time.Date(2026, 12, 1, 6, 0, 0, 0, wib), []string{"2026-11"}},
		{time.Date(2027, 1, 1, 6, 0, 0, 0, wib), []string{"2026-12", "2026-Q4"}},
		{time.Date(2026, 4, 1, 6, 0, 0, 0, wib), []string{"2026-03", "2026-Q1"}},
		{time.Date(2026, 7, 1, 6, 0, 0, 0, wib), []string{"2026-06", "2026-Q2"}},
		{time.Date(2026, 10, 1, 6, 0, 0, 0, wib), []string{"2026-09", "2026-Q3"}},
		// 30 Nov 23:00 UTC is already 1 December in WIB.
		{time.Date(2026, 11, 30, 23, 0, 0, 0, time.UTC), []string{"2026-11"}},
	} {
		if got := workflows.ReportPeriods(z, c.at); !slices.Equal(got, c.want) {
			t.Errorf("%v: %v, want %v", c.at, got, c.want)
		}
	}
}

func TestEnsureReportScheduleCreates(t *testing.T) {
	s := &fakeSchedules{}
	z, _ := hailurah.LoadZone("Asia/Makassar")
	if err := workflows.EnsureReportSchedule(context.Background(), &fakeClient{schedules: s}, z); err != nil {
		t.Fatal(err)
	}
	if len(s.created) != 1 {
		t.Fatalf("created %d", len(s.created))
	}
	o := s.created[0]
	if o.ID != workflows.ReportScheduleID || len(o.Spec.CronExpressions) != 1 || o.Spec.CronExpressions[0] != "0 6 1 * *" ||
		o.Spec.TimeZoneName != "Asia/Makassar" {
		t.Errorf("schedule %+v", o)
	}
}
