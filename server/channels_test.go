package server_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/intake"
	"github.com/hailurah/hailurah/media"
	"github.com/hailurah/hailurah/server"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/storetest"
	"github.com/hailurah/hailurah/whatsapp"
	"github.com/hailurah/hailurah/workflows"
)

// These tests run the channel handlers on a real store. The paths that
// start or signal a ticket need Temporal and are tested end to end in
// cmd/hailurah/channels_test.go; here Cases is a client-less
// workflows.Client, which a test reaching it would notice as a 503.

const (
	chanSecret    = "rahasia-instansi-yang-cukup-panjang-32"
	appSecret     = "meta-app-secret"
	verifyToken   = "token-verifikasi-hailurah"
	cityNumberID  = "106540352242922"
	tamanNumberID = "207651463353033"
	sitiWA        = "6281234567890"
	budiWA        = "6285712345678"
)

type chanFixture struct {
	t      *testing.T
	db     *store.DB
	srv    *server.Server
	intake *intake.Intake
	ts     *httptest.Server
	clock  *clock
	// tick moves the clock before every request, so the per-IP limits
	// refill as they would between a client's real requests.
	tick time.Duration
}

type chanOptions struct {
	appSecret string
	dev       bool
	cases     server.Cases // nil: a client-less workflows.Client
	sweep     time.Duration
	media     *server.Media // nil: no media configured
}

func newChanFixture(t *testing.T, db *store.DB, opt chanOptions) *chanFixture {
	t.Helper()
	ctx := context.Background()
	for _, k := range []hailurah.Kelurahan{
		{Code: "taman", Name: "Taman", WhatsAppPhoneNumberID: tamanNumberID},
		{Code: "demangan", Name: "Demangan"},
	} {
		if err := db.UpsertKelurahan(ctx, &k); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.UpsertUnit(ctx, &hailurah.Unit{Code: "pupr", Name: "Dinas Pekerjaan Umum dan Penataan Ruang"}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []hailurah.User{
		{Username: "admin", Name: "Admin", Role: hailurah.RoleAdmin},
		{Username: "moderator", Name: "Moderator Taman", Role: hailurah.RoleModerator, Kelurahan: "taman"},
		{Username: "dinas-pupr", Name: "Petugas PUPR", Role: hailurah.RoleDinas, Unit: "pupr"},
	} {
		if err := db.CreateUser(ctx, &u, testPassword); err != nil {
			t.Fatal(err)
		}
	}
	clk := &clock{t: time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC)}
	db.SetNow(clk.Now)
	cases := opt.cases
	if cases == nil {
		cases = &workflows.Client{}
	}
	in := runIntake(t, db, cases, chanSecret, clk.Now, opt.sweep)
	srv, err := server.New(server.Config{
		Users: db, Audit: db, Kelurahan: db, Tickets: db, Notifications: db, Cases: cases,
		Channels: db, Secret: []byte(chanSecret), Now: clk.Now, Dev: opt.dev, Logger: slog.New(slog.DiscardHandler),
		WhatsApp: server.WhatsAppSettings{VerifyToken: verifyToken, AppSecret: opt.appSecret, PhoneNumberID: cityNumberID},
		Intake:   in, Media: opt.media, MediaLinks: media.NewLinks([]byte(chanSecret)),
	})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	t.Cleanup(func() { _ = srv.Close(context.Background()) })
	return &chanFixture{t: t, db: db, srv: srv, intake: in, ts: ts, clock: clk}
}

// runIntake runs an intake on the store for a server under test, as Main
// does, until the test ends.
func runIntake(tb testing.TB, db *store.DB, cases intake.Cases, secret string, now func() time.Time, sweep time.Duration) *intake.Intake {
	tb.Helper()
	in, err := intake.New(intake.Config{Store: db, Cases: cases, Secret: []byte(secret), Now: now,
		Logger: slog.New(slog.DiscardHandler), SweepEvery: sweep})
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = in.Run(ctx)
	}()
	tb.Cleanup(func() { cancel(); <-done })
	return in
}

