package hailurah_test

import (
	"math"
	"testing"

	"github.com/hailurah/hailurah"
)

func TestFormatRupiah(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{
		{0, "Rp 0"},
		{999, "Rp 999"},
		{1000, "Rp 1.000"},
		{1_500_000, "Rp 1.500.000"},
		{150_000_000, "Rp 150.000.000"},
		{hailurah.MaxRupiah, "Rp 1.000.000.000.000"},
		{-2500, "-Rp 2.500"},
		{math.MinInt64, "-Rp 9.223.372.036.854.775.808"},
	}
	for _, tt := range tests {
		if got := hailurah.FormatRupiah(tt.in); got != tt.want {
			t.Errorf("FormatRupiah(%d) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFormatRupiahOrDash(t *testing.T) {
	v := int64(2_000_000)
	if got := hailurah.FormatRupiahOrDash(&v); got != "Rp 2.000.000" {
		t.Errorf("FormatRupiahOrDash(2000000) = %q", got)
	}
	if got := hailurah.FormatRupiahOrDash(nil); got != "-" {
		t.Errorf("FormatRupiahOrDash(nil) = %q, want -", got)
	}
}
