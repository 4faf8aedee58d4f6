package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store"
)

// Section 3: the queues, the ticket page and the HAI LURAH dashboard on
// Postgres at a million tickets, through the real `hailurah dev` and its
// login, and the SQL behind the dashboard run directly; then what a ticket
// write costs with the rollups and indexes that make those reads fast.

const scalePassword = "bench-sandi-123"

// scaleWIB is the kelurahan's clock, as the dashboards read periods.
var scaleWIB = time.FixedZone("WIB", 7*3600)

// scaleEndpoint is one page the bench times over HTTP.
type scaleEndpoint struct {
	key, name, user string
	path            func(r *rand.Rand) string
	target          time.Duration // 0: no target
}

// scaleTiming is one endpoint's (or statement's) latencies in one run.
type scaleTiming struct {
	N        int
	P50, P95 time.Duration
	Max      time.Duration
}

func scaleTime(d []time.Duration) scaleTiming {
	if len(d) == 0 {
		return scaleTiming{}
	}
	return scaleTiming{N: len(d), P50: percentile(d, 50), P95: percentile(d, 95), Max: slices.Max(d)}
}

// scaleRun is everything one run measured.
type scaleRun struct {
	HTTP  map[string]scaleTiming
	SQL   map[string]scaleTiming
	Write map[string]scaleTiming
}

// scaleSetup is what the runs share: the database, the seeded data and
// the pages to ask for.
type scaleSetup struct {
	b         *Bench
	dbURL     string
	tickets   int
	seedTook  time.Duration
	seedOut   string
	today     time.Time // WIB midnight of the day the bench runs
	detailIDs []string
	deep      []int // how deep the deep pages are, in tickets
}

func benchScale(ctx context.Context, b *Bench) (*Result, error) {
	if b.DatabaseURL == "" {
		return nil, errors.New("the million-ticket section needs a Postgres server: set BENCH_DATABASE_URL or TEST_DATABASE_URL " +
			"(or -database-url), e.g. postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable; it creates and drops its own database there")
	}
	s := &scaleSetup{b: b, tickets: 1_000_000, deep: []int{10_000, 100_000}}
	if b.Quick {
		s.tickets, s.deep = 20_000, []int{2_000, 8_000}
	}
	name := fmt.Sprintf("hailurah_bench_%d", os.Getpid())
	dbURL, err := scaleDatabaseURL(b.DatabaseURL, name)
	if err != nil {
		return nil, err
	}
	s.dbURL = dbURL
	if err := scaleAdmin(ctx, b.DatabaseURL, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return nil, fmt.Errorf("create database %s: %w", name, err)
	}
	b.Logf("scale: database %s created", name)
	defer func() {
		if err := scaleAdmin(context.WithoutCancel(ctx), b.DatabaseURL, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			b.Logf("scale: drop database %s: %v", name, err)
		} else {
			b.Logf("scale: database %s dropped", name)
		}
	}()

	if err := s.seed(ctx); err != nil {
		return nil, err
	}
	if err := s.prepare(ctx); err != nil {
		return nil, err
	}
	// The data as seeded, before the write runs add their tickets.
	facts, err := s.facts(ctx)
	if err != nil {
		return nil, err
	}
	var runs []scaleRun
	for i := 0; i < b.Runs; i++ {
		r, err := s.run(ctx, i)
		if err != nil {
			return nil, err
		}
		runs = append(runs, r)
	}
	return s.report(ctx, facts, runs)
}

// scaleDatabaseURL is base with its database replaced by name.
func scaleDatabaseURL(base, name string) (string, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", fmt.Errorf("database URL %q is not a postgres:// URL", base)
	}
	u.Path = "/" + name
	return u.String(), nil
}

// scaleAdmin runs one statement on the server's own database.
func scaleAdmin(ctx context.Context, base, stmt string) error {
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	_, err = conn.Exec(ctx, stmt)
	return err
}

// seed runs `hailurah seed-demo --tickets N --workflows=false` on the new
// database: rows only, since the bench measures reads over a million
// tickets, not ~100,000 workflows started for the demo's open items (the
// open-cases section measures those).
func (s *scaleSetup) seed(ctx context.Context) error {
	dir := filepath.Join(s.b.Work, "scale-seed")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, s.b.Bin, "seed-demo", "--tickets", strconv.Itoa(s.tickets), "--workflows=false")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+s.dbURL, "HAILURAH_DATA_DIR="+filepath.Join(dir, "data"),
		"HAILURAH_DEV_TEMPORAL_ADDR=127.0.0.1:0", "HAILURAH_DEMO_PASSWORD="+scalePassword, "HAILURAH_LOG_LEVEL=error",
		"TEMPORAL_ADDRESS=", "GEMINI_API_KEY=", "WHATSAPP_TOKEN=")
	s.b.Logf("scale: seed-demo --tickets %d …", s.tickets)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	s.seedTook = time.Since(start)
	s.seedOut = strings.TrimSpace(string(out))
	if err != nil {
		return fmt.Errorf("seed-demo: %w\n%s", err, out)
	}
	s.b.Logf("scale: seeded %d tickets in %s", s.tickets, s.seedTook.Round(time.Second))
	return nil
}

// prepare picks the tickets the detail page opens: a thousand of Taman's,
// which the moderator may see.
func (s *scaleSetup) prepare(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, s.dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	rows, err := conn.Query(ctx, "SELECT id FROM tickets TABLESAMPLE SYSTEM (5) REPEATABLE (7) WHERE kelurahan_code = 'taman' LIMIT 1000")
	if err != nil {
		return err
	}
	s.detailIDs, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	if len(s.detailIDs) == 0 {
		return errors.New("no Taman ticket to open")
	}
	s.today = scaleMidnight(time.Now())
	return nil
}

func scaleMidnight(t time.Time) time.Time {
	y, m, d := t.In(scaleWIB).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, scaleWIB)
}

// The dashboard periods: the default last 30 days, and a year (365 days),
// both ending today.
func (s *scaleSetup) period(days int) (from, to time.Time) {
	to = s.today.AddDate(0, 0, 1)
	return to.AddDate(0, 0, -days), to
}

func (s *scaleSetup) yearQuery() string {
	from, to := s.period(365)
	return "?from=" + from.Format(time.DateOnly) + "&to=" + to.AddDate(0, 0, -1).Format(time.DateOnly)
}

// scaleClient is a staff member logged in through POST /api/v1/login.
type scaleClient struct {
	base string
	http *http.Client
}

func scaleLogin(base, username string) (*scaleClient, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	c := &scaleClient{base: base, http: &http.Client{Jar: jar, Timeout: 2 * time.Minute}}
	body, _ := json.Marshal(map[string]string{"username": username, "password": scalePassword})
	res, err := c.http.Post(base+"/api/v1/login", "application/json", strings.NewReader(string(body)))
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("login %s: %d %s", username, res.StatusCode, raw)
	}
	return c, nil
}

