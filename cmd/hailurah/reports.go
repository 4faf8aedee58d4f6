package main

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/report"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/reportstore"
	"github.com/hailurah/hailurah/workflows"
)

// reportSources are the store's services the reports read.
func (m *Main) reportSources() report.Sources {
	return report.Sources{KPIs: m.DB, Tickets: m.DB, Grants: m.DB, Kelurahan: m.DB, Zone: m.Config.Zone}
}

// ensureLastMonthReports makes last month's reports when the demo data is
// in the store and none of that month is kept, so `hailurah dev` on demo
// data shows them on /laporan without waiting for the schedule on the
// 1st. Without the demo the schedule alone makes them.
func (m *Main) ensureLastMonthReports(ctx context.Context) error {
	n, err := hasDemo(ctx, m.DB)
	if err != nil || n == 0 {
		return err
	}
	return startLastMonthReports(ctx, m.DB, m.Temporal, m.Config.Zone, m.Now())
}

// startLastMonthReports starts the report workflow for the month before
// now unless a report of it is stored.
func startLastMonthReports(ctx context.Context, db *store.DB, c client.Client, zone hailurah.Zone, now time.Time) error {
	period := hailurah.PreviousMonth(zone, now).String()
	stored, err := reportstore.New(db).ListReports(ctx, hailurah.ReportFilter{All: true, Limit: 500})
	if err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	for _, r := range stored {
		if r.Period == period {
			return nil
		}
	}
	if err := workflows.StartReports(ctx, c, zone, []string{period}); err != nil {
		return fmt.Errorf("start the reports of %s: %w", period, err)
	}
	return nil
}
