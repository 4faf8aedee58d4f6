package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/storetest"
)

// seedPublic writes November's tickets: Taman RW01 7 lingkungan and 2
// sosial, Taman RW02 3 infrastruktur, Nambangan RW01 6 ekonomi; plus a
// rejected spam report and one still in the city queue, which the public
// page leaves out.
func seedPublic(t *testing.T, db *store.DB) {
	t.Helper()
	var list []dashTicket
	add := func(n int, kel, rw, kat string) {
		for i := 0; i < n; i++ {
			list = append(list, dashTicket{id: fmt.Sprintf("OD-%s-%s-%s-%d", kel, rw, kat, i), kel: kel, rt: fmt.Sprintf("%02d", 1+i%3), rw: rw,
				kategori: kat, status: hailurah.StatusResolved, day: 3 + i, urgency: 2, rating: 4, verified: true})
		}
	}
	add(7, "taman", "01", "lingkungan")
	add(2, "taman", "01", "sosial")
	add(3, "taman", "02", "infrastruktur")
	add(6, "nambangan", "01", "ekonomi")
	list = append(list, dashTicket{id: "OD-SPAM", kel: "taman", rw: "05", kategori: "lainnya", status: hailurah.StatusRejected, day: 4},
		dashTicket{id: "OD-CITY", rw: "07", kategori: "lingkungan", status: hailurah.StatusOpen, day: 5})
	seedDashTickets(t, db, list)
}

// signedPilot stores a stopped pilot of Taman with its decision.
func signedPilot(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	start := time.Date(2026, 8, 1, 0, 0, 0, 0, dashWIB)
	p := &hailurah.Pilot{Name: "Pasar rakyat hybrid", Component: hailurah.ComponentPasarRakyat, Kelurahan: "taman",
		Scope: []hailurah.PilotArea{{Kelurahan: "taman", RW: "01", RT: "02"}}, StartDate: start, CycleStart: start, Owner: "fasilitator",
		Targets: []hailurah.PilotTarget{{KPI: hailurah.KPIUMKMMarketplace, Target: 20}}}
	if err := db.CreatePilot(ctx, p); err != nil {
		t.Fatal(err)
	}
	p.Status, p.Version = hailurah.PilotStopped, 9
	d := &hailurah.PilotDecision{PilotID: p.ID, Cycle: 1, Decision: hailurah.DecisionScale,
		Rationale: "Omzet pedagang naik; pasar diperluas ke RW03 dan Nambangan.", DecidedBy: "lurah", DecidedAt: start.AddDate(0, 0, 85),
		Scope: []hailurah.PilotArea{{Kelurahan: "taman", RW: "01", RT: "02"}, {Kelurahan: "taman", RW: "03"}, {Kelurahan: "nambangan"}}}
	if err := db.ProjectPilot(ctx, &hailurah.PilotProjection{Pilot: p, Decision: d}); err != nil {
		t.Fatal(err)
	}
}

