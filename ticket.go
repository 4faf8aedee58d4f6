package hailurah

// TicketStatus is where a curhat ticket is in its process. The workflow is
// the source of truth; the store keeps a projection for queues and reports.
type TicketStatus string

const (
	StatusNew                  TicketStatus = "new"                   // received, triage running
	StatusOpen                 TicketStatus = "open"                  // awaiting a moderator
	StatusAssigned             TicketStatus = "assigned"              // to a dinas unit
	StatusInProgress           TicketStatus = "in_progress"           // the unit accepted
	StatusAwaitingConfirmation TicketStatus = "awaiting_confirmation" // citizen asked SESUDAH/BELUM
	StatusResolved             TicketStatus = "resolved"
	StatusClosed               TicketStatus = "closed"   // auto-closed without an answer
	StatusRejected             TicketStatus = "rejected" // spam or duplicate
)

// TicketStatuses lists every status in process order.
var TicketStatuses = []TicketStatus{
	StatusNew, StatusOpen, StatusAssigned, StatusInProgress,
	StatusAwaitingConfirmation, StatusResolved, StatusClosed, StatusRejected,
}

// Final reports whether no further action can change the status.
// A resolved ticket is final for staff, though a citizen's late BELUM is
// recorded as a new message.
func (s TicketStatus) Final() bool {
	return s == StatusResolved || s == StatusClosed || s == StatusRejected
}

// Valid reports whether s is a known status.
func (s TicketStatus) Valid() bool {
	for _, x := range TicketStatuses {
		if s == x {
			return true
		}
	}
	return false
}

// Label is the status's name in Bahasa Indonesia.
func (s TicketStatus) Label() string {
	switch s {
	case StatusNew:
		return "Baru"
	case StatusOpen:
		return "Menunggu verifikasi"
	case StatusAssigned:
		return "Diteruskan ke dinas"
	case StatusInProgress:
		return "Sedang dikerjakan"
	case StatusAwaitingConfirmation:
		return "Menunggu konfirmasi warga"
	case StatusResolved:
		return "Selesai"
	case StatusClosed:
		return "Ditutup"
	case StatusRejected:
		return "Ditolak"
	}
	return string(s)
}

// Kategori codes: exactly these, in this order.
const (
	KategoriLingkungan    = "lingkungan"
	KategoriInfrastruktur = "infrastruktur"
	KategoriKesehatan     = "kesehatan"
	KategoriSosial        = "sosial"
	KategoriEkonomi       = "ekonomi"
	KategoriPendidikan    = "pendidikan"
	KategoriKeamanan      = "keamanan"
	KategoriBencana       = "bencana"
	KategoriAdministrasi  = "administrasi"
	KategoriLainnya       = "lainnya"
)

// Kategoris lists every kategori code.
var Kategoris = []string{
	KategoriLingkungan, KategoriInfrastruktur, KategoriKesehatan, KategoriSosial,
	KategoriEkonomi, KategoriPendidikan, KategoriKeamanan, KategoriBencana,
	KategoriAdministrasi, KategoriLainnya,
}

// ValidKategori reports whether k is a known kategori code.
func ValidKategori(k string) bool {
	for _, x := range Kategoris {
		if k == x {
			return true
		}
	}
	return false
}

// Severity follows the seed's curhat_messages.severity.
const (
	SeverityLow      = "Low"
	SeverityMedium   = "Medium"
	SeverityHigh     = "High"
	SeverityCritical = "Critical"
)
