package main

import (
	"bufio"
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/proto"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/workflows"
)

// Section 4: many tickets open at once, each waiting on its moderator SLA
// timer, on the embedded Temporal server.
//
// The embedded server runs alone in a child process (startTemporal) and the
// app — `hailurah dev --no-ui` with TEMPORAL_ADDRESS pointing at it, so it
// runs the worker, the web server and the outbox relay on its SQLite store
// but embeds no server — in another, so the worker's memory is measured
// apart from the server's.
//
// The first tickets arrive as citizens send them: signed Cloud API
// deliveries to POST /webhook/whatsapp, one citizen each, each going
// through its whole intake. On this 2-core machine the intake runs at
// roughly 15 tickets a second, so 50,000 of them would take about an hour;
// the rest are therefore started directly on Temporal, the way
// workflows.Client starts a ticket, each as a copy of a real ticket in
// the state its intake left it in (triaged, open, the moderator's SLA clock
// running), handed to CurhatWorkflow exactly as the workflow hands its own
// state to the next run when it continues as new. Both kinds then wait on
// the same timer in the same code.

// openConfig is the size of one run.
type openConfig struct {
	N       int           // tickets open at once
	Webhook int           // of which through the webhook; the rest started directly
	SLA     time.Duration // moderator SLA of every urgency
	Senders int           // concurrent webhook senders and direct starters
	Sample  int           // workflows whose history is read
	Idle    time.Duration // longest idle window measured while all wait
}

func openSizes(b *Bench) (openConfig, error) {
	// The size: 50,000 open at once. On this 2-core machine one
	// run takes about 15 minutes to start them all and 30 more for their
	// breaches, so the SLA leaves room for the start under contention,
	// and the section runs once.
	cfg := openConfig{N: 50_000, Webhook: 1_000, SLA: 20 * time.Minute, Senders: 16, Sample: 100, Idle: 60 * time.Second}
	if b.Quick {
		cfg = openConfig{N: 1_000, Webhook: 300, SLA: 75 * time.Second, Senders: 16, Sample: 20, Idle: 10 * time.Second}
	}
	// Knobs for reproducing other sizes; the published figures use the
	// defaults above.
	for _, k := range []struct {
		env string
		n   *int
	}{{"BENCH_OPEN_N", &cfg.N}, {"BENCH_OPEN_WEBHOOK", &cfg.Webhook}} {
		if v := os.Getenv(k.env); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return cfg, fmt.Errorf("%s=%q: not a positive count", k.env, v)
			}
			*k.n = n
		}
	}
	if v := os.Getenv("BENCH_OPEN_SLA"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 30*time.Second {
			return cfg, fmt.Errorf("BENCH_OPEN_SLA=%q: not a duration of 30s or more", v)
		}
		cfg.SLA = d
	}
	cfg.Webhook = min(cfg.Webhook, cfg.N)
	return cfg, nil
}

// openRun is one run of section 4.
type openRun struct {
	openConfig

	AckTook     time.Duration // first delivery → last delivery acknowledged (workflow started)
	WebhookOpen time.Duration // first delivery → every webhook ticket triaged and waiting
	Seeded      int           // tickets started directly
	SeedTook    time.Duration // first direct start → last
	OpenTook    time.Duration // first delivery → every ticket waiting on its timer
	Waiting     int           // tickets waiting at once before the first deadline
	Running     int64         // running CurhatWorkflow executions then, per Temporal's visibility

	// While every ticket waits.
	AppRSS, TemporalRSS         int64
	AppHeap                     int64 // the app's Go heap in use (go_memstats_heap_inuse_bytes)
	AppGoroutines               int64
	IdleWindow                  time.Duration
	AppIdleCPU, TemporalIdleCPU float64 // CPU seconds over IdleWindow

	// History per workflow (medians of samples), while waiting and once
	// the timer fired.
	HistWeb, HistSeed           openHistoryStats
	HistWebFired, HistSeedFired openHistoryStats

	// Store files once every timer fired, with their WAL.
	TemporalDB, AppDB int64

	// The timers.
	Fired                      int
	LagP50, LagP99, LagMax     time.Duration // breach recorded − deadline, per ticket
	DeadlineSpan               time.Duration // first deadline → last deadline
	FireTook                   time.Duration // first deadline → last breach recorded
	AfterLast                  time.Duration // last deadline → last breach recorded
	AppFireCPU, TemporalFireCP float64       // CPU seconds from the first deadline to the last breach

	// Peaks over the whole run (VmHWM).
	AppPeak, TemporalPeak int64

	Profile *openProfile // the app's, while all wait; nil without profiles

	TaskFailures int // "Fail to process task" lines in the server's log (retried)

	Phases []openPhase
}

type openPhase struct {
	Name          string
	At            time.Duration // since the first delivery
	AppRSS        int64
	TemporalRSS   int64
	AppCPU, TmCPU float64 // cumulative CPU seconds
}

func (r openRun) ackRate() float64     { return float64(r.Webhook) / r.AckTook.Seconds() }
func (r openRun) webhookRate() float64 { return float64(r.Webhook) / r.WebhookOpen.Seconds() }
func (r openRun) seedRate() float64 {
	if r.SeedTook <= 0 {
		return 0
	}
	return float64(r.Seeded) / r.SeedTook.Seconds()
}

// seedOpenRate is direct tickets per second from the first direct start
// until every ticket waits (each start's first workflow task run).
func (r openRun) seedOpenRate() float64 {
	if d := r.OpenTook - r.WebhookOpen; d > 0 {
		return float64(r.Seeded) / d.Seconds()
	}
	return 0
}

// breachRate is breaches recorded per second, first deadline to last.
func (r openRun) breachRate() float64 {
	if r.FireTook <= 0 {
		return 0
	}
	return float64(r.Fired) / r.FireTook.Seconds()
}

// took is the run from the first delivery to the last breach.
func (r openRun) took() time.Duration {
	if len(r.Phases) == 0 {
		return 0
	}
	return r.Phases[len(r.Phases)-1].At
}

// benchOpenCases: N tickets open at once, each waiting on its moderator
// SLA timer, then every timer firing.
func benchOpenCases(ctx context.Context, b *Bench) (*Result, error) {
	cfg, err := openSizes(b)
	if err != nil {
		return nil, err
	}
	// One full run takes the SLA plus the time every timer's breach takes
	// to be processed, well over 5 minutes, so the full section runs once.
	runs := b.Runs
	if !b.Quick {
		runs = 1
	}
	var rs []openRun
	for i := 0; i < runs; i++ {
		r, err := openOnce(ctx, b, i, cfg)
		if err != nil {
			return nil, err
		}
		b.Logf("open run %d: %d open (%d via webhook at %.1f/s, %d started directly at %.1f/s), all waiting after %s; app RSS %s (peak %s), Temporal RSS %s (peak %s); %d/%d timers fired, last %s after the last deadline",
			i+1, r.Waiting, r.Webhook, r.webhookRate(), r.Seeded, r.seedRate(), r.OpenTook.Round(time.Second), mib(r.AppRSS), mib(r.AppPeak),
			mib(r.TemporalRSS), mib(r.TemporalPeak), r.Fired, r.Webhook+r.Seeded, r.AfterLast.Round(time.Second))
		rs = append(rs, r)
	}
	return openResult(b, cfg, rs), nil
}

