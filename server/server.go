// Package server is the HTTP face of HAI LURAH: the router and its
// middleware, sessions and login, the error table, the audit log's
// endpoint, limits, metrics, health, the OpenAPI document and the
// channels' endpoints (webhooks, Open311, the simulated phone). The JSON
// API is package api's and the pages package ui's; both act through
// package app, which New builds from Config.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/ratelimit"
	"github.com/hailurah/hailurah/server/api"
	"github.com/hailurah/hailurah/server/app"
	"github.com/hailurah/hailurah/server/fieldui"
	"github.com/hailurah/hailurah/server/reportui"
	"github.com/hailurah/hailurah/server/ui"
)

// Check is one dependency /readyz waits for.
type Check struct {
	Name string
	Ping func(ctx context.Context) error
}

// Config holds what the server needs. Services are the root package's
// interfaces, so tests can give the real store on SQLite or Postgres.
type Config struct {
	Addr      string // ":8080"; ":0" picks a free port
	Users     hailurah.UserService
	Audit     hailurah.AuditService
	Kelurahan hailurah.KelurahanService
	// Notices keeps each kelurahan's quiet hours for WhatsApp notices to
	// staff; nil leaves them off the admin's kelurahan form.
	Notices hailurah.StaffNoticeService
	Checks  []Check
	Logger  *slog.Logger

	// Programme serves the household registry, participation and grants
	// ("Satu Rumah Satu Penghasilan"); its routes exist only when set.
	Programme *Programme

	// Case handling; the ticket routes exist only when both are set.
	Tickets       hailurah.TicketReader
	Notifications hailurah.NotificationReader
	Cases         Cases
	// Media serves the attachments the ticket workflows downloaded:
	// listed on the ticket, their files at /api/v1/media/{id}.
	Media *Media
	// Reports makes and serves the office's reports; nil leaves them out.
	Reports *Reports
	// MediaLinks opens the signed links at /m/{token} that let the Graph
	// API fetch a unit's evidence photo for the citizen (media.Links).
	MediaLinks app.PhotoLinks
	// Secret keys the sender hashes of phone numbers.
	Secret []byte
	// Rules is the active rules.yaml, shown read-only to admins.
	Rules RulesView
	// DataDir holds uploaded evidence photos (DataDir/uploads).
	DataDir string
	Now     func() time.Time
	// Zone is the kelurahan's clock (HAILURAH_TZ): every time a page shows
	// and every date a form or query names. The zero Zone is Asia/Jakarta.
	Zone hailurah.Zone

	// SecureCookies marks the session cookie Secure even when the request
	// did not come over TLS (set it behind a TLS-terminating proxy).
	SecureCookies bool
	// SessionIdle and SessionAbsolute bound a session's life.
	SessionIdle     time.Duration
	SessionAbsolute time.Duration
	// TrustedProxies are the addresses (IPs or CIDRs) of reverse proxies
	// whose X-Forwarded-For names the client. Empty trusts none, so a
	// client cannot pick its own address and escape the per-IP limits.
	TrustedProxies []string
	// MetricsToken (HAILURAH_METRICS_TOKEN) lets a scraper that is not on
	// loopback read /metrics as a bearer token. Outside dev, /metrics
	// answers only a direct loopback caller or this token.
	MetricsToken string
	// MaxBodyBytes bounds every request body.
	MaxBodyBytes int64
	// Dev enables development-only pages.
	Dev bool
	// Pilots enables the 90-day pilots, the dashboards and the public open
	// data (/api/v1/pilots, /api/v1/dashboard/*, /api/v1/opendata, /dasbor,
	// /siap-taman, /pilot, /data).
	Pilots *Pilots

	// Intake takes the citizens' messages the channels parse to their
	// tickets (intake.Intake); POST /api/v1/curhat exists only when it is
	// set, and the channels only with Channels too.
	Intake Intake
	// Channels serves the WhatsApp webhook's status reports and the
	// simulated phone (webhook.go); the WhatsApp webhook, gateways,
	// Open311 and the simulated phone exist only when it is set, with
	// Tickets, Cases and Intake.
	Channels ChannelStore
	// WhatsApp configures the webhook: verify token, app secret, number.
	WhatsApp WhatsAppSettings
	// MapTiles is the maps' tile URL template (HAILURAH_MAP_TILES); ""
	// draws only the RW×RT grid. Its host joins the CSP's img-src.
	MapTiles string
	// Codec serves the Temporal payload codec to admins (codec.go).
	Codec CodecSettings
	// Registry is where /metrics reads from, shared with the Temporal
	// client's metrics; nil makes one of the server's own.
	Registry *prometheus.Registry
}

// The services Config names for the API and the pages are package app's
// (RulesView is package ui's); these names keep Config spelled as before.
type (
	Cases       = app.Cases
	Intake      = app.Intake
	Programme   = app.Programme
	GrantCases  = app.GrantCases
	Loans       = app.Loans
	Pilots      = app.Pilots
	Media       = app.Media
	Reports     = app.Reports
	PilotRunner = app.PilotRunner
	RulesView   = ui.RulesView
)

// Server is the HTTP server. Create it with New, start it with Open.
type Server struct {
	cfg      Config
	logger   *slog.Logger
	now      func() time.Time
	engine   *gin.Engine
	http     *http.Server
	listener net.Listener
	throttle *loginThrottle
	metrics  *metrics
	channels *channelState // the webhook's limiter; nil without Config.Channels
	app      *app.App
	api      *api.API
	ui       *ui.UI

	// open311Keys limits Open311 clients by api_key (open311Limit).
	open311Keys *ratelimit.Keyed
}

