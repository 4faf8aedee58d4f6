package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/storetest"
)

// Open311 GeoReport v2 conformance: the spec's fields, element names and
// error format, in JSON and XML. Creating a request (which starts a
// workflow) is tested end to end in cmd/hailurah/channels_test.go.

// newO311Fixture is a channel fixture whose clock moves a minute before
// every request, as a client's would between requests.
func newO311Fixture(t *testing.T, db *store.DB) *chanFixture {
	f := newChanFixture(t, db, chanOptions{})
	f.tick = time.Minute
	return f
}

type o311Error struct {
	Code        int    `json:"code" xml:"code"`
	Description string `json:"description" xml:"description"`
}

// wantO311Error checks the spec's error list in either format.
func wantO311Error(t *testing.T, format string, status int, body string, want int) {
	t.Helper()
	if status != want {
		t.Fatalf("status %d, want %d: %s", status, want, body)
	}
	var errs []o311Error
	if format == "xml" {
		var doc struct {
			XMLName xml.Name    `xml:"errors"`
			Errors  []o311Error `xml:"error"`
		}
		if err := xml.Unmarshal([]byte(body), &doc); err != nil {
			t.Fatalf("XML error list: %v\n%s", err, body)
		}
		errs = doc.Errors
	} else if err := json.Unmarshal([]byte(body), &errs); err != nil {
		t.Fatalf("JSON error list: %v\n%s", err, body)
	}
	if len(errs) != 1 || errs[0].Code != want || errs[0].Description == "" {
		t.Fatalf("error list %+v, want one with code %d", errs, want)
	}
}

func TestOpen311Services(t *testing.T) {
	f := newO311Fixture(t, storetest.Open(t))
	st, body := f.request("GET", "/open311/v2/services.json?jurisdiction_id=taman", "", "", nil)
	var services []map[string]any
	if err := json.Unmarshal([]byte(body), &services); st != 200 || err != nil {
		t.Fatalf("services.json: %d %v %s", st, err, body)
	}
	if len(services) != len(hailurah.Kategoris) {
		t.Fatalf("%d services, want one per kategori", len(services))
	}
	for i, s := range services {
		if s["service_code"] != hailurah.Kategoris[i] || s["service_name"] == "" || s["metadata"] != true || s["type"] != "realtime" ||
			s["description"] == "" || s["group"] == nil || s["keywords"] == nil {
			t.Errorf("service %d: %v", i, s)
		}
	}
	if services[0]["service_name"] != "Lingkungan" {
		t.Errorf("service name %v, want the Indonesian name", services[0]["service_name"])
	}

	st, body = f.request("GET", "/open311/v2/services.xml?jurisdiction_id=taman", "", "", nil)
	var doc struct {
		XMLName  xml.Name `xml:"services"`
		Services []struct {
			ServiceCode string `xml:"service_code"`
			ServiceName string `xml:"service_name"`
			Metadata    bool   `xml:"metadata"`
			Type        string `xml:"type"`
		} `xml:"service"`
	}
	if err := xml.Unmarshal([]byte(body), &doc); st != 200 || err != nil || !strings.HasPrefix(body, "<?xml") {
		t.Fatalf("services.xml: %d %v %s", st, err, body)
	}
	if len(doc.Services) != len(hailurah.Kategoris) || doc.Services[1].ServiceCode != hailurah.KategoriInfrastruktur || !doc.Services[1].Metadata {
		t.Fatalf("services.xml: %+v", doc)
	}

	for _, format := range []string{"json", "xml"} {
		st, body = f.request("GET", "/open311/v2/services."+format+"?jurisdiction_id=atlantis", "", "", nil)
		wantO311Error(t, format, st, body, http.StatusNotFound)
	}
}

func TestOpen311ServiceDefinition(t *testing.T) {
	f := newO311Fixture(t, storetest.Open(t))
	st, body := f.request("GET", "/open311/v2/services/lingkungan.json?jurisdiction_id=taman", "", "", nil)
	var def struct {
		ServiceCode string `json:"service_code"`
		Attributes  []struct {
			Variable bool   `json:"variable"`
			Code     string `json:"code"`
			Datatype string `json:"datatype"`
			Required bool   `json:"required"`
			Order    int    `json:"order"`
		} `json:"attributes"`
	}
	if err := json.Unmarshal([]byte(body), &def); st != 200 || err != nil {
		t.Fatalf("definition: %d %v %s", st, err, body)
	}
	if def.ServiceCode != "lingkungan" || len(def.Attributes) != 2 || def.Attributes[0].Code != "RT" || def.Attributes[1].Code != "RW" ||
		!def.Attributes[0].Variable || def.Attributes[0].Datatype != "string" || def.Attributes[1].Order != 2 {
		t.Fatalf("definition: %+v", def)
	}
	st, body = f.request("GET", "/open311/v2/services/kesehatan.xml?jurisdiction_id=demangan", "", "", nil)
	var xdef struct {
		XMLName     xml.Name `xml:"service_definition"`
		ServiceCode string   `xml:"service_code"`
		Attributes  []struct {
			Code string `xml:"code"`
		} `xml:"attributes>attribute"`
	}
	if err := xml.Unmarshal([]byte(body), &xdef); st != 200 || err != nil || xdef.ServiceCode != "kesehatan" || len(xdef.Attributes) != 2 {
		t.Fatalf("definition XML: %d %v %s", st, err, body)
	}
	st, body = f.request("GET", "/open311/v2/services/parkir.json?jurisdiction_id=taman", "", "", nil)
	wantO311Error(t, "json", st, body, http.StatusNotFound)
	st, body = f.request("GET", "/open311/v2/services/parkir.xml?jurisdiction_id=taman", "", "", nil)
	wantO311Error(t, "xml", st, body, http.StatusNotFound)
	st, body = f.request("GET", "/open311/v2/services/lingkungan", "", "", nil)
	wantO311Error(t, "json", st, body, http.StatusNotFound)
}

