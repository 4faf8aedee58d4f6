// Package devserver runs a Temporal server inside the hailurah process, for
// `hailurah dev`: SQLite persistence in the data directory, so workflows and
// their timers survive a restart, and optionally Temporal's Web UI.
//
// One Server may use a data directory at a time. Temporal's SQLite driver
// keeps its database connections until the process exits, so a stopped
// Server still holds temporal.db open; starting again on the same directory
// in the same process reuses those connections.
package devserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/searchattribute/sadefs"
	"go.temporal.io/server/temporal"
)

// Addresses Temporal's own dev server listens on; clients and tools default
// to them.
const (
	DefaultFrontendAddr = "127.0.0.1:7233"
	DefaultUIAddr       = "127.0.0.1:8233"
)

// DefaultNamespace is used when Options.Namespace is empty.
const DefaultNamespace = "default"

// dbFileName is the SQLite file in Options.DataDir.
const dbFileName = "temporal.db"

// Options configures Start.
type Options struct {
	DataDir          string // required; the SQLite file is DataDir/temporal.db
	FrontendAddr     string // "127.0.0.1:7233" when empty; port 0 picks a free port
	UIAddr           string // "" → no UI; port 0 picks a free port
	Namespace        string // "default" when empty
	SearchAttributes map[string]enumspb.IndexedValueType
	Logger           *slog.Logger // nil → slog.Default(); gets Temporal's warnings and errors
	// CodecEndpoint is the payload codec the UI decodes payloads through
	// (the app's, server.CodecPath), called with the browser's cookies;
	// "" shows payloads as they are stored.
	CodecEndpoint string
}

// Server is a running embedded Temporal server.
type Server struct {
	temporal  temporal.Server
	logger    *slogLogger
	ui        *webUI // nil without UI
	frontend  string
	namespace string

	stopOnce sync.Once
	stopErr  error
}

// Start starts the server and returns when it can run workflows: the
// frontend accepts calls, the services have found each other, and the
// namespace and search attributes exist. ctx bounds the start-up only.
func Start(ctx context.Context, opts Options) (*Server, error) {
	s, err := start(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("devserver: %w", err)
	}
	return s, nil
}

