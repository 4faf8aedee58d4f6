package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	reports "github.com/hailurah/hailurah/report"
	"github.com/hailurah/hailurah/server"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/mapstore"
	"github.com/hailurah/hailurah/store/reportstore"
	"github.com/hailurah/hailurah/store/storetest"
	"github.com/hailurah/hailurah/workflows"
)

// pilotRunner stands in for Temporal in the HTTP tests: it records what
// the handlers hand over and answers as the workflow would, projecting a
// signed decision into the real store. The workflow itself is tested in
// workflows/, and the whole path on the real embedded server in
// cmd/hailurah/pilot_test.go.
type pilotRunner struct {
	mu       sync.Mutex
	db       *store.DB
	started  []hailurah.PilotInput
	decided  []hailurah.DecisionRequest
	startErr error
	// decideErr is the workflow's refusal, as workflows.Client maps it.
	decideErr error
}

func (r *pilotRunner) StartPilot(_ context.Context, in hailurah.PilotInput) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.startErr != nil {
		return r.startErr
	}
	r.started = append(r.started, in)
	return nil
}

func (r *pilotRunner) DecidePilot(ctx context.Context, id string, req hailurah.DecisionRequest) (*hailurah.Pilot, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.decided = append(r.decided, req)
	if r.decideErr != nil {
		return nil, r.decideErr
	}
	p, err := r.db.FindPilot(ctx, id)
	if err != nil {
		return nil, err
	}
	d := hailurah.PilotDecision{PilotID: id, Cycle: p.Cycle, Decision: req.Decision, Rationale: req.Rationale,
		DecidedBy: req.Actor.Username, DecidedAt: time.Now()}
	p.Version++
	switch req.Decision {
	case hailurah.DecisionStop:
		p.Status = hailurah.PilotStopped
	case hailurah.DecisionScale:
		// The workflow continues into the next cycle with the wider scope.
		p.Cycle++
		p.Scope = req.Scope
	}
	if err := r.db.ProjectPilot(ctx, &hailurah.PilotProjection{Pilot: p, Decision: &d}); err != nil {
		return nil, err
	}
	p.Decisions = append(p.Decisions, d)
	return p, nil
}

type pilotFixture struct {
	t      *testing.T
	db     *store.DB
	runner *pilotRunner
	ts     *httptest.Server
	now    time.Time
}

// The fixture's clock: 27 November 2026, 09:00 WIB.
var fixtureNow = time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)