// TestOpen311CreateErrors: every refusal of POST requests, before a ticket
// is started, in the spec's codes.
func TestOpen311CreateErrors(t *testing.T) {
	f := newO311Fixture(t, storetest.Open(t))
	key := f.token("admin")
	disabledKey := f.token("moderator")
	mod, _ := f.db.FindUserByUsername(context.Background(), "moderator")
	if err := f.db.SetDisabled(context.Background(), mod.ID, true); err != nil {
		t.Fatal(err)
	}
	valid := url.Values{"api_key": {key}, "jurisdiction_id": {"taman"}, "service_code": {"infrastruktur"}, "lat": {"-7.6298"}, "long": {"111.5239"},
		"description": {"Lampu jalan di gang 3 mati sejak minggu lalu."}}
	with := func(change func(v url.Values)) string {
		v := url.Values{}
		for k, x := range valid {
			v[k] = append([]string(nil), x...)
		}
		change(v)
		return v.Encode()
	}
	cases := []struct {
		name string
		body string
		want int
	}{
		{"no api_key", with(func(v url.Values) { v.Del("api_key") }), http.StatusForbidden},
		{"wrong api_key", with(func(v url.Values) { v.Set("api_key", "hl_salah") }), http.StatusForbidden},
		{"disabled user's key", with(func(v url.Values) { v.Set("api_key", disabledKey) }), http.StatusForbidden},
		{"no service_code", with(func(v url.Values) { v.Del("service_code") }), http.StatusBadRequest},
		{"unknown service_code", with(func(v url.Values) { v.Set("service_code", "parkir") }), http.StatusNotFound},
		{"unknown jurisdiction", with(func(v url.Values) { v.Set("jurisdiction_id", "atlantis") }), http.StatusNotFound},
		{"no location", with(func(v url.Values) { v.Del("lat"); v.Del("long") }), http.StatusBadRequest},
		{"lat without long", with(func(v url.Values) { v.Del("long") }), http.StatusBadRequest},
		{"lat out of range", with(func(v url.Values) { v.Set("lat", "97") }), http.StatusBadRequest},
		{"lat not a number", with(func(v url.Values) { v.Set("lat", "NaN") }), http.StatusBadRequest},
		{"no jurisdiction", with(func(v url.Values) { v.Del("jurisdiction_id") }), http.StatusBadRequest},
		{"no description and no location", with(func(v url.Values) { v.Del("description"); v.Del("lat"); v.Del("long") }), http.StatusBadRequest},
		{"description too long", with(func(v url.Values) { v.Set("description", strings.Repeat("a", 4001)) }), http.StatusBadRequest},
		{"bad RT", with(func(v url.Values) { v.Set("attribute[RT]", "tiga") }), http.StatusBadRequest},
		{"bad phone", with(func(v url.Values) { v.Set("phone", "nomor saya") }), http.StatusBadRequest},
		{"bad media_url", with(func(v url.Values) { v.Set("media_url", "javascript:alert(1)") }), http.StatusBadRequest},
		{"not a form", "%zz", http.StatusBadRequest},
	}
	for _, format := range []string{"json", "xml"} {
		for _, c := range cases {
			t.Run(format+"/"+c.name, func(t *testing.T) {
				st, body := f.request("POST", "/open311/v2/requests."+format, "application/x-www-form-urlencoded", c.body, nil)
				wantO311Error(t, format, st, body, c.want)
			})
		}
	}
	// A multipart form is read like a url-encoded one: the key is found,
	// and the missing long is what it refuses.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range valid {
		if k != "long" {
			_ = mw.WriteField(k, v[0])
		}
	}
	_ = mw.Close()
	st, body := f.request("POST", "/open311/v2/requests.json", mw.FormDataContentType(), buf.String(), nil)
	wantO311Error(t, "json", st, body, http.StatusBadRequest)
	if !strings.Contains(body, "long") {
		t.Errorf("multipart without a long: %s", body)
	}

	page, err := f.db.ListTickets(context.Background(), hailurah.TicketFilter{})
	if err != nil || len(page.Items) != 0 {
		t.Fatalf("refused requests created tickets: %v %v", page, err)
	}
}

