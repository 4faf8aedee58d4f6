// Package finance is the money side of "Satu Rumah Satu Penghasilan": the
// dana bergulir loans with their fund, and the programme budget's lines.
package finance

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/hailurah/hailurah"
)

// FieldsError is an EINVALID error about several fields at once: its
// Message names them all, Field the first, Fields each one's message, so
// a form can show every problem next to its field in one answer.
type FieldsError struct {
	Err    *hailurah.Error
	Fields map[string]string
}

func (e *FieldsError) Error() string { return e.Err.Error() }
func (e *FieldsError) Unwrap() error { return e.Err }

// ErrorFields returns each field's message of an invalid input: all of a
// FieldsError's, or the one field of an *Error; nil for other errors.
func ErrorFields(err error) map[string]string {
	var fe *FieldsError
	if errors.As(err, &fe) {
		return fe.Fields
	}
	if f := hailurah.ErrorField(err); f != "" {
		return map[string]string{f: hailurah.ErrorMessage(err)}
	}
	return nil
}

// fieldErrs collects the problems of a form in the order found.
type fieldErrs struct {
	order []string
	msgs  map[string]string
}

func (f *fieldErrs) Add(field, msg string) {
	if f.msgs == nil {
		f.msgs = map[string]string{}
	}
	if _, ok := f.msgs[field]; !ok {
		f.order = append(f.order, field)
		f.msgs[field] = msg
	}
}

// Err is nil when nothing was added.
func (f *fieldErrs) Err() error {
	if len(f.order) == 0 {
		return nil
	}
	all := make([]string, len(f.order))
	for i, k := range f.order {
		all[i] = f.msgs[k]
	}
	return &FieldsError{Err: &hailurah.Error{Code: hailurah.EINVALID, Field: f.order[0], Message: strings.Join(all, " ")}, Fields: f.msgs}
}

// LoanStatus is where a dana bergulir loan is. LoanWorkflow is the source
// of truth; the store keeps a projection for the pages and the fund.
// The codes are the words the office uses.
type LoanStatus string

const (
	LoanApplied   LoanStatus = "diajukan"  // awaiting the lurah's approval
	LoanApproved  LoanStatus = "disetujui" // awaiting disbursement
	LoanRunning   LoanStatus = "berjalan"  // disbursed, instalments running
	LoanArrears   LoanStatus = "menunggak" // an instalment is unpaid past its grace
	LoanPaid      LoanStatus = "lunas"     // fully repaid
	LoanRejected  LoanStatus = "ditolak"   // by the lurah; the fund is released
	LoanMaxMonths            = 24
)

// LoanStatuses lists every status in process order.
var LoanStatuses = []LoanStatus{LoanApplied, LoanApproved, LoanRunning, LoanArrears, LoanPaid, LoanRejected}

// Valid reports whether s is a known status.
func (s LoanStatus) Valid() bool {
	for _, x := range LoanStatuses {
		if s == x {
			return true
		}
	}
	return false
}

// Final reports whether the loan's process has ended; a household may
// borrow again once its loan is final.
func (s LoanStatus) Final() bool { return s == LoanPaid || s == LoanRejected }

// Label is the status in plain Indonesian.
func (s LoanStatus) Label() string {
	switch s {
	case LoanApplied:
		return "Menunggu persetujuan Lurah"
	case LoanApproved:
		return "Disetujui, menunggu pencairan"
	case LoanRunning:
		return "Berjalan, cicilan lancar"
	case LoanArrears:
		return "Menunggak"
	case LoanPaid:
		return "Lunas"
	case LoanRejected:
		return "Ditolak"
	}
	return string(s)
}

// Limits of a loan: the seed's micro-credit scale.
const (
	MinLoan        int64 = 500_000
	MaxLoan        int64 = 10_000_000
	MaxLoanPurpose       = 500
)

// LoanApplication is what a fasilitator submits for a household. Phone is
// the borrower's WhatsApp number for instalment reminders (households keep
// none); it travels only in the workflow's sealed input, the store keeps
// it masked.
type LoanApplication struct {
	HouseholdID string `json:"household_id"`
	Amount      int64  `json:"amount"`
	Months      int    `json:"months"`
	Purpose     string `json:"purpose"`
	Phone       string `json:"phone,omitempty"`
}

