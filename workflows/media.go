package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hailurah/hailurah/activities"
)

// ma is only used to name the media activities.
var ma *activities.MediaActivities

// mediaChange is the workflow.GetVersion change id of downloading a
// message's attachments (issue 20). Histories recorded before it kept the
// references only, and replay without the download.
const mediaChange = "media-download"

// mediaOptions give a download a few minutes of tries: the Graph API or a
// gateway that is down for longer leaves a "failed" row for staff rather
// than a download that lands days after the ticket was handled.
func mediaOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout:    2 * time.Minute,
		ScheduleToCloseTimeout: 30 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    5 * time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    5 * time.Minute,
			MaximumAttempts:    6,
		},
	})
}

// fetchMedia downloads a message's attachments beside the ticket's work:
// the citizen's next message and the staff's actions do not wait for a
// slow download. The run does not end or continue as new while one is in
// flight (idle).
func (c *curhat) fetchMedia(ctx workflow.Context, sources []string) {
	if len(sources) == 0 {
		return
	}
	if workflow.GetVersion(ctx, mediaChange, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return
	}
	ticketID := c.s.State.TicketID
	c.fetching++
	workflow.Go(ctx, func(ctx workflow.Context) {
		defer func() { c.fetching-- }()
		for _, src := range sources {
			in := activities.MediaInput{TicketID: ticketID, Source: src}
			err := workflow.ExecuteActivity(mediaOptions(ctx), ma.FetchMedia, in).Get(ctx, nil)
			if err == nil || ctx.Err() != nil {
				continue
			}
			c.logger.Warn("downloading an attachment failed", "ticket", ticketID, "error", err)
			in.Note = "Media gagal diunduh setelah beberapa kali dicoba."
			if err := workflow.ExecuteActivity(storeOptions(ctx), ma.MediaFailed, in).Get(ctx, nil); err != nil {
				c.logger.Error("recording a failed attachment failed", "ticket", ticketID, "error", err)
			}
		}
	})
}
