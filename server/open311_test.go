package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
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
	st, body := f.request("GET", "/open311/v2/services.json", "", "", nil)
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
	st, body := f.request("GET", "/open311/v2/services/lingkungan.json", "", "", nil)
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
	st, body = f.request("GET", "/open311/v2/services/kesehatan.xml", "", "", nil)
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
	st, body = f.request("GET", "/open311/v2/services/parkir.json", "", "", nil)
	wantO311Error(t, "json", st, body, http.StatusNotFound)
	st, body = f.request("GET", "/open311/v2/services/parkir.xml", "", "", nil)
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
	valid := url.Values{"api_key": {key}, "service_code": {"infrastruktur"}, "lat": {"-7.6298"}, "long": {"111.5239"},
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
		{"no description", with(func(v url.Values) { v.Del("description") }), http.StatusBadRequest},
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
	// and the missing description is what it refuses.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range valid {
		if k != "description" {
			_ = mw.WriteField(k, v[0])
		}
	}
	_ = mw.Close()
	st, body := f.request("POST", "/open311/v2/requests.json", mw.FormDataContentType(), buf.String(), nil)
	wantO311Error(t, "json", st, body, http.StatusBadRequest)
	if !strings.Contains(body, "description") {
		t.Errorf("multipart without a description: %s", body)
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
					url.QueryEscape(now.Add(-100*24*time.Hour).Format(time.RFC3339)): "HL-2025-000099",
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
