package triage

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hailurah/hailurah/pii"
)

// ComposeACK is the acknowledgement sent the moment a curhat arrives.
// kelurahanName "" leaves the kelurahan out.
func ComposeACK(kelurahanName string) string {
	name := oneLine(kelurahanName, 80)
	if name == "" {
		return tmplACKNoKelurahan
	}
	return fmt.Sprintf(tmplACK, name)
}

// ComposeReply is the advice sent to the citizen after triage, in the seed's
// final template, at most MaxMessageLen characters.
func ComposeReply(t *Triage) string {
	// Model output can be long; shorten the free-text fields until the
	// message fits, keeping the template's lines whole.
	for limit := 1200; ; limit = limit * 3 / 4 {
		s := composeReply(t, limit)
		if utf8.RuneCountInString(s) <= MaxMessageLen || limit < 40 {
			return truncate(s, MaxMessageLen)
		}
	}
}

func composeReply(t *Triage, limit int) string {
	var b strings.Builder
	switch {
	case t.Urgency >= 5:
		b.WriteString(tmplReplyOpening + "\n" + tmplReplyEmergency + "\n")
	case t.Urgency <= 1:
		b.WriteString(tmplReplyOpeningQuestion + "\n")
	default:
		b.WriteString(tmplReplyOpening + "\n")
	}
	steps := make([]string, 0, 3)
	for i, s := range t.Steps {
		if i == 3 {
			break
		}
		steps = append(steps, fmt.Sprintf("%d) %s", i+1, oneLine(s, limit/3)))
	}
	kategori := KategoriLabel(t.Kategori)
	if t.Subkategori != "" && !strings.EqualFold(t.Subkategori, kategori) {
		kategori += " – " + oneLine(t.Subkategori, 60)
	}
	fmt.Fprintf(&b, tmplReplyBody,
		oneLine(t.Summary, limit), oneLine(t.Diagnosis, limit),
		oneLine(t.Solutions.A, limit), oneLine(t.Solutions.B, limit), oneLine(t.Solutions.C, limit),
		strings.Join(steps, " "), t.Urgency, kategori)
	if t.Escalate && t.Urgency < 5 {
		b.WriteString("\n" + tmplReplyEscalated)
	}
	b.WriteString("\n" + tmplReplyClosing)
	return b.String()
}

// KategoriLabel is a kategori code's name in Bahasa Indonesia ("Lingkungan").
func KategoriLabel(code string) string {
	if code == "" {
		return ""
	}
	r, size := utf8.DecodeRuneInString(code)
	return strings.ToUpper(string(r)) + code[size:]
}

// LurahNotif is what the lurah is told when a ticket escalates or the
// citizen asked for TEMBUSAN.
type LurahNotif struct {
	TicketID   string
	Kategori   string // code
	Urgency    int
	Kelurahan  string // name
	RT, RW     string
	Summary    string
	Suggestion string // the AI's first advice, solution B or C
	URL        string // link to the ticket
	Tembusan   bool   // the citizen asked for a copy to the lurah
}

// ComposeLurahNotif is the seed's [NOTIF] message to the lurah.
func ComposeLurahNotif(n LurahNotif) string {
	urgent := ""
	if n.Urgency >= 5 {
		urgent = tmplNotifUrgent
	}
	s := fmt.Sprintf(tmplNotif,
		oneLine(n.TicketID, 40), KategoriLabel(n.Kategori), n.Urgency, urgent,
		orDash(oneLine(n.Kelurahan, 80)), orDash(n.RT), orDash(n.RW),
		oneLine(n.Summary, 1000), oneLine(n.Suggestion, 1000), orDash(oneLine(n.URL, 500)))
	if n.Tembusan {
		s += tmplNotifTembusan
	}
	return truncate(s, MaxMessageLen)
}

// DraftLetter is the ticket data a MINTA DRAFT letter is written from.
type DraftLetter struct {
	TicketID    string
	Kelurahan   string // name
	LurahName   string
	RT, RW      string
	Kategori    string // code
	Subkategori string
	Summary     string
	Body        string // the citizen's own words
	Unit        string // unit code, "" when the kelurahan handles it
	UnitName    string
	Date        time.Time
	Anonim      bool
	// Name is the citizen's name when known; an anonymous citizen's letter
	// never shows it.
	Name string
}

