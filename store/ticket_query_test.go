package store_test

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/storetest"
)

// queueOrder is the order ListTickets must return, written independently
// of the SQL: deadline first with none last, then newest, then id.
func queueOrder(a, b *hailurah.Ticket) int {
	da, db := slaDue(a), slaDue(b)
	switch {
	case da != nil && db == nil:
		return -1
	case da == nil && db != nil:
		return 1
	case da != nil && !da.Equal(*db):
		return da.Compare(*db)
	case !a.DatetimeReceived.Equal(b.DatetimeReceived):
		return b.DatetimeReceived.Compare(a.DatetimeReceived)
	}
	return strings.Compare(a.ID, b.ID)
}

// slaDue is the deadline the queue sorts by, as TicketPage's doc defines it.
func slaDue(t *hailurah.Ticket) *time.Time {
	switch t.Status {
	case hailurah.StatusNew, hailurah.StatusOpen:
		return t.ModeratorDue
	case hailurah.StatusAssigned, hailurah.StatusInProgress:
		return t.DinasDue
	}
	return nil
}

// walk lists every page of f and returns the ids in order, failing on a
// page larger than the limit or an empty page with a cursor.
func walk(t *testing.T, db *store.DB, f hailurah.TicketFilter) []string {
	t.Helper()
	var ids []string
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatal("pagination does not end")
		}
		page, err := db.ListTickets(t.Context(), f)
		mustOK(t, err)
		limit := f.Limit
		if limit == 0 {
			limit = 50
		}
		if len(page.Items) > limit {
			t.Fatalf("page of %d items, limit %d", len(page.Items), limit)
		}
		for _, x := range page.Items {
			ids = append(ids, x.ID)
		}
		if page.NextCursor == "" {
			return ids
		}
		if len(page.Items) != limit {
			t.Fatalf("a page of %d items (limit %d) has a next cursor", len(page.Items), limit)
		}
		f.Cursor = page.NextCursor
	}
}

// upsertAll writes the tickets one by one, as the workflow's projections do.
func upsertAll(t *testing.T, db *store.DB, tickets []*hailurah.Ticket) {
	t.Helper()
	for _, x := range tickets {
		mustOK(t, db.UpsertTicket(t.Context(), x))
	}
}

// paginationFixture returns n tickets with many ties: five distinct
// deadlines, a third of the tickets without a running SLA (final or
// awaiting confirmation), and received times shared by several tickets.
func paginationFixture(n int) []*hailurah.Ticket {
	r := rand.New(rand.NewPCG(1, 2))
	kels := []string{"taman", "nambangan", ""}
	var out []*hailurah.Ticket
	for i := range n {
		x := &hailurah.Ticket{
			ID:               fmt.Sprintf("HL-2026-%06d", r.IntN(900000)*1000+i), // ids not in insertion order
			DatetimeReceived: t0.Add(-time.Duration(r.IntN(40)) * time.Hour),
			Kelurahan:        kels[i%len(kels)],
			Status:           hailurah.TicketStatuses[r.IntN(len(hailurah.TicketStatuses))],
			UrgencyScore:     r.IntN(6),
		}
		x.TrackingCode = "trk-" + x.ID
		if r.IntN(4) > 0 {
			x.ModeratorDue = ptrTime(t0.Add(time.Duration(r.IntN(5)) * 6 * time.Hour))
		}
		if r.IntN(4) > 0 {
			x.DinasDue = ptrTime(t0.Add(time.Duration(r.IntN(5)) * 24 * time.Hour))
		}
		out = append(out, x)
	}
	return out
}

