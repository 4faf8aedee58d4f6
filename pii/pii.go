// Package pii finds the personal data citizens type into their words — a
// NIK, a phone number, an e-mail address, a bank account number — and
// masks it. It holds the one set of patterns: intake masks every message
// with Mask as it enters the system, so tickets, workflow histories,
// notifications, exports and logs only ever hold the masked text; the AI
// prompt, the public Open311 view and an anonymous letter use Redact,
// which leaves a typed placeholder and no digit at all.
//
// The patterns are careful about the numbers a curhat is full of: amounts
// (Rp 500.000), dates, times, RT/RW and ticket codes (HL-2026-000123) are
// not personal data; a NIK is exactly 16 digits, a phone a plausible
// Indonesian number, and a bank account needs a word that names it
// ("rek", "rekening", a bank's name).
package pii

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
)

// Kind is the sort of personal data a pattern finds.
type Kind int

const (
	KindNIK Kind = iota
	KindPhone
	KindEmail
	KindAccount
)

// Bullet replaces each hidden character of a masked value.
const Bullet = "•"

// Placeholders that Redact leaves in place of personal data.
const (
	PlaceholderNIK     = "[NIK]"
	PlaceholderPhone   = "[TELEPON]"
	PlaceholderEmail   = "[EMAIL]"
	PlaceholderAccount = "[REKENING]"
)

var placeholders = map[Kind]string{
	KindNIK: PlaceholderNIK, KindPhone: PlaceholderPhone, KindEmail: PlaceholderEmail, KindAccount: PlaceholderAccount,
}

// banks are the names a citizen writes before an account number. A bank's
// name alone introduces one only with at least 10 digits after it, a word
// like "rek" with at least 8: accounts have 10 to 16.
const banks = `BRI|BCA|BNI|BSI|BTN|BPD|BJB|BTPN|Mandiri|CIMB(?:\s+Niaga)?|Danamon|Permata|Muamalat|Mega|OCBC|Panin|Maybank|Sinarmas|` +
	`Bank\s+(?:Jatim|Jateng|Jabar|DKI|Kalbar|Sumut|Nagari|Papua|NTB|NTT|Bali|Aceh|Riau)`

// A rule finds one kind of personal data. group is the submatch holding
// the value (0: the whole match); valid, when set, rejects a match that
// only looks like one (too many digits for a phone).
type rule struct {
	kind  Kind
	re    *regexp.Regexp
	group int
	valid func(digits string) bool
}

