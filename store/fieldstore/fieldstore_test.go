package fieldstore_test

import (
	"errors"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/fieldstore"
	"github.com/hailurah/hailurah/store/storetest"
)

func mustOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantCode(t *testing.T, err error, code, field string) {
	t.Helper()
	if hailurah.ErrorCode(err) != code {
		t.Fatalf("error %v, want %s", err, code)
	}
	var e *hailurah.Error
	if field != "" && (!errors.As(err, &e) || e.Field != field) {
		t.Fatalf("error %v, want it about %s", err, field)
	}
}

var day0 = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

// setup makes two kelurahan with households: Taman's TMN-1 (DTKS, omzet
// 1.000.000), TMN-2 (omzet 0) and TMN-3 (omzet 500.000); Demangan's
// DMG-1. Each has one member.
func setup(t *testing.T, db *store.DB) map[string]*hailurah.HouseholdMember {
	t.Helper()
	ctx := t.Context()
	at := day0.Add(9 * time.Hour)
	db.SetNow(func() time.Time { return at })
	mustOK(t, db.UpsertKelurahan(ctx, &hailurah.Kelurahan{Code: "taman", Name: "Taman", Kota: "Madiun"}))
	mustOK(t, db.UpsertKelurahan(ctx, &hailurah.Kelurahan{Code: "demangan", Name: "Demangan", Kota: "Madiun"}))
	hh := func(id string, dtks bool, omzet int64) *hailurah.Household {
		return &hailurah.Household{ID: id, NamaKepalaKeluarga: "Kepala " + id, AlamatRTRW: "RT01/RW01", RT: "01", RW: "01",
			DTKS: dtks, OmzetMonthly: omzet}
	}
	imp := func(kel string, hs ...*hailurah.Household) {
		var rows []hailurah.ImportRow
		for i, h := range hs {
			rows = append(rows, hailurah.ImportRow{Line: i + 2, Household: h})
		}
		res, err := db.ImportHouseholds(ctx, kel, rows)
		mustOK(t, err)
		if len(res.Errors) > 0 {
			t.Fatalf("import: %v", res.Errors)
		}
	}
	imp("taman", hh("TMN-1", true, 1_000_000), hh("TMN-2", false, 0), hh("TMN-3", false, 500_000))
	imp("demangan", hh("DMG-1", true, 2_000_000))
	out := map[string]*hailurah.HouseholdMember{}
	for _, m := range []*hailurah.HouseholdMember{
		{HouseholdID: "TMN-1", Name: "Sri Wahyuni", Gender: "P", Age: 34},
		{HouseholdID: "TMN-2", Name: "Budi Santoso", Gender: "L", Age: 41},
		{HouseholdID: "TMN-3", Name: "Siti Aminah", Gender: "P", Age: 22},
		{HouseholdID: "DMG-1", Name: "Joko", Gender: "L", Age: 30},
	} {
		mustOK(t, db.AddMember(ctx, m))
		out[m.HouseholdID] = m
	}
	return out
}

func TestSearchMembersAndLists(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		m := setup(t, db)
		fs := fieldstore.New(db)
		all, err := fs.SearchMembers(ctx, "taman", "", 100)
		mustOK(t, err)
		if len(all) != 3 || all[0].Household != "Kepala TMN-1" {
			t.Fatalf("members of taman: %+v", all)
		}
		got, err := fs.SearchMembers(ctx, "taman", "siti", 100)
		mustOK(t, err)
		if len(got) != 1 || got[0].ID != m["TMN-3"].ID {
			t.Fatalf("search siti: %+v", got)
		}
		got, err = fs.SearchMembers(ctx, "taman", "tmn-2", 100)
		mustOK(t, err)
		if len(got) != 1 || got[0].Name != "Budi Santoso" {
			t.Fatalf("search by household id: %+v", got)
		}
		_, err = fs.SearchMembers(ctx, "taman", "", 0)
		wantCode(t, err, hailurah.EINVALID, "limit")

		tr := &hailurah.Training{Kelurahan: "taman", Title: "WhatsApp Bisnis", Trainer: "Pak Arif", HeldOn: day0, Certifying: true}
		mustOK(t, db.CreateTraining(ctx, tr))
		mustOK(t, db.RecordAttendance(ctx, tr.ID, []hailurah.TrainingAttendance{
			{MemberID: m["TMN-1"].ID, Attended: true, Certified: true}, {MemberID: m["TMN-2"].ID, Attended: false}}))
		att, err := fs.ListAttendance(ctx, tr.ID)
		mustOK(t, err)
		if len(att) != 2 || att[0].Member != "Sri Wahyuni" || !att[0].Certified || att[1].Attended {
			t.Fatalf("attendance: %+v", att)
		}
		back, err := db.FindTraining(ctx, tr.ID)
		mustOK(t, err)
		if back.Trainer != "Pak Arif" {
			t.Errorf("trainer = %q", back.Trainer)
		}
		p := &hailurah.PadatKaryaProject{Kelurahan: "taman", Name: "Paving", StartDate: day0}
		mustOK(t, db.CreatePadatKarya(ctx, p))
		mustOK(t, db.RecordWorkers(ctx, p.ID, []hailurah.PadatKaryaWorker{{MemberID: m["TMN-2"].ID, Days: 5}}))
		ws, err := fs.ListWorkers(ctx, p.ID)
		mustOK(t, err)
		if len(ws) != 1 || ws[0].Wages() != 500_000 || ws[0].Household != "Kepala TMN-2" {
			t.Fatalf("workers: %+v", ws)
		}
	})
}

