package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/hailurah/hailurah/workflows"
)

// intakeRun is one run of section 1.
type intakeRun struct {
	N            int
	Activities   int     // activities a curhat runs until its AI reply is queued
	IntakeRate   float64 // curhat/s, first delivery to last reply queued
	BaselineRate float64 // baseline workflows/s
	IntakeCPU    float64 // CPU seconds the app process used during intake
}

func (r intakeRun) ratio() float64 { return r.IntakeRate / r.BaselineRate }

// benchIntake: N curhat through POST /webhook/whatsapp until every ticket
// is triaged by the rules and its AI reply is in the outbox, then, on the
// same embedded Temporal server, N baseline workflows that run the same
// number of activities doing nothing.
func benchIntake(ctx context.Context, b *Bench) (*Result, error) {
	n, senders := 2000, 16
	if b.Quick {
		n = 100
	}
	var runs []intakeRun
	for i := 0; i < b.Runs; i++ {
		r, err := intakeOnce(ctx, b, i, n, senders)
		if err != nil {
			return nil, err
		}
		b.Logf("intake run %d: %d curhat at %.1f/s; baseline (%d no-op activities) %.1f/s; ratio %.2f",
			i+1, n, r.IntakeRate, r.Activities, r.BaselineRate, r.ratio())
		runs = append(runs, r)
	}
	var intake, base, ratio []float64
	for _, r := range runs {
		intake, base, ratio = append(intake, r.IntakeRate), append(base, r.BaselineRate), append(ratio, r.ratio())
	}
	med := median(ratio)
	res := &Result{Summary: []SummaryRow{
		{"Intake throughput (webhook → triaged → AI reply queued)", "—", fmt.Sprintf("%.1f curhat/s", median(intake)), true},
		{"Baseline: same embedded Temporal, same number of no-op activities", "—", fmt.Sprintf("%.1f workflows/s", median(base)), true},
		{"Intake / baseline", "≥ 0.8", fmt.Sprintf("%.2f", med), med >= 0.8},
	}}
	var sb strings.Builder
	fmt.Fprintf(&sb, "Command: `go run ./cmd/hailurah-bench -only intake` (part of `make bench`).\n\n")
	fmt.Fprintf(&sb, "Each run starts a fresh `hailurah dev` (embedded Temporal, SQLite, rules triage, WhatsApp app secret set so deliveries are signed as Meta signs them). "+
		"%d senders post %d signed Cloud API deliveries to `POST /webhook/whatsapp`, one citizen each, as fast as the webhook answers; the clock stops when the %d-th AI reply is in the outbox and every ticket is triaged "+
		"(read from the app's SQLite file). Then, on the same embedded Temporal server, the bench's own worker runs %d baseline workflows, each executing the same number of activities "+
		"as a curhat runs before its reply is queued, all doing nothing, started by the same %d concurrent starters; the clock stops when the last completes.\n\n", senders, n, n, n, senders)
	fmt.Fprintf(&sb, "| Run | Curhat | Activities per curhat | Intake (curhat/s) | Baseline (workflows/s) | Ratio | App CPU during intake |\n|---|---|---|---|---|---|---|\n")
	for i, r := range runs {
		fmt.Fprintf(&sb, "| %d | %d | %d | %.1f | %.1f | %.2f | %.1f s |\n", i+1, r.N, r.Activities, r.IntakeRate, r.BaselineRate, r.ratio(), r.IntakeCPU)
	}
	fmt.Fprintf(&sb, "| **median** | | | **%.1f** | **%.1f** | **%.2f** | |\n\n", median(intake), median(base), med)
	fmt.Fprintf(&sb, "What limits it: both paths share the embedded server, whose SQLite persistence serialises every history write on 2 cores; "+
		"the intake adds, per curhat, the webhook's own store writes (inbound message, contact, ticket row, events, outbox rows) on the app's SQLite file and the HTTP round trip.\n")
	res.Body = sb.String()
	return res, nil
}

func intakeOnce(ctx context.Context, b *Bench, run, n, senders int) (intakeRun, error) {
	dir := filepath.Join(b.Work, fmt.Sprintf("intake-%d", run))
	temporalAddr, err := freeAddr()
	if err != nil {
		return intakeRun{}, err
	}
	p, base, err := startDev(ctx, b, dir, "WHATSAPP_APP_SECRET="+benchAppSecret, "HAILURAH_DEV_TEMPORAL_ADDR="+temporalAddr)
	if err != nil {
		return intakeRun{}, err
	}
	defer p.stop()
	db, err := appDB(dir)
	if err != nil {
		return intakeRun{}, err
	}
	defer db.Close()
	tag := fmt.Sprintf("r%d", run)

	// Warm-up: the first tickets pay for caches and connections.
	const warm = 20
	if err := sendAll(ctx, base, tag+"w", 0, warm, 4); err != nil {
		return intakeRun{}, err
	}
	if _, err := waitReplies(ctx, db, warm, 2*time.Minute); err != nil {
		return intakeRun{}, err
	}

	cpu0 := p.cpuSeconds()
	start := time.Now()
	if err := sendAll(ctx, base, tag, warm, n, senders); err != nil {
		return intakeRun{}, err
	}
	end, err := waitReplies(ctx, db, warm+n, 10*time.Minute)
	if err != nil {
		return intakeRun{}, err
	}
	r := intakeRun{N: n, IntakeRate: float64(n) / end.Sub(start).Seconds(), IntakeCPU: p.cpuSeconds() - cpu0}

	c, err := dialBenchTemporal(ctx, temporalAddr)
	if err != nil {
		return r, err
	}
	defer c.Close()
	var ticket string
	if err := db.QueryRow(`SELECT id FROM tickets ORDER BY id DESC LIMIT 1`).Scan(&ticket); err != nil {
		return r, err
	}
	if r.Activities, err = activitiesBeforeWait(ctx, c, workflows.CurhatWorkflowID(ticket)); err != nil {
		return r, err
	}
	if r.BaselineRate, err = baseline(ctx, c, n, r.Activities, senders); err != nil {
		return r, err
	}
	return r, nil
}

