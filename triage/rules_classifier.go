package triage

import (
	"context"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/hailurah/hailurah"
)

// rulesClassifier scores the message against the lexicon of rules.yaml. It
// needs no network and answers in microseconds, so it is both the offline
// classifier and the fallback when Gemini fails.
type rulesClassifier struct {
	rules *Rules
	model *Model
	// modelClass maps the lexicon's kategori index to the model's class.
	modelClass []int
}

// NewRulesClassifier returns the offline classifier; nil means the embedded
// rules. Its model_version is the rules' version ("rules-v1").
func NewRulesClassifier(r *Rules) Classifier {
	if r == nil {
		r = mustLoadEmbeddedRules()
	}
	return newRulesClassifier(r, defaultModel)
}

func newRulesClassifier(r *Rules, m *Model) *rulesClassifier {
	c := &rulesClassifier{rules: r, model: m}
	if m == nil {
		return c
	}
	for _, k := range r.lex.kategoris {
		j := slices.Index(m.Classes, k.code)
		if j < 0 {
			// A model without this kategori cannot weigh it; classify by
			// the rules alone.
			c.model = nil
			return c
		}
		c.modelClass = append(c.modelClass, j)
	}
	return c
}

// Classify never fails for a non-empty message. Returns EINVALID for an
// empty one.
func (c *rulesClassifier) Classify(_ context.Context, text string) (*Triage, error) {
	if strings.TrimSpace(text) == "" {
		return nil, hailurah.Errorf(hailurah.EINVALID, "Pesan kosong; tuliskan keluhan atau pertanyaan Anda.")
	}
	return c.classify(ParseMessage(text)), nil
}

// scores is what the lexicon found in one message.
type scores struct {
	kategori   []float64
	sub        []float64
	subReal    []float64 // sub without the words in an unreal context
	escalate   []string
	critical   bool
	calm       bool
	question   bool
	suggestion bool
	complaint  bool
	raise      int // danger and duration cues
	vulnerable int // vulnerable people
	positive   int
	negative   int
	sick       bool
	noHarm     bool     // a danger cue denied: "tidak ada korban"
	tokens     []string // canonical, for the model
	raw        []string // as tokenize wrote them, for the safety floor
}

// sickWords are tokens that mean someone is ill, for the Puskesmas step.
var sickWords = map[string]bool{"sakit": true, "demam": true, "batuk": true, "diare": true, "sesak": true, "muntah": true}

func (c *rulesClassifier) score(body string) scores {
	lx := c.rules.lex
	a := lx.analyze(body)
	s := scores{
		kategori: make([]float64, len(lx.kategoris)),
		sub:      make([]float64, len(lx.subs)),
		subReal:  make([]float64, len(lx.subs)),
		question: a.question,
		tokens:   a.tokens,
		raw:      a.raw,
	}
	for i, p := range a.hits {
		if a.negated[i] {
			// "tidak ada korban", "tanpa korban luka"
			s.noHarm = s.noHarm || p.roles&(roleRaise|roleCritical) != 0
			continue
		}
		real := !a.unreal[i] && p.roles&roleUnreal == 0
		for _, sw := range p.subs {
			s.sub[sw.sub] += sw.weight
			s.kategori[lx.subs[sw.sub].kat] += sw.weight
			if real {
				s.subReal[sw.sub] += sw.weight
			}
		}
		r := p.roles
		s.noHarm = s.noHarm || r&roleAllClear != 0
		if a.unreal[i] {
			// "simulasi kebakaran": the kebakaran still names the
			// kategori, but is no danger now.
			r &^= roleEscalate | roleCritical | roleRaise
		}
		if r&roleEscalate != 0 {
			s.escalate = append(s.escalate, p.text)
			s.critical = true
		}
		s.critical = s.critical || r&roleCritical != 0
		s.calm = s.calm || r&roleCalm != 0
		s.question = s.question || r&roleQuestion != 0
		s.suggestion = s.suggestion || r&roleSuggestion != 0
		s.complaint = s.complaint || r&roleComplaint != 0
		if r&roleRaise != 0 {
			s.raise++
		}
		if r&roleVulnerable != 0 {
			s.vulnerable++
		}
		if r&rolePositive != 0 {
			s.positive++
		}
		if r&roleNegative != 0 {
			s.negative++
		}
	}
	for i, t := range a.tokens {
		s.sick = s.sick || sickWords[t]
		// "3 bulan", "2 tahun": a problem that has lasted months.
		if (t == "bulan" || t == "tahun") && i > 0 && isNumber(a.tokens[i-1]) {
			s.raise++
		}
	}
	return s
}

