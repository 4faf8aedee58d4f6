package server

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/programme"
)

// ticketJSON is a ticket as the staff API shows it. It never carries the
// sender id or any contact: staff work the case, not the person. Nor the
// tracking code, which lets whoever holds it answer as the citizen.
type ticketJSON struct {
	ID                string         `json:"id"`
	Kelurahan         string         `json:"kelurahan"`
	Channel           string         `json:"channel"`
	Status            string         `json:"status"`
	StatusLabel       string         `json:"status_label"`
	Kategori          string         `json:"kategori"`
	Subkategori       string         `json:"subkategori"`
	Urgency           int            `json:"urgency"`
	Severity          string         `json:"severity"`
	Summary           string         `json:"summary"`
	MessageText       string         `json:"message_text"`
	Unit              string         `json:"unit"`
	SuggestedUnit     string         `json:"suggested_unit"`
	RT                string         `json:"rt"`
	RW                string         `json:"rw"`
	Anonim            bool           `json:"anonim"`
	Reporter          string         `json:"reporter"`
	Tembusan          bool           `json:"tembusan"`
	Escalated         bool           `json:"escalated"`
	ModeratorBreached bool           `json:"moderator_breached"`
	DinasBreached     bool           `json:"dinas_breached"`
	Verified          bool           `json:"verified"`
	PeopleAffected    int            `json:"people_affected"`
	ReopenedCount     int            `json:"reopened_count"`
	Rating            int            `json:"rating,omitempty"`
	RejectReason      string         `json:"reject_reason,omitempty"`
	DuplicateOf       string         `json:"duplicate_of,omitempty"`
	Lat               *float64       `json:"lat,omitempty"`
	Lng               *float64       `json:"lng,omitempty"`
	SLA               slaJSON        `json:"sla"`
	Triage            triageJSON     `json:"triage"`
	ReceivedAt        time.Time      `json:"received_at"`
	UpdatedAt         time.Time      `json:"updated_at"`
	Timeline          []timelineJSON `json:"timeline,omitempty"`
}

type slaJSON struct {
	ModeratorDue *time.Time `json:"moderator_due"`
	DinasDue     *time.Time `json:"dinas_due"`
}

type triageJSON struct {
	ModelVersion          string  `json:"model_version"`
	Kategori              string  `json:"kategori"`
	Subkategori           string  `json:"subkategori"`
	Urgency               int     `json:"urgency"`
	Severity              string  `json:"severity"`
	Summary               string  `json:"summary"`
	SuggestedUnit         string  `json:"suggested_unit"`
	SuggestedResponseType string  `json:"suggested_response_type"`
	Sentiment             float64 `json:"sentiment"`
}

type timelineJSON struct {
	At          time.Time `json:"at"`
	Type        string    `json:"type"`
	Actor       string    `json:"actor"`
	From        string    `json:"from"`
	To          string    `json:"to"`
	Note        string    `json:"note"`
	Attachments []string  `json:"attachments,omitempty"`
}

// reporterLabel is how staff see who sent a curhat: "Anonim" for anonymous
// reporters, otherwise only the channel — contacts stay with the messenger.
func ReporterLabel(t *hailurah.Ticket) string {
	if t.PrivacyFlag {
		return "Anonim"
	}
	return "Warga (" + t.Channel + ")"
}