func start(ctx context.Context, opts Options) (_ *Server, err error) {
	if opts.DataDir == "" {
		return nil, errors.New("DataDir is required")
	}
	if opts.FrontendAddr == "" {
		opts.FrontendAddr = DefaultFrontendAddr
	}
	if opts.Namespace == "" {
		opts.Namespace = DefaultNamespace
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	// Checked here because a new namespace gets its search attributes
	// written straight into the database, past the server's own checks.
	for name, typ := range opts.SearchAttributes {
		if sadefs.IsReserved(name) {
			return nil, fmt.Errorf("search attribute %s: the name is reserved by Temporal", name)
		}
		if _, known := enumspb.IndexedValueType_name[int32(typ)]; !known || typ == enumspb.INDEXED_VALUE_TYPE_UNSPECIFIED {
			return nil, fmt.Errorf("search attribute %s: no type", name)
		}
	}

	// Ports first: a wrong or taken address is reported before anything
	// is written to the data directory.
	plan, err := choosePorts(opts)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, plan.release()) }()

	if err := os.MkdirAll(opts.DataDir, 0o700); err != nil {
		return nil, err
	}
	dbPath := filepath.Join(opts.DataDir, dbFileName)
	if err := ensureSchema(dbPath); err != nil {
		return nil, err
	}
	if err := ensureNamespace(dbPath, opts.Namespace, opts.SearchAttributes); err != nil {
		return nil, err
	}
	if err := forgetMembers(dbPath); err != nil {
		return nil, err
	}

	// Building the server binds its listeners.
	if err := plan.temporalPorts.release(); err != nil {
		return nil, err
	}
	logger := newSlogLogger(opts.Logger.With("component", "temporal"), defaultTemporalLogLevel)
	defer func() {
		if err != nil {
			logger.failed()
		} else {
			logger.started()
		}
	}()
	srv, err := newTemporal(serverConfig(dbPath, plan.topology), logger)
	if err != nil {
		return nil, err
	}
	if err := startTemporal(ctx, srv, logger); err != nil {
		return nil, err
	}
	s := &Server{temporal: srv, logger: logger, frontend: plan.frontend.dialString(), namespace: opts.Namespace}
	defer func() {
		if err != nil {
			err = errors.Join(err, s.Stop())
		}
	}()

	if err := waitReady(ctx, s.frontend, s.namespace, opts.SearchAttributes); err != nil {
		return nil, err
	}
	if plan.ui != nil {
		if err := plan.uiPort.release(); err != nil {
			return nil, err
		}
		if s.ui, err = startUI(ctx, *plan.ui, s.frontend, s.namespace, opts.CodecEndpoint); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// portPlan is where the server and the UI will listen, with those ports
// held until each is started.
type portPlan struct {
	topology
	ui            *listenAddr // nil without UI
	temporalPorts portReservation
	// The UI's port is held apart because the UI starts only after
	// Temporal is ready, well after Temporal's ports are released.
	uiPort portReservation
}

func (p *portPlan) release() error {
	return errors.Join(p.temporalPorts.release(), p.uiPort.release())
}

// choosePorts parses the addresses in opts and picks every port the server
// needs.
func choosePorts(opts Options) (*portPlan, error) {
	p := &portPlan{}
	if err := p.choose(opts); err != nil {
		return nil, errors.Join(err, p.release())
	}
	return p, nil
}

// internalServices are the services whose ports Start chooses: history,
// matching and worker each need a gRPC and a membership port; the frontend
// needs a membership port and one for its HTTP API.
var internalServices = []string{serviceHistory, serviceMatching, serviceWorker}

func (p *portPlan) choose(opts Options) error {
	fe, err := parseListenAddr(opts.FrontendAddr)
	if err != nil {
		return fmt.Errorf("FrontendAddr: %w", err)
	}
	if p.frontend, err = p.temporalPorts.reserve(fe); err != nil {
		return fmt.Errorf("FrontendAddr: %w", err)
	}
	if opts.UIAddr != "" {
		a, err := parseListenAddr(opts.UIAddr)
		if err != nil {
			return fmt.Errorf("UIAddr: %w", err)
		}
		// The UI server joins host and port with a plain colon, which
		// makes no valid address out of an IPv6 host.
		if a.ip.To4() == nil {
			return fmt.Errorf("UIAddr: %s: only IPv4 addresses are supported", opts.UIAddr)
		}
		if a, err = p.uiPort.reserve(a); err != nil {
			return fmt.Errorf("UIAddr: %w", err)
		}
		p.ui = &a
	}

	// The internal services listen on the frontend's address, or on the
	// loopback address when the frontend listens on every interface: they
	// must be reachable at the one address every service announces.
	p.internalIP = dialIP(fe.ip)
	p.grpc, p.membership = map[string]int{}, map[string]int{}
	next := func() (int, error) {
		a, err := p.temporalPorts.reserve(listenAddr{ip: p.internalIP})
		return a.port, err
	}
	if p.frontendHTTP, err = next(); err != nil {
		return err
	}
	if p.membership[serviceFrontend], err = next(); err != nil {
		return err
	}
	for _, name := range internalServices {
		if p.grpc[name], err = next(); err != nil {
			return err
		}
		if p.membership[name], err = next(); err != nil {
			return err
		}
	}
	return nil
}

// newTemporal builds the server. Building already opens the database and
// prepares every service, so fatal errors are recovered here as well.
func newTemporal(cfg *config.Config, logger *slogLogger) (srv temporal.Server, err error) {
	defer recoverFatal(&err)
	return temporal.NewServer(
		temporal.WithConfig(cfg),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithLogger(logger),
		temporal.WithDynamicConfigClient(dynamicConfig()),
	)
}

// startTemporal starts srv, giving up when ctx ends first; a server that
// finishes starting after that is stopped again.
func startTemporal(ctx context.Context, srv temporal.Server, logger *slogLogger) error {
	started := make(chan error, 1)
	go func() {
		var err error
		defer func() { started <- err }()
		defer recoverFatal(&err)
		err = srv.Start()
	}()
	select {
	case err := <-started:
		return err
	case <-ctx.Done():
		go func() {
			if <-started == nil {
				logger.quiet()
				_ = srv.Stop()
			}
		}()
		return ctx.Err()
	}
}

// recoverFatal turns a Fatal log of Temporal's (see fatalError) into *err.
// Any other panic is a bug and continues.
func recoverFatal(err *error) {
	if r := recover(); r != nil {
		f, ok := r.(fatalError)
		if !ok {
			panic(r)
		}
		*err = f
	}
}

// FrontendAddr is the host:port of the frontend's gRPC API, as a client on
// this machine dials it.
func (s *Server) FrontendAddr() string { return s.frontend }

// UIAddr is the host:port of the Web UI, or "" when it is disabled.
func (s *Server) UIAddr() string {
	if s.ui == nil {
		return ""
	}
	return s.ui.addr
}

// Namespace is the namespace Start created or found.
func (s *Server) Namespace() string { return s.namespace }

// Stop stops the Web UI and the Temporal server. Calling it again does
// nothing and returns the first call's result.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		if s.ui != nil {
			s.ui.stop()
		}
		s.logger.quiet()
		s.stopErr = s.temporal.Stop()
	})
	return s.stopErr
}
