package ui

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/server/app"
)

// queueForm is the antrian's filter form as submitted, to render it back.
type queueForm struct {
	Status, Kategori, UrgencyMin, Unit, RT, RW, Breached, Q, Kelurahan string
}

// Values of the status select that are not a status.
const (
	statusActive = "" // the default: every ticket still in process
	statusAll    = "semua"
)

type statusCount struct {
	Label  string
	Class  string
	N      int
	URL    string
	Active bool
}

type queueData struct {
	Form       queueForm
	Rows       []ticketView
	Counts     []statusCount
	CityQueue  int // admin: tickets not routed to a kelurahan yet
	CityURL    string
	NextURL    string
	PollURL    string
	Updated    string
	IsAdmin    bool
	Kelurahan  []option
	Units      []option
	Kategoris  []option
	Statuses   []option
	Urgencies  []string
	FilterFail bool
}

// queueFilterKeys are the query parameters the antrian passes on to
// TicketFilterFrom, which validates them exactly as for the JSON API.
var queueFilterKeys = []string{"kategori", "urgency_min", "unit", "rt", "rw", "breached", "q", "kelurahan", "cursor"}

// queuePage: GET /antrian — the moderator's queue, most urgent SLA first.
func (s *UI) queuePage(c *gin.Context) {
	data, status := s.queueData(c)
	s.renderPage(c, status, "antrian", data)
}

// queueFragment: GET /antrian/daftar — the list and counts alone, polled by
// the page so new and changed tickets show without a reload.
func (s *UI) queueFragment(c *gin.Context) {
	data, status := s.queueData(c)
	s.renderFragment(c, status, "antrian", "queue-live", data)
}

func (s *UI) queueData(c *gin.Context) (pageData, int) {
	u := app.UserOf(c)
	ctx := c.Request.Context()
	q := c.Request.URL.Query()
	n := s.LoadNames(ctx)
	form := queueForm{Status: q.Get("status"), Kategori: q.Get("kategori"), UrgencyMin: q.Get("urgency_min"),
		Unit: q.Get("unit"), RT: q.Get("rt"), RW: q.Get("rw"), Breached: q.Get("breached"), Q: q.Get("q"),
		Kelurahan: q.Get("kelurahan")}
	qd := &queueData{
		Form: form, IsAdmin: u.Role == hailurah.RoleAdmin, Kelurahan: kelurahanOptions(n), Units: unitOptions(n),
		Kategoris: kategoriOptions(), Statuses: statusOptions(), Updated: formatJam(s.Zone, s.Now()),
		Urgencies: []string{"1", "2", "3", "4", "5"},
	}
	data := pageData{Title: "Antrian kasus", Flash: flashOf(c), Data: qd, Wide: true, FieldErrors: map[string]string{}}
	qd.PollURL = "/antrian/daftar?" + c.Request.URL.RawQuery

	passed := url.Values{}
	for _, k := range queueFilterKeys {
		if v := q.Get(k); v != "" {
			passed.Set(k, v)
		}
	}
	if form.Status != statusActive && form.Status != statusAll {
		passed.Set("status", form.Status)
	}
	f, err := s.filterFromValues(c, u, passed)
	if err != nil {
		qd.FilterFail = true
		if field := hailurah.ErrorField(err); field != "" {
			data.FieldErrors[field] = hailurah.ErrorMessage(err)
			return data, http.StatusUnprocessableEntity
		}
		data.Error = hailurah.ErrorMessage(err)
		return data, app.ErrorStatus(err)
	}
	if form.Status == statusActive {
		f.Statuses = activeStatuses
	}
	f.Limit = 50
	page, err := s.Tickets.ListTickets(ctx, f)
	if err != nil {
		if hailurah.ErrorField(err) != "" || hailurah.ErrorCode(err) == hailurah.EINVALID {
			qd.FilterFail = true
			data.Error = hailurah.ErrorMessage(err)
			return data, http.StatusUnprocessableEntity
		}
		s.Logger.ErrorContext(ctx, "list tickets", "err", err)
		data.Error = hailurah.ErrorMessage(err)
		return data, app.ErrorStatus(err)
	}
	qd.Rows = s.viewTickets(page.Items, n)
	if page.NextCursor != "" {
		next := c.Request.URL.Query()
		next.Set("cursor", page.NextCursor)
		qd.NextURL = "/antrian?" + next.Encode()
	}

	counts, err := s.Tickets.StatusCounts(ctx, f)
	if err == nil {
		for _, st := range hailurah.TicketStatuses {
			link := c.Request.URL.Query()
			link.Del("cursor")
			link.Set("status", string(st))
			qd.Counts = append(qd.Counts, statusCount{Label: st.Label(), Class: statusClass(st), N: counts[st],
				URL: "/antrian?" + link.Encode(), Active: form.Status == string(st)})
		}
	}
	if qd.IsAdmin && form.Kelurahan != "kota" {
		city, err := s.Tickets.StatusCounts(ctx, hailurah.TicketFilter{CityQueue: true})
		if err == nil {
			for _, st := range activeStatuses {
				qd.CityQueue += city[st]
			}
		}
		qd.CityURL = "/antrian?kelurahan=kota"
	}
	return data, http.StatusOK
}

// filterFromValues runs TicketFilterFrom on the given parameters instead of
// the request's own, so the page's extra fields (status "semua") stay out.
func (s *UI) filterFromValues(c *gin.Context, u *hailurah.User, q url.Values) (hailurah.TicketFilter, error) {
	cc := c.Copy()
	r := c.Request.Clone(c.Request.Context())
	r.URL.RawQuery = q.Encode()
	cc.Request = r
	return app.TicketFilterFrom(cc, u)
}

func statusOptions() []option {
	out := []option{{statusActive, "Semua yang masih berjalan"}}
	for _, st := range hailurah.TicketStatuses {
		out = append(out, option{string(st), st.Label()})
	}
	return append(out, option{statusAll, "Semua status"})
}