func (c *rulesClassifier) classify(msg Message) *Triage {
	lx := c.rules.lex
	s := c.score(msg.Problem)

	k := lx.kategoris[c.kategori(&s)]
	sub := k.subs[0]
	for _, i := range k.subs {
		if s.sub[i] > s.sub[sub] {
			sub = i
		}
	}
	si := lx.subs[sub]

	base := si.rule.Urgency
	if s.subReal[sub] == 0 && s.sub[sub] > 0 {
		// Named only in a drill, a question about one or the past
		// ("dulu ada kasus gizi buruk"): its base urgency is not this
		// message's.
		base = min(base, 2)
	}
	urgency := c.urgency(&s, base)
	t := &Triage{
		Kategori:         k.code,
		Subkategori:      si.rule.Name,
		Urgency:          urgency,
		Severity:         SeverityFor(urgency),
		Unit:             si.unit,
		PeopleAffected:   peopleAffected(msg.Body),
		Sentiment:        sentiment(&s),
		CriticalKeywords: s.escalate,
		ModelVersion:     c.rules.file.Version,
		Kelurahan:        msg.Kelurahan,
		Lurah:            msg.Lurah,
		RT:               msg.RT,
		RW:               msg.RW,
		Tembusan:         msg.Tembusan,
		Anonim:           msg.Anonim,
	}
	t.Escalate = urgency >= c.rules.EscalationThreshold() || len(s.escalate) > 0 && !(s.calm && s.noHarm)
	t.SuggestedResponse = suggestedResponse(urgency)

	lokasi := lokasiText(msg.RT, msg.RW)
	asks := (s.question || s.suggestion) && !s.critical
	if asks && urgency <= 2 && k.code != "lainnya" {
		t.Summary = "Pertanyaan/usulan warga tentang " + strings.ToLower(si.rule.Name) + lokasi + "."
		t.Diagnosis = "Warga membutuhkan informasi atau tindak lanjut terkait " + strings.ToLower(si.rule.Name) + "; tidak ada tanda keadaan darurat."
	} else {
		t.Summary = strings.ReplaceAll(si.rule.Summary, "{lokasi}", lokasi)
		t.Diagnosis = si.rule.Diagnosis
	}
	if t.PeopleAffected > 0 && !asks {
		t.Summary = strings.TrimSuffix(t.Summary, ".") + " (sekitar " + strconv.Itoa(t.PeopleAffected) + " terdampak)."
	}
	t.Solutions = si.rule.Solutions
	t.Steps = append([]string(nil), si.rule.Steps...)
	if s.sick && urgency >= 4 && k.code != hailurah.KategoriKesehatan {
		t.Steps[2] = "Bila ada yang sakit, segera periksakan ke Puskesmas terdekat atau hubungi 112."
	}
	applySafetyFloor(t, msg, c.rules, s.raw)
	t.ClassifierVersion = c.version()
	return t
}

