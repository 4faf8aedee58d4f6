package devserver

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/server/api/adminservice/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// callTimeout bounds one start-up check, so a call stuck on a service that
// is still starting is retried instead of using up the caller's deadline.
const callTimeout = 5 * time.Second

// workflowServiceName is the name the frontend reports its health under.
const workflowServiceName = "temporal.api.workflowservice.v1.WorkflowService"

// waitReady returns when the frontend at addr serves namespace and every
// search attribute in attrs is registered there.
func waitReady(ctx context.Context, addr, namespace string, attrs map[string]enumspb.IndexedValueType) error {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()

	health := healthpb.NewHealthClient(conn)
	err = poll(ctx, func() error {
		ctx, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		resp, err := health.Check(ctx, &healthpb.HealthCheckRequest{Service: workflowServiceName})
		if err != nil {
			return err
		}
		if resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
			return fmt.Errorf("frontend is %s", resp.GetStatus())
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("waiting for the frontend on %s: %w", addr, err)
	}

	// The frontend serves before it has found the other services; until
	// then every call that needs history or matching fails with "Not
	// enough hosts to serve the request".
	admin := adminservice.NewAdminServiceClient(conn)
	err = poll(ctx, func() error {
		ctx, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		resp, err := admin.DescribeCluster(ctx, &adminservice.DescribeClusterRequest{})
		if err != nil {
			return err
		}
		members := map[string]int32{}
		for _, ring := range resp.GetMembershipInfo().GetRings() {
			members[ring.GetRole()] = ring.GetMemberCount()
		}
		for _, role := range []string{serviceFrontend, serviceHistory, serviceMatching, serviceWorker} {
			if members[role] == 0 {
				return fmt.Errorf("no %s service in the membership ring yet", role)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("waiting for the services to find each other: %w", err)
	}

	wf := workflowservice.NewWorkflowServiceClient(conn)
	err = poll(ctx, func() error {
		ctx, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		_, err := wf.DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: namespace})
		return err
	})
	if err != nil {
		return fmt.Errorf("waiting for namespace %q: %w", namespace, err)
	}

	return ensureSearchAttributes(ctx, operatorservice.NewOperatorServiceClient(conn), namespace, attrs)
}

// ensureSearchAttributes registers those of want that namespace lacks. It
// fails when one exists with another type: the workflows would then write
// values the store indexes wrongly.
//
// With SQL visibility a custom search attribute is an alias, stored with the
// namespace, for one of a fixed set of columns; AddSearchAttributes assigns
// one. A namespace Start creates gets its attributes directly, so this adds
// only attributes that appeared since the data directory was made.
func ensureSearchAttributes(ctx context.Context, op operatorservice.OperatorServiceClient, namespace string, want map[string]enumspb.IndexedValueType) error {
	if len(want) == 0 {
		return nil
	}
	have, err := listSearchAttributes(ctx, op, namespace)
	if err != nil {
		return err
	}
	missing := map[string]enumspb.IndexedValueType{}
	for _, name := range slices.Sorted(maps.Keys(want)) {
		got, ok := have[name]
		switch {
		case !ok:
			missing[name] = want[name]
		case got != want[name]:
			return fmt.Errorf("search attribute %s is registered as %s, not %s", name, got, want[name])
		}
	}
	if len(missing) == 0 {
		return nil
	}

	addCtx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	_, err = op.AddSearchAttributes(addCtx, &operatorservice.AddSearchAttributesRequest{
		Namespace:        namespace,
		SearchAttributes: missing,
	})
	if err != nil {
		return fmt.Errorf("adding search attributes %v: %w", slices.Sorted(maps.Keys(missing)), err)
	}
	have, err = listSearchAttributes(ctx, op, namespace)
	if err != nil {
		return err
	}
	for name, typ := range missing {
		if have[name] != typ {
			return fmt.Errorf("search attribute %s was added but is not listed", name)
		}
	}

	// The frontend and history validate search attributes against their
	// cached copy of the namespace, which they re-read every
	// namespaceRefreshInterval; until then a workflow using a new
	// attribute would be refused.
	t := time.NewTimer(2 * namespaceRefreshInterval)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func listSearchAttributes(ctx context.Context, op operatorservice.OperatorServiceClient, namespace string) (map[string]enumspb.IndexedValueType, error) {
	var attrs map[string]enumspb.IndexedValueType
	err := poll(ctx, func() error {
		ctx, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		resp, err := op.ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
		if err != nil {
			return err
		}
		attrs = resp.GetCustomAttributes()
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing search attributes: %w", err)
	}
	return attrs, nil
}
