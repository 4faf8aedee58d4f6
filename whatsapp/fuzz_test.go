package whatsapp_test

import (
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/whatsapp"
)

// fuzzLimits are small so the fuzzer reaches the limit checks quickly.
var fuzzLimits = whatsapp.Limits{MaxMessages: 8, MaxTextBytes: 512, MaxBodyBytes: 64 << 10}

var (
	digitsPattern = regexp.MustCompile(`^[0-9]+$`)
	e164Pattern   = regexp.MustCompile(`^\+[1-9][0-9]{7,14}$`)
)

// wantParseError fails unless err is one of the errors the parsers promise.
func wantParseError(t *testing.T, err error) {
	t.Helper()
	if code := hailurah.ErrorCode(err); code != hailurah.EINVALID && code != hailurah.ETOOLARGE {
		t.Fatalf("error code %s (%v), want invalid or too_large", code, err)
	}
	if hailurah.ErrorMessage(err) == "" {
		t.Fatal("error without a message")
	}
}

func wantCleanText(t *testing.T, what, s string, maxBytes int) {
	t.Helper()
	if !utf8.ValidString(s) || strings.ContainsRune(s, 0) || len(s) > maxBytes {
		t.Fatalf("%s not clean or too long (%d bytes): %q", what, len(s), s)
	}
}

func FuzzParseWebhook(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"phone_number_id":"1"},"messages":[{"from":"6281234567","id":"x","timestamp":1749416383,"type":"location","location":{"latitude":1e308,"longitude":-1e308}}]}}]}]}`))
	f.Add([]byte(`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"phone_number_id":"1"},"statuses":[{"id":"s","status":"failed","timestamp":"1749416383","recipient_id":"1","errors":[{"code":-1}]}]}}]}]}`))
	f.Add([]byte(`{"object":"whatsapp_business_account","entry":null}`))
	f.Add([]byte(`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":null}]}]}`))
	f.Add([]byte(strings.Repeat("[", 100)))
	f.Add([]byte("\xff\xfe{}"))

	f.Fuzz(func(t *testing.T, body []byte) {
		d, err := whatsapp.ParseWebhook(body, fuzzLimits)
		if err != nil {
			if d != nil {
				t.Fatal("a delivery returned with an error")
			}
			wantParseError(t, err)
			return
		}
		if d == nil {
			t.Fatal("nil delivery without an error")
		}
		if !whatsapp.IsCloudAPIPayload(body) {
			t.Fatal("parsed, but IsCloudAPIPayload says no")
		}
		if len(d.Messages) > fuzzLimits.MaxMessages || len(d.Statuses) > fuzzLimits.MaxMessages {
			t.Fatalf("%d messages, %d statuses over the limit", len(d.Messages), len(d.Statuses))
		}
		for _, m := range d.Messages {
			if m.ProviderID == "" || !digitsPattern.MatchString(m.From) || !digitsPattern.MatchString(m.PhoneNumberID) || m.At.IsZero() {
				t.Fatalf("message missing its identity: %+v", m)
			}
			wantCleanText(t, "text", m.Text, fuzzLimits.MaxTextBytes)
			wantCleanText(t, "profile name", m.ProfileName, 4*128)
			switch m.Kind {
			case whatsapp.KindLocation:
				if m.Lat == nil || m.Lng == nil || *m.Lat < -90 || *m.Lat > 90 || *m.Lng < -180 || *m.Lng > 180 {
					t.Fatalf("location without valid coordinates: %+v", m)
				}
			case whatsapp.KindImage, whatsapp.KindVideo, whatsapp.KindDocument, whatsapp.KindAudio, whatsapp.KindSticker:
				if m.MediaID == "" || url.PathEscape(m.MediaID) != m.MediaID {
					t.Fatalf("media id %q is not a plain path segment", m.MediaID)
				}
			case whatsapp.KindText, whatsapp.KindButton, whatsapp.KindReaction, whatsapp.KindUnsupported:
			default:
				t.Fatalf("unknown kind %q", m.Kind)
			}
			if m.Kind != whatsapp.KindLocation && (m.Lat != nil || m.Lng != nil) {
				t.Fatalf("coordinates on a %s message", m.Kind)
			}
		}
		for _, s := range d.Statuses {
			switch s.Status {
			case whatsapp.StatusSent, whatsapp.StatusDelivered, whatsapp.StatusRead, whatsapp.StatusFailed:
			default:
				t.Fatalf("unknown status %q", s.Status)
			}
			if s.ProviderID == "" || s.RecipientID == "" || s.At.IsZero() {
				t.Fatalf("status missing its identity: %+v", s)
			}
		}
	})
}

func FuzzParseGateway(f *testing.F) {
	f.Add(fixture(f, "gateway_seed.json"))
	f.Add([]byte(`{"id":"k-1","channel":"kiosk","timestamp":1759936440,"from":"kios-taman-1","text":"halo","tembusan":true,"anonim":false}`))
	f.Add([]byte(`{"id":"w-3","channel":"web","from":"sesi-abc","media":"https://cdn.example.org/foto.jpg"}`))
	f.Add([]byte(`{"id":"w-4","channel":"web","from":"s","media":["https://a.example/1.jpg","http://[::1]:80/x"],"tembusan":"ya","anonim":null}`))
	f.Add([]byte(`{"id":"a","channel":"web","from":"x","text":"halo","timestamp":"0001-01-01T00:00:00Z"}`))
	f.Add([]byte(`{"id":"a","channel":"web","from":"x","text":"\u0000\ud800"}`))
	f.Add([]byte(`{"object":"whatsapp_business_account"}`))

	f.Fuzz(func(t *testing.T, body []byte) {
		g, err := whatsapp.ParseGateway(body, fuzzLimits)
		if err != nil {
			if g != nil {
				t.Fatal("a message returned with an error")
			}
			wantParseError(t, err)
			return
		}
		if g.ID == "" || g.From == "" {
			t.Fatalf("message missing its identity: %+v", g)
		}
		switch g.Channel {
		case hailurah.ChannelWhatsApp, hailurah.ChannelWeb, hailurah.ChannelKiosk, hailurah.ChannelOpen311:
		default:
			t.Fatalf("unknown channel %q", g.Channel)
		}
		wantCleanText(t, "text", g.Text, fuzzLimits.MaxTextBytes)
		wantCleanText(t, "from", g.From, 64)
		if strings.TrimSpace(g.Text) == "" && len(g.Media) == 0 {
			t.Fatal("an empty message was accepted")
		}
		if len(g.Media) > 10 {
			t.Fatalf("%d media", len(g.Media))
		}
		for _, m := range g.Media {
			u, err := url.Parse(m)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				t.Fatalf("media %q is not an http(s) URL", m)
			}
		}
	})
}

func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{"08123456789", "+62 (0)812 3456 789", "0062 812", "16505551234", "+0", "620", "(0)", "+62(0)(0)8123456789", "08-12.34 56(78)9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := whatsapp.NormalizePhone(s)
		if err != nil {
			wantCode(t, err, hailurah.EINVALID)
			return
		}
		if !e164Pattern.MatchString(got) {
			t.Fatalf("NormalizePhone(%q) = %q, not E.164", s, got)
		}
		if again, err := whatsapp.NormalizePhone(got); err != nil || again != got {
			t.Fatalf("not idempotent: %q -> %q -> %q, %v", s, got, again, err)
		}
	})
}
