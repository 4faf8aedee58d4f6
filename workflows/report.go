package workflows

import (
	"context"
	"errors"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/activities"
)

// The monthly reports to Kecamatan and Baperida.
const (
	ReportScheduleID = "hailurah-monthly-reports"
	// ReportCron is 06:00 on the 1st of every month in the deployment's
	// zone: the month before has ended everywhere it is counted.
	ReportCron = "0 6 1 * *"
)

// ReportWorkflowID names a run started for given periods (the first
// start of dev, a run by hand), so two starts for the same periods are
// one run.
func ReportWorkflowID(periods []string) string {
	id := "reports"
	for _, p := range periods {
		id += "-" + p
	}
	return id
}

// rpa is the nil receiver workflows name the report activities by.
var rpa *activities.ReportActivities

// ReportInput is what ReportWorkflow is started with.
type ReportInput struct {
	// Zone is the calendar whose months the reports cover.
	Zone hailurah.Zone `json:"zone"`
	// Periods, when set, are made instead of those of the scheduled time.
	Periods []string `json:"periods,omitempty"`
}

// ReportPeriods are the periods a run at at makes: the month before, and
// on the first month of a quarter the quarter before.
func ReportPeriods(z hailurah.Zone, at time.Time) []string {
	out := []string{hailurah.PreviousMonth(z, at).String()}
	if m := z.In(at).Month(); (m-1)%3 == 0 {
		out = append(out, hailurah.PreviousQuarter(z, at).String())
	}
	return out
}

// ReportWorkflow makes the period's reports for the city and every
// kelurahan — SIAP-TAMAN monthly and quarterly, HAI LURAH monthly —
// stores them, tells each lurah, and returns how many reports it made.
// Each report is its own activity, so a retry redoes one report, and the
// store keeps one per period however often a run is repeated.
func ReportWorkflow(ctx workflow.Context, in ReportInput) (int, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 10},
	})
	periods := in.Periods
	if len(periods) == 0 {
		// The month is the one before the schedule meant the run for,
		// not before it ran: a run caught up on the 2nd still makes the
		// month before the 1st.
		at := workflow.Now(ctx)
		if t, ok := workflow.GetTypedSearchAttributes(ctx).GetTime(searchScheduledStart); ok && !t.IsZero() {
			at = t
		}
		periods = ReportPeriods(in.Zone, at)
	}
	var places []string
	if err := workflow.ExecuteActivity(ctx, rpa.ReportPlaces).Get(ctx, &places); err != nil {
		return 0, err
	}
	n := 0
	for _, s := range periods {
		p, err := hailurah.ParseReportPeriod(s)
		if err != nil {
			return n, temporal.NewNonRetryableApplicationError(err.Error(), ErrorInvalid, err)
		}
		kinds := hailurah.ReportKinds
		if p.Quarterly() {
			// The HAI LURAH report is monthly; the quarter's is SIAP-TAMAN's
			// deeper evaluation.
			kinds = []string{hailurah.ReportSIAPTaman}
		}
		for _, kind := range kinds {
			for _, place := range places {
				in := activities.MakeReportInput{Kind: kind, Period: p.String(), Kelurahan: place}
				if err := workflow.ExecuteActivity(ctx, rpa.MakeReport, in).Get(ctx, nil); err != nil {
					return n, err
				}
				n++
			}
		}
	}
	for _, place := range places {
		if place == "" {
			continue
		}
		in := activities.NotifyReportsInput{Periods: periods, Kelurahan: place}
		if err := workflow.ExecuteActivity(ctx, rpa.NotifyReports, in).Get(ctx, nil); err != nil {
			return n, err
		}
	}
	return n, nil
}

// EnsureReportSchedule creates the monthly report schedule in zone, or
// brings an existing one to the current cron, zone and action.
func EnsureReportSchedule(ctx context.Context, c client.Client, zone hailurah.Zone) error {
	spec := client.ScheduleSpec{CronExpressions: []string{ReportCron}, TimeZoneName: zone.Name()}
	action := &client.ScheduleWorkflowAction{
		ID:        ReportScheduleID,
		Workflow:  ReportWorkflow,
		Args:      []any{ReportInput{Zone: zone}},
		TaskQueue: TaskQueue,
		// A month's reports that cannot be made within a day wait for a
		// run by hand rather than pile up.
		WorkflowExecutionTimeout: 24 * time.Hour,
	}
	return ensureSchedule(ctx, c, ReportScheduleID, "report", spec, action)
}

// StartReports starts ReportWorkflow for periods now; a start while a run
// for the same periods is under way is that run. A later one makes them
// again, which the store keeps once.
func StartReports(ctx context.Context, c client.Client, zone hailurah.Zone, periods []string) error {
	_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: ReportWorkflowID(periods), TaskQueue: TaskQueue, WorkflowExecutionTimeout: 24 * time.Hour,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
	}, ReportWorkflow, ReportInput{Zone: zone, Periods: periods})
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return nil
	}
	return err
}
