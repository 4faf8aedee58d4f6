package triage

import (
	_ "embed"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/hailurah/hailurah"
)

//go:embed rules.yaml
var embeddedRules []byte

// Rules is the effective rule set: the embedded rules.yaml with the
// operator's override merged in, validated and compiled. It is immutable and
// safe for concurrent use.
type Rules struct {
	file     ruleFile
	source   string
	override string
	lex      *lexicon
}

// ruleFile mirrors rules.yaml. Field names follow the yaml tags; the decoder
// rejects keys that have no field, naming their path.
type ruleFile struct {
	Version    string                  `yaml:"version"`
	Escalation escalationRules         `yaml:"escalation"`
	SLA        hailurah.SLAPolicy      `yaml:"sla"`
	Units      map[string]string       `yaml:"units"`
	Normalize  normalizeRules          `yaml:"normalize"`
	Urgency    urgencyRules            `yaml:"urgency"`
	Sentiment  sentimentRules          `yaml:"sentiment"`
	Kategori   map[string]kategoriRule `yaml:"kategori"`
}

type escalationRules struct {
	Threshold        int      `yaml:"threshold"`
	CriticalKeywords []string `yaml:"critical_keywords"`
}

type normalizeRules struct {
	Slang map[string]string `yaml:"slang"`
	// Keep lists frequent words that typo correction must leave alone
	// ("tahu" is not a misspelt "tahun").
	Keep []string `yaml:"keep"`
}

type urgencyRules struct {
	Critical   []string `yaml:"critical"`
	Raise      []string `yaml:"raise"`
	Vulnerable []string `yaml:"vulnerable"`
	Calm       []string `yaml:"calm"`
	Question   []string `yaml:"question"`
	Suggestion []string `yaml:"suggestion"`
	Complaint  []string `yaml:"complaint"`
	// Unreal lists words that, just before a danger cue, say it is not
	// happening now: a drill, a question about one, the past.
	Unreal []string `yaml:"unreal"`
	// AllClear, with a calm cue, says nobody was hurt.
	AllClear []string `yaml:"all_clear"`
}

type sentimentRules struct {
	Positive []string `yaml:"positive"`
	Negative []string `yaml:"negative"`
}

type kategoriRule struct {
	Name        string                     `yaml:"name"`
	Priority    int                        `yaml:"priority"`
	Unit        string                     `yaml:"unit"`
	Subkategori map[string]subkategoriRule `yaml:"subkategori"`
}

type subkategoriRule struct {
	Name    string `yaml:"name"`
	Urgency int    `yaml:"urgency"`
	// Unit overrides the kategori's unit when set; "" means the kelurahan
	// handles it without a dinas.
	Unit      *string            `yaml:"unit"`
	Draft     string             `yaml:"draft"`
	Keywords  map[string]float64 `yaml:"keywords"`
	Summary   string             `yaml:"summary"`
	Diagnosis string             `yaml:"diagnosis"`
	Solutions Solutions          `yaml:"solutions"`
	Steps     []string           `yaml:"steps"`
}

