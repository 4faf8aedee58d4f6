package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/storetest"
)

func date(y int, m time.Month, d int) *time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return &t
}

func household(id string, dtks bool) *hailurah.Household {
	return &hailurah.Household{
		ID: id, NamaKepalaKeluarga: "Kepala " + id, AlamatRTRW: "RT03/RW02", RT: "03", RW: "02", DTKS: dtks,
		PotensiUsaha: "Warung", Pelatihan: []string{"Wirausaha dasar"}, ModalReceived: 0, OmzetMonthly: 1_000_000,
		DateUpdated: date(2026, 3, 1), BaselineIncome: 800_000, Vulnerability: []string{hailurah.VulnerableLansia},
	}
}

func rows(hs ...*hailurah.Household) []hailurah.ImportRow {
	out := make([]hailurah.ImportRow, len(hs))
	for i, h := range hs {
		c := *h
		out[i] = hailurah.ImportRow{Line: i + 2, Household: &c}
	}
	return out
}

func mustImport(t *testing.T, db *store.DB, kelurahan string, r []hailurah.ImportRow) *hailurah.ImportResult {
	t.Helper()
	res, err := db.ImportHouseholds(t.Context(), kelurahan, r)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	return res
}

func wantCounts(t *testing.T, res *hailurah.ImportResult, imported, updated, unchanged, errors int) {
	t.Helper()
	if res.Imported != imported || res.Updated != updated || res.Unchanged != unchanged || len(res.Errors) != errors {
		t.Fatalf("import result = %d imported, %d updated, %d unchanged, errors %v; want %d, %d, %d, %d errors",
			res.Imported, res.Updated, res.Unchanged, res.Errors, imported, updated, unchanged, errors)
	}
}

func TestImportHouseholds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		ctx := t.Context()
		a, b, c := household("TMN-001", true), household("TMN-002", false), household("TMN-003", true)
		c.Pelatihan, c.Vulnerability, c.DateUpdated = nil, nil, nil

		wantCounts(t, mustImport(t, db, "taman", rows(a, b, c)), 3, 0, 0, 0)
		got, err := db.FindHousehold(ctx, "TMN-001")
		mustOK(t, err)
		if got.Kelurahan != "taman" || got.NamaKepalaKeluarga != "Kepala TMN-001" || !got.DTKS || got.RT != "03" ||
			got.OmzetMonthly != 1_000_000 || got.BaselineIncome != 800_000 || !got.DateUpdated.Equal(*date(2026, 3, 1)) ||
			len(got.Pelatihan) != 1 || got.Vulnerability[0] != hailurah.VulnerableLansia {
			t.Fatalf("stored household: %+v", got)
		}
		if got, _ := db.FindHousehold(ctx, "TMN-003"); got.Pelatihan != nil || got.DateUpdated != nil {
			t.Fatalf("empty lists and dates read back as empty: %+v", got)
		}

		// The same file again changes nothing.
		wantCounts(t, mustImport(t, db, "taman", rows(a, b, c)), 0, 0, 3, 0)

		// One changed row is updated; the others stay.
		b2 := *b
		b2.OmzetMonthly, b2.UMKMOnboarded = 1_750_000, true
		wantCounts(t, mustImport(t, db, "taman", rows(a, &b2, c)), 0, 1, 2, 0)
		if got, _ := db.FindHousehold(ctx, "TMN-002"); got.OmzetMonthly != 1_750_000 || !got.UMKMOnboarded {
			t.Fatalf("update lost: %+v", got)
		}

		// A sheet without the optional columns keeps what they held.
		a2 := *a
		a2.BaselineIncome, a2.Vulnerability = 0, nil
		r := rows(&a2)
		r[0].Absent = []string{"baseline_income", "kelompok_rentan"}
		wantCounts(t, mustImport(t, db, "taman", r), 0, 0, 1, 0)
		if got, _ := db.FindHousehold(ctx, "TMN-001"); got.BaselineIncome != 800_000 || len(got.Vulnerability) != 1 {
			t.Fatalf("absent columns blanked stored values: %+v", got)
		}

		// Another kelurahan cannot take over a household; its own rows import.
		other := household("NMB-001", false)
		res := mustImport(t, db, "nambangan", rows(a, other))
		wantCounts(t, res, 1, 0, 0, 1)
		if e := res.Errors[0]; e.Line != 2 || e.Column != "household_id" || e.Reason == "" {
			t.Fatalf("conflict error: %+v", e)
		}
		if got, _ := db.FindHousehold(ctx, "TMN-001"); got.Kelurahan != "taman" {
			t.Fatalf("household moved: %+v", got)
		}

		// An invalid row that reached the store is reported, not written.
		bad := household("TMN-004", false)
		bad.RT = "abc"
		res = mustImport(t, db, "taman", rows(bad))
		wantCounts(t, res, 0, 0, 0, 1)
		if res.Errors[0].Column != "alamat_rt_rw" {
			t.Fatalf("validation error: %+v", res.Errors[0])
		}

		_, err = db.ImportHouseholds(ctx, "atlantis", rows(a))
		wantCode(t, err, hailurah.EINVALID, "kelurahan")
		_, err = db.FindHousehold(ctx, "TMN-999")
		wantCode(t, err, hailurah.ENOTFOUND, "")
	})
}