// Validate checks every field and names each bad one at once (Fields).
func (a *LoanApplication) Validate() error {
	a.Purpose = strings.TrimSpace(a.Purpose)
	var errs fieldErrs
	if strings.TrimSpace(a.HouseholdID) == "" {
		errs.Add("household_id", "Pilih rumah tangga peminjam.")
	}
	if a.Amount < MinLoan || a.Amount > MaxLoan {
		errs.Add("amount", "Jumlah pinjaman harus antara "+hailurah.FormatRupiah(MinLoan)+" dan "+hailurah.FormatRupiah(MaxLoan)+".")
	}
	if a.Months < 1 || a.Months > LoanMaxMonths {
		errs.Add("months", "Lama cicilan harus 1 sampai 24 bulan.")
	}
	switch {
	case len([]rune(a.Purpose)) < 10:
		errs.Add("purpose", "Tulis untuk apa pinjaman dipakai (min. 10 karakter).")
	case !hailurah.PlainText(a.Purpose, MaxLoanPurpose, true):
		errs.Add("purpose", "Keperluan terlalu panjang atau memuat karakter tidak sah (maks. 500 karakter).")
	}
	if strings.TrimSpace(a.Phone) != "" {
		phone, err := hailurah.NormalizePhone(a.Phone)
		if err != nil {
			errs.Add("phone", "Nomor WhatsApp peminjam tidak sah: tulis seperti 0812 3456 7890.")
		}
		a.Phone = phone
	}
	return errs.Err()
}

// Staff actions on a loan, all through one validated update.
const (
	LoanActionApprove  = "approve"  // lurah of the loan's kelurahan
	LoanActionReject   = "reject"   // lurah, with a reason
	LoanActionDisburse = "disburse" // lurah or admin, with the transfer's reference
	LoanActionRepay    = "repay"    // fasilitator, lurah or admin: an instalment received
)

// LoanActionRequest is one staff action on a loan. The server fills Actor
// from the session. A repayment's Key (the Idempotency-Key) makes a
// repeated repayment change nothing.
type LoanActionRequest struct {
	Action    string         `json:"action"`
	Actor     hailurah.Actor `json:"actor"`
	Notes     string         `json:"notes,omitempty"`
	Reason    string         `json:"reason,omitempty"`    // reject
	Reference string         `json:"reference,omitempty"` // disburse
	Amount    int64          `json:"amount,omitempty"`    // repay
	// PaidOn is the day the money was received (repay), a calendar date
	// at 00:00 UTC.
	PaidOn         *time.Time `json:"paid_on,omitempty"`
	IdempotencyKey string     `json:"key,omitempty"`
}

// Validate checks that the request is complete for its action, naming
// every bad field. Status and permission are the workflow's to check.
func (r *LoanActionRequest) Validate() error {
	var errs fieldErrs
	switch r.Action {
	case LoanActionApprove:
	case LoanActionReject:
		if strings.TrimSpace(r.Reason) == "" {
			errs.Add("reason", "Alasan penolakan wajib diisi.")
		}
	case LoanActionDisburse:
		if ref := strings.TrimSpace(r.Reference); ref == "" || !hailurah.PlainText(ref, 100, true) {
			errs.Add("reference", "Nomor referensi pencairan wajib diisi (maks. 100 karakter).")
		}
	case LoanActionRepay:
		if r.Amount <= 0 || r.Amount > MaxLoan {
			errs.Add("amount", "Jumlah angsuran wajib diisi (lebih dari Rp 0).")
		}
		if r.PaidOn == nil {
			errs.Add("paid_on", "Tanggal pembayaran wajib diisi.")
		}
		if r.IdempotencyKey == "" {
			errs.Add("key", "Kunci pembayaran wajib ada, agar pembayaran tidak tercatat dua kali.")
		}
	default:
		errs.Add("action", "Aksi tidak dikenal untuk dana bergulir.")
	}
	if r.Actor.Username == "" || !r.Actor.Role.Valid() {
		errs.Add("actor", "Pelaku aksi tidak dikenal.")
	}
	for field, v := range map[string]string{"notes": r.Notes, "reason": r.Reason} {
		if !hailurah.PlainText(v, hailurah.MaxGrantNote, false) {
			errs.Add(field, "Teks terlalu panjang atau memuat karakter tidak sah.")
		}
	}
	return errs.Err()
}

// loanActionStatuses lists the statuses each action may be taken in. A
// disbursement recorded again with its reference is answered unchanged.
var loanActionStatuses = map[string][]LoanStatus{
	LoanActionApprove:  {LoanApplied},
	LoanActionReject:   {LoanApplied, LoanApproved},
	LoanActionDisburse: {LoanApproved, LoanRunning, LoanArrears, LoanPaid},
	LoanActionRepay:    {LoanRunning, LoanArrears, LoanPaid},
}

var loanActionsOf = map[hailurah.Role][]string{
	hailurah.RoleLurah:       {LoanActionApprove, LoanActionReject, LoanActionDisburse, LoanActionRepay},
	hailurah.RoleAdmin:       {LoanActionDisburse, LoanActionRepay},
	hailurah.RoleFasilitator: {LoanActionRepay},
}

