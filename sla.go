package hailurah

import "time"

// SLAPolicy is the `sla:` section of rules.yaml: how long each party may
// take before the ticket is escalated. Durations are Go durations ("24h").
type SLAPolicy struct {
	Moderator        ModeratorSLA `json:"moderator" yaml:"moderator"`
	Dinas            DinasSLA     `json:"dinas" yaml:"dinas"`
	Citizen          CitizenSLA   `json:"citizen" yaml:"citizen"`
	EscalationLevels int          `json:"escalation_levels" yaml:"escalation_levels"`
	// Zone is the calendar of working days: HAILURAH_TZ, not rules.yaml.
	// A ticket keeps the zone it started with, like the rest of the
	// policy; tickets started before it was set count in the zero Zone,
	// Asia/Jakarta, as they always did.
	Zone Zone `json:"time_zone,omitzero" yaml:"-"`
}

// ModeratorSLA is the time to verify a new ticket.
type ModeratorSLA struct {
	Default   time.Duration         `json:"default" yaml:"default"`
	ByUrgency map[int]time.Duration `json:"by_urgency,omitempty" yaml:"by_urgency"`
}

// DinasSLA is the time a unit has to finish an assigned task.
type DinasSLA struct {
	ByUrgency map[int]time.Duration `json:"by_urgency" yaml:"by_urgency"`
	// Calendar is "hours" (wall-clock) or "working_days" (skip weekends and
	// Indonesian public holidays, as LAPOR! counts).
	Calendar string `json:"calendar" yaml:"calendar"`
}

// CitizenSLA is how long the close-the-loop question waits for an answer.
type CitizenSLA struct {
	Reminder  time.Duration `json:"reminder" yaml:"reminder"`
	AutoClose time.Duration `json:"auto_close" yaml:"auto_close"`
}

const (
	CalendarHours       = "hours"
	CalendarWorkingDays = "working_days"
)

// DefaultSLAPolicy is the seed's SLA table: what rules.yaml ships with, and
// what fills any value a policy leaves zero.
func DefaultSLAPolicy() SLAPolicy {
	return SLAPolicy{
		Moderator: ModeratorSLA{Default: 24 * time.Hour, ByUrgency: map[int]time.Duration{5: time.Hour}},
		Dinas: DinasSLA{
			ByUrgency: map[int]time.Duration{
				5: 24 * time.Hour, 4: 7 * 24 * time.Hour, 3: 14 * 24 * time.Hour,
				2: 30 * 24 * time.Hour, 1: 30 * 24 * time.Hour,
			},
			Calendar: CalendarHours,
		},
		Citizen:          CitizenSLA{Reminder: 48 * time.Hour, AutoClose: 7 * 24 * time.Hour},
		EscalationLevels: 2,
	}
}

// ModeratorSLAFor is how long a moderator has to verify a ticket of this
// urgency: the by-urgency override, else the default.
func (p SLAPolicy) ModeratorSLAFor(urgency int) time.Duration {
	if d, ok := p.Moderator.ByUrgency[urgency]; ok && d > 0 {
		return d
	}
	if p.Moderator.Default > 0 {
		return p.Moderator.Default
	}
	return DefaultSLAPolicy().Moderator.Default
}

// DinasSLAFor is how long a unit has for a task of this urgency. An urgency
// the table lacks takes the entry of the nearest lower urgency (so a table
// that lists only 5, 4 and 3 covers 1 and 2 with 3's value), then the
// default table's.
func (p SLAPolicy) DinasSLAFor(urgency int) time.Duration {
	for u := urgency; u >= 1; u-- {
		if d, ok := p.Dinas.ByUrgency[u]; ok && d > 0 {
			return d
		}
	}
	def := DefaultSLAPolicy().Dinas.ByUrgency
	if d, ok := def[urgency]; ok {
		return d
	}
	return def[1]
}

// Escalations is how many breach levels the policy escalates through (the
// first at the SLA, the next at twice the SLA, …); at least 1.
func (p SLAPolicy) Escalations() int {
	if p.EscalationLevels > 0 {
		return p.EscalationLevels
	}
	return DefaultSLAPolicy().EscalationLevels
}

// ModeratorDue is when a ticket of this urgency received at from must be
// verified. Moderator SLAs are short and count wall-clock hours.
func ModeratorDue(policy SLAPolicy, urgency int, from time.Time) time.Time {
	return from.Add(policy.ModeratorSLAFor(urgency))
}

