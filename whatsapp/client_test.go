package whatsapp_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/whatsapp"
)

// fakeGraph is a stand-in for graph.facebook.com that records each request
// and answers with a canned status and body.
type fakeGraph struct {
	srv *httptest.Server

	mu       sync.Mutex
	requests []recorded
	status   int
	body     string
}

type recorded struct {
	method, path, auth, contentType string
	body                            map[string]any
}

func newFakeGraph(t *testing.T) *fakeGraph {
	t.Helper()
	f := &fakeGraph{status: http.StatusOK, body: `{"messaging_product":"whatsapp","contacts":[{"input":"628123456789","wa_id":"628123456789"}],"messages":[{"id":"wamid.HBgNNjI4MTIzNDU2Nzg5FQIAERgSQTVDOUQyRkY5RkE2OTk2MjFEAA=="}]}`}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		rec := recorded{method: r.Method, path: r.URL.Path, auth: r.Header.Get("Authorization"), contentType: r.Header.Get("Content-Type")}
		if err := json.Unmarshal(raw, &rec.body); err != nil {
			t.Errorf("request body is not JSON: %q", raw)
		}
		f.mu.Lock()
		f.requests = append(f.requests, rec)
		status, body := f.status, f.body
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeGraph) respond(status int, body string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.status, f.body = status, body
}

func (f *fakeGraph) last(t *testing.T) recorded {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.requests) == 0 {
		t.Fatal("no request reached the fake Graph API")
	}
	return f.requests[len(f.requests)-1]
}

func (f *fakeGraph) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.requests)
}

func (f *fakeGraph) client() *whatsapp.Client {
	return &whatsapp.Client{BaseURL: f.srv.URL + "/v23.0/", Token: "EAAtesttoken", PhoneNumberID: phoneNumberID, HTTP: f.srv.Client()}
}

