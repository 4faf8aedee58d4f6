package outbox_test

import (
	"slices"
	"testing"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/intake"
	"github.com/hailurah/hailurah/outbox"
	"github.com/hailurah/hailurah/whatsapp"
)

// TestComposePhoneCode: a typed phone's code goes out, outside the 24-hour
// window (the phone never wrote), as the authentication template whose one
// parameter is the code; the confirmation that follows has a template too.
func TestComposePhoneCode(t *testing.T) {
	code := &hailurah.OutboxDelivery{OutboxMessage: hailurah.OutboxMessage{Kind: hailurah.OutboxPhoneCode, Text: intake.ComposePhoneCode("042917")}}
	m := outbox.Compose(code, "+6281234567890")
	if m.TemplateName != whatsapp.TemplateVerificationCode || !slices.Equal(m.TemplateParams, []string{"042917"}) {
		t.Errorf("code: template %q %v", m.TemplateName, m.TemplateParams)
	}
	if n, known := whatsapp.TemplateParamCount(m.TemplateName); !known || n != len(m.TemplateParams) {
		t.Errorf("the code template takes %d parameters (known %v)", n, known)
	}
	linked := &hailurah.OutboxDelivery{OutboxMessage: hailurah.OutboxMessage{Kind: hailurah.OutboxPhoneLinked,
		TicketID: "HL-2026-000123", Text: "Nomor WhatsApp ini kini terhubung."}}
	if m := outbox.Compose(linked, "+6281234567890"); m.TemplateName != whatsapp.TemplateFollowUp || m.TemplateParams[0] != "HL-2026-000123" {
		t.Errorf("linked: template %q %v", m.TemplateName, m.TemplateParams)
	}
}
