// Package loanstore keeps the dana bergulir loans, the kelurahan's
// revolving fund and the programme's budget lines (finance.LoanService,
// finance.BudgetService). It sits beside package store, over the same
// database and clock, so the store stays within its size bound.
package loanstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/finance"
	"github.com/hailurah/hailurah/store"
)

var (
	_ finance.LoanService   = (*Store)(nil)
	_ finance.BudgetService = (*Store)(nil)
)

// Store implements the loan and budget services over the store's database.
type Store struct {
	db *store.DB
}

// New returns the loans and budget of db.
func New(db *store.DB) *Store { return &Store{db: db} }

func (s *Store) q(ctx context.Context) *gorm.DB { return s.db.Gorm().WithContext(ctx) }

func (s *Store) tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return s.q(ctx).Transaction(fn)
}

// utc is how the store writes times: UTC, whole microseconds.
func utc(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := utc(*t)
	return &u
}

func validText(s string, max int, required bool) bool {
	if required && strings.TrimSpace(s) == "" {
		return false
	}
	return utf8.ValidString(s) && utf8.RuneCountInString(s) <= max && !strings.ContainsRune(s, 0)
}

type loanRow struct {
	ID              string `gorm:"primaryKey"`
	HouseholdID     string
	KelurahanCode   string
	HouseholdName   string
	Amount          int64
	Months          int
	Purpose         string
	PhoneMasked     string
	Status          string
	AppliedBy       string
	AppliedAt       time.Time
	DecidedBy       string
	ApprovedAt      *time.Time
	RejectedAt      *time.Time
	RejectReason    string
	DisbursedBy     string
	DisbursedAt     *time.Time
	DisbursementRef string
	Schedule        *string
	Repaid          int64
	CompletedAt     *time.Time
	FundReleased    bool `gorm:"->"`
	Version         int64
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

func (loanRow) TableName() string { return "loans" }

var loanProjectedColumns = []string{"status", "decided_by", "approved_at", "rejected_at", "reject_reason",
	"disbursed_by", "disbursed_at", "disbursement_ref", "schedule", "repaid", "completed_at", "version", "updated_at"}

func newLoanRow(l *finance.Loan, now time.Time) loanRow {
	r := loanRow{ID: l.ID, HouseholdID: l.HouseholdID, KelurahanCode: l.Kelurahan, HouseholdName: l.HouseholdName,
		Amount: l.Amount, Months: l.Months, Purpose: l.Purpose, PhoneMasked: l.PhoneMasked, Status: string(l.Status),
		AppliedBy: l.AppliedBy, AppliedAt: utc(orNow(l.AppliedAt, now)), DecidedBy: l.DecidedBy,
		ApprovedAt: utcPtr(l.ApprovedAt), RejectedAt: utcPtr(l.RejectedAt), RejectReason: l.RejectReason,
		DisbursedBy: l.DisbursedBy, DisbursedAt: utcPtr(l.DisbursedAt), DisbursementRef: l.DisbursementRef,
		Repaid: l.Repaid, CompletedAt: utcPtr(l.CompletedAt), Version: l.Version,
		CreatedAt: utc(orNow(l.CreatedAt, now)), UpdatedAt: utc(orNow(l.UpdatedAt, now))}
	if len(l.Schedule) > 0 {
		sched := make([]finance.LoanInstalment, len(l.Schedule))
		for i, x := range l.Schedule {
			x.Due, x.PaidAt = utc(x.Due), utcPtr(x.PaidAt)
			sched[i] = x
		}
		b, _ := json.Marshal(sched) // plain values always encode
		s := string(b)
		r.Schedule = &s
	}
	return r
}

func orNow(t, now time.Time) time.Time {
	if t.IsZero() {
		return now
	}
	return t
}

func (r *loanRow) loan() *finance.Loan {
	l := &finance.Loan{ID: r.ID, HouseholdID: r.HouseholdID, Kelurahan: r.KelurahanCode, HouseholdName: r.HouseholdName,
		Amount: r.Amount, Months: r.Months, Purpose: r.Purpose, PhoneMasked: r.PhoneMasked, Status: finance.LoanStatus(r.Status),
		AppliedBy: r.AppliedBy, AppliedAt: utc(r.AppliedAt), DecidedBy: r.DecidedBy, ApprovedAt: utcPtr(r.ApprovedAt),
		RejectedAt: utcPtr(r.RejectedAt), RejectReason: r.RejectReason, DisbursedBy: r.DisbursedBy,
		DisbursedAt: utcPtr(r.DisbursedAt), DisbursementRef: r.DisbursementRef, Repaid: r.Repaid,
		CompletedAt: utcPtr(r.CompletedAt), Version: r.Version, CreatedAt: utc(r.CreatedAt), UpdatedAt: utc(r.UpdatedAt)}
	if r.Schedule != nil {
		// Written by newLoanRow; a row edited by hand into something else
		// shows no schedule.
		_ = json.Unmarshal([]byte(*r.Schedule), &l.Schedule)
		for i := range l.Schedule {
			l.Schedule[i].Due, l.Schedule[i].PaidAt = utc(l.Schedule[i].Due), utcPtr(l.Schedule[i].PaidAt)
		}
	}
	if l.Schedule == nil {
		l.Schedule = []finance.LoanInstalment{}
	}
	return l
}

type householdRow struct {
	ID                 string
	KelurahanCode      string
	NamaKepalaKeluarga string
}

// CreateLoan implements finance.LoanService. The fund is taken with one
// conditional UPDATE, so of two applications racing for the last of it
// exactly one succeeds; the partial unique index on the household's
// active loan does the same for two applications of one household.
func (s *Store) CreateLoan(ctx context.Context, l *finance.Loan) error {
	if l == nil {
		return hailurah.Errorf(hailurah.EINVALID, "Data pinjaman kosong.")
	}
	app := finance.LoanApplication{HouseholdID: l.HouseholdID, Amount: l.Amount, Months: l.Months, Purpose: l.Purpose}
	if err := app.Validate(); err != nil {
		return err
	}
	if !validText(l.AppliedBy, 100, true) || !validText(l.PhoneMasked, 40, false) {
		return hailurah.FieldErrorf("applied_by", "Pengaju pinjaman wajib diisi.")
	}
	now := s.db.Now()
	var created loanRow
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var h householdRow
		if err := tx.Table("households").Select("id, kelurahan_code, nama_kepala_keluarga").
			Where("id = ?", l.HouseholdID).Take(&h).Error; errors.Is(err, gorm.ErrRecordNotFound) {
			return hailurah.Errorf(hailurah.ENOTFOUND, "Rumah tangga %q tidak ditemukan.", l.HouseholdID)
		} else if err != nil {
			return err
		}
		var active loanRow
		err := tx.Where("household_id = ? AND status NOT IN ?", h.ID,
			[]string{string(finance.LoanPaid), string(finance.LoanRejected)}).Take(&active).Error
		if err == nil {
			return errActiveLoan(h.NamaKepalaKeluarga, active.ID)
		} else if !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		res := tx.Exec(`UPDATE kelurahan SET loan_fund = loan_fund - ? WHERE code = ? AND loan_fund >= ?`,
			l.Amount, h.KelurahanCode, l.Amount)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return fundShort(tx, h.KelurahanCode, l.Amount)
		}
		id, err := nextLoanID(tx, now)
		if err != nil {
			return err
		}
		x := &finance.Loan{ID: id, HouseholdID: h.ID, HouseholdName: h.NamaKepalaKeluarga, Kelurahan: h.KelurahanCode,
			Amount: l.Amount, Months: l.Months, Purpose: app.Purpose, PhoneMasked: l.PhoneMasked,
			Status: finance.LoanApplied, AppliedBy: l.AppliedBy, AppliedAt: now}
		created = newLoanRow(x, now)
		if err := tx.Create(&created).Error; errors.Is(err, gorm.ErrDuplicatedKey) {
			// The unique index caught an application that committed after
			// the check above.
			return errActiveLoan(h.NamaKepalaKeluarga, "")
		} else if err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return err
	}
	*l = *created.loan()
	return nil
}

