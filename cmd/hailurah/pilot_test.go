package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/workflows"
)

// TestPilotDemoEndToEnd is the "done when" on the whole program:
// `hailurah seed-demo` fills months of data and starts a real pilot whose
// cycle began 80 days ago; the worker takes its day-76 snapshot at once;
// the lurah sees the packet in the browser and signs; the workflow
// refuses what it must (through Temporal, not a stand-in); the cycle
// continues as new; and the dashboards and the public page show plausible
// figures, drawn in Chromium.
func TestPilotDemoEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server and Chromium")
	}
	begin := time.Now()
	m := startMain(t, t.TempDir())
	base := m.HTTP.URL()
	t.Logf("program ready in %s", time.Since(begin).Round(time.Millisecond))

	// seed-demo against the running program's data dir and Temporal, as
	// `hailurah seed-demo` beside `hailurah dev` does.
	cfg := m.Config
	cfg.DevTemporalAddr = m.Devserver.FrontendAddr()
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	seeded := time.Now()
	if err := runSeedDemo(ctx, cfg, newLogger(io.Discard, "warn"), []string{"--tickets", "600", "--months", "4"}, &out); err != nil {
		t.Fatalf("seed-demo: %v\n%s", err, out.String())
	}
	t.Logf("seed-demo in %s:\n%s", time.Since(seeded).Round(time.Millisecond), out.String())
	id := regexp.MustCompile(`PL-\d{4}-\d{3}`).FindString(out.String())
	if id == "" {
		t.Fatalf("seed-demo named no pilot:\n%s", out.String())
	}
	if err := runSeedDemo(ctx, cfg, newLogger(io.Discard, "warn"), nil, io.Discard); err == nil || !strings.Contains(err.Error(), "sudah ada") {
		t.Errorf("a second seed-demo: %v", err)
	}

	lurah := staffClient(t, base, "lurah")
	var p struct {
		Status    string
		Cycle     int
		Day       int
		Packet    *hailurah.PilotPacket
		Decisions []hailurah.PilotDecision
		Deadlines struct{ Milestones []hailurah.PilotMilestone }
	}
	eventually(t, "the review packet", func() bool {
		lurah.call("GET", "/api/v1/pilots/"+id, nil, &p)
		return p.Status == string(hailurah.PilotAwaitingDecision) && p.Packet != nil
	})
	if st, page := lurah.page("/kotak-masuk"); st != http.StatusOK || !strings.Contains(page, `href="/pilot/`+id+`"`) {
		t.Fatalf("the lurah's inbox lacks pilot %s: %d", id, st)
	}
	if p.Day != 80 || p.Cycle != 1 || len(p.Packet.Rows) != 5 || p.Packet.Day != 80 || p.Packet.Curhat.Tickets == 0 {
		t.Fatalf("pilot at day 80: day %d cycle %d packet %+v", p.Day, p.Cycle, p.Packet)
	}
	for _, ms := range p.Deadlines.Milestones {
		if ms.Status != hailurah.MilestoneMissed {
			t.Errorf("milestone %d of a pilot recorded on day 80: %s", ms.Day, ms.Status)
		}
	}
	rows := map[string]hailurah.PacketRow{}
	for _, r := range p.Packet.Rows {
		rows[r.KPI] = r
	}
	if r := rows[hailurah.KPITrained]; r.Actual == nil || *r.Actual <= 0 || r.Flag == hailurah.FlagNoData || len(r.Trend) != 4 {
		t.Errorf("trained in the packet: %+v", r)
	}
	t.Logf("packet: %s", packetLine(p.Packet))

	// Refusals, through the real workflow where it is the one refusing.
	decide := func(c *apiClient, body map[string]any) (int, map[string]any) {
		var out map[string]any
		st := c.call("POST", "/api/v1/pilots/"+id+"/decision", body, &out)
		return st, out
	}
	rationale := "Peserta pelatihan sesuai laju; lanjutkan dengan target onboarding marketplace yang lebih tinggi."
	if st, out := decide(staffClient(t, base, "moderator"), map[string]any{"decision": "stop", "rationale": rationale}); st != http.StatusForbidden {
		t.Errorf("moderator's decision: %d %v", st, out)
	}
	if st, out := decide(staffClient(t, base, "lurah-demangan"), map[string]any{"decision": "stop", "rationale": rationale}); st != http.StatusNotFound {
		t.Errorf("another kelurahan's lurah: %d %v", st, out)
	}
	if st, out := decide(lurah, map[string]any{"decision": "scale", "rationale": rationale,
		"scope": []map[string]string{{"rw": "01"}, {"rw": "02"}}}); st != http.StatusUnprocessableEntity || !strings.Contains(errMessage(out), "lebih luas") {
		t.Errorf("a scale that does not widen: %d %v", st, out)
	}

	// The lurah opens the pilot in the browser, sees the packet and signs.
	b := newBrowser(t, base)
	lt := b.newTab("lurah", 1280, 900, false)
	lt.login("lurah")
	if st := lt.open("/pilot/" + id); st != http.StatusOK {
		t.Fatalf("pilot page: %d", st)
	}
	if got := lt.text("#paket-h + p"); !strings.Contains(got, "hari ke-80") {
		t.Errorf("packet heading: %q", got)
	}
	if !lt.eval(`document.querySelectorAll("#paket-h ~ .table-wrap tbody tr").length === 5 && document.querySelectorAll(".spark-line").length >= 1`) {
		t.Error("the packet table or its trend lines are missing")
	}
	lt.shot("pilot-paket")
	lt.do(chromedp.Click(chromedp.CSS(`input[name=decision][value=adjust]`)),
		chromedp.SendKeys(chromedp.ID("rationale"), rationale),
		chromedp.SetValue(chromedp.ID("t-umkm_marketplace"), "25"))
	// Signing is final: without the confirmation box the form comes back
	// with that one mistake, keeping what was typed.
	if st := lt.submit(`.decision-form button[type=submit]`); st != http.StatusUnprocessableEntity {
		t.Fatalf("decision without confirmation: %d", st)
	}
	if got := lt.text("#putus-yakin-err"); !strings.Contains(got, "tidak dapat dibatalkan") {
		t.Errorf("confirmation error: %q", got)
	}
	if got := runIn(lt, chromedp.Value(chromedp.ID("rationale"))); got != rationale {
		t.Errorf("the refused decision lost its rationale: %q", got)
	}
	lt.do(chromedp.Click(chromedp.ID("putus-yakin")))
	if st := lt.submit(`.decision-form button[type=submit]`); st != http.StatusOK {
		t.Fatalf("decision form: %d: %s", st, lt.text("main"))
	}
	if got := lt.text(".flash"); !strings.Contains(got, "ditandatangani") {
		t.Errorf("flash after signing: %q (%s)", got, lt.text("main"))
	}
	if got := lt.text(".badges"); !strings.Contains(got, "Siklus 2") || !strings.Contains(got, "Berjalan") {
		t.Errorf("after adjust: %q", got)
	}
	// The packet the decision rests on stays in view in the new cycle.
	if got := lt.text("#paket-dasar"); !strings.Contains(got, "siklus 1") || !strings.Contains(got, "Sesuaikan") {
		t.Errorf("packet basis after signing: %q", got)
	}
	if !lt.eval(`document.querySelectorAll("#paket-h ~ .table-wrap tbody tr").length === 5`) {
		t.Error("the packet's table is gone after signing")
	}
	if got := lt.text(".decisions"); !strings.Contains(got, "Sesuaikan") || strings.Contains(got, "adjust") || !strings.Contains(got, "Irfa Darojat") {
		t.Errorf("signed decision shown as %q", got)
	}
	lt.shot("pilot-keputusan")

	// The decision is signed once: the next cycle has no packet yet, and
	// the workflow says so.
	if st, out := decide(lurah, map[string]any{"decision": "stop", "rationale": rationale}); st != http.StatusConflict || !strings.Contains(errMessage(out), "hari ke-76") {
		t.Errorf("a second decision: %d %v", st, out)
	}
	lurah.call("GET", "/api/v1/pilots/"+id, nil, &p)
	if p.Cycle != 2 || p.Status != string(hailurah.PilotRunning) || len(p.Decisions) != 1 || p.Decisions[0].Decision != "adjust" ||
		p.Decisions[0].DecidedBy != "lurah" || p.Packet != nil {
		t.Errorf("after the decision: %+v", p)
	}
	var umkm float64
	for _, x := range p.Decisions[0].Targets {
		if x.KPI == hailurah.KPIUMKMMarketplace {
			umkm = x.Target
		}
	}
	if umkm != 25 {
		t.Errorf("adjusted targets: %+v", p.Decisions[0].Targets)
	}
	// The workflow continued as new into cycle 2.
	desc, err := m.Temporal.DescribeWorkflowExecution(ctx, workflows.PilotWorkflowID(id), "")
	if err != nil {
		t.Fatal(err)
	}
	if desc.WorkflowExecutionInfo.GetFirstRunId() == desc.WorkflowExecutionInfo.Execution.GetRunId() {
		t.Error("the adjust did not continue as new")
	}

	// The dashboards, through the API and in the browser.
	var cd hailurah.CurhatDashboard
	if st := lurah.call("GET", "/api/v1/dashboard/curhat?from="+time.Now().AddDate(0, -4, 0).Format("2006-01-02"), nil, &cd); st != 200 {
		t.Fatalf("curhat dashboard: %d", st)
	}
	s := cd.Summary
	if s.Total < 150 || s.FollowedUpPct == nil || *s.FollowedUpPct < 50 || s.MedianReplySeconds == nil || *s.MedianReplySeconds > 90 ||
		s.SatisfactionPct == nil || s.ModeratorSLA.Pct == nil || len(cd.Categories) < 5 || len(cd.Heatmap) < 10 {
		t.Errorf("curhat dashboard of Taman: %+v", s)
	}
	t.Logf("HAI LURAH (Taman, 4 bulan): %d curhat, ditindaklanjuti %s, median balasan AI %.0f s, SLA moderator %s, SLA dinas %s, kepuasan %s, lewat tenggat %d",
		s.Total, hailurah.FormatPct(s.FollowedUpPct), *s.MedianReplySeconds, hailurah.FormatPct(s.ModeratorSLA.Pct),
		hailurah.FormatPct(s.DinasSLA.Pct), hailurah.FormatPct(s.SatisfactionPct), s.OverdueNow)
	var pd hailurah.ProgrammeDashboard
	if st := staffClient(t, base, "admin").call("GET", "/api/v1/dashboard/program", nil, &pd); st != 200 || len(pd.KPIs) != len(hailurah.ProgrammeKPICodes()) || len(pd.Breakdown) != 3 {
		t.Fatalf("programme dashboard: %d %+v", st, pd)
	}
	for _, k := range pd.KPIs {
		if k.Actual == nil || *k.Actual <= 0 {
			t.Errorf("SIAP-TAMAN %s has no value on demo data: %v", k.Code, k.Actual)
		}
		t.Logf("SIAP-TAMAN kota: %-36s %s dari target %s (%s)", k.Label, hailurah.FormatKPI(k.Unit, k.Actual),
			hailurah.FormatKPI(k.Unit, &k.Target), hailurah.FormatPct(k.PercentOfTarget))
	}

	if st := lt.open("/siap-taman"); st != http.StatusOK || !lt.eval(`document.querySelectorAll(".kpi-card").length === `+strconv.Itoa(len(hailurah.ProgrammeKPICodes()))+` && document.querySelectorAll(".kpi-card .spark-line").length >= 6`) {
		t.Errorf("SIAP-TAMAN page: %d", st)
	}
	lt.shot("siap-taman-lurah")
	if st := lt.open("/dasbor"); st != http.StatusOK || !lt.eval(`document.querySelectorAll("svg.chart, svg.chart-fixed, ul.hbars").length >= 4 && document.querySelectorAll(".tile").length === 8 && document.querySelectorAll(".board-card").length > 0`) {
		t.Errorf("HAI LURAH dashboard: %d", st)
	}
	lt.shot("dasbor-lurah")
	admin := b.newTab("admin", 1280, 900, false)
	admin.login("admin")
	if st := admin.open("/dasbor?from=" + time.Now().AddDate(0, -4, 0).Format("2006-01-02")); st != http.StatusOK ||
		!admin.eval(`document.querySelectorAll("#kel-h + .table-wrap tbody tr").length === 3`) {
		t.Errorf("city dashboard: %d", st)
	}
	admin.shot("dasbor-kota")
	if st := admin.open("/siap-taman"); st != http.StatusOK {
		t.Errorf("city SIAP-TAMAN: %d", st)
	}
	admin.shot("siap-taman-kota")
	phone := b.newTab("lurah-hp", 360, 740, true)
	phone.login("lurah")
	phone.open("/dasbor")
	if !phone.eval(`document.documentElement.scrollWidth <= window.innerWidth + 1`) {
		t.Error("the dashboard scrolls sideways on a 360 px phone")
	}
	// Every word of a chart is at least 12 px on the phone: the bar lists
	// are text, a drawn chart scrolls rather than shrinks.
	if small := runIn(phone, chromedp.Evaluate[[]string](`[...document.querySelectorAll("svg.chart text, svg.chart-fixed text, ul.hbars li")]
		.filter(el => parseFloat(getComputedStyle(el).fontSize) * (el.getScreenCTM ? el.getScreenCTM().a : 1) < 11.95)
		.map(el => el.textContent.trim() + " " + (parseFloat(getComputedStyle(el).fontSize) * (el.getScreenCTM ? el.getScreenCTM().a : 1)).toFixed(1) + "px")`)); len(small) > 0 {
		t.Errorf("chart labels under 12 px on a 360 px phone: %v", small)
	}
	phone.shot("dasbor-hp")

	// The public page: no login, the decision with its rationale, no small cells.
	guest := b.newTab("warga", 1280, 900, false)
	if st := guest.open("/data"); st != http.StatusOK || !strings.Contains(guest.text("#keputusan-h + .decisions"), rationale) {
		t.Errorf("public page: %d", st)
	}
	guest.shot("data-terbuka")
	var od hailurah.OpenData
	if st := newAPIClient(t, base).call("GET", "/api/v1/opendata", nil, &od); st != 200 || len(od.Categories) == 0 || len(od.Decisions) != 1 {
		t.Fatalf("open data: %d %+v", st, od)
	}
	for _, c := range od.Categories {
		if c.Count.Value != nil && *c.Count.Value < hailurah.MinPublicCell {
			t.Errorf("a public cell of %d", *c.Count.Value)
		}
	}
	t.Logf("end to end in %s", time.Since(begin).Round(time.Millisecond))
}

func errMessage(out map[string]any) string {
	e, _ := out["error"].(map[string]any)
	m, _ := e["message"].(string)
	return m
}

func packetLine(pk *hailurah.PilotPacket) string {
	var parts []string
	for _, r := range pk.Rows {
		parts = append(parts, r.Label+" "+hailurah.FormatKPI(r.Unit, r.Actual)+"/"+hailurah.FormatKPI(r.Unit, &r.Target)+" ("+hailurah.FlagLabel(r.Flag)+")")
	}
	b, _ := json.Marshal(pk.Warnings)
	return strings.Join(parts, "; ") + " · peringatan " + string(b)
}
