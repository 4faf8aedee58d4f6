//go:build faults

package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/whatsapp"
)

// The outages of the two services the system depends on but does not run,
// Gemini and Meta's Cloud API, with the real binary (`hailurah dev`:
// embedded Temporal, SQLite, the relay) as a process and each service an
// httptest server speaking its wire format. Run them with
// `make test-faults`; docs/RELIABILITY.md has the figures.

// buildBinary builds cmd/hailurah into dir.
func buildBinary(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "hailurah")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		t.Fatalf("build: %v", err)
	}
	return bin
}

// startDev runs `hailurah dev` on a fresh data dir with env added; the
// process is stopped when the test ends (stop is idempotent).
func startDev(t *testing.T, env ...string) (p *process, data string) {
	t.Helper()
	dir := t.TempDir()
	bin := buildBinary(t, dir)
	addr := freeAddr(t)
	data = filepath.Join(dir, "data")
	p = &process{bin: bin, env: append(append(os.Environ(),
		"HAILURAH_DATA_DIR="+data, "HAILURAH_ADDR="+addr, "HAILURAH_DEV_TEMPORAL_ADDR=127.0.0.1:0",
		"HAILURAH_DEMO_PASSWORD=demo-sandi-123", "HAILURAH_LOG_LEVEL=warn", "HAILURAH_RULES=",
		"GEMINI_API_KEY=", "GEMINI_BASE_URL=", "WHATSAPP_TOKEN=", "WHATSAPP_PHONE_NUMBER_ID=",
		"WHATSAPP_APP_SECRET=", "WHATSAPP_VERIFY_TOKEN=", "WHATSAPP_API_BASE="), env...),
		log: filepath.Join(dir, "hailurah.log"), base: "http://" + addr}
	if err := p.start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.stop)
	return p, data
}

// postWebhook delivers a Cloud API webhook body, signed when appSecret is
// set, and reports the status.
func postWebhook(base string, body []byte, appSecret string) (int, error) {
	req, err := http.NewRequest(http.MethodPost, base+"/webhook/whatsapp", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if appSecret != "" {
		mac := hmac.New(sha256.New, []byte(appSecret))
		mac.Write(body)
		req.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	}
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// devOutbox is what GET /api/v1/dev/outbox (dev mode) shows of the
// messages queued for a phone, sent or not, oldest first.
type devOutboxRow struct {
	ID       int64     `json:"id"`
	At       time.Time `json:"at"` // created
	TicketID string    `json:"ticket_id"`
	Kind     string    `json:"kind"`
	Status   string    `json:"status"`
	Error    string    `json:"error"`
}

func devOutbox(base, phone string) ([]devOutboxRow, error) {
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Get(base + "/api/v1/dev/outbox?to=" + phone)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET dev/outbox: %s", resp.Status)
	}
	var rows []devOutboxRow
	return rows, json.NewDecoder(resp.Body).Decode(&rows)
}

// openStore opens the stopped program's SQLite store and returns it with
// the secret that derives sender ids from phones.
func openStore(t *testing.T, data string) (*store.DB, []byte) {
	t.Helper()
	secret, err := os.ReadFile(filepath.Join(data, "secret"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), "", data, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, []byte(strings.TrimSpace(string(secret)))
}

func senderOf(t *testing.T, secret []byte, phone string) string {
	t.Helper()
	e164, err := whatsapp.NormalizePhone(phone)
	if err != nil {
		t.Fatal(err)
	}
	return whatsapp.SenderID(secret, e164)
}

func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*p))]
}

// ---- Gemini ----

const (
	fakeGeminiKey   = "fake-gemini-key"
	fakeGeminiModel = "gemini-2.5-flash"
	// geminiSubkategori marks a triage that came from the fake Gemini: the
	// rules classifier never writes it.
	geminiSubkategori = "Saluran Tersumbat (Gemini)"
)

