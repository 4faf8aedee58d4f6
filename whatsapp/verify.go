package whatsapp

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/url"
	"strings"

	"github.com/hailurah/hailurah"
)

// VerifyHandshake answers Meta's webhook subscription check
// (GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…): it returns the
// challenge to echo back when the mode is "subscribe" and the token matches
// verifyToken. The caller writes the challenge as text/plain.
//
// Returns EFORBIDDEN for another mode, a wrong or missing token, or an empty
// configured verifyToken (an unconfigured server must not accept every
// subscriber). Returns EINVALID when the token matches but the challenge is
// missing or not a short alphanumeric token: it is reflected into a response,
// so nothing else is echoed.
func VerifyHandshake(q url.Values, verifyToken string) (challenge string, err error) {
	if verifyToken == "" {
		return "", hailurah.Errorf(hailurah.EFORBIDDEN, "Token verifikasi webhook belum diatur.")
	}
	if q.Get("hub.mode") != "subscribe" {
		return "", hailurah.Errorf(hailurah.EFORBIDDEN, "hub.mode harus subscribe.")
	}
	// Comparing digests keeps the comparison constant-time even in the
	// token's length.
	got := sha256.Sum256([]byte(q.Get("hub.verify_token")))
	want := sha256.Sum256([]byte(verifyToken))
	if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
		return "", hailurah.Errorf(hailurah.EFORBIDDEN, "Token verifikasi webhook salah.")
	}
	challenge = q.Get("hub.challenge")
	if !isChallenge(challenge) {
		return "", hailurah.FieldErrorf("hub.challenge", "hub.challenge wajib berupa token pendek (huruf, angka, . _ -).")
	}
	return challenge, nil
}

func isChallenge(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// signaturePrefix starts Meta's X-Hub-Signature-256 header value.
const signaturePrefix = "sha256="

// CheckSignature verifies the X-Hub-Signature-256 header Meta puts on every
// webhook POST: "sha256=" and the hex HMAC-SHA256 of the raw body keyed with
// the app secret. body must be the bytes as received, before any parsing.
//
// Returns EUNAUTHORIZED for an empty appSecret, a missing or malformed header
// or a signature that does not match.
func CheckSignature(body []byte, header string, appSecret string) error {
	if appSecret == "" {
		return hailurah.Errorf(hailurah.EUNAUTHORIZED, "App secret WhatsApp belum diatur; tanda tangan tidak bisa diperiksa.")
	}
	header = strings.TrimSpace(header)
	if header == "" {
		return hailurah.Errorf(hailurah.EUNAUTHORIZED, "Header X-Hub-Signature-256 tidak ada.")
	}
	hexSig, ok := strings.CutPrefix(header, signaturePrefix)
	if !ok {
		return hailurah.Errorf(hailurah.EUNAUTHORIZED, "Header X-Hub-Signature-256 harus diawali sha256=.")
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil || len(got) != sha256.Size {
		return hailurah.Errorf(hailurah.EUNAUTHORIZED, "Header X-Hub-Signature-256 bukan hex SHA-256.")
	}
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write(body)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return hailurah.Errorf(hailurah.EUNAUTHORIZED, "Tanda tangan webhook tidak cocok.")
	}
	return nil
}
