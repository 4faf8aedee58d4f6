package activities

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hailurah/hailurah"
)

// NotifyInput is one staff notification, to one or more audiences.
type NotifyInput struct {
	// Key is unique per event ("<ticket>/<kind>/<seq>"); each audience's
	// notification is keyed "<Key>/<audience>".
	Key    string               `json:"key"`
	Kind   string               `json:"kind"` // a hailurah.Notify* constant
	To     []hailurah.Audience  `json:"to"`
	Ticket hailurah.TicketState `json:"ticket"`
	// Suggestion is the AI's short advice for the lurah's [NOTIF].
	Suggestion string `json:"suggestion,omitempty"`
	Level      int    `json:"level,omitempty"` // breach level
	Actor      string `json:"actor,omitempty"`
	Note       string `json:"note,omitempty"` // reason, done note
}

// NotifyStaff stores the notification for every audience. An audience
// without users (a kelurahan whose lurah has no account yet) is logged,
// not an error: nobody would be helped by retrying it.
func (a *Activities) NotifyStaff(ctx context.Context, in NotifyInput) error {
	title, body, err := a.composeStaff(ctx, in)
	if err != nil {
		return nonRetryable(err)
	}
	for _, to := range in.To {
		n := &hailurah.Notification{
			IdempotencyKey: in.Key + "/" + audienceKey(to),
			To:             to,
			TicketID:       in.Ticket.TicketID,
			Kind:           in.Kind,
			Title:          title,
			Body:           body,
			Link:           a.ticketLink(in.Ticket.TicketID),
		}
		count, err := a.Notifications.Notify(ctx, n)
		if err != nil {
			return nonRetryable(err)
		}
		if count == 0 {
			a.logger().WarnContext(ctx, "notification reached nobody", "key", n.IdempotencyKey, "ticket", in.Ticket.TicketID)
		}
		if err := a.Notices.fanOut(ctx, to, a.ticketNotice(ctx, n.IdempotencyKey, in)); err != nil {
			return nonRetryable(err)
		}
	}
	return nil
}

// ticketNotice is the WhatsApp notice of a ticket's notification.
func (a *Activities) ticketNotice(ctx context.Context, key string, in NotifyInput) hailurah.StaffNotice {
	t := in.Ticket
	return hailurah.StaffNotice{Key: key, Kind: in.Kind, Ref: t.TicketID, Ticket: true, Kategori: t.Kategori, Urgency: t.Urgency,
		Kelurahan: t.Kelurahan, KelurahanName: a.kelurahanName(ctx, t.Kelurahan, t.KelurahanName), RT: t.RT, RW: t.RW,
		Summary: t.Summary, Suggestion: in.Suggestion, Link: a.ticketLink(t.TicketID)}
}

func audienceKey(to hailurah.Audience) string {
	switch {
	case to.Unit != "":
		return string(to.Role) + ":" + to.Unit
	case to.Kelurahan != "":
		return string(to.Role) + ":" + to.Kelurahan
	}
	return string(to.Role)
}

func (a *Activities) composeStaff(ctx context.Context, in NotifyInput) (title, body string, err error) {
	t := in.Ticket
	kel := a.kelurahanName(ctx, t.Kelurahan, t.KelurahanName)
	if kel == "" {
		kel = "antrean kota"
	}
	about := fmt.Sprintf("Tiket %s — %s, urgensi %d, Kel. %s.\nRingkasan: %s", t.TicketID, dash(t.Kategori), t.Urgency, kel, dash(t.Summary))
	switch in.Kind {
	case hailurah.NotifyEscalation, hailurah.NotifyTembusan:
		title = fmt.Sprintf("Eskalasi: tiket %s (urgensi %d)", t.TicketID, t.Urgency)
		if in.Kind == hailurah.NotifyTembusan {
			title = fmt.Sprintf("Tembusan warga: tiket %s", t.TicketID)
		}
		body = composeLurahNotif(lurahNotif{
			TicketID: t.TicketID, Kategori: t.Kategori, Urgency: t.Urgency, KelurahanName: kel,
			RT: t.RT, RW: t.RW, Summary: t.Summary, Suggestion: dash(in.Suggestion), Link: a.ticketLink(t.TicketID),
			Tembusan: in.Kind == hailurah.NotifyTembusan,
		})
	case hailurah.NotifyModeratorBreach:
		title = fmt.Sprintf("Verifikasi terlambat (level %d): tiket %s", in.Level, t.TicketID)
		body = fmt.Sprintf("%s\nBelum diverifikasi moderator; batas waktu %s.", about, formatWaktu(a.Zone, t.ModeratorDue))
	case hailurah.NotifyDinasBreach:
		title = fmt.Sprintf("Tugas dinas terlambat (level %d): tiket %s", in.Level, t.TicketID)
		body = fmt.Sprintf("%s\nUnit %s belum menyelesaikan tugas; batas waktu %s.", about, strings.ToUpper(t.Unit), formatWaktu(a.Zone, t.DinasDue))
	case hailurah.NotifyAssigned:
		title = fmt.Sprintf("Tugas baru: tiket %s", t.TicketID)
		body = fmt.Sprintf("%s\nBatas waktu %s.", about, formatWaktu(a.Zone, t.DinasDue))
	case hailurah.NotifyReturned:
		title = fmt.Sprintf("Tiket %s dikembalikan oleh unit", t.TicketID)
		body = fmt.Sprintf("%s\nDikembalikan oleh %s: %s", about, in.Actor, in.Note)
	case hailurah.NotifyDone:
		title = fmt.Sprintf("Tiket %s selesai dikerjakan", t.TicketID)
		body = fmt.Sprintf("%s\nCatatan %s: %s\nWarga diminta konfirmasi.", about, in.Actor, in.Note)
	case hailurah.NotifyReopened:
		title = fmt.Sprintf("Warga menjawab BELUM: tiket %s dibuka kembali", t.TicketID)
		body = fmt.Sprintf("%s\nDibuka kembali ke-%d kali; mohon ditinjau ulang.", about, t.ReopenedCount)
	case hailurah.NotifyCancelled:
		title = fmt.Sprintf("Tiket %s dibatalkan", t.TicketID)
		body = fmt.Sprintf("%s\nAlur kerja tiket dibatalkan oleh operator sistem; tiket ditutup tanpa penyelesaian dan warga diberi tahu.", about)
	case hailurah.NotifyTriageFailed:
		title = fmt.Sprintf("Analisis otomatis gagal: tiket %s", t.TicketID)
		body = fmt.Sprintf("%s\nMohon tentukan kategori dan urgensi secara manual.", about)
	default:
		return "", "", hailurah.Errorf(hailurah.EINVALID, "unknown notification kind %q", in.Kind)
	}
	return title, body, nil
}

