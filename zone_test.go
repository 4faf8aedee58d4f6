package hailurah_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
)

func mustZone(t *testing.T, name string) hailurah.Zone {
	t.Helper()
	z, err := hailurah.LoadZone(name)
	if err != nil {
		t.Fatal(err)
	}
	return z
}

func TestLoadZone(t *testing.T) {
	// 27 November 2026 02:15 UTC; no zone below has daylight saving then
	// except the northern ones, which are on winter time.
	at := time.Date(2026, 11, 27, 2, 15, 0, 0, time.UTC)
	tests := []struct {
		name     string
		wantName string
		abbrev   string
		clock    string // at on the zone's clock
	}{
		{"", "Asia/Jakarta", "WIB", "09:15"},
		{"Asia/Jakarta", "Asia/Jakarta", "WIB", "09:15"},
		{"Asia/Pontianak", "Asia/Pontianak", "WIB", "09:15"},
		{"Asia/Makassar", "Asia/Makassar", "WITA", "10:15"},
		{"Asia/Jayapura", "Asia/Jayapura", "WIT", "11:15"},
		{"UTC", "UTC", "UTC", "02:15"},
		{"Europe/Amsterdam", "Europe/Amsterdam", "CET", "03:15"},
	}
	for _, tt := range tests {
		z := mustZone(t, tt.name)
		if z.Name() != tt.wantName || z.String() != tt.wantName {
			t.Errorf("LoadZone(%q).Name() = %q, want %q", tt.name, z.Name(), tt.wantName)
		}
		if got := z.Abbrev(at); got != tt.abbrev {
			t.Errorf("%s: Abbrev = %q, want %q", tt.wantName, got, tt.abbrev)
		}
		if got := z.In(at).Format("15:04"); got != tt.clock {
			t.Errorf("%s: clock %s, want %s", tt.wantName, got, tt.clock)
		}
	}
	for _, bad := range []string{"Local", "Mars/Olympus", "WITA", "+08:00"} {
		if _, err := hailurah.LoadZone(bad); hailurah.ErrorCode(err) != hailurah.EINVALID {
			t.Errorf("LoadZone(%q) = %v, want EINVALID", bad, err)
		}
	}
}

// TestZeroZoneIsJakarta: Asia/Jakarta stays the default, for deployments
// without HAILURAH_TZ and for workflows started before it was read.
func TestZeroZoneIsJakarta(t *testing.T) {
	var z hailurah.Zone
	at := time.Date(2026, 8, 3, 17, 5, 0, 0, time.UTC)
	if !z.IsZero() || z.Name() != hailurah.DefaultZoneName || hailurah.DefaultZoneName != "Asia/Jakarta" {
		t.Fatalf("zero zone: %q", z.Name())
	}
	if got := z.In(at).Format("2006-01-02 15:04 MST"); got != "2026-08-04 00:05 WIB" {
		t.Errorf("zero zone clock: %s", got)
	}
	if loaded := mustZone(t, "Asia/Jakarta"); loaded.IsZero() || loaded.In(at) != z.In(at) {
		t.Error("Asia/Jakarta loaded by name must be the same clock as the zero Zone")
	}
}

func TestZoneDays(t *testing.T) {
	wita := mustZone(t, "Asia/Makassar")
	// 23:30 WIB on 3 July 2026 is already 00:30 WITA on the 4th.
	at := time.Date(2026, 7, 3, 16, 30, 0, 0, time.UTC)
	if got, want := wita.StartOfDay(at), time.Date(2026, 7, 3, 16, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("WITA StartOfDay = %v, want %v", got, want)
	}
	if got, want := jakarta.StartOfDay(at), time.Date(2026, 7, 2, 17, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("WIB StartOfDay = %v, want %v", got, want)
	}
	d, err := wita.ParseDate("2026-07-04")
	if err != nil || !d.Equal(time.Date(2026, 7, 3, 16, 0, 0, 0, time.UTC)) {
		t.Errorf("WITA ParseDate = %v, %v", d, err)
	}
	if _, err := wita.ParseDate("4/7/2026"); err == nil {
		t.Error("ParseDate takes YYYY-MM-DD only")
	}
}

