package store_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/storetest"
)

// t0 is the fixed "now" of useClock.
var t0 = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)

func ptrTime(t time.Time) *time.Time { return &t }
func ptrFloat(f float64) *float64    { return &f }

// intakeTicket is a ticket as the server records it at intake.
func intakeTicket(id, kelurahan string, received time.Time) *hailurah.Ticket {
	return &hailurah.Ticket{
		ID:                   id,
		TrackingCode:         "trk-" + id,
		DatetimeReceived:     received,
		Channel:              hailurah.ChannelWhatsApp,
		SenderID:             "hash-" + id,
		Kelurahan:            kelurahan,
		RT:                   "003",
		RW:                   "005",
		MessageText:          "Selokan mampet di depan rumah " + id,
		Status:               hailurah.StatusNew,
		RawPayload:           json.RawMessage(`{"id":"wamid.` + id + `","text":"Selokan mampet"}`),
		LastCitizenMessageAt: received,
		MessagesCount:        1,
	}
}

// fullTicket is a ticket with every field set, as a late projection
// writes it.
func fullTicket(id string) *hailurah.Ticket {
	at := time.Date(2026, 3, 1, 10, 30, 0, 123456000, time.UTC)
	return &hailurah.Ticket{
		ID:                      id,
		TrackingCode:            "trk-" + id,
		DatetimeReceived:        at,
		Channel:                 hailurah.ChannelWeb,
		SenderID:                "hash-" + id,
		Kelurahan:               "taman",
		RT:                      "003",
		RW:                      "005",
		MessageText:             "Jalan berlubang besar, sudah 2 motor jatuh.",
		Summary:                 "Jalan berlubang membahayakan pengendara",
		Kategori:                hailurah.KategoriInfrastruktur,
		Subkategori:             "jalan",
		UrgencyScore:            4,
		Severity:                hailurah.SeverityHigh,
		EstimatedPeopleAffected: 120,
		SuggestedResponseType:   "B",
		SuggestedUnit:           "pupr",
		AssignedUnit:            "pupr",
		EscalationFlag:          true,
		TembusanFlag:            true,
		PrivacyFlag:             true,
		Lat:                     ptrFloat(-7.6298),
		Lng:                     ptrFloat(111.5239),
		SentimentScore:          -0.62,
		ModelVersion:            "rules-2026.03",
		FinalActionTaken:        hailurah.FinalActionReferred,
		Status:                  hailurah.StatusInProgress,
		RawPayload:              json.RawMessage(`{"text":"Jalan berlubang","id":"web-1"}`),
		ModeratorDue:            ptrTime(at.Add(24 * time.Hour)),
		DinasDue:                ptrTime(at.Add(7 * 24 * time.Hour)),
		ModeratorBreached:       true,
		DinasBreached:           true,
		ModeratorBreachLevel:    2,
		DinasBreachLevel:        1,
		Verified:                true,
		ReopenedCount:           1,
		Rating:                  0,
		RejectReason:            "",
		DuplicateOf:             "HL-2026-000001",
		LastCitizenMessageAt:    at.Add(time.Hour),
		MessagesCount:           3,
		AssignedAt:              ptrTime(at.Add(2 * time.Hour)),
		Version:                 7,
		CreatedAt:               at,
		UpdatedAt:               at.Add(3 * time.Hour),
	}
}

// wantTicket fails unless got equals want field by field (RawPayload as
// JSON, since Postgres's jsonb re-spaces and reorders it).
func wantTicket(t *testing.T, got, want *hailurah.Ticket) {
	t.Helper()
	g, w := *got, *want
	if !jsonEqual(t, g.RawPayload, w.RawPayload) {
		t.Errorf("RawPayload = %s, want %s", g.RawPayload, w.RawPayload)
	}
	g.RawPayload, w.RawPayload = nil, nil
	if !reflect.DeepEqual(g, w) {
		gj, _ := json.MarshalIndent(g, "", " ")
		wj, _ := json.MarshalIndent(w, "", " ")
		t.Fatalf("ticket differs:\ngot  %s\nwant %s", gj, wj)
	}
}