// LoadRules returns the embedded rules, with the YAML file at overridePath
// merged in map by map when overridePath is not empty. Returns EINVALID,
// naming the key path, when the override has an unknown key or a bad value.
func LoadRules(overridePath string) (*Rules, error) {
	var base yaml.Node
	if err := yaml.Unmarshal(embeddedRules, &base); err != nil {
		return nil, hailurah.Errorf(hailurah.EINTERNAL, "rules: embedded rules.yaml: %v", err)
	}
	source := string(embeddedRules)
	if overridePath != "" {
		data, err := os.ReadFile(overridePath)
		if err != nil {
			return nil, hailurah.Errorf(hailurah.EINVALID, "rules: read override %s: %v", overridePath, err)
		}
		var over yaml.Node
		if err := yaml.Unmarshal(data, &over); err != nil {
			return nil, hailurah.Errorf(hailurah.EINVALID, "rules: override %s: %v", overridePath, err)
		}
		if len(over.Content) > 0 {
			root := over.Content[0]
			if root.Kind != yaml.MappingNode {
				return nil, hailurah.Errorf(hailurah.EINVALID, "rules: override %s: top level must be a mapping of keys", overridePath)
			}
			base.Content[0] = mergeNodes(base.Content[0], root)
			var out strings.Builder
			enc := yaml.NewEncoder(&out)
			enc.SetIndent(2)
			if err := enc.Encode(&base); err != nil {
				return nil, hailurah.Errorf(hailurah.EINTERNAL, "rules: render merged rules: %v", err)
			}
			enc.Close()
			source = out.String()
		}
	}
	r := &Rules{source: source, override: overridePath}
	if err := decodeNode("", base.Content[0], &r.file); err != nil {
		return nil, hailurah.Errorf(hailurah.EINVALID, "rules: %v", err)
	}
	if err := r.file.validate(); err != nil {
		return nil, hailurah.Errorf(hailurah.EINVALID, "rules: %v", err)
	}
	r.lex = compileLexicon(&r.file)
	return r, nil
}

// mustLoadEmbeddedRules returns the embedded rules; it panics only if the
// binary was built with an invalid rules.yaml, which the tests prevent.
func mustLoadEmbeddedRules() *Rules {
	r, err := LoadRules("")
	if err != nil {
		panic(err)
	}
	return r
}

// mergeNodes merges over into base: mappings key by key, recursively;
// anything else (scalars, lists) is replaced whole.
func mergeNodes(base, over *yaml.Node) *yaml.Node {
	if base == nil || base.Kind != yaml.MappingNode || over.Kind != yaml.MappingNode {
		return over
	}
	out := *base
	out.Content = slices.Clone(base.Content)
	for i := 0; i+1 < len(over.Content); i += 2 {
		key, val := over.Content[i], over.Content[i+1]
		found := false
		for j := 0; j+1 < len(out.Content); j += 2 {
			if out.Content[j].Value == key.Value {
				out.Content[j+1] = mergeNodes(out.Content[j+1], val)
				found = true
				break
			}
		}
		if !found {
			out.Content = append(out.Content, key, val)
		}
	}
	return &out
}

// Source returns the effective rules as YAML, for the admin's read-only view.
func (r *Rules) Source() string { return r.source }

// OverridePath returns the override file merged into the embedded rules, or "".
func (r *Rules) OverridePath() string { return r.override }

// Version is the rules classifier's model_version ("rules-v1").
func (r *Rules) Version() string { return r.file.Version }

// EscalationThreshold is the urgency at or above which a ticket escalates.
func (r *Rules) EscalationThreshold() int { return r.file.Escalation.Threshold }

// SLA returns a copy of the workflow deadlines.
func (r *Rules) SLA() hailurah.SLAPolicy {
	p := r.file.SLA
	p.Moderator.ByUrgency = cloneDurations(p.Moderator.ByUrgency)
	p.Dinas.ByUrgency = cloneDurations(p.Dinas.ByUrgency)
	return p
}

// Units returns the city-wide dinas units, sorted by code.
func (r *Rules) Units() []hailurah.Unit {
	units := make([]hailurah.Unit, 0, len(r.file.Units))
	for code, name := range r.file.Units {
		units = append(units, hailurah.Unit{Code: code, Name: name})
	}
	sort.Slice(units, func(i, j int) bool { return units[i].Code < units[j].Code })
	return units
}

// UnitName returns the name of a unit code, or "" if there is none.
func (r *Rules) UnitName(code string) string { return r.file.Units[code] }

// KategoriName returns the display name of a kategori code ("Lingkungan").
func (r *Rules) KategoriName(code string) string {
	if k, ok := r.file.Kategori[code]; ok {
		return k.Name
	}
	return code
}

