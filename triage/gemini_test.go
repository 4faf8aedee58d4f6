package triage

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/pii"
)

const testAPIKey = "test-key-123"

// generateRequest is the part of a generateContent request body the fake
// server checks.
type generateRequest struct {
	Contents []struct {
		Role  string `json:"role"`
		Parts []struct {
			Text string `json:"text"`
		} `json:"parts"`
	} `json:"contents"`
	SystemInstruction *struct {
		Parts []struct {
			Text string `json:"text"`
		} `json:"parts"`
	} `json:"systemInstruction"`
	GenerationConfig struct {
		ResponseMIMEType string          `json:"responseMimeType"`
		ResponseSchema   json.RawMessage `json:"responseSchema"`
	} `json:"generationConfig"`
}

// fakeGemini speaks the Gemini API's REST wire format for
// POST /v1beta/models/{model}:generateContent. Each call is answered by the
// next reply; the last one repeats.
type fakeGemini struct {
	t       *testing.T
	model   string
	replies []func(w http.ResponseWriter, r *http.Request)

	mu       sync.Mutex
	requests []generateRequest
}

func newFakeGemini(t *testing.T, replies ...func(w http.ResponseWriter, r *http.Request)) (*fakeGemini, *httptest.Server) {
	f := &fakeGemini{t: t, model: DefaultGeminiModel, replies: replies}
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeGemini) serve(w http.ResponseWriter, r *http.Request) {
	wantPath := "/v1beta/models/" + f.model + ":generateContent"
	if r.Method != http.MethodPost || r.URL.Path != wantPath {
		f.t.Errorf("request %s %s, want POST %s", r.Method, r.URL.Path, wantPath)
		http.Error(w, `{"error":{"code":404,"message":"not found","status":"NOT_FOUND"}}`, http.StatusNotFound)
		return
	}
	if got := r.Header.Get("x-goog-api-key"); got != testAPIKey {
		f.t.Errorf("x-goog-api-key = %q, want %q", got, testAPIKey)
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		f.t.Errorf("read body: %v", err)
	}
	var req generateRequest
	if err := json.Unmarshal(body, &req); err != nil {
		f.t.Errorf("request body is not JSON: %v\n%s", err, body)
	}
	f.mu.Lock()
	f.requests = append(f.requests, req)
	n := len(f.requests)
	f.mu.Unlock()
	f.replies[min(n, len(f.replies))-1](w, r)
}

func (f *fakeGemini) calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.requests)
}

func (f *fakeGemini) request(i int) generateRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests[i]
}

// replyText answers 200 with the model's text in
// candidates[0].content.parts[0].text, as the API does.
func replyText(text string) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		json.NewEncoder(w).Encode(map[string]any{
			"candidates": []any{map[string]any{
				"content": map[string]any{
					"parts": []any{map[string]any{"text": text}},
					"role":  "model",
				},
				"finishReason": "STOP",
				"index":        0,
			}},
			"usageMetadata": map[string]any{"promptTokenCount": 812, "candidatesTokenCount": 301, "totalTokenCount": 1113},
			"modelVersion":  "gemini-2.5-flash",
			"responseId":    "f3Yx-test",
		})
	}
}

// replyError answers with the API's error body.
func replyError(code int, status, message string) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		w.WriteHeader(code)
		json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": code, "message": message, "status": status}})
	}
}

