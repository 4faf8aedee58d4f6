package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/server"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/storetest"
	"github.com/hailurah/hailurah/workflows"
)

// endedCases answers every grant action as if the grant's workflow had
// ended, and refuses to start one, as an unreachable cluster would. The
// whole grant process on a real Temporal server is tested in
// cmd/hailurah/grant_test.go; here the server's own rules are.
type endedCases struct{}

func (endedCases) StartGrant(context.Context, hailurah.GrantInput) error {
	return hailurah.Errorf(hailurah.EUNAVAILABLE, "Layanan alur kerja sedang tidak tersedia.")
}

func (endedCases) ActGrant(_ context.Context, id string, _ hailurah.GrantActionRequest) (*hailurah.Grant, error) {
	return nil, hailurah.Errorf(hailurah.ENOTFOUND, "Hibah %s tidak sedang berjalan.", id)
}

// newProgrammeFixture is the server with the programme's routes on a real
// store, with taman's budget at Rp 150.000.000 and a second kelurahan's
// fasilitator and lurah.
func newProgrammeFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	return newProgrammeFixtureWith(t, db, endedCases{})
}

// newProgrammeFixtureWith is newProgrammeFixture with the grant workflows
// cases stands for.
func newProgrammeFixtureWith(t *testing.T, db *store.DB, cases server.GrantCases) *fixture {
	t.Helper()
	f := newFixture(t, db)
	ctx := context.Background()
	for _, u := range []hailurah.User{
		{Username: "fasilitator-demangan", Name: "Fasilitator Demangan", Role: hailurah.RoleFasilitator, Kelurahan: "demangan"},
		{Username: "lurah-demangan", Name: "Lurah Demangan", Role: hailurah.RoleLurah, Kelurahan: "demangan"},
	} {
		if err := db.CreateUser(ctx, &u, testPassword); err != nil {
			t.Fatal(err)
		}
	}
	k, err := db.FindKelurahan(ctx, "taman")
	if err != nil {
		t.Fatal(err)
	}
	k.GrantBudget = 150_000_000
	if err := db.UpsertKelurahan(ctx, k); err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Config{Users: db, Audit: db, Kelurahan: db, Tickets: db, Notifications: db,
		Cases: &workflows.Client{}, DataDir: t.TempDir(), Now: f.now.Now,
		Programme: &server.Programme{Households: db, Participation: db, Grants: db, Cases: cases}})
	if err != nil {
		t.Fatal(err)
	}
	f.srv = srv
	f.ts.Config.Handler = srv.Handler()
	return f
}

func (f *fixture) progStaff(username string) *client {
	f.t.Helper()
	c := f.client()
	if resp, out := c.login(username, testPassword); resp.StatusCode != http.StatusOK {
		f.t.Fatalf("login %s: %d %v", username, resp.StatusCode, out)
	}
	return c
}

