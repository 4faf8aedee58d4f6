package hailurah

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// Household is one rumah tangga of "Satu Rumah Satu Penghasilan": the
// seed's Lampiran C record, plus what the KPIs need that Lampiran C lacks
// (baseline income, vulnerability). Each belongs to one kelurahan; its ID is
// the household_id the fasilitator's sheet uses, unique across the city so
// a grant or a check-in names one household without its kelurahan.
type Household struct {
	ID                 string `json:"household_id"`
	Kelurahan          string `json:"kelurahan"`
	NamaKepalaKeluarga string `json:"nama_kepala_keluarga"`
	// AlamatRTRW is the address as written ("RT03/RW02, Jl. Mawar");
	// RT and RW are its two numbers, normalised to "03", for filters.
	AlamatRTRW   string `json:"alamat_rt_rw"`
	RT           string `json:"rt"`
	RW           string `json:"rw"`
	DTKS         bool   `json:"dtks_status"`
	PotensiUsaha string `json:"potensi_usaha"`
	// Pelatihan lists the trainings the household took part in, as the
	// sheet names them.
	Pelatihan     []string `json:"pelatihan_participation"`
	ModalReceived int64    `json:"modal_received"` // rupiah
	OmzetMonthly  int64    `json:"omzet_monthly"`  // rupiah
	UMKMOnboarded bool     `json:"umkm_onboarded"`
	// DateUpdated is the sheet's date_updated, a calendar date at 00:00
	// UTC; nil when the sheet left it empty.
	DateUpdated *time.Time `json:"date_updated,omitempty"`
	// BaselineIncome is the household's monthly income before the
	// programme, the reference of the "+25% income" KPI.
	BaselineIncome int64 `json:"baseline_income"`
	// Vulnerability lists the household's vulnerable groups (Vulnerable*).
	Vulnerability []string  `json:"kelompok_rentan"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// The seed's vulnerable groups ("kelompok rentan").
const (
	VulnerableIbuRumahTangga    = "ibu_rumah_tangga"
	VulnerableLansia            = "lansia"
	VulnerableDisabilitasRingan = "disabilitas_ringan"
)

// VulnerableGroups lists every vulnerable group.
var VulnerableGroups = []string{VulnerableIbuRumahTangga, VulnerableLansia, VulnerableDisabilitasRingan}

// Limits of household data. MaxRupiah is far above any household's money
// and keeps sums of 20 000 households inside int64.
const (
	MaxHouseholdIDLen = 64
	MaxNameLen        = 200
	MaxRupiah         = 1_000_000_000_000
	maxListItems      = 50
	maxTextLen        = 2000
)

// Validate checks the household's own fields. It does not check that the
// kelurahan exists. Returns EINVALID naming the field.
func (h *Household) Validate() error {
	switch {
	case !ValidHouseholdID(h.ID):
		return FieldErrorf("household_id", "household_id wajib diisi: huruf, angka, titik, garis miring, garis bawah atau tanda hubung (maks. %d karakter).", MaxHouseholdIDLen)
	case h.Kelurahan == "":
		return FieldErrorf("kelurahan", "Kelurahan rumah tangga wajib diisi.")
	case !plainText(h.NamaKepalaKeluarga, MaxNameLen, true):
		return FieldErrorf("nama_kepala_keluarga", "Nama kepala keluarga wajib diisi (maks. %d karakter).", MaxNameLen)
	case !plainText(h.AlamatRTRW, MaxNameLen, false):
		return FieldErrorf("alamat_rt_rw", "Alamat terlalu panjang atau memuat karakter tidak sah (maks. %d karakter).", MaxNameLen)
	case !validRTRW(h.RT) || !validRTRW(h.RW):
		return FieldErrorf("alamat_rt_rw", "RT dan RW harus berupa angka 1–999.")
	case !plainText(h.PotensiUsaha, maxTextLen, false):
		return FieldErrorf("potensi_usaha", "Potensi usaha terlalu panjang (maks. %d karakter).", maxTextLen)
	case h.ModalReceived < 0 || h.ModalReceived > MaxRupiah:
		return FieldErrorf("modal_received", "Modal yang diterima harus antara Rp 0 dan Rp 1 triliun.")
	case h.OmzetMonthly < 0 || h.OmzetMonthly > MaxRupiah:
		return FieldErrorf("omzet_monthly", "Omzet bulanan harus antara Rp 0 dan Rp 1 triliun.")
	case h.BaselineIncome < 0 || h.BaselineIncome > MaxRupiah:
		return FieldErrorf("baseline_income", "Pendapatan awal harus antara Rp 0 dan Rp 1 triliun.")
	case len(h.Pelatihan) > maxListItems:
		return FieldErrorf("pelatihan_participation", "Paling banyak %d pelatihan per rumah tangga.", maxListItems)
	}
	for _, p := range h.Pelatihan {
		if !plainText(p, MaxNameLen, true) {
			return FieldErrorf("pelatihan_participation", "Nama pelatihan kosong atau terlalu panjang (maks. %d karakter).", MaxNameLen)
		}
	}
	for _, v := range h.Vulnerability {
		if !ValidVulnerability(v) {
			return FieldErrorf("kelompok_rentan", "Kelompok rentan %q tidak dikenal; gunakan ibu_rumah_tangga, lansia atau disabilitas_ringan.", v)
		}
	}
	return nil
}

// ValidHouseholdID reports whether id can be a household_id. The set of
// characters covers the ids DTKS and the fasilitator's sheets use
// ("TMN-RT03-001", "3577/012") and nothing that needs escaping in a URL
// path segment other than the slash.
func ValidHouseholdID(id string) bool {
	if id == "" || len(id) > MaxHouseholdIDLen {
		return false
	}
	for _, c := range id {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '/'
		if !ok {
			return false
		}
	}
	return true
}

// ValidVulnerability reports whether v is one of VulnerableGroups.
func ValidVulnerability(v string) bool {
	for _, x := range VulnerableGroups {
		if v == x {
			return true
		}
	}
	return false
}

func validRTRW(s string) bool {
	if s == "" {
		return true
	}
	if len(s) > 3 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return strings.Trim(s, "0") != ""
}

// plainText reports whether s is valid UTF-8 without control characters
// other than newline and tab, at most max characters, and not blank when
// required.
func plainText(s string, max int, required bool) bool {
	if required && strings.TrimSpace(s) == "" {
		return false
	}
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > max {
		return false
	}
	for _, r := range s {
		if r < ' ' && r != '\n' && r != '\t' || r == 0x7f {
			return false
		}
	}
	return true
}

// Gender of a participating member, as the KPI "≥ 50% women" counts it.
const (
	GenderPerempuan = "P"
	GenderLakiLaki  = "L"
)

// Youth is the seed's target group of productive age (15–35).
const (
	YouthMinAge = 15
	YouthMaxAge = 35
)

// HouseholdMember is a member of a household who takes part in the
// programme. Trainings and padat karya record members, not households, so
// the KPIs can count women and youth.
type HouseholdMember struct {
	ID          int64     `json:"id"`
	HouseholdID string    `json:"household_id"`
	Name        string    `json:"name"`
	Gender      string    `json:"gender"` // GenderPerempuan or GenderLakiLaki
	Age         int       `json:"age"`
	CreatedAt   time.Time `json:"created_at"`
}

// Youth reports whether the member is in the seed's 15–35 target group.
func (m *HouseholdMember) Youth() bool { return m.Age >= YouthMinAge && m.Age <= YouthMaxAge }

// Validate checks the member's fields. Returns EINVALID.
func (m *HouseholdMember) Validate() error {
	switch {
	case !plainText(m.Name, MaxNameLen, true):
		return FieldErrorf("name", "Nama anggota wajib diisi (maks. %d karakter).", MaxNameLen)
	case m.Gender != GenderPerempuan && m.Gender != GenderLakiLaki:
		return FieldErrorf("gender", "Jenis kelamin harus \"P\" (perempuan) atau \"L\" (laki-laki).")
	case m.Age < 0 || m.Age > 120:
		return FieldErrorf("age", "Umur harus antara 0 dan 120 tahun.")
	}
	return nil
}

// Sources of an omzet check-in.
const (
	CheckinFasilitator = "fasilitator" // a field visit recorded on its own
	CheckinGrant       = "hibah"       // a grant's 30/60/90-day check-in
)

// HouseholdCheckin is one measurement of a household's business over time:
// its monthly omzet and, when asked, the household's monthly income.
type HouseholdCheckin struct {
	ID int64 `json:"id"`
	// Key makes the write idempotent: a grant's check-in uses
	// "<grant id>/checkin/<n>", so a retried activity stores it once.
	Key         string    `json:"key"`
	HouseholdID string    `json:"household_id"`
	At          time.Time `json:"at"`
	Omzet       int64     `json:"omzet"`
	// Income is nil when the household's income was not asked.
	Income *int64 `json:"income,omitempty"`
	// Active is the fasilitator's "usaha aktif?" (nil: not asked, the
	// omzet decides); Bansos whether the household still receives bansos
	// (nil: not asked); NewJobs the jobs, formal or informal, the household
	// found or created since the last visit.
	Active    *bool     `json:"usaha_aktif,omitempty"`
	Bansos    *bool     `json:"bansos,omitempty"`
	NewJobs   int       `json:"new_jobs"`
	Source    string    `json:"source"`
	GrantID   string    `json:"grant_id,omitempty"`
	Note      string    `json:"note,omitempty"`
	By        string    `json:"by"`
	CreatedAt time.Time `json:"created_at"`
}

// Validate checks the check-in's fields. Returns EINVALID.
func (c *HouseholdCheckin) Validate() error {
	switch {
	case c.HouseholdID == "":
		return FieldErrorf("household_id", "household_id wajib diisi.")
	case c.Omzet < 0 || c.Omzet > MaxRupiah:
		return FieldErrorf("omzet", "Omzet harus antara Rp 0 dan Rp 1 triliun.")
	case c.Income != nil && (*c.Income < 0 || *c.Income > MaxRupiah):
		return FieldErrorf("income", "Pendapatan harus antara Rp 0 dan Rp 1 triliun.")
	case c.NewJobs < 0 || c.NewJobs > MaxNewJobs:
		return FieldErrorf("new_jobs", "Pekerjaan baru harus antara 0 dan %d orang.", MaxNewJobs)
	case c.Source != CheckinFasilitator && c.Source != CheckinGrant:
		return FieldErrorf("source", "Sumber check-in tidak dikenal.")
	case !plainText(c.Note, maxTextLen, false):
		return FieldErrorf("note", "Catatan terlalu panjang (maks. %d karakter).", maxTextLen)
	}
	return nil
}

// ImportIssue is one problem of a CSV import, placed so a fasilitator can
// fix it in the sheet: Line is the file's line (1 is the header; 0 is the
// whole file), Column the header name.
type ImportIssue struct {
	Line   int    `json:"line"`
	Column string `json:"column,omitempty"`
	Reason string `json:"reason"`
}

// ImportRow is one valid row of an import, with the line it came from.
type ImportRow struct {
	Line      int
	Household *Household
	// Absent lists the optional columns the file lacks ("baseline_income",
	// "kelompok_rentan"); the store keeps their stored values rather than
	// blanking them.
	Absent []string
}

// ImportResult is the outcome of an import. Unchanged rows are counted
// apart, so importing the same file twice reports 0 imported, 0 updated.
type ImportResult struct {
	Imported  int           `json:"imported"`
	Updated   int           `json:"updated"`
	Unchanged int           `json:"unchanged"`
	Errors    []ImportIssue `json:"errors"`
	Warnings  []ImportIssue `json:"warnings"`
}

// HouseholdFilter narrows a household list. Zero values mean "any".
type HouseholdFilter struct {
	// Kelurahan "" lists every kelurahan (admin only).
	Kelurahan string
	RT, RW    string
	DTKS      *bool
	UMKM      *bool
	// Q searches the household id and the head of household's name.
	Q string
	// Limit is 1–500, 0 means 50, -1 means no limit (exports); Offset skips.
	Limit  int
	Offset int
}

// HouseholdPage is one page of households ordered by kelurahan and id.
type HouseholdPage struct {
	Items []*Household `json:"items"`
	Total int          `json:"total"`
}

// Training is a training session of the programme (pelatihan wirausaha,
// digital marketing, sertifikasi vokasi).
type Training struct {
	ID         int64     `json:"id"`
	Kelurahan  string    `json:"kelurahan"`
	Title      string    `json:"title"`
	Topic      string    `json:"topic"`
	Trainer    string    `json:"trainer"`
	HeldOn     time.Time `json:"held_on"` // a calendar date at 00:00 UTC
	Certifying bool      `json:"certifying"`
	CreatedBy  string    `json:"created_by"`
	CreatedAt  time.Time `json:"created_at"`
}

// TrainingAttendance records one member at one training.
type TrainingAttendance struct {
	TrainingID  int64  `json:"training_id"`
	MemberID    int64  `json:"member_id"`
	HouseholdID string `json:"household_id"` // filled by the store
	Attended    bool   `json:"attended"`
	// Certified is only possible for an attended, certifying training.
	Certified bool `json:"certified"`
}

// DefaultPadatKaryaWage is the seed's daily wage (100 workers × Rp 100.000
// × 5 days).
const DefaultPadatKaryaWage = 100_000

// PadatKaryaProject is a public-works project (paving, drainase,
// pertamanan) that employs programme members for daily wages.
type PadatKaryaProject struct {
	ID         int64      `json:"id"`
	Kelurahan  string     `json:"kelurahan"`
	Name       string     `json:"name"`
	Location   string     `json:"location"`
	StartDate  time.Time  `json:"start_date"`
	EndDate    *time.Time `json:"end_date,omitempty"`
	WagePerDay int64      `json:"wage_per_day"`
	CreatedBy  string     `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
}