func jsonEqual(t *testing.T, a, b json.RawMessage) bool {
	t.Helper()
	if len(a) == 0 || len(b) == 0 {
		return len(a) == len(b)
	}
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("bad JSON %s: %v", a, err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("bad JSON %s: %v", b, err)
	}
	return reflect.DeepEqual(x, y)
}

func mustFindTicket(t *testing.T, db *store.DB, id string) *hailurah.Ticket {
	t.Helper()
	got, err := db.FindTicket(t.Context(), id)
	mustOK(t, err)
	return got
}

func TestCreateTicket(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		c := useClock(db)
		seed(t, db)
		wib := time.FixedZone("WIB", 7*3600)
		in := intakeTicket("HL-2026-000001", "taman", time.Date(2026, 3, 2, 15, 0, 0, 999, wib))
		in.LastCitizenMessageAt = t0
		in.Version = 9 // the intake row is always version 0
		in.Status = ""
		mustOK(t, db.CreateTicket(ctx, in))
		if in.Version != 0 || in.Status != hailurah.StatusNew {
			t.Fatalf("CreateTicket left version %d, status %q; want 0, new", in.Version, in.Status)
		}
		if !in.CreatedAt.Equal(c.Now()) || !in.UpdatedAt.Equal(c.Now()) {
			t.Fatalf("CreatedAt %v, UpdatedAt %v; want the clock's %v", in.CreatedAt, in.UpdatedAt, c.Now())
		}
		if in.DatetimeReceived != time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC) {
			t.Fatalf("DatetimeReceived = %v, want it in UTC, whole microseconds", in.DatetimeReceived)
		}
		wantTicket(t, mustFindTicket(t, db, in.ID), in)
		got, err := db.FindTicketByTrackingCode(ctx, in.TrackingCode)
		mustOK(t, err)
		wantTicket(t, got, in)

		// A ticket with every field reads back as written.
		full := fullTicket("HL-2026-000002")
		full.Status = hailurah.StatusNew
		mustOK(t, db.CreateTicket(ctx, full))
		wantTicket(t, mustFindTicket(t, db, full.ID), full)

		// The city queue: no kelurahan is NULL in the row and "" again on read.
		city := intakeTicket("HL-2026-000003", "", t0)
		mustOK(t, db.CreateTicket(ctx, city))
		if got := mustFindTicket(t, db, city.ID); got.Kelurahan != "" {
			t.Fatalf("city queue ticket read back with kelurahan %q", got.Kelurahan)
		}
		var nulls int64
		mustOK(t, db.Gorm().Raw("SELECT count(*) FROM tickets WHERE kelurahan_code IS NULL").Scan(&nulls).Error)
		if nulls != 1 {
			t.Fatalf("%d tickets with a NULL kelurahan_code, want 1", nulls)
		}

		// ECONFLICT on the same id, and the first row is untouched.
		dup := intakeTicket("HL-2026-000001", "nambangan", t0)
		dup.TrackingCode = "lain"
		wantCode(t, db.CreateTicket(ctx, dup), hailurah.ECONFLICT, "")
		if got := mustFindTicket(t, db, in.ID); got.Kelurahan != "taman" {
			t.Fatalf("duplicate CreateTicket changed the ticket: kelurahan %q", got.Kelurahan)
		}
		// A tracking code is one ticket's only.
		same := intakeTicket("HL-2026-000004", "taman", t0)
		same.TrackingCode = in.TrackingCode
		wantCode(t, db.CreateTicket(ctx, same), hailurah.ECONFLICT, "")
	})
}