func openMedian(rs []openRun, f func(openRun) float64) float64 {
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = f(r)
	}
	return median(v)
}

func openResult(b *Bench, cfg openConfig, rs []openRun) *Result {
	const gib = 1 << 30
	appPeak := int64(openMedian(rs, func(r openRun) float64 { return float64(r.AppPeak) }))
	appWait := int64(openMedian(rs, func(r openRun) float64 { return float64(r.AppRSS) }))
	tmPeak := int64(openMedian(rs, func(r openRun) float64 { return float64(r.TemporalPeak) }))
	tmWait := int64(openMedian(rs, func(r openRun) float64 { return float64(r.TemporalRSS) }))
	allFired, allWaited := true, true
	for _, r := range rs {
		allFired = allFired && r.Fired == r.N
		allWaited = allWaited && r.Waiting == r.N
	}
	n := thousands(cfg.N)
	res := &Result{Summary: []SummaryRow{
		{fmt.Sprintf("Worker RSS (app: worker + web + relay), %s tickets open on SLA timers", n), "< 1 GiB",
			fmt.Sprintf("%s while waiting, peak %s", mib(appWait), mib(appPeak)), appPeak < gib && appWait < gib},
		{fmt.Sprintf("Embedded Temporal server RSS, %s open", n), "—",
			fmt.Sprintf("%s while waiting, peak %s", mib(tmWait), mib(tmPeak)), true},
		{fmt.Sprintf("Starting %s open tickets", n), "—",
			fmt.Sprintf("webhook + intake %.1f/s (%s tickets), direct %.1f/s; all waiting after %s",
				openMedian(rs, openRun.webhookRate), thousands(cfg.Webhook), openMedian(rs, openRun.seedOpenRate),
				time.Duration(openMedian(rs, func(r openRun) float64 { return float64(r.OpenTook) })).Round(time.Second)), true},
		{"SLA timers fired (breach recorded)", "—", strings.Join(openEach(rs, func(r openRun) string {
			return fmt.Sprintf("%s/%s, %s waiting at once; %.1f breaches/s", thousands(r.Fired), thousands(r.N),
				thousands(r.Waiting), r.breachRate())
		}), ", "), allFired && allWaited},
	}}

	var sb strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&sb, format, args...) }
	p("Command: `go run ./cmd/hailurah-bench -only open` (part of `make bench`; `-quick` runs 1,000 tickets, 300 through the webhook, with a 75 s SLA). " +
		"Other sizes: `BENCH_OPEN_N=50000 BENCH_OPEN_WEBHOOK=1000 BENCH_OPEN_SLA=20m go run ./cmd/hailurah-bench -only open -out /tmp/open.md` " +
		"(the SLA must exceed the time to start them all).\n\n")
	if !b.Quick {
		p("**Runs: %d.** One full run takes %s (the SLA, then the breaches), so this section runs once, not %d times: the figures are that run's, not medians.\n\n",
			len(rs), time.Duration(openMedian(rs, func(r openRun) float64 { return float64(r.took()) })).Round(time.Minute), b.Runs)
	}
	if cfg.N < 50_000 && !b.Quick {
		startRate, breachRate := openMedian(rs, openRun.seedOpenRate), openMedian(rs, openRun.breachRate)
		p("**%s tickets, not the issue's 50,000.** At the rates measured here (direct starts to waiting %.0f/s, breaches %.0f/s) 50,000 take %s to start and %s for their breaches, "+
			"%s in all, beyond the 15 minutes this section may take. The worker's memory does not grow with the open tickets past its sticky cache of 10,000 workflows, which %s already fill "+
			"(see the goroutines: two per cached workflow); the server's does. `BENCH_OPEN_N=50000 BENCH_OPEN_SLA=20m` measures the whole size.\n\n",
			n, startRate, breachRate, openMinutes(50_000, startRate), openMinutes(50_000, breachRate),
			openMinutes(50_000, 1/(1/max(startRate, 1e-9)+1/max(breachRate, 1e-9))), n)
	}
	p("Set-up: the embedded Temporal server (`devserver`: SQLite `temporal.db`, one history shard — what `hailurah dev` embeds) runs alone in a child process of the bench; "+
		"the app runs as `hailurah dev --no-ui` with `TEMPORAL_ADDRESS` set to that server, so it embeds none and holds what a worker deployment holds: "+
		"the Temporal worker (SDK defaults, among them a sticky cache of 10,000 workflows), the web server, the outbox relay and the app's SQLite store. "+
		"RSS is read from `/proc/<pid>/status` (VmRSS now, VmHWM for the peak). `rules.yaml` sets the moderator SLA to %s for every urgency and one escalation level, "+
		"so every ticket has exactly one timer, due one SLA after its workflow first ran.\n\n", cfg.SLA)
	p("How the tickets are started:\n\n")
	p("1. **%s through the webhook**, as citizens send them: %d senders post signed Cloud API deliveries to `POST /webhook/whatsapp`, one new citizen each, as fast as the webhook answers "+
		"(the form's `POST /api/v1/curhat` allows 10 a minute per IP; signed deliveries are Meta's and are limited per sender only). "+
		"Each goes through its whole intake: ACK, rules triage, AI reply queued, two projected events — five activities — then waits on its timer.\n", thousands(cfg.Webhook), cfg.Senders)
	p("2. **The rest started directly on Temporal** by %d starters, with `workflows.Client.StartCurhat`, the call the webhook makes. At the webhook's intake rate on this machine "+
		"(the row below) %s tickets would take %s to start, far beyond the time a run can take; so each direct ticket is a copy of a real webhook ticket as its intake left it "+
		"(its input, triage and state read back from Temporal; its own id, tracking code, sender and a fresh SLA clock), handed to `CurhatWorkflow` as the workflow's own continue-as-new state. "+
		"Its workflow skips the intake and waits on the same timer in the same code; its history lacks the intake's events, so both kinds are measured below.\n\n",
		cfg.Senders, n, openMinutes(cfg.N, openMedian(rs, openRun.webhookRate)))
	p("The bench waits until every ticket waits (webhook tickets: triaged and open in the app's store; direct ones: `HailurahStatus = 'open'` in Temporal's visibility), "+
		"measures memory and idle CPU, reads %d sampled histories, and then waits until every ticket's breach is recorded in the app's store "+
		"(the `moderator_breach` event the workflow writes when its timer fires, followed by the staff notification).\n\n", cfg.Sample)

	heads := make([]string, len(rs))
	for i := range rs {
		heads[i] = fmt.Sprintf("Run %d", i+1)
	}
	p("| Figure | %s |\n|---|%s\n", strings.Join(heads, " | "), strings.Repeat("---|", len(rs)))
	row := func(name string, f func(r openRun) string) {
		p("| %s | %s |\n", name, strings.Join(openEach(rs, f), " | "))
	}
	row("Tickets open at once (webhook + direct)", func(r openRun) string {
		return fmt.Sprintf("%s (%s + %s)", thousands(r.Webhook+r.Seeded), thousands(r.Webhook), thousands(r.Seeded))
	})
	row("Webhook: all deliveries acknowledged (workflows started)", func(r openRun) string {
		return fmt.Sprintf("%s (%.1f/s)", r.AckTook.Round(100*time.Millisecond), r.ackRate())
	})
	row("Webhook: all triaged and waiting on the timer", func(r openRun) string {
		return fmt.Sprintf("%s (%.1f/s)", r.WebhookOpen.Round(100*time.Millisecond), r.webhookRate())
	})
	row("Direct: all started (start calls answered)", func(r openRun) string {
		return fmt.Sprintf("%s in %s (%.1f/s)", thousands(r.Seeded), r.SeedTook.Round(100*time.Millisecond), r.seedRate())
	})
	row("Direct: all waiting on the timer (first workflow task run)", func(r openRun) string {
		return fmt.Sprintf("%s after the first direct start (%.1f/s)", (r.OpenTook - r.WebhookOpen).Round(100*time.Millisecond), r.seedOpenRate())
	})
	row("Every ticket waiting, from the first delivery", func(r openRun) string { return r.OpenTook.Round(100 * time.Millisecond).String() })
	row("Waiting at once before the first deadline", func(r openRun) string {
		return fmt.Sprintf("%s/%s", thousands(r.Waiting), thousands(r.N))
	})
	row("Running CurhatWorkflow executions (Temporal visibility)", func(r openRun) string {
		if r.Running < 0 {
			return "unknown"
		}
		return thousands(int(r.Running))
	})
	row("App (worker + web) RSS while all wait", func(r openRun) string { return mib(r.AppRSS) })
	row("App Go heap in use / goroutines while all wait", func(r openRun) string {
		return fmt.Sprintf("%s / %s", mib(r.AppHeap), thousands(int(r.AppGoroutines)))
	})
	row("App peak RSS over the run (VmHWM)", func(r openRun) string { return mib(r.AppPeak) })
	row("Temporal server RSS while all wait", func(r openRun) string { return mib(r.TemporalRSS) })
	row("Temporal server peak RSS over the run (VmHWM)", func(r openRun) string { return mib(r.TemporalPeak) })
	row("Idle CPU while all wait: app / Temporal", func(r openRun) string {
		w := r.IdleWindow.Seconds()
		if w <= 0 {
			return "not measured (no idle time before the first deadline)"
		}
		return fmt.Sprintf("%.2f / %.2f CPU-s over %.0f s (%.1f%% / %.1f%% of a core)", r.AppIdleCPU, r.TemporalIdleCPU, w,
			100*r.AppIdleCPU/w, 100*r.TemporalIdleCPU/w)
	})
	row("History, webhook ticket waiting: events / size", func(r openRun) string { return r.HistWeb.String() })
	row("History, webhook ticket after its timer fired", func(r openRun) string { return r.HistWebFired.String() })
	row("History, direct ticket waiting", func(r openRun) string { return r.HistSeed.String() })
	row("History, direct ticket after its timer fired", func(r openRun) string { return r.HistSeedFired.String() })
	row("temporal.db (+WAL) at the end", func(r openRun) string {
		return fmt.Sprintf("%s (%.1f KiB per ticket)", mib(r.TemporalDB), float64(r.TemporalDB)/1024/float64(max(1, r.Webhook+r.Seeded)))
	})
	row("App store hailurah.db (+WAL) at the end", func(r openRun) string { return mib(r.AppDB) })
	row("SLA timers fired (breach recorded)", func(r openRun) string {
		return fmt.Sprintf("%s/%s", thousands(r.Fired), thousands(r.Webhook+r.Seeded))
	})
	row("Deadlines spread over (first → last)", func(r openRun) string { return r.DeadlineSpan.Round(100 * time.Millisecond).String() })
	row("Breach recorded after its deadline: p50 / p99 / max", func(r openRun) string {
		return fmt.Sprintf("%s / %s / %s", openDur(r.LagP50), openDur(r.LagP99), openDur(r.LagMax))
	})
	row("First deadline → last breach recorded", func(r openRun) string { return r.FireTook.Round(100 * time.Millisecond).String() })
	row("Last deadline → last breach recorded", func(r openRun) string { return r.AfterLast.Round(100 * time.Millisecond).String() })
	row("Breaches recorded per second (first deadline → last breach)", func(r openRun) string { return fmt.Sprintf("%.1f/s", r.breachRate()) })
	row("Server tasks failed and retried (its log)", func(r openRun) string { return thousands(r.TaskFailures) })
	row("CPU while the timers fired: app / Temporal", func(r openRun) string {
		per := 1000 * (r.AppFireCPU + r.TemporalFireCP) / float64(max(1, r.Fired))
		return fmt.Sprintf("%.0f / %.0f CPU-s (%.0f ms per breach)", r.AppFireCPU, r.TemporalFireCP, per)
	})

	for i, r := range rs {
		p("\nRun %d, phase by phase (time since the first delivery):\n\n| Phase | At | App RSS | Temporal RSS | App CPU-s | Temporal CPU-s |\n|---|---|---|---|---|---|\n", i+1)
		for _, ph := range r.Phases {
			p("| %s | %s | %s | %s | %.0f | %.0f |\n", ph.Name, ph.At.Round(time.Second), mib(ph.AppRSS), mib(ph.TemporalRSS), ph.AppCPU, ph.TmCPU)
		}
	}

	for i, r := range rs {
		pr := r.Profile
		if pr == nil {
			p("\nRun %d: the app served no Go profiles (a `hailurah` binary from before `HAILURAH_PPROF_ADDR`).\n", i+1)
			continue
		}
		p("\nRun %d, the app's memory while all wait, from its Go profiles (`HAILURAH_PPROF_ADDR`, heap after a GC): "+
			"heap in use %s, goroutine stacks %s for %s goroutines, %s obtained from the OS of which %s returned.\n\n",
			i+1, mib(pr.HeapInuse), mib(pr.StackInuse), thousands(pr.Goroutines), mib(pr.Sys), mib(pr.HeapReleased))
		var total int64
		for _, s := range pr.Heap {
			total += s.Value
		}
		p("| In-use heap (sampled) allocated by | MiB | Share |\n|---|---|---|\n")
		for _, s := range pr.Heap[:min(8, len(pr.Heap))] {
			p("| `%s` | %.1f | %.0f%% |\n", s.Func, float64(s.Value)/(1<<20), 100*float64(s.Value)/float64(max(1, total)))
		}
		p("\n| Goroutines parked in | Count |\n|---|---|\n")
		for _, s := range pr.Stacks[:min(5, len(pr.Stacks))] {
			p("| `%s` | %s |\n", s.Func, thousands(int(s.Value)))
		}
	}

	p("\nWhat limits each figure:\n\n")
	p("- **Webhook rate**: not the webhook, which answers once the workflow is started, but the intake behind it: five activities per ticket, each a workflow task and an activity task " +
		"through the embedded server, whose SQLite persistence serialises every history write, on 2 cores shared by the webhook, the worker, the server and the load generator.\n")
	p("- **Direct start rate**: each start is answered once the server has written it; the ticket waits only once the worker has run its first workflow task " +
		"(set the search attributes, start the timer), and those tasks queue behind the starts in the same server, whose CPU the phase table shows to be most of the run's.\n")
	p("- **App RSS**: set by the worker's sticky cache (the SDK's default, 10,000 workflows), not by the open tickets: past 10,000 open tickets the goroutines stay at two per cached workflow " +
		"(the workflow and its citizen-message listener) and the RSS stays flat. A cached ticket costs its two goroutine stacks, its decoded input and state (`newCurhat`, the JSON payload converter) " +
		"and the SDK's workflow environment — the profile tables above; an evicted one costs nothing until its next task, which replays its history (the sizes above). " +
		"A smaller cache (`go.temporal.io/sdk/worker.SetStickyWorkflowCacheSize`) would buy headroom under 1 GiB at the price of those replays.\n")
	p("- **Temporal RSS**: grows with the open tickets and peaks while the starts' first workflow tasks queue and while the breaches are processed. " +
		"Not broken down: the server runs in the bench's `serve-temporal` child, which serves no profiles.\n")
	p("- **Idle CPU**: with every ticket waiting, nothing runs but the worker's long polls, the server's queue processors and the outbox relay's polling.\n")
	p("- **Timer lag**: the server fires each timer when due; the breach is recorded once the worker has run the workflow task after it (a replay when the ticket left the cache) " +
		"and the projection activity, and each breach also sends a staff notification: three workflow tasks and two activities per breach. " +
		"When deadlines fall faster than that is processed the breaches queue and the lag grows; the deadlines are spread as the starts were. " +
		"Under that load the server's SQLite writes can time out (`Fail to process task … context deadline exceeded` in its log, the row above); it retries them, and every breach was still recorded unless said below.\n")
	if !allWaited {
		p("\n**Not every ticket was waiting at once**: the starts had not finished when the first deadline came near; a longer SLA (`BENCH_OPEN_SLA`) would let them all wait.\n")
	}
	if !allFired {
		p("\n**Not every timer's breach was recorded** before the bench gave up (no progress for %s); see the app's log.\n", openStall)
	}
	if appPeak >= gib || appWait >= gib {
		p("\n**The worker's RSS target was missed**: see the heap and goroutine figures above; the app's `/metrics` exposes `go_memstats_*` for a closer look.\n")
	}
	res.Body = sb.String()
	return res
}