// DinasDue is when a task of this urgency assigned at from must be done,
// counted in the policy's calendar and zone.
func DinasDue(policy SLAPolicy, urgency int, from time.Time) time.Time {
	return policy.Zone.AddWorkingTime(from, policy.DinasSLAFor(urgency), policy.Dinas.Calendar)
}

// AddWorkingTime returns start + d counted in calendar cal with the latest
// holiday list (AddWorkingTimeWith).
func (z Zone) AddWorkingTime(start time.Time, d time.Duration, cal string) time.Time {
	return z.AddWorkingTimeWith(HolidaysLatest, start, d, cal)
}

// AddWorkingTimeWith returns start + d counted in calendar cal. With
// CalendarWorkingDays only the time of working days (Monday–Friday that are
// not national holidays or cuti bersama in list, in the zone) counts, each
// 24 hours of d being one working day: one working day from Friday 15:00 is
// Monday 15:00. Any other calendar, including CalendarHours and "", is
// wall-clock time. The result is in start's location. Workflows name the
// list their case counts with, so that a corrected list does not change
// the deadlines of running cases or the replay of their histories.
func (z Zone) AddWorkingTimeWith(list HolidayList, start time.Time, d time.Duration, cal string) time.Time {
	if cal != CalendarWorkingDays || d <= 0 {
		return start.Add(d)
	}
	t := z.In(start)
	remaining := d
	for {
		y, m, day := t.Date()
		next := time.Date(y, m, day+1, 0, 0, 0, 0, z.Location())
		if z.isWorkingDay(list, t) {
			left := next.Sub(t)
			if remaining <= left {
				return t.Add(remaining).In(start.Location())
			}
			remaining -= left
		}
		t = next
	}
}

// IsWorkingDay reports whether t's date in the zone is a working day for
// government offices: Monday–Friday and not a holiday (latest list).
func (z Zone) IsWorkingDay(t time.Time) bool { return z.isWorkingDay(HolidaysLatest, t) }

func (z Zone) isWorkingDay(list HolidayList, t time.Time) bool {
	t = z.In(t)
	if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	_, holiday := list.dates()[t.Format(time.DateOnly)]
	return !holiday
}

// Holiday returns the name of the national holiday or cuti bersama on t's
// date in the zone (latest list): the dates are national, the days begin
// at the kelurahan's midnight.
func (z Zone) Holiday(t time.Time) (string, bool) {
	name, ok := HolidaysLatest.dates()[z.In(t).Format(time.DateOnly)]
	return name, ok
}

// HolidayList names one version of the holiday list. A version is never
// edited once released, because running cases count their working-day
// deadlines with it and their histories replay with it: a correction (the
// SKB's 2027 dates replacing the estimate, a new year) is a new version,
// added to holidayLists and made HolidaysLatest. Tickets received after
// that count with it; running tickets keep theirs (the workflow records
// its version with workflow.GetVersion).
type HolidayList int

const (
	// HolidaysV1 is 2026 per its SKB and 2027 estimated (holidaysV1).
	HolidaysV1 HolidayList = 1
	// HolidaysLatest is the version new cases count with.
	HolidaysLatest = HolidaysV1
)

// holidayLists holds every released version; append only.
var holidayLists = map[HolidayList]map[string]string{
	HolidaysV1: holidaysV1,
}

// dates is the list of this version; an unknown version (a state written
// before lists had versions) is the first list, which such cases used.
func (l HolidayList) dates() map[string]string {
	if d, ok := holidayLists[l]; ok {
		return d
	}
	return holidaysV1
}

// HolidayCalendarCovers reports whether the holiday list below knows year,
// so the worker can warn at startup before working-day SLAs silently count
// holidays as working days.
func HolidayCalendarCovers(year int) bool {
	_, ok := holidayYears[year]
	return ok
}

var holidayYears = map[int]bool{2026: true, 2027: true}