// sendAll posts deliveries first..first+n-1 from `senders` goroutines,
// each retrying a delivery until it is acknowledged, as Meta does.
func sendAll(ctx context.Context, base, tag string, first, n, senders int) error {
	c := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: senders}}
	var next atomic.Int64
	next.Store(int64(first))
	var wg sync.WaitGroup
	var failed atomic.Int64
	var firstErr error
	var mu sync.Mutex
	for g := 0; g < senders; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				seq := int(next.Add(1) - 1)
				if seq >= first+n {
					return
				}
				body := delivery(tag, seq)
				for attempt := 0; ; attempt++ {
					code, _, err := postDelivery(c, base, body)
					if err == nil && code == http.StatusOK {
						break
					}
					failed.Add(1)
					if attempt == 20 {
						mu.Lock()
						firstErr = errors.Join(firstErr, fmt.Errorf("delivery %d: status %d, %v", seq, code, err))
						mu.Unlock()
						break
					}
					time.Sleep(100 * time.Millisecond)
				}
			}
		}()
	}
	wg.Wait()
	return firstErr
}

// waitReplies polls the app's store until `want` AI replies are queued
// and as many tickets triaged, and returns when that was first seen.
func waitReplies(ctx context.Context, db *sql.DB, want int, timeout time.Duration) (time.Time, error) {
	deadline := time.Now().Add(timeout)
	replies, triaged := 0, 0
	for time.Now().Before(deadline) {
		var err error
		replies, triaged, err = countReplies(db)
		if err == nil && replies >= want && triaged >= want {
			return time.Now(), nil
		}
		select {
		case <-ctx.Done():
			return time.Time{}, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return time.Time{}, fmt.Errorf("%d AI replies and %d triaged tickets after %s, want %d", replies, triaged, timeout, want)
}

// activitiesBeforeWait counts the activities (and local activities) a
// workflow ran so far: for a curhat waiting on its moderator, the ones
// from intake to the queued AI reply.
func activitiesBeforeWait(ctx context.Context, c client.Client, id string) (int, error) {
	it := c.GetWorkflowHistory(ctx, id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	n := 0
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			return 0, err
		}
		switch e.GetEventType() {
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
			n++
		case enumspb.EVENT_TYPE_MARKER_RECORDED:
			if e.GetMarkerRecordedEventAttributes().GetMarkerName() == "LocalActivity" {
				n++
			}
		}
	}
	if n == 0 {
		return 0, fmt.Errorf("workflow %s ran no activity", id)
	}
	return n, nil
}

const baselineQueue = "hailurah-bench-baseline"

// baselineWorkflow runs k activities that do nothing, one after another,
// as a curhat runs its activities.
func baselineWorkflow(ctx workflow.Context, k int) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute,
		RetryPolicy: &temporal.RetryPolicy{MaximumAttempts: 3}})
	for i := 0; i < k; i++ {
		if err := workflow.ExecuteActivity(ctx, noopActivity).Get(ctx, nil); err != nil {
			return err
		}
	}
	return nil
}

func noopActivity(context.Context) error { return nil }

// baseline runs n baseline workflows of k activities on the server c
// talks to, started by `starters` goroutines, and returns workflows/s
// from the first start to the last completion.
func baseline(ctx context.Context, c client.Client, n, k, starters int) (float64, error) {
	w := worker.New(c, baselineQueue, worker.Options{})
	w.RegisterWorkflow(baselineWorkflow)
	w.RegisterActivity(noopActivity)
	if err := w.Start(); err != nil {
		return 0, err
	}
	defer w.Stop()
	run := func(prefix string, count int) (time.Duration, error) {
		var next atomic.Int64
		var wg sync.WaitGroup
		errs := make(chan error, starters)
		start := time.Now()
		for g := 0; g < starters; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var runs []client.WorkflowRun
				for {
					i := int(next.Add(1) - 1)
					if i >= count {
						break
					}
					r, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: fmt.Sprintf("%s-%d", prefix, i), TaskQueue: baselineQueue}, baselineWorkflow, k)
					if err != nil {
						errs <- err
						return
					}
					runs = append(runs, r)
				}
				for _, r := range runs {
					if err := r.Get(ctx, nil); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		return time.Since(start), <-errs
	}
	if _, err := run("baseline-warm", 20); err != nil {
		return 0, err
	}
	took, err := run("baseline", n)
	if err != nil {
		return 0, err
	}
	return float64(n) / took.Seconds(), nil
}

// quietLogger drops the SDK's log lines.
type quietLogger struct{}

func (quietLogger) Debug(string, ...any) {}
func (quietLogger) Info(string, ...any)  {}
func (quietLogger) Warn(string, ...any)  {}
func (quietLogger) Error(string, ...any) {}
