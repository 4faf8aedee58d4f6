package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/activities"
	"github.com/hailurah/hailurah/devserver"
	"github.com/hailurah/hailurah/intake"
	"github.com/hailurah/hailurah/media"
	"github.com/hailurah/hailurah/outbox"
	"github.com/hailurah/hailurah/server"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/fieldstore"
	"github.com/hailurah/hailurah/store/loanstore"
	"github.com/hailurah/hailurah/store/mapstore"
	"github.com/hailurah/hailurah/store/mediastore"
	"github.com/hailurah/hailurah/store/reportstore"
	"github.com/hailurah/hailurah/triage"
	"github.com/hailurah/hailurah/whatsapp"
	"github.com/hailurah/hailurah/worker"
	"github.com/hailurah/hailurah/workflows"
)

// Mode is which part of the system a process runs.
type Mode string

const (
	ModeDev    Mode = "dev"    // everything in one process, embedded Temporal
	ModeServer Mode = "server" // HTTP only
	ModeWorker Mode = "worker" // Temporal worker only
)

// Main is the running program. Tests build one with a temp data dir and
// port 0, call Run, talk to it over HTTP, and Close it.
type Main struct {
	Config Config
	Mode   Mode
	NoUI   bool
	Logger *slog.Logger
	Out    io.Writer // where the start-up banner goes
	// Now is the program's one clock, read by the store, the server, the
	// activities and the relay alike; nil means time.Now.
	Now func() time.Time

	Rules     *triage.Rules
	DB        *store.DB
	Devserver *devserver.Server
	Temporal  client.Client
	Worker    sdkworker.Worker
	HTTP      *server.Server
	// DemoPassword is the password of the demo users (dev mode).
	DemoPassword string
	// Demo, in dev mode, fills the demo data (as seed-demo does) before
	// serving, unless the database has it already: `hailurah dev --demo`.
	Demo *demoOptions
	// Relay sends the outbox (dev and worker modes).
	Relay     *outbox.Relay
	stopRelay func()
	// Intake takes the channels' messages to their tickets (dev and
	// server modes); its inbox runs until Close.
	Intake     *intake.Intake
	stopIntake func()
	// MetricsAddr is where `hailurah worker` serves /metrics.
	MetricsAddr string
	// metrics is the one Prometheus registry of /metrics: the server's
	// HTTP metrics and the Temporal SDK's (a worker alone serves it on
	// HAILURAH_ADDR).
	metrics     *metrics
	stopMetrics func()
	stopPprof   func()
	// lock keeps other processes off the data dir (dev mode).
	lock *dataLock
}