// openMinutes is how long n take at rate a second: "about 12 min".
func openMinutes(n int, rate float64) string {
	if rate <= 0 {
		return "an unknown time"
	}
	return fmt.Sprintf("about %.0f min", float64(n)/rate/60)
}

func openEach(rs []openRun, f func(openRun) string) []string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = f(r)
	}
	return s
}

// openDur formats a lag: milliseconds below a second, else seconds.
func openDur(d time.Duration) string {
	if d < time.Second {
		return ms(d)
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

// openStall is how long the bench waits for the next breach before giving
// up on the rest.
const openStall = 3 * time.Minute

func openOnce(ctx context.Context, b *Bench, run int, cfg openConfig) (openRun, error) {
	r := openRun{openConfig: cfg, Running: -1}
	dir := filepath.Join(b.Work, fmt.Sprintf("open-%d", run))
	tp, taddr, err := startTemporal(ctx, b, filepath.Join(dir, "temporal"))
	if err != nil {
		return r, err
	}
	defer tp.stop()

	appDir := filepath.Join(dir, "app")
	if err := os.MkdirAll(appDir, 0o700); err != nil {
		return r, err
	}
	rules := filepath.Join(appDir, "rules.yaml")
	sla := cfg.SLA.String()
	if err := os.WriteFile(rules, []byte(fmt.Sprintf("sla:\n  moderator: {default: %s, by_urgency: {1: %s, 2: %s, 3: %s, 4: %s, 5: %s}}\n  escalation_levels: 1\n",
		sla, sla, sla, sla, sla, sla)), 0o600); err != nil {
		return r, err
	}
	pprofAddr, err := freeAddr()
	if err != nil {
		return r, err
	}
	app, base, err := startDev(ctx, b, appDir, "TEMPORAL_ADDRESS="+taddr, "HAILURAH_RULES="+rules,
		"WHATSAPP_APP_SECRET="+benchAppSecret, "HAILURAH_PPROF_ADDR="+pprofAddr)
	if err != nil {
		return r, err
	}
	defer app.stop()
	db, err := appDB(appDir)
	if err != nil {
		return r, err
	}
	defer db.Close()
	c, err := dialBenchTemporal(ctx, taddr)
	if err != nil {
		return r, err
	}
	defer c.Close()

	var start time.Time
	phase := func(name string) {
		at := time.Duration(0)
		if !start.IsZero() {
			at = time.Since(start)
		}
		r.Phases = append(r.Phases, openPhase{Name: name, At: at, AppRSS: app.rss(), TemporalRSS: tp.rss(),
			AppCPU: app.cpuSeconds(), TmCPU: tp.cpuSeconds()})
	}
	phase("ready, no tickets")

	// 1. Through the webhook: every delivery acknowledged, then every
	// ticket through its intake and waiting.
	start = time.Now()
	stop := openProgress(b, "acknowledged", func() (int, error) { return openCountTickets(db) }, cfg.Webhook)
	err = sendAll(ctx, base, fmt.Sprintf("o%d", run), 0, cfg.Webhook, cfg.Senders)
	stop()
	if err != nil {
		return r, err
	}
	r.AckTook = time.Since(start)
	phase(fmt.Sprintf("%s deliveries acknowledged", thousands(cfg.Webhook)))
	b.Logf("open: %d deliveries acknowledged in %s; waiting for their intake", cfg.Webhook, r.AckTook.Round(time.Second))
	if err := openPoll(ctx, b, "webhook tickets waiting", cfg.Webhook, start.Add(cfg.SLA), func() (int, error) { return openCountWaiting(db) }); err != nil {
		return r, err
	}
	r.WebhookOpen = time.Since(start)
	phase(fmt.Sprintf("%s webhook tickets waiting", thousands(cfg.Webhook)))
	var firstDue time.Time
	if err := db.QueryRowContext(ctx, `SELECT min(moderator_due) FROM tickets`).Scan(openSQLTime{&firstDue}); err != nil || firstDue.IsZero() {
		return r, fmt.Errorf("first deadline: %v", err)
	}

	// 2. The rest directly, copies of a real ticket, until the first
	// deadline comes near.
	var seeded []string
	if rest := cfg.N - cfg.Webhook; rest > 0 {
		var tmplID string
		// The latest ticket waiting, an unescalated one if any: what most
		// tickets look like.
		if err := db.QueryRowContext(ctx, `SELECT id FROM tickets WHERE status = 'open' AND processed_by_model_version <> '' AND moderator_breached = 0
			ORDER BY escalation_flag, datetime_received DESC LIMIT 1`).Scan(&tmplID); err != nil {
			return r, fmt.Errorf("no webhook ticket waiting to copy: %w", err)
		}
		tmpl, err := openReadTemplate(ctx, c, tmplID)
		if err != nil {
			return r, err
		}
		until := firstDue.Add(-cfg.Idle - 20*time.Second)
		seedStart := time.Now()
		var started atomic.Int64
		stop := openProgress(b, "started directly", func() (int, error) { return int(started.Load()), nil }, rest)
		seeded, err = openSeed(ctx, c, tmpl, rest, cfg.Senders, cfg.SLA, until, &started)
		stop()
		r.SeedTook, r.Seeded = time.Since(seedStart), len(seeded)
		if err != nil {
			return r, err
		}
		phase(fmt.Sprintf("%s started directly", thousands(r.Seeded)))
		b.Logf("open: %d tickets started directly in %s", r.Seeded, r.SeedTook.Round(time.Second))
		if r.Seeded < rest {
			b.Logf("open: stopped starting at %d of %d: the first deadline is near", r.Seeded, rest)
		}
	}
	total := cfg.Webhook + r.Seeded
	countOpen := func() (int, error) {
		web, err := openCountWaiting(db)
		if err != nil {
			return 0, err
		}
		vis, err := openCountVisible(ctx, c, " AND HailurahStatus = 'open'")
		if err != nil {
			return 0, err
		}
		// Visibility counts the webhook tickets once triaged; the store
		// once their intake is over.
		return min(int(vis), web+r.Seeded), nil
	}
	if err := openPoll(ctx, b, "tickets waiting", total, firstDue, countOpen); err != nil {
		return r, err
	}
	r.OpenTook = time.Since(start)
	r.Waiting, _ = countOpen()
	phase(fmt.Sprintf("%s tickets waiting", thousands(r.Waiting)))
	b.Logf("open: %d/%d waiting after %s; first deadline in %s", r.Waiting, cfg.N, r.OpenTook.Round(time.Second), time.Until(firstDue).Round(time.Second))

	// Idle until the first deadline: settle, then the window.
	if err := openSleep(ctx, min(5*time.Second, time.Until(firstDue)/4)); err != nil {
		return r, err
	}
	if window := min(cfg.Idle, time.Until(firstDue)-15*time.Second); window >= 2*time.Second {
		a0, t0 := app.cpuSeconds(), tp.cpuSeconds()
		w0 := time.Now()
		if err := openSleep(ctx, window); err != nil {
			return r, err
		}
		r.IdleWindow = time.Since(w0)
		r.AppIdleCPU, r.TemporalIdleCPU = app.cpuSeconds()-a0, tp.cpuSeconds()-t0
	}
	r.AppRSS, r.TemporalRSS = app.rss(), tp.rss()
	r.AppHeap, r.AppGoroutines = openScrapeGo(base)
	r.Profile = openReadProfile(pprofAddr)
	if n, err := openCountVisible(ctx, c, ""); err == nil {
		r.Running = n
	}
	if fired, err := openCountFired(db); err == nil && fired > 0 {
		r.Waiting = min(r.Waiting, total-fired) // a deadline passed already
	}
	phase("all waiting, idle window done")
	webIDs, err := openSample(db, max(1, cfg.Sample/4))
	if err != nil {
		return r, err
	}
	seedIDs := openSpread(seeded, cfg.Sample-len(webIDs))
	if r.HistWeb, err = openHistories(ctx, c, webIDs); err != nil {
		return r, err
	}
	if r.HistSeed, err = openHistories(ctx, c, seedIDs); err != nil {
		return r, err
	}

	// 3. The timers: every breach recorded.
	var lastDue time.Time
	if err := db.QueryRowContext(ctx, `SELECT max(moderator_due) FROM tickets`).Scan(openSQLTime{&lastDue}); err != nil {
		return r, fmt.Errorf("last deadline: %w", err)
	}
	if len(seeded) > 0 {
		st, err := openState(ctx, c, seeded[len(seeded)-1])
		if err != nil {
			return r, err
		}
		if st.ModeratorDue != nil && st.ModeratorDue.After(lastDue) {
			lastDue = *st.ModeratorDue
		}
	}
	r.DeadlineSpan = lastDue.Sub(firstDue)
	b.Logf("open: deadlines from %s to %s from now; waiting for the timers", time.Until(firstDue).Round(time.Second), time.Until(lastDue).Round(time.Second))
	if err := openSleep(ctx, time.Until(firstDue)); err != nil {
		return r, err
	}
	a0, t0 := app.cpuSeconds(), tp.cpuSeconds()
	phase("first deadline")
	last, lastChange := -1, time.Now()
	lastLog := time.Now()
	for {
		r.Fired, err = openCountFired(db)
		if err == nil && r.Fired >= total {
			break
		}
		if r.Fired != last {
			last, lastChange = r.Fired, time.Now()
		}
		if time.Since(lastChange) > openStall && time.Now().After(lastDue) {
			b.Logf("open: giving up with %d/%d breaches recorded, none for %s", r.Fired, total, openStall)
			break
		}
		if time.Since(lastLog) > 30*time.Second {
			b.Logf("open: %d/%d breaches recorded", r.Fired, total)
			lastLog = time.Now()
		}
		if err := openSleep(ctx, time.Second); err != nil {
			return r, err
		}
	}
	r.AppFireCPU, r.TemporalFireCP = app.cpuSeconds()-a0, tp.cpuSeconds()-t0
	phase("all breaches recorded")

	lags, lastBreach, err := openBreachLags(db)
	if err != nil {
		return r, err
	}
	if len(lags) > 0 {
		r.LagP50, r.LagP99 = percentile(lags, 50), percentile(lags, 99)
		r.LagMax = lags[len(lags)-1] // sorted by percentile
		r.FireTook, r.AfterLast = lastBreach.Sub(firstDue), lastBreach.Sub(lastDue)
	}
	if r.HistWebFired, err = openHistories(ctx, c, webIDs); err != nil {
		return r, err
	}
	if r.HistSeedFired, err = openHistories(ctx, c, seedIDs); err != nil {
		return r, err
	}
	r.AppPeak, r.TemporalPeak = app.peakRSS(), tp.peakRSS()
	if log, err := os.ReadFile(tp.log); err == nil {
		r.TaskFailures = strings.Count(string(log), `msg="Fail to process task"`)
	}
	r.TemporalDB = openFileSize(filepath.Join(dir, "temporal", "temporal.db"))
	r.AppDB = openFileSize(filepath.Join(appDir, "data", store.SQLiteFile))
	return r, nil
}

// openPoll waits until count reaches want or the deadline passes (then
// the caller reports what it reached).
func openPoll(ctx context.Context, b *Bench, what string, want int, deadline time.Time, count func() (int, error)) error {
	lastLog := time.Now()
	for {
		n, err := count()
		if err == nil && n >= want {
			return nil
		}
		if time.Now().After(deadline) {
			b.Logf("open: only %d/%d %s when the first deadline came", n, want, what)
			return nil
		}
		if time.Since(lastLog) > 15*time.Second {
			b.Logf("open: %d/%d %s", n, want, what)
			lastLog = time.Now()
		}
		if err := openSleep(ctx, time.Second); err != nil {
			return err
		}
	}
}

// openProgress logs count() every 15 s until the returned stop is called.
func openProgress(b *Bench, what string, count func() (int, error), of int) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(15 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if n, err := count(); err == nil {
					b.Logf("open: %d/%d %s", n, of, what)
				}
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

func openSleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// openTemplate is a real ticket as its intake left it, read back from
// Temporal: what a direct start copies.
type openTemplate struct {
	In     hailurah.CurhatInput
	State  hailurah.TicketState
	Triage json.RawMessage
	// Activities the intake ran, so the copy's sequence numbers continue
	// where a real ticket's would.
	Events, Sends, Notifies int
}

func openReadTemplate(ctx context.Context, c client.Client, ticketID string) (*openTemplate, error) {
	t := &openTemplate{}
	id := workflows.CurhatWorkflowID(ticketID)
	dc := benchDataConverter()
	scheduled := map[int64]string{}
	it := c.GetWorkflowHistory(ctx, id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", id, err)
		}
		switch e.GetEventType() {
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
			if err := dc.FromPayloads(e.GetWorkflowExecutionStartedEventAttributes().GetInput(), &t.In); err != nil {
				return nil, fmt.Errorf("template %s input: %w", id, err)
			}
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
			name := e.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName()
			scheduled[e.GetEventId()] = name
			switch name {
			case "ProjectTicket":
				t.Events++
			case "SendCitizen":
				t.Sends++
			case "NotifyStaff":
				t.Notifies++
			}
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
			a := e.GetActivityTaskCompletedEventAttributes()
			if scheduled[a.GetScheduledEventId()] == "Triage" {
				if err := dc.FromPayloads(a.GetResult(), &t.Triage); err != nil {
					return nil, fmt.Errorf("template %s triage: %w", id, err)
				}
			}
		}
	}
	st, err := openState(ctx, c, ticketID)
	if err != nil {
		return nil, err
	}
	t.State = *st
	if t.In.TicketID != ticketID || t.State.Status != hailurah.StatusOpen || !t.State.Triaged || len(t.Triage) == 0 || t.Events < 2 {
		return nil, fmt.Errorf("template %s is not a triaged ticket waiting for its moderator (status %s, triaged %v, %d events)",
			ticketID, t.State.Status, t.State.Triaged, t.Events)
	}
	return t, nil
}

func openState(ctx context.Context, c client.Client, ticketID string) (*hailurah.TicketState, error) {
	st, err := (&workflows.Client{Temporal: c}).State(ctx, ticketID)
	if err != nil {
		return nil, fmt.Errorf("state of %s: %w", ticketID, err)
	}
	return st, nil
}

// input is ticket j: the template's with its own identity and a fresh SLA
// clock, resumed past its intake as the workflow's continue-as-new resumes
// it. The keys are the workflow's curhatState.
func (t *openTemplate) input(j int, now time.Time, sla time.Duration) (hailurah.CurhatInput, error) {
	in := t.In
	in.TicketID = fmt.Sprintf("HL-%d-S%06d", now.Year(), j)
	in.TrackingCode = fmt.Sprintf("S%07d", j)
	in.SenderID = fmt.Sprintf("%s-s%d", t.In.SenderID, j)
	in.First.ID = fmt.Sprintf("wamid.benchseed.%d", j)
	in.First.At = now
	st := t.State
	st.TicketID, st.TrackingCode = in.TicketID, in.TrackingCode
	st.ReceivedAt, st.UpdatedAt, st.LastCitizenMessageAt = now, now, now
	due := now.Add(sla)
	st.ModeratorDue = &due
	resume, err := json.Marshal(map[string]any{
		"state": st, "triage": t.Triage,
		"intake_done": true, "reply_sent": true, "lurah_notified": st.Escalated || st.Tembusan,
		"seen": []string{in.First.ID}, "event_seq": t.Events, "send_seq": t.Sends, "notify_seq": t.Notifies,
		"phase": 1, "mod_start": now, "mod_sla": sla,
	})
	in.Resume = resume
	return in, err
}

// openSeed starts n copies of the template from `starters` goroutines
// until all are started or `until` passes, and returns the ticket ids
// started, in order. The first is checked to wait as a real ticket does.
func openSeed(ctx context.Context, c client.Client, t *openTemplate, n, starters int, sla time.Duration, until time.Time, started *atomic.Int64) ([]string, error) {
	cases := &workflows.Client{Temporal: c}
	startOne := func(j int) (string, error) {
		in, err := t.input(j, time.Now(), sla)
		if err != nil {
			return "", err
		}
		for attempt := 0; ; attempt++ {
			err = cases.StartCurhat(ctx, in)
			if attempt > 0 && hailurah.ErrorCode(err) == hailurah.ECONFLICT {
				err = nil // the attempt that timed out had started it
			}
			if err == nil {
				started.Add(1)
			}
			if err == nil || attempt == 5 || ctx.Err() != nil {
				return in.TicketID, err
			}
			time.Sleep(time.Second)
		}
	}
	first, err := startOne(0)
	if err != nil {
		return nil, err
	}
	if err := openCheckSeed(ctx, c, first); err != nil {
		return nil, err
	}
	ids := make([]string, n)
	ids[0] = first
	var next atomic.Int64
	next.Store(1)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs error
	for g := 0; g < starters; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil && time.Now().Before(until) {
				j := int(next.Add(1) - 1)
				if j >= n {
					return
				}
				id, err := startOne(j)
				if err != nil {
					mu.Lock()
					errs = errors.Join(errs, fmt.Errorf("start %s: %w", id, err))
					mu.Unlock()
					return
				}
				ids[j] = id
			}
		}()
	}
	wg.Wait()
	if errs != nil {
		return nil, errs
	}
	out := ids[:0]
	for _, id := range ids {
		if id != "" {
			out = append(out, id)
		}
	}
	return out, ctx.Err()
}

