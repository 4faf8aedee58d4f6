package workflows

import (
	"context"
	"slices"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/workflow"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/activities"
)

// StaffNoticeWorkflowID is the notice workflow of one staff member:
// "staff-notice-lurah.taman". One runs per person while notices come.
func StaffNoticeWorkflowID(username string) string { return "staff-notice-" + username }

// SignalStaffNotice carries a hailurah.StaffNotice to a StaffNoticeWorkflow.
const SignalStaffNotice = "staff_notice"

var na *activities.NoticeActivities

// StaffNoticeInput starts a staff member's notice workflow, or continues
// it as new with what the last run still held.
type StaffNoticeInput struct {
	Username string                `json:"username"`
	Policy   hailurah.NoticePolicy `json:"policy"`
	// Held are notices waiting for their quiet hours or bundle to end,
	// Sent the times of the messages sent within the window, Seen the
	// keys of the last notices taken: a continued run keeps pacing and
	// deduplicating where the last one stopped.
	Held []HeldNotice `json:"held,omitempty"`
	Sent []time.Time  `json:"sent,omitempty"`
	Seen []string     `json:"seen,omitempty"`
}

// HeldNotice is a notice waiting until Due.
type HeldNotice struct {
	Notice hailurah.StaffNotice `json:"notice"`
	Due    time.Time            `json:"due"`
	// Bundle marks a notice held because the window had its fill; the
	// ones after it join its bundle.
	Bundle bool `json:"bundle,omitempty"`
}

// noticeSeenLimit bounds the keys a run remembers; a notice repeated later (a
// fan-out retried after a day) is still sent once, by its outbox key.
const noticeSeenLimit = 500

// StaffNoticeWorkflow paces one staff member's WhatsApp notices: a notice
// arriving in its kelurahan's quiet hours waits for their end unless it is
// urgent (urgency 5); within a window (10 minutes) the first few
// (3) go out at once and the rest wait for the window's end and go as one
// bundle. Each message is queued in the outbox by SendStaffNotices. The
// run ends after a window with nothing held and nothing new, and
// continues as new when its history grows long.
func StaffNoticeWorkflow(ctx workflow.Context, in StaffNoticeInput) error {
	s := &staffNotices{in: in, logger: workflow.GetLogger(ctx)}
	return s.run(ctx)
}

type staffNotices struct {
	in     StaffNoticeInput
	logger log.Logger
}

func (s *staffNotices) run(ctx workflow.Context) error {
	ch := workflow.GetSignalChannel(ctx, SignalStaffNotice)
	window := s.in.Policy.WindowOrDefault()
	for {
		s.release(ctx)
		if workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			s.drain(ctx, ch)
			return workflow.NewContinueAsNewError(ctx, StaffNoticeWorkflow, s.in)
		}
		wait := window
		if len(s.in.Held) > 0 {
			wait = s.nextDue().Sub(workflow.Now(ctx))
		}
		timerCtx, cancel := workflow.WithCancel(ctx)
		timer := workflow.NewTimer(timerCtx, wait)
		var n hailurah.StaffNotice
		got := false
		sel := workflow.NewSelector(ctx)
		sel.AddReceive(ch, func(c workflow.ReceiveChannel, _ bool) { c.Receive(ctx, &n); got = true })
		sel.AddFuture(timer, func(workflow.Future) {})
		sel.Select(ctx)
		cancel()
		if got {
			s.take(ctx, n)
			continue
		}
		if len(s.in.Held) == 0 && !s.drain(ctx, ch) {
			return nil // a quiet window: nothing to pace any more
		}
	}
}

// drain takes the notices already signalled and reports whether there
// were any; a run must not end or continue with a signal unread.
func (s *staffNotices) drain(ctx workflow.Context, ch workflow.ReceiveChannel) bool {
	took := false
	var n hailurah.StaffNotice
	for ch.ReceiveAsync(&n) {
		s.take(ctx, n)
		took = true
		n = hailurah.StaffNotice{}
	}
	return took
}