// Run starts the parts of the system the mode needs and returns once they
// serve. Call Close to stop them, also after a failed Run.
func (m *Main) Run(ctx context.Context) error {
	if m.Logger == nil {
		m.Logger = slog.Default()
	}
	if m.Out == nil {
		m.Out = io.Discard
	}
	if m.Now == nil {
		m.Now = time.Now
	}
	dev := m.Mode == ModeDev
	if err := os.MkdirAll(m.Config.DataDir, 0o700); err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	if dev {
		lock, holder, err := lockDataDir(m.Config.DataDir, string(ModeDev), storeID(m.Config.DatabaseURL))
		if errors.Is(err, errDataDirBusy) {
			return fmt.Errorf("data dir %s sedang dipakai oleh %s; hentikan dulu atau pakai HAILURAH_DATA_DIR lain "+
				"(the data dir is in use by another process)", m.Config.DataDir, holder.describe())
		} else if err != nil {
			return err
		}
		m.lock = lock
	}
	if err := m.Config.ensureSecret(dev); err != nil {
		return err
	}
	if !dev && (m.Config.DatabaseURL == "" || m.Config.TemporalAddress == "") {
		return fmt.Errorf("`hailurah %s` needs DATABASE_URL and TEMPORAL_ADDRESS; use `hailurah dev` for the embedded system", m.Mode)
	}
	rules, err := triage.LoadRules(m.Config.RulesPath)
	if err != nil {
		return err
	}
	m.Rules = rules

	db, err := store.Open(ctx, m.Config.DatabaseURL, m.Config.DataDir, m.Logger)
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	db.SetNow(m.Now)
	m.DB = db
	if dev {
		if err := db.MigrateUp(ctx); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		pw, err := m.demoPassword()
		if err != nil {
			return err
		}
		m.DemoPassword = pw
		if err := seedDemo(ctx, db, rules, pw); err != nil {
			return fmt.Errorf("seed demo data: %w", err)
		}
	}
	// The store counts days and months in the zone too; a changed
	// HAILURAH_TZ rebuilds the dashboard rollups here, once.
	if err := db.SetZone(ctx, m.Config.Zone); err != nil {
		return fmt.Errorf("HAILURAH_TZ=%s: %w", m.Config.Zone.Name(), err)
	}

	if m.metrics, err = newMetrics(); err != nil {
		return err
	}
	if err := m.connectTemporal(ctx); err != nil {
		return err
	}
	if err := m.lock.serving(m.temporalAddr(), ""); err != nil {
		return err
	}
	if dev && m.Demo != nil {
		if err := m.fillDemo(ctx); err != nil {
			return err
		}
	}
	if m.Mode != ModeWorker {
		// New tickets, grants and pilots carry the zone in their policies:
		// their workflows count in it however the next process is set.
		zone := m.Config.Zone
		sla := rules.SLA()
		sla.Zone = zone
		cases := &workflows.Client{Temporal: m.Temporal}
		if err := m.startIntake(cases, sla); err != nil {
			return err
		}
		codec, err := m.Config.payloadCodec()
		if err != nil {
			return err
		}
		srv, err := server.New(server.Config{
			Registry: m.metrics.registry, Codec: server.CodecSettings{Codec: codec, UIOrigins: m.temporalUIOrigins()},
			Addr: m.Config.Addr, Users: db, Audit: db, Kelurahan: db, Notices: db, Logger: m.Logger, Now: m.Now, Zone: zone,
			SecureCookies: m.Config.SecureCookies, MetricsToken: m.Config.MetricsToken, Dev: dev, TrustedProxies: m.Config.TrustedProxies,
			Tickets: db, Notifications: db, Cases: cases, Media: &server.Media{Store: mediastore.New(db), Files: m.mediaStorage()},
			MediaLinks: media.NewLinks([]byte(m.Config.Secret)),
			Reports:    &server.Reports{Sources: m.reportSources(), Store: reportstore.New(db)},
			Pilots: &server.Pilots{Store: db, KPIs: db, Runner: cases, Map: mapstore.New(db),
				Policy: hailurah.PilotPolicy{Zone: zone}},
			Programme: &server.Programme{Households: db, Participation: db, Grants: db, Field: fieldstore.New(db),
				Cases: cases, Policy: m.Config.GrantPolicy,
				Loans: &server.Loans{Store: loanstore.New(db), Budget: loanstore.New(db), Cases: cases}},
			Secret: []byte(m.Config.Secret), Rules: rules, DataDir: m.Config.DataDir,
			Intake: m.Intake, Channels: db, WhatsApp: server.WhatsAppSettings{VerifyToken: m.Config.WhatsAppVerify,
				AppSecret: m.Config.WhatsAppSecret, PhoneNumberID: m.Config.WhatsAppPhoneID, Number: m.Config.WhatsAppNumber},
			MapTiles: m.Config.MapTiles,
			Checks: []server.Check{
				{Name: "database", Ping: db.Ping},
				{Name: "temporal", Ping: m.pingTemporal},
			},
		})
		if err != nil {
			return err
		}
		if err := srv.Open(); err != nil {
			return fmt.Errorf("listen on %s: %w", m.Config.Addr, err)
		}
		m.HTTP = srv
		if err := m.lock.serving(m.temporalAddr(), srv.URL()); err != nil {
			return err
		}
	}
	// The worker starts after the listener so links in notifications can
	// name the address actually served (port 0 in tests).
	if m.Mode != ModeServer {
		if err := m.startWorker(ctx); err != nil {
			return err
		}
	}
	if m.Mode == ModeWorker {
		if m.MetricsAddr, m.stopMetrics, err = m.metrics.serve(m.Config.Addr, m.Config.MetricsToken, m.Logger); err != nil {
			return err
		}
	}
	if m.Config.PprofAddr != "" {
		if _, m.stopPprof, err = startPprof(m.Config.PprofAddr, m.Logger); err != nil {
			return err
		}
	}
	m.printBanner()
	return nil
}

// connectTemporal starts the embedded server when no cluster is configured,
// then dials it.
func (m *Main) connectTemporal(ctx context.Context) error {
	addr := m.Config.TemporalAddress
	if addr == "" {
		uiAddr := m.Config.DevUIAddr
		if m.NoUI {
			uiAddr = ""
		}
		ds, err := devserver.Start(ctx, devserver.Options{
			DataDir: m.Config.DataDir, FrontendAddr: m.Config.DevTemporalAddr, UIAddr: uiAddr,
			Namespace: m.Config.Namespace, SearchAttributes: workflows.SearchAttributes(), Logger: m.Logger,
			CodecEndpoint: m.codecEndpoint(),
		})
		if err != nil {
			return fmt.Errorf("start embedded Temporal: %w", err)
		}
		m.Devserver = ds
		addr = ds.FrontendAddr()
	}
	c, err := dialTemporal(ctx, m.Config, addr, m.Logger, m.metrics.handler())
	if err != nil {
		return err
	}
	m.Temporal = c
	return nil
}