func TestListTicketsPagination(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		all := paginationFixture(300)
		upsertAll(t, db, all)

		// The fixture has the ties the test is about.
		var nulls, tiedDue, tiedReceived int
		seen := map[string]int{}
		for _, x := range all {
			if d := slaDue(x); d == nil {
				nulls++
			} else {
				seen["d"+d.String()]++
			}
			seen["r"+x.DatetimeReceived.String()]++
		}
		for k, v := range seen {
			if v > 1 && k[0] == 'd' {
				tiedDue++
			} else if v > 1 {
				tiedReceived++
			}
		}
		if nulls < 50 || tiedDue < 3 || tiedReceived < 10 {
			t.Fatalf("fixture too tame: %d without SLA, %d tied deadlines, %d tied receive times", nulls, tiedDue, tiedReceived)
		}

		check := func(name string, f hailurah.TicketFilter, keep func(*hailurah.Ticket) bool) {
			t.Helper()
			var want []*hailurah.Ticket
			for _, x := range all {
				if keep(x) {
					want = append(want, x)
				}
			}
			slices.SortFunc(want, queueOrder)
			wantIDs := make([]string, len(want))
			for i, x := range want {
				wantIDs[i] = x.ID
			}
			got := walk(t, db, f)
			if !slices.Equal(got, wantIDs) {
				dup := map[string]bool{}
				for _, id := range got {
					if dup[id] {
						t.Errorf("%s: %s listed twice", name, id)
					}
					dup[id] = true
				}
				t.Fatalf("%s: walked %d ids, want %d, or in another order\ngot  %v\nwant %v", name, len(got), len(wantIDs), got, wantIDs)
			}
		}
		everything := func(*hailurah.Ticket) bool { return true }
		check("everything, pages of 7", hailurah.TicketFilter{Limit: 7}, everything)
		check("everything, default limit", hailurah.TicketFilter{}, everything)
		check("everything, pages of 200", hailurah.TicketFilter{Limit: 200}, everything)
		check("everything, pages of 1", hailurah.TicketFilter{Limit: 1}, everything)
		check("taman, pages of 4", hailurah.TicketFilter{Kelurahan: "taman", Limit: 4},
			func(x *hailurah.Ticket) bool { return x.Kelurahan == "taman" })
		check("city queue, open statuses", hailurah.TicketFilter{CityQueue: true, Limit: 5,
			Statuses: []hailurah.TicketStatus{hailurah.StatusNew, hailurah.StatusOpen}},
			func(x *hailurah.Ticket) bool {
				return x.Kelurahan == "" && (x.Status == hailurah.StatusNew || x.Status == hailurah.StatusOpen)
			})
		check("urgent and final", hailurah.TicketFilter{UrgencyMin: 4, Limit: 3,
			Statuses: []hailurah.TicketStatus{hailurah.StatusResolved, hailurah.StatusClosed, hailurah.StatusRejected}},
			func(x *hailurah.Ticket) bool { return x.UrgencyScore >= 4 && x.Status.Final() })

		// A page holds exactly the limit, and the last page has no cursor.
		page, err := db.ListTickets(t.Context(), hailurah.TicketFilter{Limit: 200})
		mustOK(t, err)
		if len(page.Items) != 200 || page.NextCursor == "" {
			t.Fatalf("first page of 200: %d items, cursor %q", len(page.Items), page.NextCursor)
		}
	})
}

// TestListTicketsCursorAfterChange checks that a ticket which changes
// between two pages moves instead of breaking the walk: the next page
// still starts after the last row the client saw.
func TestListTicketsCursorAfterChange(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		var all []*hailurah.Ticket
		for i := range 6 {
			x := intakeTicket(fmt.Sprintf("HL-2026-%06d", i+1), "taman", t0.Add(-time.Duration(i)*time.Hour))
			x.Status = hailurah.StatusOpen
			x.ModeratorDue = ptrTime(t0.Add(time.Duration(i) * time.Hour))
			all = append(all, x)
		}
		upsertAll(t, db, all)
		page, err := db.ListTickets(t.Context(), hailurah.TicketFilter{Limit: 3})
		mustOK(t, err)
		// The first ticket is resolved meanwhile: it has no deadline now.
		first := *all[0]
		first.Status, first.Version = hailurah.StatusResolved, 1
		mustOK(t, db.UpsertTicket(t.Context(), &first))
		page, err = db.ListTickets(t.Context(), hailurah.TicketFilter{Limit: 3, Cursor: page.NextCursor})
		mustOK(t, err)
		var ids []string
		for _, x := range page.Items {
			ids = append(ids, x.ID)
		}
		// 4, 5, 6 by deadline; the resolved ticket now sorts last and shows
		// again at the end, where tickets without a deadline go.
		want := []string{"HL-2026-000004", "HL-2026-000005", "HL-2026-000006"}
		if !slices.Equal(ids, want) {
			t.Fatalf("second page = %v, want %v", ids, want)
		}
		page, err = db.ListTickets(t.Context(), hailurah.TicketFilter{Limit: 3, Cursor: page.NextCursor})
		mustOK(t, err)
		if len(page.Items) != 1 || page.Items[0].ID != "HL-2026-000001" || page.NextCursor != "" {
			t.Fatalf("third page = %+v", page)
		}
	})
}

