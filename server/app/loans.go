package app

import (
	"context"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/finance"
	"github.com/hailurah/hailurah/pii"
)

// Loans is what the dana bergulir and budget routes need; they exist only
// when Programme.Loans is set.
type Loans struct {
	Store  finance.LoanService
	Budget finance.BudgetService
	Cases  LoanCases
	// Policy is what new loans start with; zero values take the defaults.
	Policy finance.LoanPolicy
}

// LoanCases is what the server needs of the loan workflows;
// workflows.Client implements it.
type LoanCases interface {
	StartLoan(ctx context.Context, in finance.LoanInput) error
	ActLoan(ctx context.Context, loanID string, req finance.LoanActionRequest) (*finance.Loan, error)
}

// ApplyLoan stores the application with its hold on the fund, then starts
// its workflow; a failed start undoes the application.
func (s *App) ApplyLoan(c *gin.Context, a finance.LoanApplication) (*finance.Loan, error) {
	p := s.Programme.Loans
	u := UserOf(c)
	ctx := c.Request.Context()
	verr := a.Validate()
	if strings.TrimSpace(a.HouseholdID) != "" {
		h, err := s.Programme.Households.FindHousehold(ctx, a.HouseholdID)
		if err != nil && hailurah.ErrorCode(err) != hailurah.ENOTFOUND {
			return nil, err
		}
		if err != nil || h.Kelurahan != u.Kelurahan {
			fields := finance.ErrorFields(verr)
			if fields == nil {
				fields = map[string]string{}
			}
			fields["household_id"] = "Rumah tangga " + a.HouseholdID + " tidak terdaftar di kelurahan Anda."
			return nil, loanFieldsError(fields)
		}
	}
	if verr != nil {
		return nil, verr
	}
	l := &finance.Loan{HouseholdID: a.HouseholdID, Amount: a.Amount, Months: a.Months, Purpose: a.Purpose, AppliedBy: u.Username}
	if a.Phone != "" {
		l.PhoneMasked = pii.Mask(a.Phone)
	}
	if err := p.Store.CreateLoan(ctx, l); err != nil {
		return nil, err
	}
	policy := p.Policy.WithDefaults()
	policy.Zone = s.Zone
	if err := p.Cases.StartLoan(ctx, finance.LoanInput{Loan: *l, Phone: a.Phone, Policy: policy}); err != nil {
		undo, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if cerr := p.Store.CancelLoan(undo, l.ID); hailurah.ErrorCode(cerr) != hailurah.ECONFLICT {
			s.Logger.WarnContext(ctx, "start loan workflow", "loan", l.ID, "err", err, "undo", cerr)
			if hailurah.ErrorCode(err) != hailurah.EUNAVAILABLE {
				err = &hailurah.Error{Code: hailurah.EUNAVAILABLE, Message: "Layanan alur kerja sedang tidak tersedia. Coba lagi sebentar lagi."}
			}
			return nil, err
		}
	}
	s.Audit(c, "loan.apply", l.ID, ProgrammeAudit(map[string]any{"household_id": l.HouseholdID, "amount": l.Amount, "months": l.Months}))
	return l, nil
}

// loanFieldsError is an invalid input with a message per field.
func loanFieldsError(fields map[string]string) error {
	var first string
	var all []string
	for _, k := range []string{"household_id", "amount", "months", "purpose", "phone"} {
		if m, ok := fields[k]; ok {
			if first == "" {
				first = k
			}
			all = append(all, m)
		}
	}
	return &finance.FieldsError{Err: &hailurah.Error{Code: hailurah.EINVALID, Field: first, Message: strings.Join(all, " ")}, Fields: fields}
}

// VisibleLoan loads a loan the user may see; another kelurahan's is "not
// found".
func (s *App) VisibleLoan(c *gin.Context, id string) (*finance.Loan, error) {
	l, err := s.Programme.Loans.Store.FindLoan(c.Request.Context(), id)
	if err != nil {
		return nil, err
	}
	if u := UserOf(c); u.Role != hailurah.RoleAdmin && u.Kelurahan != l.Kelurahan {
		return nil, hailurah.Errorf(hailurah.ENOTFOUND, "Pinjaman %s tidak ditemukan.", id)
	}
	return l, nil
}

// ActLoan lets the workflow decide a staff action. A repayment's key is
// the Idempotency-Key (or the form's); a repeat changes nothing.
func (s *App) ActLoan(c *gin.Context, l *finance.Loan, req finance.LoanActionRequest) (*finance.Loan, error) {
	key, err := IdempotencyKey(c)
	if err != nil {
		return nil, err
	}
	if key != "" {
		req.IdempotencyKey = key
	}
	u := UserOf(c)
	req.Actor = hailurah.ActorOf(u)
	if err := req.Validate(); err != nil {
		return nil, err
	}
	out, err := s.Programme.Loans.Cases.ActLoan(c.Request.Context(), l.ID, req)
	if hailurah.ErrorCode(err) == hailurah.ENOTFOUND {
		if req.Action == finance.LoanActionDisburse && l.DisbursementRef == strings.TrimSpace(req.Reference) {
			return l, nil
		}
		return nil, hailurah.Errorf(hailurah.ECONFLICT, "Pinjaman %s sudah %s; tidak ada aksi yang dapat dilakukan.", l.ID, strings.ToLower(l.Status.Label()))
	}
	if err != nil && hailurah.ErrorCode(err) != hailurah.EPENDING {
		return nil, err
	}
	s.Audit(c, "loan."+req.Action, l.ID, "")
	return out, err
}

// LoanEventLabel names a timeline entry in plain Indonesian.
func LoanEventLabel(typ string) string {
	switch typ {
	case finance.EventLoanApplied:
		return "Pengajuan"
	case finance.LoanActionApprove:
		return "Disetujui Lurah"
	case finance.LoanActionReject:
		return "Ditolak"
	case finance.LoanActionDisburse:
		return "Pencairan"
	case finance.LoanActionRepay:
		return "Pembayaran cicilan"
	case finance.EventLoanReminder:
		return "Pengingat ke peminjam"
	case finance.EventLoanArrears:
		return "Menunggak"
	case finance.EventLoanPaid:
		return "Lunas"
	}
	return typ
}
