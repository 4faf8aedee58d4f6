// Command hailurah runs HAI LURAH: `hailurah dev` runs the whole system in
// one process (embedded Temporal, SQLite, web UI); `hailurah server` and
// `hailurah worker` run the production topology against Postgres and a
// Temporal cluster.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

const usage = `hailurah — layanan curhat warga dan program kelurahan

Pemakaian:
  hailurah dev [--no-ui] [--demo] seluruh sistem dalam satu proses (Temporal tertanam, SQLite, web :8080);
                                  --demo mengisi data demo dulu bila belum ada
  hailurah server                 server web/API (butuh DATABASE_URL dan TEMPORAL_ADDRESS)
  hailurah worker                 worker Temporal (butuh DATABASE_URL dan TEMPORAL_ADDRESS)
  hailurah migrate up|down|status migrasi basis data (up juga menambah unit dinas dari rules.yaml)
  hailurah temporal setup [--retention 720h]
                                  siapkan namespace klaster Temporal (retensi, atribut pencarian, jadwal); aman diulang
  hailurah user add --role ROLE [--kelurahan KODE] [--unit KODE] [--name NAMA] [--password SANDI] USERNAME
  hailurah user list
  hailurah kelurahan add KODE --name NAMA [--kecamatan K] [--lurah NAMA] [--grant-budget RP]
  hailurah kelurahan list
  hailurah healthcheck            periksa /readyz server lokal (untuk health check kontainer)
  hailurah seed-demo [--tickets N] [--months M] [--workflows=false]
                                  isi data demo (tiket, rumah tangga, hibah, pilot hari ke-80) dan mulai alur kerja
                                  setiap tiket, hibah dan pilot yang masih berjalan
  hailurah triage                 baris JSON {"text": "..."} di stdin → hasil triase per baris di stdout

Konfigurasi lewat variabel lingkungan: lihat README.md.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "hailurah:", err)
		os.Exit(1)
	}
}

// run dispatches a command line; it is main without the process, for tests.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, usage)
		return nil
	}
	cfg, err := LoadConfig(getenv)
	if err != nil {
		return err
	}
	logger := newLogger(stderr, cfg.LogLevel)
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "dev", "server", "worker":
		fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
		fs.SetOutput(stderr)
		noUI := fs.Bool("no-ui", false, "jangan jalankan Temporal Web UI (hanya untuk dev)")
		demo := fs.Bool("demo", false, "isi data demo dulu bila belum ada, seperti seed-demo (hanya untuk dev)")
		if err := fs.Parse(rest); err != nil {
			return err
		}
		m := &Main{Config: cfg, Mode: Mode(cmd), NoUI: *noUI, Logger: logger, Out: stdout}
		if *demo {
			if m.Mode != ModeDev {
				return errors.New("--demo hanya untuk `hailurah dev`; untuk Postgres dan klaster Temporal jalankan `hailurah seed-demo`")
			}
			opts := defaultDemoOptions
			m.Demo = &opts
		}
		if err := m.Run(ctx); err != nil {
			_ = m.Close()
			return err
		}
		<-ctx.Done()
		logger.Info("shutting down")
		return m.Close()
	case "migrate":
		return runMigrate(ctx, cfg, logger, rest, stdout)
	case "temporal":
		return runTemporal(ctx, cfg, logger, rest, stdout)
	case "user":
		return runUser(ctx, cfg, logger, rest, stdout, stderr)
	case "kelurahan":
		return runKelurahan(ctx, cfg, logger, rest, stdout, stderr)
	case "healthcheck":
		return runHealthcheck(ctx, cfg)
	case "seed-demo":
		return runSeedDemo(ctx, cfg, logger, rest, stdout)
	case "triage":
		return runTriage(ctx, cfg, stdin, stdout)
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("perintah tidak dikenal: %q", cmd)
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var lvl slog.Level
	switch strings.ToLower(level) {
	case "debug":
		lvl = slog.LevelDebug
	case "warn":
		lvl = slog.LevelWarn
	case "error":
		lvl = slog.LevelError
	default:
		lvl = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: lvl}))
}
