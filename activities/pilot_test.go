package activities_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/activities"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/storetest"
)

var pilotWIB = time.FixedZone("WIB", 7*3600)

func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// pilotStore is a real store with two kelurahan, their lurah, the pilot's
// owner, and a pilot of RW01 of Taman that started on 5 January 2026.
func pilotStore(t *testing.T, db *store.DB) *hailurah.Pilot {
	t.Helper()
	ctx := t.Context()
	noErr(t, db.UpsertKelurahan(ctx, &hailurah.Kelurahan{Code: "taman", Name: "Taman"}))
	noErr(t, db.UpsertKelurahan(ctx, &hailurah.Kelurahan{Code: "nambangan", Name: "Nambangan"}))
	for _, u := range []hailurah.User{
		{Username: "irfa", Name: "Irfa", Role: hailurah.RoleLurah, Kelurahan: "taman"},
		{Username: "dewi", Name: "Dewi", Role: hailurah.RoleLurah, Kelurahan: "nambangan"},
		{Username: "rina", Name: "Rina", Role: hailurah.RoleFasilitator, Kelurahan: "taman"},
	} {
		noErr(t, db.CreateUser(ctx, &u, "rahasia-123"))
	}
	start := time.Date(2026, 1, 5, 0, 0, 0, 0, pilotWIB)
	db.SetNow(func() time.Time { return start.Add(-time.Hour) })
	p := &hailurah.Pilot{Name: "Pelatihan digital RW01", Component: hailurah.ComponentPelatihan, Kelurahan: "taman",
		Scope: []hailurah.PilotArea{{Kelurahan: "taman", RW: "01"}}, StartDate: start, CycleStart: start, Owner: "rina",
		Targets: []hailurah.PilotTarget{{KPI: hailurah.KPITrained, Target: 4}, {KPI: hailurah.KPISatisfactionPct, Target: 80}}}
	noErr(t, db.CreatePilot(ctx, p))
	db.SetNow(nil)
	return p
}

func TestSnapshotPilotMeasuresTheScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		p := pilotStore(t, db)
		// Three households: two in RW01 (in scope), one in RW02.
		var rows []hailurah.ImportRow
		for i, rtrw := range [][2]string{{"01", "01"}, {"02", "01"}, {"01", "02"}} {
			rows = append(rows, hailurah.ImportRow{Line: i + 2, Household: &hailurah.Household{
				ID: "TMN-" + rtrw[0] + rtrw[1], Kelurahan: "taman", NamaKepalaKeluarga: "KK " + rtrw[0], RT: rtrw[0], RW: rtrw[1],
				AlamatRTRW: "RT" + rtrw[0] + "/RW" + rtrw[1]}})
		}
		res, err := db.ImportHouseholds(ctx, "taman", rows)
		noErr(t, err)
		if res.Imported != 3 {
			t.Fatalf("import: %+v", res)
		}
		// Day 10 training: both RW01 members and the RW02 one attend.
		tr := &hailurah.Training{Kelurahan: "taman", Title: "Digital marketing", HeldOn: time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC), CreatedBy: "rina"}
		noErr(t, db.CreateTraining(ctx, tr))
		var att []hailurah.TrainingAttendance
		for _, h := range []string{"TMN-0101", "TMN-0201", "TMN-0102"} {
			m := &hailurah.HouseholdMember{HouseholdID: h, Name: "Ibu " + h, Gender: hailurah.GenderPerempuan, Age: 30}
			noErr(t, db.AddMember(ctx, m))
			att = append(att, hailurah.TrainingAttendance{MemberID: m.ID, Attended: true})
		}
		noErr(t, db.RecordAttendance(ctx, tr.ID, att))
		// Day 50 training: one more RW01 member.
		tr2 := &hailurah.Training{Kelurahan: "taman", Title: "Keuangan mikro", HeldOn: time.Date(2026, 2, 24, 0, 0, 0, 0, time.UTC), CreatedBy: "rina"}
		noErr(t, db.CreateTraining(ctx, tr2))
		m := &hailurah.HouseholdMember{HouseholdID: "TMN-0101", Name: "Pak Budi", Gender: hailurah.GenderLakiLaki, Age: 40}
		noErr(t, db.AddMember(ctx, m))
		noErr(t, db.RecordAttendance(ctx, tr2.ID, []hailurah.TrainingAttendance{{MemberID: m.ID, Attended: true}}))
		// A curhat from RW01 rated 3, one from RW02 rated 5.
		for i, rw := range []string{"01", "02"} {
			noErr(t, db.UpsertTicket(ctx, &hailurah.Ticket{ID: "HL-2026-00000" + string(rune('1'+i)), DatetimeReceived: p.StartDate.Add(20 * 24 * time.Hour),
				Kelurahan: "taman", RW: rw, Status: hailurah.StatusResolved, Verified: true, Rating: 3 + 2*i, Version: 1,
				ResolvedAt: ptrTo(p.StartDate.Add(22 * 24 * time.Hour))}))
		}

		// The workflow hands over the pilot as its cycle has it on day 76.
		at := p.StartDate.Add(76 * hailurah.PilotDay)
		p.PlanCycle(hailurah.DefaultPilotPolicy(), p.StartDate)
		acts := &activities.PilotActivities{Pilots: db, KPIs: db, Notifications: db, Kelurahan: db}
		pk, err := acts.SnapshotPilot(ctx, activities.SnapshotInput{Pilot: *p, At: at, DecisionDay: 90})
		noErr(t, err)
		if pk.Day != 76 || len(pk.Rows) != 2 {
			t.Fatalf("packet: %+v", pk)
		}
		trained := pk.Rows[0]
		// RW01's three attendees, not RW02's: 3 of 4 is 75%, under the 84% expected by day 76.
		if trained.Actual == nil || *trained.Actual != 3 || *trained.PercentOfTarget != 75 || trained.Flag != hailurah.FlagAtRisk {
			t.Errorf("trained row: %+v", trained)
		}
		// The trend: days 14, 45, 75 and the review.
		var trend []float64
		for _, tp := range trained.Trend {
			trend = append(trend, *tp.Value)
		}
		if len(trend) != 4 || trend[0] != 2 || trend[1] != 2 || trend[2] != 3 || trend[3] != 3 {
			t.Errorf("trend %v, want [2 2 3 3]", trend)
		}
		// Satisfaction of RW01's tickets only: one rated 3.
		if s := pk.Rows[1]; s.Actual == nil || *s.Actual != 0 || s.Flag != hailurah.FlagOffTrack {
			t.Errorf("satisfaction row: %+v", s)
		}
		if pk.Curhat.Tickets != 1 || pk.Curhat.Rated != 1 || *pk.Curhat.SatisfactionPct != 0 || *pk.Curhat.MedianResolveSeconds != 2*86400 {
			t.Errorf("curhat figures: %+v", pk.Curhat)
		}
		if len(pk.Warnings) < 2 || !strings.Contains(strings.Join(pk.Warnings, "\n"), "Kepuasan warga") {
			t.Errorf("warnings: %v", pk.Warnings)
		}

		// The projection of the packet lands in the store.
		p.Status, p.Version, p.Packet = hailurah.PilotAwaitingDecision, 5, pk
		noErr(t, acts.ProjectPilot(ctx, hailurah.PilotProjection{Pilot: p, Packet: pk,
			Event: &hailurah.PilotEvent{Key: p.ID + "/1/9", PilotID: p.ID, Cycle: 1, Seq: 9, At: at, Type: hailurah.EventPilotPacket, Actor: "system"}}))
		got, err := db.FindPilot(ctx, p.ID)
		noErr(t, err)
		if got.Status != hailurah.PilotAwaitingDecision || got.Packet == nil || *got.Packet.Rows[0].Actual != 3 {
			t.Errorf("stored: %+v", got)
		}

		if pk.Parts != nil {
			t.Errorf("a one-kelurahan scope has parts: %+v", pk.Parts)
		}
		// Scaled to Nambangan RW01 as well: the packet keeps each
		// kelurahan's figures, so each reader sees only their own.
		wide := *p
		wide.Scope = append([]hailurah.PilotArea{{Kelurahan: "nambangan", RW: "01"}}, p.Scope...)
		wpk, err := acts.SnapshotPilot(ctx, activities.SnapshotInput{Pilot: wide, At: at, DecisionDay: 90})
		noErr(t, err)
		if len(wpk.Parts) != 2 || wpk.Parts[0].Kelurahan != "nambangan" || wpk.Parts[1].Kelurahan != "taman" ||
			*wpk.Parts[1].Rows[0].Actual != 3 || wpk.Parts[1].Curhat.Tickets != 1 || wpk.Parts[0].Curhat.Tickets != 0 {
			t.Errorf("parts: %+v", wpk.Parts)
		}
		// The packet notification to Taman's lurah names Taman's figures,
		// not the whole scope's.
		wpk.Rows[0].Actual = ptrTo(997.0)
		wide.Packet = wpk
		noErr(t, acts.NotifyPilot(ctx, activities.PilotNotifyInput{Key: p.ID + "/2/pilot_packet", Kind: hailurah.NotifyPilotPacket, Pilot: wide}))
		list, err := db.ListNotifications(ctx, "irfa", 10)
		noErr(t, err)
		if len(list) == 0 || !strings.Contains(list[0].Body, "3 dari target 4") || strings.Contains(list[0].Body, "997") {
			t.Errorf("Taman's lurah's packet notification: %+v", list)
		}

		_, err = acts.SnapshotPilot(ctx, activities.SnapshotInput{Pilot: *p, At: p.StartDate.Add(-time.Hour), DecisionDay: 90})
		if !isNonRetryable(err) {
			t.Errorf("a snapshot before the start must not be retried: %v", err)
		}
		if err := acts.ProjectPilot(ctx, hailurah.PilotProjection{}); !isNonRetryable(err) {
			t.Errorf("a projection without a pilot: %v", err)
		}
	})
}

