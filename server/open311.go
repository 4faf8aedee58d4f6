package server

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/open311"
	"github.com/hailurah/hailurah/pii"
	"github.com/hailurah/hailurah/ratelimit"
	"github.com/hailurah/hailurah/server/app"
	"github.com/hailurah/hailurah/triage"
)

// Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) at
// /open311/v2: one service per kategori, requests are tickets. What a
// client library checks is listed, with its test, in docs/OPEN311.md.
//
//   - jurisdiction_id is a kelurahan code, read from the query string or
//     the posted form. It is required on services, a service definition
//     and POST requests once more than one kelurahan is served (the spec's
//     "required if the endpoint serves multiple jurisdictions"); on GET
//     requests it narrows the list. A new request goes to it.
//   - POST requests needs api_key, an API token of any active staff user
//     (an admin creates one per integration); a moderator's token routes to
//     their kelurahan when neither the jurisdiction nor the text names one.
//     The service_code is the ticket's kategori from the start (triage
//     suggests urgency and unit; the moderator may change it).
//     description is optional, as the spec has it: the location the spec
//     requires, and the service, stand in for it. Contact
//     fields: phone, unverified, gets a pseudonym of its own, never the one
//     its WhatsApp messages have (anyone could name a stranger's phone), so
//     later requests naming it are recognised; name, e-mail and device ids are not
//     stored (no staff view needs them, and anonymous reporters stay so).
//     The answer's service_notice is the ACK with the ticket's tracking
//     code, which only the posting client learns: the citizen follows the
//     ticket and answers SESUDAH/BELUM with it on /curhat.
//   - GET requests is public: descriptions are the AI summary (or the text
//     with phone numbers, NIK and e-mail masked), never names or contacts;
//     anonymous and rejected tickets show no text, no coordinates and no
//     media_url. start_date and end_date span at most 90 days; without
//     them, the last 90 days are listed.
//   - A request with a valid api_key is limited by its key, generously
//     (an integration posts for many citizens from one address); without
//     one, by the client's IP, as citizens are. A wrong api_key is a 403.
//   - Every error, unknown routes and methods included, is the spec's list
//     of {code, description} with the HTTP status as its code, and XML is
//     text/xml.
func (s *Server) open311Routes(r *gin.Engine) {
	g := r.Group("/open311/v2")
	for _, f := range []string{open311.FormatJSON, open311.FormatXML} {
		g.GET("/services."+f, s.open311Services(f))
		g.GET("/requests."+f, s.open311Limit(s.app.TrackingLimit, f), s.open311ListRequests(f))
		g.POST("/requests."+f, s.open311Form(f), s.open311Limit(s.app.IntakeLimit, f), s.open311CreateRequest(f))
	}
	g.GET("/services/:code", s.open311ServiceDefinition)
	g.GET("/requests/:id", s.open311Limit(s.app.TrackingLimit, ""), s.open311GetRequest)
}

// The bucket of one Open311 api_key: an integration relays many citizens
// from one address, so it gets far more than one citizen's per-IP bucket.
const (
	open311KeyPerMinute = 120
	open311KeyBurst     = 60
)

// open311UserKey holds the api_key's user in the request's context.
const open311UserKey = "open311.user"

// open311IsPath tells a request under /open311/ from the rest, whose
// errors keep the API's own format.
func open311IsPath(c *gin.Context) bool {
	return strings.HasPrefix(c.Request.URL.Path, "/open311/")
}

// open311PathFormat is the format a path names by its suffix; JSON when it
// names none (an unknown route).
func open311PathFormat(path string) string {
	if strings.HasSuffix(path, "."+open311.FormatXML) {
		return open311.FormatXML
	}
	return open311.FormatJSON
}

// open311Param reads a parameter from the posted form and the query
// string (the form wins), or from the query string before a form is read.
func open311Param(c *gin.Context, name string) string {
	if c.Request.Form != nil {
		return strings.TrimSpace(c.Request.Form.Get(name))
	}
	return strings.TrimSpace(c.Query(name))
}

