package whatsapp_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/whatsapp"
)

func TestNormalizePhone(t *testing.T) {
	good := []struct{ in, want string }{
		{"08123456789", "+628123456789"},
		{"628123456789", "+628123456789"},
		{"+628123456789", "+628123456789"},
		{"+62 812-3456-789", "+628123456789"},
		{"  0812 3456 789  ", "+628123456789"},
		{"0812.3456.789", "+628123456789"},
		{"(0351) 462-123", "+62351462123"},
		{"+62 (0)812 3456 789", "+628123456789"},
		{"+62 0812 3456 789", "+628123456789"},
		{"0062 812 3456 789", "+628123456789"},
		{"6281234567890", "+6281234567890"},
		{"16505551234", "+16505551234"},
		{"+1 (650) 555-1234", "+16505551234"},
		{"601123456789", "+601123456789"},
	}
	for _, tt := range good {
		got, err := whatsapp.NormalizePhone(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	bad := []string{
		"",
		"   ",
		"0812-ABC-789",
		"0812345678x",
		"+62 812 3456 789 ext 1",
		"62+8123456789",
		"++628123456789",
		"０８１２３４５６７８９", // full-width digits
		"0812",
		"0812345",               // 7 digits after 62
		"0812345678901234",      // 15 digits after 62
		"+0123456789",           // country codes never start with 0
		"+1234567",              // too short for E.164
		"1234567890123456",      // 16 digits
		"0000000000",            // "00" then a country code starting with 0
		"62000000000",           // a second trunk 0 after 62 (found by FuzzNormalizePhone)
		"tel:+628123456789",     // a URI, not a number
		"08123456789\n08123456", // two numbers
	}
	for _, in := range bad {
		got, err := whatsapp.NormalizePhone(in)
		if err == nil {
			t.Errorf("NormalizePhone(%q) = %q, want an error", in, got)
			continue
		}
		wantCode(t, err, hailurah.EINVALID)
		if hailurah.ErrorField(err) != "phone" {
			t.Errorf("NormalizePhone(%q): field %q, want phone", in, hailurah.ErrorField(err))
		}
	}
}

func TestSenderID(t *testing.T) {
	secret := []byte("rahasia-instans-hailurah-32-byte")
	id := whatsapp.SenderID(secret, "+628123456789")
	if len(id) != 64 {
		t.Fatalf("SenderID length %d, want 64 hex digits", len(id))
	}
	if _, err := hex.DecodeString(id); err != nil {
		t.Fatalf("SenderID %q is not hex", id)
	}
	// The contract other packages and stored rows rely on.
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("+628123456789"))
	if want := hex.EncodeToString(mac.Sum(nil)); id != want {
		t.Errorf("SenderID = %s, want hex HMAC-SHA256 %s", id, want)
	}
	if again := whatsapp.SenderID(secret, "+628123456789"); again != id {
		t.Error("SenderID is not stable")
	}
	if other := whatsapp.SenderID([]byte("rahasia-instans-lain-32-byte-xxx"), "+628123456789"); other == id {
		t.Error("SenderID does not depend on the secret")
	}
	if other := whatsapp.SenderID(secret, "+628123456780"); other == id {
		t.Error("two numbers share a SenderID")
	}
	// Every spelling of one number maps to one pseudonym once normalized.
	for _, in := range []string{"08123456789", "+62 812-3456-789", "628123456789"} {
		e164, err := whatsapp.NormalizePhone(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := whatsapp.SenderID(secret, e164); got != id {
			t.Errorf("SenderID of normalized %q differs", in)
		}
	}
}
