package hailurah_test

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
)

func fp(v float64) *float64 { return &v }

func TestShareNeverDividesByZero(t *testing.T) {
	for _, c := range []struct {
		num, den float64
		want     *float64
	}{
		{1, 3, fp(33.3)}, {2, 3, fp(66.7)}, {0, 5, fp(0)}, {5, 5, fp(100)}, {0, 0, nil}, {3, 0, nil}, {1, -1, nil}, {math.NaN(), 4, nil},
	} {
		got := hailurah.Share(c.num, c.den)
		if (got == nil) != (c.want == nil) || got != nil && *got != *c.want {
			t.Errorf("Share(%v, %v) = %v, want %v", c.num, c.den, got, c.want)
		}
		if got != nil && (math.IsNaN(*got) || math.IsInf(*got, 0)) {
			t.Errorf("Share(%v, %v) is not a number", c.num, c.den)
		}
	}
	if r := hailurah.Ratio(4_000_000, 4_400_000); r == nil || *r != 10 {
		t.Errorf("Ratio = %v", r)
	}
	if r := hailurah.Ratio(0, 100); r != nil {
		t.Errorf("Ratio without a baseline = %v", *r)
	}
}

func TestFormatKPI(t *testing.T) {
	for _, c := range []struct {
		unit hailurah.KPIUnit
		v    *float64
		want string
	}{
		{hailurah.KPIUnitPercent, fp(37.5), "37,5%"}, {hailurah.KPIUnitPercent, fp(100), "100%"}, {hailurah.KPIUnitPercent, fp(-2.5), "-2,5%"},
		{hailurah.KPIUnitRupiah, fp(150_000_000), "Rp 150.000.000"}, {hailurah.KPIUnitCount, fp(1234), "1.234"},
		{hailurah.KPIUnitCount, nil, "–"}, {hailurah.KPIUnitPercent, fp(-0.4), "-0,4%"}, {hailurah.KPIUnitCount, fp(2.5), "2,5"},
	} {
		if got := hailurah.FormatKPI(c.unit, c.v); got != c.want {
			t.Errorf("FormatKPI(%s, %v) = %q, want %q", c.unit, c.v, got, c.want)
		}
	}
}

func TestTargetFlags(t *testing.T) {
	trained, _ := hailurah.FindKPI(hailurah.KPITrained)
	women, _ := hailurah.FindKPI(hailurah.KPIWomenSharePct)
	// Day 76 of 90: 84,4% of a cumulative target is expected, all of a rate.
	exp := hailurah.ExpectedShare(trained, 76, 90)
	if math.Abs(exp-76.0/90) > 1e-12 || hailurah.ExpectedShare(women, 76, 90) != 1 || hailurah.ExpectedShare(trained, 120, 90) != 1 {
		t.Fatalf("expected shares: %v", exp)
	}
	for _, c := range []struct {
		actual *float64
		want   string
	}{{fp(90), hailurah.FlagOnTrack}, {fp(84.5), hailurah.FlagOnTrack}, {fp(84), hailurah.FlagAtRisk}, {fp(43), hailurah.FlagAtRisk},
		{fp(42), hailurah.FlagOffTrack}, {fp(0), hailurah.FlagOffTrack}, {nil, hailurah.FlagNoData}} {
		if got := hailurah.TargetFlag(c.actual, 100, exp); got != c.want {
			t.Errorf("%v of 100 by day 76: %s, want %s", c.actual, got, c.want)
		}
	}
}