// open311Form reads a POST's form, url-encoded as the spec posts it, or
// multipart from clients that attach a photo (the file itself is not kept:
// media_url carries a photo), merged with the query string.
func (s *Server) open311Form(format string) gin.HandlerFunc {
	return func(c *gin.Context) {
		parse := c.Request.ParseForm
		if strings.HasPrefix(c.ContentType(), "multipart/form-data") {
			parse = func() error { return c.Request.ParseMultipartForm(1 << 20) }
		}
		err := parse()
		var maxErr *http.MaxBytesError
		limit := app.BodyLimit(c, s.cfg.MaxBodyBytes)
		switch {
		case errors.As(err, &maxErr) || c.Request.ContentLength > limit:
			open311Fail(c, format, http.StatusRequestEntityTooLarge, fmt.Sprintf("Isi permintaan terlalu besar (maks. %d byte).", limit))
		case err != nil:
			open311Fail(c, format, http.StatusBadRequest, "Isi permintaan harus formulir (application/x-www-form-urlencoded) yang valid.")
		default:
			c.Next()
		}
	}
}

// open311Limit checks the api_key when one is given and limits the request
// by it, or by the client's IP in l without one; format "" takes the
// format from the {id}.json|xml parameter. A wrong key costs the IP's
// bucket, so guessing keys is as slow as posting without one.
func (s *Server) open311Limit(l *ratelimit.Keyed, format string) gin.HandlerFunc {
	return func(c *gin.Context) {
		f := format
		if f == "" {
			_, f, _ = open311.SplitFormat(c.Param("id"))
		}
		bucket, key := l, c.ClientIP()
		var refusal string
		if secret := open311Param(c, "api_key"); secret != "" {
			u, err := s.cfg.Users.FindUserByAPIToken(c.Request.Context(), secret)
			switch {
			case err == nil && !u.Disabled:
				c.Set(open311UserKey, u)
				sum := sha256.Sum256([]byte(secret))
				bucket, key = s.open311Keys, hex.EncodeToString(sum[:16])
			case err == nil || hailurah.ErrorCode(err) == hailurah.EUNAUTHORIZED:
				refusal = "api_key tidak valid atau sudah dicabut."
			default:
				s.open311FailErr(c, f, err)
				return
			}
		}
		if ok, wait := bucket.Allow(key); !ok {
			c.Header("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
			open311Fail(c, f, http.StatusTooManyRequests, "Terlalu banyak permintaan. Coba lagi sebentar lagi.")
			return
		}
		if refusal != "" {
			open311Fail(c, f, http.StatusForbidden, refusal)
			return
		}
		c.Next()
	}
}

// open311Write renders v in the format the path asked for.
func open311Write(c *gin.Context, format string, status int, v any) {
	b, contentType, err := open311.Encode(format, v)
	if err != nil {
		c.Status(http.StatusInternalServerError)
		return
	}
	c.Data(status, contentType, b)
}

func open311Fail(c *gin.Context, format string, status int, description string) {
	open311Write(c, format, status, open311.ErrorList{Errors: []open311.Error{{Code: status, Description: description}}})
	c.Abort()
}

// open311FailErr renders an application error in the spec's format: the
// spec's three codes where they apply, the usual status otherwise.
func (s *Server) open311FailErr(c *gin.Context, format string, err error) {
	if hailurah.ErrorCode(err) == hailurah.EINTERNAL {
		s.logger.ErrorContext(c.Request.Context(), "open311 internal error", "path", c.FullPath(), "err", err)
	}
	open311Fail(c, format, open311Status(err), hailurah.ErrorMessage(err))
}

// open311Status is the HTTP status of an application error in Open311: a
// refused parameter is the spec's 400, where the API says 422.
func open311Status(err error) int {
	switch hailurah.ErrorCode(err) {
	case hailurah.EINVALID, hailurah.EBADREQUEST:
		return http.StatusBadRequest
	}
	return app.ErrorStatus(err)
}

// checkJurisdiction resolves jurisdiction_id to a kelurahan code ("" when
// absent); an unknown one is a 404, as the spec asks. When required, an
// absent one is a 400 once more than one kelurahan is served: the spec
// asks for it where an endpoint serves several jurisdictions.
func (s *Server) checkJurisdiction(c *gin.Context, format, j string, required bool) (string, bool) {
	j = strings.TrimSpace(j)
	if j == "" {
		if !required {
			return "", true
		}
		all, err := s.cfg.Kelurahan.ListKelurahan(c.Request.Context())
		if err != nil {
			s.open311FailErr(c, format, err)
			return "", false
		}
		if len(all) > 1 {
			open311Fail(c, format, http.StatusBadRequest, fmt.Sprintf(
				"jurisdiction_id wajib diisi: layanan ini melayani %d kelurahan; gunakan kode kelurahan, mis. %q.", len(all), all[0].Code))
			return "", false
		}
		return "", true
	}
	k, err := s.cfg.Kelurahan.FindKelurahan(c.Request.Context(), strings.ToLower(j))
	if hailurah.ErrorCode(err) == hailurah.ENOTFOUND {
		open311Fail(c, format, http.StatusNotFound, "jurisdiction_id tidak dikenal: gunakan kode kelurahan, mis. \"taman\".")
		return "", false
	} else if err != nil {
		s.open311FailErr(c, format, err)
		return "", false
	}
	return k.Code, true
}

func (s *Server) open311Services(format string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if _, ok := s.checkJurisdiction(c, format, c.Query("jurisdiction_id"), true); !ok {
			return
		}
		list := open311.ServiceList{Services: []open311.Service{}}
		for _, k := range hailurah.Kategoris {
			list.Services = append(list.Services, open311.Service{
				ServiceCode: k, ServiceName: triage.KategoriLabel(k), Description: open311.Descriptions[k],
				Metadata: true, Type: "realtime", Group: "HAI LURAH",
			})
		}
		open311Write(c, format, http.StatusOK, list)
	}
}