// send posts a body with its content type and the session's CSRF token.
func (c *client) progSend(method, path, contentType string, body []byte) (*http.Response, map[string]any, []byte) {
	c.f.t.Helper()
	req, err := http.NewRequest(method, c.f.ts.URL+path, bytes.NewReader(body))
	if err != nil {
		c.f.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("X-CSRF-Token", c.csrf)
	resp, err := c.http.Do(req)
	if err != nil {
		c.f.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return resp, out, raw
}

func (c *client) progPost(path string, v any) (*http.Response, map[string]any) {
	b, _ := json.Marshal(v)
	resp, out, _ := c.progSend("POST", path, "application/json", b)
	return resp, out
}

func (c *client) progGet(path string) (*http.Response, map[string]any, []byte) {
	return c.progSend("GET", path, "", nil)
}

func multipartFile(t *testing.T, field, name string, content []byte, fields map[string]string) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	fw, err := w.CreateFormFile(field, name)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write(content)
	_ = w.Close()
	return w.FormDataContentType(), buf.Bytes()
}

func testdataCSV(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "programme", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type report struct {
	Imported, Updated, Unchanged int
	Errors                       []hailurah.ImportIssue
	Warnings                     []hailurah.ImportIssue
	Encoding                     string
	Error                        *struct{ Code, Message string }
}

func decodeReport(t *testing.T, raw []byte) report {
	t.Helper()
	var r report
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("report is not JSON: %s", raw)
	}
	return r
}

func countHouseholds(t *testing.T, db *store.DB, kelurahan string) int {
	t.Helper()
	page, err := db.ListHouseholds(context.Background(), hailurah.HouseholdFilter{Kelurahan: kelurahan, Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	return page.Total
}

func TestHouseholdImportAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newProgrammeFixture(t, db)
		fasil := f.progStaff("fasilitator")

		resp, _, raw := fasil.progSend("POST", "/api/v1/households/import", "text/csv", testdataCSV(t, "good.csv"))
		r := decodeReport(t, raw)
		if resp.StatusCode != http.StatusOK || r.Imported != 3 || r.Updated != 0 || len(r.Errors) != 0 || r.Encoding != "UTF-8" {
			t.Fatalf("good file: %d %s", resp.StatusCode, raw)
		}
		// The same file again is a no-op.
		_, _, raw = fasil.progSend("POST", "/api/v1/households/import", "text/csv; charset=utf-8", testdataCSV(t, "good.csv"))
		if r := decodeReport(t, raw); r.Imported != 0 || r.Updated != 0 || r.Unchanged != 3 {
			t.Fatalf("re-import: %s", raw)
		}

		// A mixed file as a multipart upload: the valid row lands, every bad
		// cell is reported by line and column.
		ct, body := multipartFile(t, "file", "campur.csv", testdataCSV(t, "mixed.csv"), nil)
		resp, _, raw = fasil.progSend("POST", "/api/v1/households/import", ct, body)
		r = decodeReport(t, raw)
		if resp.StatusCode != http.StatusOK || r.Imported != 1 || len(r.Errors) != 8 || len(r.Warnings) != 1 {
			t.Fatalf("mixed file: %d %s", resp.StatusCode, raw)
		}
		if e := r.Errors[1]; e.Line != 3 || e.Column != "nama_kepala_keluarga" || e.Reason == "" {
			t.Fatalf("first error of line 3: %+v", e)
		}

		// Only bad rows: reported, nothing changes.
		before := countHouseholds(t, db, "taman")
		resp, _, raw = fasil.progSend("POST", "/api/v1/households/import", "text/csv", testdataCSV(t, "bad.csv"))
		if r := decodeReport(t, raw); resp.StatusCode != http.StatusOK || r.Imported+r.Updated != 0 || len(r.Errors) != 3 ||
			countHouseholds(t, db, "taman") != before {
			t.Fatalf("bad file: %d %s", resp.StatusCode, raw)
		}

		// Missing columns refuse the file: 422, one error, nothing written.
		resp, _, raw = fasil.progSend("POST", "/api/v1/households/import", "text/csv", testdataCSV(t, "missing_columns.csv"))
		if r := decodeReport(t, raw); resp.StatusCode != http.StatusUnprocessableEntity || r.Error == nil || r.Error.Code != hailurah.EINVALID ||
			len(r.Errors) != 1 || r.Errors[0].Line != 1 || countHouseholds(t, db, "taman") != before {
			t.Fatalf("missing columns: %d %s", resp.StatusCode, raw)
		}

		// Encodings: Excel's Windows-1252 is read and said so; UTF-16 is
		// refused with the way to re-save the file.
		_, _, raw = fasil.progSend("POST", "/api/v1/households/import", "text/csv", testdataCSV(t, "windows1252.csv"))
		if r := decodeReport(t, raw); r.Imported != 1 || r.Encoding != "Windows-1252" || len(r.Warnings) != 1 {
			t.Fatalf("windows-1252: %s", raw)
		}
		if h, err := db.FindHousehold(context.Background(), "TMN-040"); err != nil || h.NamaKepalaKeluarga != "José Ramírez" {
			t.Fatalf("decoded name: %+v %v", h, err)
		}
		_, _, raw = fasil.progSend("POST", "/api/v1/households/import", "text/csv", testdataCSV(t, "utf8_bom.csv"))
		if r := decodeReport(t, raw); r.Encoding != "UTF-8 dengan BOM" || r.Unchanged != 1 {
			t.Fatalf("BOM: %s", raw)
		}
		resp, _, raw = fasil.progSend("POST", "/api/v1/households/import", "text/csv", testdataCSV(t, "utf16.csv"))
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(raw), "UTF-16") {
			t.Fatalf("utf-16: %d %s", resp.StatusCode, raw)
		}

		// Who may import into where.
		admin := f.progStaff("admin")
		resp, out, _ := admin.progSend("POST", "/api/v1/households/import", "text/csv", testdataCSV(t, "excel_semicolon.csv"))
		if resp.StatusCode != http.StatusUnprocessableEntity || errorField(out) != "kelurahan" {
			t.Fatalf("admin without kelurahan: %d %v", resp.StatusCode, out)
		}
		resp, _, raw = admin.progSend("POST", "/api/v1/households/import?kelurahan=demangan", "text/csv", testdataCSV(t, "excel_semicolon.csv"))
		if r := decodeReport(t, raw); resp.StatusCode != http.StatusOK || r.Imported != 1 {
			t.Fatalf("admin into demangan: %d %s", resp.StatusCode, raw)
		}
		if resp, _, _ := fasil.progSend("POST", "/api/v1/households/import?kelurahan=demangan", "text/csv", testdataCSV(t, "good.csv")); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("fasilitator into another kelurahan: %d", resp.StatusCode)
		}
		if resp, _, _ := f.progStaff("moderator").progSend("POST", "/api/v1/households/import", "text/csv", testdataCSV(t, "good.csv")); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("moderator: %d", resp.StatusCode)
		}
		if resp, _, _ := f.client().progSend("POST", "/api/v1/households/import", "text/csv", testdataCSV(t, "good.csv")); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("anonymous: %d", resp.StatusCode)
		}
		if resp, _, _ := fasil.progSend("POST", "/api/v1/households/import", "application/json", []byte(`{}`)); resp.StatusCode != http.StatusUnsupportedMediaType {
			t.Fatalf("JSON body: %d", resp.StatusCode)
		}
		ct, body = multipartFile(t, "berkas", "x.csv", testdataCSV(t, "good.csv"), nil)
		if resp, out, _ := fasil.progSend("POST", "/api/v1/households/import", ct, body); resp.StatusCode != http.StatusUnprocessableEntity || errorField(out) != "file" {
			t.Fatalf("multipart without the file field: %d %v", resp.StatusCode, out)
		}
	})
}

