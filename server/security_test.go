package server_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/server"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/storetest"
)

// TestLoginNextIsLocal: a signed-in user opening /login with a next that a
// browser would read as another site lands on the role's home page, never
// on that site (the probe's /%09/evil.example/ became //evil.example/).
func TestLoginNextIsLocal(t *testing.T) {
	f := newFixture(t, storetest.Open(t))
	c := f.client()
	if resp, out := c.login("moderator", testPassword); resp.StatusCode != http.StatusOK {
		t.Fatalf("login: %d %v", resp.StatusCode, out)
	}
	for next, want := range map[string]string{
		"/%09/evil.example/":       "/antrian",
		"/%0a/evil.example/":       "/antrian",
		"%2F%2Fevil.example/":      "/antrian",
		"/%5Cevil.example/":        "/antrian",
		"/%252F%252Fevil.example/": "/antrian",
		"https://evil.example/":    "/antrian",
		"":                         "/antrian",
		"/tiket/T-1?tab=riwayat":   "/tiket/T-1?tab=riwayat",
		"%2Ftiket%2FT-1":           "/tiket/T-1",
	} {
		resp, _ := c.do("GET", "/login?next="+next, "", nil)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want {
			t.Errorf("GET /login?next=%s: %d %q, want 303 %q", next, resp.StatusCode, resp.Header.Get("Location"), want)
		}
	}
}

// TestTrackingCodeNeverReachesStaff: the tracking code is the citizen's
// bearer secret, so no staff response carries it, and a staff session (or
// token) cannot reply as the citizen: a dinas officer could otherwise mark
// a task done, then confirm it and rate it 5 through the tracking reply.
func TestTrackingCodeNeverReachesStaff(t *testing.T) {
	f := newUIFixture(t, nil)
	_, _, task, _ := seedTickets(t, f)
	for _, user := range []string{"dinas-pupr", "moderator", "lurah", "admin"} {
		c := f.as(t, user)
		for _, p := range []string{"/api/v1/tickets", "/api/v1/tickets/" + task.ID, "/tiket/" + task.ID, "/antrian/daftar", "/tugas"} {
			st, body := c.page("GET", p, nil)
			if strings.Contains(body, task.TrackingCode) {
				t.Errorf("%s sees the tracking code on %s (%d)", user, p, st)
			}
		}
		resp, out := c.do("POST", "/api/v1/track/"+task.TrackingCode+"/reply", `{"text":"SESUDAH"}`,
			map[string]string{"X-CSRF-Token": c.csrf})
		if resp.StatusCode != http.StatusForbidden || errorCode(out) != hailurah.EFORBIDDEN {
			t.Errorf("%s replying as the citizen: %d %v, want 403", user, resp.StatusCode, out)
		}
	}
	admin, err := f.db.FindUserByUsername(context.Background(), "admin")
	if err != nil {
		t.Fatal(err)
	}
	_, token, err := f.db.CreateAPIToken(context.Background(), admin.ID, "probe")
	if err != nil {
		t.Fatal(err)
	}
	resp, out := f.client().do("POST", "/api/v1/track/"+task.TrackingCode+"/reply", `{"text":"5"}`,
		map[string]string{"Authorization": "Bearer " + token})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("a staff token replying as the citizen: %d %v, want 403", resp.StatusCode, out)
	}
}

// TestPilotScopeStaysInKelurahan: Taman's lurah could create a pilot scoped
// to Demangan RW 02 and read Demangan's figures in its packet. A new
// pilot's scope names only its own kelurahan (422 on scope); another
// kelurahan joins only through a signed scale decision.
func TestPilotScopeStaysInKelurahan(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newPilotFixture(t, db)
		lurah := f.as("lurah")
		for _, scope := range [][]map[string]string{
			{{"kelurahan": "demangan", "rw": "02"}},
			{{"rw": "01"}, {"kelurahan": "demangan"}},
		} {
			body := pilotBody("2026-09-08")
			body["scope"] = scope
			lurah.wantError("POST", "/api/v1/pilots", body, http.StatusUnprocessableEntity, "scope")
		}
		admin := f.as("admin")
		body := pilotBody("2026-09-08")
		body["kelurahan"], body["owner"] = "taman", "admin"
		body["scope"] = []map[string]string{{"kelurahan": "demangan", "rw": "02"}}
		admin.wantError("POST", "/api/v1/pilots", body, http.StatusUnprocessableEntity, "scope")
		if list, _ := db.ListPilots(context.Background(), hailurah.PilotFilter{}); len(list) != 0 {
			t.Fatalf("pilots created across kelurahan: %d", len(list))
		}
	})
}