func TestImportManyHouseholds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		var hs []*hailurah.Household
		for i := range 1200 {
			hs = append(hs, household(fmt.Sprintf("TMN-%04d", i), i%3 == 0))
		}
		wantCounts(t, mustImport(t, db, "taman", rows(hs...)), 1200, 0, 0, 0)
		wantCounts(t, mustImport(t, db, "taman", rows(hs...)), 0, 0, 1200, 0)
	})
}

func TestListHouseholds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		ctx := t.Context()
		a, b, c := household("TMN-001", true), household("TMN-002", false), household("TMN-010", true)
		b.RT, b.RW, b.AlamatRTRW, b.NamaKepalaKeluarga = "05", "01", "RT05/RW01", "Siti_50%"
		c.UMKMOnboarded = true
		mustImport(t, db, "taman", rows(a, b, c))
		mustImport(t, db, "nambangan", rows(household("NMB-001", true)))

		ids := func(f hailurah.HouseholdFilter) ([]string, int) {
			t.Helper()
			page, err := db.ListHouseholds(ctx, f)
			mustOK(t, err)
			var out []string
			for _, h := range page.Items {
				out = append(out, h.ID)
			}
			return out, page.Total
		}
		yes, no := true, false
		for name, tt := range map[string]struct {
			f     hailurah.HouseholdFilter
			want  string
			total int
		}{
			"kelurahan":       {hailurah.HouseholdFilter{Kelurahan: "taman"}, "[TMN-001 TMN-002 TMN-010]", 3},
			"city":            {hailurah.HouseholdFilter{}, "[NMB-001 TMN-001 TMN-002 TMN-010]", 4},
			"dtks":            {hailurah.HouseholdFilter{Kelurahan: "taman", DTKS: &yes}, "[TMN-001 TMN-010]", 2},
			"not dtks":        {hailurah.HouseholdFilter{Kelurahan: "taman", DTKS: &no}, "[TMN-002]", 1},
			"umkm":            {hailurah.HouseholdFilter{UMKM: &yes}, "[TMN-010]", 1},
			"rt rw":           {hailurah.HouseholdFilter{RT: "05", RW: "01"}, "[TMN-002]", 1},
			"q by id":         {hailurah.HouseholdFilter{Q: "tmn-01"}, "[TMN-010]", 1},
			"q wildcard text": {hailurah.HouseholdFilter{Q: "_50%"}, "[TMN-002]", 1},
			"page":            {hailurah.HouseholdFilter{Kelurahan: "taman", Limit: 2, Offset: 1}, "[TMN-002 TMN-010]", 3},
			"no limit":        {hailurah.HouseholdFilter{Limit: -1}, "[NMB-001 TMN-001 TMN-002 TMN-010]", 4},
		} {
			got, total := ids(tt.f)
			if fmt.Sprint(got) != tt.want || total != tt.total {
				t.Errorf("%s: %v (total %d), want %s (total %d)", name, got, total, tt.want, tt.total)
			}
		}
		_, err := db.ListHouseholds(ctx, hailurah.HouseholdFilter{Limit: 501})
		wantCode(t, err, hailurah.EINVALID, "limit")
		_, err = db.ListHouseholds(ctx, hailurah.HouseholdFilter{Offset: -1})
		wantCode(t, err, hailurah.EINVALID, "offset")
	})
}

