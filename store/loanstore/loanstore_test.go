package loanstore_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/finance"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/loanstore"
	"github.com/hailurah/hailurah/store/storetest"
)

func mustOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// fixture: Taman with n households and a fund of fund rupiah.
func fixture(t *testing.T, sdb *store.DB, n int, fund int64) *loanstore.Store {
	t.Helper()
	ctx := t.Context()
	mustOK(t, sdb.UpsertKelurahan(ctx, &hailurah.Kelurahan{Code: "taman", Name: "Taman", Kota: "Madiun"}))
	mustOK(t, sdb.UpsertKelurahan(ctx, &hailurah.Kelurahan{Code: "demangan", Name: "Demangan", Kota: "Madiun"}))
	var rows []hailurah.ImportRow
	for i := range n {
		rows = append(rows, hailurah.ImportRow{Line: i + 2, Household: &hailurah.Household{ID: fmt.Sprintf("TMN-%03d", i+1),
			NamaKepalaKeluarga: fmt.Sprintf("Warga %d", i+1), AlamatRTRW: "RT01/RW01", RT: "01", RW: "01"}})
	}
	if _, err := sdb.ImportHouseholds(ctx, "taman", rows); err != nil {
		t.Fatal(err)
	}
	db := loanstore.New(sdb)
	if fund > 0 {
		_, err := db.AddToLoanFund(ctx, "taman", fund)
		mustOK(t, err)
	}
	return db
}

func newLoan(household string, amount int64) *finance.Loan {
	return &finance.Loan{HouseholdID: household, Amount: amount, Months: 5, Purpose: "Modal warung sembako", AppliedBy: "fasilitator"}
}

func TestLoanFundAndLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, sdb *store.DB) {
		ctx := t.Context()
		db := fixture(t, sdb, 3, 3_000_000)
		l := newLoan("TMN-001", 2_000_000)
		mustOK(t, db.CreateLoan(ctx, l))
		if l.ID == "" || l.Status != finance.LoanApplied || l.HouseholdName != "Warga 1" || l.Kelurahan != "taman" {
			t.Fatalf("created %+v", l)
		}
		f, err := db.FindLoanFund(ctx, "taman")
		mustOK(t, err)
		if f.Balance != 1_000_000 || f.Committed != 2_000_000 {
			t.Fatalf("fund after application %+v", f)
		}
		// Beyond the balance: refused, naming what is left.
		err = db.CreateLoan(ctx, newLoan("TMN-002", 1_500_000))
		if hailurah.ErrorCode(err) != hailurah.ECONFLICT || hailurah.ErrorMessage(err) != "Saldo dana bergulir kelurahan tidak cukup: sisa Rp 1.000.000, diajukan Rp 1.500.000." {
			t.Fatalf("over the fund: %v", err)
		}
		// A second active loan of the household.
		if err := db.CreateLoan(ctx, newLoan("TMN-001", 500_000)); hailurah.ErrorCode(err) != hailurah.ECONFLICT {
			t.Fatalf("second loan: %v", err)
		}
		// Every bad field at once.
		err = db.CreateLoan(ctx, &finance.Loan{AppliedBy: "x"})
		if fs := finance.ErrorFields(err); len(fs) != 4 || fs["amount"] == "" || fs["months"] == "" || fs["purpose"] == "" || fs["household_id"] == "" {
			t.Fatalf("fields: %v", fs)
		}

		// Disbursed, then two repayments; the same key twice lands once.
		at := time.Date(2026, 5, 4, 3, 0, 0, 0, time.UTC)
		l.Status, l.DisbursedAt, l.DisbursementRef, l.Version = finance.LoanRunning, &at, "TRF-1", 2
		l.Schedule = finance.LoanSchedule(l.Amount, l.Months, at, hailurah.Zone{})
		mustOK(t, db.ProjectLoan(ctx, &finance.LoanProjection{Loan: l, Event: &finance.LoanEvent{Key: l.ID + "/r/1", Type: "disburse"}}))
		pay := &finance.LoanRepayment{Key: l.ID + "/repay/k1", Amount: 400_000, PaidOn: at.AddDate(0, 1, 0), By: "fasilitator"}
		l.Repaid, l.Version = 400_000, 3
		for range 2 {
			mustOK(t, db.ProjectLoan(ctx, &finance.LoanProjection{Loan: l, Repayment: pay}))
		}
		f, err = db.FindLoanFund(ctx, "taman")
		mustOK(t, err)
		if f.Balance != 1_400_000 || f.Outstanding != 1_600_000 || f.Repaid != 400_000 || f.Committed != 0 {
			t.Fatalf("fund after repayment %+v", f)
		}
		got, err := db.FindLoan(ctx, l.ID)
		mustOK(t, err)
		if len(got.Schedule) != 5 || got.Schedule[0].Amount != 400_000 || len(got.Repayments) != 1 || got.DisbursementRef != "TRF-1" {
			t.Fatalf("stored %+v", got)
		}
		// A stale projection does not overwrite.
		stale := *l
		stale.Version, stale.Repaid = 1, 0
		mustOK(t, db.ProjectLoan(ctx, &finance.LoanProjection{Loan: &stale}))
		if got, _ := db.FindLoan(ctx, l.ID); got.Repaid != 400_000 {
			t.Fatalf("stale write won: %+v", got)
		}

		// A rejection gives the amount back once.
		r := newLoan("TMN-002", 1_000_000)
		mustOK(t, db.CreateLoan(ctx, r))
		r.Status, r.Version = finance.LoanRejected, 1
		for range 2 {
			mustOK(t, db.ProjectLoan(ctx, &finance.LoanProjection{Loan: r}))
		}
		if f, _ := db.FindLoanFund(ctx, "taman"); f.Balance != 1_400_000 {
			t.Fatalf("fund after rejection %+v", f)
		}
		// Undo of an unstarted application gives it back too.
		c := newLoan("TMN-003", 1_000_000)
		mustOK(t, db.CreateLoan(ctx, c))
		mustOK(t, db.CancelLoan(ctx, c.ID))
		if f, _ := db.FindLoanFund(ctx, "taman"); f.Balance != 1_400_000 {
			t.Fatalf("fund after undo %+v", f)
		}
		if err := db.CancelLoan(ctx, l.ID); hailurah.ErrorCode(err) != hailurah.ECONFLICT {
			t.Fatalf("undo of a running loan: %v", err)
		}
		list, err := db.ListLoans(ctx, finance.LoanFilter{Kelurahan: "taman"})
		mustOK(t, err)
		if len(list) != 2 {
			t.Fatalf("list %d", len(list))
		}
	})
}

