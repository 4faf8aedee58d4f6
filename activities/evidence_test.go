package activities_test

import (
	"context"
	"errors"
	"github.com/hailurah/hailurah/pii"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/activities"
	"github.com/hailurah/hailurah/whatsapp"
)

// fakeEvidence keeps WhatsApp evidence photos: err until it has failed
// fails times, then image.
type fakeEvidence struct {
	fails, calls int
	image        bool
}

func (f *fakeEvidence) KeepEvidence(_ context.Context, ticketID, source string) (bool, error) {
	f.calls++
	if f.calls <= f.fails {
		return false, errors.New("graph API unreachable")
	}
	return f.image, nil
}

func doneInput(evidence ...string) activities.SendCitizenInput {
	return activities.SendCitizenInput{TicketID: "HL-2026-000123", Run: "run-1", Seq: 7, Kind: hailurah.OutboxConfirm,
		Channel: hailurah.ChannelWhatsApp, Recipient: "phonehash", LastCitizenAt: now.Add(-30 * time.Hour),
		Unit: "pupr", Note: "Got sudah dikeruk, hubungi mandor di 0812-3456-7890.", Evidence: evidence}
}

// TestConfirmationNamesTheUnitWithItsPhoto: after a unit's done action
// the citizen's confirmation names the unit by its display name and what
// it did (masked), and carries the first evidence photo with the
// image-header template for outside the window.
func TestConfirmationNamesTheUnitWithItsPhoto(t *testing.T) {
	acts, out, _, _ := newActivities()
	upload := "/bukti/HL-2026-000123/0123456789abcdef0123456789abcdef.jpg"
	var env testsuite.WorkflowTestSuite
	aenv := env.NewTestActivityEnvironment()
	aenv.RegisterActivity(acts)
	if _, err := aenv.ExecuteActivity(acts.SendCitizen, doneInput("/bukti/HL-2026-000999/x.jpg", upload)); err != nil {
		t.Fatal(err)
	}
	m := out.msgs[0]
	for _, want := range []string{"Dinas Pekerjaan Umum dan Penataan Ruang telah menindaklanjuti", "tiket HL-2026-000123",
		pii.Mask("Got sudah dikeruk, hubungi mandor di 0812-3456-7890."), "Foto hasil pekerjaan terlampir", "SESUDAH atau BELUM"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, m.Text)
		}
	}
	if strings.Contains(m.Text, "3456") {
		t.Error("the note is not masked")
	}
	if m.Image != upload || m.Template != whatsapp.TemplateEvidence || len(m.TemplateParams) != 3 ||
		m.TemplateParams[0] != "HL-2026-000123" || m.TemplateParams[1] != "Dinas Pekerjaan Umum dan Penataan Ruang" ||
		!strings.HasPrefix(m.TemplateParams[2], "Got sudah dikeruk") {
		t.Errorf("photo and template: %q %q %q", m.Image, m.Template, m.TemplateParams)
	}
}

// TestConfirmationWaitsForAWhatsAppPhoto: a photo the unit sent over
// WhatsApp is downloaded first; a download that fails for now fails the
// activity, which Temporal retries, and the retry carries the photo.
func TestConfirmationWaitsForAWhatsAppPhoto(t *testing.T) {
	acts, out, _, _ := newActivities()
	keeper := &fakeEvidence{fails: 1, image: true}
	acts.Evidence = keeper
	var env testsuite.WorkflowTestSuite
	aenv := env.NewTestActivityEnvironment()
	aenv.RegisterActivity(acts)
	in := doneInput("whatsapp-media:778899")
	if _, err := aenv.ExecuteActivity(acts.SendCitizen, in); err == nil || len(out.msgs) != 0 {
		t.Fatalf("a failed download on the first try: err %v, %d queued", err, len(out.msgs))
	}
	if _, err := aenv.ExecuteActivity(acts.SendCitizen, in); err != nil {
		t.Fatal(err)
	}
	if len(out.msgs) != 1 || out.msgs[0].Image != "whatsapp-media:778899" || keeper.calls != 2 {
		t.Errorf("queued %+v after %d downloads", out.msgs, keeper.calls)
	}
}

// TestConfirmationWithoutAPhoto: a document or no evidence leaves the
// words, still naming the unit, on the plain confirmation templates.
func TestConfirmationWithoutAPhoto(t *testing.T) {
	acts, out, _, _ := newActivities()
	acts.Evidence = &fakeEvidence{image: false}
	if err := acts.SendCitizen(context.Background(), doneInput("whatsapp-media:1")); err != nil {
		t.Fatal(err)
	}
	m := out.msgs[0]
	if m.Image != "" || m.Template == whatsapp.TemplateEvidence || strings.Contains(m.Text, "Foto") ||
		!strings.Contains(m.Text, "Dinas Pekerjaan Umum dan Penataan Ruang") {
		t.Errorf("message: %+v", m)
	}
}