// openCheckSeed makes sure a direct ticket waits on its timer as a real
// one does: open, not breached, the deadline one SLA away. A state the
// workflow cannot read fails its first task; a key it no longer knows
// would leave the SLA zero and breach at once.
func openCheckSeed(ctx context.Context, c client.Client, id string) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		st, err := openState(ctx, c, id)
		if err == nil {
			if st.Status != hailurah.StatusOpen || st.ModeratorBreached || st.ModeratorDue == nil {
				return fmt.Errorf("direct ticket %s does not wait as a real ticket does (status %s, breached %v): the workflow's resume state has changed; update openTemplate.input",
					id, st.Status, st.ModeratorBreached)
			}
			if err := openSleep(ctx, 2*time.Second); err != nil {
				return err
			}
			if st, err = openState(ctx, c, id); err == nil && !st.ModeratorBreached {
				return nil
			}
			return fmt.Errorf("direct ticket %s breached at once (%v): the workflow's resume state has changed; update openTemplate.input", id, err)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("direct ticket %s: %w", id, err)
		}
		if err := openSleep(ctx, 500*time.Millisecond); err != nil {
			return err
		}
	}
}

func openCountTickets(db *sql.DB) (n int, err error) {
	err = db.QueryRow(`SELECT count(*) FROM tickets`).Scan(&n)
	return n, err
}

