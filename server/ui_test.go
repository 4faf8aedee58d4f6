package server_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/server"
	"github.com/hailurah/hailurah/store/storetest"
	"github.com/hailurah/hailurah/workflows"
)

// uiFixture is the server with the ticket pages on the real store. Its
// Cases has no Temporal client: these tests stop before the workflow (the
// browser tests in cmd/hailurah run the whole loop), so reaching it would
// fail them with a 500.
type uiFixture struct {
	*fixture
	dataDir string
}

type rulesText struct{ source, override string }

func (r rulesText) Source() string       { return r.source }
func (r rulesText) OverridePath() string { return r.override }

func newUIFixture(t *testing.T, rules server.RulesView) *uiFixture {
	t.Helper()
	return newUIFixtureIn(t, rules, hailurah.Zone{})
}

// newUIFixtureIn is newUIFixture for a kelurahan on zone's clock.
func newUIFixtureIn(t *testing.T, rules server.RulesView, zone hailurah.Zone) *uiFixture {
	t.Helper()
	db := storetest.Open(t)
	f := newFixture(t, db) // kelurahan, units and one user per role
	f.addOutOfScopeUsers()
	dir := t.TempDir()
	srv, err := server.New(server.Config{Users: db, Audit: db, Kelurahan: db, Notices: db, Tickets: db, Notifications: db,
		Cases: &workflows.Client{}, DataDir: dir, Rules: rules, Now: f.now.Now, Zone: zone})
	if err != nil {
		t.Fatal(err)
	}
	f.srv = srv
	f.ts.Config.Handler = srv.Handler()
	return &uiFixture{fixture: f, dataDir: dir}
}

func (f *uiFixture) ticket(t *testing.T, tk hailurah.Ticket) *hailurah.Ticket {
	t.Helper()
	if tk.TrackingCode == "" {
		tk.TrackingCode = "TRK" + strings.ReplaceAll(tk.ID, "-", "")
	}
	if tk.Channel == "" {
		tk.Channel = hailurah.ChannelWeb
	}
	tk.DatetimeReceived = f.now.Now().Add(-time.Hour)
	if err := f.db.CreateTicket(context.Background(), &tk); err != nil {
		t.Fatal(err)
	}
	if tk.Status != hailurah.StatusNew {
		tk.Version = 1
		if err := f.db.UpsertTicket(context.Background(), &tk); err != nil {
			t.Fatal(err)
		}
	}
	return &tk
}

// page fetches a page as a browser would and returns its status and body.
func (c *client) page(method, path string, form url.Values) (int, string) {
	c.f.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, c.f.ts.URL+path, body)
	req.Header.Set("Accept", "text/html")
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.f.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

// addOutOfScopeUsers adds staff who may not see the taman tickets or
// the PUPR tasks: DLH's officer and Demangan's moderator.
func (f *fixture) addOutOfScopeUsers() {
	f.t.Helper()
	for _, u := range []hailurah.User{
		{Username: "dinas-dlh", Name: "Petugas DLH", Role: hailurah.RoleDinas, Unit: "dlh"},
		{Username: "moderator-demangan", Name: "Moderator Demangan", Role: hailurah.RoleModerator, Kelurahan: "demangan"},
	} {
		if err := f.db.CreateUser(context.Background(), &u, testPassword); err != nil {
			f.t.Fatal(err)
		}
	}
}

func (f *fixture) as(t *testing.T, username string) *client {
	t.Helper()
	c := f.client()
	if resp, _ := c.login(username, testPassword); resp.StatusCode != http.StatusOK {
		t.Fatalf("login %s: %d", username, resp.StatusCode)
	}
	return c
}