// holidaysV1 are Indonesia's national holidays (libur nasional) and
// collective leave days (cuti bersama) as set each year by the SKB 3
// Menteri. A new list MUST be released every year when the SKB for the next
// year is published (usually in September or October), and holidayYears
// updated with it: copy this one into holidaysV2 with the changes, add it
// to holidayLists and make it HolidaysLatest. Do not edit this one
// (TestHolidayListV1IsUnchanged).
//
// 2026 follows the SKB for 2026. 2027 is an ESTIMATE from the astronomical
// and lunar calendars, written before its SKB existed: the next version
// replaces it with the SKB's dates, which may move the Islamic holidays by
// a day and will add cuti bersama not listed here.
var holidaysV1 = map[string]string{
	// 2026
	"2026-01-01": "Tahun Baru 2026 Masehi",
	"2026-01-16": "Isra Mikraj Nabi Muhammad SAW",
	"2026-02-16": "Cuti bersama Tahun Baru Imlek",
	"2026-02-17": "Tahun Baru Imlek 2577 Kongzili",
	"2026-03-18": "Cuti bersama Hari Suci Nyepi",
	"2026-03-19": "Hari Suci Nyepi Tahun Baru Saka 1948",
	"2026-03-20": "Cuti bersama Idulfitri 1447 H",
	"2026-03-21": "Idulfitri 1447 H",
	"2026-03-22": "Idulfitri 1447 H",
	"2026-03-23": "Cuti bersama Idulfitri 1447 H",
	"2026-03-24": "Cuti bersama Idulfitri 1447 H",
	"2026-04-03": "Wafat Yesus Kristus",
	"2026-04-05": "Kebangkitan Yesus Kristus (Paskah)",
	"2026-05-01": "Hari Buruh Internasional",
	"2026-05-14": "Kenaikan Yesus Kristus",
	"2026-05-15": "Cuti bersama Kenaikan Yesus Kristus",
	"2026-05-27": "Iduladha 1447 H",
	"2026-05-28": "Cuti bersama Iduladha 1447 H",
	"2026-05-31": "Hari Raya Waisak 2570 BE",
	"2026-06-01": "Hari Lahir Pancasila",
	"2026-06-16": "1 Muharam Tahun Baru Islam 1448 H",
	"2026-08-17": "Proklamasi Kemerdekaan",
	"2026-08-25": "Maulid Nabi Muhammad SAW",
	"2026-12-24": "Cuti bersama Kelahiran Yesus Kristus",
	"2026-12-25": "Kelahiran Yesus Kristus",

	// 2027 (estimate, see above)
	"2027-01-01": "Tahun Baru 2027 Masehi",
	"2027-01-05": "Isra Mikraj Nabi Muhammad SAW (perkiraan)",
	"2027-02-06": "Tahun Baru Imlek 2578 Kongzili",
	"2027-03-09": "Hari Suci Nyepi Tahun Baru Saka 1949 (perkiraan)",
	"2027-03-10": "Idulfitri 1448 H (perkiraan)",
	"2027-03-11": "Idulfitri 1448 H (perkiraan)",
	"2027-03-12": "Cuti bersama Idulfitri 1448 H (perkiraan)",
	"2027-03-26": "Wafat Yesus Kristus",
	"2027-03-28": "Kebangkitan Yesus Kristus (Paskah)",
	"2027-05-01": "Hari Buruh Internasional",
	"2027-05-06": "Kenaikan Yesus Kristus",
	"2027-05-16": "Iduladha 1448 H (perkiraan)",
	"2027-05-20": "Hari Raya Waisak 2571 BE (perkiraan)",
	"2027-06-01": "Hari Lahir Pancasila",
	"2027-06-06": "1 Muharam Tahun Baru Islam 1449 H (perkiraan)",
	"2027-08-15": "Maulid Nabi Muhammad SAW (perkiraan)",
	"2027-08-17": "Proklamasi Kemerdekaan",
	"2027-12-24": "Cuti bersama Kelahiran Yesus Kristus (perkiraan)",
	"2027-12-25": "Kelahiran Yesus Kristus",
}

// ReminderAfter is how long the close-the-loop question waits before the
// reminder.
func (p SLAPolicy) ReminderAfter() time.Duration {
	if p.Citizen.Reminder > 0 {
		return p.Citizen.Reminder
	}
	return DefaultSLAPolicy().Citizen.Reminder
}

// AutoCloseAfter is how long the close-the-loop question waits, counted
// from the question, before the ticket closes without an answer.
func (p SLAPolicy) AutoCloseAfter() time.Duration {
	if p.Citizen.AutoClose > 0 {
		return p.Citizen.AutoClose
	}
	return DefaultSLAPolicy().Citizen.AutoClose
}
