package finance

import "context"

// The programme's budget lines (the seed's "Estimasi Anggaran") and their
// sources of money.
const (
	BudgetPelatihan    = "pelatihan"
	BudgetHibah        = "hibah"
	BudgetPadatKarya   = "padat_karya"
	BudgetDigital      = "digital"
	BudgetDanaBergulir = "dana_bergulir"
	BudgetMonitoring   = "monitoring"

	SourceAPBD         = "apbd"
	SourceCSR          = "csr"
	SourceDanaBergulir = "dana_bergulir"
)

// BudgetLineDef is one line of the seed's budget with its planned amount.
type BudgetLineDef struct {
	Line, Label, Source string
	Planned             int64
}

// SeedBudget is the seed's kelurahan budget, Rp 320 juta: training and
// facilitators, productive grants, padat karya (100 people × Rp 100.000 ×
// 5 days), digital marketing (Toko Warga), the revolving fund's capital
// and monitoring with documentation.
var SeedBudget = []BudgetLineDef{
	{BudgetPelatihan, "Pelatihan & fasilitator", SourceAPBD, 35_000_000},
	{BudgetHibah, "Hibah produktif (modal/alat)", SourceAPBD, 150_000_000},
	{BudgetPadatKarya, "Padat karya", SourceCSR, 50_000_000},
	{BudgetDigital, "Pemasaran digital (Toko Warga)", SourceCSR, 40_000_000},
	{BudgetDanaBergulir, "Modal dana bergulir", SourceDanaBergulir, 30_000_000},
	{BudgetMonitoring, "Monitoring & dokumentasi", SourceAPBD, 15_000_000},
}

// BudgetLineLabel names a line; "" for an unknown one.
func BudgetLineLabel(line string) string {
	for _, d := range SeedBudget {
		if d.Line == line {
			return d.Label
		}
	}
	return ""
}

// BudgetSourceLabel names a source of money.
func BudgetSourceLabel(source string) string {
	switch source {
	case SourceAPBD:
		return "APBD kelurahan"
	case SourceCSR:
		return "CSR"
	case SourceDanaBergulir:
		return "Dana bergulir"
	}
	return ""
}

// BudgetLine is one line as planned and as used. Committed and Spent are
// nil for a line nothing in the system spends from yet (training,
// digital, monitoring): it shows its plan only.
type BudgetLine struct {
	Line        string `json:"line"`
	Label       string `json:"label"`
	Source      string `json:"source"`
	SourceLabel string `json:"source_label"`
	Planned     int64  `json:"planned"`
	Committed   *int64 `json:"committed"`
	Spent       *int64 `json:"spent"`
}

// Budget is a kelurahan's (or, with Kelurahan "", the city's) budget.
type Budget struct {
	Kelurahan string       `json:"kelurahan"`
	Lines     []BudgetLine `json:"lines"`
	Planned   int64        `json:"planned"`
	Committed int64        `json:"committed"`
	Spent     int64        `json:"spent"`
}

// BudgetService reads and plans the programme's budget.
type BudgetService interface {
	// FindBudget computes committed and spent from the grants, the padat
	// karya wages and the loans; kelurahan "" sums the city. ENOTFOUND for
	// an unknown kelurahan.
	FindBudget(ctx context.Context, kelurahan string) (*Budget, error)
	// SetBudgetLine plans a line. EINVALID for an unknown line or source
	// or a negative amount.
	SetBudgetLine(ctx context.Context, kelurahan, line, source string, planned int64, by string) error
}