// o311Tickets stores tickets as the workflow's projection would: one per
// situation the spec's fields must show.
func o311Tickets(t *testing.T, db *store.DB, now time.Time) {
	t.Helper()
	ctx := context.Background()
	lat, lng := -7.6298, 111.5239
	modDue, dinasDue := now.Add(20*time.Hour), now.Add(6*24*time.Hour)
	resolved := now.Add(-time.Hour)
	tickets := []hailurah.Ticket{
		{ID: "HL-2026-000001", TrackingCode: "AAAAAA", DatetimeReceived: now.Add(-5 * 24 * time.Hour), Channel: "whatsapp", SenderID: "s1",
			Kelurahan: "taman", RT: "03", RW: "02", MessageText: "Got mampet, hubungi saya di 081234567890.",
			Kategori: "lingkungan", Status: hailurah.StatusAssigned, AssignedUnit: "pupr", Lat: &lat, Lng: &lng,
			ModeratorDue: &modDue, DinasDue: &dinasDue, Version: 3},
		{ID: "HL-2026-000002", TrackingCode: "BBBBBB", DatetimeReceived: now.Add(-4 * 24 * time.Hour), Channel: "web", SenderID: "s2",
			Kelurahan: "demangan", MessageText: "Saya Budi, lampu jalan mati.", Summary: "Lampu jalan mati di gang 3.",
			Kategori: "infrastruktur", Status: hailurah.StatusResolved, ResolvedAt: &resolved, Version: 9},
		{ID: "HL-2026-000003", TrackingCode: "CCCCCC", DatetimeReceived: now.Add(-3 * 24 * time.Hour), Channel: "whatsapp", SenderID: "s3",
			Kelurahan: "taman", MessageText: "Nama saya Siti, tetangga melakukan kekerasan.", Summary: "Dugaan kekerasan dalam rumah tangga.",
			Kategori: "keamanan", Status: hailurah.StatusOpen, PrivacyFlag: true, Lat: &lat, Lng: &lng, ModeratorDue: &modDue, Version: 2},
		{ID: "HL-2026-000004", TrackingCode: "DDDDDD", DatetimeReceived: now.Add(-2 * time.Hour), Channel: "open311", SenderID: "s4",
			MessageText: "Pohon tumbang.", Status: hailurah.StatusNew, Version: 1},
		{ID: "HL-2025-000099", TrackingCode: "EEEEEE", DatetimeReceived: now.Add(-200 * 24 * time.Hour), Channel: "web", SenderID: "s5",
			Kelurahan: "taman", MessageText: "Lama sekali.", Kategori: "lingkungan", Status: hailurah.StatusClosed, Version: 4},
	}
	for i := range tickets {
		tk := tickets[i]
		if err := db.UpsertTicket(ctx, &tk); err != nil {
			t.Fatalf("%s: %v", tk.ID, err)
		}
	}
}

type o311Request struct {
	ServiceRequestID  string   `json:"service_request_id" xml:"service_request_id"`
	Status            string   `json:"status" xml:"status"`
	StatusNotes       string   `json:"status_notes" xml:"status_notes"`
	ServiceName       string   `json:"service_name" xml:"service_name"`
	ServiceCode       string   `json:"service_code" xml:"service_code"`
	Description       string   `json:"description" xml:"description"`
	AgencyResponsible string   `json:"agency_responsible" xml:"agency_responsible"`
	ServiceNotice     string   `json:"service_notice" xml:"service_notice"`
	RequestedDatetime string   `json:"requested_datetime" xml:"requested_datetime"`
	UpdatedDatetime   string   `json:"updated_datetime" xml:"updated_datetime"`
	ExpectedDatetime  string   `json:"expected_datetime" xml:"expected_datetime"`
	Address           string   `json:"address" xml:"address"`
	Lat               *float64 `json:"lat" xml:"lat"`
	Long              *float64 `json:"long" xml:"long"`
}

func o311List(t *testing.T, f *chanFixture, format, query string) []o311Request {
	t.Helper()
	st, body := f.request("GET", "/open311/v2/requests."+format+query, "", "", nil)
	if st != 200 {
		t.Fatalf("requests.%s%s: %d %s", format, query, st, body)
	}
	return decodeO311Requests(t, format, body)
}

func decodeO311Requests(t *testing.T, format, body string) []o311Request {
	t.Helper()
	var list []o311Request
	if format == "xml" {
		var doc struct {
			XMLName  xml.Name      `xml:"service_requests"`
			Requests []o311Request `xml:"request"`
		}
		if err := xml.Unmarshal([]byte(body), &doc); err != nil {
			t.Fatalf("XML: %v\n%s", err, body)
		}
		return doc.Requests
	}
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		t.Fatalf("JSON: %v\n%s", err, body)
	}
	return list
}

func ids(list []o311Request) string {
	var out []string
	for _, r := range list {
		out = append(out, r.ServiceRequestID)
	}
	return strings.Join(out, ",")
}