// Subkategoris returns the display names of a kategori's subkategori, sorted.
func (r *Rules) Subkategoris(kategori string) []string {
	var names []string
	for _, s := range r.file.Kategori[kategori].Subkategori {
		names = append(names, s.Name)
	}
	sort.Strings(names)
	return names
}

// RouteUnit returns the unit suggested for a kategori and subkategori name;
// "" means the kelurahan handles it itself.
func (r *Rules) RouteUnit(kategori, subkategori string) string {
	k, ok := r.file.Kategori[kategori]
	if !ok {
		return ""
	}
	for _, s := range k.Subkategori {
		if s.Name == subkategori && s.Unit != nil {
			return *s.Unit
		}
	}
	return k.Unit
}

func cloneDurations[M ~map[int]V, V any](m M) M {
	if m == nil {
		return nil
	}
	out := make(M, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

var unitCodeRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

func (f *ruleFile) validate() error {
	if f.Version == "" {
		return fmt.Errorf("version: must not be empty")
	}
	if t := f.Escalation.Threshold; t < 1 || t > 5 {
		return fmt.Errorf("escalation.threshold: %d is not an urgency 1–5", t)
	}
	if err := validateSLA(&f.SLA); err != nil {
		return err
	}
	if len(f.Units) == 0 {
		return fmt.Errorf("units: at least one unit is required")
	}
	// Sorted, so that an override with several mistakes always reports the
	// same one first.
	for _, code := range slices.Sorted(maps.Keys(f.Units)) {
		name := f.Units[code]
		if !unitCodeRE.MatchString(code) {
			return fmt.Errorf("units.%s: code must be lower-case letters, digits or _", code)
		}
		if name == "" {
			return fmt.Errorf("units.%s: name must not be empty", code)
		}
	}
	for _, word := range slices.Sorted(maps.Keys(f.Normalize.Slang)) {
		to := f.Normalize.Slang[word]
		if len(tokenize(word)) != 1 {
			return fmt.Errorf("normalize.slang.%s: must be a single word", word)
		}
		if len(tokenize(to)) == 0 {
			return fmt.Errorf("normalize.slang.%s: replacement must not be empty", word)
		}
	}
	lists := map[string][]string{
		"escalation.critical_keywords": f.Escalation.CriticalKeywords,
		"urgency.critical":             f.Urgency.Critical,
		"urgency.raise":                f.Urgency.Raise,
		"urgency.vulnerable":           f.Urgency.Vulnerable,
		"urgency.calm":                 f.Urgency.Calm,
		"urgency.question":             f.Urgency.Question,
		"urgency.suggestion":           f.Urgency.Suggestion,
		"urgency.complaint":            f.Urgency.Complaint,
		"urgency.unreal":               f.Urgency.Unreal,
		"urgency.all_clear":            f.Urgency.AllClear,
		"sentiment.positive":           f.Sentiment.Positive,
		"sentiment.negative":           f.Sentiment.Negative,
	}
	for _, path := range slices.Sorted(maps.Keys(lists)) {
		list := lists[path]
		for i, p := range list {
			if len(tokenize(p)) == 0 {
				return fmt.Errorf("%s[%d]: phrase %q has no words", path, i, p)
			}
		}
	}
	for _, code := range hailurah.Kategoris {
		if _, ok := f.Kategori[code]; !ok {
			return fmt.Errorf("kategori.%s: missing; every kategori code needs an entry", code)
		}
	}
	for _, code := range slices.Sorted(maps.Keys(f.Kategori)) {
		k := f.Kategori[code]
		path := "kategori." + code
		if !hailurah.ValidKategori(code) {
			return fmt.Errorf("%s: unknown kategori; use one of %v", path, hailurah.Kategoris)
		}
		if k.Name == "" {
			return fmt.Errorf("%s.name: must not be empty", path)
		}
		if err := f.checkUnit(path+".unit", k.Unit); err != nil {
			return err
		}
		if len(k.Subkategori) == 0 {
			return fmt.Errorf("%s.subkategori: at least one subkategori is required", path)
		}
		for _, sc := range slices.Sorted(maps.Keys(k.Subkategori)) {
			s := k.Subkategori[sc]
			if err := f.validateSub(path+".subkategori."+sc, &s); err != nil {
				return err
			}
		}
	}
	return nil
}

func (f *ruleFile) validateSub(path string, s *subkategoriRule) error {
	switch {
	case s.Name == "":
		return fmt.Errorf("%s.name: must not be empty", path)
	case s.Urgency < 1 || s.Urgency > 5:
		return fmt.Errorf("%s.urgency: %d is not an urgency 1–5", path, s.Urgency)
	case s.Summary == "":
		return fmt.Errorf("%s.summary: must not be empty", path)
	case s.Diagnosis == "":
		return fmt.Errorf("%s.diagnosis: must not be empty", path)
	case s.Solutions.A == "" || s.Solutions.B == "" || s.Solutions.C == "":
		return fmt.Errorf("%s.solutions: a, b and c are all required", path)
	case len(s.Steps) != 3:
		return fmt.Errorf("%s.steps: exactly three steps are required, found %d", path, len(s.Steps))
	}
	if s.Unit != nil {
		if err := f.checkUnit(path+".unit", *s.Unit); err != nil {
			return err
		}
	}
	for _, kw := range slices.Sorted(maps.Keys(s.Keywords)) {
		w := s.Keywords[kw]
		if len(tokenize(kw)) == 0 {
			return fmt.Errorf("%s.keywords: keyword %q has no words", path, kw)
		}
		if w < 0 {
			return fmt.Errorf("%s.keywords.%s: weight %v must not be negative", path, kw, w)
		}
	}
	return nil
}

func (f *ruleFile) checkUnit(path, code string) error {
	if code == "" {
		return nil
	}
	if _, ok := f.Units[code]; !ok {
		return fmt.Errorf("%s: unknown unit %q; add it under units", path, code)
	}
	return nil
}

func validateSLA(p *hailurah.SLAPolicy) error {
	if p.Moderator.Default <= 0 {
		return fmt.Errorf("sla.moderator.default: must be a positive duration")
	}
	if err := validateByUrgency("sla.moderator.by_urgency", p.Moderator.ByUrgency, false); err != nil {
		return err
	}
	if err := validateByUrgency("sla.dinas.by_urgency", p.Dinas.ByUrgency, true); err != nil {
		return err
	}
	switch p.Dinas.Calendar {
	case hailurah.CalendarHours, hailurah.CalendarWorkingDays:
	default:
		return fmt.Errorf("sla.dinas.calendar: %q must be %s or %s", p.Dinas.Calendar, hailurah.CalendarHours, hailurah.CalendarWorkingDays)
	}
	if p.Citizen.Reminder <= 0 {
		return fmt.Errorf("sla.citizen.reminder: must be a positive duration")
	}
	if p.Citizen.AutoClose <= 0 {
		return fmt.Errorf("sla.citizen.auto_close: must be a positive duration")
	}
	if p.Citizen.Reminder >= p.Citizen.AutoClose {
		return fmt.Errorf("sla.citizen.reminder: %v must be shorter than auto_close %v", p.Citizen.Reminder, p.Citizen.AutoClose)
	}
	if p.EscalationLevels < 1 {
		return fmt.Errorf("sla.escalation_levels: %d must be at least 1", p.EscalationLevels)
	}
	return nil
}

func validateByUrgency[V ~int64](path string, m map[int]V, all bool) error {
	for u, d := range m {
		if u < 1 || u > 5 {
			return fmt.Errorf("%s.%d: urgency must be 1–5", path, u)
		}
		if d <= 0 {
			return fmt.Errorf("%s.%d: must be a positive duration", path, u)
		}
	}
	if all {
		for u := 1; u <= 5; u++ {
			if _, ok := m[u]; !ok {
				return fmt.Errorf("%s: missing urgency %d", path, u)
			}
		}
	}
	return nil
}
