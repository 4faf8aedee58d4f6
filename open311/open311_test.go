package open311_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/open311"
)

// TestParseRequest: a form becomes a first message of channel open311,
// its address and RT/RW kept for the ticket; what the spec requires is
// refused by field.
func TestParseRequest(t *testing.T) {
	f := url.Values{"service_code": {hailurah.KategoriInfrastruktur}, "description": {"Lampu jalan mati."},
		"address_string": {"Jl. Merdeka 5"}, "attribute[RT]": {"3"}, "phone": {"0812 3456 7890"}}
	m, err := open311.ParseRequest(f)
	if err != nil || m.Channel != hailurah.ChannelOpen311 || m.RT != "3" || m.Phone == "" || m.PhoneVerified ||
		!strings.Contains(m.Text, "Lokasi: Jl. Merdeka 5") {
		t.Fatalf("request: %+v %v", m, err)
	}
	for field, change := range map[string]url.Values{
		"description":   {"description": {strings.Repeat("a", open311.MaxDescription+1)}},
		"attribute[RW]": {"attribute[RW]": {"RW satu"}},
		"phone":         {"phone": {"bukan nomor"}},
	} {
		g := url.Values{}
		for k, v := range f {
			g[k] = v
		}
		for k, v := range change {
			g[k] = v
		}
		if _, err := open311.ParseRequest(g); hailurah.ErrorField(err) != field {
			t.Errorf("%s: %v", field, err)
		}
	}
}

// TestEncode: JSON lists are arrays at the top level; XML keeps the
// spec's element names.
func TestEncode(t *testing.T) {
	list := open311.ErrorList{Errors: []open311.Error{{Code: 404, Description: "tidak ada"}}}
	b, ct, err := open311.Encode(open311.FormatJSON, list)
	if err != nil || !strings.HasPrefix(string(b), "[") || !strings.HasPrefix(ct, "application/json") {
		t.Errorf("json: %s %s %v", b, ct, err)
	}
	b, ct, err = open311.Encode(open311.FormatXML, list)
	if err != nil || !strings.Contains(string(b), "<errors><error><code>404</code>") || ct != "text/xml; charset=utf-8" {
		t.Errorf("xml: %s %s %v", b, ct, err)
	}
}

// TestParseRequestWithoutDescription: the spec makes description
// optional; the service and the required location stand in for it, so
// triage reads what and where. The service_code is the message's kategori.
func TestParseRequestWithoutDescription(t *testing.T) {
	m, err := open311.ParseRequest(url.Values{"service_code": {hailurah.KategoriInfrastruktur}, "address_string": {"Jl. Mawar 12"},
		"media_url": {"https://foto.contoh.id/a.jpg"}})
	if err != nil || m.Kategori != hailurah.KategoriInfrastruktur || !strings.Contains(m.Text, "Infrastruktur") ||
		!strings.Contains(m.Text, "Lokasi: Jl. Mawar 12") || !strings.Contains(m.Text, "Foto terlampir") ||
		len(m.Media) != 1 || m.Media[0] != "https://foto.contoh.id/a.jpg" {
		t.Fatalf("address and photo: %+v %v", m, err)
	}
	m, err = open311.ParseRequest(url.Values{"service_code": {hailurah.KategoriLingkungan}, "lat": {"-7.63"}, "long": {"111.52"}})
	if err != nil || !strings.Contains(m.Text, "Lingkungan") || !strings.Contains(m.Text, "Titik: -7.63, 111.52") {
		t.Fatalf("point: %+v %v", m, err)
	}
	if _, err := open311.ParseRequest(url.Values{"service_code": {hailurah.KategoriLingkungan}}); hailurah.ErrorField(err) != "lat" {
		t.Errorf("neither description nor location: %v", err)
	}
}

// TestValidMediaURL: only an absolute http(s) URL of at most 2,000
// characters is taken.
func TestValidMediaURL(t *testing.T) {
	long := "https://foto.contoh.id/" + strings.Repeat("a", open311.MaxMediaURL)
	for u, want := range map[string]bool{
		"https://foto.contoh.id/a.jpg": true, "http://foto.contoh.id/a.jpg?x=1": true,
		long[:open311.MaxMediaURL]: true, long[:open311.MaxMediaURL+1]: false,
		"/foto/a.jpg": false, "foto.contoh.id/a.jpg": false, "ftp://foto.contoh.id/a.jpg": false,
		"javascript:alert(1)": false, "https://": false, "https:foto": false, "https://foto.contoh.id/a b.jpg": false,
	} {
		if got := open311.ValidMediaURL(u); got != want {
			t.Errorf("%.60q: %v, want %v", u, got, want)
		}
	}
}