func goodOutput(mod func(m map[string]any)) string {
	m := map[string]any{
		"kategori":    "lingkungan",
		"subkategori": "Banjir",
		"urgency":     4,
		"severity":    "High",
		"summary":     "Banjir rutin di RT03/RW02 karena got tersumbat.",
		"diagnosis":   "Penumpukan sampah dan kapasitas drainase kecil.",
		"solutions": map[string]any{
			"a": "Kerja bakti RT besok pagi.",
			"b": "Ajukan sedot drainase ke Kelurahan.",
			"c": "Perbaikan drainase bersama CSR (3–9 bulan).",
		},
		"steps":                   []string{"Jadwalkan kerja bakti.", "Foto lokasi, kirim MINTA DRAFT SEDOT.", "Bila anak sakit, ke Puskesmas."},
		"unit":                    "dlh",
		"people_affected":         25,
		"sentiment":               -0.6,
		"suggested_response_type": "B",
	}
	if mod != nil {
		mod(m)
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func newTestGemini(t *testing.T, srv *httptest.Server, mod func(c *GeminiConfig)) Classifier {
	t.Helper()
	cfg := GeminiConfig{
		APIKey:     testAPIKey,
		BaseURL:    srv.URL,
		Timeout:    5 * time.Second,
		RetryDelay: 10 * time.Millisecond,
		Rules:      testRules(t),
		Logger:     slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if mod != nil {
		mod(&cfg)
	}
	c, err := NewGeminiClassifier(cfg, NewRulesClassifier(cfg.Rules))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

const floodMessage = "HAI LURAH Taman Irfa Darojat\nSaya warga RT03/RW02, Jalan Mawar. Sudah 3 bulan got sering tersumbat, rumah banjir tiap hujan, anak sering batuk. HP saya 0812-3456-7890, NIK 3577012345670001, email budi.santoso@gmail.com\nTEMBUSAN: TIDAK\nANONIM: YA"

func assertValidTriage(t *testing.T, tr *Triage) {
	t.Helper()
	switch {
	case tr == nil:
		t.Fatal("nil triage")
	case !hailurah.ValidKategori(tr.Kategori):
		t.Errorf("kategori %q invalid", tr.Kategori)
	case tr.Urgency < 1 || tr.Urgency > 5:
		t.Errorf("urgency %d outside 1–5", tr.Urgency)
	case !severityOK(tr.Severity):
		t.Errorf("severity %q invalid", tr.Severity)
	case tr.Summary == "" || tr.Diagnosis == "":
		t.Errorf("summary/diagnosis empty: %+v", tr)
	case tr.Solutions.A == "" || tr.Solutions.B == "" || tr.Solutions.C == "":
		t.Errorf("solutions incomplete: %+v", tr.Solutions)
	case len(tr.Steps) != 3:
		t.Errorf("steps = %d, want 3", len(tr.Steps))
	case tr.ModelVersion == "":
		t.Error("model_version empty")
	}
}

func TestGeminiGoodOutput(t *testing.T) {
	fake, srv := newFakeGemini(t, replyText(goodOutput(nil)))
	c := newTestGemini(t, srv, nil)
	tr, err := c.Classify(context.Background(), floodMessage)
	if err != nil {
		t.Fatal(err)
	}
	assertValidTriage(t, tr)
	if tr.Fallback != "" || tr.ModelVersion != "gemini-2.5-flash" {
		t.Errorf("fallback %q, model %q: want Gemini's answer", tr.Fallback, tr.ModelVersion)
	}
	if tr.Kategori != "lingkungan" || tr.Subkategori != "Banjir" || tr.Urgency != 4 || tr.Unit != "dlh" || tr.PeopleAffected != 25 {
		t.Errorf("triage = %+v", tr)
	}
	// The HAI LURAH fields come from parsing, not from the model.
	if tr.Kelurahan != "Taman" || tr.Lurah != "Irfa Darojat" || tr.RT != "03" || tr.RW != "02" {
		t.Errorf("header fields = %q %q %q %q", tr.Kelurahan, tr.Lurah, tr.RT, tr.RW)
	}
	if tr.Anonim == nil || !*tr.Anonim || tr.Tembusan == nil || *tr.Tembusan {
		t.Errorf("anonim %v tembusan %v", tr.Anonim, tr.Tembusan)
	}
	if !tr.Escalate {
		t.Error("urgency 4 must escalate")
	}

	if fake.calls() != 1 {
		t.Fatalf("calls = %d, want 1", fake.calls())
	}
	req := fake.request(0)
	if len(req.Contents) != 1 || len(req.Contents[0].Parts) != 1 {
		t.Fatalf("contents = %+v", req.Contents)
	}
	sent := req.Contents[0].Parts[0].Text
	for _, secret := range []string{"0812-3456-7890", "3577012345670001", "budi.santoso@gmail.com"} {
		if strings.Contains(sent, secret) {
			t.Errorf("personal data %q left for the AI: %q", secret, sent)
		}
	}
	for _, mask := range []string{pii.PlaceholderPhone, pii.PlaceholderNIK, pii.PlaceholderEmail, "got sering tersumbat"} {
		if !strings.Contains(sent, mask) {
			t.Errorf("sent text lacks %q: %q", mask, sent)
		}
	}
	if req.SystemInstruction == nil || !strings.Contains(req.SystemInstruction.Parts[0].Text, "HAI LURAH") {
		t.Error("system prompt missing")
	}
	if req.GenerationConfig.ResponseMIMEType != "application/json" {
		t.Errorf("responseMimeType = %q", req.GenerationConfig.ResponseMIMEType)
	}
	var schema struct {
		Properties map[string]json.RawMessage `json:"properties"`
		Required   []string                   `json:"required"`
	}
	if err := json.Unmarshal(req.GenerationConfig.ResponseSchema, &schema); err != nil {
		t.Fatalf("responseSchema: %v", err)
	}
	for _, field := range []string{"kategori", "urgency", "solutions", "steps", "unit"} {
		if _, ok := schema.Properties[field]; !ok {
			t.Errorf("schema lacks %q", field)
		}
	}
}

func TestGeminiFallbacks(t *testing.T) {
	hang := func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}
	tests := []struct {
		name      string
		replies   []func(w http.ResponseWriter, r *http.Request)
		cfg       func(c *GeminiConfig)
		want      string
		wantCalls int
	}{
		{"malformed JSON", []func(http.ResponseWriter, *http.Request){replyText(`{"kategori": "lingkungan", "urgency": 4,`)}, nil, FallbackInvalidOutput, 3},
		{"not JSON at all", []func(http.ResponseWriter, *http.Request){replyText("Maaf, saya tidak bisa membantu.")}, nil, FallbackInvalidOutput, 3},
		{"missing solutions", []func(http.ResponseWriter, *http.Request){replyText(goodOutput(func(m map[string]any) { delete(m, "solutions") }))}, nil, FallbackInvalidOutput, 3},
		{"missing urgency", []func(http.ResponseWriter, *http.Request){replyText(goodOutput(func(m map[string]any) { delete(m, "urgency") }))}, nil, FallbackInvalidOutput, 3},
		{"unknown kategori", []func(http.ResponseWriter, *http.Request){replyText(goodOutput(func(m map[string]any) { m["kategori"] = "banjir" }))}, nil, FallbackInvalidOutput, 3},
		{"urgency out of range", []func(http.ResponseWriter, *http.Request){replyText(goodOutput(func(m map[string]any) { m["urgency"] = 9 }))}, nil, FallbackInvalidOutput, 3},
		{"two steps", []func(http.ResponseWriter, *http.Request){replyText(goodOutput(func(m map[string]any) { m["steps"] = []string{"a", "b"} }))}, nil, FallbackInvalidOutput, 3},
		{"429", []func(http.ResponseWriter, *http.Request){replyError(429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota).")}, nil, FallbackRateLimited, 3},
		{"500", []func(http.ResponseWriter, *http.Request){replyError(500, "INTERNAL", "An internal error has occurred.")}, nil, FallbackServerError, 3},
		{"400 bad key is not retried", []func(http.ResponseWriter, *http.Request){replyError(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.")}, nil, FallbackClientError, 1},
		{"no retries", []func(http.ResponseWriter, *http.Request){replyError(503, "UNAVAILABLE", "The model is overloaded.")}, func(c *GeminiConfig) { c.MaxRetries = -1 }, FallbackServerError, 1},
		{"timeout", []func(http.ResponseWriter, *http.Request){hang}, func(c *GeminiConfig) { c.Timeout = 200 * time.Millisecond }, FallbackTimeout, 1},
		{"blocked", []func(http.ResponseWriter, *http.Request){func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"promptFeedback":{"blockReason":"SAFETY"},"modelVersion":"gemini-2.5-flash"}`)
		}}, nil, FallbackBlocked, 1},
		{"no candidates", []func(http.ResponseWriter, *http.Request){func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"candidates":[],"modelVersion":"gemini-2.5-flash"}`)
		}}, nil, FallbackInvalidOutput, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, srv := newFakeGemini(t, tt.replies...)
			c := newTestGemini(t, srv, tt.cfg)
			start := time.Now()
			tr, err := c.Classify(context.Background(), floodMessage)
			if err != nil {
				t.Fatalf("Classify: %v", err)
			}
			assertValidTriage(t, tr)
			if tr.Fallback != tt.want {
				t.Errorf("fallback = %q, want %q", tr.Fallback, tt.want)
			}
			if tr.ModelVersion != "rules-v1" {
				t.Errorf("model_version = %q, want the rules classifier's", tr.ModelVersion)
			}
			if tr.Kategori != "lingkungan" || tr.RT != "03" {
				t.Errorf("rules result = %s RT %q", tr.Kategori, tr.RT)
			}
			if got := fake.calls(); got != tt.wantCalls {
				t.Errorf("calls = %d, want %d", got, tt.wantCalls)
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("took %v; the fallback must not wait for the server", d)
			}
		})
	}
}

func TestGeminiRetriesThenSucceeds(t *testing.T) {
	fake, srv := newFakeGemini(t,
		replyError(429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota)."),
		replyText("{not json"),
		replyText(goodOutput(nil)))
	c := newTestGemini(t, srv, nil)
	tr, err := c.Classify(context.Background(), floodMessage)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Fallback != "" || tr.ModelVersion != "gemini-2.5-flash" || fake.calls() != 3 {
		t.Errorf("fallback %q model %q after %d calls; want Gemini on the third", tr.Fallback, tr.ModelVersion, fake.calls())
	}
}

func TestGeminiRetryWaitRespectsBudget(t *testing.T) {
	fake, srv := newFakeGemini(t, replyError(429, "RESOURCE_EXHAUSTED", "quota"))
	c := newTestGemini(t, srv, func(c *GeminiConfig) {
		c.Timeout = 300 * time.Millisecond
		c.RetryDelay = time.Second
	})
	start := time.Now()
	tr, err := c.Classify(context.Background(), floodMessage)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Fallback != FallbackRateLimited || fake.calls() != 1 {
		t.Errorf("fallback %q after %d calls", tr.Fallback, fake.calls())
	}
	if d := time.Since(start); d > 250*time.Millisecond {
		t.Errorf("waited %v for a retry that could not fit in the budget", d)
	}
}

func TestGeminiPolicyFields(t *testing.T) {
	tests := []struct {
		name         string
		text         string
		mod          func(m map[string]any)
		wantUnit     string
		wantEscalate bool
		wantSeverity string
	}{
		{"unknown unit is routed by the rules", "sampah numpuk", func(m map[string]any) {
			m["kategori"], m["subkategori"], m["urgency"], m["unit"] = "lingkungan", "Sampah", 3, "dinas_kebersihan"
		}, "dlh", false, "High"},
		{"kelurahan means no dinas", "surat pengantar SKCK", func(m map[string]any) {
			m["kategori"], m["subkategori"], m["urgency"], m["unit"] = "administrasi", "Surat Pengantar", 1, "kelurahan"
		}, "", false, "High"},
		// The safety floor also raises the urgency to 5, so the severity
		// follows it.
		{"critical keyword escalates whatever the model says", "anak tetangga gizi buruk", func(m map[string]any) {
			m["kategori"], m["subkategori"], m["urgency"], m["unit"] = "kesehatan", "Gizi", 2, "dinkes"
		}, "dinkes", true, "Critical"},
		{"bad severity is derived from urgency", "sampah numpuk", func(m map[string]any) {
			m["urgency"], m["severity"] = 3, "Urgent"
		}, "dlh", false, "Medium"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, srv := newFakeGemini(t, replyText(goodOutput(tt.mod)))
			tr, err := newTestGemini(t, srv, nil).Classify(context.Background(), tt.text)
			if err != nil {
				t.Fatal(err)
			}
			if tr.Fallback != "" {
				t.Fatalf("fell back: %s", tr.Fallback)
			}
			if tr.Unit != tt.wantUnit || tr.Escalate != tt.wantEscalate || tr.Severity != tt.wantSeverity {
				t.Errorf("unit %q escalate %v severity %q; want %q %v %q", tr.Unit, tr.Escalate, tr.Severity, tt.wantUnit, tt.wantEscalate, tt.wantSeverity)
			}
		})
	}
}

func TestGeminiCanceledContextStillAnswers(t *testing.T) {
	_, srv := newFakeGemini(t, replyText(goodOutput(nil)))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	tr, err := newTestGemini(t, srv, nil).Classify(ctx, floodMessage)
	if err != nil {
		t.Fatal(err)
	}
	assertValidTriage(t, tr)
	if tr.Fallback != FallbackCanceled {
		t.Errorf("fallback = %q, want %q", tr.Fallback, FallbackCanceled)
	}
}

func TestGeminiRejectsEmpty(t *testing.T) {
	_, srv := newFakeGemini(t, replyText(goodOutput(nil)))
	_, err := newTestGemini(t, srv, nil).Classify(context.Background(), "  \n")
	if hailurah.ErrorCode(err) != hailurah.EINVALID {
		t.Errorf("err = %v, want EINVALID", err)
	}
	if _, err := NewGeminiClassifier(GeminiConfig{}, nil); hailurah.ErrorCode(err) != hailurah.EINVALID {
		t.Errorf("no API key: err = %v, want EINVALID", err)
	}
}

func TestNewChoosesClassifier(t *testing.T) {
	r := testRules(t)
	c, err := New(r, "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.(*rulesClassifier); !ok {
		t.Errorf("without a key New returned %T, want the rules classifier", c)
	}

	fake, srv := newFakeGemini(t, replyText(goodOutput(nil)))
	fake.model = "gemini-2.5-pro"
	c, err = New(r, testAPIKey, "gemini-2.5-pro", srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := c.Classify(context.Background(), "got mampet")
	if err != nil {
		t.Fatal(err)
	}
	if tr.Fallback != "" || fake.calls() != 1 {
		t.Errorf("with a key New did not ask Gemini: fallback %q, calls %d", tr.Fallback, fake.calls())
	}
}

// TestGeminiSafetyFloor: the floor reads the message after Gemini, whether
// Gemini underrates the danger or refuses to answer it.
func TestGeminiSafetyFloor(t *testing.T) {
	const text = "HAI LURAH Taman\nAku mau curhat dong. Aku warga RT 02/RW 01. Teman saya bilang mau bunuh diri malam ini. Tolong bantu ya HAI LURAH, terima kasih."
	fake, srv := newFakeGemini(t, replyText(goodOutput(func(m map[string]any) {
		m["kategori"], m["subkategori"], m["urgency"], m["unit"], m["severity"] = "lainnya", "Umum", 1, "", "Low"
	})))
	tr, err := newTestGemini(t, srv, nil).Classify(context.Background(), text)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Fallback != "" || tr.Urgency != 5 || !tr.Escalate || tr.Kategori != "kesehatan" || tr.Unit != "dinkes" || len(tr.Safety) == 0 {
		t.Errorf("Gemini's urgency 1: got %+v, want the floor's urgency 5, kesehatan, dinkes, escalated", tr)
	}
	if !strings.HasSuffix(tr.ClassifierVersion, "+"+SafetyFloorVersion) {
		t.Errorf("classifier version %q does not name the floor", tr.ClassifierVersion)
	}
	// The template's phrases are not sent; the problem is.
	sent := fake.request(0).Contents[0].Parts[0].Text
	if strings.Contains(sent, "curhat dong") || !strings.Contains(sent, "bunuh diri") {
		t.Errorf("sent %q, want the problem without the template", sent)
	}

	_, srv = newFakeGemini(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"promptFeedback":{"blockReason":"SAFETY"},"modelVersion":"gemini-2.5-flash"}`)
	})
	tr, err = newTestGemini(t, srv, nil).Classify(context.Background(), text)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Fallback != FallbackBlocked || tr.Urgency != 5 || !tr.Escalate || len(tr.Safety) == 0 {
		t.Errorf("blocked by Gemini: got %+v, want the rules' answer with the floor", tr)
	}
}