func errorField(out map[string]any) string {
	e, _ := out["error"].(map[string]any)
	field, _ := e["field"].(string)
	return field
}

// TestHouseholdImportTooLarge: a file over 5 MB is refused with 413 and a
// message saying the limit, whether it fits the request limit or not.
func TestHouseholdImportTooLarge(t *testing.T) {
	f := newProgrammeFixture(t, storetest.Open(t))
	fasil := f.progStaff("fasilitator")
	big := append([]byte("household_id,nama_kepala_keluarga\n"), bytes.Repeat([]byte("x"), 5<<20)...)
	resp, out, _ := fasil.progSend("POST", "/api/v1/households/import", "text/csv", big)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || errorCode(out) != hailurah.ETOOLARGE || !strings.Contains(fmt.Sprint(out), "5 MB") {
		t.Fatalf("5 MB + header: %d %v", resp.StatusCode, out)
	}
	resp, _, _ = fasil.progSend("POST", "/api/v1/households/import", "text/csv", bytes.Repeat([]byte("x"), 8<<20))
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("8 MB: %d", resp.StatusCode)
	}
}

func importGood(t *testing.T, f *fixture) {
	t.Helper()
	resp, _, raw := f.progStaff("fasilitator").progSend("POST", "/api/v1/households/import", "text/csv", testdataCSV(t, "good.csv"))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("import: %d %s", resp.StatusCode, raw)
	}
}

func TestHouseholdListExportAndDetail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newProgrammeFixture(t, db)
		importGood(t, f)
		admin := f.progStaff("admin")
		if resp, _, raw := admin.progSend("POST", "/api/v1/households/import?kelurahan=demangan", "text/csv", testdataCSV(t, "excel_semicolon.csv")); resp.StatusCode != http.StatusOK {
			t.Fatalf("import demangan: %s", raw)
		}
		lurah := f.progStaff("lurah")
		_, out, _ := lurah.progGet("/api/v1/households?dtks=ya")
		if out["total"] != float64(2) {
			t.Fatalf("lurah's DTKS households: %v", out)
		}
		_, out, _ = admin.progGet("/api/v1/households")
		if out["total"] != float64(4) {
			t.Fatalf("admin sees the city: %v", out)
		}
		if resp, _, _ := lurah.progGet("/api/v1/households?kelurahan=demangan"); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("lurah asking for another kelurahan: %d", resp.StatusCode)
		}
		if resp, out, _ := lurah.progGet("/api/v1/households?dtks=mungkin"); resp.StatusCode != http.StatusUnprocessableEntity || errorField(out) != "dtks" {
			t.Fatalf("bad filter: %d %v", resp.StatusCode, out)
		}
		if resp, _, _ := f.progStaff("dinas-pupr").progGet("/api/v1/households"); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("dinas: %d", resp.StatusCode)
		}

		// The export is a Lampiran C file that imports back unchanged.
		resp, _, raw := lurah.progGet("/api/v1/households?format=csv&rt=3")
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
			!strings.Contains(resp.Header.Get("Content-Disposition"), "rumah-tangga-taman-") {
			t.Fatalf("export: %d %v", resp.StatusCode, resp.Header)
		}
		if lines := strings.Count(string(raw), "\n"); lines != 3 { // header + TMN-001 + TMN-003 (RT 03)
			t.Fatalf("export has %d lines:\n%s", lines, raw)
		}
		_, _, back := f.progStaff("fasilitator").progSend("POST", "/api/v1/households/import", "text/csv", raw)
		if r := decodeReport(t, back); r.Unchanged != 2 || r.Imported+r.Updated != 0 || len(r.Errors) != 0 || len(r.Warnings) != 0 {
			t.Fatalf("re-import of the export: %s", back)
		}

		// Detail, members and check-ins, scoped to the kelurahan.
		fasil := f.progStaff("fasilitator")
		resp, out = fasil.progPost("/api/v1/households/TMN-001/members", map[string]any{"name": "Siti Aminah", "gender": "p", "age": 34})
		if resp.StatusCode != http.StatusCreated || out["gender"] != "P" {
			t.Fatalf("member: %d %v", resp.StatusCode, out)
		}
		if resp, out := fasil.progPost("/api/v1/households/TMN-001/members", map[string]any{"name": "X", "gender": "W", "age": 30}); resp.StatusCode != http.StatusUnprocessableEntity || errorField(out) != "gender" {
			t.Fatalf("bad member: %d %v", resp.StatusCode, out)
		}
		resp, out = fasil.progPost("/api/v1/households/TMN-001/checkins", map[string]any{"date": "2026-11-20", "omzet": "Rp 2.250.000", "income": 1_700_000, "key": "v1"})
		if resp.StatusCode != http.StatusCreated || out["omzet"] != float64(2_250_000) {
			t.Fatalf("check-in: %d %v", resp.StatusCode, out)
		}
		// The same key again is the same visit.
		resp, again := fasil.progPost("/api/v1/households/TMN-001/checkins", map[string]any{"date": "2026-11-20", "omzet": 1, "key": "v1"})
		if resp.StatusCode != http.StatusCreated || again["id"] != out["id"] || again["omzet"] != float64(2_250_000) {
			t.Fatalf("retried check-in: %v vs %v", again, out)
		}
		for body, field := range map[string]string{
			`{"omzet": "1,5"}`: "omzet", `{"omzet": -1}`: "omzet", `{}`: "omzet",
			`{"omzet": 1, "date": "2099-01-01"}`: "date", `{"omzet": 1, "date": "kemarin"}`: "date",
		} {
			resp, out, _ := fasil.progSend("POST", "/api/v1/households/TMN-001/checkins", "application/json", []byte(body))
			if resp.StatusCode != http.StatusUnprocessableEntity || errorField(out) != field {
				t.Errorf("check-in %s: %d %v", body, resp.StatusCode, out)
			}
		}
		resp, out, _ = lurah.progGet("/api/v1/households/TMN-001")
		members, _ := out["members"].([]any)
		checkins, _ := out["checkins"].([]any)
		if resp.StatusCode != http.StatusOK || len(members) != 1 || len(checkins) != 1 || out["omzet_monthly"] != float64(2_250_000) {
			t.Fatalf("detail: %d %v", resp.StatusCode, out)
		}
		if resp, _, _ := f.progStaff("lurah-demangan").progGet("/api/v1/households/TMN-001"); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("another kelurahan's household: %d", resp.StatusCode)
		}
		if resp, _ := f.progStaff("fasilitator-demangan").progPost("/api/v1/households/TMN-001/members", map[string]any{"name": "Y", "gender": "L", "age": 20}); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("member for another kelurahan: %d", resp.StatusCode)
		}
	})
}

func TestParticipationAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newProgrammeFixture(t, db)
		importGood(t, f)
		fasil := f.progStaff("fasilitator")
		_, m := fasil.progPost("/api/v1/households/TMN-001/members", map[string]any{"name": "Siti", "gender": "P", "age": 30})
		member := m["id"]
		admin := f.progStaff("admin")
		if resp, _, _ := admin.progSend("POST", "/api/v1/households/import?kelurahan=demangan", "text/csv", testdataCSV(t, "excel_semicolon.csv")); resp.StatusCode != http.StatusOK {
			t.Fatal("import demangan")
		}
		_, other := admin.progPost("/api/v1/households/TMN-030/members", map[string]any{"name": "Sri", "gender": "P", "age": 40})

		resp, tr := fasil.progPost("/api/v1/trainings", map[string]any{"title": "Digital marketing", "held_on": "02/12/2026", "certifying": true})
		if resp.StatusCode != http.StatusCreated || tr["kelurahan"] != "taman" {
			t.Fatalf("training: %d %v", resp.StatusCode, tr)
		}
		path := fmt.Sprintf("/api/v1/trainings/%v/attendance", tr["id"])
		if resp, out := fasil.progPost(path, map[string]any{"attendance": []map[string]any{{"member_id": member, "attended": true, "certified": true}}}); resp.StatusCode != http.StatusOK {
			t.Fatalf("attendance: %d %v", resp.StatusCode, out)
		}
		if resp, out := fasil.progPost(path, map[string]any{"attendance": []map[string]any{{"member_id": other["id"], "attended": true}}}); resp.StatusCode != http.StatusUnprocessableEntity || errorField(out) != "member_id" {
			t.Fatalf("member of another kelurahan: %d %v", resp.StatusCode, out)
		}
		if resp, _ := f.progStaff("fasilitator-demangan").progPost(path, map[string]any{"attendance": []map[string]any{{"member_id": other["id"]}}}); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("another kelurahan's training: %d", resp.StatusCode)
		}
		if resp, out := fasil.progPost("/api/v1/trainings", map[string]any{"title": "X", "held_on": "besok"}); resp.StatusCode != http.StatusUnprocessableEntity || errorField(out) != "held_on" {
			t.Fatalf("bad date: %d %v", resp.StatusCode, out)
		}

		resp, pk := fasil.progPost("/api/v1/padat-karya", map[string]any{"name": "Paving gang", "start_date": "2026-12-07", "end_date": "2026-12-11"})
		if resp.StatusCode != http.StatusCreated || pk["wage_per_day"] != float64(100_000) {
			t.Fatalf("padat karya: %d %v", resp.StatusCode, pk)
		}
		if resp, out := fasil.progPost(fmt.Sprintf("/api/v1/padat-karya/%v/workers", pk["id"]), map[string]any{"workers": []map[string]any{{"member_id": member, "days": 5}}}); resp.StatusCode != http.StatusOK {
			t.Fatalf("workers: %d %v", resp.StatusCode, out)
		}
		if resp, out := fasil.progPost("/api/v1/padat-karya", map[string]any{"name": "X", "start_date": "2026-12-07", "wage_per_day": "Rp 0"}); resp.StatusCode != http.StatusUnprocessableEntity || errorField(out) != "wage_per_day" {
			t.Fatalf("zero wage: %d %v", resp.StatusCode, out)
		}
		if resp, out := fasil.progPost("/api/v1/marketplace-onboardings", map[string]any{"household_id": "TMN-002", "platform": "Toko Warga Taman", "shop_url": "https://toko.example/budi"}); resp.StatusCode != http.StatusCreated {
			t.Fatalf("onboarding: %d %v", resp.StatusCode, out)
		}
		if resp, out := fasil.progPost("/api/v1/marketplace-onboardings", map[string]any{"household_id": "TMN-030", "platform": "X"}); resp.StatusCode != http.StatusUnprocessableEntity || errorField(out) != "household_id" {
			t.Fatalf("onboarding another kelurahan's household: %d %v", resp.StatusCode, out)
		}
		if resp, out := fasil.progPost("/api/v1/marketplace-onboardings", map[string]any{"household_id": "TMN-002", "platform": "X", "shop_url": "javascript:alert(1)"}); resp.StatusCode != http.StatusUnprocessableEntity || errorField(out) != "shop_url" {
			t.Fatalf("bad shop url: %d %v", resp.StatusCode, out)
		}

		_, out, _ := f.progStaff("lurah").progGet("/api/v1/households/TMN-001")
		part, _ := out["participation"].(map[string]any)
		if tr, _ := part["trainings"].([]any); len(tr) != 1 {
			t.Fatalf("participation: %v", part)
		}
		if _, list, _ := f.progStaff("lurah").progGet("/api/v1/trainings"); len(list["items"].([]any)) != 1 {
			t.Fatalf("trainings list: %v", list)
		}
		if _, list, _ := f.progStaff("lurah").progGet("/api/v1/padat-karya"); len(list["items"].([]any)) != 1 {
			t.Fatalf("padat karya list: %v", list)
		}
	})
}

