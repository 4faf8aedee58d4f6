package whatsapp

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"

	"github.com/hailurah/hailurah"
)

// NormalizePhone returns s as E.164 ("+628123456789"); see
// hailurah.NormalizePhone, where the rule lives so that staff phones (a
// user's) and citizens' are read the same way.
func NormalizePhone(s string) (string, error) { return hailurah.NormalizePhone(s) }

// SenderID is the stable pseudonym of a phone number: hex HMAC-SHA256 keyed
// with the instance secret. Tickets and events store it instead of the number,
// so a leaked database does not list citizens' phones, and without the secret
// the hash cannot be reversed by trying all numbers. e164 must come from
// NormalizePhone, or one phone would have several pseudonyms.
func SenderID(secret []byte, e164 string) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(e164))
	return hex.EncodeToString(mac.Sum(nil))
}
