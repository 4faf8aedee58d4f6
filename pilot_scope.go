package hailurah

import (
	"slices"
	"sort"
	"strings"
)

// PilotArea is one area of a pilot's scope: a whole kelurahan, one RW of
// it, or one RT of an RW. RT and RW are normalised to two digits ("03"),
// as households and tickets store them.
type PilotArea struct {
	Kelurahan string `json:"kelurahan"`
	RW        string `json:"rw,omitempty"`
	RT        string `json:"rt,omitempty"`
}

// Covers reports whether b lies inside a.
func (a PilotArea) Covers(b PilotArea) bool {
	if a.Kelurahan != b.Kelurahan {
		return false
	}
	if a.RW == "" {
		return true
	}
	if a.RW != b.RW {
		return false
	}
	return a.RT == "" || a.RT == b.RT
}

// String is the area as people write it: "taman", "taman RW02",
// "taman RT03/RW02".
func (a PilotArea) String() string {
	switch {
	case a.RW == "":
		return a.Kelurahan
	case a.RT == "":
		return a.Kelurahan + " RW" + a.RW
	}
	return a.Kelurahan + " RT" + a.RT + "/RW" + a.RW
}

// PublicLabel is the area without RT, for the public page: no granularity
// finer than RW leaves the staff pages.
func (a PilotArea) PublicLabel() string {
	if a.RW == "" {
		return a.Kelurahan
	}
	return a.Kelurahan + " RW" + a.RW
}

// ScopeCovers reports whether some area of scope covers b.
func ScopeCovers(scope []PilotArea, b PilotArea) bool {
	for _, a := range scope {
		if a.Covers(b) {
			return true
		}
	}
	return false
}

// ScopeKelurahan returns the kelurahan a scope names, sorted, once each.
func ScopeKelurahan(scope []PilotArea) []string {
	var out []string
	for _, a := range scope {
		if !containsString(out, a.Kelurahan) {
			out = append(out, a.Kelurahan)
		}
	}
	sort.Strings(out)
	return out
}

// ScopeWidens reports whether next covers some area that scope does not:
// what makes a scale decision a scale.
func ScopeWidens(scope, next []PilotArea) bool {
	for _, b := range next {
		if !ScopeCovers(scope, b) {
			return true
		}
	}
	return false
}

// NormalizeScope fills each area's kelurahan with kelurahan when empty,
// normalises RT/RW, drops areas another area covers, and sorts the rest.
// Returns EINVALID (field "scope") for an empty scope, an RT without RW, a
// malformed number or kelurahan code, or too many areas.
func NormalizeScope(scope []PilotArea, kelurahan string) ([]PilotArea, error) {
	if len(scope) == 0 {
		return nil, FieldErrorf("scope", "Cakupan pilot wajib diisi: daftar RT/RW, atau seluruh kelurahan.")
	}
	if len(scope) > MaxPilotAreas {
		return nil, FieldErrorf("scope", "Cakupan pilot paling banyak %d wilayah.", MaxPilotAreas)
	}
	areas := make([]PilotArea, 0, len(scope))
	for _, a := range scope {
		a.Kelurahan = strings.ToLower(strings.TrimSpace(a.Kelurahan))
		if a.Kelurahan == "" {
			a.Kelurahan = kelurahan
		}
		if !validCode(a.Kelurahan) {
			return nil, FieldErrorf("scope", "Kode kelurahan %q pada cakupan tidak sah.", a.Kelurahan)
		}
		var ok bool
		if a.RW, ok = normRTRW(a.RW); !ok {
			return nil, FieldErrorf("scope", "RW %q pada cakupan harus angka 1–999.", a.RW)
		}
		if a.RT, ok = normRTRW(a.RT); !ok {
			return nil, FieldErrorf("scope", "RT %q pada cakupan harus angka 1–999.", a.RT)
		}
		if a.RT != "" && a.RW == "" {
			return nil, FieldErrorf("scope", "RT %s pada cakupan harus disertai RW-nya.", a.RT)
		}
		areas = append(areas, a)
	}
	// Widest areas first, so a narrower duplicate is the one dropped.
	sort.SliceStable(areas, func(i, j int) bool { return areaDepth(areas[i]) < areaDepth(areas[j]) })
	var out []PilotArea
	for _, a := range areas {
		if !ScopeCovers(out, a) {
			out = append(out, a)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		x, y := out[i], out[j]
		if x.Kelurahan != y.Kelurahan {
			return x.Kelurahan < y.Kelurahan
		}
		if x.RW != y.RW {
			return x.RW < y.RW
		}
		return x.RT < y.RT
	})
	return out, nil
}