// kategori returns the index of the message's kategori in lx.kategoris:
// with a model, the highest sum of its log posterior and the weighted
// keyword score; without, the highest keyword score, lainnya when none. Ties
// go to the higher priority, which is the order of lx.kategoris.
func (c *rulesClassifier) kategori(s *scores) int {
	if c.model == nil {
		return c.rulesKategori(s)
	}
	var buf [16]float64
	post := buf[:len(c.model.Classes)]
	if len(c.model.Classes) > len(buf) {
		post = make([]float64, len(c.model.Classes))
	}
	if c.model.logPosterior(s.tokens, post) == 0 {
		// Not one word the model knows: its prior would decide, and a
		// prior is no reason.
		return c.rulesKategori(s)
	}
	best, bestV := 0, math.Inf(-1)
	for i, v := range s.kategori {
		if x := post[c.modelClass[i]] + c.model.RulesWeight*v; x > bestV {
			best, bestV = i, x
		}
	}
	return best
}

func (c *rulesClassifier) rulesKategori(s *scores) int {
	best, bestScore := c.rules.lex.lainnya, 0.0
	for i, v := range s.kategori {
		if v > bestScore {
			best, bestScore = i, v
		}
	}
	return best
}

// urgency applies the rules: a critical cue is 5 (4 when the danger has
// passed); a question or suggestion is 1, one more for a named problem and
// one more for a vulnerable person; otherwise the subkategori's base,
// raised by cues, and never 5 without a critical cue.
func (c *rulesClassifier) urgency(s *scores, base int) int {
	if s.critical {
		switch {
		case s.calm && s.noHarm:
			// "sudah dipadamkan, tidak ada korban": over, and nobody hurt.
			return 2
		case s.calm:
			return 4
		}
		return 5
	}
	u := base
	if s.question || s.suggestion {
		u = 1
		if s.complaint {
			u++
		}
		if s.raise > 0 {
			u++
		}
		return min(u, max(base, 1))
	}
	switch cues := s.raise + s.vulnerable; {
	case cues >= 3:
		u += 2
	case cues >= 1:
		u++
	}
	return max(1, min(u, 4))
}

func isNumber(t string) bool {
	_, err := strconv.Atoi(t)
	return err == nil
}

// SeverityFor maps an urgency to the seed's severity.
func SeverityFor(urgency int) string {
	switch {
	case urgency >= 5:
		return hailurah.SeverityCritical
	case urgency == 4:
		return hailurah.SeverityHigh
	case urgency == 3:
		return hailurah.SeverityMedium
	}
	return hailurah.SeverityLow
}

// suggestedResponse is the seed's suggested_response_type: act at once
// (A) on emergencies and small matters, go through the kelurahan (B) for
// the rest.
func suggestedResponse(urgency int) string {
	if urgency == 3 || urgency == 4 {
		return "B"
	}
	return "A"
}

func sentiment(s *scores) float64 {
	v := float64(s.positive-s.negative) / float64(s.positive+s.negative+1)
	if s.critical {
		v = min(v, -0.8)
	}
	return float64(int(v*100)) / 100
}

func lokasiText(rt, rw string) string {
	switch {
	case rt != "" && rw != "":
		return " di RT" + rt + "/RW" + rw
	case rt != "":
		return " di RT" + rt
	case rw != "":
		return " di RW" + rw
	}
	return ""
}

var peopleRE = regexp.MustCompile(`(?i)\b(\d{1,4}|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|sepuluh)\s*(warga|orang|kk|kepala keluarga|keluarga|rumah|jiwa|balita|anak|lansia|pedagang|anggota|peserta|kepala)\b`)

var numberWords = map[string]int{"dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7, "delapan": 8, "sembilan": 9, "sepuluh": 10}

// peopleAffected reads "25 warga", "3 rumah", "12 KK" — the largest count
// the message names.
func peopleAffected(text string) int {
	n := 0
	for _, m := range peopleRE.FindAllStringSubmatch(text, -1) {
		v, ok := numberWords[strings.ToLower(m[1])]
		if !ok {
			v, _ = strconv.Atoi(m[1])
		}
		n = max(n, v)
	}
	return n
}

// version names the parts that decided: "rules-v1+nb-1a2b3c4d+floor-v1".
func (c *rulesClassifier) version() string {
	v := c.rules.file.Version
	if c.model != nil {
		v += "+" + c.model.Version
	}
	return v + "+" + SafetyFloorVersion
}