func TestOpen311Requests(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newO311Fixture(t, db)
		now := f.clock.Now()
		o311Tickets(t, db, now)
		for _, format := range []string{"json", "xml"} {
			// Default: the last 90 days, newest first.
			list := o311List(t, f, format, "")
			if got := ids(list); got != "HL-2026-000004,HL-2026-000003,HL-2026-000002,HL-2026-000001" {
				t.Fatalf("%s default list: %s", format, got)
			}
			byID := map[string]o311Request{}
			for _, r := range list {
				byID[r.ServiceRequestID] = r
			}
			assigned := byID["HL-2026-000001"]
			if assigned.Status != "open" || assigned.StatusNotes != "Diteruskan ke dinas" || assigned.ServiceCode != "lingkungan" ||
				assigned.ServiceName != "Lingkungan" || assigned.AgencyResponsible != "Dinas Pekerjaan Umum dan Penataan Ruang" ||
				assigned.ExpectedDatetime != now.Add(6*24*time.Hour).UTC().Format(time.RFC3339) ||
				assigned.RequestedDatetime != now.Add(-5*24*time.Hour).UTC().Format(time.RFC3339) ||
				assigned.Address != "RT 03/RW 02, Kelurahan Taman" || assigned.Lat == nil || *assigned.Lat != -7.6298 {
				t.Errorf("%s assigned ticket: %+v", format, assigned)
			}
			if strings.Contains(assigned.Description, "081234567890") || !strings.Contains(assigned.Description, "Got mampet") {
				t.Errorf("%s description must be masked: %q", format, assigned.Description)
			}
			if r := byID["HL-2026-000002"]; r.Status != "closed" || r.Description != "Lampu jalan mati di gang 3." ||
				r.AgencyResponsible != "Kelurahan Demangan" || r.ExpectedDatetime != "" {
				t.Errorf("%s resolved ticket: %+v", format, r)
			}
			if r := byID["HL-2026-000003"]; r.Lat != nil || r.Long != nil || strings.Contains(r.Description, "Siti") ||
				r.ExpectedDatetime != now.Add(20*time.Hour).UTC().Format(time.RFC3339) {
				t.Errorf("%s anonymous ticket shows too much: %+v", format, r)
			}
			if r := byID["HL-2026-000004"]; r.ServiceCode != "lainnya" || r.AgencyResponsible == "" || r.Status != "open" {
				t.Errorf("%s untriaged ticket: %+v", format, r)
			}

			filters := map[string]string{
				"?status=closed":                 "HL-2026-000002",
				"?status=open":                   "HL-2026-000004,HL-2026-000003,HL-2026-000001",
				"?status=open,closed":            "HL-2026-000004,HL-2026-000003,HL-2026-000002,HL-2026-000001",
				"?service_code=lingkungan":       "HL-2026-000001",
				"?service_code=keamanan,lainnya": "HL-2026-000004,HL-2026-000003",
				"?jurisdiction_id=taman":         "HL-2026-000003,HL-2026-000001",
				"?start_date=" + url.QueryEscape(now.Add(-250*24*time.Hour).Format(time.RFC3339)) + "&end_date=" +
					url.QueryEscape(now.Add(-170*24*time.Hour).Format(time.RFC3339)): "HL-2025-000099",
				"?start_date=" + now.Add(-4*24*time.Hour-time.Minute).Format("2006-01-02T15:04:05Z07:00"): "HL-2026-000004,HL-2026-000003,HL-2026-000002",
				// Ids override every other filter, the old one included.
				"?service_request_id=HL-2025-000099,HL-2026-000002,HL-2099-000001&status=open": "HL-2025-000099,HL-2026-000002",
			}
			for q, want := range filters {
				if got := ids(o311List(t, f, format, q)); got != want {
					t.Errorf("%s %s: %s, want %s", format, q, got, want)
				}
			}
			for _, q := range []string{"?status=pending", "?start_date=kemarin", "?service_code=parkir",
				"?start_date=2026-03-05&end_date=2026-03-01"} {
				st, body := f.request("GET", "/open311/v2/requests."+format+q, "", "", nil)
				wantO311Error(t, format, st, body, http.StatusBadRequest)
			}

			st, body := f.request("GET", "/open311/v2/requests/HL-2026-000001."+format, "", "", nil)
			if one := decodeO311Requests(t, format, body); st != 200 || len(one) != 1 || one[0].ServiceRequestID != "HL-2026-000001" {
				t.Errorf("%s one request: %d %s", format, st, body)
			}
			st, body = f.request("GET", "/open311/v2/requests/HL-2099-000001."+format, "", "", nil)
			wantO311Error(t, format, st, body, http.StatusNotFound)
		}
		st, body := f.request("GET", "/open311/v2/requests/HL-2026-000001", "", "", nil)
		wantO311Error(t, "json", st, body, http.StatusNotFound)
		st, body = f.request("GET", "/open311/v2/requests.json?jurisdiction_id=atlantis", "", "", nil)
		wantO311Error(t, "json", st, body, http.StatusNotFound)
	})
}

// TestOpen311RateLimit: past the per-IP limit, the refusal is in the
// spec's error format too.
func TestOpen311RateLimit(t *testing.T) {
	f := newChanFixture(t, storetest.Open(t), chanOptions{}) // the clock stands still: no refill
	var st int
	var body string
	for range 25 {
		if st, body = f.request("GET", "/open311/v2/requests/HL-2026-000001.xml", "", "", nil); st == http.StatusTooManyRequests {
			break
		}
	}
	wantO311Error(t, "xml", st, body, http.StatusTooManyRequests)
}

// The departures a third-party GeoReport v2 client found, one test each;
// docs/OPEN311.md lists them.

