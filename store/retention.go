package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/pii"
)

// retentionBatch is how many senders one transaction of the sweep handles:
// small enough that a sweep never holds SQLite's write lock for long.
const retentionBatch = 100

// expiredContact selects contacts past retention: silent since the cutoff
// and with no ticket that is still running or ended after it. A ticket's
// end is closed_at, else resolved_at, else (a rejected ticket records
// neither) its last update. The contact's own last message counts too,
// because a citizen who wrote recently may still be waiting for a reply.
const expiredContact = `contacts.deleted_at IS NULL AND contacts.last_inbound_at < @before
	AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.sender_id = contacts.sender_id
		AND (t.status NOT IN @final OR COALESCE(t.closed_at, t.resolved_at, t.updated_at) >= @before))`

// PurgeExpiredContacts deletes the sealed phone of contacts past retention
// and their tickets' sealed TicketPrivate, and strips phone numbers from
// their tickets' and messages' raw JSON.
// The contact's deleted_at marks the work done: it is set in the same
// transaction as the payloads are cleaned, so a sweep that fails half-way
// is finished by the next one, and a finished contact is not read again.
func (db *DB) PurgeExpiredContacts(ctx context.Context, before time.Time) (hailurah.RetentionResult, error) {
	var res hailurah.RetentionResult
	cutoff := utc(before)
	for {
		var senders []string
		err := db.q(ctx).Raw(`SELECT sender_id FROM contacts WHERE `+expiredContact+` ORDER BY sender_id LIMIT @limit`,
			map[string]any{"before": cutoff, "final": finalStatuses, "limit": retentionBatch}).Scan(&senders).Error
		if err != nil || len(senders) == 0 {
			return res, err
		}
		var batch hailurah.RetentionResult
		err = db.tx(ctx, func(tx *gorm.DB) error {
			var err error
			if batch.Tickets, err = scrubRawColumn(tx, "tickets", "id", "raw_payload", senders); err != nil {
				return err
			}
			if batch.InboundMessages, err = scrubRawColumn(tx, "inbound_messages", "id", "raw", senders); err != nil {
				return err
			}
			// The name and unmasked words go with the number.
			if err := tx.Exec(`DELETE FROM ticket_private WHERE ticket_id IN (SELECT id FROM tickets WHERE sender_id IN ?)`,
				senders).Error; err != nil {
				return err
			}
			now := db.now()
			// The condition is checked again: a message that arrived since
			// the SELECT keeps its sender's contact.
			r := tx.Exec(`UPDATE contacts SET phone_sealed = '', deleted_at = @now, updated_at = @now
				WHERE sender_id IN @senders AND `+expiredContact,
				map[string]any{"now": now, "senders": senders, "before": cutoff, "final": finalStatuses})
			batch.Contacts = int(r.RowsAffected)
			return r.Error
		})
		if err != nil {
			return res, err
		}
		res.Contacts += batch.Contacts
		res.Tickets += batch.Tickets
		res.InboundMessages += batch.InboundMessages
		if batch.Contacts == 0 {
			// Every selected contact wrote again meanwhile; the next
			// SELECT would return them again, so stop rather than spin.
			return res, nil
		}
		if len(senders) < retentionBatch {
			return res, nil
		}
	}
}

// scrubRawColumn rewrites the JSON column col of table's rows sent by
// senders, and returns how many rows changed. table and col are constants
// of this file, never input.
func scrubRawColumn(tx *gorm.DB, table, key, col string, senders []string) (int, error) {
	var rows []struct {
		ID  string
		Raw string
	}
	err := tx.Raw(`SELECT `+key+` AS id, `+col+` AS raw FROM `+table+` WHERE sender_id IN ? AND `+col+` IS NOT NULL`,
		senders).Scan(&rows).Error
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range rows {
		clean, changed := scrubRaw(r.Raw)
		if !changed {
			continue
		}
		if err := tx.Exec(`UPDATE `+table+` SET `+col+` = ? WHERE `+key+` = ?`, clean, r.ID).Error; err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// phoneKeys are the JSON fields that hold the citizen's number in what
// WhatsApp (Cloud API and gateways) sends: the sender ("from", "wa_id"),
// the recipient of a status ("recipient_id"), and the profile, whose name
// is personal too. The intake keeps none of them today; older rows and
// imports may.
var phoneKeys = map[string]bool{"from": true, "wa_id": true, "recipient_id": true, "phone": true, "profile": true}

// scrubRaw removes phoneKeys at any depth and masks phone numbers, NIK,
// e-mail addresses and bank accounts in every string (a citizen types their
// number into the text). It reports whether anything changed, so a second
// sweep writes nothing. The store writes only valid JSON there (and
// Postgres's jsonb would refuse anything else), so text that does not
// decode is left alone.
func scrubRaw(raw string) (string, bool) {
	out, changed := pii.MaskJSON([]byte(raw), func(k string) bool { return phoneKeys[k] })
	return string(out), changed
}
