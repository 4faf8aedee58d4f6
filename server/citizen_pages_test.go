package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/storetest"
)

// TestFrontPage: / is the citizens' front page for everyone; staff find a
// link to their work on it.
func TestFrontPage(t *testing.T) {
	f := newUIFixture(t, rulesText{})
	code, body := f.client().page("GET", "/", nil)
	if code != http.StatusOK {
		t.Fatalf("front page: %d", code)
	}
	for _, want := range []string{"Pemerintah Kota Madiun", `href="/curhat"`, `action="/lacak"`, `name="kode"`, `href="/data"`,
		"Kelurahan Taman", "Kelurahan Demangan", "Nomornya dapat Anda tanyakan di kantor kelurahan", "112"} {
		if !strings.Contains(body, want) {
			t.Errorf("front page lacks %q", want)
		}
	}
	if strings.Contains(body, "Masuk ke halaman kerja") {
		t.Error("an anonymous visitor is offered the staff's work page")
	}
}

// TestLacakPage: the public tracking page by code — the five steps with
// their dates, the citizen's own words masked, nothing that names the
// sender, a friendly 404 for an unknown code, and the QR code.
func TestLacakPage(t *testing.T) {
	f := newUIFixture(t, rulesText{})
	tamanOpen, _, puprTask, _ := seedTickets(t, f)
	anon := f.client()

	code, body := anon.page("GET", "/lacak/TIDAKADA99", nil)
	if code != http.StatusNotFound || !strings.Contains(body, "Kode lacak tidak ditemukan") || !strings.Contains(body, `action="/lacak"`) ||
		!strings.Contains(body, "TIDAKADA99") {
		t.Errorf("unknown code: %d\n%s", code, body)
	}
	resp, _ := anon.do("GET", "/lacak?kode=+"+strings.ToLower(tamanOpen.TrackingCode)+"+", "", nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/lacak/"+tamanOpen.TrackingCode {
		t.Errorf("the form: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}

	// An anonymous ticket: its words, escaped, and no trace of its sender.
	code, body = anon.page("GET", "/lacak/"+strings.ToLower(tamanOpen.TrackingCode), nil)
	if code != http.StatusOK {
		t.Fatalf("tracking page: %d", code)
	}
	for _, want := range []string{"Curhat HL-2026-000001", "Menunggu verifikasi", "Diterima", "Diverifikasi", "Dikerjakan", "Selesai",
		`aria-current="step"`, "Curhat ini anonim", "&lt;b&gt;tebal&lt;/b&gt;", "/lacak/" + tamanOpen.TrackingCode + "/qr.png"} {
		if !strings.Contains(body, want) {
			t.Errorf("tracking page lacks %q", want)
		}
	}
	if strings.Contains(body, "<b>tebal") || strings.Contains(body, "sender-rahasia") {
		t.Error("the tracking page shows raw HTML or the sender")
	}
	// The step waiting is the moderator's verification.
	if cur := between(body, `aria-current="step"`, "</li>"); !strings.Contains(cur, "Diverifikasi") || !strings.Contains(cur, "sedang menunggu") {
		t.Errorf("current step: %q", cur)
	}

	// Personal data typed into an anonymous curhat stays masked.
	private := f.ticket(t, hailurah.Ticket{ID: "HL-2026-000009", Kelurahan: "taman", Status: hailurah.StatusOpen, PrivacyFlag: true,
		SenderID: "sender-budi", MessageText: "HAI LURAH Taman. Saya NIK 3577012345678901, HP 081234567890, got mampet di RT 04."})
	_, body = anon.page("GET", "/lacak/"+private.TrackingCode, nil)
	for _, secret := range []string{"3577012345678901", "081234567890", "sender-budi"} {
		if strings.Contains(body, secret) {
			t.Errorf("the anonymous ticket's page shows %q", secret)
		}
	}
	if !strings.Contains(body, "got mampet") {
		t.Error("the citizen's words are missing")
	}

	// A task the unit works on: sent to the unit by name, being worked on.
	_, body = anon.page("GET", "/lacak/"+puprTask.TrackingCode, nil)
	for _, want := range []string{"Diteruskan ke Dinas PUPR", "Ditangani oleh <strong>Dinas PUPR</strong>", "Sedang dikerjakan"} {
		if !strings.Contains(body, want) {
			t.Errorf("the unit's task lacks %q", want)
		}
	}
	if cur := between(body, `aria-current="step"`, "</li>"); !strings.Contains(cur, "Selesai") {
		t.Errorf("current step of a task in progress: %q", cur)
	}

	// The QR code of the page, and none for an unknown code.
	req, _ := http.NewRequest("GET", f.ts.URL+"/lacak/"+tamanOpen.TrackingCode+"/qr.png", nil)
	qr, err := anon.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	head := make([]byte, 8)
	_, _ = qr.Body.Read(head)
	qr.Body.Close()
	if qr.StatusCode != http.StatusOK || qr.Header.Get("Content-Type") != "image/png" || string(head[1:4]) != "PNG" {
		t.Errorf("QR: %d %s %q", qr.StatusCode, qr.Header.Get("Content-Type"), head)
	}
	if code, _ := anon.page("GET", "/lacak/TIDAKADA99/qr.png", nil); code != http.StatusNotFound {
		t.Errorf("QR of an unknown code: %d", code)
	}
}

// seedLocated writes located November tickets: six in one grid cell of
// Taman, two in another, one in Demangan, and one Taman ticket without
// coordinates.
func seedLocated(t *testing.T, db *store.DB) {
	t.Helper()
	add := func(id, kel string, lat, lng float64, located bool) {
		at := time.Date(2026, 11, 10, 10, 0, 0, 0, dashWIB)
		tk := &hailurah.Ticket{ID: id, TrackingCode: "TRK-" + id, DatetimeReceived: at, Channel: hailurah.ChannelWhatsApp, SenderID: "s-" + id,
			Kelurahan: kel, RW: "01", RT: "02", MessageText: "Isi curhat " + id, Kategori: "lingkungan", UrgencyScore: 3,
			Status: hailurah.StatusOpen, Version: 1}
		if located {
			tk.Lat, tk.Lng = &lat, &lng
		}
		if err := db.UpsertTicket(context.Background(), tk); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 6; i++ {
		add(fmt.Sprintf("MAP-A%d", i), "taman", -7.6312-float64(i)*0.0001, 111.5231+float64(i)*0.0001, true)
	}
	add("MAP-B0", "taman", -7.6413, 111.5301, true)
	add("MAP-B1", "taman", -7.6414, 111.5302, true)
	add("MAP-D0", "demangan", -7.6100, 111.5100, true)
	add("MAP-N0", "taman", 0, 0, false)
}

// TestMapEndpoints: staff get their kelurahan's located tickets as
// points; the public gets only grid cells of at least MinPublicCell
// tickets, never a point.
func TestMapEndpoints(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newPilotFixture(t, db)
		seedLocated(t, db)
		period := "?from=2026-11-01&to=2026-11-30"

		var staff struct {
			Points []hailurah.TicketPoint `json:"points"`
		}
		if st, raw := f.as("moderator").json("GET", "/api/v1/dashboard/curhat/map"+period, nil, &staff); st != http.StatusOK {
			t.Fatalf("staff map: %d %s", st, raw)
		}
		ids := map[string]bool{}
		for _, p := range staff.Points {
			ids[p.TicketID] = true
			if p.Kelurahan != "taman" || p.Lat == 0 {
				t.Errorf("a point outside the moderator's kelurahan or without coordinates: %+v", p)
			}
		}
		if len(staff.Points) != 8 || !ids["MAP-A0"] || !ids["MAP-B1"] || ids["MAP-D0"] || ids["MAP-N0"] {
			t.Errorf("Taman's moderator sees %d points: %v", len(staff.Points), ids)
		}
		var city struct {
			Points []hailurah.TicketPoint `json:"points"`
		}
		if st, _ := f.as("admin").json("GET", "/api/v1/dashboard/curhat/map"+period, nil, &city); st != 200 || len(city.Points) != 9 {
			t.Errorf("the admin's city map: %d points", len(city.Points))
		}
		if st, _ := f.as("").json("GET", "/api/v1/dashboard/curhat/map"+period, nil, nil); st != http.StatusUnauthorized {
			t.Errorf("anonymous staff map: %d", st)
		}
		f.as("moderator").wantError("GET", "/api/v1/dashboard/curhat/map?from=2026-12-01&to=2026-11-01", nil, http.StatusUnprocessableEntity, "from")

		var public struct {
			Map hailurah.PublicMap `json:"map"`
		}
		st, raw := f.as("").json("GET", "/api/v1/opendata/map"+period, nil, &public)
		if st != http.StatusOK {
			t.Fatalf("public map: %d %s", st, raw)
		}
		m := public.Map
		if len(m.Cells) != 1 || m.Cells[0].Count != 6 || m.Hidden != 3 || m.MinCell != hailurah.MinPublicCell {
			t.Fatalf("public map: %+v", m)
		}
		c := m.Cells[0]
		if !(c.South <= -7.6317 && c.North >= -7.6312 && c.West <= 111.5231 && c.East >= 111.5236) || c.North-c.South > 0.0051 {
			t.Errorf("the cell does not hold its points on the grid: %+v", c)
		}
		for _, secret := range []string{"MAP-", "-7.6312", "111.5231", "-7.6413", "-7.61", "ticket_id", "lingkungan"} {
			if strings.Contains(raw, secret) {
				t.Errorf("the public map contains %q: %s", secret, raw)
			}
		}
		var demangan struct {
			Map hailurah.PublicMap `json:"map"`
		}
		if st, _ := f.as("").json("GET", "/api/v1/opendata/map"+period+"&kelurahan=demangan", nil, &demangan); st != 200 ||
			len(demangan.Map.Cells) != 0 || demangan.Map.Hidden != 1 {
			t.Errorf("Demangan's public map: %+v", demangan.Map)
		}
		f.as("").wantError("GET", "/api/v1/opendata/map?kelurahan=atlantis", nil, http.StatusUnprocessableEntity, "kelurahan")
		raw2, _ := json.Marshal(public)
		if strings.Contains(string(raw2), `"lat"`) {
			t.Errorf("a point's latitude in the public map: %s", raw2)
		}
	})
}

// TestCurhatLocation: the web chat's "bagikan lokasi" reaches the ticket;
// half a point or one off the Earth is refused, naming the field.
func TestCurhatLocation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newChanFixture(t, db, chanOptions{appSecret: appSecret, cases: &recordingCases{}})
		f.tick = time.Second
		st, raw := f.request("POST", "/api/v1/curhat", "application/json",
			`{"text":"HAI LURAH Taman\nLampu jalan mati di depan masjid.","lat":-7.6298,"lng":111.5239}`, nil)
		if st != http.StatusAccepted {
			t.Fatalf("curhat with location: %d %s", st, raw)
		}
		var accepted struct {
			TicketID string `json:"ticket_id"`
		}
		if err := json.Unmarshal([]byte(raw), &accepted); err != nil {
			t.Fatal(err)
		}
		tk, err := db.FindTicket(context.Background(), accepted.TicketID)
		if err != nil || tk.Lat == nil || tk.Lng == nil || *tk.Lat != -7.6298 || *tk.Lng != 111.5239 {
			t.Fatalf("stored location: %+v %v", tk, err)
		}
		for body, field := range map[string]string{
			`{"text":"Got mampet","lat":-7.6}`:             "lng",
			`{"text":"Got mampet","lng":111.5}`:            "lat",
			`{"text":"Got mampet","lat":97,"lng":111.5}`:   "lat",
			`{"text":"Got mampet","lat":"-7","lng":111.5}`: "lat",
			`{"text":"Got mampet","lat":0,"lng":0}`:        "lat",
		} {
			f.clock.Add(time.Minute) // past the per-IP limit of new curhat
			st, raw := f.request("POST", "/api/v1/curhat", "application/json", body, nil)
			if st != http.StatusUnprocessableEntity && st != http.StatusBadRequest || !strings.Contains(raw, `"field":"`+field+`"`) {
				t.Errorf("%s: %d %s, want an error on %s", body, st, raw, field)
			}
		}
	})
}
