package devserver_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/hailurah/hailurah/devserver"
)

const (
	taskQueue     = "devserver-test"
	signalGo      = "go"
	timerDuration = 5 * time.Second
)

// sleepAfterSignal waits for a signal, then sleeps on a durable timer, so a
// server restart can fall between the timer's start and its firing.
func sleepAfterSignal(ctx workflow.Context) (string, error) {
	var msg string
	workflow.GetSignalChannel(ctx, signalGo).Receive(ctx, &msg)
	if err := workflow.Sleep(ctx, timerDuration); err != nil {
		return "", err
	}
	return msg + ", setelah timer", nil
}

func TestTimerSurvivesRestart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	dir := t.TempDir()
	logger := testLogger(t)

	srv := mustStart(t, ctx, devserver.Options{
		DataDir:      dir,
		FrontendAddr: "127.0.0.1:0",
		UIAddr:       "127.0.0.1:0",
		Logger:       logger,
	})
	if srv.Namespace() != devserver.DefaultNamespace {
		t.Errorf("Namespace() = %q, want %q", srv.Namespace(), devserver.DefaultNamespace)
	}
	if _, err := os.Stat(filepath.Join(dir, "temporal.db")); err != nil {
		t.Errorf("database file: %v", err)
	}

	resp, err := http.Get("http://" + srv.UIAddr() + "/")
	if err != nil {
		t.Fatalf("GET web UI: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "<html") {
		t.Fatalf("GET web UI: %s, body starts %.80q", resp.Status, body)
	}
	// The UI's API calls reach this server's frontend.
	resp, err = http.Get("http://" + srv.UIAddr() + "/api/v1/namespaces/" + srv.Namespace())
	if err != nil {
		t.Fatalf("GET web UI API: %v", err)
	}
	var described struct {
		NamespaceInfo struct{ Name string }
	}
	err = json.NewDecoder(resp.Body).Decode(&described)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || err != nil || described.NamespaceInfo.Name != srv.Namespace() {
		t.Fatalf("GET web UI API: %s, decoding: %v, namespace %q", resp.Status, err, described.NamespaceInfo.Name)
	}

	c, stopWorker := dialWithWorker(t, srv, logger)
	ns, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: srv.Namespace()})
	if err != nil {
		t.Fatalf("DescribeNamespace: %v", err)
	}
	if r := ns.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration(); r < 7*24*time.Hour {
		t.Errorf("namespace retention = %v, want at least 7 days", r)
	}

	const id = "restart-timer"
	if _, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: taskQueue}, sleepAfterSignal); err != nil {
		t.Fatalf("ExecuteWorkflow: %v", err)
	}
	if err := c.SignalWorkflow(ctx, id, "", signalGo, "halo"); err != nil {
		t.Fatalf("SignalWorkflow: %v", err)
	}
	timerStarted := waitForEvent(t, ctx, c, id, enumspb.EVENT_TYPE_TIMER_STARTED)
	if ev := findEvent(t, ctx, c, id, enumspb.EVENT_TYPE_TIMER_FIRED); ev != nil {
		t.Fatal("timer fired before the server was stopped; nothing left to prove")
	}
	stopWorker()
	if err := srv.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}

	restarted := time.Now()
	t.Logf("restarting %v before the timer is due", timerStarted.GetEventTime().AsTime().Add(timerDuration).Sub(restarted))
	srv = mustStart(t, ctx, devserver.Options{
		DataDir:      dir,
		FrontendAddr: "127.0.0.1:0",
		Logger:       logger,
	})
	if srv.UIAddr() != "" {
		t.Errorf("UIAddr() = %q without a UI", srv.UIAddr())
	}
	c, _ = dialWithWorker(t, srv, logger)

	// Promptly: services that cannot find each other after a restart
	// (see forgetMembers) once held the workflow back for 20 seconds.
	due := timerStarted.GetEventTime().AsTime().Add(timerDuration)
	getCtx, cancelGet := context.WithDeadline(ctx, due.Add(10*time.Second))
	defer cancelGet()
	var result string
	if err := c.GetWorkflow(getCtx, id, "").Get(getCtx, &result); err != nil {
		t.Fatalf("workflow result: %v", err)
	}
	if want := "halo, setelah timer"; result != want {
		t.Errorf("result = %q, want %q", result, want)
	}
	fired := findEvent(t, ctx, c, id, enumspb.EVENT_TYPE_TIMER_FIRED)
	if fired == nil {
		t.Fatal("no TimerFired event in a completed workflow")
	}
	if at := fired.GetEventTime().AsTime(); !at.After(restarted) {
		t.Errorf("timer fired at %v, before the restart at %v", at, restarted)
	}
}

