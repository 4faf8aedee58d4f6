package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
)

// deskTickets adds, beside seedTickets' four, a verified open ticket and a
// PUPR task past its deadline whose moderator deadline was also missed
// long ago.
func deskTickets(t *testing.T, f *uiFixture) (verified, late *hailurah.Ticket) {
	t.Helper()
	past, later := f.now.Now().Add(-2*time.Hour), f.now.Now().Add(3*time.Hour)
	verified = f.ticket(t, hailurah.Ticket{ID: "HL-2026-000005", Kelurahan: "taman", RT: "07", RW: "01", MessageText: "Sampah belum diangkut",
		Kategori: hailurah.KategoriLingkungan, UrgencyScore: 2, Status: hailurah.StatusOpen, ModeratorDue: &later, Verified: true})
	late = f.ticket(t, hailurah.Ticket{ID: "HL-2026-000006", Kelurahan: "taman", RT: "01", RW: "04", MessageText: "Gorong-gorong ambrol",
		Kategori: hailurah.KategoriInfrastruktur, UrgencyScore: 4, Status: hailurah.StatusAssigned, AssignedUnit: "pupr",
		ModeratorDue: &past, DinasDue: &past, Verified: true})
	return verified, late
}

// TestQueueTabs: the moderator's antrian opens on what waits for
// verification; verified tickets, overdue dinas tasks and every ticket
// have their own tabs with live counts; the search finds a code, words and
// "RT 3 RW 2" on any tab.
func TestQueueTabs(t *testing.T) {
	f := newUIFixture(t, nil)
	tamanOpen, _, puprTask, _ := seedTickets(t, f)
	verified, late := deskTickets(t, f)
	mod := f.as(t, "moderator")

	has := func(body string, want, not []*hailurah.Ticket) bool {
		for _, x := range want {
			if !strings.Contains(body, `id="row-`+x.ID+`"`) {
				return false
			}
		}
		for _, x := range not {
			if strings.Contains(body, `id="row-`+x.ID+`"`) {
				return false
			}
		}
		return true
	}
	for _, tc := range []struct {
		path      string
		want, not []*hailurah.Ticket
	}{
		{"/antrian", []*hailurah.Ticket{tamanOpen}, []*hailurah.Ticket{verified, late, puprTask}},
		{"/antrian?tab=tindak", []*hailurah.Ticket{verified}, []*hailurah.Ticket{tamanOpen, late, puprTask}},
		{"/antrian?tab=dinas", []*hailurah.Ticket{late}, []*hailurah.Ticket{tamanOpen, verified, puprTask}},
		{"/antrian?tab=semua", []*hailurah.Ticket{tamanOpen, verified, late, puprTask}, nil},
		{"/antrian?tab=semua&q=RT+7", []*hailurah.Ticket{verified}, []*hailurah.Ticket{tamanOpen, late, puprTask}},
		{"/antrian?tab=semua&q=rt03+rw+2+berlubang", []*hailurah.Ticket{puprTask}, []*hailurah.Ticket{tamanOpen, verified, late}},
		{"/antrian?tab=dinas&q=" + late.ID, []*hailurah.Ticket{late}, nil},
		{"/antrian?tab=dinas&q=" + puprTask.ID, nil, []*hailurah.Ticket{late, puprTask}},
		{"/antrian/daftar?tab=verifikasi", []*hailurah.Ticket{tamanOpen}, []*hailurah.Ticket{verified}},
	} {
		st, body := mod.page("GET", tc.path, nil)
		if st != http.StatusOK || !has(body, tc.want, tc.not) {
			t.Errorf("%s: %d, want %v and not %v", tc.path, st, tc.want, tc.not)
		}
	}
	_, body := mod.page("GET", "/antrian", nil)
	for _, want := range []string{`id="tab-n-verifikasi" data-live-text>1<`, `id="tab-n-tindak" data-live-text>1<`, `id="tab-n-dinas" data-live-text>1<`,
		`aria-current="page">Perlu verifikasi`} {
		if !strings.Contains(body, want) {
			t.Errorf("/antrian lacks %s", want)
		}
	}
	// The verified ticket says so once, and its verification clock no
	// longer runs.
	_, body = mod.page("GET", "/antrian?tab=tindak", nil)
	row := between(body, `id="row-`+verified.ID+`"`, "</tr>")
	if strings.Contains(row, "Menunggu verifikasi") || !strings.Contains(row, "Terverifikasi") || strings.Contains(row, "data-deadline") {
		t.Errorf("verified row: %s", row)
	}
	_, body = mod.page("GET", "/tiket/"+verified.ID, nil)
	if head := between(body, `class="badges"`, "</p>"); strings.Contains(head, "Menunggu verifikasi") || strings.Count(head, "Terverifikasi") != 1 {
		t.Errorf("verified ticket's badges: %s", head)
	}
	if strings.Contains(between(body, "<dt>Verifikasi moderator</dt>", "</dd>"), "data-deadline") {
		t.Error("the verified ticket's verification deadline still counts down")
	}
}