// geminiModes are the ways the fake Gemini answers a curhat, with the
// fallback reason (triage.Fallback*) each must end in; "ok" answers well.
var geminiModes = []struct{ mode, reason string }{
	{"hang", "timeout"},             // no answer until the client gives up (a good one after 90 s)
	{"429", "rate_limited"},         // RESOURCE_EXHAUSTED, Google's error JSON
	{"500", "server_error"},         // INTERNAL
	{"503", "server_error"},         // UNAVAILABLE, "The model is overloaded"
	{"502-html", "server_error"},    // a proxy's HTML error page
	{"prose", "invalid_output"},     // 200, the candidate's text is prose, not JSON
	{"partial", "invalid_output"},   // 200, JSON missing required fields
	{"enum", "invalid_output"},      // 200, JSON with an unknown kategori, urgency 9, a made-up severity
	{"truncated", "invalid_output"}, // 200, JSON cut off (finishReason MAX_TOKENS)
	{"empty", "invalid_output"},     // 200, no candidates
	{"not-json", "request_failed"},  // 200 with a plain-text body
	{"mixed", "timeout"},            // 429, then 503, then no answer
}

// fakeGemini speaks POST /v1beta/models/{model}:generateContent. The
// curhat carry a case number ("[uji 7]") that picks each one's mode.
type fakeGemini struct {
	t    *testing.T
	srv  *httptest.Server
	stop chan struct{}

	mu        sync.Mutex
	modes     map[int]string
	calls     map[int]int
	byMode    map[string]int
	abandoned int // hanging requests the client gave up on
}

var caseRE = regexp.MustCompile(`\[uji (\d+)\]`)

func newFakeGemini(t *testing.T) *fakeGemini {
	g := &fakeGemini{t: t, stop: make(chan struct{}), modes: map[int]string{}, calls: map[int]int{}, byMode: map[string]int{}}
	g.srv = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(func() { close(g.stop); g.srv.Close() })
	return g
}

func (g *fakeGemini) setMode(n int, mode string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.modes[n] = mode
}

func (g *fakeGemini) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1beta/models/"+fakeGeminiModel+":generateContent" ||
		r.Header.Get("x-goog-api-key") != fakeGeminiKey {
		g.t.Errorf("gemini: unexpected request %s %s", r.Method, r.URL.Path)
		replyGeminiError(w, http.StatusNotFound, "NOT_FOUND", "not found")
		return
	}
	var req struct {
		Contents []struct {
			Parts []struct{ Text string } `json:"parts"`
		} `json:"contents"`
		SystemInstruction *struct{} `json:"systemInstruction"`
		GenerationConfig  struct {
			ResponseMIMEType string          `json:"responseMimeType"`
			ResponseSchema   json.RawMessage `json:"responseSchema"`
		} `json:"generationConfig"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.Contents) == 0 || len(req.Contents[0].Parts) == 0 ||
		req.SystemInstruction == nil || req.GenerationConfig.ResponseMIMEType != "application/json" || len(req.GenerationConfig.ResponseSchema) == 0 {
		g.t.Errorf("gemini: request not in the generateContent format (%v)", err)
		replyGeminiError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "Invalid JSON payload received.")
		return
	}
	m := caseRE.FindStringSubmatch(req.Contents[0].Parts[0].Text)
	if m == nil {
		g.t.Errorf("gemini: a prompt without a case number: %q", req.Contents[0].Parts[0].Text)
		replyGeminiError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "no case")
		return
	}
	n, _ := strconv.Atoi(m[1])
	g.mu.Lock()
	mode := g.modes[n]
	g.calls[n]++
	call := g.calls[n]
	g.byMode[mode]++
	g.mu.Unlock()
	if mode == "mixed" {
		mode = []string{"429", "503", "hang"}[min(call, 3)-1]
	}
	switch mode {
	case "ok":
		replyGeminiText(w, "STOP", geminiGood())
	case "hang":
		select {
		case <-r.Context().Done():
			g.mu.Lock()
			g.abandoned++
			g.mu.Unlock()
		case <-time.After(90 * time.Second):
			replyGeminiText(w, "STOP", geminiGood())
		case <-g.stop:
		}
	case "429":
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		w.WriteHeader(http.StatusTooManyRequests)
		io.WriteString(w, `{"error":{"code":429,"message":"You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[{"quotaMetric":"generativelanguage.googleapis.com/generate_content_free_tier_requests","quotaId":"GenerateRequestsPerMinutePerProjectPerModel-FreeTier"}]},{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"17s"}]}}`)
	case "500":
		replyGeminiError(w, http.StatusInternalServerError, "INTERNAL", "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting")
	case "503":
		replyGeminiError(w, http.StatusServiceUnavailable, "UNAVAILABLE", "The model is overloaded. Please try again later.")
	case "502-html":
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
		w.WriteHeader(http.StatusBadGateway)
		io.WriteString(w, "<!DOCTYPE html>\n<html lang=en><title>Error 502 (Server Error)!!1</title><p><b>502.</b> That’s an error.</html>")
	case "prose":
		replyGeminiText(w, "STOP", "Terima kasih atas laporannya. Menurut saya ini masalah lingkungan dengan urgensi sedang; sebaiknya warga kerja bakti.")
	case "partial":
		replyGeminiText(w, "STOP", `{"kategori":"lingkungan","summary":"Got mampet di RT03/RW02.","urgency":3}`)
	case "enum":
		out := map[string]any{}
		json.Unmarshal([]byte(geminiGood()), &out)
		out["kategori"], out["urgency"], out["severity"] = "banjir", 9, "Sangat Tinggi"
		b, _ := json.Marshal(out)
		replyGeminiText(w, "STOP", string(b))
	case "truncated":
		good := geminiGood()
		replyGeminiText(w, "MAX_TOKENS", good[:len(good)/2])
	case "empty":
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		io.WriteString(w, `{"usageMetadata":{"promptTokenCount":812,"totalTokenCount":812},"modelVersion":"gemini-2.5-flash","responseId":"kosong"}`)
	case "not-json":
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "upstream connect error or disconnect/reset before headers. reset reason: overflow")
	default:
		g.t.Errorf("gemini: case %d has no mode", n)
		replyGeminiError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "no mode")
	}
}

