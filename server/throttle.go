package server

import (
	"fmt"
	"strconv"
	"sync"
	"time"
)

// Login throttling: after too many failures in a window, a username (or an
// IP trying many usernames) must wait until the window passes. It is kept in
// memory: one server process per deployment is the expected topology, and a
// restart only resets the wait.
const (
	throttleWindow  = 15 * time.Minute
	maxUserFailures = 5
	maxIPFailures   = 20
	maxTracked      = 100_000 // bounds memory under a flood of usernames
)

type loginThrottle struct {
	mu    sync.Mutex
	now   func() time.Time
	users map[string][]time.Time
	ips   map[string][]time.Time
}

func newLoginThrottle(now func() time.Time) *loginThrottle {
	return &loginThrottle{now: now, users: map[string][]time.Time{}, ips: map[string][]time.Time{}}
}

// blocked returns how long the caller must wait, or 0.
func (t *loginThrottle) blocked(username, ip string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	wait := waitFor(prune(t.users, username, now), maxUserFailures, now)
	if w := waitFor(prune(t.ips, ip, now), maxIPFailures, now); w > wait {
		wait = w
	}
	return wait
}

func (t *loginThrottle) failure(username, ip string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if len(t.users) > maxTracked {
		t.users = map[string][]time.Time{}
	}
	if len(t.ips) > maxTracked {
		t.ips = map[string][]time.Time{}
	}
	t.users[username] = append(prune(t.users, username, now), now)
	t.ips[ip] = append(prune(t.ips, ip, now), now)
}

// success forgets the user's failures; the IP's stay, so one good account
// cannot be used to reset guessing at others.
func (t *loginThrottle) success(username string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.users, username)
}

func prune(m map[string][]time.Time, key string, now time.Time) []time.Time {
	times := m[key]
	i := 0
	for i < len(times) && now.Sub(times[i]) >= throttleWindow {
		i++
	}
	times = times[i:]
	if len(times) == 0 {
		delete(m, key)
		return nil
	}
	m[key] = times
	return times
}

func waitFor(failures []time.Time, limit int, now time.Time) time.Duration {
	if len(failures) < limit {
		return 0
	}
	return failures[len(failures)-limit].Add(throttleWindow).Sub(now)
}

func retryAfter(d time.Duration) string {
	return strconv.Itoa(int(d.Seconds()) + 1)
}

func humanWait(d time.Duration) string {
	if m := int(d.Minutes()); m >= 1 {
		return fmt.Sprintf("%d menit", m+1)
	}
	return fmt.Sprintf("%d detik", int(d.Seconds())+1)
}