// TestTasksPage: the officer's new tasks lead, then the work in progress;
// the search and the kelurahan filter narrow both; a bad kelurahan is
// named beside its field; after accepting, the flash is in the card.
func TestTasksPage(t *testing.T) {
	f := newUIFixture(t, nil)
	_, _, puprTask, _ := seedTickets(t, f)
	_, late := deskTickets(t, f)
	pupr := f.as(t, "dinas-pupr")

	st, body := pupr.page("GET", "/tugas", nil)
	if st != http.StatusOK || strings.Index(body, `id="task-`+late.ID+`"`) > strings.Index(body, `id="task-`+puprTask.ID+`"`) ||
		!strings.Contains(body, "Tugas baru, belum diterima") {
		t.Errorf("tasks: %d, the new task does not lead", st)
	}
	for path, want := range map[string][2]bool{
		"/tugas?q=gorong":                 {true, false},
		"/tugas?q=RT+3+RW+2":              {false, true},
		"/tugas?kelurahan=taman":          {true, true},
		"/tugas?kelurahan=demangan":       {false, false},
		"/tugas?q=" + puprTask.ID:         {false, true},
		"/tugas?q=ambrol&kelurahan=taman": {true, false},
	} {
		_, body := pupr.page("GET", path, nil)
		if got := [2]bool{strings.Contains(body, `id="task-`+late.ID+`"`), strings.Contains(body, `id="task-`+puprTask.ID+`"`)}; got != want {
			t.Errorf("%s: late %v, in progress %v; want %v", path, got[0], got[1], want)
		}
	}
	st, body = pupr.page("GET", "/tugas?kelurahan=atlantis&q="+strings.Repeat("x", 201), nil)
	if st != http.StatusUnprocessableEntity || !strings.Contains(body, `id="t-kelurahan-err"`) || !strings.Contains(body, `id="t-q-err"`) {
		t.Errorf("bad filters: %d, both errors shown: %v %v", st, strings.Contains(body, `id="t-kelurahan-err"`), strings.Contains(body, `id="t-q-err"`))
	}
	_, body = pupr.page("GET", "/tugas?ok=accept&tiket="+late.ID, nil)
	if card := between(body, `id="task-`+late.ID+`"`, "</li>"); !strings.Contains(card, `class="flash"`) || !strings.Contains(card, "Tugas diterima") {
		t.Errorf("the flash is not in the card acted on: %s", card)
	}
}

// TestInboxDesk: the lurah's desk counts what waits, lists under "lewat
// SLA" only tickets past the deadline that runs now, and keeps no footer
// about modules that are not active.
func TestInboxDesk(t *testing.T) {
	f := newUIFixture(t, nil)
	_, _, puprTask, _ := seedTickets(t, f)
	_, late := deskTickets(t, f)
	// A task whose moderator deadline was missed before it was assigned,
	// now on time with its unit: not late.
	past, later := f.now.Now().Add(-30*time.Hour), f.now.Now().Add(30*time.Hour)
	onTime := f.ticket(t, hailurah.Ticket{ID: "HL-2026-000007", Kelurahan: "taman", MessageText: "Pohon tumbang", EscalationFlag: true,
		Status: hailurah.StatusInProgress, AssignedUnit: "pupr", ModeratorDue: &past, ModeratorBreached: true, DinasDue: &later})
	lurah := f.as(t, "lurah")
	st, body := lurah.page("GET", "/kotak-masuk", nil)
	if st != http.StatusOK {
		t.Fatalf("desk: %d", st)
	}
	overdue := between(body, `id="lewat-h"`, "</section>")
	if !strings.Contains(overdue, late.ID) || strings.Contains(overdue, onTime.ID) || strings.Contains(overdue, puprTask.ID) {
		t.Errorf("lewat SLA lists: %s", overdue)
	}
	for _, want := range []string{"<strong>1</strong> <span>Eskalasi</span>", "<strong>1</strong> <span>Lewat SLA</span>",
		"Hibah menunggu persetujuan", "Keputusan pilot", `id="keputusan"`} {
		if !strings.Contains(body, want) {
			t.Errorf("desk lacks %s", want)
		}
	}
	if strings.Contains(body, "setelah modulnya aktif") || strings.Contains(body, "Belum ada pemberitahuan") {
		t.Error("the desk says modules are inactive, or that nothing came under its escalations")
	}
	if strings.Index(body, `id="keputusan"`) > strings.Index(body, `id="perhatian"`) {
		t.Error("decisions do not come first")
	}
}
