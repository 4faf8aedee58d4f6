package hailurah_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
)

// weekdayHolidays lists the Monday–Friday dates list does not count as
// working days, in Jakarta: all a working-day deadline sees of a list.
func weekdayHolidays(list hailurah.HolidayList, from, to time.Time) string {
	var out []string
	for d := from; d.Before(to); d = d.AddDate(0, 0, 1) {
		if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
			continue
		}
		if !jakarta.AddWorkingTimeWith(list, d, time.Nanosecond, hailurah.CalendarWorkingDays).Equal(d.Add(time.Nanosecond)) {
			out = append(out, d.Format(time.DateOnly))
		}
	}
	return strings.Join(out, " ")
}

// TestHolidayListV1IsUnchanged: running tickets count their working-day
// deadlines with the list version they started with, and their histories
// replay with it, so a released list is never edited. Correct the dates
// (the 2027 SKB) in a new version; see holidaysV1.
func TestHolidayListV1IsUnchanged(t *testing.T) {
	const v1 = "2026-01-01 2026-01-16 2026-02-16 2026-02-17 2026-03-18 2026-03-19 2026-03-20 2026-03-23 2026-03-24 " +
		"2026-04-03 2026-05-01 2026-05-14 2026-05-15 2026-05-27 2026-05-28 2026-06-01 2026-06-16 2026-08-17 " +
		"2026-08-25 2026-12-24 2026-12-25 2027-01-01 2027-01-05 2027-03-09 2027-03-10 2027-03-11 2027-03-12 " +
		"2027-03-26 2027-05-06 2027-05-20 2027-06-01 2027-08-17 2027-12-24"
	from, to := time.Date(2026, 1, 1, 0, 0, 0, 0, wib), time.Date(2028, 1, 1, 0, 0, 0, 0, wib)
	if got := weekdayHolidays(hailurah.HolidaysV1, from, to); got != v1 {
		t.Errorf("holiday list v1 changed: release the change as a new version instead\n got  %s\n want %s", got, v1)
	}
	// A state written before lists had versions names none: it counted,
	// and keeps counting, with the first.
	if got := weekdayHolidays(0, from, to); got != v1 {
		t.Errorf("list 0 must be v1, got %s", got)
	}
}
