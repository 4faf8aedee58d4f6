package triage

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// role says what a phrase of rules.yaml means besides pointing at a
// subkategori. One phrase can have several roles ("sesak" is a critical cue
// and a keyword of Warga Sakit).
type role uint16

const (
	roleCritical role = 1 << iota // urgency.critical
	roleEscalate                  // escalation.critical_keywords
	roleRaise
	roleVulnerable
	roleCalm
	roleQuestion
	roleSuggestion
	roleComplaint
	rolePositive
	roleNegative
	roleUnreal   // urgency.unreal
	roleAllClear // urgency.all_clear
)

// phrase is one keyword or cue, in canonical tokens.
type phrase struct {
	text   string // as written in rules.yaml, for CriticalKeywords
	tokens []string
	roles  role
	subs   []subWeight
}

type subWeight struct {
	sub    int
	weight float64
}

type subInfo struct {
	kat  int // index in lexicon.kategoris
	code string
	rule *subkategoriRule
	unit string
}

type kategoriInfo struct {
	code string
	rule *kategoriRule
	subs []int // indexes in lexicon.subs, sorted by code
}

// lexicon is rules.yaml compiled for fast matching: every phrase is reduced
// to canonical tokens (slang resolved), indexed by its first token, and the
// vocabulary's one-letter deletions are indexed for typo tolerance.
type lexicon struct {
	slang     map[string][]string
	keep      map[string]bool
	vocab     map[string]bool
	deletes   map[string]string // deletion → vocabulary word; "" when ambiguous
	byFirst   map[string][]*phrase
	kategoris []kategoriInfo // by priority, then code
	subs      []subInfo
	lainnya   int // index of the lainnya kategori
}

func compileLexicon(f *ruleFile) *lexicon {
	lx := &lexicon{
		slang:   make(map[string][]string, len(f.Normalize.Slang)),
		keep:    make(map[string]bool, len(f.Normalize.Keep)),
		vocab:   make(map[string]bool),
		byFirst: make(map[string][]*phrase),
	}
	for w, to := range f.Normalize.Slang {
		lx.slang[tokenize(w)[0]] = tokenize(to)
	}
	for _, w := range f.Normalize.Keep {
		for _, t := range tokenize(w) {
			lx.keep[t] = true
		}
	}

	phrases := make(map[string]*phrase)
	add := func(text string) *phrase {
		var toks []string
		for _, t := range tokenize(text) {
			if to, ok := lx.slang[t]; ok {
				toks = append(toks, to...)
			} else {
				toks = append(toks, t)
			}
		}
		key := strings.Join(toks, " ")
		p, ok := phrases[key]
		if !ok {
			p = &phrase{text: text, tokens: toks}
			phrases[key] = p
		}
		return p
	}
	addRole := func(list []string, r role) {
		for _, text := range list {
			add(text).roles |= r
		}
	}
	addRole(f.Urgency.Critical, roleCritical)
	addRole(f.Escalation.CriticalKeywords, roleEscalate)
	addRole(f.Urgency.Raise, roleRaise)
	addRole(f.Urgency.Vulnerable, roleVulnerable)
	addRole(f.Urgency.Calm, roleCalm)
	addRole(f.Urgency.Question, roleQuestion)
	addRole(f.Urgency.Suggestion, roleSuggestion)
	addRole(f.Urgency.Complaint, roleComplaint)
	addRole(f.Sentiment.Positive, rolePositive)
	addRole(f.Sentiment.Negative, roleNegative)
	addRole(f.Urgency.Unreal, roleUnreal)
	addRole(f.Urgency.AllClear, roleAllClear)
	// An escalation keyword keeps the operator's spelling for reporting.
	for _, text := range f.Escalation.CriticalKeywords {
		add(text).text = text
	}

	codes := make([]string, 0, len(f.Kategori))
	for code := range f.Kategori {
		codes = append(codes, code)
	}
	sort.Slice(codes, func(i, j int) bool {
		pi, pj := f.Kategori[codes[i]].Priority, f.Kategori[codes[j]].Priority
		if pi != pj {
			return pi < pj
		}
		return codes[i] < codes[j]
	})
	for ki, code := range codes {
		k := f.Kategori[code]
		info := kategoriInfo{code: code, rule: &k}
		subCodes := make([]string, 0, len(k.Subkategori))
		for sc := range k.Subkategori {
			subCodes = append(subCodes, sc)
		}
		sort.Strings(subCodes)
		for _, sc := range subCodes {
			s := k.Subkategori[sc]
			unit := k.Unit
			if s.Unit != nil {
				unit = *s.Unit
			}
			idx := len(lx.subs)
			lx.subs = append(lx.subs, subInfo{kat: ki, code: sc, rule: &s, unit: unit})
			info.subs = append(info.subs, idx)
			for kw, w := range s.Keywords {
				if w > 0 {
					p := add(kw)
					p.subs = append(p.subs, subWeight{sub: idx, weight: w})
				}
			}
		}
		if code == "lainnya" {
			lx.lainnya = ki
		}
		lx.kategoris = append(lx.kategoris, info)
	}

	for _, p := range phrases {
		for _, t := range p.tokens {
			lx.vocab[t] = true
		}
		lx.byFirst[p.tokens[0]] = append(lx.byFirst[p.tokens[0]], p)
	}
	// Longer phrases first, so reporting prefers "gizi buruk" over "gizi".
	for _, ps := range lx.byFirst {
		sort.Slice(ps, func(i, j int) bool {
			if len(ps[i].tokens) != len(ps[j].tokens) {
				return len(ps[i].tokens) > len(ps[j].tokens)
			}
			return ps[i].text < ps[j].text
		})
	}
	lx.deletes = deletions(lx.vocab, 5)
	return lx
}

