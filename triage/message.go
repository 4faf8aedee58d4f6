package triage

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// Message is a citizen message split into the fields of the HAI LURAH format:
//
//	HAI LURAH [NAMA_KELURAHAN] [NAMA_LURAH]
//	[ISI CURHAT: RT/RW, lokasi, kronologi…]
//	TEMBUSAN: YA/TIDAK
//	ANONIM: YA/TIDAK
//
// Every field is optional; free text without the greeting is all Body.
type Message struct {
	HaiLurah  bool   // the message starts with the HAI LURAH greeting
	Kelurahan string // as written; match it with MatchKelurahan
	Lurah     string // as written
	RT, RW    string // two digits ("03"), "" when not given
	Tembusan  *bool  // nil when the message does not say
	Anonim    *bool
	Body      string // the curhat without greeting header and flags
	// Problem is Body without the format's boilerplate ("aku mau curhat
	// dong", "aku warga RT…/RW…", "tolong bantu ya HAI LURAH", a closing
	// "terima kasih"): the words kategori and urgency are decided on. It is
	// Body when nothing else would be left.
	Problem string
}

// MadiunKelurahan lists the 27 kelurahan of Kota Madiun. ParseMessage uses it
// to tell where the kelurahan name ends and the lurah's name begins.
var MadiunKelurahan = []string{
	// Kecamatan Kartoharjo
	"Kartoharjo", "Kanigoro", "Kelun", "Klegen", "Oro-oro Ombo", "Pilangbango", "Rejomulyo", "Sukosari", "Tawangrejo",
	// Kecamatan Manguharjo
	"Manguharjo", "Madiun Lor", "Nambangan Kidul", "Nambangan Lor", "Ngegong", "Pangongangan", "Patihan", "Sogaten", "Winongo",
	// Kecamatan Taman
	"Taman", "Banjarejo", "Demangan", "Josenan", "Kejuron", "Kuncen", "Manisrejo", "Mojorejo", "Pandean",
}

var (
	greetingRE = regexp.MustCompile(`(?i)^\s*(?:hai|hay|hi|hallo|halo|helo)[\s,.:!]*(?:pak\s+|bu\s+|bapak\s+|ibu\s+)?lurah\b`)
	flagRE     = regexp.MustCompile(`(?i)\b(tembusan|anonim|anonym|anonymous)\s*[:=]?\s*(ya|iya|y|yes|tidak|tdk|gak|ga|nggak|enggak|no|n)\b[ \t]*[.,;]?`)
	rtrwPairRE = regexp.MustCompile(`(?i)\brt\s*[./]?\s*rw\s*[.:]?\s*0*(\d{1,3})\s*[/.-]\s*0*(\d{1,3})\b`)
	rtRE       = regexp.MustCompile(`(?i)\brt\s*[.:]?\s*0*(\d{1,3})\b`)
	rwRE       = regexp.MustCompile(`(?i)\brw\s*[.:]?\s*0*(\d{1,3})\b`)
	blankRE    = regexp.MustCompile(`\n[ \t]*\n(?:[ \t]*\n)+`)
)

// nameStopwords are words that do not occur in a lurah's name; when the
// header line has one, the rest of the line is the curhat, not a name.
var nameStopwords = map[string]bool{
	"di": true, "ke": true, "dari": true, "yang": true, "yg": true, "saya": true, "aku": true, "kami": true,
	"ada": true, "mau": true, "ingin": true, "tolong": true, "mohon": true, "sudah": true, "udah": true,
	"tidak": true, "gak": true, "ga": true, "rt": true, "rw": true, "jalan": true, "jl": true, "ini": true,
	"itu": true, "warga": true, "minta": true, "tanya": true, "izin": true, "permisi": true, "lapor": true,
	"assalamualaikum": true, "selamat": true, "pagi": true, "siang": true, "sore": true, "malam": true,
	"dan": true, "atau": true, "karena": true, "sejak": true, "tiap": true, "setiap": true, "banyak": true,
}

