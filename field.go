package hailurah

import (
	"context"
	"net/url"
	"strings"
	"time"
)

// MaxNewJobs bounds the new jobs one check-in reports.
const MaxNewJobs = 1000

// Bazaar is one Pasar Rakyat: a market day in the kelurahan where
// participating households keep a stall.
type Bazaar struct {
	ID        int64         `json:"id"`
	Kelurahan string        `json:"kelurahan"`
	HeldOn    time.Time     `json:"held_on"` // a calendar date at 00:00 UTC
	Place     string        `json:"place"`
	CreatedBy string        `json:"created_by"`
	CreatedAt time.Time     `json:"created_at"`
	Stalls    []BazaarStall `json:"stalls"`
}

// BazaarStall is one household's stall at a bazaar and what it sold.
type BazaarStall struct {
	BazaarID    int64  `json:"bazaar_id"`
	HouseholdID string `json:"household_id"`
	// Household is the head of household's name, filled by the store.
	Household string `json:"household,omitempty"`
	Product   string `json:"product"`
	Sales     int64  `json:"sales"` // rupiah
}

// Validate checks the bazaar's own fields. Returns EINVALID naming the
// first bad field; FieldErrors names them all.
func (b *Bazaar) Validate() error { return firstError(b.FieldErrors()) }

// FieldErrors lists every bad field of the bazaar.
func (b *Bazaar) FieldErrors() []*Error {
	var errs []*Error
	if b.HeldOn.IsZero() {
		errs = append(errs, FieldErrorf("held_on", "Tanggal pasar wajib diisi."))
	}
	if !plainText(b.Place, MaxNameLen, true) {
		errs = append(errs, FieldErrorf("place", "Tempat pasar wajib diisi (maks. %d karakter).", MaxNameLen))
	}
	return errs
}

// MentoringVisit is a mentor's or the fasilitator's visit to a household's
// business, with what was agreed as the next step.
type MentoringVisit struct {
	ID          int64     `json:"id"`
	HouseholdID string    `json:"household_id"`
	Kelurahan   string    `json:"kelurahan"` // filled by the store
	VisitedOn   time.Time `json:"visited_on"`
	Mentor      string    `json:"mentor"`
	Notes       string    `json:"notes"`
	NextStep    string    `json:"next_step"`
	CreatedBy   string    `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
	// Household is the head of household's name, filled by the store.
	Household string `json:"household,omitempty"`
}

// FieldErrors lists every bad field of the visit.
func (v *MentoringVisit) FieldErrors() []*Error {
	var errs []*Error
	if !ValidHouseholdID(v.HouseholdID) {
		errs = append(errs, FieldErrorf("household_id", "Pilih rumah tangga yang dikunjungi."))
	}
	if v.VisitedOn.IsZero() {
		errs = append(errs, FieldErrorf("visited_on", "Tanggal kunjungan wajib diisi."))
	}
	if !plainText(v.Mentor, MaxNameLen, true) {
		errs = append(errs, FieldErrorf("mentor", "Nama mentor wajib diisi (maks. %d karakter).", MaxNameLen))
	}
	if !plainText(v.Notes, maxTextLen, false) {
		errs = append(errs, FieldErrorf("notes", "Catatan terlalu panjang (maks. %d karakter).", maxTextLen))
	}
	if !plainText(v.NextStep, maxTextLen, false) {
		errs = append(errs, FieldErrorf("next_step", "Langkah berikutnya terlalu panjang (maks. %d karakter).", maxTextLen))
	}
	return errs
}

// Sources of a Toko Warga order.
const (
	OrderClick  = "klik"    // a buyer followed the product's order link
	OrderReport = "laporan" // the seller reported orders to the fasilitator
)

// TokoProduct is a participant's product in the Toko Warga Taman
// catalogue. The public sees its name, description, price, photo and the
// business name; the seller's phone only as the order link, and only
// with the seller's consent.
type TokoProduct struct {
	ID           int64     `json:"id"`
	Kelurahan    string    `json:"kelurahan"` // the household's, set by the store
	HouseholdID  string    `json:"household_id"`
	Name         string    `json:"name"`
	Description  string    `json:"description"`
	Price        int64     `json:"price"`
	BusinessName string    `json:"business_name"`
	SellerPhone  string    `json:"-"` // 62…, normalised
	WAConsent    bool      `json:"wa_consent"`
	PhotoKey     string    `json:"-"`
	PhotoMIME    string    `json:"-"`
	Hidden       bool      `json:"hidden"`
	CreatedBy    string    `json:"created_by"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	// Orders counts the product's orders, filled by lists.
	Orders int `json:"orders"`
}

// FieldErrors lists every bad field of the product. The phone is
// normalised in place.
func (p *TokoProduct) FieldErrors() []*Error {
	var errs []*Error
	if !ValidHouseholdID(p.HouseholdID) {
		errs = append(errs, FieldErrorf("household_id", "Pilih rumah tangga penjual."))
	}
	if !plainText(p.Name, MaxNameLen, true) {
		errs = append(errs, FieldErrorf("name", "Nama produk wajib diisi (maks. %d karakter).", MaxNameLen))
	}
	if !plainText(p.Description, maxTextLen, false) {
		errs = append(errs, FieldErrorf("description", "Keterangan terlalu panjang (maks. %d karakter).", maxTextLen))
	}
	if p.Price <= 0 || p.Price > MaxRupiah {
		errs = append(errs, FieldErrorf("price", "Harga wajib diisi, lebih dari Rp 0."))
	}
	if !plainText(p.BusinessName, MaxNameLen, true) {
		errs = append(errs, FieldErrorf("business_name", "Nama usaha wajib diisi (maks. %d karakter)."+
			" Hanya nama usaha yang tampil di katalog.", MaxNameLen))
	}
	if strings.TrimSpace(p.SellerPhone) != "" {
		if n, err := NormalizePhone(p.SellerPhone); err != nil {
			errs = append(errs, FieldErrorf("seller_phone", "Nomor WhatsApp penjual tidak valid (contoh 0812 3456 7890)."))
		} else {
			p.SellerPhone = n
		}
	}
	if p.WAConsent && strings.TrimSpace(p.SellerPhone) == "" {
		errs = append(errs, FieldErrorf("seller_phone", "Isi nomor WhatsApp penjual untuk tautan pesan, atau hapus centang persetujuan."))
	}
	return errs
}

