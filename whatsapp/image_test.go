package whatsapp_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/whatsapp"
)

// TestEvidencePhotoByWindow: a unit's evidence photo reaches the fake
// Graph API as an image message with its caption inside the 24-hour
// window, and as the hailurah_selesai_foto template with the photo as its
// image header outside it, in the Cloud API's wire format.
func TestEvidencePhotoByWindow(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	link := "https://hailurah.example/m/AAAA.bbbb"
	msg := whatsapp.Message{To: "+628123456789", Text: "Dinas PUPR telah menyelesaikan tiket HL-2026-000123: got sudah dikeruk.\nBalas SESUDAH atau BELUM.",
		Buttons:      []whatsapp.Button{{ID: "sesudah", Title: "SESUDAH"}},
		TemplateName: whatsapp.TemplateEvidence, TemplateParams: []string{"HL-2026-000123", "Dinas PUPR", "got sudah dikeruk"},
		Image: link}
	tests := []struct {
		name     string
		last     time.Time
		wantBody string
	}{
		{"inside the window: an image message", now.Add(-23 * time.Hour),
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"628123456789","type":"image",
			  "image":{"link":"` + link + `","caption":"Dinas PUPR telah menyelesaikan tiket HL-2026-000123: got sudah dikeruk.\nBalas SESUDAH atau BELUM."}}`},
		{"outside the window: the template with an image header", now.Add(-25 * time.Hour),
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"628123456789","type":"template",
			  "template":{"name":"hailurah_selesai_foto","language":{"code":"id"},"components":[
			    {"type":"header","parameters":[{"type":"image","image":{"link":"` + link + `"}}]},
			    {"type":"body","parameters":[{"type":"text","text":"HL-2026-000123"},{"type":"text","text":"Dinas PUPR"},
			      {"type":"text","text":"got sudah dikeruk"}]}]}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := whatsapp.Choose(msg, tt.last, now)
			if err != nil {
				t.Fatal(err)
			}
			f := newFakeGraph(t)
			if _, err := f.client().Send(t.Context(), out); err != nil {
				t.Fatal(err)
			}
			if got, want := f.last(t).body, jsonMap(t, tt.wantBody); !reflect.DeepEqual(got, want) {
				b, _ := json.Marshal(got)
				t.Errorf("body\ngot  %s\nwant %s", b, tt.wantBody)
			}
		})
	}
}

func TestImageValidation(t *testing.T) {
	tests := []struct {
		name  string
		msg   whatsapp.Outgoing
		field string
	}{
		{"image without a link", whatsapp.Outgoing{To: "+628123456789", Kind: whatsapp.OutgoingImage, Text: "foto"}, "image"},
		{"image over plain http", whatsapp.Outgoing{To: "+628123456789", Kind: whatsapp.OutgoingImage, Image: "http://x.example/a.jpg"}, "image"},
		{"caption too long", whatsapp.Outgoing{To: "+628123456789", Kind: whatsapp.OutgoingImage, Image: "https://x.example/a.jpg",
			Text: strings.Repeat("a", whatsapp.MaxCaptionRunes+1)}, "text"},
		{"evidence template without its header", whatsapp.Outgoing{To: "+628123456789", Kind: whatsapp.OutgoingTemplate,
			Template: whatsapp.TemplateEvidence, Params: []string{"HL-2026-000123", "Dinas PUPR", "selesai"}}, "image"},
	}
	for _, tt := range tests {
		err := tt.msg.Validate()
		if hailurah.ErrorCode(err) != hailurah.EINVALID || hailurah.ErrorField(err) != tt.field {
			t.Errorf("%s: Validate = %v, want EINVALID on %s", tt.name, err, tt.field)
		}
	}
	// A photo whose caption is too long goes as text; the photo is left
	// to the tracking page rather than the words cut.
	long := whatsapp.Message{To: "+628123456789", Text: strings.Repeat("a", whatsapp.MaxCaptionRunes+1), Image: "https://x.example/a.jpg"}
	now := time.Now()
	if out, _ := whatsapp.Choose(long, now, now); out.Kind != whatsapp.OutgoingText {
		t.Errorf("a long text with a photo goes as %s", out.Kind)
	}
}
