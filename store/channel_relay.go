package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/hailurah/hailurah"
)

var _ hailurah.RelayService = (*DB)(nil)

// relayRow is the whole outbox row, with the columns 00003 added for the
// relay; outboxRow (outbox.go) is the part activities write.
type relayRow struct {
	ID                int64 `gorm:"primaryKey"`
	IdempotencyKey    string
	TicketID          *string
	Channel           string
	Recipient         string
	Kind              string
	Text              string
	Template          string
	TemplateParams    string
	Image             string
	CreatedAt         time.Time
	SentAt            *time.Time
	Attempts          int
	LastError         string
	ProviderMessageID *string
	Status            string
	NextAttemptAt     *time.Time
	ClaimedAt         *time.Time
	DeliveredAt       *time.Time
	ReadAt            *time.Time
	SentAs            string
}

func (relayRow) TableName() string { return "outbox" }

func (r *relayRow) delivery() *hailurah.OutboxDelivery {
	return &hailurah.OutboxDelivery{
		OutboxMessage: hailurah.OutboxMessage{
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
		},
		Status:            r.Status,
		ProviderMessageID: deref(r.ProviderMessageID),
		NextAttemptAt:     utcPtr(r.NextAttemptAt),
		DeliveredAt:       utcPtr(r.DeliveredAt),
		ReadAt:            utcPtr(r.ReadAt),
		SentAs:            r.SentAs,
	}
}

// maxLastError bounds what a provider's error message can put in a row.
const maxLastError = 1000

// claimCandidates are the due pending rows whose recipient has no older
// message still pending or being sent: sending a recipient's messages in
// id order needs the older one out first.
const claimCandidates = `SELECT o.id FROM outbox o
	WHERE o.status = 'pending' AND o.channel IN @channels
	AND (o.next_attempt_at IS NULL OR o.next_attempt_at <= @now)
	AND NOT EXISTS (SELECT 1 FROM outbox p
		WHERE p.recipient = o.recipient AND p.id < o.id AND p.channel IN @channels
		AND p.status IN ('pending', 'sending'))
	ORDER BY o.id LIMIT @limit`

// ClaimOutbox marks up to limit due pending rows of the channels as sending
// and returns them in id order. Each row is taken with an UPDATE guarded by
// status = 'pending', so of two relays only one gets it.
func (db *DB) ClaimOutbox(ctx context.Context, channels []string, limit int) ([]*hailurah.OutboxDelivery, error) {
	if limit < 1 || limit > 100 {
		return nil, hailurah.FieldErrorf("limit", "Batas jumlah harus antara 1 dan 100.")
	}
	if len(channels) == 0 {
		return nil, nil
	}
	now := db.now()
	var ids []int64
	err := db.q(ctx).Raw(claimCandidates, map[string]any{"channels": channels, "now": now, "limit": limit}).Scan(&ids).Error
	if err != nil {
		return nil, err
	}
	var out []*hailurah.OutboxDelivery
	for _, id := range ids {
		res := db.q(ctx).Model(&relayRow{}).Where("id = ? AND status = ?", id, hailurah.OutboxStatusPending).
			Updates(map[string]any{"status": hailurah.OutboxStatusSending, "claimed_at": now})
		if res.Error != nil {
			return out, res.Error
		}
		if res.RowsAffected == 0 {
			continue // another relay took it
		}
		row, err := db.relayRow(ctx, "id = ?", id)
		if err != nil {
			return out, err
		}
		out = append(out, row.delivery())
	}
	return out, nil
}

func (db *DB) relayRow(ctx context.Context, where string, args ...any) (*relayRow, error) {
	var row relayRow
	err := db.q(ctx).Where(where, args...).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, hailurah.Errorf(hailurah.ENOTFOUND, "Pesan keluar tidak ditemukan.")
	} else if err != nil {
		return nil, err
	}
	return &row, nil
}

