package whatsapp

import (
	"time"
	"unicode/utf8"

	"github.com/hailurah/hailurah"
)

// CustomerServiceWindow is how long after a citizen's last message WhatsApp
// allows free-form replies; later, only approved templates may be sent.
const CustomerServiceWindow = 24 * time.Hour

// maxClockSkew tolerates a last-inbound time slightly after our clock (Meta's
// timestamp against this server's); anything further ahead is bogus.
const maxClockSkew = 5 * time.Minute

// The approved message templates this system uses, in language "id". Each
// must be registered in Meta's WhatsApp Manager under exactly this name, with
// a body holding exactly the listed parameters in order; Send refuses another
// parameter count for these names.
const (
	// TemplateReminder asks the citizen again for an answer the ticket waits
	// on (SESUDAH/BELUM, a rating). 2 parameters: {{1}} ticket id,
	// {{2}} what is awaited.
	TemplateReminder = "hailurah_pengingat"
	// TemplateFollowUp tells the citizen there is news on their ticket and
	// invites a reply, which reopens the free-form window. 2 parameters:
	// {{1}} ticket id, {{2}} a one-line note.
	TemplateFollowUp = "hailurah_tindak_lanjut"
	// TemplateStatus reports a status change. 2 parameters: {{1}} ticket id,
	// {{2}} the new status in words.
	TemplateStatus = "hailurah_status"
	// TemplateLurahNotice tells the lurah of an escalation or a tembusan.
	// 3 parameters: {{1}} ticket id, {{2}} urgency and category,
	// {{3}} one-line summary.
	TemplateLurahNotice = "hailurah_notif_lurah"
	// TemplateVerificationCode carries the one-time code that confirms a
	// phone typed into the web or kiosk form, in Meta's authentication
	// category: it says nothing of the curhat, whose author may not own
	// the number. 1 parameter: {{1}} the code.
	TemplateVerificationCode = "hailurah_kode_verifikasi"
	// TemplateStaffNotice is the seed's [NOTIF] to a staff member (the
	// lurah, a moderator, a unit's officer), in Meta's utility category.
	// 7 parameters: {{1}} what happened ("Eskalasi", "Tugas baru"…),
	// {{2}} the case's code (HL-…), {{3}} kategori, {{4}} urgency,
	// {{5}} kelurahan and RT/RW, {{6}} one-line summary, {{7}} link.
	TemplateStaffNotice = "hailurah_notif_staf"
	// TemplateStaffBundle is several notices to one staff member in one
	// message. 3 parameters: {{1}} how many, {{2}} the cases' codes,
	// {{3}} link to the notifications page.
	TemplateStaffBundle = "hailurah_notif_staf_ringkas"
	// TemplateEvidence tells the citizen a unit finished the work, with its
	// evidence photo as the image header, and asks SESUDAH or BELUM, in
	// Meta's utility category. Header: an image (a link, our /m/{token}).
	// 3 parameters: {{1}} ticket id, {{2}} the unit ("Dinas PUPR"),
	// {{3}} what it did (the done note, one line).
	TemplateEvidence = "hailurah_selesai_foto"
	// TemplateLoanReminder reminds a dana bergulir borrower of an
	// instalment a few days before it is due, in Meta's utility category.
	// 5 parameters: {{1}} the borrower's name, {{2}} the loan (DB-…),
	// {{3}} the instalment's number, {{4}} the amount due ("Rp 400.000"),
	// {{5}} the due date ("4 Jun 2026").
	TemplateLoanReminder = "hailurah_pengingat_cicilan"
)

// TemplateHasImageHeader reports whether a template of this system has an
// image header, which every send of it must fill.
func TemplateHasImageHeader(name string) bool { return name == TemplateEvidence }

// TemplateParamCount returns the number of body parameters of one of this
// system's templates; known is false for any other name.
func TemplateParamCount(name string) (n int, known bool) {
	switch name {
	case TemplateVerificationCode:
		return 1, true
	case TemplateReminder, TemplateFollowUp, TemplateStatus:
		return 2, true
	case TemplateLurahNotice, TemplateStaffBundle, TemplateEvidence:
		return 3, true
	case TemplateLoanReminder:
		return 5, true
	case TemplateStaffNotice:
		return 7, true
	}
	return 0, false
}

// InWindow reports whether now is strictly less than 24 hours after
// lastInbound, the citizen's last message. A zero lastInbound (never wrote)
// is outside; a lastInbound up to five minutes after now counts as inside,
// because the two times come from different clocks.
func InWindow(lastInbound, now time.Time) bool {
	if lastInbound.IsZero() {
		return false
	}
	since := now.Sub(lastInbound)
	return since > -maxClockSkew && since < CustomerServiceWindow
}

// Message is what the system wants to say, before the window decides how.
// TemplateName and TemplateParams are the fallback for when the window has
// closed; a message without them can only be sent inside the window.
type Message struct {
	To             string
	Text           string
	Buttons        []Button
	TemplateName   string
	TemplateParams []string
	// Image is the https link of a photo: inside the window it goes as an
	// image message with Text as its caption, outside as the template's
	// image header when the template has one (TemplateHasImageHeader).
	Image string
}

// Choose picks how to send m: inside the window, an image with its caption
// when m has a photo, free-form text, or reply buttons when m has any;
// outside it, m's template with its parameters (and the photo as its
// header, for a template that has one). The
// result has no From; set it for a kelurahan with its own number.
//
// Returns ErrOutsideWindow when the window has closed and m has no template
// (the message cannot be sent now; a relay drops or parks it), and EINVALID
// when m has neither text nor a template. The result is not validated; Send
// does that.
func Choose(m Message, lastInbound, now time.Time) (Outgoing, error) {
	inside := InWindow(lastInbound, now)
	switch {
	case inside && m.Image != "" && utf8.RuneCountInString(m.Text) <= MaxCaptionRunes:
		// The photo carries the words; the buttons' answers can be typed.
		return Outgoing{To: m.To, Kind: OutgoingImage, Text: m.Text, Image: m.Image}, nil
	case inside && m.Text != "" && len(m.Buttons) > 0:
		return Outgoing{To: m.To, Kind: OutgoingButtons, Text: m.Text, Buttons: m.Buttons}, nil
	case inside && m.Text != "":
		return Outgoing{To: m.To, Kind: OutgoingText, Text: m.Text}, nil
	case m.TemplateName != "":
		return m.Template(), nil
	case inside:
		return Outgoing{}, hailurah.FieldErrorf("text", "Pesan tanpa teks dan tanpa template.")
	default:
		return Outgoing{}, ErrOutsideWindow
	}
}

// Template is m sent as its template, with the photo as the header of a
// template that has one.
func (m Message) Template() Outgoing {
	out := Outgoing{To: m.To, Kind: OutgoingTemplate, Template: m.TemplateName, Language: DefaultLanguage, Params: m.TemplateParams}
	if TemplateHasImageHeader(m.TemplateName) {
		out.Image = m.Image
	}
	return out
}
