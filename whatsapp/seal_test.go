package whatsapp_test

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/whatsapp"
)

var testSecret = []byte("0123456789abcdef0123456789abcdef") // 32 bytes

func mustSealer(t *testing.T, secret []byte) *whatsapp.Sealer {
	t.Helper()
	s, err := whatsapp.NewSealer(secret)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSealerRoundTrip(t *testing.T) {
	s := mustSealer(t, testSecret)
	for _, plain := range []string{"+628123456789", "x", strings.Repeat("nomor ", 200)} {
		sealed, err := s.Seal(plain)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(sealed, "628123456789") {
			t.Errorf("sealed text shows the number: %s", sealed)
		}
		if _, err := base64.RawURLEncoding.DecodeString(sealed); err != nil {
			t.Errorf("sealed %q is not unpadded base64url: %v", sealed, err)
		}
		got, err := s.Open(sealed)
		if err != nil || got != plain {
			t.Errorf("Open(Seal(%q)) = %q, %v", plain, got, err)
		}
		// A new sealer from the same secret (a restart) opens it too.
		if got, err := mustSealer(t, testSecret).Open(sealed); err != nil || got != plain {
			t.Errorf("a second sealer: %q, %v", got, err)
		}
	}
	a, _ := s.Seal("+628123456789")
	b, _ := s.Seal("+628123456789")
	if a == b {
		t.Error("two seals of one number are equal: the nonce is not random")
	}
}

func TestSealerRejects(t *testing.T) {
	s := mustSealer(t, testSecret)
	sealed, err := s.Seal("+628123456789")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(sealed)
	// Flipping any single bit (nonce, ciphertext or tag) must be detected.
	for i := range raw {
		tampered := append([]byte{}, raw...)
		tampered[i] ^= 0x01
		if got, err := s.Open(base64.RawURLEncoding.EncodeToString(tampered)); err == nil {
			t.Fatalf("byte %d flipped: opened to %q", i, got)
		} else {
			wantCode(t, err, hailurah.EINVALID)
		}
	}
	other := mustSealer(t, []byte("another-secret-of-enough-length!!"))
	_, err = other.Open(sealed)
	wantCode(t, err, hailurah.EINVALID)

	for _, bad := range []string{"", "!!!not base64!!!", sealed[:10], sealed + "=", sealed[:len(sealed)-1]} {
		if got, err := s.Open(bad); err == nil {
			t.Errorf("Open(%q) = %q, want an error", bad, got)
		} else {
			wantCode(t, err, hailurah.EINVALID)
		}
	}
	_, err = s.Seal("")
	wantCode(t, err, hailurah.EINVALID)
}

// The sealing key is derived, so the secret itself (also the SenderID key)
// does not open what Seal produced.
func TestSealerDoesNotUseTheRawSecret(t *testing.T) {
	sealed, err := mustSealer(t, testSecret).Seal("+628123456789")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(sealed)
	block, err := aes.NewCipher(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	aead, _ := cipher.NewGCM(block)
	if _, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], nil); err == nil {
		t.Error("the raw secret opened the sealed contact")
	}
}

func TestNewSealerShortSecret(t *testing.T) {
	for _, secret := range [][]byte{nil, []byte("pendek"), testSecret[:whatsapp.MinSecretBytes-1]} {
		_, err := whatsapp.NewSealer(secret)
		wantCode(t, err, hailurah.EINVALID)
	}
	if _, err := whatsapp.NewSealer(testSecret[:whatsapp.MinSecretBytes]); err != nil {
		t.Errorf("a %d-byte secret: %v", whatsapp.MinSecretBytes, err)
	}
}
