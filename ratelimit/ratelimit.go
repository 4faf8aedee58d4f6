// Package ratelimit holds the per-key token buckets that keep one source
// (an IP address, a sender) from starving the others.
package ratelimit

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Keyed is a token bucket per key (an IP, a phone hash), so a flood
// from one source cannot starve the others. Idle buckets are dropped.
type Keyed struct {
	mu      sync.Mutex
	rate    rate.Limit
	burst   int
	buckets map[string]*bucket
	now     func() time.Time
	lastGC  time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

// New allows perMinute actions a minute per key, burst of them at once.
func New(perMinute, burst int, now func() time.Time) *Keyed {
	return &Keyed{rate: rate.Limit(float64(perMinute) / 60), burst: burst,
		buckets: map[string]*bucket{}, now: now}
}

// Allow reports whether key may act now, and how long to wait if not.
func (l *Keyed) Allow(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if now.Sub(l.lastGC) > time.Minute {
		for k, b := range l.buckets {
			if now.Sub(b.seen) > 10*time.Minute {
				delete(l.buckets, k)
			}
		}
		l.lastGC = now
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{lim: rate.NewLimiter(l.rate, l.burst)}
		l.buckets[key] = b
	}
	b.seen = now
	r := b.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}