func errActiveLoan(name, id string) error {
	if id == "" {
		return hailurah.Errorf(hailurah.ECONFLICT, "Rumah tangga %s masih memiliki pinjaman dana bergulir yang berjalan.", name)
	}
	return hailurah.Errorf(hailurah.ECONFLICT, "Rumah tangga %s masih memiliki pinjaman dana bergulir yang berjalan (%s); ajukan lagi setelah lunas.", name, id)
}

// fundShort explains a refused application with the balance left.
func fundShort(tx *gorm.DB, kelurahan string, amount int64) error {
	var k struct{ LoanFund int64 }
	if err := tx.Table("kelurahan").Select("loan_fund").Where("code = ?", kelurahan).Take(&k).Error; err != nil {
		return err
	}
	return &hailurah.Error{Code: hailurah.ECONFLICT, Field: "amount", Message: fmt.Sprintf(
		"Saldo dana bergulir kelurahan tidak cukup: sisa %s, diajukan %s.", hailurah.FormatRupiah(k.LoanFund), hailurah.FormatRupiah(amount))}
}

func nextLoanID(tx *gorm.DB, at time.Time) (string, error) {
	var last int64
	err := tx.Raw(`INSERT INTO loan_seq (year, last) VALUES (?, 1)
		ON CONFLICT (year) DO UPDATE SET last = loan_seq.last + 1
		RETURNING last`, at.Year()).Scan(&last).Error
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("DB-%04d-%06d", at.Year(), last), nil
}