// o311Post posts form to path and returns the created request's id, or
// fails the test.
func o311Post(t *testing.T, f *chanFixture, path string, form url.Values) string {
	t.Helper()
	st, body := f.request("POST", path, "application/x-www-form-urlencoded", form.Encode(), nil)
	var created []struct {
		ServiceRequestID string `json:"service_request_id"`
	}
	if format := open311Format(path); format == "xml" {
		list := decodeO311Requests(t, format, body)
		if st != 200 || len(list) != 1 {
			t.Fatalf("POST %s: %d %s", path, st, body)
		}
		return list[0].ServiceRequestID
	}
	if err := json.Unmarshal([]byte(body), &created); st != 200 || err != nil || len(created) != 1 || created[0].ServiceRequestID == "" {
		t.Fatalf("POST %s: %d %v %s", path, st, err, body)
	}
	return created[0].ServiceRequestID
}

func open311Format(path string) string {
	if p, _, _ := strings.Cut(path, "?"); strings.HasSuffix(p, ".xml") {
		return "xml"
	}
	return "json"
}

// o311Form is a valid request of the admin's key without jurisdiction.
func o311Form(key string) url.Values {
	return url.Values{"api_key": {key}, "service_code": {"infrastruktur"}, "lat": {"-7.6298"}, "long": {"111.5239"},
		"description": {"Lampu jalan di gang 3 mati sejak minggu lalu."}}
}

// TestOpen311JurisdictionInQueryAndForm (point 1): jurisdiction_id routes
// the new request, whether in the query string of the POST or in its
// form; an unknown one is a 404 in the spec's format.
func TestOpen311JurisdictionInQueryAndForm(t *testing.T) {
	cases := &recordingCases{}
	f := newChanFixture(t, storetest.Open(t), chanOptions{cases: cases})
	f.tick = time.Minute
	key := f.token("admin")
	for _, format := range []string{"json", "xml"} {
		id := o311Post(t, f, "/open311/v2/requests."+format+"?jurisdiction_id=demangan", o311Form(key))
		if tk, err := f.db.FindTicket(context.Background(), id); err != nil || tk.Kelurahan != "demangan" {
			t.Errorf("%s query jurisdiction: ticket %+v %v", format, tk, err)
		}
		form := o311Form(key)
		form.Set("jurisdiction_id", "demangan")
		id = o311Post(t, f, "/open311/v2/requests."+format, form)
		if tk, err := f.db.FindTicket(context.Background(), id); err != nil || tk.Kelurahan != "demangan" {
			t.Errorf("%s form jurisdiction: ticket %+v %v", format, tk, err)
		}
		st, body := f.request("POST", "/open311/v2/requests."+format+"?jurisdiction_id=atlantis", "application/x-www-form-urlencoded",
			o311Form(key).Encode(), nil)
		wantO311Error(t, format, st, body, http.StatusNotFound)
	}
	for _, in := range cases.starts {
		if in.Kelurahan != "demangan" || in.KelurahanName != "Demangan" {
			t.Errorf("workflow started outside the jurisdiction: %+v", in)
		}
	}
	if len(cases.starts) != 4 {
		t.Errorf("%d started, want 4", len(cases.starts))
	}
}

// TestOpen311JurisdictionRequired (point 2): with more than one
// kelurahan served, services, a service definition and POST requests
// need jurisdiction_id (400); GET requests may still list them all.
func TestOpen311JurisdictionRequired(t *testing.T) {
	f := newO311Fixture(t, storetest.Open(t))
	key := f.token("admin")
	for _, format := range []string{"json", "xml"} {
		for _, path := range []string{"/open311/v2/services." + format, "/open311/v2/services/lingkungan." + format} {
			st, body := f.request("GET", path, "", "", nil)
			wantO311Error(t, format, st, body, http.StatusBadRequest)
			if !strings.Contains(body, "jurisdiction_id") {
				t.Errorf("%s: the error should name jurisdiction_id: %s", path, body)
			}
			if st, body := f.request("GET", path+"?jurisdiction_id=taman", "", "", nil); st != 200 {
				t.Errorf("%s with a jurisdiction: %d %s", path, st, body)
			}
		}
		st, body := f.request("POST", "/open311/v2/requests."+format, "application/x-www-form-urlencoded", o311Form(key).Encode(), nil)
		wantO311Error(t, format, st, body, http.StatusBadRequest)
		if st, body := f.request("GET", "/open311/v2/requests."+format, "", "", nil); st != 200 {
			t.Errorf("requests.%s without a jurisdiction: %d %s", format, st, body)
		}
	}
}

