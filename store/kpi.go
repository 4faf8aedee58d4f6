package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/hailurah/hailurah"
)

// The KPI and dashboard queries live in package kpi, which reads through
// the methods below; the store serves hailurah.KPIService with them.

// Raw runs a query with named parameters. GORM would pass an empty map on
// as one positional argument, which Postgres refuses, so a query without
// parameters gets none.
func (db *DB) Raw(ctx context.Context, sql string, args map[string]any) *gorm.DB {
	if len(args) == 0 {
		return db.q(ctx).Raw(sql)
	}
	return db.q(ctx).Raw(sql, args)
}

// Zone is the calendar of the store's days and months (SetZone).
func (db *DB) Zone() hailurah.Zone { return db.localZone() }

// LocalDay is the SQL expression of col's calendar day in the zone.
func (db *DB) LocalDay(col string) string { return db.localDay(col) }

// LocalMonth is the SQL expression of col's month in the zone.
func (db *DB) LocalMonth(col string) string { return db.localMonth(col) }

// Now is the time the store records.
func (db *DB) Now() time.Time { return db.now() }

func (db *DB) MeasureKPIs(ctx context.Context, scope hailurah.KPIScope, from, to time.Time) (map[string]hailurah.KPIValue, error) {
	return db.kpis.MeasureKPIs(ctx, scope, from, to)
}

func (db *DB) CurhatFigures(ctx context.Context, scope hailurah.KPIScope, from, to time.Time) (*hailurah.CurhatFigures, error) {
	return db.kpis.CurhatFigures(ctx, scope, from, to)
}

func (db *DB) CurhatDashboard(ctx context.Context, f hailurah.DashboardFilter) (*hailurah.CurhatDashboard, error) {
	return db.kpis.CurhatDashboard(ctx, f)
}

func (db *DB) ProgrammeDashboard(ctx context.Context, f hailurah.DashboardFilter) (*hailurah.ProgrammeDashboard, error) {
	return db.kpis.ProgrammeDashboard(ctx, f)
}

func (db *DB) OpenDataCounts(ctx context.Context, kelurahan string, from, to time.Time) (*hailurah.OpenDataCounts, error) {
	return db.kpis.OpenDataCounts(ctx, kelurahan, from, to)
}

func (db *DB) DigestCounts(ctx context.Context, from, to time.Time) ([]*hailurah.KelurahanDigest, error) {
	return db.kpis.DigestCounts(ctx, from, to)
}
