package store_test

import (
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/storetest"
)

func newPilot(kel string) *hailurah.Pilot {
	start := time.Date(2026, 1, 5, 0, 0, 0, 0, kpiWIB)
	return &hailurah.Pilot{
		Name: "Pelatihan digital RW01", Component: hailurah.ComponentPelatihan, Kelurahan: kel,
		Scope:     []hailurah.PilotArea{{Kelurahan: kel, RW: "01"}},
		StartDate: start, CycleStart: start, Owner: "fasil", CreatedBy: "lurah",
		Targets: []hailurah.PilotTarget{{KPI: hailurah.KPITrained, Target: 100}},
	}
}

func TestCreateAndProjectPilot(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		ctx := t.Context()
		clk := useClock(db)
		clk.t = time.Date(2026, 2, 1, 9, 0, 0, 0, kpiWIB)

		p := newPilot("taman")
		mustOK(t, db.CreatePilot(ctx, p))
		if p.ID != "PL-2026-001" || p.Status != hailurah.PilotRunning || p.Cycle != 1 || p.Version != 0 {
			t.Fatalf("created: %+v", p)
		}
		// Created 27 days after its start: day 14 is missed, 45 and 75 pending.
		if len(p.Milestones) != 3 || p.Milestones[0].Status != hailurah.MilestoneMissed || p.Milestones[1].Status != hailurah.MilestonePending {
			t.Errorf("milestones: %+v", p.Milestones)
		}
		if want := p.StartDate.AddDate(0, 0, 90); !p.DecisionDue.Equal(want) {
			t.Errorf("decision due %v, want %v", p.DecisionDue, want)
		}
		second := newPilot("nambangan")
		mustOK(t, db.CreatePilot(ctx, second))
		if second.ID != "PL-2026-002" {
			t.Errorf("second id %s", second.ID)
		}
		bad := newPilot("atlantis")
		wantCode(t, db.CreatePilot(ctx, bad), hailurah.EINVALID, "kelurahan")
		bad = newPilot("taman")
		bad.Targets = nil
		wantCode(t, db.CreatePilot(ctx, bad), hailurah.EINVALID, "targets")

		// The review: a packet, an event, the status.
		p.Version, p.Status = 3, hailurah.PilotAwaitingDecision
		actual := 42.0
		packet := &hailurah.PilotPacket{PilotID: p.ID, Cycle: 1, GeneratedAt: clk.t, Day: 76,
			Rows: []hailurah.PacketRow{{KPI: hailurah.KPITrained, Target: 100, Actual: &actual, Flag: hailurah.FlagOffTrack}}}
		event := &hailurah.PilotEvent{Key: p.ID + "/1/3", PilotID: p.ID, Cycle: 1, Seq: 3, At: clk.t, Type: hailurah.EventPilotPacket, Actor: "system"}
		proj := &hailurah.PilotProjection{Pilot: p, Event: event, Packet: packet}
		mustOK(t, db.ProjectPilot(ctx, proj))
		mustOK(t, db.ProjectPilot(ctx, proj)) // a retry
		got, err := db.FindPilot(ctx, p.ID)
		mustOK(t, err)
		if got.Status != hailurah.PilotAwaitingDecision || got.Packet == nil || *got.Packet.Rows[0].Actual != 42 || got.Version != 3 {
			t.Fatalf("after the review: %+v", got)
		}
		events, err := db.ListPilotEvents(ctx, p.ID)
		mustOK(t, err)
		if len(events) != 1 || events[0].Type != hailurah.EventPilotPacket {
			t.Errorf("events: %+v", events)
		}

		// A stale projection (a late retry of version 2) changes nothing.
		stale := *p
		stale.Version, stale.Status = 2, hailurah.PilotRunning
		mustOK(t, db.ProjectPilot(ctx, &hailurah.PilotProjection{Pilot: &stale}))
		if got, _ := db.FindPilot(ctx, p.ID); got.Status != hailurah.PilotAwaitingDecision {
			t.Errorf("a stale write rolled the pilot back to %s", got.Status)
		}

		// The decision, then the next cycle: its packet is not the old one.
		decision := &hailurah.PilotDecision{PilotID: p.ID, Cycle: 1, Decision: hailurah.DecisionScale,
			Rationale: "Peserta antusias; perluas ke RW02 dan Kelurahan Nambangan.", DecidedBy: "lurah", DecidedAt: clk.t,
			Scope: []hailurah.PilotArea{{Kelurahan: "taman", RW: "01"}, {Kelurahan: "taman", RW: "02", RT: "03"}, {Kelurahan: "nambangan"}}}
		next := *p
		next.Version, next.Status, next.Cycle, next.CycleStart = 4, hailurah.PilotRunning, 2, clk.t
		next.Scope = decision.Scope
		mustOK(t, db.ProjectPilot(ctx, &hailurah.PilotProjection{Pilot: &next, Decision: decision}))
		mustOK(t, db.ProjectPilot(ctx, &hailurah.PilotProjection{Pilot: &next, Decision: decision})) // a retry
		got, err = db.FindPilot(ctx, p.ID)
		mustOK(t, err)
		if got.Cycle != 2 || got.Packet != nil || len(got.Decisions) != 1 || got.Decisions[0].Decision != hailurah.DecisionScale ||
			len(got.Decisions[0].Scope) != 3 {
			t.Fatalf("after the decision: %+v", got)
		}
		// A different decision for the same cycle is refused.
		other := *decision
		other.Decision, other.Scope = hailurah.DecisionStop, nil
		wantCode(t, db.ProjectPilot(ctx, &hailurah.PilotProjection{Pilot: &next, Decision: &other}), hailurah.ECONFLICT, "")
		// And the database refuses to change a signed one behind the store's back.
		if err := db.Gorm().Exec("UPDATE pilot_decisions SET decision = 'stop' WHERE pilot_id = ?", p.ID).Error; err == nil {
			t.Fatal("a signed decision was changed")
		}
		if err := db.Gorm().Exec("DELETE FROM pilot_decisions WHERE pilot_id = ?", p.ID).Error; err == nil {
			t.Fatal("a signed decision was deleted")
		}

		// Nambangan sees the pilot scaled into it; Demangan does not.
		for kel, want := range map[string]int{"taman": 1, "nambangan": 2, "": 2, "demangan": 0} {
			list, err := db.ListPilots(ctx, hailurah.PilotFilter{Kelurahan: kel})
			mustOK(t, err)
			if len(list) != want {
				t.Errorf("pilots visible to %q: %d, want %d", kel, len(list), want)
			}
		}
		list, err := db.ListPilots(ctx, hailurah.PilotFilter{Statuses: []hailurah.PilotStatus{hailurah.PilotRunning}})
		mustOK(t, err)
		if len(list) != 2 || list[0].ID != second.ID || len(list[1].Decisions) != 1 {
			t.Errorf("running pilots, newest first: %+v", list)
		}

		// The public list: no usernames, no RT.
		pub, err := db.PublicDecisions(ctx, "")
		mustOK(t, err)
		if len(pub) != 1 || pub[0].KelurahanName != "Taman" || pub[0].Rationale != decision.Rationale {
			t.Fatalf("public decisions: %+v", pub)
		}
		if s := pub[0].Scope; len(s) != 3 || s[0] != "taman RW01" || s[1] != "taman RW02" || s[2] != "nambangan" {
			t.Errorf("public scope %v", s)
		}
		if pub, _ := db.PublicDecisions(ctx, "nambangan"); len(pub) != 0 {
			t.Errorf("nambangan owns no decision: %+v", pub)
		}

		wantCode(t, db.ProjectPilot(ctx, &hailurah.PilotProjection{Pilot: &hailurah.Pilot{ID: "PL-2026-999", Name: "x", Component: "hibah",
			Kelurahan: "taman", Owner: "x", Status: hailurah.PilotRunning, Cycle: 1, Scope: p.Scope, StartDate: p.StartDate,
			CycleStart: p.StartDate, Targets: p.Targets}}), hailurah.ENOTFOUND, "")
		_, err = db.FindPilot(ctx, "PL-2026-999")
		wantCode(t, err, hailurah.ENOTFOUND, "")

		// A pilot whose workflow never started can be cancelled; one that ran cannot.
		wantCode(t, db.CancelPilot(ctx, p.ID), hailurah.ECONFLICT, "")
		mustOK(t, db.CancelPilot(ctx, second.ID))
		wantCode(t, db.CancelPilot(ctx, second.ID), hailurah.ENOTFOUND, "")
	})
}

