package activities

import (
	"context"
	"io"

	"github.com/hailurah/hailurah"
)

// Transcript is what became of a voice note: its words, or why there are
// none (Note, for the moderator).
type Transcript struct {
	Text string `json:"text,omitempty"`
	// MediaID is the kept audio's row; "" when it could not be kept.
	MediaID string `json:"media_id,omitempty"`
	Note    string `json:"note,omitempty"`
}

// Transcribe keeps a voice note (downloading it unless an earlier try
// did) and, with a Transcriber, returns its words, PII masked. A voice
// note that cannot be heard — no Transcriber, refused by the media checks
// (not audio, too large), gone, no speech — is a Transcript without text,
// not an error: the citizen is asked to write and the moderator listens.
// An error means a retry may help (the Graph API, the bucket or Gemini is
// down).
func (a *MediaActivities) Transcribe(ctx context.Context, in MediaInput) (Transcript, error) {
	id := hailurah.MediaID(in.TicketID, in.Source)
	m, err := a.Media.FindMedia(ctx, id)
	if hailurah.ErrorCode(err) == hailurah.ENOTFOUND || (err == nil && m.Status != hailurah.MediaStored) {
		if err := a.FetchMedia(ctx, in); err != nil {
			return Transcript{}, err
		}
		m, err = a.Media.FindMedia(ctx, id)
	}
	if err != nil {
		return Transcript{}, err
	}
	switch {
	case m.Status != hailurah.MediaStored:
		return Transcript{Note: "Pesan suara tidak tersimpan: " + m.Note}, nil
	case m.Type != hailurah.MediaAudio:
		return Transcript{MediaID: id, Note: "Lampiran bukan rekaman suara (" + m.MIME + ")."}, nil
	case a.Transcriber == nil:
		return Transcript{MediaID: id, Note: "Transkripsi otomatis tidak aktif (tanpa GEMINI_API_KEY)."}, nil
	}
	r, _, err := a.Storage.Open(ctx, m.StorageKey)
	if err != nil {
		return Transcript{}, err
	}
	audio, err := io.ReadAll(r)
	r.Close()
	if err != nil {
		return Transcript{}, err
	}
	text, err := a.Transcriber.Transcribe(ctx, m.MIME, audio)
	if hailurah.ErrorCode(err) == hailurah.EINVALID {
		a.logger().Info("voice note not transcribed", "ticket", in.TicketID, "media", id, "err", err)
		return Transcript{MediaID: id, Note: "Transkripsi otomatis gagal."}, nil
	} else if err != nil {
		return Transcript{}, err
	}
	return Transcript{Text: text, MediaID: id}, nil
}