func seedTickets(t *testing.T, f *uiFixture) (tamanOpen, demangan, puprTask, city *hailurah.Ticket) {
	due := f.now.Now().Add(5 * time.Hour)
	tamanOpen = f.ticket(t, hailurah.Ticket{ID: "HL-2026-000001", Kelurahan: "taman", RT: "03", RW: "02",
		MessageText: `Got <b>tebal</b> "><img src=x onerror=alert(1)> di RT 03`, Summary: "Saluran tersumbat di RT03/RW02.",
		Kategori: hailurah.KategoriLingkungan, UrgencyScore: 3, Status: hailurah.StatusOpen, ModeratorDue: &due,
		PrivacyFlag: true, SenderID: "sender-rahasia-123"})
	demangan = f.ticket(t, hailurah.Ticket{ID: "HL-2026-000002", Kelurahan: "demangan", MessageText: "Lampu jalan mati",
		Kategori: hailurah.KategoriInfrastruktur, UrgencyScore: 2, Status: hailurah.StatusOpen})
	puprTask = f.ticket(t, hailurah.Ticket{ID: "HL-2026-000003", Kelurahan: "taman", RT: "03", RW: "02", MessageText: "Jalan berlubang",
		Kategori: hailurah.KategoriLingkungan, UrgencyScore: 4, Status: hailurah.StatusInProgress, AssignedUnit: "pupr", DinasDue: &due})
	city = f.ticket(t, hailurah.Ticket{ID: "HL-2026-000004", MessageText: "Tidak tahu kelurahan mana", Status: hailurah.StatusOpen})
	return
}

// TestTicketPageInTheKelurahansZone: a WITA kelurahan reads every time on
// its own clock, named WITA, and its due dates end at 23.59 WITA.
func TestTicketPageInTheKelurahansZone(t *testing.T) {
	wita, err := hailurah.LoadZone("Asia/Makassar")
	if err != nil {
		t.Fatal(err)
	}
	f := newUIFixtureIn(t, nil, wita)
	tamanOpen, _, _, _ := seedTickets(t, f) // received 08:00 UTC, due 14:00 UTC
	status, body := f.as(t, "moderator").page("GET", "/tiket/"+tamanOpen.ID, nil)
	if status != http.StatusOK {
		t.Fatalf("ticket page: %d", status)
	}
	for _, want := range []string{"27 Nov 2026 16.00 WITA", "tenggat 27 Nov 2026 22.00 WITA", "(23.59 WITA)"} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(body, "WIB") {
		t.Error("a WITA kelurahan's page names WIB")
	}
}