func TestListTicketsInvalid(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		seed(t, db)
		upsertAll(t, db, paginationFixture(5))
		page, err := db.ListTickets(ctx, hailurah.TicketFilter{Limit: 2})
		mustOK(t, err)
		if page.NextCursor == "" {
			t.Fatal("no cursor to tamper with")
		}
		enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
		for _, c := range []string{
			"not base64!",
			page.NextCursor + "x",
			page.NextCursor[:len(page.NextCursor)/2],
			enc(`{}`),
			enc(`{"r":"2026-03-02T08:00:00Z"}`),
			enc(`{"i":"HL-2026-000001"}`),
			enc(`{"r":"yesterday","i":"HL-2026-000001"}`),
			enc(`{"r":"2026-03-02T08:00:00Z","i":"HL-2026-000001","x":1}`),
			enc(`{"r":"2026-03-02T08:00:00Z","i":"HL-2026-000001"} {}`),
			enc(`[1,2]`),
			base64.StdEncoding.EncodeToString([]byte(`{"r":"2026-03-02T08:00:00Z","i":"HL-2026-000001"}`)) + "==",
		} {
			_, err := db.ListTickets(ctx, hailurah.TicketFilter{Cursor: c})
			if hailurah.ErrorCode(err) != hailurah.EINVALID || hailurah.ErrorField(err) != "cursor" {
				t.Errorf("cursor %q: got %v, want EINVALID on cursor", c, err)
			}
		}
		for _, limit := range []int{-1, 201, 1 << 30} {
			_, err := db.ListTickets(ctx, hailurah.TicketFilter{Limit: limit})
			wantCode(t, err, hailurah.EINVALID, "limit")
		}
		_, err = db.ListTickets(ctx, hailurah.TicketFilter{Statuses: []hailurah.TicketStatus{"open", "done"}})
		wantCode(t, err, hailurah.EINVALID, "status")
		_, err = db.ListTickets(ctx, hailurah.TicketFilter{Q: "a\x00"})
		wantCode(t, err, hailurah.EINVALID, "q")
		// A well-formed cursor written by hand is accepted.
		_, err = db.ListTickets(ctx, hailurah.TicketFilter{Cursor: enc(`{"r":"2026-03-02T08:00:00Z","i":"HL-2026-000001"}`)})
		mustOK(t, err)
	})
}

// filterFixture is a small set of tickets, one per filter to tell apart.
func filterFixture() []*hailurah.Ticket {
	mk := func(n int, kel string, received time.Time, edit func(*hailurah.Ticket)) *hailurah.Ticket {
		x := intakeTicket(fmt.Sprintf("HL-2026-%06d", n), kel, received)
		x.Status = hailurah.StatusOpen
		x.Kategori = hailurah.KategoriLingkungan
		x.UrgencyScore = 2
		if edit != nil {
			edit(x)
		}
		return x
	}
	day := 24 * time.Hour
	return []*hailurah.Ticket{
		mk(1, "taman", t0, nil),
		mk(2, "taman", t0.Add(-day), func(x *hailurah.Ticket) {
			x.Status, x.AssignedUnit, x.Kategori, x.UrgencyScore = hailurah.StatusAssigned, "pupr", hailurah.KategoriInfrastruktur, 4
			x.DinasBreached = true
		}),
		mk(3, "nambangan", t0.Add(-2*day), func(x *hailurah.Ticket) {
			x.Status, x.AssignedUnit, x.UrgencyScore = hailurah.StatusInProgress, "pupr", 5
			x.Summary = "Banjir setinggi lutut di RT 03"
		}),
		mk(4, "", t0.Add(-3*day), func(x *hailurah.Ticket) {
			x.ModeratorBreached = true
			x.MessageText = "Diskon 50% untuk iuran sampah?"
		}),
		mk(5, "", t0.Add(-4*day), func(x *hailurah.Ticket) {
			x.Status = hailurah.StatusRejected
			x.MessageText = "Diskon 500 ribu, klik tautan ini"
		}),
		mk(6, "nambangan", t0.Add(-5*day), func(x *hailurah.Ticket) {
			x.RT, x.RW = "001", "002"
			x.MessageText = `Lampu PJU_mati di gang C:\jalan`
			x.Status = hailurah.StatusResolved
		}),
	}
}

// listedNumbers lists the tickets f matches as their numbers, in queue
// order: "1,2,3".
func listedNumbers(t *testing.T, db *store.DB, f hailurah.TicketFilter) string {
	t.Helper()
	page, err := db.ListTickets(t.Context(), f)
	mustOK(t, err)
	var got []string
	for _, x := range page.Items {
		got = append(got, strings.TrimLeft(strings.TrimPrefix(x.ID, "HL-2026-"), "0"))
	}
	return strings.Join(got, ",")
}