// startWorker prepares the namespace (search attributes, the digest
// schedule) and starts the worker with the activities' dependencies.
func (m *Main) startWorker(ctx context.Context) error {
	// The embedded server registers the search attributes itself; a
	// cluster gets them from the worker.
	zone := m.Config.Zone
	setup := func() error { return worker.Setup(ctx, m.Temporal, m.Config.Namespace, zone) }
	if m.Devserver != nil {
		setup = func() error { return workflows.EnsureDigestSchedule(ctx, m.Temporal, zone) }
	}
	if err := setup(); err != nil {
		return fmt.Errorf("prepare Temporal namespace: %w", err)
	}
	if err := workflows.EnsureRetentionSchedule(ctx, m.Temporal, m.Config.Retention, zone); err != nil {
		return fmt.Errorf("prepare Temporal namespace: %w", err)
	}
	if err := workflows.EnsureReportSchedule(ctx, m.Temporal, zone); err != nil {
		return fmt.Errorf("prepare Temporal namespace: %w", err)
	}
	classifier, err := triage.New(m.Rules, m.Config.GeminiAPIKey, m.Config.GeminiModel, m.Config.GeminiBaseURL)
	if err != nil {
		return err
	}
	acts := &activities.Activities{
		Tickets: m.DB, Outbox: m.DB, Notifications: m.DB, Kelurahan: m.DB,
		Classifier: classifier, BaseURL: m.baseURL(), Now: m.Now, Zone: zone,
		Logger: m.Logger.With(slog.String("component", "activities")),
	}
	grants := &activities.GrantActivities{Grants: m.DB, Notifications: m.DB, Kelurahan: m.DB, BaseURL: m.baseURL(), Zone: zone,
		Logger: m.Logger.With(slog.String("component", "grant-activities"))}
	pilots := &activities.PilotActivities{Pilots: m.DB, KPIs: m.DB, Notifications: m.DB, Kelurahan: m.DB, BaseURL: m.baseURL(), Zone: zone,
		Logger: m.Logger.With(slog.String("component", "pilot-activities"))}
	retention := &activities.RetentionActivities{Store: m.DB, Logger: m.Logger.With(slog.String("component", "retention-activities"))}
	sealer, err := whatsapp.NewSealer([]byte(m.Config.Secret))
	if err != nil {
		return err
	}
	// Staff get the notifications that need them to act on WhatsApp too,
	// each paced by a notice workflow of their own.
	notices := &activities.NoticeActivities{Store: m.DB, Signaler: &workflows.Client{Temporal: m.Temporal},
		Secret: []byte(m.Config.Secret), Sealer: sealer, Policy: hailurah.NoticePolicy{Zone: zone}, BaseURL: m.baseURL(),
		Logger: m.Logger.With(slog.String("component", "staff-notices"))}
	acts.Notices, grants.Notices, pilots.Notices = notices, notices, notices
	loans := &activities.LoanActivities{Loans: loanstore.New(m.DB), Notifications: m.DB, Notices: notices, BaseURL: m.baseURL(),
		Zone: zone, Logger: m.Logger.With(slog.String("component", "loan-activities"))}
	// Citizens' attachments are fetched with the token the relay sends
	// with, from the same Graph API.
	// Voice notes are heard by the classifier's Gemini, when there is one.
	transcriber, err := triage.NewTranscriber(m.Config.GeminiAPIKey, m.Config.GeminiModel, m.Config.GeminiBaseURL)
	if err != nil {
		return err
	}
	mediaActs := &activities.MediaActivities{Media: mediastore.New(m.DB), Storage: m.mediaStorage(),
		Fetcher:     m.mediaFetcher(),
		Transcriber: transcriber, Logger: m.Logger.With(slog.String("component", "media"))}
	acts.Evidence = mediaActs
	reports := &activities.ReportActivities{Sources: m.reportSources(), Reports: reportstore.New(m.DB), Notifications: m.DB,
		Notices: notices, BaseURL: m.baseURL(), Now: m.Now, Logger: m.Logger.With(slog.String("component", "reports"))}
	w := worker.New(m.Temporal, acts, worker.Options{Grants: grants, Loans: loans, Pilots: pilots, Retention: retention, Notices: notices, Media: mediaActs,
		Reports:                 reports,
		MaxConcurrentActivities: worker.ActivitySlots(m.DB.MaxOpenConns())})
	if err := w.Start(); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	m.Worker = w
	if m.Mode == ModeDev {
		if err := m.ensureLastMonthReports(ctx); err != nil {
			return err
		}
	}
	return m.startRelay()
}