func errLoanNotFound(id string) error {
	return hailurah.Errorf(hailurah.ENOTFOUND, "Pinjaman %s tidak ditemukan.", id)
}

// CancelLoan implements finance.LoanService: the undo of an application
// whose workflow did not start. The delete is conditional on the workflow
// never having projected the loan.
func (s *Store) CancelLoan(ctx context.Context, id string) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		var row loanRow
		if err := tx.Where("id = ?", id).Take(&row).Error; errors.Is(err, gorm.ErrRecordNotFound) {
			return errLoanNotFound(id)
		} else if err != nil {
			return err
		}
		res := tx.Where("id = ? AND version = 0 AND status = ?", id, string(finance.LoanApplied)).Delete(&loanRow{})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return hailurah.Errorf(hailurah.ECONFLICT, "Pinjaman %s sudah berjalan dan tidak dapat dibatalkan.", id)
		}
		return tx.Exec("UPDATE kelurahan SET loan_fund = loan_fund + ? WHERE code = ?", row.Amount, row.KelurahanCode).Error
	})
}

// ProjectLoan implements finance.LoanService. The fund's two movements
// follow the stored state, each exactly once: a rejection (flag
// fund_released) and each repayment (its key's first insert).
func (s *Store) ProjectLoan(ctx context.Context, p *finance.LoanProjection) error {
	if p == nil || p.Loan == nil || !p.Loan.Status.Valid() || !validText(p.Loan.ID, 64, true) {
		return hailurah.Errorf(hailurah.EINVALID, "Proyeksi pinjaman tidak sah.")
	}
	l := p.Loan
	now := s.db.Now()
	return s.tx(ctx, func(tx *gorm.DB) error {
		var stored loanRow
		if err := tx.Where("id = ?", l.ID).Take(&stored).Error; errors.Is(err, gorm.ErrRecordNotFound) {
			return errLoanNotFound(l.ID)
		} else if err != nil {
			return err
		}
		if e := p.Event; e != nil {
			row := loanEventRow{Key: e.Key, LoanID: l.ID, Seq: e.Seq, At: utc(orNow(e.At, now)), Type: e.Type, Actor: e.Actor,
				Role: string(e.Role), FromStatus: string(e.From), ToStatus: string(e.To), Note: e.Note}
			if !validText(e.Key, 200, true) || !validText(e.Note, 2000, false) {
				return hailurah.Errorf(hailurah.EINVALID, "Peristiwa pinjaman tidak sah.")
			}
			if err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "key"}}, DoNothing: true}).Create(&row).Error; err != nil {
				return err
			}
		}
		if r := p.Repayment; r != nil {
			if !validText(r.Key, 300, true) || r.Amount <= 0 {
				return hailurah.Errorf(hailurah.EINVALID, "Pembayaran pinjaman tidak sah.")
			}
			row := repaymentRow{Key: r.Key, LoanID: l.ID, Amount: r.Amount, PaidOn: utc(r.PaidOn), RecordedBy: r.By, At: utc(orNow(r.At, now))}
			res := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "key"}}, DoNothing: true}).Create(&row)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 1 {
				if err := tx.Exec("UPDATE kelurahan SET loan_fund = loan_fund + ? WHERE code = ?", r.Amount, stored.KelurahanCode).Error; err != nil {
					return err
				}
			}
		}
		row := newLoanRow(l, now)
		if l.UpdatedAt.IsZero() {
			row.UpdatedAt = utc(now)
		}
		if err := tx.Model(&loanRow{}).Where("id = ? AND version <= ?", l.ID, l.Version).
			Select(loanProjectedColumns).Updates(&row).Error; err != nil {
			return err
		}
		res := tx.Exec(`UPDATE loans SET fund_released = ? WHERE id = ? AND status = ? AND fund_released = ?`,
			true, l.ID, string(finance.LoanRejected), false)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 1 {
			return tx.Exec("UPDATE kelurahan SET loan_fund = loan_fund + ? WHERE code = ?", stored.Amount, stored.KelurahanCode).Error
		}
		return nil
	})
}

// FindLoan implements finance.LoanService, with the repayments.
func (s *Store) FindLoan(ctx context.Context, id string) (*finance.Loan, error) {
	var row loanRow
	if err := s.q(ctx).Where("id = ?", id).Take(&row).Error; errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, errLoanNotFound(id)
	} else if err != nil {
		return nil, err
	}
	l := row.loan()
	var reps []repaymentRow
	if err := s.q(ctx).Where("loan_id = ?", id).Order("paid_on, at").Find(&reps).Error; err != nil {
		return nil, err
	}
	for _, r := range reps {
		l.Repayments = append(l.Repayments, finance.LoanRepayment{Key: r.Key, LoanID: r.LoanID, Amount: r.Amount,
			PaidOn: utc(r.PaidOn), By: r.RecordedBy, At: utc(r.At)})
	}
	return l, nil
}

