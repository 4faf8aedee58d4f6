package hailurah

import (
	"context"
	"time"
)

// RetentionResult counts what one retention sweep changed.
type RetentionResult struct {
	// Contacts is how many sealed phones were deleted.
	Contacts int `json:"contacts"`
	// Tickets and InboundMessages are how many raw payloads had a phone
	// number (or other personal data) taken out.
	Tickets         int `json:"tickets"`
	InboundMessages int `json:"inbound_messages"`
}

// RetentionService forgets how to reach citizens whose cases are long over.
type RetentionService interface {
	// PurgeExpiredContacts deletes the sealed phone of every contact whose
	// last message came before the cutoff and whose tickets are all final
	// (resolved, closed, rejected) since before it, and strips phone
	// numbers from the raw payloads of that sender's tickets and inbound
	// messages. The contact row stays, marked deleted, so sender_id remains
	// an opaque key for statistics. Running it again changes nothing.
	PurgeExpiredContacts(ctx context.Context, before time.Time) (RetentionResult, error)
}