func TestCreateTicketInvalid(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		seed(t, db)
		tests := []struct {
			name  string
			edit  func(*hailurah.Ticket)
			field string
		}{
			{"empty id", func(x *hailurah.Ticket) { x.ID = "" }, "id"},
			{"blank id", func(x *hailurah.Ticket) { x.ID = "  " }, "id"},
			{"unknown status", func(x *hailurah.Ticket) { x.Status = "done" }, "status"},
			{"urgency 6", func(x *hailurah.Ticket) { x.UrgencyScore = 6 }, "urgency_score"},
			{"rating -1", func(x *hailurah.Ticket) { x.Rating = -1 }, "rating"},
			{"raw payload not JSON", func(x *hailurah.Ticket) { x.RawPayload = json.RawMessage(`{"a":`) }, "raw_payload"},
			{"raw payload with NUL", func(x *hailurah.Ticket) { x.RawPayload = json.RawMessage(`{"a":"\u0000"}`) }, "raw_payload"},
			{"NUL in message", func(x *hailurah.Ticket) { x.MessageText = "a\x00b" }, "message_text"},
			{"invalid UTF-8", func(x *hailurah.Ticket) { x.Summary = "\xff" }, "summary"},
			{"unknown kelurahan", func(x *hailurah.Ticket) { x.Kelurahan = "atlantis" }, ""},
			{"unknown unit", func(x *hailurah.Ticket) { x.AssignedUnit = "nasa" }, ""},
		}
		for _, tt := range tests {
			x := intakeTicket("HL-2026-000009", "taman", t0)
			x.Version = 3
			tt.edit(x)
			before := *x
			err := db.CreateTicket(ctx, x)
			if !reflect.DeepEqual(*x, before) {
				t.Errorf("CreateTicket with %s changed its argument", tt.name)
			}
			if hailurah.ErrorCode(err) != hailurah.EINVALID || hailurah.ErrorField(err) != tt.field {
				t.Errorf("CreateTicket with %s: got %v, want EINVALID on field %q", tt.name, err, tt.field)
			}
			err = db.UpsertTicket(ctx, x)
			if hailurah.ErrorCode(err) != hailurah.EINVALID || hailurah.ErrorField(err) != tt.field {
				t.Errorf("UpsertTicket with %s: got %v, want EINVALID on field %q", tt.name, err, tt.field)
			}
		}
		wantCode(t, db.CreateTicket(ctx, nil), hailurah.EINVALID, "")
		wantCode(t, db.UpsertTicket(ctx, nil), hailurah.EINVALID, "")
		page, err := db.ListTickets(ctx, hailurah.TicketFilter{})
		mustOK(t, err)
		if len(page.Items) != 0 {
			t.Fatalf("rejected tickets were stored: %d", len(page.Items))
		}
	})
}

func TestFindTicketNotFound(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		mustOK(t, db.UpsertTicket(ctx, &hailurah.Ticket{ID: "HL-2026-000001", DatetimeReceived: t0, Status: hailurah.StatusNew}))
		_, err := db.FindTicket(ctx, "HL-2026-999999")
		wantCode(t, err, hailurah.ENOTFOUND, "")
		_, err = db.FindTicketByTrackingCode(ctx, "no-such-code")
		wantCode(t, err, hailurah.ENOTFOUND, "")
		// The ticket above has no tracking code (NULL): "" finds nothing.
		_, err = db.FindTicketByTrackingCode(ctx, "")
		wantCode(t, err, hailurah.ENOTFOUND, "")
	})
}

