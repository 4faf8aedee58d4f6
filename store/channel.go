package store

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/hailurah/hailurah"
)

var _ hailurah.InboundService = (*DB)(nil)

// Bounds of an inbound message: WhatsApp stops a text at 4096 characters
// and a gateway post at a few KiB; these only stop a runaway caller.
const (
	maxInboundText  = 8192
	maxInboundID    = 256
	maxInboundMedia = 10
	maxInboundRaw   = 64 << 10
)

type inboundRow struct {
	ID            int64 `gorm:"primaryKey"`
	ProviderID    string
	Channel       string
	PhoneNumberID string
	SenderID      string
	Kind          string
	Text          string
	ButtonID      string
	Lat           *float64
	Lng           *float64
	Media         *string // a JSON array; NULL when there is none
	Raw           *string
	SentAt        time.Time
	ReceivedAt    time.Time
	TicketID      *string
	Status        string
	Note          string
	Attempts      int
	ClaimedAt     *time.Time
	UpdatedAt     time.Time
	PrivateSealed string
}

func (inboundRow) TableName() string { return "inbound_messages" }

func (r *inboundRow) message() *hailurah.InboundMessage {
	m := &hailurah.InboundMessage{
		ID:            r.ID,
		ProviderID:    r.ProviderID,
		Channel:       r.Channel,
		PhoneNumberID: r.PhoneNumberID,
		SenderID:      r.SenderID,
		Kind:          r.Kind,
		Text:          r.Text,
		ButtonID:      r.ButtonID,
		Lat:           r.Lat,
		Lng:           r.Lng,
		SentAt:        r.SentAt.UTC(),
		ReceivedAt:    r.ReceivedAt.UTC(),
		TicketID:      deref(r.TicketID),
		Status:        r.Status,
		Note:          r.Note,
		Attempts:      r.Attempts,
		UpdatedAt:     r.UpdatedAt.UTC(),
		PrivateSealed: r.PrivateSealed,
	}
	if r.Media != nil {
		// Written by StoreInbound from a []string, so it decodes.
		_ = json.Unmarshal([]byte(*r.Media), &m.Media)
	}
	if r.Raw != nil {
		// Postgres's jsonb re-spaces the text; compact it on both dialects.
		m.Raw = json.RawMessage(compactJSON(*r.Raw))
	}
	return m
}

// StoreInbound inserts m unless its ProviderID is stored; then it fills m
// from the stored row and returns created=false. A zero SentAt is taken as
// now. Returns EINVALID for a missing or bad field.
func (db *DB) StoreInbound(ctx context.Context, m *hailurah.InboundMessage) (bool, error) {
	if m == nil {
		return false, hailurah.Errorf(hailurah.EINVALID, "Data pesan masuk kosong.")
	}
	if err := validateInbound(m); err != nil {
		return false, err
	}
	now := db.now()
	row := inboundRow{
		ProviderID:    m.ProviderID,
		Channel:       m.Channel,
		PhoneNumberID: m.PhoneNumberID,
		SenderID:      m.SenderID,
		Kind:          m.Kind,
		Text:          m.Text,
		ButtonID:      m.ButtonID,
		Lat:           m.Lat,
		Lng:           m.Lng,
		SentAt:        orNow(m.SentAt, now),
		ReceivedAt:    now,
		TicketID:      nullable(m.TicketID),
		Status:        hailurah.InboundStored,
		UpdatedAt:     now,
		PrivateSealed: m.PrivateSealed,
	}
	if len(m.Media) > 0 {
		b, _ := json.Marshal(m.Media)
		s := string(b)
		row.Media = &s
	}
	if s := compactJSON(string(m.Raw)); s != "" && s != "null" {
		row.Raw = &s
	}
	res := db.q(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "provider_id"}},
		DoNothing: true,
	}).Create(&row)
	if res.Error != nil {
		if isConstraint(res.Error) {
			return false, hailurah.Errorf(hailurah.EINVALID, "Pesan masuk tidak valid.")
		}
		return false, res.Error
	}
	created := res.RowsAffected > 0
	if !created {
		// A redelivery: the row exists and is never deleted.
		row = inboundRow{}
		if err := db.q(ctx).Where("provider_id = ?", m.ProviderID).Take(&row).Error; err != nil {
			return false, err
		}
	}
	*m = *row.message()
	return created, nil
}

