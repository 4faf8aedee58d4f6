package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/storetest"
)

var dashWIB = time.FixedZone("WIB", 7*3600)

type dashTicket struct {
	id, kel, rt, rw, kategori, summary string
	status                             hailurah.TicketStatus
	day, urgency, rating               int
	verified                           bool
}

// seedDashTickets writes tickets received in November 2026 (day = day of
// the month, 10:00 WIB), inside the dashboards' default 30 days.
func seedDashTickets(t *testing.T, db *store.DB, tickets []dashTicket) {
	t.Helper()
	for _, d := range tickets {
		at := time.Date(2026, 11, d.day, 10, 0, 0, 0, dashWIB)
		tk := &hailurah.Ticket{ID: d.id, TrackingCode: "TRK-" + d.id, DatetimeReceived: at, Channel: hailurah.ChannelWhatsApp,
			SenderID: "sender-" + d.id, Kelurahan: d.kel, RT: d.rt, RW: d.rw, MessageText: "Isi curhat rahasia " + d.id,
			Summary: d.summary, Kategori: d.kategori, UrgencyScore: d.urgency, Status: d.status, Verified: d.verified,
			Rating: d.rating, Version: 1}
		due := at.Add(24 * time.Hour)
		tk.ModeratorDue = &due
		if d.status == hailurah.StatusResolved {
			r := at.Add(48 * time.Hour)
			tk.ResolvedAt = &r
		}
		if d.status == hailurah.StatusRejected {
			c := at.Add(time.Hour)
			tk.ClosedAt = &c
		}
		if err := db.UpsertTicket(context.Background(), tk); err != nil {
			t.Fatal(err)
		}
	}
}

var dashTickets = []dashTicket{
	{id: "D1", kel: "taman", rt: "01", rw: "01", kategori: "lingkungan", status: hailurah.StatusResolved, day: 20, urgency: 3, rating: 5, verified: true},
	{id: "D2", kel: "taman", rt: "02", rw: "01", kategori: "lingkungan", status: hailurah.StatusResolved, day: 21, urgency: 2, rating: 3, verified: true},
	{id: "D3", kel: "taman", rt: "01", rw: "02", kategori: "infrastruktur", status: hailurah.StatusOpen, day: 25, urgency: 4,
		summary: `=HYPERLINK("http://contoh.invalid","klik")`},
	{id: "D4", kel: "taman", rw: "02", kategori: "sosial", status: hailurah.StatusOpen, day: 26, urgency: 2, verified: true},
	{id: "D5", kel: "taman", rt: "03", rw: "03", kategori: "lingkungan", status: hailurah.StatusRejected, day: 22, urgency: 1},
	{id: "D6", kel: "demangan", rt: "01", rw: "01", kategori: "ekonomi", status: hailurah.StatusResolved, day: 18, urgency: 2, rating: 4, verified: true},
	{id: "D7", kel: "demangan", rt: "02", rw: "01", kategori: "ekonomi", status: hailurah.StatusOpen, day: 27, urgency: 3},
}

func TestCurhatDashboardAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newPilotFixture(t, db)
		seedDashTickets(t, db, dashTickets)
		mod := f.as("moderator")
		var d hailurah.CurhatDashboard
		if st, raw := mod.json("GET", "/api/v1/dashboard/curhat", nil, &d); st != http.StatusOK || d.Kelurahan != "taman" ||
			d.Summary.Total != 5 || d.Summary.Rated != 2 || len(d.Breakdown) != 0 || len(d.UrgencyTrend) != 30 {
			t.Fatalf("moderator's dashboard: %d %s", st, raw)
		}
		// D1 rated 5 and D2 rated 3: one of two satisfied.
		if p := d.Summary.SatisfactionPct; p == nil || *p != 50 {
			t.Errorf("satisfaction: %v", p)
		}
		if !d.From.Equal(time.Date(2026, 10, 29, 0, 0, 0, 0, dashWIB)) || !d.To.Equal(time.Date(2026, 11, 28, 0, 0, 0, 0, dashWIB)) {
			t.Errorf("default period %v – %v", d.From, d.To)
		}
		mod.wantError("GET", "/api/v1/dashboard/curhat?kelurahan=demangan", nil, http.StatusForbidden, "")
		mod.wantError("GET", "/api/v1/dashboard/curhat?from=2026-11-30&to=2026-11-01", nil, http.StatusUnprocessableEntity, "from")
		mod.wantError("GET", "/api/v1/dashboard/curhat?to=31-12-2026", nil, http.StatusUnprocessableEntity, "to")
		mod.wantError("GET", "/api/v1/dashboard/curhat?from=2020-01-01", nil, http.StatusUnprocessableEntity, "from")
		f.as("dinas-pupr").wantError("GET", "/api/v1/dashboard/curhat", nil, http.StatusForbidden, "")
		f.as("").wantError("GET", "/api/v1/dashboard/curhat", nil, http.StatusUnauthorized, "")

		// The admin: the city, one row per kelurahan.
		var city hailurah.CurhatDashboard
		if st, raw := f.as("admin").json("GET", "/api/v1/dashboard/curhat?from=2026-11-01&to=2026-11-30", nil, &city); st != 200 ||
			city.Summary.Total != 7 || len(city.Breakdown) != 3 {
			t.Fatalf("city: %d %s", st, raw)
		}
		rows := map[string]int{}
		for _, r := range city.Breakdown {
			rows[r.Kelurahan] = r.Total
		}
		if rows["taman"] != 5 || rows["demangan"] != 2 || rows["nambangan"] != 0 {
			t.Errorf("breakdown: %v", rows)
		}
		if st, _ := f.as("admin").json("GET", "/api/v1/dashboard/curhat?kelurahan=demangan", nil, &city); st != 200 || city.Summary.Total != 2 {
			t.Errorf("admin's demangan: %d total", city.Summary.Total)
		}

		// One table as JSON, and as CSV for a spreadsheet.
		var table struct {
			Table string
			Rows  []hailurah.CategoryCount
		}
		if st, raw := mod.json("GET", "/api/v1/dashboard/curhat?table=categories", nil, &table); st != 200 || table.Table != "categories" ||
			len(table.Rows) != 3 || table.Rows[0].Kategori != "lingkungan" || table.Rows[0].Count != 3 {
			t.Errorf("categories as JSON: %d %s", st, raw)
		}
		st, h, csv := mod.raw("GET", "/api/v1/dashboard/curhat?table=categories&format=csv", "", nil)
		if st != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") || !strings.Contains(h.Get("Content-Disposition"), "hailurah-curhat-categories-2026-10-29_2026-11-27.csv") ||
			!strings.HasPrefix(csv, "\uFEFFkategori,jumlah,persen\n") || !strings.Contains(csv, "lingkungan,3,60\n") {
			t.Errorf("categories as CSV: %d %v\n%s", st, h, csv)
		}
		// A summary that looks like a formula stays text in a spreadsheet.
		if _, _, board := mod.raw("GET", "/api/v1/dashboard/curhat?table=board&format=csv", "", nil); !strings.Contains(board, `"'=HYPERLINK(`) {
			t.Errorf("board CSV does not defuse a formula:\n%s", board)
		}
		for _, table := range []string{"summary", "breakdown", "urgency_trend", "heatmap", "overdue_units"} {
			if st, _, _ := mod.raw("GET", "/api/v1/dashboard/curhat?format=csv&table="+table, "", nil); st != 200 {
				t.Errorf("CSV %s: %d", table, st)
			}
		}
		if e := mod.wantError("GET", "/api/v1/dashboard/curhat?table=gossip", nil, http.StatusUnprocessableEntity, "table"); !strings.Contains(e.Error.Message, "categories") {
			t.Errorf("unknown table message: %q", e.Error.Message)
		}
		mod.wantError("GET", "/api/v1/dashboard/curhat?format=xml", nil, http.StatusUnprocessableEntity, "format")
		mod.wantError("GET", "/api/v1/dashboard/curhat?format=csv", nil, http.StatusUnprocessableEntity, "table")
		entries, err := db.ListAudit(context.Background(), 50, 0)
		if err != nil {
			t.Fatal(err)
		}
		exported := 0
		for _, e := range entries {
			if e.Action == "export.curhat" && e.Actor == "moderator" {
				exported++
			}
		}
		if exported != 7 {
			t.Errorf("%d CSV exports audited, want 7", exported)
		}
	})
}