// open311ServiceDefinition: GET /open311/v2/services/{code}.{format}.
func (s *Server) open311ServiceDefinition(c *gin.Context) {
	code, format, ok := open311.SplitFormat(c.Param("code"))
	if !ok {
		open311Fail(c, format, http.StatusNotFound, "Gunakan /services/{service_code}.json atau .xml.")
		return
	}
	if _, ok := s.checkJurisdiction(c, format, c.Query("jurisdiction_id"), true); !ok {
		return
	}
	if !hailurah.ValidKategori(code) {
		open311Fail(c, format, http.StatusNotFound, "service_code tidak dikenal: "+clipRunes(code, 40))
		return
	}
	open311Write(c, format, http.StatusOK, open311.Definition{ServiceCode: code, Attributes: open311.Attributes})
}

// open311CreateRequest: POST /open311/v2/requests.{format}, after
// open311Form read the form and open311Limit checked its api_key.
func (s *Server) open311CreateRequest(format string) gin.HandlerFunc {
	return func(c *gin.Context) {
		v, _ := c.Get(open311UserKey)
		u, _ := v.(*hailurah.User)
		if u == nil {
			open311Fail(c, format, http.StatusForbidden, "api_key wajib diisi.")
			return
		}
		// The query string counts as the form: clients put jurisdiction_id
		// (and even api_key) there.
		f := c.Request.Form
		kel, ok := s.checkJurisdiction(c, format, f.Get("jurisdiction_id"), true)
		if !ok {
			return
		}
		in, err := open311.ParseRequest(f)
		if err != nil {
			s.open311FailErr(c, format, err)
			return
		}
		if in.Kelurahan = kel; kel == "" && u.Role != hailurah.RoleAdmin && u.Role != hailurah.RoleDinas {
			in.Kelurahan = u.Kelurahan
		}
		if !hailurah.ValidKategori(f.Get("service_code")) {
			open311Fail(c, format, http.StatusNotFound, "service_code tidak dikenal: "+clipRunes(f.Get("service_code"), 40))
			return
		}
		resp, err := s.cfg.Intake.Start(c.Request.Context(), in)
		if err != nil {
			s.open311FailErr(c, format, err)
			return
		}
		open311Write(c, format, http.StatusOK, open311.RequestList{Requests: []any{
			open311.Created{ServiceRequestID: resp.TicketID, ServiceNotice: resp.Ack + "\nKode lacak: " + resp.TrackingCode +
				" (untuk melihat perkembangan dan membalas di halaman /curhat)."},
		}})
	}
}

