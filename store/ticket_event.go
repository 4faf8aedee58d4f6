package store

import (
	"context"
	"encoding/json"
	"time"

	"gorm.io/gorm/clause"

	"github.com/hailurah/hailurah"
)

type ticketEventRow struct {
	ID          int64 `gorm:"primaryKey"`
	Key         string
	TicketID    string
	Seq         int
	At          time.Time
	Type        string
	Actor       string
	Role        string
	FromStatus  string
	ToStatus    string
	Note        string
	Attachments *string // a JSON array; NULL when there are none
}

func (ticketEventRow) TableName() string { return "ticket_events" }

func (r *ticketEventRow) event() *hailurah.TicketEvent {
	e := &hailurah.TicketEvent{
		Key:      r.Key,
		TicketID: r.TicketID,
		Seq:      r.Seq,
		At:       r.At.UTC(),
		Type:     r.Type,
		Actor:    r.Actor,
		Role:     hailurah.Role(r.Role),
		From:     hailurah.TicketStatus(r.FromStatus),
		To:       hailurah.TicketStatus(r.ToStatus),
		Note:     r.Note,
	}
	if r.Attachments != nil {
		// Written by AddTicketEvent from a []string, so it decodes; a row
		// edited by hand into something else shows no attachments.
		_ = json.Unmarshal([]byte(*r.Attachments), &e.Attachments)
	}
	return e
}

// AddTicketEvent inserts e once per Key; an existing Key is left as it
// is and nil returned. A zero At is taken as now. The ticket need not exist
// yet: the workflow writes an event before the ticket row it explains.
// Returns EINVALID for an empty Key or TicketID, or a bad field.
func (db *DB) AddTicketEvent(ctx context.Context, e *hailurah.TicketEvent) error {
	if e == nil {
		return hailurah.Errorf(hailurah.EINVALID, "Data peristiwa tiket kosong.")
	}
	switch {
	case !validText(e.Key, 200, true):
		return hailurah.FieldErrorf("key", "Kunci peristiwa tiket wajib diisi (maks. 200 karakter).")
	case !validText(e.TicketID, 64, true):
		return hailurah.FieldErrorf("ticket_id", "ID tiket pada peristiwa wajib diisi.")
	}
	fields := []textField{{"type", e.Type}, {"actor", e.Actor}, {"role", string(e.Role)},
		{"from", string(e.From)}, {"to", string(e.To)}, {"note", e.Note}}
	for _, a := range e.Attachments {
		fields = append(fields, textField{"attachments", a})
	}
	if err := checkText(fields); err != nil {
		return err
	}
	row := ticketEventRow{
		Key:        e.Key,
		TicketID:   e.TicketID,
		Seq:        e.Seq,
		At:         orNow(e.At, db.now()),
		Type:       e.Type,
		Actor:      e.Actor,
		Role:       string(e.Role),
		FromStatus: string(e.From),
		ToStatus:   string(e.To),
		Note:       e.Note,
	}
	if len(e.Attachments) > 0 {
		b, err := json.Marshal(e.Attachments)
		if err != nil {
			return err
		}
		s := string(b)
		row.Attachments = &s
	}
	return db.q(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "key"}},
		DoNothing: true,
	}).Create(&row).Error
}

// ListTicketEvents returns the ticket's timeline, oldest first; events at
// the same instant keep the workflow's order (seq). An unknown ticket has
// an empty timeline.
func (db *DB) ListTicketEvents(ctx context.Context, ticketID string) ([]*hailurah.TicketEvent, error) {
	var rows []ticketEventRow
	if err := db.q(ctx).Where("ticket_id = ?", ticketID).Order("at, seq, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]*hailurah.TicketEvent, len(rows))
	for i := range rows {
		out[i] = rows[i].event()
	}
	return out, nil
}