// timedOutCases starts a grant the way a start that timed out after
// reaching Temporal does: the workflow runs and projects the grant, the
// server is told the start failed.
type timedOutCases struct {
	endedCases
	grants hailurah.GrantService
}

func (c timedOutCases) StartGrant(ctx context.Context, in hailurah.GrantInput) error {
	g := &hailurah.Grant{ID: in.GrantID, HouseholdID: in.HouseholdID, HouseholdName: in.HouseholdName, Kelurahan: in.Kelurahan,
		Amount: in.Amount, Purpose: in.Purpose, Plan: in.Plan, Status: hailurah.GrantApplied, AppliedBy: in.AppliedBy,
		AppliedAt: in.AppliedAt, Version: 1}
	if err := c.grants.ProjectGrant(ctx, &hailurah.GrantProjection{Grant: g}); err != nil {
		return err
	}
	return hailurah.Errorf(hailurah.EUNAVAILABLE, "Layanan alur kerja sedang tidak tersedia.")
}

// TestGrantStartThatTimedOutButRan: the undo of a failed start is refused
// for a grant its workflow has projected, so the application stands and
// the fasilitator is told it was made, not that it failed.
func TestGrantStartThatTimedOutButRan(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newProgrammeFixtureWith(t, db, timedOutCases{grants: db})
		importGood(t, f)
		resp, out := f.progStaff("fasilitator").progPost("/api/v1/grants", map[string]any{"household_id": "TMN-001",
			"amount": 2_000_000, "purpose": "alat", "plan": "Membeli oven dan loyang untuk usaha kue basah."})
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("apply: %d %v", resp.StatusCode, out)
		}
		if list, _ := db.ListGrants(context.Background(), hailurah.GrantFilter{}); len(list) != 1 || list[0].ID != out["id"] {
			t.Fatalf("grants: %+v", list)
		}
		if r := budgetReserved(t, db); r != 2_000_000 {
			t.Errorf("reserved Rp %d, want the running grant's Rp 2.000.000", r)
		}
	})
}

func budgetReserved(t *testing.T, db *store.DB) int64 {
	t.Helper()
	b, err := db.FindGrantBudget(context.Background(), "taman")
	if err != nil {
		t.Fatal(err)
	}
	return b.Reserved
}

func TestGrantApplyAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newProgrammeFixture(t, db)
		importGood(t, f)
		if resp, _, raw := f.progStaff("admin").progSend("POST", "/api/v1/households/import?kelurahan=demangan", "text/csv", testdataCSV(t, "excel_semicolon.csv")); resp.StatusCode != http.StatusOK {
			t.Fatalf("import demangan: %s", raw)
		}
		fasil := f.progStaff("fasilitator")
		plan := "Membeli oven dan loyang untuk usaha kue basah."
		for _, tt := range []struct {
			body   map[string]any
			status int
			field  string
		}{
			{map[string]any{"household_id": "TMN-404", "amount": 2_000_000, "purpose": "alat", "plan": plan}, 422, "household_id"},
			{map[string]any{"household_id": "TMN-030", "amount": 2_000_000, "purpose": "alat", "plan": plan}, 422, "household_id"},
			{map[string]any{"household_id": "TMN-001", "amount": 999_999, "purpose": "alat", "plan": plan}, 422, "amount"},
			{map[string]any{"household_id": "TMN-001", "amount": "Rp 3.500.000", "purpose": "alat", "plan": plan}, 422, "amount"},
			{map[string]any{"household_id": "TMN-001", "amount": "dua juta", "purpose": "alat", "plan": plan}, 422, "amount"},
			{map[string]any{"household_id": "TMN-001", "amount": 2_000_000, "purpose": "sewa", "plan": plan}, 422, "purpose"},
			{map[string]any{"household_id": "TMN-001", "amount": 2_000_000, "purpose": "modal", "plan": "modal"}, 422, "plan"},
			// Valid, but Temporal is out: 503, and the application is undone.
			{map[string]any{"household_id": "TMN-001", "amount": "Rp 1.500.000", "purpose": "modal", "plan": plan}, 503, ""},
		} {
			resp, out := fasil.progPost("/api/v1/grants", tt.body)
			if resp.StatusCode != tt.status || errorField(out) != tt.field {
				t.Errorf("%v: %d %v", tt.body, resp.StatusCode, out)
			}
		}
		if r := budgetReserved(t, db); r != 0 {
			t.Fatalf("a failed start left Rp %d reserved", r)
		}
		if list, _ := db.ListGrants(context.Background(), hailurah.GrantFilter{}); len(list) != 0 {
			t.Fatalf("a failed start left grants: %+v", list)
		}
		// An active grant (made directly in the store) makes a new
		// application a conflict; so does an exhausted budget.
		g := &hailurah.Grant{HouseholdID: "TMN-001", Amount: 3_000_000, Purpose: "alat", Plan: plan, AppliedBy: "fasilitator"}
		if err := db.CreateGrant(context.Background(), g); err != nil {
			t.Fatal(err)
		}
		if resp, out := fasil.progPost("/api/v1/grants", map[string]any{"household_id": "TMN-001", "amount": 1_000_000, "purpose": "modal", "plan": plan}); resp.StatusCode != http.StatusConflict {
			t.Fatalf("active grant: %d %v", resp.StatusCode, out)
		}
		k, _ := db.FindKelurahan(context.Background(), "taman")
		k.GrantBudget = 3_500_000
		if err := db.UpsertKelurahan(context.Background(), k); err != nil {
			t.Fatal(err)
		}
		if resp, out := fasil.progPost("/api/v1/grants", map[string]any{"household_id": "TMN-002", "amount": 1_000_000, "purpose": "modal", "plan": plan}); resp.StatusCode != http.StatusConflict || !strings.Contains(fmt.Sprint(out), "Rp 500.000") {
			t.Fatalf("budget exhausted: %d %v", resp.StatusCode, out)
		}
		for _, who := range []string{"lurah", "admin", "moderator"} {
			if resp, _ := f.progStaff(who).progPost("/api/v1/grants", map[string]any{"household_id": "TMN-002"}); resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s may not apply: %d", who, resp.StatusCode)
			}
		}

		// Reading: the queue, the detail with its timeline, the budget.
		now := time.Now()
		g.Status, g.VerifiedBy, g.VerifiedAt, g.Version = hailurah.GrantVerified, "fasilitator", &now, 2
		ev := &hailurah.GrantEvent{Key: g.ID + "/2", GrantID: g.ID, Seq: 2, Type: hailurah.GrantActionVerify, Actor: "fasilitator",
			Role: hailurah.RoleFasilitator, From: hailurah.GrantApplied, To: hailurah.GrantVerified, Note: "Layak."}
		if err := db.ProjectGrant(context.Background(), &hailurah.GrantProjection{Grant: g, Event: ev}); err != nil {
			t.Fatal(err)
		}
		lurah := f.progStaff("lurah")
		_, out, _ := lurah.progGet("/api/v1/grants?queue=persetujuan")
		if items, _ := out["items"].([]any); len(items) != 1 {
			t.Fatalf("lurah's queue: %v", out)
		}
		_, out, _ = lurah.progGet("/api/v1/grants?queue=verifikasi")
		if items, _ := out["items"].([]any); len(items) != 0 {
			t.Fatalf("verification queue: %v", out)
		}
		resp, out, _ := lurah.progGet("/api/v1/grants/" + g.ID)
		timeline, _ := out["timeline"].([]any)
		if resp.StatusCode != http.StatusOK || out["status"] != "verified" || len(timeline) != 1 || out["status_label"] == "" {
			t.Fatalf("detail: %d %v", resp.StatusCode, out)
		}
		if resp, _, _ := f.progStaff("lurah-demangan").progGet("/api/v1/grants/" + g.ID); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("another kelurahan's grant: %d", resp.StatusCode)
		}
		_, out, _ = lurah.progGet("/api/v1/grants/budget")
		if out["budget"] != float64(3_500_000) || out["reserved"] != float64(3_000_000) || out["available"] != float64(500_000) {
			t.Fatalf("budget: %v", out)
		}
		if resp, out, _ := f.progStaff("admin").progGet("/api/v1/grants/budget"); resp.StatusCode != http.StatusUnprocessableEntity || errorField(out) != "kelurahan" {
			t.Fatalf("admin budget without kelurahan: %d %v", resp.StatusCode, out)
		}

		// Actions: the request is checked first (422); a grant whose
		// workflow has ended refuses every action (409), except the same
		// disbursement again, which changes nothing (200).
		if resp, out := lurah.progPost("/api/v1/grants/"+g.ID+"/actions", map[string]any{"action": "reject"}); resp.StatusCode != http.StatusUnprocessableEntity || errorField(out) != "reason" {
			t.Fatalf("reject without reason: %d %v", resp.StatusCode, out)
		}
		if resp, out := lurah.progPost("/api/v1/grants/"+g.ID+"/actions", map[string]any{"action": "approve"}); resp.StatusCode != http.StatusConflict {
			t.Fatalf("action on an ended workflow: %d %v", resp.StatusCode, out)
		}
		g.Status, g.DisbursedAt, g.DisbursementRef, g.DisbursedBy, g.Version = hailurah.GrantCompleted, &now, "TRF-1", "admin", 9
		if err := db.ProjectGrant(context.Background(), &hailurah.GrantProjection{Grant: g}); err != nil {
			t.Fatal(err)
		}
		if resp, out := f.progStaff("admin").progPost("/api/v1/grants/"+g.ID+"/actions", map[string]any{"action": "disburse", "reference": "TRF-1"}); resp.StatusCode != http.StatusOK || out["disbursement_ref"] != "TRF-1" {
			t.Fatalf("same disbursement again: %d %v", resp.StatusCode, out)
		}
		if resp, _ := f.progStaff("admin").progPost("/api/v1/grants/"+g.ID+"/actions", map[string]any{"action": "disburse", "reference": "TRF-2"}); resp.StatusCode != http.StatusConflict {
			t.Fatalf("another reference: %d", resp.StatusCode)
		}
		if resp, _ := f.progStaff("moderator").progPost("/api/v1/grants/"+g.ID+"/actions", map[string]any{"action": "approve"}); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("moderator: %d", resp.StatusCode)
		}
	})
}

