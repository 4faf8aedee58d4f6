package hailurah

import (
	"strconv"
	"strings"
)

// FormatRupiah writes an amount of rupiah the way Indonesians write money:
// "Rp 1.500.000", "-Rp 2.500". Every page, message and timeline note shows
// amounts through it; programme.ParseRupiah reads them back.
func FormatRupiah(v int64) string {
	s := groupThousands(v)
	if abs, neg := strings.CutPrefix(s, "-"); neg {
		return "-Rp " + abs
	}
	return "Rp " + s
}

// FormatRupiahOrDash is FormatRupiah of *v, or "-" when there is no
// amount (a check-in not recorded yet).
func FormatRupiahOrDash(v *int64) string {
	if v == nil {
		return "-"
	}
	return FormatRupiah(*v)
}

// groupThousands writes n with a dot between thousands: "12.500.000".
func groupThousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	sign := ""
	if n < 0 {
		sign, s = "-", s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "." + s[i:]
	}
	return sign + s
}