// mediaStorage is where citizens' attachments are kept: the bucket of
// mediaFetcher downloads with the token the relay sends with, from the
// same Graph API; in dev without WhatsApp credentials, from the simulated
// phone's stand-in (server.DevGraphPath), so a photo sent from /dev/phone
// reaches its ticket along the real path.
func (m *Main) mediaFetcher() *media.Fetcher {
	if m.Mode == ModeDev && m.Config.WhatsAppToken == "" {
		return &media.Fetcher{GraphBaseURL: strings.TrimRight(m.baseURL(), "/") + server.DevGraphPath,
			Token: server.DevGraphToken([]byte(m.Config.Secret))}
	}
	return &media.Fetcher{GraphBaseURL: m.Config.WhatsAppAPIBase, Token: m.Config.WhatsAppToken}
}

// HAILURAH_MEDIA_URL, else DataDir/media.
func (m *Main) mediaStorage() media.Storage {
	if m.Config.Media != nil {
		return m.Config.Media
	}
	return media.Dir(filepath.Join(m.Config.DataDir, "media"))
}

// startRelay runs the outbox relay beside the worker (dev and worker
// modes): it sends WhatsApp messages when WHATSAPP_TOKEN and
// WHATSAPP_PHONE_NUMBER_ID are set, and otherwise leaves them in the
// outbox for the simulated phone.
func (m *Main) startRelay() error {
	sealer, err := whatsapp.NewSealer([]byte(m.Config.Secret))
	if err != nil {
		return fmt.Errorf("outbox relay: %w", err)
	}
	cfg := outbox.Config{Store: m.DB, Tickets: m.DB, Notifications: m.DB, Sealer: sealer, Now: m.Now,
		Logger: m.Logger.With(slog.String("component", "outbox"))}
	// A unit's evidence photo goes by a signed link the server answers at
	// /m/{token}: Meta fetches it, so only an https HAILURAH_BASE_URL
	// carries photos (outbox.ComposePhoto); elsewhere the words go alone.
	links := media.NewLinks([]byte(m.Config.Secret))
	cfg.PhotoLink = func(ticketID, ref string) string { return links.URL(m.baseURL(), ticketID, ref, m.Now()) }
	switch {
	case m.Config.WhatsAppToken != "" && m.Config.WhatsAppPhoneID != "":
		cfg.Sender = &whatsapp.Client{BaseURL: m.Config.WhatsAppAPIBase, Token: m.Config.WhatsAppToken,
			PhoneNumberID: m.Config.WhatsAppPhoneID}
	case m.Config.WhatsAppToken != "":
		return fmt.Errorf("WHATSAPP_TOKEN is set without WHATSAPP_PHONE_NUMBER_ID: the relay cannot tell which number to send from")
	}
	relay, err := outbox.New(cfg)
	if err != nil {
		return err
	}
	m.Relay = relay
	m.stopRelay = runInBackground(relay.Run)
	return nil
}

// startIntake builds the intake the channels hand their messages to and
// runs its inbox, which hands over what the webhook acknowledged and
// sweeps up what an earlier process left.
func (m *Main) startIntake(cases *workflows.Client, sla hailurah.SLAPolicy) error {
	in, err := intake.New(intake.Config{Store: m.DB, Cases: cases, Secret: []byte(m.Config.Secret), Policy: sla,
		Now: m.Now, Logger: m.Logger})
	if err != nil {
		return fmt.Errorf("intake: %w", err)
	}
	m.Intake = in
	m.stopIntake = runInBackground(in.Run)
	return nil
}

// runInBackground runs a loop (the relay, the inbox) until the returned
// stop is called; stop waits for it to return.
func runInBackground(run func(context.Context) error) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = run(ctx)
	}()
	return func() { cancel(); <-done }
}

// baseURL is HAILURAH_BASE_URL, or the address this process serves.
func (m *Main) baseURL() string {
	switch {
	case m.Config.BaseURL != "":
		return m.Config.BaseURL
	case m.HTTP != nil:
		return m.HTTP.URL()
	case strings.HasPrefix(m.Config.Addr, ":"):
		return "http://localhost" + m.Config.Addr
	}
	return "http://" + m.Config.Addr
}

func (m *Main) pingTemporal(ctx context.Context) error {
	_, err := m.Temporal.CheckHealth(ctx, &client.CheckHealthRequest{})
	return err
}

