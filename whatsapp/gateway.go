package whatsapp

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hailurah/hailurah"
)

// GatewayMessage is the seed's flat webhook payload, posted by kiosks and
// gateways other than Meta's:
//
//	{"id":"curhat-011","channel":"whatsapp","timestamp":"2025-10-08T22:14:00+07:00",
//	 "from":"+62812…","text":"HAI LURAH …","media":[],"tembusan":"TIDAK","anonim":"YA"}
type GatewayMessage struct {
	ID      string    // the gateway's message id; the dedupe key
	Channel string    // hailurah.ChannelWhatsApp, ChannelWeb, ChannelKiosk or ChannelOpen311
	At      time.Time // zero when the gateway sent no timestamp: use the receive time
	// From is the sender as the gateway names it: a phone number on the
	// whatsapp channel (pass it to NormalizePhone), a kiosk or session id
	// otherwise. It is cleaned but not interpreted here.
	From  string
	Text  string
	Media []string // absolute http(s) URLs
	// Tembusan and Anonim are nil when the payload does not say.
	Tembusan *bool
	Anonim   *bool
}

const (
	maxGatewayMedia   = 10
	maxGatewayURLLen  = 2048
	maxGatewayFromLen = 64
)

type gatewayWire struct {
	ID        string          `json:"id"`
	Channel   string          `json:"channel"`
	Timestamp json.RawMessage `json:"timestamp"`
	From      string          `json:"from"`
	Text      string          `json:"text"`
	Media     json.RawMessage `json:"media"`
	Tembusan  json.RawMessage `json:"tembusan"`
	Anonim    json.RawMessage `json:"anonim"`
}

// ParseGateway reads the seed's gateway payload. timestamp is RFC 3339 or
// Unix seconds (string or number); media is a list of URLs or one URL;
// tembusan and anonim are JSON booleans or "YA"/"TIDAK" in any case.
//
// Returns ETOOLARGE for a body over limits.MaxBodyBytes, and EINVALID for
// invalid JSON, a missing id, channel or from, an unknown channel, an
// unreadable timestamp, a media entry that is not an http(s) URL or more than
// 10 of them, text over limits.MaxTextBytes, or a message with neither text
// nor media.
func ParseGateway(body []byte, limits Limits) (*GatewayMessage, error) {
	limits = limits.withDefaults()
	if err := limits.checkBody(body); err != nil {
		return nil, err
	}
	var w gatewayWire
	if err := decodeJSON(body, &w); err != nil {
		return nil, err
	}
	g := &GatewayMessage{ID: w.ID, From: cleanLine(w.From), Text: cleanText(w.Text)}
	if !isToken(g.ID, maxProviderIDLen) {
		return nil, hailurah.FieldErrorf("id", "id pesan wajib diisi (teks tanpa spasi, maks. %d byte).", maxProviderIDLen)
	}
	switch ch := strings.ToLower(strings.TrimSpace(w.Channel)); ch {
	case hailurah.ChannelWhatsApp, hailurah.ChannelWeb, hailurah.ChannelKiosk, hailurah.ChannelOpen311:
		g.Channel = ch
	case "":
		return nil, hailurah.FieldErrorf("channel", "Kanal (channel) wajib diisi.")
	default:
		return nil, hailurah.FieldErrorf("channel", "Kanal %q tidak dikenal (whatsapp, web, kiosk, open311).", quoteClip(ch))
	}
	if g.From == "" || len(g.From) > maxGatewayFromLen {
		return nil, hailurah.FieldErrorf("from", "Pengirim (from) wajib diisi (maks. %d byte).", maxGatewayFromLen)
	}
	at, err := parseGatewayTime(w.Timestamp)
	if err != nil {
		return nil, err
	}
	g.At = at
	if g.Media, err = parseMedia(w.Media); err != nil {
		return nil, err
	}
	if g.Tembusan, err = parseYesNo(w.Tembusan, "tembusan"); err != nil {
		return nil, err
	}
	if g.Anonim, err = parseYesNo(w.Anonim, "anonim"); err != nil {
		return nil, err
	}
	if err := limits.checkText("text", g.Text); err != nil {
		return nil, err
	}
	if strings.TrimSpace(g.Text) == "" && len(g.Media) == 0 {
		return nil, hailurah.FieldErrorf("text", "Pesan kosong: isi text atau media.")
	}
	return g, nil
}

func isNull(raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	return s == "" || s == "null"
}

func parseGatewayTime(raw json.RawMessage) (time.Time, error) {
	if isNull(raw) {
		return time.Time{}, nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		s = strings.TrimSpace(s)
		if s == "" {
			return time.Time{}, nil
		}
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			if t.Unix() < minUnix || t.Unix() > maxUnix {
				return time.Time{}, hailurah.FieldErrorf("timestamp", "timestamp di luar rentang wajar: %s.", quoteClip(s))
			}
			return t, nil
		}
		if _, err := strconv.ParseInt(s, 10, 64); err != nil {
			return time.Time{}, hailurah.FieldErrorf("timestamp", "timestamp harus RFC 3339 (2025-10-08T22:14:00+07:00) atau detik Unix.")
		}
	}
	return parseUnix(raw, "timestamp")
}

func parseMedia(raw json.RawMessage) ([]string, error) {
	if isNull(raw) {
		return nil, nil
	}
	var list []string
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		if strings.TrimSpace(one) != "" {
			list = []string{one}
		}
	} else if err := json.Unmarshal(raw, &list); err != nil {
		return nil, hailurah.FieldErrorf("media", "media harus daftar URL atau satu URL.")
	}
	if len(list) > maxGatewayMedia {
		return nil, hailurah.FieldErrorf("media", "Terlalu banyak media (maks. %d).", maxGatewayMedia)
	}
	out := make([]string, 0, len(list))
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		u, err := url.Parse(s)
		if err != nil || len(s) > maxGatewayURLLen || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, hailurah.FieldErrorf("media", "media %q bukan URL http(s) yang valid.", quoteClip(s))
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// parseYesNo reads the seed's YA/TIDAK flags, also accepted as booleans.
func parseYesNo(raw json.RawMessage, field string) (*bool, error) {
	if isNull(raw) {
		return nil, nil
	}
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		return &b, nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		switch strings.ToUpper(strings.TrimSpace(s)) {
		case "":
			return nil, nil
		case "YA":
			b = true
			return &b, nil
		case "TIDAK":
			return &b, nil
		}
	}
	return nil, hailurah.FieldErrorf(field, "%s harus YA, TIDAK, true atau false.", field)
}