// openCountWaiting counts tickets in the app's store whose intake is over
// and whose moderator timer has not fired: triaged, open, not breached,
// and, for escalated ones, the lurah notified (counted in bulk:
// notifications has no index on the ticket).
func openCountWaiting(db *sql.DB) (int, error) {
	var plain, escalated, notified int
	err := db.QueryRow(`SELECT
		(SELECT count(*) FROM tickets WHERE status = 'open' AND processed_by_model_version <> '' AND moderator_breached = 0 AND escalation_flag = 0),
		(SELECT count(*) FROM tickets WHERE status = 'open' AND processed_by_model_version <> '' AND moderator_breached = 0 AND escalation_flag = 1),
		(SELECT count(DISTINCT ticket_id) FROM notifications WHERE kind = ?)`, hailurah.NotifyEscalation).Scan(&plain, &escalated, &notified)
	return plain + min(escalated, notified), err
}

// openCountVisible counts running CurhatWorkflow executions in Temporal's
// visibility, with an extra condition.
func openCountVisible(ctx context.Context, c client.Client, and string) (int64, error) {
	res, err := c.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{
		Query: "WorkflowType = 'CurhatWorkflow' AND ExecutionStatus = 'Running'" + and})
	if err != nil {
		return 0, err
	}
	return res.GetCount(), nil
}

