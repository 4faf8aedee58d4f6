package outbox

import (
	"strings"
	"unicode/utf8"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/whatsapp"
)

// Compose turns an outbox row into what WhatsApp can carry: the text, the
// kind's quick-reply buttons (hailurah.ButtonsFor) and, for kinds that may
// go out after the 24-hour window, the approved template with its
// parameters. whatsapp.Choose then picks by the window.
//
// The templates only announce (there is news on ticket X, an answer is
// awaited); the citizen's reply reopens the window, and the tracking page
// holds the full text. Kinds that answer the citizen's own message at once
// (the ACK, noted flags, thanks) have no template: outside the window
// they have lost their point.
func Compose(d *hailurah.OutboxDelivery, to string) whatsapp.Message {
	m := whatsapp.Message{To: to, Text: d.Text}
	for _, b := range hailurah.ButtonsFor(d.Kind) {
		m.Buttons = append(m.Buttons, whatsapp.Button{ID: b.ID, Title: b.Title})
	}
	if utf8.RuneCountInString(m.Text) > whatsapp.MaxButtonBodyRunes {
		// An interactive body holds 1024 characters; the text matters more
		// than the buttons, which the citizen can type.
		m.Buttons = nil
	}
	if utf8.RuneCountInString(m.Text) > whatsapp.MaxTextRunes {
		m.Text = string([]rune(m.Text)[:whatsapp.MaxTextRunes-1]) + "…"
	}
	if d.Template != "" && len(d.TemplateParams) > 0 && !whatsapp.TemplateHasImageHeader(d.Template) {
		// The message brought its own (a staff notice's [NOTIF]).
		m.TemplateName, m.TemplateParams = d.Template, d.TemplateParams
		return m
	}
	if d.Kind == hailurah.OutboxPhoneCode {
		// The code is never sent with the ticket's id (see intake's
		// claimPhone); its template's one parameter is the code.
		if code := phoneCode(d.Text); code != "" {
			m.TemplateName, m.TemplateParams = whatsapp.TemplateVerificationCode, []string{code}
		}
		return m
	}
	if d.TicketID == "" {
		return m
	}
	switch d.Kind {
	case hailurah.OutboxPhoneLinked:
		m.TemplateName, m.TemplateParams = whatsapp.TemplateFollowUp, []string{d.TicketID, "Nomor WhatsApp Anda kini terhubung dengan tiket ini"}
	case hailurah.OutboxConfirm, hailurah.OutboxConfirmReminder:
		m.TemplateName, m.TemplateParams = whatsapp.TemplateReminder, []string{d.TicketID, "konfirmasi SESUDAH atau BELUM"}
		if d.Template == whatsapp.TemplateEvidence && len(d.TemplateParams) == 3 {
			// The unit's done message with its photo; ComposePhoto keeps
			// it only when the photo has a link.
			m.TemplateName, m.TemplateParams = d.Template, d.TemplateParams
		}
	case hailurah.OutboxRatingQuestion:
		m.TemplateName, m.TemplateParams = whatsapp.TemplateReminder, []string{d.TicketID, "penilaian layanan 1 sampai 5"}
	case hailurah.OutboxReply:
		m.TemplateName, m.TemplateParams = whatsapp.TemplateFollowUp, []string{d.TicketID, "Saran HAI LURAH untuk curhat Anda sudah tersedia"}
	case hailurah.OutboxStaffReply:
		m.TemplateName, m.TemplateParams = whatsapp.TemplateFollowUp, []string{d.TicketID, "Ada pesan dari petugas kelurahan"}
	case hailurah.OutboxDraft:
		m.TemplateName, m.TemplateParams = whatsapp.TemplateFollowUp, []string{d.TicketID, "Draf surat permohonan Anda sudah siap"}
	case hailurah.OutboxStatus, hailurah.OutboxReopened, hailurah.OutboxClosed, hailurah.OutboxRejected:
		m.TemplateName, m.TemplateParams = whatsapp.TemplateStatus, []string{d.TicketID, statusWords(d)}
	}
	return m
}

