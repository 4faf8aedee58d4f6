package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer collects the program's log lines from several goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestAnonymousReporterNeverShown sends anonymous curhat with a phone number
// (web) and with a WhatsApp profile name, and a named one, each with a NIK,
// a phone, an e-mail address and a bank account typed into the words;
// walks them through the case loop; reveals the named citizen's contact as
// their moderator; and searches every staff API response, page, export,
// dashboard, open data, Open311 view, notification and log line for the
// phones, the names, the typed data and the web curhat's tracking code.
func TestAnonymousReporterNeverShown(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server")
	}
	logs := &syncBuffer{}
	m := startMainLogging(t, t.TempDir(), logs)
	base := m.HTTP.URL()
	secrets := []string{"081234567890", "6281234567890", "+6281234567890", "1234567890", "Siti Rahayu"}
	// What the citizens typed about themselves: masked where it enters.
	typed := "NIK saya 3577012345670001, WA 0857-1122-3344, email siti.rahayu@gmail.com, bantuan ke rek BRI 9876543210."
	secrets = append(secrets, "3577012345670001", "0857-1122-3344", "85711223344", "siti.rahayu@gmail.com", "9876543210")
	// The named citizen's: shown only through the audited reveal.
	const namedWA, namedName = "6281355556666", "Budi Bernama"
	namedTyped := "NIK 3577 0123 4567 0002, HP 0813-5555-6666, budi.bernama@yahoo.co.id, no rekening 0123-01-000123-50-1."
	secrets = append(secrets, namedWA, "81355556666", namedName, "3577 0123 4567 0002", "3577012345670002", "budi.bernama@yahoo.co.id",
		"0123-01-000123-50-1", "012301000123501")

	citizen := newAPIClient(t, base)
	var raw map[string]any
	if st := citizen.call("POST", "/api/v1/curhat", map[string]any{
		"text": "HAI LURAH Taman\nRT 3 RW 2, lampu jalan mati sebulan, gelap dan rawan jambret. " + typed, "phone": "081234567890", "anonim": true,
	}, &raw); st != http.StatusAccepted {
		t.Fatalf("curhat: %d %v", st, raw)
	}
	id := raw["ticket_id"].(string)
	ids := []string{id}
	// The tracking code lets its holder answer as the citizen (confirm,
	// rate): no staff output may carry it.
	secrets = append(secrets, raw["tracking_code"].(string))
	if !hasRoute(m, "POST /webhook/whatsapp") {
		t.Fatal("the WhatsApp webhook is not registered")
	}
	for _, body := range [][]byte{
		metaTextNamed("wamid.anon0001", "6281234567890", "Siti Rahayu",
			"HAI LURAH Taman\nsaya mau lapor anonim, ada kekerasan di rumah tetangga RT 4 RW 2. "+typed+"\nANONIM: YA"),
		metaTextNamed("wamid.named0001", namedWA, namedName,
			"HAI LURAH Taman\nRT 5 RW 2 got mampet, air masuk rumah warga. "+namedTyped),
	} {
		resp, err := http.Post(base+"/webhook/whatsapp", "application/json", bytes.NewReader(body))
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("webhook: %v %v", err, resp)
		}
		resp.Body.Close()
	}
	mod := staffClient(t, base, "moderator")
	var list struct {
		Items []map[string]any `json:"items"`
	}
	eventually(t, "the three tickets open", func() bool {
		mod.call("GET", "/api/v1/tickets?status=open", nil, &list)
		return len(list.Items) == 3
	})
	named := ""
	for _, it := range list.Items {
		if it["id"] != id {
			ids = append(ids, it["id"].(string))
		}
		if strings.Contains(it["message_text"].(string), "got mampet") {
			named = it["id"].(string)
			continue
		}
		if it["reporter"] != "Anonim" {
			t.Errorf("ticket %v reporter %v, want Anonim", it["id"], it["reporter"])
		}
	}
	if named == "" {
		t.Fatal("the named ticket is not open")
	}
	for _, tid := range ids {
		var st map[string]any
		if code := mod.call("POST", "/api/v1/tickets/"+tid+"/actions", map[string]any{"action": "assign", "unit": "pupr"}, &st); code != 200 {
			t.Fatalf("assign %s: %d %v", tid, code, st)
		}
	}

	// The named citizen's moderator calls them back: the one way to their
	// contact and words, audited; an anonymous reporter has none.
	const reason = "Menelepon warga untuk memastikan lokasi got"
	var contact map[string]any
	st := mod.call("POST", "/api/v1/tickets/"+named+"/contact", map[string]any{"reason": reason}, &contact)
	if msg, _ := contact["message"].(string); st != http.StatusOK || contact["name"] != namedName || contact["phone"] != "+"+namedWA ||
		!strings.Contains(msg, namedTyped) {
		t.Errorf("reveal: %d %v", st, contact)
	}
	for _, tid := range ids {
		if tid == named {
			continue
		}
		var refused map[string]any
		if st := mod.call("POST", "/api/v1/tickets/"+tid+"/contact", map[string]any{"reason": reason}, &refused); st != http.StatusForbidden {
			t.Errorf("reveal of anonymous %s: %d %v", tid, st, refused)
		}
	}
	var audit struct {
		Items []struct{ Action, Target, Detail string } `json:"items"`
	}
	staffClient(t, base, "admin").call("GET", "/api/v1/audit", nil, &audit)
	reveals := 0
	for _, e := range audit.Items {
		if e.Action == "ticket.contact_revealed" {
			reveals++
			if e.Target != named || !strings.Contains(e.Detail, reason) {
				t.Errorf("audit entry %+v", e)
			}
		}
	}
	if reveals != 1 {
		t.Errorf("%d audit entries ticket.contact_revealed, want 1", reveals)
	}

	// Every staff view of the tickets, as every staff role that may see
	// them, and every public one: after the reveal too, the contact and the
	// typed data are in none of them.
	pages := []string{"/api/v1/tickets", "/api/v1/notifications", "/antrian", "/antrian/daftar", "/notifikasi", "/kotak-masuk", "/tugas", "/admin/audit", "/api/v1/audit",
		"/dasbor", "/api/v1/dashboard/curhat", "/data", "/api/v1/opendata", "/open311/v2/requests.json"}
	for _, table := range []string{"summary", "breakdown", "categories", "urgency_trend", "heatmap", "overdue_units", "board"} {
		pages = append(pages, "/api/v1/dashboard/curhat?format=csv&table="+table)
	}
	for _, table := range []string{"categories", "rw_totals", "sla", "decisions"} {
		pages = append(pages, "/api/v1/opendata?format=csv&table="+table)
	}
	for _, tid := range ids {
		pages = append(pages, "/api/v1/tickets/"+tid, "/tiket/"+tid, "/open311/v2/requests/"+tid+".json")
	}
	seen := 0
	for _, user := range []string{"moderator", "lurah", "dinas-pupr", "admin"} {
		c := staffClient(t, base, user)
		for _, p := range pages {
			req, _ := http.NewRequest("GET", base+p, nil)
			req.Header.Set("Accept", "text/html")
			resp, err := c.http.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				seen++
			}
			for _, s := range secrets {
				if strings.Contains(string(body), s) {
					t.Errorf("%s sees %q on %s", user, s, p)
				}
			}
		}
	}
	if seen < 20 {
		t.Fatalf("only %d staff views answered 200; the test would prove nothing", seen)
	}
	for _, s := range secrets {
		if strings.Contains(logs.String(), s) {
			t.Errorf("log contains %q", s)
		}
	}
}

func hasRoute(m *Main, route string) bool {
	for _, r := range m.HTTP.Routes() {
		if r == route {
			return true
		}
	}
	return false
}

// metaTextNamed is a Cloud API webhook delivery of one text message from a
// WhatsApp user with the given profile name.
func metaTextNamed(id, from, name, text string) []byte {
	b, _ := json.Marshal(map[string]any{
		"object": "whatsapp_business_account",
		"entry": []any{map[string]any{"id": "102290129340398", "changes": []any{map[string]any{"field": "messages",
			"value": map[string]any{
				"messaging_product": "whatsapp",
				"metadata":          map[string]any{"display_phone_number": "6281100000000", "phone_number_id": "106540352242922"},
				"contacts":          []any{map[string]any{"profile": map[string]any{"name": name}, "wa_id": from}},
				"messages": []any{map[string]any{"from": from, "id": id, "timestamp": strconv.FormatInt(time.Now().Unix(), 10),
					"type": "text", "text": map[string]any{"body": text}}},
			}}}}},
	})
	return b
}
