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
// (web) and with a WhatsApp profile name, walks them through the case loop,
// and searches every staff API response, page, export, notification and
// log line for the phone, the name and the web curhat's tracking code.
func TestAnonymousReporterNeverShown(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server")
	}
	logs := &syncBuffer{}
	m := startMainLogging(t, t.TempDir(), logs)
	base := m.HTTP.URL()
	secrets := []string{"081234567890", "6281234567890", "+6281234567890", "1234567890", "Siti Rahayu"}

	citizen := newAPIClient(t, base)
	var raw map[string]any
	if st := citizen.call("POST", "/api/v1/curhat", map[string]any{
		"text": "HAI LURAH Taman\nRT 3 RW 2, lampu jalan mati sebulan, gelap dan rawan jambret.", "phone": "081234567890", "anonim": true,
	}, &raw); st != http.StatusAccepted {
		t.Fatalf("curhat: %d %v", st, raw)
	}
	id := raw["ticket_id"].(string)
	ids := []string{id}
	// The tracking code lets its holder answer as the citizen (confirm,
	// rate): no staff output may carry it.
	secrets = append(secrets, raw["tracking_code"].(string))
	if m.HTTP != nil && hasRoute(m, "POST /webhook/whatsapp") {
		body := metaTextNamed("wamid.anon0001", "6281234567890", "Siti Rahayu",
			"HAI LURAH Taman\nsaya mau lapor anonim, ada kekerasan di rumah tetangga RT 4 RW 2\nANONIM: YA")
		resp, err := http.Post(base+"/webhook/whatsapp", "application/json", bytes.NewReader(body))
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("webhook: %v %v", err, resp)
		}
		resp.Body.Close()
	} else {
		t.Fatal("the WhatsApp webhook is not registered")
	}
	mod := staffClient(t, base, "moderator")
	var list struct {
		Items []map[string]any `json:"items"`
	}
	eventually(t, "both tickets open", func() bool {
		mod.call("GET", "/api/v1/tickets?status=open", nil, &list)
		return len(list.Items) == 2
	})
	for _, it := range list.Items {
		if it["id"] != id {
			ids = append(ids, it["id"].(string))
		}
		if it["reporter"] != "Anonim" {
			t.Errorf("ticket %v reporter %v, want Anonim", it["id"], it["reporter"])
		}
	}
	for _, tid := range ids {
		var st map[string]any
		if code := mod.call("POST", "/api/v1/tickets/"+tid+"/actions", map[string]any{"action": "assign", "unit": "pupr"}, &st); code != 200 {
			t.Fatalf("assign %s: %d %v", tid, code, st)
		}
	}

	// Every staff view of both tickets, as every staff role that may see them.
	pages := []string{"/api/v1/tickets", "/api/v1/notifications", "/antrian", "/antrian/daftar", "/notifikasi", "/kotak-masuk", "/tugas", "/admin/audit", "/api/v1/audit",
		"/dasbor", "/api/v1/dashboard/curhat"}
	for _, table := range []string{"summary", "breakdown", "categories", "urgency_trend", "heatmap", "overdue_units", "board"} {
		pages = append(pages, "/api/v1/dashboard/curhat?format=csv&table="+table)
	}
	for _, tid := range ids {
		pages = append(pages, "/api/v1/tickets/"+tid, "/tiket/"+tid)
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