// sub returns the subkategori of a kategori by code, or nil.
func (lx *lexicon) sub(kategori, code string) *subInfo {
	for i := range lx.subs {
		s := &lx.subs[i]
		if s.code == code && lx.kategoris[s.kat].code == kategori {
			return s
		}
	}
	return nil
}

// deletions maps every ASCII word of vocab with at least minLen letters,
// one letter dropped, to the word; to "" when two words give the same.
func deletions(vocab map[string]bool, minLen int) map[string]string {
	out := make(map[string]string)
	for w := range vocab {
		if len(w) < minLen || !isASCII(w) {
			continue
		}
		for i := range len(w) {
			d := w[:i] + w[i+1:]
			if prev, ok := out[d]; ok && prev != w {
				out[d] = ""
			} else {
				out[d] = w
			}
		}
	}
	return out
}

// analysis is what the lexicon finds in one message.
type analysis struct {
	tokens []string // canonical
	raw    []string // as tokenize wrote them
	hits   []*phrase
	// negated[i] says hits[i] follows "tidak ada", "tanpa" or "bukan": "tidak
	// ada korban" is no danger cue.
	negated []bool
	// unreal[i] says an urgency.unreal phrase ends at most four words
	// before hits[i]: "simulasi kebakaran", "kalau ada kebakaran".
	unreal   []bool
	question bool // a '?' in the text
}

func (lx *lexicon) analyze(text string) analysis {
	a := analysis{question: strings.ContainsRune(text, '?')}
	raw := tokenize(text)
	a.raw = raw
	a.tokens = make([]string, 0, len(raw)+4)
	for _, t := range raw {
		a.tokens = lx.canon(a.tokens, t)
	}
	unrealEnd := -100 // token index after the last unreal phrase
	for i, t := range a.tokens {
		for _, p := range lx.byFirst[t] {
			if !hasPrefixTokens(a.tokens[i:], p.tokens) {
				continue
			}
			if p.roles&roleUnreal != 0 {
				unrealEnd = max(unrealEnd, i+len(p.tokens))
			}
			if containsPhrase(a.hits, p) {
				continue
			}
			a.hits = append(a.hits, p)
			a.negated = append(a.negated, negatedAt(a.tokens, i))
			a.unreal = append(a.unreal, unrealEnd <= i && i-unrealEnd < 4)
		}
	}
	return a
}

// negatedAt reports whether the phrase at tokens[i] is denied by the words
// before it: "tanpa korban", "tidak ada (yang) luka", "bukan kebakaran".
func negatedAt(tokens []string, i int) bool {
	if i >= 1 && (tokens[i-1] == "tanpa" || tokens[i-1] == "bukan") || i >= 2 && tokens[i-2] == "bukan" {
		return true
	}
	if i >= 1 && tokens[i-1] == "yang" {
		i--
	}
	return i >= 2 && tokens[i-1] == "ada" && (tokens[i-2] == "tidak" || tokens[i-2] == "belum")
}

func hasPrefixTokens(toks, prefix []string) bool {
	if len(toks) < len(prefix) {
		return false
	}
	for i, t := range prefix {
		if toks[i] != t {
			return false
		}
	}
	return true
}

func containsPhrase(ps []*phrase, p *phrase) bool {
	for _, q := range ps {
		if q == p {
			return true
		}
	}
	return false
}

// canon appends the canonical form of one written token: slang resolved,
// affixes stripped, a missing space restored, or a one-letter typo
// corrected — whichever first gives a word the rules know. Unknown words are
// kept as written.
func (lx *lexicon) canon(dst []string, t string) []string {
	if to, ok := lx.slang[t]; ok {
		return append(dst, to...)
	}
	if lx.vocab[t] || lx.keep[t] || len(t) < 3 {
		return append(dst, t)
	}
	// Stretched endings: "sampahnyaa", "pakk".
	if n := len(t); n >= 4 && t[n-1] == t[n-2] && isASCII(t) {
		return lx.canon(dst, t[:n-1])
	}
	for _, s := range stems(t) {
		if to, ok := lx.slang[s]; ok {
			return append(dst, to...)
		}
		if lx.vocab[s] {
			return append(dst, s)
		}
	}
	if !isASCII(t) {
		return append(dst, t)
	}
	// "jalanrusak", "gotmampet": two known words written without a space.
	if len(t) >= 6 {
		for i := 3; i <= len(t)-3; i++ {
			l, r := lx.known(t[:i]), lx.known(t[i:])
			if l != nil && r != nil {
				return append(append(dst, l...), r...)
			}
		}
	}
	if w := lx.typo(t); w != "" {
		if to, ok := lx.slang[w]; ok {
			return append(dst, to...)
		}
		return append(dst, w)
	}
	return append(dst, t)
}

