package store_test

import (
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/storetest"
)

func member(t *testing.T, db *store.DB, household, name, gender string, age int) *hailurah.HouseholdMember {
	t.Helper()
	m := &hailurah.HouseholdMember{HouseholdID: household, Name: name, Gender: gender, Age: age}
	mustOK(t, db.AddMember(t.Context(), m))
	return m
}

func TestTrainingAttendance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		ctx := t.Context()
		mustImport(t, db, "taman", rows(household("TMN-001", true)))
		mustImport(t, db, "nambangan", rows(household("NMB-001", true)))
		siti := member(t, db, "TMN-001", "Siti", "P", 30)
		budi := member(t, db, "TMN-001", "Budi", "L", 41)
		ani := member(t, db, "NMB-001", "Ani", "P", 22)

		tr := &hailurah.Training{Kelurahan: "taman", Title: "Digital marketing", Topic: "WhatsApp Bisnis",
			HeldOn: time.Date(2026, 4, 2, 9, 0, 0, 0, time.FixedZone("WIB", 7*3600)), Certifying: true, CreatedBy: "rina"}
		mustOK(t, db.CreateTraining(ctx, tr))
		if tr.ID == 0 || tr.HeldOn.Format(time.DateOnly) != "2026-04-02" {
			t.Fatalf("training: %+v", tr)
		}
		mustOK(t, db.RecordAttendance(ctx, tr.ID, []hailurah.TrainingAttendance{
			{MemberID: siti.ID, Attended: true, Certified: true},
			{MemberID: budi.ID, Attended: true},
		}))
		// Recording again updates: Budi is certified after all.
		mustOK(t, db.RecordAttendance(ctx, tr.ID, []hailurah.TrainingAttendance{{MemberID: budi.ID, Attended: true, Certified: true}}))

		// A member of another kelurahan makes the whole list fail.
		err := db.RecordAttendance(ctx, tr.ID, []hailurah.TrainingAttendance{{MemberID: siti.ID, Attended: false}, {MemberID: ani.ID, Attended: true}})
		wantCode(t, err, hailurah.EINVALID, "member_id")
		err = db.RecordAttendance(ctx, tr.ID, []hailurah.TrainingAttendance{{MemberID: siti.ID, Attended: false, Certified: true}})
		wantCode(t, err, hailurah.EINVALID, "attendance")
		wantCode(t, db.RecordAttendance(ctx, 999, []hailurah.TrainingAttendance{{MemberID: siti.ID}}), hailurah.ENOTFOUND, "")
		wantCode(t, db.RecordAttendance(ctx, tr.ID, nil), hailurah.EINVALID, "attendance")

		p, err := db.HouseholdParticipation(ctx, "TMN-001")
		mustOK(t, err)
		if len(p.Trainings) != 2 {
			t.Fatalf("trainings: %+v", p.Trainings)
		}
		for _, r := range p.Trainings {
			// Siti's attendance was not changed by the failed list.
			if !r.Attendance.Attended || !r.Attendance.Certified || r.Training.Title != "Digital marketing" || r.MemberName == "" {
				t.Errorf("record: %+v", r)
			}
		}

		plain := &hailurah.Training{Kelurahan: "taman", Title: "Wirausaha dasar", HeldOn: time.Date(2026, 4, 3, 0, 0, 0, 0, time.UTC)}
		mustOK(t, db.CreateTraining(ctx, plain))
		err = db.RecordAttendance(ctx, plain.ID, []hailurah.TrainingAttendance{{MemberID: siti.ID, Attended: true, Certified: true}})
		wantCode(t, err, hailurah.EINVALID, "attendance")

		list, err := db.ListTrainings(ctx, "taman")
		mustOK(t, err)
		if len(list) != 2 || list[0].ID != plain.ID {
			t.Fatalf("trainings latest first: %+v", list)
		}
		wantCode(t, db.CreateTraining(ctx, &hailurah.Training{Kelurahan: "atlantis", Title: "X", HeldOn: time.Now()}), hailurah.EINVALID, "kelurahan")
		wantCode(t, db.CreateTraining(ctx, &hailurah.Training{Kelurahan: "taman", Title: " ", HeldOn: time.Now()}), hailurah.EINVALID, "title")
	})
}

func TestPadatKaryaAndMarketplace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		ctx := t.Context()
		mustImport(t, db, "taman", rows(household("TMN-001", true)))
		siti := member(t, db, "TMN-001", "Siti", "P", 30)
		budi := member(t, db, "TMN-001", "Budi", "L", 41)

		p := &hailurah.PadatKaryaProject{Kelurahan: "taman", Name: "Paving gang RT03", Location: "RW02",
			StartDate: time.Date(2026, 5, 4, 0, 0, 0, 0, time.UTC)}
		mustOK(t, db.CreatePadatKarya(ctx, p))
		if p.ID == 0 || p.WagePerDay != hailurah.DefaultPadatKaryaWage {
			t.Fatalf("project takes the seed's wage: %+v", p)
		}
		mustOK(t, db.RecordWorkers(ctx, p.ID, []hailurah.PadatKaryaWorker{{MemberID: siti.ID, Days: 5}, {MemberID: budi.ID, Days: 3, WagePerDay: 120_000}}))
		wantCode(t, db.RecordWorkers(ctx, p.ID, []hailurah.PadatKaryaWorker{{MemberID: siti.ID, Days: 0}}), hailurah.EINVALID, "days")
		end := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
		wantCode(t, db.CreatePadatKarya(ctx, &hailurah.PadatKaryaProject{Kelurahan: "taman", Name: "X", StartDate: p.StartDate, EndDate: &end}), hailurah.EINVALID, "end_date")

		o := &hailurah.MarketplaceOnboarding{HouseholdID: "TMN-001", Platform: "Toko Warga Taman", ShopURL: "https://toko.example/siti",
			OnboardedOn: time.Date(2026, 5, 10, 0, 0, 0, 0, time.UTC), CreatedBy: "rina"}
		mustOK(t, db.AddMarketplaceOnboarding(ctx, o))
		again := &hailurah.MarketplaceOnboarding{HouseholdID: "TMN-001", Platform: "Toko Warga Taman", OnboardedOn: o.OnboardedOn}
		mustOK(t, db.AddMarketplaceOnboarding(ctx, again))
		if again.ID != o.ID {
			t.Fatalf("the same platform again is the same onboarding: %d vs %d", again.ID, o.ID)
		}
		if h, _ := db.FindHousehold(ctx, "TMN-001"); !h.UMKMOnboarded {
			t.Fatal("onboarding marks the household umkm_onboarded")
		}
		wantCode(t, db.AddMarketplaceOnboarding(ctx, &hailurah.MarketplaceOnboarding{HouseholdID: "TMN-404", Platform: "X", OnboardedOn: o.OnboardedOn}), hailurah.ENOTFOUND, "")

		part, err := db.HouseholdParticipation(ctx, "TMN-001")
		mustOK(t, err)
		var wages int64
		for _, w := range part.PadatKarya {
			wages += w.Worker.Wages()
		}
		if len(part.PadatKarya) != 2 || wages != 5*100_000+3*120_000 || len(part.Marketplace) != 1 {
			t.Fatalf("participation: %d works, wages %d, %d onboardings", len(part.PadatKarya), wages, len(part.Marketplace))
		}
	})
}