func TestNotifyUser(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		ctx := t.Context()
		u := mustUser(t, db, "fasil", hailurah.RoleFasilitator, "taman", "")
		n := &hailurah.Notification{IdempotencyKey: "PL-2026-001/1/milestone/14", Kind: hailurah.NotifyPilotMilestone,
			Title: "Milestone hari ke-14", Body: "Inisiasi", Link: "/pilot/PL-2026-001"}
		ok, err := db.NotifyUser(ctx, "fasil", n)
		mustOK(t, err)
		if !ok {
			t.Fatal("not stored")
		}
		if ok, _ := db.NotifyUser(ctx, "fasil", n); ok {
			t.Error("a retry stored a second copy")
		}
		list, err := db.ListNotifications(ctx, "fasil", 10)
		mustOK(t, err)
		if len(list) != 1 || list[0].To.Role != hailurah.RoleFasilitator || list[0].To.Kelurahan != "taman" || list[0].Kind != hailurah.NotifyPilotMilestone {
			t.Fatalf("notifications: %+v", list)
		}
		if ok, err := db.NotifyUser(ctx, "nobody", n); ok || err != nil {
			t.Errorf("unknown user: %v %v", ok, err)
		}
		mustOK(t, db.SetDisabled(ctx, u.ID, true))
		n.IdempotencyKey += "/again"
		if ok, err := db.NotifyUser(ctx, "fasil", n); ok || err != nil {
			t.Errorf("disabled user: %v %v", ok, err)
		}
	})
}