// LoanActionAllowedIn reports whether action may be taken in status s.
func LoanActionAllowedIn(action string, s LoanStatus) bool {
	for _, x := range loanActionStatuses[action] {
		if x == s {
			return true
		}
	}
	return false
}

// Authorize reports whether r.Actor may take r.Action on a loan of
// kelurahan: approval and rejection are the lurah's of that kelurahan
// alone. Returns EFORBIDDEN with the reason.
func (r *LoanActionRequest) Authorize(kelurahan string) error {
	a := r.Actor
	allowed, ok := loanActionsOf[a.Role]
	if !ok {
		return hailurah.Errorf(hailurah.EFORBIDDEN, "Peran %s tidak menangani dana bergulir.", a.Role.Label())
	}
	if a.Role != hailurah.RoleAdmin && (a.Kelurahan == "" || a.Kelurahan != kelurahan) {
		return hailurah.Errorf(hailurah.EFORBIDDEN, "Pinjaman ini bukan milik kelurahan Anda.")
	}
	for _, x := range allowed {
		if x == r.Action {
			return nil
		}
	}
	if r.Action == LoanActionApprove || r.Action == LoanActionReject {
		return hailurah.Errorf(hailurah.EFORBIDDEN, "Persetujuan dan penolakan pinjaman dana bergulir ditandatangani Lurah.")
	}
	return hailurah.Errorf(hailurah.EFORBIDDEN, "Peran %s tidak dapat melakukan aksi ini pada pinjaman.", a.Role.Label())
}

// LoanPolicy holds a loan's timings; zero values take the defaults. A
// loan keeps the policy it started with.
type LoanPolicy struct {
	// RemindBefore is how long before each due date the borrower gets a
	// WhatsApp reminder.
	RemindBefore time.Duration `json:"remind_before"`
	// ArrearsAfter is how long after its due date an unpaid instalment
	// puts the loan in arrears and tells the fasilitator and the lurah.
	ArrearsAfter time.Duration `json:"arrears_after"`
	Zone         hailurah.Zone `json:"time_zone,omitzero"`
}

// WithDefaults fills zero values: a reminder 3 days before, arrears 7
// days after.
func (p LoanPolicy) WithDefaults() LoanPolicy {
	if p.RemindBefore <= 0 {
		p.RemindBefore = 3 * 24 * time.Hour
	}
	if p.ArrearsAfter <= 0 {
		p.ArrearsAfter = 7 * 24 * time.Hour
	}
	return p
}

// LoanInstalment is one month of a loan's repayment schedule.
type LoanInstalment struct {
	N      int        `json:"n"`
	Due    time.Time  `json:"due"`
	Amount int64      `json:"amount"`
	Paid   int64      `json:"paid"`
	PaidAt *time.Time `json:"paid_at,omitempty"`
	// Reminded and Overdue record what the workflow did for it.
	Reminded bool `json:"reminded"`
	Overdue  bool `json:"overdue"`
}

// Settled reports whether the instalment is paid in full.
func (i LoanInstalment) Settled() bool { return i.Paid >= i.Amount }

// LoanSchedule splits amount into months instalments, the first due one
// month after disbursed (in zone's calendar), the rounding in the last.
func LoanSchedule(amount int64, months int, disbursed time.Time, zone hailurah.Zone) []LoanInstalment {
	out := make([]LoanInstalment, months)
	each := amount / int64(months)
	local := zone.In(disbursed)
	for i := range out {
		due := time.Date(local.Year(), local.Month()+time.Month(i+1), min(local.Day(), 28), 0, 0, 0, 0, local.Location())
		out[i] = LoanInstalment{N: i + 1, Due: due.UTC(), Amount: each}
	}
	out[months-1].Amount += amount - each*int64(months)
	return out
}

