package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.temporal.io/sdk/client"

	"github.com/hailurah/hailurah/server"
	"github.com/hailurah/hailurah/worker"
)

// metrics is the program's Prometheus registry and the Temporal SDK's
// handler onto it, made before the client so its first calls count.
type metrics struct {
	registry *prometheus.Registry
	sdk      client.MetricsHandler
}

func newMetrics() (*metrics, error) {
	reg := prometheus.NewRegistry()
	sdk, err := worker.NewMetricsHandler(reg)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	return &metrics{registry: reg, sdk: sdk}, nil
}

// handler is the SDK's metrics handler; nil (none) for a connection made
// without the program's registry (seed-demo's own embedded server).
func (mt *metrics) handler() client.MetricsHandler {
	if mt == nil {
		return nil
	}
	return mt.sdk
}

// serve answers /metrics on addr, for `hailurah worker`, which has no web
// server of its own but reports what the SDK sees of its workflow tasks;
// like the server's, only to loopback or a scraper bearing token
// (HAILURAH_METRICS_TOKEN).
func (mt *metrics) serve(addr, token string, logger *slog.Logger) (string, func(), error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, fmt.Errorf("metrics: listen on %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	h := promhttp.HandlerFor(mt.registry, promhttp.HandlerOpts{})
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		if !server.MetricsAllowed(r, token) {
			http.NotFound(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("metrics server stopped", slog.Any("err", err))
		}
	}()
	logger.Info("worker metrics", slog.String("addr", ln.Addr().String()))
	return ln.Addr().String(), func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}, nil
}