func TestBazaarsAndMentoring(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		setup(t, db)
		fs := fieldstore.New(db)
		bad := &hailurah.Bazaar{Kelurahan: "taman"}
		if errs := bad.FieldErrors(); len(errs) != 2 {
			t.Errorf("an empty bazaar names %d fields, want date and place", len(errs))
		}
		wantCode(t, fs.CreateBazaar(ctx, bad), hailurah.EINVALID, "held_on")
		b := &hailurah.Bazaar{Kelurahan: "taman", HeldOn: day0, Place: "Balai RW 01", CreatedBy: "fasil"}
		mustOK(t, fs.CreateBazaar(ctx, b))
		mustOK(t, fs.RecordStalls(ctx, b.ID, []hailurah.BazaarStall{{HouseholdID: "TMN-1", Product: "Keripik", Sales: 250_000},
			{HouseholdID: "TMN-3", Product: "Jamu", Sales: 100_000}}))
		// A second record of a stall replaces its sales.
		mustOK(t, fs.RecordStalls(ctx, b.ID, []hailurah.BazaarStall{{HouseholdID: "TMN-3", Product: "Jamu", Sales: 150_000}}))
		wantCode(t, fs.RecordStalls(ctx, b.ID, []hailurah.BazaarStall{{HouseholdID: "DMG-1", Sales: 1}}), hailurah.EINVALID, "household_id")
		got, err := fs.FindBazaar(ctx, b.ID)
		mustOK(t, err)
		if len(got.Stalls) != 2 || got.Stalls[1].Sales != 150_000 || got.Stalls[0].Household != "Kepala TMN-1" || !got.HeldOn.Equal(day0) {
			t.Fatalf("bazaar: %+v", got)
		}
		list, err := fs.ListBazaars(ctx, "taman")
		mustOK(t, err)
		if len(list) != 1 || len(list[0].Stalls) != 2 {
			t.Fatalf("bazaars: %+v", list)
		}
		_, err = fs.FindBazaar(ctx, b.ID+100)
		wantCode(t, err, hailurah.ENOTFOUND, "")

		v := &hailurah.MentoringVisit{HouseholdID: "TMN-2", VisitedOn: day0, Mentor: "Bu Ani", Notes: "Catat kas harian", NextStep: "Daftar Shopee"}
		mustOK(t, fs.AddMentoringVisit(ctx, v))
		if v.ID == 0 || v.Kelurahan != "taman" {
			t.Fatalf("visit: %+v", v)
		}
		if errs := (&hailurah.MentoringVisit{}).FieldErrors(); len(errs) != 3 {
			t.Errorf("an empty visit names %d fields, want household, date and mentor", len(errs))
		}
		wantCode(t, fs.AddMentoringVisit(ctx, &hailurah.MentoringVisit{HouseholdID: "NONE", VisitedOn: day0, Mentor: "x"}), hailurah.EINVALID, "household_id")
		vs, err := fs.ListMentoringVisits(ctx, "taman", "")
		mustOK(t, err)
		if len(vs) != 1 || vs[0].Household != "Kepala TMN-2" || vs[0].NextStep != "Daftar Shopee" {
			t.Fatalf("visits: %+v", vs)
		}
		vs, err = fs.ListMentoringVisits(ctx, "demangan", "")
		mustOK(t, err)
		if len(vs) != 0 {
			t.Fatalf("demangan sees taman's visits: %+v", vs)
		}
	})
}