// finishSending moves a row this relay holds (status sending) on; ENOTFOUND
// if it does not hold it.
func (db *DB) finishSending(ctx context.Context, id int64, updates map[string]any) error {
	updates["attempts"] = gorm.Expr("attempts + 1")
	updates["claimed_at"] = nil
	res := db.q(ctx).Model(&relayRow{}).Where("id = ? AND status = ?", id, hailurah.OutboxStatusSending).Updates(updates)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return hailurah.Errorf(hailurah.ENOTFOUND, "Pesan keluar %d tidak sedang dikirim.", id)
	}
	return nil
}

// MarkOutboxSent records a send the provider accepted.
func (db *DB) MarkOutboxSent(ctx context.Context, id int64, providerMessageID, sentAs string) error {
	if !validText(providerMessageID, maxInboundID, true) {
		return hailurah.FieldErrorf("provider_message_id", "Id pesan dari penyedia wajib diisi.")
	}
	if err := checkText([]textField{{"sent_as", sentAs}}); err != nil {
		return err
	}
	err := db.finishSending(ctx, id, map[string]any{
		"status":              hailurah.OutboxStatusSent,
		"provider_message_id": providerMessageID,
		"sent_at":             db.now(),
		"sent_as":             sentAs,
		"last_error":          "",
		"next_attempt_at":     nil,
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return hailurah.FieldErrorf("provider_message_id", "Id pesan dari penyedia sudah tercatat untuk pesan lain.")
	}
	return err
}

// MarkOutboxPosted marks a sending row posted: read where it was queued.
func (db *DB) MarkOutboxPosted(ctx context.Context, id int64, sentAs string) error {
	if err := checkText([]textField{{"sent_as", sentAs}}); err != nil {
		return err
	}
	return db.finishSending(ctx, id, map[string]any{
		"status":          hailurah.OutboxStatusPosted,
		"sent_as":         sentAs,
		"last_error":      "",
		"next_attempt_at": nil,
	})
}

// RetryOutbox puts a sending row back to pending until at.
func (db *DB) RetryOutbox(ctx context.Context, id int64, at time.Time, lastError string) error {
	return db.finishSending(ctx, id, map[string]any{
		"status":          hailurah.OutboxStatusPending,
		"next_attempt_at": utc(at),
		"last_error":      clip(lastError, maxLastError),
	})
}

// FailOutbox gives a pending or sending row up and returns it.
func (db *DB) FailOutbox(ctx context.Context, id int64, lastError string) (*hailurah.OutboxDelivery, error) {
	res := db.q(ctx).Model(&relayRow{}).
		Where("id = ? AND status IN ?", id, []string{hailurah.OutboxStatusPending, hailurah.OutboxStatusSending}).
		Updates(map[string]any{
			"status":          hailurah.OutboxStatusFailed,
			"attempts":        gorm.Expr("attempts + 1"),
			"claimed_at":      nil,
			"next_attempt_at": nil,
			"last_error":      clip(lastError, maxLastError),
		})
	if res.Error != nil {
		return nil, res.Error
	}
	if res.RowsAffected == 0 {
		return nil, hailurah.Errorf(hailurah.ENOTFOUND, "Pesan keluar %d tidak menunggu pengiriman.", id)
	}
	row, err := db.relayRow(ctx, "id = ?", id)
	if err != nil {
		return nil, err
	}
	return row.delivery(), nil
}

// PostOutbox marks the pending rows of the channels posted.
func (db *DB) PostOutbox(ctx context.Context, channels []string) (int, error) {
	if len(channels) == 0 {
		return 0, nil
	}
	res := db.q(ctx).Model(&relayRow{}).
		Where("status = ? AND channel IN ?", hailurah.OutboxStatusPending, channels).
		Update("status", hailurah.OutboxStatusPosted)
	return int(res.RowsAffected), res.Error
}

// ExpireSending fails the rows claimed before the cutoff and returns them.
func (db *DB) ExpireSending(ctx context.Context, claimedBefore time.Time) ([]*hailurah.OutboxDelivery, error) {
	var rows []relayRow
	err := db.q(ctx).Where("status = ? AND claimed_at < ?", hailurah.OutboxStatusSending, utc(claimedBefore)).
		Order("id").Limit(100).Find(&rows).Error
	if err != nil {
		return nil, err
	}
	var out []*hailurah.OutboxDelivery
	for _, r := range rows {
		d, err := db.FailOutbox(ctx, r.ID, "Pengiriman terputus; tidak diketahui apakah pesan sampai, jadi tidak dikirim ulang.")
		if hailurah.ErrorCode(err) == hailurah.ENOTFOUND {
			continue // its relay finished it after all
		} else if err != nil {
			return out, err
		}
		out = append(out, d)
	}
	return out, nil
}

// statusRank orders delivery reports: a report never moves a row back.
var statusRank = map[string]int{
	hailurah.OutboxStatusPending:   0,
	hailurah.OutboxStatusSending:   1,
	hailurah.OutboxStatusSent:      2,
	hailurah.OutboxStatusDelivered: 3,
	hailurah.OutboxStatusRead:      4,
	hailurah.OutboxStatusFailed:    5,
}

// UpdateOutboxStatus applies a provider's status report to the row it
// sent; see hailurah.RelayService.
func (db *DB) UpdateOutboxStatus(ctx context.Context, providerMessageID, status string, at time.Time, detail string) (*hailurah.OutboxDelivery, bool, error) {
	switch status {
	case hailurah.OutboxStatusSent, hailurah.OutboxStatusDelivered, hailurah.OutboxStatusRead, hailurah.OutboxStatusFailed:
	default:
		return nil, false, hailurah.FieldErrorf("status", "Status pengiriman %q tidak dikenal.", status)
	}
	if providerMessageID == "" {
		return nil, false, hailurah.Errorf(hailurah.ENOTFOUND, "Pesan keluar tidak ditemukan.")
	}
	at = orNow(at, db.now())
	// Two reports for one message can race (Meta sends them in parallel):
	// the update is guarded by the status read, and retried when it lost.
	for range 5 {
		row, err := db.relayRow(ctx, "provider_message_id = ?", providerMessageID)
		if err != nil {
			return nil, false, err
		}
		current, ok := statusRank[row.Status]
		if !ok || row.Status == hailurah.OutboxStatusFailed || statusRank[status] <= current {
			return row.delivery(), false, nil
		}
		updates := map[string]any{"status": status}
		switch status {
		case hailurah.OutboxStatusDelivered:
			updates["delivered_at"] = at
		case hailurah.OutboxStatusRead:
			updates["read_at"] = at
			if row.DeliveredAt == nil {
				updates["delivered_at"] = at
			}
		case hailurah.OutboxStatusFailed:
			updates["last_error"] = clip(detail, maxLastError)
		}
		res := db.q(ctx).Model(&relayRow{}).Where("id = ? AND status = ?", row.ID, row.Status).Updates(updates)
		if res.Error != nil {
			return nil, false, res.Error
		}
		if res.RowsAffected == 1 {
			row, err = db.relayRow(ctx, "id = ?", row.ID)
			if err != nil {
				return nil, false, err
			}
			return row.delivery(), true, nil
		}
	}
	return nil, false, hailurah.Errorf(hailurah.ECONFLICT, "Status pesan %s berubah terus; coba lagi.", providerMessageID)
}

// ListOutboxByRecipient returns the recipient's messages after afterID,
// oldest first.
func (db *DB) ListOutboxByRecipient(ctx context.Context, recipient string, afterID int64, limit int) ([]*hailurah.OutboxDelivery, error) {
	limit, err := listLimit(limit, 200, 500)
	if err != nil {
		return nil, err
	}
	var rows []relayRow
	err = db.q(ctx).Where("recipient = ? AND id > ?", recipient, afterID).Order("id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]*hailurah.OutboxDelivery, len(rows))
	for i := range rows {
		out[i] = rows[i].delivery()
	}
	return out, nil
}

// clip makes a provider's error text storable: valid UTF-8 without NUL
// bytes (Postgres refuses both), at most n characters.
func clip(s string, n int) string {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
