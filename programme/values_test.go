package programme_test

import (
	"testing"

	"github.com/hailurah/hailurah/programme"
)

func TestParseRupiah(t *testing.T) {
	good := map[string]int64{
		"1500000": 1_500_000, "1.500.000": 1_500_000, "Rp 1.500.000": 1_500_000, "Rp1.500.000": 1_500_000,
		"rp. 1.500.000": 1_500_000, "Rp 1.500.000,00": 1_500_000, "1,500,000": 1_500_000, "1,500,000.00": 1_500_000,
		"1500000,00": 1_500_000, "1500000.0": 1_500_000, "0": 0, "1.500": 1_500, "750 ribu": 750_000,
		"1,5 juta": 1_500_000, "1.5jt": 1_500_000, "3 juta": 3_000_000, "2,25 juta": 2_250_000,
		"Rp\u00a02.000.000": 2_000_000, " 12 ": 12, "1.000.000.000.000": 1_000_000_000_000,
	}
	for in, want := range good {
		got, err := programme.ParseRupiah(in)
		if err != nil || got != want {
			t.Errorf("ParseRupiah(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "Rp", "1.5", "1.500.000,50", "-200000", "(200000)", "1.50.000", "abc",
		"1 500 000", "1.000.000.000.001", "99999999999999999999", "1,2345 juta", "1e6", "0x10"} {
		if got, err := programme.ParseRupiah(in); err == nil {
			t.Errorf("ParseRupiah(%q) = %d, want an error", in, got)
		}
	}
}

func TestParseDate(t *testing.T) {
	for in, want := range map[string]string{"2026-03-01": "2026-03-01", "01/03/2026": "2026-03-01",
		"1/3/2026": "2026-03-01", "01-03-2026": "2026-03-01", " 2026-12-31 ": "2026-12-31"} {
		got, err := programme.ParseDate(in)
		if err != nil || got.Format("2006-01-02") != want || got.Location().String() != "UTC" {
			t.Errorf("ParseDate(%q) = %v, %v; want %s UTC", in, got, err, want)
		}
	}
	for _, in := range []string{"", "2026-02-30", "31/02/2026", "03/13/2026", "2026/03/01", "45352", "1999-12-31", "kemarin"} {
		if got, err := programme.ParseDate(in); err == nil {
			t.Errorf("ParseDate(%q) = %v, want an error", in, got)
		}
	}
}

func TestParseBool(t *testing.T) {
	for in, want := range map[string]bool{"YA": true, "ya": true, "TIDAK": false, "true": true, "FALSE": false, "1": true, "0": false} {
		if got, err := programme.ParseBool(in); err != nil || got != want {
			t.Errorf("ParseBool(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "mungkin", "T", "2"} {
		if _, err := programme.ParseBool(in); err == nil {
			t.Errorf("ParseBool(%q) must fail", in)
		}
	}
}

func TestParseRTRW(t *testing.T) {
	for in, want := range map[string][2]string{
		"RT03/RW02": {"03", "02"}, "rt 3 rw 2": {"03", "02"}, "RT.003/RW.002, Jl. Mawar": {"03", "02"},
		"Jl. Mawar RT 12 RW 4": {"12", "04"}, "003/002": {"03", "02"}, "RT 1 - RW 10": {"01", "10"},
		"RT:5 RW:7": {"05", "07"},
	} {
		rt, rw, err := programme.ParseRTRW(in)
		if err != nil || rt != want[0] || rw != want[1] {
			t.Errorf("ParseRTRW(%q) = %q %q %v", in, rt, rw, err)
		}
	}
	for _, in := range []string{"", "Jl. Mawar", "RT03", "RT0/RW2", "RT1234/RW1"} {
		if rt, rw, err := programme.ParseRTRW(in); err == nil {
			t.Errorf("ParseRTRW(%q) = %q %q, want an error", in, rt, rw)
		}
	}
}

func TestParseListAndJoinList(t *testing.T) {
	tests := map[string][]string{
		"a; b":                {"a", "b"},
		"a | b":               {"a", "b"},
		"a, b":                {"a", "b"},
		"['a', 'b']":          {"a", "b"},
		`["a","b"]`:           {"a", "b"},
		"A, batch 1; B":       {"A, batch 1", "B"},
		"A, batch 1;":         {"A, batch 1"},
		"":                    nil,
		" ; ; ":               nil,
		"Wirausaha dasar":     {"Wirausaha dasar"},
		"[]":                  nil,
		"Boga|Digital, WA;  ": {"Boga", "Digital, WA"},
	}
	for in, want := range tests {
		equal(t, in, programme.ParseList(in), want)
	}
	for _, items := range [][]string{{"A, batch 1"}, {"A", "B, c"}, {"A"}, nil} {
		equal(t, "round trip", programme.ParseList(programme.JoinList(items)), items)
	}
}

func TestParseVulnerability(t *testing.T) {
	got, err := programme.ParseVulnerability("Ibu Rumah Tangga; lansia; LANSIA; disabilitas")
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "groups", got, []string{"ibu_rumah_tangga", "lansia", "disabilitas_ringan"})
	if _, err := programme.ParseVulnerability("pensiunan"); err == nil {
		t.Error("an unknown group must fail")
	}
}
