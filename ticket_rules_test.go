package hailurah_test

import (
	"slices"
	"testing"

	"github.com/hailurah/hailurah"
)

func TestActionsAllowed(t *testing.T) {
	tests := []struct {
		status hailurah.TicketStatus
		want   []string
	}{
		// Triage is still running: only a reply, a note or routing.
		{hailurah.StatusNew, []string{hailurah.ActionReply, hailurah.ActionNote, hailurah.ActionSetKelurahan}},
		{hailurah.StatusOpen, []string{hailurah.ActionVerify, hailurah.ActionReply, hailurah.ActionAssign, hailurah.ActionResolve,
			hailurah.ActionReject, hailurah.ActionNote, hailurah.ActionSetKelurahan}},
		{hailurah.StatusAssigned, []string{hailurah.ActionReply, hailurah.ActionNote, hailurah.ActionSetKelurahan,
			hailurah.ActionAccept, hailurah.ActionReturn}},
		{hailurah.StatusInProgress, []string{hailurah.ActionReply, hailurah.ActionNote, hailurah.ActionSetKelurahan,
			hailurah.ActionProgress, hailurah.ActionDone, hailurah.ActionReturn}},
		{hailurah.StatusAwaitingConfirmation, []string{hailurah.ActionReply, hailurah.ActionNote, hailurah.ActionSetKelurahan}},
		// A final ticket takes internal notes only.
		{hailurah.StatusResolved, []string{hailurah.ActionNote}},
		{hailurah.StatusClosed, []string{hailurah.ActionNote}},
		{hailurah.StatusRejected, []string{hailurah.ActionNote}},
		{"unknown", nil},
	}
	for _, tt := range tests {
		if got := hailurah.ActionsAllowed(tt.status); !slices.Equal(got, tt.want) {
			t.Errorf("ActionsAllowed(%s) = %v, want %v", tt.status, got, tt.want)
		}
		for _, a := range hailurah.Actions {
			if got, want := hailurah.ActionAllowedIn(a, tt.status), slices.Contains(tt.want, a); got != want {
				t.Errorf("ActionAllowedIn(%s, %s) = %v, want %v", a, tt.status, got, want)
			}
		}
	}
	if hailurah.ActionAllowedIn("fly", hailurah.StatusOpen) {
		t.Error("an unknown action is allowed in no status")
	}
}