// getPage fetches a staff page as a browser does.
func (c *client) progPage(path string) (int, string) {
	c.f.t.Helper()
	resp, _, raw := c.progSend("GET", path, "", nil)
	return resp.StatusCode, string(raw)
}

func wantPage(t *testing.T, c *client, path string, status int, texts ...string) string {
	t.Helper()
	got, body := c.progPage(path)
	if got != status {
		t.Fatalf("GET %s: %d, want %d\n%s", path, got, status, body)
	}
	for _, s := range texts {
		if !strings.Contains(body, s) {
			t.Errorf("GET %s lacks %q", path, s)
		}
	}
	return body
}

func TestProgrammePages(t *testing.T) {
	f := newProgrammeFixture(t, storetest.Open(t))
	fasil := f.progStaff("fasilitator")

	// The import page and its report.
	wantPage(t, fasil, "/rumah-tangga/impor", 200, "Impor rumah tangga", "nama_kepala_keluarga")
	ct, body := multipartFile(t, "file", "campur.csv", testdataCSV(t, "mixed.csv"), map[string]string{"csrf_token": fasil.csrf})
	resp, _, raw := fasil.progSend("POST", "/rumah-tangga/impor", ct, body)
	if resp.StatusCode != 200 || !strings.Contains(string(raw), `id="n-imported">1 baru`) || !strings.Contains(string(raw), "31/02/2026") {
		t.Fatalf("import report page: %d\n%s", resp.StatusCode, raw)
	}
	ct, body = multipartFile(t, "file", "kurang.csv", testdataCSV(t, "missing_columns.csv"), map[string]string{"csrf_token": fasil.csrf})
	if resp, _, raw := fasil.progSend("POST", "/rumah-tangga/impor", ct, body); resp.StatusCode != 422 || !strings.Contains(string(raw), "File tidak diimpor") {
		t.Fatalf("refused file page: %d\n%s", resp.StatusCode, raw)
	}
	importGood(t, f)

	// Lists and the household page with its forms.
	wantPage(t, fasil, "/rumah-tangga/TMN-001", 200, "Siti Aminah", "Tambah atau perbarui anggota", "Catat kunjungan", "Ajukan hibah")
	wantPage(t, f.progStaff("lurah"), "/rumah-tangga/TMN-001", 200, "Siti Aminah")
	if code, _ := f.progStaff("fasilitator-demangan").progPage("/rumah-tangga/TMN-001"); code != 404 {
		t.Fatalf("another kelurahan's household page: %d", code)
	}
	form := func(path string, v map[string]string) (*http.Response, string) {
		var b strings.Builder
		b.WriteString("csrf_token=" + fasil.csrf)
		for k, val := range v {
			b.WriteString("&" + k + "=" + strings.ReplaceAll(val, " ", "+"))
		}
		resp, _, raw := fasil.progSend("POST", path, "application/x-www-form-urlencoded", []byte(b.String()))
		return resp, string(raw)
	}
	if resp, _ := form("/rumah-tangga/TMN-001/anggota", map[string]string{"name": "Siti", "gender": "P", "age": "30"}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("member form: %d", resp.StatusCode)
	}
	if resp, body := form("/rumah-tangga/TMN-001/anggota", map[string]string{"name": "Siti", "gender": "P", "age": "tiga"}); resp.StatusCode != 422 || !strings.Contains(body, "Umur harus angka") {
		t.Fatalf("bad member form: %d", resp.StatusCode)
	}
	// Every bad field of a check-in at once: the omzet and the unanswered "usaha aktif?".
	if resp, body := form("/rumah-tangga/TMN-001/checkin", map[string]string{"omzet": "banyak", "date": "2026-11-26"}); resp.StatusCode != 422 ||
		!strings.Contains(body, "bukan nilai rupiah yang sah") || !strings.Contains(body, "Pilih apakah usahanya masih aktif") {
		t.Fatalf("bad check-in form: %d", resp.StatusCode)
	}
	if resp, _ := form("/rumah-tangga/TMN-001/checkin", map[string]string{"omzet": "1.750.000", "date": "2026-11-26", "active": "ya"}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("check-in form: %d", resp.StatusCode)
	}
	wantPage(t, fasil, "/rumah-tangga/TMN-001?ok=checkin", 200, "Check-in omzet dicatat.", "Rp 1.750.000", "<meter")
	if resp, body := form("/rumah-tangga/TMN-001/hibah", map[string]string{"amount": "5.000.000", "purpose": "alat", "plan": "Membeli oven untuk kue basah."}); resp.StatusCode != 422 || !strings.Contains(body, "Rp 1.000.000 dan Rp 3.000.000") {
		t.Fatalf("grant form out of range: %d", resp.StatusCode)
	}
	if resp, body := form("/rumah-tangga/TMN-001/hibah", map[string]string{"amount": "2.000.000", "purpose": "alat", "plan": "Membeli oven untuk kue basah."}); resp.StatusCode != 503 || !strings.Contains(body, "tidak tersedia") {
		t.Fatalf("grant form with Temporal out: %d", resp.StatusCode)
	}
	wantPage(t, fasil, "/rumah-tangga?dtks=ya", 200, "TMN-001", "TMN-003", "Ekspor CSV")
	if _, body := fasil.progPage("/rumah-tangga?dtks=ya"); strings.Contains(body, "TMN-002") {
		t.Fatal("the DTKS filter shows a non-DTKS household")
	}

	// The grant queue per role, and a grant's page with the forms its
	// role may use.
	g := &hailurah.Grant{HouseholdID: "TMN-002", Amount: 2_000_000, Purpose: "modal", Plan: "Menambah stok kain untuk usaha jahit.", AppliedBy: "fasilitator"}
	if err := f.db.CreateGrant(context.Background(), g); err != nil {
		t.Fatal(err)
	}
	wantPage(t, fasil, "/hibah", 200, "Verifikasi lapangan", g.ID, "Rp 150.000.000")
	if _, body := f.progStaff("lurah").progPage("/hibah"); strings.Contains(body, g.ID) {
		t.Fatal("the lurah's default queue is the verified grants")
	}
	wantPage(t, f.progStaff("lurah"), "/hibah?antrian=semua", 200, g.ID)
	wantPage(t, fasil, "/hibah/"+g.ID, 200, "Simpan verifikasi", "Rp 2.000.000")
	if _, body := f.progStaff("lurah").progPage("/hibah/" + g.ID); strings.Contains(body, "Simpan verifikasi") || !strings.Contains(body, "Tolak hibah") {
		t.Fatal("the lurah sees the reject form, not the verify form")
	}
	resp, body2 := form("/hibah/"+g.ID+"/aksi", map[string]string{"action": "verify"})
	if resp.StatusCode != 422 || !strings.Contains(body2, "Catatan verifikasi lapangan wajib diisi") {
		t.Fatalf("incomplete verify form: %d", resp.StatusCode)
	}
	if code, _ := f.progStaff("fasilitator-demangan").progPage("/hibah/" + g.ID); code != 404 {
		t.Fatalf("another kelurahan's grant page: %d", code)
	}
	if code, _ := f.progStaff("moderator").progPage("/hibah"); code != 403 {
		t.Fatalf("moderator on the grant queue: %d", code)
	}
}

