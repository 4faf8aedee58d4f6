package whatsapp

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// cleanText makes user-supplied text safe to store: invalid UTF-8 becomes
// U+FFFD and control characters other than tab, newline and carriage return
// are removed (PostgreSQL rejects NUL, and the others only corrupt logs).
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	clean := true
	for _, r := range s {
		if isDropped(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isDropped(r) {
			return -1
		}
		return r
	}, s)
}

func isDropped(r rune) bool {
	return unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r'
}

// cleanLine is cleanText for one-line values (names, ids): line breaks go too.
func cleanLine(s string) string {
	s = cleanText(s)
	s = strings.NewReplacer("\r", " ", "\n", " ", "\t", " ").Replace(s)
	return strings.TrimSpace(s)
}

// truncateRunes shortens s to at most n runes.
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for pos := range s {
		if i == n {
			return s[:pos]
		}
		i++
	}
	return s
}

// quoteClip renders an untrusted value for an error message: short, quoted,
// so a hostile payload cannot flood or forge log lines.
func quoteClip(s string) string {
	const max = 40
	if utf8.RuneCountInString(s) > max {
		return truncateRunes(s, max) + "…"
	}
	return s
}

// isToken reports whether s is a plausible opaque identifier: 1..max bytes of
// printable ASCII without spaces. Provider ids end up in database keys and
// URL paths, so anything else is refused rather than escaped.
func isToken(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// isDigits reports whether s is minLen..maxLen ASCII digits.
func isDigits(s string, minLen, maxLen int) bool {
	if len(s) < minLen || len(s) > maxLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