// TestTicketPagesScope: each role sees only its kelurahan's or unit's
// tickets, on the pages as in the API; the rest is "not found".
func TestTicketPagesScope(t *testing.T) {
	f := newUIFixture(t, nil)
	tamanOpen, demangan, puprTask, city := seedTickets(t, f)

	mod := f.as(t, "moderator")
	st, body := mod.page("GET", "/antrian", nil)
	if st != http.StatusOK || !strings.Contains(body, tamanOpen.ID) || strings.Contains(body, demangan.ID) || strings.Contains(body, city.ID) {
		t.Fatalf("moderator queue: %d, taman %v demangan %v city %v", st, strings.Contains(body, tamanOpen.ID),
			strings.Contains(body, demangan.ID), strings.Contains(body, city.ID))
	}
	if strings.Contains(body, "sender-rahasia-123") || strings.Contains(body, "<b>tebal</b>") || strings.Contains(body, "<img src=x") {
		t.Error("the queue leaks the sender id or renders the curhat's markup")
	}
	if !strings.Contains(body, "&lt;b&gt;tebal&lt;/b&gt;") || !strings.Contains(body, ">Anonim<") {
		t.Error("the queue does not show the curhat as text, or names an anonymous reporter")
	}
	if st, _ := mod.page("GET", "/antrian?kelurahan=demangan", nil); st != http.StatusForbidden {
		t.Errorf("moderator asks for another kelurahan: %d", st)
	}
	st, frag := mod.page("GET", "/antrian/daftar?kategori=lingkungan", nil)
	if st != http.StatusOK || strings.Contains(frag, "<html") || !strings.Contains(frag, `id="queue-live"`) || !strings.Contains(frag, tamanOpen.ID) {
		t.Errorf("queue fragment: %d %.200s", st, frag)
	}
	st, body = mod.page("GET", "/antrian?urgency_min=9&rt=abc", nil)
	if st != http.StatusUnprocessableEntity || !strings.Contains(body, `id="f-urgency-err"`) {
		t.Errorf("invalid filter: %d, error next to the field: %v", st, strings.Contains(body, `id="f-urgency-err"`))
	}
	if st, _ := mod.page("GET", "/tiket/"+demangan.ID, nil); st != http.StatusNotFound {
		t.Errorf("moderator opens another kelurahan's ticket: %d", st)
	}
	st, body = mod.page("GET", "/tiket/"+tamanOpen.ID, nil)
	if st != http.StatusOK || !strings.Contains(body, `id="f-assign"`) || !strings.Contains(body, `id="f-reject"`) || strings.Contains(body, `id="f-done"`) {
		t.Errorf("moderator's ticket page: %d, wrong forms", st)
	}
	if !strings.Contains(body, `value="`+puprTask.ID+`"`) {
		t.Error("reject form does not suggest the ticket of the same RT/RW and kategori as the original")
	}

	admin := f.as(t, "admin")
	if st, body := admin.page("GET", "/antrian?kelurahan=kota", nil); st != http.StatusOK || !strings.Contains(body, city.ID) || strings.Contains(body, tamanOpen.ID) {
		t.Errorf("admin's city queue: %d", st)
	}
	if _, body := admin.page("GET", "/antrian", nil); !strings.Contains(body, "1 tiket</strong> di antrean kota") {
		t.Error("admin's queue does not point to the city queue")
	}

	pupr := f.as(t, "dinas-pupr")
	st, body = pupr.page("GET", "/tugas", nil)
	if st != http.StatusOK || !strings.Contains(body, `id="task-`+puprTask.ID+`"`) || strings.Contains(body, tamanOpen.ID) {
		t.Errorf("PUPR tasks: %d", st)
	}
	if st, body := pupr.page("GET", "/tiket/"+puprTask.ID, nil); st != http.StatusOK || !strings.Contains(body, `id="f-done"`) || strings.Contains(body, `id="f-assign"`) {
		t.Errorf("PUPR's task page: %d", st)
	}
	if st, _ := pupr.page("GET", "/tiket/"+tamanOpen.ID, nil); st != http.StatusNotFound {
		t.Errorf("PUPR opens an unassigned ticket: %d", st)
	}
	if st, _ := pupr.page("GET", "/antrian", nil); st != http.StatusForbidden {
		t.Errorf("PUPR opens the queue: %d", st)
	}
	dlh := f.as(t, "dinas-dlh")
	if st, _ := dlh.page("GET", "/tiket/"+puprTask.ID, nil); st != http.StatusNotFound {
		t.Errorf("DLH opens PUPR's task: %d", st)
	}
	if _, body := dlh.page("GET", "/tugas", nil); strings.Contains(body, puprTask.ID) {
		t.Error("DLH's tasks list PUPR's task")
	}
	fas := f.as(t, "fasilitator")
	if st, _ := fas.page("GET", "/tiket/"+tamanOpen.ID, nil); st != http.StatusForbidden {
		t.Errorf("fasilitator opens a ticket: %d", st)
	}
}