// TestBuildPacket checks the packet's arithmetic on values computed by
// hand: trained 60 of 100 by day 76 (60%, under the expected 84,4%: at
// risk), women 55% of 50% (a rate: on track), marketplace without data.
func TestBuildPacket(t *testing.T) {
	start := time.Date(2026, 9, 8, 0, 0, 0, 0, wib)
	p := &hailurah.Pilot{ID: "PL-2026-001", Cycle: 1, CycleStart: start, Targets: []hailurah.PilotTarget{
		{KPI: hailurah.KPITrained, Target: 100}, {KPI: hailurah.KPIWomenSharePct, Target: 50}, {KPI: hailurah.KPIUMKMMarketplace, Target: 10}}}
	p.PlanCycle(hailurah.PilotPolicy{}, start.Add(20*hailurah.PilotDay)) // recorded on day 20: day 14 missed
	at := start.Add(76 * hailurah.PilotDay)
	series := []hailurah.SeriesPoint{
		{Day: 45, At: start.AddDate(0, 0, 45), Values: map[string]hailurah.KPIValue{hailurah.KPITrained: {Value: fp(30)}, hailurah.KPIWomenSharePct: {Value: fp(60)}}},
		{Day: 76, At: at, Values: map[string]hailurah.KPIValue{hailurah.KPITrained: {Value: fp(60), Num: 60},
			hailurah.KPIWomenSharePct: {Value: fp(55), Num: 33, Den: 60}, hailurah.KPIUMKMMarketplace: {Value: nil}}},
	}
	curhat := hailurah.CurhatFigures{Tickets: 40, ModeratorEnded: 30, ModeratorOnTime: 27, DinasEnded: 10, DinasOnTime: 5, Rated: 20, Satisfied: 14}
	pk := hailurah.BuildPacket(hailurah.PacketInput{Pilot: p, DecisionDay: 90, At: at, Series: series, Curhat: curhat})
	if pk.Day != 76 || len(pk.Rows) != 3 {
		t.Fatalf("packet: %+v", pk)
	}
	tr, wo, mk := pk.Rows[0], pk.Rows[1], pk.Rows[2]
	if *tr.PercentOfTarget != 60 || tr.ExpectedPct != 84 || tr.Flag != hailurah.FlagAtRisk || len(tr.Trend) != 2 || *tr.Trend[0].Value != 30 {
		t.Errorf("trained: %+v", tr)
	}
	if *wo.PercentOfTarget != 110 || wo.ExpectedPct != 100 || wo.Flag != hailurah.FlagOnTrack || wo.Den != 60 {
		t.Errorf("women: %+v", wo)
	}
	if mk.Actual != nil || mk.PercentOfTarget != nil || mk.Flag != hailurah.FlagNoData || mk.Trend[0].Value != nil {
		t.Errorf("marketplace: %+v", mk)
	}
	// SLA: 32 of 40 clocks on time = 80% (not a warning); satisfaction 70% is.
	if c := pk.Curhat; *c.ModeratorSLAPct != 90 || *c.DinasSLAPct != 50 || *c.SLACompliancePct != 80 || *c.SatisfactionPct != 70 {
		t.Errorf("curhat: %+v", c)
	}
	text := strings.Join(pk.Warnings, "\n")
	for _, want := range []string{"Peserta pelatihan & sertifikasi: 60 dari target 100 (60%), di bawah laju yang diharapkan 84% pada hari ke-76",
		"UMKM onboard marketplace: belum ada data", "Kepuasan warga (nilai ≥ 4/5) 70%", "Milestone hari ke-14 sudah lewat"} {
		if !strings.Contains(text, want) {
			t.Errorf("warnings lack %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "Kepatuhan SLA") || strings.Contains(text, "Peserta perempuan") {
		t.Errorf("warnings for what is on track:\n%s", text)
	}
	if _, err := json.Marshal(pk); err != nil {
		t.Fatal(err)
	}
	// A pilot that targets the satisfaction warns once, on its row.
	p.Targets = append(p.Targets, hailurah.PilotTarget{KPI: hailurah.KPISatisfactionPct, Target: 80})
	series[1].Values[hailurah.KPISatisfactionPct] = hailurah.KPIValue{Value: fp(70)}
	twice := hailurah.BuildPacket(hailurah.PacketInput{Pilot: p, DecisionDay: 90, At: at, Series: series, Curhat: curhat})
	n := 0
	for _, w := range twice.Warnings {
		if strings.Contains(w, "Kepuasan warga") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("satisfaction warned %d times:\n%s", n, strings.Join(twice.Warnings, "\n"))
	}
	p.Targets = p.Targets[:3]
	// Nothing measured at all: a packet still, every row without data.
	empty := hailurah.BuildPacket(hailurah.PacketInput{Pilot: p, DecisionDay: 90, At: at})
	if len(empty.Rows) != 3 || empty.Rows[0].Flag != hailurah.FlagNoData || empty.Curhat.SLACompliancePct != nil {
		t.Errorf("empty packet: %+v", empty)
	}
	if _, err := json.Marshal(empty); err != nil {
		t.Fatal(err)
	}
}

func TestPublishOpenDataSuppressesSmallCells(t *testing.T) {
	counts := &hailurah.OpenDataCounts{
		KelurahanNames: map[string]string{"taman": "Taman"},
		Categories: []hailurah.OpenCategoryCount{
			// RW01: 9 in all; sosial (2) is small, so lingkungan (7) goes with it.
			{Kelurahan: "taman", Month: "2026-11", RW: "01", Kategori: "lingkungan", Count: 7},
			{Kelurahan: "taman", Month: "2026-11", RW: "01", Kategori: "sosial", Count: 2},
			// RW02: two small cells hide each other; the big one stays.
			{Kelurahan: "taman", Month: "2026-11", RW: "02", Kategori: "lingkungan", Count: 12},
			{Kelurahan: "taman", Month: "2026-11", RW: "02", Kategori: "sosial", Count: 1},
			{Kelurahan: "taman", Month: "2026-11", RW: "02", Kategori: "ekonomi", Count: 3},
			// RW03: 4 in all: everything hidden.
			{Kelurahan: "taman", Month: "2026-11", RW: "03", Kategori: "ekonomi", Count: 4},
			// RW04: nothing small.
			{Kelurahan: "taman", Month: "2026-11", RW: "04", Kategori: "ekonomi", Count: 5},
			{Kelurahan: "taman", Month: "2026-11", RW: "04", Kategori: "sosial", Count: 8},
		},
		SLA: []hailurah.OpenSLACount{{Kelurahan: "taman", Month: "2026-10", Tickets: 3, Ended: 4, OnTime: 4},
			{Kelurahan: "taman", Month: "2026-11", Tickets: 40, Ended: 50, OnTime: 45}},
	}
	now := time.Date(2026, 11, 27, 0, 0, 0, 0, wib)
	d := hailurah.PublishOpenData(counts, "", now.AddDate(0, -1, 0), now, now)
	cell := map[string]string{}
	for _, c := range d.Categories {
		cell[c.RW+"/"+c.Kategori] = c.Count.Text()
	}
	total := map[string]string{}
	for _, c := range d.RWTotals {
		total[c.RW] = c.Count.Text()
	}
	want := map[string]string{"01/lingkungan": "<5", "01/sosial": "<5", "02/lingkungan": "12", "02/sosial": "<5", "02/ekonomi": "<5",
		"03/ekonomi": "<5", "04/ekonomi": "5", "04/sosial": "8"}
	for k, v := range want {
		if cell[k] != v {
			t.Errorf("%s = %q, want %q", k, cell[k], v)
		}
	}
	if total["01"] != "9" || total["02"] != "16" || total["03"] != "<5" || total["04"] != "13" {
		t.Errorf("totals: %v", total)
	}
	if d.SLA[0].CompliancePct != nil || d.SLA[0].Tickets.Text() != "<5" || d.SLA[1].CompliancePct == nil || *d.SLA[1].CompliancePct != 90 {
		t.Errorf("SLA: %+v", d.SLA)
	}
	raw, _ := json.Marshal(d)
	for _, n := range []string{`"value":1,`, `"value":2,`, `"value":3,`, `"value":4,`, `"value":7,`} {
		if strings.Contains(string(raw), n) {
			t.Errorf("the JSON carries %s", n)
		}
	}
}

// TestPublishOpenDataRandomGroups checks the two promises on many random
// tables: no published count is below the threshold, and no RW whose
// total is published hides exactly one cell (which the total would give
// away).
func TestPublishOpenDataRandomGroups(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 90))
	kats := []string{"lingkungan", "infrastruktur", "sosial", "ekonomi", "kesehatan"}
	for round := 0; round < 200; round++ {
		c := &hailurah.OpenDataCounts{}
		for rw := 1; rw <= 4; rw++ {
			for _, k := range kats {
				if n := r.IntN(9); n > 0 {
					c.Categories = append(c.Categories, hailurah.OpenCategoryCount{Kelurahan: "taman", Month: "2026-11", RW: fmt.Sprintf("%02d", rw), Kategori: k, Count: n})
				}
			}
		}
		d := hailurah.PublishOpenData(c, "", time.Time{}, time.Time{}, time.Time{})
		hidden := map[string]int{}
		for _, x := range d.Categories {
			if x.Count.Value != nil && *x.Count.Value < hailurah.MinPublicCell {
				t.Fatalf("round %d: a cell of %d is published", round, *x.Count.Value)
			}
			if x.Count.Suppressed {
				hidden[x.RW]++
			}
		}
		for _, tot := range d.RWTotals {
			if tot.Count.Value != nil && *tot.Count.Value < hailurah.MinPublicCell {
				t.Fatalf("round %d: a total of %d is published", round, *tot.Count.Value)
			}
			if !tot.Count.Suppressed && hidden[tot.RW] == 1 {
				t.Fatalf("round %d: RW %s shows its total and hides one cell", round, tot.RW)
			}
		}
	}
}

