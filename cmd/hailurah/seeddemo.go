package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/client"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/triage"
	"github.com/hailurah/hailurah/workflows"
)

// `hailurah seed-demo` fills a database with months of realistic data for
// demonstrations and benchmarks: curhat tickets with their AI replies and
// timelines, the programme's households, members, trainings, padat karya,
// marketplace onboardings, omzet check-ins and grants, written straight
// into the store's tables (the projections), and a pilot whose cycle
// started 80 days ago, so the lurah finds its review packet and can sign.
// Every ticket, grant and pilot still open at the end of the period gets a
// real workflow started from its state (seeddemo_start.go), so each can be
// worked.
//
// Rows go in batches: COPY on Postgres, multi-row INSERTs in transactions
// on SQLite. Tickets, which a benchmark asks a million of, are generated
// and written a batch at a time, and the batch's open tickets started
// while the next is drawn. The data is drawn from a fixed seed: two runs
// on empty databases produce the same rows (with dates relative to the
// day of the run).
//
// It refuses to run twice on the same database: the demo households
// ("DEMO-…") are the marker.

const (
	demoDefaultTickets = 3000
	demoDefaultMonths  = 6
	demoMaxTickets     = 5_000_000
	demoBatch          = 5000
	demoPilotDay       = 80
)

// demoOptions is what seed-demo (or `hailurah dev --demo`) fills.
type demoOptions struct {
	Tickets, Months int
	// Workflows starts the open items' workflows; without them the rows
	// are only data to read (a load test of the store).
	Workflows bool
}

var defaultDemoOptions = demoOptions{Tickets: demoDefaultTickets, Months: demoDefaultMonths, Workflows: true}

func (o demoOptions) check() error {
	switch {
	case o.Tickets < 0 || o.Tickets > demoMaxTickets:
		return fmt.Errorf("--tickets harus antara 0 dan %d", demoMaxTickets)
	case o.Months < 1 || o.Months > 36:
		return errors.New("--months harus antara 1 dan 36")
	}
	return nil
}