func TestListTicketsFilters(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		upsertAll(t, db, filterFixture())
		yes, no := true, false
		from, to := t0.Add(-3*24*time.Hour), t0.Add(-24*time.Hour)
		tests := []struct {
			name string
			f    hailurah.TicketFilter
			want string // ticket numbers, in queue order
		}{
			{"all", hailurah.TicketFilter{}, "1,2,3,4,5,6"},
			{"kelurahan taman", hailurah.TicketFilter{Kelurahan: "taman"}, "1,2"},
			{"kelurahan nambangan", hailurah.TicketFilter{Kelurahan: "nambangan"}, "3,6"},
			{"city queue", hailurah.TicketFilter{CityQueue: true}, "4,5"},
			{"kelurahan and city queue", hailurah.TicketFilter{Kelurahan: "taman", CityQueue: true}, ""},
			{"unknown kelurahan", hailurah.TicketFilter{Kelurahan: "demangan"}, ""},
			{"unit pupr, every kelurahan", hailurah.TicketFilter{Unit: "pupr"}, "2,3"},
			{"unit pupr in taman", hailurah.TicketFilter{Unit: "pupr", Kelurahan: "taman"}, "2"},
			{"statuses", hailurah.TicketFilter{Statuses: []hailurah.TicketStatus{hailurah.StatusOpen, hailurah.StatusRejected}}, "1,4,5"},
			{"kategori", hailurah.TicketFilter{Kategori: hailurah.KategoriInfrastruktur}, "2"},
			{"urgency 4+", hailurah.TicketFilter{UrgencyMin: 4}, "2,3"},
			{"urgency 5", hailurah.TicketFilter{UrgencyMin: 5}, "3"},
			{"rt", hailurah.TicketFilter{RT: "003"}, "1,2,3,4,5"},
			{"rt and rw", hailurah.TicketFilter{RT: "001", RW: "002"}, "6"},
			{"breached", hailurah.TicketFilter{Breached: &yes}, "2,4"},
			{"not breached", hailurah.TicketFilter{Breached: &no}, "1,3,5,6"},
			{"q in summary, any case", hailurah.TicketFilter{Q: "BANJIR"}, "3"},
			{"q in message", hailurah.TicketFilter{Q: "diskon"}, "4,5"},
			{"q percent is literal", hailurah.TicketFilter{Q: "50%"}, "4"},
			{"q underscore is literal", hailurah.TicketFilter{Q: "pju_"}, "6"},
			{"q underscore matches no other char", hailurah.TicketFilter{Q: "lampu_pju"}, ""},
			{"q backslash is literal", hailurah.TicketFilter{Q: `c:\j`}, "6"},
			{"q in id", hailurah.TicketFilter{Q: "hl-2026-000002"}, "2"},
			{"q spaces only", hailurah.TicketFilter{Q: "  "}, "1,2,3,4,5,6"},
			{"received from", hailurah.TicketFilter{ReceivedFrom: &from}, "1,2,3,4"},
			{"received to is exclusive", hailurah.TicketFilter{ReceivedTo: &to}, "3,4,5,6"},
			{"received range", hailurah.TicketFilter{ReceivedFrom: &from, ReceivedTo: &to}, "3,4"},
			{"everything at once", hailurah.TicketFilter{Kelurahan: "nambangan", Unit: "pupr", UrgencyMin: 5, Q: "lutut",
				Statuses: []hailurah.TicketStatus{hailurah.StatusInProgress}, Breached: &no, RT: "003", RW: "005",
				Kategori: hailurah.KategoriLingkungan, ReceivedFrom: &from}, "3"},
		}
		for _, tt := range tests {
			if g := listedNumbers(t, db, tt.f); g != tt.want {
				t.Errorf("%s: got %s, want %s", tt.name, g, tt.want)
			}
		}
	})
}

func TestStatusCounts(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		all := paginationFixture(120)
		upsertAll(t, db, all)
		yes := true
		filters := []struct {
			f    hailurah.TicketFilter
			keep func(*hailurah.Ticket) bool
		}{
			{hailurah.TicketFilter{}, func(*hailurah.Ticket) bool { return true }},
			{hailurah.TicketFilter{Kelurahan: "taman"}, func(x *hailurah.Ticket) bool { return x.Kelurahan == "taman" }},
			{hailurah.TicketFilter{CityQueue: true, UrgencyMin: 3}, func(x *hailurah.Ticket) bool { return x.Kelurahan == "" && x.UrgencyScore >= 3 }},
			// Statuses, cursor and limit are ignored.
			{hailurah.TicketFilter{Statuses: []hailurah.TicketStatus{hailurah.StatusOpen}, Cursor: "ignored", Limit: -5},
				func(*hailurah.Ticket) bool { return true }},
			{hailurah.TicketFilter{Breached: &yes}, func(*hailurah.Ticket) bool { return false }},
		}
		for _, tt := range filters {
			want := map[hailurah.TicketStatus]int{}
			for _, s := range hailurah.TicketStatuses {
				want[s] = 0
			}
			for _, x := range all {
				if tt.keep(x) {
					want[x.Status]++
				}
			}
			got, err := db.StatusCounts(t.Context(), tt.f)
			mustOK(t, err)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("StatusCounts(%+v) = %v, want %v", tt.f, got, want)
			}
		}
	})
}