// TestEvidenceNamesThisTicketsPhotos: a ticket action's evidence accepted
// any string (javascript: URLs, other sites, another ticket's photos).
// Evidence must name a photo uploaded to this ticket; anything else is 422
// on evidence and never reaches the workflow (closedCases answers 409).
func TestEvidenceNamesThisTicketsPhotos(t *testing.T) {
	f := newUIFixture(t, nil)
	tamanOpen, _, task, _ := seedTickets(t, f)
	srv, err := server.New(server.Config{Users: f.db, Audit: f.db, Kelurahan: f.db, Tickets: f.db, Notifications: f.db,
		Cases: closedCases{}, DataDir: f.dataDir, Now: f.now.Now, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	f.ts.Config.Handler = srv.Handler()
	photo := func(ticketID string) string {
		dir := filepath.Join(f.dataDir, "uploads", ticketID)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		name := "0123456789abcdef0123456789abcdef.png"
		if err := os.WriteFile(filepath.Join(dir, name), []byte("\x89PNG\r\n\x1a\nfoto"), 0o600); err != nil {
			t.Fatal(err)
		}
		return "/bukti/" + ticketID + "/" + name
	}
	own, other := photo(task.ID), photo(tamanOpen.ID)
	pupr := f.as(t, "dinas-pupr")
	act := func(evidence ...string) (int, map[string]any) {
		b, _ := json.Marshal(map[string]any{"action": "done", "text": "Jalan sudah ditambal.", "evidence": evidence})
		resp, out := pupr.do("POST", "/api/v1/tickets/"+task.ID+"/actions", string(b), map[string]string{"X-CSRF-Token": pupr.csrf})
		return resp.StatusCode, out
	}
	for _, bad := range []string{
		"javascript:alert(1)",
		"https://jahat.example/foto.png",
		"//jahat.example/foto.png",
		other,
		"/bukti/" + task.ID + "/ffffffffffffffffffffffffffffffff.png",
		"/bukti/" + task.ID + "/../" + tamanOpen.ID + "/0123456789abcdef0123456789abcdef.png",
		own + "?x=1",
	} {
		st, out := act(own, bad)
		if st != http.StatusUnprocessableEntity || errorField(out) != "evidence" {
			t.Errorf("evidence %q: %d %v, want 422 on evidence", bad, st, out)
		}
	}
	if st, out := act(own); st != http.StatusConflict {
		t.Errorf("this ticket's own photo: %d %v, want the workflow's answer (409)", st, out)
	}
}

// TestJSONKeysMatchExactly: encoding/json matches keys without regard to
// case, so {"action":"assign","Action":"reject"} was read as reject. A key
// that differs from a field only in case is refused, naming the key.
func TestJSONKeysMatchExactly(t *testing.T) {
	f := newUIFixture(t, nil)
	tamanOpen, _, _, _ := seedTickets(t, f)
	mod := f.as(t, "moderator")
	for _, body := range []string{
		`{"action":"assign","unit":"pupr","Action":"reject"}`,
		`{"ACTION":"assign","unit":"pupr"}`,
	} {
		resp, out := mod.do("POST", "/api/v1/tickets/"+tamanOpen.ID+"/actions", body, map[string]string{"X-CSRF-Token": mod.csrf})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.EqualFold(errorField(out), "action") || errorField(out) == "action" {
			t.Errorf("%s: %d %v, want 422 naming the key as sent", body, resp.StatusCode, out)
		}
	}
	c := f.client()
	resp, out := c.do("POST", "/api/v1/login", `{"username":"moderator","Password":"`+testPassword+`"}`, nil)
	if resp.StatusCode != http.StatusUnprocessableEntity || errorField(out) != "Password" {
		t.Errorf("login with Password: %d %v", resp.StatusCode, out)
	}
}

// TestSecurityHeaders: a Permissions-Policy everywhere, HSTS when cookies
// are Secure (behind TLS), no caching of what a signed-in user is shown,
// and no directory listing under /static/.
func TestSecurityHeaders(t *testing.T) {
	db := storetest.Open(t)
	f := newFixture(t, db)
	srv, err := server.New(server.Config{Users: db, Audit: db, Kelurahan: db, Now: f.now.Now, SecureCookies: true,
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	f.ts.Config.Handler = srv.Handler()
	c := f.client()
	resp, _ := c.do("GET", "/healthz", "", nil)
	if resp.Header.Get("Permissions-Policy") == "" || !strings.Contains(resp.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Errorf("headers: %v", resp.Header)
	}
	if resp, _ := c.login("moderator", testPassword); resp.StatusCode != http.StatusOK {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	if resp, _ := c.do("GET", "/api/v1/me", "", nil); resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("authenticated JSON Cache-Control %q, want no-store", resp.Header.Get("Cache-Control"))
	}
	plain := newFixture(t, storetest.Open(t))
	if resp, _ := plain.client().do("GET", "/healthz", "", nil); resp.Header.Get("Strict-Transport-Security") != "" {
		t.Errorf("HSTS without secure cookies (plain HTTP): %q", resp.Header.Get("Strict-Transport-Security"))
	}
	for _, dir := range []string{"/static/", "/static/js/", "/static/css/"} {
		resp, body := c.page("GET", dir, nil)
		if resp != http.StatusNotFound || strings.Contains(body, "<pre>") {
			t.Errorf("GET %s: %d, want 404 without a listing", dir, resp)
		}
	}
	if st, _ := c.page("GET", "/static/css/app.css", nil); st != http.StatusOK {
		t.Errorf("a static file: %d", st)
	}
}

// TestMetricsNotPublic: outside dev, /metrics answers only a direct
// loopback caller or one with HAILURAH_METRICS_TOKEN as a bearer token.
func TestMetricsNotPublic(t *testing.T) {
	db := storetest.Open(t)
	f := newFixture(t, db)
	srv, err := server.New(server.Config{Users: db, Audit: db, Kelurahan: db, Now: f.now.Now, MetricsToken: "token-metrik-rahasia",
		TrustedProxies: []string{"127.0.0.1", "::1"}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	f.ts.Config.Handler = srv.Handler()
	c := f.client()
	for _, tc := range []struct {
		header map[string]string
		want   int
	}{
		{nil, http.StatusOK}, // the test client is on loopback
		{map[string]string{"X-Forwarded-For": "203.0.113.7"}, http.StatusNotFound},
		{map[string]string{"X-Forwarded-For": "203.0.113.7", "Authorization": "Bearer salah"}, http.StatusNotFound},
		{map[string]string{"X-Forwarded-For": "203.0.113.7", "Authorization": "Bearer token-metrik-rahasia"}, http.StatusOK},
	} {
		if resp, _ := c.do("GET", "/metrics", "", tc.header); resp.StatusCode != tc.want {
			t.Errorf("/metrics with %v: %d, want %d", tc.header, resp.StatusCode, tc.want)
		}
	}
}

// TestLoginThrottleSparesTheOffice: a kelurahan office is one address
// behind NAT. One person's typos, or someone guessing, used to lock the
// whole office out for 15 minutes after 20 failures. Now the address is
// limited by how many usernames fail from it, one username by its own
// failures, and a user who has signed in from that address before keeps
// signing in.
func TestLoginThrottleSparesTheOffice(t *testing.T) {
	db := storetest.Open(t)
	f := newFixture(t, db)
	srv, err := server.New(server.Config{Users: db, Audit: db, Kelurahan: db, Now: f.now.Now,
		TrustedProxies: []string{"127.0.0.1", "::1"}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	f.ts.Config.Handler = srv.Handler()
	login := func(ip, username, password string) int {
		b, _ := json.Marshal(map[string]string{"username": username, "password": password})
		resp, _ := f.client().do("POST", "/api/v1/login", string(b), map[string]string{"X-Forwarded-For": ip})
		return resp.StatusCode
	}
	const office, elsewhere = "203.0.113.10", "198.51.100.20"
	if st := login(office, "moderator", testPassword); st != http.StatusOK {
		t.Fatalf("moderator at the office: %d", st)
	}
	// The lurah mistypes 30 times: the lurah waits, nobody else does.
	for i := range 30 {
		if st := login(office, "lurah", "salah-sandi"); st != http.StatusUnauthorized && st != http.StatusTooManyRequests {
			t.Fatalf("lurah attempt %d: %d", i, st)
		}
	}
	if st := login(office, "lurah", testPassword); st != http.StatusTooManyRequests {
		t.Errorf("lurah after 30 failures: %d, want 429", st)
	}
	if st := login(office, "moderator", testPassword); st != http.StatusOK {
		t.Errorf("moderator after the lurah's typos: %d, want 200", st)
	}
	if st := login(office, "fasilitator", testPassword); st != http.StatusOK {
		t.Errorf("fasilitator (first time at the office) after the lurah's typos: %d, want 200", st)
	}
	// Someone at the office guesses 20 usernames: a stranger to the
	// address is stopped, the known moderator is not.
	for i := range 20 {
		login(office, "tebakan-"+strconv.Itoa(i), "salah-sandi")
	}
	if st := login(office, "admin", testPassword); st != http.StatusTooManyRequests {
		t.Errorf("admin's first login from an address guessing usernames: %d, want 429", st)
	}
	if st := login(office, "moderator", testPassword); st != http.StatusOK {
		t.Errorf("moderator at the guessing office: %d, want 200", st)
	}
	// Guesses at the moderator's password from elsewhere lock the
	// moderator there, not at the office where they signed in before.
	for range 25 {
		login(elsewhere, "moderator", "salah-sandi")
	}
	if st := login(elsewhere, "moderator", testPassword); st != http.StatusTooManyRequests {
		t.Errorf("moderator from the guessing address: %d, want 429", st)
	}
	if st := login(office, "moderator", testPassword); st != http.StatusOK {
		t.Errorf("moderator at the office while guessed at elsewhere: %d, want 200", st)
	}
	f.now.Add(16 * time.Minute)
	if st := login(office, "lurah", testPassword); st != http.StatusOK {
		t.Errorf("lurah after the window: %d", st)
	}
}

// TestScaledPilotPacketPerReader: after a scale decision a pilot's scope
// names Taman and Nambangan, and its packet held their figures together.
// Each kelurahan's staff now see their own kelurahan's part only (Taman's
// lurah cannot see Nambangan's figures on the dashboard either); the
// admin sees the whole packet.
func TestScaledPilotPacketPerReader(t *testing.T) {
	db := storetest.Open(t)
	f := newPilotFixture(t, db)
	ctx := context.Background()
	start := time.Date(2026, 8, 1, 0, 0, 0, 0, time.FixedZone("WIB", 7*3600))
	p := &hailurah.Pilot{Name: "Pelatihan digital", Component: hailurah.ComponentPelatihan, Kelurahan: "taman",
		Scope: []hailurah.PilotArea{{Kelurahan: "nambangan", RW: "04"}, {Kelurahan: "taman", RW: "01"}}, StartDate: start, CycleStart: start,
		Owner: "fasilitator", Targets: []hailurah.PilotTarget{{KPI: "trained", Target: 100}}}
	if err := db.CreatePilot(ctx, p); err != nil {
		t.Fatal(err)
	}
	row := func(actual float64) []hailurah.PacketRow {
		return []hailurah.PacketRow{{KPI: "trained", Label: "Warga dilatih", Unit: hailurah.KPIUnitCount, Target: 100, Actual: &actual}}
	}
	p.Status, p.Version, p.Cycle = hailurah.PilotAwaitingDecision, 3, 2
	pk := &hailurah.PilotPacket{PilotID: p.ID, Cycle: 2, GeneratedAt: start.AddDate(0, 0, 76), Day: 76,
		Rows: row(4328), Curhat: hailurah.PacketCurhat{Tickets: 5564}, Warnings: []string{},
		Parts: []hailurah.PacketPart{
			{Kelurahan: "nambangan", Rows: row(4007), Curhat: hailurah.PacketCurhat{Tickets: 5009}, Warnings: []string{}},
			{Kelurahan: "taman", Rows: row(321), Curhat: hailurah.PacketCurhat{Tickets: 555}, Warnings: []string{}},
		}}
	if err := db.ProjectPilot(ctx, &hailurah.PilotProjection{Pilot: p, Packet: pk}); err != nil {
		t.Fatal(err)
	}
	for user, tc := range map[string]struct{ see, hide []string }{
		"lurah":           {see: []string{"321", "555"}, hide: []string{"4328", "4007", "5564", "5009", "nambangan\",\"targets"}},
		"fasilitator":     {see: []string{"321"}, hide: []string{"4328", "4007", "5564", "5009"}},
		"lurah-nambangan": {see: []string{"4007", "5009"}, hide: []string{"4328", "5564", ":321", "555,"}},
		"admin":           {see: []string{"4328", "5564"}},
	} {
		c := f.as(user)
		for _, path := range []string{"/api/v1/pilots/" + p.ID, "/pilot/" + p.ID} {
			st, _, body := c.raw("GET", path, "", nil)
			if st != http.StatusOK {
				t.Fatalf("%s %s: %d", user, path, st)
			}
			if path == "/pilot/"+p.ID {
				body = strings.ReplaceAll(body, ".", "") // 4.321 on the page
			}
			for _, s := range tc.see {
				if !strings.Contains(body, s) {
					t.Errorf("%s on %s: %q missing", user, path, s)
				}
			}
			for _, s := range tc.hide {
				if i := strings.Index(body, s); i >= 0 {
					t.Errorf("%s on %s sees %q: %s", user, path, s, body[max(0, i-80):min(len(body), i+40)])
				}
			}
		}
	}
}

// recordingCases takes every start and signal and keeps them, as a
// workflow engine that accepts everything would.
type recordingCases struct {
	mu      sync.Mutex
	starts  []hailurah.CurhatInput
	signals map[string][]hailurah.CitizenMessage
	// contacts are the ContactChange signals, by ticket.
	contacts map[string][]hailurah.ContactChange
}

func (r *recordingCases) StartCurhat(_ context.Context, in hailurah.CurhatInput) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.starts = append(r.starts, in)
	return nil
}

func (r *recordingCases) SignalCitizen(_ context.Context, id string, m hailurah.CitizenMessage) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.signals == nil {
		r.signals = map[string][]hailurah.CitizenMessage{}
	}
	r.signals[id] = append(r.signals[id], m)
	return nil
}

func (r *recordingCases) SawMessage(_ context.Context, id, messageID string) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, in := range r.starts {
		if in.TicketID == id && in.First.ID == messageID {
			return true, nil
		}
	}
	for _, m := range r.signals[id] {
		if m.ID == messageID {
			return true, nil
		}
	}
	return false, nil
}

func (r *recordingCases) ChangeContact(_ context.Context, id string, c hailurah.ContactChange) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.contacts == nil {
		r.contacts = map[string][]hailurah.ContactChange{}
	}
	r.contacts[id] = append(r.contacts[id], c)
	return nil
}

func (r *recordingCases) Act(context.Context, string, hailurah.ActionRequest) (*hailurah.TicketState, error) {
	return nil, hailurah.Errorf(hailurah.ENOTFOUND, "no workflow")
}

func (r *recordingCases) State(context.Context, string) (*hailurah.TicketState, error) {
	return nil, hailurah.Errorf(hailurah.ENOTFOUND, "no workflow")
}

// TestWebPhoneIsUnverified: a web curhat named a stranger's phone, whose
// later WhatsApp messages (ANONIM YA, SESUDAH, a rating) were filed on the
// attacker's ticket. A phone typed on the web is not the ticket's sender:
// nothing of the ticket goes to it and nothing from it reaches the ticket;
// the citizen follows the ticket with the tracking code.
func TestWebPhoneIsUnverified(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		rec := &recordingCases{}
		f := newChanFixture(t, db, chanOptions{appSecret: appSecret, cases: rec})
		f.tick = time.Second
		st, raw := f.request("POST", "/api/v1/curhat", "application/json",
			`{"text":"HAI LURAH Taman\nRT 3 RW 2, lampu jalan mati sebulan.","phone":"+`+sitiWA+`"}`, nil)
		if st != http.StatusAccepted {
			t.Fatalf("curhat: %d %s", st, raw)
		}
		var accepted struct {
			TicketID     string `json:"ticket_id"`
			TrackingCode string `json:"tracking_code"`
		}
		if err := json.Unmarshal([]byte(raw), &accepted); err != nil || accepted.TrackingCode == "" {
			t.Fatalf("curhat answer: %s", raw)
		}
		if len(rec.starts) != 1 || rec.starts[0].SenderID == f.sender(sitiWA) {
			t.Fatalf("the typed phone became the ticket's sender: %+v", rec.starts)
		}
		if tk, err := db.FindTicket(context.Background(), accepted.TicketID); err != nil || tk.SenderID == f.sender(sitiWA) {
			t.Fatalf("stored ticket: %+v %v", tk, err)
		}
		// Siti, whose number it is, answers on WhatsApp.
		at := f.clock.Now().Add(-time.Minute)
		for i, text := range []string{"ANONIM YA", "SESUDAH", "5"} {
			body := metaDelivery(metaEntry(cityNumberID, nil, metaText("wamid.SITI"+strconv.Itoa(i), sitiWA, at, text)))
			if st, raw := f.deliver(body, appSecret); st != http.StatusOK {
				t.Fatalf("Siti's %q: %d %s", text, st, raw)
			}
		}
		if got := rec.signals[accepted.TicketID]; len(got) != 0 {
			t.Errorf("Siti's WhatsApp messages reached the web ticket: %+v", got)
		}
		for _, d := range f.outbox(f.sender(sitiWA)) {
			if d.TicketID == accepted.TicketID {
				t.Errorf("a message about the web ticket queued for Siti: %+v", d)
			}
		}
	})
}

// TestUnsignedWebhookFailsClosed: without WHATSAPP_APP_SECRET a forged
// Cloud API delivery created a ticket for any number. Outside dev the
// webhook now answers 503 to Cloud API deliveries and /readyz names the
// missing secret; dev accepts unsigned deliveries only from this machine.
func TestUnsignedWebhookFailsClosed(t *testing.T) {
	db := storetest.Open(t)
	f := newChanFixture(t, db, chanOptions{cases: &recordingCases{}})
	at := f.clock.Now().Add(-time.Minute)
	body := metaDelivery(metaEntry(cityNumberID, nil, metaText("wamid.FORGED", sitiWA, at, "HAI LURAH Taman, palsu.")))
	if st, raw := f.deliver(body, ""); st != http.StatusServiceUnavailable {
		t.Errorf("server mode, no app secret, unsigned delivery: %d %s, want 503", st, raw)
	}
	if st, raw := f.deliver(body, "tebakan"); st != http.StatusServiceUnavailable {
		t.Errorf("server mode, no app secret, signed with a guess: %d %s, want 503", st, raw)
	}
	if list := f.inbound(sitiWA); len(list) != 0 {
		t.Errorf("a forged delivery was stored: %+v", list)
	}
	if st, raw := f.request("GET", "/readyz", "", "", nil); st != http.StatusServiceUnavailable || !strings.Contains(raw, "WHATSAPP_APP_SECRET") {
		t.Errorf("readyz: %d %s, want 503 naming WHATSAPP_APP_SECRET", st, raw)
	}

	dev := newChanFixture(t, storetest.Open(t), chanOptions{dev: true, cases: &recordingCases{}})
	if st, raw := dev.deliver(body, ""); st != http.StatusOK {
		t.Errorf("dev, unsigned from loopback: %d %s", st, raw)
	}
	other := metaDelivery(metaEntry(cityNumberID, nil, metaText("wamid.FORGED2", budiWA, at, "HAI LURAH Taman, palsu.")))
	if st, raw := dev.request("POST", "/webhook/whatsapp", "application/json", other, map[string]string{"X-Forwarded-For": "203.0.113.9"}); st != http.StatusForbidden {
		t.Errorf("dev, unsigned through a proxy: %d %s, want 403", st, raw)
	}
	if st, raw := dev.request("GET", "/readyz", "", "", nil); st != http.StatusOK {
		t.Errorf("dev readyz: %d %s", st, raw)
	}
}