func runSeedDemo(ctx context.Context, cfg Config, logger *slog.Logger, args []string, out io.Writer) error {
	opts := defaultDemoOptions
	fs := flag.NewFlagSet("seed-demo", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.IntVar(&opts.Tickets, "tickets", opts.Tickets, "jumlah tiket curhat demo")
	fs.IntVar(&opts.Months, "months", opts.Months, "rentang bulan ke belakang dari hari ini")
	fs.BoolVar(&opts.Workflows, "workflows", opts.Workflows, "mulai alur kerja Temporal untuk setiap tiket, hibah dan pilot yang masih berjalan "+
		"(false: hanya baris data, untuk uji beban basis data)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := opts.check(); err != nil {
		return err
	}
	started := time.Now()

	// Nothing is written before the data dir is known to be free (or
	// served by a `hailurah dev` to work through) and Temporal answers.
	var holder *dataHolder
	if cfg.DatabaseURL == "" || cfg.TemporalAddress == "" {
		lock, h, err := lockDataDir(cfg.DataDir, "seed-demo", storeID(cfg.DatabaseURL))
		switch {
		case errors.Is(err, errDataDirBusy):
			if holder, err = workThrough(cfg, h); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			defer lock.release()
		}
	}
	var c client.Client
	if opts.Workflows {
		// Its workflows' payloads are sealed, and their staff actions
		// signed, with the keys of the processes that will run them.
		if err := cfg.ensureSecret(cfg.TemporalAddress == ""); err != nil {
			return err
		}
		var done func()
		var err error
		if c, done, err = demoTemporal(ctx, cfg, logger, holder); err != nil {
			return err
		}
		defer done()
	}

	db, err := store.Open(ctx, cfg.DatabaseURL, cfg.DataDir, logger)
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	defer db.Close()
	if err := db.MigrateUp(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if err := db.SetZone(ctx, cfg.Zone); err != nil {
		return fmt.Errorf("HAILURAH_TZ=%s: %w", cfg.Zone.Name(), err)
	}
	rules, err := triage.LoadRules(cfg.RulesPath)
	if err != nil {
		return err
	}
	pw, err := (&Main{Config: cfg}).demoPassword()
	if err != nil {
		return err
	}
	if err := seedDemo(ctx, db, rules, pw); err != nil {
		return fmt.Errorf("seed demo users: %w", err)
	}
	rep, err := fillDemo(ctx, demoTarget{db: db, databaseURL: cfg.DatabaseURL, temporal: c, rules: rules, grantPolicy: cfg.GrantPolicy, zone: cfg.Zone}, opts, out)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Selesai dalam %s; %s.\n", time.Since(started).Round(time.Millisecond), rep.startedLine())
	login := fmt.Sprintf("masuk sebagai \"moderator\" (antrean /antrian) atau \"lurah\" (/pilot/%s, /hibah, /dasbor)", rep.pilot.ID)
	switch {
	case holder != nil:
		fmt.Fprintf(out, "Diisi lewat %s yang berjalan pada data dir ini; alur kerjanya sudah berjalan: %s.\n", holder.describe(), login)
	case cfg.TemporalAddress != "":
		fmt.Fprintf(out, "Alur kerjanya berjalan di Temporal %s begitu worker berjalan; %s.\n", cfg.TemporalAddress, login)
	default:
		fmt.Fprintf(out, "Jalankan `hailurah dev`, lalu %s.\n", login)
	}
	return nil
}

// workThrough decides what to do on a data dir another process holds:
// fill it through the `hailurah dev` running there (its Temporal server,
// once it serves) when both use the same database and Temporal, or refuse
// before writing anything.
func workThrough(cfg Config, h *dataHolder) (*dataHolder, error) {
	stop := fmt.Errorf("data dir %s sedang dipakai oleh %s; hentikan dulu (Ctrl-C) lalu jalankan seed-demo lagi — "+
		"data demo belum diisi sama sekali (the data dir is in use; stop that process first: nothing was written)", cfg.DataDir, h.describe())
	if h == nil || h.Command != "dev" {
		return nil, stop
	}
	if h.Store != storeID(cfg.DatabaseURL) || cfg.TemporalAddress != "" && h.Temporal != "" && h.Temporal != cfg.TemporalAddress {
		return nil, fmt.Errorf("%s pada data dir %s memakai basis data atau Temporal lain dari seed-demo ini (DATABASE_URL, TEMPORAL_ADDRESS); "+
			"jalankan seed-demo dengan konfigurasi yang sama, atau hentikan dulu — data demo belum diisi (nothing was written)", h.describe(), cfg.DataDir)
	}
	// A dev server still starting has not said where its Temporal serves.
	deadline := time.Now().Add(time.Minute)
	for h.Temporal == "" && cfg.TemporalAddress == "" {
		if time.Now().After(deadline) {
			return nil, stop
		}
		time.Sleep(250 * time.Millisecond)
		if h = readHolder(cfg.DataDir); h == nil || h.Command != "dev" {
			return nil, stop
		}
	}
	return h, nil
}

// demoTarget is where the demo goes: the store, and the Temporal client
// that starts the open items' workflows (nil: rows only).
type demoTarget struct {
	db          *store.DB
	databaseURL string // for COPY on Postgres
	temporal    client.Client
	rules       *triage.Rules
	grantPolicy hailurah.GrantPolicy
	zone        hailurah.Zone
}

// demoReport is what fillDemo did.
type demoReport struct {
	prog    *demoCounts
	tickets int
	pilot   *hailurah.Pilot
	// started counts the workflows started, by kind; nil without workflows.
	started map[string]int
}

// startedLine is the closing note's count of workflows.
func (r *demoReport) startedLine() string {
	if r.started == nil {
		return "tanpa alur kerja (--workflows=false): tiket, hibah dan pilot yang masih berjalan tidak dapat ditindaklanjuti"
	}
	n := 0
	for _, v := range r.started {
		n += v
	}
	return fmt.Sprintf("%d alur kerja dimulai (%d tiket, %d hibah, %d pilot, %d pinjaman)", n,
		r.started[demoKindTicket], r.started[demoKindGrant], r.started[demoKindPilot], r.started[demoKindLoan])
}

// hasDemo reports whether the demo households are in the database.
func hasDemo(ctx context.Context, db *store.DB) (int64, error) {
	var n int64
	err := db.Gorm().WithContext(ctx).Raw("SELECT COUNT(*) FROM households WHERE id LIKE 'DEMO-%'").Scan(&n).Error
	return n, err
}

// fillDemo writes the demo data into t.db and starts the workflows of
// what is still open on t.temporal. It refuses a database that has the
// demo data.
func fillDemo(ctx context.Context, t demoTarget, opts demoOptions, out io.Writer) (*demoReport, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	existing, err := hasDemo(ctx, t.db)
	if err != nil {
		return nil, err
	}
	if existing > 0 {
		return nil, fmt.Errorf("data demo sudah ada (%d rumah tangga DEMO-…); seed-demo tidak mengisi dua kali. "+
			"Pakai data dir atau basis data baru untuk mengisi ulang", existing)
	}
	started := time.Now()
	w, err := newDemoWriter(ctx, t.db, t.databaseURL)
	if err != nil {
		return nil, err
	}
	defer w.close(context.WithoutCancel(ctx))
	var starter *demoStarter
	if opts.Workflows {
		if t.temporal == nil {
			return nil, errors.New("seed-demo: no Temporal client for the workflows")
		}
		startCtx, cancel := context.WithCancel(ctx)
		defer cancel()
		starter = newDemoStarter(startCtx, t.temporal)
		defer func() {
			if starter != nil {
				cancel()
				_, _ = starter.wait()
			}
		}()
	}
	g := &demoGen{now: time.Now(), months: opts.Months, rules: t.rules, rnd: rand.New(rand.NewPCG(2026, 90)),
		open: rand.New(rand.NewPCG(2026, 91)), policy: t.rules.SLA(), grantPolicy: t.grantPolicy.WithDefaults(), starter: starter,
		zone: t.zone}
	g.policy.Zone, g.grantPolicy.Zone = t.zone, t.zone
	fmt.Fprintf(out, "Mengisi data demo (%s): %d tiket dalam %d bulan…\n", t.db.Dialect(), opts.Tickets, opts.Months)
	prog, err := g.programme(ctx, w)
	if err != nil {
		return nil, fmt.Errorf("programme data: %w", err)
	}
	fmt.Fprintf(out, "  %d rumah tangga, %d anggota, %d pelatihan, %d proyek padat karya, %d onboarding marketplace, %d hibah (%d masih berjalan), %d check-in\n",
		prog.households, prog.members, prog.trainings, prog.projects, prog.onboardings, prog.grants, len(prog.open), prog.checkins)
	for _, in := range prog.open {
		start := func(ctx context.Context, c *workflows.Client) error { return c.StartGrant(ctx, in) }
		if err := g.startWorkflow(ctx, demoStart{kind: demoKindGrant, id: in.GrantID, start: start}); err != nil {
			return nil, err
		}
	}
	open, err := g.tickets(ctx, w, opts.Tickets)
	if err != nil {
		return nil, fmt.Errorf("tickets: %w", err)
	}
	if err := w.finish(ctx); err != nil {
		return nil, fmt.Errorf("tickets: %w", err)
	}
	fmt.Fprintf(out, "  %d tiket curhat dengan balasan AI dan riwayat, %d masih berjalan (%s)\n", opts.Tickets, open,
		time.Since(started).Round(time.Millisecond))
	if starter != nil {
		loans, err := demoLoans(ctx, t.db, g.now, t.zone)
		if err != nil {
			return nil, err
		}
		for _, in := range loans {
			start := func(ctx context.Context, c *workflows.Client) error { return c.StartLoan(ctx, in) }
			if err := g.startWorkflow(ctx, demoStart{kind: demoKindLoan, id: in.Loan.ID, start: start}); err != nil {
				return nil, err
			}
		}
		fmt.Fprintf(out, "  %d pinjaman dana bergulir di Taman (satu menunggu persetujuan Lurah, satu berjalan dengan cicilan pertama lunas)\n", len(loans))
	}

	rep := &demoReport{prog: prog, tickets: opts.Tickets}
	if rep.pilot, err = createDemoPilot(ctx, t.db, g.now, t.zone); err != nil {
		return nil, fmt.Errorf("demo pilot: %w", err)
	}
	fmt.Fprintf(out, "  pilot %s \"%s\" dimulai %s (hari ke-%d): paket evaluasi menunggu keputusan Lurah\n",
		rep.pilot.ID, rep.pilot.Name, rep.pilot.StartDate.Format("02-01-2006"), demoPilotDay)
	if starter != nil {
		startErr := g.startWorkflow(ctx, demoPilotStart(rep.pilot, t.zone))
		counts, err := starter.wait()
		starter = nil
		if err == nil {
			err = startErr
		}
		if err != nil {
			return nil, fmt.Errorf("workflows: %w", err)
		}
		rep.started = counts
		// Last month's reports, made from the demo once a worker runs, so
		// /laporan has them without waiting for the 1st.
		if err := startLastMonthReports(ctx, t.db, t.temporal, t.zone, time.Now()); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

// startWorkflow hands a workflow to the starter, when workflows are wanted.
func (g *demoGen) startWorkflow(ctx context.Context, job demoStart) error {
	if g.starter == nil {
		return nil
	}
	return g.starter.start(ctx, job)
}

// demoWriter writes rows in batches: COPY through its own pgx connection
// on Postgres, multi-row INSERTs in one transaction per batch on SQLite.
type demoWriter struct {
	db *store.DB
	pg *pgx.Conn
	sq *sql.DB
}

func newDemoWriter(ctx context.Context, db *store.DB, databaseURL string) (*demoWriter, error) {
	w := &demoWriter{db: db}
	if db.Dialect() == store.DialectPostgres {
		conn, err := pgx.Connect(ctx, databaseURL)
		if err != nil {
			return nil, fmt.Errorf("connect for COPY: %w", err)
		}
		// The dashboard rollups' triggers would cost a few statements per
		// row; this session skips them and finish rebuilds the rollups
		// once, set-wise (the rows carry first_reply_at themselves).
		if _, err := conn.Exec(ctx, "SET hailurah.skip_rollups = on"); err != nil {
			_ = conn.Close(ctx)
			return nil, fmt.Errorf("connect for COPY: %w", err)
		}
		w.pg = conn
		return w, nil
	}
	sq, err := db.Gorm().DB()
	if err != nil {
		return nil, err
	}
	w.sq = sq
	return w, nil
}

// finish completes a Postgres load: the dashboard rollups of the tickets
// written with their triggers skipped, fresh statistics (a bulk load
// leaves none, so the first queries would plan blind) and the visibility
// maps of tickets and the rollups, so their indexes answer without reading
// the tables. On SQLite the triggers ran.
func (w *demoWriter) finish(ctx context.Context) error {
	if w.pg == nil {
		return nil
	}
	if err := w.db.RebuildCurhatRollups(ctx); err != nil {
		return err
	}
	for _, stmt := range []string{"VACUUM (ANALYZE) tickets", "ANALYZE outbox", "ANALYZE ticket_events",
		"VACUUM (ANALYZE) curhat_daily", "VACUUM (ANALYZE) curhat_daily_counts", "VACUUM (ANALYZE) curhat_daily_durations"} {
		if _, err := w.pg.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("%s: %w", stmt, err)
		}
	}
	return nil
}

func (w *demoWriter) close(ctx context.Context) {
	if w.pg != nil {
		_ = w.pg.Close(ctx)
	}
}

// write stores rows of cols into table.
func (w *demoWriter) write(ctx context.Context, table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	for _, r := range rows {
		for i, v := range r {
			r[i] = storedTime(v)
		}
	}
	if w.pg != nil {
		_, err := w.pg.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows))
		if err != nil {
			return fmt.Errorf("copy %s: %w", table, err)
		}
		return nil
	}
	// SQLite binds at most 32766 parameters per statement.
	per := max(1, min(1000, 32000/len(cols)))
	tx, err := w.sq.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for start := 0; start < len(rows); start += per {
		chunk := rows[start:min(len(rows), start+per)]
		var b strings.Builder
		fmt.Fprintf(&b, "INSERT INTO %s (%s) VALUES ", table, strings.Join(cols, ", "))
		place := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
		args := make([]any, 0, len(chunk)*len(cols))
		for i, r := range chunk {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(place)
			args = append(args, r...)
		}
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("insert %s: %w", table, err)
		}
	}
	return tx.Commit()
}

// storedTime writes a time as the store does: UTC, to the microsecond.
// SQLite compares times as text, so a time in another zone or with
// nanoseconds would sort apart from the store's own, and the queue's
// keyset pages would skip or repeat rows.
func storedTime(v any) any {
	switch t := v.(type) {
	case time.Time:
		return t.UTC().Truncate(time.Microsecond)
	case *time.Time:
		if t != nil {
			u := t.UTC().Truncate(time.Microsecond)
			return &u
		}
	}
	return v
}

// exec runs one statement on the store.
func (w *demoWriter) exec(ctx context.Context, query string, args ...any) error {
	return w.db.Gorm().WithContext(ctx).Exec(query, args...).Error
}

