package store_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/storetest"
)

func TestDigestCounts(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		seed(t, db)
		mustOK(t, db.UpsertKelurahan(ctx, &hailurah.Kelurahan{Code: "demangan", Name: "Demangan"}))
		mustOK(t, db.UpsertKelurahan(ctx, &hailurah.Kelurahan{Code: "kanigoro", Name: "Kanigoro"}))

		// The week [Mon 23 Feb, Mon 2 Mar 2026).
		from := time.Date(2026, 2, 23, 0, 0, 0, 0, time.UTC)
		to := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
		day := func(d int) time.Time { return time.Date(2026, 2, d, 9, 0, 0, 0, time.UTC) }
		jan := func(d int) time.Time { return time.Date(2026, 1, d, 9, 0, 0, 0, time.UTC) }
		n := 0
		add := func(kel string, received time.Time, status hailurah.TicketStatus, edit func(*hailurah.Ticket)) {
			t.Helper()
			n++
			x := &hailurah.Ticket{ID: fmt.Sprintf("HL-2026-%06d", n), Kelurahan: kel, DatetimeReceived: received, Status: status}
			if edit != nil {
				edit(x)
			}
			mustOK(t, db.UpsertTicket(ctx, x))
		}

		// Taman.
		// 1: new this week, still open, escalated, past the moderator SLA.
		add("taman", day(24), hailurah.StatusOpen, func(x *hailurah.Ticket) {
			x.Kategori, x.EscalationFlag, x.ModeratorBreached = hailurah.KategoriLingkungan, true, true
		})
		// 2: new this week and resolved in it, rated 4.
		add("taman", day(25), hailurah.StatusResolved, func(x *hailurah.Ticket) {
			x.Kategori, x.ResolvedAt, x.Rating = hailurah.KategoriInfrastruktur, ptrTime(day(27)), 4
		})
		// 3: from before the week, resolved in it, rated 2.
		add("taman", day(10), hailurah.StatusResolved, func(x *hailurah.Ticket) {
			x.Kategori, x.ResolvedAt, x.Rating = hailurah.KategoriInfrastruktur, ptrTime(day(28)), 2
		})
		// 4: from before the week, still with the unit, past its SLA;
		// escalated, but not this week's curhat.
		add("taman", day(15), hailurah.StatusInProgress, func(x *hailurah.Ticket) {
			x.DinasBreached, x.EscalationFlag, x.Kategori = true, true, hailurah.KategoriSosial
		})
		// 5: new this week, resolved only after it (open at its end),
		// rated then: not this week's rating.
		add("taman", day(26), hailurah.StatusResolved, func(x *hailurah.Ticket) {
			x.Kategori, x.ModeratorBreached = hailurah.KategoriLingkungan, true
			x.ResolvedAt, x.Rating = ptrTime(to.Add(24*time.Hour)), 5
		})
		// 6: new this week, rejected in it, never triaged (no kategori).
		add("taman", day(27), hailurah.StatusRejected, func(x *hailurah.Ticket) { x.ClosedAt = ptrTime(day(27)) })
		// 7: received in the last microsecond of the week, auto-closed after it.
		add("taman", to.Add(-time.Microsecond), hailurah.StatusClosed, func(x *hailurah.Ticket) {
			x.Kategori, x.ClosedAt = hailurah.KategoriKesehatan, ptrTime(to.Add(3*24*time.Hour))
		})
		// 8: received at the very end of the week: next week's.
		add("taman", to, hailurah.StatusOpen, func(x *hailurah.Ticket) { x.Kategori = hailurah.KategoriBencana })
		// 9: old, auto-closed at the very start of the week.
		add("taman", jan(5), hailurah.StatusClosed, func(x *hailurah.Ticket) { x.ClosedAt = ptrTime(from) })
		// 10: old, resolved and rated before the week.
		add("taman", jan(1), hailurah.StatusResolved, func(x *hailurah.Ticket) {
			x.ResolvedAt, x.Rating = ptrTime(day(1)), 5
		})
		// 11: old, rejected just before the week.
		add("taman", jan(2), hailurah.StatusRejected, func(x *hailurah.Ticket) { x.ClosedAt = ptrTime(from.Add(-time.Minute)) })
		// 12: old and resolved, without a resolve time: final before the week.
		add("taman", day(5), hailurah.StatusResolved, nil)

		// Nambangan: only an old ticket still open, past the moderator SLA.
		add("nambangan", day(1), hailurah.StatusAssigned, func(x *hailurah.Ticket) { x.ModeratorBreached = true })
		// Demangan: only a ticket finished before the week: no digest.
		add("demangan", jan(3), hailurah.StatusResolved, func(x *hailurah.Ticket) { x.ResolvedAt = ptrTime(jan(10)) })
		// The city queue is left out.
		add("", day(24), hailurah.StatusNew, func(x *hailurah.Ticket) { x.Kategori = hailurah.KategoriLingkungan })

		got, err := db.DigestCounts(ctx, from, to)
		mustOK(t, err)
		want := []*hailurah.KelurahanDigest{
			{
				Kelurahan: "nambangan", KelurahanName: "Nambangan Lor",
				Open: 1, ModeratorBreached: 1,
			},
			{
				Kelurahan: "taman", KelurahanName: "Taman",
				New:      5, // 1, 2, 5, 6, 7
				Open:     4, // 1, 4, 5, 7
				Resolved: 2, // 2, 3
				Closed:   1, // 9
				Rejected: 1, // 6
				// 1, 5 and 4: open tickets past their SLA.
				ModeratorBreached: 2, DinasBreached: 1,
				Escalated:  1, // 1; 4 is not this week's
				ByKategori: map[string]int{hailurah.KategoriLingkungan: 2, hailurah.KategoriInfrastruktur: 1, hailurah.KategoriKesehatan: 1},
				AvgRating:  3, // (4 + 2) / 2
			},
		}
		gj, _ := json.MarshalIndent(got, "", "  ")
		wj, _ := json.MarshalIndent(want, "", "  ")
		if string(gj) != string(wj) {
			t.Fatalf("DigestCounts:\ngot  %s\nwant %s", gj, wj)
		}

		// Times in another zone mean the same instants.
		wib := time.FixedZone("WIB", 7*3600)
		again, err := db.DigestCounts(ctx, from.In(wib), to.In(wib))
		mustOK(t, err)
		if aj, _ := json.MarshalIndent(again, "", "  "); string(aj) != string(wj) {
			t.Fatalf("DigestCounts with WIB times:\n%s", aj)
		}

		// A week with nothing in it but the open backlog.
		later, err := db.DigestCounts(ctx, to.Add(30*24*time.Hour), to.Add(37*24*time.Hour))
		mustOK(t, err)
		var open []string
		for _, d := range later {
			open = append(open, fmt.Sprintf("%s:%d/%d", d.Kelurahan, d.New, d.Open))
		}
		// Taman: 1, 4, 8 are open; 5 and 7 became final after the first
		// week. Nambangan: its old ticket.
		if fmt.Sprint(open) != "[nambangan:0/1 taman:0/3]" {
			t.Fatalf("backlog-only week = %v", open)
		}

		// Before any ticket: nothing.
		none, err := db.DigestCounts(ctx, jan(1).AddDate(-1, 0, 0), jan(1).AddDate(-1, 0, 7))
		mustOK(t, err)
		if len(none) != 0 {
			t.Fatalf("a year before any ticket: %d digests", len(none))
		}
		_, err = db.DigestCounts(ctx, to, from)
		wantCode(t, err, hailurah.EINVALID, "to")
		_, err = db.DigestCounts(ctx, from, from)
		wantCode(t, err, hailurah.EINVALID, "to")
	})
}