// TestTicketIndexes checks that the queue's indexes exist under the names
// the migration gives them, on both dialects.
func TestTicketIndexes(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		var names []string
		var err error
		if db.Dialect() == store.DialectPostgres {
			err = db.Gorm().Raw("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()").Scan(&names).Error
		} else {
			err = db.Gorm().Raw("SELECT name FROM sqlite_master WHERE type = 'index'").Scan(&names).Error
		}
		mustOK(t, err)
		sort.Strings(names)
		for _, want := range []string{
			"tickets_kelurahan_queue_idx", "tickets_unit_queue_idx", "tickets_datetime_received_idx",
			"ticket_events_timeline_idx", "outbox_relay_idx", "outbox_ticket_idx",
			"notifications_user_idx", "notifications_unread_idx",
			// 00006: the queues in their order, the dashboard's state now and
			// its medians.
			"tickets_kelurahan_order_idx", "tickets_unit_order_idx", "tickets_waiting_idx", "tickets_waiting_city_idx",
			"tickets_dinas_open_idx", "tickets_moderator_open_idx", "tickets_reply_seconds_idx", "tickets_resolve_seconds_idx",
		} {
			if _, ok := slices.BinarySearch(names, want); !ok {
				t.Errorf("index %s missing; have %v", want, names)
			}
		}
	})
}

// TestListTicketsVerifiedAndDue: the moderator's "perlu verifikasi" tab
// keeps unverified tickets; the "dinas lewat tenggat" tab keeps tickets
// whose running clock ended before now, whichever phase it is.
func TestListTicketsVerifiedAndDue(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		hour := time.Hour
		due := func(d time.Duration) *time.Time { x := t0.Add(d); return &x }
		mk := func(n int, st hailurah.TicketStatus, edit func(*hailurah.Ticket)) *hailurah.Ticket {
			x := intakeTicket(fmt.Sprintf("HL-2026-%06d", n), "taman", t0.Add(-time.Duration(n)*hour))
			x.Status = st
			edit(x)
			return x
		}
		upsertAll(t, db, []*hailurah.Ticket{
			mk(1, hailurah.StatusOpen, func(x *hailurah.Ticket) { x.ModeratorDue = due(2 * hour) }),
			mk(2, hailurah.StatusOpen, func(x *hailurah.Ticket) { x.ModeratorDue, x.Verified = due(-hour), true }),
			mk(3, hailurah.StatusAssigned, func(x *hailurah.Ticket) {
				x.AssignedUnit, x.ModeratorDue, x.DinasDue, x.Verified = "pupr", due(-9*hour), due(-2*hour), true
			}),
			mk(4, hailurah.StatusInProgress, func(x *hailurah.Ticket) {
				x.AssignedUnit, x.ModeratorDue, x.DinasDue, x.Verified = "pupr", due(-9*hour), due(5*hour), true
			}),
			mk(5, hailurah.StatusResolved, func(x *hailurah.Ticket) { x.DinasDue = due(-5 * hour) }),
		})
		yes, no := true, false
		now := t0
		dinas := []hailurah.TicketStatus{hailurah.StatusAssigned, hailurah.StatusInProgress}
		for _, tt := range []struct {
			name string
			f    hailurah.TicketFilter
			want string
		}{
			{"unverified", hailurah.TicketFilter{Verified: &no}, "1,5"},
			{"unverified and open", hailurah.TicketFilter{Verified: &no, Statuses: []hailurah.TicketStatus{hailurah.StatusOpen}}, "1"},
			{"verified", hailurah.TicketFilter{Verified: &yes}, "3,2,4"},
			{"running clock past now", hailurah.TicketFilter{DueBefore: &now}, "3,2"},
			{"dinas past now", hailurah.TicketFilter{DueBefore: &now, Statuses: dinas}, "3"},
		} {
			if g := listedNumbers(t, db, tt.f); g != tt.want {
				t.Errorf("%s: got %s, want %s", tt.name, g, tt.want)
			}
		}
	})
}
