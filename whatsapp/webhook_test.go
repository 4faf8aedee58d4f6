package whatsapp_test

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/whatsapp"
)

const phoneNumberID = "106540352242922"

func TestParseWebhookMessageKinds(t *testing.T) {
	tests := []struct {
		file string
		want whatsapp.Inbound
	}{
		{"text.json", whatsapp.Inbound{
			ProviderID:    "wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYFDNBMDJCMUY2QzNFMjI0NjE0QkJBAA==",
			PhoneNumberID: phoneNumberID, From: "6281234567890", ProfileName: "Siti Aminah",
			At: time.Unix(1749416383, 0).UTC(), Kind: whatsapp.KindText,
			Text: "HAI LURAH Taman Bu Lurah. RT04/RW01, jalan samping SD tergenang, anak-anak kesulitan pergi sekolah. Mohon bantu.\nTEMBUSAN: TIDAK\nANONIM: YA",
		}},
		{"image.json", whatsapp.Inbound{
			ProviderID:    "wamid.HBgNNjI4NTcxMjM0NTY3OBUCABIYFjNFQjBDMkE0RjcxRDk4QTdCMTQ2QzIA",
			PhoneNumberID: phoneNumberID, From: "6285712345678", ProfileName: "Budi Santoso",
			At: time.Unix(1749416500, 0).UTC(), Kind: whatsapp.KindImage,
			Text: "Selokan tersumbat sampah di RT03/RW02", MediaID: "2754859441498128", MediaMime: "image/jpeg",
		}},
		{"location.json", whatsapp.Inbound{
			ProviderID:    "wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYFDNBQjE0RkM2NTg5QzdFNzJCMjZGAA==",
			PhoneNumberID: phoneNumberID, From: "6281234567890", ProfileName: "Siti Aminah",
			At: time.Unix(1749416600, 0).UTC(), Kind: whatsapp.KindLocation,
			Text: "Balai RW 01, Jl. Salak No. 12, Taman, Kota Madiun", Lat: ptr(-7.6298), Lng: ptr(111.5239),
		}},
		{"interactive_button_reply.json", whatsapp.Inbound{
			ProviderID:    "wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYFDNBRjY3MzI4RTkwQjQ4NUUxQzVEAA==",
			PhoneNumberID: phoneNumberID, From: "6281234567890", ProfileName: "Siti Aminah",
			At: time.Unix(1749417000, 0).UTC(), Kind: whatsapp.KindButton,
			Text: "SESUDAH", ButtonID: "confirm:HL-2026-000123:sesudah",
		}},
		{"button.json", whatsapp.Inbound{
			ProviderID:    "wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYFDNBOUU0NzIyQjlDRkU1RjQ1MTc5AA==",
			PhoneNumberID: phoneNumberID, From: "6281234567890", ProfileName: "Siti Aminah",
			At: time.Unix(1749503400, 0).UTC(), Kind: whatsapp.KindButton,
			Text: "Belum selesai", ButtonID: "BELUM",
		}},
		{"audio.json", whatsapp.Inbound{
			ProviderID:    "wamid.HBgNNjI4MTM5ODc2NTQzMhUCABIYFDNBNTVBQjE2NDBFMjE3RjQ5QjcyAA==",
			PhoneNumberID: phoneNumberID, From: "6281398765432", ProfileName: "Pak Darmo",
			At: time.Unix(1749417200, 0).UTC(), Kind: whatsapp.KindAudio,
			MediaID: "1084574616126377", MediaMime: "audio/ogg; codecs=opus",
		}},
		{"sticker.json", whatsapp.Inbound{
			ProviderID:    "wamid.HBgNNjI4MTM5ODc2NTQzMhUCABIYFDNBMTM5NkI4NTg4QzJDMDMxRTQ2AA==",
			PhoneNumberID: phoneNumberID, From: "6281398765432", ProfileName: "Pak Darmo",
			At: time.Unix(1749417300, 0).UTC(), Kind: whatsapp.KindSticker,
			MediaID: "1211836543407016", MediaMime: "image/webp",
		}},
		{"unsupported.json", whatsapp.Inbound{
			ProviderID:    "wamid.HBgNNjI4MTM5ODc2NTQzMhUCABIYFDNBNzBEN0JCNTA5NjgzMDE5ODY4AA==",
			PhoneNumberID: phoneNumberID, From: "6281398765432", ProfileName: "Pak Darmo",
			At: time.Unix(1749417400, 0).UTC(), Kind: whatsapp.KindUnsupported,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			body := fixture(t, tt.file)
			if !whatsapp.IsCloudAPIPayload(body) {
				t.Error("IsCloudAPIPayload = false for a Cloud API fixture")
			}
			d, err := whatsapp.ParseWebhook(body, whatsapp.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Messages) != 1 || len(d.Statuses) != 0 {
				t.Fatalf("got %d messages, %d statuses; want 1, 0", len(d.Messages), len(d.Statuses))
			}
			if got := d.Messages[0]; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseWebhookBatch(t *testing.T) {
	d, err := whatsapp.ParseWebhook(fixture(t, "batch.json"), whatsapp.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	type row struct{ id, phoneNumberID, from, name, kind string }
	want := []row{
		{"wamid.BATCH-TAMAN-1", "106540352242922", "6281234567890", "Siti Aminah", whatsapp.KindText},
		{"wamid.BATCH-TAMAN-2", "106540352242922", "6285712345678", "Budi Santoso", whatsapp.KindText},
		{"wamid.BATCH-TAMAN-3", "106540352242922", "6281234567890", "Siti Aminah", whatsapp.KindImage},
		{"wamid.BATCH-NAMBANGAN-1", "207651463353033", "6289611122233", "Ibu Wulan", whatsapp.KindText},
		{"wamid.BATCH-NAMBANGAN-2", "207651463353033", "6289611122233", "Ibu Wulan", whatsapp.KindLocation},
	}
	var got []row
	for _, m := range d.Messages {
		got = append(got, row{m.ProviderID, m.PhoneNumberID, m.From, m.ProfileName, m.Kind})
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("messages:\ngot  %v\nwant %v", got, want)
	}
	loc := d.Messages[4]
	if loc.Lat == nil || *loc.Lat != -7.6205 || loc.Lng == nil || *loc.Lng != 111.5301 || loc.Text != "" {
		t.Errorf("location without name: got lat %v lng %v text %q", loc.Lat, loc.Lng, loc.Text)
	}
	if d.Messages[2].MediaID != "918273645546372" || d.Messages[2].Text != "" {
		t.Errorf("image without caption: got %+v", d.Messages[2])
	}
	wantStatus := []whatsapp.Status{{
		ProviderID: "wamid.BATCH-NAMBANGAN-OUT-1", PhoneNumberID: "207651463353033",
		Status: whatsapp.StatusDelivered, RecipientID: "6289611122233", At: time.Unix(1749420040, 0).UTC(),
	}}
	if !reflect.DeepEqual(d.Statuses, wantStatus) {
		t.Errorf("statuses:\ngot  %+v\nwant %+v", d.Statuses, wantStatus)
	}
}

func TestParseWebhookStatuses(t *testing.T) {
	d, err := whatsapp.ParseWebhook(fixture(t, "statuses.json"), whatsapp.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	out := "wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABEYEkJDMkQ4NjBDNTI1QUEwRkJERAA="
	failed := "wamid.HBgNNjI4NTcxMjM0NTY3OBUCABEYEjg3RUE1QjNBMjk0QkI5NjM2RAA="
	// The "deleted" status at the end is not one this package knows: skipped.
	want := []whatsapp.Status{
		{ProviderID: out, PhoneNumberID: phoneNumberID, Status: whatsapp.StatusSent, RecipientID: "6281234567890", At: time.Unix(1749417500, 0).UTC()},
		{ProviderID: out, PhoneNumberID: phoneNumberID, Status: whatsapp.StatusDelivered, RecipientID: "6281234567890", At: time.Unix(1749417502, 0).UTC()},
		{ProviderID: out, PhoneNumberID: phoneNumberID, Status: whatsapp.StatusRead, RecipientID: "6281234567890", At: time.Unix(1749417560, 0).UTC()},
		{ProviderID: failed, PhoneNumberID: phoneNumberID, Status: whatsapp.StatusFailed, RecipientID: "6285712345678", At: time.Unix(1749590400, 0).UTC(),
			ErrorCode: 131047, ErrorTitle: "Re-engagement message"},
	}
	if len(d.Messages) != 0 {
		t.Errorf("got %d messages, want 0", len(d.Messages))
	}
	if !reflect.DeepEqual(d.Statuses, want) {
		t.Errorf("got  %+v\nwant %+v", d.Statuses, want)
	}
}

func TestParseWebhookNonMessageChangesOnly(t *testing.T) {
	body := []byte(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[
		{"field":"message_template_status_update","value":{"event":"APPROVED","message_template_name":"hailurah_status"}}]}]}`)
	d, err := whatsapp.ParseWebhook(body, whatsapp.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Messages)+len(d.Statuses) != 0 {
		t.Errorf("got %+v, want an empty delivery", d)
	}
}

func TestParseWebhookRejects(t *testing.T) {
	longText := strings.Repeat("a", whatsapp.DefaultMaxTextBytes+1)
	tests := []struct {
		name  string
		body  []byte
		code  string
		field string // "" when the error names none
	}{
		{"invalid JSON", []byte(`{"object":"whatsapp_business_account",`), hailurah.EINVALID, ""},
		{"not an object", []byte(`[1,2,3]`), hailurah.EINVALID, "(root)"},
		{"wrong object", bytes.Replace(fixture(t, "text.json"), []byte(`"whatsapp_business_account"`), []byte(`"page"`), 1), hailurah.EINVALID, "object"},
		{"null", []byte(`null`), hailurah.EINVALID, "object"},
		{"missing id", mutateText(t, func(_, m map[string]any) { delete(m, "id") }), hailurah.EINVALID, "entry[0].changes[0].value.messages[0].id"},
		{"id with spaces", mutateText(t, func(_, m map[string]any) { m["id"] = "wamid x" }), hailurah.EINVALID, "entry[0].changes[0].value.messages[0].id"},
		{"id of the wrong type", mutateText(t, func(_, m map[string]any) { m["id"] = 12345 }), hailurah.EINVALID, "entry.changes.value.messages.id"},
		{"missing from", mutateText(t, func(_, m map[string]any) { delete(m, "from") }), hailurah.EINVALID, "entry[0].changes[0].value.messages[0].from"},
		{"from with letters", mutateText(t, func(_, m map[string]any) { m["from"] = "62812abc" }), hailurah.EINVALID, "entry[0].changes[0].value.messages[0].from"},
		{"from with plus", mutateText(t, func(_, m map[string]any) { m["from"] = "+6281234567890" }), hailurah.EINVALID, "entry[0].changes[0].value.messages[0].from"},
		{"missing timestamp", mutateText(t, func(_, m map[string]any) { delete(m, "timestamp") }), hailurah.EINVALID, "entry[0].changes[0].value.messages[0].timestamp"},
		{"timestamp in milliseconds", mutateText(t, func(_, m map[string]any) { m["timestamp"] = "1749416383000" }), hailurah.EINVALID, "entry[0].changes[0].value.messages[0].timestamp"},
		{"timestamp not a number", mutateText(t, func(_, m map[string]any) { m["timestamp"] = "kemarin" }), hailurah.EINVALID, "entry[0].changes[0].value.messages[0].timestamp"},
		{"missing phone_number_id", mutateText(t, func(v, _ map[string]any) { delete(v, "metadata") }), hailurah.EINVALID, "entry[0].changes[0].value.metadata.phone_number_id"},
		{"phone_number_id with a slash", mutateText(t, func(v, _ map[string]any) {
			v["metadata"].(map[string]any)["phone_number_id"] = "1065/../me"
		}), hailurah.EINVALID, "entry[0].changes[0].value.metadata.phone_number_id"},
		{"other messaging_product", mutateText(t, func(v, _ map[string]any) { v["messaging_product"] = "instagram" }), hailurah.EINVALID, "entry[0].changes[0].value.messaging_product"},
		{"oversized text", mutateText(t, func(_, m map[string]any) { m["text"] = map[string]any{"body": longText} }), hailurah.EINVALID, "entry[0].changes[0].value.messages[0].text"},
		{"image without id", mutateText(t, func(_, m map[string]any) {
			m["type"] = "image"
			m["image"] = map[string]any{"mime_type": "image/jpeg", "caption": "foto"}
		}), hailurah.EINVALID, "entry[0].changes[0].value.messages[0].image.id"},
		{"media id with a path", mutateText(t, func(_, m map[string]any) {
			m["type"] = "audio"
			m["audio"] = map[string]any{"id": "123/../../me", "mime_type": "audio/ogg"}
		}), hailurah.EINVALID, "entry[0].changes[0].value.messages[0].audio.id"},
		{"location without coordinates", mutateText(t, func(_, m map[string]any) {
			m["type"] = "location"
			m["location"] = map[string]any{"name": "Balai RW"}
		}), hailurah.EINVALID, "entry[0].changes[0].value.messages[0].location"},
		{"location out of range", mutateText(t, func(_, m map[string]any) {
			m["type"] = "location"
			m["location"] = map[string]any{"latitude": 97.5, "longitude": 111.5}
		}), hailurah.EINVALID, "entry[0].changes[0].value.messages[0].location"},
		{"button reply without id", mutateText(t, func(_, m map[string]any) {
			m["type"] = "interactive"
			m["interactive"] = map[string]any{"type": "button_reply", "button_reply": map[string]any{"title": "SESUDAH"}}
		}), hailurah.EINVALID, "entry[0].changes[0].value.messages[0].interactive.button_reply.id"},
		{"legacy button empty", mutateText(t, func(_, m map[string]any) {
			m["type"] = "button"
			m["button"] = map[string]any{}
		}), hailurah.EINVALID, "entry[0].changes[0].value.messages[0].button"},
		{"status without id", bytes.Replace(fixture(t, "statuses.json"),
			[]byte(`"id": "wamid.HBgNNjI4NTcxMjM0NTY3OBUCABEYEjg3RUE1QjNBMjk0QkI5NjM2RAA=",
                "status": "failed"`), []byte(`"status": "failed"`), 1), hailurah.EINVALID, "entry[0].changes[0].value.statuses[3].id"},
		{"deep nesting", []byte(strings.Repeat(`{"a":[`, 20000) + strings.Repeat(`]}`, 20000)), hailurah.EINVALID, ""},
		{"body over the limit", append(fixture(t, "text.json"), bytes.Repeat([]byte(" "), whatsapp.DefaultMaxBodyBytes)...), hailurah.ETOOLARGE, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := whatsapp.ParseWebhook(tt.body, whatsapp.Limits{})
			wantCode(t, err, tt.code)
			if d != nil {
				t.Errorf("got a delivery with an error: %+v", d)
			}
			if got := hailurah.ErrorField(err); got != tt.field {
				t.Errorf("field = %q, want %q (%v)", got, tt.field, err)
			}
			if hailurah.ErrorMessage(err) == "" {
				t.Error("empty message")
			}
		})
	}
}

// batchOf returns a delivery of n text messages and n statuses in one change.
func batchOf(n int) []byte {
	var msgs, statuses []string
	for i := range n {
		msgs = append(msgs, fmt.Sprintf(`{"from":"6281234567890","id":"wamid.M%d","timestamp":"1749416383","type":"text","text":{"body":"pesan %d"}}`, i, i))
		statuses = append(statuses, fmt.Sprintf(`{"id":"wamid.S%d","status":"read","timestamp":"1749416383","recipient_id":"6281234567890"}`, i))
	}
	return fmt.Appendf(nil, `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{
		"messaging_product":"whatsapp","metadata":{"display_phone_number":"6281130001234","phone_number_id":"106540352242922"},
		"messages":[%s],"statuses":[%s]}}]}]}`, strings.Join(msgs, ","), strings.Join(statuses, ","))
}

func TestParseWebhookMessageLimit(t *testing.T) {
	d, err := whatsapp.ParseWebhook(batchOf(whatsapp.DefaultMaxMessages), whatsapp.Limits{})
	if err != nil {
		t.Fatalf("%d messages: %v", whatsapp.DefaultMaxMessages, err)
	}
	if len(d.Messages) != whatsapp.DefaultMaxMessages || len(d.Statuses) != whatsapp.DefaultMaxMessages {
		t.Errorf("got %d messages, %d statuses", len(d.Messages), len(d.Statuses))
	}
	_, err = whatsapp.ParseWebhook(batchOf(whatsapp.DefaultMaxMessages+1), whatsapp.Limits{})
	wantCode(t, err, hailurah.EINVALID)

	// Limits apply across the entries of one delivery, not per change.
	_, err = whatsapp.ParseWebhook(fixture(t, "batch.json"), whatsapp.Limits{MaxMessages: 4})
	wantCode(t, err, hailurah.EINVALID)
	if _, err := whatsapp.ParseWebhook(fixture(t, "batch.json"), whatsapp.Limits{MaxMessages: 5}); err != nil {
		t.Errorf("5 messages with MaxMessages 5: %v", err)
	}
}

func TestParseWebhookTextLimit(t *testing.T) {
	body := mutateText(t, func(_, m map[string]any) { m["text"] = map[string]any{"body": "12345678901"} })
	if _, err := whatsapp.ParseWebhook(body, whatsapp.Limits{MaxTextBytes: 11}); err != nil {
		t.Errorf("11 bytes with MaxTextBytes 11: %v", err)
	}
	_, err := whatsapp.ParseWebhook(body, whatsapp.Limits{MaxTextBytes: 10})
	wantCode(t, err, hailurah.EINVALID)
}

// Invalid UTF-8 is replaced, not rejected; NUL and other control characters
// are dropped; line breaks stay.
func TestParseWebhookCleansText(t *testing.T) {
	body := bytes.Replace(fixture(t, "text.json"), []byte("Mohon bantu."), []byte("Mohon \xff\xfe bantu\\u0000\\u0007.\\tya"), 1)
	d, err := whatsapp.ParseWebhook(body, whatsapp.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	text := d.Messages[0].Text
	if !utf8.ValidString(text) {
		t.Errorf("text is not valid UTF-8: %q", text)
	}
	if !strings.Contains(text, "Mohon \uFFFD\uFFFD bantu.\tya\nTEMBUSAN") {
		t.Errorf("got %q", text)
	}
	if strings.ContainsAny(text, "\x00\x07") {
		t.Errorf("control characters kept: %q", text)
	}
}

func TestParseWebhookProfileName(t *testing.T) {
	// A lone contact whose wa_id differs from "from" still names the sender.
	body := mutateText(t, func(v, _ map[string]any) {
		v["contacts"] = []any{map[string]any{"profile": map[string]any{"name": "Siti\nAminah"}, "wa_id": "62812345678900"}}
	})
	d, err := whatsapp.ParseWebhook(body, whatsapp.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Messages[0].ProfileName; got != "Siti Aminah" {
		t.Errorf("ProfileName = %q, want %q", got, "Siti Aminah")
	}
	body = mutateText(t, func(v, _ map[string]any) { delete(v, "contacts") })
	if d, err = whatsapp.ParseWebhook(body, whatsapp.Limits{}); err != nil {
		t.Fatal(err)
	}
	if got := d.Messages[0].ProfileName; got != "" {
		t.Errorf("ProfileName without contacts = %q", got)
	}
}

func TestParseWebhookOtherTypes(t *testing.T) {
	tests := []struct {
		name string
		edit func(_, m map[string]any)
		kind string
		text string
		id   string
	}{
		{"list reply", func(_, m map[string]any) {
			m["type"] = "interactive"
			m["interactive"] = map[string]any{"type": "list_reply", "list_reply": map[string]any{"id": "unit:DLH", "title": "DLH", "description": "Lingkungan"}}
		}, whatsapp.KindButton, "DLH", "unit:DLH"},
		{"flow reply", func(_, m map[string]any) {
			m["type"] = "interactive"
			m["interactive"] = map[string]any{"type": "nfm_reply", "nfm_reply": map[string]any{"response_json": "{}"}}
		}, whatsapp.KindUnsupported, "", ""},
		{"reaction", func(_, m map[string]any) {
			m["type"] = "reaction"
			m["reaction"] = map[string]any{"message_id": "wamid.X", "emoji": "👍"}
		}, whatsapp.KindReaction, "👍", ""},
		{"document with caption", func(_, m map[string]any) {
			m["type"] = "document"
			m["document"] = map[string]any{"id": "555", "mime_type": "application/pdf", "caption": "Surat RT", "filename": "surat.pdf"}
		}, whatsapp.KindDocument, "Surat RT", ""},
		{"contacts", func(_, m map[string]any) {
			m["type"] = "contacts"
			m["contacts"] = []any{map[string]any{"name": map[string]any{"formatted_name": "Pak RT"}}}
		}, whatsapp.KindUnsupported, "", ""},
		{"numeric timestamp", func(_, m map[string]any) { m["timestamp"] = 1749416383 }, whatsapp.KindText, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := whatsapp.ParseWebhook(mutateText(t, tt.edit), whatsapp.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			m := d.Messages[0]
			if m.Kind != tt.kind || m.ButtonID != tt.id || (tt.text != "" && m.Text != tt.text) {
				t.Errorf("got kind %q text %q id %q; want %q %q %q", m.Kind, m.Text, m.ButtonID, tt.kind, tt.text, tt.id)
			}
			if !m.At.Equal(time.Unix(1749416383, 0)) {
				t.Errorf("At = %v", m.At)
			}
		})
	}
}

func TestIsCloudAPIPayload(t *testing.T) {
	tests := []struct {
		body string
		want bool
	}{
		{`{"object":"whatsapp_business_account","entry":[]}`, true},
		{string(fixture(t, "gateway_seed.json")), false},
		{`{"object":"page","entry":[]}`, false},
		{`{"object":"whatsapp_business_account"`, false},
		{``, false},
		{`"whatsapp_business_account"`, false},
	}
	for _, tt := range tests {
		if got := whatsapp.IsCloudAPIPayload([]byte(tt.body)); got != tt.want {
			t.Errorf("IsCloudAPIPayload(%.40q) = %v, want %v", tt.body, got, tt.want)
		}
	}
}
