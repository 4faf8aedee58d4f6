package ui

import (
	"slices"
	"strings"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/server/app"
)

// ticketView is a ticket as the staff pages show it in lists and headers,
// with every text computed here so templates stay plain.
type ticketView struct {
	ID           string
	Status       string
	StatusLabel  string
	StatusClass  string
	Kelurahan    string // name; "Antrean kota" when not routed yet
	CityQueue    bool
	RTRW         string
	Kategori     string
	Subkategori  string
	Urgency      int
	UrgencyLabel string
	Summary      string
	Excerpt      string // the citizen's own words, shortened
	Reporter     string
	Received     string
	Unit         string // assigned unit's name
	Anonim       bool
	Tembusan     bool
	Escalated    bool
	Breached     bool
	Verified     bool
	SLA          slaView
	ModeratorSLA slaView
	DinasSLA     slaView
	ReceivedAt   time.Time
	ticket       *hailurah.Ticket
}

// slaView is one SLA clock: its deadline and the time left or overdue.
type slaView struct {
	Present  bool
	Label    string
	Due      string
	DueISO   string // for the countdown script
	Left     string
	Over     bool
	Breached bool // the workflow's own breach mark (escalation done)
}

func rtrw(rt, rw string) string {
	if rt == "" && rw == "" {
		return "-"
	}
	return "RT " + dash(rt) + " / RW " + dash(rw)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func newSLA(label string, due *time.Time, breached bool, now time.Time, z hailurah.Zone) slaView {
	if due == nil {
		return slaView{Label: label}
	}
	left, over := formatSisa(*due, now)
	return slaView{Present: true, Label: label, Due: formatWaktu(z, *due), DueISO: due.UTC().Format(time.RFC3339),
		Left: left, Over: over, Breached: breached}
}

func (s *UI) viewTicket(t *hailurah.Ticket, n app.Names) ticketView {
	now := s.Now()
	v := ticketView{
		ID: t.ID, Status: string(t.Status), StatusLabel: t.Status.Label(), StatusClass: statusClass(t.Status),
		Kelurahan: n.KelurahanName(t.Kelurahan), CityQueue: t.Kelurahan == "", RTRW: rtrw(t.RT, t.RW),
		Kategori: app.KategoriLabel(t.Kategori), Subkategori: t.Subkategori,
		Urgency: t.UrgencyScore, UrgencyLabel: app.UrgencyLabel(t.UrgencyScore),
		Reporter: app.ReporterLabel(t), Received: formatWaktu(s.Zone, t.DatetimeReceived), ReceivedAt: t.DatetimeReceived,
		Unit: n.UnitName(t.AssignedUnit), Anonim: t.PrivacyFlag, Tembusan: t.TembusanFlag,
		Escalated: t.EscalationFlag, Verified: t.Verified, ticket: t,
		ModeratorSLA: newSLA("Verifikasi moderator", t.ModeratorDue, t.ModeratorBreached, now, s.Zone),
		DinasSLA:     newSLA("Tugas dinas", t.DinasDue, t.DinasBreached, now, s.Zone),
	}
	if t.Status == hailurah.StatusOpen && t.Verified {
		v.StatusLabel = "Terverifikasi, menunggu tindak lanjut"
	}
	v.Summary = t.Summary
	v.Excerpt = excerpt(t.MessageText, 160)
	// The clock that runs is the one of the phase the ticket is in.
	switch t.Status {
	case hailurah.StatusNew, hailurah.StatusOpen:
		// A verified ticket's verification clock has stopped: the
		// workflow no longer waits on it.
		if !t.Verified {
			v.SLA = v.ModeratorSLA
		}
	case hailurah.StatusAssigned, hailurah.StatusInProgress:
		v.SLA = v.DinasSLA
	}
	v.Breached = v.SLA.Breached || (v.SLA.Present && v.SLA.Over)
	return v
}

func (s *UI) viewTickets(ts []*hailurah.Ticket, n app.Names) []ticketView {
	out := make([]ticketView, 0, len(ts))
	for _, t := range ts {
		out = append(out, s.viewTicket(t, n))
	}
	return out
}

// activeStatuses are those a queue shows by default: the case is not over.
var activeStatuses = []hailurah.TicketStatus{
	hailurah.StatusNew, hailurah.StatusOpen, hailurah.StatusAssigned,
	hailurah.StatusInProgress, hailurah.StatusAwaitingConfirmation,
}

type option struct {
	Value, Label string
}

func kategoriOptions() []option {
	out := make([]option, 0, len(hailurah.Kategoris))
	for _, k := range hailurah.Kategoris {
		out = append(out, option{k, app.KategoriLabel(k)})
	}
	return out
}

func unitOptions(n app.Names) []option {
	out := make([]option, 0, len(n.Units))
	for code, name := range n.Units {
		out = append(out, option{code, name})
	}
	sortOptions(out)
	return out
}

func kelurahanOptions(n app.Names) []option {
	out := make([]option, 0, len(n.Kelurahan))
	for code, name := range n.Kelurahan {
		out = append(out, option{code, name})
	}
	sortOptions(out)
	return out
}

func sortOptions(o []option) {
	slices.SortFunc(o, func(a, b option) int { return strings.Compare(a.Label, b.Label) })
}
