package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/hailurah/hailurah"
)

var _ hailurah.PhoneClaimService = (*DB)(nil)

type phoneClaimRow struct {
	ID          int64 `gorm:"primaryKey"`
	TicketID    string
	PhoneSender string
	PhoneSealed string
	CodeHash    string
	Attempts    int
	ExpiresAt   time.Time
	ConfirmedAt *time.Time
	CreatedAt   time.Time
}

func (phoneClaimRow) TableName() string { return "phone_claims" }

func (r *phoneClaimRow) claim() *hailurah.PhoneClaim {
	return &hailurah.PhoneClaim{ID: r.ID, TicketID: r.TicketID, PhoneSender: r.PhoneSender, PhoneSealed: r.PhoneSealed, CodeHash: r.CodeHash,
		Attempts: r.Attempts, ExpiresAt: utc(r.ExpiresAt), ConfirmedAt: utcPtr(r.ConfirmedAt), CreatedAt: utc(r.CreatedAt)}
}

// phoneClaimsKept is how long a claim stays after it expired: long enough
// to count a phone's recent claims, then nothing of it is worth keeping.
const phoneClaimsKept = 24 * time.Hour

// CreatePhoneClaim stores c and sets c.ID and c.CreatedAt; claims expired
// for a day are deleted on the way. Returns EINVALID for an empty field.
func (db *DB) CreatePhoneClaim(ctx context.Context, c *hailurah.PhoneClaim) error {
	if c == nil || c.TicketID == "" || c.PhoneSender == "" || c.CodeHash == "" || c.ExpiresAt.IsZero() {
		return hailurah.Errorf(hailurah.EINVALID, "Klaim nomor tidak lengkap.")
	}
	now := db.now()
	row := phoneClaimRow{TicketID: c.TicketID, PhoneSender: c.PhoneSender, PhoneSealed: c.PhoneSealed, CodeHash: c.CodeHash,
		ExpiresAt: utc(c.ExpiresAt), CreatedAt: now}
	return db.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("expires_at < ?", now.Add(-phoneClaimsKept)).Delete(&phoneClaimRow{}).Error; err != nil {
			return err
		}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		*c = *row.claim()
		return nil
	})
}

// LatestPhoneClaim returns the ticket's newest claim, ENOTFOUND if none.
func (db *DB) LatestPhoneClaim(ctx context.Context, ticketID string) (*hailurah.PhoneClaim, error) {
	var row phoneClaimRow
	err := db.q(ctx).Where("ticket_id = ?", ticketID).Order("id DESC").Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, hailurah.Errorf(hailurah.ENOTFOUND, "Tidak ada nomor yang menunggu konfirmasi untuk tiket ini.")
	} else if err != nil {
		return nil, err
	}
	return row.claim(), nil
}

// CountPhoneClaims counts the claims made for a phone since a time.
func (db *DB) CountPhoneClaims(ctx context.Context, phoneSender string, since time.Time) (int, error) {
	var n int64
	err := db.q(ctx).Model(&phoneClaimRow{}).Where("phone_sender = ? AND created_at >= ?", phoneSender, utc(since)).Count(&n).Error
	return int(n), err
}

// AttemptPhoneClaim counts one try of a code, in one guarded UPDATE, so
// concurrent guesses cannot exceed max between them.
func (db *DB) AttemptPhoneClaim(ctx context.Context, id int64, max int) (bool, error) {
	res := db.q(ctx).Model(&phoneClaimRow{}).Where("id = ? AND confirmed_at IS NULL AND attempts < ?", id, max).
		Update("attempts", gorm.Expr("attempts + 1"))
	return res.RowsAffected == 1, res.Error
}

// ConfirmPhoneClaim marks the claim confirmed, blanks its sealed number
// (the contact holds it from now on) and gives its ticket the
// phone's pseudonym as sender, so the phone's WhatsApp messages are routed
// to the ticket (LatestTicketOfSender). The projection never changes a
// ticket's sender once set (ticketIntakeColumns), so this is the one write
// that does.
func (db *DB) ConfirmPhoneClaim(ctx context.Context, id int64, at time.Time) error {
	return db.tx(ctx, func(tx *gorm.DB) error {
		var row phoneClaimRow
		if err := tx.Where("id = ?", id).Take(&row).Error; errors.Is(err, gorm.ErrRecordNotFound) {
			return hailurah.Errorf(hailurah.ENOTFOUND, "Klaim nomor tidak ditemukan.")
		} else if err != nil {
			return err
		}
		if err := tx.Model(&phoneClaimRow{}).Where("id = ? AND confirmed_at IS NULL", id).
			Updates(map[string]any{"confirmed_at": utc(at), "phone_sealed": ""}).Error; err != nil {
			return err
		}
		return tx.Model(&ticketRow{}).Where("id = ?", row.TicketID).UpdateColumn("sender_id", row.PhoneSender).Error
	})
}