func TestUpsertTicket(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		c := useClock(db)
		seed(t, db)

		// A first write inserts; one with every field reads back as written.
		full := fullTicket("HL-2026-000010")
		mustOK(t, db.UpsertTicket(ctx, full))
		wantTicket(t, mustFindTicket(t, db, full.ID), full)

		// A projection without times of its own gets the store's clock.
		bare := &hailurah.Ticket{ID: "HL-2026-000011", Status: hailurah.StatusNew}
		mustOK(t, db.UpsertTicket(ctx, bare))
		got := mustFindTicket(t, db, bare.ID)
		if !got.DatetimeReceived.Equal(c.Now()) || !got.CreatedAt.Equal(c.Now()) || !got.UpdatedAt.Equal(c.Now()) {
			t.Fatalf("bare ticket times %v %v %v, want the clock's %v", got.DatetimeReceived, got.CreatedAt, got.UpdatedAt, c.Now())
		}

		// A newer version replaces every projected field.
		next := fullTicket(full.ID)
		next.Version = 8
		next.Status = hailurah.StatusResolved
		next.Kelurahan = "nambangan"
		next.AssignedUnit = "dlh"
		next.Lat, next.Lng = nil, nil
		next.ModeratorBreached, next.Verified, next.PrivacyFlag = false, false, false
		next.Rating = 5
		next.ResolvedAt = ptrTime(next.UpdatedAt.Add(time.Hour))
		next.UpdatedAt = next.UpdatedAt.Add(time.Hour)
		mustOK(t, db.UpsertTicket(ctx, next))
		wantTicket(t, mustFindTicket(t, db, full.ID), next)

		// A stale version is ignored, without an error.
		stale := fullTicket(full.ID)
		stale.Version = 7
		stale.Status = hailurah.StatusOpen
		stale.Summary = "ringkasan lama"
		mustOK(t, db.UpsertTicket(ctx, stale))
		wantTicket(t, mustFindTicket(t, db, full.ID), next)

		// The same version again is written: a retry carries the same data.
		again := *next
		again.Summary = "ringkasan dikoreksi"
		mustOK(t, db.UpsertTicket(ctx, &again))
		if got := mustFindTicket(t, db, full.ID); got.Summary != "ringkasan dikoreksi" {
			t.Fatalf("same-version write ignored: summary %q", got.Summary)
		}

		// Moving a ticket to the city queue and out of a unit clears both.
		cleared := again
		cleared.Version = 9
		cleared.Kelurahan, cleared.AssignedUnit = "", ""
		mustOK(t, db.UpsertTicket(ctx, &cleared))
		if got := mustFindTicket(t, db, full.ID); got.Kelurahan != "" || got.AssignedUnit != "" {
			t.Fatalf("kelurahan %q, unit %q; want both cleared", got.Kelurahan, got.AssignedUnit)
		}

		wantCode(t, db.UpsertTicket(ctx, &hailurah.Ticket{Status: hailurah.StatusNew}), hailurah.EINVALID, "id")
		// Unknown kelurahan on an update is EINVALID and changes nothing.
		bad := cleared
		bad.Version = 10
		bad.Kelurahan = "atlantis"
		wantCode(t, db.UpsertTicket(ctx, &bad), hailurah.EINVALID, "")
		if got := mustFindTicket(t, db, full.ID); got.Version != 9 {
			t.Fatalf("rejected upsert changed the ticket to version %d", got.Version)
		}
		// Another ticket's tracking code is a conflict.
		other := fullTicket("HL-2026-000012")
		other.TrackingCode = full.TrackingCode
		wantCode(t, db.UpsertTicket(ctx, other), hailurah.ECONFLICT, "")
	})
}