func validateInbound(m *hailurah.InboundMessage) error {
	switch {
	case !validText(m.ProviderID, maxInboundID, true):
		return hailurah.FieldErrorf("provider_id", "Id pesan dari penyedia wajib diisi (maks. %d karakter).", maxInboundID)
	case !validText(m.Channel, maxCodeLen, true):
		return hailurah.FieldErrorf("channel", "Kanal pesan wajib diisi.")
	case !validText(m.SenderID, maxInboundID, true):
		return hailurah.FieldErrorf("sender_id", "Pengirim pesan wajib diisi.")
	case !validText(m.Kind, maxCodeLen, true):
		return hailurah.FieldErrorf("kind", "Jenis pesan wajib diisi.")
	case !validText(m.Text, maxInboundText, false):
		return hailurah.FieldErrorf("text", "Teks pesan memuat karakter yang tidak sah atau terlalu panjang (maks. %d karakter).", maxInboundText)
	case len(m.Media) > maxInboundMedia:
		return hailurah.FieldErrorf("media", "Lampiran terlalu banyak (maks. %d).", maxInboundMedia)
	case len(m.Raw) > maxInboundRaw:
		return hailurah.FieldErrorf("raw", "Isi asli pesan terlalu besar.")
	case m.Lat != nil && (math.IsNaN(*m.Lat) || *m.Lat < -90 || *m.Lat > 90):
		return hailurah.FieldErrorf("lat", "Lintang harus antara -90 dan 90.")
	case m.Lng != nil && (math.IsNaN(*m.Lng) || *m.Lng < -180 || *m.Lng > 180):
		return hailurah.FieldErrorf("lng", "Bujur harus antara -180 dan 180.")
	case (m.Lat == nil) != (m.Lng == nil):
		return hailurah.FieldErrorf("lat", "Lintang dan bujur harus diisi bersama.")
	case len(m.Raw) > 0 && !json.Valid(m.Raw):
		return hailurah.FieldErrorf("raw", "Isi asli pesan bukan JSON.")
	}
	for _, u := range m.Media {
		if !validText(u, 2048, true) {
			return hailurah.FieldErrorf("media", "Alamat lampiran tidak sah.")
		}
	}
	return checkText([]textField{{"phone_number_id", m.PhoneNumberID}, {"button_id", m.ButtonID}, {"ticket_id", m.TicketID}})
}

// MarkInbound records the outcome of a hand-over and drops the message's
// sealed originals: a named ticket it started keeps its own copy. Returns
// ENOTFOUND for an unknown ProviderID and EINVALID for an unknown status or
// a bad field.
func (db *DB) MarkInbound(ctx context.Context, providerID, status, ticketID, note string) error {
	if !slices.Contains(hailurah.InboundStatuses, status) {
		return hailurah.FieldErrorf("status", "Status pesan masuk %q tidak dikenal.", status)
	}
	if err := checkText([]textField{{"ticket_id", ticketID}, {"note", note}}); err != nil {
		return err
	}
	updates := map[string]any{
		"status":         status,
		"note":           note,
		"attempts":       gorm.Expr("attempts + 1"),
		"claimed_at":     nil,
		"updated_at":     db.now(),
		"private_sealed": "",
	}
	if ticketID != "" {
		updates["ticket_id"] = ticketID
	}
	res := db.q(ctx).Model(&inboundRow{}).Where("provider_id = ?", providerID).Updates(updates)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return errInboundNotFound()
	}
	return nil
}

// ClaimInbound takes a stored message for one hand-over; the UPDATE's
// guard lets one caller in. See hailurah.InboundService.
func (db *DB) ClaimInbound(ctx context.Context, providerID string, staleBefore time.Time) (bool, error) {
	res := db.q(ctx).Model(&inboundRow{}).
		Where("provider_id = ? AND status = ? AND (claimed_at IS NULL OR claimed_at < ?)",
			providerID, hailurah.InboundStored, utc(staleBefore)).
		Update("claimed_at", db.now())
	if res.Error != nil {
		return false, res.Error
	}
	if res.RowsAffected == 1 {
		return true, nil
	}
	if _, err := db.FindInbound(ctx, providerID); err != nil {
		return false, err
	}
	return false, nil
}

