package activities

import (
	"context"
	"log/slog"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/media"
	"github.com/hailurah/hailurah/triage"
)

// MediaActivities download a citizen's attachments, check them and keep
// them with their row in the store.
type MediaActivities struct {
	Media   hailurah.MediaService
	Fetcher *media.Fetcher
	Storage media.Storage
	// Transcriber, when set (GEMINI_API_KEY), turns voice notes into text
	// (Transcribe); without it a voice note is kept to be listened to.
	Transcriber triage.Transcriber
	Logger      *slog.Logger
}

// MediaInput names one attachment of a ticket by its reference.
type MediaInput struct {
	TicketID string `json:"ticket_id"`
	Source   string `json:"source"`
	// Note says why the download failed, for MediaFailed.
	Note string `json:"note,omitempty"`
}

// FetchMedia downloads the attachment, checks it by content, strips an
// image's metadata, stores it and its thumbnail and records the row.
// Media that are refused or gone are recorded as such and the activity
// succeeds; an error means trying again may help (the Graph API or the
// bucket is down). Idempotent: the id, keys and row follow from the input.
func (a *MediaActivities) FetchMedia(ctx context.Context, in MediaInput) error {
	m := &hailurah.Media{ID: hailurah.MediaID(in.TicketID, in.Source), TicketID: in.TicketID, Source: in.Source}
	data, err := a.Fetcher.Fetch(ctx, in.Source)
	if err == nil {
		err = a.keep(ctx, m, data)
	}
	if f, ok := media.AsFailure(err); ok {
		m.Status, m.Note = f.Status, f.Note
		a.logger().Info("media not kept", "ticket", in.TicketID, "media", m.ID, "status", f.Status, "note", f.Note)
	} else if err != nil {
		return err
	}
	return nonRetryable(a.Media.SaveMedia(ctx, m))
}

func (a *MediaActivities) keep(ctx context.Context, m *hailurah.Media, data []byte) error {
	c, err := media.Check(data)
	if err != nil {
		m.MIME = media.Sniff(data)
		return err
	}
	return media.Keep(ctx, a.Storage, m, c)
}

// MediaFailed records an attachment whose downloads all failed, so staff
// see that the citizen sent something and why it is missing.
func (a *MediaActivities) MediaFailed(ctx context.Context, in MediaInput) error {
	note := in.Note
	if note == "" {
		note = "Media gagal diunduh setelah beberapa kali dicoba."
	}
	return nonRetryable(a.Media.SaveMedia(ctx, &hailurah.Media{ID: hailurah.MediaID(in.TicketID, in.Source),
		TicketID: in.TicketID, Source: in.Source, Status: hailurah.MediaFailed, Note: note}))
}

func (a *MediaActivities) logger() *slog.Logger {
	if a.Logger != nil {
		return a.Logger
	}
	return slog.Default()
}
