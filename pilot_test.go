package hailurah_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
)

func area(kel, rw, rt string) hailurah.PilotArea {
	return hailurah.PilotArea{Kelurahan: kel, RW: rw, RT: rt}
}

func TestParseScope(t *testing.T) {
	for text, want := range map[string][]hailurah.PilotArea{
		"RT03/RW02":                        {area("taman", "02", "03")},
		"rt 3 rw 2, RW01":                  {area("taman", "01", ""), area("taman", "02", "03")},
		"semua":                            {area("taman", "", "")},
		"RW1; RW01\nRT2/RW1":               {area("taman", "01", "")}, // duplicates and covered areas fold away
		"nambangan":                        {area("nambangan", "", "")},
		"RW05, nambangan RW01, demangan":   {area("demangan", "", ""), area("nambangan", "01", ""), area("taman", "05", "")},
		"nambangan: RT02/RW01":             {area("nambangan", "01", "02")},
		"RW01, semua":                      {area("taman", "", "")},
		"RW002":                            {area("taman", "02", "")},
		"RT 10 / RW 3":                     {area("taman", "03", "10")},
		"  RW04 ,  ":                       {area("taman", "04", "")},
		"taman RW1, taman RW01, TAMAN rw2": {area("taman", "01", ""), area("taman", "02", "")},
	} {
		got, err := hailurah.ParseScope(text, "taman")
		if err != nil {
			t.Errorf("%q: %v", text, err)
			continue
		}
		if len(got) != len(want) {
			t.Errorf("%q = %v, want %v", text, got, want)
			continue
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%q = %v, want %v", text, got, want)
				break
			}
		}
	}
	for _, text := range []string{"", "RT05", "RW", "RW1000", "RW 0", "jalan mawar 3", "RW01 RT", "Taman!", "RW-1"} {
		if _, err := hailurah.ParseScope(text, "taman"); hailurah.ErrorCode(err) != hailurah.EINVALID || hailurah.ErrorField(err) != "scope" {
			t.Errorf("%q: want an invalid scope, got %v", text, err)
		} else if strings.Contains(hailurah.ErrorMessage(err), "invalid") {
			t.Errorf("%q: message not in Indonesian: %v", text, err)
		}
	}
}

func TestScopeWidensAndCovers(t *testing.T) {
	scope := []hailurah.PilotArea{area("taman", "01", ""), area("taman", "02", "03")}
	for _, c := range []struct {
		next []hailurah.PilotArea
		want bool
	}{
		{[]hailurah.PilotArea{area("taman", "01", "04")}, false},
		{[]hailurah.PilotArea{area("taman", "01", ""), area("taman", "02", "03")}, false},
		{[]hailurah.PilotArea{area("taman", "02", "")}, true},
		{[]hailurah.PilotArea{area("taman", "01", ""), area("nambangan", "", "")}, true},
		{[]hailurah.PilotArea{area("taman", "", "")}, true},
	} {
		if got := hailurah.ScopeWidens(scope, c.next); got != c.want {
			t.Errorf("ScopeWidens(%v, %v) = %v", scope, c.next, got)
		}
	}
	if got := hailurah.ScopeKelurahan([]hailurah.PilotArea{area("taman", "01", ""), area("demangan", "", ""), area("taman", "02", "")}); strings.Join(got, ",") != "demangan,taman" {
		t.Errorf("ScopeKelurahan = %v", got)
	}
	if l := area("taman", "02", "03").PublicLabel(); l != "taman RW02" {
		t.Errorf("public label %q: no RT on the public page", l)
	}
}

