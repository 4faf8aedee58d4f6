package hailurah

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Media is one attachment of a citizen's message as the system keeps it:
// downloaded by its reference, checked by content, stripped of metadata
// and stored, or refused with a note saying why.
type Media struct {
	ID       string `json:"id"` // MediaID(TicketID, Source)
	TicketID string `json:"ticket_id"`
	// Source is the reference the channel gave: an http(s) URL or
	// "whatsapp-media:<id>".
	Source string `json:"source"`
	Type   string `json:"type"` // a Media* type; "" when refused before its type was known
	MIME   string `json:"mime"` // of the stored file, by its content
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"` // of the stored file, hex
	// StorageKey and ThumbnailKey name the file and its thumbnail in the
	// media storage; "" when there is none.
	StorageKey   string    `json:"storage_key"`
	ThumbnailKey string    `json:"thumbnail_key"`
	Status       string    `json:"status"` // a Media* status
	Note         string    `json:"note,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
}

// Types of media.
const (
	MediaImage    = "image"
	MediaAudio    = "audio"
	MediaVideo    = "video"
	MediaDocument = "document"
)

// Statuses of media.
const (
	MediaStored  = "stored"  // downloaded, checked and kept
	MediaRefused = "refused" // downloaded and refused: too large, a type not accepted
	MediaFailed  = "failed"  // could not be downloaded (gone, unreachable)
)

// MediaSourcePrefix starts the reference of a Cloud API attachment; the
// rest is the media id.
const MediaSourcePrefix = "whatsapp-media:"

// MediaID is the id of a ticket's attachment: derived from the ticket and
// the reference, so a retried download writes the same row and a citizen
// cannot guess another ticket's.
func MediaID(ticketID, source string) string {
	sum := sha256.Sum256([]byte(ticketID + "\n" + source))
	return hex.EncodeToString(sum[:12])
}

// MediaService keeps what is known of a ticket's attachments.
type MediaService interface {
	// SaveMedia inserts m, or replaces the row with its id (a retried
	// download). Returns EINVALID for an empty id, ticket id or source, or
	// an unknown type or status.
	SaveMedia(ctx context.Context, m *Media) error
	// FindMedia returns ENOTFOUND if the media do not exist.
	FindMedia(ctx context.Context, id string) (*Media, error)
	// ListTicketMedia returns a ticket's media, oldest first.
	ListTicketMedia(ctx context.Context, ticketID string) ([]*Media, error)
}

// ValidMediaType reports whether t is a Media* type.
func ValidMediaType(t string) bool {
	switch t {
	case MediaImage, MediaAudio, MediaVideo, MediaDocument:
		return true
	}
	return false
}

// ValidMediaStatus reports whether s is a Media* status.
func ValidMediaStatus(s string) bool {
	return s == MediaStored || s == MediaRefused || s == MediaFailed
}