// TestOpen311ServiceCodeIsKategori (point 3): the posted service_code is
// the ticket's kategori from the start, though the words speak of another
// (the workflow keeps it through triage: TestClientKategoriKept).
func TestOpen311ServiceCodeIsKategori(t *testing.T) {
	cases := &recordingCases{}
	f := newChanFixture(t, storetest.Open(t), chanOptions{cases: cases})
	form := o311Form(f.token("admin"))
	form.Set("jurisdiction_id", "taman")
	form.Set("service_code", "kesehatan")
	form.Set("description", "Got mampet dan sampah menumpuk, banyak nyamuk, anak-anak demam berdarah.")
	id := o311Post(t, f, "/open311/v2/requests.json", form)
	if len(cases.starts) != 1 || cases.starts[0].Kategori != hailurah.KategoriKesehatan {
		t.Fatalf("workflow input: %+v", cases.starts)
	}
	if tk, err := f.db.FindTicket(context.Background(), id); err != nil || tk.Kategori != hailurah.KategoriKesehatan {
		t.Fatalf("ticket: %+v %v", tk, err)
	}
	st, body := f.request("GET", "/open311/v2/requests/"+id+".json", "", "", nil)
	if list := decodeO311Requests(t, "json", body); st != 200 || len(list) != 1 || list[0].ServiceCode != "kesehatan" {
		t.Errorf("request view: %d %s", st, body)
	}
}

// TestOpen311DescriptionOptional (point 4): without a description, the
// location (or the photo) describes the request, and triage reads the
// service's name and the address; with neither, it is a 400.
func TestOpen311DescriptionOptional(t *testing.T) {
	cases := &recordingCases{}
	f := newChanFixture(t, storetest.Open(t), chanOptions{cases: cases})
	f.tick = time.Minute
	key := f.token("admin")
	form := url.Values{"api_key": {key}, "jurisdiction_id": {"taman"}, "service_code": {"infrastruktur"},
		"address_string": {"Jl. Mawar 12"}}
	o311Post(t, f, "/open311/v2/requests.json", form)
	form = url.Values{"api_key": {key}, "jurisdiction_id": {"taman"}, "service_code": {"lingkungan"},
		"lat": {"-7.6298"}, "long": {"111.5239"}, "media_url": {"https://foto.contoh.id/got.jpg"}}
	o311Post(t, f, "/open311/v2/requests.xml", form)
	if len(cases.starts) != 2 {
		t.Fatalf("%d started", len(cases.starts))
	}
	if text := cases.starts[0].First.Text; !strings.Contains(text, "Infrastruktur") || !strings.Contains(text, "Jl. Mawar 12") {
		t.Errorf("text for triage from service and address: %q", text)
	}
	if text := cases.starts[1].First.Text; !strings.Contains(text, "Lingkungan") || !strings.Contains(text, "-7.6298") ||
		!strings.Contains(text, "Foto") {
		t.Errorf("text for triage from service, point and photo: %q", text)
	}
	form = url.Values{"api_key": {key}, "jurisdiction_id": {"taman"}, "service_code": {"lingkungan"},
		"media_url": {"https://foto.contoh.id/got.jpg"}}
	st, body := f.request("POST", "/open311/v2/requests.json", "application/x-www-form-urlencoded", form.Encode(), nil)
	wantO311Error(t, "json", st, body, http.StatusBadRequest) // the spec requires a location
}

// TestOpen311MediaURL (point 5): media_url is taken when it is an
// absolute http(s) URL of at most 2,000 characters, reaches the message's
// media (the media download fetches it) and is shown as media_url, but not
// on an anonymous ticket.
func TestOpen311MediaURL(t *testing.T) {
	cases := &recordingCases{}
	f := newChanFixture(t, storetest.Open(t), chanOptions{cases: cases})
	f.tick = time.Minute
	key := f.token("admin")
	photo := "https://foto.contoh.id/lampu.jpg?ukuran=besar"
	form := o311Form(key)
	form.Set("jurisdiction_id", "taman")
	form.Set("media_url", photo)
	id := o311Post(t, f, "/open311/v2/requests.json", form)
	if len(cases.starts) != 1 || len(cases.starts[0].First.Media) != 1 || cases.starts[0].First.Media[0] != photo {
		t.Fatalf("media of the first message: %+v", cases.starts)
	}
	for _, format := range []string{"json", "xml"} {
		st, body := f.request("GET", "/open311/v2/requests/"+id+"."+format, "", "", nil)
		var got []struct {
			MediaURL string `json:"media_url" xml:"media_url"`
		}
		if format == "xml" {
			got = append(got, struct {
				MediaURL string `json:"media_url" xml:"media_url"`
			}{MediaURL: xmlField(body, "media_url")})
		} else if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Fatal(err)
		}
		if st != 200 || len(got) != 1 || got[0].MediaURL != photo {
			t.Errorf("%s media_url: %d %s", format, st, body)
		}
	}
	form.Set("description", "ANONIM: YA\nLampu jalan mati di depan rumah saya.")
	anon := o311Post(t, f, "/open311/v2/requests.json", form)
	if err := f.db.UpsertTicket(context.Background(), func() *hailurah.Ticket {
		tk, _ := f.db.FindTicket(context.Background(), anon)
		tk.PrivacyFlag, tk.Version = true, tk.Version+1
		return tk
	}()); err != nil {
		t.Fatal(err)
	}
	if _, body := f.request("GET", "/open311/v2/requests/"+anon+".xml", "", "", nil); xmlField(body, "media_url") != "" {
		t.Errorf("an anonymous ticket shows its photo: %s", body)
	}

	for name, bad := range map[string]string{
		"relative": "/foto/lampu.jpg", "no scheme": "foto.contoh.id/lampu.jpg", "ftp": "ftp://foto.contoh.id/lampu.jpg",
		"script": "javascript:alert(1)", "too long": "https://foto.contoh.id/" + strings.Repeat("a", 1980),
	} {
		form.Set("media_url", bad)
		st, body := f.request("POST", "/open311/v2/requests.json", "application/x-www-form-urlencoded", form.Encode(), nil)
		wantO311Error(t, "json", st, body, http.StatusBadRequest)
		if !strings.Contains(body, "media_url") {
			t.Errorf("%s: %s", name, body)
		}
	}
}

