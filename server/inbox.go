package server

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
	inboxShards     = 8                // hand-overs at once
	inboxQueue      = 4096             // messages waiting per shard
	inboxSweepEvery = 10 * time.Second // Config.InboxSweepEvery's default
	// inboxSweepAge is how long a stored message is left to the fast
	// path before the sweep takes it.
	inboxSweepAge = 30 * time.Second
)

type inbox struct {
	s       *Server
	shards  []chan *hailurah.InboundMessage
	quit    chan struct{}
	wg      sync.WaitGroup
	pending atomic.Int64 // queued or being handed over

	mu     sync.Mutex
	queued map[string]bool // provider ids in a shard, not queued twice
	once   sync.Once
}

// startInbox starts the shards and the sweep; the first sweep takes every
// message a previous process left stored.
func (s *Server) startInbox() {
	ib := &inbox{s: s, quit: make(chan struct{}), queued: map[string]bool{}}
	for range inboxShards {
		ch := make(chan *hailurah.InboundMessage, inboxQueue)
		ib.shards = append(ib.shards, ch)
		ib.wg.Add(1)
		go ib.work(ch)
	}
	ib.wg.Add(1)
	go ib.sweepLoop()
	s.inbox = ib
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
		ib.s.logger.Warn("inbox full; the sweep hands the message over later", slog.String("provider_id", m.ProviderID))
		return true
	}
}

func (ib *inbox) done(m *hailurah.InboundMessage) {
	ib.mu.Lock()
	delete(ib.queued, m.ProviderID)
	ib.mu.Unlock()
	ib.pending.Add(-1)
}

func (ib *inbox) work(ch chan *hailurah.InboundMessage) {
	defer ib.wg.Done()
	for {
		select {
		case <-ib.quit:
			return
		case m := <-ch:
			ib.handOver(m)
			ib.done(m)
		}
	}
}

// handOver hands one message over; a failure leaves it stored for the
// sweep (handOver released its claim).
func (ib *inbox) handOver(m *hailurah.InboundMessage) {
	ctx, cancel := context.WithTimeout(context.Background(), handOverTimeout)
	defer cancel()
	_, err := ib.s.handOver(ctx, m, true, intakeOptions{})
	switch {
	case err == nil:
	case hailurah.ErrorCode(err) == hailurah.EUNAVAILABLE:
		ib.s.logger.Warn("hand-over failed for now; the sweep retries it", slog.String("provider_id", m.ProviderID), slog.Any("err", err))
	default:
		ib.s.logger.Error("hand-over failed; the sweep retries it", slog.String("provider_id", m.ProviderID), slog.Any("err", err))
	}
}

func (ib *inbox) sweepLoop() {
	defer ib.wg.Done()
	ib.sweep(ib.s.now()) // whatever an earlier process left
	t := time.NewTicker(ib.s.cfg.InboxSweepEvery)
	defer t.Stop()
	for {
		select {
		case <-ib.quit:
			return
		case <-t.C:
			ib.sweep(ib.s.now().Add(-inboxSweepAge))
		}
	}
}

// sweep queues stored messages received before receivedBefore whose
// claim, if any, is stale.
func (ib *inbox) sweep(receivedBefore time.Time) {
	ctx, cancel := context.WithTimeout(context.Background(), handOverTimeout)
	defer cancel()
	for {
		list, err := ib.s.cfg.Channels.ListStoredInbound(ctx, receivedBefore, ib.s.now().Add(-2*handOverTimeout), 500)
		if err != nil {
			ib.s.logger.Warn("inbox sweep failed", slog.Any("err", err))
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
		case <-ib.quit:
			return
		case <-time.After(time.Second):
		}
	}
}

// stop ends the shards after their current hand-over; queued messages
// stay stored for the next process's sweep.
func (ib *inbox) stop() {
	ib.once.Do(func() { close(ib.quit) })
	ib.wg.Wait()
}

// WaitInbox waits until no message is queued or being handed over; for
// tests, which read what a delivery did right after posting it.
func (s *Server) WaitInbox(ctx context.Context) error {
	if s.inbox == nil {
		return nil
	}
	for s.inbox.pending.Load() > 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(2 * time.Millisecond):
		}
	}
	return nil
}
