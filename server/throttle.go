package server

import (
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"
)

// Login throttling. A kelurahan office is one address behind NAT, so the
// limits are keyed to spare it: one username at one address waits after
// maxPairFailures (a person's typos stop only that person); an address
// waits after failures for maxIPUsernames different usernames (someone
// guessing accounts, not mistyping one); a username waits after
// maxUserFailures from anywhere (guessing one account from many
// addresses). A username that signed in from an address before (a known
// pair, remembered for knownPairFor) is held only by its own failures
// there, so neither a colleague's typos nor a stranger's guesses lock
// the office out. Kept in memory: one server process per deployment is
// the expected topology, and a restart only resets the wait.
const (
	throttleWindow  = 15 * time.Minute
	maxPairFailures = 5
	maxIPUsernames  = 20
	maxUserFailures = 20
	knownPairFor    = 30 * 24 * time.Hour
	maxTracked      = 100_000 // bounds memory under a flood of usernames
)

type loginThrottle struct {
	mu    sync.Mutex
	now   func() time.Time
	pairs map[string][]time.Time // ip + "\x00" + username
	users map[string][]time.Time
	// ips holds, per address, the failures of usernames not yet counted
	// in the window: one time per distinct username, its latest failure.
	ips   map[string]map[string]time.Time
	known map[string]time.Time // pair → last successful login
}

func newLoginThrottle(now func() time.Time) *loginThrottle {
	return &loginThrottle{now: now, pairs: map[string][]time.Time{}, users: map[string][]time.Time{},
		ips: map[string]map[string]time.Time{}, known: map[string]time.Time{}}
}

func pairKey(username, ip string) string { return ip + "\x00" + username }

// blocked returns how long the caller must wait, or 0.
func (t *loginThrottle) blocked(username, ip string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	pair := pairKey(username, ip)
	wait := waitFor(prune(t.pairs, pair, now), maxPairFailures, now)
	if at, ok := t.known[pair]; ok && now.Sub(at) < knownPairFor {
		return wait
	}
	if w := waitFor(prune(t.users, username, now), maxUserFailures, now); w > wait {
		wait = w
	}
	if w := waitFor(t.ipUsernames(ip, now), maxIPUsernames, now); w > wait {
		wait = w
	}
	return wait
}

func (t *loginThrottle) failure(username, ip string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if len(t.pairs) > maxTracked || len(t.users) > maxTracked || len(t.ips) > maxTracked {
		t.pairs, t.users, t.ips = map[string][]time.Time{}, map[string][]time.Time{}, map[string]map[string]time.Time{}
	}
	pair := pairKey(username, ip)
	t.pairs[pair] = append(prune(t.pairs, pair, now), now)
	t.users[username] = append(prune(t.users, username, now), now)
	names := t.ips[ip]
	if names == nil {
		names = map[string]time.Time{}
		t.ips[ip] = names
	}
	if len(names) <= maxIPUsernames*2 {
		names[username] = now
	}
}

// success forgets the pair's failures and remembers the pair as known.
// The address's and the username's other failures stay, so one good
// account cannot be used to reset guessing at others.
func (t *loginThrottle) success(username, ip string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	pair := pairKey(username, ip)
	delete(t.pairs, pair)
	if len(t.known) > maxTracked {
		t.known = map[string]time.Time{}
	}
	t.known[pair] = t.now()
}

// ipUsernames returns, oldest first, the latest failure time of each
// username that failed from ip within the window.
func (t *loginThrottle) ipUsernames(ip string, now time.Time) []time.Time {
	var times []time.Time
	for name, at := range t.ips[ip] {
		if now.Sub(at) >= throttleWindow {
			delete(t.ips[ip], name)
			continue
		}
		times = append(times, at)
	}
	if len(t.ips[ip]) == 0 {
		delete(t.ips, ip)
	}
	slices.SortFunc(times, time.Time.Compare)
	return times
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