// TestUpsertTicketKeepsIntake covers the two orders the intake row and the
// workflow's first projection can arrive in.
func TestUpsertTicketKeepsIntake(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		useClock(db)
		seed(t, db)

		// Intake first, then a projection that lacks the intake fields.
		in := intakeTicket("HL-2026-000020", "taman", t0.Add(-time.Hour))
		mustOK(t, db.CreateTicket(ctx, in))
		proj := &hailurah.Ticket{
			ID: in.ID, DatetimeReceived: t0, Kelurahan: "taman", Status: hailurah.StatusOpen,
			Summary: "Selokan mampet", Kategori: hailurah.KategoriLingkungan, UrgencyScore: 3, Version: 2,
		}
		mustOK(t, db.UpsertTicket(ctx, proj))
		got := mustFindTicket(t, db, in.ID)
		if got.TrackingCode != in.TrackingCode || got.SenderID != in.SenderID || got.Channel != in.Channel ||
			got.MessageText != in.MessageText || !jsonEqual(t, got.RawPayload, in.RawPayload) ||
			!got.DatetimeReceived.Equal(in.DatetimeReceived) || !got.CreatedAt.Equal(in.CreatedAt) {
			t.Fatalf("projection blanked intake fields: %+v", got)
		}
		if got.Status != hailurah.StatusOpen || got.Summary != "Selokan mampet" || got.Version != 2 || got.RT != "" {
			t.Fatalf("projection not applied: %+v", got)
		}
		// A non-empty value from a projection does not replace the intake's
		// either: the first one stands.
		proj2 := *proj
		proj2.Version = 3
		proj2.SenderID, proj2.MessageText, proj2.TrackingCode = "lain", "teks lain", "kode-lain"
		proj2.RawPayload = json.RawMessage(`{"other":true}`)
		mustOK(t, db.UpsertTicket(ctx, &proj2))
		got = mustFindTicket(t, db, in.ID)
		if got.SenderID != in.SenderID || got.MessageText != in.MessageText || got.TrackingCode != in.TrackingCode ||
			!jsonEqual(t, got.RawPayload, in.RawPayload) {
			t.Fatalf("a later projection replaced intake fields: %+v", got)
		}

		// Projection first (the intake insert lost the race or failed):
		// it creates the row, the late intake gets ECONFLICT and changes nothing.
		early := fullTicket("HL-2026-000021")
		early.TrackingCode = ""
		early.RawPayload = json.RawMessage(`null`)
		early.SenderID = ""
		mustOK(t, db.UpsertTicket(ctx, early))
		late := intakeTicket(early.ID, "nambangan", t0)
		wantCode(t, db.CreateTicket(ctx, late), hailurah.ECONFLICT, "")
		got = mustFindTicket(t, db, early.ID)
		early.RawPayload = nil // a JSON null is stored as no payload
		wantTicket(t, got, early)
		// A later projection fills what the first one lacked.
		fill := fullTicket(early.ID)
		fill.Version = early.Version + 1
		mustOK(t, db.UpsertTicket(ctx, fill))
		got = mustFindTicket(t, db, early.ID)
		if got.TrackingCode != fill.TrackingCode || got.SenderID != fill.SenderID || !jsonEqual(t, got.RawPayload, fill.RawPayload) {
			t.Fatalf("empty intake fields not filled by a later projection: %+v", got)
		}
	})
}

// TestSLADue checks the generated column the queue sorts by, for every
// status and after a transition.
func TestSLADue(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		seed(t, db)
		mod, dinas := t0.Add(24*time.Hour), t0.Add(7*24*time.Hour)
		want := map[hailurah.TicketStatus]*time.Time{
			hailurah.StatusNew:                  &mod,
			hailurah.StatusOpen:                 &mod,
			hailurah.StatusAssigned:             &dinas,
			hailurah.StatusInProgress:           &dinas,
			hailurah.StatusAwaitingConfirmation: nil,
			hailurah.StatusResolved:             nil,
			hailurah.StatusClosed:               nil,
			hailurah.StatusRejected:             nil,
		}
		slaDue := func(id string) *time.Time {
			t.Helper()
			var due []time.Time
			mustOK(t, db.Gorm().Raw("SELECT sla_due FROM tickets WHERE id = ? AND sla_due IS NOT NULL", id).Scan(&due).Error)
			if len(due) == 0 {
				return nil
			}
			u := due[0].UTC()
			return &u
		}
		for i, s := range hailurah.TicketStatuses {
			x := intakeTicket(fmt.Sprintf("HL-2026-%06d", i+1), "taman", t0)
			x.Status, x.ModeratorDue, x.DinasDue = s, &mod, &dinas
			mustOK(t, db.UpsertTicket(ctx, x))
			if got := slaDue(x.ID); !reflect.DeepEqual(got, want[s]) {
				t.Errorf("status %s: sla_due = %v, want %v", s, got, want[s])
			}
		}
		// An open ticket without a moderator deadline has no SLA running.
		x := intakeTicket("HL-2026-000100", "taman", t0)
		x.Status = hailurah.StatusOpen
		mustOK(t, db.UpsertTicket(ctx, x))
		if got := slaDue(x.ID); got != nil {
			t.Errorf("open without moderator_due: sla_due = %v, want NULL", got)
		}
		// The column follows an update: open → assigned switches deadlines.
		x.ModeratorDue, x.DinasDue = &mod, &dinas
		x.Status, x.Version = hailurah.StatusAssigned, 1
		mustOK(t, db.UpsertTicket(ctx, x))
		if got := slaDue(x.ID); got == nil || !got.Equal(dinas) {
			t.Errorf("after assign: sla_due = %v, want %v", got, dinas)
		}
	})
}

func TestNextTicketID(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		c := useClock(db)
		at := time.Date(2026, 12, 31, 23, 59, 59, 0, time.UTC)
		next := func(at time.Time) string {
			t.Helper()
			id, err := db.NextTicketID(ctx, at)
			mustOK(t, err)
			return id
		}
		for i := 1; i <= 3; i++ {
			if got, want := next(at), fmt.Sprintf("HL-2026-%06d", i); got != want {
				t.Fatalf("id %d = %s, want %s", i, got, want)
			}
		}
		// A new year starts at 1; the old year's counter carries on.
		if got := next(at.Add(time.Second)); got != "HL-2027-000001" {
			t.Fatalf("first id of 2027 = %s", got)
		}
		if got := next(at); got != "HL-2026-000004" {
			t.Fatalf("2026 after 2027 started = %s, want HL-2026-000004", got)
		}
		// The year is the one of at's own location: 1 January 06:00 WIB is
		// still 31 December in UTC.
		wib := time.FixedZone("WIB", 7*3600)
		if got := next(time.Date(2027, 1, 1, 6, 0, 0, 0, wib)); got != "HL-2027-000002" {
			t.Fatalf("id at 06:00 WIB on 1 January = %s, want HL-2027-000002", got)
		}
		// A zero time is now, by the store's clock.
		if c.Now().Year() != 2026 {
			t.Fatalf("clock starts in %d; the next check assumes 2026", c.Now().Year())
		}
		if got := next(time.Time{}); got != "HL-2026-000005" {
			t.Fatalf("id for a zero time = %s, want HL-2026-000005", got)
		}
	})
}

// TestNextTicketIDConcurrent allocates ids from many goroutines at once:
// every one gets a distinct number and together they leave no gap.
func TestNextTicketIDConcurrent(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		const n = 20
		at := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
		var wg sync.WaitGroup
		ids := make([]string, n)
		errs := make([]error, n)
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				ids[i], errs[i] = db.NextTicketID(t.Context(), at)
			})
		}
		close(start)
		wg.Wait()
		for _, err := range errs {
			mustOK(t, err)
		}
		sort.Strings(ids)
		for i, id := range ids {
			if want := fmt.Sprintf("HL-2026-%06d", i+1); id != want {
				t.Fatalf("sorted ids = %v; position %d is %s, want %s", ids, i, id, want)
			}
		}
	})
}