func TestNotifyPilot(t *testing.T) {
	db := storetest.Open(t)
	ctx := t.Context()
	p := pilotStore(t, db)
	acts := &activities.PilotActivities{Pilots: db, KPIs: db, Notifications: db, Kelurahan: db, BaseURL: "https://hailurah.example/"}

	in := activities.PilotNotifyInput{Key: p.ID + "/1/pilot_milestone/1", Kind: hailurah.NotifyPilotMilestone, Pilot: *p, Day: 14}
	noErr(t, acts.NotifyPilot(ctx, in))
	noErr(t, acts.NotifyPilot(ctx, in)) // a retry
	for _, user := range []string{"irfa", "rina"} {
		list, err := db.ListNotifications(ctx, user, 10)
		noErr(t, err)
		if len(list) != 1 {
			t.Fatalf("%s has %d notifications, want 1", user, len(list))
		}
		n := list[0]
		if n.Kind != hailurah.NotifyPilotMilestone || !strings.Contains(n.Title, "hari ke-14") || !strings.Contains(n.Body, "Inisiasi & Mobilisasi") ||
			!strings.Contains(n.Body, "Pemetaan & Pelatihan Awal") || n.Link != "https://hailurah.example/pilot/"+p.ID {
			t.Errorf("%s: %+v", user, n)
		}
	}
	if list, _ := db.ListNotifications(ctx, "dewi", 10); len(list) != 0 {
		t.Errorf("another kelurahan's lurah was told: %+v", list)
	}

	// A scale into Nambangan tells its lurah too.
	d := &hailurah.PilotDecision{PilotID: p.ID, Cycle: 1, Decision: hailurah.DecisionScale, Rationale: "Replikasi ke tetangga.",
		DecidedBy: "irfa", DecidedAt: p.StartDate.Add(85 * hailurah.PilotDay)}
	noErr(t, acts.NotifyPilot(ctx, activities.PilotNotifyInput{Key: p.ID + "/1/pilot_decision/2", Kind: hailurah.NotifyPilotDecision,
		Pilot: *p, Decision: d, NewKelurahan: []string{"nambangan"}}))
	list, err := db.ListNotifications(ctx, "dewi", 10)
	noErr(t, err)
	if len(list) != 1 || !strings.Contains(list[0].Body, "direplikasi ke: Nambangan") || !strings.Contains(list[0].Title, "Perluas") {
		t.Fatalf("nambangan's lurah: %+v", list)
	}

	for _, kind := range []string{hailurah.NotifyPilotPacket, hailurah.NotifyPilotOverdue} {
		noErr(t, acts.NotifyPilot(ctx, activities.PilotNotifyInput{Key: p.ID + "/1/" + kind, Kind: kind, Pilot: *p}))
	}
	if list, _ := db.ListNotifications(ctx, "irfa", 10); len(list) != 4 {
		t.Errorf("the lurah has %d notifications, want 4", len(list))
	}
	err = acts.NotifyPilot(ctx, activities.PilotNotifyInput{Key: "x", Kind: "gossip", Pilot: *p})
	if !isNonRetryable(err) {
		t.Errorf("an unknown kind must not be retried: %v", err)
	}
	err = acts.NotifyPilot(ctx, activities.PilotNotifyInput{Key: "y", Kind: hailurah.NotifyPilotDecision, Pilot: *p})
	if !isNonRetryable(err) {
		t.Errorf("a decision notification without its decision: %v", err)
	}
}

func isNonRetryable(err error) bool {
	var ae *temporal.ApplicationError
	return err != nil && errors.As(err, &ae) && ae.NonRetryable()
}

func ptrTo[T any](v T) *T { return &v }
