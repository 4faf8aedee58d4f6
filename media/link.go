package media

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"strings"
	"time"
)

// LinkTTL is how long a photo's public link works: the Graph API fetches
// it when it sends, and a send may wait hours in the outbox's retries.
const LinkTTL = 3 * 24 * time.Hour

// LinkPath is where the server serves a signed link's photo.
const LinkPath = "/m/"

// Links signs public, expiring links to one photo of a ticket, for those
// who cannot sign in: the Graph API fetching a unit's evidence photo to
// send it to the citizen. A link names the ticket, the photo's reference
// (an uploaded "/bukti/…" address or a "whatsapp-media:…" source) and when
// it expires, under an HMAC-SHA-256 of a key only the server knows, so it
// cannot be guessed, altered or extended.
type Links struct {
	key []byte
}

// NewLinks derives the links' key from the app's secret, apart from every
// other key derived from it.
func NewLinks(secret []byte) *Links {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("hailurah/media-link/v1"))
	return &Links{key: m.Sum(nil)}
}

// Token signs the reference of a ticket's photo until exp.
func (l *Links) Token(ticketID, ref string, exp time.Time) string {
	payload := binary.BigEndian.AppendUint64(nil, uint64(exp.Unix()))
	payload = append(payload, ticketID+"\n"+ref...)
	enc := base64.RawURLEncoding
	return enc.EncodeToString(payload) + "." + enc.EncodeToString(l.mac(payload))
}

// URL is the public link of a ticket's photo at baseURL, good for LinkTTL
// from now.
func (l *Links) URL(baseURL, ticketID, ref string, now time.Time) string {
	return strings.TrimRight(baseURL, "/") + LinkPath + l.Token(ticketID, ref, now.Add(LinkTTL))
}

// Open returns the ticket and reference a token signs; ok is false for a
// token it never signed, altered, or expired at now.
func (l *Links) Open(token string, now time.Time) (ticketID, ref string, ok bool) {
	p, s, found := strings.Cut(token, ".")
	enc := base64.RawURLEncoding
	payload, err1 := enc.DecodeString(p)
	sig, err2 := enc.DecodeString(s)
	if !found || err1 != nil || err2 != nil || len(payload) < 9 || !hmac.Equal(sig, l.mac(payload)) {
		return "", "", false
	}
	if now.Unix() >= int64(binary.BigEndian.Uint64(payload[:8])) {
		return "", "", false
	}
	ticketID, ref, ok = strings.Cut(string(payload[8:]), "\n")
	return ticketID, ref, ok
}

func (l *Links) mac(payload []byte) []byte {
	m := hmac.New(sha256.New, l.key)
	m.Write(payload)
	return m.Sum(nil)
}