func TestProgrammeDashboardAPI(t *testing.T) {
	db := storetest.Open(t)
	f := newPilotFixture(t, db)
	var d hailurah.ProgrammeDashboard
	lurah := f.as("lurah")
	st, raw := lurah.json("GET", "/api/v1/dashboard/program", nil, &d)
	if st != 200 || len(d.KPIs) != 16 {
		t.Fatalf("programme: %d %s", st, raw)
	}
	// Lampiran C's summary, under the seed's own names.
	var summary struct {
		Summary map[string]any `json:"summary"`
	}
	if err := json.Unmarshal([]byte(raw), &summary); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"percent_active", "avg_omzet", "dtks_count"} {
		if _, ok := summary.Summary[k]; !ok {
			t.Errorf("summary lacks %s: %s", k, raw)
		}
	}
	byCode := map[string]hailurah.ProgrammeKPI{}
	for _, k := range d.KPIs {
		byCode[k.Code] = k
		if len(k.Trend) != 12 {
			t.Errorf("%s: %d monthly trend points, want 12", k.Code, len(k.Trend))
		}
	}
	// The seed's year-1 targets; the grant target is Taman's budget.
	for code, want := range map[string]float64{hailurah.KPIDTKSReductionPct: 20, hailurah.KPIIncomeIncreasePct: 25, hailurah.KPIMicroBusinesses: 50,
		hailurah.KPITrained: 200, hailurah.KPIPadatKaryaWorkers: 100, hailurah.KPIUMKMMarketplace: 30, hailurah.KPIWomenSharePct: 50,
		hailurah.KPIGrantBudgetUsed: 150_000_000, hailurah.KPIBansosReductionPct: 30, hailurah.KPINewJobs: 40} {
		if byCode[code].Target != want {
			t.Errorf("%s target %v, want %v", code, byCode[code].Target, want)
		}
	}
	// No programme data: shares are null, not NaN, and counts zero.
	if k := byCode[hailurah.KPIWomenSharePct]; k.Actual != nil || k.PercentOfTarget != nil {
		t.Errorf("women share without participants: %+v", k)
	}
	if k := byCode[hailurah.KPITrained]; k.Actual == nil || *k.Actual != 0 {
		t.Errorf("trained without trainings: %+v", k)
	}
	st, _, csv := lurah.raw("GET", "/api/v1/dashboard/program?table=kpis&format=csv", "", nil)
	if st != 200 || !strings.Contains(csv, "kpi,label,satuan,target,capaian,persen_target") || !strings.Contains(csv, "trained,Peserta pelatihan & sertifikasi,count,200,0,0") {
		t.Errorf("kpis CSV: %d\n%s", st, csv)
	}
	var city hailurah.ProgrammeDashboard
	if st, _ := f.as("admin").json("GET", "/api/v1/dashboard/program", nil, &city); st != 200 || len(city.Breakdown) != 3 {
		t.Errorf("city programme breakdown: %d rows", len(city.Breakdown))
	}
	lurah.wantError("GET", "/api/v1/dashboard/program?kelurahan=nambangan", nil, http.StatusForbidden, "")
}

func TestDashboardPages(t *testing.T) {
	db := storetest.Open(t)
	f := newPilotFixture(t, db)
	seedDashTickets(t, db, dashTickets)
	st, _, page := f.as("admin").raw("GET", "/dasbor?from=2026-11-01&to=2026-11-30", "", nil)
	if st != 200 || !strings.Contains(page, `id="kel-h"`) || !strings.Contains(page, "Seluruh kota") || strings.Count(page, "<svg") < 4 ||
		!strings.Contains(page, "/api/v1/dashboard/curhat?from=2026-11-01&amp;to=2026-11-30&amp;table=categories&amp;format=csv") {
		t.Errorf("admin dashboard: %d", st)
	}
	st, _, page = f.as("moderator").raw("GET", "/dasbor", "", nil)
	if st != 200 || strings.Contains(page, `id="kel-h"`) || !strings.Contains(page, "Kelurahan Taman") || !strings.Contains(page, "D3") {
		t.Errorf("moderator dashboard: %d", st)
	}
	// The formula-looking summary is text in the page, too.
	if strings.Contains(page, `<a href="http://contoh.invalid"`) {
		t.Error("a summary became a link")
	}
	st, _, page = f.as("moderator").raw("GET", "/dasbor?from=2026-13-01", "", nil)
	if st != http.StatusUnprocessableEntity || !strings.Contains(page, "from harus tanggal") {
		t.Errorf("bad period page: %d", st)
	}
	st, _, page = f.as("lurah").raw("GET", "/siap-taman", "", nil)
	if st != 200 || !strings.Contains(page, `id="kpi-trained"`) || !strings.Contains(page, "Peserta perempuan") {
		t.Errorf("SIAP-TAMAN page: %d", st)
	}
}