// TestEvidenceFile: photos are served only to staff who may see the
// ticket, and only names the server gave.
func TestEvidenceFile(t *testing.T) {
	f := newUIFixture(t, nil)
	_, _, puprTask, _ := seedTickets(t, f)
	dir := filepath.Join(f.dataDir, "uploads", puprTask.ID)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	name := "0123456789abcdef0123456789abcdef.png"
	if err := os.WriteFile(filepath.Join(dir, name), []byte("\x89PNG\r\n\x1a\nfoto"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(f.dataDir, "rahasia.txt"), []byte("rahasia"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := "/bukti/" + puprTask.ID + "/" + name
	for user, want := range map[string]int{"dinas-pupr": 200, "moderator": 200, "admin": 200, "dinas-dlh": 404, "moderator-demangan": 404} {
		c := f.as(t, user)
		if st, _ := c.page("GET", path, nil); st != want {
			t.Errorf("%s: %d, want %d", user, st, want)
		}
	}
	pupr := f.as(t, "dinas-pupr")
	resp, _ := pupr.do("GET", path, "", nil)
	if resp.Header.Get("Content-Type") != "image/png" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("headers: %v", resp.Header)
	}
	for _, bad := range []string{"/bukti/" + puprTask.ID + "/..%2F..%2Frahasia.txt", "/bukti/" + puprTask.ID + "/foto.png", "/bukti/" + puprTask.ID + "/" + strings.ToUpper(name)} {
		if st, body := pupr.page("GET", bad, nil); st != http.StatusNotFound || strings.Contains(body, "rahasia") {
			t.Errorf("%s: %d", bad, st)
		}
	}
	anon := f.client()
	if resp, _ := anon.do("GET", path, "", nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("anonymous: %d", resp.StatusCode)
	}
}

// TestTicketActionFormRefusals: what the form or checkAction refuses is
// shown next to the field of the submitted form, and nothing reaches the
// workflow.
func TestTicketActionFormRefusals(t *testing.T) {
	f := newUIFixture(t, nil)
	tamanOpen, _, puprTask, _ := seedTickets(t, f)
	mod := f.as(t, "moderator")
	_, page := mod.page("GET", "/tiket/"+tamanOpen.ID, nil)
	token := between(page, `name="csrf-token" content="`, `"`)
	if token == "" {
		t.Fatal("no csrf meta tag")
	}
	post := func(c *client, id string, form url.Values) (int, string) {
		form.Set("csrf_token", token)
		return c.page("POST", "/tiket/"+id+"/aksi", form)
	}
	cases := []struct {
		form  url.Values
		errID string
		msg   string
	}{
		{url.Values{"action": {"assign"}, "unit": {"dinas-hantu"}}, "assign-unit-err", "tidak dikenal"},
		{url.Values{"action": {"assign"}, "unit": {"pupr"}, "due_date": {"2026-11-20"}}, "assign-due-err", "masa depan"},
		{url.Values{"action": {"assign"}, "unit": {"pupr"}, "due_date": {"besok"}}, "assign-due-err", "tidak valid"},
		{url.Values{"action": {"resolve"}, "text": {"   "}}, "resolve-text-err", "wajib diisi"},
		{url.Values{"action": {"reject"}}, "reject-kind-err", "Pilih alasan"},
		{url.Values{"action": {"reject"}}, "reject-yakin-err", "tidak dapat dibatalkan"},
		{url.Values{"action": {"reject"}, "reason_kind": {"spam"}}, "reject-yakin-err", "tidak dapat dibatalkan"},
		{url.Values{"action": {"reject"}, "reason_kind": {"duplikat"}}, "reject-dup-err", "tiket asli"},
		{url.Values{"action": {"reject"}, "reason_kind": {"duplikat"}, "duplicate_of_lain": {"HL-2026-999999"}, "yakin": {"ya"}}, "reject-dup-err", "tidak ditemukan"},
		{url.Values{"action": {"verify"}, "urgency": {"9"}}, "verify-urgency-err", "1 sampai 5"},
		{url.Values{"action": {"hapus"}}, "aksi-ditolak", "tidak dikenal"},
	}
	for _, c := range cases {
		st, body := post(mod, tamanOpen.ID, c.form)
		if st != http.StatusUnprocessableEntity {
			t.Errorf("%v: status %d", c.form, st)
		}
		i := strings.Index(body, `id="`+c.errID+`"`)
		if i < 0 || !strings.Contains(body[i:min(len(body), i+300)], c.msg) {
			t.Errorf("%v: no %q at #%s", c.form, c.msg, c.errID)
		}
	}
	if st, _ := mod.page("POST", "/tiket/"+tamanOpen.ID+"/aksi", url.Values{"action": {"note"}, "text": {"x"}}); st != http.StatusForbidden {
		t.Errorf("form without the CSRF token: %d", st)
	}

	// A file that is no photo is refused before anything is stored.
	pupr := f.as(t, "dinas-pupr")
	_, page = pupr.page("GET", "/tiket/"+puprTask.ID, nil)
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("csrf_token", between(page, `name="csrf-token" content="`, `"`))
	_ = w.WriteField("action", "done")
	_ = w.WriteField("text", "Selesai")
	part, _ := w.CreateFormFile("foto", "foto.jpg")
	_, _ = part.Write([]byte("#!/bin/sh\necho bukan foto\n"))
	_ = w.Close()
	req, _ := http.NewRequest("POST", f.ts.URL+"/tiket/"+puprTask.ID+"/aksi", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp, err := pupr.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(raw), "bukan foto JPEG, PNG atau WebP") {
		t.Errorf("fake photo: %d", resp.StatusCode)
	}
	if entries, _ := os.ReadDir(filepath.Join(f.dataDir, "uploads", puprTask.ID)); len(entries) != 0 {
		t.Errorf("a refused upload left %d files", len(entries))
	}
}

// TestHTMXPollAfterLogout: a poll whose session ended sends the whole page
// to the login form instead of swapping the form into the queue.
func TestHTMXPollAfterLogout(t *testing.T) {
	f := newUIFixture(t, nil)
	resp, _ := f.client().do("GET", "/antrian/daftar", "", map[string]string{"HX-Request": "true", "Referer": f.ts.URL + "/antrian?q=banjir"})
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("HX-Redirect") != "/login?next=%2Fantrian%3Fq%3Dbanjir" {
		t.Fatalf("%d %q", resp.StatusCode, resp.Header.Get("HX-Redirect"))
	}
}

// TestAdminPages: users, units, kelurahan and tokens are written through
// the store, with errors next to their fields and every write audited.
func TestAdminPages(t *testing.T) {
	f := newUIFixture(t, rulesText{source: "version: rules-v1\nunits:\n  pupr: Dinas PUPR\n", override: "/etc/hailurah/rules.yaml"})
	ctx := context.Background()
	admin := f.as(t, "admin")
	_, page := admin.page("GET", "/admin", nil)
	token := between(page, `name="csrf-token" content="`, `"`)
	post := func(path string, form url.Values) (int, string) {
		form.Set("csrf_token", token)
		return admin.page("POST", path, form)
	}
	errAt := func(body, id, msg string) bool {
		i := strings.Index(body, `id="`+id+`"`)
		return i >= 0 && strings.Contains(body[i:min(len(body), i+300)], msg)
	}

	user := url.Values{"username": {"Budi Santoso"}, "name": {"Budi"}, "role": {"dinas"}, "unit": {"pupr"}, "kelurahan": {"taman"},
		"password": {"sandi-panjang-1"}, "password2": {"sandi-panjang-2"}}
	st, body := post("/admin/pengguna", user)
	if st != http.StatusUnprocessableEntity || !errAt(body, "u-password2-err", "Ulangi") || !errAt(body, "u-username-err", "huruf kecil") {
		t.Errorf("invalid user: %d", st)
	}
	user.Set("username", "budi")
	user.Set("password2", "sandi-panjang-1")
	user.Set("role", "moderator")
	user.Set("kelurahan", "")
	if st, body := post("/admin/pengguna", user); st != http.StatusUnprocessableEntity || !errAt(body, "u-kelurahan-err", "kelurahan") {
		t.Errorf("moderator without kelurahan: %d", st)
	}
	user.Set("role", "dinas")
	if st, _ := post("/admin/pengguna", user); st != http.StatusSeeOther {
		t.Fatalf("create user: %d", st)
	}
	budi, err := f.db.FindUserByUsername(ctx, "budi")
	if err != nil || budi.Unit != "pupr" || budi.Kelurahan != "" {
		t.Fatalf("stored user: %+v %v", budi, err)
	}
	if st, body := post("/admin/pengguna", user); st != http.StatusConflict || !errAt(body, "u-username-err", "") {
		t.Errorf("taken username: %d", st)
	}
	budiClient := f.client()
	if resp, _ := budiClient.login("budi", "sandi-panjang-1"); resp.StatusCode != http.StatusOK {
		t.Fatalf("the new user cannot log in: %d", resp.StatusCode)
	}
	if st, _ := post("/admin/pengguna/"+itoa(budi.ID)+"/status", url.Values{"disabled": {"1"}}); st != http.StatusSeeOther {
		t.Errorf("disable: %d", st)
	}
	if resp, _ := budiClient.do("GET", "/api/v1/me", "", nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a disabled user's session still works: %d", resp.StatusCode)
	}
	me, _ := f.db.FindUserByUsername(ctx, "admin")
	if st, body := post("/admin/pengguna/"+itoa(me.ID)+"/status", url.Values{"disabled": {"1"}}); st != http.StatusConflict || !strings.Contains(body, "akun Anda sendiri") {
		t.Errorf("disable self: %d", st)
	}

	if st, body := post("/admin/unit", url.Values{"code": {"Dinas Baru"}, "name": {"X"}}); st != http.StatusUnprocessableEntity ||
		!errAt(body, "unit-code-err", "Kode unit") || !errAt(body, "unit-name-err", "Nama unit") {
		t.Errorf("invalid unit: %d", st)
	}
	if st, _ := post("/admin/unit", url.Values{"code": {"dishub"}, "name": {"Dinas Perhubungan"}}); st != http.StatusSeeOther {
		t.Errorf("unit: %d", st)
	}
	if u, err := f.db.FindUnit(ctx, "dishub"); err != nil || u.Name != "Dinas Perhubungan" {
		t.Errorf("stored unit: %v %v", u, err)
	}

	kel := url.Values{"code": {"taman"}, "edit": {"1"}, "name": {"Taman"}, "kecamatan": {"Taman"}, "kota": {"Madiun"},
		"phone_number_id": {"0812-abc"}, "grant_budget": {"seratus juta"}}
	if st, body := post("/admin/kelurahan", kel); st != http.StatusUnprocessableEntity ||
		!errAt(body, "kel-wa-err", "angka") || !errAt(body, "kel-budget-err", "rupiah") {
		t.Errorf("invalid kelurahan: %d", st)
	}
	kel.Set("phone_number_id", "109876543210")
	kel.Set("grant_budget", "Rp 150.000.000")
	if st, _ := post("/admin/kelurahan", kel); st != http.StatusSeeOther {
		t.Errorf("kelurahan: %d", st)
	}
	if k, _ := f.db.FindKelurahan(ctx, "taman"); k.WhatsAppPhoneNumberID != "109876543210" || k.GrantBudget != 150_000_000 {
		t.Errorf("stored kelurahan: %+v", k)
	}
	kel.Set("code", "demangan")
	if st, body := post("/admin/kelurahan", kel); st != http.StatusUnprocessableEntity || !errAt(body, "kel-wa-err", "sudah dipakai Kelurahan Taman") {
		t.Errorf("a WhatsApp number used twice: %d", st)
	}

	if st, body := post("/admin/token", url.Values{"name": {""}, "user_id": {"x"}}); st != http.StatusUnprocessableEntity ||
		!errAt(body, "tok-name-err", "wajib") || !errAt(body, "tok-user-err", "Pilih") {
		t.Errorf("invalid token: %d", st)
	}
	st, body = post("/admin/token", url.Values{"name": {"Kios Taman"}, "user_id": {itoa(me.ID)}})
	secret := between(body, `id="new-secret" readonly value="`, `"`)
	if st != http.StatusCreated || secret == "" {
		t.Fatalf("create token: %d", st)
	}
	if u, err := f.db.FindUserByAPIToken(ctx, secret); err != nil || u.Username != "admin" {
		t.Errorf("token: %v %v", u, err)
	}
	if _, body := admin.page("GET", "/admin/token", nil); strings.Contains(body, secret) || !strings.Contains(body, "Kios Taman") {
		t.Error("token list shows the secret, or not the token")
	}
	tokens, _ := f.db.ListAPITokens(ctx)
	if st, _ := post("/admin/token/"+itoa(tokens[0].ID)+"/cabut", url.Values{}); st != http.StatusSeeOther {
		t.Errorf("revoke: %d", st)
	}
	if _, err := f.db.FindUserByAPIToken(ctx, secret); err == nil {
		t.Error("a revoked token still works")
	}

	if _, body := admin.page("GET", "/admin/aturan", nil); !strings.Contains(body, "/etc/hailurah/rules.yaml") || !strings.Contains(body, "pupr: Dinas PUPR") {
		t.Error("rules page")
	}
	mod := f.as(t, "moderator")
	if st, _ := mod.page("GET", "/admin/token", nil); st != http.StatusForbidden {
		t.Errorf("moderator on an admin page: %d", st)
	}

	entries, _ := f.db.ListAudit(ctx, 100, 0)
	got := map[string]bool{}
	for _, e := range entries {
		got[e.Action+" "+e.Target] = true
	}
	for _, want := range []string{"user.create budi", "user.disable budi", "unit.upsert dishub", "kelurahan.upsert taman",
		"token.create Kios Taman", "token.revoke " + itoa(tokens[0].ID)} {
		if !got[want] {
			t.Errorf("audit log lacks %q", want)
		}
	}
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }
