package store_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/storetest"
)

const plan = "Membeli etalase dan stok kopi untuk warung di depan rumah."

func setBudget(t *testing.T, db *store.DB, kelurahan string, budget int64) {
	t.Helper()
	k, err := db.FindKelurahan(t.Context(), kelurahan)
	mustOK(t, err)
	k.GrantBudget = budget
	mustOK(t, db.UpsertKelurahan(t.Context(), k))
}

func apply(t *testing.T, db *store.DB, household string, amount int64) (*hailurah.Grant, error) {
	t.Helper()
	g := &hailurah.Grant{HouseholdID: household, Amount: amount, Purpose: hailurah.PurposeAlat, Plan: plan, AppliedBy: "rina"}
	err := db.CreateGrant(t.Context(), g)
	return g, err
}

func budget(t *testing.T, db *store.DB, kelurahan string) *hailurah.GrantBudget {
	t.Helper()
	b, err := db.FindGrantBudget(t.Context(), kelurahan)
	mustOK(t, err)
	return b
}

func TestCreateGrant(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		clk := useClock(db)
		setBudget(t, db, "taman", 5_000_000)
		mustImport(t, db, "taman", rows(household("TMN-001", true), household("TMN-002", false), household("TMN-003", false)))

		g, err := apply(t, db, "TMN-001", 2_000_000)
		mustOK(t, err)
		if g.ID != "HB-2026-000001" || g.Status != hailurah.GrantApplied || g.Kelurahan != "taman" || !g.DTKS ||
			g.HouseholdName != "Kepala TMN-001" || g.BaselineOmzet != 1_000_000 || g.BaselineIncome != 800_000 ||
			g.Version != 0 || !g.AppliedAt.Equal(clk.Now()) {
			t.Fatalf("created grant: %+v", g)
		}
		if b := budget(t, db, "taman"); b.Budget != 5_000_000 || b.Reserved != 2_000_000 || b.Available != 3_000_000 || b.Disbursed != 0 {
			t.Fatalf("budget after one application: %+v", b)
		}

		_, err = apply(t, db, "TMN-001", 1_000_000)
		wantCode(t, err, hailurah.ECONFLICT, "")
		_, err = apply(t, db, "TMN-404", 1_000_000)
		wantCode(t, err, hailurah.ENOTFOUND, "")
		_, err = apply(t, db, "TMN-002", 999_999)
		wantCode(t, err, hailurah.EINVALID, "amount")
		_, err = apply(t, db, "TMN-002", 3_000_001)
		wantCode(t, err, hailurah.EINVALID, "amount")

		g2, err := apply(t, db, "TMN-002", 3_000_000)
		mustOK(t, err)
		// Rp 0 left: the third application is refused, and refused whole.
		_, err = apply(t, db, "TMN-003", 1_000_000)
		wantCode(t, err, hailurah.ECONFLICT, "")
		if b := budget(t, db, "taman"); b.Reserved != 5_000_000 {
			t.Fatalf("a refused application reserved: %+v", b)
		}
		if g2.ID != "HB-2026-000002" {
			t.Fatalf("second id %s", g2.ID)
		}

		// A grant whose workflow never started gives its amount back.
		mustOK(t, db.CancelGrant(t.Context(), g2.ID))
		if b := budget(t, db, "taman"); b.Reserved != 2_000_000 {
			t.Fatalf("after cancel: %+v", b)
		}
		_, err = db.FindGrant(t.Context(), g2.ID)
		wantCode(t, err, hailurah.ENOTFOUND, "")
		wantCode(t, db.CancelGrant(t.Context(), g2.ID), hailurah.ENOTFOUND, "")
		g3, err := apply(t, db, "TMN-003", 1_000_000)
		mustOK(t, err)
		// Ids are not reused, even after a cancel.
		if g3.ID != "HB-2026-000003" {
			t.Fatalf("id after cancel: %s", g3.ID)
		}
	})
}

// project writes g at version v with an event, as the workflow does.
func project(t *testing.T, db *store.DB, g *hailurah.Grant, v int64, typ string, checkin *hailurah.HouseholdCheckin) {
	t.Helper()
	g.Version = v
	e := &hailurah.GrantEvent{Key: fmt.Sprintf("%s/%d", g.ID, v), GrantID: g.ID, Seq: int(v), Type: typ, Actor: "system", To: g.Status}
	mustOK(t, db.ProjectGrant(t.Context(), &hailurah.GrantProjection{Grant: g, Event: e, Checkin: checkin}))
}

