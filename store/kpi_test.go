package store_test

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/storetest"
)

var kpiWIB = time.FixedZone("WIB", 7*3600)

// The fixture's period: the first quarter of 2026 in WIB, and "now" at its
// end, when the dashboards are read.
var (
	kpiFrom = time.Date(2026, 1, 1, 0, 0, 0, 0, kpiWIB)
	kpiTo   = time.Date(2026, 4, 1, 0, 0, 0, 0, kpiWIB)
)

func wibAt(month time.Month, day, hour int) time.Time {
	return time.Date(2026, month, day, hour, 0, 0, 0, kpiWIB)
}

// kpiDate is a calendar date as the programme tables keep it: 00:00 UTC.
func kpiDate(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// kpiFixture writes the programme rows with plain SQL, so every date is
// exactly what the hand computation in the tests assumes.
type kpiFixture struct {
	t  *testing.T
	db *store.DB
}

func (f kpiFixture) exec(sql string, args ...any) {
	f.t.Helper()
	if err := f.db.Gorm().Exec(sql, args...).Error; err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
}

func (f kpiFixture) household(id, kel, rt, rw string, dtks bool, baselineIncome int64) {
	f.t.Helper()
	f.exec(`INSERT INTO households (id, kelurahan_code, nama_kepala_keluarga, alamat_rt_rw, rt, rw, dtks_status, baseline_income, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, kel, "KK "+id, "RT"+rt+"/RW"+rw, rt, rw, dtks, baselineIncome, t0, t0)
}

func (f kpiFixture) member(id int64, household, name, gender string, age int) {
	f.t.Helper()
	f.exec(`INSERT INTO household_members (id, household_id, name, gender, age, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		id, household, name, gender, age, t0, t0)
}

func (f kpiFixture) checkin(key, household string, at time.Time, omzet int64, income *int64) {
	f.t.Helper()
	f.exec(`INSERT INTO household_checkins (key, household_id, at, omzet, income, source, created_at) VALUES (?, ?, ?, ?, ?, 'fasilitator', ?)`,
		key, household, at.UTC(), omzet, income, t0)
}

func (f kpiFixture) training(id int64, kel string, held time.Time, attendance map[int64][2]bool) {
	f.t.Helper()
	f.exec(`INSERT INTO trainings (id, kelurahan_code, title, held_on, certifying, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		id, kel, "Pelatihan", held, true, t0)
	for m, ac := range attendance {
		f.exec(`INSERT INTO training_attendance (training_id, member_id, household_id, attended, certified, updated_at)
			SELECT ?, id, household_id, ?, ?, ? FROM household_members WHERE id = ?`, id, ac[0], ac[1], t0, m)
	}
}

func (f kpiFixture) padatKarya(id int64, kel string, start, end time.Time, members ...int64) {
	f.t.Helper()
	f.exec(`INSERT INTO padat_karya_projects (id, kelurahan_code, name, start_date, end_date, wage_per_day, created_at) VALUES (?, ?, ?, ?, ?, 100000, ?)`,
		id, kel, "Paving", start, end, t0)
	for _, m := range members {
		f.exec(`INSERT INTO padat_karya_workers (project_id, member_id, household_id, days, wage_per_day, updated_at)
			SELECT ?, id, household_id, 5, 100000, ? FROM household_members WHERE id = ?`, id, t0, m)
	}
}

func (f kpiFixture) onboard(household, platform string, on time.Time) {
	f.t.Helper()
	f.exec(`INSERT INTO marketplace_onboardings (household_id, platform, onboarded_on, created_at) VALUES (?, ?, ?, ?)`, household, platform, on, t0)
}

// grant writes a grant row; disbursed nil leaves it undisbursed.
func (f kpiFixture) grant(id, household, kel string, dtks bool, amount int64, applied time.Time, disbursed *time.Time, baselineOmzet int64) {
	f.t.Helper()
	status := "verified"
	var disb *time.Time
	if disbursed != nil {
		status = "in_use"
		u := disbursed.UTC()
		disb = &u
	}
	f.exec(`INSERT INTO grants (id, household_id, kelurahan_code, dtks, amount, purpose, plan, status, applied_at, disbursed_at, baseline_omzet, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, 'modal', 'Rencana usaha warung kopi di depan rumah.', ?, ?, ?, ?, ?, ?)`,
		id, household, kel, dtks, amount, status, applied.UTC(), disb, baselineOmzet, t0, t0)
}

func i64(v int64) *int64 { return &v }

// seedProgramme writes the programme fixture whose KPIs the tests compute
// by hand (see the comments there).
func seedProgramme(t *testing.T, db *store.DB) {
	t.Helper()
	f := kpiFixture{t, db}
	f.household("H1", "taman", "01", "01", false, 1_000_000)
	f.household("H2", "taman", "02", "01", true, 2_000_000)
	f.household("H3", "taman", "01", "02", true, 0)
	f.household("H4", "taman", "03", "02", false, 0)
	f.household("H5", "nambangan", "01", "01", false, 1_000_000)

	// H1 was DTKS when it applied and is no longer: the only reduction.
	f.grant("HB-1", "H1", "taman", true, 2_000_000, wibAt(1, 10, 9), ptrTime(wibAt(1, 20, 9)), 0)
	f.checkin("H1/1", "H1", wibAt(2, 15, 9), 500_000, i64(1_200_000))
	f.checkin("H1/2", "H1", wibAt(3, 15, 9), 800_000, i64(1_300_000))
	// H2's first check-in, before the period, is its omzet baseline.
	f.checkin("H2/1", "H2", time.Date(2025, 12, 1, 9, 0, 0, 0, kpiWIB), 1_000_000, nil)
	f.checkin("H2/2", "H2", wibAt(3, 1, 9), 1_300_000, i64(2_200_000))
	f.checkin("H3/1", "H3", wibAt(2, 1, 9), 300_000, nil)
	// H4's grant is disbursed after the period; its omzet grew only 20%.
	f.grant("HB-4", "H4", "taman", false, 3_000_000, wibAt(3, 1, 9), ptrTime(wibAt(4, 5, 9)), 200_000)
	f.checkin("H4/1", "H4", wibAt(3, 20, 9), 240_000, nil)
	f.grant("HB-5", "H5", "nambangan", true, 1_500_000, wibAt(2, 1, 9), ptrTime(wibAt(2, 10, 9)), 0)
	f.checkin("H5/1", "H5", wibAt(3, 5, 9), 400_000, i64(900_000))

	f.member(1, "H1", "Siti", "P", 30)
	f.member(2, "H1", "Budi", "L", 35)
	f.member(3, "H2", "Ani", "P", 25)
	f.member(4, "H3", "Dedi", "L", 40)
	f.member(5, "H5", "Rina", "P", 28)
	f.training(1, "taman", kpiDate(2026, 2, 1), map[int64][2]bool{1: {true, true}, 2: {true, false}, 3: {false, false}})
	f.training(2, "taman", kpiDate(2025, 12, 20), map[int64][2]bool{3: {true, false}})
	f.training(3, "nambangan", kpiDate(2026, 3, 10), map[int64][2]bool{5: {true, false}})
	f.padatKarya(1, "taman", kpiDate(2026, 3, 1), kpiDate(2026, 3, 5), 2, 4)
	f.padatKarya(2, "taman", kpiDate(2025, 11, 1), kpiDate(2025, 11, 30), 3)
	f.onboard("H1", "tokopedia", kpiDate(2026, 2, 20))
	f.onboard("H1", "shopee", kpiDate(2026, 3, 1))
	f.onboard("H2", "shopee", kpiDate(2025, 12, 15))
	f.onboard("H5", "toko-warga", kpiDate(2026, 3, 31))
}

type kpiTicket struct {
	id, kel, rt, rw string
	received        time.Time
	status          hailurah.TicketStatus
	kategori        string
	urgency         int
	verified        bool
	modBreached     bool
	modDue          *time.Time
	assigned        bool
	dinasBreached   bool
	dinasDue        *time.Time
	resolvedAfter   time.Duration
	rating          int
	replyAfter      time.Duration
}

// seedCurhat writes the ticket fixture through the store's own API.
func seedCurhat(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := t.Context()
	clk := useClock(db)
	past := wibAt(2, 20, 0)
	for _, k := range []kpiTicket{
		{id: "K1", kel: "taman", rt: "01", rw: "01", received: wibAt(2, 1, 10), status: hailurah.StatusResolved, kategori: "lingkungan", urgency: 3,
			verified: true, assigned: true, resolvedAfter: 48 * time.Hour, rating: 5, replyAfter: 30 * time.Second},
		{id: "K2", kel: "taman", rt: "02", rw: "01", received: wibAt(2, 1, 12), status: hailurah.StatusAssigned, kategori: "infrastruktur", urgency: 4,
			verified: true, assigned: true, dinasBreached: true, dinasDue: &past, replyAfter: 90 * time.Second},
		{id: "K3", kel: "taman", rt: "01", rw: "02", received: wibAt(2, 2, 9), status: hailurah.StatusOpen, kategori: "lingkungan", urgency: 2,
			modBreached: true, modDue: ptrTime(wibAt(2, 3, 9))},
		{id: "K4", kel: "taman", rw: "02", received: wibAt(3, 10, 8), status: hailurah.StatusResolved, kategori: "sosial", urgency: 1,
			verified: true, modBreached: true, resolvedAfter: 96 * time.Hour, rating: 3, replyAfter: time.Minute},
		{id: "K5", kel: "taman", received: wibAt(2, 3, 8), status: hailurah.StatusNew},
		{id: "K6", kel: "taman", rt: "05", rw: "03", received: wibAt(3, 15, 8), status: hailurah.StatusRejected, kategori: "lainnya", urgency: 1},
		{id: "K7", kel: "nambangan", rt: "01", rw: "01", received: wibAt(2, 5, 8), status: hailurah.StatusResolved, kategori: "ekonomi", urgency: 3,
			verified: true, resolvedAfter: 24 * time.Hour, rating: 4, replyAfter: 2 * time.Minute},
		{id: "K8", received: wibAt(2, 6, 8), status: hailurah.StatusOpen, kategori: "kesehatan", urgency: 3, modDue: ptrTime(wibAt(5, 1, 0))},
		{id: "K9", kel: "taman", rt: "01", rw: "01", received: time.Date(2025, 12, 1, 8, 0, 0, 0, kpiWIB), status: hailurah.StatusResolved,
			kategori: "lingkungan", urgency: 2, verified: true, resolvedAfter: time.Hour, rating: 1, replyAfter: 10 * time.Minute},
	} {
		tk := &hailurah.Ticket{ID: k.id, TrackingCode: "TRK" + k.id, DatetimeReceived: k.received, Channel: hailurah.ChannelWhatsApp,
			SenderID: "s-" + k.id, Kelurahan: k.kel, RT: k.rt, RW: k.rw, MessageText: "curhat " + k.id, Kategori: k.kategori,
			UrgencyScore: k.urgency, Status: k.status, Verified: k.verified, ModeratorBreached: k.modBreached,
			ModeratorDue: k.modDue, DinasBreached: k.dinasBreached, DinasDue: k.dinasDue, Rating: k.rating, Version: 1}
		if k.assigned {
			tk.AssignedUnit, tk.AssignedAt = "pupr", ptrTime(k.received.Add(time.Hour))
		}
		if k.resolvedAfter > 0 {
			tk.ResolvedAt = ptrTime(k.received.Add(k.resolvedAfter))
		}
		if k.status == hailurah.StatusRejected {
			tk.ClosedAt = ptrTime(k.received.Add(time.Hour))
		}
		mustOK(t, db.UpsertTicket(ctx, tk))
		if k.replyAfter > 0 {
			clk.t = k.received.Add(k.replyAfter)
			mustOK(t, db.Enqueue(ctx, &hailurah.OutboxMessage{IdempotencyKey: k.id + "/reply/1", TicketID: k.id, Channel: hailurah.ChannelWhatsApp,
				Recipient: "s-" + k.id, Kind: hailurah.OutboxReply, Text: "Balasan AI"}))
			// A later staff reply must not count as the AI's.
			clk.t = k.received.Add(k.replyAfter / 2)
			mustOK(t, db.Enqueue(ctx, &hailurah.OutboxMessage{IdempotencyKey: k.id + "/ack/1", TicketID: k.id, Channel: hailurah.ChannelWhatsApp,
				Recipient: "s-" + k.id, Kind: hailurah.OutboxAck, Text: "Terima kasih"}))
		}
	}
}

// wantValue fails unless got is want, to the one decimal KPIs carry; a nil
// want requires nil.
func wantValue(t *testing.T, what string, got *float64, want *float64) {
	t.Helper()
	switch {
	case want == nil && got == nil:
	case want == nil || got == nil:
		t.Errorf("%s = %v, want %v", what, fmtPtr(got), fmtPtr(want))
	case math.Abs(*got-*want) > 1e-9:
		t.Errorf("%s = %v, want %v", what, *got, *want)
	}
}

func fmtPtr(v *float64) any {
	if v == nil {
		return "nil"
	}
	return *v
}

func f64(v float64) *float64 { return &v }

func TestMeasureKPIs(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		seedProgramme(t, db)
		seedCurhat(t, db)
		ctx := t.Context()

		taman, err := db.MeasureKPIs(ctx, hailurah.ScopeOfKelurahan("taman"), kpiFrom, kpiTo)
		mustOK(t, err)
		for code, want := range map[string]*float64{
			// H1, H2, H3 were DTKS; only H1 left it: 1 of 3.
			hailurah.KPIDTKSReductionPct: f64(33.3),
			// H1 1.0 → 1.3 jt and H2 2.0 → 2.2 jt: 3.5 / 3.0 − 1.
			hailurah.KPIIncomeIncreasePct: f64(16.7),
			// H1 new (grant baseline 0), H2 up 30%; H3 has one check-in, H4 only +20%.
			hailurah.KPIMicroBusinesses: f64(2),
			// Siti and Budi at training 1; Ani absent; training 2 is before the period.
			hailurah.KPITrained: f64(2),
			// Budi and Dedi on project 1; project 2 ended before the period.
			hailurah.KPIPadatKaryaWorkers: f64(2),
			// Participants Siti, Budi, Dedi: one woman of three.
			hailurah.KPIWomenSharePct: f64(33.3),
			// H1 twice (one household), H2 before the period.
			hailurah.KPIUMKMMarketplace: f64(1),
			// HB-1; HB-4 is disbursed after the period.
			hailurah.KPIGrantBudgetUsed: f64(2_000_000),
			// Moderator clocks ended K1 K2 K3 K4 K6 (on time K1 K2 K6), dinas K1 K2 (on time K1): 4 of 7.
			hailurah.KPISLACompliancePct: f64(57.1),
			// K1 rated 5, K4 rated 3.
			hailurah.KPISatisfactionPct: f64(50),
		} {
			wantValue(t, "taman "+code, taman[code].Value, want)
		}
		if v := taman[hailurah.KPIWomenSharePct]; v.Num != 1 || v.Den != 3 {
			t.Errorf("women share counts %v/%v, want 1/3", v.Num, v.Den)
		}

		city, err := db.MeasureKPIs(ctx, hailurah.KPIScope{}, kpiFrom, kpiTo)
		mustOK(t, err)
		for code, want := range map[string]*float64{
			hailurah.KPIDTKSReductionPct:  f64(50),    // + H5 left DTKS: 2 of 4
			hailurah.KPIIncomeIncreasePct: f64(10),    // + H5 1.0 → 0.9 jt: 4.4 / 4.0 − 1
			hailurah.KPIMicroBusinesses:   f64(3),     // + H5 new
			hailurah.KPITrained:           f64(3),     // + Rina
			hailurah.KPIWomenSharePct:     f64(50),    // Siti and Rina of four
			hailurah.KPIUMKMMarketplace:   f64(2),     // + H5 on the period's last day
			hailurah.KPIGrantBudgetUsed:   f64(3.5e6), // + HB-5
			hailurah.KPISatisfactionPct:   f64(66.7),  // + K7 rated 4
		} {
			wantValue(t, "city "+code, city[code].Value, want)
		}

		// An RW scope: only RW01 of Taman (H1, H2; K1, K2).
		rw, err := db.MeasureKPIs(ctx, hailurah.KPIScope{Areas: []hailurah.PilotArea{{Kelurahan: "taman", RW: "01"}}}, kpiFrom, kpiTo)
		mustOK(t, err)
		wantValue(t, "RW01 trained", rw[hailurah.KPITrained].Value, f64(2))
		wantValue(t, "RW01 padat karya", rw[hailurah.KPIPadatKaryaWorkers].Value, f64(1))
		wantValue(t, "RW01 dtks", rw[hailurah.KPIDTKSReductionPct].Value, f64(50))
		wantValue(t, "RW01 sla", rw[hailurah.KPISLACompliancePct].Value, f64(75))

		// A kelurahan without any data: counts are 0, shares are nil.
		empty, err := db.MeasureKPIs(ctx, hailurah.ScopeOfKelurahan("demangan"), kpiFrom, kpiTo)
		mustOK(t, err)
		for _, code := range hailurah.KPICodes() {
			v := empty[code]
			def, _ := hailurah.FindKPI(code)
			// Shares and the mean omzet of active businesses have no
			// value without data.
			if def.Unit == hailurah.KPIUnitPercent || code == hailurah.KPIAvgOmzet {
				wantValue(t, "empty "+code, v.Value, nil)
			} else {
				wantValue(t, "empty "+code, v.Value, f64(0))
			}
		}
		if _, err := json.Marshal(empty); err != nil {
			t.Fatalf("empty KPIs do not encode: %v", err)
		}

		_, err = db.MeasureKPIs(ctx, hailurah.KPIScope{}, kpiTo, kpiFrom)
		wantCode(t, err, hailurah.EINVALID, "from")
	})
}

func TestCurhatDashboard(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		seedCurhat(t, db)
		ctx := t.Context()
		// K4 was received nine days before now: not new in 24 hours; K6
		// was, as now is its next morning.
		now := wibAt(3, 16, 7)
		d, err := db.CurhatDashboard(ctx, hailurah.DashboardFilter{Kelurahan: "taman", From: kpiFrom, To: kpiTo, Now: now})
		mustOK(t, err)
		s := d.Summary
		if s.Total != 6 || s.New24h != 1 || s.FollowedUp != 4 || s.Resolved != 2 || s.Rated != 2 || s.Satisfied != 1 || s.Replied != 3 {
			t.Errorf("summary counts: %+v", s)
		}
		wantValue(t, "followed up", s.FollowedUpPct, f64(66.7))
		wantValue(t, "moderator SLA", s.ModeratorSLA.Pct, f64(60))
		wantValue(t, "dinas SLA", s.DinasSLA.Pct, f64(50))
		wantValue(t, "satisfaction", s.SatisfactionPct, f64(50))
		// Replies after 30, 60 and 90 seconds; resolutions after 2 and 4 days.
		wantValue(t, "median reply", s.MedianReplySeconds, f64(60))
		wantValue(t, "median resolve", s.MedianResolveSeconds, f64(3*24*3600))
		// K2 is past its unit's deadline, K3 past the moderator's.
		if s.OverdueNow != 2 {
			t.Errorf("overdue now = %d, want 2", s.OverdueNow)
		}
		if len(d.Breakdown) != 0 {
			t.Errorf("a kelurahan dashboard has a breakdown: %+v", d.Breakdown)
		}
		wantCats := []hailurah.CategoryCount{{Kategori: "lingkungan", Count: 2}, {Kategori: "", Count: 1}, {Kategori: "infrastruktur", Count: 1},
			{Kategori: "lainnya", Count: 1}, {Kategori: "sosial", Count: 1}}
		if len(d.Categories) != len(wantCats) {
			t.Fatalf("categories: %+v", d.Categories)
		}
		for i, c := range wantCats {
			if d.Categories[i].Kategori != c.Kategori || d.Categories[i].Count != c.Count {
				t.Errorf("category %d = %+v, want %+v", i, d.Categories[i], c)
			}
		}
		wantValue(t, "lingkungan share", d.Categories[0].Pct, f64(33.3))
		if len(d.UrgencyTrend) != 90 {
			t.Fatalf("urgency trend has %d days, want the period's 90", len(d.UrgencyTrend))
		}
		byDay := map[string]hailurah.UrgencyDay{}
		for _, u := range d.UrgencyTrend {
			byDay[u.Day] = u
		}
		if u := byDay["2026-02-01"]; u.Total != 2 || u.ByUrgency[3] != 1 || u.ByUrgency[4] != 1 {
			t.Errorf("1 February: %+v", u)
		} else {
			wantValue(t, "1 February mean urgency", u.AvgUrgency, f64(3.5))
		}
		// K5 is not triaged yet: counted, but no mean urgency.
		if u := byDay["2026-02-03"]; u.Total != 1 || u.ByUrgency[0] != 1 || u.AvgUrgency != nil {
			t.Errorf("3 February: %+v", u)
		}
		if u := byDay["2026-01-15"]; u.Total != 0 || u.AvgUrgency != nil {
			t.Errorf("a quiet day: %+v", u)
		}
		heat := map[string]int{}
		for _, h := range d.Heatmap {
			heat[h.RW+"/"+h.RT] += h.Count
		}
		if heat["01/01"] != 1 || heat["01/02"] != 1 || heat["02/01"] != 1 || heat["02/"] != 1 || heat["03/05"] != 1 || heat["/"] != 1 {
			t.Errorf("heatmap: %v", heat)
		}
		if len(d.OverdueUnits) != 2 || d.OverdueUnits[0].Unit != "" || d.OverdueUnits[0].Open != 2 || d.OverdueUnits[0].Overdue != 1 ||
			d.OverdueUnits[1].Unit != "pupr" || d.OverdueUnits[1].Open != 1 || d.OverdueUnits[1].Overdue != 1 {
			t.Errorf("overdue units: %+v", d.OverdueUnits)
		} else if late := d.OverdueUnits[1].MaxLateH; late == nil || *late != now.Sub(wibAt(2, 20, 0)).Hours() {
			t.Errorf("pupr's oldest overdue task late by %v hours", fmtPtr(late))
		}
		cols := map[hailurah.TicketStatus]hailurah.BoardColumn{}
		for _, c := range d.Board {
			cols[c.Status] = c
		}
		if cols[hailurah.StatusNew].Count != 1 || cols[hailurah.StatusOpen].Count != 1 || cols[hailurah.StatusAssigned].Count != 1 ||
			len(cols[hailurah.StatusAssigned].Tickets) != 1 || cols[hailurah.StatusAssigned].Tickets[0].ID != "K2" ||
			!cols[hailurah.StatusAssigned].Tickets[0].Breached {
			t.Errorf("board: %+v", d.Board)
		}

		city, err := db.CurhatDashboard(ctx, hailurah.DashboardFilter{From: kpiFrom, To: kpiTo, Now: now})
		mustOK(t, err)
		if city.Summary.Total != 8 {
			t.Errorf("city total = %d, want 8", city.Summary.Total)
		}
		rows := map[string]hailurah.CurhatBreakdownRow{}
		for _, r := range city.Breakdown {
			rows[r.Kelurahan] = r
		}
		if rows["taman"].Total != 6 || rows["nambangan"].Total != 1 || rows[""].Total != 1 {
			t.Errorf("breakdown: %+v", city.Breakdown)
		}
		wantValue(t, "nambangan satisfaction", rows["nambangan"].Satisfaction, f64(100))
		wantValue(t, "city median reply", city.Summary.MedianReplySeconds, f64(75))

		// A kelurahan without tickets: zeros and nils, and it encodes.
		empty, err := db.CurhatDashboard(ctx, hailurah.DashboardFilter{Kelurahan: "demangan", From: kpiFrom, To: kpiTo, Now: now})
		mustOK(t, err)
		es := empty.Summary
		if es.Total != 0 || es.FollowedUpPct != nil || es.ModeratorSLA.Pct != nil || es.DinasSLA.Pct != nil || es.SatisfactionPct != nil ||
			es.MedianReplySeconds != nil || es.MedianResolveSeconds != nil || len(empty.Categories) != 0 {
			t.Errorf("empty dashboard: %+v", es)
		}
		if _, err := json.Marshal(empty); err != nil {
			t.Fatalf("empty dashboard does not encode: %v", err)
		}
	})
}

func TestProgrammeDashboard(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		seedProgramme(t, db)
		ctx := t.Context()
		mustOK(t, db.UpsertKelurahan(ctx, &hailurah.Kelurahan{Code: "taman", Name: "Taman", GrantBudget: 150_000_000}))
		d, err := db.ProgrammeDashboard(ctx, hailurah.DashboardFilter{Kelurahan: "taman", From: kpiFrom, To: kpiTo})
		mustOK(t, err)
		// The seed's 8 year-1 KPIs, its 5 real-time and alternative
		// indicators and Lampiran C's 3.
		if len(d.KPIs) != 16 {
			t.Fatalf("%d KPIs, want the seed's 16", len(d.KPIs))
		}
		k := map[string]hailurah.ProgrammeKPI{}
		for _, x := range d.KPIs {
			k[x.Code] = x
			if len(x.Trend) != 3 {
				t.Errorf("%s: %d trend points, want January, February, March", x.Code, len(x.Trend))
			}
		}
		if x := k[hailurah.KPITrained]; x.Target != 200 {
			t.Errorf("trained target %v", x.Target)
		} else {
			wantValue(t, "trained % of target", x.PercentOfTarget, f64(1))
			// Training 1 was held in February: nobody by the end of January.
			wantValue(t, "trained by 1 February", x.Trend[0].Value, f64(0))
			wantValue(t, "trained by 1 March", x.Trend[1].Value, f64(2))
		}
		if x := k[hailurah.KPIGrantBudgetUsed]; x.Target != 150_000_000 {
			t.Errorf("grant target %v, want the kelurahan's budget", x.Target)
		} else {
			wantValue(t, "grant % of budget", x.PercentOfTarget, f64(1.3))
		}
		if x := k[hailurah.KPIDTKSReductionPct]; x.Target != 20 {
			t.Errorf("dtks target %v", x.Target)
		} else {
			wantValue(t, "dtks % of target", x.PercentOfTarget, f64(166.5))
		}

		city, err := db.ProgrammeDashboard(ctx, hailurah.DashboardFilter{From: kpiFrom, To: kpiTo})
		mustOK(t, err)
		if len(city.Breakdown) != 2 {
			t.Fatalf("breakdown: %+v", city.Breakdown)
		}
		for _, r := range city.Breakdown {
			want := map[string]float64{"taman": 2, "nambangan": 1}[r.Kelurahan]
			wantValue(t, r.Kelurahan+" trained", r.Values[hailurah.KPITrained].Value, f64(want))
		}

		// No programme data at all.
		empty, err := db.ProgrammeDashboard(ctx, hailurah.DashboardFilter{Kelurahan: "demangan", From: kpiFrom, To: kpiTo})
		mustOK(t, err)
		for _, x := range empty.KPIs {
			if x.Unit == hailurah.KPIUnitPercent && (x.Actual != nil || x.PercentOfTarget != nil) {
				t.Errorf("empty %s: %v", x.Code, fmtPtr(x.Actual))
			}
		}
		if _, err := json.Marshal(empty); err != nil {
			t.Fatalf("empty dashboard does not encode: %v", err)
		}
	})
}

func TestOpenDataCounts(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		seedCurhat(t, db)
		c, err := db.OpenDataCounts(t.Context(), "", kpiFrom, kpiTo)
		mustOK(t, err)
		got := map[string]int{}
		for _, x := range c.Categories {
			got[x.Kelurahan+" "+x.Month+" RW"+x.RW+" "+x.Kategori] += x.Count
		}
		// K6 is rejected, K8 is in the city queue, K9 before the period.
		want := map[string]int{
			"taman 2026-02 RW01 lingkungan": 1, "taman 2026-02 RW01 infrastruktur": 1, "taman 2026-02 RW02 lingkungan": 1,
			"taman 2026-03 RW02 sosial": 1, "taman 2026-02 RW belum_ditriase": 1, "nambangan 2026-02 RW01 ekonomi": 1,
		}
		if len(got) != len(want) {
			t.Errorf("categories: %v", got)
		}
		for k, n := range want {
			if got[k] != n {
				t.Errorf("%s = %d, want %d (all: %v)", k, got[k], n, got)
			}
		}
		sla := map[string]hailurah.OpenSLACount{}
		for _, s := range c.SLA {
			sla[s.Kelurahan+" "+s.Month] = s
		}
		if s := sla["taman 2026-02"]; s.Tickets != 4 || s.Ended != 5 || s.OnTime != 3 {
			t.Errorf("taman February SLA: %+v", s)
		}
		if c.KelurahanNames["nambangan"] != "Nambangan Lor" {
			t.Errorf("names: %v", c.KelurahanNames)
		}
	})
}
