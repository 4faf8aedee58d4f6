package store_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/storetest"
)

// rollupTickets writes n random tickets through the store, each with a
// life of projections after it (routed from the city queue, triaged,
// assigned, resolved, rated, re-categorised) and AI replies in the
// outbox, some stored before their ticket. Received times fall in the 40
// WIB days from 1 February 2026, many close to midnight.
func rollupTickets(t *testing.T, db *store.DB, clk *clock, n int) {
	t.Helper()
	ctx := t.Context()
	r := rand.New(rand.NewPCG(6, 2026))
	kels := []string{"taman", "nambangan", ""}
	kats := []string{"", "lingkungan", "infrastruktur", "sosial"}
	statuses := []hailurah.TicketStatus{hailurah.StatusNew, hailurah.StatusOpen, hailurah.StatusAssigned, hailurah.StatusInProgress,
		hailurah.StatusAwaitingConfirmation, hailurah.StatusResolved, hailurah.StatusClosed, hailurah.StatusRejected}
	start := wibAt(2, 1, 0)
	dur := func() time.Duration {
		// From a second to weeks, a few negative (clocks disagree).
		switch r.IntN(10) {
		case 0:
			return -time.Duration(r.IntN(3600)) * time.Second
		case 1:
			return time.Duration(r.IntN(100)) * time.Millisecond * 7
		}
		return time.Duration(float64(time.Second) * float64(int64(1)<<r.IntN(21)) * (1 + r.Float64()))
	}
	reply := func(id string, at time.Time, key string) {
		clk.mu.Lock()
		clk.t = at
		clk.mu.Unlock()
		kind := hailurah.OutboxReply
		if r.IntN(5) == 0 {
			kind = hailurah.OutboxAck
		}
		mustOK(t, db.Enqueue(ctx, &hailurah.OutboxMessage{IdempotencyKey: id + "/" + key, TicketID: id, Channel: hailurah.ChannelWhatsApp,
			Recipient: "s-" + id, Kind: kind, Text: "Balasan"}))
	}
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("R%04d", i)
		received := start.Add(time.Duration(r.IntN(40*24*3600)) * time.Second)
		if r.IntN(4) == 0 { // just before or after a WIB midnight
			received = start.AddDate(0, 0, r.IntN(40)).Add(time.Duration(r.IntN(7200)-3600) * time.Second)
		}
		if r.IntN(6) == 0 {
			reply(id, received.Add(dur()), "early")
		}
		tk := &hailurah.Ticket{ID: id, DatetimeReceived: received, Channel: hailurah.ChannelWhatsApp, SenderID: "s-" + id,
			MessageText: "curhat " + id, Status: hailurah.StatusNew, Kelurahan: kels[r.IntN(3)]}
		if r.IntN(2) == 0 {
			mustOK(t, db.CreateTicket(ctx, tk))
		} else {
			tk.Version = 1
			mustOK(t, db.UpsertTicket(ctx, tk))
		}
		if r.IntN(3) > 0 {
			reply(id, received.Add(dur()), "reply/1")
		}
		if r.IntN(4) == 0 {
			reply(id, received.Add(dur()), "reply/2")
		}
		for step := 0; step < r.IntN(5); step++ {
			tk.Version++
			tk.Status = statuses[r.IntN(len(statuses))]
			tk.Kategori, tk.UrgencyScore = kats[r.IntN(len(kats))], r.IntN(6)
			if r.IntN(3) == 0 {
				tk.Kelurahan = kels[r.IntN(3)]
			}
			tk.RW, tk.RT = fmt.Sprintf("%02d", r.IntN(3)), []string{"", "01", "02"}[r.IntN(3)]
			tk.Verified, tk.ModeratorBreached, tk.DinasBreached = r.IntN(2) == 0, r.IntN(4) == 0, r.IntN(4) == 0
			tk.AssignedUnit, tk.AssignedAt = "", nil
			if r.IntN(2) == 0 {
				tk.AssignedUnit, tk.AssignedAt = "pupr", ptrTime(received.Add(time.Hour))
			}
			tk.ResolvedAt, tk.Rating = nil, 0
			if r.IntN(2) == 0 {
				tk.ResolvedAt = ptrTime(received.Add(dur()))
			}
			if r.IntN(2) == 0 {
				tk.Rating = r.IntN(6)
			}
			mustOK(t, db.UpsertTicket(ctx, tk))
		}
	}
}

// rollupPeriods are whole WIB days (the rollups answer) and others (the
// tickets do).
func rollupPeriods() [][2]time.Time {
	d := func(month time.Month, day int) time.Time { return time.Date(2026, month, day, 0, 0, 0, 0, kpiWIB) }
	return [][2]time.Time{
		{d(1, 1), d(4, 1)}, {d(2, 1), d(2, 2)}, {d(2, 3), d(2, 10)}, {d(2, 14), d(3, 3)}, {d(3, 11), d(3, 15)},
		{d(1, 1), d(1, 5)}, // nothing received
		{d(2, 3).Add(90 * time.Minute), d(2, 20).Add(-time.Hour)},
	}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	mustOK(t, err)
	return string(b)
}

