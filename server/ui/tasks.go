package ui

import (
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/server/app"
)

type tasksData struct {
	Unit     string
	Open     []ticketView // assigned and in progress, overdue first
	Waiting  []ticketView // done, the citizen has not confirmed yet
	Overdue  int
	Accepted int
}

// tasksPage: GET /tugas — the officer's own unit's tasks from every
// kelurahan, overdue first.
func (s *UI) tasksPage(c *gin.Context) {
	u := app.UserOf(c)
	ctx := c.Request.Context()
	n := s.LoadNames(ctx)
	data := pageData{Title: "Tugas dinas", Flash: flashOf(c)}
	page, err := s.Tickets.ListTickets(ctx, hailurah.TicketFilter{Unit: u.Unit, Limit: 200,
		Statuses: []hailurah.TicketStatus{hailurah.StatusAssigned, hailurah.StatusInProgress}})
	if err != nil {
		s.renderError(c, err)
		return
	}
	d := &tasksData{Unit: n.UnitName(u.Unit), Open: s.viewTickets(page.Items, n)}
	// The store sorts by deadline; a breached task still leads even when a
	// moderator moved its deadline.
	slices.SortStableFunc(d.Open, func(a, b ticketView) int {
		switch {
		case a.Breached == b.Breached:
			return 0
		case a.Breached:
			return -1
		}
		return 1
	})
	for _, v := range d.Open {
		if v.Breached {
			d.Overdue++
		}
		if v.Status == string(hailurah.StatusInProgress) {
			d.Accepted++
		}
	}
	waiting, err := s.Tickets.ListTickets(ctx, hailurah.TicketFilter{Unit: u.Unit, Limit: 20,
		Statuses: []hailurah.TicketStatus{hailurah.StatusAwaitingConfirmation}})
	if err == nil {
		d.Waiting = s.viewTickets(waiting.Items, n)
	}
	data.Data = d
	s.renderPage(c, http.StatusOK, "tugas", data)
}
