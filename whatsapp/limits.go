package whatsapp

import "github.com/hailurah/hailurah"

// Defaults for Limits fields left at zero.
const (
	DefaultMaxMessages  = 100
	DefaultMaxTextBytes = 4096 * 4 // WhatsApp's 4096 characters, at most 4 UTF-8 bytes each
	// DefaultMaxBodyBytes leaves room for a full batch of long messages;
	// Meta's real deliveries are a few KiB, so more is not a citizen writing.
	DefaultMaxBodyBytes = 2 << 20
)

// Limits bound the work one webhook body can cause. Zero or negative fields
// take their defaults.
type Limits struct {
	// MaxMessages bounds the messages in one delivery, and separately its
	// statuses.
	MaxMessages int
	// MaxTextBytes bounds one message's text (body, caption or button title)
	// after cleaning.
	MaxTextBytes int
	// MaxBodyBytes is the body size the caller should enforce while reading
	// (http.MaxBytesReader); the parsers refuse a longer slice with ETOOLARGE.
	MaxBodyBytes int
}

func (l Limits) withDefaults() Limits {
	if l.MaxMessages <= 0 {
		l.MaxMessages = DefaultMaxMessages
	}
	if l.MaxTextBytes <= 0 {
		l.MaxTextBytes = DefaultMaxTextBytes
	}
	if l.MaxBodyBytes <= 0 {
		l.MaxBodyBytes = DefaultMaxBodyBytes
	}
	return l
}

func (l Limits) checkBody(body []byte) error {
	if len(body) > l.MaxBodyBytes {
		return hailurah.Errorf(hailurah.ETOOLARGE, "Payload terlalu besar (%d byte, maks. %d).", len(body), l.MaxBodyBytes)
	}
	return nil
}

func (l Limits) checkText(field, text string) error {
	if len(text) > l.MaxTextBytes {
		return hailurah.FieldErrorf(field, "Teks pesan terlalu panjang (%d byte, maks. %d).", len(text), l.MaxTextBytes)
	}
	return nil
}
