package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/hailurah/hailurah"
)

type intakeKeyRow struct {
	KeyHash      string `gorm:"primaryKey"`
	TicketID     string
	TrackingCode string
	CreatedAt    time.Time
}

func (intakeKeyRow) TableName() string { return "intake_keys" }

// FindIntakeKey returns the ticket id and tracking code reserved for a
// form's curhat under keyHash; ENOTFOUND when there is none.
func (db *DB) FindIntakeKey(ctx context.Context, keyHash string) (ticketID, trackingCode string, err error) {
	var row intakeKeyRow
	err = db.q(ctx).Where("key_hash = ?", keyHash).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return "", "", hailurah.Errorf(hailurah.ENOTFOUND, "Kunci idempotensi tidak dikenal.")
	} else if err != nil {
		return "", "", err
	}
	return row.TicketID, row.TrackingCode, nil
}

// ReserveIntakeKey keeps ticketID and trackingCode for keyHash unless it
// has a reservation already, and returns the one kept: of two concurrent
// requests with one key, both get the first's. Returns EINVALID for an
// empty field.
func (db *DB) ReserveIntakeKey(ctx context.Context, keyHash, ticketID, trackingCode string) (string, string, error) {
	if keyHash == "" || ticketID == "" || trackingCode == "" {
		return "", "", hailurah.Errorf(hailurah.EINVALID, "Kunci idempotensi, tiket dan kode lacak wajib diisi.")
	}
	row := intakeKeyRow{KeyHash: keyHash, TicketID: ticketID, TrackingCode: trackingCode, CreatedAt: db.now()}
	err := db.q(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "key_hash"}}, DoNothing: true}).Create(&row).Error
	if err != nil {
		return "", "", err
	}
	return db.FindIntakeKey(ctx, keyHash)
}
