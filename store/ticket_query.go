package store

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/hailurah/hailurah"
)

const (
	defaultTicketLimit = 50
	maxTicketLimit     = 200
)

// ticketOrder is the queue's order: the deadline that comes first leads,
// tickets with no running SLA follow; then newest first, and the id so
// that the order is total and keyset pagination neither skips nor repeats.
const ticketOrder = "sla_due ASC NULLS LAST, datetime_received DESC, id ASC"

// ticketCursor is the sort key of the last ticket of a page. It travels to
// the client as base64url JSON; its shape is not part of the API.
type ticketCursor struct {
	SLADue   *time.Time `json:"s,omitempty"`
	Received time.Time  `json:"r"`
	ID       string     `json:"i"`
}

// The cursor keeps the row's times exactly, only moved to UTC: SQLite
// compares times as the text it stored, so a cursor cut to microseconds
// sorts before a bulk-loaded time with nanoseconds, and its own row, and
// the rows tied with it, would come again on the next page.
func encodeCursor(r *ticketRow) string {
	c := ticketCursor{SLADue: exactUTC(r.SLADue), Received: r.DatetimeReceived.UTC(), ID: r.ID}
	b, _ := json.Marshal(c) // a struct of times and a string always marshals
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (*ticketCursor, error) {
	bad := hailurah.FieldErrorf("cursor", "Penanda halaman (cursor) tidak sah; muat ulang daftar dari awal.")
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, bad
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var c ticketCursor
	if err := dec.Decode(&c); err != nil || dec.More() || c.ID == "" || c.Received.IsZero() {
		return nil, bad
	}
	c.Received = c.Received.UTC()
	c.SLADue = exactUTC(c.SLADue)
	return &c, nil
}

// exactUTC is t in UTC, to the nanosecond, for a nullable column.
func exactUTC(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// afterRanges returns the tickets that come after c in ticketOrder as
// conditions that each select one contiguous range of the queue indexes
// (kelurahan or unit, sla_due, datetime_received DESC, id): the rest of
// c's deadline, later deadlines, no deadline. As one OR the database
// could only filter the queue from its start, so a deep page would cost
// as many rows as precede it; as ranges each starts where it should. The
// redundant datetime_received <= bound lets the index seek to c.
func (c *ticketCursor) afterRanges() []clause.Expr {
	sameDue := clause.Expr{SQL: "datetime_received <= ? AND (datetime_received < ? OR id > ?)", Vars: []any{c.Received, c.Received, c.ID}}
	if c.SLADue == nil {
		return []clause.Expr{{SQL: "sla_due IS NULL AND ?", Vars: []any{sameDue}}}
	}
	return []clause.Expr{
		{SQL: "sla_due = ? AND ?", Vars: []any{*c.SLADue, sameDue}},
		{SQL: "sla_due > ?", Vars: []any{*c.SLADue}},
		{SQL: "sla_due IS NULL"},
	}
}

// ListTickets returns one page of the tickets matching f, in queue order:
// SLA deadline first (tickets without a running SLA last), then newest,
// then id. Filters combine with AND, so Kelurahan together with CityQueue
// matches nothing. Returns EINVALID for a malformed cursor, a limit
// outside 1–200 (0 means 50) or an unknown status.
func (db *DB) ListTickets(ctx context.Context, f hailurah.TicketFilter) (*hailurah.TicketPage, error) {
	limit := f.Limit
	switch {
	case limit == 0:
		limit = defaultTicketLimit
	case limit < 1 || limit > maxTicketLimit:
		return nil, hailurah.FieldErrorf("limit", "Jumlah tiket per halaman harus antara 1 dan %d.", maxTicketLimit)
	}
	var statuses []string
	for _, s := range f.Statuses {
		if !s.Valid() {
			return nil, hailurah.FieldErrorf("status", "Status tiket %q tidak dikenal.", s)
		}
		statuses = append(statuses, string(s))
	}
	// filtered is a new query of the tickets matching f, cursor aside.
	filtered := func() (*gorm.DB, error) {
		q, err := db.filterTickets(db.q(ctx).Model(&ticketRow{}), f)
		if err == nil && len(statuses) > 0 {
			q = q.Where("status IN ?", statuses)
		}
		return q, err
	}
	q, err := filtered()
	if err != nil {
		return nil, err
	}
	if f.Cursor != "" {
		c, err := decodeCursor(f.Cursor)
		if err != nil {
			return nil, err
		}
		// The page is the first of the ranges after c, each read in
		// order up to a page, merged.
		var union []string
		var parts []any
		for i, r := range c.afterRanges() {
			part, _ := filtered() // f was checked above
			parts = append(parts, part.Where(r).Order(ticketOrder).Limit(limit+1))
			union = append(union, fmt.Sprintf("SELECT * FROM (?) r%d", i))
		}
		q = db.q(ctx).Table("("+strings.Join(union, " UNION ALL ")+") AS page", parts...)
	}
	// One more than the page tells whether another page follows.
	var rows []ticketRow
	if err := q.Order(ticketOrder).Limit(limit + 1).Find(&rows).Error; err != nil {
		return nil, err
	}
	page := &hailurah.TicketPage{Items: make([]*hailurah.Ticket, 0, min(len(rows), limit))}
	if len(rows) > limit {
		rows = rows[:limit]
		page.NextCursor = encodeCursor(&rows[limit-1])
	}
	for i := range rows {
		page.Items = append(page.Items, rows[i].ticket())
	}
	return page, nil
}

// StatusCounts counts the tickets matching f per status; f's statuses,
// cursor and limit are ignored. Every status is in the map, with 0 when no
// ticket has it.
func (db *DB) StatusCounts(ctx context.Context, f hailurah.TicketFilter) (map[hailurah.TicketStatus]int, error) {
	q, err := db.filterTickets(db.q(ctx).Model(&ticketRow{}), f)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		Status string
		N      int64
	}
	if err := q.Select("status, count(*) AS n").Group("status").Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[hailurah.TicketStatus]int, len(hailurah.TicketStatuses))
	for _, s := range hailurah.TicketStatuses {
		out[s] = 0
	}
	for _, r := range rows {
		out[hailurah.TicketStatus(r.Status)] = int(r.N)
	}
	return out, nil
}