// request sends body to path with the headers and returns the status and
// the raw answer.
func (f *chanFixture) request(method, path, contentType, body string, header map[string]string) (int, string) {
	f.t.Helper()
	f.clock.Add(f.tick)
	req, err := http.NewRequest(method, f.ts.URL+path, strings.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if path == "/webhook/whatsapp" {
		// The inbox hands Cloud API messages over after the answer;
		// the tests read what the delivery did.
		if err := f.intake.Wait(context.Background()); err != nil {
			f.t.Fatal(err)
		}
	}
	return resp.StatusCode, string(raw)
}

// deliver posts a Cloud API body, signed with secret when it is not "".
func (f *chanFixture) deliver(body, secret string) (int, string) {
	f.t.Helper()
	h := map[string]string{}
	if secret != "" {
		h["X-Hub-Signature-256"] = sign(body, secret)
	}
	return f.request(http.MethodPost, "/webhook/whatsapp", "application/json", body, h)
}

func sign(body, secret string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(body))
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

func (f *chanFixture) sender(wa string) string {
	e164, err := whatsapp.NormalizePhone(wa)
	if err != nil {
		f.t.Fatal(err)
	}
	return whatsapp.SenderID([]byte(chanSecret), e164)
}

func (f *chanFixture) inbound(wa string) []*hailurah.InboundMessage {
	f.t.Helper()
	list, err := f.db.ListInboundBySender(context.Background(), f.sender(wa), 0)
	if err != nil {
		f.t.Fatal(err)
	}
	return list
}

func (f *chanFixture) outbox(recipient string) []*hailurah.OutboxDelivery {
	f.t.Helper()
	list, err := f.db.ListOutboxByRecipient(context.Background(), recipient, 0, 0)
	if err != nil {
		f.t.Fatal(err)
	}
	return list
}

func (f *chanFixture) token(username string) string {
	f.t.Helper()
	u, err := f.db.FindUserByUsername(context.Background(), username)
	if err != nil {
		f.t.Fatal(err)
	}
	_, secret, err := f.db.CreateAPIToken(context.Background(), u.ID, "gateway "+username)
	if err != nil {
		f.t.Fatal(err)
	}
	return secret
}

// Meta's webhook shapes: one delivery holds entries of numbers, each with
// contacts and messages (or statuses) in a change of field "messages".

// metaEntry wraps messages sent to one of our numbers.
func metaEntry(numberID string, contacts map[string]string, messages ...string) string {
	var cs []string
	for wa, name := range contacts {
		cs = append(cs, fmt.Sprintf(`{"profile":{"name":%q},"wa_id":%q}`, name, wa))
	}
	return fmt.Sprintf(`{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp",`+
		`"metadata":{"display_phone_number":"6281130001234","phone_number_id":%q},"contacts":[%s],"messages":[%s]},"field":"messages"}]}`,
		numberID, strings.Join(cs, ","), strings.Join(messages, ","))
}

func metaDelivery(entries ...string) string {
	return `{"object":"whatsapp_business_account","entry":[` + strings.Join(entries, ",") + `]}`
}

func metaTS(t time.Time) string { return fmt.Sprint(t.Unix()) }

func metaText(id, from string, at time.Time, body string) string {
	return fmt.Sprintf(`{"from":%q,"id":%q,"timestamp":%q,"type":"text","text":{"body":%q}}`, from, id, metaTS(at), body)
}

func metaImage(id, from string, at time.Time, caption string) string {
	return fmt.Sprintf(`{"from":%q,"id":%q,"timestamp":%q,"type":"image","image":{"caption":%q,"mime_type":"image/jpeg",`+
		`"sha256":"aGFpIGx1cmFo","id":"918273645546372"}}`, from, id, metaTS(at), caption)
}

func metaLocation(id, from string, at time.Time) string {
	return fmt.Sprintf(`{"from":%q,"id":%q,"timestamp":%q,"type":"location","location":{"latitude":-7.6298,"longitude":111.5239,`+
		`"name":"Pasar Besar Madiun","address":"Jl. Pahlawan, Madiun"}}`, from, id, metaTS(at))
}

func metaButton(id, from string, at time.Time, buttonID, title string) string {
	return fmt.Sprintf(`{"context":{"from":"6281130001234","id":"wamid.OUT-ACK"},"from":%q,"id":%q,"timestamp":%q,"type":"interactive",`+
		`"interactive":{"type":"button_reply","button_reply":{"id":%q,"title":%q}}}`, from, id, metaTS(at), buttonID, title)
}

func metaAudio(id, from string, at time.Time) string {
	return fmt.Sprintf(`{"from":%q,"id":%q,"timestamp":%q,"type":"audio","audio":{"mime_type":"audio/ogg; codecs=opus",`+
		`"sha256":"c3VhcmEgd2FyZ2E=","id":"1122334455667788","voice":true}}`, from, id, metaTS(at))
}

func metaSticker(id, from string, at time.Time) string {
	return fmt.Sprintf(`{"from":%q,"id":%q,"timestamp":%q,"type":"sticker","sticker":{"mime_type":"image/webp",`+
		`"sha256":"c3Rpa2Vy","id":"5566778899","animated":false}}`, from, id, metaTS(at))
}

func metaUnsupported(id, from string, at time.Time) string {
	return fmt.Sprintf(`{"from":%q,"id":%q,"timestamp":%q,"type":"unsupported","errors":[{"code":131051,`+
		`"title":"Message type unknown","message":"Message type unknown","error_data":{"details":"Message type is currently not supported."}}]}`,
		from, id, metaTS(at))
}

func metaReaction(id, from string, at time.Time) string {
	return fmt.Sprintf(`{"from":%q,"id":%q,"timestamp":%q,"type":"reaction","reaction":{"message_id":"wamid.OUT-ACK","emoji":"👍"}}`,
		from, id, metaTS(at))
}

func metaStatuses(numberID string, statuses ...string) string {
	return fmt.Sprintf(`{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp",`+
		`"metadata":{"display_phone_number":"6281130001234","phone_number_id":%q},"statuses":[%s]},"field":"messages"}]}`,
		numberID, strings.Join(statuses, ","))
}

func metaStatus(id, status, recipient string, at time.Time) string {
	extra := ""
	if status == "failed" {
		extra = `,"errors":[{"code":131026,"title":"Message undeliverable","message":"Message undeliverable",` +
			`"error_data":{"details":"Message Undeliverable."}}]`
	}
	return fmt.Sprintf(`{"id":%q,"status":%q,"timestamp":%q,"recipient_id":%q%s}`, id, status, metaTS(at), recipient, extra)
}

func TestDevPhone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newChanFixture(t, db, chanOptions{dev: true, appSecret: appSecret})
		st, raw := f.request("POST", "/api/v1/dev/phone", "application/json", `{"phone":"0812-3456-7890","kind":"sticker"}`, nil)
		if st != http.StatusAccepted || !strings.Contains(raw, `"status":"answered"`) {
			t.Fatalf("sticker: %d %s", st, raw)
		}
		st, raw = f.request("GET", "/api/v1/dev/outbox?to="+url.QueryEscape("+6281234567890"), "", "", nil)
		var out []map[string]any
		if err := json.Unmarshal([]byte(raw), &out); st != 200 || err != nil || len(out) != 1 ||
			out[0]["kind"] != hailurah.OutboxAskText || out[0]["status"] != hailurah.OutboxStatusPending {
			t.Fatalf("dev outbox: %d %s", st, raw)
		}
		st, raw = f.request("GET", "/api/v1/dev/outbox?to=08123456789&after="+fmt.Sprint(out[0]["id"]), "", "", nil)
		if st != 200 || strings.TrimSpace(raw) != "[]" {
			t.Fatalf("after the last id: %d %s", st, raw)
		}
		st, raw = f.request("GET", "/api/v1/dev/phone?phone=081234567890", "", "", nil)
		var conv struct {
			Phone          string
			Sent, Received []map[string]any
		}
		if err := json.Unmarshal([]byte(raw), &conv); st != 200 || err != nil || conv.Phone != "+6281234567890" ||
			len(conv.Sent) != 1 || conv.Sent[0]["text"] != "(sticker)" || len(conv.Received) != 1 {
			t.Fatalf("conversation: %d %s", st, raw)
		}
		for name, body := range map[string]string{
			"bad phone":      `{"phone":"nomor saya","text":"halo"}`,
			"empty text":     `{"phone":"08123456789","text":"  "}`,
			"unknown button": `{"phone":"08123456789","kind":"button","button_id":"hapus_semua"}`,
			"bad location":   `{"phone":"08123456789","kind":"location","lat":120,"lng":5}`,
			"bad kind":       `{"phone":"08123456789","kind":"video"}`,
			"number id":      `{"phone":"08123456789","text":"x","phone_number_id":"../../x"}`,
		} {
			if st, raw := f.request("POST", "/api/v1/dev/phone", "application/json", body, nil); st != http.StatusUnprocessableEntity {
				t.Errorf("%s: %d %s", name, st, raw)
			}
		}
		if st, _ := f.request("GET", "/api/v1/dev/outbox?to=abc", "", "", nil); st != http.StatusUnprocessableEntity {
			t.Errorf("bad phone in the outbox query: %d", st)
		}
		st, raw = f.request("GET", "/dev/phone", "", "", map[string]string{"Accept": "text/html"})
		if st != 200 || !strings.Contains(raw, "Telepon simulasi") || !strings.Contains(raw, "Nomor Kelurahan Taman") {
			t.Fatalf("dev phone page: %d", st)
		}
		checkNoInlineScript(t, raw)
	})
}