// PadatKaryaWorker is one member's work on a project.
type PadatKaryaWorker struct {
	ProjectID   int64  `json:"project_id"`
	MemberID    int64  `json:"member_id"`
	HouseholdID string `json:"household_id"` // filled by the store
	Days        int    `json:"days"`
	// WagePerDay 0 takes the project's wage.
	WagePerDay int64 `json:"wage_per_day"`
}

// Wages is what the worker earned on the project.
func (w *PadatKaryaWorker) Wages() int64 { return int64(w.Days) * w.WagePerDay }

// MarketplaceOnboarding records a household's business listed on a
// marketplace (Toko Warga Taman, a national e-commerce platform).
type MarketplaceOnboarding struct {
	ID          int64     `json:"id"`
	HouseholdID string    `json:"household_id"`
	Platform    string    `json:"platform"`
	ShopURL     string    `json:"shop_url,omitempty"`
	OnboardedOn time.Time `json:"onboarded_on"` // a calendar date at 00:00 UTC
	CreatedBy   string    `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
}

// Participation is everything a household took part in, for its page.
type Participation struct {
	Trainings   []*TrainingRecord        `json:"trainings"`
	PadatKarya  []*PadatKaryaRecord      `json:"padat_karya"`
	Marketplace []*MarketplaceOnboarding `json:"marketplace"`
}

// TrainingRecord is a member's attendance with the training it was at.
type TrainingRecord struct {
	Training   *Training          `json:"training"`
	MemberName string             `json:"member_name"`
	Attendance TrainingAttendance `json:"attendance"`
}

// PadatKaryaRecord is a member's work with the project it was on.
type PadatKaryaRecord struct {
	Project    *PadatKaryaProject `json:"project"`
	MemberName string             `json:"member_name"`
	Worker     PadatKaryaWorker   `json:"worker"`
}

// HouseholdService is the registry of households, their members and
// check-ins.
type HouseholdService interface {
	// ImportHouseholds upserts the rows into kelurahan in one transaction:
	// a new id is imported, a changed one updated, an identical one left
	// alone. A row whose id belongs to another kelurahan is reported as an
	// error and not written. Every row must already be valid; the result
	// carries the errors the store found, by line.
	ImportHouseholds(ctx context.Context, kelurahan string, rows []ImportRow) (*ImportResult, error)
	// FindHousehold returns ENOTFOUND if there is no such household.
	FindHousehold(ctx context.Context, id string) (*Household, error)
	// ListHouseholds returns EINVALID for a bad limit.
	ListHouseholds(ctx context.Context, f HouseholdFilter) (*HouseholdPage, error)
	// AddMember stores m and sets m.ID; a member with the same name in the
	// household is updated instead. Returns ENOTFOUND for an unknown
	// household, EINVALID for a bad member.
	AddMember(ctx context.Context, m *HouseholdMember) error
	// FindMember returns ENOTFOUND if there is no such member.
	FindMember(ctx context.Context, id int64) (*HouseholdMember, error)
	ListMembers(ctx context.Context, householdID string) ([]*HouseholdMember, error)
	// AddCheckin stores c once per Key (a second write with the same key
	// changes nothing) and sets the household's omzet_monthly to the latest
	// check-in's. Returns ENOTFOUND for an unknown household.
	AddCheckin(ctx context.Context, c *HouseholdCheckin) error
	// ListCheckins returns the household's check-ins, oldest first.
	ListCheckins(ctx context.Context, householdID string) ([]*HouseholdCheckin, error)
}

// ProgrammeService records participation in the programme's components.
type ProgrammeService interface {
	// CreateTraining stores t and sets t.ID. Returns EINVALID.
	CreateTraining(ctx context.Context, t *Training) error
	// FindTraining returns ENOTFOUND if there is no such training.
	FindTraining(ctx context.Context, id int64) (*Training, error)
	ListTrainings(ctx context.Context, kelurahan string) ([]*Training, error)
	// RecordAttendance upserts each member's attendance at the training.
	// Every member must belong to a household of the training's
	// kelurahan (EINVALID otherwise).
	RecordAttendance(ctx context.Context, trainingID int64, att []TrainingAttendance) error
	// CreatePadatKarya stores p and sets p.ID; a zero wage takes
	// DefaultPadatKaryaWage. Returns EINVALID.
	CreatePadatKarya(ctx context.Context, p *PadatKaryaProject) error
	// FindPadatKarya returns ENOTFOUND if there is no such project.
	FindPadatKarya(ctx context.Context, id int64) (*PadatKaryaProject, error)
	ListPadatKarya(ctx context.Context, kelurahan string) ([]*PadatKaryaProject, error)
	// RecordWorkers upserts each member's days on the project, with the
	// same kelurahan rule as RecordAttendance.
	RecordWorkers(ctx context.Context, projectID int64, workers []PadatKaryaWorker) error
	// AddMarketplaceOnboarding stores o (once per household and platform;
	// a second one updates it) and marks the household umkm_onboarded.
	// Returns ENOTFOUND for an unknown household.
	AddMarketplaceOnboarding(ctx context.Context, o *MarketplaceOnboarding) error
	// HouseholdParticipation returns what the household's members took
	// part in.
	HouseholdParticipation(ctx context.Context, householdID string) (*Participation, error)
}

// PlainText reports whether s is text a person may type into a form field
// of at most max runes (no control characters), and not blank if required.
func PlainText(s string, max int, required bool) bool { return plainText(s, max, required) }
