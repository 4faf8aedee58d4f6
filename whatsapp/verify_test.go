package whatsapp_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strings"
	"testing"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/whatsapp"
)

func TestVerifyHandshake(t *testing.T) {
	q := func(mode, token, challenge string) url.Values {
		v := url.Values{}
		if mode != "" {
			v.Set("hub.mode", mode)
		}
		if token != "" {
			v.Set("hub.verify_token", token)
		}
		if challenge != "" {
			v.Set("hub.challenge", challenge)
		}
		return v
	}
	const token = "rahasia-verifikasi-taman"
	got, err := whatsapp.VerifyHandshake(q("subscribe", token, "1158201444"), token)
	if err != nil || got != "1158201444" {
		t.Fatalf("good handshake: got %q, %v", got, err)
	}

	tests := []struct {
		name       string
		q          url.Values
		configured string
		code       string
	}{
		{"wrong token", q("subscribe", "tebakan", "1158201444"), token, hailurah.EFORBIDDEN},
		{"token prefix", q("subscribe", token[:5], "1158201444"), token, hailurah.EFORBIDDEN},
		{"missing token", q("subscribe", "", "1158201444"), token, hailurah.EFORBIDDEN},
		{"wrong mode", q("unsubscribe", token, "1158201444"), token, hailurah.EFORBIDDEN},
		{"missing mode", q("", token, "1158201444"), token, hailurah.EFORBIDDEN},
		{"empty configured token", q("subscribe", "", "1158201444"), "", hailurah.EFORBIDDEN},
		{"empty configured token, any token sent", q("subscribe", "apa-saja", "1158201444"), "", hailurah.EFORBIDDEN},
		{"missing challenge", q("subscribe", token, ""), token, hailurah.EINVALID},
		{"challenge with markup", q("subscribe", token, "<script>alert(1)</script>"), token, hailurah.EINVALID},
		{"challenge too long", q("subscribe", token, strings.Repeat("9", 129)), token, hailurah.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := whatsapp.VerifyHandshake(tt.q, tt.configured)
			wantCode(t, err, tt.code)
			if got != "" {
				t.Errorf("challenge %q returned with an error", got)
			}
		})
	}
}

func TestCheckSignature(t *testing.T) {
	const secret = "app-secret-kelurahan"
	body := fixture(t, "text.json")
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	good := "sha256=" + hex.EncodeToString(mac.Sum(nil))

	if err := whatsapp.CheckSignature(body, good, secret); err != nil {
		t.Fatalf("good signature: %v", err)
	}
	if err := whatsapp.CheckSignature(body, strings.ToUpper(good[:7])+strings.ToUpper(good[7:]), secret); err == nil {
		t.Error("an upper-case SHA256= prefix was accepted; Meta sends lower case")
	}
	if err := whatsapp.CheckSignature(body, "sha256="+strings.ToUpper(good[7:]), secret); err != nil {
		t.Errorf("upper-case hex digits: %v", err)
	}

	tampered := append([]byte{}, body...)
	tampered[len(tampered)/2] ^= 1
	tests := []struct {
		name, header, secret string
		body                 []byte
	}{
		{"missing header", "", secret, body},
		{"no prefix", good[7:], secret, body},
		{"sha1 header", "sha1=" + good[7:47], secret, body},
		{"not hex", "sha256=" + strings.Repeat("zz", 32), secret, body},
		{"short digest", good[:len(good)-2], secret, body},
		{"long digest", good + "00", secret, body},
		{"wrong secret", good, "secret-lain", body},
		{"tampered body", good, secret, tampered},
		{"empty app secret", good, "", body},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, whatsapp.CheckSignature(tt.body, tt.header, tt.secret), hailurah.EUNAUTHORIZED)
		})
	}
}
