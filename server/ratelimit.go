package server

import (
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"

	"github.com/hailurah/hailurah"
)

// keyedLimiter is a token bucket per key (an IP, a phone hash), so a flood
// from one source cannot starve the others. Idle buckets are dropped.
type keyedLimiter struct {
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

func newKeyedLimiter(perMinute, burst int, now func() time.Time) *keyedLimiter {
	return &keyedLimiter{rate: rate.Limit(float64(perMinute) / 60), burst: burst,
		buckets: map[string]*bucket{}, now: now}
}

// allow reports whether key may act now, and how long to wait if not.
func (l *keyedLimiter) allow(key string) (bool, time.Duration) {
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

// limitByIP applies l to the client's IP.
func limitByIP(l *keyedLimiter) gin.HandlerFunc {
	return func(c *gin.Context) {
		if allowIP(c, l) {
			c.Next()
		}
	}
}

// allowIP takes one request of the client's address from l, or answers
// 429 with Retry-After and reports false.
func allowIP(c *gin.Context, l *keyedLimiter) bool {
	if ok, wait := l.allow(c.ClientIP()); !ok {
		c.Header("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		fail(c, hailurah.Errorf(hailurah.ETOOMANY, "Terlalu banyak permintaan. Coba lagi sebentar lagi."))
		return false
	}
	return true
}