// ComposeDraftLetter drafts the formal request letter ("Surat Permohonan")
// to the kelurahan, copied to the responsible dinas, that the citizen can
// print, sign and submit.
func ComposeDraftLetter(d DraftLetter) string {
	for limit := 2500; ; limit = limit * 3 / 4 {
		s := composeLetter(d, limit)
		if utf8.RuneCountInString(s) <= MaxMessageLen || limit < 40 {
			return truncate(s, MaxMessageLen)
		}
	}
}

func composeLetter(d DraftLetter, limit int) string {
	kel := oneLine(d.Kelurahan, 80)
	topic := oneLine(d.Subkategori, 80)
	if topic == "" {
		topic = KategoriLabel(d.Kategori)
	}
	rtrw := strings.TrimSpace(lokasiText(d.RT, d.RW))
	lokasi := strings.TrimPrefix(rtrw, "di ")
	perihal := topic
	if rtrw != "" {
		perihal += " " + rtrw
	}

	to := "Bapak/Ibu Lurah"
	if kel != "" {
		to += " " + kel
	}
	if name := oneLine(d.LurahName, 80); name != "" {
		to += " (" + name + ")"
	}
	if unit := oneLine(d.UnitName, 120); unit != "" {
		to += "\nc.q. Kepala " + unit + " Kota Madiun"
	}

	var where []string
	if lokasi != "" {
		where = append(where, lokasi)
	}
	if kel != "" {
		where = append(where, "Kelurahan "+kel)
	}
	where = append(where, "Kota Madiun")
	address := strings.Join(where, ", ")

	var b strings.Builder
	fmt.Fprintf(&b, tmplLetterHeader, orDash(oneLine(d.TicketID, 40)), perihal, to)
	body := d.Body
	if d.Anonim {
		fmt.Fprintf(&b, tmplLetterAnonymous, address)
		body = pii.Redact(body)
	} else {
		name := oneLine(d.Name, 80)
		if name == "" {
			name = tmplLetterBlankName
		}
		fmt.Fprintf(&b, tmplLetterIdentity, name, address)
	}
	coordination := ""
	if unit := oneLine(d.UnitName, 120); unit != "" {
		coordination = " dengan berkoordinasi bersama " + unit
	}
	fmt.Fprintf(&b, tmplLetterBody,
		KategoriLabel(d.Kategori)+" – "+topic, address, oneLine(d.Summary, limit),
		truncate(strings.TrimSpace(body), limit), coordination, orDash(oneLine(d.TicketID, 40)),
		tanggal(d.Date))
	b.WriteString("\n")
	if d.Anonim {
		fmt.Fprintf(&b, tmplLetterSignAnonymous, address)
	} else {
		name := oneLine(d.Name, 80)
		if name == "" {
			name = tmplLetterBlankName
		}
		fmt.Fprintf(&b, tmplLetterSign, name)
	}
	return b.String()
}

// ComposeConfirmQuestion asks the citizen to close the loop: SESUDAH/BELUM.
func ComposeConfirmQuestion(ticketID string) string {
	return fmt.Sprintf(tmplConfirmQuestion, oneLine(ticketID, 40))
}

// ComposeConfirmReminder repeats the SESUDAH/BELUM question when the citizen
// has not answered.
func ComposeConfirmReminder(ticketID string) string {
	return fmt.Sprintf(tmplConfirmReminder, oneLine(ticketID, 40))
}

// ComposeRatingQuestion asks for a 1–5 satisfaction rating.
func ComposeRatingQuestion(ticketID string) string {
	return fmt.Sprintf(tmplRatingQuestion, oneLine(ticketID, 40))
}

// ComposeStatus answers the STATUS command; statusLabel is the status's
// name in Bahasa Indonesia (hailurah.TicketStatus.Label).
func ComposeStatus(ticketID, statusLabel string) string {
	return fmt.Sprintf(tmplStatus, oneLine(ticketID, 40), oneLine(statusLabel, 200))
}

// ComposeAskText is the polite reply to audio, stickers or images without
// text: please write in text.
func ComposeAskText() string { return tmplAskText }

var bulan = [...]string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"}

// tanggal formats a date the Indonesian way: "2 Maret 2026".
func tanggal(t time.Time) string {
	if t.IsZero() {
		return tmplLetterBlankName
	}
	return fmt.Sprintf("%d %s %d", t.Day(), bulan[t.Month()-1], t.Year())
}

// oneLine collapses whitespace so that a value cannot break the template's
// lines, and shortens it to max characters.
func oneLine(s string, max int) string {
	return truncate(strings.Join(strings.Fields(s), " "), max)
}

func truncate(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:max-1])) + "…"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
