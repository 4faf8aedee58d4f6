package ui

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/server/app"
)

// queueForm is the antrian's filter form as submitted, to render it back.
type queueForm struct {
	Tab, Status, Kategori, UrgencyMin, Unit, RT, RW, Breached, Q, Kelurahan string
}

// The antrian's tabs: what waits for the moderator first, the dinas
// tickets past their deadline apart, and every ticket with the full filter.
const (
	tabVerify  = "verifikasi" // new and open, not verified yet: the default
	tabFollow  = "tindak"     // verified, still open: to reply, assign or resolve
	tabDinas   = "dinas"      // with a dinas unit, past its deadline
	tabAll     = "semua"
	queueLimit = 50
)

// antrianTab is one tab of the antrian with its live count.
type antrianTab struct {
	Key, Label, URL string
	N               int
	Active          bool
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
	Tabs       []antrianTab
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

// tabKeys are the parameters every tab keeps: the search and, for the
// admin, the kelurahan.
var tabKeys = []string{"q", "kelurahan", "cursor"}

// tabOf reads the tab: the one named, else "semua" when the link carries a
// filter of that tab's form (the status chips, older bookmarks), else the
// moderator's own work.
func tabOf(q url.Values) string {
	switch t := q.Get("tab"); t {
	case tabVerify, tabFollow, tabDinas, tabAll:
		return t
	}
	for _, k := range []string{"status", "kategori", "urgency_min", "unit", "rt", "rw", "breached"} {
		if q.Get(k) != "" {
			return tabAll
		}
	}
	return tabVerify
}

// narrowToTab applies what a tab means to the filter of its search.
func narrowToTab(f *hailurah.TicketFilter, tab string, now time.Time) {
	no, yes := false, true
	switch tab {
	case tabVerify:
		f.Statuses, f.Verified = []hailurah.TicketStatus{hailurah.StatusNew, hailurah.StatusOpen}, &no
	case tabFollow:
		f.Statuses, f.Verified = []hailurah.TicketStatus{hailurah.StatusOpen}, &yes
	case tabDinas:
		f.Statuses, f.DueBefore = []hailurah.TicketStatus{hailurah.StatusAssigned, hailurah.StatusInProgress}, &now
	}
}

// rtrwInSearch finds "RT 3", "rt03", "RW 2" in the search box: a moderator
// types where the curhat came from as they say it.
var rtrwInSearch = regexp.MustCompile(`(?i)\b(RT|RW)\.?\s*(\d{1,3})\b`)

// splitSearch takes the RT and RW out of a search, leaving the words.
func splitSearch(q string) (rt, rw, rest string) {
	rest = rtrwInSearch.ReplaceAllStringFunc(q, func(m string) string {
		sub := rtrwInSearch.FindStringSubmatch(m)
		if strings.EqualFold(sub[1], "rt") {
			rt = sub[2]
		} else {
			rw = sub[2]
		}
		return " "
	})
	return rt, rw, strings.Join(strings.Fields(rest), " ")
}

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
	form := queueForm{Tab: tabOf(q), Status: q.Get("status"), Kategori: q.Get("kategori"), UrgencyMin: q.Get("urgency_min"),
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
	keys := tabKeys
	if form.Tab == tabAll {
		keys = queueFilterKeys
	}
	for _, k := range keys {
		if v := q.Get(k); v != "" {
			passed.Set(k, v)
		}
	}
	if rt, rw, rest := splitSearch(form.Q); rt != "" || rw != "" {
		passed.Set("q", rest)
		if rt != "" && passed.Get("rt") == "" {
			passed.Set("rt", rt)
		}
		if rw != "" && passed.Get("rw") == "" {
			passed.Set("rw", rw)
		}
	}
	if form.Tab == tabAll && form.Status != statusActive && form.Status != statusAll {
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
	if form.Tab == tabAll && form.Status == statusActive {
		f.Statuses = activeStatuses
	}
	now := s.Now()
	narrowToTab(&f, form.Tab, now)
	f.Limit = queueLimit
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

	qd.Tabs = s.queueTabs(c, f, form.Tab, now)
	counts, err := s.Tickets.StatusCounts(ctx, f)
	if err == nil && form.Tab == tabAll {
		for _, st := range hailurah.TicketStatuses {
			link := c.Request.URL.Query()
			link.Del("cursor")
			link.Set("status", string(st))
			link.Set("tab", tabAll)
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

// queueTabs counts each tab's tickets under the same search and links to
// it keeping the search.
func (s *UI) queueTabs(c *gin.Context, f hailurah.TicketFilter, active string, now time.Time) []antrianTab {
	tabs := []antrianTab{{Key: tabVerify, Label: "Perlu verifikasi"}, {Key: tabFollow, Label: "Perlu tindak lanjut"},
		{Key: tabDinas, Label: "Dinas lewat tenggat"}, {Key: tabAll, Label: "Semua tiket"}}
	base := hailurah.TicketFilter{Kelurahan: f.Kelurahan, CityQueue: f.CityQueue, Q: f.Q, RT: f.RT, RW: f.RW}
	for i := range tabs {
		t := &tabs[i]
		link := url.Values{"tab": {t.Key}}
		if v := c.Query("q"); v != "" {
			link.Set("q", v)
		}
		if v := c.Query("kelurahan"); v != "" {
			link.Set("kelurahan", v)
		}
		t.URL, t.Active = "/antrian?"+link.Encode(), t.Key == active
		if t.Key == tabAll {
			continue
		}
		tf := base
		narrowToTab(&tf, t.Key, now)
		counts, err := s.Tickets.StatusCounts(c.Request.Context(), tf)
		if err != nil {
			continue
		}
		for _, st := range tf.Statuses {
			t.N += counts[st]
		}
	}
	return tabs
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