// ReleaseInbound ends a claim without an outcome.
func (db *DB) ReleaseInbound(ctx context.Context, providerID string) error {
	return db.q(ctx).Model(&inboundRow{}).Where("provider_id = ?", providerID).Update("claimed_at", nil).Error
}

// ReserveInboundTicket records the ticket a hand-over is about to start.
func (db *DB) ReserveInboundTicket(ctx context.Context, providerID, ticketID string) error {
	if !validText(ticketID, 64, true) {
		return hailurah.FieldErrorf("ticket_id", "ID tiket wajib diisi.")
	}
	res := db.q(ctx).Model(&inboundRow{}).Where("provider_id = ? AND status = ?", providerID, hailurah.InboundStored).
		Updates(map[string]any{"ticket_id": ticketID, "updated_at": db.now()})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return hailurah.Errorf(hailurah.ENOTFOUND, "Pesan masuk %s tidak menunggu diteruskan.", providerID)
	}
	return nil
}

// FindInbound returns ENOTFOUND for an unknown ProviderID.
func (db *DB) FindInbound(ctx context.Context, providerID string) (*hailurah.InboundMessage, error) {
	var row inboundRow
	err := db.q(ctx).Where("provider_id = ?", providerID).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, errInboundNotFound()
	} else if err != nil {
		return nil, err
	}
	return row.message(), nil
}

