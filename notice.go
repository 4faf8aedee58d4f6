package hailurah

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Staff are outside WhatsApp's 24-hour window, so what needs them to act
// reaches their phone as a notice: an approved template carrying the
// seed's [NOTIF] content. The in-app notifications decide who hears of
// what (their audiences); StaffNoticeRoles picks which of those also get
// a WhatsApp notice. A notice waits out its kelurahan's quiet hours unless
// urgent, and more than a few within a window go as one bundle.

// Defaults of a NoticePolicy.
const (
	// DefaultNoticeWindow is the window in which notices to one person
	// are counted for bundling.
	DefaultNoticeWindow = 10 * time.Minute
	// DefaultNoticeBundleAfter is how many notices one person gets singly
	// within the window; the ones after wait for its end and go as one.
	DefaultNoticeBundleAfter = 3
	// UrgentNotice is the urgency from which a notice ignores quiet hours.
	UrgentNotice = 5
)

// staffNotices lists, per notification kind, the roles of its audiences
// that also get it on WhatsApp: the lurah what needs their decision, the
// moderators a ticket nobody verified in time, a unit's officers their new
// and overdue tasks. Other kinds stay in the app.
var staffNotices = map[string]struct {
	roles []Role
	label string
}{
	NotifyEscalation:      {[]Role{RoleLurah}, "Eskalasi"},
	NotifyTembusan:        {[]Role{RoleLurah}, "Tembusan warga"},
	NotifyModeratorBreach: {[]Role{RoleLurah, RoleModerator}, "Belum diverifikasi"},
	NotifyAssigned:        {[]Role{RoleDinas}, "Tugas baru"},
	NotifyDinasBreach:     {[]Role{RoleDinas}, "Tugas terlambat"},
	NotifyGrantToApprove:  {[]Role{RoleLurah}, "Hibah menunggu persetujuan"},
	NotifyPilotPacket:     {[]Role{RoleLurah}, "Keputusan pilot ditunggu"},
	NotifyPilotOverdue:    {[]Role{RoleLurah}, "Keputusan pilot terlambat"},
	NotifyReport:          {[]Role{RoleLurah}, "Laporan bulanan siap"},
}

// Outbox kinds of messages to staff. They carry no ticket id: the
// citizen's tracking page lists a ticket's outbox rows.
const (
	OutboxStaffNotice = "staff_notice"        // one [NOTIF]
	OutboxStaffBundle = "staff_notice_bundle" // several, in one message
	OutboxStaffAnswer = "staff_answer"        // the answer to a staff member's command
)

// StaffOutbox reports whether an outbox kind goes to staff.
func StaffOutbox(kind string) bool {
	return kind == OutboxStaffNotice || kind == OutboxStaffBundle || kind == OutboxStaffAnswer
}

// StaffNoticeFor reports whether a notification of kind to an audience of
// role also goes to their WhatsApp.
func StaffNoticeFor(kind string, role Role) bool {
	return slices.Contains(staffNotices[kind].roles, role)
}

// StaffNoticeLabel names a kind of notice at the head of its message.
func StaffNoticeLabel(kind string) string {
	if l := staffNotices[kind].label; l != "" {
		return l
	}
	return kind
}

// StaffNotice is one WhatsApp notice to one staff member, with what the
// seed's [NOTIF] shows.
type StaffNotice struct {
	// Key is the in-app notification's idempotency key: a retried fan-out
	// sends the same key, and the notice goes out once.
	Key  string `json:"key"`
	Kind string `json:"kind"` // a Notify* constant
	// Ref is the case's code: a ticket's "HL-…", a grant's, a pilot's.
	Ref      string `json:"ref"`
	Kategori string `json:"kategori,omitempty"`
	Urgency  int    `json:"urgency,omitempty"` // 0: none (grants, pilots)
	// Kelurahan is the code of the case's kelurahan, whose quiet hours the
	// notice keeps; KelurahanName, RT and RW say where.
	Kelurahan     string `json:"kelurahan,omitempty"`
	KelurahanName string `json:"kelurahan_name,omitempty"`
	RT            string `json:"rt,omitempty"`
	RW            string `json:"rw,omitempty"`
	// Ticket is set when Ref is a ticket's, which staff may answer by
	// WhatsApp (TERIMA, SELESAI, OK, STATUS).
	Ticket     bool       `json:"ticket,omitempty"`
	Summary    string     `json:"summary,omitempty"`
	Suggestion string     `json:"suggestion,omitempty"` // the AI's short advice
	Link       string     `json:"link,omitempty"`
	Quiet      QuietHours `json:"quiet"`
}

// Place writes where the case is: "Kel. Taman, RT 01/RW 02".
func (n StaffNotice) Place() string {
	place := "Kel. " + n.KelurahanName
	if n.KelurahanName == "" {
		place = "antrean kota"
	}
	if n.RT != "" || n.RW != "" {
		place += fmt.Sprintf(", RT %s/RW %s", dashed(n.RT), dashed(n.RW))
	}
	return place
}