func replyGeminiError(w http.ResponseWriter, code int, status, message string) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": code, "message": message, "status": status}})
}

// replyGeminiText answers 200 with the model's text in
// candidates[0].content.parts[0].text, as the API does.
func replyGeminiText(w http.ResponseWriter, finish, text string) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	json.NewEncoder(w).Encode(map[string]any{
		"candidates": []any{map[string]any{
			"content":      map[string]any{"parts": []any{map[string]any{"text": text}}, "role": "model"},
			"finishReason": finish, "index": 0,
		}},
		"usageMetadata": map[string]any{"promptTokenCount": 812, "candidatesTokenCount": 301, "totalTokenCount": 1113},
		"modelVersion":  fakeGeminiModel,
		"responseId":    "uji-gangguan",
	})
}

// geminiGood is a valid answer to the schema the classifier sends.
func geminiGood() string {
	b, _ := json.Marshal(map[string]any{
		"kategori": "lingkungan", "subkategori": geminiSubkategori, "urgency": 3, "severity": "Medium",
		"summary":   "Got di RT03/RW02 mampet dan meluap ke jalan saat hujan.",
		"diagnosis": "Sampah dan endapan menyumbat saluran.",
		"solutions": map[string]any{"a": "Kerja bakti RT membersihkan got.", "b": "Ajukan pengerukan ke kelurahan.",
			"c": "Perbaikan saluran lewat Musrenbang."},
		"steps":           []string{"Foto lokasi got.", "Jadwalkan kerja bakti.", "Laporkan ke Ketua RT."},
		"unit":            "kelurahan",
		"people_affected": 12, "sentiment": -0.4, "suggested_response_type": "A",
	})
	return string(b)
}

var geminiFallbackRE = regexp.MustCompile(`gemini triage failed; using rules reason=(\S+)`)

