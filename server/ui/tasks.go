package ui

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/programme"
	"github.com/hailurah/hailurah/server/app"
)

type tasksData struct {
	Unit      string
	New       []ticketView // assigned, not accepted yet, by deadline
	Working   []ticketView // accepted, by deadline
	Waiting   []ticketView // done, the citizen has not confirmed yet
	Overdue   int
	Q         string
	Kelurahan string
	Options   []option
	Filtered  bool
	Focus     string // the card the officer just acted on
	Done      string // what that action did
	Sections  []taskSection
}

// taskSection is one list of cards on /tugas under its heading.
type taskSection struct {
	Key, Title string
	Cards      []ticketView
}

// tasksPage: GET /tugas — the officer's own unit's tasks from every
// kelurahan: new ones to accept first, then the work in progress, each by
// deadline. q searches the code, the words and "RT 3 RW 2"; kelurahan
// narrows to one. After an action (?ok=…&tiket=…) the officer lands on
// the card they acted on, with what happened written in it.
func (s *UI) tasksPage(c *gin.Context) {
	u := app.UserOf(c)
	ctx := c.Request.Context()
	n := s.LoadNames(ctx)
	d := &tasksData{Unit: n.UnitName(u.Unit), Q: strings.TrimSpace(c.Query("q")), Kelurahan: c.Query("kelurahan"),
		Options: kelurahanOptions(n)}
	data := pageData{Title: "Tugas dinas", Data: d, FieldErrors: map[string]string{}}
	f := hailurah.TicketFilter{Unit: u.Unit, Limit: 200,
		Statuses: []hailurah.TicketStatus{hailurah.StatusAssigned, hailurah.StatusInProgress}}
	f.RT, f.RW, f.Q = splitSearch(d.Q)
	f.RT, f.RW = programme.NormalizeRTRW(f.RT), programme.NormalizeRTRW(f.RW)
	if d.Kelurahan != "" {
		if _, ok := n.Kelurahan[d.Kelurahan]; !ok {
			data.FieldErrors["kelurahan"] = "Pilih kelurahan dari daftar."
		}
		f.Kelurahan = d.Kelurahan
	}
	if len(f.Q) > 200 {
		data.FieldErrors["q"] = "Kata kunci terlalu panjang (maks. 200 karakter)."
	}
	if len(data.FieldErrors) > 0 {
		s.renderPage(c, http.StatusUnprocessableEntity, "tugas", data)
		return
	}
	d.Filtered = d.Q != "" || d.Kelurahan != ""
	page, err := s.Tickets.ListTickets(ctx, f)
	if err != nil {
		s.renderError(c, err)
		return
	}
	for _, v := range s.viewTickets(page.Items, n) {
		if v.Breached {
			d.Overdue++
		}
		if v.Status == string(hailurah.StatusAssigned) {
			d.New = append(d.New, v)
		} else {
			d.Working = append(d.Working, v)
		}
	}
	waiting, err := s.Tickets.ListTickets(ctx, hailurah.TicketFilter{Unit: u.Unit, Limit: 20, Kelurahan: f.Kelurahan, Q: f.Q, RT: f.RT, RW: f.RW,
		Statuses: []hailurah.TicketStatus{hailurah.StatusAwaitingConfirmation}})
	if err == nil {
		d.Waiting = s.viewTickets(waiting.Items, n)
	}
	// The flash goes into the card acted on, when it is still listed.
	flash, id := flashOf(c), c.Query("tiket")
	for _, list := range [][]ticketView{d.New, d.Working, d.Waiting} {
		for _, v := range list {
			if v.ID == id && flash != "" {
				d.Focus, d.Done, flash = id, flash, ""
			}
		}
	}
	data.Flash = flash
	if d.New != nil {
		d.Sections = append(d.Sections, taskSection{Key: "baru", Title: "Tugas baru, belum diterima", Cards: d.New})
	}
	if d.Working != nil {
		d.Sections = append(d.Sections, taskSection{Key: "dikerjakan", Title: "Sedang dikerjakan", Cards: d.Working})
	}
	s.renderPage(c, http.StatusOK, "tugas", data)
}