// rules run in this order: an e-mail's digits are not a phone's, a
// number after "rek" is an account even when it has 16 digits, and a
// NIK is not read as a phone number.
var rules = []rule{
	{kind: KindEmail, re: regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`)},
	// "rek BRI 1234567890", "no rekening: 0123-01-000123-50-1",
	// "norek BCA a.n. Siti 1234567890".
	{kind: KindAccount, group: 1, re: regexp.MustCompile(`(?i)\b(?:no(?:mor)?\.?\s*)?(?:rek(?:ening)?|norek|account|acc)\b\.?` +
		`(?:\s*(?:bank\s+)?(?:` + banks + `)\b)?(?:\s*a\.?\s?n\.?\s+[A-Za-z .']{1,40}?)?\s*[:.\-]?\s*` +
		`(\d(?:[ .\-]?\d){7,19})\b`)},
	// "BRI 1234567890": a bank's name needs a longer number.
	{kind: KindAccount, group: 1, re: regexp.MustCompile(`(?i)\b(?:` + banks + `)\b\s*[:.\-]?\s*(\d(?:[ .\-]?\d){9,19})\b`)},
	// A NIK (or a family card's number) is 16 digits, sometimes in groups
	// of four; 15 or 17 digits are something else.
	{kind: KindNIK, re: regexp.MustCompile(`\b\d{4}[ .\-]?\d{4}[ .\-]?\d{4}[ .\-]?\d{4}\b`)},
	// Mobile numbers 08…, 628…, +62 8…, with spaces, dots or dashes
	// between groups; landlines with an area code in brackets or 0xxx-.
	{kind: KindPhone, valid: validPhone, re: regexp.MustCompile(
		`(?:\+62|\b62|\b0)[ \-.]?8\d{1,3}(?:[ \-.]?\d{3,4}){1,3}\b|\(0\d{2,3}\)[ \-]?\d{5,8}\b|\b0\d{2,3}-\d{5,8}\b`)},
}

// masked finds what Mask left, for Redact: a NIK's 4+8+4, a phone's 4+2
// around bullets, an account's last 4, an e-mail's first letter.
var masked = []rule{
	{kind: KindEmail, re: regexp.MustCompile(`[A-Za-z0-9._%+\-]?` + Bullet + `{3}@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`)},
	{kind: KindNIK, re: regexp.MustCompile(`\b\d{4}` + Bullet + `{8}\d{4}\b`)},
	{kind: KindPhone, re: regexp.MustCompile(`\+?\b\d{4}` + Bullet + `+\d{2}\b`)},
	{kind: KindAccount, re: regexp.MustCompile(`(?:^|[^\d` + Bullet + `])(` + Bullet + `+\d{4})\b`), group: 1},
}

// validPhone accepts the digits of a plausible Indonesian number: a mobile
// 08 + 8–11 digits, a landline 0 + area code + number, 9–12 digits.
func validPhone(digits string) bool {
	if rest, ok := strings.CutPrefix(digits, "62"); ok {
		digits = "0" + rest
	}
	if strings.HasPrefix(digits, "08") {
		return len(digits) >= 10 && len(digits) <= 13
	}
	return strings.HasPrefix(digits, "0") && len(digits) >= 9 && len(digits) <= 12
}

// Mask hides the personal data in text, keeping enough to tell two apart:
// a NIK as 3577••••••••0001, a phone as 0812••••••90 (+6281•••••••90), an
// account as ••••••7890, an e-mail as b•••@gmail.com. Masking masked text
// changes nothing.
func Mask(text string) string {
	for _, r := range rules {
		text = r.replace(text, maskValue)
	}
	return text
}

// Redact replaces the personal data in text, raw or already masked, with a
// placeholder that says what it was ([NIK], [TELEPON], [EMAIL],
// [REKENING]): for text that leaves the system (an AI prompt) or is
// public.
func Redact(text string) string {
	placeholder := func(k Kind, _ string) string { return placeholders[k] }
	for _, r := range rules {
		text = r.replace(text, placeholder)
	}
	for _, r := range masked {
		text = r.replace(text, placeholder)
	}
	return text
}

// replace rewrites each match of r in text with repl's answer for the
// value (the rule's group), leaving the rest of the match as it was.
func (r rule) replace(text string, repl func(Kind, string) string) string {
	idx := r.re.FindAllStringSubmatchIndex(text, -1)
	if idx == nil {
		return text
	}
	var b strings.Builder
	last := 0
	for _, m := range idx {
		start, end := m[2*r.group], m[2*r.group+1]
		value := text[start:end]
		if r.valid != nil && !r.valid(digitsOf(value)) {
			continue
		}
		b.WriteString(text[last:start])
		b.WriteString(repl(r.kind, value))
		last = end
	}
	b.WriteString(text[last:])
	return b.String()
}

// maskValue is the partial form Mask leaves of one value.
func maskValue(k Kind, v string) string {
	if k == KindEmail {
		local, domain, _ := strings.Cut(v, "@")
		return local[:1] + strings.Repeat(Bullet, 3) + "@" + domain
	}
	d := digitsOf(v)
	head, tail := 0, 4
	switch k {
	case KindNIK:
		head = 4
	case KindPhone:
		head, tail = 4, 2
	}
	out := d[:head] + strings.Repeat(Bullet, len(d)-head-tail) + d[len(d)-tail:]
	if strings.HasPrefix(v, "+") {
		out = "+" + out
	}
	return out
}

func digitsOf(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// MaskJSON masks every string in a JSON document and drops the object keys
// drop names (at any depth; nil drops none). It reports whether anything
// changed; a document that does not decode is returned as it was.
// Numbers (coordinates, timestamps) keep their exact text.
func MaskJSON(raw []byte, drop func(key string) bool) ([]byte, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return raw, false
	}
	v, changed := maskValueJSON(v, drop)
	if !changed {
		return raw, false
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return raw, false
	}
	return bytes.TrimSpace(b.Bytes()), true
}

func maskValueJSON(v any, drop func(string) bool) (any, bool) {
	changed := false
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if drop != nil && drop(k) {
				delete(x, k)
				changed = true
				continue
			}
			if e2, c := maskValueJSON(e, drop); c {
				x[k], changed = e2, true
			}
		}
	case []any:
		for i, e := range x {
			if e2, c := maskValueJSON(e, drop); c {
				x[i], changed = e2, true
			}
		}
	case string:
		if m := Mask(x); m != x {
			return m, true
		}
	}
	return v, changed
}