// nextID is the first free id of an identity column.
func (w *demoWriter) nextID(ctx context.Context, table string) (int64, error) {
	var n int64
	err := w.db.Gorm().WithContext(ctx).Raw("SELECT COALESCE(MAX(id), 0) FROM " + table).Scan(&n).Error
	return n + 1, err
}

// syncIdentity moves a Postgres identity past ids written explicitly, so
// the application's next insert does not collide; SQLite's AUTOINCREMENT
// follows the largest id by itself.
func (w *demoWriter) syncIdentity(ctx context.Context, table string) error {
	if w.pg == nil {
		return nil
	}
	return w.exec(ctx, fmt.Sprintf("SELECT setval(pg_get_serial_sequence('%[1]s', 'id'), (SELECT GREATEST(MAX(id), 1) FROM %[1]s))", table))
}

// demoGen draws the demo data.
type demoGen struct {
	now    time.Time
	months int
	rules  *triage.Rules
	rnd    *rand.Rand
	// open draws the grants still in progress, apart from rnd so the rest
	// of the data stays as it was drawn before they were added.
	open        *rand.Rand
	policy      hailurah.SLAPolicy
	grantPolicy hailurah.GrantPolicy
	// starter starts the open items' workflows; nil for rows only.
	starter *demoStarter
	// zone is the kelurahan's clock: curhat come by its day, dates are
	// its calendar days.
	zone hailurah.Zone
}

func (g *demoGen) pick(items ...string) string { return items[g.rnd.IntN(len(items))] }

