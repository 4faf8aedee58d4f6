package workflows

import (
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/activities"
)

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
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout:    3 * time.Minute,
		ScheduleToCloseTimeout: 10 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    5 * time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    time.Minute,
			MaximumAttempts:    4,
		},
	})
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
