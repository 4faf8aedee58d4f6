package ui

import (
	"testing"
	"time"

	"github.com/hailurah/hailurah"
)

func TestFormatWaktu(t *testing.T) {
	var wib hailurah.Zone // the default, Kota Madiun's
	wita, err := hailurah.LoadZone("Asia/Makassar")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 27, 2, 15, 5, 0, time.UTC)
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"WIB", formatWaktu(wib, at), "27 Nov 2026 09.15 WIB"},
		{"past midnight in Madiun", formatWaktu(wib, time.Date(2026, 8, 3, 17, 5, 0, 0, time.UTC)), "4 Agu 2026 00.05 WIB"},
		{"WITA", formatWaktu(wita, at), "27 Nov 2026 10.15 WITA"},
		{"past midnight in Makassar, not yet in Madiun", formatWaktu(wita, time.Date(2026, 8, 3, 16, 5, 0, 0, time.UTC)), "4 Agu 2026 00.05 WITA"},
		{"clock WIB", formatJam(wib, at), "09.15.05 WIB"},
		{"clock WITA", formatJam(wita, at), "10.15.05 WITA"},
		{"nil time", formatWaktuPtr(wita, nil), "-"},
		{"zero time", formatWaktu(wita, time.Time{}), "-"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

func TestFormatSisa(t *testing.T) {
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	cases := []struct {
		d    time.Duration
		want string
		over bool
	}{
		{3*time.Hour + 20*time.Minute + 30*time.Second, "sisa 3 jam 20 menit", false},
		{-2 * time.Hour, "lewat 2 jam", true},
		{-(2*time.Hour + 59*time.Second), "lewat 2 jam", true},
		{2*24*time.Hour + 3*time.Hour + 10*time.Minute, "sisa 2 hari 3 jam", false},
		{24 * time.Hour, "sisa 1 hari", false},
		{45 * time.Minute, "sisa 45 menit", false},
		{30 * time.Second, "sisa kurang dari 1 menit", false},
		{-90 * time.Second, "lewat 1 menit", true},
	}
	for _, c := range cases {
		got, over := formatSisa(now.Add(c.d), now)
		if got != c.want || over != c.over {
			t.Errorf("%s: %q %v, want %q %v", c.d, got, over, c.want, c.over)
		}
	}
}

// TestOffered: the page offers each role only the forms of its part of the
// case, and only in the statuses the workflow accepts them.
func TestOffered(t *testing.T) {
	mod := &hailurah.User{Username: "m", Role: hailurah.RoleModerator, Kelurahan: "taman"}
	pupr := &hailurah.User{Username: "p", Role: hailurah.RoleDinas, Unit: "pupr"}
	dlh := &hailurah.User{Username: "d", Role: hailurah.RoleDinas, Unit: "dlh"}
	admin := &hailurah.User{Username: "a", Role: hailurah.RoleAdmin}
	open := &hailurah.Ticket{Kelurahan: "taman", Status: hailurah.StatusOpen}
	assigned := &hailurah.Ticket{Kelurahan: "taman", Status: hailurah.StatusAssigned, AssignedUnit: "pupr"}
	working := &hailurah.Ticket{Kelurahan: "taman", Status: hailurah.StatusInProgress, AssignedUnit: "pupr"}
	other := &hailurah.Ticket{Kelurahan: "demangan", Status: hailurah.StatusOpen}
	city := &hailurah.Ticket{Status: hailurah.StatusOpen}
	resolved := &hailurah.Ticket{Kelurahan: "taman", Status: hailurah.StatusResolved}
	cases := []struct {
		u      *hailurah.User
		t      *hailurah.Ticket
		action string
		want   bool
	}{
		{mod, open, hailurah.ActionAssign, true},
		{mod, open, hailurah.ActionReject, true},
		{mod, open, hailurah.ActionAccept, false},
		{mod, assigned, hailurah.ActionAssign, false},
		{mod, assigned, hailurah.ActionReply, true},
		{mod, other, hailurah.ActionReply, false},
		{mod, city, hailurah.ActionAssign, false},
		{mod, city, hailurah.ActionSetKelurahan, true},
		{mod, resolved, hailurah.ActionNote, true},
		{mod, resolved, hailurah.ActionReply, false},
		{pupr, assigned, hailurah.ActionAccept, true},
		{pupr, assigned, hailurah.ActionDone, false},
		{pupr, working, hailurah.ActionDone, true},
		{pupr, working, hailurah.ActionNote, false},
		{dlh, working, hailurah.ActionDone, false},
		{admin, working, hailurah.ActionDone, true},
		{admin, city, hailurah.ActionSetKelurahan, true},
	}
	for _, c := range cases {
		if got := offered(c.u, c.t, c.action); got != c.want {
			t.Errorf("%s %s on %s/%s/%s: %v, want %v", c.u.Role, c.action, c.t.Kelurahan, c.t.Status, c.t.AssignedUnit, got, c.want)
		}
	}
}

func TestAuditActionLabel(t *testing.T) {
	for code, want := range map[string]string{
		"login": "Masuk", "ticket.verify": "Tiket: triase diverifikasi", "grant.approve": "Hibah disetujui",
		"pilot.decision": "Pilot keputusan ditandatangani", "user.create": "Pengguna dibuat", "export.curhat": "Ekspor curhat",
		"mystery.thing": "mystery.thing", "ticket.unknown": "ticket.unknown",
	} {
		if got := auditActionLabel(code); got != want {
			t.Errorf("auditActionLabel(%q) = %q, want %q", code, got, want)
		}
	}
}