// New builds the server and its routes.
func New(cfg Config) (*Server, error) {
	if cfg.Users == nil || cfg.Audit == nil || cfg.Kelurahan == nil {
		return nil, errors.New("server: Users, Audit and Kelurahan services are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Addr == "" {
		cfg.Addr = ":8080"
	}
	if cfg.SessionIdle == 0 {
		cfg.SessionIdle = 2 * time.Hour
	}
	if cfg.SessionAbsolute == 0 {
		cfg.SessionAbsolute = 12 * time.Hour
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	s := &Server{
		cfg:      cfg,
		logger:   cfg.Logger,
		now:      cfg.Now,
		throttle: newLoginThrottle(cfg.Now),
		metrics:  newMetrics(cfg.Registry),

		open311Keys: ratelimit.New(open311KeyPerMinute, open311KeyBurst, cfg.Now),
	}
	s.app = &app.App{
		Users: cfg.Users, AuditLog: cfg.Audit, Kelurahan: cfg.Kelurahan, Notices: cfg.Notices,
		Programme: cfg.Programme, Pilots: cfg.Pilots,
		Tickets: cfg.Tickets, Notifications: cfg.Notifications, Cases: cfg.Cases, Intake: cfg.Intake, Media: cfg.Media,
		Reports: cfg.Reports,
		Links:   cfg.MediaLinks,
		DataDir: cfg.DataDir, Now: cfg.Now, Zone: cfg.Zone, Logger: cfg.Logger, SecureCookies: cfg.SecureCookies,
		IntakeLimit:   ratelimit.New(10, 5, cfg.Now),
		TrackingLimit: ratelimit.New(60, 20, cfg.Now),
	}
	s.api = api.New(s.app)
	pages, err := ui.New(s.app, ui.Options{
		Sessions: ui.Sessions{Login: s.login, Logout: s.logout},
		Rules:    cfg.Rules, PhoneNumberID: cfg.WhatsApp.PhoneNumberID,
		WhatsAppNumber: cfg.WhatsApp.Number, MapTiles: cfg.MapTiles,
	})
	if err != nil {
		return nil, err
	}
	s.ui = pages
	s.engine = s.routes()
	if err := s.engine.SetTrustedProxies(cfg.TrustedProxies); err != nil {
		return nil, fmt.Errorf("server: trusted proxies: %w", err)
	}
	return s, nil
}

// Handler returns the server's http.Handler, for tests with httptest.
func (s *Server) Handler() http.Handler { return s.engine }

// Open starts listening on the configured address and serves in the
// background.
func (s *Server) Open() error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return err
	}
	s.listener = ln
	s.http = &http.Server{
		Handler:           s.engine,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn),
	}
	go func() {
		if err := s.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.logger.Error("http server stopped", slog.Any("err", err))
		}
	}()
	return nil
}

// Addr returns the address the server listens on, e.g. "127.0.0.1:43121".
func (s *Server) Addr() string {
	if s.listener == nil {
		return ""
	}
	return s.listener.Addr().String()
}

// URL returns the base URL of the running server.
func (s *Server) URL() string {
	addr := s.Addr()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return ""
	}
	if host == "" || host == "::" || host == "0.0.0.0" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// Close stops accepting requests and waits for those in flight, up to ctx.
func (s *Server) Close(ctx context.Context) error {
	var err error
	if s.http != nil {
		err = s.http.Shutdown(ctx)
	}
	return err
}

func (s *Server) routes() *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.ContextWithFallback = true
	r.Use(s.recoverPanics, s.logRequests, s.metrics.middleware, s.securityHeaders, s.limitBody, s.renderErrors, s.authenticate)
	r.NoRoute(s.notFound)
	r.NoMethod(func(c *gin.Context) {
		if open311IsPath(c) {
			// The spec's clients read a 405 as the method being wrong.
			open311Fail(c, open311PathFormat(c.Request.URL.Path), http.StatusMethodNotAllowed,
				fmt.Sprintf("Metode %s tidak didukung untuk alamat ini.", c.Request.Method))
			return
		}
		app.Fail(c, hailurah.Errorf(hailurah.EBADREQUEST, "Metode %s tidak didukung untuk alamat ini.", c.Request.Method))
	})

	r.GET("/healthz", s.healthz)
	r.GET("/readyz", s.readyz)
	r.GET(metricsRoute, s.guardMetrics, s.metrics.handler())
	r.StaticFS("/static", staticFS())

	v1 := r.Group("/api/v1")
	v1.POST("/login", s.apiLogin)
	v1.POST("/logout", s.app.RequireStaff, s.apiLogout)
	v1.GET("/me", s.app.RequireStaff, s.apiMe)
	v1.GET("/audit", s.app.RequireStaff, app.RequireRole(hailurah.RoleAdmin), s.apiAudit)
	r.GET("/api/openapi.json", s.openAPI)
	s.api.Routes(v1)
	if s.app.HandlesCases() {
		s.channelRoutes(r, v1)
	}
	// Public by design: the signed token is the credential (media.Links).
	r.GET("/m/:token", s.app.ServeLink)
	s.ui.Routes(r)
	fieldui.New(s.ui).Routes(r)
	reportui.New(s.ui).Routes(r)
	s.codecRoutes(r)
	return r
}
