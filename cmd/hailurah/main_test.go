package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"
)

// startMain runs the whole program in-process on port 0 with a temp data
// dir, as `hailurah dev` does, and waits for /readyz.
func startMain(t *testing.T, dataDir string, extraEnv ...string) *Main {
	t.Helper()
	return startMainLogging(t, dataDir, io.Discard, extraEnv...)
}

// startMainLogging is startMain with the program's log written to w.
func startMainLogging(t *testing.T, dataDir string, w io.Writer, extraEnv ...string) *Main {
	t.Helper()
	cfg := testConfig(t, dataDir, extraEnv...)
	var out bytes.Buffer
	m := &Main{Config: cfg, Mode: ModeDev, NoUI: true, Logger: newLogger(w, "debug"), Out: &out}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := m.Run(ctx); err != nil {
		_ = m.Close()
		t.Fatalf("run: %v", err)
	}
	t.Cleanup(func() { _ = m.Close() })
	for _, want := range []string{"HAI LURAH berjalan", m.HTTP.URL(), "moderator-demangan", "demo-sandi-123"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("banner lacks %q:\n%s", want, out.String())
		}
	}
	waitReady(t, m.HTTP.URL())
	return m
}

// testConfig is the configuration of a program the tests run: dataDir,
// port 0 everywhere, the demo password, plus extraEnv ("KEY=value").
func testConfig(t *testing.T, dataDir string, extraEnv ...string) Config {
	t.Helper()
	env := map[string]string{
		"HAILURAH_DATA_DIR":          dataDir,
		"HAILURAH_ADDR":              "127.0.0.1:0",
		"HAILURAH_DEV_TEMPORAL_ADDR": "127.0.0.1:0",
		"HAILURAH_DEMO_PASSWORD":     "demo-sandi-123",
		"HAILURAH_LOG_LEVEL":         "warn",
	}
	for _, kv := range extraEnv {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	cfg, err := LoadConfig(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// waitReady waits for the program at base to answer /readyz.
func waitReady(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("readyz not ready after a minute: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func loginAndMe(t *testing.T, base, username, password string) map[string]any {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	body, _ := json.Marshal(map[string]string{"username": username, "password": password})
	resp, err := c.Post(base+"/api/v1/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("login %s: %d", username, resp.StatusCode)
	}
	resp, err = c.Get(base + "/api/v1/me")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var me map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&me); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("me %s: %d %v", username, resp.StatusCode, err)
	}
	return me
}

// TestEndToEnd starts the whole program, logs in as every demo user, stops
// it, starts it again on the same data dir and logs in again.
func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server")
	}
	dir := t.TempDir()
	m := startMain(t, dir)
	for _, u := range demoUsers {
		me := loginAndMe(t, m.HTTP.URL(), u.Username, "demo-sandi-123")
		if me["username"] != u.Username || me["role"] != string(u.Role) || me["kelurahan"] != u.Kelurahan || me["unit"] != u.Unit {
			t.Errorf("me for %s: %v", u.Username, me)
		}
	}
	if err := m.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}

	m = startMain(t, dir)
	me := loginAndMe(t, m.HTTP.URL(), "lurah-demangan", "demo-sandi-123")
	if me["kelurahan"] != "demangan" {
		t.Fatalf("after restart: %v", me)
	}
}

// TestConfigZone: HAILURAH_TZ is read, Asia/Jakarta by default, and given
// to the grant policy the workflows start with.
func TestConfigZone(t *testing.T) {
	for tz, want := range map[string]string{"": "Asia/Jakarta", "Asia/Makassar": "Asia/Makassar", "Asia/Jayapura": "Asia/Jayapura"} {
		cfg, err := LoadConfig(func(k string) string {
			if k == "HAILURAH_TZ" {
				return tz
			}
			return ""
		})
		if err != nil || cfg.Zone.Name() != want || cfg.GrantPolicy.Zone.Name() != want {
			t.Errorf("HAILURAH_TZ=%q: zone %q, grant policy %q, %v; want %q", tz, cfg.Zone.Name(), cfg.GrantPolicy.Zone.Name(), err, want)
		}
	}
	if _, err := LoadConfig(func(k string) string {
		if k == "HAILURAH_TZ" {
			return "Local"
		}
		return ""
	}); err == nil || !strings.Contains(err.Error(), "HAILURAH_TZ") {
		t.Errorf("HAILURAH_TZ=Local: %v; the zone must not depend on the machine", err)
	}
}

func TestConfigErrors(t *testing.T) {
	for env, want := range map[string]string{
		"DATABASE_URL=mysql://x":           "DATABASE_URL",
		"HAILURAH_TZ=Mars/Olympus":         "HAILURAH_TZ",
		"HAILURAH_SECURE_COOKIES=kadang":   "HAILURAH_SECURE_COOKIES",
		"HAILURAH_PPROF_ADDR=0.0.0.0:6060": "loopback",
		"HAILURAH_PPROF_ADDR=6060":         "host:port",
	} {
		k, v, _ := strings.Cut(env, "=")
		_, err := LoadConfig(func(key string) string {
			if key == k {
				return v
			}
			return ""
		})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v", env, err)
		}
	}
	cfg, err := LoadConfig(func(string) string { return "" })
	if err != nil || cfg.Addr != ":8080" || cfg.DevTemporalAddr != "127.0.0.1:7233" || cfg.DevUIAddr != "127.0.0.1:8233" || cfg.Namespace != "default" {
		t.Fatalf("defaults: %+v %v", cfg, err)
	}
	for _, addr := range []string{"127.0.0.1:6060", "[::1]:0", "localhost:6060"} {
		if cfg, err := LoadConfig(func(k string) string {
			if k == "HAILURAH_PPROF_ADDR" {
				return addr
			}
			return ""
		}); err != nil || cfg.PprofAddr != addr {
			t.Errorf("HAILURAH_PPROF_ADDR=%s: %v", addr, err)
		}
	}
	if err := (&Config{}).ensureSecret(false); err == nil {
		t.Fatal("production without HAILURAH_SECRET must fail")
	}
}