// TestGeminiOutage runs the program with GEMINI_API_KEY set and
// GEMINI_BASE_URL at a fake Gemini. A control phase answers well (the
// tickets carry Gemini's triage, so the fake is really asked); the outage
// phase hangs, answers 429, 500, 502 and 503, and answers 200 with
// garbage, four curhat per way; a recovery phase answers well again.
// Every curhat must be triaged — in the outage by the rules classifier,
// for the reason each way of failing maps to — and its AI reply must be in
// the outbox within a minute of the webhook delivery.
func TestGeminiOutage(t *testing.T) {
	const perMode, controls = 4, 6
	gem := newFakeGemini(t)
	p, data := startDev(t, "GEMINI_API_KEY="+fakeGeminiKey, "GEMINI_MODEL="+fakeGeminiModel, "GEMINI_BASE_URL="+gem.srv.URL)

	type curhat struct {
		n           int
		phone, mode string
		sent        time.Time
		ack, reply  time.Duration
		ticket      string
	}
	var all []*curhat
	next := 0
	// phase sends one curhat per mode, four a second, and waits for every
	// AI reply to be in the outbox.
	phase := func(name string, modes []string) []*curhat {
		var cs []*curhat
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		for _, mode := range modes {
			<-tick.C
			next++
			c := &curhat{n: next, phone: fmt.Sprintf("628133%06d", next), mode: mode}
			gem.setMode(c.n, mode)
			body := metaText(fmt.Sprintf("wamid.gemini%04d", c.n), c.phone, fmt.Sprintf(
				"HAI LURAH Taman\nSaya warga RT03/RW02 [uji %d]. Got depan rumah mampet, air meluap ke jalan kalau hujan.", c.n))
			c.sent = time.Now()
			if st, err := postWebhook(p.base, body, ""); err != nil || st != http.StatusOK {
				t.Fatalf("%s: delivery %d: %d %v", name, c.n, st, err)
			}
			cs = append(cs, c)
		}
		deadline := time.Now().Add(2 * time.Minute)
		pending := slices.Clone(cs)
		for len(pending) > 0 {
			if time.Now().After(deadline) {
				t.Fatalf("%s: %d curhat without an AI reply after 2 minutes (first: case %d, %s)", name, len(pending), pending[0].n, pending[0].mode)
			}
			time.Sleep(time.Second)
			pending = slices.DeleteFunc(pending, func(c *curhat) bool {
				rows, err := devOutbox(p.base, c.phone)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range rows {
					switch r.Kind {
					case hailurah.OutboxAck:
						c.ack = r.At.Sub(c.sent)
					case hailurah.OutboxReply:
						c.reply, c.ticket = r.At.Sub(c.sent), r.TicketID
					}
				}
				return c.reply != 0
			})
		}
		all = append(all, cs...)
		return cs
	}

	start := time.Now()
	control := phase("control", slices.Repeat([]string{"ok"}, controls))
	var modes []string
	for range perMode {
		for _, m := range geminiModes {
			modes = append(modes, m.mode)
		}
	}
	outage := phase("outage", modes)
	recovery := phase("recovery", slices.Repeat([]string{"ok"}, controls))
	wall := time.Since(start)
	p.stop()

	// The tickets, read from the store.
	db, secret := openStore(t, data)
	ctx := context.Background()
	for _, c := range all {
		tk, err := db.LatestTicketOfSender(ctx, senderOf(t, secret, c.phone))
		if err != nil {
			t.Fatalf("case %d (%s): %v", c.n, c.mode, err)
		}
		if tk.ID != c.ticket {
			t.Errorf("case %d: ticket %s, its reply on %s", c.n, tk.ID, c.ticket)
		}
		out, err := db.ListTicketOutbox(ctx, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]int{}
		for _, o := range out {
			kinds[o.Kind]++
		}
		if kinds[hailurah.OutboxAck] != 1 || kinds[hailurah.OutboxReply] != 1 {
			t.Errorf("case %d (%s): %d ACKs and %d AI replies in the outbox, want 1 each", c.n, c.mode, kinds[hailurah.OutboxAck], kinds[hailurah.OutboxReply])
		}
		if tk.Status != hailurah.StatusOpen || tk.Kategori == "" || tk.UrgencyScore < 1 {
			t.Errorf("case %d (%s): not triaged: status %s, kategori %q, urgency %d", c.n, c.mode, tk.Status, tk.Kategori, tk.UrgencyScore)
		}
		gemini := tk.ModelVersion == fakeGeminiModel && tk.Subkategori == geminiSubkategori
		rules := tk.ModelVersion == "rules-v1" && tk.Subkategori != geminiSubkategori
		if c.mode == "ok" && !gemini {
			t.Errorf("case %d: Gemini answered well but the ticket has %s/%q", c.n, tk.ModelVersion, tk.Subkategori)
		}
		if c.mode != "ok" && !rules {
			t.Errorf("case %d (%s): want the rules' triage, got %s/%q", c.n, c.mode, tk.ModelVersion, tk.Subkategori)
		}
		if c.reply >= time.Minute {
			t.Errorf("case %d (%s): AI reply queued %v after the delivery, want < 1 min", c.n, c.mode, c.reply)
		}
	}

	// Each way of failing ended in its fallback reason (the classifier
	// logs one warning per fallback).
	logText, err := os.ReadFile(p.log)
	if err != nil {
		t.Fatal(err)
	}
	gotReasons := map[string]int{}
	for _, m := range geminiFallbackRE.FindAllStringSubmatch(string(logText), -1) {
		gotReasons[m[1]]++
	}
	wantReasons := map[string]int{}
	for _, m := range geminiModes {
		wantReasons[m.reason] += perMode
	}
	if fmt.Sprint(gotReasons) != fmt.Sprint(wantReasons) {
		t.Errorf("fallback reasons logged %v, want %v", gotReasons, wantReasons)
	}
	gem.mu.Lock()
	abandoned, byMode := gem.abandoned, maps.Clone(gem.byMode)
	gem.mu.Unlock()
	if want := 2 * perMode; abandoned != want { // "hang" and the end of "mixed"
		t.Errorf("the client gave up on %d hanging requests, want %d", abandoned, want)
	}

	stats := func(cs []*curhat, sel func(*curhat) bool) string {
		var ack, reply []time.Duration
		for _, c := range cs {
			if sel(c) {
				ack, reply = append(ack, c.ack), append(reply, c.reply)
			}
		}
		return fmt.Sprintf("n=%d ACK median %v max %v; AI reply median %v max %v", len(reply),
			percentile(ack, 0.5).Round(time.Millisecond), percentile(ack, 1).Round(time.Millisecond),
			percentile(reply, 0.5).Round(time.Millisecond), percentile(reply, 1).Round(time.Millisecond))
	}
	anyCase := func(*curhat) bool { return true }
	t.Logf("control (Gemini answers):   %s", stats(control, anyCase))
	t.Logf("outage, all ways:           %s", stats(outage, anyCase))
	for _, m := range geminiModes {
		t.Logf("  %-9s → %-14s %s; %d requests", m.mode, m.reason, stats(outage, func(c *curhat) bool { return c.mode == m.mode }), byMode[m.mode])
	}
	t.Logf("recovery (Gemini answers):  %s", stats(recovery, anyCase))
	t.Logf("fallback reasons logged: %v; hanging requests abandoned by the client: %d; %d curhat in %v",
		gotReasons, abandoned, len(all), wall.Round(time.Second))
}