func TestActionRequestAuthorize(t *testing.T) {
	mod := hailurah.Actor{Username: "m", Role: hailurah.RoleModerator, Kelurahan: "taman"}
	lurah := hailurah.Actor{Username: "l", Role: hailurah.RoleLurah, Kelurahan: "taman"}
	homeless := hailurah.Actor{Username: "h", Role: hailurah.RoleModerator}
	pupr := hailurah.Actor{Username: "p", Role: hailurah.RoleDinas, Unit: "pupr"}
	admin := hailurah.Actor{Username: "a", Role: hailurah.RoleAdmin}
	fasil := hailurah.Actor{Username: "f", Role: hailurah.RoleFasilitator, Kelurahan: "taman"}
	tests := []struct {
		name            string
		req             hailurah.ActionRequest
		kelurahan, unit string
		want            string // "" allowed, else the refusal
	}{
		{"moderator on own kelurahan", hailurah.ActionRequest{Action: hailurah.ActionAssign, Actor: mod}, "taman", "", ""},
		{"lurah notes", hailurah.ActionRequest{Action: hailurah.ActionNote, Actor: lurah}, "taman", "pupr", ""},
		{"moderator on another kelurahan", hailurah.ActionRequest{Action: hailurah.ActionAssign, Actor: mod}, "demangan", "",
			"Tiket ini bukan milik kelurahan Anda."},
		{"moderator takes a dinas action", hailurah.ActionRequest{Action: hailurah.ActionAccept, Actor: mod}, "taman", "",
			"Aksi ini hanya untuk petugas unit dinas yang ditugaskan."},
		{"moderator without kelurahan", hailurah.ActionRequest{Action: hailurah.ActionNote, Actor: homeless}, "", "",
			"Akun Anda tidak terhubung ke kelurahan mana pun."},
		{"city queue: claim for own", hailurah.ActionRequest{Action: hailurah.ActionSetKelurahan, Actor: mod, Kelurahan: "taman"}, "", "", ""},
		{"city queue: note", hailurah.ActionRequest{Action: hailurah.ActionNote, Actor: mod}, "", "", ""},
		{"city queue: claim for another", hailurah.ActionRequest{Action: hailurah.ActionSetKelurahan, Actor: mod, Kelurahan: "demangan"}, "", "",
			"Anda hanya dapat memindahkan tiket ke kelurahan Anda sendiri."},
		{"city queue: assign", hailurah.ActionRequest{Action: hailurah.ActionAssign, Actor: mod}, "", "",
			"Tiket ini masih di antrean kota; tetapkan kelurahannya terlebih dahulu."},
		{"dinas on own task", hailurah.ActionRequest{Action: hailurah.ActionDone, Actor: pupr}, "taman", "pupr", ""},
		{"dinas on another unit's task", hailurah.ActionRequest{Action: hailurah.ActionDone, Actor: pupr}, "taman", "dlh",
			"Tiket ini tidak ditugaskan ke unit Anda."},
		{"dinas on an unassigned ticket", hailurah.ActionRequest{Action: hailurah.ActionAccept, Actor: pupr}, "taman", "",
			"Tiket ini tidak ditugaskan ke unit Anda."},
		{"dinas takes a moderator action", hailurah.ActionRequest{Action: hailurah.ActionReply, Actor: pupr}, "taman", "pupr",
			"Petugas dinas hanya dapat menerima, memperbarui, menyelesaikan atau mengembalikan tugas."},
		{"admin anywhere", hailurah.ActionRequest{Action: hailurah.ActionDone, Actor: admin}, "", "", ""},
		{"fasilitator", hailurah.ActionRequest{Action: hailurah.ActionNote, Actor: fasil}, "taman", "",
			"Peran Fasilitator tidak dapat menindaklanjuti tiket."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.req.Authorize(tt.kelurahan, tt.unit)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.want != "" && (hailurah.ErrorCode(err) != hailurah.EFORBIDDEN || hailurah.ErrorMessage(err) != tt.want):
				t.Fatalf("got %v, want EFORBIDDEN %q", err, tt.want)
			}
		})
	}
}

func TestCanSeeTicket(t *testing.T) {
	ticket := &hailurah.Ticket{Kelurahan: "taman", AssignedUnit: "pupr"}
	unassigned := &hailurah.Ticket{Kelurahan: "taman"}
	city := &hailurah.Ticket{}
	tests := []struct {
		name string
		u    *hailurah.User
		t    *hailurah.Ticket
		want bool
	}{
		{"admin", &hailurah.User{Role: hailurah.RoleAdmin}, city, true},
		{"moderator of the kelurahan", &hailurah.User{Role: hailurah.RoleModerator, Kelurahan: "taman"}, ticket, true},
		{"lurah of the kelurahan", &hailurah.User{Role: hailurah.RoleLurah, Kelurahan: "taman"}, ticket, true},
		{"moderator of another kelurahan", &hailurah.User{Role: hailurah.RoleModerator, Kelurahan: "demangan"}, ticket, false},
		{"moderator and the city queue", &hailurah.User{Role: hailurah.RoleModerator, Kelurahan: "taman"}, city, false},
		{"officer of the unit", &hailurah.User{Role: hailurah.RoleDinas, Unit: "pupr"}, ticket, true},
		{"officer of another unit", &hailurah.User{Role: hailurah.RoleDinas, Unit: "dlh"}, ticket, false},
		{"officer without unit, unassigned ticket", &hailurah.User{Role: hailurah.RoleDinas}, unassigned, false},
		{"fasilitator", &hailurah.User{Role: hailurah.RoleFasilitator, Kelurahan: "taman"}, ticket, false},
	}
	for _, tt := range tests {
		if got := hailurah.CanSeeTicket(tt.u, tt.t); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}
