package main

import (
	"context"
	"fmt"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/report"
	"github.com/hailurah/hailurah/store/reportstore"
	"github.com/hailurah/hailurah/workflows"
)

// reportSources are the store's services the reports read.
func (m *Main) reportSources() report.Sources {
	return report.Sources{KPIs: m.DB, Tickets: m.DB, Grants: m.DB, Kelurahan: m.DB, Zone: m.Config.Zone}
}

// ensureLastMonthReports starts the report workflow for the month before
// when no report of it is stored, so a fresh `hailurah dev` shows last
// month's reports on /laporan without waiting for the 1st.
func (m *Main) ensureLastMonthReports(ctx context.Context) error {
	period := hailurah.PreviousMonth(m.Config.Zone, m.Now()).String()
	stored, err := reportstore.New(m.DB).ListReports(ctx, hailurah.ReportFilter{})
	if err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	for _, r := range stored {
		if r.Period == period {
			return nil
		}
	}
	if err := workflows.StartReports(ctx, m.Temporal, m.Config.Zone, []string{period}); err != nil {
		return fmt.Errorf("start the reports of %s: %w", period, err)
	}
	return nil
}