// TestWITAWorkingDays: a kelurahan in Makassar's zone counts working days
// from its own midnight.
func TestWITAWorkingDays(t *testing.T) {
	wita := mustZone(t, "Asia/Makassar")
	witaAt := func(y int, m time.Month, d, hh, mm int) time.Time {
		return time.Date(y, m, d, hh, mm, 0, 0, wita.Location())
	}
	day := 24 * time.Hour
	tests := []struct {
		name  string
		start time.Time
		d     time.Duration
		want  time.Time
	}{
		{"friday afternoon plus one working day is monday", witaAt(2026, 7, 3, 15, 0), day, witaAt(2026, 7, 6, 15, 0)},
		// Friday 23:30 WIB is Saturday 00:30 WITA: nothing of Friday is
		// left to count, the hour starts on Monday at 00:00 WITA.
		{"saturday in WITA while still friday in WIB", time.Date(2026, 7, 3, 16, 30, 0, 0, time.UTC), time.Hour, witaAt(2026, 7, 6, 1, 0)},
	}
	for _, tt := range tests {
		if got := wita.AddWorkingTime(tt.start, tt.d, hailurah.CalendarWorkingDays); !got.Equal(tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, wita.In(got), tt.want)
		}
	}
	// The same instant in Jakarta still has half an hour of Friday.
	if got, want := jakarta.AddWorkingTime(time.Date(2026, 7, 3, 16, 30, 0, 0, time.UTC), time.Hour, hailurah.CalendarWorkingDays),
		at(2026, 7, 6, 0, 30); !got.Equal(want) {
		t.Errorf("WIB: %v, want %v", got, want)
	}

	// 23:30 WIB on 17 August (Proklamasi) is 00:30 WITA on the 18th, a
	// working day in Makassar.
	late := time.Date(2026, 8, 17, 16, 30, 0, 0, time.UTC)
	if jakarta.IsWorkingDay(late) || !wita.IsWorkingDay(late) {
		t.Errorf("17 Aug 23:30 WIB: working in WIB %v (want false), in WITA %v (want true)", jakarta.IsWorkingDay(late), wita.IsWorkingDay(late))
	}
	if name, ok := wita.Holiday(late.Add(-time.Hour)); !ok || name != "Proklamasi Kemerdekaan" {
		t.Errorf("WITA holiday at 23:30 WITA on the 17th: %q, %v", name, ok)
	}

	// DinasDue counts in the policy's zone.
	p := hailurah.DefaultSLAPolicy()
	p.Dinas.Calendar = hailurah.CalendarWorkingDays
	p.Zone = wita
	if got, want := hailurah.DinasDue(p, 5, witaAt(2026, 7, 3, 15, 0)), witaAt(2026, 7, 6, 15, 0); !got.Equal(want) {
		t.Errorf("DinasDue in WITA: %v, want %v", got, want)
	}
}

// TestZoneTravelsAsItsName: a zone in a workflow input is written as its
// name, left out when it is the default, and an input without one (every
// history recorded before) reads as Asia/Jakarta.
func TestZoneTravelsAsItsName(t *testing.T) {
	type input struct {
		Policy hailurah.SLAPolicy `json:"policy"`
	}
	var in input
	in.Policy.Zone = mustZone(t, "Asia/Makassar")
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var back input
	if err := json.Unmarshal(b, &back); err != nil || back.Policy.Zone.Name() != "Asia/Makassar" || back.Policy.Zone.Abbrev(time.Now()) != "WITA" {
		t.Fatalf("round trip of %s: %q, %v", b, back.Policy.Zone.Name(), err)
	}

	b, err = json.Marshal(input{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "time_zone") {
		t.Errorf("the default zone must be left out: %s", b)
	}
	var old input
	if err := json.Unmarshal([]byte(`{"policy":{"escalation_levels":2}}`), &old); err != nil || !old.Policy.Zone.IsZero() || old.Policy.Zone.Name() != "Asia/Jakarta" {
		t.Fatalf("old input: %q, %v", old.Policy.Zone.Name(), err)
	}
	if err := json.Unmarshal([]byte(`{"policy":{"time_zone":"Mars/Olympus"}}`), &old); err == nil {
		t.Error("an unknown zone name must not decode")
	}
}