// ---- WhatsApp ----

// graphFailures are the answers of Meta's Cloud API during an outage that
// the client must treat as passing, in the order the fake rotates them.
var graphFailures = []struct {
	name   string
	status int
	body   string // "" drops the connection without an answer
}{
	{"503 code 133004", http.StatusServiceUnavailable, `{"error":{"message":"(#133004) Server Temporarily Unavailable","type":"OAuthException","code":133004,"error_data":{"messaging_product":"whatsapp","details":"Server Temporarily Unavailable"},"fbtrace_id":"AqCbZ1outage1"}}`},
	{"500 code 1 transient", http.StatusInternalServerError, `{"error":{"message":"An unknown error has occurred.","type":"OAuthException","code":1,"is_transient":true,"fbtrace_id":"AqCbZ1outage2"}}`},
	{"400 code 130429", http.StatusBadRequest, `{"error":{"message":"(#130429) Rate limit hit","type":"OAuthException","code":130429,"error_subcode":2494055,"error_data":{"messaging_product":"whatsapp","details":"Cloud API message throughput has been reached."},"fbtrace_id":"AqCbZ1outage3"}}`},
	{"503 HTML", http.StatusServiceUnavailable, "<html><head><title>503 Service Unavailable</title></head><body>Service Unavailable</body></html>"},
	{"connection dropped", 0, ""},
}