// xmlField is the text of the first <name> element of body.
func xmlField(body, name string) string {
	_, rest, ok := strings.Cut(body, "<"+name+">")
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, "</"+name+">")
	return strings.ReplaceAll(v, "&amp;", "&")
}

// TestOpen311DateWindow (point 6): start_date and end_date span 90 days
// at most; one alone reaches 90 days from it; bad dates are a 400 naming
// the W3C format.
func TestOpen311DateWindow(t *testing.T) {
	f := newO311Fixture(t, storetest.Open(t))
	now := f.clock.Now()
	o311Tickets(t, f.db, now)
	day := 24 * time.Hour
	date := func(d time.Duration) string { return url.QueryEscape(now.Add(d).Format(time.RFC3339)) }
	for _, format := range []string{"json", "xml"} {
		for q, want := range map[string]string{
			"?start_date=" + date(-210*day) + "&end_date=" + date(-120*day): "HL-2025-000099", // exactly 90 days
			"?end_date=" + date(-150*day):                                   "HL-2025-000099", // from 90 days before
			"?start_date=" + date(-201*day):                                 "HL-2025-000099", // to 90 days after
			"?end_date=" + date(-3*day):                                     "HL-2026-000002,HL-2026-000001",
		} {
			if got := ids(o311List(t, f, format, q)); got != want {
				t.Errorf("%s %s: %s, want %s", format, q, got, want)
			}
		}
		for q, why := range map[string]string{
			"?start_date=" + date(-250*day) + "&end_date=" + date(-100*day): "90",
			"?start_date=" + date(-91*day) + "&end_date=" + date(0):         "90",
			"?start_date=" + date(-day) + "&end_date=" + date(-2*day):       "end_date",
			"?start_date=kemarin":                                                 "W3C",
			"?start_date=2026-13-01T00:00:00Z":                                    "W3C",
			"?end_date=2026-03-01T10:00:00":                                       "W3C", // no zone
			"?end_date=" + url.QueryEscape("Tue, 10 Mar 2026 02:00:00 GMT"):       "W3C",
			"?start_date=" + date(-day) + "&end_date=" + url.QueryEscape("besok"): "W3C",
		} {
			st, body := f.request("GET", "/open311/v2/requests."+format+q, "", "", nil)
			wantO311Error(t, format, st, body, http.StatusBadRequest)
			if !strings.Contains(body, why) {
				t.Errorf("%s %s: the error should say %q: %s", format, q, why, body)
			}
		}
	}
}