func areaDepth(a PilotArea) int {
	switch {
	case a.RW == "":
		return 0
	case a.RT == "":
		return 1
	}
	return 2
}

// ParseScope reads a scope as a form field holds it: areas separated by
// commas, semicolons or new lines, each "RT03/RW02", "RT 3 RW 2", "RW02",
// "semua" (the whole kelurahan), a kelurahan code alone, or a kelurahan
// code and an area ("nambangan RW01", "nambangan: RT02/RW01"). Areas
// without a kelurahan belong to kelurahan. The result is normalised.
func ParseScope(text, kelurahan string) ([]PilotArea, error) {
	var scope []PilotArea
	for _, item := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		a, err := parseArea(item, kelurahan)
		if err != nil {
			return nil, err
		}
		scope = append(scope, a)
	}
	return NormalizeScope(scope, kelurahan)
}

func parseArea(item, kelurahan string) (PilotArea, error) {
	s := strings.ToLower(item)
	a := PilotArea{Kelurahan: kelurahan}
	// A leading word that is neither RT nor RW nor "semua" names a kelurahan.
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ':' || r == '\t' })
	if len(fields) > 0 {
		first := fields[0]
		if !strings.HasPrefix(first, "rt") && !strings.HasPrefix(first, "rw") && first != "semua" && first != "*" {
			a.Kelurahan = first
			s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), first))
			s = strings.TrimSpace(strings.TrimPrefix(s, ":"))
		}
	}
	if s == "" || s == "semua" || s == "*" {
		return a, nil
	}
	rest, bad := s, false
	take := func(prefix string) (string, bool) {
		i := strings.Index(rest, prefix)
		if i < 0 {
			return "", false
		}
		j := i + len(prefix)
		for j < len(rest) && (rest[j] == ' ' || rest[j] == '.') {
			j++
		}
		k := j
		for k < len(rest) && rest[k] >= '0' && rest[k] <= '9' {
			k++
		}
		num := rest[j:k]
		rest = rest[:i] + " " + rest[k:]
		bad = bad || num == ""
		return num, num != ""
	}
	rt, hasRT := take("rt")
	rw, hasRW := take("rw")
	left := strings.Trim(rest, " /-")
	if bad || (!hasRT && !hasRW) || left != "" {
		return a, FieldErrorf("scope", "Wilayah %q tidak dikenali; tulis seperti RT03/RW02, RW02, semua, atau kode kelurahan.", item)
	}
	a.RT, a.RW = rt, rw
	return a, nil
}

// normRTRW normalises an RT or RW number to at least two digits ("3" →
// "03") as the rest of the system stores them; "" stays "".
func normRTRW(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", true
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return s, false
		}
	}
	s = strings.TrimLeft(s, "0")
	switch {
	case s == "" || len(s) > 3:
		return s, false
	case len(s) == 1:
		return "0" + s, true
	}
	return s, true
}

// ValidRTRW reports whether s is an RT or RW number as a form takes it:
// one to three digits.
func ValidRTRW(s string) bool {
	if len(s) == 0 || len(s) > 3 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// validCode reports whether s can be a kelurahan code: a lowercase slug.
func validCode(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// HasTarget reports whether the pilot's current cycle targets the KPI.
func (p *Pilot) HasTarget(kpi string) bool {
	return slices.ContainsFunc(p.Targets, func(t PilotTarget) bool { return t.KPI == kpi })
}