func TestProjectGrant(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		ctx := t.Context()
		setBudget(t, db, "taman", 150_000_000)
		mustImport(t, db, "taman", rows(household("TMN-001", true), household("TMN-002", false)))

		g, err := apply(t, db, "TMN-001", 2_500_000)
		mustOK(t, err)
		project(t, db, g, 1, hailurah.EventGrantApplied, nil)
		now := time.Date(2026, 3, 5, 2, 0, 0, 0, time.UTC)
		g.Status, g.VerifiedBy, g.VerifiedAt, g.VerifyNotes, g.VerifyPhotos = hailurah.GrantVerified, "rina", &now, "Usaha ada.", []string{"a.jpg"}
		project(t, db, g, 2, hailurah.GrantActionVerify, nil)
		g.Status, g.DecidedBy, g.ApprovedAt = hailurah.GrantApproved, "irfa", &now
		project(t, db, g, 3, hailurah.GrantActionApprove, nil)
		g.Status, g.DisbursedBy, g.DisbursedAt, g.DisbursementRef = hailurah.GrantDisbursed, "admin", &now, "TRF-001"
		due := now.Add(30 * 24 * time.Hour)
		g.Checkins = []hailurah.GrantCheckin{{N: 1, Due: due}, {N: 2, Due: due.Add(30 * 24 * time.Hour)}}
		project(t, db, g, 4, hailurah.GrantActionDisburse, nil)
		// A retry of the same projection credits the household once.
		project(t, db, g, 4, hailurah.GrantActionDisburse, nil)
		if h, _ := db.FindHousehold(ctx, "TMN-001"); h.ModalReceived != 2_500_000 {
			t.Fatalf("modal_received = %d, want the grant once", h.ModalReceived)
		}
		if b := budget(t, db, "taman"); b.Disbursed != 2_500_000 || b.Reserved != 2_500_000 {
			t.Fatalf("budget after disbursement: %+v", b)
		}

		omzet, income := int64(1_600_000), int64(1_000_000)
		g.Checkins[0].At, g.Checkins[0].Omzet, g.Checkins[0].Income, g.Checkins[0].By = &due, &omzet, &income, "rina"
		g.LatestOmzet, g.LatestIncome = &omzet, &income
		g.OmzetChangePct, g.IncomeChangePct = hailurah.ChangePct(g.BaselineOmzet, omzet), hailurah.ChangePct(g.BaselineIncome, income)
		ci := &hailurah.HouseholdCheckin{Key: g.ID + "/checkin/1", HouseholdID: "TMN-001", At: due, Omzet: omzet, Income: &income,
			Source: hailurah.CheckinGrant, GrantID: g.ID, By: "rina"}
		project(t, db, g, 5, hailurah.GrantActionCheckin, ci)

		// A stale write (a late retry of version 3) changes nothing.
		stale := *g
		stale.Status, stale.Checkins = hailurah.GrantApproved, nil
		project(t, db, &stale, 3, hailurah.GrantActionApprove, nil)

		got, err := db.FindGrant(ctx, g.ID)
		mustOK(t, err)
		if got.Status != hailurah.GrantDisbursed || got.Version != 5 || got.DisbursementRef != "TRF-001" ||
			got.VerifyPhotos[0] != "a.jpg" || len(got.Checkins) != 2 || got.Checkins[0].Omzet == nil ||
			*got.Checkins[0].Omzet != omzet || !got.Checkins[0].Due.Equal(due) || got.Checkins[1].At != nil ||
			*got.OmzetChangePct != 60 || *got.IncomeChangePct != 25 {
			t.Fatalf("projected grant: %+v", got)
		}
		events, err := db.ListGrantEvents(ctx, g.ID)
		mustOK(t, err)
		if len(events) != 5 || events[0].Type != hailurah.EventGrantApplied || events[4].Type != hailurah.GrantActionCheckin {
			t.Fatalf("timeline: %d events %+v", len(events), events)
		}
		if h, _ := db.FindHousehold(ctx, "TMN-001"); h.OmzetMonthly != omzet {
			t.Fatalf("the grant's check-in updates the household's omzet: %d", h.OmzetMonthly)
		}
		checkins, _ := db.ListCheckins(ctx, "TMN-001")
		if len(checkins) != 1 || checkins[0].GrantID != g.ID {
			t.Fatalf("check-ins: %+v", checkins)
		}

		// A rejection gives the reservation back, once.
		r, err := apply(t, db, "TMN-002", 1_000_000)
		mustOK(t, err)
		project(t, db, r, 1, hailurah.EventGrantApplied, nil)
		r.Status, r.DecidedBy, r.RejectedAt, r.RejectReason = hailurah.GrantRejected, "irfa", &now, "Usaha belum berjalan."
		project(t, db, r, 2, hailurah.GrantActionReject, nil)
		project(t, db, r, 2, hailurah.GrantActionReject, nil)
		if b := budget(t, db, "taman"); b.Reserved != 2_500_000 {
			t.Fatalf("after rejection: %+v", b)
		}
		wantCode(t, db.CancelGrant(ctx, g.ID), hailurah.ECONFLICT, "")
		// The household may apply again once its grant is final.
		if _, err := apply(t, db, "TMN-002", 1_000_000); err != nil {
			t.Fatalf("apply after rejection: %v", err)
		}

		missing := &hailurah.Grant{ID: "HB-2026-999999", Status: hailurah.GrantApplied, Version: 1}
		wantCode(t, db.ProjectGrant(ctx, &hailurah.GrantProjection{Grant: missing}), hailurah.ENOTFOUND, "")
		bad := *g
		bad.Status = "lost"
		wantCode(t, db.ProjectGrant(ctx, &hailurah.GrantProjection{Grant: &bad}), hailurah.EINVALID, "status")
	})
}

