package store_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/storetest"
)

// TestListTicketsWalksThousands walks every page of a few thousand
// tickets, half written as the projections write them and half as
// seed-demo bulk-loads them (times with nanoseconds), and requires each
// ticket exactly once, in queue order. SQLite compares times as text: a
// cursor cut to microseconds sorted before the stored time it came from,
// so the "later deadlines" range took the last row's deadline again and
// repeated rows at page boundaries.
func TestListTicketsWalksThousands(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a few thousand tickets")
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		r := rand.New(rand.NewPCG(15, 15))
		var all []*hailurah.Ticket
		for i := range 2400 {
			// A few hundred received instants and a handful of deadlines,
			// so many tickets tie. Odd tickets are bulk-loaded with
			// nanoseconds, as seed-demo writes time.Now()-based times; even
			// ones are written by UpsertTicket, which keeps microseconds.
			// The two sets never share an instant.
			k, h := time.Duration(r.IntN(150)), time.Duration(r.IntN(4))
			received := t0.Add(-2*k*time.Minute + 123456*time.Microsecond)
			due := t0.Add(2 * h * time.Hour).Add(30 * time.Minute)
			if i%2 == 1 {
				received = t0.Add(-(2*k+1)*time.Minute + 123456789)
				due = t0.Add((2*h + 1) * time.Hour).Add(987654321)
			}
			x := &hailurah.Ticket{ID: fmt.Sprintf("HL-2026-%06d", i+1), DatetimeReceived: received, Kelurahan: "taman",
				Status: hailurah.StatusOpen, Channel: hailurah.ChannelWeb}
			x.TrackingCode = "trk-" + x.ID
			if r.IntN(3) > 0 {
				x.ModeratorDue = &due
			}
			all = append(all, x)
		}
		tx := db.Gorm().Begin()
		for i, x := range all {
			if i%2 == 0 {
				continue
			}
			mustOK(t, tx.Exec(`INSERT INTO tickets (id, tracking_code, datetime_received, channel, sender_id, kelurahan_code, status,
				moderator_due, version, created_at, updated_at) VALUES (?, ?, ?, ?, '', ?, ?, ?, 1, ?, ?)`,
				x.ID, x.TrackingCode, x.DatetimeReceived, x.Channel, x.Kelurahan, string(x.Status), x.ModeratorDue, t0, t0).Error)
		}
		mustOK(t, tx.Commit().Error)
		for i, x := range all {
			if i%2 == 0 {
				mustOK(t, db.UpsertTicket(t.Context(), x))
			}
		}
		want := slices.Clone(all)
		slices.SortFunc(want, queueOrder)
		for _, limit := range []int{7, 50, 200} {
			got := walk(t, db, hailurah.TicketFilter{Kelurahan: "taman", Limit: limit})
			seen := map[string]int{}
			for _, id := range got {
				seen[id]++
			}
			var repeated []string
			for id, n := range seen {
				if n > 1 {
					repeated = append(repeated, id)
				}
			}
			if len(repeated) > 0 || len(got) != len(all) {
				t.Errorf("pages of %d: %d rows for %d tickets, %d distinct, repeated %v", limit, len(got), len(all), len(seen), head(repeated))
				continue
			}
			for i := range want {
				if got[i] != want[i].ID {
					t.Errorf("pages of %d: row %d is %s, want %s", limit, i, got[i], want[i].ID)
					break
				}
			}
		}
	})
}

func head(s []string) []string { return s[:min(len(s), 5)] }
