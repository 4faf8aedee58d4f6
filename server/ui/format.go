package ui

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hailurah/hailurah"
)

// formatWaktu writes a time the Indonesian way on the kelurahan's clock z:
// "27 Nov 2026 09.15 WIB", "… WITA" in Makassar's zone.
func formatWaktu(z hailurah.Zone, t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	l := z.In(t)
	return fmt.Sprintf("%d %s %d %02d.%02d %s", l.Day(), hailurah.ShortMonth(l.Month()), l.Year(), l.Hour(), l.Minute(), z.Abbrev(t))
}

// formatTanggal writes a date without a time the same way: "7 Des 2026".
// t is already a calendar day (a date column, or a time moved to the
// kelurahan's zone).
func formatTanggal(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return fmt.Sprintf("%d %s %d", t.Day(), hailurah.ShortMonth(t.Month()), t.Year())
}

// formatJam is the clock time only, "09.15.05 WIB", for "updated at" lines.
func formatJam(z hailurah.Zone, t time.Time) string {
	l := z.In(t)
	return fmt.Sprintf("%02d.%02d.%02d %s", l.Hour(), l.Minute(), l.Second(), z.Abbrev(t))
}

func formatWaktuPtr(z hailurah.Zone, t *time.Time) string {
	if t == nil {
		return "-"
	}
	return formatWaktu(z, *t)
}

// formatSisa says how long until a deadline, or how long since it passed:
// "sisa 3 jam 20 menit", "lewat 2 jam". over reports a passed deadline.
func formatSisa(due, now time.Time) (text string, over bool) {
	d := due.Sub(now)
	if d >= 0 {
		return "sisa " + formatDurasi(d), false
	}
	return "lewat " + formatDurasi(-d), true
}

// formatDurasi writes at most the two largest units, leaving out a zero
// second unit: "2 hari 3 jam", "2 jam", "45 menit".
func formatDurasi(d time.Duration) string {
	mins := int(d / time.Minute)
	if mins < 1 {
		return "kurang dari 1 menit"
	}
	days, hours, m := mins/(24*60), mins/60%24, mins%60
	switch {
	case days > 0 && hours > 0:
		return fmt.Sprintf("%d hari %d jam", days, hours)
	case days > 0:
		return fmt.Sprintf("%d hari", days)
	case m > 0 && hours > 0:
		return fmt.Sprintf("%d jam %d menit", hours, m)
	case hours > 0:
		return fmt.Sprintf("%d jam", hours)
	}
	return fmt.Sprintf("%d menit", m)
}

// kategoriLabel shows a kategori code as a word: "infrastruktur" → "Infrastruktur".
func kategoriLabel(code string) string {
	if code == "" {
		return "Belum ditentukan"
	}
	r, size := utf8.DecodeRuneInString(code)
	return strings.ToUpper(string(r)) + code[size:]
}

// urgencyLabel follows the seed's 1–5 scale.
func urgencyLabel(u int) string {
	switch {
	case u >= 5:
		return "Darurat"
	case u == 4:
		return "Tinggi"
	case u == 3:
		return "Sedang"
	case u >= 1:
		return "Rendah"
	}
	return "Belum dinilai"
}

// statusClass picks the badge colour of a status.
func statusClass(s hailurah.TicketStatus) string {
	switch s {
	case hailurah.StatusNew, hailurah.StatusOpen:
		return "st-open"
	case hailurah.StatusAssigned, hailurah.StatusInProgress:
		return "st-dinas"
	case hailurah.StatusAwaitingConfirmation:
		return "st-wait"
	case hailurah.StatusResolved:
		return "st-done"
	}
	return "st-final"
}

// excerpt shortens text for a list, on a rune boundary.
func excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n])) + "…"
}

// eventLabels name the timeline's event types in Bahasa Indonesia.
var eventLabels = map[string]string{
	hailurah.EventCreated:          "Curhat diterima",
	hailurah.EventTriaged:          "Dianalisis AI",
	hailurah.EventTriageFailed:     "Analisis AI gagal",
	hailurah.EventTranscribed:      "Pesan suara ditranskripsi",
	hailurah.EventEscalated:        "Dieskalasi ke Lurah",
	hailurah.EventModeratorBreach:  "SLA verifikasi terlewati",
	hailurah.EventDinasBreach:      "SLA dinas terlewati",
	hailurah.EventConfirmReminder:  "Pengingat konfirmasi",
	hailurah.EventAutoClosed:       "Ditutup otomatis",
	hailurah.EventCitizenMessage:   "Pesan warga",
	hailurah.EventCitizenConfirmed: "Warga menjawab SESUDAH",
	hailurah.EventCitizenReopened:  "Warga menjawab BELUM",
	hailurah.EventRated:            "Penilaian warga",
	hailurah.EventFlags:            "Anonim/tembusan diubah",
	hailurah.EventPhoneConfirmed:   "Nomor WhatsApp dikonfirmasi warga",
	hailurah.EventDraftSent:        "Draf surat dikirim",
	hailurah.EventCancelled:        "Dibatalkan oleh operator",
	hailurah.ActionVerify:          "Triase diverifikasi",
	hailurah.ActionReply:           "Balasan petugas",
	hailurah.ActionAssign:          "Diteruskan ke dinas",
	hailurah.ActionResolve:         "Diselesaikan dengan saran",
	hailurah.ActionReject:          "Ditolak",
	hailurah.ActionNote:            "Catatan internal",
	hailurah.ActionSetKelurahan:    "Kelurahan ditetapkan",
	hailurah.ActionAccept:          "Diterima dinas",
	hailurah.ActionProgress:        "Perkembangan pekerjaan",
	hailurah.ActionDone:            "Selesai dikerjakan",
	hailurah.ActionReturn:          "Dikembalikan oleh dinas",
}

func eventLabel(typ string) string {
	if l, ok := eventLabels[typ]; ok {
		return l
	}
	return typ
}