func TestListGrantsDTKSFirst(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		clk := useClock(db)
		setBudget(t, db, "taman", 150_000_000)
		setBudget(t, db, "nambangan", 150_000_000)
		mustImport(t, db, "taman", rows(household("TMN-001", false), household("TMN-002", true), household("TMN-003", false), household("TMN-004", true)))
		mustImport(t, db, "nambangan", rows(household("NMB-001", true)))
		for _, h := range []string{"TMN-001", "TMN-002", "TMN-003", "TMN-004", "NMB-001"} {
			_, err := apply(t, db, h, 1_000_000)
			mustOK(t, err)
			clk.Advance(time.Minute)
		}
		list, err := db.ListGrants(t.Context(), hailurah.GrantFilter{Kelurahan: "taman", Statuses: []hailurah.GrantStatus{hailurah.GrantApplied}})
		mustOK(t, err)
		var got []string
		for _, g := range list {
			got = append(got, g.HouseholdID)
		}
		if fmt.Sprint(got) != "[TMN-002 TMN-004 TMN-001 TMN-003]" {
			t.Fatalf("queue order %v: DTKS first, then by application time", got)
		}
		all, _ := db.ListGrants(t.Context(), hailurah.GrantFilter{})
		if len(all) != 5 {
			t.Fatalf("city-wide: %d", len(all))
		}
		one, _ := db.ListGrants(t.Context(), hailurah.GrantFilter{HouseholdID: "NMB-001"})
		if len(one) != 1 {
			t.Fatalf("by household: %d", len(one))
		}
		_, err = db.ListGrants(t.Context(), hailurah.GrantFilter{Statuses: []hailurah.GrantStatus{"x"}})
		wantCode(t, err, hailurah.EINVALID, "status")
	})
}

// TestGrantBudgetRace applies for more than the budget holds from many
// goroutines at once: exactly as many applications as fit succeed, the
// rest get ECONFLICT, and the reservation never passes the budget. On
// Postgres the goroutines run on separate connections, so the conditional
// UPDATE is what keeps them apart; SQLite serialises writers anyway.
func TestGrantBudgetRace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		const (
			households = 30
			amount     = 3_000_000
			fits       = 10
		)
		setBudget(t, db, "taman", fits*amount+amount/2)
		var hs []*hailurah.Household
		for i := range households {
			hs = append(hs, household(fmt.Sprintf("TMN-%03d", i), i%2 == 0))
		}
		mustImport(t, db, "taman", rows(hs...))

		var (
			wg        sync.WaitGroup
			mu        sync.Mutex
			ok, short int
			other     []error
		)
		start := make(chan struct{})
		for i := range households {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				g := &hailurah.Grant{HouseholdID: hs[i].ID, Amount: amount, Purpose: hailurah.PurposeModal, Plan: plan, AppliedBy: "rina"}
				err := db.CreateGrant(t.Context(), g)
				mu.Lock()
				defer mu.Unlock()
				switch hailurah.ErrorCode(err) {
				case "":
					ok++
				case hailurah.ECONFLICT:
					short++
				default:
					other = append(other, err)
				}
			}()
		}
		close(start)
		wg.Wait()
		if len(other) > 0 || ok != fits || short != households-fits {
			t.Fatalf("%d succeeded, %d refused for the budget, other errors %v; want %d and %d", ok, short, other, fits, households-fits)
		}
		b := budget(t, db, "taman")
		if b.Reserved != fits*amount || b.Available != amount/2 {
			t.Fatalf("budget after the race: %+v", b)
		}
		list, _ := db.ListGrants(t.Context(), hailurah.GrantFilter{Kelurahan: "taman"})
		var sum int64
		for _, g := range list {
			sum += g.Amount
		}
		if len(list) != fits || sum != b.Reserved {
			t.Fatalf("%d grants holding %d, reserved %d", len(list), sum, b.Reserved)
		}
	})
}

// TestGrantOneActivePerHouseholdRace sends the same household's
// application many times at once: one grant, one reservation.
func TestGrantOneActivePerHouseholdRace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		setBudget(t, db, "taman", 150_000_000)
		mustImport(t, db, "taman", rows(household("TMN-001", true)))
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		start := make(chan struct{})
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				g := &hailurah.Grant{HouseholdID: "TMN-001", Amount: 1_000_000, Purpose: hailurah.PurposeModal, Plan: plan, AppliedBy: "rina"}
				errs <- db.CreateGrant(t.Context(), g)
			}()
		}
		close(start)
		wg.Wait()
		close(errs)
		ok := 0
		for err := range errs {
			switch hailurah.ErrorCode(err) {
			case "":
				ok++
			case hailurah.ECONFLICT:
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}
		if b := budget(t, db, "taman"); ok != 1 || b.Reserved != 1_000_000 {
			t.Fatalf("%d applications succeeded, reserved %d; want exactly one", ok, b.Reserved)
		}
	})
}
