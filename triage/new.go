package triage

// New returns the classifier the configuration asks for: Gemini, with the
// rules classifier as fallback, when geminiAPIKey is set; the rules
// classifier otherwise. geminiModel "" means DefaultGeminiModel and
// geminiBaseURL "" Google's endpoint. nil r means the embedded rules.
func New(r *Rules, geminiAPIKey, geminiModel, geminiBaseURL string) (Classifier, error) {
	if r == nil {
		var err error
		if r, err = LoadRules(""); err != nil {
			return nil, err
		}
	}
	rules := NewRulesClassifier(r)
	if geminiAPIKey == "" {
		return rules, nil
	}
	return NewGeminiClassifier(GeminiConfig{
		APIKey:  geminiAPIKey,
		Model:   geminiModel,
		BaseURL: geminiBaseURL,
		Rules:   r,
	}, rules)
}

// NewTranscriber returns the Gemini transcriber with an API key, and nil
// (voice notes are kept for the staff to hear) without one.
func NewTranscriber(geminiAPIKey, geminiModel, geminiBaseURL string) (Transcriber, error) {
	if geminiAPIKey == "" {
		return nil, nil
	}
	return NewGeminiTranscriber(GeminiConfig{APIKey: geminiAPIKey, Model: geminiModel, BaseURL: geminiBaseURL})
}
