package whatsapp

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/hailurah/hailurah"
)

// Indonesian numbers after the country code 62: landlines have at least 8
// digits (area code and subscriber), mobiles at most 12 (8xx plus 9 digits).
const (
	minIndonesianNSN = 8
	maxIndonesianNSN = 12
	// E.164 caps a number at 15 digits; nothing shorter than 8 is a real
	// international number one can WhatsApp.
	minE164Digits = 8
	maxE164Digits = 15
)

// NormalizePhone returns s as E.164 ("+628123456789"). It accepts what
// citizens and gateways write: "08123456789" (Indonesian trunk prefix),
// "628123456789" (a wa_id), "+62 812-3456-789", "0062 812…", "+62 (0)812…".
// Spaces, dashes, dots and parentheses are separators. Digits without a
// leading 0 or + are read as a wa_id, i.e. already starting with the country
// code, so "8123…" is not taken as Indonesian.
//
// Returns EINVALID (field "phone") for an empty value, letters or other
// characters, a country code starting with 0, or an implausible length.
func NormalizePhone(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", hailurah.FieldErrorf("phone", "Nomor telepon wajib diisi.")
	}
	if len(s) > 40 {
		return "", hailurah.FieldErrorf("phone", "Nomor telepon terlalu panjang.")
	}
	plus := strings.HasPrefix(s, "+")
	if plus {
		// "+62 (0)812…" writes the trunk prefix that is dialled only inside
		// the country; it is not part of the international number.
		s = strings.Replace(s[1:], "(0)", "", 1)
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			b.WriteByte(c)
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')':
		default:
			return "", hailurah.FieldErrorf("phone", "Nomor telepon hanya boleh berisi angka, spasi, tanda hubung dan + di depan.")
		}
	}
	d := b.String()
	switch {
	case plus:
	case strings.HasPrefix(d, "00"):
		d = d[2:] // the international call prefix
	case strings.HasPrefix(d, "0"):
		d = "62" + d[1:]
	}
	if strings.HasPrefix(d, "620") {
		d = "62" + d[3:] // "+62 0812…": the trunk 0 kept after the country code
	}
	switch {
	case d == "" || d[0] == '0':
		return "", hailurah.FieldErrorf("phone", "Kode negara nomor telepon tidak valid.")
	case strings.HasPrefix(d, "620"):
		return "", hailurah.FieldErrorf("phone", "Nomor telepon Indonesia tidak boleh diawali 0 setelah +62.")
	case strings.HasPrefix(d, "62"):
		if n := len(d) - 2; n < minIndonesianNSN || n > maxIndonesianNSN {
			return "", hailurah.FieldErrorf("phone", "Panjang nomor telepon Indonesia tidak wajar.")
		}
	case len(d) < minE164Digits || len(d) > maxE164Digits:
		return "", hailurah.FieldErrorf("phone", "Panjang nomor telepon tidak wajar.")
	}
	return "+" + d, nil
}

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
