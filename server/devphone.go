package server

import (
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/server/app"
	"github.com/hailurah/hailurah/whatsapp"
)

// The simulated phone (dev mode only): a page where a developer or a
// trainer chats as any phone number. What it sends becomes a Cloud API
// message and goes through receiveCloud, the webhook's own code path;
// what the system answers is read from the outbox, where it stays when no
// WhatsApp credentials are configured. Its contacts are marked simulated,
// so even with credentials nothing is sent to a number typed here.

func (s *Server) devPhoneRoutes(api *gin.RouterGroup) {
	api.POST("/dev/phone", app.LimitByIP(s.channels.ips), s.apiDevPhoneSend)
	api.GET("/dev/phone", s.apiDevPhone)
	api.GET("/dev/outbox", s.apiDevOutbox)
}

type devPhoneRequest struct {
	Phone         string   `json:"phone"`
	PhoneNumberID string   `json:"phone_number_id"`
	Kind          string   `json:"kind"` // text (default), button, location, audio, sticker
	Text          string   `json:"text"`
	ButtonID      string   `json:"button_id"`
	Lat           *float64 `json:"lat"`
	Lng           *float64 `json:"lng"`
}

// apiDevPhoneSend: POST /api/v1/dev/phone — the citizen sends a message.
func (s *Server) apiDevPhoneSend(c *gin.Context) {
	var req devPhoneRequest
	if err := app.BindJSON(c, &req); err != nil {
		app.Fail(c, err)
		return
	}
	in, err := s.devInbound(req)
	if err != nil {
		app.Fail(c, err)
		return
	}
	s.devDeliver(c, in)
}

// devMessage starts the Cloud API message Meta would have delivered from
// phone to our number pnid, with its text (a caption for an attachment,
// sent in the field textField): what every kind of message shares.
func (s *Server) devMessage(phone, pnid, text, textField string) (whatsapp.Inbound, error) {
	e164, err := whatsapp.NormalizePhone(phone)
	if err != nil {
		return whatsapp.Inbound{}, err
	}
	pnid = strings.TrimSpace(pnid)
	if len(pnid) > 32 || strings.Trim(pnid, "0123456789") != "" {
		return whatsapp.Inbound{}, hailurah.FieldErrorf("phone_number_id", "Id nomor WhatsApp hanya angka.")
	}
	in := whatsapp.Inbound{
		ProviderID: "wamid.DEV" + hailurah.RandomCode(24), PhoneNumberID: pnid, From: strings.TrimPrefix(e164, "+"),
		At: s.now().UTC().Truncate(time.Second), Text: strings.TrimSpace(text),
	}
	if utf8.RuneCountInString(in.Text) > app.MaxCurhatText {
		return in, hailurah.FieldErrorf(textField, "Pesan terlalu panjang (maks. %d karakter).", app.MaxCurhatText)
	}
	return in, nil
}

// devDeliver hands the simulated phone's message to the webhook's own code
// path and answers with its receipt.
func (s *Server) devDeliver(c *gin.Context, in whatsapp.Inbound) {
	receipts, err := s.receiveCloud(c, &whatsapp.Delivery{Messages: []whatsapp.Inbound{in}}, true)
	if err != nil {
		app.Fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, receipts[0])
}

// devInbound builds the Cloud API message Meta would have delivered.
func (s *Server) devInbound(req devPhoneRequest) (whatsapp.Inbound, error) {
	in, err := s.devMessage(req.Phone, req.PhoneNumberID, req.Text, "text")
	if err != nil {
		return in, err
	}
	in.Kind = req.Kind
	switch req.Kind {
	case "", whatsapp.KindText:
		in.Kind = whatsapp.KindText
		if in.Text == "" {
			return in, hailurah.FieldErrorf("text", "Tulis pesannya.")
		}
	case whatsapp.KindButton:
		in.ButtonID = strings.TrimSpace(req.ButtonID)
		if _, ok := hailurah.ButtonCommand(in.ButtonID); !ok {
			return in, hailurah.FieldErrorf("button_id", "Tombol %q tidak dikenal.", clipRunes(in.ButtonID, 40))
		}
		if in.Text == "" {
			in.Text, _ = hailurah.ButtonCommand(in.ButtonID)
		}
	case whatsapp.KindLocation:
		if req.Lat == nil || req.Lng == nil || *req.Lat < -90 || *req.Lat > 90 || *req.Lng < -180 || *req.Lng > 180 {
			return in, hailurah.FieldErrorf("lat", "Lokasi perlu lat (−90…90) dan lng (−180…180).")
		}
		in.Lat, in.Lng = req.Lat, req.Lng
	case whatsapp.KindAudio, whatsapp.KindSticker:
		in.Text, in.MediaID, in.MediaMime = "", "DEV"+hailurah.RandomCode(12), "audio/ogg"
		if req.Kind == whatsapp.KindSticker {
			in.MediaMime = "image/webp"
		}
	default:
		return in, hailurah.FieldErrorf("kind", "Jenis pesan harus text, button, location, audio atau sticker.")
	}
	return in, nil
}