// get asks for path and returns how long the whole answer took.
func (c *scaleClient) get(path string, out any) (time.Duration, error) {
	start := time.Now()
	res, err := c.http.Get(c.base + path)
	if err != nil {
		return 0, err
	}
	raw, err := io.ReadAll(res.Body)
	res.Body.Close()
	took := time.Since(start)
	if err != nil {
		return 0, err
	}
	if res.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET %s: %d %s", path, res.StatusCode, scaleClip(string(raw), 300))
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return 0, fmt.Errorf("GET %s: %w", path, err)
		}
	}
	return took, nil
}

func scaleClip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

type scalePage struct {
	Items []struct {
		ID string `json:"id"`
	} `json:"items"`
	NextCursor string `json:"next_cursor"`
}

// cursorAt walks the queue at path from its start, 200 tickets a page,
// and returns the cursor of the page that starts depth tickets in.
func (c *scaleClient) cursorAt(path string, depth int) (string, error) {
	cursor := ""
	for seen := 0; seen < depth; {
		limit := min(200, depth-seen)
		p := path + "?limit=" + strconv.Itoa(limit)
		if cursor != "" {
			p += "&cursor=" + url.QueryEscape(cursor)
		}
		var page scalePage
		if _, err := c.get(p, &page); err != nil {
			return "", err
		}
		seen += len(page.Items)
		if page.NextCursor == "" {
			return "", fmt.Errorf("the queue ends after %d tickets, before %d", seen, depth)
		}
		cursor = page.NextCursor
	}
	return cursor, nil
}

// requests is how many times each page is asked for in a run, after a
// warm-up.
func (s *scaleSetup) requests() (warm, n int) {
	if s.b.Quick {
		return 5, 50
	}
	return 20, 200
}

// run starts `hailurah dev` on the database, logs in and times every page,
// then the SQL behind the dashboard, then ticket writes.
func (s *scaleSetup) run(ctx context.Context, i int) (scaleRun, error) {
	r := scaleRun{HTTP: map[string]scaleTiming{}, SQL: map[string]scaleTiming{}, Write: map[string]scaleTiming{}}
	dir := filepath.Join(s.b.Work, fmt.Sprintf("scale-dev-%d", i))
	p, base, err := startDev(ctx, s.b, dir, "DATABASE_URL="+s.dbURL)
	if err != nil {
		return r, err
	}
	stopped := false
	defer func() {
		if !stopped {
			p.stop()
		}
	}()
	clients := map[string]*scaleClient{}
	for _, u := range []string{"moderator", "lurah", "dinas-pupr", "admin"} {
		if clients[u], err = scaleLogin(base, u); err != nil {
			return r, err
		}
	}
	if err := s.quiet(ctx); err != nil {
		return r, err
	}
	var deepCursors []string
	for _, d := range s.deep {
		c, err := clients["moderator"].cursorAt("/api/v1/tickets", d)
		if err != nil {
			return r, fmt.Errorf("moderator queue %d deep: %w", d, err)
		}
		deepCursors = append(deepCursors, c)
	}
	year := s.yearQuery()
	endpoints := []scaleEndpoint{
		{"queue", "Moderator queue (Taman), first page", "moderator", func(*rand.Rand) string { return "/api/v1/tickets" }, 50 * time.Millisecond},
		{"queue-deep1", fmt.Sprintf("Moderator queue, page %s tickets deep", thousands(s.deep[0])), "moderator",
			func(*rand.Rand) string { return "/api/v1/tickets?cursor=" + url.QueryEscape(deepCursors[0]) }, 50 * time.Millisecond},
		{"queue-deep2", fmt.Sprintf("Moderator queue, page %s tickets deep", thousands(s.deep[1])), "moderator",
			func(*rand.Rand) string { return "/api/v1/tickets?cursor=" + url.QueryEscape(deepCursors[1]) }, 50 * time.Millisecond},
		{"queue-active", "Moderator queue, open statuses only (the /antrian default)", "moderator",
			func(*rand.Rand) string {
				return "/api/v1/tickets?status=new,open,assigned,in_progress,awaiting_confirmation"
			}, 50 * time.Millisecond},
		{"unit", "Dinas unit queue (PUPR), first page", "dinas-pupr", func(*rand.Rand) string { return "/api/v1/tickets" }, 50 * time.Millisecond},
		{"unit-tasks", "Dinas unit tasks (PUPR, assigned and in progress)", "dinas-pupr",
			func(*rand.Rand) string { return "/api/v1/tickets?status=assigned,in_progress" }, 50 * time.Millisecond},
		{"detail", "Ticket detail with timeline (random Taman ticket)", "moderator",
			func(r *rand.Rand) string { return "/api/v1/tickets/" + s.detailIDs[r.IntN(len(s.detailIDs))] }, 50 * time.Millisecond},
		{"dash-kel-30", "HAI LURAH dashboard, Taman, last 30 days", "lurah", func(*rand.Rand) string { return "/api/v1/dashboard/curhat" }, 200 * time.Millisecond},
		{"dash-kel-365", "HAI LURAH dashboard, Taman, 365 days", "lurah", func(*rand.Rand) string { return "/api/v1/dashboard/curhat" + year }, 200 * time.Millisecond},
		{"dash-city-30", "HAI LURAH dashboard, city (admin), last 30 days", "admin", func(*rand.Rand) string { return "/api/v1/dashboard/curhat" }, 200 * time.Millisecond},
		{"dash-city-365", "HAI LURAH dashboard, city (admin), 365 days", "admin", func(*rand.Rand) string { return "/api/v1/dashboard/curhat" + year }, 200 * time.Millisecond},
	}
	warm, n := s.requests()
	rnd := rand.New(rand.NewPCG(uint64(i), 3))
	for _, e := range endpoints {
		c := clients[e.user]
		var lat []time.Duration
		for k := 0; k < warm+n; k++ {
			if err := ctx.Err(); err != nil {
				return r, err
			}
			took, err := c.get(e.path(rnd), nil)
			if err != nil {
				return r, fmt.Errorf("%s: %w", e.name, err)
			}
			if k >= warm {
				lat = append(lat, took)
			}
		}
		r.HTTP[e.key] = scaleTime(lat)
		t := r.HTTP[e.key]
		s.b.Logf("scale run %d: %-62s p50 %8s  p95 %8s", i+1, e.name, ms(t.P50), ms(t.P95))
	}
	p.stop()
	stopped = true

	if err := s.timeSQL(ctx, i, r.SQL); err != nil {
		return r, err
	}
	if err := s.timeWrites(ctx, i, r.Write); err != nil {
		return r, err
	}
	return r, nil
}