func toTicketJSON(t *hailurah.Ticket) ticketJSON {
	return ticketJSON{
		ID: t.ID, Kelurahan: t.Kelurahan, Channel: t.Channel,
		Status: string(t.Status), StatusLabel: t.Status.Label(), Kategori: t.Kategori, Subkategori: t.Subkategori,
		Urgency: t.UrgencyScore, Severity: t.Severity, Summary: t.Summary, MessageText: t.MessageText,
		Unit: t.AssignedUnit, SuggestedUnit: t.SuggestedUnit, RT: t.RT, RW: t.RW,
		Anonim: t.PrivacyFlag, Reporter: ReporterLabel(t), Tembusan: t.TembusanFlag, Escalated: t.EscalationFlag,
		ModeratorBreached: t.ModeratorBreached, DinasBreached: t.DinasBreached, Verified: t.Verified,
		PeopleAffected: t.EstimatedPeopleAffected, ReopenedCount: t.ReopenedCount, Rating: t.Rating,
		RejectReason: t.RejectReason, DuplicateOf: t.DuplicateOf, Lat: t.Lat, Lng: t.Lng,
		SLA: slaJSON{ModeratorDue: t.ModeratorDue, DinasDue: t.DinasDue},
		Triage: triageJSON{ModelVersion: t.ModelVersion, Kategori: t.Kategori, Subkategori: t.Subkategori,
			Urgency: t.UrgencyScore, Severity: t.Severity, Summary: t.Summary, SuggestedUnit: t.SuggestedUnit,
			SuggestedResponseType: t.SuggestedResponseType, Sentiment: t.SentimentScore},
		ReceivedAt: t.DatetimeReceived, UpdatedAt: t.UpdatedAt,
	}
}

// ticketFilterFrom reads the list filters of GET /api/v1/tickets and
// narrows them to what the user may see.
func TicketFilterFrom(c *gin.Context, u *hailurah.User) (hailurah.TicketFilter, error) {
	q := c.Request.URL.Query()
	f := hailurah.TicketFilter{
		Kategori: q.Get("kategori"), Unit: q.Get("unit"), Q: strings.TrimSpace(q.Get("q")), Cursor: q.Get("cursor"),
		RT: programme.NormalizeRTRW(q.Get("rt")), RW: programme.NormalizeRTRW(q.Get("rw")),
	}
	if f.Kategori != "" && !hailurah.ValidKategori(f.Kategori) {
		return f, hailurah.FieldErrorf("kategori", "Kategori %q tidak dikenal.", f.Kategori)
	}
	if len(f.Q) > 200 {
		return f, hailurah.FieldErrorf("q", "Kata kunci terlalu panjang (maks. 200 karakter).")
	}
	for _, st := range q["status"] {
		for _, one := range strings.Split(st, ",") {
			status := hailurah.TicketStatus(strings.TrimSpace(one))
			if !status.Valid() {
				return f, hailurah.FieldErrorf("status", "Status %q tidak dikenal.", one)
			}
			f.Statuses = append(f.Statuses, status)
		}
	}
	if v := q.Get("urgency_min"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 5 {
			return f, hailurah.FieldErrorf("urgency_min", "urgency_min harus angka 1–5.")
		}
		f.UrgencyMin = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			return f, hailurah.FieldErrorf("limit", "limit harus angka 1–200.")
		}
		f.Limit = n
	}
	if v := q.Get("breached"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return f, hailurah.FieldErrorf("breached", "breached harus true atau false.")
		}
		f.Breached = &b
	}
	for name, dst := range map[string]**time.Time{"from": &f.ReceivedFrom, "to": &f.ReceivedTo} {
		if v := q.Get(name); v != "" {
			t, err := parseDate(v)
			if err != nil {
				return f, hailurah.FieldErrorf(name, "%s harus tanggal YYYY-MM-DD atau RFC 3339.", name)
			}
			*dst = &t
		}
	}

	switch u.Role {
	case hailurah.RoleAdmin:
		switch k := q.Get("kelurahan"); k {
		case "-", "kota":
			f.CityQueue = true
		default:
			f.Kelurahan = k
		}
	case hailurah.RoleDinas:
		// Officers see their unit's tasks from every kelurahan, nothing else.
		if f.Unit != "" && f.Unit != u.Unit {
			return f, hailurah.Errorf(hailurah.EFORBIDDEN, "Anda hanya dapat melihat tugas unit Anda sendiri.")
		}
		f.Unit = u.Unit
		f.Kelurahan = q.Get("kelurahan")
	default:
		k, err := KelurahanScope(u, q.Get("kelurahan"))
		if err != nil {
			return f, err
		}
		f.Kelurahan = k
	}
	return f, nil
}