// ComposePhoto is Compose with the row's photo: link is its public
// https address (media.Links), "" when there is none — no row photo, or
// no public address to serve it from. Without a link the words go alone,
// and a template that needs the photo as its header gives way to the
// kind's plain one.
func ComposePhoto(d *hailurah.OutboxDelivery, to, link string) whatsapp.Message {
	m := Compose(d, to)
	if d.Image != "" && strings.HasPrefix(link, "https://") {
		m.Image = link
		return m
	}
	if whatsapp.TemplateHasImageHeader(m.TemplateName) {
		m.TemplateName, m.TemplateParams = whatsapp.TemplateReminder, []string{d.TicketID, "konfirmasi SESUDAH atau BELUM"}
	}
	return m
}

// phoneCode finds the six-digit code in its message's text (intake's
// ComposePhoneCode), the one run of six digits there.
func phoneCode(text string) string {
	run := 0
	for i := 0; i < len(text); i++ {
		if text[i] >= '0' && text[i] <= '9' {
			run++
			continue
		}
		if run == 6 {
			return text[i-6 : i]
		}
		run = 0
	}
	if run == 6 {
		return text[len(text)-6:]
	}
	return ""
}

// statusWords is the template's one-line status: the kind's own words for
// the fixed messages, the first line of the text for a status answer.
func statusWords(d *hailurah.OutboxDelivery) string {
	switch d.Kind {
	case hailurah.OutboxReopened:
		return "dibuka kembali"
	case hailurah.OutboxClosed:
		return "ditutup"
	case hailurah.OutboxRejected:
		return "tidak dapat ditindaklanjuti"
	}
	line, _, _ := strings.Cut(strings.TrimSpace(d.Text), "\n")
	line = strings.Join(strings.Fields(line), " ") // no tabs or line breaks in a parameter
	if utf8.RuneCountInString(line) > 200 {
		line = string([]rune(line)[:199]) + "…"
	}
	if line == "" {
		return "diperbarui"
	}
	return line
}

// KindLabel names a kind of citizen message for staff, in Bahasa Indonesia.
func KindLabel(kind string) string {
	switch kind {
	case hailurah.OutboxAck:
		return "tanda terima"
	case hailurah.OutboxReply:
		return "saran HAI LURAH"
	case hailurah.OutboxStaffReply:
		return "balasan petugas"
	case hailurah.OutboxStatus:
		return "status tiket"
	case hailurah.OutboxDraft:
		return "draf surat"
	case hailurah.OutboxFlags:
		return "pilihan anonim/tembusan"
	case hailurah.OutboxConfirm:
		return "pertanyaan SESUDAH/BELUM"
	case hailurah.OutboxConfirmReminder:
		return "pengingat SESUDAH/BELUM"
	case hailurah.OutboxRatingQuestion:
		return "permintaan penilaian"
	case hailurah.OutboxRatingThanks:
		return "terima kasih atas penilaian"
	case hailurah.OutboxReopened:
		return "tiket dibuka kembali"
	case hailurah.OutboxClosed:
		return "tiket ditutup"
	case hailurah.OutboxRejected:
		return "tiket ditolak"
	case hailurah.OutboxAskText:
		return "mohon kirim teks"
	case hailurah.OutboxNoTicket:
		return "tidak ada tiket berjalan"
	case hailurah.OutboxPhoneCode:
		return "kode verifikasi nomor"
	case hailurah.OutboxPhoneLinked:
		return "nomor WhatsApp terhubung"
	case hailurah.OutboxStaffNotice:
		return "notifikasi staf"
	case hailurah.OutboxStaffBundle:
		return "ringkasan notifikasi staf"
	case hailurah.OutboxStaffAnswer:
		return "jawaban perintah staf"
	}
	return kind
}
