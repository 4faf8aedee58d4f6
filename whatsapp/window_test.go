package whatsapp_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/whatsapp"
)

func TestInWindow(t *testing.T) {
	last := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		last time.Time
		now  time.Time
		want bool
	}{
		{"never wrote", time.Time{}, last, false},
		{"just now", last, last, true},
		{"one second before the end", last, last.Add(24*time.Hour - time.Second), true},
		{"exactly 24 hours", last, last.Add(24 * time.Hour), false},
		{"a day and a second", last, last.Add(24*time.Hour + time.Second), false},
		{"a week later", last, last.Add(7 * 24 * time.Hour), false},
		{"clock skew of a minute", last.Add(time.Minute), last, true},
		{"an hour in the future", last.Add(time.Hour), last, false},
		{"other time zone, same instant", last.In(time.FixedZone("WIB", 7*3600)), last.Add(23 * time.Hour), true},
	}
	for _, tt := range tests {
		if got := whatsapp.InWindow(tt.last, tt.now); got != tt.want {
			t.Errorf("%s: InWindow = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestChoose(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	inside, outside := now.Add(-23*time.Hour), now.Add(-25*time.Hour)
	buttons := []whatsapp.Button{{ID: "sesudah", Title: "SESUDAH"}, {ID: "belum", Title: "BELUM"}}
	confirm := whatsapp.Message{
		To: "+628123456789", Text: "Apakah masalahnya sudah selesai?", Buttons: buttons,
		TemplateName: whatsapp.TemplateReminder, TemplateParams: []string{"HL-2026-000123", "jawaban SESUDAH atau BELUM"},
	}
	tests := []struct {
		name string
		msg  whatsapp.Message
		last time.Time
		want whatsapp.Outgoing
	}{
		{"inside, buttons", confirm, inside,
			whatsapp.Outgoing{To: "+628123456789", Kind: whatsapp.OutgoingButtons, Text: "Apakah masalahnya sudah selesai?", Buttons: buttons}},
		{"inside, text", whatsapp.Message{To: "+628123456789", Text: "Tiket Anda sedang dikerjakan."}, inside,
			whatsapp.Outgoing{To: "+628123456789", Kind: whatsapp.OutgoingText, Text: "Tiket Anda sedang dikerjakan."}},
		{"outside, template", confirm, outside,
			whatsapp.Outgoing{To: "+628123456789", Kind: whatsapp.OutgoingTemplate, Template: "hailurah_pengingat", Language: "id",
				Params: []string{"HL-2026-000123", "jawaban SESUDAH atau BELUM"}}},
		{"never wrote, template", confirm, time.Time{},
			whatsapp.Outgoing{To: "+628123456789", Kind: whatsapp.OutgoingTemplate, Template: "hailurah_pengingat", Language: "id",
				Params: []string{"HL-2026-000123", "jawaban SESUDAH atau BELUM"}}},
		{"inside, template only", whatsapp.Message{To: "+628123456789", TemplateName: whatsapp.TemplateStatus, TemplateParams: []string{"HL-2026-000123", "selesai"}}, inside,
			whatsapp.Outgoing{To: "+628123456789", Kind: whatsapp.OutgoingTemplate, Template: "hailurah_status", Language: "id", Params: []string{"HL-2026-000123", "selesai"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := whatsapp.Choose(tt.msg, tt.last, now)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
			if err := got.Validate(); err != nil {
				t.Errorf("the chosen message does not validate: %v", err)
			}
		})
	}

	_, err := whatsapp.Choose(whatsapp.Message{To: "+628123456789", Text: "Halo"}, outside, now)
	if !errors.Is(err, whatsapp.ErrOutsideWindow) {
		t.Errorf("outside without a template: got %v, want ErrOutsideWindow", err)
	}
	_, err = whatsapp.Choose(whatsapp.Message{To: "+628123456789"}, inside, now)
	wantCode(t, err, hailurah.EINVALID)
}

func TestTemplateParamCount(t *testing.T) {
	want := map[string]int{
		whatsapp.TemplateReminder:    2,
		whatsapp.TemplateFollowUp:    2,
		whatsapp.TemplateStatus:      2,
		whatsapp.TemplateLurahNotice: 3,
		whatsapp.TemplateStaffNotice: 7,
		whatsapp.TemplateStaffBundle: 3,
	}
	for name, n := range want {
		if got, known := whatsapp.TemplateParamCount(name); !known || got != n {
			t.Errorf("TemplateParamCount(%q) = %d, %v; want %d, true", name, got, known, n)
		}
	}
	if _, known := whatsapp.TemplateParamCount("hello_world"); known {
		t.Error("hello_world reported as one of ours")
	}
}