func openCountFired(db *sql.DB) (n int, err error) {
	err = db.QueryRow(`SELECT count(*) FROM ticket_events WHERE type = ?`, hailurah.EventModeratorBreach).Scan(&n)
	return n, err
}

// openBreachLags is, per ticket, the time from its deadline to its breach
// event, and when the last breach was recorded.
func openBreachLags(db *sql.DB) ([]time.Duration, time.Time, error) {
	rows, err := db.Query(`SELECT t.moderator_due, e.at FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
		WHERE e.type = ?`, hailurah.EventModeratorBreach)
	if err != nil {
		return nil, time.Time{}, err
	}
	defer rows.Close()
	var lags []time.Duration
	var last time.Time
	for rows.Next() {
		var due, at time.Time
		if err := rows.Scan(openSQLTime{&due}, openSQLTime{&at}); err != nil {
			return nil, time.Time{}, err
		}
		lags = append(lags, at.Sub(due))
		if at.After(last) {
			last = at
		}
	}
	return lags, last, rows.Err()
}

// openSQLTime scans a SQLite timestamp, whether the driver hands it over
// as a time or as text.
type openSQLTime struct{ t *time.Time }

func (s openSQLTime) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*s.t = time.Time{}
		return nil
	case time.Time:
		*s.t = x
		return nil
	case []byte:
		return s.parse(string(x))
	case string:
		return s.parse(x)
	}
	return fmt.Errorf("timestamp: unexpected %T", v)
}

