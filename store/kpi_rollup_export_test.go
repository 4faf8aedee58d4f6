package store

import (
	"context"

	"github.com/hailurah/hailurah/store/kpi"
)

// A rollup out of step with the tickets fails the test instead of being
// quietly counted around.
func init() { strictRollups = true }

// WithoutRollups makes the KPI queries of ctx count tickets directly, the
// reference the rollups are tested against.
func WithoutRollups(ctx context.Context) context.Context { return kpi.WithoutRollups(ctx) }
