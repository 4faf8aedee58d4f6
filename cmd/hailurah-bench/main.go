// Command hailurah-bench measures HAI LURAH against the limits the issue
// sets and writes docs/BENCHMARKS.md: intake throughput as a ratio to the
// embedded Temporal server's own rate, webhook acknowledgement latency
// under steady load, queues and dashboards at a million tickets on
// Postgres, 50,000 open cases waiting on SLA timers, and rules triage per
// core. Everything runs on this machine over loopback: the real
// `hailurah` binary, the embedded Temporal server, SQLite and Postgres.
//
//	hailurah-bench [-quick] [-runs N] [-only intake,latency,scale,open,triage] [-out docs/BENCHMARKS.md]
//
// -quick shrinks every section (CI runs it to keep the benchmarks working);
// its figures are not the published ones.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == serveTemporalCmd {
		// A child process: the embedded Temporal server alone, so its
		// memory is measured apart from the worker's.
		if err := serveTemporal(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "hailurah-bench:", err)
			os.Exit(1)
		}
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "hailurah-bench:", err)
		os.Exit(1)
	}
}

// Bench is what every section gets: where the binary is, where to work,
// how hard to push.
type Bench struct {
	Quick bool
	Runs  int    // repetitions of each measurement; medians are reported
	Bin   string // the hailurah binary
	Work  string // a scratch directory, removed at the end
	// DatabaseURL is the Postgres server for the million-ticket section;
	// the section creates and drops its own database on it.
	DatabaseURL string
	Log         io.Writer
}

// Logf prints progress.
func (b *Bench) Logf(format string, args ...any) {
	fmt.Fprintf(b.Log, "%s  "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

// Result is one section's outcome: its rows of the summary table and its
// own part of the report.
type Result struct {
	Summary []SummaryRow
	Body    string // Markdown, without the section heading
}

// SummaryRow is one figure against its target.
type SummaryRow struct {
	Figure   string
	Target   string
	Measured string
	Met      bool
}

type section struct {
	key, title string
	run        func(ctx context.Context, b *Bench) (*Result, error)
}

var sections = []section{
	{"intake", "1. Intake throughput against the engine", benchIntake},
	{"latency", "2. Webhook acknowledgement latency", benchLatency},
	{"scale", "3. Queues and dashboards at 1,000,000 tickets (Postgres)", benchScale},
	{"open", "4. 50,000 open cases waiting on SLA timers", benchOpenCases},
	{"triage", "5. Rules triage per core", benchTriage},
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("hailurah-bench", flag.ContinueOnError)
	quick := fs.Bool("quick", false, "a reduced, quick run (CI); its figures are not the published ones")
	runs := fs.Int("runs", 3, "repetitions of each measurement (medians are reported)")
	only := fs.String("only", "", "comma-separated sections: intake,latency,scale,open,triage (default all)")
	outPath := fs.String("out", "", "where to write the report (default docs/BENCHMARKS.md; the quick run prints it only)")
	bin := fs.String("bin", "bin/hailurah", "the hailurah binary (built by make build)")
	dbURL := fs.String("database-url", os.Getenv("BENCH_DATABASE_URL"),
		"Postgres server for the million-ticket section (env BENCH_DATABASE_URL, else TEST_DATABASE_URL)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dbURL == "" {
		*dbURL = os.Getenv("TEST_DATABASE_URL")
	}
	if *runs < 1 {
		return fmt.Errorf("-runs: %d is not a positive count", *runs)
	}
	if *quick {
		*runs = 1
	}
	selected := sections
	if *only != "" {
		selected = nil
		for _, k := range strings.Split(*only, ",") {
			i := slices.IndexFunc(sections, func(s section) bool { return s.key == strings.TrimSpace(k) })
			if i < 0 {
				return fmt.Errorf("-only: unknown section %q (intake, latency, scale, open, triage)", k)
			}
			selected = append(selected, sections[i])
		}
	}
	binPath, err := filepath.Abs(*bin)
	if err != nil {
		return err
	}
	if _, err := os.Stat(binPath); err != nil {
		return fmt.Errorf("the hailurah binary %s is missing: run `make build` first", *bin)
	}
	work, err := os.MkdirTemp("", "hailurah-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	b := &Bench{Quick: *quick, Runs: *runs, Bin: binPath, Work: work, DatabaseURL: *dbURL, Log: os.Stderr}

	rep := &report{Started: time.Now(), Quick: *quick, Runs: *runs, Args: args}
	for _, s := range selected {
		b.Logf("== %s", s.title)
		start := time.Now()
		res, err := s.run(ctx, b)
		if err != nil {
			return fmt.Errorf("%s: %w", s.key, err)
		}
		b.Logf("== %s: done in %s", s.key, time.Since(start).Round(time.Second))
		rep.Sections = append(rep.Sections, reportSection{section: s, Result: res, Took: time.Since(start)})
	}
	md := rep.Markdown()
	if *outPath == "" && !*quick {
		*outPath = "docs/BENCHMARKS.md"
	}
	if *outPath == "" {
		_, err := io.WriteString(out, md)
		return err
	}
	if err := os.WriteFile(*outPath, []byte(md), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(out, "wrote %s\n", *outPath)
	return nil
}
