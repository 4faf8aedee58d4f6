//go:build outage

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
)

// TestPostgresOutage runs the whole program on a Postgres cluster of its
// own, stops that cluster while curhat flow in, and starts it again:
// /readyz answers 503 meanwhile, intake answers 503 (the citizen's client
// retries) instead of losing anything, and afterwards every accepted curhat
// is triaged and projected. It creates and drops the cluster with Debian's
// postgresql-common tools, so it runs as root; `make test-outage`.
func TestPostgresOutage(t *testing.T) {
	const port = 5439
	cluster := "hailurah_outage"
	run := func(args ...string) {
		t.Helper()
		if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	_ = exec.Command("pg_dropcluster", "--stop", "15", cluster).Run()
	run("pg_createcluster", "15", cluster, "--port", strconv.Itoa(port), "--", "--auth=trust")
	t.Cleanup(func() { _ = exec.Command("pg_dropcluster", "--stop", "15", cluster).Run() })
	run("pg_ctlcluster", "--skip-systemctl-redirect", "15", cluster, "start")
	url := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)

	// Each citizen comes through the reverse proxy from an address of
	// their own, so the per-IP intake limit does not stand in for the
	// outage.
	m := startMain(t, t.TempDir(), "DATABASE_URL="+url, "HAILURAH_TRUSTED_PROXIES=127.0.0.1")
	base := m.HTTP.URL()
	send := func(i int) (string, int) {
		body, _ := json.Marshal(map[string]any{"text": fmt.Sprintf("HAI LURAH Taman\nRT 0%d RW 02 got mampet nomor %d", i%9+1, i)})
		req, _ := http.NewRequest("POST", base+"/api/v1/curhat", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", fmt.Sprintf("198.18.0.%d", i+1))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		id, _ := out["ticket_id"].(string)
		return id, resp.StatusCode
	}
	readyz := func() int {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}

	accepted := map[string]bool{}
	for i := 0; i < 5; i++ {
		id, st := send(i)
		if st != http.StatusAccepted {
			t.Fatalf("before the outage: %d", st)
		}
		accepted[id] = true
	}
	run("pg_ctlcluster", "--skip-systemctl-redirect", "15", cluster, "stop", "-m", "immediate")
	eventually(t, "/readyz 503 while the database is down", func() bool { return readyz() == http.StatusServiceUnavailable })
	refused := 0
	for i := 5; i < 10; i++ {
		id, st := send(i)
		switch {
		case st == http.StatusAccepted:
			accepted[id] = true // the workflow started; its projection waits for the database
		case st == http.StatusServiceUnavailable:
			refused++ // the client was told to retry: nothing was promised
		default:
			t.Fatalf("during the outage: %d", st)
		}
	}
	time.Sleep(3 * time.Second)
	run("pg_ctlcluster", "--skip-systemctl-redirect", "15", cluster, "start")
	eventually(t, "/readyz 200 after the database is back", func() bool { return readyz() == http.StatusOK })
	for i := 10; i < 15; i++ {
		id, st := send(i)
		if st != http.StatusAccepted {
			t.Fatalf("after the outage: %d", st)
		}
		accepted[id] = true
	}
	ctx := context.Background()
	for id := range accepted {
		eventually(t, "ticket "+id+" triaged and projected", func() bool {
			tk, err := m.DB.FindTicket(ctx, id)
			return err == nil && tk.Status == hailurah.StatusOpen && tk.ModelVersion != ""
		})
	}
	fmt.Printf("postgres outage: %d curhat accepted (%d refused with 503 during the outage), all %d triaged and projected after the database returned\n",
		len(accepted), refused, len(accepted))
}
