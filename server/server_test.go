package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
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

const testPassword = "rahasia-sekali"

// fixture is a server on a real store with one user per role.
type fixture struct {
	t   *testing.T
	db  *store.DB
	srv *server.Server
	ts  *httptest.Server
	now *clock
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newFixture(t *testing.T, db *store.DB, checks ...server.Check) *fixture {
	t.Helper()
	return newFixtureAt(t, db, time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC), checks...)
}

// newFixtureAt is newFixture with the clock starting at start. The server
// and the store read the same clock, as in the program, so nothing depends
// on the day the test runs.
func newFixtureAt(t *testing.T, db *store.DB, start time.Time, checks ...server.Check) *fixture {
	t.Helper()
	clk := &clock{t: start}
	db.SetNow(clk.Now)
	ctx := context.Background()
	for _, k := range []hailurah.Kelurahan{{Code: "taman", Name: "Taman"}, {Code: "demangan", Name: "Demangan"}} {
		if err := db.UpsertKelurahan(ctx, &k); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range []hailurah.Unit{{Code: "pupr", Name: "Dinas PUPR"}, {Code: "dlh", Name: "Dinas Lingkungan Hidup"}} {
		if err := db.UpsertUnit(ctx, &u); err != nil {
			t.Fatal(err)
		}
	}
	users := []hailurah.User{
		{Username: "admin", Name: "Admin", Role: hailurah.RoleAdmin},
		{Username: "moderator", Name: "Moderator Taman", Role: hailurah.RoleModerator, Kelurahan: "taman"},
		{Username: "lurah", Name: "Lurah Taman", Role: hailurah.RoleLurah, Kelurahan: "taman"},
		{Username: "dinas-pupr", Name: "Petugas PUPR", Role: hailurah.RoleDinas, Unit: "pupr"},
		{Username: "fasilitator", Name: "Fasilitator", Role: hailurah.RoleFasilitator, Kelurahan: "taman"},
	}
	for _, u := range users {
		if err := db.CreateUser(ctx, &u, testPassword); err != nil {
			t.Fatal(err)
		}
	}
	srv, err := server.New(server.Config{Users: db, Audit: db, Kelurahan: db, Checks: checks, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &fixture{t: t, db: db, srv: srv, ts: ts, now: clk}
}

// client is a browser-like HTTP client with a cookie jar.
type client struct {
	f    *fixture
	http *http.Client
	csrf string
}

func (f *fixture) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{f: f, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

func (c *client) do(method, path, body string, header map[string]string) (*http.Response, map[string]any) {
	c.f.t.Helper()
	req, err := http.NewRequest(method, c.f.ts.URL+path, strings.NewReader(body))
	if err != nil {
		c.f.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.f.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return resp, out
}

func (c *client) login(username, password string) (*http.Response, map[string]any) {
	b, _ := json.Marshal(map[string]string{"username": username, "password": password})
	resp, out := c.do("POST", "/api/v1/login", string(b), nil)
	if tok, ok := out["csrf_token"].(string); ok {
		c.csrf = tok
	}
	return resp, out
}

func errorCode(out map[string]any) string {
	e, _ := out["error"].(map[string]any)
	code, _ := e["code"].(string)
	return code
}

func TestLoginMeLogout(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		c := f.client()

		resp, out := c.do("GET", "/api/v1/me", "", nil)
		if resp.StatusCode != http.StatusUnauthorized || errorCode(out) != hailurah.EUNAUTHORIZED {
			t.Fatalf("me before login: %d %v", resp.StatusCode, out)
		}
		resp, out = c.login("moderator", testPassword)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("login: %d %v", resp.StatusCode, out)
		}
		if out["username"] != "moderator" || out["role"] != "moderator" || c.csrf == "" {
			t.Fatalf("login body: %v", out)
		}
		var cookie *http.Cookie
		for _, ck := range resp.Cookies() {
			if ck.Name == "hailurah_session" {
				cookie = ck
			}
		}
		if cookie == nil || !cookie.HttpOnly || cookie.SameSite == http.SameSiteNoneMode || cookie.SameSite == 0 {
			t.Fatalf("session cookie must be HttpOnly and SameSite: %+v", cookie)
		}
		resp, out = c.do("GET", "/api/v1/me", "", nil)
		if resp.StatusCode != http.StatusOK || out["username"] != "moderator" || out["kelurahan"] != "taman" || out["csrf_token"] != c.csrf {
			t.Fatalf("me: %d %v", resp.StatusCode, out)
		}

		// Logout without the CSRF token is refused; with it, the session dies
		// on the server, so replaying the old cookie fails.
		resp, out = c.do("POST", "/api/v1/logout", "", nil)
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("logout without csrf: %d %v", resp.StatusCode, out)
		}
		resp, _ = c.do("POST", "/api/v1/logout", "", map[string]string{"X-CSRF-Token": c.csrf})
		if resp.StatusCode != http.StatusNoContent {
			t.Fatalf("logout: %d", resp.StatusCode)
		}
		replay := f.client()
		u, _ := url.Parse(f.ts.URL)
		replay.http.Jar.SetCookies(u, []*http.Cookie{{Name: "hailurah_session", Value: cookie.Value}})
		resp, _ = replay.do("GET", "/api/v1/me", "", nil)
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("old cookie after logout: %d", resp.StatusCode)
		}
	})
}

