package main

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// latencyRun is one steady-load run at one rate.
type latencyRun struct {
	Rate          int
	Sent, OK      int
	P50, P95, P99 time.Duration
	Max           time.Duration
	// Waiting is how many of the curhat still had no AI reply when the
	// last answer came; Drain how long they took to get one.
	Waiting int
	Drain   time.Duration
	Profile string // CPU profile of the app under the load (first run at 100/s)
}

// benchLatency: signed Cloud API deliveries at a steady 50 and 100 a
// second, open loop (a request leaves on schedule whether or not earlier
// ones were answered), and the webhook's answer times.
func benchLatency(ctx context.Context, b *Bench) (*Result, error) {
	dur := 30 * time.Second
	if b.Quick {
		dur = 5 * time.Second
	}
	rates := []int{50, 100}
	byRate := map[int][]latencyRun{}
	for i := 0; i < b.Runs; i++ {
		for _, rate := range rates {
			r, err := latencyOnce(ctx, b, i, rate, dur)
			if err != nil {
				return nil, err
			}
			b.Logf("latency run %d at %d/s: %d sent, %d ok, p50 %s p95 %s p99 %s max %s", i+1, rate, r.Sent, r.OK, ms(r.P50), ms(r.P95), ms(r.P99), ms(r.Max))
			byRate[rate] = append(byRate[rate], r)
		}
	}
	res := &Result{}
	var sb strings.Builder
	fmt.Fprintf(&sb, "Command: `go run ./cmd/hailurah-bench -only latency` (part of `make bench`).\n\n")
	fmt.Fprintf(&sb, "Each run starts a fresh `hailurah dev` (embedded Temporal, SQLite, rules triage, app secret set), warms it with 20 deliveries, then a Go load generator "+
		"sends signed Cloud API deliveries, one new citizen each, at a steady rate for %s, open loop: each request leaves on its schedule in its own goroutine, "+
		"so a slow answer does not slow the offered load. The figure is the time to the webhook's answer. The webhook stores the message and starts the ticket's workflow, "+
		"then answers; the inbox (`intake/inbox.go`) hands the message to its workflow afterwards, where triage and the reply run, competing with the webhook for the same 2 cores. "+
		"The last two columns show what the early answer buys: how many curhat were still queued for the engine when the load stopped, and how long the system took to reply to all of them.\n\n", dur)
	fmt.Fprintf(&sb, "| Rate | Run | Sent | 200 OK | p50 | p95 | p99 | max | Without AI reply at the last answer | Time until all replied |\n|---|---|---|---|---|---|---|---|---|---|\n")
	for _, rate := range rates {
		var p50, p95, p99 []time.Duration
		allOK := true
		for i, r := range byRate[rate] {
			fmt.Fprintf(&sb, "| %d/s | %d | %d | %d | %s | %s | %s | %s | %d | %.0f s |\n", rate, i+1, r.Sent, r.OK, ms(r.P50), ms(r.P95), ms(r.P99), ms(r.Max), r.Waiting, r.Drain.Seconds())
			p50, p95, p99 = append(p50, r.P50), append(p95, r.P95), append(p99, r.P99)
			allOK = allOK && r.OK == r.Sent
		}
		m50, m95, m99 := medianDuration(p50), medianDuration(p95), medianDuration(p99)
		fmt.Fprintf(&sb, "| **%d/s** | **median** | | | **%s** | **%s** | **%s** | | | |\n", rate, ms(m50), ms(m95), ms(m99))
		target, met := "—", allOK
		if rate == 100 {
			target, met = "p99 < 50 ms, all 200", allOK && m99 < 50*time.Millisecond
		}
		res.Summary = append(res.Summary, SummaryRow{fmt.Sprintf("Webhook answer at %d deliveries/s: p50 / p95 / p99", rate), target,
			fmt.Sprintf("%s / %s / %s", ms(m50), ms(m95), ms(m99)), met})
	}
	for _, r := range byRate[100] {
		if r.Profile != "" {
			fmt.Fprintf(&sb, "\nCPU profile of the app during the first 100/s run (`HAILURAH_PPROF_ADDR`, a third of the load; `go tool pprof -top -cum`):\n\n<details><summary>profile</summary>\n\n```\n%s\n```\n</details>\n", strings.TrimSpace(trimProfile(r.Profile)))
		}
	}
	res.Body = sb.String()
	return res, nil
}

func latencyOnce(ctx context.Context, b *Bench, run, rate int, dur time.Duration) (latencyRun, error) {
	dir := filepath.Join(b.Work, fmt.Sprintf("latency-%d-%d", rate, run))
	pprofAddr, err := freeAddr()
	if err != nil {
		return latencyRun{}, err
	}
	p, base, err := startDev(ctx, b, dir, "WHATSAPP_APP_SECRET="+benchAppSecret, "HAILURAH_PPROF_ADDR="+pprofAddr)
	if err != nil {
		return latencyRun{}, err
	}
	defer p.stop()
	tag := fmt.Sprintf("l%d.%d", rate, run)
	const warm = 20
	if err := sendAll(ctx, base, tag+"w", 0, warm, 4); err != nil {
		return latencyRun{}, err
	}
	c := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256, MaxIdleConns: 256}}
	n := int(dur.Seconds()) * rate
	lat := make([]time.Duration, n)
	codes := make([]int, n)
	var wg sync.WaitGroup
	var prof string
	if run == 0 && rate == 100 {
		// Where the app's CPU goes under the load, from its second third.
		secs := max(1, int(dur.Seconds())/3)
		wg.Go(func() {
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Duration(secs) * time.Second):
			}
			out, err := profile(ctx, b.Bin, pprofAddr, dir, "latency-100", secs)
			if err != nil {
				out = "profile failed: " + err.Error()
			}
			prof = out
		})
	}
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	for i := 0; i < n; i++ {
		select {
		case <-ctx.Done():
			return latencyRun{}, ctx.Err()
		case <-tick.C:
		}
		body := delivery(tag, 1000+i)
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, took, err := postDelivery(c, base, body)
			if err != nil {
				code = 0
			}
			lat[i], codes[i] = took, code
		}()
	}
	wg.Wait()
	r := latencyRun{Rate: rate, Sent: n, Profile: prof}
	db, err := appDB(dir)
	if err != nil {
		return r, err
	}
	defer db.Close()
	replies, _, err := countReplies(db)
	if err != nil {
		return r, err
	}
	r.Waiting = warm + n - replies
	drainStart := time.Now()
	end, err := waitReplies(ctx, db, warm+n, 15*time.Minute)
	if err != nil {
		return r, err
	}
	r.Drain = end.Sub(drainStart)
	for _, code := range codes {
		if code == http.StatusOK {
			r.OK++
		}
	}
	r.P50, r.P95, r.P99 = percentile(lat, 50), percentile(lat, 95), percentile(lat, 99)
	r.Max = lat[len(lat)-1] // sorted by percentile
	return r, nil
}

// trimProfile drops pprof's header lines before the table.
func trimProfile(s string) string {
	if i := strings.Index(s, "      flat"); i >= 0 {
		return s[i:]
	}
	return s
}