func TestDevPhoneOffOutsideDev(t *testing.T) {
	f := newChanFixture(t, storetest.Open(t), chanOptions{})
	for _, path := range []string{"/dev/phone", "/api/v1/dev/outbox?to=08123456789", "/api/v1/dev/phone?phone=08123456789"} {
		if st, _ := f.request("GET", path, "", "", nil); st != http.StatusNotFound {
			t.Errorf("%s without dev mode: %d", path, st)
		}
	}
	if st, _ := f.request("POST", "/api/v1/dev/phone", "application/json", `{"phone":"08123456789","text":"x"}`, nil); st != http.StatusNotFound {
		t.Errorf("POST dev phone without dev mode: %d", st)
	}
}

var inlineScript = regexp.MustCompile(`<script(?:\s[^>]*)?>[^<]+</script>|\son[a-z]+=`)

// checkNoInlineScript: the CSP allows only script files from this server.
func checkNoInlineScript(t *testing.T, page string) {
	t.Helper()
	if m := inlineScript.FindString(page); m != "" {
		t.Errorf("page has inline script, which the CSP blocks: %q", m)
	}
	if !strings.Contains(page, `<script src="/static/js/citizen.js" defer></script>`) {
		t.Error("page does not load citizen.js")
	}
}

func TestCitizenPages(t *testing.T) {
	f := newChanFixture(t, storetest.Open(t), chanOptions{})
	html := map[string]string{"Accept": "text/html"}
	st, page := f.request("GET", "/curhat", "", "", html)
	if st != 200 {
		t.Fatalf("/curhat: %d", st)
	}
	for _, want := range []string{"Curhat ke HAI LURAH", "Apakah Anda ingin anonim?", "Apakah pesan ini dikirim juga ke Lurah?",
		`<option value="taman">Taman</option>`, `data-channel="web"`, "kode lacak", "/static/css/citizen.css"} {
		if !strings.Contains(page, want) {
			t.Errorf("/curhat lacks %q", want)
		}
	}
	checkNoInlineScript(t, page)

	st, page = f.request("GET", "/kiosk?kelurahan=taman", "", "", html)
	if st != 200 {
		t.Fatalf("/kiosk: %d", st)
	}
	for _, want := range []string{"Kelurahan Taman", `data-channel="kiosk"`, `data-idle="120"`, "Privasi Anda",
		`<input type="hidden" name="kelurahan" value="taman">`, "Apakah Anda ingin anonim?"} {
		if !strings.Contains(page, want) {
			t.Errorf("/kiosk lacks %q", want)
		}
	}
	checkNoInlineScript(t, page)
	if st, page := f.request("GET", "/kiosk?kelurahan=atlantis", "", "", html); st != http.StatusNotFound || !strings.Contains(page, "Kelurahan tidak ditemukan") {
		t.Errorf("/kiosk for an unknown kelurahan: %d", st)
	}
	if st, page := f.request("GET", "/kiosk", "", "", html); st != 200 || !strings.Contains(page, `<option value="demangan">Demangan</option>`) {
		t.Errorf("/kiosk without a kelurahan lets the citizen choose: %d", st)
	}
	for _, asset := range []string{"/static/js/citizen.js", "/static/css/citizen.css"} {
		if st, body := f.request("GET", asset, "", "", nil); st != 200 || len(body) < 500 {
			t.Errorf("%s: %d", asset, st)
		}
	}
}