// o311Raw sends a request and returns the whole response, headers
// included.
func o311Raw(t *testing.T, f *chanFixture, method, path, contentType, body string) (*http.Response, string) {
	t.Helper()
	f.clock.Add(f.tick)
	req, err := http.NewRequest(method, f.ts.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// TestOpen311XMLIsTextXML (point 7): every .xml answer, errors included,
// is text/xml in UTF-8, with the XML declaration; JSON stays JSON.
func TestOpen311XMLIsTextXML(t *testing.T) {
	f := newChanFixture(t, storetest.Open(t), chanOptions{cases: &recordingCases{}})
	f.tick = time.Minute
	o311Tickets(t, f.db, f.clock.Now())
	key := f.token("admin")
	form := o311Form(key)
	form.Set("jurisdiction_id", "taman")
	for _, c := range []struct {
		method, path, body string
		status             int
	}{
		{"GET", "/open311/v2/services.xml?jurisdiction_id=taman", "", 200},
		{"GET", "/open311/v2/services.xml", "", 400},
		{"GET", "/open311/v2/services/lingkungan.xml?jurisdiction_id=taman", "", 200},
		{"GET", "/open311/v2/services/parkir.xml?jurisdiction_id=taman", "", 404},
		{"GET", "/open311/v2/requests.xml", "", 200},
		{"GET", "/open311/v2/requests.xml?status=pending", "", 400},
		{"GET", "/open311/v2/requests/HL-2026-000001.xml", "", 200},
		{"GET", "/open311/v2/requests/HL-2099-000001.xml", "", 404},
		{"POST", "/open311/v2/requests.xml", form.Encode(), 200},
		{"POST", "/open311/v2/requests.xml", "service_code=lingkungan", 403},
		{"GET", "/open311/v2/tidak-ada.xml", "", 404},
		{"DELETE", "/open311/v2/requests.xml", "", 405},
	} {
		resp, body := o311Raw(t, f, c.method, c.path, "application/x-www-form-urlencoded", c.body)
		if resp.StatusCode != c.status || resp.Header.Get("Content-Type") != "text/xml; charset=utf-8" ||
			!strings.HasPrefix(body, `<?xml version="1.0" encoding="UTF-8"?>`) {
			t.Errorf("%s %s: %d %q %.80s", c.method, c.path, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
		jsonPath := strings.Replace(c.path, ".xml", ".json", 1)
		if resp, _ := o311Raw(t, f, c.method, jsonPath, "application/x-www-form-urlencoded", c.body); resp.StatusCode != c.status ||
			resp.Header.Get("Content-Type") != "application/json; charset=utf-8" {
			t.Errorf("%s %s: %d %q", c.method, jsonPath, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
}

// TestOpen311RateLimitPerKey (point 8): a client with a valid api_key
// has a bucket of its own, far past the per-IP bucket citizens share, and
// its requests leave the IP's bucket alone; a wrong key is a 403, and
// costs the IP's bucket.
func TestOpen311RateLimitPerKey(t *testing.T) {
	f := newChanFixture(t, storetest.Open(t), chanOptions{cases: &recordingCases{}}) // the clock stands still: no refill
	key := f.token("admin")
	form := o311Form(key)
	form.Set("jurisdiction_id", "taman")
	for i := range 12 { // the per-IP intake bucket holds 5
		if st, body := f.request("POST", "/open311/v2/requests.json", "application/x-www-form-urlencoded", form.Encode(), nil); st != 200 {
			t.Fatalf("post %d with a key: %d %s", i+1, st, body)
		}
	}
	for i := range 30 { // the per-IP tracking bucket holds 20
		if st, body := f.request("GET", "/open311/v2/requests.json?api_key="+url.QueryEscape(key), "", "", nil); st != 200 {
			t.Fatalf("read %d with a key: %d %s", i+1, st, body)
		}
	}
	// The key's own bucket ends too (60 at once), in the spec's format.
	var st int
	var body string
	for range 30 {
		if st, body = f.request("GET", "/open311/v2/requests.xml?api_key="+url.QueryEscape(key), "", "", nil); st != 200 {
			break
		}
	}
	wantO311Error(t, "xml", st, body, http.StatusTooManyRequests)

	// A wrong key is refused in either format, and from the IP's bucket,
	// untouched so far: five refusals, then the limit.
	bad := o311Form("hl_salah")
	bad.Set("jurisdiction_id", "taman")
	post := func(format string) (int, string) {
		return f.request("POST", "/open311/v2/requests."+format, "application/x-www-form-urlencoded", bad.Encode(), nil)
	}
	for i, want := range []int{403, 403, 403, 403, 403, http.StatusTooManyRequests} {
		format := []string{"json", "xml"}[i%2]
		st, body := post(format)
		wantO311Error(t, format, st, body, want)
	}
	st, body = f.request("GET", "/open311/v2/requests/HL-2026-000001.json?api_key=hl_salah", "", "", nil)
	wantO311Error(t, "json", st, body, http.StatusForbidden)
}

// TestOpen311ErrorsEverywhere (point 9): unknown routes, wrong methods,
// bodies too large and forms that do not parse answer with the spec's
// list of {code, description}, code the HTTP status.
func TestOpen311ErrorsEverywhere(t *testing.T) {
	f := newO311Fixture(t, storetest.Open(t))
	key := f.token("admin")
	large := o311Form(key)
	large.Set("jurisdiction_id", "taman")
	large.Set("description", strings.Repeat("a", 2<<20))
	for _, format := range []string{"json", "xml"} {
		for _, c := range []struct {
			method, path, contentType, body string
			want                            int
		}{
			{"GET", "/open311/v2/tidak-ada." + format, "", "", http.StatusNotFound},
			{"GET", "/open311/v2/services/lingkungan/lagi." + format, "", "", http.StatusNotFound},
			{"DELETE", "/open311/v2/requests." + format, "", "", http.StatusMethodNotAllowed},
			{"PUT", "/open311/v2/services." + format, "", "", http.StatusMethodNotAllowed},
			{"POST", "/open311/v2/requests." + format, "application/x-www-form-urlencoded", large.Encode(), http.StatusRequestEntityTooLarge},
			{"POST", "/open311/v2/requests." + format, "application/x-www-form-urlencoded", "%zz", http.StatusBadRequest},
			{"POST", "/open311/v2/requests." + format, "multipart/form-data", "--x\r\n", http.StatusBadRequest},
			{"POST", "/open311/v2/requests." + format, "multipart/form-data; boundary=x", "--x\r\nbroken", http.StatusBadRequest},
		} {
			st, body := f.request(c.method, c.path, c.contentType, c.body, nil)
			t.Run(c.method+" "+c.path+" "+c.contentType, func(t *testing.T) { wantO311Error(t, format, st, body, c.want) })
		}
	}
	resp, _ := o311Raw(t, f, "DELETE", "/open311/v2/requests.json", "", "")
	if allow := resp.Header.Get("Allow"); !strings.Contains(allow, "GET") || !strings.Contains(allow, "POST") {
		t.Errorf("405 without Allow: %q", allow)
	}
	// The rest of the API keeps its own format.
	if _, body := f.request("GET", "/api/v1/tidak-ada", "", "", nil); !strings.Contains(body, `"error"`) {
		t.Errorf("API 404: %s", body)
	}
}