func TestLoginRejections(t *testing.T) {
	f := newFixture(t, storetest.Open(t))
	c := f.client()
	if resp, out := c.login("moderator", "salah-sandi"); resp.StatusCode != http.StatusUnauthorized || errorCode(out) != hailurah.EUNAUTHORIZED {
		t.Fatalf("wrong password: %d %v", resp.StatusCode, out)
	}
	if resp, _ := c.login("tidak-ada", "apa-saja-123"); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("unknown user: %d", resp.StatusCode)
	}
	if resp, out := c.do("POST", "/api/v1/login", `{"username":`, nil); resp.StatusCode != http.StatusUnprocessableEntity || errorCode(out) != hailurah.EINVALID {
		t.Fatalf("bad json: %d %v", resp.StatusCode, out)
	}
	resp, _ := c.do("POST", "/api/v1/login", "", map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	if resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Fatalf("form login on the JSON API: %d", resp.StatusCode)
	}
	big := `{"username":"` + strings.Repeat("a", 2<<20) + `","password":"x"}`
	if resp, out := c.do("POST", "/api/v1/login", big, nil); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("2 MiB body: %d %v", resp.StatusCode, out)
	}
}

func TestLoginThrottling(t *testing.T) {
	f := newFixture(t, storetest.Open(t))
	c := f.client()
	for i := 0; i < 5; i++ {
		if resp, _ := c.login("lurah", "salah-sandi"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i+1, resp.StatusCode)
		}
	}
	// The sixth attempt is refused even with the right password.
	resp, out := c.login("lurah", testPassword)
	if resp.StatusCode != http.StatusTooManyRequests || errorCode(out) != hailurah.ETOOMANY || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("after 5 failures: %d %v", resp.StatusCode, out)
	}
	// Other users are not locked out by one user's failures.
	if resp, _ := c.login("moderator", testPassword); resp.StatusCode != http.StatusOK {
		t.Fatalf("other user: %d", resp.StatusCode)
	}
	f.now.Add(16 * time.Minute)
	if resp, _ := c.login("lurah", testPassword); resp.StatusCode != http.StatusOK {
		t.Fatalf("after the window: %d", resp.StatusCode)
	}
}

func TestLoginThrottlingPerIP(t *testing.T) {
	f := newFixture(t, storetest.Open(t))
	c := f.client()
	// One address guessing many usernames is stopped after 20 failures.
	for i := 0; i < 20; i++ {
		c.login("tebakan-"+string(rune('a'+i)), "salah-sandi")
	}
	if resp, _ := c.login("moderator", testPassword); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("after 20 failures from one IP: %d", resp.StatusCode)
	}
}

// TestSessionTimeouts runs with the program's clock at a fixed day and a
// year either side of the wall clock: sessions live by the program's one
// clock, never by the day the test runs.
func TestSessionTimeouts(t *testing.T) {
	wall := time.Now().UTC().Truncate(time.Second)
	for name, start := range map[string]time.Time{
		"fixed":            time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC),
		"year after wall":  wall.AddDate(1, 0, 0),
		"year before wall": wall.AddDate(-1, 0, 0),
	} {
		t.Run(name, func(t *testing.T) { sessionTimeouts(t, start) })
	}
}

