package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/pii"
	"github.com/hailurah/hailurah/server/app"
)

// publicEvent is a timeline row a citizen may see: what happened, never who
// on the staff did it or their notes.
type publicEvent struct {
	At    time.Time `json:"at"`
	Event string    `json:"event"`
	From  string    `json:"from,omitempty"`
	To    string    `json:"to,omitempty"`
	Label string    `json:"label"`
}

type trackResponse struct {
	TicketID    string       `json:"ticket_id"`
	Status      string       `json:"status"`
	StatusLabel string       `json:"status_label"`
	Kelurahan   string       `json:"kelurahan,omitempty"`
	Kategori    string       `json:"kategori,omitempty"`
	Urgency     int          `json:"urgency,omitempty"`
	Reply       string       `json:"reply"`
	Messages    []outMessage `json:"messages"`
	// Media are the citizen's own photos and the unit's evidence, served
	// under this tracking code.
	Media      []trackMedia  `json:"media"`
	Timeline   []publicEvent `json:"timeline"`
	ReceivedAt time.Time     `json:"received_at"`
	UpdatedAt  time.Time     `json:"updated_at"`
	// Phone is "pending" while a code sent to the phone typed into the
	// form may be typed (POST …/phone), "confirmed" once it was.
	Phone string `json:"phone,omitempty"`
	// Rated: the citizen already gave the service its 1–5 rating.
	Rated bool `json:"rated"`
	// Reopened: the citizen once answered BELUM; the ticket is past its
	// first contact (no LANJUT, ANONIM or TEMBUSAN buttons again).
	Reopened bool `json:"reopened"`
}

// outMessage is a message the system sent the citizen.
type outMessage struct {
	At   time.Time `json:"at"`
	Kind string    `json:"kind"`
	Text string    `json:"text"`
}

// publicEventLabels are the events a citizen sees, with their wording.
var publicEventLabels = map[string]string{
	hailurah.EventCreated:          "Curhat diterima",
	hailurah.EventTriaged:          "Dianalisis HAI LURAH",
	hailurah.ActionVerify:          "Diverifikasi petugas kelurahan",
	hailurah.ActionAssign:          "Diteruskan ke dinas terkait",
	hailurah.ActionAccept:          "Dinas mulai menangani",
	hailurah.ActionDone:            "Dinas menyatakan selesai",
	hailurah.ActionResolve:         "Diselesaikan dengan saran",
	hailurah.ActionReject:          "Ditolak",
	hailurah.ActionReturn:          "Dikembalikan ke kelurahan",
	hailurah.EventCitizenConfirmed: "Warga mengonfirmasi selesai",
	hailurah.EventCitizenReopened:  "Warga menyatakan belum selesai",
	hailurah.EventAutoClosed:       "Ditutup otomatis",
	hailurah.EventEscalated:        "Diteruskan ke Lurah",
	hailurah.EventCancelled:        "Ditutup",
	hailurah.EventPhoneConfirmed:   "Nomor WhatsApp terhubung",
}