// ListLoans implements finance.LoanService: the newest first.
func (s *Store) ListLoans(ctx context.Context, f finance.LoanFilter) ([]*finance.Loan, error) {
	q := s.q(ctx).Model(&loanRow{})
	if f.Kelurahan != "" {
		q = q.Where("kelurahan_code = ?", f.Kelurahan)
	}
	if f.HouseholdID != "" {
		q = q.Where("household_id = ?", f.HouseholdID)
	}
	if len(f.Statuses) > 0 {
		st := make([]string, len(f.Statuses))
		for i, x := range f.Statuses {
			st[i] = string(x)
		}
		q = q.Where("status IN ?", st)
	}
	var rows []loanRow
	if err := q.Order("applied_at DESC, id DESC").Limit(500).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]*finance.Loan, len(rows))
	for i := range rows {
		out[i] = rows[i].loan()
	}
	return out, nil
}

type loanEventRow struct {
	ID         int64 `gorm:"primaryKey"`
	Key        string
	LoanID     string
	Seq        int
	At         time.Time
	Type       string
	Actor      string
	Role       string
	FromStatus string
	ToStatus   string
	Note       string
}

func (loanEventRow) TableName() string { return "loan_events" }

type repaymentRow struct {
	Key        string `gorm:"primaryKey"`
	LoanID     string
	Amount     int64
	PaidOn     time.Time
	RecordedBy string
	At         time.Time
}

func (repaymentRow) TableName() string { return "loan_repayments" }

// ListLoanEvents implements finance.LoanService, oldest first.
func (s *Store) ListLoanEvents(ctx context.Context, id string) ([]*finance.LoanEvent, error) {
	var rows []loanEventRow
	if err := s.q(ctx).Where("loan_id = ?", id).Order("at, seq, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]*finance.LoanEvent, len(rows))
	for i, r := range rows {
		out[i] = &finance.LoanEvent{Key: r.Key, LoanID: r.LoanID, Seq: r.Seq, At: utc(r.At), Type: r.Type, Actor: r.Actor,
			Role: hailurah.Role(r.Role), From: finance.LoanStatus(r.FromStatus), To: finance.LoanStatus(r.ToStatus), Note: r.Note}
	}
	return out, nil
}

// FindLoanFund implements finance.LoanService.
func (s *Store) FindLoanFund(ctx context.Context, kelurahan string) (*finance.LoanFund, error) {
	return findFund(s.q(ctx), kelurahan)
}

func findFund(q *gorm.DB, kelurahan string) (*finance.LoanFund, error) {
	var k struct{ LoanFund int64 }
	if err := q.Table("kelurahan").Select("loan_fund").Where("code = ?", kelurahan).Take(&k).Error; errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, hailurah.Errorf(hailurah.ENOTFOUND, "Kelurahan %q tidak ditemukan.", kelurahan)
	} else if err != nil {
		return nil, err
	}
	f := &finance.LoanFund{Kelurahan: kelurahan, Balance: k.LoanFund}
	var sums struct{ Committed, Disbursed, Repaid int64 }
	err := q.Model(&loanRow{}).Select(`COALESCE(SUM(CASE WHEN disbursed_at IS NULL AND status IN ('diajukan', 'disetujui') THEN amount ELSE 0 END), 0) AS committed,
		COALESCE(SUM(CASE WHEN disbursed_at IS NOT NULL THEN amount ELSE 0 END), 0) AS disbursed,
		COALESCE(SUM(repaid), 0) AS repaid`).Where("kelurahan_code = ?", kelurahan).Scan(&sums).Error
	if err != nil {
		return nil, err
	}
	f.Committed, f.Outstanding, f.Repaid = sums.Committed, sums.Disbursed-sums.Repaid, sums.Repaid
	return f, nil
}

// AddToLoanFund implements finance.LoanService.
func (s *Store) AddToLoanFund(ctx context.Context, kelurahan string, amount int64) (*finance.LoanFund, error) {
	if amount <= 0 || amount > hailurah.MaxRupiah {
		return nil, hailurah.FieldErrorf("amount", "Tambahan modal harus lebih dari Rp 0.")
	}
	var out *finance.LoanFund
	err := s.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Exec("UPDATE kelurahan SET loan_fund = loan_fund + ? WHERE code = ?", amount, kelurahan)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return hailurah.Errorf(hailurah.ENOTFOUND, "Kelurahan %q tidak ditemukan.", kelurahan)
		}
		var err error
		out, err = findFund(tx, kelurahan)
		return err
	})
	return out, err
}