// formatWaktu writes a time in a message on the kelurahan's clock:
// "02-07-2026 09:00 WIB" ("… WITA" in Makassar's zone); "-" for none.
func formatWaktu(z hailurah.Zone, t *time.Time) string {
	if t == nil {
		return "-"
	}
	return z.In(*t).Format("02-01-2006 15:04") + " " + z.Abbrev(*t)
}

// DigestPeriod is the week a digest covers: [From, To).
type DigestPeriod struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// SendWeeklyDigest notifies the lurah of every kelurahan that had tickets in
// the period and returns how many kelurahan it covered. Keys carry the
// period's end date, so a schedule that fires twice in a week (a manual
// trigger, a catch-up) notifies once.
func (a *Activities) SendWeeklyDigest(ctx context.Context, p DigestPeriod) (int, error) {
	counts, err := a.Tickets.DigestCounts(ctx, p.From, p.To)
	if err != nil {
		return 0, nonRetryable(err)
	}
	week := a.Zone.In(p.To).Format(time.DateOnly)
	for _, d := range counts {
		to := hailurah.Audience{Role: hailurah.RoleLurah, Kelurahan: d.Kelurahan}
		n := &hailurah.Notification{
			IdempotencyKey: "digest/" + week + "/" + audienceKey(to),
			To:             to,
			Kind:           hailurah.NotifyDigest,
			Title:          "Ringkasan mingguan HAI LURAH s.d. " + a.Zone.In(p.To).Format("02-01-2006"),
			Body:           composeDigest(a.kelurahanName(ctx, d.Kelurahan, d.KelurahanName), d),
			Link:           strings.TrimRight(a.BaseURL, "/") + "/dasbor",
		}
		if _, err := a.Notifications.Notify(ctx, n); err != nil {
			return 0, nonRetryable(err)
		}
	}
	return len(counts), nil
}

func composeDigest(kel string, d *hailurah.KelurahanDigest) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Kel. %s, 7 hari terakhir:\n", kel)
	fmt.Fprintf(&b, "• Curhat baru: %d (eskalasi %d)\n", d.New, d.Escalated)
	fmt.Fprintf(&b, "• Selesai: %d, ditutup otomatis: %d, ditolak: %d\n", d.Resolved, d.Closed, d.Rejected)
	fmt.Fprintf(&b, "• Masih berjalan: %d (terlambat verifikasi %d, terlambat dinas %d)\n", d.Open, d.ModeratorBreached, d.DinasBreached)
	if d.AvgRating > 0 {
		fmt.Fprintf(&b, "• Rata-rata kepuasan: %.1f/5\n", d.AvgRating)
	}
	if len(d.ByKategori) > 0 {
		kats := make([]string, 0, len(d.ByKategori))
		for k := range d.ByKategori {
			kats = append(kats, k)
		}
		// Most frequent first; ties alphabetically so the text is stable.
		sort.Slice(kats, func(i, j int) bool {
			if d.ByKategori[kats[i]] != d.ByKategori[kats[j]] {
				return d.ByKategori[kats[i]] > d.ByKategori[kats[j]]
			}
			return kats[i] < kats[j]
		})
		parts := make([]string, len(kats))
		for i, k := range kats {
			parts[i] = fmt.Sprintf("%s %d", k, d.ByKategori[k])
		}
		fmt.Fprintf(&b, "• Kategori: %s\n", strings.Join(parts, ", "))
	}
	return strings.TrimRight(b.String(), "\n")
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
