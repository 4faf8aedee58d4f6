package triage

import "regexp"

// Placeholders that replace personal data before a text leaves for an AI.
const (
	MaskPhone = "[TELEPON]"
	MaskNIK   = "[NIK]"
	MaskEmail = "[EMAIL]"
)

var (
	emailRE = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`)
	// A NIK is 16 digits, sometimes written in groups of four.
	nikRE = regexp.MustCompile(`\b\d{4}[ .\-]?\d{4}[ .\-]?\d{4}[ .\-]?\d{4}\b`)
	// Mobile numbers: 08…, 628…, +62 8…, with spaces, dots or dashes
	// between groups; landlines with an area code in brackets or 0xxx-.
	phoneRE = regexp.MustCompile(`(?:\+62|\b62|\b0)[ \-.]?8\d{1,3}(?:[ \-.]?\d{3,4}){1,3}\b|\(0\d{2,3}\)[ \-]?\d{5,8}\b|\b0\d{2,3}-\d{5,8}\b`)
)

// MaskPII replaces phone numbers, NIK (16-digit national id numbers) and
// e-mail addresses with placeholders. It runs on every text before it is
// sent to an AI service.
func MaskPII(text string) string {
	text = emailRE.ReplaceAllString(text, MaskEmail)
	text = nikRE.ReplaceAllString(text, MaskNIK)
	return phoneRE.ReplaceAllString(text, MaskPhone)
}