// weighted returns the index drawn with the given weights.
func (g *demoGen) weighted(weights ...float64) int {
	sum := 0.0
	for _, w := range weights {
		sum += w
	}
	x := g.rnd.Float64() * sum
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

func (g *demoGen) between(a, b time.Duration) time.Duration {
	return a + time.Duration(g.rnd.Int64N(int64(b-a)+1))
}

// span is the demo period: months back from now.
func (g *demoGen) start() time.Time { return g.now.AddDate(0, -g.months, 0) }

// demoArea is where the demo kelurahan's RW and RT numbers run.
var demoAreas = []struct {
	code, short string
	rws, rts    int
	weight      float64
	households  int
}{
	{"taman", "TMN", 6, 6, 0.5, 220},
	{"nambangan", "NMB", 5, 5, 0.3, 130},
	{"demangan", "DMG", 4, 5, 0.2, 90},
}

func rtrwNum(n int) string { return fmt.Sprintf("%02d", n) }

type demoHousehold struct {
	id, kel, rt, rw string
	dtks            bool
	income, omzet   int64
	modal           int64
	umkm            bool
	pelatihan       []string
	members         []int64
	potensi         string
	head            string
}

type demoCounts struct {
	households, members, trainings, projects, onboardings, grants, checkins int
	// open are the inputs that start the workflows of the grants still in
	// progress.
	open []hailurah.GrantInput
}

var demoNames = []string{"Siti", "Sri", "Wahyuni", "Lestari", "Rahayu", "Suparmi", "Dewi", "Yuli", "Ani", "Rina", "Tutik", "Endang",
	"Budi", "Joko", "Agus", "Bambang", "Slamet", "Hartono", "Eko", "Wahyu", "Sugeng", "Teguh", "Dedi", "Arif"}
var demoFamilies = []string{"Susanto", "Wibowo", "Purnomo", "Hidayat", "Setiawan", "Rahmawati", "Kusuma", "Santoso", "Lestari", "Nugroho", "Handayani", "Prasetyo"}
var demoPotensi = []string{"warung kelontong", "jahit", "kue basah", "keripik tempe", "laundry kiloan", "bengkel motor", "sayur keliling",
	"pecel madiun", "brem", "kerajinan bambu", "katering rumahan", "ternak lele"}

// programme writes the households and what they took part in, over the
// demo period, and returns the counts.
func (g *demoGen) programme(ctx context.Context, w *demoWriter) (*demoCounts, error) {
	c := &demoCounts{}
	memberID, err := w.nextID(ctx, "household_members")
	if err != nil {
		return nil, err
	}
	trainingID, err := w.nextID(ctx, "trainings")
	if err != nil {
		return nil, err
	}
	projectID, err := w.nextID(ctx, "padat_karya_projects")
	if err != nil {
		return nil, err
	}
	start := g.start()
	created := start.Add(-24 * time.Hour)
	byKel := map[string][]*demoHousehold{}
	var all []*demoHousehold
	var memberRows [][]any
	gender := map[int64]string{}
	for _, a := range demoAreas {
		for i := 1; i <= a.households; i++ {
			dtks := g.rnd.Float64() < 0.55
			income := int64(1_200_000 + g.rnd.IntN(2_300_000))
			if dtks {
				income = int64(800_000 + g.rnd.IntN(1_200_000))
			}
			h := &demoHousehold{id: fmt.Sprintf("DEMO-%s-%04d", a.short, i), kel: a.code, rt: rtrwNum(1 + g.rnd.IntN(a.rts)),
				rw: rtrwNum(1 + g.rnd.IntN(a.rws)), dtks: dtks, income: income / 50_000 * 50_000, potensi: g.pick(demoPotensi...)}
			head := g.pick(demoNames...) + " " + g.pick(demoFamilies...)
			h.head = head
			if g.rnd.Float64() < 0.6 {
				h.omzet = int64(300_000+g.rnd.IntN(2_000_000)) / 10_000 * 10_000
			}
			for m := 0; m < 1+g.rnd.IntN(2); m++ {
				name := head
				if m > 0 {
					name = g.pick(demoNames...) + " " + strings.Fields(head)[1]
				}
				sex := hailurah.GenderLakiLaki
				if g.rnd.Float64() < 0.58 {
					sex = hailurah.GenderPerempuan
				}
				gender[memberID] = sex
				memberRows = append(memberRows, []any{memberID, h.id, fmt.Sprintf("%s %d", name, m+1), sex, 17 + g.rnd.IntN(45), created, created})
				h.members = append(h.members, memberID)
				memberID++
			}
			byKel[a.code] = append(byKel[a.code], h)
			all = append(all, h)
		}
	}
	// Trainings spread over the period; about 25 members each.
	var trainRows, attRows [][]any
	topics := []string{"Wirausaha dasar", "Manajemen keuangan mikro", "Digital marketing WhatsApp Bisnis", "Foto produk & marketplace",
		"Sertifikasi vokasi tata boga", "Sertifikasi menjahit"}
	for _, a := range demoAreas {
		n := map[string]int{"taman": 8, "nambangan": 4, "demangan": 2}[a.code]
		for i := 0; i < n; i++ {
			held := g.dateOnlyUTC(start.Add(time.Duration(float64(g.now.Sub(start)) * (float64(i) + g.rnd.Float64()) / float64(n))))
			if held.After(g.now) {
				held = g.dateOnlyUTC(g.now)
			}
			topic := topics[g.rnd.IntN(len(topics))]
			certifying := strings.HasPrefix(topic, "Sertifikasi")
			trainRows = append(trainRows, []any{trainingID, a.code, fmt.Sprintf("%s — batch %d", topic, i+1), topic,
				demoTrainers[i%len(demoTrainers)], held, certifying, "fasilitator", created})
			seen := map[int64]bool{}
			for k := 0; k < 22+g.rnd.IntN(10); k++ {
				h := byKel[a.code][g.rnd.IntN(len(byKel[a.code]))]
				m := h.members[g.rnd.IntN(len(h.members))]
				if seen[m] {
					continue
				}
				seen[m] = true
				attended := g.rnd.Float64() < 0.9
				certified := attended && certifying && g.rnd.Float64() < 0.7
				attRows = append(attRows, []any{trainingID, m, h.id, attended, certified, created})
				if attended && !containsStr(h.pelatihan, topic) {
					h.pelatihan = append(h.pelatihan, topic)
				}
			}
			trainingID++
			c.trainings++
		}
	}
	// Padat karya: paving, drainage and a park, 5 days at Rp 100.000.
	var projRows, workerRows [][]any
	for _, a := range demoAreas {
		for i := 0; i < map[string]int{"taman": 3, "nambangan": 2, "demangan": 1}[a.code]; i++ {
			s := g.dateOnlyUTC(start.Add(time.Duration(float64(g.now.Sub(start)) * (0.3 + 0.6*g.rnd.Float64()))))
			e := s.AddDate(0, 0, 4)
			name := []string{"Paving gang RW", "Normalisasi drainase RW", "Taman kota RW"}[i%3] + rtrwNum(1+g.rnd.IntN(a.rws))
			projRows = append(projRows, []any{projectID, a.code, name, "Kel. " + a.code, s, e, hailurah.DefaultPadatKaryaWage, "fasilitator", created})
			seen := map[int64]bool{}
			for k := 0; k < map[string]int{"taman": 25, "nambangan": 15, "demangan": 12}[a.code]; k++ {
				h := byKel[a.code][g.rnd.IntN(len(byKel[a.code]))]
				m := h.members[g.rnd.IntN(len(h.members))]
				if seen[m] {
					continue
				}
				seen[m] = true
				workerRows = append(workerRows, []any{projectID, m, h.id, 3 + g.rnd.IntN(3), hailurah.DefaultPadatKaryaWage, created})
			}
			projectID++
			c.projects++
		}
	}
	// Marketplace onboardings.
	var onboardRows [][]any
	for _, a := range demoAreas {
		for k := 0; k < map[string]int{"taman": 24, "nambangan": 10, "demangan": 6}[a.code]; k++ {
			h := byKel[a.code][g.rnd.IntN(len(byKel[a.code]))]
			if h.umkm {
				continue
			}
			h.umkm = true
			on := g.dateOnlyUTC(start.Add(time.Duration(float64(g.now.Sub(start)) * g.rnd.Float64())))
			onboardRows = append(onboardRows, []any{h.id, g.pick("toko-warga-taman", "shopee", "tokopedia"), "", on, "fasilitator", created})
			c.onboardings++
		}
	}
	// Grants: DTKS households first, most applied at least 110 days ago so
	// the 90-day check-in is done and the grant final; then a few still in
	// progress (demoOpenGrants), each waiting in its status.
	var grantRows, checkinRows, grantEventRows [][]any
	reserved := map[string]int64{}
	seq := 0
	for _, a := range demoAreas {
		cands := append([]*demoHousehold{}, byKel[a.code]...)
		g.rnd.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
		// DTKS first, as the lurah's queue orders them.
		sortDTKSFirst(cands)
		final := map[string]int{"taman": 40, "nambangan": 20, "demangan": 10}[a.code]
		for k := 0; k < final; k++ {
			h := cands[k]
			seq++
			id := fmt.Sprintf("HB-DEMO-%05d", seq)
			applied := g.now.Add(-g.between(110*24*time.Hour, max(111*24*time.Hour, g.now.Sub(start)+60*24*time.Hour)))
			amount := int64(1_000_000 + 250_000*g.rnd.IntN(9))
			baseOmzet := h.omzet
			rejected := g.rnd.Float64() < 0.08
			verified := applied.Add(g.between(24*time.Hour, 6*24*time.Hour))
			decided := verified.Add(g.between(12*time.Hour, 5*24*time.Hour))
			row := demoGrantRow(id, h, amount, applied, baseOmzet)
			grantEventRows = append(grantEventRows, []any{id + "/1", id, 1, applied, hailurah.EventGrantApplied, "fasilitator", "", "", string(hailurah.GrantApplied), ""})
			if rejected {
				row["status"], row["verified_at"], row["verified_by"], row["rejected_at"], row["decided_by"] =
					string(hailurah.GrantRejected), verified, "fasilitator", decided, "lurah"
				row["reject_reason"] = "Usaha belum berjalan; disarankan ikut pelatihan dulu."
				row["budget_released"] = true
				grantEventRows = append(grantEventRows, []any{id + "/2", id, 2, decided, hailurah.GrantActionReject, "lurah", "lurah",
					string(hailurah.GrantVerified), string(hailurah.GrantRejected), "Usaha belum berjalan."})
			} else {
				disbursed := decided.Add(g.between(2*24*time.Hour, 10*24*time.Hour))
				proof := disbursed.Add(g.between(2*24*time.Hour, 12*24*time.Hour))
				growOmzet := 0.9 + 0.9*g.rnd.Float64()
				growIncome := 1.0 + 0.45*g.rnd.Float64()
				var cks []hailurah.GrantCheckin
				omzet, income := baseOmzet, h.income
				checkinRows = append(checkinRows, []any{id + "/baseline", h.id, applied, baseOmzet, h.income, hailurah.CheckinFasilitator, id, "Data awal pengajuan hibah", "fasilitator", applied})
				for n := 1; n <= 3; n++ {
					at := disbursed.Add(time.Duration(30*n)*24*time.Hour + g.between(-2*24*time.Hour, 3*24*time.Hour))
					f := float64(n) / 3
					omzet = int64(float64(max(baseOmzet, 400_000))*(1+(growOmzet-1)*f)) / 10_000 * 10_000
					income = int64(float64(h.income)*(1+(growIncome-1)*f)) / 10_000 * 10_000
					o, in := omzet, income
					cks = append(cks, hailurah.GrantCheckin{N: n, Due: disbursed.Add(time.Duration(30*n) * 24 * time.Hour), At: &at, Omzet: &o, Income: &in, By: "fasilitator"})
					checkinRows = append(checkinRows, []any{fmt.Sprintf("%s/checkin/%d", id, n), h.id, at, omzet, income, hailurah.CheckinGrant, id, "", "fasilitator", at})
				}
				completed := *cks[2].At
				row["status"] = string(hailurah.GrantCompleted)
				row["verified_at"], row["verified_by"], row["verify_notes"] = verified, "fasilitator", "Usaha dan lokasi sesuai pengajuan."
				row["approved_at"], row["decided_by"] = decided, "lurah"
				row["disbursed_at"], row["disbursed_by"], row["disbursement_ref"] = disbursed, "admin", "SP2D-DEMO-"+id[8:]
				row["proof_at"], row["proof_by"], row["proof_notes"] = proof, "fasilitator", "Foto alat dan stok diterima."
				js, _ := json.Marshal(cks)
				row["checkins"] = string(js)
				row["latest_omzet"], row["latest_income"] = omzet, income
				row["omzet_change_pct"], row["income_change_pct"] = pctOrNil(hailurah.ChangePct(baseOmzet, omzet)), pctOrNil(hailurah.ChangePct(h.income, income))
				row["completed_at"], row["modal_credited"] = completed, true
				h.modal += amount
				h.omzet, h.umkm = omzet, h.umkm || g.rnd.Float64() < 0.3
				reserved[a.code] += amount
				// The programme lifts some DTKS households out of DTKS.
				if h.dtks && g.rnd.Float64() < 0.4 {
					h.dtks = false
				}
				grantEventRows = append(grantEventRows, []any{id + "/2", id, 2, completed, hailurah.EventGrantCompleted, hailurah.ActorSystem, "",
					string(hailurah.GrantInUse), string(hailurah.GrantCompleted), "Check-in hari ke-90 tercatat."})
			}
			grantRows = append(grantRows, demoGrantValues(row))
			c.grants++
		}
		for k, status := range demoOpenGrants[a.code] {
			h := cands[final+k]
			seq++
			gr, events, checkins := g.openGrant(fmt.Sprintf("HB-DEMO-%05d", seq), h, status)
			grantRows = append(grantRows, demoGrantValues(demoOpenGrantRow(gr)))
			grantEventRows = append(grantEventRows, events...)
			checkinRows = append(checkinRows, checkins...)
			reserved[a.code] += gr.Amount
			if gr.DisbursedAt != nil {
				h.modal += gr.Amount
			}
			c.open = append(c.open, hailurah.GrantInput{
				GrantID: gr.ID, HouseholdID: gr.HouseholdID, HouseholdName: gr.HouseholdName, Kelurahan: gr.Kelurahan,
				DTKS: gr.DTKS, Amount: gr.Amount, Purpose: gr.Purpose, Plan: gr.Plan, AppliedBy: gr.AppliedBy,
				AppliedAt: gr.AppliedAt, BaselineOmzet: gr.BaselineOmzet, BaselineIncome: gr.BaselineIncome,
				Policy: g.grantPolicy, From: &hailurah.GrantFrom{Grant: gr, Events: len(events)},
			})
			c.grants++
		}
	}

	var hhRows [][]any
	for _, h := range all {
		var pel any
		if len(h.pelatihan) > 0 {
			b, _ := json.Marshal(h.pelatihan)
			pel = string(b)
		}
		var vuln any
		if g.rnd.Float64() < 0.25 {
			vuln = `["` + g.pick(hailurah.VulnerableGroups...) + `"]`
		}
		updated := g.dateOnlyUTC(g.now.Add(-g.between(0, 30*24*time.Hour)))
		hhRows = append(hhRows, []any{h.id, h.kel, h.head, "RT" + h.rt + "/RW" + h.rw + ", Kel. " + h.kel, h.rt, h.rw, h.dtks, h.potensi,
			pel, h.modal, h.omzet, h.umkm, updated, h.income, vuln, created, g.now})
	}
	steps := []struct {
		table string
		cols  []string
		rows  [][]any
	}{
		{"households", []string{"id", "kelurahan_code", "nama_kepala_keluarga", "alamat_rt_rw", "rt", "rw", "dtks_status", "potensi_usaha",
			"pelatihan_participation", "modal_received", "omzet_monthly", "umkm_onboarded", "date_updated", "baseline_income", "kelompok_rentan",
			"created_at", "updated_at"}, hhRows},
		{"household_members", []string{"id", "household_id", "name", "gender", "age", "created_at", "updated_at"}, memberRows},
		{"trainings", []string{"id", "kelurahan_code", "title", "topic", "trainer", "held_on", "certifying", "created_by", "created_at"}, trainRows},
		{"training_attendance", []string{"training_id", "member_id", "household_id", "attended", "certified", "updated_at"}, attRows},
		{"padat_karya_projects", []string{"id", "kelurahan_code", "name", "location", "start_date", "end_date", "wage_per_day", "created_by", "created_at"}, projRows},
		{"padat_karya_workers", []string{"project_id", "member_id", "household_id", "days", "wage_per_day", "updated_at"}, workerRows},
		{"marketplace_onboardings", []string{"household_id", "platform", "shop_url", "onboarded_on", "created_by", "created_at"}, onboardRows},
		{"grants", demoGrantCols, grantRows},
		{"grant_events", []string{"key", "grant_id", "seq", "at", "type", "actor", "role", "from_status", "to_status", "note"}, grantEventRows},
		{"household_checkins", []string{"key", "household_id", "at", "omzet", "income", "source", "grant_id", "note", "created_by", "created_at"}, checkinRows},
	}
	for _, s := range steps {
		if err := w.write(ctx, s.table, s.cols, s.rows); err != nil {
			return nil, err
		}
	}
	for _, table := range []string{"household_members", "trainings", "padat_karya_projects"} {
		if err := w.syncIdentity(ctx, table); err != nil {
			return nil, err
		}
	}
	if err := g.fieldDemo(ctx, w, byKel, created); err != nil {
		return nil, err
	}
	for kel, amount := range reserved {
		if err := w.exec(ctx, "UPDATE kelurahan SET grant_reserved = grant_reserved + ? WHERE code = ?", amount, kel); err != nil {
			return nil, err
		}
	}
	c.households, c.members, c.checkins = len(hhRows), len(memberRows), len(checkinRows)
	return c, nil
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sortDTKSFirst(hs []*demoHousehold) {
	i := 0
	for j := range hs {
		if hs[j].dtks {
			hs[i], hs[j] = hs[j], hs[i]
			i++
		}
	}
}

func pctOrNil(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// dateOnlyUTC is t's calendar day in the kelurahan's zone, stored as the
// store keeps dates: 00:00 UTC.
func (g *demoGen) dateOnlyUTC(t time.Time) time.Time {
	y, m, d := g.zone.In(t).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

var demoGrantCols = []string{"id", "household_id", "kelurahan_code", "household_name", "dtks", "amount", "purpose", "plan", "status",
	"applied_by", "applied_at", "verified_by", "verified_at", "verify_notes", "decided_by", "approved_at", "rejected_at", "reject_reason",
	"disbursed_by", "disbursed_at", "disbursement_ref", "proof_at", "proof_by", "proof_notes", "checkins", "baseline_omzet", "baseline_income",
	"latest_omzet", "latest_income", "omzet_change_pct", "income_change_pct", "completed_at", "budget_released", "modal_credited",
	"version", "created_at", "updated_at", "verify_due", "approve_due", "disburse_due", "proof_due", "audit_at"}

func demoGrantRow(id string, h *demoHousehold, amount int64, applied time.Time, baseOmzet int64) map[string]any {
	return map[string]any{
		"id": id, "household_id": h.id, "kelurahan_code": h.kel, "household_name": h.head, "dtks": h.dtks, "amount": amount,
		"purpose": []string{hailurah.PurposeModal, hailurah.PurposeAlat}[int(amount/250_000)%2], "plan": "Menambah modal dan alat untuk usaha " + h.potensi + " di rumah.",
		"applied_by": "fasilitator", "applied_at": applied, "verified_by": "", "verify_notes": "", "decided_by": "", "reject_reason": "",
		"disbursed_by": "", "disbursement_ref": "", "proof_by": "", "proof_notes": "", "baseline_omzet": baseOmzet, "baseline_income": h.income,
		"budget_released": false, "modal_credited": false, "version": 10, "created_at": applied, "updated_at": applied,
	}
}

func demoGrantValues(row map[string]any) []any {
	out := make([]any, len(demoGrantCols))
	for i, c := range demoGrantCols {
		out[i] = row[c] // a key not set is NULL
	}
	return out
}

// demoOpenGrants are the grants still in progress at the end of the demo
// period, by kelurahan: one in each status listed.
var demoOpenGrants = map[string][]hailurah.GrantStatus{
	"taman": {hailurah.GrantApplied, hailurah.GrantApplied, hailurah.GrantVerified, hailurah.GrantVerified, hailurah.GrantVerified,
		hailurah.GrantApproved, hailurah.GrantDisbursed, hailurah.GrantInUse, hailurah.GrantInUse},
	"nambangan": {hailurah.GrantApplied, hailurah.GrantVerified, hailurah.GrantInUse},
	"demangan":  {hailurah.GrantVerified, hailurah.GrantApproved},
}

// openGrant draws a grant of household h waiting in status now, with the
// rows of its timeline and of the household's check-ins. Each step is
// dated back from now: the one the grant waits in began a while ago (some
// past their deadline), the earlier ones before it.
func (g *demoGen) openGrant(id string, h *demoHousehold, status hailurah.GrantStatus) (hailurah.Grant, [][]any, [][]any) {
	const day = 24 * time.Hour
	r, pol, now := g.open, g.grantPolicy, g.now
	between := func(a, b time.Duration) time.Duration { return a + time.Duration(r.Int64N(int64(b-a)+1)) }
	stage := slices.Index([]hailurah.GrantStatus{hailurah.GrantApplied, hailurah.GrantVerified, hailurah.GrantApproved,
		hailurah.GrantDisbursed, hailurah.GrantInUse}, status)
	var applied, verified, approved, disbursed time.Time
	switch stage {
	case 4:
		disbursed = now.Add(-between(35*day, 85*day))
	case 3:
		disbursed = now.Add(-between(day, 12*day))
	}
	switch {
	case stage >= 3:
		approved = disbursed.Add(-between(2*day, 7*day))
	case stage == 2:
		approved = now.Add(-between(4*time.Hour, 6*day))
	}
	switch {
	case stage >= 2:
		verified = approved.Add(-between(12*time.Hour, 3*day))
	case stage == 1:
		verified = now.Add(-between(4*time.Hour, 9*day))
	}
	if stage >= 1 {
		applied = verified.Add(-between(day, 4*day))
	} else {
		applied = now.Add(-between(6*time.Hour, 9*day))
	}

	amount := int64(1_000_000 + 250_000*r.IntN(9))
	gr := hailurah.Grant{
		ID: id, HouseholdID: h.id, HouseholdName: h.head, Kelurahan: h.kel, DTKS: h.dtks, Amount: amount,
		Purpose: []string{hailurah.PurposeModal, hailurah.PurposeAlat}[int(amount/250_000)%2],
		Plan:    "Menambah modal dan alat untuk usaha " + h.potensi + " di rumah.", Status: status,
		AppliedBy: "fasilitator", AppliedAt: applied, BaselineOmzet: h.omzet, BaselineIncome: h.income,
		CreatedAt: applied, UpdatedAt: applied,
	}
	var events, checkins [][]any
	event := func(at time.Time, typ, actor string, role hailurah.Role, from, to hailurah.GrantStatus, note string) {
		n := len(events) + 1
		events = append(events, []any{fmt.Sprintf("%s/%d", id, n), id, n, at, typ, actor, string(role), string(from), string(to), note})
		gr.UpdatedAt = at
	}
	ptr := func(t time.Time) *time.Time { return &t }
	event(applied, hailurah.EventGrantApplied, "fasilitator", hailurah.RoleFasilitator, "", hailurah.GrantApplied,
		fmt.Sprintf("Pengajuan %s %s.", gr.Purpose, hailurah.FormatRupiah(amount)))
	checkins = append(checkins, []any{id + "/baseline", h.id, applied, h.omzet, h.income, hailurah.CheckinFasilitator, id, "Data awal pengajuan hibah", "fasilitator", applied})
	if stage == 0 {
		gr.VerifyDue = ptr(applied.Add(pol.VerifySLA))
	}
	if stage >= 1 {
		gr.VerifiedBy, gr.VerifiedAt, gr.VerifyNotes = "fasilitator", ptr(verified), "Usaha dan lokasi sesuai pengajuan."
		event(verified, hailurah.GrantActionVerify, "fasilitator", hailurah.RoleFasilitator, hailurah.GrantApplied, hailurah.GrantVerified, gr.VerifyNotes)
	}
	if stage == 1 {
		gr.ApproveDue = ptr(verified.Add(pol.ApproveSLA))
	}
	if stage >= 2 {
		gr.DecidedBy, gr.ApprovedAt = "lurah", ptr(approved)
		event(approved, hailurah.GrantActionApprove, "lurah", hailurah.RoleLurah, hailurah.GrantVerified, hailurah.GrantApproved, "")
	}
	if stage == 2 {
		gr.DisburseDue = ptr(approved.Add(pol.DisburseSLA))
	}
	if stage >= 3 {
		gr.DisbursedBy, gr.DisbursedAt, gr.DisbursementRef = "admin", ptr(disbursed), "SP2D-DEMO-"+id[8:]
		event(disbursed, hailurah.GrantActionDisburse, "admin", hailurah.RoleAdmin, hailurah.GrantApproved, hailurah.GrantDisbursed,
			"Referensi "+gr.DisbursementRef)
		for i, d := range pol.Checkins {
			gr.Checkins = append(gr.Checkins, hailurah.GrantCheckin{N: i + 1, Due: disbursed.Add(d)})
		}
	}
	if stage == 3 {
		gr.ProofDue, gr.AuditAt = ptr(disbursed.Add(pol.ProofDue)), ptr(disbursed.Add(pol.AuditAfter))
	}
	if stage == 4 {
		proof := disbursed.Add(between(2*day, 12*day))
		gr.ProofAt, gr.ProofBy, gr.ProofNotes = &proof, "fasilitator", "Foto alat dan stok diterima."
		event(proof, hailurah.GrantActionProof, "fasilitator", hailurah.RoleFasilitator, hailurah.GrantDisbursed, hailurah.GrantInUse, gr.ProofNotes)
		grow := 0.9 + 0.9*r.Float64()
		for i := range gr.Checkins {
			c := &gr.Checkins[i]
			at := c.Due.Add(between(-2*day, 2*day))
			if !at.Before(now.Add(-time.Hour)) {
				break
			}
			omzet := int64(float64(max(h.omzet, 400_000))*(1+(grow-1)*float64(c.N)/3)) / 10_000 * 10_000
			c.At, c.Omzet, c.By = &at, &omzet, "fasilitator"
			gr.LatestOmzet, gr.OmzetChangePct = &omzet, hailurah.ChangePct(h.omzet, omzet)
			event(at, hailurah.GrantActionCheckin, "fasilitator", hailurah.RoleFasilitator, hailurah.GrantInUse, hailurah.GrantInUse,
				fmt.Sprintf("Check-in ke-%d: omzet %s", c.N, hailurah.FormatRupiah(omzet)))
			checkins = append(checkins, []any{fmt.Sprintf("%s/checkin/%d", id, c.N), h.id, at, omzet, nil, hailurah.CheckinGrant, id, "", "fasilitator", at})
		}
	}
	gr.Version = int64(len(events))
	return gr, events, checkins
}

// demoOpenGrantRow is the grants row of a grant in progress.
func demoOpenGrantRow(gr hailurah.Grant) map[string]any {
	row := map[string]any{
		"id": gr.ID, "household_id": gr.HouseholdID, "kelurahan_code": gr.Kelurahan, "household_name": gr.HouseholdName,
		"dtks": gr.DTKS, "amount": gr.Amount, "purpose": gr.Purpose, "plan": gr.Plan, "status": string(gr.Status),
		"applied_by": gr.AppliedBy, "applied_at": gr.AppliedAt, "verified_by": gr.VerifiedBy, "verified_at": timeOrNil(gr.VerifiedAt),
		"verify_notes": gr.VerifyNotes, "decided_by": gr.DecidedBy, "approved_at": timeOrNil(gr.ApprovedAt), "reject_reason": "",
		"disbursed_by": gr.DisbursedBy, "disbursed_at": timeOrNil(gr.DisbursedAt), "disbursement_ref": gr.DisbursementRef,
		"proof_at": timeOrNil(gr.ProofAt), "proof_by": gr.ProofBy, "proof_notes": gr.ProofNotes,
		"baseline_omzet": gr.BaselineOmzet, "baseline_income": gr.BaselineIncome,
		"latest_omzet": int64OrNil(gr.LatestOmzet), "omzet_change_pct": pctOrNil(gr.OmzetChangePct),
		"budget_released": false, "modal_credited": gr.DisbursedAt != nil,
		"version": gr.Version, "created_at": gr.CreatedAt, "updated_at": gr.UpdatedAt,
		"verify_due": timeOrNil(gr.VerifyDue), "approve_due": timeOrNil(gr.ApproveDue), "disburse_due": timeOrNil(gr.DisburseDue),
		"proof_due": timeOrNil(gr.ProofDue), "audit_at": timeOrNil(gr.AuditAt),
	}
	if len(gr.Checkins) > 0 {
		js, _ := json.Marshal(gr.Checkins)
		row["checkins"] = string(js)
	}
	return row
}

func int64OrNil(v *int64) any {
	if v == nil {
		return nil
	}
	return *v
}

// demoTicketText is a curhat of a kategori: the citizen's words and the
// AI's summary, with the RT/RW filled in.
var demoTicketText = map[string][][2]string{
	hailurah.KategoriLingkungan: {
		{"Got di RT%s/RW%s tersumbat sampah, tiap hujan air masuk rumah warga. Mohon dibantu.", "Got tersumbat sampah, air masuk rumah saat hujan"},
		{"Sampah menumpuk di pinggir jalan RT%s/RW%s sudah seminggu tidak diangkut, baunya menyengat.", "Sampah tidak diangkut seminggu"},
		{"Saluran air di RT%s/RW%s meluap, nyamuk banyak, anak-anak sering gatal.", "Saluran air meluap dan jadi sarang nyamuk"},
	},
	hailurah.KategoriInfrastruktur: {
		{"Jalan di RT%s/RW%s berlubang besar, kemarin ada pengendara motor jatuh.", "Jalan berlubang membahayakan pengendara"},
		{"Lampu penerangan jalan di gang RT%s/RW%s mati sudah dua minggu, gelap sekali malam hari.", "Lampu penerangan jalan mati"},
		{"Paving di depan musala RT%s/RW%s ambles, air menggenang.", "Paving ambles dan tergenang"},
	},
	hailurah.KategoriKesehatan: {
		{"Beberapa anak di RT%s/RW%s demam tinggi, takut DBD. Mohon fogging.", "Dugaan DBD, warga minta fogging"},
		{"Posyandu RT%s/RW%s kekurangan timbangan dan vitamin untuk balita.", "Posyandu kekurangan peralatan"},
	},
	hailurah.KategoriSosial: {
		{"Ada lansia hidup sendiri di RT%s/RW%s, sakit dan tidak ada yang mengurus.", "Lansia sebatang kara butuh pendampingan"},
		{"Bantuan sosial keluarga kami di RT%s/RW%s belum cair tiga bulan.", "Bansos belum cair tiga bulan"},
	},
	hailurah.KategoriEkonomi: {
		{"Warung saya di RT%s/RW%s sepi pembeli, ingin ikut pelatihan jualan online.", "Warung sepi, ingin pelatihan jualan online"},
		{"Butuh modal usaha jahit di RT%s/RW%s, bagaimana cara daftar hibah produktif?", "Menanyakan hibah modal usaha"},
		{"Suami baru kena PHK, kami di RT%s/RW%s butuh pekerjaan, ada padat karya?", "Mencari pekerjaan padat karya"},
	},
	hailurah.KategoriPendidikan: {
		{"Anak tetangga di RT%s/RW%s putus sekolah karena biaya.", "Anak putus sekolah karena biaya"},
	},
	hailurah.KategoriKeamanan: {
		{"Sering ada balap liar malam hari di jalan RT%s/RW%s, warga resah.", "Balap liar malam hari"},
		{"Dua motor hilang minggu ini di RT%s/RW%s, mohon ronda ditingkatkan.", "Pencurian motor berulang"},
	},
	hailurah.KategoriBencana: {
		{"Pohon besar di RT%s/RW%s hampir tumbang ke rumah warga setelah angin kencang.", "Pohon hampir tumbang ke rumah"},
		{"Banjir setinggi lutut di RT%s/RW%s sejak subuh.", "Banjir setinggi lutut"},
	},
	hailurah.KategoriAdministrasi: {
		{"Mengurus KK di kelurahan sudah sebulan belum jadi, saya warga RT%s/RW%s.", "Pengurusan KK lama"},
	},
	hailurah.KategoriLainnya: {
		{"Usul kerja bakti bersama dan lomba kebersihan antar RT di RW%[2]s (RT%[1]s).", "Usulan kerja bakti antar RT"},
	},
}

var demoTicketCols = []string{"id", "tracking_code", "datetime_received", "channel", "sender_id", "kelurahan_code", "rt", "rw",
	"message_text", "summary", "kategori", "subkategori", "urgency_score", "severity", "estimated_people_affected",
	"suggested_response_type", "suggested_unit", "assigned_unit", "escalation_flag", "tembusan_flag", "privacy_flag",
	"sentiment_score", "processed_by_model_version", "final_action_taken", "status", "moderator_due", "dinas_due",
	"moderator_breached", "dinas_breached", "moderator_breach_level", "dinas_breach_level", "verified", "reopened_count",
	"rating", "reject_reason", "last_citizen_message_at", "messages_count", "assigned_at", "resolved_at", "closed_at",
	"version", "created_at", "updated_at", "first_reply_at"}

var demoOutboxCols = []string{"idempotency_key", "ticket_id", "channel", "recipient", "kind", "text", "template", "created_at",
	"sent_at", "delivered_at", "attempts", "status", "sent_as"}

var demoEventCols = []string{"key", "ticket_id", "seq", "at", "type", "actor", "role", "from_status", "to_status", "note"}

// tickets writes n tickets received over the demo period, a batch at a
// time, each with its AI reply in the outbox and its timeline, starts the
// workflows of a batch's open tickets once it is written, and moves the id
// counters past them. It returns how many are open.
func (g *demoGen) tickets(ctx context.Context, w *demoWriter, n int) (int, error) {
	start := g.start()
	span := g.now.Sub(start)
	// Ids per year continue after any ticket the database already has.
	last := map[int]int64{}
	var seqs []struct {
		Year int
		Last int64
	}
	if err := w.db.Gorm().WithContext(ctx).Raw("SELECT year, last FROM ticket_seq").Scan(&seqs).Error; err != nil {
		return 0, err
	}
	for _, s := range seqs {
		last[s.Year] = s.Last
	}
	var tickets, outbox, events [][]any
	var pending []hailurah.CurhatInput
	open := 0
	flush := func() error {
		for _, b := range []struct {
			table string
			cols  []string
			rows  *[][]any
		}{{"tickets", demoTicketCols, &tickets}, {"outbox", demoOutboxCols, &outbox}, {"ticket_events", demoEventCols, &events}} {
			if err := w.write(ctx, b.table, b.cols, *b.rows); err != nil {
				return err
			}
			*b.rows = (*b.rows)[:0]
		}
		for _, in := range pending {
			start := func(ctx context.Context, c *workflows.Client) error { return c.StartCurhat(ctx, in) }
			if err := g.startWorkflow(ctx, demoStart{kind: demoKindTicket, id: in.TicketID, start: start}); err != nil {
				return err
			}
		}
		pending = pending[:0]
		return nil
	}
	// Received times are drawn in order (sorted offsets), so the ids run
	// with time as real intake would number them.
	offsets := make([]float64, n)
	for i := range offsets {
		// More curhat as more warga learn of HAI LURAH: density grows
		// over the period.
		offsets[i] = math.Sqrt(g.rnd.Float64())
	}
	slices.Sort(offsets)
	for i := 0; i < n; i++ {
		received := start.Add(time.Duration(offsets[i] * float64(span)))
		// Curhat come by day, not at 3 a.m.
		if h := g.zone.In(received).Hour(); h < 6 {
			received = received.Add(time.Duration(6-h+g.rnd.IntN(10)) * time.Hour)
		}
		if received.After(g.now) {
			received = g.now.Add(-time.Duration(g.rnd.IntN(3600)) * time.Second)
		}
		year := g.zone.In(received).Year()
		last[year]++
		id := fmt.Sprintf("HL-%04d-%06d", year, last[year])
		t, out, evs, in, err := g.ticket(id, received)
		if err != nil {
			return open, err
		}
		tickets = append(tickets, t)
		outbox = append(outbox, out...)
		events = append(events, evs...)
		if in != nil {
			open++
			if g.starter != nil {
				pending = append(pending, *in)
			}
		}
		if len(tickets) >= demoBatch {
			if err := flush(); err != nil {
				return open, err
			}
		}
	}
	if err := flush(); err != nil {
		return open, err
	}
	for year, l := range last {
		if err := w.exec(ctx, `INSERT INTO ticket_seq (year, last) VALUES (?, ?)
			ON CONFLICT (year) DO UPDATE SET last = excluded.last`, year, l); err != nil {
			return open, err
		}
	}
	return open, nil
}

// ticket draws one ticket's life: triage, the moderator, the unit, the
// citizen's confirmation and rating, and where it stands now. It returns
// the ticket's row, outbox and events and, for a ticket still open, the
// input that starts its workflow from there.
func (g *demoGen) ticket(id string, received time.Time) ([]any, [][]any, [][]any, *hailurah.CurhatInput, error) {
	policy := g.policy
	area := demoAreas[g.weighted(demoAreas[0].weight, demoAreas[1].weight, demoAreas[2].weight)]
	kat := hailurah.Kategoris[g.weighted(25, 22, 10, 12, 11, 5, 6, 3, 5, 1)]
	urgency := 1 + g.weighted(12, 33, 35, 15, 5)
	if kat == hailurah.KategoriBencana || kat == hailurah.KategoriKesehatan {
		urgency = min(5, urgency+1)
	}
	rt, rw := rtrwNum(1+g.rnd.IntN(area.rts)), rtrwNum(1+g.rnd.IntN(area.rws))
	texts := demoTicketText[kat]
	tx := texts[g.rnd.IntN(len(texts))]
	msg := fmt.Sprintf(tx[0], rt, rw)
	if g.rnd.Float64() < 0.1 {
		rt = ""
	}
	channel := []string{hailurah.ChannelWhatsApp, hailurah.ChannelWeb, hailurah.ChannelKiosk}[g.weighted(75, 15, 10)]
	unit := g.rules.RouteUnit(kat, "")
	severity := []string{hailurah.SeverityLow, hailurah.SeverityLow, hailurah.SeverityMedium, hailurah.SeverityMedium, hailurah.SeverityHigh, hailurah.SeverityCritical}[urgency]
	now := g.now

	modSLA := policy.ModeratorSLAFor(urgency)
	modDue := received.Add(modSLA)
	verifyAfter := g.between(30*time.Minute, 20*time.Hour)
	if g.rnd.Float64() < 0.12 {
		verifyAfter = modSLA + g.between(time.Hour, 30*time.Hour) // late
	}
	if urgency == 5 {
		verifyAfter = g.between(10*time.Minute, 2*time.Hour)
	}
	verifiedAt := received.Add(verifyAfter)
	path := g.weighted(5, 30, 65) // 0 reject, 1 advice, 2 dinas
	if unit == "" && path == 2 {
		path = 1
	}

	status := hailurah.StatusOpen
	verified, modBreached, dinasBreached := false, false, false
	var assignedAt, resolvedAt, closedAt, dinasDue, askedAt *time.Time
	assigned, final, rejectReason := "", "", ""
	rating := 0
	var evs [][]any
	seq := 0
	event := func(at time.Time, typ, actor string, role hailurah.Role, from, to hailurah.TicketStatus, note string) {
		seq++
		evs = append(evs, []any{fmt.Sprintf("%s/%d", id, seq), id, seq, at, typ, actor, string(role), string(from), string(to), note})
	}
	event(received, hailurah.EventCreated, hailurah.ActorCitizen, "", "", hailurah.StatusNew, "")
	triaged := received.Add(g.between(3*time.Second, 20*time.Second))
	last := received
	switch {
	case now.Before(triaged):
		status = hailurah.StatusNew
	case now.Before(verifiedAt):
		event(triaged, hailurah.EventTriaged, hailurah.ActorSystem, "", hailurah.StatusNew, hailurah.StatusOpen, "")
		modBreached = now.After(modDue)
		last = triaged
	default:
		event(triaged, hailurah.EventTriaged, hailurah.ActorSystem, "", hailurah.StatusNew, hailurah.StatusOpen, "")
		verified, modBreached = true, verifiedAt.After(modDue)
		last = verifiedAt
		switch path {
		case 0:
			status, closedAt, rejectReason = hailurah.StatusRejected, &verifiedAt, g.pick("Duplikat laporan sebelumnya.", "Bukan keluhan warga (spam).")
			event(verifiedAt, hailurah.ActionReject, "moderator", hailurah.RoleModerator, hailurah.StatusOpen, hailurah.StatusRejected, rejectReason)
		case 1:
			final = hailurah.FinalActionAdvice
			event(verifiedAt, hailurah.ActionResolve, "moderator", hailurah.RoleModerator, hailurah.StatusOpen, hailurah.StatusAwaitingConfirmation, "Saran disampaikan.")
			askedAt = &verifiedAt
			status, last = g.confirm(verifiedAt, &resolvedAt, &closedAt, &rating, false, event)
		case 2:
			final = hailurah.FinalActionReferred
			at := verifiedAt.Add(g.between(5*time.Minute, 2*time.Hour))
			due := hailurah.DinasDue(policy, urgency, at)
			assignedAt, dinasDue, assigned = &at, &due, unit
			sla := due.Sub(at)
			done := at.Add(time.Duration(float64(sla) * (0.05 + 1.3*g.rnd.Float64())))
			switch {
			case now.Before(at):
				assignedAt, dinasDue, assigned, status = nil, nil, "", hailurah.StatusOpen
			case now.Before(done):
				status = hailurah.StatusAssigned
				event(at, hailurah.ActionAssign, "moderator", hailurah.RoleModerator, hailurah.StatusOpen, hailurah.StatusAssigned, "")
				if accept := at.Add(g.between(time.Hour, 20*time.Hour)); now.After(accept) {
					status = hailurah.StatusInProgress
					event(accept, hailurah.ActionAccept, "dinas-"+unit, hailurah.RoleDinas, hailurah.StatusAssigned, hailurah.StatusInProgress, "")
				}
				dinasBreached, last = now.After(due), at
			default:
				event(at, hailurah.ActionAssign, "moderator", hailurah.RoleModerator, hailurah.StatusOpen, hailurah.StatusAssigned, "")
				event(done, hailurah.ActionDone, "dinas-"+unit, hailurah.RoleDinas, hailurah.StatusInProgress, hailurah.StatusAwaitingConfirmation, "Pekerjaan selesai.")
				dinasBreached = done.After(due)
				askedAt = &done
				status, last = g.confirm(done, &resolvedAt, &closedAt, &rating, dinasBreached || modBreached, event)
			}
		}
	}
	if status == hailurah.StatusOpen && !verified {
		modBreached = now.After(modDue)
	}
	// Drawn in the order the row's columns once drew them, so the data
	// stays the same.
	track, people, response := "D"+randomTrack(g.rnd), 1+g.rnd.IntN(40), []string{"A", "B", "C"}[g.rnd.IntN(3)]
	tembusan, anonim, sentiment := g.rnd.Float64() < 0.15, g.rnd.Float64() < 0.2, -0.8+0.9*g.rnd.Float64()
	messages := 1 + g.rnd.IntN(3)
	summary := tx[1] + " di RT" + rt + "/RW" + rw
	t := []any{id, track, received, channel, "demo-" + id, area.code, rt, rw, msg, summary,
		kat, "", urgency, severity, people, response, unit, nilIfEmpty(assigned),
		urgency >= 4, tembusan, anonim, sentiment, "rules-v1", final, string(status),
		modDueOrNil(status, modDue), timeOrNil(dinasDue), modBreached, dinasBreached, boolInt(modBreached), boolInt(dinasBreached), verified, 0,
		rating, rejectReason, received, messages, timeOrNil(assignedAt), timeOrNil(resolvedAt), timeOrNil(closedAt),
		int64(seq + 1), received, last, nil}
	var out [][]any
	if status != hailurah.StatusNew {
		reply := received.Add(g.between(12*time.Second, 80*time.Second))
		// The ticket's first_reply_at, which the outbox trigger would set
		// (and, on Postgres, skips while seed-demo loads).
		t[len(t)-1] = reply
		out = append(out, []any{id + "/reply/1", id, channel, "demo-" + id, hailurah.OutboxReply,
			"Terima kasih, curhat Anda kami terima. Ringkasan: " + tx[1] + ".", "", reply, reply, reply, 1, hailurah.OutboxStatusDelivered, "text"})
	}

	// Where the ticket's workflow would wait now, if anywhere.
	switch status {
	case hailurah.StatusClosed, hailurah.StatusRejected:
		return t, out, evs, nil, nil
	case hailurah.StatusResolved:
		if rating != 0 || !now.Before(resolvedAt.Add(policy.AutoCloseAfter())) {
			return t, out, evs, nil, nil
		}
	}
	in := &hailurah.CurhatInput{
		TicketID: id, TrackingCode: track, Kelurahan: area.code, Channel: channel, SenderID: "demo-" + id,
		Anonim: &anonim, Tembusan: &tembusan, RT: rt, RW: rw, Policy: policy,
		First: hailurah.CitizenMessage{At: received, Text: msg, Channel: channel},
	}
	if status == hailurah.StatusNew {
		// Still in triage: the workflow's own intake runs, as it would.
		return t, out, evs, in, nil
	}
	st := hailurah.TicketState{
		TicketID: id, TrackingCode: track, Kelurahan: area.code, Channel: channel, RT: rt, RW: rw, Status: status,
		ReceivedAt: received, UpdatedAt: last, Triaged: true, Summary: summary, Kategori: kat, Urgency: urgency,
		Severity: severity, SuggestedUnit: unit, PeopleAffected: people, Sentiment: sentiment, ModelVersion: "rules-v1",
		Verified: verified, Unit: assigned, AssignedAt: assignedAt, Anonim: anonim, Tembusan: tembusan, Escalated: urgency >= 4,
		ModeratorDue: &modDue, DinasDue: dinasDue, ConfirmAskedAt: askedAt, ResolvedAt: resolvedAt, FinalAction: final,
		LastCitizenMessageAt: received, MessagesCount: messages, Version: int64(seq + 1),
	}
	if verified {
		st.VerifiedBy = "moderator"
	}
	// A breach of the step the ticket waits in is left for its workflow:
	// it fires at once and escalates further as it would have. Breaches of
	// steps passed are history.
	switch {
	case status == hailurah.StatusOpen && !verified:
	case status == hailurah.StatusAssigned || status == hailurah.StatusInProgress:
		st.ModeratorBreached, st.ModeratorBreachLevel = modBreached, boolInt(modBreached)
	default:
		st.ModeratorBreached, st.ModeratorBreachLevel = modBreached, boolInt(modBreached)
		st.DinasBreached, st.DinasBreachLevel = dinasBreached, boolInt(dinasBreached)
	}
	tr := &triage.Triage{Kategori: kat, Urgency: urgency, Severity: severity, Summary: summary, Unit: unit,
		PeopleAffected: people, Sentiment: sentiment, SuggestedResponse: response, ModelVersion: "rules-v1"}
	resumed, err := workflows.ResumeCurhat(*in, workflows.CurhatFrom{State: st, Triage: tr, Events: seq, Sends: len(out)})
	if err != nil {
		return nil, nil, nil, nil, err
	}
	return t, out, evs, &resumed, nil
}

// confirm is the close-the-loop: the citizen answers SESUDAH (and often
// rates), or the ticket closes after 7 days without an answer.
func (g *demoGen) confirm(asked time.Time, resolvedAt, closedAt **time.Time, rating *int, late bool,
	event func(time.Time, string, string, hailurah.Role, hailurah.TicketStatus, hailurah.TicketStatus, string)) (hailurah.TicketStatus, time.Time) {
	if g.rnd.Float64() < 0.82 {
		at := asked.Add(g.between(30*time.Minute, 60*time.Hour))
		if g.now.Before(at) {
			return hailurah.StatusAwaitingConfirmation, asked
		}
		*resolvedAt = &at
		event(at, hailurah.EventCitizenConfirmed, hailurah.ActorCitizen, "", hailurah.StatusAwaitingConfirmation, hailurah.StatusResolved, "SESUDAH")
		if g.rnd.Float64() < 0.75 {
			weights := []float64{4, 6, 12, 35, 43}
			if late {
				weights = []float64{12, 16, 22, 30, 20}
			}
			*rating = 1 + g.weighted(weights...)
		}
		return hailurah.StatusResolved, at
	}
	at := asked.Add(g.policy.AutoCloseAfter())
	if g.now.Before(at) {
		return hailurah.StatusAwaitingConfirmation, asked
	}
	*closedAt = &at
	event(at, hailurah.EventAutoClosed, hailurah.ActorSystem, "", hailurah.StatusAwaitingConfirmation, hailurah.StatusClosed, "Tidak ada konfirmasi dari warga.")
	return hailurah.StatusClosed, at
}

func randomTrack(r *rand.Rand) string {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 12)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func timeOrNil(t *time.Time) any {
	if t == nil {
		return nil
	}
	return *t
}

// modDueOrNil: a ticket still in triage has no moderator deadline yet.
func modDueOrNil(status hailurah.TicketStatus, due time.Time) any {
	if status == hailurah.StatusNew {
		return nil
	}
	return due
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
