package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// proc is a child process the bench started: `hailurah dev` or the
// Temporal server alone.
type proc struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan error
}

// startProc starts bin with args and env added to the bench's own, its
// output in a log file under dir.
func startProc(b *Bench, name, dir string, env []string, bin string, args ...string) (*proc, error) {
	logPath := filepath.Join(dir, name+".log")
	f, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, err
	}
	p := &proc{name: name, cmd: cmd, log: logPath, done: make(chan error, 1)}
	go func() { p.done <- cmd.Wait(); f.Close() }()
	b.Logf("started %s (pid %d), log %s", name, cmd.Process.Pid, logPath)
	return p, nil
}

// devEnv is the environment of a `hailurah dev` under benchmark: its own
// data dir and ports, no Temporal UI, warnings only in the log.
func devEnv(dir, addr string, extra ...string) []string {
	return append([]string{
		"HAILURAH_DATA_DIR=" + filepath.Join(dir, "data"), "HAILURAH_ADDR=" + addr,
		"HAILURAH_DEV_TEMPORAL_ADDR=127.0.0.1:0", "HAILURAH_DEMO_PASSWORD=bench-sandi-123", "HAILURAH_SECRET=" + benchSecret,
		"HAILURAH_LOG_LEVEL=warn", "GEMINI_API_KEY=", "WHATSAPP_TOKEN=", "DATABASE_URL=", "TEMPORAL_ADDRESS=",
	}, extra...)
}

// startDev runs `hailurah dev --no-ui` in dir and waits until /readyz
// answers 200.
func startDev(ctx context.Context, b *Bench, dir string, extra ...string) (*proc, string, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, "", err
	}
	p, err := startProc(b, "hailurah-dev", dir, devEnv(dir, addr, extra...), b.Bin, "dev", "--no-ui")
	if err != nil {
		return nil, "", err
	}
	base := "http://" + addr
	if err := p.waitHTTP(ctx, base+"/readyz", 3*time.Minute); err != nil {
		p.stop()
		return nil, "", err
	}
	return p, base, nil
}

// waitHTTP polls url until it answers 200, the process exits or the
// timeout passes.
func (p *proc) waitHTTP(ctx context.Context, url string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case err := <-p.done:
			p.done <- err
			return fmt.Errorf("%s exited (%v) before it was ready; see %s:\n%s", p.name, err, p.log, p.tail(20))
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		if res, err := http.Get(url); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
	}
	return fmt.Errorf("%s not ready after %s; see %s", p.name, timeout, p.log)
}

// stop interrupts the process and waits for it (killing it after 30 s).
func (p *proc) stop() {
	if p == nil || p.cmd.Process == nil {
		return
	}
	_ = p.cmd.Process.Signal(os.Interrupt)
	select {
	case err := <-p.done:
		p.done <- err
	case <-time.After(30 * time.Second):
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		err := <-p.done
		p.done <- err
	}
}

// rss is the process's resident set size in bytes (VmRSS), 0 if unknown.
func (p *proc) rss() int64 { return rssOf(p.cmd.Process.Pid) }

// peakRSS is the process's peak resident set size in bytes (VmHWM).
func (p *proc) peakRSS() int64 { return statusKB(p.cmd.Process.Pid, "VmHWM") * 1024 }

func rssOf(pid int) int64 { return statusKB(pid, "VmRSS") * 1024 }

func statusKB(pid int, key string) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && k == key {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// cpuSeconds is the user+system CPU time the process has used.
func (p *proc) cpuSeconds() float64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(p.cmd.Process.Pid) + "/stat")
	if err != nil {
		return 0
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / 100 // USER_HZ
}

func (p *proc) tail(n int) string {
	b, err := os.ReadFile(p.log)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// mib formats bytes as MiB.
func mib(n int64) string { return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20)) }

// profile fetches a CPU profile of `seconds` from a process started with
// HAILURAH_PPROF_ADDR=pprofAddr, keeps it in dir and returns the top of
// it as text (`go tool pprof -top`), cumulative, for the report.
func profile(ctx context.Context, bin, pprofAddr, dir, name string, seconds int) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet,
		fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", pprofAddr, seconds), nil)
	if err != nil {
		return "", err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	path := filepath.Join(dir, name+".pprof")
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(f, res.Body); err != nil {
		f.Close()
		return "", err
	}
	f.Close()
	out, err := exec.CommandContext(ctx, "go", "tool", "pprof", "-top", "-cum", "-nodecount=25", bin, path).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go tool pprof: %v: %s", err, out)
	}
	return string(out), nil
}