// ParseMessage splits a citizen message into the HAI LURAH fields. It never
// fails: what it does not recognise stays in Body.
func ParseMessage(text string) Message {
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
	var m Message

	body := text
	if loc := greetingRE.FindStringIndex(text); loc != nil {
		m.HaiLurah = true
		m.Kelurahan, m.Lurah, body = parseHeader(text[loc[1]:])
	}

	// The expressions below ignore case, so they cannot skip ahead to a
	// literal; a message without their words does not run them.
	lower := strings.ToLower(text)
	if strings.Contains(lower, "tembusan") || strings.Contains(lower, "anonim") || strings.Contains(lower, "anonym") {
		body = flagRE.ReplaceAllStringFunc(body, func(s string) string {
			sub := flagRE.FindStringSubmatch(s)
			v := yesWord(sub[2])
			if strings.EqualFold(sub[1], "tembusan") {
				m.Tembusan = &v
			} else {
				m.Anonim = &v
			}
			return ""
		})
	}

	m.RT, m.RW = findRTRW(text, strings.Contains(lower, "rt"), strings.Contains(lower, "rw"))

	body = blankRE.ReplaceAllString(body, "\n\n")
	lines := strings.Split(body, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRightFunc(l, unicode.IsSpace)
	}
	m.Body = strings.TrimSpace(strings.Join(lines, "\n"))
	m.Problem = stripBoilerplate(m.Body)
	return m
}

// boilerplate lists the seed template's fixed phrases and the greetings
// around a curhat, each behind a word it cannot match without, so a message
// without it costs no regular expression. They say nothing about the
// problem, and their words ("curhat", "tolong", "terima kasih") would
// otherwise outweigh it.
var boilerplate = []struct {
	hint, hint2 string
	re          *regexp.Regexp
}{
	{"curhat", "", regexp.MustCompile(`(?i)\b(?:aku|saya|kami|sy)\s+(?:mau|ingin|pengen|pingin|arep)\s+curhat(?:\s+(?:dong|donk|nih|ya|yah|pak|bu|sedikit|sebentar))*\b[.,!]*`)},
	{"warga", "rt", regexp.MustCompile(`(?i)\b(?:aku|saya|kami|sy)\s+(?:adalah\s+)?warga\s+(?:dari\s+)?rt\s*[.:]?\s*\d{1,3}(?:\s*[/,.-]?\s*rw\s*[.:]?\s*\d{1,3})?[.,]?`)},
	{"bantu", "tolong", regexp.MustCompile(`(?i)\btolong\s+(?:di)?bantu(?:\s+(?:ya|yah|pak|bu))*(?:\s+hai\s+lurah)?\b[.,!]*`)},
	{"hai lurah", "", regexp.MustCompile(`(?i)\bhai\s+lurah\b[.,!]*`)},
	{"assalam", "", regexp.MustCompile(`(?i)\bassalamu['’]?alaikum(?:\s+(?:wr\.?\s*wb|warahmatullahi\s+wabarakatuh))?\b[.,!]*`)},
	{"selamat", "", regexp.MustCompile(`(?i)\bselamat\s+(?:pagi|siang|sore|malam)(?:\s+(?:pak|bu|bapak|ibu))?(?:\s+lurah)?\b[.,!]*`)},
	{"mengganggu", "", regexp.MustCompile(`(?i)\bmohon\s+maaf\s+mengganggu\b[.,!]*`)},
}

var (
	// thanksTailRE is a closing thanks, from its first word to the end.
	thanksTailRE = regexp.MustCompile(`(?i)^(?:terima\s*kasih|terimakasih|makasih|matur\s+nuwun)(?:\s+(?:ya|banyak|sebelumnya|atas\s+bantuannya|pak|bu|hai\s+lurah|lurah))*[\s.,!🙏]*$`)
	spacesRE     = regexp.MustCompile(`[ \t]{2,}`)
)

// stripBoilerplate returns body without the template's phrases and a closing
// thanks, or body itself when nothing would be left (a message that is only
// thanks is about the thanks).
func stripBoilerplate(body string) string {
	lower := strings.ToLower(body)
	p := body
	for _, b := range boilerplate {
		if strings.Contains(lower, b.hint) && strings.Contains(lower, b.hint2) {
			p = b.re.ReplaceAllString(p, " ")
		}
	}
	thanks := strings.Contains(lower, "terima") || strings.Contains(lower, "makasih") || strings.Contains(lower, "matur")
	if lp := strings.ToLower(p); thanks && len(lp) == len(p) {
		j := -1
		for _, w := range []string{"terima", "makasih", "matur"} {
			j = max(j, strings.LastIndex(lp, w))
		}
		if j >= 0 && thanksTailRE.MatchString(p[j:]) {
			p = strings.TrimRight(p[:j], " \t\n,")
		}
	}
	if strings.Contains(p, "  ") {
		p = spacesRE.ReplaceAllString(p, " ")
	}
	p = strings.TrimSpace(p)
	if strings.IndexFunc(p, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) < 0 {
		return body
	}
	return p
}