func TestOpenDataSuppressesSmallCells(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newPilotFixture(t, db)
		seedPublic(t, db)
		signedPilot(t, db)
		anon := f.as("")
		var d hailurah.OpenData
		st, raw := anon.json("GET", "/api/v1/opendata?from=2026-11-01&to=2026-11-30", nil, &d)
		if st != http.StatusOK {
			t.Fatalf("open data: %d %s", st, raw)
		}
		cells := map[string]hailurah.PublicCount{}
		for _, c := range d.Categories {
			cells[c.Kelurahan+"/"+c.RW+"/"+c.Kategori] = c.Count
		}
		totals := map[string]hailurah.PublicCount{}
		for _, c := range d.RWTotals {
			totals[c.Kelurahan+"/"+c.RW] = c.Count
		}
		shown := func(c hailurah.PublicCount, n int) bool { return !c.Suppressed && c.Value != nil && *c.Value == n }
		hidden := func(c hailurah.PublicCount) bool { return c.Suppressed && c.Value == nil }
		// Taman RW01: 9 in all; sosial (2) is hidden, and lingkungan (7) with
		// it, or 9 − 7 would give sosial away.
		if !shown(totals["taman/01"], 9) || !hidden(cells["taman/01/sosial"]) || !hidden(cells["taman/01/lingkungan"]) {
			t.Errorf("taman RW01: total %+v, sosial %+v, lingkungan %+v", totals["taman/01"], cells["taman/01/sosial"], cells["taman/01/lingkungan"])
		}
		// Taman RW02: 3 in all, hidden everywhere.
		if !hidden(totals["taman/02"]) || !hidden(cells["taman/02/infrastruktur"]) {
			t.Errorf("taman RW02: %+v %+v", totals["taman/02"], cells["taman/02/infrastruktur"])
		}
		// Nambangan RW01: 6 of one kategori is shown.
		if !shown(cells["nambangan/01/ekonomi"], 6) || !shown(totals["nambangan/01"], 6) {
			t.Errorf("nambangan RW01: %+v", cells["nambangan/01/ekonomi"])
		}
		// The spam report and the city queue are not there at all.
		if _, ok := totals["taman/05"]; ok || len(totals) != 3 {
			t.Errorf("totals: %v", totals)
		}
		// Whatever the cell, no number below 5 leaves the server.
		for _, m := range regexp.MustCompile(`"value":(\d+)`).FindAllStringSubmatch(raw, -1) {
			var n int
			fmt.Sscan(m[1], &n)
			if n < hailurah.MinPublicCell {
				t.Errorf("a count of %d is published: %s", n, raw)
			}
		}
		// Nothing that names a ticket, a person or an RT.
		for _, secret := range []string{"OD-", "TRK-", "sender-", "Isi curhat", `"rt"`, "fasilitator", `"lurah"`, "decided_by"} {
			if strings.Contains(raw, secret) {
				t.Errorf("the public JSON contains %q", secret)
			}
		}
		// SLA: Taman received 12 tickets in November, every clock on time.
		if len(d.SLA) != 2 || d.SLA[1].Kelurahan != "taman" || d.SLA[1].CompliancePct == nil || *d.SLA[1].CompliancePct != 100 {
			t.Errorf("SLA: %+v", d.SLA)
		}
		// The decision, with its rationale and RW-level scope.
		if len(d.Decisions) != 1 || d.Decisions[0].Rationale == "" || strings.Join(d.Decisions[0].Scope, ",") != "taman RW01,taman RW03,nambangan" {
			t.Errorf("decisions: %+v", d.Decisions)
		}

		// One kelurahan only, and a table as CSV, all without logging in.
		var one hailurah.OpenData
		if st, _ := anon.json("GET", "/api/v1/opendata?kelurahan=nambangan&from=2026-11-01&to=2026-11-30", nil, &one); st != 200 ||
			len(one.RWTotals) != 1 || len(one.Decisions) != 0 {
			t.Errorf("nambangan only: %+v", one)
		}
		st, _, csv := anon.raw("GET", "/api/v1/opendata?from=2026-11-01&to=2026-11-30&table=categories&format=csv", "", nil)
		if st != 200 || !strings.Contains(csv, "taman,Taman,2026-11,01,sosial,<5") || !strings.Contains(csv, "nambangan,Nambangan,2026-11,01,ekonomi,6") {
			t.Errorf("categories CSV: %d\n%s", st, csv)
		}
		anon.wantError("GET", "/api/v1/opendata?kelurahan=atlantis", nil, http.StatusUnprocessableEntity, "kelurahan")

		// The page: "<5" where a cell is small, nothing personal.
		st, _, page := anon.raw("GET", "/data?from=2026-11-01&to=2026-11-30", "", nil)
		if st != 200 || !strings.Contains(page, "&lt;5") || !strings.Contains(page, "Omzet pedagang naik") || !strings.Contains(page, "RW 01") {
			t.Fatalf("public page: %d", st)
		}
		for _, secret := range []string{"OD-", "Isi curhat", "sender-", "RT 0", "RT0"} {
			if strings.Contains(page, secret) {
				t.Errorf("the public page contains %q", secret)
			}
		}
		var body map[string]any
		_ = json.Unmarshal([]byte(raw), &body)
		if _, ok := body["categories"]; !ok {
			t.Errorf("open data JSON lacks its categories: %s", raw)
		}
	})
}
