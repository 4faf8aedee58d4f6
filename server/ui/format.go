package ui

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hailurah/hailurah"
)

// formatWaktu writes a time the Indonesian way on the kelurahan's clock z:
// "27 Nov 2026 09.15 WIB", "… WITA" in Makassar's zone.
func formatWaktu(z hailurah.Zone, t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	l := z.In(t)
	return fmt.Sprintf("%d %s %d %02d.%02d %s", l.Day(), hailurah.ShortMonth(l.Month()), l.Year(), l.Hour(), l.Minute(), z.Abbrev(t))
}

// formatTanggal writes a date without a time the same way: "7 Des 2026".
// t is already a calendar day (a date column, or a time moved to the
// kelurahan's zone).
func formatTanggal(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return fmt.Sprintf("%d %s %d", t.Day(), hailurah.ShortMonth(t.Month()), t.Year())
}

// formatJam is the clock time only, "09.15.05 WIB", for "updated at" lines.
func formatJam(z hailurah.Zone, t time.Time) string {
	l := z.In(t)
	return fmt.Sprintf("%02d.%02d.%02d %s", l.Hour(), l.Minute(), l.Second(), z.Abbrev(t))
}

func formatWaktuPtr(z hailurah.Zone, t *time.Time) string {
	if t == nil {
		return "-"
	}
	return formatWaktu(z, *t)
}

// formatSisa says how long until a deadline, or how long since it passed:
// "sisa 3 jam 20 menit", "lewat 2 jam". over reports a passed deadline.
func formatSisa(due, now time.Time) (text string, over bool) {
	d := due.Sub(now)
	if d >= 0 {
		return "sisa " + formatDurasi(d), false
	}
	return "lewat " + formatDurasi(-d), true
}

// formatDurasi writes at most the two largest units, leaving out a zero
// second unit: "2 hari 3 jam", "2 jam", "45 menit".
func formatDurasi(d time.Duration) string {
	mins := int(d / time.Minute)
	if mins < 1 {
		return "kurang dari 1 menit"
	}
	days, hours, m := mins/(24*60), mins/60%24, mins%60
	switch {
	case days > 0 && hours > 0:
		return fmt.Sprintf("%d hari %d jam", days, hours)
	case days > 0:
		return fmt.Sprintf("%d hari", days)
	case m > 0 && hours > 0:
		return fmt.Sprintf("%d jam %d menit", hours, m)
	case hours > 0:
		return fmt.Sprintf("%d jam", hours)
	}
	return fmt.Sprintf("%d menit", m)
}

// statusClass picks the badge colour of a status.
func statusClass(s hailurah.TicketStatus) string {
	switch s {
	case hailurah.StatusNew, hailurah.StatusOpen:
		return "st-open"
	case hailurah.StatusAssigned, hailurah.StatusInProgress:
		return "st-dinas"
	case hailurah.StatusAwaitingConfirmation:
		return "st-wait"
	case hailurah.StatusResolved:
		return "st-done"
	}
	return "st-final"
}

// excerpt shortens text for a list, on a rune boundary.
func excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n])) + "…"
}
