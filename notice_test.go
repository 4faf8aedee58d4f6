package hailurah_test

import (
	"testing"
	"time"

	"github.com/hailurah/hailurah"
)

func TestQuietHoursEnds(t *testing.T) {
	wib, _ := hailurah.LoadZone("Asia/Jakarta")
	wit, _ := hailurah.LoadZone("Asia/Jayapura")
	at := func(z hailurah.Zone, day, hour, minute int) time.Time {
		return time.Date(2026, 7, day, hour, minute, 0, 0, z.Location())
	}
	night := hailurah.DefaultQuietHours // 21:00–06:00
	afternoon := hailurah.QuietHours{Start: 13 * 60, End: 15 * 60}
	for _, tt := range []struct {
		name  string
		q     hailurah.QuietHours
		z     hailurah.Zone
		t     time.Time
		quiet bool
		end   time.Time
	}{
		{"evening", night, wib, at(wib, 1, 21, 0), true, at(wib, 2, 6, 0)},
		{"before midnight", night, wib, at(wib, 1, 23, 59), true, at(wib, 2, 6, 0)},
		{"after midnight", night, wib, at(wib, 2, 0, 30), true, at(wib, 2, 6, 0)},
		{"at the end", night, wib, at(wib, 2, 6, 0), false, at(wib, 2, 6, 0)},
		{"day", night, wib, at(wib, 2, 12, 0), false, at(wib, 2, 12, 0)},
		{"the zone's clock", night, wit, at(wib, 1, 20, 30), true, at(wit, 2, 6, 0)},
		{"within a day", afternoon, wib, at(wib, 1, 14, 0), true, at(wib, 1, 15, 0)},
		{"outside a day's", afternoon, wib, at(wib, 1, 22, 0), false, at(wib, 1, 22, 0)},
		{"none", hailurah.QuietHours{}, wib, at(wib, 1, 23, 0), false, at(wib, 1, 23, 0)},
	} {
		end, quiet := tt.q.Ends(tt.z, tt.t)
		if quiet != tt.quiet || !end.Equal(tt.end) {
			t.Errorf("%s: Ends(%v) = %v, %v; want %v, %v", tt.name, tt.t, end, quiet, tt.end, tt.quiet)
		}
	}
}

func TestParseQuietHours(t *testing.T) {
	for in, want := range map[string]string{"21:00-06:00": "21:00–06:00", " 22:30 – 05:00 ": "22:30–05:00", "": "tidak ada", "tidak ada": "tidak ada"} {
		q, err := hailurah.ParseQuietHours(in)
		if err != nil || q.String() != want {
			t.Errorf("ParseQuietHours(%q) = %v, %v; want %s", in, q, err, want)
		}
	}
	for _, in := range []string{"21:00", "25:00-06:00", "jam 9 malam"} {
		if _, err := hailurah.ParseQuietHours(in); hailurah.ErrorField(err) != "quiet_hours" {
			t.Errorf("ParseQuietHours(%q) error = %v, want one on quiet_hours", in, err)
		}
	}
}

func TestNormalizeStaffPhone(t *testing.T) {
	for in, want := range map[string]string{"0812-3456-7890": "+6281234567890", "6281234567890": "+6281234567890", " ": ""} {
		if got, err := hailurah.NormalizeStaffPhone(in); err != nil || got != want {
			t.Errorf("NormalizeStaffPhone(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"+16505551234", "0812", "08x"} {
		if _, err := hailurah.NormalizeStaffPhone(in); hailurah.ErrorField(err) != "phone" {
			t.Errorf("NormalizeStaffPhone(%q) error = %v, want one on phone", in, err)
		}
	}
	u := hailurah.User{Username: "x", Role: hailurah.RoleAdmin, Phone: "0812-3456-7890"}
	if err := u.Validate(); hailurah.ErrorField(err) != "phone" {
		t.Errorf("Validate of an unnormalised phone = %v", err)
	}
}

func TestUserPatchSelf(t *testing.T) {
	phone, on := "0812", true
	if err := (hailurah.UserPatch{Phone: &phone, WhatsAppNotices: &on}).Self(); err != nil {
		t.Errorf("a user may change their phone and switch: %v", err)
	}
	role := hailurah.RoleAdmin
	if err := (hailurah.UserPatch{Phone: &phone, Role: &role}).Self(); hailurah.ErrorCode(err) != hailurah.EFORBIDDEN {
		t.Errorf("a user changing their role: %v, want forbidden", err)
	}
}
