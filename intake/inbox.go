package intake

import (
	"context"
	"hash/fnv"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hailurah/hailurah"
)

// The inbox hands WhatsApp messages over to their tickets after the
// webhook has answered. The webhook only stores a delivery's messages
// (the durable part) and answers Meta at once; starting or signalling the
// ticket's workflow, which waits on Temporal's persistence, happens here.
// So the webhook's answer does not wait for the engine, and a burst on a
// flood night queues up in the store instead of timing Meta out.
//
// Messages are spread over shards by sender: one sender's messages are
// handed over one at a time, in the order they were stored, while other
// senders' go in parallel. A message that cannot be queued (a full shard),
// fails for now (Temporal down), or was stored by a process that died
// before handing it over stays stored; the sweep finds it and queues it
// again. Claims (ClaimInbound) keep two servers from handing one message
// over twice.
const (
	inboxShards       = 8                // hand-overs at once
	inboxQueue        = 4096             // messages waiting per shard
	defaultSweepEvery = 10 * time.Second // Config.SweepEvery's default
	// inboxSweepAge is how long a stored message is left to the fast
	// path before the sweep takes it.
	inboxSweepAge = 30 * time.Second
)

type inbox struct {
	x       *Intake
	shards  []chan *hailurah.InboundMessage
	pending atomic.Int64 // queued or being handed over

	mu     sync.Mutex
	queued map[string]bool // provider ids in a shard, not queued twice
}

func newInbox(x *Intake) *inbox {
	ib := &inbox{x: x, queued: map[string]bool{}}
	for range inboxShards {
		ib.shards = append(ib.shards, make(chan *hailurah.InboundMessage, inboxQueue))
	}
	return ib
}

// Run hands over the messages Accept queued, on the inbox's shards, and
// sweeps up those left stored, until ctx ends; the first sweep takes every
// message a previous process left. Messages still queued then stay stored
// for the next process's sweep.
func (x *Intake) Run(ctx context.Context) error {
	ib := x.inbox
	var wg sync.WaitGroup
	for _, ch := range ib.shards {
		wg.Go(func() { ib.work(ctx, ch) })
	}
	wg.Go(func() { ib.sweepLoop(ctx) })
	wg.Wait()
	return nil
}

// enqueue queues a stored message for hand-over unless it is queued
// already, and reports whether it was new to the inbox. A full shard
// leaves it to the sweep.
func (ib *inbox) enqueue(m *hailurah.InboundMessage) bool {
	ib.mu.Lock()
	if ib.queued[m.ProviderID] {
		ib.mu.Unlock()
		return false
	}
	ib.queued[m.ProviderID] = true
	ib.mu.Unlock()
	ib.pending.Add(1)
	h := fnv.New32a()
	h.Write([]byte(m.SenderID))
	select {
	case ib.shards[h.Sum32()%uint32(len(ib.shards))] <- m:
		return true
	default:
		ib.done(m)
		ib.x.logger.Warn("inbox full; the sweep hands the message over later", slog.String("provider_id", m.ProviderID))
		return true
	}
}

func (ib *inbox) done(m *hailurah.InboundMessage) {
	ib.mu.Lock()
	delete(ib.queued, m.ProviderID)
	ib.mu.Unlock()
	ib.pending.Add(-1)
}

func (ib *inbox) work(ctx context.Context, ch chan *hailurah.InboundMessage) {
	for {
		select {
		case <-ctx.Done():
			return
		case m := <-ch:
			ib.handOver(ctx, m)
			ib.done(m)
		}
	}
}

// handOver hands one message over; a failure leaves it stored for the
// sweep (handOver released its claim).
func (ib *inbox) handOver(runCtx context.Context, m *hailurah.InboundMessage) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(runCtx), HandOverTimeout)
	defer cancel()
	_, err := ib.x.handOver(ctx, m, true, routing{})
	switch {
	case err == nil:
	case hailurah.ErrorCode(err) == hailurah.EUNAVAILABLE:
		ib.x.logger.Warn("hand-over failed for now; the sweep retries it", slog.String("provider_id", m.ProviderID), slog.Any("err", err))
	default:
		ib.x.logger.Error("hand-over failed; the sweep retries it", slog.String("provider_id", m.ProviderID), slog.Any("err", err))
	}
}

func (ib *inbox) sweepLoop(ctx context.Context) {
	ib.sweep(ctx, ib.x.now()) // whatever an earlier process left
	t := time.NewTicker(ib.x.cfg.SweepEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			ib.sweep(ctx, ib.x.now().Add(-inboxSweepAge))
		}
	}
}

// sweep queues stored messages received before receivedBefore whose
// claim, if any, is stale.
func (ib *inbox) sweep(runCtx context.Context, receivedBefore time.Time) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(runCtx), HandOverTimeout)
	defer cancel()
	for {
		list, err := ib.x.store.ListStoredInbound(ctx, receivedBefore, ib.x.now().Add(-2*HandOverTimeout), 500)
		if err != nil {
			ib.x.logger.Warn("inbox sweep failed", slog.Any("err", err))
			return
		}
		fresh := 0
		for _, m := range list {
			if ib.enqueue(m) {
				fresh++
			}
		}
		if len(list) < 500 || fresh == 0 {
			return
		}
		// A long backlog: let the shards work through this page first.
		select {
		case <-runCtx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}

// Wait waits until no message is queued or being handed over; for tests,
// which read what a delivery did right after posting it.
func (x *Intake) Wait(ctx context.Context) error {
	for x.inbox.pending.Load() > 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(2 * time.Millisecond):
		}
	}
	return nil
}