// graphAttempt is one request the fake Graph API received.
type graphAttempt struct {
	at      time.Time
	to      string
	body    string
	wamid   string // the id it answered with; "" when it failed
	failure string
}

// outageGraph is Meta's POST /{phone-number-id}/messages that fails every
// send while down, rotating through graphFailures, and accepts every send
// otherwise.
type outageGraph struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	down     bool
	attempts []graphAttempt
	failures map[string]int
}

func newOutageGraph(t *testing.T) *outageGraph {
	g := &outageGraph{t: t, failures: map[string]int{}}
	g.srv = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(g.srv.Close)
	return g
}

func (g *outageGraph) setDown(down bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.down = down
}

func (g *outageGraph) serve(w http.ResponseWriter, r *http.Request) {
	from, ok := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, "/"), "/messages")
	if r.Method != http.MethodPost || !ok || from != e2eCityNumber || r.Header.Get("Authorization") != "Bearer "+e2eToken {
		g.t.Errorf("graph: unexpected request %s %s", r.Method, r.URL.Path)
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"error":{"message":"Invalid OAuth access token.","type":"OAuthException","code":190,"fbtrace_id":"X"}}`)
		return
	}
	var s graphSend
	if err := json.NewDecoder(r.Body).Decode(&s); err != nil || s.To == "" || s.body() == "" {
		g.t.Errorf("graph: undecodable send: %v", err)
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	g.mu.Lock()
	a := graphAttempt{at: time.Now(), to: s.To, body: s.body()}
	var fail *struct {
		name   string
		status int
		body   string
	}
	if g.down {
		f := graphFailures[len(g.attempts)%len(graphFailures)]
		fail = &f
		a.failure = f.name
		g.failures[f.name]++
	} else {
		a.wamid = fmt.Sprintf("wamid.HBgM%06d", len(g.attempts)+1)
	}
	g.attempts = append(g.attempts, a)
	g.mu.Unlock()

	switch {
	case fail == nil:
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"messaging_product":"whatsapp","contacts":[{"input":%q,"wa_id":%q}],"messages":[{"id":%q}]}`, s.To, s.To, a.wamid)
	case fail.status == 0:
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			g.t.Errorf("graph: hijack: %v", err)
			return
		}
		conn.Close()
	default:
		if strings.HasPrefix(fail.body, "{") {
			w.Header().Set("Content-Type", "application/json")
		} else {
			w.Header().Set("Content-Type", "text/html")
		}
		w.WriteHeader(fail.status)
		io.WriteString(w, fail.body)
	}
}

func (g *outageGraph) log() []graphAttempt {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.attempts)
}