func TestTokoProductsAndOrders(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		setup(t, db)
		fs := fieldstore.New(db)
		noPhone := &hailurah.TokoProduct{HouseholdID: "TMN-1", Name: "Keripik", Price: 15_000, BusinessName: "Keripik Bu Sri", WAConsent: true}
		wantCode(t, fs.SaveProduct(ctx, noPhone), hailurah.EINVALID, "seller_phone")
		if errs := (&hailurah.TokoProduct{}).FieldErrors(); len(errs) != 4 {
			t.Errorf("an empty product names %d fields, want household, name, price, business", len(errs))
		}
		p := &hailurah.TokoProduct{HouseholdID: "TMN-1", Name: "Keripik tempe", Price: 15_000, BusinessName: "Keripik Bu Sri",
			SellerPhone: "0812-3456-7890", WAConsent: true, PhotoKey: "toko-warga/0123456789abcdef01234567.jpg", PhotoMIME: "image/jpeg"}
		mustOK(t, fs.SaveProduct(ctx, p))
		if p.Kelurahan != "taman" || p.SellerPhone != "+6281234567890" {
			t.Fatalf("saved: %+v", p)
		}
		if link := p.OrderLink(); link[:len("https://wa.me/6281234567890?text=")] != "https://wa.me/6281234567890?text=" {
			t.Errorf("order link %q", link)
		}
		// An edit without a photo keeps the old one; consent withdrawn, no link.
		edit := &hailurah.TokoProduct{ID: p.ID, HouseholdID: "TMN-1", Name: "Keripik tempe", Price: 17_000, BusinessName: "Keripik Bu Sri",
			SellerPhone: "081234567890"}
		mustOK(t, fs.SaveProduct(ctx, edit))
		if edit.PhotoKey != p.PhotoKey || edit.Price != 17_000 || edit.OrderLink() != "" {
			t.Fatalf("edited: %+v", edit)
		}
		hidden := &hailurah.TokoProduct{HouseholdID: "TMN-3", Name: "Jamu", Price: 10_000, BusinessName: "Jamu Siti", Hidden: true}
		mustOK(t, fs.SaveProduct(ctx, hidden))
		mustOK(t, fs.RecordOrder(ctx, &hailurah.TokoOrder{ProductID: p.ID, Source: hailurah.OrderClick, Quantity: 1}))
		mustOK(t, fs.RecordOrder(ctx, &hailurah.TokoOrder{ProductID: p.ID, Source: hailurah.OrderReport, Quantity: 3, Amount: 51_000}))
		wantCode(t, fs.RecordOrder(ctx, &hailurah.TokoOrder{ProductID: p.ID, Source: "x", Quantity: 1}), hailurah.EINVALID, "source")
		wantCode(t, fs.RecordOrder(ctx, &hailurah.TokoOrder{ProductID: p.ID + 99, Source: hailurah.OrderClick, Quantity: 1}), hailurah.ENOTFOUND, "")
		public, err := fs.ListProducts(ctx, "taman", false)
		mustOK(t, err)
		if len(public) != 1 || public[0].ID != p.ID || public[0].Orders != 4 {
			t.Fatalf("public catalogue: %+v", public)
		}
		all, err := fs.ListProducts(ctx, "taman", true)
		mustOK(t, err)
		if len(all) != 2 {
			t.Fatalf("staff catalogue: %d products", len(all))
		}
	})
}