func jsonMap(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestClientSendWireFormat(t *testing.T) {
	tests := []struct {
		name     string
		msg      whatsapp.Outgoing
		wantPath string
		wantBody string
	}{
		{"text to an E.164 number",
			whatsapp.Outgoing{To: "+62 812-3456-789", Kind: whatsapp.OutgoingText, Text: "Terima kasih, curhat Anda kami terima.\nNomor tiket: HL-2026-000123"},
			"/v23.0/" + phoneNumberID + "/messages",
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"628123456789","type":"text",
			  "text":{"body":"Terima kasih, curhat Anda kami terima.\nNomor tiket: HL-2026-000123"}}`},
		{"buttons to a wa_id",
			whatsapp.Outgoing{To: "628123456789", Kind: whatsapp.OutgoingButtons, Text: "Apakah masalahnya sudah selesai?", Buttons: []whatsapp.Button{
				{ID: "confirm:HL-2026-000123:sesudah", Title: "SESUDAH"},
				{ID: "confirm:HL-2026-000123:belum", Title: "BELUM"},
			}},
			"/v23.0/" + phoneNumberID + "/messages",
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"628123456789","type":"interactive",
			  "interactive":{"type":"button","body":{"text":"Apakah masalahnya sudah selesai?"},
			    "action":{"buttons":[
			      {"type":"reply","reply":{"id":"confirm:HL-2026-000123:sesudah","title":"SESUDAH"}},
			      {"type":"reply","reply":{"id":"confirm:HL-2026-000123:belum","title":"BELUM"}}]}}}`},
		{"template from another kelurahan's number, default language",
			whatsapp.Outgoing{From: "207651463353033", To: "08123456789", Kind: whatsapp.OutgoingTemplate,
				Template: whatsapp.TemplateReminder, Params: []string{"HL-2026-000123", "jawaban SESUDAH atau BELUM"}},
			"/v23.0/207651463353033/messages",
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"628123456789","type":"template",
			  "template":{"name":"hailurah_pengingat","language":{"code":"id"},
			    "components":[{"type":"body","parameters":[
			      {"type":"text","text":"HL-2026-000123"},{"type":"text","text":"jawaban SESUDAH atau BELUM"}]}]}}`},
		{"template without parameters",
			whatsapp.Outgoing{To: "+628123456789", Kind: whatsapp.OutgoingTemplate, Template: "hello_world", Language: "en_US"},
			"/v23.0/" + phoneNumberID + "/messages",
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"628123456789","type":"template",
			  "template":{"name":"hello_world","language":{"code":"en_US"}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeGraph(t)
			id, err := f.client().Send(t.Context(), tt.msg)
			if err != nil {
				t.Fatal(err)
			}
			if id != "wamid.HBgNNjI4MTIzNDU2Nzg5FQIAERgSQTVDOUQyRkY5RkE2OTk2MjFEAA==" {
				t.Errorf("provider id = %q", id)
			}
			req := f.last(t)
			if req.method != http.MethodPost || req.path != tt.wantPath {
				t.Errorf("request %s %s, want POST %s", req.method, req.path, tt.wantPath)
			}
			if req.auth != "Bearer EAAtesttoken" {
				t.Errorf("Authorization = %q", req.auth)
			}
			if req.contentType != "application/json" {
				t.Errorf("Content-Type = %q", req.contentType)
			}
			if want := jsonMap(t, tt.wantBody); !reflect.DeepEqual(req.body, want) {
				got, _ := json.Marshal(req.body)
				t.Errorf("body\ngot  %s\nwant %s", got, tt.wantBody)
			}
		})
	}
}

func TestClientSendErrors(t *testing.T) {
	text := whatsapp.Outgoing{To: "+628123456789", Kind: whatsapp.OutgoingText, Text: "Halo"}
	tests := []struct {
		name          string
		status        int
		body          string
		code          int
		retryable     bool
		outsideWindow bool
	}{
		{"throughput limit", 429, `{"error":{"message":"(#130429) Rate limit hit","type":"OAuthException","code":130429,"error_data":{"messaging_product":"whatsapp","details":"Cloud API message throughput has been reached."},"error_subcode":2494055,"fbtrace_id":"Az8or2yhqkZfEZ-_4Qn_Bam"}}`, 130429, true, false},
		{"server error without JSON", 500, `<html><body>Internal Server Error</body></html>`, 0, true, false},
		{"service unavailable", 503, `{"error":{"message":"(#131016) Service unavailable","type":"OAuthException","code":131016,"fbtrace_id":"AbC"}}`, 131016, true, false},
		{"pair rate limit on a 400", 400, `{"error":{"message":"(#131056) (Business Account, Consumer Account) pair rate limit hit","type":"OAuthException","code":131056,"fbtrace_id":"AbD"}}`, 131056, true, false},
		{"re-engagement", 400, `{"error":{"message":"(#131047) Re-engagement message","type":"OAuthException","code":131047,"error_data":{"messaging_product":"whatsapp","details":"Message failed to send because more than 24 hours have passed since the customer last replied to this number."},"fbtrace_id":"A1b2C3"}}`, 131047, false, true},
		{"expired token", 401, `{"error":{"message":"Error validating access token: Session has expired.","type":"OAuthException","code":190,"error_subcode":463,"fbtrace_id":"Az1"}}`, 190, false, false},
		{"unknown template", 404, `{"error":{"message":"(#132001) Template name does not exist in the translation","type":"OAuthException","code":132001,"fbtrace_id":"Az2"}}`, 132001, false, false},
		{"bad request without body", 400, ``, 0, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeGraph(t)
			f.respond(tt.status, tt.body)
			id, err := f.client().Send(t.Context(), text)
			if id != "" {
				t.Errorf("provider id %q returned with an error", id)
			}
			var se *whatsapp.SendError
			if !errors.As(err, &se) {
				t.Fatalf("got %T %v, want *whatsapp.SendError", err, err)
			}
			if se.Status != tt.status || se.Code != tt.code || se.Retryable != tt.retryable || se.OutsideWindow != tt.outsideWindow {
				t.Errorf("got status %d code %d retryable %v outsideWindow %v; want %d %d %v %v",
					se.Status, se.Code, se.Retryable, se.OutsideWindow, tt.status, tt.code, tt.retryable, tt.outsideWindow)
			}
			if got := errors.Is(err, whatsapp.ErrOutsideWindow); got != tt.outsideWindow {
				t.Errorf("errors.Is(err, ErrOutsideWindow) = %v", got)
			}
			if se.Message == "" || strings.Contains(err.Error(), "EAAtesttoken") {
				t.Errorf("error message %q: empty, or shows the token", err)
			}
		})
	}
}

func TestClientSendErrorDetails(t *testing.T) {
	f := newFakeGraph(t)
	f.respond(429, `{"error":{"message":"(#130429) Rate limit hit","type":"OAuthException","code":130429,"error_data":{"details":"Cloud API message throughput has been reached."},"error_subcode":2494055,"fbtrace_id":"Az8or2yhqkZfEZ-_4Qn_Bam"}}`)
	_, err := f.client().Send(t.Context(), whatsapp.Outgoing{To: "+628123456789", Kind: whatsapp.OutgoingText, Text: "Halo"})
	var se *whatsapp.SendError
	if !errors.As(err, &se) {
		t.Fatal(err)
	}
	if se.Subcode != 2494055 || se.TraceID != "Az8or2yhqkZfEZ-_4Qn_Bam" ||
		se.Message != "(#130429) Rate limit hit: Cloud API message throughput has been reached." {
		t.Errorf("got %+v", se)
	}
}

func TestClientSendSuccessWithoutID(t *testing.T) {
	f := newFakeGraph(t)
	f.respond(200, `{"messaging_product":"whatsapp","contacts":[],"messages":[]}`)
	_, err := f.client().Send(t.Context(), whatsapp.Outgoing{To: "+628123456789", Kind: whatsapp.OutgoingText, Text: "Halo"})
	var se *whatsapp.SendError
	if !errors.As(err, &se) || se.Retryable {
		t.Fatalf("got %v, want a permanent *SendError (a retry would likely send twice)", err)
	}
}

func TestClientSendTransportErrors(t *testing.T) {
	msg := whatsapp.Outgoing{To: "+628123456789", Kind: whatsapp.OutgoingText, Text: "Halo"}

	f := newFakeGraph(t)
	c := f.client()
	f.srv.Close()
	_, err := c.Send(t.Context(), msg)
	var se *whatsapp.SendError
	if !errors.As(err, &se) || !se.Retryable || se.Status != 0 {
		t.Fatalf("server down: got %v, want a retryable *SendError without status", err)
	}

	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The server notices the client hanging up only once the body is read.
		io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	defer slow.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	c = &whatsapp.Client{BaseURL: slow.URL, Token: "t", PhoneNumberID: phoneNumberID}
	_, err = c.Send(ctx, msg)
	if !errors.As(err, &se) || !se.Retryable || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("deadline: got %v, want a retryable *SendError wrapping DeadlineExceeded", err)
	}
}

func TestClientSendValidates(t *testing.T) {
	to := "+628123456789"
	four := []whatsapp.Button{{ID: "a", Title: "A"}, {ID: "b", Title: "B"}, {ID: "c", Title: "C"}, {ID: "d", Title: "D"}}
	tests := []struct {
		name  string
		msg   whatsapp.Outgoing
		field string
	}{
		{"no recipient", whatsapp.Outgoing{Kind: whatsapp.OutgoingText, Text: "Halo"}, "to"},
		{"recipient with letters", whatsapp.Outgoing{To: "0812-ABC", Kind: whatsapp.OutgoingText, Text: "Halo"}, "to"},
		{"no kind", whatsapp.Outgoing{To: to, Text: "Halo"}, "kind"},
		{"unknown kind", whatsapp.Outgoing{To: to, Kind: "sticker", Text: "Halo"}, "kind"},
		{"empty text", whatsapp.Outgoing{To: to, Kind: whatsapp.OutgoingText, Text: " \n "}, "text"},
		{"text over 4096 characters", whatsapp.Outgoing{To: to, Kind: whatsapp.OutgoingText, Text: strings.Repeat("é", 4097)}, "text"},
		{"invalid UTF-8", whatsapp.Outgoing{To: to, Kind: whatsapp.OutgoingText, Text: "Halo \xff"}, "text"},
		{"no buttons", whatsapp.Outgoing{To: to, Kind: whatsapp.OutgoingButtons, Text: "Pilih"}, "buttons"},
		{"four buttons", whatsapp.Outgoing{To: to, Kind: whatsapp.OutgoingButtons, Text: "Pilih", Buttons: four}, "buttons"},
		{"title over 20 characters", whatsapp.Outgoing{To: to, Kind: whatsapp.OutgoingButtons, Text: "Pilih", Buttons: []whatsapp.Button{{ID: "a", Title: "Sudah selesai, terima"}}}, "buttons[0].title"},
		{"empty title", whatsapp.Outgoing{To: to, Kind: whatsapp.OutgoingButtons, Text: "Pilih", Buttons: []whatsapp.Button{{ID: "a"}}}, "buttons[0].title"},
		{"empty button id", whatsapp.Outgoing{To: to, Kind: whatsapp.OutgoingButtons, Text: "Pilih", Buttons: []whatsapp.Button{{Title: "YA"}}}, "buttons[0].id"},
		{"duplicate id", whatsapp.Outgoing{To: to, Kind: whatsapp.OutgoingButtons, Text: "Pilih", Buttons: []whatsapp.Button{{ID: "a", Title: "YA"}, {ID: "a", Title: "TIDAK"}}}, "buttons[1].id"},
		{"duplicate title", whatsapp.Outgoing{To: to, Kind: whatsapp.OutgoingButtons, Text: "Pilih", Buttons: []whatsapp.Button{{ID: "a", Title: "YA"}, {ID: "b", Title: "YA"}}}, "buttons[1].title"},
		{"button body over 1024", whatsapp.Outgoing{To: to, Kind: whatsapp.OutgoingButtons, Text: strings.Repeat("x", 1025), Buttons: []whatsapp.Button{{ID: "a", Title: "YA"}}}, "text"},
		{"template without name", whatsapp.Outgoing{To: to, Kind: whatsapp.OutgoingTemplate}, "template"},
		{"template name with spaces", whatsapp.Outgoing{To: to, Kind: whatsapp.OutgoingTemplate, Template: "Hailurah Status"}, "template"},
		{"bad language", whatsapp.Outgoing{To: to, Kind: whatsapp.OutgoingTemplate, Template: "hello_world", Language: "Indonesia"}, "language"},
		{"known template, too few params", whatsapp.Outgoing{To: to, Kind: whatsapp.OutgoingTemplate, Template: whatsapp.TemplateLurahNotice, Params: []string{"HL-2026-000123", "urgensi 5"}}, "params"},
		{"param with a newline", whatsapp.Outgoing{To: to, Kind: whatsapp.OutgoingTemplate, Template: whatsapp.TemplateStatus, Params: []string{"HL-2026-000123", "selesai\ndikerjakan"}}, "params[1]"},
		{"param with five spaces", whatsapp.Outgoing{To: to, Kind: whatsapp.OutgoingTemplate, Template: whatsapp.TemplateStatus, Params: []string{"HL-2026-000123", "a     b"}}, "params[1]"},
		{"empty param", whatsapp.Outgoing{To: to, Kind: whatsapp.OutgoingTemplate, Template: whatsapp.TemplateStatus, Params: []string{"HL-2026-000123", ""}}, "params[1]"},
	}
	f := newFakeGraph(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.msg.Validate(); hailurah.ErrorField(err) != tt.field {
				t.Errorf("Validate: field %q (%v), want %q", hailurah.ErrorField(err), err, tt.field)
			}
			_, err := f.client().Send(t.Context(), tt.msg)
			wantCode(t, err, hailurah.EINVALID)
			if got := hailurah.ErrorField(err); got != tt.field {
				t.Errorf("field = %q (%v), want %q", got, err, tt.field)
			}
		})
	}
	if n := f.count(); n != 0 {
		t.Errorf("%d invalid messages reached the Graph API", n)
	}
	ok := whatsapp.Outgoing{To: to, Kind: whatsapp.OutgoingButtons, Text: "Pilih", Buttons: []whatsapp.Button{{ID: "a", Title: strings.Repeat("á", 20)}}}
	if err := ok.Validate(); err != nil {
		t.Errorf("a 20-character title: %v", err)
	}
}

func TestClientSendConfiguration(t *testing.T) {
	f := newFakeGraph(t)
	msg := whatsapp.Outgoing{To: "+628123456789", Kind: whatsapp.OutgoingText, Text: "Halo"}
	for name, c := range map[string]*whatsapp.Client{
		"no token":           {BaseURL: f.srv.URL, PhoneNumberID: phoneNumberID},
		"no phone number id": {BaseURL: f.srv.URL, Token: "t"},
		"path in the id":     {BaseURL: f.srv.URL, Token: "t", PhoneNumberID: "1/../../me"},
	} {
		_, err := c.Send(t.Context(), msg)
		if hailurah.ErrorCode(err) != hailurah.EINTERNAL {
			t.Errorf("%s: got %v, want EINTERNAL", name, err)
		}
	}
	bad := msg
	bad.From = "me?x=1"
	if _, err := f.client().Send(t.Context(), bad); hailurah.ErrorCode(err) != hailurah.EINTERNAL {
		t.Errorf("From with a query: got %v, want EINTERNAL", err)
	}
	if n := f.count(); n != 0 {
		t.Errorf("%d misconfigured sends reached the Graph API", n)
	}
}
