package app

import (
	"context"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/outbox"
	"github.com/hailurah/hailurah/pii"
)

// SentMessage is one message the system sent or queued to a ticket's
// citizen, as staff see it on the ticket: what was said and whether it
// arrived. It never names the recipient.
type SentMessage struct {
	At        time.Time
	Kind      string // a hailurah.Outbox* kind
	KindLabel string
	Text      string
	// Status is pending (also while a relay is sending), sent, delivered,
	// read, failed or posted (read on the tracking page, or the simulated
	// phone's); StatusLabel says it in Bahasa Indonesia.
	Status      string
	StatusLabel string
	// StatusAt is when the message reached its status, when known.
	StatusAt *time.Time
	// Error is why a failed message failed.
	Error string
}

// SentMessages lists what was sent to the ticket's citizen, oldest first.
// An anonymous citizen's ticket shows the texts masked (phone numbers,
// NIK, e-mail addresses), as the texts staff share elsewhere are.
func (s *App) SentMessages(ctx context.Context, t *hailurah.Ticket) ([]SentMessage, error) {
	rows, err := s.Tickets.ListTicketOutbox(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	out := make([]SentMessage, 0, len(rows))
	for _, d := range rows {
		m := SentMessage{At: d.CreatedAt, Kind: d.Kind, KindLabel: outbox.KindLabel(d.Kind), Text: d.Text, Status: d.Status}
		if t.PrivacyFlag {
			m.Text = pii.Mask(m.Text)
		}
		switch d.Status {
		case hailurah.OutboxStatusSending:
			m.Status = hailurah.OutboxStatusPending // not the citizen's yet
		case hailurah.OutboxStatusSent, hailurah.OutboxStatusPosted:
			m.StatusAt = d.SentAt
		case hailurah.OutboxStatusDelivered:
			m.StatusAt = d.DeliveredAt
		case hailurah.OutboxStatusRead:
			m.StatusAt = d.ReadAt
		case hailurah.OutboxStatusFailed:
			m.Error = d.LastError
		}
		m.StatusLabel = DeliveryLabel(m.Status)
		out = append(out, m)
	}
	return out, nil
}

// DeliveryLabel names an outbox status for staff.
func DeliveryLabel(status string) string {
	switch status {
	case hailurah.OutboxStatusPending, hailurah.OutboxStatusSending:
		return "Menunggu"
	case hailurah.OutboxStatusSent:
		return "Terkirim"
	case hailurah.OutboxStatusDelivered:
		return "Diterima"
	case hailurah.OutboxStatusRead:
		return "Dibaca"
	case hailurah.OutboxStatusFailed:
		return "Gagal"
	case hailurah.OutboxStatusPosted:
		return "Di halaman lacak"
	}
	return status
}