// OrderLink is the WhatsApp link a buyer follows to order the product:
// "" without the seller's consent or phone.
func (p *TokoProduct) OrderLink() string {
	if !p.WAConsent || p.SellerPhone == "" {
		return ""
	}
	digits := strings.TrimPrefix(p.SellerPhone, "+")
	text := "Halo " + p.BusinessName + ", saya ingin memesan " + p.Name + " dari Toko Warga Taman."
	return "https://wa.me/" + digits + "?text=" + url.QueryEscape(text)
}

// TokoOrder is an order of a catalogue product.
type TokoOrder struct {
	ID          int64     `json:"id"`
	ProductID   int64     `json:"product_id"`
	HouseholdID string    `json:"household_id"` // the seller, set by the store
	Kelurahan   string    `json:"kelurahan"`    // set by the store
	Source      string    `json:"source"`       // OrderClick or OrderReport
	Quantity    int       `json:"quantity"`
	Amount      int64     `json:"amount"` // rupiah, 0 when unknown
	At          time.Time `json:"at"`
	By          string    `json:"by"`
}

// FieldErrors lists every bad field of the order.
func (o *TokoOrder) FieldErrors() []*Error {
	var errs []*Error
	if o.Source != OrderClick && o.Source != OrderReport {
		errs = append(errs, FieldErrorf("source", "Sumber pesanan tidak dikenal."))
	}
	if o.Quantity < 1 || o.Quantity > 10000 {
		errs = append(errs, FieldErrorf("quantity", "Jumlah pesanan harus 1 sampai 10.000."))
	}
	if o.Amount < 0 || o.Amount > MaxRupiah {
		errs = append(errs, FieldErrorf("amount", "Nilai pesanan harus antara Rp 0 dan Rp 1 triliun."))
	}
	return errs
}

// MemberPick is a member as the forms list them to pick from.
type MemberPick struct {
	HouseholdMember
	Household string `json:"household"` // the head of household's name
	RTRW      string `json:"alamat_rt_rw"`
}

// AttendanceRow is one member's attendance with their names.
type AttendanceRow struct {
	TrainingAttendance
	Member    string `json:"member"`
	Household string `json:"household"`
}

// WorkerRow is one member's work on a project with their names.
type WorkerRow struct {
	PadatKaryaWorker
	Member    string `json:"member"`
	Household string `json:"household"`
}

// FieldService records what the fasilitator does in the field beside
// ProgrammeService: Pasar Rakyat, mentoring, the Toko Warga catalogue and
// its orders, and the lists the forms pick from.
type FieldService interface {
	// SearchMembers lists members of households of kelurahan whose name,
	// household id or head of household matches q ("" lists all), by
	// household; at most limit (1–500).
	SearchMembers(ctx context.Context, kelurahan, q string, limit int) ([]*MemberPick, error)
	ListAttendance(ctx context.Context, trainingID int64) ([]*AttendanceRow, error)
	ListWorkers(ctx context.Context, projectID int64) ([]*WorkerRow, error)

	// CreateBazaar stores b (without stalls) and sets its ID. EINVALID.
	CreateBazaar(ctx context.Context, b *Bazaar) error
	// FindBazaar returns the bazaar with its stalls, or ENOTFOUND.
	FindBazaar(ctx context.Context, id int64) (*Bazaar, error)
	ListBazaars(ctx context.Context, kelurahan string) ([]*Bazaar, error)
	// RecordStalls upserts each household's stall; every household must
	// be of the bazaar's kelurahan (EINVALID otherwise).
	RecordStalls(ctx context.Context, bazaarID int64, stalls []BazaarStall) error

	// AddMentoringVisit stores v and sets its ID; ENOTFOUND for an
	// unknown household.
	AddMentoringVisit(ctx context.Context, v *MentoringVisit) error
	// ListMentoringVisits lists a kelurahan's visits, newest first, or one
	// household's when householdID is set.
	ListMentoringVisits(ctx context.Context, kelurahan, householdID string) ([]*MentoringVisit, error)

	// SaveProduct inserts p (ID 0) or updates it, and sets its ID and
	// Kelurahan. ENOTFOUND for an unknown product or household.
	SaveProduct(ctx context.Context, p *TokoProduct) error
	// FindProduct returns ENOTFOUND if there is no such product.
	FindProduct(ctx context.Context, id int64) (*TokoProduct, error)
	// ListProducts lists a kelurahan's products ("" = the city), newest
	// first, with their order counts; hidden ones only when asked.
	ListProducts(ctx context.Context, kelurahan string, withHidden bool) ([]*TokoProduct, error)
	// RecordOrder stores an order of o.ProductID and sets its ID.
	// ENOTFOUND for an unknown product.
	RecordOrder(ctx context.Context, o *TokoOrder) error
}

// firstError returns the first of errs, or nil.
func firstError(errs []*Error) error {
	if len(errs) == 0 {
		return nil
	}
	return errs[0]
}
