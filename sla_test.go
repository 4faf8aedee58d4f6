package hailurah_test

import (
	"testing"
	"time"

	"github.com/hailurah/hailurah"
)

var wib = time.FixedZone("WIB", 7*60*60)

// jakarta is the zero Zone: every deployment that does not set HAILURAH_TZ,
// and every workflow started before it could be set.
var jakarta hailurah.Zone

func at(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, wib)
}

func TestAddWorkingTime(t *testing.T) {
	day := 24 * time.Hour
	tests := []struct {
		name  string
		start time.Time
		d     time.Duration
		cal   string
		want  time.Time
	}{
		{"hours calendar is wall clock", at(2026, 7, 3, 15, 0), day, hailurah.CalendarHours, at(2026, 7, 4, 15, 0)},
		{"empty calendar is wall clock", at(2026, 7, 3, 15, 0), 3 * time.Hour, "", at(2026, 7, 3, 18, 0)},
		// 2026-07-03 is a Friday with no holiday around it.
		{"friday afternoon plus one working day is monday", at(2026, 7, 3, 15, 0), day, hailurah.CalendarWorkingDays, at(2026, 7, 6, 15, 0)},
		{"within the same working day", at(2026, 7, 1, 9, 0), 5 * time.Hour, hailurah.CalendarWorkingDays, at(2026, 7, 1, 14, 0)},
		{"five working days is a calendar week", at(2026, 7, 1, 9, 0), 5 * day, hailurah.CalendarWorkingDays, at(2026, 7, 8, 9, 0)},
		// A task assigned on Saturday starts counting on Monday at 00:00 and
		// one working day ends with Monday.
		{"weekend start counts from monday", at(2026, 7, 4, 10, 0), day, hailurah.CalendarWorkingDays, at(2026, 7, 7, 0, 0)},
		// Idul Fitri 1447 H: 18 (cuti Nyepi), 19 (Nyepi), 20 (cuti), 21–22
		// (Idulfitri, weekend), 23–24 (cuti) March 2026 are all off.
		{"idul fitri week is skipped", at(2026, 3, 17, 10, 0), day, hailurah.CalendarWorkingDays, at(2026, 3, 25, 10, 0)},
		{"holiday start counts from the next working day", at(2026, 3, 20, 10, 0), 2 * time.Hour, hailurah.CalendarWorkingDays, at(2026, 3, 25, 2, 0)},
		{"zero duration", at(2026, 3, 21, 10, 0), 0, hailurah.CalendarWorkingDays, at(2026, 3, 21, 10, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := jakarta.AddWorkingTime(tt.start, tt.d, tt.cal)
			if !got.Equal(tt.want) {
				t.Errorf("AddWorkingTime(%v, %v, %q) = %v, want %v", tt.start, tt.d, tt.cal, got.In(wib), tt.want)
			}
		})
	}
}

func TestAddWorkingTimeKeepsLocation(t *testing.T) {
	start := at(2026, 7, 3, 15, 0).UTC()
	got := jakarta.AddWorkingTime(start, 24*time.Hour, hailurah.CalendarWorkingDays)
	if got.Location() != time.UTC {
		t.Errorf("location = %v, want UTC", got.Location())
	}
}

func TestIsWorkingDay(t *testing.T) {
	tests := []struct {
		t    time.Time
		want bool
	}{
		{at(2026, 8, 17, 9, 0), false}, // Proklamasi, a Monday
		{at(2026, 8, 18, 9, 0), true},
		{at(2026, 8, 22, 9, 0), false}, // Saturday
		// 16 August 2026 18:00 UTC is already 17 August in WIB.
		{time.Date(2026, 8, 16, 18, 0, 0, 0, time.UTC), false},
		{at(2026, 12, 24, 9, 0), false}, // cuti bersama Natal
	}
	for _, tt := range tests {
		if got := jakarta.IsWorkingDay(tt.t); got != tt.want {
			t.Errorf("IsWorkingDay(%v) = %v, want %v", tt.t, got, tt.want)
		}
	}
}

func TestHolidayCalendarCovers(t *testing.T) {
	if !hailurah.HolidayCalendarCovers(2026) || !hailurah.HolidayCalendarCovers(2027) {
		t.Error("2026 and 2027 must be covered")
	}
	if hailurah.HolidayCalendarCovers(2028) {
		t.Error("2028 is not in the list yet; covering it must come with its dates")
	}
}

func TestModeratorDue(t *testing.T) {
	from := at(2026, 7, 3, 15, 0)
	p := hailurah.DefaultSLAPolicy()
	if got, want := hailurah.ModeratorDue(p, 3, from), from.Add(24*time.Hour); !got.Equal(want) {
		t.Errorf("urgency 3: %v, want %v", got, want)
	}
	if got, want := hailurah.ModeratorDue(p, 5, from), from.Add(time.Hour); !got.Equal(want) {
		t.Errorf("urgency 5: %v, want %v", got, want)
	}
	// A zero policy (rules.yaml without an sla: section) falls back to 24h.
	if got, want := hailurah.ModeratorDue(hailurah.SLAPolicy{}, 3, from), from.Add(24*time.Hour); !got.Equal(want) {
		t.Errorf("zero policy: %v, want %v", got, want)
	}
}

func TestDinasDue(t *testing.T) {
	from := at(2026, 7, 1, 9, 0) // Wednesday
	day := 24 * time.Hour
	p := hailurah.DefaultSLAPolicy()
	for urgency, want := range map[int]time.Duration{5: day, 4: 7 * day, 3: 14 * day, 2: 30 * day, 1: 30 * day} {
		if got := hailurah.DinasDue(p, urgency, from); !got.Equal(from.Add(want)) {
			t.Errorf("urgency %d: %v, want %v", urgency, got, from.Add(want))
		}
	}

	p.Dinas.Calendar = hailurah.CalendarWorkingDays
	if got, want := hailurah.DinasDue(p, 4, from), at(2026, 7, 10, 9, 0); !got.Equal(want) {
		t.Errorf("urgency 4 in working days: %v, want %v", got, want)
	}

	// A table without urgency 2 uses the next lower entry it has.
	sparse := hailurah.SLAPolicy{Dinas: hailurah.DinasSLA{ByUrgency: map[int]time.Duration{1: 3 * day, 5: day}}}
	if got, want := hailurah.DinasDue(sparse, 2, from), from.Add(3*day); !got.Equal(want) {
		t.Errorf("sparse table urgency 2: %v, want %v", got, want)
	}
	// Nothing at or below 3: the default table's value.
	if got, want := hailurah.DinasDue(hailurah.SLAPolicy{}, 3, from), from.Add(14*day); !got.Equal(want) {
		t.Errorf("empty table urgency 3: %v, want %v", got, want)
	}
}
