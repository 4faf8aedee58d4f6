package ui

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

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
	Link     string // the grant's or pilot's page a notification is about
	LinkText string
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
	hailurah.NotifyGrantToVerify:   "Hibah perlu verifikasi",
	hailurah.NotifyGrantToApprove:  "Hibah menunggu persetujuan",
	hailurah.NotifyGrantToDisburse: "Hibah siap dicairkan",
	hailurah.NotifyGrantRejected:   "Hibah ditolak",
	hailurah.NotifyGrantCancelled:  "Hibah dibatalkan",
	hailurah.NotifyGrantDisbursed:  "Hibah dicairkan",
	hailurah.NotifyGrantReminder:   "Pengingat hibah",
	hailurah.NotifyGrantCompleted:  "Hibah selesai",
	hailurah.NotifyPilotMilestone:  "Tahap pilot",
	hailurah.NotifyPilotPacket:     "Paket evaluasi pilot",
	hailurah.NotifyPilotOverdue:    "Keputusan pilot terlambat",
	hailurah.NotifyPilotDecision:   "Keputusan pilot",
}

// pageLink keeps the path of a notification's link when it is one of
// this program's own grant, pilot or ticket pages, with the words of its
// link; the stored link is absolute (for WhatsApp and e-mail).
func pageLink(link string) (path, text string) {
	u, err := url.Parse(link)
	if err != nil {
		return "", ""
	}
	for prefix, text := range map[string]string{"/hibah/": "Buka hibah", "/pilot/": "Buka pilot"} {
		if strings.HasPrefix(u.Path, prefix) && len(u.Path) > len(prefix) {
			return u.Path, text
		}
	}
	return "", ""
}

func viewNotifications(list []*hailurah.Notification, z hailurah.Zone) []notificationView {
	out := make([]notificationView, 0, len(list))
	for _, n := range list {
		kind := notificationKinds[n.Kind]
		if kind == "" {
			kind = "Pemberitahuan"
		}
		v := notificationView{ID: n.ID, Kind: kind, Title: n.Title, Body: n.Body,
			TicketID: n.TicketID, At: formatWaktu(z, n.CreatedAt), Unread: n.ReadAt == nil, code: n.Kind}
		v.Link, v.LinkText = pageLink(n.Link)
		out = append(out, v)
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
	Tiles     []inboxTile
	Grants    []inboxItem  // verified grants awaiting the lurah, DTKS first
	Pilots    []inboxItem  // pilots whose review packet awaits the decision
	Attention []ticketView // escalated or tembusan, still in process
	Overdue   []ticketView // past the SLA that runs now
	Notes     []notificationView
	AllNotes  bool // "semua": read ones too; else unread only
	UnreadN   int
}

// inboxItem is a grant or pilot waiting for the lurah's signature.
type inboxItem struct {
	Link, Label, Detail string
}

// inboxTile is one count at the top of the desk, linking to its list.
type inboxTile struct {
	Label, Href string
	N           int
	Warn        bool
}

// inboxPage: GET /kotak-masuk — the lurah's desk: counts first, then the
// decisions only the lurah can sign (grants, pilots), the escalated and
// tembusan cases, the tickets past the SLA running now, and the
// notifications (unread, or all with ?baca=semua).
func (s *UI) inboxPage(c *gin.Context) {
	u := app.UserOf(c)
	ctx := c.Request.Context()
	n := s.LoadNames(ctx)
	list, err := s.Notifications.ListNotifications(ctx, u.Username, 100)
	if err != nil {
		s.renderError(c, err)
		return
	}
	d := &inboxData{AllNotes: c.Query("baca") == "semua"}
	for _, v := range viewNotifications(list, s.Zone) {
		if v.Unread {
			d.UnreadN++
		}
		if v.Unread || d.AllNotes {
			d.Notes = append(d.Notes, v)
		}
	}
	active, err := s.Tickets.ListTickets(ctx, hailurah.TicketFilter{Kelurahan: u.Kelurahan, Statuses: activeStatuses, Limit: 200})
	if err != nil {
		s.renderError(c, err)
		return
	}
	var escalated, tembusan int
	for _, t := range active.Items {
		v := s.viewTicket(t, n)
		if t.EscalationFlag || t.TembusanFlag {
			d.Attention = append(d.Attention, v)
		}
		if t.EscalationFlag {
			escalated++
		}
		if t.TembusanFlag {
			tembusan++
		}
		// Only the clock that runs now counts: a moderator deadline
		// missed days ago does not make an on-time dinas task late.
		if v.Breached {
			d.Overdue = append(d.Overdue, v)
		}
	}
	if err := s.fillSignatures(c, u, d); err != nil {
		s.renderError(c, err)
		return
	}
	d.Tiles = []inboxTile{
		{Label: "Hibah menunggu persetujuan", Href: "#keputusan", N: len(d.Grants), Warn: len(d.Grants) > 0},
		{Label: "Keputusan pilot", Href: "#keputusan", N: len(d.Pilots), Warn: len(d.Pilots) > 0},
		{Label: "Eskalasi", Href: "#perhatian", N: escalated, Warn: escalated > 0},
		{Label: "Tembusan warga", Href: "#perhatian", N: tembusan},
		{Label: "Lewat SLA", Href: "#lewat", N: len(d.Overdue), Warn: len(d.Overdue) > 0},
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
	back := "/notifikasi?ok=dibaca"
	if c.PostForm("kembali") == "kotak-masuk" && app.UserOf(c).Role == hailurah.RoleLurah {
		back = "/kotak-masuk?ok=dibaca#pemberitahuan"
	}
	c.Redirect(http.StatusSeeOther, back)
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