func (lx *lexicon) known(t string) []string {
	if to, ok := lx.slang[t]; ok {
		return to
	}
	if lx.vocab[t] {
		return []string{t}
	}
	return nil
}

// typo corrects one missing letter ("lmpu"), one extra letter ("sampahh",
// "rusaak") or two swapped letters ("smapah"). Substitutions are not
// corrected: too many real words are one letter apart. Short words are
// corrected only for a dropped vowel, the way people abbreviate ("lmpu"),
// so that "saja" does not become "sajam".
func (lx *lexicon) typo(t string) string {
	if len(t) >= 4 {
		if w := lx.deletes[t]; w != "" && (len(t) >= 7 || isVowel(missingLetter(t, w))) {
			return w
		}
	}
	if len(t) < 6 {
		return ""
	}
	found := ""
	for i := range len(t) {
		d := t[:i] + t[i+1:]
		if lx.vocab[d] || lx.slang[d] != nil {
			if found != "" && found != d {
				return ""
			}
			found = d
		}
	}
	if found != "" {
		return found
	}
	b := []byte(t)
	for i := 0; i+1 < len(b); i++ {
		if b[i] == b[i+1] {
			continue
		}
		b[i], b[i+1] = b[i+1], b[i]
		if s := string(b); lx.vocab[s] {
			return s
		}
		b[i], b[i+1] = b[i+1], b[i]
	}
	return ""
}

var (
	suffixes = []string{"nya", "kan", "an", "i", "e", "ne", "ku", "mu", "lah", "kah", "ipun", "ing"}
	prefixes = []string{"di", "ke", "ter", "ber", "se", "pe", "per", "pen", "peng", "pem", "me", "men", "meng", "mem", "ng", "nge", "ny", "pa"}
)

// stems lists the word without common Indonesian and Javanese affixes
// (kebanjiran → banjir, dalane → dalan), shortest changes first.
func stems(t string) []string {
	var out []string
	for _, s := range suffixes {
		if r, ok := strings.CutSuffix(t, s); ok && len(r) >= 3 {
			out = append(out, r)
		}
	}
	for _, p := range prefixes {
		r, ok := strings.CutPrefix(t, p)
		if !ok || len(r) < 3 {
			continue
		}
		out = append(out, r)
		for _, s := range suffixes {
			if rr, ok := strings.CutSuffix(r, s); ok && len(rr) >= 3 {
				out = append(out, rr)
			}
		}
	}
	return out
}

// tokenize lower-cases text and splits it into words the way WhatsApp
// messages need: punctuation and emoji are separators, "anak2" is "anak",
// "rt5" is "rt 5", and runs of three or more equal letters collapse
// ("pakkk" → "pak").
func tokenize(s string) []string {
	var toks []string
	var cur []rune
	flush := func() {
		if len(cur) == 0 {
			return
		}
		toks = appendWord(toks, cur)
		cur = cur[:0]
	}
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			cur = append(cur, unicode.ToLower(r))
		default:
			flush()
		}
	}
	flush()
	return toks
}

func appendWord(toks []string, w []rune) []string {
	// Reduplication written with a 2: "anak2", "surut2", "malem2".
	if n := len(w); n >= 4 && w[n-1] == '2' && unicode.IsLetter(w[n-2]) {
		w = w[:n-1]
	}
	start := 0
	for i := 1; i <= len(w); i++ {
		if i == len(w) || unicode.IsDigit(w[i]) != unicode.IsDigit(w[i-1]) {
			toks = append(toks, collapseRuns(w[start:i]))
			start = i
		}
	}
	return toks
}

func collapseRuns(w []rune) string {
	var b strings.Builder
	b.Grow(len(w))
	for i := 0; i < len(w); i++ {
		j := i
		for j+1 < len(w) && w[j+1] == w[i] {
			j++
		}
		if j-i+1 >= 3 && unicode.IsLetter(w[i]) {
			b.WriteRune(w[i])
		} else {
			for k := i; k <= j; k++ {
				b.WriteRune(w[k])
			}
		}
		i = j
	}
	return b.String()
}

// missingLetter returns the letter of w that short lacks; w is short with
// one letter inserted.
func missingLetter(short, w string) byte {
	i := 0
	for i < len(short) && short[i] == w[i] {
		i++
	}
	return w[i]
}

func isVowel(b byte) bool {
	return b == 'a' || b == 'e' || b == 'i' || b == 'o' || b == 'u'
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
