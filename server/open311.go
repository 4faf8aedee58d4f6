package server

import (
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
// /open311/v2: one service per kategori, requests are tickets.
//
//   - jurisdiction_id is optional; when given it is a kelurahan code, which
//     routes a new request and narrows a list.
//   - POST requests needs api_key, an API token of any active staff user
//     (an admin creates one per integration); a moderator's token routes to
//     their kelurahan when neither the jurisdiction nor the text names one.
//     description is required (the ticket's triage reads it). Contact
//     fields: phone, unverified, gets a pseudonym of its own, never the one
//     its WhatsApp messages have (anyone could name a stranger's phone), so
//     later requests naming it are recognised; name, e-mail and device ids are not
//     stored (no staff view needs them, and anonymous reporters stay so).
//     The answer's service_notice is the ACK with the ticket's tracking
//     code, which only the posting client learns: the citizen follows the
//     ticket and answers SESUDAH/BELUM with it on /curhat.
//   - GET requests is public: descriptions are the AI summary (or the text
//     with phone numbers, NIK and e-mail masked), never names or contacts;
//     anonymous and rejected tickets show no text and no coordinates.
//   - Errors are the spec's list of {code, description}: 400 for a missing
//     or bad parameter, 403 for a missing or wrong api_key, 404 for an
//     unknown service, request or jurisdiction.
func (s *Server) open311Routes(r *gin.Engine) {
	g := r.Group("/open311/v2")
	for _, f := range []string{open311.FormatJSON, open311.FormatXML} {
		g.GET("/services."+f, s.open311Services(f))
		g.GET("/requests."+f, open311Limit(s.app.TrackingLimit, f), s.open311ListRequests(f))
		g.POST("/requests."+f, open311Limit(s.app.IntakeLimit, f), s.open311CreateRequest(f))
	}
	g.GET("/services/:code", s.open311ServiceDefinition)
	g.GET("/requests/:id", open311Limit(s.app.TrackingLimit, ""), s.open311GetRequest)
}

// open311Limit is LimitByIP answering in the spec's error format; format
// "" takes it from the {id}.json|xml parameter.
func open311Limit(l *ratelimit.Keyed, format string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if ok, wait := l.Allow(c.ClientIP()); !ok {
			f := format
			if f == "" {
				_, f, _ = open311.SplitFormat(c.Param("id"))
			}
			c.Header("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
			open311Fail(c, f, http.StatusTooManyRequests, "Terlalu banyak permintaan. Coba lagi sebentar lagi.")
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
	status := app.ErrorStatus(err)
	switch hailurah.ErrorCode(err) {
	case hailurah.EINVALID, hailurah.EBADREQUEST:
		status = http.StatusBadRequest
	case hailurah.EINTERNAL:
		s.logger.ErrorContext(c.Request.Context(), "open311 internal error", "path", c.FullPath(), "err", err)
	}
	open311Fail(c, format, status, hailurah.ErrorMessage(err))
}

// checkJurisdiction resolves jurisdiction_id to a kelurahan code ("" when
// absent); an unknown one is a 404, as the spec asks.
func (s *Server) checkJurisdiction(c *gin.Context, format, j string) (string, bool) {
	j = strings.TrimSpace(j)
	if j == "" {
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
		if _, ok := s.checkJurisdiction(c, format, c.Query("jurisdiction_id")); !ok {
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
	if _, ok := s.checkJurisdiction(c, format, c.Query("jurisdiction_id")); !ok {
		return
	}
	if !hailurah.ValidKategori(code) {
		open311Fail(c, format, http.StatusNotFound, "service_code tidak dikenal: "+clipRunes(code, 40))
		return
	}
	open311Write(c, format, http.StatusOK, open311.Definition{ServiceCode: code, Attributes: open311.Attributes})
}

// open311CreateRequest: POST /open311/v2/requests.{format}, form-encoded.
func (s *Server) open311CreateRequest(format string) gin.HandlerFunc {
	return func(c *gin.Context) {
		// The spec posts application/x-www-form-urlencoded; clients that
		// attach a photo send multipart/form-data, read the same way (the
		// file itself is not kept: media_url carries a photo).
		parse := c.Request.ParseForm
		if strings.HasPrefix(c.ContentType(), "multipart/form-data") {
			parse = func() error { return c.Request.ParseMultipartForm(1 << 20) }
		}
		if err := parse(); err != nil {
			open311Fail(c, format, http.StatusBadRequest, "Isi permintaan harus formulir (application/x-www-form-urlencoded) yang valid, maks. 1 MiB.")
			return
		}
		f := c.Request.PostForm
		key := strings.TrimSpace(f.Get("api_key"))
		if key == "" {
			open311Fail(c, format, http.StatusForbidden, "api_key wajib diisi.")
			return
		}
		u, err := s.cfg.Users.FindUserByAPIToken(c.Request.Context(), key)
		if err != nil || u.Disabled {
			if err != nil && hailurah.ErrorCode(err) != hailurah.EUNAUTHORIZED {
				s.open311FailErr(c, format, err)
				return
			}
			open311Fail(c, format, http.StatusForbidden, "api_key tidak valid atau sudah dicabut.")
			return
		}
		kel, ok := s.checkJurisdiction(c, format, f.Get("jurisdiction_id"))
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
		kel, ok := s.checkJurisdiction(c, format, c.Query("jurisdiction_id"))
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
// no dates, the last 90 days are listed, as the spec suggests.
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
			return f, nil, hailurah.FieldErrorf(p.name, "%s harus tanggal W3C, mis. 2026-03-01T00:00:00+07:00.", p.name)
		}
		*p.dst = &t
	}
	switch {
	case start == nil && end == nil:
		from := now.Add(-open311.DefaultWindow)
		start = &from
	case start != nil && end != nil && !end.After(*start):
		return f, nil, hailurah.FieldErrorf("end_date", "end_date harus sesudah start_date.")
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
	if _, ok := s.checkJurisdiction(c, format, c.Query("jurisdiction_id")); !ok {
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

func clipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
