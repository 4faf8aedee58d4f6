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
		"description":   {"description": {""}},
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
	if err != nil || !strings.Contains(string(b), "<errors><error><code>404</code>") || !strings.HasPrefix(ct, "application/xml") {
		t.Errorf("xml: %s %s %v", b, ct, err)
	}
}
