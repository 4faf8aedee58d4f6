package store

import (
	"context"
	"database/sql"
	"errors"

	"gorm.io/gorm"

	"github.com/hailurah/hailurah"
)

var _ hailurah.TicketPrivateService = (*DB)(nil)

// KeepTicketPrivate: see hailurah.TicketPrivateService. The ticket's row
// decides: an anonymous or unrecorded ticket keeps nothing.
func (db *DB) KeepTicketPrivate(ctx context.Context, ticketID, sealed string) error {
	if ticketID == "" || sealed == "" {
		return hailurah.Errorf(hailurah.EINVALID, "Tiket dan data terenkripsi wajib diisi.")
	}
	return db.q(ctx).Exec(`INSERT INTO ticket_private (ticket_id, sealed, created_at)
		SELECT id, ?, ? FROM tickets WHERE id = ? AND NOT privacy_flag
		ON CONFLICT (ticket_id) DO NOTHING`, sealed, db.now(), ticketID).Error
}

// FindTicketPrivate: see hailurah.TicketPrivateService.
func (db *DB) FindTicketPrivate(ctx context.Context, ticketID string) (string, error) {
	var sealed string
	err := db.q(ctx).Raw(`SELECT sealed FROM ticket_private WHERE ticket_id = ?`, ticketID).Row().Scan(&sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return "", hailurah.Errorf(hailurah.ENOTFOUND, "Tidak ada data pribadi tersimpan untuk tiket %s.", ticketID)
	}
	return sealed, err
}

// forgetTicketPrivate deletes what a ticket that became anonymous kept.
func forgetTicketPrivate(tx *gorm.DB, ticketID string) error {
	return tx.Exec(`DELETE FROM ticket_private WHERE ticket_id = ?`, ticketID).Error
}
