package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

const grantCSV = "household_id,nama_kepala_keluarga,alamat_rt_rw,dtks_status,potensi_usaha,pelatihan_participation,modal_received,omzet_monthly,umkm_onboarded,date_updated,baseline_income\n" +
	"TMN-101,Siti Aminah,\"RT03/RW02, Jl. Mawar\",YA,Kue basah,Wirausaha dasar,0,\"1.000.000\",TIDAK,2026-03-01,Rp 1.200.000\n" +
	"TMN-102,Budi Santoso,RT01/RW04,TIDAK,Jahit,,0,750000,TIDAK,01/03/2026,900000\n"

// send posts a raw body with its content type, as a CSV upload does.
func (c *apiClient) send(path, contentType string, body []byte, out any) int {
	c.t.Helper()
	req, err := http.NewRequest("POST", c.base+path, bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-CSRF-Token", c.csrf)
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			c.t.Fatalf("POST %s: %d, not JSON: %s", path, resp.StatusCode, raw)
		}
	}
	return resp.StatusCode
}

// page fetches a staff page; postForm posts a form and follows the
// redirect to the page it leads to, as a browser does.
func (c *apiClient) page(path string) (int, string) {
	c.t.Helper()
	resp, err := c.http.Get(c.base + path)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (c *apiClient) postForm(path string, form url.Values) (int, string) {
	c.t.Helper()
	resp, err := c.http.PostForm(c.base+path, form)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

type grantView struct {
	ID              string            `json:"id"`
	Status          string            `json:"status"`
	DTKS            bool              `json:"dtks"`
	DisbursementRef string            `json:"disbursement_ref"`
	OmzetChangePct  *float64          `json:"omzet_change_pct"`
	IncomeChangePct *float64          `json:"income_change_pct"`
	Deadlines       map[string]string `json:"deadlines"`
	Checkins        []struct {
		N      int    `json:"n"`
		At     string `json:"at"`
		Missed bool   `json:"missed"`
	} `json:"checkins"`
	Timeline []struct {
		At    string `json:"at"`
		Type  string `json:"type"`
		Actor string `json:"actor"`
		From  string `json:"from"`
		To    string `json:"to"`
		Note  string `json:"note"`
		Label string `json:"label"`
	} `json:"timeline"`
}

func (c *apiClient) grant(id string) grantView {
	c.t.Helper()
	var g grantView
	if st := c.call("GET", "/api/v1/grants/"+id, nil, &g); st != http.StatusOK {
		c.t.Fatalf("GET grant %s: %d", id, st)
	}
	return g
}

func (c *apiClient) act(id string, body map[string]any, want int) map[string]any {
	c.t.Helper()
	var out map[string]any
	if st := c.call("POST", "/api/v1/grants/"+id+"/actions", body, &out); st != want {
		c.t.Fatalf("%v on %s: %d, want %d: %v", body["action"], id, st, want, out)
	}
	return out
}

func budgetOf(t *testing.T, c *apiClient) (reserved, disbursed float64) {
	t.Helper()
	var b map[string]any
	if st := c.call("GET", "/api/v1/grants/budget", nil, &b); st != http.StatusOK {
		t.Fatalf("budget: %d %v", st, b)
	}
	return b["reserved"].(float64), b["disbursed"].(float64)
}

// TestGrantLoop runs grants on the real embedded Temporal server and the
// real store, through the API only: the household sheet is imported, one
// grant goes from application to completion (verify, approve, disburse
// twice, proof, three omzet check-ins), another is rejected and gives its
// budget back. The policy's check-ins fall due within seconds.
func TestGrantLoop(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server")
	}
	m := startMain(t, t.TempDir(), "HAILURAH_GRANT_POLICY=checkins=2s/4s/6s,checkin_window=1h,checkin_grace=1h")
	base := m.HTTP.URL()
	fasil, lurah, admin := staffClient(t, base, "fasilitator"), staffClient(t, base, "lurah"), staffClient(t, base, "admin")
	lurahDemangan := staffClient(t, base, "lurah-demangan")

	var rep struct {
		Imported int   `json:"imported"`
		Errors   []any `json:"errors"`
	}
	if st := fasil.send("/api/v1/households/import", "text/csv", []byte(grantCSV), &rep); st != http.StatusOK || rep.Imported != 2 || len(rep.Errors) != 0 {
		t.Fatalf("import: %d %+v", st, rep)
	}
	var member map[string]any
	if st := fasil.call("POST", "/api/v1/households/TMN-101/members", map[string]any{"name": "Siti Aminah", "gender": "P", "age": 34}, &member); st != http.StatusCreated {
		t.Fatalf("member: %d %v", st, member)
	}

	// Apply: 201 with the id and status; the budget holds the amount.
	var applied map[string]any
	if st := fasil.call("POST", "/api/v1/grants", map[string]any{"household_id": "TMN-101", "amount": "Rp 2.000.000",
		"purpose": "alat", "plan": "Membeli oven dan loyang untuk usaha kue basah."}, &applied); st != http.StatusCreated || applied["status"] != "applied" {
		t.Fatalf("apply: %d %v", st, applied)
	}
	id := applied["id"].(string)
	if st := fasil.call("POST", "/api/v1/grants", map[string]any{"household_id": "TMN-101", "amount": 1_000_000,
		"purpose": "modal", "plan": "Permohonan kedua untuk rumah tangga yang sama."}, nil); st != http.StatusConflict {
		t.Fatalf("a second active grant: %d", st)
	}
	if r, _ := budgetOf(t, lurah); r != 2_000_000 {
		t.Fatalf("reserved after applying: %v", r)
	}
	eventually(t, "the application's projection", func() bool { g := fasil.grant(id); return len(g.Timeline) == 1 && g.DTKS })
	eventually(t, "the fasilitator's notification", func() bool {
		var n map[string]any
		fasil.call("GET", "/api/v1/notifications", nil, &n)
		return strings.Contains(fmt.Sprint(n), "grant_to_verify")
	})

	// The same 403/422/409 rules as tickets.
	lurah.act(id, map[string]any{"action": "verify", "notes": "x"}, http.StatusForbidden)
	admin.act(id, map[string]any{"action": "approve"}, http.StatusForbidden)
	fasil.act(id, map[string]any{"action": "approve"}, http.StatusForbidden)
	fasil.act(id, map[string]any{"action": "verify"}, http.StatusUnprocessableEntity)
	lurah.act(id, map[string]any{"action": "approve"}, http.StatusConflict)
	if st := lurahDemangan.call("GET", "/api/v1/grants/"+id, nil, nil); st != http.StatusNotFound {
		t.Fatalf("another kelurahan's lurah: %d", st)
	}

	// Verified twice with one Idempotency-Key (a retry after a timeout):
	// one verification, the same answer, not 409.
	verify := map[string]any{"action": "verify", "notes": "Usaha kue berjalan; oven lama rusak.", "photos": []string{"https://foto.example/rumah.jpg"}}
	st1, out := fasil.keyed("POST", "/api/v1/grants/"+id+"/actions", "verifikasi-1", verify)
	st2, again := fasil.keyed("POST", "/api/v1/grants/"+id+"/actions", "verifikasi-1", verify)
	if st1 != http.StatusOK || out["status"] != "verified" || st2 != http.StatusOK || !reflect.DeepEqual(out, again) {
		t.Fatalf("verify twice with one key: %d %v, %d %v", st1, out, st2, again)
	}
	var queue map[string][]map[string]any
	lurah.call("GET", "/api/v1/grants?queue=persetujuan", nil, &queue)
	if len(queue["items"]) != 1 || queue["items"][0]["id"] != id {
		t.Fatalf("the lurah's queue: %v", queue)
	}
	// The lurah's inbox lists it among what waits for their signature.
	if st, page := lurah.page("/kotak-masuk"); st != http.StatusOK || !strings.Contains(page, `href="/hibah/`+id+`"`) {
		t.Fatalf("the lurah's inbox lacks grant %s: %d", id, st)
	}
	// The lurah approves on the grant's page, as a browser posts the form.
	if st, page := lurah.page("/hibah/" + id); st != http.StatusOK || !strings.Contains(page, "Setujui hibah") {
		t.Fatalf("the lurah's grant page: %d", st)
	}
	// A double click on the form posts its key twice: approved once, and
	// the second post shows the same confirmation.
	form := url.Values{"csrf_token": {lurah.csrf}, "action": {"approve"}, "notes": {"Prioritas DTKS."}, "idempotency_key": {"setujui-1"}, "yakin": {"ya"}}
	for range 2 {
		if st, page := lurah.postForm("/hibah/"+id+"/aksi", form); st != http.StatusOK || !strings.Contains(page, "Hibah disetujui") {
			t.Fatalf("approve form: %d", st)
		}
	}
	out = admin.act(id, map[string]any{"action": "disburse", "reference": "TRF-2026-0001"}, http.StatusOK)
	version := out["version"]
	again = admin.act(id, map[string]any{"action": "disburse", "reference": "TRF-2026-0001"}, http.StatusOK)
	if again["version"] != version || again["status"] != "disbursed" {
		t.Fatalf("recording the disbursement twice changed it: %v then %v", version, again["version"])
	}
	lurah.act(id, map[string]any{"action": "disburse", "reference": "KAS-9"}, http.StatusConflict)
	fasil.act(id, map[string]any{"action": "proof", "photos": []string{"https://foto.example/oven.jpg"}, "notes": "Oven terpasang."}, http.StatusOK)
	fasil.act(id, map[string]any{"action": "checkin", "omzet": "1.200.000"}, http.StatusOK)
	fasil.act(id, map[string]any{"action": "checkin", "omzet": 1_350_000}, http.StatusOK)
	fasil.act(id, map[string]any{"action": "checkin", "omzet": "Rp 1.500.000", "income": "1.500.000", "notes": "Pesanan naik."}, http.StatusOK)

	eventually(t, "completion", func() bool { return fasil.grant(id).Status == "completed" })
	g := fasil.grant(id)
	if g.DisbursementRef != "TRF-2026-0001" || g.OmzetChangePct == nil || *g.OmzetChangePct != 50 || g.IncomeChangePct == nil || *g.IncomeChangePct != 25 {
		t.Fatalf("completed grant: %+v", g)
	}
	var types []string
	for _, e := range g.Timeline {
		types = append(types, e.Type)
		t.Logf("%s  %-10s %-14s %-9s → %-9s %s", e.At, e.Actor, e.Type, e.From, e.To, e.Note)
	}
	want := "applied verify approve disburse proof checkin checkin checkin completed"
	if strings.Join(types, " ") != want {
		t.Fatalf("timeline %v, want %s", types, want)
	}
	// The workflow has ended: actions are refused, the same disbursement
	// is still answered without change.
	fasil.act(id, map[string]any{"action": "checkin", "omzet": 1}, http.StatusConflict)
	admin.act(id, map[string]any{"action": "disburse", "reference": "TRF-2026-0001"}, http.StatusOK)

	// The household's record follows the grant.
	var h map[string]any
	lurah.call("GET", "/api/v1/households/TMN-101", nil, &h)
	checkins, _ := h["checkins"].([]any)
	grants, _ := h["grants"].([]any)
	if h["omzet_monthly"] != float64(1_500_000) || h["modal_received"] != float64(2_000_000) || len(checkins) != 3 || len(grants) != 1 {
		t.Fatalf("household after the grant: %v", h)
	}
	if r, d := budgetOf(t, lurah); r != 2_000_000 || d != 2_000_000 {
		t.Fatalf("budget after completion: reserved %v disbursed %v", r, d)
	}

	// A rejected grant gives its reservation back.
	var second map[string]any
	if st := fasil.call("POST", "/api/v1/grants", map[string]any{"household_id": "TMN-102", "amount": 3_000_000,
		"purpose": "modal", "plan": "Menambah stok kain untuk usaha jahit."}, &second); st != http.StatusCreated {
		t.Fatalf("second application: %d %v", st, second)
	}
	if r, _ := budgetOf(t, lurah); r != 5_000_000 {
		t.Fatalf("reserved with two grants: %v", r)
	}
	lurah.act(second["id"].(string), map[string]any{"action": "reject", "reason": "Usaha belum berjalan."}, http.StatusOK)
	eventually(t, "the released budget", func() bool { r, _ := budgetOf(t, lurah); return r == 2_000_000 })
	if g := fasil.grant(second["id"].(string)); g.Status != "rejected" {
		t.Fatalf("second grant: %+v", g)
	}
}