func (s openSQLTime) parse(v string) error {
	for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, v); err == nil {
			*s.t = t
			return nil
		}
	}
	return fmt.Errorf("timestamp: cannot parse %q", v)
}

// openSample picks n webhook ticket ids spread evenly over their arrival.
func openSample(db *sql.DB, n int) ([]string, error) {
	rows, err := db.Query(`SELECT id FROM tickets WHERE id NOT LIKE '%-S%' ORDER BY datetime_received`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var all []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		all = append(all, id)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return openSpread(all, n), nil
}

// openSpread picks n of ids, evenly spaced.
func openSpread(ids []string, n int) []string {
	if n <= 0 {
		return nil
	}
	if len(ids) <= n {
		return ids
	}
	out := make([]string, n)
	for i := range out {
		out[i] = ids[i*len(ids)/n]
	}
	return out
}

// openHistoryStats is the history of sampled workflows: medians of their
// event counts and encoded sizes.
type openHistoryStats struct {
	Sampled       int
	Events, Bytes float64
	TimerFired    int // histories with a TimerFired event
}

func (h openHistoryStats) String() string {
	if h.Sampled == 0 {
		return "—"
	}
	return fmt.Sprintf("%.0f events / %.1f KiB (median of %d; TimerFired in %d)", h.Events, h.Bytes/1024, h.Sampled, h.TimerFired)
}

// openHistories reads the sampled workflows' histories.
func openHistories(ctx context.Context, c client.Client, ids []string) (openHistoryStats, error) {
	hs := openHistoryStats{Sampled: len(ids)}
	var evs, sizes []float64
	for _, id := range ids {
		it := c.GetWorkflowHistory(ctx, workflows.CurhatWorkflowID(id), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		n, size, fired := 0, 0, false
		for it.HasNext() {
			e, err := it.Next()
			if err != nil {
				return hs, fmt.Errorf("history of %s: %w", id, err)
			}
			n++
			size += proto.Size(e)
			fired = fired || e.GetEventType() == enumspb.EVENT_TYPE_TIMER_FIRED
		}
		evs, sizes = append(evs, float64(n)), append(sizes, float64(size))
		if fired {
			hs.TimerFired++
		}
	}
	hs.Events, hs.Bytes = median(evs), median(sizes)
	return hs, nil
}

// openScrapeGo reads the app's Go heap in use and goroutines from /metrics.
func openScrapeGo(base string) (heap, goroutines int64) {
	res, err := http.Get(base + "/metrics")
	if err != nil {
		return 0, 0
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		name, val, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		if err != nil {
			continue
		}
		switch name {
		case "go_memstats_heap_inuse_bytes":
			heap = int64(f)
		case "go_goroutines":
			goroutines = int64(f)
		}
	}
	return heap, goroutines
}

// openFileSize is the size of a SQLite file with its WAL and shared memory.
func openFileSize(path string) int64 {
	var n int64
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if fi, err := os.Stat(p); err == nil {
			n += fi.Size()
		}
	}
	return n
}

// openProfile is what the app's Go profiles (HAILURAH_PPROF_ADDR) say
// about its memory while every ticket waits.
type openProfile struct {
	HeapInuse, StackInuse, Sys, HeapReleased int64
	Goroutines                               int
	Heap                                     []openShare // in-use heap by allocating function, largest first
	Stacks                                   []openShare // goroutines by their first non-runtime frame
}

type openShare struct {
	Func  string
	Value int64 // bytes, or goroutines
}

// openReadProfile reads the heap and goroutine profiles in their text
// form; nil when the app serves none (a binary from before
// HAILURAH_PPROF_ADDR).
func openReadProfile(addr string) *openProfile {
	if addr == "" {
		return nil
	}
	get := func(path string) (string, bool) {
		res, err := http.Get("http://" + addr + path)
		if err != nil {
			return "", false
		}
		defer res.Body.Close()
		var sb strings.Builder
		_, err = bufio.NewReader(res.Body).WriteTo(&sb)
		return sb.String(), err == nil && res.StatusCode == http.StatusOK
	}
	heap, ok := get("/debug/pprof/heap?gc=1&debug=1")
	if !ok {
		return nil
	}
	p := &openProfile{}
	// "heap profile: 1: 2 [3: 4] @ heap/1048576": the sampling rate is
	// half the number after heap/.
	rate := 512.0 * 1024
	if _, after, ok := strings.Cut(strings.SplitN(heap, "\n", 2)[0], "@ heap/"); ok {
		if f, err := strconv.ParseFloat(strings.TrimSpace(after), 64); err == nil && f > 0 {
			rate = f / 2
		}
	}
	byFunc := map[string]float64{}
	var cur float64
	inRecord := false
	for _, l := range strings.Split(heap, "\n") {
		if inRecord && !strings.HasPrefix(l, "#\t") {
			// A stack of the runtime's own frames only: goroutines,
			// their stacks' bookkeeping, timers.
			byFunc["(runtime only)"] += cur
			inRecord = false
		}
		switch {
		case strings.HasPrefix(l, "# ") && strings.Contains(l, " = "):
			k, v, _ := strings.Cut(strings.TrimPrefix(l, "# "), " = ")
			n, _ := strconv.ParseInt(strings.Fields(v + " 0")[0], 10, 64)
			switch k {
			case "HeapInuse":
				p.HeapInuse = n
			case "Stack":
				p.StackInuse = n
			case "Sys":
				p.Sys = n
			case "HeapReleased":
				p.HeapReleased = n
			}
		case strings.Contains(l, " @ 0x") && !strings.HasPrefix(l, "#"):
			// "objects: bytes [allocobjects: allocbytes] @ pcs": scale the
			// sample as pprof does.
			var objs, bytes int64
			fmt.Sscanf(l, "%d: %d", &objs, &bytes)
			cur, inRecord = 0, objs > 0
			if inRecord {
				avg := float64(bytes) / float64(objs)
				cur = float64(bytes) / (1 - math.Exp(-avg/rate))
			}
		case inRecord && strings.HasPrefix(l, "#\t"):
			if f := openFrame(l); f != "" {
				byFunc[f] += cur
				inRecord = false
			}
		}
	}
	for f, v := range byFunc {
		p.Heap = append(p.Heap, openShare{f, int64(v)})
	}
	slices.SortFunc(p.Heap, func(a, b openShare) int { return cmp.Compare(b.Value, a.Value) })
	if g, ok := get("/debug/pprof/goroutine?debug=1"); ok {
		byFunc := map[string]int64{}
		var n int64
		for _, l := range strings.Split(g, "\n") {
			switch {
			case strings.HasPrefix(l, "goroutine profile: total "):
				p.Goroutines, _ = strconv.Atoi(strings.TrimPrefix(l, "goroutine profile: total "))
			case strings.Contains(l, " @ 0x") && !strings.HasPrefix(l, "#"):
				fmt.Sscanf(l, "%d", &n)
				inRecord = true
			case inRecord && strings.HasPrefix(l, "#\t"):
				if f := openFrame(l); f != "" {
					byFunc[f] += n
					inRecord = false
				}
			}
		}
		for f, v := range byFunc {
			p.Stacks = append(p.Stacks, openShare{f, v})
		}
		slices.SortFunc(p.Stacks, func(a, b openShare) int { return cmp.Compare(b.Value, a.Value) })
	}
	return p
}

// openFrame is the function of a "#\t0xpc\tfunc+0xoff\tfile:line" frame,
// or "" for the runtime's own frames, which say nothing of who allocated.
func openFrame(l string) string {
	f := strings.Split(l, "\t")
	if len(f) < 3 {
		return ""
	}
	fn, _, _ := strings.Cut(f[2], "+0x")
	for _, skip := range []string{"runtime.", "runtime/", "internal/", "sync.", "reflect.", "encoding/json.", "bytes.", "strings."} {
		if strings.HasPrefix(fn, skip) {
			return ""
		}
	}
	return fn
}
