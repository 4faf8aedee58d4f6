// Package server is the HTTP face of HAI LURAH: the JSON API under /api/v1,
// the webhooks, the staff web UI and the health and metrics endpoints.
package server

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/intake"
	"github.com/hailurah/hailurah/ratelimit"
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
	Checks    []Check
	Logger    *slog.Logger

	// Programme serves the household registry, participation and grants
	// ("Satu Rumah Satu Penghasilan"); its routes exist only when set.
	Programme *Programme

	// Case handling; the ticket routes exist only when both are set.
	Tickets       hailurah.TicketReader
	Notifications hailurah.NotificationReader
	Cases         Cases
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
	// Codec serves the Temporal payload codec to admins (codec.go).
	Codec CodecSettings
	// Registry is where /metrics reads from, shared with the Temporal
	// client's metrics; nil makes one of the server's own.
	Registry *prometheus.Registry
}

// Intake is what the channels need of package intake: they parse a
// message and hand it on.
type Intake interface {
	// Accept keeps a message for the inbox to hand over after the answer.
	Accept(ctx context.Context, m intake.Message) error
	// Receive keeps a message and hands it over before returning.
	Receive(ctx context.Context, m intake.Message) (intake.Receipt, error)
	// Start makes a new ticket of a form's message.
	Start(ctx context.Context, m intake.Message) (*intake.Started, error)
	// ConfirmPhone checks the code sent to a phone typed into the form.
	ConfirmPhone(ctx context.Context, ticketID, code string) error
	// PhoneStatus says whether the ticket waits for a phone's code.
	PhoneStatus(ctx context.Context, ticketID string) (string, error)
	// Contact is a named citizen's contact for the audited reveal.
	Contact(ctx context.Context, t *hailurah.Ticket) (*hailurah.CitizenContact, error)
}

// RulesView is the active rules file, for the admin's read-only view.
type RulesView interface {
	Source() string
	OverridePath() string
}

// Server is the HTTP server. Create it with New, start it with Open.
type Server struct {
	cfg      Config
	logger   *slog.Logger
	now      func() time.Time
	engine   *gin.Engine
	http     *http.Server
	listener net.Listener
	throttle *loginThrottle
	intake   *ratelimit.Keyed // POST /curhat and tracking replies, per IP
	tracking *ratelimit.Keyed // GET /track, per IP
	metrics  *metrics
	pages    map[string]*template.Template
	channels *channelState // the webhook's limiter; nil without Config.Channels
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
		intake:   ratelimit.New(10, 5, cfg.Now),
		tracking: ratelimit.New(60, 20, cfg.Now),
		metrics:  newMetrics(cfg.Registry),
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	s.pages = pages
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
		fail(c, hailurah.Errorf(hailurah.EBADREQUEST, "Metode %s tidak didukung untuk alamat ini.", c.Request.Method))
	})

	r.GET("/healthz", s.healthz)
	r.GET("/readyz", s.readyz)
	r.GET(metricsRoute, s.guardMetrics, s.metrics.handler())
	r.StaticFS("/static", staticFS())

	api := r.Group("/api/v1")
	api.POST("/login", s.apiLogin)
	api.POST("/logout", s.requireStaff, s.apiLogout)
	api.GET("/me", s.requireStaff, s.apiMe)
	api.GET("/audit", s.requireStaff, requireRole(hailurah.RoleAdmin), s.apiAudit)
	r.GET("/api/openapi.json", s.openAPI)
	if s.cfg.Tickets != nil && s.cfg.Cases != nil && s.cfg.Notifications != nil {
		if s.cfg.Intake != nil {
			api.POST("/curhat", limitByIP(s.intake), s.apiCurhat)
			api.POST("/track/:code/phone", limitByIP(s.intake), refuseStaff, s.apiTrackPhone)
		}
		api.GET("/track/:code", limitByIP(s.tracking), s.apiTrack)
		api.POST("/track/:code/reply", limitByIP(s.intake), refuseStaff, s.apiTrackReply)

		caseStaff := requireRole(hailurah.RoleModerator, hailurah.RoleLurah, hailurah.RoleDinas, hailurah.RoleAdmin)
		api.GET("/tickets", s.requireStaff, caseStaff, s.apiTickets)
		api.GET("/tickets/:id", s.requireStaff, caseStaff, s.apiTicket)
		api.POST("/tickets/:id/actions", s.requireStaff, caseStaff, s.apiTicketAction)
		if s.cfg.Intake != nil {
			api.POST("/tickets/:id/contact", s.requireStaff, caseStaff, s.apiTicketContact)
		}
		api.GET("/notifications", s.requireStaff, s.apiNotifications)
		api.POST("/notifications/read", s.requireStaff, s.apiNotificationsRead)
		s.channelRoutes(r, api)
	}

	r.GET("/login", s.loginPage)
	r.POST("/login", s.loginForm)
	r.POST("/logout", s.requireStaffPage, s.logoutForm)
	r.GET("/", s.requireStaffPage, s.homeRedirect)
	if s.cfg.Programme != nil {
		s.programmeRoutes(r, api)
	}
	if s.cfg.Pilots != nil {
		s.pilotRoutes(r, api)
	}
	s.uiRoutes(r)
	s.codecRoutes(r)
	return r
}
