package store

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/hailurah/hailurah"
)

const (
	defaultAuditLimit = 100
	maxAuditLimit     = 1000
	maxAuditDetail    = 64 << 10
)

type auditRow struct {
	ID     int64 `gorm:"primaryKey"`
	At     time.Time
	Actor  string
	Action string
	Target string
	Detail *string // NULL when there is no detail
	IP     string  `gorm:"column:ip"`
}

func (auditRow) TableName() string { return "audit_log" }

func (r *auditRow) entry() *hailurah.AuditEntry {
	e := &hailurah.AuditEntry{
		ID:     r.ID,
		At:     r.At.UTC(),
		Actor:  r.Actor,
		Action: r.Action,
		Target: r.Target,
		IP:     r.IP,
	}
	if r.Detail != nil {
		e.Detail = compactJSON(*r.Detail)
	}
	return e
}

// Audit appends e to the audit log and sets e.ID, and e.At when it is zero.
// Returns EINVALID for a missing actor or action, a detail that is not JSON,
// or a field too long. Rows are never updated or deleted: the database
// refuses both.
func (db *DB) Audit(ctx context.Context, e *hailurah.AuditEntry) error {
	if e == nil {
		return hailurah.Errorf(hailurah.EINVALID, "Catatan audit kosong.")
	}
	switch {
	case !validText(e.Actor, 100, true):
		return hailurah.FieldErrorf("actor", "Pelaku pada catatan audit wajib diisi (maks. 100 karakter).")
	case !validText(e.Action, 100, true):
		return hailurah.FieldErrorf("action", "Aksi pada catatan audit wajib diisi (maks. 100 karakter).")
	case !validText(e.Target, 200, false):
		return hailurah.FieldErrorf("target", "Sasaran pada catatan audit terlalu panjang (maks. 200 karakter).")
	case !validText(e.IP, 64, false):
		return hailurah.FieldErrorf("ip", "Alamat IP pada catatan audit tidak sah.")
	case len(e.Detail) > maxAuditDetail:
		return hailurah.FieldErrorf("detail", "Detail catatan audit terlalu besar (maks. 64 KB).")
	case e.Detail != "" && !json.Valid([]byte(e.Detail)):
		return hailurah.FieldErrorf("detail", "Detail catatan audit harus berupa JSON yang sah.")
	case strings.Contains(e.Detail, `\u0000`):
		// Valid JSON, but Postgres's jsonb cannot store it.
		return hailurah.FieldErrorf("detail", "Detail catatan audit tidak boleh memuat karakter NUL.")
	}
	at := db.now()
	if !e.At.IsZero() {
		at = utc(e.At)
	}
	row := auditRow{At: at, Actor: e.Actor, Action: e.Action, Target: e.Target, IP: e.IP}
	if e.Detail != "" {
		d := compactJSON(e.Detail)
		row.Detail = &d
	}
	if err := db.q(ctx).Create(&row).Error; err != nil {
		return err
	}
	e.ID, e.At = row.ID, row.At
	return nil
}

// ListAudit returns up to limit entries, newest first, with ids below
// beforeID (0: from the newest), so a page's last id fetches the next page.
// A limit of 0 means 100. Returns EINVALID for a negative beforeID or a limit
// outside 0–1000.
func (db *DB) ListAudit(ctx context.Context, limit int, beforeID int64) ([]*hailurah.AuditEntry, error) {
	switch {
	case limit < 0 || limit > maxAuditLimit:
		return nil, hailurah.FieldErrorf("limit", "Batas jumlah catatan audit harus antara 1 dan %d (0 berarti %d).", maxAuditLimit, defaultAuditLimit)
	case beforeID < 0:
		return nil, hailurah.FieldErrorf("before_id", "ID awal halaman audit tidak boleh negatif.")
	case limit == 0:
		limit = defaultAuditLimit
	}
	q := db.q(ctx).Order("id DESC").Limit(limit)
	if beforeID > 0 {
		q = q.Where("id < ?", beforeID)
	}
	var rows []auditRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]*hailurah.AuditEntry, len(rows))
	for i := range rows {
		out[i] = rows[i].entry()
	}
	return out, nil
}

// compactJSON removes insignificant space, so a detail reads back the same
// from SQLite (which keeps the text) and Postgres (whose jsonb re-spaces it).
// Postgres's jsonb also orders object keys its own way; compare details as
// JSON values, not as text.
func compactJSON(s string) string {
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(s)); err != nil {
		return s
	}
	return b.String()
}
