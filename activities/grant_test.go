package activities_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/activities"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/storetest"
)

// grantFixture is the real store with a kelurahan, its staff, a household
// and one applied grant.
func grantFixture(t *testing.T, db *store.DB) (*activities.GrantActivities, *hailurah.Grant) {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.UpsertKelurahan(ctx, &hailurah.Kelurahan{Code: "taman", Name: "Taman", GrantBudget: 150_000_000}))
	must(db.UpsertKelurahan(ctx, &hailurah.Kelurahan{Code: "demangan", Name: "Demangan"}))
	for _, u := range []hailurah.User{
		{Username: "rina", Name: "Rina", Role: hailurah.RoleFasilitator, Kelurahan: "taman"},
		{Username: "irfa", Name: "Irfa Darojat", Role: hailurah.RoleLurah, Kelurahan: "taman"},
		{Username: "admin", Name: "Admin", Role: hailurah.RoleAdmin},
	} {
		must(db.CreateUser(ctx, &u, "sandi-rahasia-1"))
	}
	_, err := db.ImportHouseholds(ctx, "taman", []hailurah.ImportRow{{Line: 2, Household: &hailurah.Household{
		ID: "TMN-001", NamaKepalaKeluarga: "Siti Aminah", RT: "03", RW: "02", DTKS: true, OmzetMonthly: 1_000_000}}})
	must(err)
	g := &hailurah.Grant{HouseholdID: "TMN-001", Amount: 2_000_000, Purpose: hailurah.PurposeAlat,
		Plan: "Membeli oven kue dan loyang untuk usaha kue basah.", AppliedBy: "rina"}
	must(db.CreateGrant(ctx, g))
	return &activities.GrantActivities{Grants: db, Notifications: db, Kelurahan: db,
		BaseURL: "https://hailurah.example.id/", Logger: slog.New(slog.DiscardHandler)}, g
}

func TestProjectGrantActivity(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		acts, g := grantFixture(t, db)
		ctx := context.Background()
		g.Version = 1
		p := hailurah.GrantProjection{Grant: g, Event: &hailurah.GrantEvent{Key: g.ID + "/1", GrantID: g.ID, Seq: 1,
			Type: hailurah.EventGrantApplied, Actor: "rina", To: hailurah.GrantApplied}}
		for range 2 { // a retry after a lost response
			if err := acts.ProjectGrant(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		events, err := db.ListGrantEvents(ctx, g.ID)
		if err != nil || len(events) != 1 {
			t.Fatalf("events after a retried projection: %v %v", events, err)
		}
		if err := acts.ProjectGrant(ctx, hailurah.GrantProjection{}); !nonRetryable(err) {
			t.Fatalf("a projection without a grant must not be retried: %v", err)
		}
		missing := *g
		missing.ID = "HB-2026-999999"
		if err := acts.ProjectGrant(ctx, hailurah.GrantProjection{Grant: &missing}); !nonRetryable(err) {
			t.Fatalf("an unknown grant must not be retried: %v", err)
		}
	})
}

func TestNotifyGrantActivity(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		acts, g := grantFixture(t, db)
		ctx := context.Background()
		due := time.Date(2026, 7, 8, 2, 0, 0, 0, time.UTC)
		g.VerifyDue = &due
		in := activities.GrantNotifyInput{Key: g.ID + "/grant_to_verify/1", Kind: hailurah.NotifyGrantToVerify,
			To:    []hailurah.Audience{{Role: hailurah.RoleFasilitator, Kelurahan: "taman"}, {Role: hailurah.RoleLurah, Kelurahan: "demangan"}},
			Grant: *g}
		for range 2 {
			if err := acts.NotifyGrant(ctx, in); err != nil {
				t.Fatal(err)
			}
		}
		list, err := db.ListNotifications(ctx, "rina", 10)
		if err != nil || len(list) != 1 {
			t.Fatalf("the fasilitator's notifications: %v %v", list, err)
		}
		n := list[0]
		for _, want := range []string{"Siti Aminah", "TMN-001", "DTKS", "Kel. Taman", "Rp 2.000.000", "Alat produksi", "08-07-2026 09:00 WIB"} {
			if !strings.Contains(n.Body, want) {
				t.Errorf("body lacks %q:\n%s", want, n.Body)
			}
		}
		if n.Title != "Hibah baru untuk diverifikasi: "+g.ID || n.Link != "https://hailurah.example.id/hibah/"+g.ID || n.Kind != hailurah.NotifyGrantToVerify {
			t.Errorf("notification: %+v", n)
		}
		if other, _ := db.ListNotifications(ctx, "irfa", 10); len(other) != 0 {
			t.Errorf("the lurah of taman got a notification addressed to the fasilitator: %+v", other)
		}

		in.Kind = "grant_lost"
		if err := acts.NotifyGrant(ctx, in); !nonRetryable(err) {
			t.Fatalf("an unknown kind must not be retried: %v", err)
		}
	})
}

// TestComposeEveryGrantNotification: every kind the workflow sends has a
// title and a body, with the figures its reader needs.
func TestComposeEveryGrantNotification(t *testing.T) {
	db := storetest.Open(t)
	acts, g := grantFixture(t, db)
	now := time.Date(2026, 8, 1, 2, 0, 0, 0, time.UTC)
	omzet, income, pct := int64(1_500_000), int64(1_600_000), 50.0
	g.DisbursedAt, g.ProofDue, g.AuditAt, g.DisbursementRef = &now, &now, &now, "TRF-1"
	g.LatestOmzet, g.LatestIncome, g.OmzetChangePct, g.AuditFlag = &omzet, &income, &pct, true
	wants := map[string][]string{
		hailurah.NotifyGrantToVerify:      {"diverifikasi"},
		hailurah.NotifyGrantToApprove:     {"persetujuan Lurah"},
		hailurah.NotifyGrantToDisburse:    {"siap dicairkan"},
		hailurah.NotifyGrantRejected:      {"ditolak", "dikembalikan"},
		hailurah.NotifyGrantCancelled:     {"dibatalkan", "operator"},
		hailurah.NotifyGrantDisbursed:     {"TRF-1", "bukti penggunaan"},
		hailurah.NotifyGrantReminder:      {"Pengingat ke-2", "verifikasi lapangan", "atasan"},
		hailurah.NotifyGrantProofReminder: {"Bukti penggunaan"},
		hailurah.NotifyGrantAudit:         {"Audit"},
		hailurah.NotifyGrantCheckinDue:    {"Check-in omzet ke-2", "terlambat"},
		hailurah.NotifyGrantCheckinMissed: {"terlewat"},
		hailurah.NotifyGrantCompleted:     {"selesai", "Rp 1.000.000 → Rp 1.500.000 (+50.0%)", "tanpa pembanding", "audit"},
	}
	for kind := range wants {
		in := activities.GrantNotifyInput{Key: g.ID + "/" + kind, Kind: kind, Grant: *g, Step: hailurah.GrantActionVerify,
			Level: 2, Checkin: 2, To: []hailurah.Audience{{Role: hailurah.RoleAdmin}}}
		if err := acts.NotifyGrant(context.Background(), in); err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
	}
	list, err := db.ListNotifications(context.Background(), "admin", 50)
	if err != nil || len(list) != len(wants) {
		t.Fatalf("admin's notifications: %d %v", len(list), err)
	}
	for _, n := range list {
		text := n.Title + "\n" + n.Body
		for _, want := range wants[n.Kind] {
			if !strings.Contains(text, want) {
				t.Errorf("%s lacks %q:\n%s", n.Kind, want, text)
			}
		}
	}
}
