package triage

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
)

func writeOverride(t *testing.T, yaml string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "override.yaml")
	if err := os.WriteFile(p, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestEmbeddedRules(t *testing.T) {
	r := testRules(t)
	if r.Version() != "rules-v1" || r.EscalationThreshold() != 4 || r.OverridePath() != "" {
		t.Errorf("version %q threshold %d override %q", r.Version(), r.EscalationThreshold(), r.OverridePath())
	}
	if r.Source() != string(embeddedRules) {
		t.Error("Source() without override must be the embedded file")
	}
	want := hailurah.SLAPolicy{
		Moderator: hailurah.ModeratorSLA{Default: 24 * time.Hour, ByUrgency: map[int]time.Duration{5: time.Hour}},
		Dinas: hailurah.DinasSLA{ByUrgency: map[int]time.Duration{
			5: 24 * time.Hour, 4: 168 * time.Hour, 3: 336 * time.Hour, 2: 720 * time.Hour, 1: 720 * time.Hour,
		}, Calendar: hailurah.CalendarHours},
		Citizen:          hailurah.CitizenSLA{Reminder: 48 * time.Hour, AutoClose: 168 * time.Hour},
		EscalationLevels: 2,
	}
	got := r.SLA()
	if !slaEqual(got, want) {
		t.Errorf("SLA = %+v, want %+v", got, want)
	}
	// SLA returns a copy: a caller cannot change the rules.
	got.Dinas.ByUrgency[5] = time.Minute
	if r.SLA().Dinas.ByUrgency[5] != 24*time.Hour {
		t.Error("SLA() shares its maps with the rules")
	}

	units := r.Units()
	var codes []string
	for _, u := range units {
		if u.Name == "" {
			t.Errorf("unit %s has no name", u.Code)
		}
		codes = append(codes, u.Code)
	}
	if !slices.IsSorted(codes) {
		t.Errorf("units not sorted: %v", codes)
	}
	for _, c := range []string{"pupr", "dlh", "dinsos", "dinkes", "disnaker", "dinkopukm", "satpolpp", "disdukcapil", "bpbd", "dishub", "disdik"} {
		if !slices.Contains(codes, c) {
			t.Errorf("unit %s missing", c)
		}
	}
	if r.RouteUnit("lingkungan", "Sampah") != "dlh" || r.RouteUnit("infrastruktur", "Air Bersih") != "pdam" || r.RouteUnit("administrasi", "Surat Pengantar") != "" {
		t.Error("unit routing wrong")
	}
	for _, k := range hailurah.Kategoris {
		if len(r.Subkategoris(k)) == 0 {
			t.Errorf("kategori %s has no subkategori", k)
		}
	}
}

func slaEqual(a, b hailurah.SLAPolicy) bool {
	return a.Moderator.Default == b.Moderator.Default && mapsEqual(a.Moderator.ByUrgency, b.Moderator.ByUrgency) &&
		mapsEqual(a.Dinas.ByUrgency, b.Dinas.ByUrgency) && a.Dinas.Calendar == b.Dinas.Calendar &&
		a.Citizen == b.Citizen && a.EscalationLevels == b.EscalationLevels
}

func mapsEqual(a, b map[int]time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestOverrideChangesOnlyItsKeys(t *testing.T) {
	base := testRules(t)
	p := writeOverride(t, "sla:\n  moderator:\n    default: 30s\n")
	r, err := LoadRules(p)
	if err != nil {
		t.Fatal(err)
	}
	if r.OverridePath() != p {
		t.Errorf("OverridePath = %q", r.OverridePath())
	}
	got, want := r.SLA(), base.SLA()
	if got.Moderator.Default != 30*time.Second {
		t.Errorf("moderator default = %v, want 30s", got.Moderator.Default)
	}
	want.Moderator.Default = 30 * time.Second
	if !slaEqual(got, want) {
		t.Errorf("override changed more than one value: %+v", got)
	}
	if r.EscalationThreshold() != base.EscalationThreshold() || len(r.Units()) != len(base.Units()) {
		t.Error("override of sla changed other sections")
	}
	if !strings.Contains(r.Source(), "30s") || !strings.Contains(r.Source(), "critical_keywords") {
		t.Error("Source() must show the merged rules")
	}
}

func TestOverrideThresholdAndLexicon(t *testing.T) {
	p := writeOverride(t, `
escalation:
  threshold: 3
units:
  dlh: Dinas Lingkungan Hidup Kota Madiun
kategori:
  lingkungan:
    subkategori:
      sampah:
        keywords:
          rongsok: 4
`)
	r, err := LoadRules(p)
	if err != nil {
		t.Fatal(err)
	}
	if r.EscalationThreshold() != 3 || r.UnitName("dlh") != "Dinas Lingkungan Hidup Kota Madiun" || r.UnitName("pupr") == "" {
		t.Errorf("threshold %d dlh %q pupr %q", r.EscalationThreshold(), r.UnitName("dlh"), r.UnitName("pupr"))
	}
	tr := NewRulesClassifier(r).(*rulesClassifier).classify(ParseMessage("rongsok numpuk di pinggir gang"))
	if tr.Kategori != "lingkungan" || tr.Subkategori != "Sampah" {
		t.Errorf("added keyword not used: %s/%s", tr.Kategori, tr.Subkategori)
	}
	if !tr.Escalate {
		t.Errorf("urgency %d with threshold 3 must escalate", tr.Urgency)
	}
	// The other keywords of the subkategori survive the merge.
	if tr := NewRulesClassifier(r).(*rulesClassifier).classify(ParseMessage("tps penuh")); tr.Subkategori != "Sampah" {
		t.Errorf("tps → %s", tr.Subkategori)
	}
}

func TestOverrideErrorsNameTheKey(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"bad duration", "sla: {moderator: {default: abc}}", `rules: sla.moderator.default: invalid duration "abc"`},
		{"unknown key", "sla: {moderatr: {default: 1h}}", "rules: sla.moderatr: unknown key"},
		{"unknown top-level key", "thresholds: 3", "rules: thresholds: unknown key"},
		{"negative duration", "sla: {dinas: {by_urgency: {3: -1h}}}", "rules: sla.dinas.by_urgency.3: must be a positive duration"},
		{"urgency key out of range", "sla: {dinas: {by_urgency: {7: 1h}}}", "rules: sla.dinas.by_urgency.7: urgency must be 1–5"},
		{"urgency key not a number", "sla: {moderator: {by_urgency: {tinggi: 1h}}}", `rules: sla.moderator.by_urgency.tinggi: invalid integer key "tinggi"`},
		{"bad calendar", "sla: {dinas: {calendar: weekdays}}", `rules: sla.dinas.calendar: "weekdays" must be hours or working_days`},
		{"reminder after auto close", "sla: {citizen: {reminder: 200h}}", "rules: sla.citizen.reminder: 200h0m0s must be shorter than auto_close"},
		{"threshold not an urgency", "escalation: {threshold: 6}", "rules: escalation.threshold: 6 is not an urgency 1–5"},
		{"threshold not a number", "escalation: {threshold: tinggi}", `rules: escalation.threshold: invalid integer value "tinggi"`},
		{"list where a map is expected", "units: [pupr, dlh]", "rules: units: expected a mapping of keys"},
		{"unknown unit in routing", "kategori: {lingkungan: {unit: dinas_sampah}}", `rules: kategori.lingkungan.unit: unknown unit "dinas_sampah"`},
		{"unknown kategori", "kategori: {banjir: {name: Banjir}}", "rules: kategori.banjir: unknown kategori"},
		{"bad subkategori urgency", "kategori: {bencana: {subkategori: {kebakaran: {urgency: 0}}}}", "rules: kategori.bencana.subkategori.kebakaran.urgency: 0 is not an urgency 1–5"},
		{"new subkategori without templates", "kategori: {ekonomi: {subkategori: {ojol: {name: Ojek Online, urgency: 2}}}}", "rules: kategori.ekonomi.subkategori.ojol.summary: must not be empty"},
		{"negative weight", "kategori: {lingkungan: {subkategori: {sampah: {keywords: {sampah: -1}}}}}", "rules: kategori.lingkungan.subkategori.sampah.keywords.sampah: weight -1 must not be negative"},
		{"top level not a map", "- sla", "top level must be a mapping"},
		{"not YAML", "sla: {moderator: [", "rules: override"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadRules(writeOverride(t, tt.yaml))
			if err == nil {
				t.Fatal("want an error")
			}
			if hailurah.ErrorCode(err) != hailurah.EINVALID {
				t.Errorf("code = %s, want %s", hailurah.ErrorCode(err), hailurah.EINVALID)
			}
			if !strings.Contains(hailurah.ErrorMessage(err), tt.want) {
				t.Errorf("error %q does not contain %q", hailurah.ErrorMessage(err), tt.want)
			}
		})
	}
}

func TestOverrideMissingFile(t *testing.T) {
	_, err := LoadRules(filepath.Join(t.TempDir(), "nope.yaml"))
	if hailurah.ErrorCode(err) != hailurah.EINVALID || !strings.Contains(hailurah.ErrorMessage(err), "nope.yaml") {
		t.Errorf("err = %v", err)
	}
}

func TestEmptyOverrideChangesNothing(t *testing.T) {
	r, err := LoadRules(writeOverride(t, "# nothing yet\n"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Source() != string(embeddedRules) {
		t.Error("an empty override changed the rules")
	}
}
