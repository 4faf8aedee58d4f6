package ui

import (
	"context"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/server/app"
)

// mediaLabels name what the citizen sent, for the page.
var mediaLabels = map[string]string{
	hailurah.MediaImage:    "Foto",
	hailurah.MediaAudio:    "Pesan suara",
	hailurah.MediaVideo:    "Video",
	hailurah.MediaDocument: "Berkas",
}

// mediaAttachment is how the page shows a downloaded attachment: a
// thumbnail linking to the photo, a player for a voice note or a video, a
// link for a file, and for one that was not kept the reason.
func mediaAttachment(m *hailurah.Media) attachmentView {
	label := mediaLabels[m.Type]
	if label == "" {
		label = "Lampiran"
	}
	v := attachmentView{Name: label}
	if m.Status != hailurah.MediaStored {
		v.Name, v.Note = label+" tidak disimpan", m.Note
		return v
	}
	v.URL = app.MediaURL(m.ID)
	switch m.Type {
	case hailurah.MediaImage:
		v.Image = m.ThumbnailKey != ""
		v.Thumb = app.MediaThumbURL(m.ID)
	case hailurah.MediaAudio:
		v.Audio = true
	case hailurah.MediaVideo:
		v.Video = true
	}
	return v
}

// pageMedia are a ticket's attachments as the page shows them, in the
// order they came, by the reference the timeline's events name them with.
type pageMedia struct {
	sources []string
	views   map[string]attachmentView
}

func (s *UI) ticketMedia(ctx context.Context, t *hailurah.Ticket) (pageMedia, error) {
	ms, err := s.TicketMedia(ctx, t)
	if err != nil {
		return pageMedia{}, err
	}
	p := pageMedia{views: make(map[string]attachmentView, len(ms))}
	for _, m := range ms {
		p.sources = append(p.sources, m.Source)
		p.views[m.Source] = mediaAttachment(m)
	}
	return p, nil
}

// opening returns the attachments of the opening message: those no later
// message's event names (the ticket's first event carries no attachments).
func (p pageMedia) opening(events []*hailurah.TicketEvent) []attachmentView {
	later := map[string]bool{}
	for _, e := range events {
		if e.Type == hailurah.EventTranscribed {
			continue // names a message's voice note, perhaps the opening one's
		}
		for _, a := range e.Attachments {
			later[a] = true
		}
	}
	var out []attachmentView
	for _, src := range p.sources {
		if !later[src] {
			out = append(out, p.views[src])
		}
	}
	return out
}

// markTranscribed marks the voice notes whose words the ticket's workflow
// transcribed into the citizen's message (hailurah.EventTranscribed).
func (p pageMedia) markTranscribed(events []*hailurah.TicketEvent) {
	for _, e := range events {
		if e.Type != hailurah.EventTranscribed {
			continue
		}
		for _, src := range e.Attachments {
			if v, ok := p.views[src]; ok && v.Audio {
				v.Transcribed = true
				p.views[src] = v
			}
		}
	}
}