// LoanRepayment is one payment received.
type LoanRepayment struct {
	Key    string    `json:"key"`
	LoanID string    `json:"loan_id"`
	Amount int64     `json:"amount"`
	PaidOn time.Time `json:"paid_on"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
}

// Loan is a loan as its workflow holds it and the store projects it.
type Loan struct {
	ID            string     `json:"id"` // "DB-2026-000001"
	HouseholdID   string     `json:"household_id"`
	HouseholdName string     `json:"household_name"`
	Kelurahan     string     `json:"kelurahan"`
	Amount        int64      `json:"amount"`
	Months        int        `json:"months"`
	Purpose       string     `json:"purpose"`
	PhoneMasked   string     `json:"phone_masked,omitempty"`
	Status        LoanStatus `json:"status"`
	AppliedBy     string     `json:"applied_by"`
	AppliedAt     time.Time  `json:"applied_at"`

	DecidedBy    string     `json:"decided_by,omitempty"`
	ApprovedAt   *time.Time `json:"approved_at,omitempty"`
	RejectedAt   *time.Time `json:"rejected_at,omitempty"`
	RejectReason string     `json:"reject_reason,omitempty"`

	DisbursedBy     string     `json:"disbursed_by,omitempty"`
	DisbursedAt     *time.Time `json:"disbursed_at,omitempty"`
	DisbursementRef string     `json:"disbursement_ref,omitempty"`

	Schedule    []LoanInstalment `json:"schedule"`
	Repaid      int64            `json:"repaid"`
	Repayments  []LoanRepayment  `json:"repayments,omitempty"`
	CompletedAt *time.Time       `json:"completed_at,omitempty"`

	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Outstanding is what is left to repay.
func (l *Loan) Outstanding() int64 { return l.Amount - l.Repaid }

// LoanInput starts a loan's workflow from the row the store created.
type LoanInput struct {
	Loan   Loan       `json:"loan"`
	Phone  string     `json:"phone,omitempty"` // E.164, for reminders; "" sends none
	Policy LoanPolicy `json:"policy"`
}

// LoanEvent is one row of a loan's timeline.
type LoanEvent struct {
	Key    string        `json:"key"` // "<loan>/<run id>/<seq>", inserted once
	LoanID string        `json:"loan_id"`
	Seq    int           `json:"seq"`
	At     time.Time     `json:"at"`
	Type   string        `json:"type"` // a LoanAction*, or an EventLoan* constant
	Actor  string        `json:"actor"`
	Role   hailurah.Role `json:"role,omitempty"`
	From   LoanStatus    `json:"from"`
	To     LoanStatus    `json:"to"`
	Note   string        `json:"note,omitempty"`
}

// Loan event types other than staff actions.
const (
	EventLoanApplied  = "applied"
	EventLoanReminder = "reminder" // the borrower was reminded on WhatsApp
	EventLoanArrears  = "arrears"
	EventLoanPaid     = "paid"
)

// OutboxLoanReminder is the outbox kind of a borrower's instalment
// reminder.
const OutboxLoanReminder = "loan_reminder"

// Kinds of staff notifications about loans.
const (
	NotifyLoanToApprove = "loan_to_approve"
	NotifyLoanArrears   = "loan_arrears"
	NotifyLoanPaid      = "loan_paid"
)

// LoanProjection is one transition: the loan now, the event and, for a
// repayment, the payment the fund receives.
type LoanProjection struct {
	Loan      *Loan          `json:"loan"`
	Event     *LoanEvent     `json:"event,omitempty"`
	Repayment *LoanRepayment `json:"repayment,omitempty"`
}

// LoanFilter narrows a loan list.
type LoanFilter struct {
	Kelurahan   string
	HouseholdID string
	Statuses    []LoanStatus
}

// LoanFund is a kelurahan's revolving fund.
type LoanFund struct {
	Kelurahan string `json:"kelurahan"`
	// Balance is what may be lent now: applications hold their amount
	// from the moment they are submitted; repayments come back to it.
	Balance     int64 `json:"balance"`
	Committed   int64 `json:"committed"`   // applied or approved, not disbursed
	Outstanding int64 `json:"outstanding"` // disbursed, not yet repaid
	Repaid      int64 `json:"repaid"`
}

// LoanService stores loans and the kelurahan's revolving fund.
type LoanService interface {
	// CreateLoan stores a new loan (status diajukan) and takes its amount
	// from the kelurahan's fund balance in one transaction, so concurrent
	// applications never over-commit it. Returns EINVALID naming the
	// fields, ENOTFOUND for an unknown household, ECONFLICT for a
	// household with an active loan or a fund that is short (the message
	// names the balance).
	CreateLoan(ctx context.Context, l *Loan) error
	// CancelLoan removes a loan whose workflow never started and gives
	// its amount back; ECONFLICT once projected.
	CancelLoan(ctx context.Context, id string) error
	// ProjectLoan writes the event and the repayment once per key and the
	// loan unless newer; a rejection gives the amount back and each
	// repayment adds to the fund, exactly once.
	ProjectLoan(ctx context.Context, p *LoanProjection) error
	FindLoan(ctx context.Context, id string) (*Loan, error)
	ListLoans(ctx context.Context, f LoanFilter) ([]*Loan, error)
	ListLoanEvents(ctx context.Context, id string) ([]*LoanEvent, error)
	FindLoanFund(ctx context.Context, kelurahan string) (*LoanFund, error)
	// AddToLoanFund adds capital to the fund (the lurah's or admin's
	// allocation, or the demo data). Returns the new fund.
	AddToLoanFund(ctx context.Context, kelurahan string, amount int64) (*LoanFund, error)
}