// findRTRW reads the RT and RW numbers; hasRT and hasRW say whether the
// letters occur at all.
func findRTRW(text string, hasRT, hasRW bool) (rt, rw string) {
	if hasRT && hasRW {
		if sub := rtrwPairRE.FindStringSubmatch(text); sub != nil {
			return twoDigits(sub[1]), twoDigits(sub[2])
		}
	}
	if hasRT {
		if sub := rtRE.FindStringSubmatch(text); sub != nil {
			rt = twoDigits(sub[1])
		}
	}
	if hasRW {
		if sub := rwRE.FindStringSubmatch(text); sub != nil {
			rw = twoDigits(sub[1])
		}
	}
	return rt, rw
}

// parseHeader reads "<kelurahan> <lurah>" after the greeting, up to the end
// of the line or the first punctuation, and returns the rest as the body.
func parseHeader(rest string) (kelurahan, lurah, body string) {
	rest = strings.TrimLeft(rest, " \t,.:;!-")
	// "Kel." would otherwise end the header at its dot.
	marked := false
	for _, p := range []string{"kelurahan ", "kel. ", "kel.", "kel "} {
		if len(rest) > len(p) && strings.EqualFold(rest[:len(p)], p) {
			rest, marked = strings.TrimLeft(rest[len(p):], " \t"), true
			break
		}
	}
	// alone: the header is a line of its own. followed: something comes
	// after the header, so its last words can be a name and not the curhat.
	end := strings.IndexAny(rest, "\n,.:;!?")
	head, tail, alone, followed := rest, "", false, false
	if end >= 0 {
		head, tail = rest[:end], rest[end:]
		alone = rest[end] == '\n'
		followed = strings.TrimLeft(tail, ",.:;!? \t\n") != ""
	}
	// "Oro-oro Ombo" keeps its hyphen, so split on spaces only.
	words := strings.Fields(head)
	if len(words) == 0 {
		return "", "", strings.TrimLeft(tail, ",.:;!? \t")
	}
	n := 0
	for k := min(3, len(words)); k >= 1; k-- {
		if _, ok := MatchKelurahan(strings.Join(words[:k], " "), MadiunKelurahan); ok {
			n = k
			break
		}
	}
	if n == 0 {
		// An unknown name is taken only when the header is a line of its own
		// or is marked "Kel."; otherwise the greeting ran into the curhat.
		if !alone && !marked || nameStopwords[strings.ToLower(words[0])] {
			return "", "", strings.TrimSpace(rest)
		}
		n = 1
	}
	kelurahan = strings.Join(words[:n], " ")
	name := words[n:]
	if !followed || !plausibleName(name) {
		return kelurahan, "", strings.TrimSpace(strings.Join(name, " ") + tail)
	}
	return kelurahan, strings.Join(name, " "), strings.TrimLeft(tail, ",.:;!? \t")
}

func plausibleName(words []string) bool {
	if len(words) > 5 {
		return false
	}
	for _, w := range words {
		if nameStopwords[strings.ToLower(w)] {
			return false
		}
		for _, r := range w {
			if unicode.IsDigit(r) {
				return false
			}
		}
	}
	return true
}

func yesWord(w string) bool {
	switch strings.ToLower(w) {
	case "ya", "iya", "y", "yes":
		return true
	}
	return false
}

func twoDigits(s string) string {
	n, err := strconv.Atoi(s)
	if err != nil || n == 0 {
		return ""
	}
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// MatchKelurahan finds the name a citizen meant among names, tolerating case,
// spacing, punctuation, a "Kel."/"Kelurahan" prefix and small typos ("tamn"
// is Taman). It reports ok=false when nothing is close enough or two names
// are equally close ("Nambangan" alone could be Lor or Kidul).
func MatchKelurahan(written string, names []string) (index int, ok bool) {
	w := normName(written)
	if w == "" {
		return -1, false
	}
	best, bestDist, tie := -1, 1<<30, false
	for i, name := range names {
		n := normName(name)
		if n == "" {
			continue
		}
		if n == w {
			return i, true
		}
		d := editDistance(w, n)
		if d > allowedTypos(n) {
			continue
		}
		switch {
		case d < bestDist:
			best, bestDist, tie = i, d, false
		case d == bestDist && normName(names[best]) != n:
			tie = true
		}
	}
	if best < 0 || tie {
		return -1, false
	}
	return best, true
}

func allowedTypos(name string) int {
	switch n := len([]rune(name)); {
	case n < 4:
		return 0
	case n < 9:
		return 1
	default:
		return 2
	}
}

func normName(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, p := range []string{"kelurahan ", "kel. ", "kel.", "kel "} {
		if r, ok := strings.CutPrefix(s, p); ok {
			s = r
			break
		}
	}
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// editDistance is the optimal-string-alignment distance: insertions,
// deletions, substitutions and swaps of neighbouring letters each count one.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
