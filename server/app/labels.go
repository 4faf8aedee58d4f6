package app

import (
	"strings"
	"unicode/utf8"

	"github.com/hailurah/hailurah"
)

// KategoriLabel shows a kategori code as a word: "infrastruktur" → "Infrastruktur".
func KategoriLabel(code string) string {
	if code == "" {
		return "Belum ditentukan"
	}
	r, size := utf8.DecodeRuneInString(code)
	return strings.ToUpper(string(r)) + code[size:]
}

// UrgencyLabel follows the seed's 1–5 scale.
func UrgencyLabel(u int) string {
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

// ticketEventLabels name the timeline's event types in Bahasa Indonesia.
var ticketEventLabels = map[string]string{
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

// TicketEventLabel is the timeline's word for an event type; the type
// itself when it has none.
func TicketEventLabel(typ string) string {
	if l, ok := ticketEventLabels[typ]; ok {
		return l
	}
	return typ
}
