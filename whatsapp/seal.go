package whatsapp

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"

	"github.com/hailurah/hailurah"
)

// sealInfo labels the key derived for sealing contacts. SenderID keys its
// HMAC with the secret itself; deriving a separate key here means the two
// uses never share a key.
const sealInfo = "hailurah/whatsapp/contact-seal/v1"

// MinSecretBytes is the shortest instance secret NewSealer accepts.
const MinSecretBytes = 16

// Sealer encrypts the one copy of a citizen's phone number the system keeps
// to reply to them (an anonim ticket still gets answers). It is safe for
// concurrent use.
type Sealer struct {
	aead cipher.AEAD
}

// NewSealer derives a 256-bit AES-GCM key from secret with HKDF-SHA256,
// for contacts. Returns EINVALID for a secret shorter than MinSecretBytes.
func NewSealer(secret []byte) (*Sealer, error) {
	return NewSealerFor(secret, sealInfo)
}

// NewSealerFor is NewSealer with a key of its own for another use, named
// by purpose (an HKDF label like "hailurah/<what>/v1"): what one use
// sealed, another cannot open.
func NewSealerFor(secret []byte, purpose string) (*Sealer, error) {
	if len(secret) < MinSecretBytes {
		return nil, hailurah.Errorf(hailurah.EINVALID, "Rahasia instans terlalu pendek (min. %d byte).", MinSecretBytes)
	}
	key, err := hkdf.Key(sha256.New, secret, nil, purpose, 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead}, nil
}

// Seal encrypts plaintext with a random nonce and returns
// base64url(nonce ‖ ciphertext ‖ tag) without padding. Sealing the same
// number twice gives different strings; use SenderID to compare numbers.
// Returns EINVALID for an empty plaintext.
func (s *Sealer) Seal(plaintext string) (string, error) {
	if plaintext == "" {
		return "", hailurah.Errorf(hailurah.EINVALID, "Tidak ada yang dienkripsi.")
	}
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plaintext)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := s.aead.Seal(nonce, nonce, []byte(plaintext), nil)
	return base64.RawURLEncoding.EncodeToString(out), nil
}

// Open decrypts what Seal returned. Returns EINVALID when sealed is not
// base64url, too short, altered, or sealed under another secret.
func (s *Sealer) Open(sealed string) (string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(sealed)
	if err != nil {
		return "", hailurah.Errorf(hailurah.EINVALID, "Kontak terenkripsi tidak valid (bukan base64url).")
	}
	ns := s.aead.NonceSize()
	if len(raw) < ns+s.aead.Overhead() {
		return "", hailurah.Errorf(hailurah.EINVALID, "Kontak terenkripsi tidak valid (terlalu pendek).")
	}
	plain, err := s.aead.Open(nil, raw[:ns], raw[ns:], nil)
	if err != nil {
		return "", hailurah.Errorf(hailurah.EINVALID, "Kontak terenkripsi tidak valid (diubah atau kunci lain).")
	}
	return string(plain), nil
}