func sessionTimeouts(t *testing.T, start time.Time) {
	f := newFixtureAt(t, storetest.Open(t), start)
	c := f.client()
	c.login("moderator", testPassword)
	if resp, out := c.do("GET", "/api/v1/me", "", nil); resp.StatusCode != http.StatusOK || out["username"] != "moderator" {
		t.Fatalf("right after login: %d %v", resp.StatusCode, out)
	}
	f.now.Add(90 * time.Minute)
	if resp, _ := c.do("GET", "/api/v1/me", "", nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("within idle timeout: %d", resp.StatusCode)
	}
	f.now.Add(2*time.Hour + time.Minute)
	if resp, _ := c.do("GET", "/api/v1/me", "", nil); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("after idle timeout: %d", resp.StatusCode)
	}
	// Absolute timeout: active all day, still expires after 12 hours.
	c.login("moderator", testPassword)
	for i := 0; i < 13; i++ {
		f.now.Add(time.Hour)
		resp, _ := c.do("GET", "/api/v1/me", "", nil)
		if i < 11 && resp.StatusCode != http.StatusOK {
			t.Fatalf("hour %d: %d", i+1, resp.StatusCode)
		}
		if i == 12 && resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("after 13 hours: %d", resp.StatusCode)
		}
	}
}

func TestBearerToken(t *testing.T) {
	db := storetest.Open(t)
	f := newFixture(t, db)
	admin, err := db.FindUserByUsername(context.Background(), "admin")
	if err != nil {
		t.Fatal(err)
	}
	_, secret, err := db.CreateAPIToken(context.Background(), admin.ID, "gateway")
	if err != nil {
		t.Fatal(err)
	}
	c := f.client()
	resp, out := c.do("GET", "/api/v1/me", "", map[string]string{"Authorization": "Bearer " + secret})
	if resp.StatusCode != http.StatusOK || out["username"] != "admin" || out["csrf_token"] != "" {
		t.Fatalf("bearer me: %d %v", resp.StatusCode, out)
	}
	// Bearer requests carry no ambient credential, so they need no CSRF token.
	if resp, _ := c.do("POST", "/api/v1/logout", "", map[string]string{"Authorization": "Bearer " + secret}); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("bearer write without csrf: %d", resp.StatusCode)
	}
	for _, h := range []string{"Bearer hl_salah", "Basic abc", "Bearer "} {
		if resp, _ := c.do("GET", "/api/v1/me", "", map[string]string{"Authorization": h}); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("%q: %d", h, resp.StatusCode)
		}
	}
}

func TestRolePages(t *testing.T) {
	f := newFixture(t, storetest.Open(t))
	anon := f.client()
	resp, _ := anon.do("GET", "/antrian", "", map[string]string{"Accept": "text/html"})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
		t.Fatalf("anonymous page: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	cases := []struct {
		user, home string
		denied     string
	}{
		{"moderator", "/antrian", "/tugas"},
		{"dinas-pupr", "/tugas", "/antrian"},
		{"lurah", "/kotak-masuk", "/admin"},
		{"fasilitator", "/rumah-tangga", "/kotak-masuk"},
		{"admin", "/admin", "/tugas"},
	}
	for _, tc := range cases {
		c := f.client()
		c.login(tc.user, testPassword)
		// The front page is the citizens'; staff find their work from it.
		if code, body := c.page("GET", "/", nil); code != http.StatusOK || !strings.Contains(body, `<a href="`+tc.home+`">Masuk ke halaman kerja</a>`) {
			t.Errorf("%s front page: %d, no link to %s", tc.user, code, tc.home)
		}
		if resp, _ := c.do("GET", tc.home, "", nil); resp.StatusCode != http.StatusOK {
			t.Errorf("%s %s: %d", tc.user, tc.home, resp.StatusCode)
		}
		if resp, _ := c.do("GET", tc.denied, "", nil); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s %s: %d, want 403", tc.user, tc.denied, resp.StatusCode)
		}
	}
}

