// Package open311 is Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2)
// as HAI LURAH speaks it: the services (one per kategori), requests and
// errors in their JSON and XML forms, and a POST requests form read into
// an intake.Message. The server's handlers (server/open311.go) serve them.
package open311

import (
	"encoding/json"
	"encoding/xml"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/intake"
	"github.com/hailurah/hailurah/triage"
	"github.com/hailurah/hailurah/whatsapp"
)

const (
	// MaxDescription bounds a request's description, posted or shown.
	MaxDescription = 4000
	// MaxResults bounds a list of requests.
	MaxResults = 1000
	// DefaultWindow is how far back a list without dates reaches, and
	// the widest span start_date and end_date may ask for (the spec's 90
	// days).
	DefaultWindow = 90 * 24 * time.Hour
	// MaxMediaURL bounds a posted media_url.
	MaxMediaURL = 2000
	// The two formats, named by a path's suffix.
	FormatJSON = "json"
	FormatXML  = "xml"
)

// Descriptions describe each kategori for a client's service list.
var Descriptions = map[string]string{
	hailurah.KategoriLingkungan:    "Sampah, saluran air/got, banjir lingkungan, polusi, pohon tumbang.",
	hailurah.KategoriInfrastruktur: "Jalan rusak, lampu jalan, jembatan, drainase, fasilitas umum.",
	hailurah.KategoriKesehatan:     "Gizi buruk, wabah, sanitasi, layanan puskesmas.",
	hailurah.KategoriSosial:        "Bantuan sosial, warga rentan, lansia, disabilitas, DTKS.",
	hailurah.KategoriEkonomi:       "Usaha mikro, pekerjaan, pelatihan, modal usaha.",
	hailurah.KategoriPendidikan:    "Sekolah, beasiswa, anak putus sekolah.",
	hailurah.KategoriKeamanan:      "Ketertiban, kekerasan, ancaman keselamatan, kenakalan.",
	hailurah.KategoriBencana:       "Kebakaran, banjir besar, tanah longsor, angin kencang.",
	hailurah.KategoriAdministrasi:  "KTP, KK, surat pengantar, layanan kelurahan.",
	hailurah.KategoriLainnya:       "Masalah lain yang tidak termasuk kategori di atas.",
}

// Service is one kategori as a GeoReport service.
type Service struct {
	XMLName     xml.Name `json:"-" xml:"service"`
	ServiceCode string   `json:"service_code" xml:"service_code"`
	ServiceName string   `json:"service_name" xml:"service_name"`
	Description string   `json:"description" xml:"description"`
	Metadata    bool     `json:"metadata" xml:"metadata"`
	Type        string   `json:"type" xml:"type"`
	Keywords    string   `json:"keywords" xml:"keywords"`
	Group       string   `json:"group" xml:"group"`
}

// ServiceList is the services list.
type ServiceList struct {
	XMLName  xml.Name  `xml:"services"`
	Services []Service `xml:"service"`
}

// Attribute is a field a service asks of a request.
type Attribute struct {
	XMLName             xml.Name `json:"-" xml:"attribute"`
	Variable            bool     `json:"variable" xml:"variable"`
	Code                string   `json:"code" xml:"code"`
	Datatype            string   `json:"datatype" xml:"datatype"`
	Required            bool     `json:"required" xml:"required"`
	DatatypeDescription string   `json:"datatype_description" xml:"datatype_description"`
	Order               int      `json:"order" xml:"order"`
	Description         string   `json:"description" xml:"description"`
}

// Definition is a service definition: its attributes.
type Definition struct {
	XMLName     xml.Name    `json:"-" xml:"service_definition"`
	ServiceCode string      `json:"service_code" xml:"service_code"`
	Attributes  []Attribute `json:"attributes" xml:"attributes>attribute"`
}

// Attributes are asked of every service: where in the kelurahan.
var Attributes = []Attribute{
	{Variable: true, Code: "RT", Datatype: "string", DatatypeDescription: "Nomor RT, 1–3 angka, mis. 03", Order: 1,
		Description: "RT lokasi masalah"},
	{Variable: true, Code: "RW", Datatype: "string", DatatypeDescription: "Nomor RW, 1–3 angka, mis. 02", Order: 2,
		Description: "RW lokasi masalah"},
}

// Request is a ticket as the public sees it.
type Request struct {
	XMLName           xml.Name `json:"-" xml:"request"`
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
	ExpectedDatetime  string   `json:"expected_datetime,omitempty" xml:"expected_datetime,omitempty"`
	Address           string   `json:"address" xml:"address"`
	AddressID         string   `json:"address_id" xml:"address_id"`
	Zipcode           string   `json:"zipcode" xml:"zipcode"`
	Lat               *float64 `json:"lat,omitempty" xml:"lat,omitempty"`
	Long              *float64 `json:"long,omitempty" xml:"long,omitempty"`
	MediaURL          string   `json:"media_url" xml:"media_url"`
}

// RequestList is a list of requests, or of one created.
type RequestList struct {
	XMLName  xml.Name `xml:"service_requests"`
	Requests []any    `xml:"request"`
}

// Created answers a posted request.
type Created struct {
	XMLName          xml.Name `json:"-" xml:"request"`
	ServiceRequestID string   `json:"service_request_id" xml:"service_request_id"`
	ServiceNotice    string   `json:"service_notice" xml:"service_notice"`
	AccountID        string   `json:"account_id" xml:"account_id"`
}

// Error is one of the spec's errors: an HTTP status and a description.
type Error struct {
	XMLName     xml.Name `json:"-" xml:"error"`
	Code        int      `json:"code" xml:"code"`
	Description string   `json:"description" xml:"description"`
}

// ErrorList is the spec's list of errors.
type ErrorList struct {
	XMLName xml.Name `xml:"errors"`
	Errors  []Error  `xml:"error"`
}

// Encode renders v as JSON, or as XML with the spec's element names, and
// names its content type; lists are arrays at the top level of the JSON.
func Encode(format string, v any) (body []byte, contentType string, err error) {
	if format == FormatXML {
		b, err := xml.Marshal(v)
		if err != nil {
			return nil, "", err
		}
		// The spec names text/xml, and some client libraries check for it.
		return append([]byte(xml.Header), b...), "text/xml; charset=utf-8", nil
	}
	switch x := v.(type) {
	case ServiceList:
		body, err = json.Marshal(x.Services)
	case RequestList:
		body, err = json.Marshal(x.Requests)
	case ErrorList:
		body, err = json.Marshal(x.Errors)
	default:
		body, err = json.Marshal(v)
	}
	return body, "application/json; charset=utf-8", err
}

// SplitFormat cuts ".json" or ".xml" off a path parameter.
func SplitFormat(param string) (id, format string, ok bool) {
	for _, f := range []string{FormatJSON, FormatXML} {
		if id, ok := strings.CutSuffix(param, "."+f); ok && id != "" {
			return id, f, true
		}
	}
	return "", FormatJSON, false
}

// ParseRequest validates a POST requests form into a first message. A
// phone is not verified: not the phone's own sender, and not kept.
//
// description is optional, as the spec has it; the location it requires
// then stands in for it, so triage reads which service at which place
// (Undescribed) instead of nothing. The service_code becomes the message's
// Kategori: the ticket starts in the service the client chose.
func ParseRequest(f url.Values) (intake.Message, error) {
	in := intake.Message{Channel: hailurah.ChannelOpen311}
	code := strings.TrimSpace(f.Get("service_code"))
	if code == "" {
		return in, hailurah.FieldErrorf("service_code", "service_code wajib diisi.")
	}
	if hailurah.ValidKategori(code) {
		in.Kategori = code
	}
	desc := strings.TrimSpace(f.Get("description"))
	switch {
	case !utf8.ValidString(desc) || strings.ContainsRune(desc, 0):
		return in, hailurah.FieldErrorf("description", "description memuat karakter yang tidak sah.")
	case utf8.RuneCountInString(desc) > MaxDescription:
		return in, hailurah.FieldErrorf("description", "description terlalu panjang (maks. %d karakter).", MaxDescription)
	}
	lat, lng, hasPoint, err := parsePoint(f.Get("lat"), f.Get("long"))
	if err != nil {
		return in, err
	}
	address := strings.TrimSpace(f.Get("address_string"))
	addressID := strings.TrimSpace(f.Get("address_id"))
	if !hasPoint && address == "" && addressID == "" {
		return in, hailurah.FieldErrorf("lat", "Lokasi wajib: isi lat dan long, atau address_string, atau address_id.")
	}
	for _, v := range []string{address, addressID} {
		if !utf8.ValidString(v) || strings.ContainsRune(v, 0) || utf8.RuneCountInString(v) > 500 {
			return in, hailurah.FieldErrorf("address_string", "Alamat memuat karakter yang tidak sah atau terlalu panjang (maks. 500).")
		}
	}
	text := desc
	if text == "" {
		where := address
		if where == "" {
			where = addressID
		}
		text = Undescribed(code, where, f.Get("lat"), f.Get("long"))
		if f.Get("media_url") != "" {
			text += "\nFoto terlampir."
		}
	} else if address != "" {
		text += "\nLokasi: " + address
	}
	for _, attr := range []struct {
		name string
		dst  *string
	}{{"RT", &in.RT}, {"RW", &in.RW}} {
		v := strings.TrimSpace(f.Get("attribute[" + attr.name + "]"))
		if v != "" && !hailurah.ValidRTRW(v) {
			return in, hailurah.FieldErrorf("attribute["+attr.name+"]", "attribute[%s] harus berupa 1–3 angka.", attr.name)
		}
		*attr.dst = v
	}
	if phone := strings.TrimSpace(f.Get("phone")); phone != "" {
		if _, err := whatsapp.NormalizePhone(phone); err != nil {
			return in, hailurah.FieldErrorf("phone", "phone tidak valid: tulis seperti 0812xxxxxxx atau +62812xxxxxxx.")
		}
		in.Phone = phone // not verified: not the phone's own sender, and not kept
	}
	// The reporter's name, kept sealed for a named ticket only.
	in.Name = strings.TrimSpace(strings.TrimSpace(f.Get("first_name")) + " " + strings.TrimSpace(f.Get("last_name")))
	if !utf8.ValidString(in.Name) || utf8.RuneCountInString(in.Name) > 200 {
		in.Name = ""
	}
	if m := strings.TrimSpace(f.Get("media_url")); m != "" {
		if !ValidMediaURL(m) {
			return in, hailurah.FieldErrorf("media_url", "media_url harus alamat http(s) lengkap yang valid (maks. %d karakter).", MaxMediaURL)
		}
		in.Media = []string{m}
	}
	if hasPoint {
		in.Lat, in.Lng = &lat, &lng
	}
	in.Text = text
	// What the request said about the problem, without the key and the
	// reporter's contact details.
	raw := map[string]string{"service_code": code, "description": desc}
	for _, k := range []string{"jurisdiction_id", "lat", "long", "address_string", "address_id", "attribute[RT]", "attribute[RW]", "media_url"} {
		if v := strings.TrimSpace(f.Get(k)); v != "" {
			raw[k] = v
		}
	}
	in.Raw, _ = json.Marshal(raw)
	return in, nil
}

// ValidMediaURL reports whether m is an absolute http(s) URL with a host,
// at most MaxMediaURL long: what the media download may fetch.
func ValidMediaURL(m string) bool {
	if len(m) > MaxMediaURL || !utf8.ValidString(m) || strings.ContainsAny(m, " \t\r\n\x00") {
		return false
	}
	u, err := url.Parse(m)
	return err == nil && u.IsAbs() && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && u.Opaque == ""
}

// Undescribed is the text triage reads for a request without a
// description: the service's name and description, and where.
func Undescribed(code, address, lat, long string) string {
	label := code
	if hailurah.ValidKategori(code) {
		label = triage.KategoriLabel(code)
	}
	text := "Laporan " + label + " tanpa uraian, dikirim lewat Open311."
	if d := Descriptions[code]; d != "" {
		text += "\nJenis layanan: " + d
	}
	switch {
	case address != "":
		text += "\nLokasi: " + address
	case strings.TrimSpace(lat) != "":
		text += "\nTitik: " + strings.TrimSpace(lat) + ", " + strings.TrimSpace(long)
	}
	return text
}

// parsePoint parses lat/long: both or neither, in range.
func parsePoint(latS, lngS string) (float64, float64, bool, error) {
	latS, lngS = strings.TrimSpace(latS), strings.TrimSpace(lngS)
	if latS == "" && lngS == "" {
		return 0, 0, false, nil
	}
	lat, err1 := strconv.ParseFloat(latS, 64)
	lng, err2 := strconv.ParseFloat(lngS, 64)
	if err1 != nil || err2 != nil || math.IsNaN(lat) || math.IsNaN(lng) || lat < -90 || lat > 90 || lng < -180 || lng > 180 {
		return 0, 0, false, hailurah.FieldErrorf("lat", "lat dan long harus diisi bersama, dalam derajat desimal (lat −90…90, long −180…180).")
	}
	return lat, lng, true, nil
}

// OpenStatuses are the ticket statuses the spec calls open.
var OpenStatuses = []hailurah.TicketStatus{hailurah.StatusNew, hailurah.StatusOpen, hailurah.StatusAssigned,
	hailurah.StatusInProgress, hailurah.StatusAwaitingConfirmation}

// ClosedStatuses are the ticket statuses the spec calls closed.
var ClosedStatuses = []hailurah.TicketStatus{hailurah.StatusResolved, hailurah.StatusClosed, hailurah.StatusRejected}