// devMessage is a message on the simulated phone's screen.
type devMessage struct {
	ID       int64                  `json:"id"`
	At       time.Time              `json:"at"`
	TicketID string                 `json:"ticket_id,omitempty"`
	Kind     string                 `json:"kind"`
	Text     string                 `json:"text"`
	Buttons  []hailurah.ReplyButton `json:"buttons,omitempty"`
	Status   string                 `json:"status"`
	SentAs   string                 `json:"sent_as,omitempty"`
	Error    string                 `json:"error,omitempty"`     // why a message to the phone failed
	ImageURL string                 `json:"image_url,omitempty"` // the photo a message carries, by its signed link
	Note     string                 `json:"note,omitempty"`      // what became of a message from it
}

func devOutbound(d *hailurah.OutboxDelivery) devMessage {
	return devMessage{ID: d.ID, At: d.CreatedAt, TicketID: d.TicketID, Kind: d.Kind, Text: d.Text,
		Buttons: hailurah.ButtonsFor(d.Kind), Status: d.Status, SentAs: d.SentAs, Error: d.LastError}
}

// devSender reads the phone query parameter (?to= or ?phone=) as a sender.
func (s *Server) devSender(c *gin.Context, param string) (string, string, error) {
	e164, err := whatsapp.NormalizePhone(c.Query(param))
	if err != nil {
		return "", "", hailurah.FieldErrorf(param, "Nomor telepon tidak valid: tulis seperti 0812xxxxxxx atau +62812xxxxxxx.")
	}
	return e164, whatsapp.SenderID(s.cfg.Secret, e164), nil
}

// apiDevOutbox: GET /api/v1/dev/outbox?to=+62…[&after=id] — every message
// the system queued for that phone, oldest first.
func (s *Server) apiDevOutbox(c *gin.Context) {
	_, sender, err := s.devSender(c, "to")
	if err != nil {
		app.Fail(c, err)
		return
	}
	after, err := strconv.ParseInt(c.DefaultQuery("after", "0"), 10, 64)
	if err != nil || after < 0 {
		app.Fail(c, hailurah.FieldErrorf("after", "after harus id pesan (angka)."))
		return
	}
	list, err := s.cfg.Channels.ListOutboxByRecipient(c.Request.Context(), sender, after, 500)
	if err != nil {
		app.Fail(c, err)
		return
	}
	out := make([]devMessage, 0, len(list))
	for _, d := range list {
		m := devOutbound(d)
		if d.Image != "" && s.cfg.MediaLinks != nil {
			// A path on this server: the simulated phone shows it as is.
			m.ImageURL = s.cfg.MediaLinks.URL("", d.TicketID, d.Image, s.now())
		}
		out = append(out, m)
	}
	c.JSON(http.StatusOK, out)
}

type devConversation struct {
	Phone    string       `json:"phone"`
	Sent     []devMessage `json:"sent"`
	Received []devMessage `json:"received"`
}

// apiDevPhone: GET /api/v1/dev/phone?phone=+62… — both sides of the
// simulated phone's conversation.
func (s *Server) apiDevPhone(c *gin.Context) {
	e164, sender, err := s.devSender(c, "phone")
	if err != nil {
		app.Fail(c, err)
		return
	}
	ctx := c.Request.Context()
	sent, err := s.cfg.Channels.ListInboundBySender(ctx, sender, 200)
	if err != nil {
		app.Fail(c, err)
		return
	}
	received, err := s.cfg.Channels.ListOutboxByRecipient(ctx, sender, 0, 500)
	if err != nil {
		app.Fail(c, err)
		return
	}
	conv := devConversation{Phone: e164, Sent: make([]devMessage, 0, len(sent)), Received: make([]devMessage, 0, len(received))}
	for _, m := range sent {
		text := m.Text
		if m.Lat != nil && m.Lng != nil {
			text = strings.TrimSpace(text + " (lokasi " + strconv.FormatFloat(*m.Lat, 'f', 5, 64) + ", " + strconv.FormatFloat(*m.Lng, 'f', 5, 64) + ")")
		}
		if text == "" {
			text = "(" + m.Kind + ")"
		}
		// Ordered by arrival: Meta's send times are whole seconds.
		conv.Sent = append(conv.Sent, devMessage{ID: m.ID, At: m.ReceivedAt, TicketID: m.TicketID, Kind: m.Kind, Text: text, Status: m.Status, Note: m.Note})
	}
	for _, d := range received {
		conv.Received = append(conv.Received, devOutbound(d))
	}
	c.JSON(http.StatusOK, conv)
}