// quiet waits until no other session of the database is busy (the
// server's start-up work, autovacuum), at most two minutes.
func (s *scaleSetup) quiet(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, s.dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	deadline := time.Now().Add(2 * time.Minute)
	calm := 0
	for time.Now().Before(deadline) && calm < 4 {
		var busy int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'active'`).Scan(&busy); err != nil {
			return err
		}
		if busy == 0 {
			calm++
		} else {
			calm = 0
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
	return nil
}

// ---- The SQL behind the dashboard, run directly ----

// scaleQuery is one figure of the dashboard as SQL: what the dashboard
// runs now (rollup) and the same figure counted on the tickets.
type scaleQuery struct {
	key, name string
	rollup    bool
	run       func(ctx context.Context, conn *pgx.Conn) error
	explain   string // one statement to EXPLAIN, "" for none
	args      []any
}

// The SQL of store/kpi (kpi.go, curhat.go and rollup.go), with the
// dashboard's parameters.
const (
	scaleTallyTickets = `SELECT COALESCE(t.kelurahan_code, '') AS kelurahan, COUNT(*) AS total,
    SUM(CASE WHEN (t.verified OR t.status NOT IN ('new', 'open')) THEN 1 ELSE 0 END) AS followed,
    SUM(CASE WHEN (t.moderator_breached OR t.verified OR t.status NOT IN ('new', 'open')) THEN 1 ELSE 0 END) AS mod_ended,
    SUM(CASE WHEN (t.moderator_breached OR t.verified OR t.status NOT IN ('new', 'open')) AND NOT t.moderator_breached THEN 1 ELSE 0 END) AS mod_on_time,
    SUM(CASE WHEN (t.assigned_at IS NOT NULL AND (t.dinas_breached OR t.status NOT IN ('assigned', 'in_progress'))) THEN 1 ELSE 0 END) AS dinas_ended,
    SUM(CASE WHEN (t.assigned_at IS NOT NULL AND (t.dinas_breached OR t.status NOT IN ('assigned', 'in_progress'))) AND NOT t.dinas_breached THEN 1 ELSE 0 END) AS dinas_on_time,
    SUM(CASE WHEN t.status = 'resolved' THEN 1 ELSE 0 END) AS resolved,
    SUM(CASE WHEN t.rating > 0 THEN 1 ELSE 0 END) AS rated,
    SUM(CASE WHEN t.rating >= 4 THEN 1 ELSE 0 END) AS satisfied
FROM tickets t
WHERE {t} AND t.datetime_received >= $1 AND t.datetime_received < $2
GROUP BY t.kelurahan_code`
	scaleTallyRollup = `SELECT d.kelurahan_code AS kelurahan, SUM(d.total) AS total, SUM(d.followed) AS followed,
    SUM(d.mod_ended) AS mod_ended, SUM(d.mod_on_time) AS mod_on_time,
    SUM(d.dinas_ended) AS dinas_ended, SUM(d.dinas_on_time) AS dinas_on_time, SUM(d.resolved) AS resolved,
    SUM(d.rating_1 + d.rating_2 + d.rating_3 + d.rating_4 + d.rating_5) AS rated, SUM(d.rating_4 + d.rating_5) AS satisfied
FROM curhat_daily d
WHERE {d} AND d.day >= $1 AND d.day < $2
GROUP BY d.kelurahan_code HAVING SUM(d.total) > 0`
	scaleHeatRollup = `SELECT d.kelurahan_code, d.rw, d.rt, SUM(d.total) AS n FROM curhat_daily d
WHERE {d} AND d.day >= $1 AND d.day < $2
GROUP BY d.kelurahan_code, d.rw, d.rt HAVING SUM(d.total) > 0 ORDER BY 1, 2, 3`
	scaleCountsRollup = `SELECT d.dim, d.day, d.val, SUM(d.n) AS n FROM curhat_daily_counts d
WHERE {d} AND d.day >= $1 AND d.day < $2
GROUP BY d.dim, d.day, d.val HAVING SUM(d.n) > 0`
	scaleHistRollup = `SELECT h.bucket, h.n, b.lo::float8, b.hi::float8 FROM (
  SELECT d.bucket, SUM(d.n) AS n FROM curhat_daily_durations d
  WHERE d.metric = $3 AND {d} AND d.day >= $1 AND d.day < $2
  GROUP BY d.bucket HAVING SUM(d.n) > 0
) h JOIN curhat_duration_buckets b ON b.bucket = h.bucket ORDER BY h.bucket`
	scaleOverdueUnits = `SELECT '' AS unit, COUNT(*) AS open,
    COALESCE(SUM(CASE WHEN t.moderator_due < $1 THEN 1 ELSE 0 END), 0) AS overdue,
    MIN(CASE WHEN t.moderator_due < $1 THEN t.moderator_due END) AS oldest
FROM tickets t WHERE {t} AND t.status IN ('new', 'open') AND NOT t.verified
UNION ALL
SELECT t.assigned_unit AS unit, COUNT(*) AS open,
    COALESCE(SUM(CASE WHEN t.dinas_due < $1 THEN 1 ELSE 0 END), 0) AS overdue,
    MIN(CASE WHEN t.dinas_due < $1 THEN t.dinas_due END) AS oldest
FROM tickets t WHERE {t} AND t.status IN ('assigned', 'in_progress') AND t.assigned_unit IS NOT NULL
GROUP BY t.assigned_unit`
	scaleBoardCounts = `SELECT t.status, COUNT(*) AS n FROM tickets t WHERE {t}
AND t.status IN ('new', 'open', 'assigned', 'in_progress', 'awaiting_confirmation') GROUP BY t.status`
)

// scaleDuration is the SQL of one duration's values (store.durationSQL and
// the medians' subqueries before the rollups).
func scaleDuration(metric string) string {
	if metric == "reply" {
		return `SELECT ROUND(EXTRACT(EPOCH FROM (t.first_reply_at - t.datetime_received)), 3) AS v FROM tickets t
WHERE {t} AND t.datetime_received >= $1 AND t.datetime_received < $2 AND t.first_reply_at IS NOT NULL`
	}
	return `SELECT ROUND(EXTRACT(EPOCH FROM (t.resolved_at - t.datetime_received)), 3) AS v FROM tickets t
WHERE {t} AND t.datetime_received >= $1 AND t.datetime_received < $2
  AND t.status = 'resolved' AND t.resolved_at IS NOT NULL`
}

// scaleReplyTickets is the AI reply time as the dashboard measured it
// before the rollups: the first outbox reply of each ticket of the period.
const scaleReplyTickets = `SELECT ROUND(EXTRACT(EPOCH FROM (MIN(o.created_at) - t.datetime_received)), 3) AS v
FROM tickets t JOIN outbox o ON o.ticket_id = t.id AND o.kind = 'reply'
WHERE {t} AND t.datetime_received >= $1 AND t.datetime_received < $2
GROUP BY t.id, t.datetime_received`

// scaleScoped puts the scope into sql: {t} and {d} become the condition
// on alias t or d keeping one kelurahan's rows, or TRUE for the city, as
// store.scopeWhere writes it.
func scaleScoped(sql, kel string) string {
	for _, alias := range []string{"t", "d"} {
		cond := "TRUE"
		if kel != "" {
			cond = alias + ".kelurahan_code = '" + kel + "'"
		}
		sql = strings.ReplaceAll(sql, "{"+alias+"}", cond)
	}
	return sql
}

// scaleMedianTickets is the median the way the store takes it on
// tickets: count, then the middle one or two in order.
func scaleMedianTickets(ctx context.Context, conn *pgx.Conn, sub string, args ...any) (float64, error) {
	var n int64
	if err := conn.QueryRow(ctx, "SELECT COUNT(*) FROM ("+sub+") m", args...).Scan(&n); err != nil || n == 0 {
		return 0, err
	}
	rows, err := conn.Query(ctx, fmt.Sprintf("SELECT m.v::float8 FROM (%s) m ORDER BY m.v LIMIT $%d OFFSET $%d", sub, len(args)+1, len(args)+2),
		append(args, 2-n%2, (n-1)/2)...)
	if err != nil {
		return 0, err
	}
	vals, err := pgx.CollectRows(rows, pgx.RowTo[float64])
	if err != nil || len(vals) == 0 {
		return 0, err
	}
	return (vals[0] + vals[len(vals)-1]) / 2, nil
}

// scaleMedianRollup is the median the way the store takes it with the
// rollups: the histogram names the bucket, the index reads its values.
func scaleMedianRollup(ctx context.Context, conn *pgx.Conn, metric string, kel string, dfrom, dto string, from, to time.Time) (float64, error) {
	rows, err := conn.Query(ctx, scaleScoped(scaleHistRollup, kel), dfrom, dto, metric)
	if err != nil {
		return 0, err
	}
	type bin struct {
		Bucket int
		N      int64
		Lo, Hi float64
	}
	hist, err := pgx.CollectRows(rows, pgx.RowToStructByPos[bin])
	if err != nil {
		return 0, err
	}
	var total int64
	for _, h := range hist {
		total += h.N
	}
	if total == 0 {
		return 0, nil
	}
	var vals []float64
	for _, rank := range []int64{(total - 1) / 2, total / 2} {
		var b bin
		k := rank
		for _, h := range hist {
			if k < h.N {
				b = h
				break
			}
			k -= h.N
		}
		var v float64
		err := conn.QueryRow(ctx, `SELECT m.v::float8 FROM (`+scaleScoped(scaleDuration(metric), kel)+`) m
WHERE m.v >= `+strconv.FormatFloat(b.Lo, 'f', -1, 64)+` AND m.v < `+strconv.FormatFloat(b.Hi, 'f', -1, 64)+`
ORDER BY m.v LIMIT 1 OFFSET $3`, from, to, k).Scan(&v)
		if err != nil {
			return 0, err
		}
		vals = append(vals, v)
	}
	return (vals[0] + vals[1]) / 2, nil
}

func scaleExec(sql string, args ...any) func(ctx context.Context, conn *pgx.Conn) error {
	return func(ctx context.Context, conn *pgx.Conn) error {
		rows, err := conn.Query(ctx, sql, args...)
		if err != nil {
			return err
		}
		rows.Close()
		return rows.Err()
	}
}

// queries are the dashboard's figures as SQL, for Taman and the city, 30
// days and a year.
func (s *scaleSetup) queries() []scaleQuery {
	var qs []scaleQuery
	now := time.Now()
	for _, kel := range []string{"taman", ""} {
		who := "Taman"
		if kel == "" {
			who = "city"
		}
		for _, days := range []int{30, 365} {
			from, to := s.period(days)
			dfrom, dto := from.Format(time.DateOnly), to.Format(time.DateOnly)
			tag := fmt.Sprintf("%s, %d days", who, days)
			key := fmt.Sprintf("%s-%d", who, days)
			qs = append(qs,
				scaleQuery{key: "tally-rollup-" + key, name: "Tallies from curhat_daily, " + tag, rollup: true,
					run: scaleExec(scaleScoped(scaleTallyRollup, kel), dfrom, dto), explain: scaleScoped(scaleTallyRollup, kel), args: []any{dfrom, dto}},
				scaleQuery{key: "tally-tickets-" + key, name: "Tallies counted on tickets, " + tag,
					run: scaleExec(scaleScoped(scaleTallyTickets, kel), from, to), explain: scaleScoped(scaleTallyTickets, kel), args: []any{from, to}},
				scaleQuery{key: "heat-rollup-" + key, name: "Heatmap from curhat_daily, " + tag, rollup: true,
					run: scaleExec(scaleScoped(scaleHeatRollup, kel), dfrom, dto), explain: scaleScoped(scaleHeatRollup, kel), args: []any{dfrom, dto}},
				scaleQuery{key: "counts-rollup-" + key, name: "Kategori and urgency trend from curhat_daily_counts, " + tag, rollup: true,
					run: scaleExec(scaleScoped(scaleCountsRollup, kel), dfrom, dto), explain: scaleScoped(scaleCountsRollup, kel), args: []any{dfrom, dto}},
			)
			for _, metric := range []string{"reply", "resolve"} {
				qs = append(qs,
					scaleQuery{key: "median-" + metric + "-rollup-" + key, name: "Median " + metric + " time, histogram + one bucket, " + tag, rollup: true,
						run: func(ctx context.Context, conn *pgx.Conn) error {
							_, err := scaleMedianRollup(ctx, conn, metric, kel, dfrom, dto, from, to)
							return err
						}, explain: scaleScoped(scaleHistRollup, kel), args: []any{dfrom, dto, metric}})
				sub := scaleScoped(scaleDuration(metric), kel)
				if metric == "reply" {
					sub = scaleScoped(scaleReplyTickets, kel)
				}
				qs = append(qs, scaleQuery{key: "median-" + metric + "-tickets-" + key, name: "Median " + metric + " time counted on tickets, " + tag,
					run: func(ctx context.Context, conn *pgx.Conn) error {
						_, err := scaleMedianTickets(ctx, conn, sub, from, to)
						return err
					}})
			}
		}
		qs = append(qs,
			scaleQuery{key: "overdue-" + who, name: "Open and overdue work per unit now (" + who + ")", rollup: true,
				run: scaleExec(scaleScoped(scaleOverdueUnits, kel), now), explain: scaleScoped(scaleOverdueUnits, kel), args: []any{now}},
			scaleQuery{key: "board-" + who, name: "Board counts per status now (" + who + ")", rollup: true,
				run: scaleExec(scaleScoped(scaleBoardCounts, kel)), explain: scaleScoped(scaleBoardCounts, kel)},
		)
	}
	return qs
}

// timeSQL runs each query many times (those on tickets, which take
// seconds at a million, a few times).
func (s *scaleSetup) timeSQL(ctx context.Context, run int, out map[string]scaleTiming) error {
	conn, err := pgx.Connect(ctx, s.dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	for _, q := range s.queries() {
		n := 50
		if !q.rollup {
			n = 3
		}
		if s.b.Quick {
			n = min(n, 10)
		}
		if err := q.run(ctx, conn); err != nil { // warm-up
			return fmt.Errorf("%s: %w", q.name, err)
		}
		var lat []time.Duration
		for k := 0; k < n; k++ {
			start := time.Now()
			if err := q.run(ctx, conn); err != nil {
				return fmt.Errorf("%s: %w", q.name, err)
			}
			lat = append(lat, time.Since(start))
		}
		out[q.key] = scaleTime(lat)
		s.b.Logf("scale run %d: SQL %-70s p50 %9s", run+1, q.name, ms(out[q.key].P50))
	}
	return nil
}

// ---- Write cost ----

// The write phases: ticket writes as the app makes them now, then with
// the rollup triggers skipped, then also without migration 00006's ticket
// indexes, which is the schema before it.
var scaleWritePhases = []struct{ key, name string }{
	{"now", "Rollup triggers and 00006 indexes (as shipped)"},
	{"noroll", "00006 indexes, rollup triggers skipped"},
	{"before", "Neither (the schema before 00006)"},
}

// timeWrites times store.UpsertTicket (a projection moving a ticket
// between open and assigned, as a moderator's routing does) and
// store.CreateTicket (intake) through the store's own code, in each phase,
// then puts the schema back.
func (s *scaleSetup) timeWrites(ctx context.Context, run int, out map[string]scaleTiming) error {
	n := 1000
	if s.b.Quick {
		n = 200
	}
	conn, err := pgx.Connect(ctx, s.dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	rows, err := conn.Query(ctx, `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'tickets' AND indexname IN
		('tickets_kelurahan_order_idx', 'tickets_unit_order_idx', 'tickets_waiting_idx', 'tickets_waiting_city_idx',
		 'tickets_dinas_open_idx', 'tickets_moderator_open_idx', 'tickets_reply_seconds_idx', 'tickets_resolve_seconds_idx')`)
	if err != nil {
		return err
	}
	type index struct{ Name, Def string }
	indexes, err := pgx.CollectRows(rows, pgx.RowToStructByPos[index])
	if err != nil {
		return err
	}
	ids, err := func() ([]string, error) {
		rows, err := conn.Query(ctx, `SELECT id FROM tickets TABLESAMPLE SYSTEM (2) REPEATABLE ($1) WHERE kelurahan_code IS NOT NULL LIMIT $2`,
			run+11, 3*n)
		if err != nil {
			return nil, err
		}
		return pgx.CollectRows(rows, pgx.RowTo[string])
	}()
	if err != nil {
		return err
	}
	if len(ids) < 3*n {
		n = len(ids) / 3
	}
	// The tickets as they were, to put back afterwards.
	var cols string
	if err := conn.QueryRow(ctx, `SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position) FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = 'tickets' AND is_generated = 'NEVER'`).Scan(&cols); err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, "CREATE TEMP TABLE scale_saved AS SELECT "+cols+" FROM tickets WHERE id = ANY($1)", ids); err != nil {
		return err
	}
	// Sessions that skip the rollup triggers, as a bulk load does.
	u, err := url.Parse(s.dbURL)
	if err != nil {
		return err
	}
	q := u.Query()
	q.Set("hailurah.skip_rollups", "on")
	u.RawQuery = q.Encode()
	skipURL := u.String()
	// The schema back, the bench's tickets gone, the tickets it moved as
	// they were and the rollups rebuilt (two phases wrote without them),
	// so the next run reads what this one did.
	prefix := fmt.Sprintf("B%d", run)
	restore := func() error {
		ctx := context.WithoutCancel(ctx)
		for _, ix := range indexes {
			if _, err := conn.Exec(ctx, strings.Replace(ix.Def, "CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1)); err != nil {
				return err
			}
		}
		if _, err := conn.Exec(ctx, "SET hailurah.skip_rollups = on"); err != nil {
			return err
		}
		for _, stmt := range []string{"DELETE FROM tickets WHERE id LIKE '" + prefix + "%-%' OR id IN (SELECT id FROM scale_saved)",
			"INSERT INTO tickets (" + cols + ") SELECT " + cols + " FROM scale_saved", "DROP TABLE scale_saved"} {
			if _, err := conn.Exec(ctx, stmt); err != nil {
				return err
			}
		}
		db, err := store.Open(ctx, s.dbURL, "", nil)
		if err != nil {
			return err
		}
		defer db.Close()
		if err := db.RebuildCurhatRollups(ctx); err != nil {
			return err
		}
		for _, table := range []string{"tickets", "curhat_daily", "curhat_daily_counts", "curhat_daily_durations"} {
			if _, err := conn.Exec(ctx, "VACUUM (ANALYZE) "+table); err != nil {
				return err
			}
		}
		return nil
	}
	restored := false
	defer func() {
		if !restored {
			if err := restore(); err != nil {
				s.b.Logf("scale: restore schema: %v", err)
			}
		}
	}()
	for pi, ph := range scaleWritePhases {
		dbURL := skipURL
		switch ph.key {
		case "now":
			dbURL = s.dbURL
		case "before":
			for _, ix := range indexes {
				if _, err := conn.Exec(ctx, "DROP INDEX "+pgx.Identifier{ix.Name}.Sanitize()); err != nil {
					return err
				}
			}
		}
		upd, ins, err := s.writes(ctx, dbURL, ids[pi*n:(pi+1)*n], fmt.Sprintf("%s%d", prefix, pi))
		if err != nil {
			return fmt.Errorf("writes (%s): %w", ph.name, err)
		}
		out["upsert-"+ph.key], out["create-"+ph.key] = scaleTime(upd), scaleTime(ins)
		bu, bi, err := s.batchCost(ctx, dbURL, ids[pi*n:(pi+1)*n], prefix+"x")
		if err != nil {
			return fmt.Errorf("batched writes (%s): %w", ph.name, err)
		}
		out["batch-upsert-"+ph.key], out["batch-create-"+ph.key] = scaleTiming{N: n, P50: bu}, scaleTiming{N: n, P50: bi}
		s.b.Logf("scale run %d: server time per write in one transaction, %s: update %s, insert %s", run+1, ph.name, scaleMicros(bu), scaleMicros(bi))
		s.b.Logf("scale run %d: writes, %s: upsert p50 %s p95 %s; create p50 %s p95 %s", run+1, ph.name,
			ms(out["upsert-"+ph.key].P50), ms(out["upsert-"+ph.key].P95), ms(out["create-"+ph.key].P50), ms(out["create-"+ph.key].P95))
	}
	restored = true
	start := time.Now()
	if err := restore(); err != nil {
		return err
	}
	s.b.Logf("scale run %d: schema and rollups restored in %s", run+1, time.Since(start).Round(time.Second))
	return nil
}

// batchCost measures what the database itself spends on a ticket write,
// without the commit's WAL flush or a round trip per statement: the same
// moves between open and assigned as writes, then as many inserts, each
// sent as one pipelined batch inside a transaction that is rolled back.
// It returns the time per update and per insert.
func (s *scaleSetup) batchCost(ctx context.Context, dbURL string, ids []string, prefix string) (upd, ins time.Duration, err error) {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return 0, 0, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	tx, err := conn.Begin(ctx)
	if err != nil {
		return 0, 0, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	run := func(b *pgx.Batch) (time.Duration, error) {
		start := time.Now()
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return 0, err
		}
		return time.Since(start) / time.Duration(max(1, b.Len())), nil
	}
	now := time.Now()
	var b pgx.Batch
	for _, id := range ids {
		b.Queue(`UPDATE tickets SET version = version + 1, updated_at = $2::timestamptz,
    status = CASE WHEN status = 'assigned' THEN 'open' ELSE 'assigned' END,
    verified = status <> 'assigned',
    assigned_unit = CASE WHEN status = 'assigned' THEN NULL ELSE 'pupr' END,
    assigned_at = CASE WHEN status = 'assigned' THEN NULL ELSE $2::timestamptz END,
    dinas_due = CASE WHEN status = 'assigned' THEN NULL ELSE $3::timestamptz END,
    moderator_due = CASE WHEN status = 'assigned' THEN $4::timestamptz ELSE moderator_due END,
    resolved_at = CASE WHEN status = 'assigned' THEN resolved_at END,
    rating = CASE WHEN status = 'assigned' THEN rating ELSE 0 END
WHERE id = $1`, id, now, now.Add(72*time.Hour), now.Add(24*time.Hour))
	}
	if upd, err = run(&b); err != nil {
		return 0, 0, err
	}
	b = pgx.Batch{}
	for k := range ids {
		b.Queue(`INSERT INTO tickets (id, datetime_received, channel, sender_id, kelurahan_code, rt, rw, message_text, status, created_at, updated_at)
VALUES ($1, $2, 'whatsapp', 'bench', 'taman', '02', '01', 'Jalan berlubang di depan balai RW.', 'new', $2, $2)`,
			fmt.Sprintf("%s-%06d", prefix, k), now)
	}
	if ins, err = run(&b); err != nil {
		return 0, 0, err
	}
	return upd, ins, nil
}

func scaleMicros(d time.Duration) string {
	return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond))
}

// writes opens the store on dbURL (whose sessions may skip the rollup
// triggers) and times one UpsertTicket per id and as many CreateTicket
// calls.
func (s *scaleSetup) writes(ctx context.Context, dbURL string, ids []string, prefix string) (upd, ins []time.Duration, err error) {
	db, err := store.Open(ctx, dbURL, "", nil)
	if err != nil {
		return nil, nil, err
	}
	defer db.Close()
	now := time.Now()
	for _, id := range ids {
		t, err := db.FindTicket(ctx, id)
		if err != nil {
			return nil, nil, err
		}
		t.Version++
		if t.Status == hailurah.StatusAssigned {
			t.Status, t.Verified, t.AssignedUnit, t.AssignedAt, t.DinasDue = hailurah.StatusOpen, false, "", nil, nil
			due := now.Add(24 * time.Hour)
			t.ModeratorDue = &due
		} else {
			due := now.Add(72 * time.Hour)
			t.Status, t.Verified, t.AssignedUnit, t.AssignedAt, t.DinasDue = hailurah.StatusAssigned, true, "pupr", &now, &due
			t.ResolvedAt, t.Rating = nil, 0
		}
		start := time.Now()
		if err := db.UpsertTicket(ctx, t); err != nil {
			return nil, nil, err
		}
		upd = append(upd, time.Since(start))
	}
	for k := range ids {
		t := &hailurah.Ticket{ID: fmt.Sprintf("%s-%06d", prefix, k), DatetimeReceived: time.Now(), Channel: hailurah.ChannelWhatsApp,
			SenderID: "bench", MessageText: "Jalan berlubang di depan balai RW.", Kelurahan: "taman", RW: "01", RT: "02"}
		start := time.Now()
		if err := db.CreateTicket(ctx, t); err != nil {
			return nil, nil, err
		}
		ins = append(ins, time.Since(start))
	}
	return upd, ins, nil
}

// ---- The report ----

// scaleMedians is the median over runs of p50 and of p95.
func scaleMedians(runs []scaleRun, pick func(scaleRun) scaleTiming) (p50, p95 time.Duration) {
	var a, b []time.Duration
	for _, r := range runs {
		t := pick(r)
		a, b = append(a, t.P50), append(b, t.P95)
	}
	return medianDuration(a), medianDuration(b)
}

func (s *scaleSetup) report(ctx context.Context, facts *scaleFacts, runs []scaleRun) (*Result, error) {
	res := &Result{}
	var sb strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&sb, format, args...) }
	quick := ""
	if s.b.Quick {
		quick = " -quick"
	}
	p("Command: `go run ./cmd/hailurah-bench%s -only scale` with `BENCH_DATABASE_URL` (or `TEST_DATABASE_URL`) naming a Postgres server (part of `make bench`). ", quick)
	p("Postgres %s on this machine, default settings (shared_buffers %s), over loopback.\n\n", facts.version, facts.sharedBuffers)
	p("**Data.** A fresh database, filled by `hailurah seed-demo --tickets %s --workflows=false` in **%s** (COPY in batches of 5,000; rollups rebuilt once; `VACUUM ANALYZE tickets`): "+
		"%s tickets over 6 months (density growing over the period; Taman %s, Nambangan %s, Demangan %s), each with its AI reply in the outbox (%s outbox rows) and its timeline (%s events); "+
		"%s tickets still waiting (new to awaiting confirmation). Database size %s.\n\n",
		thousands(s.tickets), s.seedTook.Round(100*time.Millisecond), thousands(facts.tickets), thousands(facts.byKel["taman"]),
		thousands(facts.byKel["nambangan"]), thousands(facts.byKel["demangan"]), thousands(facts.outbox), thousands(facts.events),
		thousands(facts.waiting), facts.size)
	warm, n := s.requests()
	p("**Method.** Each run (%d) starts a fresh `hailurah dev` on that database (embedded Temporal in a data dir of its own, so the seeded pilot's workflow does not run), logs in through `POST /api/v1/login` "+
		"as the demo moderator and lurah of Taman, the PUPR officer and the admin, waits until no other session of the database is busy, then asks for each page %d times in a row after %d warm-up requests, "+
		"one request at a time, timing the whole HTTP answer at the client. Deep pages are reached by following `next_cursor` from the start (the queue pages by keyset, not OFFSET) and then asked for again and again. "+
		"The dashboards ask for the default period (the last 30 WIB days) and for `?from=…&to=…` spanning 365 days, which holds every seeded ticket. "+
		"Then the server stops and the same figures are run as SQL on one pgx connection, and ticket writes are timed through the store's own code. "+
		"Each figure is the median over runs of that run's p50 and p95; the runs follow.\n\n", s.b.Runs, n, warm)

	// The pages.
	type row struct {
		key, name string
		target    time.Duration
	}
	pages := []row{
		{"queue", "Moderator queue (Taman), first page of 50", 50 * time.Millisecond},
		{"queue-deep1", fmt.Sprintf("Moderator queue, the page %s tickets deep", thousands(s.deep[0])), 50 * time.Millisecond},
		{"queue-deep2", fmt.Sprintf("Moderator queue, the page %s tickets deep", thousands(s.deep[1])), 50 * time.Millisecond},
		{"queue-active", "Moderator queue, open statuses (the /antrian default)", 50 * time.Millisecond},
		{"unit", "Dinas unit queue (PUPR), first page", 50 * time.Millisecond},
		{"unit-tasks", "Dinas unit tasks (PUPR, assigned + in progress)", 50 * time.Millisecond},
		{"detail", "Ticket detail with timeline (random Taman ticket)", 50 * time.Millisecond},
		{"dash-kel-30", "HAI LURAH dashboard, Taman (lurah), 30 days", 200 * time.Millisecond},
		{"dash-kel-365", "HAI LURAH dashboard, Taman (lurah), 365 days", 200 * time.Millisecond},
		{"dash-city-30", "HAI LURAH dashboard, city (admin), 30 days", 200 * time.Millisecond},
		{"dash-city-365", "HAI LURAH dashboard, city (admin), 365 days", 200 * time.Millisecond},
	}
	p("### Pages over HTTP\n\n| Page | Target | p50 | p95 | runs (p50 / p95) |\n|---|---|---|---|---|\n")
	for _, r := range pages {
		m50, m95 := scaleMedians(runs, func(x scaleRun) scaleTiming { return x.HTTP[r.key] })
		p("| %s | p95 < %s | %s | **%s** | %s |\n", r.name, ms(r.target), ms(m50), ms(m95),
			joinRuns(runs, func(x scaleRun) string { return ms(x.HTTP[r.key].P50) + " / " + ms(x.HTTP[r.key].P95) }))
		res.Summary = append(res.Summary, SummaryRow{Figure: fmt.Sprintf("%s, %s tickets (Postgres): p95", r.name, thousands(s.tickets)), Target: "< " + ms(r.target),
			Measured: ms(m95), Met: m95 < r.target})
	}
	res.Summary = append(res.Summary, SummaryRow{Figure: fmt.Sprintf("seed-demo --tickets %s (Postgres)", thousands(s.tickets)), Target: "—",
		Measured: s.seedTook.Round(100 * time.Millisecond).String(), Met: true})

	// The SQL.
	p("\n### The dashboard's figures as SQL\n\nThe same aggregates run directly on one connection (no HTTP, no Go on the server): first as the dashboard runs them now, from the rollups, then counted on the tickets as it did before migration 00006 " +
		"(which still answers any period that is not whole WIB days, such as a pilot's cycle up to now). On-ticket figures ran 3 times per run after a warm-up (they take seconds), the others 50 times.\n\n")
	p("| Figure | p50 | p95 | runs (p50) |\n|---|---|---|---|\n")
	qs := s.queries()
	slowestKey, slowest := "", time.Duration(0)
	for _, q := range qs {
		m50, m95 := scaleMedians(runs, func(x scaleRun) scaleTiming { return x.SQL[q.key] })
		p("| %s | %s | %s | %s |\n", q.name, ms(m50), ms(m95), joinRuns(runs, func(x scaleRun) string { return ms(x.SQL[q.key].P50) }))
		if q.rollup && q.explain != "" && m50 > slowest {
			slowestKey, slowest = q.key, m50
		}
	}

	// Write cost.
	p("\n### What a ticket write costs\n\n")
	p("Each run, after the reads: %s `store.UpsertTicket` calls (a projection moving a random ticket between *open* and *assigned*, as routing does; every such write changes the tallies and the queue order, so every index and rollup moves) "+
		"and as many `store.CreateTicket` calls (intake), one at a time through the store's own code, in three phases on distinct tickets: as shipped; with the rollup triggers skipped "+
		"(sessions opened with `hailurah.skip_rollups=on`); and also without the eight ticket indexes of 00006, i.e. the schema before it. Then the schema, the moved tickets and the rollups are put back as they were.\n\n",
		thousands(func() int {
			if s.b.Quick {
				return 200
			}
			return 1000
		}()))
	p("| Phase | upsert p50 | upsert p95 | create p50 | create p95 | database time per update | per insert |\n|---|---|---|---|---|---|---|\n")
	for _, ph := range scaleWritePhases {
		u50, u95 := scaleMedians(runs, func(x scaleRun) scaleTiming { return x.Write["upsert-"+ph.key] })
		c50, c95 := scaleMedians(runs, func(x scaleRun) scaleTiming { return x.Write["create-"+ph.key] })
		bu, _ := scaleMedians(runs, func(x scaleRun) scaleTiming { return x.Write["batch-upsert-"+ph.key] })
		bi, _ := scaleMedians(runs, func(x scaleRun) scaleTiming { return x.Write["batch-create-"+ph.key] })
		p("| %s | %s | %s | %s | %s | %s | %s |\n", ph.name, ms(u50), ms(u95), ms(c50), ms(c95), scaleMicros(bu), scaleMicros(bi))
	}
	p("\nThe store calls commit each write on its own, so their latency is mostly the round trip and the WAL flush of the commit, and moves with the machine's load; " +
		"the last two columns take those out: the same moves (and inserts) sent as one pipelined batch in a transaction that is rolled back, divided by their number, which is what the database spends per write.\n")
	p("\nStorage: %s.\n", facts.storage)

	p("\n### Indexes and rollups\n\n")
	p("Migration 00006 (`migrations/postgres/00006_curhat_rollups.sql`, and its SQLite twin):\n\n")
	p("- **Rollups**, kept exact by `AFTER INSERT/UPDATE/DELETE` triggers on `tickets` in the writing transaction (the old row's contribution out, the new one in, grouped by key and written in key order; an update that changes no counted column does not fire them): "+
		"`curhat_daily` (per kelurahan, WIB day, RW, RT: the SLA, follow-up, resolved and per-rating tallies; also the heatmap), %s rows; "+
		"`curhat_daily_counts` (per kelurahan and day: tickets per kategori and per urgency), %s rows; "+
		"`curhat_daily_durations` (per kelurahan and day: histograms of AI reply and resolve seconds over fixed buckets 1/8 octave wide), %s rows. "+
		"`tickets.first_reply_at`, the first AI reply, is kept by a trigger on `outbox`.\n", thousands(facts.rollupRows[0]), thousands(facts.rollupRows[1]), thousands(facts.rollupRows[2]))
	p("- **Medians stay exact**: the histogram names the bucket holding the middle value and its rank there; the store reads that bucket's values from `tickets` through `tickets_reply_seconds_idx` / `tickets_resolve_seconds_idx` " +
		"(expression indexes on the duration, covering the kelurahan and received time) and takes the middle one or two, as before.\n")
	p("- **Queues**: `tickets_kelurahan_order_idx` and `tickets_unit_order_idx` are the queue order (deadline, newest, id) after the kelurahan or unit, so a page is an index range; the keyset cursor is now read as three ranges " +
		"(the rest of the cursor's deadline, later deadlines, none) so a deep page costs what the first does.\n")
	p("- **The state now** (overdue work per unit, board): partial indexes over waiting tickets only: `tickets_waiting_idx`, `tickets_waiting_city_idx`, `tickets_dinas_open_idx`, `tickets_moderator_open_idx`.\n")
	p("- Periods that are not whole WIB days, and RW scopes of medians, kategori and trend, are counted on the tickets, with the same SQL as before; `store` tests prove the two paths equal on SQLite and Postgres.\n\n")
	p("Index sizes at this scale: %s.\n", facts.indexSizes)

	// The slowest statement's plan.
	for _, q := range qs {
		if q.key != slowestKey {
			continue
		}
		plan, err := s.explain(ctx, q.explain, q.args...)
		if err != nil {
			return nil, err
		}
		p("\n### The slowest statement of the dashboard now\n\n%s (p50 %s). `EXPLAIN (ANALYZE, BUFFERS)`:\n\n```\n%s\n```\n", q.name, ms(slowest), plan)
	}

	p("\n### What limits each figure\n\n")
	p("- **Queue pages and the ticket page** are a few index-range reads plus the server's own work: the session check, JSON of 50 tickets (each with its message text), and the HTTP round trip; the database part is well under a millisecond. " +
		"A deep page costs what the first does because the cursor is a seek, not an OFFSET. Filters the indexes do not lead with (a kategori, a search text) still filter the kelurahan's queue row by row.\n")
	p("- **Dashboards** are about a dozen statements in sequence on one connection. The period's figures read rollup rows, which grow with days × kelurahan, not tickets "+
		"(%s rows in all here, most of them the duration histograms' one row per kelurahan, day and bucket in use), and, per median, the values of one duration bucket through its index: "+
		"it walks all of that bucket's values in the city's history (the index leads with the duration; kelurahan and day are checked inside it), so this step grows with the history, not the period. "+
		"The rest is the state *now* (overdue work per unit, the board's counts), which counts the waiting tickets (%s here) through the partial indexes and grows with the backlog.\n",
		thousands(facts.rollupRows[0]+facts.rollupRows[1]+facts.rollupRows[2]), thousands(facts.waiting))
	p("- **On-ticket SQL** reads every ticket of the period (and for the AI reply, joins the outbox), so it grows with the period: seconds for a year at this scale. It is kept for periods that are not whole days.\n")
	p("- **Writes** pay for the rollup triggers (a few upserts of rollup rows in the same transaction; rows of the same kelurahan and day are shared, so concurrent writers of one day queue briefly on them) and for the extra indexes. " +
		"Bulk loads may skip the triggers (`SET hailurah.skip_rollups = on`) and call `store.RebuildCurhatRollups`, as seed-demo does.\n")
	p("\nseed-demo said:\n\n```\n%s\n```\n", scaleClip(s.seedOut, 2000))
	res.Body = sb.String()
	return res, nil
}

// scaleFacts describe the seeded database.
type scaleFacts struct {
	version, sharedBuffers, size string
	tickets, outbox, events      int
	waiting                      int
	byKel                        map[string]int
	rollupRows                   [3]int
	indexSizes, storage          string
}

func (s *scaleSetup) facts(ctx context.Context) (*scaleFacts, error) {
	conn, err := pgx.Connect(ctx, s.dbURL)
	if err != nil {
		return nil, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	f := &scaleFacts{byKel: map[string]int{}}
	if err := conn.QueryRow(ctx, `SELECT current_setting('server_version'), current_setting('shared_buffers'),
		pg_size_pretty(pg_database_size(current_database())),
		(SELECT count(*) FROM tickets), (SELECT count(*) FROM outbox), (SELECT count(*) FROM ticket_events),
		(SELECT count(*) FROM tickets WHERE status IN ('new', 'open', 'assigned', 'in_progress', 'awaiting_confirmation')),
		(SELECT count(*) FROM curhat_daily), (SELECT count(*) FROM curhat_daily_counts), (SELECT count(*) FROM curhat_daily_durations)`).
		Scan(&f.version, &f.sharedBuffers, &f.size, &f.tickets, &f.outbox, &f.events, &f.waiting, &f.rollupRows[0], &f.rollupRows[1], &f.rollupRows[2]); err != nil {
		return nil, err
	}
	rows, err := conn.Query(ctx, "SELECT COALESCE(kelurahan_code, ''), count(*) FROM tickets GROUP BY 1")
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return nil, err
		}
		f.byKel[k] = n
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var sizes []string
	rows, err = conn.Query(ctx, `SELECT c.relname, pg_size_pretty(pg_relation_size(c.oid)) FROM pg_class c
		WHERE c.relname IN ('tickets_kelurahan_order_idx', 'tickets_unit_order_idx', 'tickets_waiting_idx', 'tickets_waiting_city_idx',
		'tickets_dinas_open_idx', 'tickets_moderator_open_idx', 'tickets_reply_seconds_idx', 'tickets_resolve_seconds_idx') ORDER BY c.relname`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var n, sz string
		if err := rows.Scan(&n, &sz); err != nil {
			return nil, err
		}
		sizes = append(sizes, "`"+n+"` "+sz)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	f.indexSizes = strings.Join(sizes, ", ")
	var tbl, idx, added, roll string
	if err := conn.QueryRow(ctx, `SELECT pg_size_pretty(pg_table_size('tickets')), pg_size_pretty(pg_indexes_size('tickets')),
		pg_size_pretty((SELECT sum(pg_relation_size(c.oid)) FROM pg_class c WHERE c.relname IN ('tickets_kelurahan_order_idx', 'tickets_unit_order_idx',
			'tickets_waiting_idx', 'tickets_waiting_city_idx', 'tickets_dinas_open_idx', 'tickets_moderator_open_idx', 'tickets_reply_seconds_idx',
			'tickets_resolve_seconds_idx'))::bigint),
		pg_size_pretty(pg_total_relation_size('curhat_daily') + pg_total_relation_size('curhat_daily_counts') + pg_total_relation_size('curhat_daily_durations'))`).
		Scan(&tbl, &idx, &added, &roll); err != nil {
		return nil, err
	}
	f.storage = fmt.Sprintf("tickets table %s, all its indexes %s of which 00006 added %s; the three rollup tables with their indexes %s", tbl, idx, added, roll)
	return f, nil
}

// explain returns the plan of one statement, run, with buffers.
func (s *scaleSetup) explain(ctx context.Context, sql string, args ...any) (string, error) {
	conn, err := pgx.Connect(ctx, s.dbURL)
	if err != nil {
		return "", err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	rows, err := conn.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+sql, args...)
	if err != nil {
		return "", err
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return "", err
	}
	if len(lines) > 40 {
		lines = append(lines[:40], "…")
	}
	return strings.Join(lines, "\n"), nil
}
