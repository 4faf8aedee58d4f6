package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/devserver"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/workflows"
)

// seedDemoDir runs seed-demo on dir as a newcomer does before
// `hailurah dev`, with the embedded Temporal server it starts itself, and
// returns what it printed.
func seedDemoDir(t *testing.T, dir string, args ...string) string {
	t.Helper()
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	begin := time.Now()
	if err := runSeedDemo(ctx, testConfig(t, dir), newLogger(io.Discard, "warn"), args, &out); err != nil {
		t.Fatalf("seed-demo: %v\n%s", err, out.String())
	}
	t.Logf("seed-demo %s in %s:\n%s", strings.Join(args, " "), time.Since(begin).Round(time.Millisecond), out.String())
	return out.String()
}

// demoStarted reads the closing note's count of workflows by kind.
func demoStarted(t *testing.T, out string) (tickets, grants, pilots int) {
	t.Helper()
	m := regexp.MustCompile(`(\d+) alur kerja dimulai \((\d+) tiket, (\d+) hibah, (\d+) pilot, (\d+) pinjaman\)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("the closing note does not count the workflows:\n%s", out)
	}
	n := func(s string) int { v, _ := strconv.Atoi(s); return v }
	if n(m[1]) != n(m[2])+n(m[3])+n(m[4])+n(m[5]) || n(m[5]) != 2 {
		t.Errorf("workflows: %s", m[0])
	}
	return n(m[2]), n(m[3]), n(m[4])
}

// overdueTicket is a demo ticket whose current step was past its deadline
// when seed-demo wrote it, with the last seq of its timeline then.
type overdueTicket struct {
	ID      string
	Status  string
	LastSeq int
}

// findOverdue reads the seeded store, before the program runs, for the
// newest ticket waiting past its deadline: a moderator's verification or a
// unit's task.
func findOverdue(t *testing.T, dir string) overdueTicket {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, "", dir, newLogger(io.Discard, "warn"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var rows []struct {
		ID           string
		Status       string
		Verified     bool
		ModeratorDue *time.Time
		DinasDue     *time.Time
	}
	if err := db.Gorm().Raw(`SELECT id, status, verified, moderator_due, dinas_due FROM tickets
		WHERE status IN ('open', 'assigned', 'in_progress') ORDER BY datetime_received DESC`).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for _, r := range rows {
		overdue := r.Status == "open" && !r.Verified && r.ModeratorDue != nil && r.ModeratorDue.Before(now) ||
			r.Status != "open" && r.DinasDue != nil && r.DinasDue.Before(now)
		if !overdue {
			continue
		}
		o := overdueTicket{ID: r.ID, Status: r.Status}
		if err := db.Gorm().Raw("SELECT MAX(seq) FROM ticket_events WHERE ticket_id = ?", r.ID).Scan(&o.LastSeq).Error; err != nil {
			t.Fatal(err)
		}
		return o
	}
	t.Fatalf("no overdue ticket among the %d waiting: seed more", len(rows))
	return overdueTicket{}
}

// one reads a single string from the program's store.
func one(t *testing.T, m *Main, query string, args ...any) string {
	t.Helper()
	var s string
	if err := m.DB.Gorm().Raw(query, args...).Scan(&s).Error; err != nil || s == "" {
		t.Fatalf("%s: %q %v", query, s, err)
	}
	return s
}

// TestLivingDemo is issue 18's "done when" through the API: seed-demo on a
// fresh data dir starts a workflow for every open ticket, grant and the
// pilot; the program started on it escalates an overdue ticket at once;
// the moderator verifies and assigns the newest open ticket, the PUPR
// officer accepts and completes it and completes a seeded task, the lurah
// approves a verified demo grant and signs the pilot's decision.
func TestLivingDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server")
	}
	dir := t.TempDir()
	// One month of 500 tickets: dense enough near today that open,
	// overdue and PUPR tickets are always among them.
	out := seedDemoDir(t, dir, "--tickets", "500", "--months", "1")
	tickets, grants, pilots := demoStarted(t, out)
	if tickets < 50 || grants != 14 || pilots != 1 {
		t.Errorf("workflows started: %d tickets, %d grants, %d pilots", tickets, grants, pilots)
	}
	overdue := findOverdue(t, dir)

	m := startMain(t, dir)
	base := m.HTTP.URL()
	ctx := context.Background()
	begin := time.Now()

	// Overdue: its timer fires as soon as the worker runs it, with the
	// next seq of its timeline.
	breach := map[string]string{"open": hailurah.EventModeratorBreach, "assigned": hailurah.EventDinasBreach, "in_progress": hailurah.EventDinasBreach}[overdue.Status]
	eventually(t, "the overdue ticket's escalation", func() bool {
		events, err := m.DB.ListTicketEvents(ctx, overdue.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range events {
			if e.Seq > overdue.LastSeq {
				if e.Type != breach || e.Seq != overdue.LastSeq+1 {
					t.Fatalf("%s (%s): first new event %s seq %d, want %s seq %d", overdue.ID, overdue.Status, e.Type, e.Seq, breach, overdue.LastSeq+1)
				}
				return true
			}
		}
		return false
	})
	t.Logf("overdue %s (%s) escalated %s after the program served", overdue.ID, overdue.Status, time.Since(begin).Round(time.Millisecond))

	// Every open item has its workflow in Temporal.
	for typ, want := range map[string]int{"CurhatWorkflow": tickets, "GrantWorkflow": grants, "PilotReviewWorkflow": pilots} {
		eventually(t, typ+" executions", func() bool {
			res, err := m.Temporal.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Query: "WorkflowType = '" + typ + "'"})
			return err == nil && res.GetCount() == int64(want)
		})
	}

	// The moderator verifies and assigns the newest open ticket.
	id := one(t, m, "SELECT id FROM tickets WHERE kelurahan_code = 'taman' AND status = 'open' ORDER BY datetime_received DESC, id DESC LIMIT 1")
	mod := staffClient(t, base, "moderator")
	var list struct{ Items []map[string]any }
	if st := mod.call("GET", "/api/v1/tickets?status=open", nil, &list); st != http.StatusOK {
		t.Fatalf("queue: %d", st)
	}
	listed := false
	for _, it := range list.Items {
		listed = listed || it["id"] == id
	}
	if !listed {
		t.Errorf("the moderator's queue lacks %s", id)
	}
	var state hailurah.TicketState
	if st := mod.call("POST", "/api/v1/tickets/"+id+"/actions", map[string]any{"action": "verify"}, &state); st != http.StatusOK || !state.Verified {
		t.Fatalf("verify %s: %d %+v", id, st, state)
	}
	if st := mod.call("POST", "/api/v1/tickets/"+id+"/actions", map[string]any{"action": "assign", "unit": "pupr"}, &state); st != http.StatusOK ||
		state.Status != hailurah.StatusAssigned || state.Unit != "pupr" {
		t.Fatalf("assign %s: %d %+v", id, st, state)
	}

	// PUPR accepts and completes it, and completes a task seeded in progress.
	pupr := staffClient(t, base, "dinas-pupr")
	if st := pupr.call("POST", "/api/v1/tickets/"+id+"/actions", map[string]any{"action": "accept"}, &state); st != http.StatusOK || state.Status != hailurah.StatusInProgress {
		t.Fatalf("accept %s: %d %+v", id, st, state)
	}
	if st := pupr.call("POST", "/api/v1/tickets/"+id+"/actions", map[string]any{"action": "done", "text": "Sudah diperbaiki."}, &state); st != http.StatusOK ||
		state.Status != hailurah.StatusAwaitingConfirmation {
		t.Fatalf("done %s: %d %+v", id, st, state)
	}
	task := one(t, m, "SELECT id FROM tickets WHERE assigned_unit = 'pupr' AND status = 'in_progress' ORDER BY datetime_received LIMIT 1")
	if st := pupr.call("POST", "/api/v1/tickets/"+task+"/actions", map[string]any{"action": "done", "text": "Jalan sudah ditambal."}, &state); st != http.StatusOK ||
		state.Status != hailurah.StatusAwaitingConfirmation {
		t.Fatalf("done on the seeded task %s: %d %+v", task, st, state)
	}
	// Their timelines go on from the seeded events: one of each, in order.
	for _, tid := range []string{id, task} {
		eventually(t, "the done of "+tid+" projected", func() bool {
			tk, err := m.DB.FindTicket(ctx, tid)
			return err == nil && tk.Status == hailurah.StatusAwaitingConfirmation
		})
		events, err := m.DB.ListTicketEvents(ctx, tid)
		if err != nil {
			t.Fatal(err)
		}
		count := map[string]int{}
		for i, e := range events {
			count[e.Type]++
			if e.Seq != i+1 {
				t.Errorf("%s: event %d (%s) has seq %d", tid, i+1, e.Type, e.Seq)
			}
		}
		if count[hailurah.EventCreated] != 1 || count[hailurah.EventTriaged] != 1 || count[hailurah.ActionDone] != 1 {
			t.Errorf("%s timeline: %v", tid, count)
		}
	}

	// The lurah approves a verified demo grant.
	gid := one(t, m, "SELECT id FROM grants WHERE kelurahan_code = 'taman' AND status = 'verified' ORDER BY id LIMIT 1")
	lurah := staffClient(t, base, "lurah")
	lurah.act(gid, map[string]any{"action": "approve", "notes": "Prioritas DTKS."}, http.StatusOK)
	g := lurah.grant(gid)
	if g.Status != string(hailurah.GrantApproved) {
		t.Errorf("grant after approve: %+v", g)
	}
	types := map[string]int{}
	for _, e := range g.Timeline {
		types[e.Type]++
	}
	if types[hailurah.EventGrantApplied] != 1 || types[hailurah.GrantActionVerify] != 1 || types[hailurah.GrantActionApprove] != 1 {
		t.Errorf("grant timeline: %v", types)
	}

	// The pilot's packet is out; the lurah signs the decision.
	pid := regexp.MustCompile(`PL-\d{4}-\d{3}`).FindString(out)
	var p struct {
		Status string
		Packet *hailurah.PilotPacket
	}
	eventually(t, "the pilot's review packet", func() bool {
		lurah.call("GET", "/api/v1/pilots/"+pid, nil, &p)
		return p.Status == string(hailurah.PilotAwaitingDecision) && p.Packet != nil
	})
	var signed map[string]any
	if st := lurah.call("POST", "/api/v1/pilots/"+pid+"/decision", map[string]any{"decision": "stop",
		"rationale": "Tujuan pelatihan tercapai; anggaran dialihkan ke padat karya."}, &signed); st != http.StatusOK {
		t.Fatalf("sign the pilot's decision: %d %v", st, signed)
	}
	t.Logf("worked the demo in %s", time.Since(begin).Round(time.Millisecond))
}

// A data dir another seed-demo fills is refused before anything is
// written; so is `hailurah dev` on it.
func TestSeedDemoRefusesBusyDataDir(t *testing.T) {
	dir := t.TempDir()
	lock, _, err := lockDataDir(dir, "seed-demo", storeID(""))
	if err != nil {
		t.Fatal(err)
	}
	defer lock.release()
	var out bytes.Buffer
	err = runSeedDemo(context.Background(), testConfig(t, dir), newLogger(io.Discard, "warn"), []string{"--tickets", "10"}, &out)
	if err == nil || !strings.Contains(err.Error(), "hentikan dulu") || !strings.Contains(err.Error(), "hailurah seed-demo (pid "+strconv.Itoa(os.Getpid())) {
		t.Fatalf("seed-demo on a busy data dir: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "hailurah.db")); !os.IsNotExist(err) {
		t.Errorf("seed-demo opened the store of a busy data dir: %v", err)
	}
	m := &Main{Config: testConfig(t, dir), Mode: ModeDev, NoUI: true, Logger: newLogger(io.Discard, "warn")}
	err = m.Run(context.Background())
	_ = m.Close()
	if err == nil || !strings.Contains(err.Error(), "sedang dipakai") {
		t.Fatalf("dev on a busy data dir: %v", err)
	}
	// A dev server on the data dir is worked through only when it writes
	// to the same database and runs the same Temporal.
	cfg := testConfig(t, dir)
	if h, err := workThrough(cfg, &dataHolder{PID: 1, Command: "dev", Store: storeID(""), Temporal: "127.0.0.1:7233"}); err != nil || h.Temporal != "127.0.0.1:7233" {
		t.Errorf("a dev server with the same store: %v", err)
	}
	for _, h := range []dataHolder{
		{PID: 1, Command: "dev", Store: storeID("postgres://hailurah@db/hailurah"), Temporal: "127.0.0.1:7233"},
		{PID: 1, Command: "dev", Store: storeID(""), Temporal: "127.0.0.1:7233"},
	} {
		c := cfg
		if h.Store == storeID("") {
			c.TemporalAddress = "temporal.kota:7233"
		}
		if _, err := workThrough(c, &h); err == nil || !strings.Contains(err.Error(), "basis data atau Temporal lain") {
			t.Errorf("a dev server on another store or Temporal (%+v): %v", h, err)
		}
	}
	// Released, the data dir is free again.
	lock.release()
	again, _, err := lockDataDir(dir, "dev", storeID(""))
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	again.release()
}

// `hailurah dev --demo` fills a fresh data dir before it serves, with the
// open items' workflows, and on the next start finds the data there.
func TestDevDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server")
	}
	dir := t.TempDir()
	start := func() (*Main, string) {
		t.Helper()
		var out bytes.Buffer
		m := &Main{Config: testConfig(t, dir), Mode: ModeDev, NoUI: true, Logger: newLogger(io.Discard, "warn"), Out: &out,
			Demo: &demoOptions{Tickets: 200, Months: 1, Workflows: true}}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		if err := m.Run(ctx); err != nil {
			_ = m.Close()
			t.Fatalf("dev --demo: %v\n%s", err, out.String())
		}
		t.Cleanup(func() { _ = m.Close() })
		waitReady(t, m.HTTP.URL())
		return m, out.String()
	}

	m, out := start()
	tickets, grants, _ := demoStarted(t, out)
	if !strings.Contains(out, "Data demo terisi") || tickets == 0 || grants != 14 || strings.Contains(out, "make demo") {
		t.Errorf("first start:\n%s", out)
	}
	gid := one(t, m, "SELECT id FROM grants WHERE kelurahan_code = 'taman' AND status = 'verified' ORDER BY id LIMIT 1")
	staffClient(t, m.HTTP.URL(), "lurah").act(gid, map[string]any{"action": "approve"}, http.StatusOK)
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}

	_, out = start()
	if !strings.Contains(out, "Data demo sudah ada") || strings.Contains(out, "alur kerja dimulai") {
		t.Errorf("second start:\n%s", out)
	}
}

func TestDemoFlagOnlyForDev(t *testing.T) {
	env := map[string]string{"HAILURAH_DATA_DIR": t.TempDir(), "HAILURAH_SECRET": strings.Repeat("s", 32)}
	err := run(context.Background(), []string{"server", "--demo"}, func(k string) string { return env[k] }, nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "--demo hanya untuk `hailurah dev`") {
		t.Fatalf("server --demo: %v", err)
	}
}

// freshDatabase creates a database of the test's own on the server of
// TEST_DATABASE_URL and returns its URL; the test is skipped without it.
func freshDatabase(t *testing.T) string {
	t.Helper()
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" {
		t.Skip("TEST_DATABASE_URL is not set; set it to a Postgres URL to run this test (CI always does)")
	}
	name := fmt.Sprintf("hltest_demo_%d", time.Now().UnixNano())
	// DROP DATABASE waits for a checkpoint, which takes long while other
	// packages' Postgres tests write; the drop gets minutes, not seconds.
	admin := func(stmt string, timeout time.Duration) {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	admin("CREATE DATABASE "+name, 30*time.Second)
	t.Cleanup(func() { admin("DROP DATABASE "+name+" WITH (FORCE)", 5*time.Minute) })
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// TestLivingDemoOnPostgres is the demo on the production topology:
// Postgres and a Temporal cluster (an embedded server of the test's own,
// on its own data dir), `hailurah server` and `hailurah worker` as two
// programs. seed-demo writes through COPY and starts the workflows on the
// cluster, touching no data dir; the moderator and the lurah then work
// demo items through the server.
func TestLivingDemoOnPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Temporal server")
	}
	dbURL := freshDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cluster, err := devserver.Start(ctx, devserver.Options{DataDir: t.TempDir(), FrontendAddr: "127.0.0.1:0",
		SearchAttributes: workflows.SearchAttributes(), Logger: newLogger(io.Discard, "warn")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cluster.Stop() })
	dir := t.TempDir()
	env := []string{"DATABASE_URL=" + dbURL, "TEMPORAL_ADDRESS=" + cluster.FrontendAddr(), "HAILURAH_SECRET=" + strings.Repeat("rahasia-", 5)}

	var out bytes.Buffer
	if err := runSeedDemo(ctx, testConfig(t, dir, env...), newLogger(io.Discard, "warn"), []string{"--tickets", "300", "--months", "1"}, &out); err != nil {
		t.Fatalf("seed-demo: %v\n%s", err, out.String())
	}
	t.Logf("seed-demo:\n%s", out.String())
	tickets, grants, pilots := demoStarted(t, out.String())
	if tickets == 0 || grants != 14 || pilots != 1 || !strings.Contains(out.String(), "(postgres)") {
		t.Errorf("workflows started: %d tickets, %d grants, %d pilots", tickets, grants, pilots)
	}
	if files, _ := os.ReadDir(dir); len(files) != 0 {
		t.Errorf("seed-demo on Postgres and a cluster wrote into the data dir: %v", files)
	}

	var progs []*Main
	for _, mode := range []Mode{ModeWorker, ModeServer} {
		m := &Main{Config: testConfig(t, dir, env...), Mode: mode, Logger: newLogger(io.Discard, "warn")}
		if err := m.Run(ctx); err != nil {
			_ = m.Close()
			t.Fatalf("%s: %v", mode, err)
		}
		t.Cleanup(func() { _ = m.Close() })
		progs = append(progs, m)
	}
	srv := progs[1]
	base := srv.HTTP.URL()
	waitReady(t, base)

	id := one(t, srv, "SELECT id FROM tickets WHERE kelurahan_code = 'taman' AND status = 'open' ORDER BY datetime_received DESC, id DESC LIMIT 1")
	mod := staffClient(t, base, "moderator")
	var state hailurah.TicketState
	for _, action := range []map[string]any{{"action": "verify"}, {"action": "assign", "unit": "pupr"}} {
		if st := mod.call("POST", "/api/v1/tickets/"+id+"/actions", action, &state); st != http.StatusOK {
			t.Fatalf("%v on %s: %d %+v", action, id, st, state)
		}
	}
	if state.Status != hailurah.StatusAssigned || !state.Verified {
		t.Errorf("after verify and assign: %+v", state)
	}
	// The worker, which has no web server, serves the SDK's metrics.
	if resp, err := http.Get("http://" + progs[0].MetricsAddr + "/metrics"); err != nil {
		t.Error(err)
	} else {
		text, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(text), "temporal_workflow_task_schedule_to_start_latency_seconds_bucket") {
			t.Errorf("the worker's /metrics (%d) lacks the SDK's workflow task latency", resp.StatusCode)
		}
	}
	gid := one(t, srv, "SELECT id FROM grants WHERE kelurahan_code = 'taman' AND status = 'verified' ORDER BY id LIMIT 1")
	lurah := staffClient(t, base, "lurah")
	lurah.act(gid, map[string]any{"action": "approve"}, http.StatusOK)
	eventually(t, "the worker's projection of the approval", func() bool {
		return lurah.grant(gid).Status == string(hailurah.GrantApproved)
	})
}