// TestPacketFor: a reader of one kelurahan sees the whole packet only when
// the scope is that kelurahan alone; of a wider scope, only their part, or
// nothing; a city-wide reader sees it all.
func TestPacketFor(t *testing.T) {
	v := func(x float64) *float64 { return &x }
	row := func(x float64) []hailurah.PacketRow { return []hailurah.PacketRow{{KPI: "trained", Actual: v(x)}} }
	own := []hailurah.PilotArea{{Kelurahan: "taman", RW: "01"}}
	wide := []hailurah.PilotArea{{Kelurahan: "nambangan"}, {Kelurahan: "taman", RW: "01"}}
	pk := &hailurah.PilotPacket{Rows: row(10), Curhat: hailurah.PacketCurhat{Tickets: 9},
		Parts: []hailurah.PacketPart{{Kelurahan: "nambangan", Rows: row(7)}, {Kelurahan: "taman", Rows: row(3)}}}
	if got := pk.For("taman", own); got != pk {
		t.Errorf("own scope: %+v", got)
	}
	if got := pk.For("", wide); got != pk {
		t.Errorf("city-wide reader: %+v", got)
	}
	got := pk.For("taman", wide)
	if got.Withheld || *got.Rows[0].Actual != 3 || got.Curhat.Tickets != 0 || len(got.Parts) != 1 || got.Parts[0].Kelurahan != "taman" {
		t.Errorf("taman of a wide scope: %+v", got)
	}
	if *pk.Rows[0].Actual != 10 || len(pk.Parts) != 2 {
		t.Errorf("For changed the packet: %+v", pk)
	}
	if got := pk.For("demangan", wide); !got.Withheld || len(got.Rows) != 0 || got.Parts != nil {
		t.Errorf("a kelurahan without a part: %+v", got)
	}
	old := &hailurah.PilotPacket{Rows: row(10)} // a packet from before per-kelurahan parts
	if got := old.For("taman", wide); !got.Withheld || len(got.Rows) != 0 {
		t.Errorf("a wide packet without parts: %+v", got)
	}
	var none *hailurah.PilotPacket
	if none.For("taman", wide) != nil {
		t.Error("no packet")
	}
}
