package activities

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"go.temporal.io/sdk/activity"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/pii"
	"github.com/hailurah/hailurah/whatsapp"
)

// EvidenceKeeper downloads a unit's evidence photo sent over WhatsApp
// ("whatsapp-media:<id>") and keeps it among the ticket's media, so the
// server can serve it by a signed link; MediaActivities is one.
type EvidenceKeeper interface {
	// KeepEvidence reports whether the photo is kept as a stored image;
	// an error means trying again may help.
	KeepEvidence(ctx context.Context, ticketID, source string) (bool, error)
}

// evidenceTries is how many tries of the confirmation's activity wait for
// a WhatsApp evidence photo's download before the words go without it:
// the citizen's answer matters more than the picture.
const evidenceTries = 3

// doneMessage is the confirmation after a unit's done action: who did
// the work and what, with its photo's reference ("" for none). The note
// is masked as staff text shown to others is (pii.Mask).
func (a *Activities) doneMessage(ctx context.Context, in SendCitizenInput, m *hailurah.OutboxMessage) error {
	unit := in.Unit
	if a.Kelurahan != nil {
		if u, err := a.Kelurahan.FindUnit(ctx, in.Unit); err == nil && u.Name != "" {
			unit = u.Name
		} else if err != nil {
			a.logger().WarnContext(ctx, "unit lookup failed", "unit", in.Unit, "err", err)
		}
	}
	note := clipRunes(strings.TrimSpace(pii.Mask(in.Note)), 600)
	image, err := a.evidencePhoto(ctx, in)
	if err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Terima kasih, %s telah menindaklanjuti laporan Anda (tiket %s)", unit, in.TicketID)
	if note != "" {
		fmt.Fprintf(&b, ": %s", strings.TrimRight(note, "."))
	}
	b.WriteString(".\n")
	if image != "" {
		b.WriteString("Foto hasil pekerjaan terlampir.\n")
	}
	b.WriteString("Mohon konfirmasi apakah masalah sudah terselesaikan: balas SESUDAH atau BELUM.")
	m.Text, m.Image = b.String(), image
	if image != "" {
		// Outside the window the photo goes as the template's header.
		line := clipRunes(strings.Join(strings.Fields(note), " "), 200)
		if line == "" {
			line = "pekerjaan selesai"
		}
		m.Template, m.TemplateParams = whatsapp.TemplateEvidence, []string{in.TicketID, clipRunes(unit, 60), line}
	}
	return nil
}

// evidencePhoto is the reference of the first evidence photo the citizen
// can be sent: a web upload of the ticket's, or a WhatsApp photo once
// kept. A download that fails for now is retried evidenceTries times.
func (a *Activities) evidencePhoto(ctx context.Context, in SendCitizenInput) (string, error) {
	for _, ref := range in.Evidence {
		if strings.HasPrefix(ref, "/bukti/"+in.TicketID+"/") {
			return ref, nil
		}
		if !strings.HasPrefix(ref, hailurah.MediaSourcePrefix) || a.Evidence == nil {
			continue
		}
		ok, err := a.Evidence.KeepEvidence(ctx, in.TicketID, ref)
		if err != nil && activity.IsActivity(ctx) && activity.GetInfo(ctx).Attempt < evidenceTries {
			return "", err
		}
		if err != nil {
			a.logger().WarnContext(ctx, "evidence photo not downloaded; the message goes without it",
				"ticket", in.TicketID, "err", err)
		}
		if ok {
			return ref, nil
		}
	}
	return "", nil
}

func clipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) > n {
		return string([]rune(s)[:n-1]) + "…"
	}
	return s
}

// KeepEvidence downloads a unit's WhatsApp evidence photo as the ticket's
// attachment (FetchMedia: checked, stripped of EXIF, stored) and reports
// whether it is a stored image.
func (a *MediaActivities) KeepEvidence(ctx context.Context, ticketID, source string) (bool, error) {
	id := hailurah.MediaID(ticketID, source)
	if m, err := a.Media.FindMedia(ctx, id); err == nil && m.Status == hailurah.MediaStored {
		return m.Type == hailurah.MediaImage, nil // a retry: kept already
	}
	if err := a.FetchMedia(ctx, MediaInput{TicketID: ticketID, Source: source}); err != nil {
		return false, err
	}
	m, err := a.Media.FindMedia(ctx, id)
	if err != nil {
		return false, err
	}
	return m.Status == hailurah.MediaStored && m.Type == hailurah.MediaImage, nil
}