func newPilotFixture(t *testing.T, db *store.DB) *pilotFixture {
	t.Helper()
	ctx := context.Background()
	for _, k := range []hailurah.Kelurahan{{Code: "taman", Name: "Taman", GrantBudget: 150_000_000},
		{Code: "demangan", Name: "Demangan"}, {Code: "nambangan", Name: "Nambangan"}} {
		if err := db.UpsertKelurahan(ctx, &k); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.UpsertUnit(ctx, &hailurah.Unit{Code: "pupr", Name: "Dinas PUPR"}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []hailurah.User{
		{Username: "admin", Name: "Admin", Role: hailurah.RoleAdmin},
		{Username: "moderator", Name: "Moderator Taman", Role: hailurah.RoleModerator, Kelurahan: "taman"},
		{Username: "lurah", Name: "Lurah Taman", Role: hailurah.RoleLurah, Kelurahan: "taman"},
		{Username: "fasilitator", Name: "Fasilitator Taman", Role: hailurah.RoleFasilitator, Kelurahan: "taman"},
		{Username: "lurah-demangan", Name: "Lurah Demangan", Role: hailurah.RoleLurah, Kelurahan: "demangan"},
		{Username: "lurah-nambangan", Name: "Lurah Nambangan", Role: hailurah.RoleLurah, Kelurahan: "nambangan"},
		{Username: "dinas-pupr", Name: "Petugas PUPR", Role: hailurah.RoleDinas, Unit: "pupr"},
	} {
		if err := db.CreateUser(ctx, &u, "rahasia-123"); err != nil {
			t.Fatal(err)
		}
	}
	runner := &pilotRunner{db: db}
	db.SetNow(func() time.Time { return fixtureNow })
	srv, err := server.New(server.Config{Users: db, Audit: db, Kelurahan: db, Tickets: db, Notifications: db,
		Cases: &workflows.Client{}, Now: func() time.Time { return fixtureNow }, Logger: slog.New(slog.DiscardHandler),
		Pilots:  &server.Pilots{Store: db, KPIs: db, Runner: runner, Map: mapstore.New(db)},
		Reports: &server.Reports{Sources: reports.Sources{KPIs: db, Tickets: db, Grants: db, Kelurahan: db}, Store: reportstore.New(db)}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &pilotFixture{t: t, db: db, runner: runner, ts: ts, now: fixtureNow}
}

// staffClient is a logged-in browser-like client; "" stays anonymous.
type staffClient struct {
	f    *pilotFixture
	http *http.Client
	csrf string
}

func (f *pilotFixture) as(username string) *staffClient {
	f.t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &staffClient{f: f, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	if username == "" {
		return c
	}
	var out map[string]any
	if st, _ := c.json("POST", "/api/v1/login", map[string]string{"username": username, "password": "rahasia-123"}, &out); st != http.StatusOK {
		f.t.Fatalf("login %s: %d", username, st)
	}
	c.csrf, _ = out["csrf_token"].(string)
	return c
}

// raw sends a request and returns the status, headers and body.
func (c *staffClient) raw(method, path, contentType string, body io.Reader) (int, http.Header, string) {
	c.f.t.Helper()
	req, err := http.NewRequest(method, c.f.ts.URL+path, body)
	if err != nil {
		c.f.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// json sends body as JSON and decodes the answer into out.
func (c *staffClient) json(method, path string, body, out any) (int, string) {
	c.f.t.Helper()
	var r io.Reader
	ct := ""
	if body != nil {
		b, _ := json.Marshal(body)
		r, ct = bytes.NewReader(b), "application/json"
	}
	st, _, raw := c.raw(method, path, ct, r)
	if out != nil && raw != "" {
		if err := json.Unmarshal([]byte(raw), out); err != nil {
			c.f.t.Fatalf("%s %s: %d, not JSON: %s", method, path, st, raw)
		}
	}
	return st, raw
}

// form posts a form with the session's CSRF token.
func (c *staffClient) form(path string, v url.Values) (int, http.Header, string) {
	v.Set("csrf_token", c.csrf)
	return c.raw("POST", path, "application/x-www-form-urlencoded", strings.NewReader(v.Encode()))
}

// apiErr is an error answer.
type apiErr struct {
	Error struct{ Code, Message, Field string } `json:"error"`
}

func (c *staffClient) wantError(method, path string, body any, status int, field string) apiErr {
	c.f.t.Helper()
	var e apiErr
	st, raw := c.json(method, path, body, &e)
	if st != status || (field != "" && e.Error.Field != field) || e.Error.Message == "" {
		c.f.t.Errorf("%s %s: %d %s, want %d on field %q", method, path, st, raw, status, field)
	}
	return e
}

func pilotBody(start string) map[string]any {
	return map[string]any{
		"name": "Pelatihan digital RW01", "component": "pelatihan", "start_date": start, "owner": "fasilitator",
		"scope":   []map[string]string{{"rw": "1"}, {"rw": "02", "rt": "3"}},
		"targets": []map[string]any{{"kpi": "trained", "target": 100}, {"kpi": "women_share_pct", "target": 50}},
	}
}

func TestCreatePilot(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newPilotFixture(t, db)
		lurah := f.as("lurah")
		var created struct{ ID, Status string }
		st, raw := lurah.json("POST", "/api/v1/pilots", pilotBody("2026-09-08"), &created)
		if st != http.StatusCreated || created.ID != "PL-2026-001" || created.Status != "running" {
			t.Fatalf("create: %d %s", st, raw)
		}
		if len(f.runner.started) != 1 {
			t.Fatalf("workflow starts: %d", len(f.runner.started))
		}
		in := f.runner.started[0].Pilot
		if in.ID != created.ID || in.Kelurahan != "taman" || in.CreatedBy != "lurah" || len(in.Scope) != 2 ||
			in.Scope[0] != (hailurah.PilotArea{Kelurahan: "taman", RW: "01"}) || in.Scope[1] != (hailurah.PilotArea{Kelurahan: "taman", RW: "02", RT: "03"}) {
			t.Errorf("workflow input: %+v", in)
		}
		// Started 80 days ago: the three milestones are already missed.
		var got struct {
			Status    string
			Day       int
			Packet    *json.RawMessage
			Decisions []any
			Deadlines struct {
				Milestones  []hailurah.PilotMilestone
				DecisionDue time.Time `json:"decision_due"`
			}
		}
		if st, raw := lurah.json("GET", "/api/v1/pilots/"+created.ID, nil, &got); st != http.StatusOK || got.Day != 80 || got.Packet != nil ||
			len(got.Deadlines.Milestones) != 3 || got.Deadlines.Milestones[0].Status != hailurah.MilestoneMissed || got.Decisions == nil {
			t.Errorf("pilot: %d %s", st, raw)
		}
		entries, err := db.ListAudit(context.Background(), 10, 0)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range entries {
			found = found || (e.Action == "pilot.create" && e.Target == created.ID && e.Actor == "lurah")
		}
		if !found {
			t.Errorf("no audit entry for the pilot: %+v", entries)
		}

		admin := f.as("admin")
		admin.wantError("POST", "/api/v1/pilots", pilotBody("2026-11-01"), http.StatusUnprocessableEntity, "kelurahan")
		body := pilotBody("2026-11-01")
		body["kelurahan"], body["owner"] = "demangan", "admin"
		if st, raw := admin.json("POST", "/api/v1/pilots", body, &created); st != http.StatusCreated {
			t.Errorf("admin for demangan: %d %s", st, raw)
		}
		f.as("moderator").wantError("POST", "/api/v1/pilots", pilotBody("2026-11-01"), http.StatusForbidden, "")
		f.as("").wantError("POST", "/api/v1/pilots", pilotBody("2026-11-01"), http.StatusUnauthorized, "")
		other := pilotBody("2026-11-01")
		other["kelurahan"] = "demangan"
		lurah.wantError("POST", "/api/v1/pilots", other, http.StatusForbidden, "")

		for field, change := range map[string]func(map[string]any){
			"name":       func(b map[string]any) { b["name"] = "  " },
			"component":  func(b map[string]any) { b["component"] = "x" },
			"start_date": func(b map[string]any) { b["start_date"] = "08-09-2026" },
			"targets": func(b map[string]any) {
				b["targets"] = []map[string]any{{"kpi": "happiness", "target": 1}}
			},
			"scope": func(b map[string]any) { b["scope"] = []map[string]string{{"kelurahan": "atlantis"}} },
			"owner": func(b map[string]any) { b["owner"] = "lurah-demangan" },
		} {
			b := pilotBody("2026-11-01")
			change(b)
			e := lurah.wantError("POST", "/api/v1/pilots", b, http.StatusUnprocessableEntity, field)
			if strings.Contains(e.Error.Message, "invalid") {
				t.Errorf("%s: message not in Indonesian: %q", field, e.Error.Message)
			}
		}
		far := pilotBody("2024-01-01")
		lurah.wantError("POST", "/api/v1/pilots", far, http.StatusUnprocessableEntity, "start_date")
		pct := pilotBody("2026-11-01")
		pct["targets"] = []map[string]any{{"kpi": "women_share_pct", "target": 150}}
		lurah.wantError("POST", "/api/v1/pilots", pct, http.StatusUnprocessableEntity, "targets")

		// Temporal down: 503, and no pilot is left without a workflow.
		f.runner.startErr = hailurah.Errorf(hailurah.EUNAVAILABLE, "Layanan alur kerja sedang tidak tersedia.")
		lurah.wantError("POST", "/api/v1/pilots", pilotBody("2026-11-01"), http.StatusServiceUnavailable, "")
		if list, _ := db.ListPilots(context.Background(), hailurah.PilotFilter{Kelurahan: "taman"}); len(list) != 1 {
			t.Errorf("pilots after a failed start: %d, want 1", len(list))
		}
	})
}

func TestPilotVisibilityAndDecision(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newPilotFixture(t, db)
		lurah := f.as("lurah")
		var created struct{ ID string }
		body := pilotBody("2026-09-08")
		body["scope"] = []map[string]string{{"rw": "01"}}
		if st, raw := lurah.json("POST", "/api/v1/pilots", body, &created); st != http.StatusCreated {
			t.Fatalf("create: %d %s", st, raw)
		}
		path := "/api/v1/pilots/" + created.ID
		if st, raw := f.as("lurah-nambangan").json("GET", path, nil, nil); st != http.StatusNotFound {
			t.Errorf("GET as lurah-nambangan before the scale decision: %d %s, want 404", st, raw)
		}
		// A new pilot stays in its kelurahan; Nambangan RW 04 joins through
		// a signed scale decision.
		scale := map[string]any{"decision": "scale", "rationale": "Capaian baik; direplikasi ke Nambangan RW 04.",
			"scope": []map[string]string{{"rw": "01"}, {"kelurahan": "nambangan", "rw": "04"}}}
		if st, raw := lurah.json("POST", path+"/decision", scale, nil); st != http.StatusOK {
			t.Fatalf("scale: %d %s", st, raw)
		}
		f.runner.decided = nil
		for user, want := range map[string]int{"lurah": 200, "moderator": 200, "fasilitator": 200, "admin": 200,
			"lurah-nambangan": 200, "lurah-demangan": 404, "dinas-pupr": 403} {
			if st, raw := f.as(user).json("GET", path, nil, nil); st != want {
				t.Errorf("GET as %s: %d %s, want %d", user, st, raw, want)
			}
		}
		f.as("lurah").wantError("GET", "/api/v1/pilots/PL-nonsense", nil, http.StatusNotFound, "")
		var list struct{ Items []map[string]any }
		if st, _ := f.as("lurah-nambangan").json("GET", "/api/v1/pilots", nil, &list); st != 200 || len(list.Items) != 1 {
			t.Errorf("nambangan's list: %d items", len(list.Items))
		}
		if st, _ := f.as("admin").json("GET", "/api/v1/pilots?kelurahan=demangan", nil, &list); st != 200 || len(list.Items) != 0 {
			t.Errorf("admin's demangan list: %d items", len(list.Items))
		}
		f.as("admin").wantError("GET", "/api/v1/pilots?status=lost", nil, http.StatusUnprocessableEntity, "status")
		f.as("moderator").wantError("GET", "/api/v1/pilots?kelurahan=demangan", nil, http.StatusForbidden, "")

		decision := map[string]any{"decision": "stop", "rationale": "Target pelatihan jauh di bawah rencana; dana dialihkan ke hibah."}
		dpath := path + "/decision"
		f.as("moderator").wantError("POST", dpath, decision, http.StatusForbidden, "")
		f.as("admin").wantError("POST", dpath, decision, http.StatusForbidden, "")
		f.as("lurah-demangan").wantError("POST", dpath, decision, http.StatusNotFound, "")
		lurah.wantError("POST", dpath, map[string]any{"decision": "stop", "rationale": "ok"}, http.StatusUnprocessableEntity, "rationale")
		lurah.wantError("POST", dpath, map[string]any{"decision": "pause", "rationale": decision["rationale"]}, http.StatusUnprocessableEntity, "decision")
		lurah.wantError("POST", dpath, map[string]any{"decision": "scale", "rationale": decision["rationale"],
			"scope": []map[string]string{{"kelurahan": "atlantis"}}}, http.StatusUnprocessableEntity, "scope")
		if len(f.runner.decided) != 0 {
			t.Fatalf("invalid decisions reached the workflow: %+v", f.runner.decided)
		}
		// The workflow's own refusals keep their status and message.
		f.runner.decideErr = hailurah.Errorf(hailurah.ECONFLICT, "Keputusan baru dapat ditandatangani setelah paket evaluasi hari ke-76 tersedia.")
		if e := lurah.wantError("POST", dpath, decision, http.StatusConflict, ""); !strings.Contains(e.Error.Message, "hari ke-76") {
			t.Errorf("conflict message: %q", e.Error.Message)
		}
		f.runner.decideErr = nil
		var after struct {
			Status    string
			Decisions []hailurah.PilotDecision
		}
		if st, raw := lurah.json("POST", dpath, decision, &after); st != http.StatusOK || after.Status != "stopped" ||
			len(after.Decisions) != 2 || after.Decisions[1].Decision != "stop" || after.Decisions[1].DecidedBy != "lurah" {
			t.Fatalf("decision: %d %s", st, raw)
		}
		if req := f.runner.decided[len(f.runner.decided)-1]; req.Actor.Username != "lurah" || req.Actor.Role != hailurah.RoleLurah {
			t.Errorf("the actor came from the body, not the session: %+v", req.Actor)
		}
		// Stopped: a second decision is refused without asking the workflow.
		n := len(f.runner.decided)
		lurah.wantError("POST", dpath, decision, http.StatusConflict, "")
		if len(f.runner.decided) != n {
			t.Error("a decision on a stopped pilot reached the workflow")
		}
	})
}

func TestPilotPages(t *testing.T) {
	db := storetest.Open(t)
	f := newPilotFixture(t, db)
	lurah := f.as("lurah")
	// The form: scope as text, targets as Indonesian numbers.
	form := url.Values{"name": {"Padat karya drainase"}, "component": {"lainnya"}, "component_other": {"Drainase warga"},
		"start_date": {"2026-11-20"}, "scope": {"RW01, RT03/RW02"}, "owner": {"fasilitator"},
		"target_padat_karya_workers": {"40"}, "target_grant_budget_used": {"25.000.000"}, "target_women_share_pct": {"37,5"}}
	st, h, _ := lurah.form("/pilot", form)
	if st != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/pilot/PL-2026-") {
		t.Fatalf("create form: %d %v", st, h)
	}
	in := f.runner.started[0].Pilot
	targets := map[string]float64{}
	for _, x := range in.Targets {
		targets[x.KPI] = x.Target
	}
	if in.Component != "Drainase warga" || len(in.Targets) != 3 || targets[hailurah.KPIGrantBudgetUsed] != 25_000_000 ||
		targets[hailurah.KPIWomenSharePct] != 37.5 || targets[hailurah.KPIPadatKaryaWorkers] != 40 {
		t.Errorf("from the form: %+v", in)
	}
	st, _, page := lurah.raw("GET", h.Get("Location"), "", nil)
	if st != http.StatusOK || !strings.Contains(page, "Padat karya drainase") || !strings.Contains(page, "Hari ke-14") ||
		!strings.Contains(page, "Formulir keputusan terbuka setelah paket evaluasi") {
		t.Errorf("pilot page: %d", st)
	}
	// A bad form comes back with the message next to the field.
	form.Set("scope", "RT05")
	st, _, page = lurah.form("/pilot", form)
	if st != http.StatusUnprocessableEntity || !strings.Contains(page, "harus disertai RW") || !strings.Contains(page, `aria-invalid="true"`) {
		t.Errorf("bad form: %d", st)
	}
	for path, want := range map[string]int{"/pilot": 200, "/dasbor": 200, "/siap-taman": 200} {
		if st, _, _ := f.as("moderator").raw("GET", path, "", nil); st != want {
			t.Errorf("moderator %s: %d", path, st)
		}
		if st, _, _ := f.as("dinas-pupr").raw("GET", path, "", nil); st != http.StatusForbidden {
			t.Errorf("dinas %s: %d", path, st)
		}
		if st, h, _ := f.as("").raw("GET", path, "", nil); st != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/login") {
			t.Errorf("anonymous %s: %d", path, st)
		}
	}
	// The moderator sees no form to start a pilot.
	if _, _, page := f.as("moderator").raw("GET", "/pilot", "", nil); strings.Contains(page, `action="/pilot"`) {
		t.Error("the moderator was offered the form")
	}
}

// TestOpenAPIDocumentsPilotRoutes fails when a route pilotRoutes registers
// is missing from /api/openapi.json, or a schema it names does not exist.
func TestOpenAPIDocumentsPilotRoutes(t *testing.T) {
	db := storetest.Open(t)
	f := newPilotFixture(t, db)
	plain, err := server.New(server.Config{Users: db, Audit: db, Kelurahan: db, Tickets: db, Notifications: db, Cases: &workflows.Client{}})
	if err != nil {
		t.Fatal(err)
	}
	full, err := server.New(server.Config{Users: db, Audit: db, Kelurahan: db, Tickets: db, Notifications: db, Cases: &workflows.Client{},
		Pilots: &server.Pilots{Store: db, KPIs: db, Runner: f.runner}})
	if err != nil {
		t.Fatal(err)
	}
	base := map[string]bool{}
	for _, r := range plain.Routes() {
		base[r] = true
	}
	_, _, raw := f.as("").raw("GET", "/api/openapi.json", "", nil)
	var doc struct {
		Paths      map[string]map[string]any `json:"paths"`
		WebPages   []string                  `json:"x-web-pages"`
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		t.Fatal(err)
	}
	pages := map[string]bool{}
	for _, p := range doc.WebPages {
		pages[p] = true
	}
	added := 0
	for _, r := range full.Routes() {
		if base[r] {
			continue
		}
		added++
		method, path, _ := strings.Cut(r, " ")
		oa := regexpParam.ReplaceAllString(path, "{$1}")
		if ops, ok := doc.Paths[oa]; ok {
			if _, ok := ops[strings.ToLower(method)]; !ok {
				t.Errorf("%s: documented without %s", path, method)
			}
		} else if !pages[path] {
			t.Errorf("%s %s is not in openapi.json", method, path)
		}
	}
	if added < 13 {
		t.Errorf("pilotRoutes added %d routes, want the 13 of the pilots, dashboards and open data", added)
	}
	for _, ref := range regexpRef.FindAllStringSubmatch(raw, -1) {
		if _, ok := doc.Components.Schemas[ref[1]]; !ok {
			t.Errorf("openapi.json refers to the missing schema %s", ref[1])
		}
	}
}

var (
	regexpParam = regexp.MustCompile(`:([A-Za-z_]+)`)
	regexpRef   = regexp.MustCompile(`"#/components/schemas/([A-Za-z]+)"`)
)