// Close stops everything Run started, in reverse order.
func (m *Main) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	var errs []error
	if m.stopPprof != nil {
		m.stopPprof()
		m.stopPprof = nil
	}
	if m.HTTP != nil {
		errs = append(errs, m.HTTP.Close(ctx))
		m.HTTP = nil
	}
	if m.stopIntake != nil {
		m.stopIntake()
		m.stopIntake = nil
	}
	if m.stopMetrics != nil {
		m.stopMetrics()
		m.stopMetrics = nil
	}
	if m.stopRelay != nil {
		m.stopRelay()
		m.stopRelay = nil
	}
	if m.Worker != nil {
		m.Worker.Stop()
		m.Worker = nil
	}
	if m.Temporal != nil {
		m.Temporal.Close()
		m.Temporal = nil
	}
	if m.Devserver != nil {
		errs = append(errs, m.Devserver.Stop())
		m.Devserver = nil
	}
	if m.DB != nil {
		errs = append(errs, m.DB.Close())
		m.DB = nil
	}
	m.lock.release()
	m.lock = nil
	return errors.Join(errs...)
}

// temporalAddr is the frontend address of the Temporal server in use.
func (m *Main) temporalAddr() string {
	if m.Devserver != nil {
		return m.Devserver.FrontendAddr()
	}
	return m.Config.TemporalAddress
}

// fillDemo fills the demo data on a database that lacks it, with the
// workflows of what is open started on this process's Temporal; the
// worker, started next, runs them.
func (m *Main) fillDemo(ctx context.Context) error {
	n, err := hasDemo(ctx, m.DB)
	if err != nil {
		return err
	}
	if n > 0 {
		fmt.Fprintln(m.Out, "Data demo sudah ada; langsung dimulai.")
		return nil
	}
	started := time.Now()
	rep, err := fillDemo(ctx, demoTarget{db: m.DB, databaseURL: m.Config.DatabaseURL, temporal: m.Temporal,
		rules: m.Rules, grantPolicy: m.Config.GrantPolicy, zone: m.Config.Zone}, *m.Demo, m.Out)
	if err != nil {
		return fmt.Errorf("demo data: %w", err)
	}
	fmt.Fprintf(m.Out, "Data demo terisi dalam %s; %s.\n", time.Since(started).Round(time.Millisecond), rep.startedLine())
	return nil
}

func (m *Main) printBanner() {
	w := m.Out
	fmt.Fprintln(w, "HAI LURAH berjalan.")
	if m.HTTP != nil {
		fmt.Fprintf(w, "  Web & API      %s\n", m.HTTP.URL())
		fmt.Fprintf(w, "  Login petugas  %s/login\n", m.HTTP.URL())
		fmt.Fprintf(w, "  Kesehatan      %s/readyz · metrik %s/metrics\n", m.HTTP.URL(), m.HTTP.URL())
		fmt.Fprintf(w, "  Curhat warga   %s/curhat · kios %s/kiosk\n", m.HTTP.URL(), m.HTTP.URL())
		if m.Mode == ModeDev {
			fmt.Fprintf(w, "  Telepon simulasi %s/dev/phone\n", m.HTTP.URL())
		}
	}
	if m.Devserver != nil {
		fmt.Fprintf(w, "  Temporal       %s (namespace %s)\n", m.Devserver.FrontendAddr(), m.Devserver.Namespace())
		if ui := m.Devserver.UIAddr(); ui != "" {
			// Named as the web UI is (localhost), so the browser sends the
			// admin's session to the codec that opens the payloads.
			fmt.Fprintf(w, "  Temporal UI    http://%s\n", strings.Replace(ui, "127.0.0.1:", "localhost:", 1))
		}
	}
	if m.Mode == ModeDev {
		fmt.Fprintf(w, "  Data           %s\n", m.Config.DataDir)
		fmt.Fprintln(w, "Pengguna demo (kata sandi sama untuk semua):")
		for _, u := range demoUsers {
			where := u.Kelurahan
			if u.Unit != "" {
				where = "unit " + u.Unit
			}
			if u.Phone != "" {
				where += ", WA " + u.Phone
			}
			fmt.Fprintf(w, "  %-20s %-12s %s\n", u.Username, u.Role, where)
		}
		fmt.Fprintf(w, "  kata sandi: %s\n", m.DemoPassword)
		if m.Demo == nil {
			fmt.Fprintln(w, "Data demo (tiket, hibah, pilot yang bisa ditindaklanjuti): make demo (atau hailurah dev --demo)")
		}
		fmt.Fprintln(w, "Tekan Ctrl-C untuk berhenti.")
	}
}