func dashed(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// Urgent reports whether the notice goes out even in quiet hours.
func (n StaffNotice) Urgent() bool { return n.Urgency >= UrgentNotice }

// NoticePolicy is how a staff member's notices are paced. It travels in
// the notice workflow's input, so a replay paces as the run did.
type NoticePolicy struct {
	Zone Zone `json:"zone"` // the kelurahan's clock, for quiet hours
	// Window and BundleAfter: zero means DefaultNoticeWindow and
	// DefaultNoticeBundleAfter.
	Window      time.Duration `json:"window,omitempty"`
	BundleAfter int           `json:"bundle_after,omitempty"`
}

// WindowOrDefault is the policy's bundling window.
func (p NoticePolicy) WindowOrDefault() time.Duration {
	if p.Window > 0 {
		return p.Window
	}
	return DefaultNoticeWindow
}

// BundleAfterOrDefault is how many notices go singly within the window.
func (p NoticePolicy) BundleAfterOrDefault() int {
	if p.BundleAfter > 0 {
		return p.BundleAfter
	}
	return DefaultNoticeBundleAfter
}

// QuietHours are a kelurahan's hours without WhatsApp notices, as minutes
// after midnight on its clock: from Start up to End, across midnight when
// End is earlier. Start == End means none.
type QuietHours struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// DefaultQuietHours, 21:00–06:00, are every kelurahan's until changed.
var DefaultQuietHours = QuietHours{Start: 21 * 60, End: 6 * 60}

const minutesPerDay = 24 * 60

// Validate returns EINVALID (field "quiet_hours") for a time outside a day.
func (q QuietHours) Validate() error {
	if q.Start < 0 || q.Start >= minutesPerDay || q.End < 0 || q.End >= minutesPerDay {
		return FieldErrorf("quiet_hours", "Jam tenang harus antara 00:00 dan 23:59.")
	}
	return nil
}

// Ends returns, for t inside the quiet hours on z's clock, when they end;
// for t outside them, t and false.
func (q QuietHours) Ends(z Zone, t time.Time) (time.Time, bool) {
	if q.Start == q.End {
		return t, false
	}
	local := z.In(t)
	day := z.StartOfDay(t)
	m := local.Hour()*60 + local.Minute()
	at := func(dayOffset, minute int) time.Time {
		return day.AddDate(0, 0, dayOffset).Add(time.Duration(minute) * time.Minute)
	}
	switch {
	case q.Start < q.End && m >= q.Start && m < q.End:
		return at(0, q.End), true
	case q.Start > q.End && m >= q.Start:
		return at(1, q.End), true
	case q.Start > q.End && m < q.End:
		return at(0, q.End), true
	}
	return t, false
}

// String writes the hours as "21:00–06:00", or "tidak ada".
func (q QuietHours) String() string {
	if q.Start == q.End {
		return "tidak ada"
	}
	return fmt.Sprintf("%02d:%02d–%02d:%02d", q.Start/60, q.Start%60, q.End/60, q.End%60)
}

// Form writes the hours as a form shows them for editing, "21:00-06:00",
// or "" for none; ParseQuietHours reads it back.
func (q QuietHours) Form() string {
	if q.Start == q.End {
		return ""
	}
	return fmt.Sprintf("%02d:%02d-%02d:%02d", q.Start/60, q.Start%60, q.End/60, q.End%60)
}

// ParseQuietHours reads "21:00-06:00" (or with an en dash); "" and
// "tidak ada" are none. Returns EINVALID (field "quiet_hours").
func ParseQuietHours(s string) (QuietHours, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.EqualFold(s, "tidak ada") {
		return QuietHours{}, nil
	}
	from, to, ok := strings.Cut(strings.ReplaceAll(s, "–", "-"), "-")
	bad := FieldErrorf("quiet_hours", "Tulis jam tenang seperti 21:00-06:00.")
	if !ok {
		return QuietHours{}, bad
	}
	var q QuietHours
	for i, part := range []string{from, to} {
		t, err := time.Parse("15:04", strings.TrimSpace(part))
		if err != nil {
			return QuietHours{}, bad
		}
		m := t.Hour()*60 + t.Minute()
		if i == 0 {
			q.Start = m
		} else {
			q.End = m
		}
	}
	return q, q.Validate()
}

// StaffNoticeService finds who a WhatsApp notice goes to.
type StaffNoticeService interface {
	// NoticeRecipients returns the active users an audience resolves to
	// (as NotificationService.Notify does) who have a phone and their
	// notices on, ordered by username. Returns EINVALID for a malformed
	// audience.
	NoticeRecipients(ctx context.Context, a Audience) ([]*User, error)
	// QuietHours returns the kelurahan's quiet hours; ENOTFOUND for an
	// unknown kelurahan.
	QuietHours(ctx context.Context, kelurahan string) (QuietHours, error)
	// SetQuietHours changes them. Returns ENOTFOUND for an unknown
	// kelurahan and EINVALID for bad hours.
	SetQuietHours(ctx context.Context, kelurahan string, q QuietHours) error
}
