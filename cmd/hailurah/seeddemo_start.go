package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/workflows"
)

// Every item still open at the end of the demo period gets a real
// workflow, started from the state its rows show (see workflows.ResumeCurhat
// and hailurah.GrantFrom): otherwise the first action a visitor tries
// answers "not running". The rows are written first: a worker that picks a
// workflow up at once projects onto a row that exists.

// Kinds of demo workflows, as the closing note counts them.
const (
	demoKindTicket = "tiket"
	demoKindGrant  = "hibah"
	demoKindPilot  = "pilot"
	demoKindLoan   = "pinjaman"
)

// demoStarters bounds the starts in flight: enough to overlap their round
// trips, few enough not to queue up on a SQLite-backed server.
const demoStarters = 16

// demoStart is one workflow to start.
type demoStart struct {
	kind  string
	id    string // the case's id
	start func(context.Context, *workflows.Client) error
}

// demoStarter starts workflows from a bounded pool of goroutines and
// counts them by kind. After the first failure it starts nothing more.
type demoStarter struct {
	c    *workflows.Client
	jobs chan demoStart
	wg   sync.WaitGroup

	mu     sync.Mutex
	err    error
	counts map[string]int
}

func newDemoStarter(ctx context.Context, c client.Client) *demoStarter {
	s := &demoStarter{c: &workflows.Client{Temporal: c}, jobs: make(chan demoStart), counts: map[string]int{}}
	for range demoStarters {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			for job := range s.jobs {
				if s.failed() {
					continue
				}
				err := startDemoWorkflow(ctx, s.c, job)
				s.mu.Lock()
				if err != nil {
					s.err = errors.Join(s.err, fmt.Errorf("start %s: %w", job.id, err))
				} else {
					s.counts[job.kind]++
				}
				s.mu.Unlock()
			}
		}()
	}
	return s
}

func (s *demoStarter) failed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err != nil
}

// start queues a workflow; it waits while every starter is busy, so the
// queue never holds more than the pool. It reports a failure so far.
func (s *demoStarter) start(ctx context.Context, job demoStart) error {
	select {
	case s.jobs <- job:
	case <-ctx.Done():
		return ctx.Err()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// wait lets the started workflows finish starting and returns the counts.
func (s *demoStarter) wait() (map[string]int, error) {
	close(s.jobs)
	s.wg.Wait()
	return s.counts, s.err
}

// startDemoWorkflow starts one workflow, retrying a start that failed for
// now; a retry finding the workflow started means the attempt before got
// through.
func startDemoWorkflow(ctx context.Context, c *workflows.Client, job demoStart) error {
	for attempt := 0; ; attempt++ {
		err := job.start(ctx, c)
		if attempt > 0 && hailurah.ErrorCode(err) == hailurah.ECONFLICT {
			return nil
		}
		if err == nil || attempt == 4 || ctx.Err() != nil || hailurah.ErrorCode(err) != hailurah.EUNAVAILABLE {
			return err
		}
		select {
		case <-time.After(time.Duration(attempt+1) * 500 * time.Millisecond):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// createDemoPilot records the demo pilot, started 80 days ago in
// RW01–RW03 of Taman; its PilotReviewWorkflow takes the day-76 snapshot as
// soon as a worker runs it, so the lurah finds the review packet.
func createDemoPilot(ctx context.Context, db *store.DB, now time.Time, zone hailurah.Zone) (*hailurah.Pilot, error) {
	start := zone.StartOfDay(now).AddDate(0, 0, -demoPilotDay)
	p := &hailurah.Pilot{
		Name: "Pelatihan wirausaha & digital onboarding RW01–RW03", Component: hailurah.ComponentPelatihan, Kelurahan: "taman",
		Scope:     []hailurah.PilotArea{{Kelurahan: "taman", RW: "01"}, {Kelurahan: "taman", RW: "02"}, {Kelurahan: "taman", RW: "03"}},
		StartDate: start, CycleStart: start, Owner: "fasilitator", CreatedBy: "lurah", Status: hailurah.PilotRunning, Cycle: 1,
		Targets: []hailurah.PilotTarget{
			{KPI: hailurah.KPITrained, Target: 100}, {KPI: hailurah.KPIWomenSharePct, Target: 50},
			{KPI: hailurah.KPIUMKMMarketplace, Target: 15}, {KPI: hailurah.KPIMicroBusinesses, Target: 20},
			{KPI: hailurah.KPISatisfactionPct, Target: 80},
		},
	}
	if err := db.CreatePilot(ctx, p); err != nil {
		return nil, err
	}
	return p, nil
}

func demoPilotStart(p *hailurah.Pilot, zone hailurah.Zone) demoStart {
	in := hailurah.PilotInput{Pilot: *p, Policy: hailurah.PilotPolicy{Zone: zone}.WithDefaults()}
	return demoStart{kind: demoKindPilot, id: p.ID, start: func(ctx context.Context, c *workflows.Client) error { return c.StartPilot(ctx, in) }}
}

// demoTemporal connects seed-demo to the Temporal its workflows belong on
// and checks that it answers, before anything is written: the cluster at
// TEMPORAL_ADDRESS; else the embedded server of the `hailurah dev` running
// on the data dir (holder); else an embedded server started here on the
// data dir, on a port of its own, for as long as seed-demo runs. Workflows
// started there wait in the task queue until `hailurah dev` runs them.
func demoTemporal(ctx context.Context, cfg Config, logger *slog.Logger, holder *dataHolder) (client.Client, func(), error) {
	addr := cfg.TemporalAddress
	if addr == "" && holder != nil {
		addr = holder.Temporal
	}
	if addr != "" {
		c, err := dialTemporal(ctx, cfg, addr, logger, nil)
		if err == nil {
			_, err = c.CheckHealth(ctx, &client.CheckHealthRequest{})
			if err != nil {
				c.Close()
			}
		}
		if err != nil {
			return nil, nil, fmt.Errorf("tidak dapat menghubungi Temporal di %s; data demo belum diisi: %w", addr, err)
		}
		return c, c.Close, nil
	}
	m := &Main{Config: cfg, NoUI: true, Logger: logger}
	m.Config.DevTemporalAddr = "127.0.0.1:0"
	if err := m.connectTemporal(ctx); err != nil {
		_ = m.Close()
		return nil, nil, err
	}
	return m.Temporal, func() { _ = m.Close() }, nil
}
