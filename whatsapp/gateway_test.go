package whatsapp_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/whatsapp"
)

func TestParseGatewaySeedExample(t *testing.T) {
	body := fixture(t, "gateway_seed.json")
	if whatsapp.IsCloudAPIPayload(body) {
		t.Error("the gateway payload was taken for a Cloud API payload")
	}
	g, err := whatsapp.ParseGateway(body, whatsapp.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want := &whatsapp.GatewayMessage{
		ID:       "curhat-011",
		Channel:  hailurah.ChannelWhatsApp,
		At:       time.Date(2025, 10, 8, 22, 14, 0, 0, time.FixedZone("", 7*3600)),
		From:     "+62812xxxxxxx",
		Text:     "HAI LURAH Taman Irfa Darojat. RT04/RW01, jalan samping SD tergenang, anak-anak kesulitan pergi sekolah. Mohon bantu.",
		Tembusan: ptr(false),
		Anonim:   ptr(true),
	}
	if !g.At.Equal(want.At) {
		t.Errorf("At = %v, want %v", g.At, want.At)
	}
	g.At = want.At
	if !reflect.DeepEqual(g, want) {
		t.Errorf("got  %+v\nwant %+v", g, want)
	}
}

func TestParseGatewayVariants(t *testing.T) {
	at := time.Unix(1759936440, 0)
	tests := []struct {
		name     string
		body     string
		at       time.Time
		media    []string
		tembusan *bool
		anonim   *bool
		channel  string
	}{
		{"unix seconds as number, booleans",
			`{"id":"k-1","channel":"kiosk","timestamp":1759936440,"from":"kios-taman-1","text":"halo","tembusan":true,"anonim":false}`,
			at, nil, ptr(true), ptr(false), hailurah.ChannelKiosk},
		{"unix seconds as string, lower-case flags",
			`{"id":"k-2","channel":"KIOSK","timestamp":"1759936440","from":"kios-taman-1","text":"halo","tembusan":"ya","anonim":" tidak "}`,
			at, nil, ptr(true), ptr(false), hailurah.ChannelKiosk},
		{"single media string, no timestamp, no flags",
			`{"id":"w-3","channel":"web","from":"sesi-abc","media":"https://cdn.example.org/foto.jpg"}`,
			time.Time{}, []string{"https://cdn.example.org/foto.jpg"}, nil, nil, hailurah.ChannelWeb},
		{"media list with blanks, null flags",
			`{"id":"w-4","channel":"web","from":"sesi-abc","text":"foto","media":["https://a.example/1.jpg"," ","http://b.example/2.png"],"tembusan":null,"anonim":""}`,
			time.Time{}, []string{"https://a.example/1.jpg", "http://b.example/2.png"}, nil, nil, hailurah.ChannelWeb},
		{"empty media string and list",
			`{"id":"o-5","channel":"open311","timestamp":"","from":"311-client","text":"jalan rusak","media":""}`,
			time.Time{}, nil, nil, nil, hailurah.ChannelOpen311},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := whatsapp.ParseGateway([]byte(tt.body), whatsapp.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if !g.At.Equal(tt.at) || g.At.IsZero() != tt.at.IsZero() {
				t.Errorf("At = %v, want %v", g.At, tt.at)
			}
			if !reflect.DeepEqual(g.Media, tt.media) {
				t.Errorf("Media = %q, want %q", g.Media, tt.media)
			}
			if !reflect.DeepEqual(g.Tembusan, tt.tembusan) || !reflect.DeepEqual(g.Anonim, tt.anonim) {
				t.Errorf("Tembusan, Anonim = %v, %v; want %v, %v", g.Tembusan, g.Anonim, tt.tembusan, tt.anonim)
			}
			if g.Channel != tt.channel {
				t.Errorf("Channel = %q, want %q", g.Channel, tt.channel)
			}
		})
	}
}