func TestMembersAndCheckins(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		ctx := t.Context()
		mustImport(t, db, "taman", rows(household("TMN-001", true)))

		m := &hailurah.HouseholdMember{HouseholdID: "TMN-001", Name: " Siti  Aminah ", Gender: hailurah.GenderPerempuan, Age: 34}
		mustOK(t, db.AddMember(ctx, m))
		if m.ID == 0 || m.Name != "Siti Aminah" || !m.Youth() {
			t.Fatalf("member: %+v", m)
		}
		// The same name again updates the member instead of adding one.
		again := &hailurah.HouseholdMember{HouseholdID: "TMN-001", Name: "Siti Aminah", Gender: hailurah.GenderPerempuan, Age: 36}
		mustOK(t, db.AddMember(ctx, again))
		if again.ID != m.ID || again.Age != 36 {
			t.Fatalf("re-recorded member: %+v, first %+v", again, m)
		}
		mustOK(t, db.AddMember(ctx, &hailurah.HouseholdMember{HouseholdID: "TMN-001", Name: "Budi", Gender: hailurah.GenderLakiLaki, Age: 40}))
		members, err := db.ListMembers(ctx, "TMN-001")
		mustOK(t, err)
		if len(members) != 2 || members[0].Name != "Budi" || members[1].Age != 36 {
			t.Fatalf("members: %+v", members)
		}
		found, err := db.FindMember(ctx, m.ID)
		mustOK(t, err)
		if found.HouseholdID != "TMN-001" {
			t.Fatalf("find member: %+v", found)
		}
		_, err = db.FindMember(ctx, 999)
		wantCode(t, err, hailurah.ENOTFOUND, "")
		wantCode(t, db.AddMember(ctx, &hailurah.HouseholdMember{HouseholdID: "TMN-404", Name: "X", Gender: "P", Age: 20}), hailurah.ENOTFOUND, "")
		wantCode(t, db.AddMember(ctx, &hailurah.HouseholdMember{HouseholdID: "TMN-001", Name: "X", Gender: "W", Age: 20}), hailurah.EINVALID, "gender")

		income := int64(1_200_000)
		c1 := &hailurah.HouseholdCheckin{Key: "visit/1", HouseholdID: "TMN-001", At: time.Date(2026, 4, 1, 3, 0, 0, 0, time.UTC),
			Omzet: 1_500_000, Income: &income, Source: hailurah.CheckinFasilitator, By: "rina"}
		mustOK(t, db.AddCheckin(ctx, c1))
		// The same key again is the same check-in, whatever it says.
		dup := &hailurah.HouseholdCheckin{Key: "visit/1", HouseholdID: "TMN-001", Omzet: 9, Source: hailurah.CheckinFasilitator}
		mustOK(t, db.AddCheckin(ctx, dup))
		if dup.ID != c1.ID || dup.Omzet != 1_500_000 {
			t.Fatalf("retried check-in: %+v", dup)
		}
		// A visit recorded late, dated earlier, does not become the latest.
		mustOK(t, db.AddCheckin(ctx, &hailurah.HouseholdCheckin{Key: "visit/0", HouseholdID: "TMN-001",
			At: time.Date(2026, 3, 15, 3, 0, 0, 0, time.UTC), Omzet: 1_100_000, Source: hailurah.CheckinFasilitator}))
		list, err := db.ListCheckins(ctx, "TMN-001")
		mustOK(t, err)
		if len(list) != 2 || list[0].Key != "visit/0" || *list[1].Income != income {
			t.Fatalf("check-ins: %+v", list)
		}
		if h, _ := db.FindHousehold(ctx, "TMN-001"); h.OmzetMonthly != 1_500_000 {
			t.Fatalf("household omzet = %d, want the latest check-in's", h.OmzetMonthly)
		}
		wantCode(t, db.AddCheckin(ctx, &hailurah.HouseholdCheckin{Key: "x", HouseholdID: "TMN-404", Source: hailurah.CheckinFasilitator}), hailurah.ENOTFOUND, "")
		wantCode(t, db.AddCheckin(ctx, &hailurah.HouseholdCheckin{Key: "x", HouseholdID: "TMN-001", Omzet: -1, Source: hailurah.CheckinFasilitator}), hailurah.EINVALID, "omzet")
	})
}