// TestOpenAPIChannels checks server/openapi_channels.json, the entries to
// merge into openapi.json: every channel route is in it.
func TestOpenAPIChannels(t *testing.T) {
	raw, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths    map[string]map[string]any `json:"paths"`
		WebPages []string                  `json:"x-web-pages"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	db := storetest.Open(t)
	with, err := server.New(server.Config{Users: db, Audit: db, Kelurahan: db, Tickets: db, Notifications: db,
		Cases: &workflows.Client{}, Channels: db, Secret: []byte(chanSecret), Dev: true,
		Intake: runIntake(t, db, &workflows.Client{}, chanSecret, time.Now, 0)})
	if err != nil {
		t.Fatal(err)
	}
	without, err := server.New(server.Config{Users: db, Audit: db, Kelurahan: db, Tickets: db, Notifications: db,
		Cases: &workflows.Client{}, Dev: true})
	if err != nil {
		t.Fatal(err)
	}
	before := map[string]bool{}
	for _, r := range without.Routes() {
		before[r] = true
	}
	param := regexp.MustCompile(`:([A-Za-z_]+)`)
	n := 0
	for _, r := range with.Routes() {
		if before[r] {
			continue
		}
		n++
		method, path, _ := strings.Cut(r, " ")
		if ops, ok := doc.Paths[param.ReplaceAllString(path, "{$1}")]; ok {
			if _, ok := ops[strings.ToLower(method)]; !ok {
				t.Errorf("%s: documented without %s", path, method)
			}
			continue
		}
		if !slicesContains(doc.WebPages, path) {
			t.Errorf("%s is not in openapi_channels.json", r)
		}
	}
	if n < 15 {
		t.Fatalf("only %d channel routes registered", n)
	}
}

func slicesContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