// waOutage is the outage length: HAILURAH_TEST_WA_OUTAGE, 45 s by default
// (`make test-wa-outage-10m` runs 10 minutes).
func waOutage(t *testing.T) time.Duration {
	v := os.Getenv("HAILURAH_TEST_WA_OUTAGE")
	if v == "" {
		return 45 * time.Second
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 10*time.Second {
		t.Fatalf("HAILURAH_TEST_WA_OUTAGE=%q: want a duration of at least 10s, such as 45s or 10m", v)
	}
	return d
}

// TestWhatsAppOutage runs the program with WhatsApp credentials and
// WHATSAPP_API_BASE at a fake Graph API, with the relay's production
// defaults. One citizen's curhat goes through while the API is up; then
// every send fails for HAILURAH_TEST_WA_OUTAGE (45 s by default) with the
// answers Meta gives in an outage (503 and 500 error bodies, 130429, an
// HTML 503, a dropped connection) while six citizens each send a curhat,
// STATUS and a second curhat (ACK, AI reply, status, ACK, AI reply), and
// the first citizen sends STATUS. Right after the API recovers a new
// citizen writes. Afterwards every outbox row must be sent exactly once —
// the fake accepted it once and nothing failed — and each citizen must
// have received their messages in outbox id order.
func TestWhatsAppOutage(t *testing.T) {
	outage := waOutage(t)
	graph := newOutageGraph(t)
	p, data := startDev(t, "WHATSAPP_TOKEN="+e2eToken, "WHATSAPP_PHONE_NUMBER_ID="+e2eCityNumber,
		"WHATSAPP_APP_SECRET="+e2eAppSecret, "WHATSAPP_VERIFY_TOKEN="+e2eVerify, "WHATSAPP_API_BASE="+graph.srv.URL)

	var mu sync.Mutex
	msgs := 0
	deliver := func(phone, text string) {
		mu.Lock()
		msgs++
		id := fmt.Sprintf("wamid.in%05d", msgs)
		mu.Unlock()
		for try := 0; ; try++ {
			st, err := postWebhook(p.base, metaText(id, phone, text), e2eAppSecret)
			if err == nil && st == http.StatusOK {
				return
			}
			if try == 5 {
				t.Errorf("delivery %s from %s: %d %v", id, phone, st, err)
				return
			}
			time.Sleep(time.Second) // Meta retries too
		}
	}
	curhat := func(i, n int) string {
		return fmt.Sprintf("HAI LURAH Taman\nSaya warga RT0%d/RW02. Keluhan %d: got depan rumah nomor %d mampet, air meluap ke jalan kalau hujan.", i%9+1, n, i)
	}
	const citizens = 6
	first := "6281340000100"
	late := "6281340000200"
	var phones []string
	for i := range citizens {
		phones = append(phones, fmt.Sprintf("62813400%05d", i+1))
	}
	want := map[string]int{first: 3, late: 2} // messages each phone gets
	for _, ph := range phones {
		want[ph] = 5
	}

	// Up: the first citizen's ACK and AI reply go out.
	deliver(first, curhat(0, 1))
	deadline := time.Now().Add(time.Minute)
	for len(graph.log()) < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("before the outage: %d sends reached the Graph API, want the ACK and the AI reply", len(graph.log()))
		}
		time.Sleep(200 * time.Millisecond)
	}

	// Down.
	graph.setDown(true)
	down := time.Now()
	t.Logf("outage of %v begins", outage)
	gap := max(4*time.Second, outage/10)
	spread := outage/2 - 2*gap
	var wg sync.WaitGroup
	wg.Go(func() { time.Sleep(time.Second); deliver(first, "STATUS") })
	for i, ph := range phones {
		wg.Go(func() {
			time.Sleep(spread * time.Duration(i) / citizens)
			deliver(ph, curhat(i+1, 1))
			time.Sleep(gap)
			deliver(ph, "STATUS")
			time.Sleep(gap)
			deliver(ph, curhat(i+1, 2))
		})
	}
	wg.Wait()
	time.Sleep(time.Until(down.Add(outage)))
	up := time.Now()
	graph.setDown(false)
	t.Logf("outage over after %v", up.Sub(down).Round(time.Second))
	lateSent := time.Now()
	deliver(late, curhat(9, 1))

	// Wait until every phone has its messages and none is waiting.
	settled := func() (bool, string) {
		for ph, n := range want {
			rows, err := devOutbox(p.base, ph)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) < n {
				return false, fmt.Sprintf("%s has %d of %d messages", ph, len(rows), n)
			}
			for _, r := range rows {
				if r.Status == hailurah.OutboxStatusPending || r.Status == hailurah.OutboxStatusSending {
					return false, fmt.Sprintf("%s: message %d (%s) is %s (%s)", ph, r.ID, r.Kind, r.Status, r.Error)
				}
			}
		}
		return true, ""
	}
	deadline = up.Add(2*time.Minute + outage*3/2)
	for {
		ok, why := settled()
		if ok {
			time.Sleep(3 * time.Second) // a straggler, if any, shows up
			if ok, _ = settled(); ok {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%v after the outage: %s", time.Since(up).Round(time.Second), why)
		}
		time.Sleep(2 * time.Second)
	}
	p.stop()
	sends := graph.log()

	db, secret := openStore(t, data)
	ctx := context.Background()
	byWamid := map[string]graphAttempt{}
	requests := map[string]int{} // per phone
	for _, a := range sends {
		requests[a.to]++
		if a.wamid != "" {
			byWamid[a.wamid] = a
		}
	}
	rows, ordered, maxAttempts, failedSends, failedRows := 0, 0, 0, 0, 0
	var lastDelivery time.Time
	var lateAck time.Duration
	attemptsHist := map[int]int{}
	for ph, n := range want {
		list, err := db.ListOutboxByRecipient(ctx, senderOf(t, secret, ph), 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != n {
			t.Errorf("%s: %d outbox rows, want %d", ph, len(list), n)
		}
		attempts := 0
		for _, d := range list {
			rows++
			attempts += d.Attempts
			maxAttempts = max(maxAttempts, d.Attempts)
			attemptsHist[d.Attempts]++
			if d.Status != hailurah.OutboxStatusSent || d.ProviderMessageID == "" {
				failedRows++
				t.Errorf("%s: row %d (%s) is %s after %d attempts: %s", ph, d.ID, d.Kind, d.Status, d.Attempts, d.LastError)
				continue
			}
			a, ok := byWamid[d.ProviderMessageID]
			if !ok || a.to != ph || a.body != d.Text {
				t.Errorf("%s: row %d (%s) recorded as %s, which the Graph API did not accept for it", ph, d.ID, d.Kind, d.ProviderMessageID)
			}
			if a.at.After(lastDelivery) {
				lastDelivery = a.at
			}
			if ph == late && d.Kind == hailurah.OutboxAck {
				lateAck = a.at.Sub(lateSent)
			}
		}
		// What the phone received, in the order it arrived, is the outbox
		// in id order: once each, nothing else.
		var got []string
		for _, a := range sends {
			if a.to == ph && a.wamid != "" {
				got = append(got, a.wamid)
			}
		}
		var wantOrder []string
		for _, d := range list {
			wantOrder = append(wantOrder, d.ProviderMessageID)
		}
		if !slices.Equal(got, wantOrder) {
			t.Errorf("%s received %v, want the outbox's order %v", ph, got, wantOrder)
		} else {
			ordered++
		}
		// Every request was an attempt the row counts: no send unaccounted.
		if requests[ph] != attempts {
			t.Errorf("%s: the Graph API got %d requests, the outbox counts %d attempts", ph, requests[ph], attempts)
		}
	}
	for _, a := range sends {
		if a.failure != "" {
			failedSends++
		}
	}
	// The outage must have been felt: each citizen who wrote during it had
	// a message fail at least once.
	for _, ph := range append([]string{first}, phones...) {
		felt := false
		for _, a := range sends {
			felt = felt || (a.to == ph && a.failure != "")
		}
		if !felt {
			t.Errorf("%s never met the outage", ph)
		}
	}
	graph.mu.Lock()
	byFailure := maps.Clone(graph.failures)
	graph.mu.Unlock()
	t.Logf("outage %v: %d rows to %d phones, %d requests, %d failed (%v)", outage, rows, len(want), len(sends), failedSends, byFailure)
	t.Logf("attempts per row (attempts: rows) %v, at most %d; %d rows not sent", attemptsHist, maxAttempts, failedRows)
	t.Logf("last delivery %v after the API recovered; the citizen who wrote after recovery had the ACK in %v; order verified for %d of %d phones",
		lastDelivery.Sub(up).Round(time.Second), lateAck.Round(time.Millisecond), ordered, len(want))
}