// take sends a new notice now or holds it.
func (s *staffNotices) take(ctx workflow.Context, n hailurah.StaffNotice) {
	if n.Key == "" || slices.Contains(s.in.Seen, n.Key) {
		return
	}
	s.in.Seen = append(s.in.Seen, n.Key)
	if len(s.in.Seen) > noticeSeenLimit {
		s.in.Seen = s.in.Seen[len(s.in.Seen)-noticeSeenLimit:]
	}
	now := workflow.Now(ctx)
	if n.Urgent() {
		s.send(ctx, n)
		return
	}
	if end, quiet := n.Quiet.Ends(s.in.Policy.Zone, now); quiet {
		s.in.Held = append(s.in.Held, HeldNotice{Notice: n, Due: end})
		return
	}
	for _, h := range s.in.Held {
		if h.Bundle {
			// A bundle is open: later notices join it rather than overtake.
			s.in.Held = append(s.in.Held, HeldNotice{Notice: n, Due: h.Due, Bundle: true})
			return
		}
	}
	if s.recent(now) < s.in.Policy.BundleAfterOrDefault() {
		s.send(ctx, n)
		return
	}
	s.in.Held = append(s.in.Held, HeldNotice{Notice: n, Due: now.Add(s.in.Policy.WindowOrDefault()), Bundle: true})
}

// release sends the held notices that are due: one alone; several as a
// bundle when they waited for a full window, or when with what the window
// already had they are more than a few.
func (s *staffNotices) release(ctx workflow.Context) {
	now := workflow.Now(ctx)
	var due []hailurah.StaffNotice
	bundled := false
	kept := s.in.Held[:0:0]
	for _, h := range s.in.Held {
		if h.Due.After(now) {
			kept = append(kept, h)
		} else {
			due = append(due, h.Notice)
			bundled = bundled || h.Bundle
		}
	}
	s.in.Held = kept
	switch {
	case len(due) == 0:
	case len(due) > 1 && (bundled || len(due)+s.recent(now) > s.in.Policy.BundleAfterOrDefault()):
		s.sendAll(ctx, due)
	default:
		for _, n := range due {
			s.send(ctx, n)
		}
	}
}

func (s *staffNotices) send(ctx workflow.Context, n hailurah.StaffNotice) {
	s.sendAll(ctx, []hailurah.StaffNotice{n})
}

// sendAll queues one message with the notices and counts it in the window.
func (s *staffNotices) sendAll(ctx workflow.Context, notices []hailurah.StaffNotice) {
	s.in.Sent = append(s.in.Sent, workflow.Now(ctx))
	in := activities.SendNoticesInput{Username: s.in.Username, Notices: notices}
	if err := workflow.ExecuteActivity(storeOptions(ctx), na.SendStaffNotices, in).Get(ctx, nil); err != nil {
		s.logger.Error("queueing a staff notice failed", "user", s.in.Username, "notices", len(notices), "error", err)
	}
}

// recent counts the messages sent within the window before now, and
// forgets older ones.
func (s *staffNotices) recent(now time.Time) int {
	from := now.Add(-s.in.Policy.WindowOrDefault())
	kept := s.in.Sent[:0:0]
	for _, t := range s.in.Sent {
		if t.After(from) {
			kept = append(kept, t)
		}
	}
	s.in.Sent = kept
	return len(kept)
}

func (s *staffNotices) nextDue() time.Time {
	next := s.in.Held[0].Due
	for _, h := range s.in.Held[1:] {
		if h.Due.Before(next) {
			next = h.Due
		}
	}
	return next
}

// NoticeStaff hands a notice to the staff member's notice workflow,
// starting one with the policy when none runs (SignalWithStart).
// Returns EUNAVAILABLE when Temporal cannot be reached.
func (c *Client) NoticeStaff(ctx context.Context, username string, p hailurah.NoticePolicy, n hailurah.StaffNotice) error {
	if c.Temporal == nil {
		return errNoClient()
	}
	// A run that ended (a quiet window) is followed by a new one.
	opts := client.StartWorkflowOptions{
		ID:                    StaffNoticeWorkflowID(username),
		TaskQueue:             TaskQueue,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
	}
	_, err := c.Temporal.SignalWithStartWorkflow(ctx, opts.ID, SignalStaffNotice, n, opts, StaffNoticeWorkflow,
		StaffNoticeInput{Username: username, Policy: p})
	return unavailable(err)
}