// rollupRows dumps the rollups without their all-zero rows (a ticket that
// moved away leaves one), in key order.
func rollupRows(t *testing.T, db *store.DB) string {
	t.Helper()
	var sb strings.Builder
	for _, q := range []string{
		`SELECT * FROM curhat_daily WHERE total <> 0 OR followed <> 0 OR mod_ended <> 0 OR mod_on_time <> 0 OR dinas_ended <> 0
			OR dinas_on_time <> 0 OR resolved <> 0 OR rating_1 <> 0 OR rating_2 <> 0 OR rating_3 <> 0 OR rating_4 <> 0 OR rating_5 <> 0
			ORDER BY kelurahan_code, day, rw, rt`,
		`SELECT * FROM curhat_daily_counts WHERE n <> 0 ORDER BY kelurahan_code, day, dim, val`,
		`SELECT * FROM curhat_daily_durations WHERE n <> 0 ORDER BY kelurahan_code, day, metric, bucket`,
		`SELECT id, first_reply_at FROM tickets ORDER BY id`,
	} {
		var rows []map[string]any
		mustOK(t, db.Gorm().WithContext(t.Context()).Raw(q).Scan(&rows).Error)
		for _, r := range rows {
			for k, v := range r {
				if tm, ok := v.(time.Time); ok {
					r[k] = tm.UTC().Format(time.RFC3339Nano)
				}
			}
		}
		sb.WriteString(jsonOf(t, rows))
		sb.WriteString("\n")
	}
	return sb.String()
}

// TestCurhatRollupsMatchTickets: the dashboards, KPIs and curhat figures
// read from the rollups equal those counted on the tickets, over random
// ticket lives, for every scope and for periods of whole days or not; and
// the rollups the triggers kept equal a rebuild from scratch and the
// migration's backfill.
func TestCurhatRollupsMatchTickets(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		clk := useClock(db)
		rollupTickets(t, db, clk, 400)
		ctx := t.Context()
		raw := store.WithoutRollups(ctx)
		now := wibAt(3, 5, 10)
		scopes := []hailurah.KPIScope{{}, hailurah.ScopeOfKelurahan("taman"), hailurah.ScopeOfKelurahan("nambangan"),
			{Areas: []hailurah.PilotArea{{Kelurahan: "taman"}, {Kelurahan: "nambangan"}}},
			{Areas: []hailurah.PilotArea{{Kelurahan: "taman", RW: "01"}, {Kelurahan: "nambangan", RW: "02", RT: "01"}}}}
		compared := 0
		for _, p := range rollupPeriods() {
			for _, kel := range []string{"", "taman", "nambangan"} {
				f := hailurah.DashboardFilter{Kelurahan: kel, From: p[0], To: p[1], Now: now}
				got, err := db.CurhatDashboard(ctx, f)
				mustOK(t, err)
				want, err := db.CurhatDashboard(raw, f)
				mustOK(t, err)
				if g, w := jsonOf(t, got), jsonOf(t, want); g != w {
					t.Errorf("dashboard %q %v–%v:\nrollups %s\ntickets %s", kel, p[0], p[1], g, w)
				}
				if got.Summary.Total > 0 {
					compared++
				}
			}
			for _, s := range scopes {
				got, err := db.MeasureKPIs(ctx, s, p[0], p[1])
				mustOK(t, err)
				want, err := db.MeasureKPIs(raw, s, p[0], p[1])
				mustOK(t, err)
				if g, w := jsonOf(t, got), jsonOf(t, want); g != w {
					t.Errorf("KPIs %+v %v–%v:\nrollups %s\ntickets %s", s, p[0], p[1], g, w)
				}
				gf, err := db.CurhatFigures(ctx, s, p[0], p[1])
				mustOK(t, err)
				wf, err := db.CurhatFigures(raw, s, p[0], p[1])
				mustOK(t, err)
				if g, w := jsonOf(t, gf), jsonOf(t, wf); g != w {
					t.Errorf("curhat figures %+v %v–%v:\nrollups %s\ntickets %s", s, p[0], p[1], g, w)
				}
			}
		}
		if compared < 10 {
			t.Fatalf("only %d dashboards had tickets to compare", compared)
		}

		kept := rollupRows(t, db)
		mustOK(t, db.RebuildCurhatRollups(ctx))
		if rebuilt := rollupRows(t, db); rebuilt != kept {
			t.Errorf("rollups kept by the triggers differ from a rebuild:\nkept    %s\nrebuilt %s", kept, rebuilt)
		}
		// The migration's backfill of tickets stored before it: roll back
		// 00007 (the zone) and 00006 (the rollups), and apply them again.
		mustOK(t, db.MigrateDown(ctx))
		mustOK(t, db.MigrateDown(ctx))
		mustOK(t, db.MigrateUp(ctx))
		if migrated := rollupRows(t, db); migrated != kept {
			t.Errorf("rollups of the migration differ from those kept by the triggers:\nkept     %s\nmigrated %s", kept, migrated)
		}
	})
}