func TestWebLoginForm(t *testing.T) {
	f := newFixture(t, storetest.Open(t))
	c := f.client()
	resp, err := c.http.Get(f.ts.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), "Masuk petugas") {
		t.Fatalf("login page: %d", resp.StatusCode)
	}
	token := between(string(page), `name="csrf_token" value="`, `"`)
	if token == "" {
		t.Fatal("no csrf token in the login form")
	}
	post := func(form url.Values) *http.Response {
		resp, err := c.http.PostForm(f.ts.URL+"/login", form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := post(url.Values{"username": {"moderator"}, "password": {testPassword}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("form without csrf: %d", resp.StatusCode)
	}
	if resp := post(url.Values{"csrf_token": {token}, "username": {"moderator"}, "password": {""}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("empty password: %d", resp.StatusCode)
	}
	// The failed attempts above re-rendered the form with a fresh token.
	resp, _ = c.http.Get(f.ts.URL + "/login")
	page, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	token = between(string(page), `name="csrf_token" value="`, `"`)
	resp = post(url.Values{"csrf_token": {token}, "username": {"moderator"}, "password": {testPassword}, "next": {"https://jahat.example/"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/antrian" {
		t.Fatalf("form login: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func between(s, start, end string) string {
	i := strings.Index(s, start)
	if i < 0 {
		return ""
	}
	s = s[i+len(start):]
	j := strings.Index(s, end)
	if j < 0 {
		return ""
	}
	return s[:j]
}

func TestHealthAndErrors(t *testing.T) {
	var down bool
	var mu sync.Mutex
	check := server.Check{Name: "temporal", Ping: func(context.Context) error {
		mu.Lock()
		defer mu.Unlock()
		if down {
			return context.DeadlineExceeded
		}
		return nil
	}}
	db := storetest.Open(t)
	f := newFixture(t, db, server.Check{Name: "database", Ping: db.Ping}, check)
	c := f.client()
	if resp, _ := c.do("GET", "/healthz", "", nil); resp.StatusCode != 200 {
		t.Fatalf("healthz: %d", resp.StatusCode)
	}
	if resp, out := c.do("GET", "/readyz", "", nil); resp.StatusCode != 200 || out["status"] != "ok" {
		t.Fatalf("readyz: %d %v", resp.StatusCode, out)
	}
	mu.Lock()
	down = true
	mu.Unlock()
	resp, out := c.do("GET", "/readyz", "", nil)
	checks, _ := out["checks"].(map[string]any)
	if resp.StatusCode != http.StatusServiceUnavailable || checks["temporal"] != "unavailable" || checks["database"] != "ok" {
		t.Fatalf("readyz with temporal down: %d %v", resp.StatusCode, out)
	}
	if resp, out := c.do("GET", "/api/v1/tidak-ada", "", nil); resp.StatusCode != 404 || errorCode(out) != hailurah.ENOTFOUND {
		t.Fatalf("unknown api route: %d %v", resp.StatusCode, out)
	}
	resp, _ = c.do("GET", "/metrics", "", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("metrics: %d", resp.StatusCode)
	}
	resp, _ = c.do("GET", "/login", "", nil)
	for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy"} {
		if resp.Header.Get(h) == "" {
			t.Errorf("missing security header %s", h)
		}
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP: %s", csp)
	}
}

func TestAuditLog(t *testing.T) {
	f := newFixture(t, storetest.Open(t))
	mod := f.client()
	mod.login("moderator", testPassword)
	mod.login("moderator", "salah-sandi")
	if resp, _ := mod.do("GET", "/api/v1/audit", "", nil); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("moderator reads the audit log: %d", resp.StatusCode)
	}
	admin := f.client()
	admin.login("admin", testPassword)
	resp, out := admin.do("GET", "/api/v1/audit?limit=2", "", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("audit: %d %v", resp.StatusCode, out)
	}
	items, _ := out["items"].([]any)
	if len(items) != 2 || out["next_before"] == nil {
		t.Fatalf("first page: %v", out)
	}
	first := items[0].(map[string]any)
	if first["action"] != "login" || first["actor"] != "admin" {
		t.Errorf("newest entry: %v", first)
	}
	next := int(out["next_before"].(float64))
	resp, out = admin.do("GET", "/api/v1/audit?before="+strconv.Itoa(next), "", nil)
	rest, _ := out["items"].([]any)
	actions := map[string]bool{}
	for _, it := range rest {
		actions[it.(map[string]any)["action"].(string)] = true
	}
	if resp.StatusCode != http.StatusOK || !actions["login"] {
		t.Errorf("older entries: %d %v", resp.StatusCode, out)
	}
	if resp, _ := admin.do("GET", "/api/v1/audit?limit=0", "", nil); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("limit=0: %d", resp.StatusCode)
	}
	resp, _ = admin.do("GET", "/admin/audit", "", nil)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("audit page: %d", resp.StatusCode)
	}
}

// TestForwardedForIgnoredByDefault: without trusted proxies a client
// cannot escape the per-IP login limit by inventing X-Forwarded-For.
func TestForwardedForIgnoredByDefault(t *testing.T) {
	f := newFixture(t, storetest.Open(t))
	c := f.client()
	for i := 0; i < 20; i++ {
		b, _ := json.Marshal(map[string]string{"username": "tebakan-" + strconv.Itoa(i), "password": "salah-sandi"})
		c.do("POST", "/api/v1/login", string(b), map[string]string{"X-Forwarded-For": "203.0.113." + strconv.Itoa(i)})
	}
	b, _ := json.Marshal(map[string]string{"username": "moderator", "password": testPassword})
	resp, _ := c.do("POST", "/api/v1/login", string(b), map[string]string{"X-Forwarded-For": "203.0.113.200"})
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("a forged X-Forwarded-For escaped the per-IP limit: %d", resp.StatusCode)
	}
}
