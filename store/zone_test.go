package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/storetest"
)

// rollupDayKeys are the days curhat_daily counts tickets on, and the days
// of the kpi_curhat_daily view.
func rollupDayKeys(t *testing.T, db *store.DB) (rollup, view []string) {
	t.Helper()
	g := db.Gorm().WithContext(t.Context())
	mustOK(t, g.Raw("SELECT DISTINCT day FROM curhat_daily WHERE total <> 0 ORDER BY day").Scan(&rollup).Error)
	mustOK(t, g.Raw("SELECT DISTINCT CAST(day AS TEXT) FROM kpi_curhat_daily ORDER BY 1").Scan(&view).Error)
	return rollup, view
}

// TestSetZone: a WITA kelurahan's dashboard counts WITA days, in the
// rollups the triggers keep, in their rebuild when the zone changes, in
// the KPI views and on the tickets alike; Asia/Jakarta stays the default.
func TestSetZone(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		useClock(db)
		ctx := t.Context()
		wita, err := hailurah.LoadZone("Asia/Makassar")
		mustOK(t, err)
		// 23:30 WIB on 3 July 2026 is already 00:30 WITA on the 4th.
		late := time.Date(2026, 7, 3, 16, 30, 0, 0, time.UTC)
		mustOK(t, db.CreateTicket(ctx, intakeTicket("HL-2026-000001", "taman", late)))
		want := func(what string, days ...string) {
			t.Helper()
			rollup, view := rollupDayKeys(t, db)
			if !slices.Equal(rollup, days) || !slices.Equal(view, days) {
				t.Errorf("%s: rollup days %v, view days %v, want %v", what, rollup, view, days)
			}
		}
		want("default zone", "2026-07-03")

		mustOK(t, db.SetZone(ctx, wita))
		want("after SetZone(WITA)", "2026-07-04")
		mustOK(t, db.CreateTicket(ctx, intakeTicket("HL-2026-000002", "taman", late.Add(24*time.Hour))))
		want("a ticket written in WITA", "2026-07-04", "2026-07-05")
		kept := rollupRows(t, db)
		mustOK(t, db.RebuildCurhatRollups(ctx))
		if rebuilt := rollupRows(t, db); rebuilt != kept {
			t.Errorf("WITA rollups kept by the triggers differ from a rebuild:\nkept    %s\nrebuilt %s", kept, rebuilt)
		}
		// One whole WITA day: the rollups answer, and agree with the tickets.
		day := hailurah.DashboardFilter{Kelurahan: "taman", From: time.Date(2026, 7, 4, 0, 0, 0, 0, wita.Location()),
			To: time.Date(2026, 7, 5, 0, 0, 0, 0, wita.Location()), Now: late.Add(48 * time.Hour)}
		got, err := db.CurhatDashboard(ctx, day)
		mustOK(t, err)
		ref, err := db.CurhatDashboard(store.WithoutRollups(ctx), day)
		mustOK(t, err)
		if got.Summary.Total != 1 || jsonOf(t, got) != jsonOf(t, ref) {
			t.Errorf("WITA day: rollups %s, tickets %s", jsonOf(t, got), jsonOf(t, ref))
		}

		// Rolling back below 00007 would count WIB days in WITA rollups;
		// the migrations after it roll back as ever (00013 outbox image,
		// 00012 media, 00011 ticket private, 00010 staff notices, 00009
		// phone claims, 00008 intake keys), none of which counts days.
		mustOK(t, db.MigrateDown(ctx)) // 00018
		mustOK(t, db.MigrateDown(ctx)) // 00017
		mustOK(t, db.MigrateDown(ctx)) // 00016
		mustOK(t, db.MigrateDown(ctx)) // 00015
		mustOK(t, db.MigrateDown(ctx)) // 00014
		mustOK(t, db.MigrateDown(ctx)) // 00013
		mustOK(t, db.MigrateDown(ctx)) // 00012
		mustOK(t, db.MigrateDown(ctx)) // 00011
		mustOK(t, db.MigrateDown(ctx)) // 00010
		mustOK(t, db.MigrateDown(ctx)) // 00009
		mustOK(t, db.MigrateDown(ctx)) // 00008
		if err := db.MigrateDown(ctx); err == nil {
			t.Fatal("MigrateDown with the zone at WITA must refuse")
		}
		mustOK(t, db.SetZone(ctx, wita)) // unchanged: nothing to do
		mustOK(t, db.SetZone(ctx, hailurah.Zone{}))
		want("back to the default", "2026-07-03", "2026-07-04")
		mustOK(t, db.MigrateDown(ctx))
		mustOK(t, db.MigrateUp(ctx))
		want("after down and up", "2026-07-03", "2026-07-04")

		amsterdam, err := hailurah.LoadZone("Europe/Amsterdam")
		mustOK(t, err)
		err = db.SetZone(ctx, amsterdam)
		if db.Dialect() == store.DialectSQLite {
			// Daylight saving: SQLite counts at one fixed offset.
			if hailurah.ErrorCode(err) != hailurah.EINVALID {
				t.Fatalf("SetZone(Europe/Amsterdam) on SQLite: %v, want EINVALID", err)
			}
			want("after a refused zone", "2026-07-03", "2026-07-04")
			return
		}
		mustOK(t, err)
		// 16:30 UTC in July is 18:30 CEST, the same day.
		want("Postgres in Europe/Amsterdam", "2026-07-03", "2026-07-04")
	})
}