// TestOpenAPICoversProgrammeRoutes is TestOpenAPICoversRoutes with the
// programme's routes registered: every one is in /api/openapi.json.
func TestOpenAPICoversProgrammeRoutes(t *testing.T) {
	f := newProgrammeFixture(t, storetest.Open(t))
	resp, _, raw := f.client().progGet("/api/openapi.json")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("openapi.json: %d", resp.StatusCode)
	}
	var doc struct {
		Paths    map[string]map[string]any `json:"paths"`
		WebPages []string                  `json:"x-web-pages"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	pages := map[string]bool{}
	for _, p := range doc.WebPages {
		pages[p] = true
	}
	n := 0
	for _, r := range f.srv.Routes() {
		method, path, _ := strings.Cut(r, " ")
		if !strings.Contains(path, "household") && !strings.Contains(path, "grant") && !strings.Contains(path, "training") &&
			!strings.Contains(path, "padat-karya") && !strings.Contains(path, "marketplace") &&
			!strings.HasPrefix(path, "/rumah-tangga") && !strings.HasPrefix(path, "/hibah") {
			continue
		}
		n++
		oaPath := ginParam.ReplaceAllString(path, "{$1}")
		if ops, ok := doc.Paths[oaPath]; ok {
			if _, ok := ops[strings.ToLower(method)]; !ok {
				t.Errorf("%s %s: path documented without the %s operation", method, path, method)
			}
			continue
		}
		if !pages[path] {
			t.Errorf("%s %s is not in openapi.json (merge openapi_programme.json)", method, path)
		}
	}
	if n < 25 {
		t.Fatalf("only %d programme routes registered", n)
	}
}
