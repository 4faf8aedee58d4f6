package activities_test

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/activities"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/storetest"
	"github.com/hailurah/hailurah/whatsapp"
)

// signals records what the fan-out hands to each staff member's notice
// workflow.
type signals struct {
	mu  sync.Mutex
	got []string // "<username> <kind> <ref>"
	out []hailurah.StaffNotice
}

func (s *signals) NoticeStaff(_ context.Context, username string, _ hailurah.NoticePolicy, n hailurah.StaffNotice) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.got = append(s.got, username+" "+n.Kind+" "+n.Ref)
	s.out = append(s.out, n)
	return nil
}

func (s *signals) take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	got := s.got
	s.got = nil
	return got
}

// noticeStaff is Taman's staff and two units' officers, some with phones,
// one opted out, one disabled.
func noticeStaff(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := t.Context()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.UpsertKelurahan(ctx, &hailurah.Kelurahan{Code: "taman", Name: "Taman"}))
	must(db.UpsertUnit(ctx, &hailurah.Unit{Code: "pupr", Name: "PUPR"}))
	must(db.UpsertUnit(ctx, &hailurah.Unit{Code: "dlh", Name: "DLH"}))
	must(db.SetQuietHours(ctx, "taman", hailurah.QuietHours{Start: 22 * 60, End: 5 * 60}))
	for _, u := range []hailurah.User{
		{Username: "lurah", Role: hailurah.RoleLurah, Kelurahan: "taman", Phone: "081100000001"},
		{Username: "mod", Role: hailurah.RoleModerator, Kelurahan: "taman", Phone: "081100000002"},
		{Username: "mod-off", Role: hailurah.RoleModerator, Kelurahan: "taman", Phone: "081100000003"},
		{Username: "fasil", Role: hailurah.RoleFasilitator, Kelurahan: "taman", Phone: "081100000004"},
		{Username: "pupr", Role: hailurah.RoleDinas, Unit: "pupr", Phone: "081100000005"},
		{Username: "pupr-nophone", Role: hailurah.RoleDinas, Unit: "pupr"},
		{Username: "pupr-gone", Role: hailurah.RoleDinas, Unit: "pupr", Phone: "081100000007"},
		{Username: "dlh", Role: hailurah.RoleDinas, Unit: "dlh", Phone: "081100000008"},
		{Username: "admin", Role: hailurah.RoleAdmin, Phone: "081100000009"},
	} {
		u.Name = u.Username
		must(db.CreateUser(ctx, &u, "rahasia-123"))
		switch u.Username {
		case "mod-off":
			off := false
			_, err := db.UpdateUser(ctx, u.Username, hailurah.UserPatch{WhatsAppNotices: &off})
			must(err)
		case "pupr-gone":
			must(db.SetDisabled(ctx, u.ID, true))
		}
	}
}

