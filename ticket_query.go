package hailurah

import (
	"context"
	"time"
)

// TicketFilter narrows a ticket list. Zero values mean "any".
type TicketFilter struct {
	// Kelurahan limits to one kelurahan's tickets; CityQueue to tickets not
	// routed to any kelurahan yet. Both empty: every ticket (admin only).
	Kelurahan string
	CityQueue bool
	// Unit limits to tickets assigned to one dinas unit.
	Unit       string
	Statuses   []TicketStatus
	Kategori   string
	UrgencyMin int
	RT, RW     string
	// Breached, when set, keeps tickets whose moderator or dinas SLA is (or
	// is not) breached.
	Breached *bool
	// Verified, when set, keeps tickets whose triage a moderator has (or
	// has not) verified.
	Verified *bool
	// DueBefore keeps tickets whose running SLA (the moderator's while new
	// or open, the dinas unit's while assigned or in progress) ends before
	// it: the ones really past their deadline when it is now.
	DueBefore *time.Time
	// Q searches the summary, the message text and the ticket id.
	Q string
	// ReceivedFrom and ReceivedTo bound datetime_received: [from, to).
	ReceivedFrom, ReceivedTo *time.Time
	// Cursor is the opaque NextCursor of the previous page.
	Cursor string
	Limit  int // 1–200; 0 means 50
}

// TicketPage is one page of a ticket list sorted by SLA deadline: the
// ticket whose moderator or dinas deadline comes first leads; tickets with
// no running SLA follow, newest first.
type TicketPage struct {
	Items      []*Ticket `json:"items"`
	NextCursor string    `json:"next_cursor"`
}

// TicketReader reads tickets for queues, detail pages and citizens.
type TicketReader interface {
	// CreateTicket stores a new ticket at intake, before its workflow runs,
	// so a ticket exists from the moment a message is accepted. Returns
	// ECONFLICT if the ID exists.
	CreateTicket(ctx context.Context, t *Ticket) error
	// NextTicketID allocates the next human-readable id of at's year,
	// "HL-2026-000123". Ids are never reused.
	NextTicketID(ctx context.Context, at time.Time) (string, error)
	// FindTicket and FindTicketByTrackingCode return ENOTFOUND if there is
	// no such ticket.
	FindTicket(ctx context.Context, id string) (*Ticket, error)
	FindTicketByTrackingCode(ctx context.Context, code string) (*Ticket, error)
	// ListTickets returns EINVALID for a malformed cursor or limit.
	ListTickets(ctx context.Context, f TicketFilter) (*TicketPage, error)
	// ListTicketEvents returns the timeline, oldest first.
	ListTicketEvents(ctx context.Context, ticketID string) ([]*TicketEvent, error)
	// ListTicketOutbox returns the messages sent or queued to the ticket's
	// citizen, oldest first, with their delivery status.
	ListTicketOutbox(ctx context.Context, ticketID string) ([]*OutboxDelivery, error)
	// StatusCounts counts tickets per status under f (its status, cursor and
	// limit are ignored).
	StatusCounts(ctx context.Context, f TicketFilter) (map[TicketStatus]int, error)
}

// NotificationReader lists a staff user's notifications.
type NotificationReader interface {
	// ListNotifications returns the user's notifications, newest first.
	ListNotifications(ctx context.Context, username string, limit int) ([]*Notification, error)
	UnreadCount(ctx context.Context, username string) (int, error)
	// MarkNotificationsRead marks the user's notifications read; ids of
	// other users' notifications are ignored. No ids: all of them.
	MarkNotificationsRead(ctx context.Context, username string, ids []int64) error
}
