package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/hailurah/hailurah/devserver"
	"github.com/hailurah/hailurah/workflows"
)

// TestTemporalSetup runs `hailurah temporal setup` against the embedded
// server as against a cluster: a namespace that does not exist yet is
// registered with its retention, its search attributes and both schedules;
// run again it changes nothing; run with another retention it sets it.
func TestTemporalSetup(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	ds, err := devserver.Start(ctx, devserver.Options{DataDir: t.TempDir(), FrontendAddr: "127.0.0.1:0", Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ds.Stop() })
	cfg := testConfig(t, t.TempDir(), "TEMPORAL_ADDRESS="+ds.FrontendAddr(), "TEMPORAL_NAMESPACE=kota-madiun",
		"HAILURAH_SECRET="+testSecret)

	setup := func(args ...string) string {
		t.Helper()
		var out bytes.Buffer
		if err := runTemporal(ctx, cfg, logger, append([]string{"setup"}, args...), &out); err != nil {
			t.Fatalf("temporal setup %v: %v\n%s", args, err, out.String())
		}
		return out.String()
	}
	if out := setup("--retention", "240h"); !strings.Contains(out, "Namespace kota-madiun didaftarkan (retensi 240h0m0s)") {
		t.Errorf("first run:\n%s", out)
	}
	if out := setup("--retention", "240h"); !strings.Contains(out, "Namespace kota-madiun sudah ada") {
		t.Errorf("second run:\n%s", out)
	}
	if out := setup(); !strings.Contains(out, "retensi diubah dari 240h0m0s ke 720h0m0s") {
		t.Errorf("third run:\n%s", out)
	}

	c, err := dialTemporal(ctx, cfg, cfg.TemporalAddress, logger, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	desc, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: "kota-madiun"})
	if err != nil || desc.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration() != 720*time.Hour {
		t.Errorf("namespace: %v, %v", desc.GetConfig(), err)
	}
	sa, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: "kota-madiun"})
	if err != nil {
		t.Fatal(err)
	}
	for name, typ := range workflows.SearchAttributes() {
		if got, ok := sa.GetCustomAttributes()[name]; !ok || got != typ {
			t.Errorf("search attribute %s: %v, want %v", name, got, typ)
		}
	}
	for _, id := range []string{workflows.DigestScheduleID, workflows.RetentionScheduleID} {
		if _, err := c.ScheduleClient().GetHandle(ctx, id).Describe(ctx); err != nil {
			t.Errorf("schedule %s: %v", id, err)
		}
	}

	var out bytes.Buffer
	noCluster := testConfig(t, t.TempDir())
	if err := runTemporal(ctx, noCluster, logger, []string{"setup"}, &out); err == nil || !strings.Contains(err.Error(), "needs TEMPORAL_ADDRESS") {
		t.Errorf("without TEMPORAL_ADDRESS: %v", err)
	}
}