// filterTickets applies every field of f but its statuses, cursor and
// limit.
func (db *DB) filterTickets(q *gorm.DB, f hailurah.TicketFilter) (*gorm.DB, error) {
	if f.Kelurahan != "" {
		q = q.Where("kelurahan_code = ?", f.Kelurahan)
	}
	if f.CityQueue {
		q = q.Where("kelurahan_code IS NULL")
	}
	if f.Unit != "" {
		q = q.Where("assigned_unit = ?", f.Unit)
	}
	if f.Kategori != "" {
		q = q.Where("kategori = ?", f.Kategori)
	}
	if f.UrgencyMin > 0 {
		q = q.Where("urgency_score >= ?", f.UrgencyMin)
	}
	if f.RT != "" {
		q = q.Where("rt = ?", f.RT)
	}
	if f.RW != "" {
		q = q.Where("rw = ?", f.RW)
	}
	if f.Breached != nil {
		if *f.Breached {
			q = q.Where("(moderator_breached OR dinas_breached)")
		} else {
			q = q.Where("NOT (moderator_breached OR dinas_breached)")
		}
	}
	if f.Verified != nil {
		q = q.Where("verified = ?", *f.Verified)
	}
	if f.DueBefore != nil {
		q = q.Where("sla_due < ?", utc(*f.DueBefore))
	}
	if s := strings.TrimSpace(f.Q); s != "" {
		if !validText(s, 200, true) {
			return nil, hailurah.FieldErrorf("q", "Kata kunci tidak sah (maks. 200 karakter).")
		}
		// SQLite's LIKE ignores case (for ASCII letters); Postgres needs ILIKE.
		like := "LIKE"
		if db.dialect == DialectPostgres {
			like = "ILIKE"
		}
		cond := func(col string) string { return col + " " + like + ` ? ESCAPE '\'` }
		p := "%" + escapeLike(s) + "%"
		q = q.Where("("+cond("summary")+" OR "+cond("message_text")+" OR "+cond("id")+")", p, p, p)
	}
	if f.ReceivedFrom != nil {
		q = q.Where("datetime_received >= ?", utc(*f.ReceivedFrom))
	}
	if f.ReceivedTo != nil {
		q = q.Where("datetime_received < ?", utc(*f.ReceivedTo))
	}
	return q, nil
}

// escapeLike makes s match itself in a LIKE pattern with ESCAPE '\':
// a citizen searching "50%" means the text, not a wildcard.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