func TestSearchAttributesAcrossRestarts(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	dir := t.TempDir()
	logger := testLogger(t)
	start := func(attrs map[string]enumspb.IndexedValueType) (*devserver.Server, error) {
		return devserver.Start(ctx, devserver.Options{
			DataDir:          dir,
			FrontendAddr:     "127.0.0.1:0",
			Logger:           logger,
			SearchAttributes: attrs,
		})
	}

	// The first start creates the namespace with these attributes.
	first := map[string]enumspb.IndexedValueType{
		"HailurahKelurahan": enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		"HailurahStatus":    enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	}
	srv, err := start(first)
	if err != nil {
		t.Fatalf("first Start: %v", err)
	}
	assertSearchAttributes(t, ctx, srv, first)
	mustStop(t, srv)

	// Restarting with one more attribute adds it through the operator
	// service, into the namespace that already exists.
	second := map[string]enumspb.IndexedValueType{
		"HailurahKelurahan": enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		"HailurahStatus":    enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		"HailurahUrgensi":   enumspb.INDEXED_VALUE_TYPE_INT,
	}
	srv, err = start(second)
	if err != nil {
		t.Fatalf("Start with a new search attribute: %v", err)
	}
	assertSearchAttributes(t, ctx, srv, second)

	// The added attribute is usable at once, in a new workflow and in a
	// visibility query.
	c, stopWorker := dialWithWorker(t, srv, logger)
	urgensi := temporal.NewSearchAttributeKeyInt64("HailurahUrgensi")
	kelurahan := temporal.NewSearchAttributeKeyKeyword("HailurahKelurahan")
	_, err = c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:        "search-attributes",
		TaskQueue: taskQueue,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			urgensi.ValueSet(4),
			kelurahan.ValueSet("Taman"),
		),
	}, sleepAfterSignal)
	if err != nil {
		t.Fatalf("ExecuteWorkflow with search attributes: %v", err)
	}
	query := `HailurahUrgensi = 4 AND HailurahKelurahan = "Taman"`
	waitFor(t, ctx, "workflow listed by "+query, func() (bool, error) {
		resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: query})
		if err != nil {
			return false, err
		}
		return len(resp.GetExecutions()) == 1, nil
	})
	if err := c.TerminateWorkflow(ctx, "search-attributes", "", "test done"); err != nil {
		t.Errorf("TerminateWorkflow: %v", err)
	}
	stopWorker()
	mustStop(t, srv)

	// The same set again changes nothing.
	srv, err = start(second)
	if err != nil {
		t.Fatalf("Start with the same search attributes: %v", err)
	}
	assertSearchAttributes(t, ctx, srv, second)
	mustStop(t, srv)

	// An attribute registered with another type is refused, not silently kept.
	_, err = start(map[string]enumspb.IndexedValueType{"HailurahStatus": enumspb.INDEXED_VALUE_TYPE_INT})
	if err == nil || !strings.Contains(err.Error(), "HailurahStatus") {
		t.Fatalf("Start with a conflicting type: err = %v, want an error naming HailurahStatus", err)
	}
}

func TestStopTwice(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	srv, err := devserver.Start(ctx, devserver.Options{
		DataDir:      t.TempDir(),
		FrontendAddr: "127.0.0.1:0",
		UIAddr:       "127.0.0.1:0",
		Logger:       testLogger(t),
	})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	frontend, ui := srv.FrontendAddr(), srv.UIAddr()
	if err := srv.Stop(); err != nil {
		t.Fatalf("first Stop: %v", err)
	}
	if err := srv.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
	for _, addr := range []string{frontend, ui} {
		if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			_ = conn.Close()
			t.Errorf("%s still accepts connections after Stop", addr)
		}
	}
}

func TestStartErrors(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	file := filepath.Join(t.TempDir(), "not-a-dir")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()

	for _, tc := range []struct {
		name string
		opts devserver.Options
	}{
		{"no data dir", devserver.Options{FrontendAddr: "127.0.0.1:0"}},
		{"data dir is a file", devserver.Options{DataDir: file, FrontendAddr: "127.0.0.1:0"}},
		{"frontend port taken", devserver.Options{DataDir: t.TempDir(), FrontendAddr: taken.Addr().String()}},
		{"UI port taken", devserver.Options{DataDir: t.TempDir(), FrontendAddr: "127.0.0.1:0", UIAddr: taken.Addr().String()}},
		{"frontend host not an IP", devserver.Options{DataDir: t.TempDir(), FrontendAddr: "example.com:0"}},
		{"UI on IPv6", devserver.Options{DataDir: t.TempDir(), FrontendAddr: "127.0.0.1:0", UIAddr: "[::1]:0"}},
		{"reserved search attribute", devserver.Options{DataDir: t.TempDir(), FrontendAddr: "127.0.0.1:0",
			SearchAttributes: map[string]enumspb.IndexedValueType{"WorkflowId": enumspb.INDEXED_VALUE_TYPE_KEYWORD}}},
		{"search attribute without a type", devserver.Options{DataDir: t.TempDir(), FrontendAddr: "127.0.0.1:0",
			SearchAttributes: map[string]enumspb.IndexedValueType{"HailurahStatus": enumspb.INDEXED_VALUE_TYPE_UNSPECIFIED}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.Logger = testLogger(t)
			srv, err := devserver.Start(ctx, tc.opts)
			if err == nil {
				_ = srv.Stop()
				t.Fatal("Start succeeded")
			}
			t.Log(err)
		})
	}
}

