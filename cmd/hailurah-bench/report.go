package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

type report struct {
	Started  time.Time
	Quick    bool
	Runs     int
	Args     []string
	Sections []reportSection
}

type reportSection struct {
	section
	*Result
	Took time.Duration
}

// Markdown renders the whole report: the machine, the summary table, then
// every section.
func (r *report) Markdown() string {
	var sb strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&sb, format, args...) }
	p("# HAI LURAH — benchmarks\n\n")
	p("Written by `make bench` (`go run ./cmd/hailurah-bench`) on %s; do not edit by hand — run it again.\n", r.Started.Format("2006-01-02 15:04 MST"))
	if r.Quick {
		p("\n**Quick run (`-quick`): reduced sizes, one run each. These are not the published figures.**\n")
	}
	p("\n## Machine\n\n")
	for _, l := range machine() {
		p("- %s\n", l)
	}
	p("- Command: `hailurah-bench %s` (each figure is the median of %d runs unless a section says otherwise)\n", strings.Join(r.Args, " "), r.Runs)
	p("\n## Summary\n\n| Figure | Target | Measured | Met |\n|---|---|---|---|\n")
	for _, s := range r.Sections {
		for _, row := range s.Summary {
			met := "yes"
			if !row.Met {
				met = "**no**"
			}
			p("| %s | %s | %s | %s |\n", row.Figure, row.Target, row.Measured, met)
		}
	}
	for _, s := range r.Sections {
		p("\n## %s\n\n%s\n", s.title, strings.TrimSpace(s.Body))
		p("\n_Section took %s._\n", s.Took.Round(time.Second))
	}
	return sb.String()
}

// machine describes where the figures were taken.
func machine() []string {
	var out []string
	model := ""
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	out = append(out, fmt.Sprintf("CPU: %d cores available to Go (%s)", runtime.NumCPU(), orUnknown(model)))
	if kb := meminfo("MemTotal"); kb > 0 {
		out = append(out, fmt.Sprintf("Memory: %.1f GiB", float64(kb)/(1<<20)))
	}
	out = append(out, "Go: "+runtime.Version()+", "+runtime.GOOS+"/"+runtime.GOARCH)
	if v := commandOutput("git", "rev-parse", "--short", "HEAD"); v != "" {
		out = append(out, "Commit: "+v)
	}
	if v := commandOutput("psql", "--version"); v != "" {
		out = append(out, "Postgres client: "+v)
	}
	return out
}

func orUnknown(s string) string {
	if s == "" {
		return "model unknown"
	}
	return s
}

func meminfo(key string) int64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && k == key {
			var n int64
			fmt.Sscanf(strings.TrimSpace(v), "%d", &n)
			return n
		}
	}
	return 0
}

func commandOutput(name string, args ...string) string {
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// percentile of sorted-in-place durations, nearest rank; 0 for none.
func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	i := int(p/100*float64(len(d))+0.5) - 1
	return d[max(0, min(i, len(d)-1))]
}

// median of float64 values; 0 for none.
func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// medianDuration of durations; 0 for none.
func medianDuration(v []time.Duration) time.Duration {
	f := make([]float64, len(v))
	for i, d := range v {
		f[i] = float64(d)
	}
	return time.Duration(median(f))
}

// ms formats a duration in milliseconds.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}

// joinRuns formats the individual runs behind a median: "12.1, 12.4, 13.0".
func joinRuns[T any](v []T, f func(T) string) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = f(x)
	}
	return strings.Join(s, ", ")
}

// thousands writes 50000 as 50,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}
