package server_test

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/csv"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/reportstore"
	"github.com/hailurah/hailurah/store/storetest"
)

// pdfText reads a PDF the way a test can without a PDF library: its page
// count from the page tree and the strings its content streams show,
// inflated when compressed. Fails unless it starts as a PDF does.
func pdfText(t *testing.T, data []byte) (pages int, text string) {
	t.Helper()
	if !bytes.HasPrefix(data, []byte("%PDF-")) || !bytes.Contains(data[len(data)-1024:], []byte("%%EOF")) {
		t.Fatalf("not a PDF: %q…", data[:min(len(data), 40)])
	}
	m := regexp.MustCompile(`/Type /Pages\s*/Kids \[[^\]]*\]\s*/Count (\d+)`).FindSubmatch(data)
	if m == nil {
		m = regexp.MustCompile(`/Type /Pages[^>]*/Count (\d+)`).FindSubmatch(data)
	}
	if m == nil {
		t.Fatal("no page tree in the PDF")
	}
	pages, _ = strconv.Atoi(string(m[1]))
	var b strings.Builder
	streams := regexp.MustCompile(`(?s)<<([^>]*)>>\s*stream\r?\n(.*?)\r?\nendstream`).FindAllSubmatch(data, -1)
	shown := regexp.MustCompile(`\((.*?)\) ?Tj`)
	for _, s := range streams {
		body := s[2]
		if bytes.Contains(s[1], []byte("/FlateDecode")) {
			r, err := zlib.NewReader(bytes.NewReader(body))
			if err != nil {
				continue // a font or image, not text
			}
			if body, err = io.ReadAll(r); err != nil {
				continue
			}
		}
		for _, tj := range shown.FindAllSubmatch(body, -1) {
			b.Write(bytes.ReplaceAll(bytes.ReplaceAll(tj[1], []byte(`\(`), []byte("(")), []byte(`\)`), []byte(")")))
			b.WriteByte('\n')
		}
	}
	return pages, b.String()
}

func TestReportAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newPilotFixture(t, db)
		seedDashTickets(t, db, dashTickets)
		lurah := f.as("lurah")

		st, h, body := lurah.raw("GET", "/api/v1/reports/hai-lurah?period=2026-11&format=pdf", "", nil)
		if st != http.StatusOK || h.Get("Content-Type") != "application/pdf" ||
			!strings.Contains(h.Get("Content-Disposition"), `filename="laporan-hai-lurah-taman-2026-11.pdf"`) {
			t.Fatalf("PDF: %d %v", st, h)
		}
		pages, text := pdfText(t, []byte(body))
		if pages < 3 {
			t.Errorf("%d pages", pages)
		}
		for _, want := range []string{"Laporan HAI LURAH Bulanan", "November 2026", "Kelurahan Taman", "Curhat per kategori",
			"Lingkungan", "Kepatuhan SLA verifikasi moderator", "Eskalasi ke Lurah", "Halaman 2 dari " + strconv.Itoa(pages)} {
			if !strings.Contains(text, want) {
				t.Errorf("the PDF lacks %q", want)
			}
		}
		// Anonymous or not, no citizen's words reach a report.
		for _, secret := range []string{"Isi curhat rahasia", "sender-D1", "TRK-D1", "HYPERLINK"} {
			if strings.Contains(text, secret) || strings.Contains(body, secret) {
				t.Errorf("the PDF holds %q", secret)
			}
		}

		// JSON: the document, the curhat KPIs against their targets.
		var doc struct {
			Kind, Period, Kelurahan, Title string
			KPIs                           []struct {
				Code   string
				Target float64
				Flag   string
			}
			Sections []struct {
				Key     string
				Columns []string
				Rows    []struct {
					Label string
					Cells []struct {
						Text  string
						Value *float64
					}
				}
			}
		}
		if st, raw := lurah.json("GET", "/api/v1/reports/hai-lurah?period=2026-11", nil, &doc); st != http.StatusOK ||
			doc.Kind != hailurah.ReportHaiLurah || doc.Period != "2026-11" || doc.Kelurahan != "taman" || len(doc.Sections) < 5 {
			t.Fatalf("JSON: %d %s", st, raw)
		}
		var curhatKPIs []string
		for _, d := range hailurah.KPICatalogue {
			if d.Curhat {
				curhatKPIs = append(curhatKPIs, d.Code)
			}
		}
		if len(doc.KPIs) != len(curhatKPIs) || doc.KPIs[0].Code != curhatKPIs[0] || doc.KPIs[0].Target == 0 {
			t.Errorf("kpis %+v", doc.KPIs)
		}
		found := false
		for _, s := range doc.Sections {
			if s.Key != "layanan" {
				continue
			}
			for _, r := range s.Rows {
				// Taman received five curhat in November (D1–D5).
				if r.Label == "Curhat masuk" && r.Cells[0].Value != nil && *r.Cells[0].Value == 5 {
					found = true
				}
			}
		}
		if !found {
			t.Errorf("no 5 curhat in the service section: %+v", doc.Sections)
		}

		// CSV: one row per figure, the documented columns.
		st, h, body = lurah.raw("GET", "/api/v1/reports/siap-taman?period=2026-Q4&format=csv", "", nil)
		if st != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") {
			t.Fatalf("CSV: %d %v", st, h)
		}
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\uFEFF"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(rows[0], ",") != "laporan,periode,kelurahan,bagian,judul_bagian,baris,kolom,nilai,teks" || len(rows) < 10 {
			t.Fatalf("CSV %v", rows[:min(3, len(rows))])
		}
		// Every programme KPI of the catalogue is a row of the KPI section.
		for _, code := range hailurah.ProgrammeKPICodes() {
			def, _ := hailurah.FindKPI(code)
			seen := false
			for _, r := range rows[1:] {
				if r[0] == "siap-taman" && r[1] == "2026-Q4" && r[2] == "taman" && r[3] == "kpi" && r[5] == def.Label {
					seen = true
				}
			}
			if !seen {
				t.Errorf("the CSV lacks %s", code)
			}
		}

		// The SIAP-TAMAN PDF for the city, by the admin.
		st, _, body = f.as("admin").raw("GET", "/api/v1/reports/siap-taman?period=2026-Q4&format=pdf", "", nil)
		if st != http.StatusOK {
			t.Fatalf("city PDF: %d", st)
		}
		if _, text := pdfText(t, []byte(body)); !strings.Contains(text, "Laporan SIAP-TAMAN Triwulanan") ||
			!strings.Contains(text, "Triwulan IV 2026") || !strings.Contains(text, "Capaian periode ini per kelurahan") {
			t.Errorf("city PDF text:\n%s", text)
		}

		// Bad input: every bad field at once, in Indonesian.
		var e apiErr
		if st, raw := lurah.json("GET", "/api/v1/reports/bulanan?period=2026-13&format=docx", nil, &e); st != http.StatusBadRequest ||
			e.Error.Field != "kind,period,format" || !strings.Contains(e.Error.Message, "harus") {
			t.Errorf("bad input: %d %s", st, raw)
		}
		if st, raw := lurah.json("GET", "/api/v1/reports/siap-taman", nil, &e); st != http.StatusBadRequest || e.Error.Field != "period" {
			t.Errorf("no period: %d %s", st, raw)
		}
		if st, raw := f.as("admin").json("GET", "/api/v1/reports/siap-taman?period=2026-11&kelurahan=atlantis", nil, &e); st != http.StatusBadRequest || e.Error.Field != "kelurahan" {
			t.Errorf("unknown kelurahan: %d %s", st, raw)
		}
		// Authorization: a lurah only their own; moderators, dinas, anonymous none.
		for _, c := range []struct {
			who, path string
			want      int
		}{
			{"lurah", "/api/v1/reports/siap-taman?period=2026-11&kelurahan=demangan", http.StatusForbidden},
			{"moderator", "/api/v1/reports/siap-taman?period=2026-11", http.StatusForbidden},
			{"fasilitator", "/api/v1/reports/siap-taman?period=2026-11", http.StatusForbidden},
			{"dinas-pupr", "/api/v1/reports/siap-taman?period=2026-11", http.StatusForbidden},
			{"", "/api/v1/reports/siap-taman?period=2026-11", http.StatusUnauthorized},
			{"lurah-demangan", "/api/v1/reports/siap-taman?period=2026-11&kelurahan=demangan", http.StatusOK},
		} {
			if st, _, _ := f.as(c.who).raw("GET", c.path, "", nil); st != c.want {
				t.Errorf("%s %s: %d, want %d", c.who, c.path, st, c.want)
			}
		}
	})
}

func TestReportPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newPilotFixture(t, db)
		ctx := context.Background()
		reports := reportstore.New(db)
		for _, r := range []*hailurah.StoredReport{
			{Kind: hailurah.ReportSIAPTaman, Period: "2026-10", Kelurahan: "taman", Format: "pdf", Content: []byte("%PDF-taman")},
			{Kind: hailurah.ReportSIAPTaman, Period: "2026-10", Kelurahan: "taman", Format: "csv", Content: []byte("a,b")},
			{Kind: hailurah.ReportSIAPTaman, Period: "2026-10", Kelurahan: "demangan", Format: "pdf", Content: []byte("%PDF-demangan")},
			{Kind: hailurah.ReportHaiLurah, Period: "2026-10", Format: "pdf", Content: []byte("%PDF-kota")},
		} {
			if err := reports.SaveReport(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		lurah := f.as("lurah")
		st, _, page := lurah.raw("GET", "/laporan", "", nil)
		if st != http.StatusOK || !strings.Contains(page, "Laporan SIAP-TAMAN · Oktober 2026") || !strings.Contains(page, "Unduh PDF") ||
			!strings.Contains(page, "Unduh CSV") || strings.Contains(page, "Seluruh kota") || strings.Contains(page, "Demangan") ||
			!strings.Contains(page, `value="2026-10"`) {
			t.Fatalf("lurah's page: %d\n%s", st, page)
		}
		id := regexp.MustCompile(`/laporan/berkas/(\d+)`).FindStringSubmatch(page)[1]
		if st, h, body := lurah.raw("GET", "/laporan/berkas/"+id, "", nil); st != http.StatusOK || body != "%PDF-taman" ||
			h.Get("Content-Type") != "application/pdf" {
			t.Errorf("download: %d %v %q", st, h, body)
		}
		// Another kelurahan's or the city's file is not there for the lurah.
		all, _ := reports.ListReports(ctx, hailurah.ReportFilter{All: true})
		for _, r := range all {
			want := http.StatusNotFound
			if r.Kelurahan == "taman" {
				want = http.StatusOK
			}
			if st, _, _ := lurah.raw("GET", "/laporan/berkas/"+strconv.FormatInt(r.ID, 10), "", nil); st != want {
				t.Errorf("lurah, %s %s: %d, want %d", r.Kelurahan, r.Format, st, want)
			}
		}
		admin := f.as("admin")
		if st, _, page := admin.raw("GET", "/laporan", "", nil); st != http.StatusOK || !strings.Contains(page, "Seluruh kota") ||
			!strings.Contains(page, "Kel. Demangan") {
			t.Errorf("admin's page: %d", st)
		}
		// Made now: a file; bad fields shown again, all at once.
		st, h, body := lurah.raw("GET", "/laporan/buat?kind=siap-taman&period=2026-11&format=pdf", "", nil)
		if st != http.StatusOK || !strings.HasPrefix(body, "%PDF-") || !strings.Contains(h.Get("Content-Disposition"), "attachment") {
			t.Errorf("made now: %d %v", st, h)
		}
		st, _, page = lurah.raw("GET", "/laporan/buat?kind=&period=November&format=", "", nil)
		if st != http.StatusUnprocessableEntity || !strings.Contains(page, "Pilih jenis laporan.") ||
			!strings.Contains(page, "Periode tidak dikenali") || !strings.Contains(page, "Pilih PDF atau CSV.") {
			t.Errorf("bad form: %d\n%s", st, page)
		}
		if st, _, _ := f.as("moderator").raw("GET", "/laporan", "", nil); st != http.StatusForbidden {
			t.Errorf("moderator: %d", st)
		}
	})
}