func TestParseGatewayRejects(t *testing.T) {
	tests := []struct {
		name, body, code, field string
	}{
		{"invalid JSON", `{"id":`, hailurah.EINVALID, ""},
		{"array", `[]`, hailurah.EINVALID, "(root)"},
		{"missing id", `{"channel":"web","from":"x","text":"halo"}`, hailurah.EINVALID, "id"},
		{"id of the wrong type", `{"id":7,"channel":"web","from":"x","text":"halo"}`, hailurah.EINVALID, "id"},
		{"missing channel", `{"id":"a","from":"x","text":"halo"}`, hailurah.EINVALID, "channel"},
		{"unknown channel", `{"id":"a","channel":"telegram","from":"x","text":"halo"}`, hailurah.EINVALID, "channel"},
		{"missing from", `{"id":"a","channel":"web","text":"halo"}`, hailurah.EINVALID, "from"},
		{"blank from", `{"id":"a","channel":"web","from":" \n ","text":"halo"}`, hailurah.EINVALID, "from"},
		{"bad timestamp", `{"id":"a","channel":"web","from":"x","text":"halo","timestamp":"8 Oktober 2025"}`, hailurah.EINVALID, "timestamp"},
		{"milliseconds", `{"id":"a","channel":"web","from":"x","text":"halo","timestamp":1759936440000}`, hailurah.EINVALID, "timestamp"},
		{"year 1", `{"id":"a","channel":"web","from":"x","text":"halo","timestamp":"0001-01-01T00:00:00Z"}`, hailurah.EINVALID, "timestamp"},
		{"timestamp object", `{"id":"a","channel":"web","from":"x","text":"halo","timestamp":{}}`, hailurah.EINVALID, "timestamp"},
		{"media not a URL", `{"id":"a","channel":"web","from":"x","media":["foto.jpg"]}`, hailurah.EINVALID, "media"},
		{"media javascript", `{"id":"a","channel":"web","from":"x","media":"javascript:alert(1)"}`, hailurah.EINVALID, "media"},
		{"media number", `{"id":"a","channel":"web","from":"x","media":5}`, hailurah.EINVALID, "media"},
		{"too many media", `{"id":"a","channel":"web","from":"x","media":[` + strings.Repeat(`"https://a.example/x",`, 10) + `"https://a.example/y"]}`, hailurah.EINVALID, "media"},
		{"tembusan neither", `{"id":"a","channel":"web","from":"x","text":"halo","tembusan":"MUNGKIN"}`, hailurah.EINVALID, "tembusan"},
		{"anonim number", `{"id":"a","channel":"web","from":"x","text":"halo","anonim":1}`, hailurah.EINVALID, "anonim"},
		{"empty message", `{"id":"a","channel":"web","from":"x","text":"  "}`, hailurah.EINVALID, "text"},
		{"oversized text", `{"id":"a","channel":"web","from":"x","text":"` + strings.Repeat("b", whatsapp.DefaultMaxTextBytes+1) + `"}`, hailurah.EINVALID, "text"},
		{"body over the limit", `{"id":"a","channel":"web","from":"x","text":"halo"}` + strings.Repeat(" ", whatsapp.DefaultMaxBodyBytes), hailurah.ETOOLARGE, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := whatsapp.ParseGateway([]byte(tt.body), whatsapp.Limits{})
			wantCode(t, err, tt.code)
			if g != nil {
				t.Errorf("got a message with an error: %+v", g)
			}
			if got := hailurah.ErrorField(err); got != tt.field {
				t.Errorf("field = %q, want %q (%v)", got, tt.field, err)
			}
		})
	}
}

func TestParseGatewayCleansText(t *testing.T) {
	g, err := whatsapp.ParseGateway([]byte("{\"id\":\"a\",\"channel\":\"kiosk\",\"from\":\"kios\\u0000-1\",\"text\":\"banjir \xc3\x28 lagi\\u0000\"}"), whatsapp.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if g.Text != "banjir \uFFFD( lagi" || g.From != "kios-1" {
		t.Errorf("got text %q from %q", g.Text, g.From)
	}
}