func parseDate(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.Parse("2006-01-02", v)
}

// apiTickets: GET /api/v1/tickets.
func (s *Server) apiTickets(c *gin.Context) {
	f, err := TicketFilterFrom(c, UserOf(c))
	if err != nil {
		Fail(c, err)
		return
	}
	page, err := s.cfg.Tickets.ListTickets(c.Request.Context(), f)
	if err != nil {
		Fail(c, err)
		return
	}
	items := make([]ticketJSON, 0, len(page.Items))
	for _, t := range page.Items {
		items = append(items, toTicketJSON(t))
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "next_cursor": page.NextCursor})
}

// visibleTicket loads a ticket the user may see. Another kelurahan's
// ticket, or another unit's task, is "not found": its existence is not
// the user's business.
func (s *Server) VisibleTicket(c *gin.Context, id string) (*hailurah.Ticket, error) {
	t, err := s.cfg.Tickets.FindTicket(c.Request.Context(), id)
	if err != nil {
		if hailurah.ErrorCode(err) == hailurah.ENOTFOUND {
			return nil, hailurah.Errorf(hailurah.ENOTFOUND, "Tiket %s tidak ditemukan.", id)
		}
		return nil, err
	}
	if !hailurah.CanSeeTicket(UserOf(c), t) {
		return nil, hailurah.Errorf(hailurah.ENOTFOUND, "Tiket %s tidak ditemukan.", id)
	}
	return t, nil
}

// apiTicket: GET /api/v1/tickets/{id}.
func (s *Server) apiTicket(c *gin.Context) {
	t, err := s.VisibleTicket(c, c.Param("id"))
	if err != nil {
		Fail(c, err)
		return
	}
	events, err := s.cfg.Tickets.ListTicketEvents(c.Request.Context(), t.ID)
	if err != nil {
		Fail(c, err)
		return
	}
	out := toTicketJSON(t)
	out.Timeline = make([]timelineJSON, 0, len(events))
	for _, e := range events {
		out.Timeline = append(out.Timeline, timelineJSON{At: e.At, Type: e.Type, Actor: e.Actor,
			From: string(e.From), To: string(e.To), Note: e.Note, Attachments: e.Attachments})
	}
	c.JSON(http.StatusOK, out)
}

// actionBody is the JSON of POST /api/v1/tickets/{id}/actions. The actor
// comes from the session, never from the body.
type actionBody struct {
	Action      string     `json:"action"`
	Kategori    string     `json:"kategori"`
	Subkategori string     `json:"subkategori"`
	Urgency     int        `json:"urgency"`
	Unit        string     `json:"unit"`
	DueAt       *time.Time `json:"due_at"`
	Text        string     `json:"text"`
	Reason      string     `json:"reason"`
	DuplicateOf string     `json:"duplicate_of"`
	Kelurahan   string     `json:"kelurahan"`
	Evidence    []string   `json:"evidence"`
}

// apiTicketAction: POST /api/v1/tickets/{id}/actions.
func (s *Server) apiTicketAction(c *gin.Context) {
	t, err := s.VisibleTicket(c, c.Param("id"))
	if err != nil {
		Fail(c, err)
		return
	}
	var body actionBody
	if err := BindJSON(c, &body); err != nil {
		Fail(c, err)
		return
	}
	state, err := s.ActTicket(c, t, hailurah.ActionRequest{
		Action: body.Action, Kategori: body.Kategori, Subkategori: body.Subkategori,
		Urgency: body.Urgency, Unit: body.Unit, DueAt: body.DueAt, Text: body.Text, Reason: body.Reason,
		DuplicateOf: body.DuplicateOf, Kelurahan: body.Kelurahan, Evidence: body.Evidence,
	})
	if AnswerPending(c, err) {
		return
	}
	if err != nil {
		Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, state)
}
