package workflows

import (
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hailurah/hailurah"
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
	return triesFor(ctx, 2*time.Minute, 30*time.Minute, 5*time.Minute, 6)
}

// triesFor gives an activity of the media attempts tries, each within
// perTry, all within total, 5s apart at first and doubling up to maxWait.
func triesFor(ctx workflow.Context, perTry, total, maxWait time.Duration, attempts int32) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout:    perTry,
		ScheduleToCloseTimeout: total,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    5 * time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    maxWait,
			MaximumAttempts:    attempts,
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

// voiceChange is the workflow.GetVersion change id of transcribing a voice
// note (issue 20). It is asked only for a message marked Voice, which no
// recorded history has, so those replay without it.
const voiceChange = "voice-transcribe"

// transcribedNote is the timeline's mark on a transcribed message; the
// ticket page shows it beside the audio player.
const transcribedNote = "Ditranskripsi dari pesan suara"

// transcribeOptions give a transcription a few minutes of tries: the
// citizen is waiting for an answer, and a voice note nobody could
// transcribe is still heard by the moderator.
func transcribeOptions(ctx workflow.Context) workflow.Context {
	return triesFor(ctx, 3*time.Minute, 10*time.Minute, time.Minute, 4)
}

// voiceNote reports whether m is a voice note to transcribe, deciding the
// version on the first one.
func (c *curhat) voiceNote(ctx workflow.Context, m hailurah.CitizenMessage) bool {
	if !m.Voice || len(m.Media) == 0 || strings.TrimSpace(m.Text) != "" {
		return false
	}
	return workflow.GetVersion(ctx, voiceChange, workflow.DefaultVersion, 1) != workflow.DefaultVersion
}

// transcribe keeps the voice note and returns its words; a Transcript
// without text when nobody could hear it. The download then goes on
// beside the ticket (fetchMedia) and is recorded as failed if it never
// succeeds.
func (c *curhat) transcribe(ctx workflow.Context, m hailurah.CitizenMessage) activities.Transcript {
	ticketID := c.s.State.TicketID
	var tr activities.Transcript
	in := activities.MediaInput{TicketID: ticketID, Source: m.Media[0]}
	if err := workflow.ExecuteActivity(transcribeOptions(ctx), ma.Transcribe, in).Get(ctx, &tr); err != nil {
		c.logger.Warn("transcribing a voice note failed", "ticket", ticketID, "error", err)
		tr = activities.Transcript{Note: "Transkripsi otomatis gagal setelah beberapa kali dicoba."}
		c.fetchMedia(ctx, m.Media)
	} else if len(m.Media) > 1 {
		c.fetchMedia(ctx, m.Media[1:])
	}
	return tr
}

// onVoice handles a voice note to a running ticket: its transcript is
// the citizen's message, marked as transcribed; without one the message
// keeps the audio for the staff and the citizen is asked to write.
func (c *curhat) onVoice(ctx workflow.Context, m hailurah.CitizenMessage) {
	tr := c.transcribe(ctx, m)
	if err := workflow.Await(ctx, func() bool { return c.s.IntakeDone }); err != nil {
		return
	}
	st := &c.s.State
	ev := hailurah.TicketEvent{Type: hailurah.EventCitizenMessage, Actor: hailurah.ActorCitizen,
		From: st.Status, To: st.Status, Note: tr.Text, Attachments: m.Media}
	if tr.Text == "" {
		ev.Note = "(pesan suara)"
	}
	c.record(ctx, ev)
	if tr.Text != "" {
		c.recordTranscribed(ctx, m.Media[0])
		return
	}
	c.sendCitizen(ctx, activities.SendCitizenInput{Kind: hailurah.OutboxAskText})
}

func (c *curhat) recordTranscribed(ctx workflow.Context, source string) {
	st := &c.s.State
	c.record(ctx, hailurah.TicketEvent{Type: hailurah.EventTranscribed, Actor: hailurah.ActorSystem,
		From: st.Status, To: st.Status, Note: transcribedNote, Attachments: []string{source}})
}

// voiceFirst transcribes a ticket's opening voice note into its text.
// Without a transcript the citizen is asked to write, and the ticket waits
// for a moderator to listen and classify it: there is nothing to triage.
func (c *curhat) voiceFirst(ctx workflow.Context) bool {
	tr := c.transcribe(ctx, c.in.First)
	if ctx.Err() != nil {
		return false
	}
	if tr.Text != "" {
		c.in.First.Text = tr.Text
		c.recordTranscribed(ctx, c.in.First.Media[0])
		return true
	}
	c.sendCitizen(ctx, activities.SendCitizenInput{Kind: hailurah.OutboxAskText})
	note := "Pesan suara belum ditranskripsi"
	if tr.Note != "" {
		note += " (" + strings.TrimSuffix(tr.Note, ".") + ")"
	}
	c.triageByHand(ctx, note+"; dengarkan rekamannya lalu klasifikasikan.")
	return false
}