// open311ListRequests: GET /open311/v2/requests.{format}.
func (s *Server) open311ListRequests(format string) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx := c.Request.Context()
		kel, ok := s.checkJurisdiction(c, format, c.Query("jurisdiction_id"), false)
		if !ok {
			return
		}
		names := open311Names{}
		if ids := splitList(c.Query("service_request_id")); len(ids) > 0 {
			// The spec: ids override every other filter.
			if len(ids) > 100 {
				open311Fail(c, format, http.StatusBadRequest, "service_request_id: paling banyak 100 id.")
				return
			}
			list := open311.RequestList{Requests: []any{}}
			for _, id := range ids {
				t, err := s.cfg.Tickets.FindTicket(ctx, id)
				if hailurah.ErrorCode(err) == hailurah.ENOTFOUND {
					continue
				} else if err != nil {
					s.open311FailErr(c, format, err)
					return
				}
				list.Requests = append(list.Requests, s.open311View(c, names, t))
			}
			open311Write(c, format, http.StatusOK, list)
			return
		}
		f, codes, err := open311Filter(c.Request.URL.Query(), s.now())
		if err != nil {
			s.open311FailErr(c, format, err)
			return
		}
		f.Kelurahan = kel
		var tickets []*hailurah.Ticket
		for len(tickets) < open311.MaxResults {
			page, err := s.cfg.Tickets.ListTickets(ctx, f)
			if err != nil {
				s.open311FailErr(c, format, err)
				return
			}
			for _, t := range page.Items {
				if len(codes) == 0 || slices.Contains(codes, open311Code(t)) {
					tickets = append(tickets, t)
				}
			}
			if page.NextCursor == "" {
				break
			}
			f.Cursor = page.NextCursor
		}
		sort.SliceStable(tickets, func(i, j int) bool { return tickets[i].DatetimeReceived.After(tickets[j].DatetimeReceived) })
		if len(tickets) > open311.MaxResults {
			tickets = tickets[:open311.MaxResults]
		}
		list := open311.RequestList{Requests: make([]any, 0, len(tickets))}
		for _, t := range tickets {
			list.Requests = append(list.Requests, s.open311View(c, names, t))
		}
		open311Write(c, format, http.StatusOK, list)
	}
}

// open311Filter reads service_code, status, start_date and end_date. With
// no dates, the last 90 days are listed; one date alone reaches 90 days
// from it; both may span 90 days at most, as the spec has it.
func open311Filter(q url.Values, now time.Time) (hailurah.TicketFilter, []string, error) {
	f := hailurah.TicketFilter{Limit: 200}
	codes := splitList(q.Get("service_code"))
	for _, code := range codes {
		if !hailurah.ValidKategori(code) {
			return f, nil, hailurah.FieldErrorf("service_code", "service_code tidak dikenal: %s", clipRunes(code, 40))
		}
	}
	if len(codes) == 1 && codes[0] != hailurah.KategoriLainnya {
		f.Kategori = codes[0]
	}
	for _, st := range splitList(q.Get("status")) {
		switch st {
		case "open":
			f.Statuses = append(f.Statuses, open311.OpenStatuses...)
		case "closed":
			f.Statuses = append(f.Statuses, open311.ClosedStatuses...)
		default:
			return f, nil, hailurah.FieldErrorf("status", "status harus open atau closed.")
		}
	}
	if len(f.Statuses) == len(open311.OpenStatuses)+len(open311.ClosedStatuses) {
		f.Statuses = nil
	}
	var start, end *time.Time
	for _, p := range []struct {
		name string
		dst  **time.Time
	}{{"start_date", &start}, {"end_date", &end}} {
		v := strings.TrimSpace(q.Get(p.name))
		if v == "" {
			continue
		}
		t, err := parseW3CDate(v)
		if err != nil {
			return f, nil, hailurah.FieldErrorf(p.name, "%s harus tanggal-waktu W3C (ISO 8601 dengan zona waktu), mis. 2026-03-01T00:00:00+07:00 atau 2026-02-28T17:00:00Z.", p.name)
		}
		*p.dst = &t
	}
	// The spec: the last 90 days by default, and never a span of more.
	switch {
	case start == nil && end == nil:
		from := now.Add(-open311.DefaultWindow)
		start = &from
	case start == nil:
		from := end.Add(-open311.DefaultWindow)
		start = &from
	case end == nil:
		to := start.Add(open311.DefaultWindow)
		end = &to
	}
	switch {
	case end != nil && !end.After(*start):
		return f, nil, hailurah.FieldErrorf("end_date", "end_date harus sesudah start_date.")
	case end != nil && end.Sub(*start) > open311.DefaultWindow:
		return f, nil, hailurah.FieldErrorf("end_date", "start_date dan end_date berjarak paling lama 90 hari.")
	}
	f.ReceivedFrom, f.ReceivedTo = start, end
	return f, codes, nil
}

// parseW3CDate reads the W3C date-time profile: a full RFC 3339 time, or a
// date alone (midnight UTC).
func parseW3CDate(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.Parse("2006-01-02", v)
}

func splitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// open311GetRequest: GET /open311/v2/requests/{id}.{format}.
func (s *Server) open311GetRequest(c *gin.Context) {
	id, format, ok := open311.SplitFormat(c.Param("id"))
	if !ok {
		open311Fail(c, format, http.StatusNotFound, "Gunakan /requests/{service_request_id}.json atau .xml.")
		return
	}
	if _, ok := s.checkJurisdiction(c, format, c.Query("jurisdiction_id"), false); !ok {
		return
	}
	t, err := s.cfg.Tickets.FindTicket(c.Request.Context(), id)
	if hailurah.ErrorCode(err) == hailurah.ENOTFOUND {
		open311Fail(c, format, http.StatusNotFound, "service_request_id tidak ditemukan: "+clipRunes(id, 40))
		return
	} else if err != nil {
		s.open311FailErr(c, format, err)
		return
	}
	open311Write(c, format, http.StatusOK, open311.RequestList{Requests: []any{s.open311View(c, open311Names{}, t)}})
}

// open311Code is the service a ticket belongs to: its kategori, or
// "lainnya" while triage has not set one.
func open311Code(t *hailurah.Ticket) string {
	if hailurah.ValidKategori(t.Kategori) {
		return t.Kategori
	}
	return hailurah.KategoriLainnya
}

// open311Names caches kelurahan and unit names over one response.
type open311Names map[string]string

func (n open311Names) get(key string, find func() (string, error), fallback string) string {
	if v, ok := n[key]; ok {
		return v
	}
	v, err := find()
	if err != nil {
		v = fallback
	}
	n[key] = v
	return v
}

// open311View is a ticket as the public sees it through Open311.
func (s *Server) open311View(c *gin.Context, names open311Names, t *hailurah.Ticket) open311.Request {
	ctx := c.Request.Context()
	code := open311Code(t)
	r := open311.Request{
		ServiceRequestID:  t.ID,
		Status:            "open",
		StatusNotes:       t.Status.Label(),
		ServiceCode:       code,
		ServiceName:       triage.KategoriLabel(code),
		RequestedDatetime: t.DatetimeReceived.UTC().Format(time.RFC3339),
		UpdatedDatetime:   t.UpdatedAt.UTC().Format(time.RFC3339),
	}
	if t.UpdatedAt.IsZero() {
		r.UpdatedDatetime = r.RequestedDatetime
	}
	if t.Status.Final() {
		r.Status = "closed"
	}
	hidden := t.PrivacyFlag || t.Status == hailurah.StatusRejected
	switch {
	case t.Summary != "":
		r.Description = pii.Redact(t.Summary)
	case !hidden:
		r.Description = clipRunes(pii.Redact(t.MessageText), open311.MaxDescription)
	}
	if !hidden {
		r.Lat, r.Long = t.Lat, t.Lng
		r.MediaURL = open311MediaURL(t)
	}
	var due *time.Time
	switch t.Status {
	case hailurah.StatusNew, hailurah.StatusOpen:
		due = t.ModeratorDue
	case hailurah.StatusAssigned, hailurah.StatusInProgress:
		due = t.DinasDue
	}
	if due != nil {
		r.ExpectedDatetime = due.UTC().Format(time.RFC3339)
	}
	var where []string
	if t.RT != "" || t.RW != "" {
		where = append(where, strings.TrimSpace("RT "+t.RT+"/RW "+t.RW))
	}
	if t.Kelurahan != "" {
		name := names.get("k/"+t.Kelurahan, func() (string, error) {
			k, err := s.cfg.Kelurahan.FindKelurahan(ctx, t.Kelurahan)
			if err != nil {
				return "", err
			}
			return k.Name, nil
		}, t.Kelurahan)
		where = append(where, "Kelurahan "+name)
		r.AgencyResponsible = "Kelurahan " + name
	} else {
		r.AgencyResponsible = "Pemerintah Kota (antrean triase)"
	}
	r.Address = strings.Join(where, ", ")
	if t.AssignedUnit != "" {
		r.AgencyResponsible = names.get("u/"+t.AssignedUnit, func() (string, error) {
			u, err := s.cfg.Kelurahan.FindUnit(ctx, t.AssignedUnit)
			if err != nil {
				return "", err
			}
			return u.Name, nil
		}, strings.ToUpper(t.AssignedUnit))
	}
	return r
}

// open311MediaURL is the media_url an Open311 client posted with the
// ticket, kept in its raw payload; other channels' media are no public
// URLs, and are shown to staff only.
func open311MediaURL(t *hailurah.Ticket) string {
	if t.Channel != hailurah.ChannelOpen311 || len(t.RawPayload) == 0 {
		return ""
	}
	var raw struct {
		MediaURL string `json:"media_url"`
	}
	if json.Unmarshal(t.RawPayload, &raw) != nil || !open311.ValidMediaURL(raw.MediaURL) {
		return ""
	}
	return raw.MediaURL
}

func clipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