func TestAddTicketEvent(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		c := useClock(db)
		id := "HL-2026-000001"
		// Events may come before the ticket row: the workflow writes its
		// "created" event first.
		created := &hailurah.TicketEvent{Key: id + "/1", TicketID: id, Seq: 1, At: t0, Type: hailurah.EventCreated,
			Actor: hailurah.ActorCitizen, To: hailurah.StatusNew}
		mustOK(t, db.AddTicketEvent(ctx, created))
		mustOK(t, db.UpsertTicket(ctx, intakeTicket(id, "", t0)))

		triaged := &hailurah.TicketEvent{Key: id + "/2", TicketID: id, Seq: 2, At: t0, Type: hailurah.EventTriaged,
			Actor: hailurah.ActorSystem, From: hailurah.StatusNew, To: hailurah.StatusOpen, Note: "urgensi 3"}
		done := &hailurah.TicketEvent{Key: id + "/4", TicketID: id, Seq: 4, At: t0.Add(2 * time.Hour), Type: hailurah.ActionDone,
			Actor: "pupr1", Role: hailurah.RoleDinas, From: hailurah.StatusInProgress, To: hailurah.StatusAwaitingConfirmation,
			Note: "Selokan sudah dibersihkan", Attachments: []string{"https://example.org/a.jpg", "https://example.org/b.jpg"}}
		// No time: the store's clock.
		note := &hailurah.TicketEvent{Key: id + "/3", TicketID: id, Seq: 3, Type: hailurah.ActionNote, Actor: "mod", Role: hailurah.RoleModerator, Note: "cek lokasi"}
		c.Advance(time.Hour)
		// Out of order on purpose: the timeline is ordered by time, then seq.
		for _, e := range []*hailurah.TicketEvent{done, note, triaged} {
			mustOK(t, db.AddTicketEvent(ctx, e))
		}
		// Retries store nothing new and change nothing, even with other data.
		for range 3 {
			mustOK(t, db.AddTicketEvent(ctx, created))
			changed := *done
			changed.Note = "ditimpa?"
			mustOK(t, db.AddTicketEvent(ctx, &changed))
		}
		// Another ticket's events stay apart.
		mustOK(t, db.AddTicketEvent(ctx, &hailurah.TicketEvent{Key: "HL-2026-000002/1", TicketID: "HL-2026-000002", Seq: 1, At: t0, Type: hailurah.EventCreated}))

		events, err := db.ListTicketEvents(ctx, id)
		mustOK(t, err)
		noteAt := *note
		noteAt.At = c.Now()
		want := []*hailurah.TicketEvent{created, triaged, &noteAt, done}
		if len(events) != len(want) {
			t.Fatalf("%d events, want %d", len(events), len(want))
		}
		for i := range want {
			if !reflect.DeepEqual(events[i], want[i]) {
				t.Errorf("event %d = %+v, want %+v", i, events[i], want[i])
			}
		}
		none, err := db.ListTicketEvents(ctx, "HL-2026-999999")
		mustOK(t, err)
		if len(none) != 0 {
			t.Fatalf("unknown ticket has %d events", len(none))
		}

		wantCode(t, db.AddTicketEvent(ctx, &hailurah.TicketEvent{TicketID: id, Type: "x"}), hailurah.EINVALID, "key")
		wantCode(t, db.AddTicketEvent(ctx, &hailurah.TicketEvent{Key: "k", Type: "x"}), hailurah.EINVALID, "ticket_id")
		wantCode(t, db.AddTicketEvent(ctx, &hailurah.TicketEvent{Key: "k", TicketID: id, Note: "\x00"}), hailurah.EINVALID, "note")
		wantCode(t, db.AddTicketEvent(ctx, nil), hailurah.EINVALID, "")
	})
}

// TestTicketTextRoundTrip stores text Postgres and SQLite treat
// differently if the store gets it wrong: quotes, backslashes, emoji.
func TestTicketTextRoundTrip(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		x := intakeTicket("HL-2026-000001", "", t0)
		x.MessageText = `Bu, "tolong" \ lampu jalan mati 💡 sejak 3 hari; RT'03 % _`
		x.RawPayload = json.RawMessage(`{"text":"` + strings.ReplaceAll(strings.ReplaceAll(x.MessageText, `\`, `\\`), `"`, `\"`) + `"}`)
		mustOK(t, db.CreateTicket(t.Context(), x))
		wantTicket(t, mustFindTicket(t, db, x.ID), x)
	})
}
