package store

import (
	"context"
	"encoding/json"
	"time"

	"gorm.io/gorm/clause"

	"github.com/hailurah/hailurah"
)

var _ hailurah.OutboxService = (*DB)(nil)

// outboxPending is the status of a message the relay has yet to send.
const outboxPending = "pending"

type outboxRow struct {
	ID             int64 `gorm:"primaryKey"`
	IdempotencyKey string
	TicketID       *string
	Channel        string
	Recipient      string
	Kind           string
	Text           string
	Template       string
	TemplateParams string // a JSON array; "" when none
	Image          string
	CreatedAt      time.Time
	SentAt         *time.Time
	Attempts       int
	LastError      string
	// ProviderMessageID and Status belong to the relay, which sends the
	// message and records the outcome.
	ProviderMessageID *string
	Status            string
}

func (outboxRow) TableName() string { return "outbox" }

func (r *outboxRow) message() *hailurah.OutboxMessage {
	return &hailurah.OutboxMessage{
		ID:             r.ID,
		IdempotencyKey: r.IdempotencyKey,
		TicketID:       deref(r.TicketID),
		Channel:        r.Channel,
		Recipient:      r.Recipient,
		Kind:           r.Kind,
		Text:           r.Text,
		Template:       r.Template,
		TemplateParams: decodeParams(r.TemplateParams),
		Image:          r.Image,
		CreatedAt:      r.CreatedAt.UTC(),
		SentAt:         utcPtr(r.SentAt),
		Attempts:       r.Attempts,
		LastError:      r.LastError,
	}
}

// Enqueue stores m as pending and sets m.ID and m.CreatedAt. If a message
// with the same IdempotencyKey exists, it stores nothing and fills m from
// the stored message, whatever m held. Returns EINVALID for an empty key,
// recipient or text, or a bad field.
func (db *DB) Enqueue(ctx context.Context, m *hailurah.OutboxMessage) error {
	if m == nil {
		return hailurah.Errorf(hailurah.EINVALID, "Data pesan keluar kosong.")
	}
	switch {
	case !validText(m.IdempotencyKey, 200, true):
		return hailurah.FieldErrorf("idempotency_key", "Kunci idempotensi pesan wajib diisi (maks. 200 karakter).")
	case !validText(m.Recipient, 200, true):
		return hailurah.FieldErrorf("recipient", "Penerima pesan wajib diisi.")
	case !validText(m.Text, maxTicketText, true):
		return hailurah.FieldErrorf("text", "Isi pesan wajib diisi.")
	}
	fields := []textField{{"ticket_id", m.TicketID}, {"channel", m.Channel}, {"kind", m.Kind}, {"template", m.Template}, {"image", m.Image}}
	for _, p := range m.TemplateParams {
		fields = append(fields, textField{"template_params", p})
	}
	if err := checkText(fields); err != nil {
		return err
	}
	params, err := encodeParams(m.TemplateParams)
	if err != nil {
		return err
	}
	row := outboxRow{
		IdempotencyKey: m.IdempotencyKey,
		TicketID:       nullable(m.TicketID),
		Channel:        m.Channel,
		Recipient:      m.Recipient,
		Kind:           m.Kind,
		Text:           m.Text,
		Template:       m.Template,
		TemplateParams: params,
		Image:          m.Image,
		CreatedAt:      db.now(),
		Status:         outboxPending,
	}
	res := db.q(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "idempotency_key"}},
		DoNothing: true,
	}).Create(&row)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		// A retry: the key's row exists and is never deleted, so reading it
		// outside a transaction is safe.
		row = outboxRow{}
		if err := db.q(ctx).Where("idempotency_key = ?", m.IdempotencyKey).Take(&row).Error; err != nil {
			return err
		}
	}
	*m = *row.message()
	return nil
}

// ListTicketOutbox returns the messages queued to the ticket's citizen,
// sent or not, oldest first, with how their sending went.
func (db *DB) ListTicketOutbox(ctx context.Context, ticketID string) ([]*hailurah.OutboxDelivery, error) {
	var rows []relayRow
	if err := db.q(ctx).Where("ticket_id = ?", ticketID).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]*hailurah.OutboxDelivery, len(rows))
	for i := range rows {
		out[i] = rows[i].delivery()
	}
	return out, nil
}

// encodeParams writes template parameters as the column holds them: a
// JSON array, or "" for none.
func encodeParams(params []string) (string, error) {
	if len(params) == 0 {
		return "", nil
	}
	b, err := json.Marshal(params)
	return string(b), err
}

// decodeParams reads what encodeParams wrote; a column it cannot read
// (none is written so) gives no parameters, and the relay falls back to
// the kind's.
func decodeParams(s string) []string {
	if s == "" {
		return nil
	}
	var params []string
	if json.Unmarshal([]byte(s), &params) != nil {
		return nil
	}
	return params
}
