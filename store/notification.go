package store

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/hailurah/hailurah"
)

var (
	_ hailurah.NotificationService = (*DB)(nil)
	_ hailurah.NotificationReader  = (*DB)(nil)
)

const (
	defaultNotificationLimit = 50
	maxNotificationLimit     = 200
)

type notificationRow struct {
	ID                int64 `gorm:"primaryKey"`
	IdempotencyKey    string
	Username          string
	AudienceRole      string
	AudienceKelurahan string
	AudienceUnit      string
	TicketID          *string
	Kind              string
	Title             string
	Body              string
	Link              string
	CreatedAt         time.Time
	ReadAt            *time.Time
}

func (notificationRow) TableName() string { return "notifications" }

func (r *notificationRow) notification() *hailurah.Notification {
	return &hailurah.Notification{
		ID:             r.ID,
		IdempotencyKey: r.IdempotencyKey,
		To: hailurah.Audience{
			Role:      hailurah.Role(r.AudienceRole),
			Kelurahan: r.AudienceKelurahan,
			Unit:      r.AudienceUnit,
		},
		Username:  r.Username,
		TicketID:  deref(r.TicketID),
		Kind:      r.Kind,
		Title:     r.Title,
		Body:      r.Body,
		Link:      r.Link,
		CreatedAt: r.CreatedAt.UTC(),
		ReadAt:    utcPtr(r.ReadAt),
	}
}

// Notify stores one copy of n for every active user n.To resolves to, in
// one transaction, and returns how many copies were new: a user who
// already has n.IdempotencyKey is skipped, so a retried activity stores
// nothing, while a user who joined the audience since gets their copy.
// n itself is not changed. An audience without users returns 0, nil.
// Returns EINVALID for a malformed audience, an empty key or a bad field.
func (db *DB) Notify(ctx context.Context, n *hailurah.Notification) (int, error) {
	if n == nil {
		return 0, hailurah.Errorf(hailurah.EINVALID, "Data notifikasi kosong.")
	}
	if !validText(n.IdempotencyKey, 200, true) {
		return 0, hailurah.FieldErrorf("idempotency_key", "Kunci idempotensi notifikasi wajib diisi (maks. 200 karakter).")
	}
	if err := validateAudience(n.To); err != nil {
		return 0, err
	}
	if err := checkText([]textField{{"ticket_id", n.TicketID}, {"kind", n.Kind}, {"title", n.Title},
		{"body", n.Body}, {"link", n.Link}}); err != nil {
		return 0, err
	}
	now := db.now()
	stored := 0
	err := db.tx(ctx, func(tx *gorm.DB) error {
		usernames, err := audienceUsers(tx, n.To)
		if err != nil {
			return err
		}
		for _, username := range usernames {
			row := notificationRow{
				IdempotencyKey:    n.IdempotencyKey,
				Username:          username,
				AudienceRole:      string(n.To.Role),
				AudienceKelurahan: n.To.Kelurahan,
				AudienceUnit:      n.To.Unit,
				TicketID:          nullable(n.TicketID),
				Kind:              n.Kind,
				Title:             n.Title,
				Body:              n.Body,
				Link:              n.Link,
				CreatedAt:         now,
			}
			res := tx.Clauses(clause.OnConflict{
				Columns:   []clause.Column{{Name: "idempotency_key"}, {Name: "username"}},
				DoNothing: true,
			}).Create(&row)
			if res.Error != nil {
				return res.Error
			}
			stored += int(res.RowsAffected)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return stored, nil
}

// validateAudience accepts exactly the forms hailurah.Audience lists.
func validateAudience(a hailurah.Audience) error {
	switch {
	case (a.Role == hailurah.RoleLurah || a.Role == hailurah.RoleModerator || a.Role == hailurah.RoleFasilitator) &&
		a.Kelurahan != "" && a.Unit == "":
	case a.Role == hailurah.RoleDinas && a.Unit != "" && a.Kelurahan == "":
	case a.Role == hailurah.RoleAdmin && a.Kelurahan == "" && a.Unit == "":
	default:
		return hailurah.FieldErrorf("to", "Penerima notifikasi tidak sah: lurah, moderator atau fasilitator dengan kelurahan, dinas dengan unit, atau admin saja.")
	}
	return nil
}

// audienceUsers returns the usernames of the active users a resolves to,
// in order: concurrent Notify calls then insert rows in the same order,
// so on Postgres one waits for the other instead of deadlocking.
func audienceUsers(tx *gorm.DB, a hailurah.Audience) ([]string, error) {
	var usernames []string
	err := audienceQuery(tx, a).Pluck("username", &usernames).Error
	return usernames, err
}

// audienceQuery selects the active users a resolves to, by username.
func audienceQuery(tx *gorm.DB, a hailurah.Audience) *gorm.DB {
	q := tx.Model(&userRow{}).Where("role = ? AND disabled = ?", string(a.Role), false).Order("username")
	switch a.Role {
	case hailurah.RoleLurah, hailurah.RoleModerator, hailurah.RoleFasilitator:
		q = q.Where("kelurahan_code = ?", a.Kelurahan)
	case hailurah.RoleDinas:
		q = q.Where("unit_code = ?", a.Unit)
	}
	return q
}

// ListNotifications returns the user's notifications, newest first. A
// limit of 0 or less means 50; more than 200 means 200.
func (db *DB) ListNotifications(ctx context.Context, username string, limit int) ([]*hailurah.Notification, error) {
	switch {
	case limit <= 0:
		limit = defaultNotificationLimit
	case limit > maxNotificationLimit:
		limit = maxNotificationLimit
	}
	var rows []notificationRow
	err := db.q(ctx).Where("username = ?", username).Order("created_at DESC, id DESC").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]*hailurah.Notification, len(rows))
	for i := range rows {
		out[i] = rows[i].notification()
	}
	return out, nil
}

// UnreadCount counts the user's unread notifications.
func (db *DB) UnreadCount(ctx context.Context, username string) (int, error) {
	var n int64
	err := db.q(ctx).Model(&notificationRow{}).Where("username = ? AND read_at IS NULL", username).Count(&n).Error
	return int(n), err
}

// MarkNotificationsRead marks the user's unread notifications with the
// given ids read, or all of them when ids is empty; ids of other users'
// notifications match nothing. A notification read before keeps its
// first read time.
func (db *DB) MarkNotificationsRead(ctx context.Context, username string, ids []int64) error {
	q := db.q(ctx).Model(&notificationRow{}).Where("username = ? AND read_at IS NULL", username)
	if len(ids) > 0 {
		q = q.Where("id IN ?", ids)
	}
	return q.Update("read_at", db.now()).Error
}

// MarkTicketNotificationsRead marks the user's unread notifications about
// the ticket read (a staff member acknowledged it by WhatsApp) and returns
// how many.
func (db *DB) MarkTicketNotificationsRead(ctx context.Context, username, ticketID string) (int, error) {
	res := db.q(ctx).Model(&notificationRow{}).Where("username = ? AND ticket_id = ? AND read_at IS NULL", username, ticketID).
		Update("read_at", db.now())
	return int(res.RowsAffected), res.Error
}