// TestLoanFundRace sends 12 applications of Rp 1.000.000 against a fund
// of Rp 5.000.000 at once: exactly five succeed, the rest are refused and
// the balance never goes below zero. On Postgres the goroutines run on
// their own connections, so the conditional UPDATE keeps them apart.
func TestLoanFundRace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, sdb *store.DB) {
		ctx := t.Context()
		db := fixture(t, sdb, 12, 5_000_000)
		var (
			wg        sync.WaitGroup
			mu        sync.Mutex
			ok, short int
		)
		start := make(chan struct{})
		for i := range 12 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				err := db.CreateLoan(ctx, newLoan(fmt.Sprintf("TMN-%03d", i+1), 1_000_000))
				mu.Lock()
				defer mu.Unlock()
				switch hailurah.ErrorCode(err) {
				case "":
					ok++
				case hailurah.ECONFLICT:
					short++
				default:
					t.Errorf("application %d: %v", i, err)
				}
			}()
		}
		close(start)
		wg.Wait()
		f, err := db.FindLoanFund(ctx, "taman")
		mustOK(t, err)
		if ok != 5 || short != 7 || f.Balance != 0 || f.Committed != 5_000_000 {
			t.Fatalf("ok %d short %d fund %+v", ok, short, f)
		}
		// One household applying twice at once: one loan.
		if _, err := sdb.ImportHouseholds(ctx, "taman", []hailurah.ImportRow{{Line: 2, Household: &hailurah.Household{
			ID: "TMN-099", NamaKepalaKeluarga: "Warga 99", AlamatRTRW: "RT01/RW01", RT: "01", RW: "01"}}}); err != nil {
			t.Fatal(err)
		}
		_, err = db.AddToLoanFund(ctx, "taman", 4_000_000)
		mustOK(t, err)
		var wins int
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if db.CreateLoan(ctx, newLoan("TMN-099", 500_000)) == nil {
					mu.Lock()
					wins++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if wins != 1 {
			t.Fatalf("one household applying 4 times at once got %d loans", wins)
		}
	})
}

func TestBudget(t *testing.T) {
	storetest.Each(t, func(t *testing.T, sdb *store.DB) {
		ctx := t.Context()
		db := fixture(t, sdb, 2, 5_000_000)
		for _, d := range finance.SeedBudget {
			mustOK(t, db.SetBudgetLine(ctx, "taman", d.Line, d.Source, d.Planned, "admin"))
		}
		if err := db.SetBudgetLine(ctx, "taman", "pesta", "apbd", 1, "admin"); hailurah.ErrorField(err) != "line" {
			t.Fatalf("unknown line: %v", err)
		}
		l := newLoan("TMN-001", 2_000_000)
		mustOK(t, db.CreateLoan(ctx, l))
		now := time.Now()
		l.Status, l.ApprovedAt, l.Version = finance.LoanApproved, &now, 1
		mustOK(t, db.ProjectLoan(ctx, &finance.LoanProjection{Loan: l}))
		b, err := db.FindBudget(ctx, "taman")
		mustOK(t, err)
		if b.Planned != 320_000_000 || len(b.Lines) != 6 {
			t.Fatalf("budget %+v", b)
		}
		for _, line := range b.Lines {
			switch line.Line {
			case finance.BudgetDanaBergulir:
				if *line.Committed != 2_000_000 || *line.Spent != 0 || line.SourceLabel != "Dana bergulir" {
					t.Fatalf("dana bergulir %+v", line)
				}
			case finance.BudgetPelatihan:
				if line.Committed != nil || line.Planned != 35_000_000 {
					t.Fatalf("pelatihan %+v", line)
				}
			}
		}
		city, err := db.FindBudget(ctx, "")
		mustOK(t, err)
		if city.Planned != 320_000_000 || city.Committed != 2_000_000 {
			t.Fatalf("city %+v", city)
		}
		if _, err := db.FindBudget(ctx, "nowhere"); hailurah.ErrorCode(err) != hailurah.ENOTFOUND {
			t.Fatalf("unknown kelurahan: %v", err)
		}
	})
}
