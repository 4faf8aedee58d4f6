package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	namespacepb "go.temporal.io/api/namespace/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/hailurah/hailurah/worker"
	"github.com/hailurah/hailurah/workflows"
)

// defaultNamespaceRetention is how long a closed case's history stays on
// the cluster: the dev server's 30 days.
const defaultNamespaceRetention = 30 * 24 * time.Hour

// runTemporal is `hailurah temporal setup`: it prepares a cluster's
// namespace before any worker runs — registered with its retention, the
// search attributes, the digest and retention schedules — idempotently,
// so a deploy runs it every time.
func runTemporal(ctx context.Context, cfg Config, logger *slog.Logger, args []string, out io.Writer) error {
	if len(args) == 0 || args[0] != "setup" {
		return errors.New("pemakaian: hailurah temporal setup [--retention 720h] [--wait 2m]")
	}
	fs := flag.NewFlagSet("temporal setup", flag.ContinueOnError)
	retention := fs.Duration("retention", defaultNamespaceRetention, "berapa lama riwayat alur kerja yang selesai disimpan klaster")
	wait := fs.Duration("wait", 2*time.Minute, "berapa lama menunggu klaster Temporal menjawab")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *retention < 24*time.Hour {
		return fmt.Errorf("--retention %s: Temporal keeps a namespace's histories at least a day", *retention)
	}
	if cfg.TemporalAddress == "" {
		return errors.New("`hailurah temporal setup` needs TEMPORAL_ADDRESS; `hailurah dev` sets up its embedded server itself")
	}
	if err := cfg.ensureSecret(false); err != nil {
		return err
	}
	c, err := dialWaiting(ctx, cfg, logger, *wait)
	if err != nil {
		return err
	}
	defer c.Close()
	return setupTemporal(ctx, c, cfg, *retention, *wait, out)
}

// dialWaiting dials until the cluster answers or wait has passed: in a
// deploy the setup may start beside the cluster.
func dialWaiting(ctx context.Context, cfg Config, logger *slog.Logger, wait time.Duration) (client.Client, error) {
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	for {
		c, err := dialTemporal(ctx, cfg, cfg.TemporalAddress, logger, nil)
		if err == nil {
			return c, nil
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(time.Second):
		}
	}
}

// setupTemporal registers cfg.Namespace with retention (or sets the
// retention of the existing one), then its search attributes and
// schedules, retrying while a new namespace is not yet known everywhere.
func setupTemporal(ctx context.Context, c client.Client, cfg Config, retention, wait time.Duration, out io.Writer) error {
	ns := cfg.Namespace
	desc, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: ns})
	var notFound *serviceerror.NamespaceNotFound
	switch {
	case errors.As(err, &notFound):
		if _, err := c.WorkflowService().RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
			Namespace: ns, WorkflowExecutionRetentionPeriod: durationpb.New(retention),
			Description: "HAI LURAH: tiket curhat, hibah, pilot",
		}); err != nil && !errors.As(err, new(*serviceerror.NamespaceAlreadyExists)) {
			return fmt.Errorf("register namespace %s: %w", ns, err)
		}
		fmt.Fprintf(out, "Namespace %s didaftarkan (retensi %s).\n", ns, retention)
	case err != nil:
		return fmt.Errorf("describe namespace %s: %w", ns, err)
	case desc.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration() != retention:
		if _, err := c.WorkflowService().UpdateNamespace(ctx, &workflowservice.UpdateNamespaceRequest{
			Namespace: ns, Config: &namespacepb.NamespaceConfig{WorkflowExecutionRetentionTtl: durationpb.New(retention)},
		}); err != nil {
			return fmt.Errorf("set the retention of namespace %s: %w", ns, err)
		}
		fmt.Fprintf(out, "Namespace %s: retensi diubah dari %s ke %s.\n", ns,
			desc.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration(), retention)
	default:
		fmt.Fprintf(out, "Namespace %s sudah ada (retensi %s).\n", ns, retention)
	}

	// A namespace just registered reaches every service of the cluster
	// within seconds; until then its calls answer NamespaceNotFound.
	deadline := time.Now().Add(wait)
	for {
		err = worker.Setup(ctx, c, ns, cfg.Zone)
		if err == nil {
			err = workflows.EnsureRetentionSchedule(ctx, c, cfg.Retention, cfg.Zone)
		}
		if err == nil || !(errors.As(err, &notFound) || errors.As(err, new(*serviceerror.NotFound))) || time.Now().After(deadline) {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
	if err != nil {
		return fmt.Errorf("prepare namespace %s: %w", ns, err)
	}
	fmt.Fprintf(out, "Atribut pencarian dan jadwal (%s, %s) siap.\n", workflows.DigestScheduleID, workflows.RetentionScheduleID)
	return nil
}