func TestValidateTargets(t *testing.T) {
	ok := []hailurah.PilotTarget{{KPI: hailurah.KPITrained, Target: 200}, {KPI: hailurah.KPIIncomeIncreasePct, Target: 125},
		{KPI: hailurah.KPIGrantBudgetUsed, Target: 150_000_000}, {KPI: hailurah.KPIWomenSharePct, Target: 50}}
	if err := hailurah.ValidateTargets(ok); err != nil {
		t.Fatal(err)
	}
	for name, ts := range map[string][]hailurah.PilotTarget{
		"none":        nil,
		"unknown":     {{KPI: "happiness", Target: 1}},
		"twice":       {{KPI: hailurah.KPITrained, Target: 1}, {KPI: hailurah.KPITrained, Target: 2}},
		"zero":        {{KPI: hailurah.KPITrained, Target: 0}},
		"negative":    {{KPI: hailurah.KPIMicroBusinesses, Target: -5}},
		"half person": {{KPI: hailurah.KPITrained, Target: 10.5}},
		"share > 100": {{KPI: hailurah.KPISatisfactionPct, Target: 120}},
		"sen":         {{KPI: hailurah.KPIGrantBudgetUsed, Target: 1000.5}},
		"eleven": {{KPI: "dtks_reduction_pct", Target: 1}, {KPI: "income_increase_pct", Target: 1}, {KPI: "micro_businesses", Target: 1},
			{KPI: "trained", Target: 1}, {KPI: "padat_karya_workers", Target: 1}, {KPI: "umkm_marketplace", Target: 1},
			{KPI: "women_share_pct", Target: 1}, {KPI: "grant_budget_used", Target: 1}, {KPI: "sla_compliance_pct", Target: 1},
			{KPI: "satisfaction_pct", Target: 1}, {KPI: "trained", Target: 2}},
	} {
		if err := hailurah.ValidateTargets(ts); hailurah.ErrorField(err) != "targets" {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestPilotRequest(t *testing.T) {
	today := time.Date(2026, 11, 27, 10, 0, 0, 0, wib)
	req := hailurah.PilotRequest{Name: " Pelatihan digital ", Component: "Koperasi warga", StartDate: "2026-09-08", Owner: "fasilitator",
		Scope: []hailurah.PilotArea{{RW: "1"}}, Targets: []hailurah.PilotTarget{{KPI: hailurah.KPITrained, Target: 100}}}
	p, err := req.Pilot("taman", today, hailurah.Zone{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "Pelatihan digital" || p.Kelurahan != "taman" || p.Scope[0] != area("taman", "01", "") || p.Cycle != 1 ||
		!p.StartDate.Equal(time.Date(2026, 9, 8, 0, 0, 0, 0, wib)) || !p.CycleStart.Equal(p.StartDate) || p.Status != hailurah.PilotRunning {
		t.Errorf("pilot: %+v", p)
	}
	for field, change := range map[string]func(*hailurah.PilotRequest){
		"name":       func(r *hailurah.PilotRequest) { r.Name = "Dua\nbaris" },
		"component":  func(r *hailurah.PilotRequest) { r.Component = "" },
		"owner":      func(r *hailurah.PilotRequest) { r.Owner = " " },
		"start_date": func(r *hailurah.PilotRequest) { r.StartDate = "2025-11-20" }, // more than a year ago
		"scope":      func(r *hailurah.PilotRequest) { r.Scope = nil },
		"targets":    func(r *hailurah.PilotRequest) { r.Targets = nil },
	} {
		r := req
		change(&r)
		if _, err := r.Pilot("taman", today, hailurah.Zone{}); hailurah.ErrorField(err) != field {
			t.Errorf("%s: %v", field, err)
		}
	}
	r := req
	r.StartDate = "2027-12-01"
	if _, err := r.Pilot("taman", today, hailurah.Zone{}); hailurah.ErrorField(err) != "start_date" {
		t.Errorf("more than a year ahead: %v", err)
	}
}

func TestPlanCycleMarksPassedMilestonesMissed(t *testing.T) {
	start := time.Date(2026, 9, 8, 0, 0, 0, 0, wib)
	p := &hailurah.Pilot{CycleStart: start}
	now := start.Add(50 * hailurah.PilotDay)
	p.PlanCycle(hailurah.PilotPolicy{}, now)
	var got []string
	for _, m := range p.Milestones {
		got = append(got, m.Status)
	}
	if strings.Join(got, ",") != "missed,missed,pending" || !p.Milestones[2].Due.Equal(start.AddDate(0, 0, 75)) {
		t.Errorf("milestones: %+v", p.Milestones)
	}
	if !p.ReviewAt.Equal(start.AddDate(0, 0, 76)) || !p.DecisionDue.Equal(start.AddDate(0, 0, 90)) {
		t.Errorf("review %v, decision %v", p.ReviewAt, p.DecisionDue)
	}
	if d := p.DayAt(now.Add(-time.Minute), 0); d != 49 {
		t.Errorf("day %d", d)
	}
	if d := p.DayAt(start.Add(-time.Hour), 0); d != -1 {
		t.Errorf("day before the start %d", d)
	}
	// A day of a minute, for recordings.
	q := &hailurah.Pilot{CycleStart: start}
	q.PlanCycle(hailurah.PilotPolicy{Day: time.Minute}, start)
	if !q.Milestones[0].Due.Equal(start.Add(14*time.Minute)) || q.Milestones[0].Status != hailurah.MilestonePending {
		t.Errorf("short days: %+v", q.Milestones[0])
	}
}

func TestDecisionRequestValidate(t *testing.T) {
	lurah := hailurah.Actor{Username: "irfa", Role: hailurah.RoleLurah, Kelurahan: "taman"}
	why := "Target tercapai; perluas ke kelurahan tetangga sesuai formula replikasi."
	scale := hailurah.DecisionRequest{Decision: hailurah.DecisionScale, Rationale: "  " + why + " ", Actor: lurah,
		Scope: []hailurah.PilotArea{{RW: "1"}, {Kelurahan: "nambangan"}}}
	if err := scale.Validate("taman"); err != nil {
		t.Fatal(err)
	}
	if scale.Rationale != why || scale.Scope[0] != area("nambangan", "", "") || scale.Scope[1] != area("taman", "01", "") {
		t.Errorf("normalised: %+v", scale)
	}
	for field, r := range map[string]hailurah.DecisionRequest{
		"decision":  {Decision: "pause", Rationale: why, Actor: lurah},
		"rationale": {Decision: hailurah.DecisionStop, Rationale: "ok", Actor: lurah},
		"actor":     {Decision: hailurah.DecisionStop, Rationale: why},
		"scope":     {Decision: hailurah.DecisionScale, Rationale: why, Actor: lurah},
		"targets":   {Decision: hailurah.DecisionAdjust, Rationale: why, Actor: lurah, Targets: []hailurah.PilotTarget{{KPI: "x", Target: 1}}},
	} {
		if err := r.Validate("taman"); hailurah.ErrorField(err) != field {
			t.Errorf("%s: %v", field, err)
		}
	}
	stop := hailurah.DecisionRequest{Decision: hailurah.DecisionStop, Rationale: why, Actor: lurah, Targets: []hailurah.PilotTarget{{KPI: hailurah.KPITrained, Target: 1}}}
	if err := stop.Validate("taman"); hailurah.ErrorField(err) != "decision" {
		t.Errorf("stop with targets: %v", err)
	}
	adjust := hailurah.DecisionRequest{Decision: hailurah.DecisionAdjust, Rationale: why, Actor: lurah, Scope: []hailurah.PilotArea{{RW: "02"}}}
	if err := adjust.Validate("taman"); hailurah.ErrorField(err) != "scope" {
		t.Errorf("adjust with a scope: %v", err)
	}
}

func TestPilotIDs(t *testing.T) {
	if id := hailurah.PilotID(2026, 7); id != "PL-2026-007" || !hailurah.IsPilotID(id) {
		t.Errorf("id %q", id)
	}
	for _, s := range []string{"", "PL-", "HL-2026-000001", "PL-2026-00x", "PL-2026-001/../x", strings.Repeat("PL-1", 8)} {
		if hailurah.IsPilotID(s) {
			t.Errorf("%q taken for a pilot id", s)
		}
	}
}
