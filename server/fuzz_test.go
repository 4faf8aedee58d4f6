package server_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/server"
	"github.com/hailurah/hailurah/store/storetest"
)

// closedCases answers every workflow call as if the ticket had ended. The
// fuzz targets below exercise decoding and validation, which happen before
// any workflow is reached; the real workflows are tested on the embedded
// Temporal server in cmd/hailurah.
type closedCases struct{}

func (closedCases) StartCurhat(context.Context, hailurah.CurhatInput) error {
	return hailurah.Errorf(hailurah.EUNAVAILABLE, "fuzz: no workflows")
}
func (closedCases) SignalCitizen(context.Context, string, hailurah.CitizenMessage) error {
	return hailurah.Errorf(hailurah.ENOTFOUND, "fuzz: no workflows")
}
func (closedCases) SawMessage(context.Context, string, string) (bool, error) {
	return false, hailurah.Errorf(hailurah.ENOTFOUND, "fuzz: no workflows")
}
func (closedCases) ChangeContact(context.Context, string, hailurah.ContactChange) error {
	return hailurah.Errorf(hailurah.ENOTFOUND, "fuzz: no workflows")
}
func (closedCases) Act(context.Context, string, hailurah.ActionRequest) (*hailurah.TicketState, error) {
	return nil, hailurah.Errorf(hailurah.ENOTFOUND, "fuzz: no workflows")
}
func (closedCases) State(context.Context, string) (*hailurah.TicketState, error) {
	return nil, hailurah.Errorf(hailurah.ENOTFOUND, "fuzz: no workflows")
}

// FuzzJSONBodies sends arbitrary bytes as the JSON body of the public
// intake and of a staff action: whatever arrives, the answer is a clear
// 4xx (or the fuzz stub's 404/503), never a panic or a 500.
func FuzzJSONBodies(f *testing.F) {
	for _, seed := range []string{
		`{"action":"assign","unit":"pupr"}`, `{"action":"verify","urgency":9}`, `{"action":"reject"}`,
		`{"text":"HAI LURAH Taman got mampet","channel":"web","rt":"3","rw":"2"}`, `{"text":""}`,
		`{"action":"done","evidence":["a","b"],"text":"` + "\xff\xfe" + `"}`, `[[[[[[[[[[[[[[]]]]]]]]]]]]]]`,
		`{"action":1}`, `null`, ``, `{"text":"<script>alert(1)</script>' OR 1=1;--"}`, `{"due_at":"kemarin"}`,
	} {
		f.Add([]byte(seed))
	}
	db := storetest.Open(f)
	ctx := context.Background()
	if err := db.UpsertKelurahan(ctx, &hailurah.Kelurahan{Code: "taman", Name: "Taman"}); err != nil {
		f.Fatal(err)
	}
	if err := db.CreateTicket(ctx, &hailurah.Ticket{ID: "HL-2026-000001", TrackingCode: "KODE123456", Kelurahan: "taman",
		Channel: "web", SenderID: "anon-x", MessageText: "got mampet", Status: hailurah.StatusOpen}); err != nil {
		f.Fatal(err)
	}
	admin := &hailurah.User{Username: "admin", Name: "Admin", Role: hailurah.RoleAdmin}
	if err := db.CreateUser(ctx, admin, "sandi-rahasia-1"); err != nil {
		f.Fatal(err)
	}
	_, token, err := db.CreateAPIToken(ctx, admin.ID, "fuzz")
	if err != nil {
		f.Fatal(err)
	}
	srv, err := server.New(server.Config{Users: db, Audit: db, Kelurahan: db, Tickets: db, Notifications: db,
		Cases: closedCases{}, Secret: []byte("0123456789abcdef0123456789abcdef"),
		Intake: runIntake(f, db, closedCases{}, "0123456789abcdef0123456789abcdef", time.Now, 0)})
	if err != nil {
		f.Fatal(err)
	}
	h := srv.Handler()
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, target := range []struct{ path, auth string }{
			{"/api/v1/tickets/HL-2026-000001/actions", "Bearer " + token},
			{"/api/v1/curhat", ""},
			{"/api/v1/track/KODE123456/reply", ""},
		} {
			req := httptest.NewRequest(http.MethodPost, target.path, bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.RemoteAddr = "192.0.2.10:1234"
			if target.auth != "" {
				req.Header.Set("Authorization", target.auth)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code >= 500 && rec.Code != http.StatusServiceUnavailable {
				t.Fatalf("%s with %q: %d %s", target.path, body, rec.Code, rec.Body.String())
			}
		}
	})
}

// FuzzOpen311Form posts arbitrary form bodies to Open311's POST requests,
// in JSON and XML: a clear 400/403/404/422 in the spec's error format (or
// the fuzz stub's 503), never a panic or a 500.
func FuzzOpen311Form(f *testing.F) {
	for _, seed := range []string{
		"service_code=lingkungan&description=Got+mampet+di+RT+03&lat=-7.63&long=111.52",
		"service_code=tidak-ada&description=x", "description=" + strings.Repeat("a", 5000),
		"service_code=keamanan&lat=abc&long=&address_string=%00%ff", "service_code=bencana&description=%3Cscript%3E&email=a@b&first_name=Siti",
		"=&&&==", "attribute[rt]=03&attribute[rw]=02&service_code=infrastruktur&description=jalan+rusak",
	} {
		f.Add(seed)
	}
	db := storetest.Open(f)
	ctx := context.Background()
	if err := db.UpsertKelurahan(ctx, &hailurah.Kelurahan{Code: "taman", Name: "Taman"}); err != nil {
		f.Fatal(err)
	}
	admin := &hailurah.User{Username: "admin", Name: "Admin", Role: hailurah.RoleAdmin}
	if err := db.CreateUser(ctx, admin, "sandi-rahasia-1"); err != nil {
		f.Fatal(err)
	}
	_, token, err := db.CreateAPIToken(ctx, admin.ID, "open311")
	if err != nil {
		f.Fatal(err)
	}
	srv, err := server.New(server.Config{Users: db, Audit: db, Kelurahan: db, Tickets: db, Notifications: db,
		Cases: closedCases{}, Channels: db, Secret: []byte("0123456789abcdef0123456789abcdef"),
		Intake: runIntake(f, db, closedCases{}, "0123456789abcdef0123456789abcdef", time.Now, 0)})
	if err != nil {
		f.Fatal(err)
	}
	h := srv.Handler()
	var n atomic.Uint32
	f.Fuzz(func(t *testing.T, form string) {
		for _, format := range []string{"json", "xml"} {
			req := httptest.NewRequest(http.MethodPost, "/open311/v2/requests."+format, strings.NewReader(form+"&api_key="+token))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			// A fresh address per request, so the per-IP limit does not
			// stop the fuzzer before the parser.
			i := n.Add(1)
			req.RemoteAddr = fmt.Sprintf("127.%d.%d.%d:1234", byte(i>>16), byte(i>>8), byte(i))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code >= 500 && rec.Code != http.StatusServiceUnavailable {
				t.Fatalf("%s with %q: %d %s", format, form, rec.Code, rec.Body.String())
			}
		}
	})
}
