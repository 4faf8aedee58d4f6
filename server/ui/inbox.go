package ui

import (
	"net/http"
	"sort"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/server/app"
)

type notificationView struct {
	ID       int64
	Kind     string
	Title    string
	Body     string
	TicketID string
	At       string
	Unread   bool
	code     string
}

var notificationKinds = map[string]string{
	hailurah.NotifyEscalation:      "Eskalasi",
	hailurah.NotifyTembusan:        "Tembusan",
	hailurah.NotifyModeratorBreach: "SLA verifikasi",
	hailurah.NotifyDinasBreach:     "SLA dinas",
	hailurah.NotifyAssigned:        "Tugas baru",
	hailurah.NotifyReturned:        "Dikembalikan",
	hailurah.NotifyDone:            "Selesai dikerjakan",
	hailurah.NotifyReopened:        "Dibuka kembali",
	hailurah.NotifyTriageFailed:    "Analisis gagal",
	hailurah.NotifyCancelled:       "Dibatalkan",
	hailurah.NotifyDigest:          "Ringkasan mingguan",
}

func viewNotifications(list []*hailurah.Notification, z hailurah.Zone) []notificationView {
	out := make([]notificationView, 0, len(list))
	for _, n := range list {
		kind := notificationKinds[n.Kind]
		if kind == "" {
			kind = "Pemberitahuan"
		}
		out = append(out, notificationView{ID: n.ID, Kind: kind, Title: n.Title, Body: n.Body,
			TicketID: n.TicketID, At: formatWaktu(z, n.CreatedAt), Unread: n.ReadAt == nil, code: n.Kind})
	}
	return out
}

func (s *UI) unreadCount(c *gin.Context) int {
	n, err := s.Notifications.UnreadCount(c.Request.Context(), app.UserOf(c).Username)
	if err != nil {
		s.Logger.WarnContext(c.Request.Context(), "unread count", "err", err)
		return 0
	}
	return n
}

type inboxData struct {
	Escalations []notificationView // escalations and tembusan
	Breaches    []notificationView // SLA breaches
	Others      []notificationView
	Attention   []ticketView // escalated or tembusan, still in process
	Overdue     []ticketView // past an SLA, still in process
	Grants      []inboxItem  // verified grants awaiting the lurah, DTKS first
	Pilots      []inboxItem  // pilots whose review packet awaits the decision
}

// inboxItem is a grant or pilot waiting for the lurah's signature.
type inboxItem struct {
	Link, Label, Detail string
}

// inboxPage: GET /kotak-masuk — what the lurah must look at: escalations,
// tembusan and SLA breaches of their kelurahan.
func (s *UI) inboxPage(c *gin.Context) {
	u := app.UserOf(c)
	ctx := c.Request.Context()
	n := s.LoadNames(ctx)
	list, err := s.Notifications.ListNotifications(ctx, u.Username, 100)
	if err != nil {
		s.renderError(c, err)
		return
	}
	d := &inboxData{}
	for _, v := range viewNotifications(list, s.Zone) {
		switch v.code {
		case hailurah.NotifyEscalation, hailurah.NotifyTembusan:
			d.Escalations = append(d.Escalations, v)
		case hailurah.NotifyModeratorBreach, hailurah.NotifyDinasBreach:
			d.Breaches = append(d.Breaches, v)
		default:
			d.Others = append(d.Others, v)
		}
	}
	active, err := s.Tickets.ListTickets(ctx, hailurah.TicketFilter{Kelurahan: u.Kelurahan, Statuses: activeStatuses, Limit: 200})
	if err != nil {
		s.renderError(c, err)
		return
	}
	for _, t := range active.Items {
		v := s.viewTicket(t, n)
		if t.EscalationFlag || t.TembusanFlag {
			d.Attention = append(d.Attention, v)
		}
		if t.ModeratorBreached || t.DinasBreached || v.Breached {
			d.Overdue = append(d.Overdue, v)
		}
	}
	if err := s.fillSignatures(c, u, d); err != nil {
		s.renderError(c, err)
		return
	}
	s.renderPage(c, http.StatusOK, "kotak-masuk", pageData{Title: "Kotak masuk Lurah", Flash: flashOf(c), Data: d})
}

// notificationsPage: GET /notifikasi — every staff user's own list.
func (s *UI) notificationsPage(c *gin.Context) {
	list, err := s.Notifications.ListNotifications(c.Request.Context(), app.UserOf(c).Username, 100)
	if err != nil {
		s.renderError(c, err)
		return
	}
	s.renderPage(c, http.StatusOK, "notifikasi", pageData{Title: "Notifikasi", Flash: flashOf(c), Data: viewNotifications(list, s.Zone)})
}

// bellFragment: GET /notifikasi/jumlah — the bell with a fresh count,
// polled by every page.
func (s *UI) bellFragment(c *gin.Context) {
	s.renderFragment(c, http.StatusOK, "notifikasi", "bell", pageData{Bell: true, Unread: s.unreadCount(c)})
}

// notificationsRead: POST /notifikasi/baca — one notification (id) or all.
func (s *UI) notificationsRead(c *gin.Context) {
	var ids []int64
	if v := c.PostForm("id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			s.renderError(c, hailurah.Errorf(hailurah.EINVALID, "Nomor notifikasi tidak valid."))
			return
		}
		ids = []int64{id}
	}
	if err := s.Notifications.MarkNotificationsRead(c.Request.Context(), app.UserOf(c).Username, ids); err != nil {
		s.renderError(c, err)
		return
	}
	back := "/notifikasi"
	if c.PostForm("kembali") == "kotak-masuk" && app.UserOf(c).Role == hailurah.RoleLurah {
		back = "/kotak-masuk"
	}
	c.Redirect(http.StatusSeeOther, back+"?ok=dibaca")
}

// fillSignatures lists what waits for the lurah's own decision: verified
// grants (DTKS households first, as the grant queue orders them) and
// pilots whose day-76 packet is out.
func (s *UI) fillSignatures(c *gin.Context, u *hailurah.User, d *inboxData) error {
	ctx := c.Request.Context()
	if p := s.Programme; p != nil {
		grants, err := p.Grants.ListGrants(ctx, hailurah.GrantFilter{Kelurahan: u.Kelurahan, Statuses: []hailurah.GrantStatus{hailurah.GrantVerified}})
		if err != nil {
			return err
		}
		sort.SliceStable(grants, func(i, j int) bool { return grants[i].DTKS && !grants[j].DTKS })
		for _, g := range grants {
			detail := g.HouseholdName + " · " + hailurah.FormatRupiah(g.Amount)
			if g.DTKS {
				detail += " · DTKS"
			}
			d.Grants = append(d.Grants, inboxItem{Link: "/hibah/" + g.ID, Label: g.ID, Detail: detail})
		}
	}
	if p := s.Pilots; p != nil {
		pilots, err := p.Store.ListPilots(ctx, hailurah.PilotFilter{Kelurahan: u.Kelurahan, Statuses: []hailurah.PilotStatus{hailurah.PilotAwaitingDecision}})
		if err != nil {
			return err
		}
		for _, pl := range pilots {
			if pl.Kelurahan != u.Kelurahan {
				continue // a pilot replicated here is signed by its own kelurahan's lurah
			}
			d.Pilots = append(d.Pilots, inboxItem{Link: "/pilot/" + pl.ID, Label: pl.ID, Detail: pl.Name})
		}
	}
	return nil
}