// ListInboundBySender returns the sender's newest messages, oldest first.
func (db *DB) ListInboundBySender(ctx context.Context, senderID string, limit int) ([]*hailurah.InboundMessage, error) {
	limit, err := listLimit(limit, 100, 500)
	if err != nil {
		return nil, err
	}
	var rows []inboundRow
	if err := db.q(ctx).Where("sender_id = ?", senderID).Order("id DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]*hailurah.InboundMessage, len(rows))
	for i := range rows {
		out[len(rows)-1-i] = rows[i].message()
	}
	return out, nil
}

// ListStoredInbound returns messages still waiting to be handed over,
// oldest first: received before receivedBefore, unclaimed or with a claim
// older than staleBefore, not from a gateway. See
// hailurah.InboundService.
func (db *DB) ListStoredInbound(ctx context.Context, receivedBefore, staleBefore time.Time, limit int) ([]*hailurah.InboundMessage, error) {
	limit, err := listLimit(limit, 100, 500)
	if err != nil {
		return nil, err
	}
	var rows []inboundRow
	err = db.q(ctx).Where("status = ? AND received_at < ? AND (claimed_at IS NULL OR claimed_at < ?) AND provider_id NOT LIKE ?",
		hailurah.InboundStored, utc(receivedBefore), utc(staleBefore), hailurah.GatewayIDPrefix+"%").
		Order("id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]*hailurah.InboundMessage, len(rows))
	for i := range rows {
		out[i] = rows[i].message()
	}
	return out, nil
}

// EarlierStoredInbound: see hailurah.InboundService.
func (db *DB) EarlierStoredInbound(ctx context.Context, senderID string, id int64) (bool, error) {
	var n int64
	err := db.q(ctx).Model(&inboundRow{}).Where("sender_id = ? AND status = ? AND id < ?", senderID, hailurah.InboundStored, id).
		Count(&n).Error
	return n > 0, err
}

func errInboundNotFound() error {
	return hailurah.Errorf(hailurah.ENOTFOUND, "Pesan masuk tidak ditemukan.")
}

// listLimit applies a list's default and bound; EINVALID outside 0–max.
func listLimit(limit, def, max int) (int, error) {
	switch {
	case limit == 0:
		return def, nil
	case limit < 0 || limit > max:
		return 0, hailurah.FieldErrorf("limit", "Batas jumlah harus antara 1 dan %d.", max)
	}
	return limit, nil
}

type contactRow struct {
	SenderID      string `gorm:"primaryKey"`
	Channel       string
	PhoneSealed   string
	PhoneNumberID string
	KelurahanCode *string
	LastInboundAt time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
	DeletedAt     *time.Time
}

func (contactRow) TableName() string { return "contacts" }

func (r *contactRow) contact() *hailurah.Contact {
	return &hailurah.Contact{
		SenderID:      r.SenderID,
		Channel:       r.Channel,
		PhoneSealed:   r.PhoneSealed,
		PhoneNumberID: r.PhoneNumberID,
		Kelurahan:     deref(r.KelurahanCode),
		LastInboundAt: r.LastInboundAt.UTC(),
		CreatedAt:     r.CreatedAt.UTC(),
		UpdatedAt:     r.UpdatedAt.UTC(),
		DeletedAt:     utcPtr(r.DeletedAt),
	}
}

// contactUpsert refreshes an existing contact: the newest phone, number and
// kelurahan win, the last message time only moves forward, and a purged
// contact comes back (the citizen wrote again).
const contactUpsert = `INSERT INTO contacts
	(sender_id, channel, phone_sealed, phone_number_id, kelurahan_code, last_inbound_at, created_at, updated_at, deleted_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)
	ON CONFLICT (sender_id) DO UPDATE SET
		channel = excluded.channel,
		phone_sealed = excluded.phone_sealed,
		phone_number_id = excluded.phone_number_id,
		kelurahan_code = excluded.kelurahan_code,
		last_inbound_at = CASE WHEN excluded.last_inbound_at > contacts.last_inbound_at
			THEN excluded.last_inbound_at ELSE contacts.last_inbound_at END,
		updated_at = excluded.updated_at,
		deleted_at = NULL`

// RecordContact creates or refreshes c.SenderID's contact and fills c from
// the stored row. A zero LastInboundAt is taken as now. Returns EINVALID for
// a missing field or an unknown kelurahan.
func (db *DB) RecordContact(ctx context.Context, c *hailurah.Contact) error {
	if c == nil {
		return hailurah.Errorf(hailurah.EINVALID, "Data kontak kosong.")
	}
	switch {
	case !validText(c.SenderID, maxInboundID, true):
		return hailurah.FieldErrorf("sender_id", "Pengirim wajib diisi.")
	case !validText(c.Channel, maxCodeLen, true):
		return hailurah.FieldErrorf("channel", "Kanal kontak wajib diisi.")
	case !validText(c.PhoneSealed, 1024, true):
		return hailurah.FieldErrorf("phone_sealed", "Nomor terenkripsi wajib diisi.")
	}
	if err := checkText([]textField{{"phone_number_id", c.PhoneNumberID}, {"kelurahan", c.Kelurahan}}); err != nil {
		return err
	}
	now := db.now()
	err := db.q(ctx).Exec(contactUpsert, c.SenderID, c.Channel, c.PhoneSealed, c.PhoneNumberID,
		nullable(c.Kelurahan), orNow(c.LastInboundAt, now), now, now).Error
	if errors.Is(err, gorm.ErrForeignKeyViolated) {
		return hailurah.FieldErrorf("kelurahan", "Kelurahan %q tidak dikenal.", c.Kelurahan)
	} else if err != nil {
		return err
	}
	var row contactRow
	if err := db.q(ctx).Where("sender_id = ?", c.SenderID).Take(&row).Error; err != nil {
		return err
	}
	*c = *row.contact()
	return nil
}

// FindContact returns ENOTFOUND if the sender has no contact or it was
// purged.
func (db *DB) FindContact(ctx context.Context, senderID string) (*hailurah.Contact, error) {
	var row contactRow
	err := db.q(ctx).Where("sender_id = ? AND deleted_at IS NULL", senderID).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, hailurah.Errorf(hailurah.ENOTFOUND, "Kontak warga tidak tersedia.")
	} else if err != nil {
		return nil, err
	}
	return row.contact(), nil
}

// finalStatuses are the ticket statuses no work follows.
var finalStatuses = []string{string(hailurah.StatusResolved), string(hailurah.StatusClosed), string(hailurah.StatusRejected)}

// LatestTicketOfSender returns the sender's newest ticket. Returns
// ENOTFOUND if there is none.
func (db *DB) LatestTicketOfSender(ctx context.Context, senderID string) (*hailurah.Ticket, error) {
	if senderID == "" {
		return nil, errTicketNotFound()
	}
	var row ticketRow
	err := db.q(ctx).Where("sender_id = ?", senderID).Order("datetime_received DESC, id DESC").Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, errTicketNotFound()
	} else if err != nil {
		return nil, err
	}
	return row.ticket(), nil
}