// apiTrack: GET /api/v1/track/{code}. Public: no name, phone or staff
// notes, only what a citizen needs to see their curhat move.
func (s *API) apiTrack(c *gin.Context) {
	t, err := s.findTracked(c)
	if err != nil {
		app.Fail(c, err)
		return
	}
	ctx := c.Request.Context()
	events, err := s.Tickets.ListTicketEvents(ctx, t.ID)
	if err != nil {
		app.Fail(c, err)
		return
	}
	outbox, err := s.Tickets.ListTicketOutbox(ctx, t.ID)
	if err != nil {
		app.Fail(c, err)
		return
	}
	resp := trackResponse{
		TicketID: t.ID, Status: string(t.Status), StatusLabel: t.Status.Label(), Kategori: t.Kategori,
		Urgency: t.UrgencyScore, ReceivedAt: t.DatetimeReceived, UpdatedAt: t.UpdatedAt,
		Messages: []outMessage{}, Timeline: []publicEvent{}, Rated: t.Rating != 0, Reopened: t.ReopenedCount > 0,
	}
	if t.Kelurahan != "" {
		resp.Kelurahan = t.Kelurahan
		if k, err := s.Kelurahan.FindKelurahan(ctx, t.Kelurahan); err == nil {
			resp.Kelurahan = k.Name
		}
	}
	for _, m := range outbox {
		resp.Messages = append(resp.Messages, outMessage{At: m.CreatedAt, Kind: m.Kind, Text: m.Text})
		if m.Kind == hailurah.OutboxReply {
			resp.Reply = m.Text
		}
	}
	if resp.Phone, err = s.phoneStatus(ctx, t.ID); err != nil {
		app.Fail(c, err)
		return
	}
	if resp.Media, err = s.trackedMedia(ctx, t, events); err != nil {
		app.Fail(c, err)
		return
	}
	for _, e := range events {
		label, ok := publicEventLabels[e.Type]
		if !ok {
			continue
		}
		resp.Timeline = append(resp.Timeline, publicEvent{At: e.At, Event: e.Type, From: string(e.From), To: string(e.To), Label: label})
	}
	c.JSON(http.StatusOK, resp)
}

// refuseStaff keeps a signed-in staff member (session or API token) off
// the citizen's side of a case: the citizen's reply confirms resolution
// and rates the service, which staff must not be able to do for them.
func refuseStaff(c *gin.Context) {
	if app.PrincipalOf(c) != nil {
		app.Fail(c, hailurah.Errorf(hailurah.EFORBIDDEN, "Balasan warga tidak dapat dikirim dari akun petugas. Keluar dari akun terlebih dahulu."))
		return
	}
	c.Next()
}

type trackReplyRequest struct {
	Text string `json:"text"`
}

// apiTrackReply: POST /api/v1/track/{code}/reply — the same commands as on
// WhatsApp (SESUDAH, BELUM, a rating, more text).
func (s *API) apiTrackReply(c *gin.Context) {
	t, err := s.findTracked(c)
	if err != nil {
		app.Fail(c, err)
		return
	}
	var req trackReplyRequest
	if err := app.BindJSON(c, &req); err != nil {
		app.Fail(c, err)
		return
	}
	text := strings.TrimSpace(req.Text)
	if text == "" {
		app.Fail(c, hailurah.FieldErrorf("text", "Balasan wajib diisi."))
		return
	}
	if len([]rune(text)) > app.MaxCurhatText {
		app.Fail(c, hailurah.FieldErrorf("text", "Balasan terlalu panjang (maks. %d karakter).", app.MaxCurhatText))
		return
	}
	// The reply enters the system here, not through intake: masked here.
	msg := hailurah.CitizenMessage{ID: "web-" + hailurah.RandomCode(20), At: s.Now(), Text: pii.Mask(text), Channel: t.Channel}
	if err := s.Cases.SignalCitizen(c.Request.Context(), t.ID, msg); err != nil {
		if hailurah.ErrorCode(err) == hailurah.ENOTFOUND {
			err = hailurah.Errorf(hailurah.ECONFLICT, "Tiket ini sudah ditutup. Kirim curhat baru bila masalah muncul lagi.")
		}
		app.Fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"ticket_id": t.ID, "accepted": true})
}

// findTracked looks up a ticket by its tracking code. Codes are compared
// case-insensitively because citizens type them by hand.
func (s *API) findTracked(c *gin.Context) (*hailurah.Ticket, error) {
	code := strings.ToUpper(strings.TrimSpace(c.Param("code")))
	if code == "" || len(code) > 32 {
		return nil, hailurah.Errorf(hailurah.ENOTFOUND, "Kode lacak tidak ditemukan.")
	}
	t, err := s.Tickets.FindTicketByTrackingCode(c.Request.Context(), code)
	if hailurah.ErrorCode(err) == hailurah.ENOTFOUND {
		return nil, hailurah.Errorf(hailurah.ENOTFOUND, "Kode lacak tidak ditemukan.")
	}
	return t, err
}