// TestFieldIndicators checks the SIAP-TAMAN indicators the field forms
// feed, as the KPI catalogue measures them.
func TestFieldIndicators(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		setup(t, db)
		fs := fieldstore.New(db)
		yes, no := true, false
		checkin := func(hh string, days int, omzet int64, active, bansos *bool, jobs int) {
			t.Helper()
			mustOK(t, db.AddCheckin(ctx, &hailurah.HouseholdCheckin{Key: hh + "/" + time.Duration(days).String(), HouseholdID: hh,
				At: day0.AddDate(0, 0, days).Add(3 * time.Hour), Omzet: omzet, Active: active, Bansos: bansos, NewJobs: jobs,
				Source: hailurah.CheckinFasilitator}))
		}
		from, to := day0.AddDate(0, -1, 0), day0.AddDate(0, 2, 0)
		// Before any check-in: the registry's omzet decides (TMN-1, TMN-3 active).
		v, err := db.MeasureKPIs(ctx, hailurah.ScopeOfKelurahan("taman"), from, to)
		mustOK(t, err)
		want := func(code string, value float64) {
			t.Helper()
			if got := v[code].Value; got == nil || *got != value {
				t.Errorf("%s = %v, want %v", code, got, value)
			}
		}
		want(hailurah.KPIUsahaAktif, 2)
		want(hailurah.KPITotalOmzet, 1_500_000)
		want(hailurah.KPIPercentActive, 66.7)
		want(hailurah.KPIAvgOmzet, 750_000)
		want(hailurah.KPIDTKSCount, 1)
		if v[hailurah.KPIBansosReductionPct].Value != nil {
			t.Errorf("bansos reduction without an answer = %v, want none", *v[hailurah.KPIBansosReductionPct].Value)
		}

		// TMN-2 opens a business and leaves bansos; TMN-1 still receives it;
		// TMN-3 says its business stopped though it sold something.
		checkin("TMN-2", 1, 0, &no, &yes, 0)
		checkin("TMN-2", 20, 800_000, &yes, &no, 2)
		checkin("TMN-1", 5, 1_200_000, nil, &yes, 1)
		checkin("TMN-3", 6, 50_000, &no, nil, 0)
		p := &hailurah.TokoProduct{HouseholdID: "TMN-2", Name: "Kue", Price: 5_000, BusinessName: "Kue Budi"}
		mustOK(t, fs.SaveProduct(ctx, p))
		mustOK(t, fs.RecordOrder(ctx, &hailurah.TokoOrder{ProductID: p.ID, Source: hailurah.OrderReport, Quantity: 4, At: day0.AddDate(0, 0, 3)}))
		mustOK(t, fs.RecordOrder(ctx, &hailurah.TokoOrder{ProductID: p.ID, Source: hailurah.OrderClick, Quantity: 1, At: day0.AddDate(0, 3, 0)}))

		v, err = db.MeasureKPIs(ctx, hailurah.ScopeOfKelurahan("taman"), from, to)
		mustOK(t, err)
		want(hailurah.KPIUsahaAktif, 2) // TMN-1 (omzet), TMN-2 (ya)
		want(hailurah.KPITotalOmzet, 2_000_000)
		want(hailurah.KPIPercentActive, 66.7)
		want(hailurah.KPIAvgOmzet, 1_000_000)
		want(hailurah.KPIBansosReductionPct, 50) // TMN-2 left of TMN-1, TMN-2
		want(hailurah.KPINewJobs, 3)
		want(hailurah.KPIMarketplaceOrders, 4) // the later click is outside the period

		// Measured at a day before TMN-2's second visit, it still receives bansos.
		v, err = db.MeasureKPIs(ctx, hailurah.ScopeOfKelurahan("taman"), from, day0.AddDate(0, 0, 10))
		mustOK(t, err)
		want(hailurah.KPIBansosReductionPct, 0)
		want(hailurah.KPINewJobs, 1)

		// The dashboard carries Lampiran C's summary under the seed's names.
		d, err := db.ProgrammeDashboard(ctx, hailurah.DashboardFilter{Kelurahan: "taman", From: from, To: to, Now: to})
		mustOK(t, err)
		if d.Summary.PercentActive == nil || *d.Summary.PercentActive != 66.7 || d.Summary.AvgOmzet == nil ||
			*d.Summary.AvgOmzet != 1_000_000 || d.Summary.DTKSCount != 1 {
			t.Errorf("summary = %+v", d.Summary)
		}
		city, err := db.MeasureKPIs(ctx, hailurah.KPIScope{}, from, to)
		mustOK(t, err)
		if got := city[hailurah.KPIDTKSCount].Value; got == nil || *got != 2 {
			t.Errorf("city dtks_count = %v, want 2", got)
		}
	})
}