// mustStart starts a server and stops it when the test ends.
func mustStart(t *testing.T, ctx context.Context, opts devserver.Options) *devserver.Server {
	t.Helper()
	began := time.Now()
	srv, err := devserver.Start(ctx, opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Logf("Start took %v", time.Since(began))
	t.Cleanup(func() { _ = srv.Stop() })
	return srv
}

func mustStop(t *testing.T, srv *devserver.Server) {
	t.Helper()
	if err := srv.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
}

// dialWithWorker connects a client and runs a worker for sleepAfterSignal.
// The returned function stops the worker and closes the client; it also runs
// when the test ends.
func dialWithWorker(t *testing.T, srv *devserver.Server, logger *slog.Logger) (client.Client, func()) {
	t.Helper()
	c, err := client.Dial(client.Options{
		HostPort:  srv.FrontendAddr(),
		Namespace: srv.Namespace(),
		Logger:    sdklog.NewStructuredLogger(logger),
	})
	if err != nil {
		t.Fatalf("client.Dial: %v", err)
	}
	w := worker.New(c, taskQueue, worker.Options{})
	w.RegisterWorkflow(sleepAfterSignal)
	if err := w.Start(); err != nil {
		c.Close()
		t.Fatalf("worker.Start: %v", err)
	}
	var once sync.Once
	stop := func() {
		once.Do(func() {
			w.Stop()
			c.Close()
		})
	}
	t.Cleanup(stop)
	return c, stop
}

func assertSearchAttributes(t *testing.T, ctx context.Context, srv *devserver.Server, want map[string]enumspb.IndexedValueType) {
	t.Helper()
	c, err := client.Dial(client.Options{HostPort: srv.FrontendAddr(), Namespace: srv.Namespace(), Logger: sdklog.NewStructuredLogger(testLogger(t))})
	if err != nil {
		t.Fatalf("client.Dial: %v", err)
	}
	defer c.Close()
	resp, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: srv.Namespace()})
	if err != nil {
		t.Fatalf("ListSearchAttributes: %v", err)
	}
	got := resp.GetCustomAttributes()
	for name, typ := range want {
		if got[name] != typ {
			t.Errorf("search attribute %s: listed as %v, want %v", name, got[name], typ)
		}
	}
	if len(got) != len(want) {
		t.Errorf("custom search attributes = %v, want %v", got, want)
	}
}

func findEvent(t *testing.T, ctx context.Context, c client.Client, id string, typ enumspb.EventType) *historypb.HistoryEvent {
	t.Helper()
	iter := c.GetWorkflowHistory(ctx, id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		ev, err := iter.Next()
		if err != nil {
			t.Fatalf("history of %s: %v", id, err)
		}
		if ev.GetEventType() == typ {
			return ev
		}
	}
	return nil
}

func waitForEvent(t *testing.T, ctx context.Context, c client.Client, id string, typ enumspb.EventType) *historypb.HistoryEvent {
	t.Helper()
	var ev *historypb.HistoryEvent
	waitFor(t, ctx, fmt.Sprintf("%v in %s", typ, id), func() (bool, error) {
		ev = findEvent(t, ctx, c, id, typ)
		return ev != nil, nil
	})
	return ev
}

func waitFor(t *testing.T, ctx context.Context, what string, cond func() (bool, error)) {
	t.Helper()
	for {
		ok, err := cond()
		if ok {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for %s: %v", what, errors.Join(ctx.Err(), err))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// testLogger writes warnings and errors to the test log. The server's
// goroutines may log while it stops, after the test's last line; t.Log
// panics then, so the writer goes quiet when the test ends.
func testLogger(t *testing.T) *slog.Logger {
	w := &testWriter{t: t}
	t.Cleanup(w.close)
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type testWriter struct {
	mu     sync.Mutex
	t      *testing.T
	closed bool
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.closed {
		w.t.Log(strings.TrimSuffix(string(p), "\n"))
	}
	return len(p), nil
}

func (w *testWriter) close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.closed = true
}
