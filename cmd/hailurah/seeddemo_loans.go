package main

import (
	"context"
	"fmt"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/finance"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/loanstore"
)

// seedBudget gives a demo kelurahan the seed's budget lines and its
// revolving fund's capital, once: a kelurahan with budget lines keeps
// what its lurah planned since.
func seedBudget(ctx context.Context, db *store.DB, kelurahan string) error {
	ls := loanstore.New(db)
	b, err := ls.FindBudget(ctx, kelurahan)
	if err != nil || b.Planned > 0 {
		return err
	}
	for _, d := range finance.SeedBudget {
		if err := ls.SetBudgetLine(ctx, kelurahan, d.Line, d.Source, d.Planned, "sistem"); err != nil {
			return err
		}
		if d.Line == finance.BudgetDanaBergulir {
			if _, err := ls.AddToLoanFund(ctx, kelurahan, d.Planned); err != nil {
				return err
			}
		}
	}
	return nil
}

// demoLoans writes two of Taman's demo households' loans: one waiting for
// the lurah, one disbursed 40 days ago with its first instalment paid,
// and returns the inputs that start their workflows from that state.
func demoLoans(ctx context.Context, db *store.DB, now time.Time, zone hailurah.Zone) ([]finance.LoanInput, error) {
	var ids []string
	if err := db.Gorm().WithContext(ctx).Table("households").Where("kelurahan_code = ? AND id LIKE ?", "taman", "DEMO-%").
		Order("id").Limit(2).Pluck("id", &ids).Error; err != nil {
		return nil, err
	}
	if len(ids) < 2 {
		return nil, fmt.Errorf("demo loans: Taman has %d demo households", len(ids))
	}
	ls := loanstore.New(db)
	policy := finance.LoanPolicy{Zone: zone}.WithDefaults()
	waiting := &finance.Loan{HouseholdID: ids[0], Amount: 2_000_000, Months: 10, Purpose: "Modal gerobak dan bahan baku warung bakso", AppliedBy: "fasilitator"}
	if err := ls.CreateLoan(ctx, waiting); err != nil {
		return nil, err
	}
	running := &finance.Loan{HouseholdID: ids[1], Amount: 1_500_000, Months: 5, Purpose: "Mesin jahit bekas untuk usaha permak pakaian", AppliedBy: "fasilitator"}
	if err := ls.CreateLoan(ctx, running); err != nil {
		return nil, err
	}
	applied := now.AddDate(0, 0, -45)
	approved, disbursed := applied.AddDate(0, 0, 2), applied.AddDate(0, 0, 5)
	running.AppliedAt, running.CreatedAt = applied, applied
	running.DecidedBy, running.ApprovedAt = "lurah", &approved
	running.DisbursedBy, running.DisbursedAt, running.DisbursementRef = "lurah", &disbursed, "KAS-DEMO-001"
	running.Schedule = finance.LoanSchedule(running.Amount, running.Months, disbursed, zone)
	first := &running.Schedule[0]
	paidOn := zone.StartOfDay(first.Due).AddDate(0, 0, -1)
	first.Paid, first.PaidAt, first.Reminded = first.Amount, &paidOn, true
	running.Repaid, running.Status = first.Amount, finance.LoanRunning
	pay := &finance.LoanRepayment{Key: running.ID + "/repay/demo-1", LoanID: running.ID, Amount: first.Amount, PaidOn: paidOn, By: "fasilitator", At: paidOn}
	running.Repayments = []finance.LoanRepayment{*pay}
	steps := []finance.LoanEvent{
		{Type: finance.EventLoanApplied, Actor: "fasilitator", Role: hailurah.RoleFasilitator, At: applied, To: finance.LoanApplied,
			Note: "Pengajuan " + hailurah.FormatRupiah(running.Amount) + " dalam 5 bulan: " + running.Purpose},
		{Type: finance.LoanActionApprove, Actor: "lurah", Role: hailurah.RoleLurah, At: approved, From: finance.LoanApplied, To: finance.LoanApproved},
		{Type: finance.LoanActionDisburse, Actor: "lurah", Role: hailurah.RoleLurah, At: disbursed, From: finance.LoanApproved, To: finance.LoanRunning, Note: "Referensi KAS-DEMO-001."},
		{Type: finance.LoanActionRepay, Actor: "fasilitator", Role: hailurah.RoleFasilitator, At: paidOn, From: finance.LoanRunning, To: finance.LoanRunning,
			Note: "Angsuran " + hailurah.FormatRupiah(first.Amount) + " diterima; sisa " + hailurah.FormatRupiah(running.Outstanding()) + "."},
	}
	for i, e := range steps {
		e.Seq, e.Key = i+1, fmt.Sprintf("%s/demo/%d", running.ID, i+1)
		running.Version = int64(i + 1)
		p := &finance.LoanProjection{Loan: running, Event: &e}
		if e.Type == finance.LoanActionRepay {
			p.Repayment = pay
		}
		if err := ls.ProjectLoan(ctx, p); err != nil {
			return nil, err
		}
	}
	return []finance.LoanInput{{Loan: *waiting, Policy: policy}, {Loan: *running, Policy: policy}}, nil
}
