package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/server/app"
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

// ticketDetailJSON is one ticket with what only its own page lists.
type ticketDetailJSON struct {
	ticketJSON
	Media    []mediaJSON   `json:"media"`
	Messages []messageJSON `json:"messages"`
}

// messageJSON is one message sent or queued to the citizen, with its
// delivery status (app.SentMessage).
type messageJSON struct {
	At          time.Time  `json:"at"`
	Kind        string     `json:"kind"`
	Text        string     `json:"text"`
	Status      string     `json:"status"`
	StatusLabel string     `json:"status_label"`
	StatusAt    *time.Time `json:"status_at,omitempty"`
	Error       string     `json:"error,omitempty"`
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

func toTicketJSON(t *hailurah.Ticket) ticketJSON {
	return ticketJSON{
		ID: t.ID, Kelurahan: t.Kelurahan, Channel: t.Channel,
		Status: string(t.Status), StatusLabel: t.Status.Label(), Kategori: t.Kategori, Subkategori: t.Subkategori,
		Urgency: t.UrgencyScore, Severity: t.Severity, Summary: t.Summary, MessageText: t.MessageText,
		Unit: t.AssignedUnit, SuggestedUnit: t.SuggestedUnit, RT: t.RT, RW: t.RW,
		Anonim: t.PrivacyFlag, Reporter: app.ReporterLabel(t), Tembusan: t.TembusanFlag, Escalated: t.EscalationFlag,
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

// apiTickets: GET /api/v1/tickets.
func (s *API) apiTickets(c *gin.Context) {
	f, err := app.TicketFilterFrom(c, app.UserOf(c))
	if err != nil {
		app.Fail(c, err)
		return
	}
	page, err := s.Tickets.ListTickets(c.Request.Context(), f)
	if err != nil {
		app.Fail(c, err)
		return
	}
	items := make([]ticketJSON, 0, len(page.Items))
	for _, t := range page.Items {
		items = append(items, toTicketJSON(t))
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "next_cursor": page.NextCursor})
}

// apiTicket: GET /api/v1/tickets/{id}.
func (s *API) apiTicket(c *gin.Context) {
	t, err := s.VisibleTicket(c, c.Param("id"))
	if err != nil {
		app.Fail(c, err)
		return
	}
	events, err := s.Tickets.ListTicketEvents(c.Request.Context(), t.ID)
	if err != nil {
		app.Fail(c, err)
		return
	}
	media, err := s.TicketMedia(c.Request.Context(), t)
	if err != nil {
		app.Fail(c, err)
		return
	}
	sent, err := s.SentMessages(c.Request.Context(), t)
	if err != nil {
		app.Fail(c, err)
		return
	}
	out := ticketDetailJSON{ticketJSON: toTicketJSON(t), Media: toMediaJSON(media), Messages: make([]messageJSON, 0, len(sent))}
	for _, m := range sent {
		out.Messages = append(out.Messages, messageJSON{At: m.At, Kind: m.Kind, Text: m.Text, Status: m.Status,
			StatusLabel: m.StatusLabel, StatusAt: m.StatusAt, Error: m.Error})
	}
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
func (s *API) apiTicketAction(c *gin.Context) {
	t, err := s.VisibleTicket(c, c.Param("id"))
	if err != nil {
		app.Fail(c, err)
		return
	}
	var body actionBody
	if err := app.BindJSON(c, &body); err != nil {
		app.Fail(c, err)
		return
	}
	state, err := s.ActTicket(c, t, hailurah.ActionRequest{
		Action: body.Action, Kategori: body.Kategori, Subkategori: body.Subkategori,
		Urgency: body.Urgency, Unit: body.Unit, DueAt: body.DueAt, Text: body.Text, Reason: body.Reason,
		DuplicateOf: body.DuplicateOf, Kelurahan: body.Kelurahan, Evidence: body.Evidence,
	})
	if app.AnswerPending(c, err) {
		return
	}
	if err != nil {
		app.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, state)
}
