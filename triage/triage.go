// Package triage understands a citizen's curhat: kategori, urgency, summary,
// solutions A/B/C and the fields of the HAI LURAH format. The rules
// classifier works offline; the Gemini classifier falls back to it.
package triage

import "context"

// Solutions are the seed's three alternatives, each one or two concrete steps.
type Solutions struct {
	A string `json:"a"` // sederhana, 1–7 hari
	B string `json:"b"` // menengah, 7–30 hari
	C string `json:"c"` // high-impact, 1–12 bulan
}

// Triage is what a classifier makes of one message.
type Triage struct {
	Kategori       string    `json:"kategori"` // one of hailurah.Kategoris
	Subkategori    string    `json:"subkategori"`
	Urgency        int       `json:"urgency"`  // 1–5
	Severity       string    `json:"severity"` // Low/Medium/High/Critical
	Summary        string    `json:"summary"`
	Diagnosis      string    `json:"diagnosis"`
	Solutions      Solutions `json:"solutions"`
	Steps          []string  `json:"steps"` // three concrete first steps
	Unit           string    `json:"unit"`  // suggested dinas unit code, from rules.yaml; "" = the kelurahan handles it
	PeopleAffected int       `json:"people_affected,omitempty"`
	Sentiment      float64   `json:"sentiment"` // -1 (very negative) … 1
	Escalate       bool      `json:"escalate"`
	// CriticalKeywords lists the critical keywords found, when any, and the
	// reasons of the safety floor ("orang hilang: anak + belum pulang").
	CriticalKeywords []string `json:"critical_keywords,omitempty"`
	// Safety names the dangers to life the safety floor found; each raised
	// the urgency to its floor and escalated the ticket.
	Safety []string `json:"safety,omitempty"`
	// SuggestedResponse is the seed's suggested_response_type: "A", "B" or "C".
	SuggestedResponse string `json:"suggested_response_type,omitempty"`
	ModelVersion      string `json:"model_version"` // "rules-v1", "gemini-2.5-flash"
	// ClassifierVersion names every part that decided: the model or rules,
	// the statistical model and the safety floor ("rules-v1+nb-1a2b3c4d+floor-v1").
	ClassifierVersion string `json:"classifier_version,omitempty"`
	// Fallback says why the rules classifier answered instead of Gemini
	// ("timeout", "rate_limited", "invalid_output"…); empty when Gemini did.
	Fallback string `json:"fallback,omitempty"`

	// Fields of the HAI LURAH format, when the message has them.
	Kelurahan string `json:"kelurahan,omitempty"` // as written; matched to a code by the caller
	Lurah     string `json:"lurah,omitempty"`
	RT        string `json:"rt,omitempty"` // two digits, "03"
	RW        string `json:"rw,omitempty"`
	Tembusan  *bool  `json:"tembusan,omitempty"` // nil when the message does not say
	Anonim    *bool  `json:"anonim,omitempty"`
}

// Classifier turns a citizen message into a Triage. Implementations are safe
// for concurrent use and never return a Triage with an unknown kategori or
// an urgency outside 1–5.
type Classifier interface {
	Classify(ctx context.Context, text string) (*Triage, error)
}
