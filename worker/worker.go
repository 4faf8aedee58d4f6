// Package worker registers the workflows and activities of HAI LURAH on a
// Temporal worker. The binary (`hailurah worker`, `hailurah dev`) and the
// integration tests start workers the same way, through New or Run.
package worker

import (
	"context"
	"errors"
	"time"

	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/activities"
	"github.com/hailurah/hailurah/workflows"
)

// Options tunes a worker; the zero value suits a kelurahan.
type Options struct {
	// MaxConcurrentActivities bounds parallel activities (triage calls,
	// store writes); 0 keeps the SDK default. ActivitySlots sizes it to a
	// database pool.
	MaxConcurrentActivities int
	// StopTimeout is how long Stop lets running activities finish before
	// it cancels them (a rollout's grace period); 0 is DefaultStopTimeout.
	StopTimeout time.Duration
	// Grants, when set, registers GrantWorkflow and its activities.
	Grants *activities.GrantActivities
	// Loans, when set, registers LoanWorkflow (dana bergulir) and its
	// activities.
	Loans *activities.LoanActivities
	// Pilots, when set, registers PilotReviewWorkflow and its activities.
	Pilots *activities.PilotActivities
	// Retention, when set, registers RetentionWorkflow and its activity.
	Retention *activities.RetentionActivities
	// Notices, when set, registers StaffNoticeWorkflow and its activity:
	// the same value must be the Notices of the notification activities,
	// which start the workflows.
	Notices *activities.NoticeActivities
	// Reports, when set, registers ReportWorkflow and its activities.
	Reports *activities.ReportActivities
	// Media, when set, registers the download of citizens' attachments.
	// Without it a ticket's downloads fail and are logged; the references
	// stay on the timeline.
	Media *activities.MediaActivities
}

// DefaultStopTimeout lets the activities running at a stop (a store write
// retried, a triage call of up to half a minute) finish; a deploy's grace
// period must be longer (stop_grace_period in docker-compose.yml).
const DefaultStopTimeout = 30 * time.Second

// ActivitySlots is how many activities a worker runs at once for a
// database pool of poolSize connections: most activities hold one
// connection for a write, some wait on Gemini or WhatsApp without one, so
// twice the pool keeps it busy without queueing many on it. SQLite's pool
// of one still runs eight, so a long sweep cannot hold every slot.
func ActivitySlots(poolSize int) int {
	if poolSize <= 0 {
		return 0
	}
	return max(2*poolSize, 8)
}

// New returns a worker on workflows.TaskQueue with every workflow and the
// activities registered. Start it, or use Run.
func New(c client.Client, acts *activities.Activities, opts Options) sdkworker.Worker {
	if opts.StopTimeout == 0 {
		opts.StopTimeout = DefaultStopTimeout
	}
	w := sdkworker.New(c, workflows.TaskQueue, sdkworker.Options{
		MaxConcurrentActivityExecutionSize: opts.MaxConcurrentActivities,
		WorkerStopTimeout:                  opts.StopTimeout,
	})
	w.RegisterWorkflow(workflows.CurhatWorkflow)
	w.RegisterWorkflow(workflows.DigestWorkflow)
	w.RegisterActivity(acts)
	if opts.Grants != nil {
		w.RegisterWorkflow(workflows.GrantWorkflow)
		w.RegisterActivity(opts.Grants)
	}
	if opts.Loans != nil {
		w.RegisterWorkflow(workflows.LoanWorkflow)
		w.RegisterActivity(opts.Loans)
	}
	if opts.Pilots != nil {
		w.RegisterWorkflow(workflows.PilotReviewWorkflow)
		w.RegisterActivity(opts.Pilots)
	}
	if opts.Retention != nil {
		w.RegisterWorkflow(workflows.RetentionWorkflow)
		w.RegisterActivity(opts.Retention)
	}
	if opts.Notices != nil {
		w.RegisterWorkflow(workflows.StaffNoticeWorkflow)
		w.RegisterActivity(opts.Notices)
	}
	if opts.Media != nil {
		w.RegisterActivity(opts.Media)
	}
	if opts.Reports != nil {
		w.RegisterWorkflow(workflows.ReportWorkflow)
		w.RegisterActivity(opts.Reports)
	}
	return w
}

// Run runs a worker until ctx is done.
func Run(ctx context.Context, c client.Client, acts *activities.Activities, opts Options) error {
	w := New(c, acts, opts)
	if err := w.Start(); err != nil {
		return err
	}
	<-ctx.Done()
	w.Stop()
	return nil
}

// Setup prepares a namespace for the workflows: registers their search
// attributes (idempotently; a cluster's operator may have done it) and the
// weekly digest schedule, in zone.
func Setup(ctx context.Context, c client.Client, namespace string, zone hailurah.Zone) error {
	_, err := c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace:        namespace,
		SearchAttributes: workflows.SearchAttributes(),
	})
	var exists *serviceerror.AlreadyExists
	if err != nil && !errors.As(err, &exists) {
		return err
	}
	return workflows.EnsureDigestSchedule(ctx, c, zone)
}