// TestNoticeFanOut: the notification activities hand WhatsApp notices to
// exactly who the issue names — the lurah for escalations, tembusan,
// moderator-SLA breaches, grants to approve and pilot decisions due; the
// moderators for moderator-SLA breaches; a unit's officers for their new
// and overdue tasks — with a phone, notices on and an active account,
// with the kelurahan's quiet hours; in-app notifications are unchanged.
func TestNoticeFanOut(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		noticeStaff(t, db)
		sig := &signals{}
		notices := &activities.NoticeActivities{Store: db, Signaler: sig, BaseURL: "https://x", Logger: slog.New(slog.DiscardHandler)}
		acts := &activities.Activities{Notifications: db, Notices: notices, BaseURL: "https://x", Logger: slog.New(slog.DiscardHandler)}
		ticket := hailurah.TicketState{TicketID: "HL-2026-000009", Kelurahan: "taman", KelurahanName: "Taman", Kategori: "kesehatan",
			Urgency: 5, RT: "01", RW: "02", Summary: "Balita gizi buruk.", Unit: "pupr"}
		lurah := hailurah.Audience{Role: hailurah.RoleLurah, Kelurahan: "taman"}
		mods := hailurah.Audience{Role: hailurah.RoleModerator, Kelurahan: "taman"}
		pupr := hailurah.Audience{Role: hailurah.RoleDinas, Unit: "pupr"}
		admins := hailurah.Audience{Role: hailurah.RoleAdmin}

		for _, tt := range []struct {
			kind string
			to   []hailurah.Audience
			want []string
		}{
			{hailurah.NotifyEscalation, []hailurah.Audience{lurah, mods}, []string{"lurah escalation HL-2026-000009"}},
			{hailurah.NotifyTembusan, []hailurah.Audience{lurah}, []string{"lurah tembusan HL-2026-000009"}},
			{hailurah.NotifyModeratorBreach, []hailurah.Audience{lurah, mods, admins},
				[]string{"lurah moderator_breach HL-2026-000009", "mod moderator_breach HL-2026-000009"}},
			{hailurah.NotifyAssigned, []hailurah.Audience{pupr}, []string{"pupr assigned HL-2026-000009"}},
			{hailurah.NotifyDinasBreach, []hailurah.Audience{lurah, mods, pupr}, []string{"pupr dinas_breach HL-2026-000009"}},
			{hailurah.NotifyDone, []hailurah.Audience{mods}, nil},
			{hailurah.NotifyReopened, []hailurah.Audience{mods}, nil},
		} {
			in := activities.NotifyInput{Key: "HL-2026-000009/run/" + tt.kind + "/1", Kind: tt.kind, To: tt.to, Ticket: ticket, Note: "x", Actor: "x"}
			if err := acts.NotifyStaff(ctx, in); err != nil {
				t.Fatalf("%s: %v", tt.kind, err)
			}
			if got := sig.take(); !slices.Equal(got, tt.want) {
				t.Errorf("%s: WhatsApp notices %v, want %v", tt.kind, got, tt.want)
			}
		}
		n := sig.out[0]
		if n.Key != "HL-2026-000009/run/escalation/1/lurah:taman" || !n.Ticket || n.Urgency != 5 || n.Place() != "Kel. Taman, RT 01/RW 02" ||
			n.Link != "https://x/tiket/HL-2026-000009" || n.Quiet.String() != "22:00–05:00" {
			t.Errorf("escalation notice: %+v", n)
		}
		// The in-app notification still reaches everyone of the audience.
		if list, _ := db.ListNotifications(ctx, "mod-off", 10); len(list) == 0 {
			t.Error("the opted-out moderator lost the in-app notification")
		}

		grants := &activities.GrantActivities{Notifications: db, Notices: notices, BaseURL: "https://x", Logger: slog.New(slog.DiscardHandler)}
		g := hailurah.Grant{ID: "HB-2026-001", Kelurahan: "taman", HouseholdName: "Bu Sari", Amount: 2_000_000, Purpose: hailurah.PurposeModal, Plan: "Warung"}
		for kind, want := range map[string][]string{
			hailurah.NotifyGrantToApprove: {"lurah grant_to_approve HB-2026-001"},
			hailurah.NotifyGrantToVerify:  nil,
		} {
			to := []hailurah.Audience{lurah, {Role: hailurah.RoleFasilitator, Kelurahan: "taman"}}
			if err := grants.NotifyGrant(ctx, activities.GrantNotifyInput{Key: "HB/" + kind, Kind: kind, To: to, Grant: g}); err != nil {
				t.Fatal(err)
			}
			if got := sig.take(); !slices.Equal(got, want) {
				t.Errorf("%s: WhatsApp notices %v, want %v", kind, got, want)
			}
		}
		pilots := &activities.PilotActivities{Pilots: db, Notifications: db, Notices: notices, BaseURL: "https://x", Logger: slog.New(slog.DiscardHandler)}
		p := hailurah.Pilot{ID: "PL-2026-001", Name: "Bank sampah", Kelurahan: "taman", Cycle: 1, DecisionDue: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)}
		for kind, want := range map[string][]string{
			hailurah.NotifyPilotPacket:    {"lurah pilot_packet PL-2026-001"},
			hailurah.NotifyPilotOverdue:   {"lurah pilot_overdue PL-2026-001"},
			hailurah.NotifyPilotMilestone: nil,
		} {
			if err := pilots.NotifyPilot(ctx, activities.PilotNotifyInput{Key: "PL/" + kind, Kind: kind, Pilot: p, Day: 14}); err != nil {
				t.Fatal(err)
			}
			if got := sig.take(); !slices.Equal(got, want) {
				t.Errorf("%s: WhatsApp notices %v, want %v", kind, got, want)
			}
		}
	})
}

// TestSendStaffNoticesContact: the notice is queued to the phone's
// pseudonym, whose contact the relay can open, as a staff kind without a
// ticket id; a retry queues nothing new.
func TestSendStaffNoticesContact(t *testing.T) {
	db := storetest.Open(t)
	ctx := t.Context()
	noticeStaff(t, db)
	secret := []byte("rahasia-instansi-yang-cukup-panjang-32")
	sealer, err := whatsapp.NewSealer(secret)
	if err != nil {
		t.Fatal(err)
	}
	na := &activities.NoticeActivities{Store: db, Secret: secret, Sealer: sealer, BaseURL: "https://x", Logger: slog.New(slog.DiscardHandler)}
	in := activities.SendNoticesInput{Username: "pupr", Notices: []hailurah.StaffNotice{{Key: "k1", Kind: hailurah.NotifyAssigned,
		Ref: "HL-2026-000009", Ticket: true, Kategori: "infrastruktur", Urgency: 3, KelurahanName: "Taman", Summary: "Jalan berlubang.", Link: "https://x/tiket/HL-2026-000009"}}}
	for range 2 {
		if err := na.SendStaffNotices(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	sender := whatsapp.SenderID(secret, "+6281100000005")
	rows, err := db.ListOutboxByRecipient(ctx, sender, 0, 10)
	if err != nil || len(rows) != 1 {
		t.Fatalf("outbox: %+v, %v", rows, err)
	}
	if r := rows[0]; r.TicketID != "" || r.Kind != hailurah.OutboxStaffNotice || !strings.Contains(r.Text, "TERIMA HL-2026-000009") ||
		r.TemplateParams[0] != "Tugas baru" {
		t.Errorf("notice row: %+v", r)
	}
	c, err := db.FindContact(ctx, sender)
	if err != nil {
		t.Fatal(err)
	}
	if phone, err := sealer.Open(c.PhoneSealed); err != nil || phone != "+6281100000005" || c.Channel != hailurah.ChannelWhatsApp {
		t.Errorf("contact: %+v (%q, %v)", c, phone, err)
	}
}
