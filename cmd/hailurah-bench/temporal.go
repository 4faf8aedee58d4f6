package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/hailurah/hailurah/devserver"
	"github.com/hailurah/hailurah/workflows"
)

// serveTemporalCmd is the hidden sub-command that runs the embedded
// Temporal server in a process of its own.
const serveTemporalCmd = "serve-temporal"

// serveTemporal runs devserver (the same embedded server `hailurah dev`
// runs, with HAI LURAH's search attributes) until interrupted, printing
// its frontend address to the file named by -addr-file.
func serveTemporal(args []string) error {
	fs := flag.NewFlagSet(serveTemporalCmd, flag.ContinueOnError)
	dir := fs.String("dir", "", "data dir")
	addrFile := fs.String("addr-file", "", "where to write the frontend address")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	startCtx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	ds, err := devserver.Start(startCtx, devserver.Options{DataDir: *dir, FrontendAddr: "127.0.0.1:0",
		SearchAttributes: workflows.SearchAttributes(), Logger: logger})
	if err != nil {
		return err
	}
	if err := os.WriteFile(*addrFile, []byte(ds.FrontendAddr()), 0o600); err != nil {
		_ = ds.Stop()
		return err
	}
	<-ctx.Done()
	return ds.Stop()
}

// startTemporal runs the embedded Temporal server as a child process of
// the bench and returns it with its frontend address.
func startTemporal(ctx context.Context, b *Bench, dir string) (*proc, string, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, "", err
	}
	addrFile := filepath.Join(dir, "temporal.addr")
	p, err := startProc(b, "temporal", dir, nil, self, serveTemporalCmd, "-dir", dir, "-addr-file", addrFile)
	if err != nil {
		return nil, "", err
	}
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		if a, err := os.ReadFile(addrFile); err == nil && len(a) > 0 {
			return p, strings.TrimSpace(string(a)), nil
		}
		select {
		case err := <-p.done:
			p.done <- err
			return nil, "", fmt.Errorf("temporal exited (%v): %s", err, p.tail(20))
		case <-ctx.Done():
			p.stop()
			return nil, "", ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	p.stop()
	return nil, "", fmt.Errorf("temporal not ready after 3 minutes: %s", p.tail(20))
}
