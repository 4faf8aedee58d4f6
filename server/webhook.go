package server

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/intake"
	"github.com/hailurah/hailurah/outbox"
	"github.com/hailurah/hailurah/ratelimit"
	"github.com/hailurah/hailurah/server/app"
	"github.com/hailurah/hailurah/whatsapp"
)

// ChannelStore is what the channel handlers (webhook, simulated phone)
// need of the store besides intake: the outbox rows Meta reports on,
// notifications for failed deliveries, and the simulated phone's history.
type ChannelStore interface {
	ListInboundBySender(ctx context.Context, senderID string, limit int) ([]*hailurah.InboundMessage, error)
	UpdateOutboxStatus(ctx context.Context, providerMessageID, status string, at time.Time, detail string) (*hailurah.OutboxDelivery, bool, error)
	ListOutboxByRecipient(ctx context.Context, recipient string, afterID int64, limit int) ([]*hailurah.OutboxDelivery, error)
	hailurah.NotificationService
}

// WhatsAppSettings configures the WhatsApp webhook.
type WhatsAppSettings struct {
	// VerifyToken is WHATSAPP_VERIFY_TOKEN, which Meta's subscription
	// handshake must present; "" refuses every handshake.
	VerifyToken string
	// AppSecret is WHATSAPP_APP_SECRET: every Cloud API delivery must carry
	// a valid X-Hub-Signature-256 made with it. Without it, dev accepts
	// unsigned deliveries from this machine only, and any other mode none
	// (503, and /readyz says why): an unsigned delivery may come from anyone.
	AppSecret string
	// PhoneNumberID is the city's WhatsApp number, which the simulated
	// phone writes to.
	PhoneNumberID string
	// Number is the city's WhatsApp number as citizens dial it
	// (HAILURAH_WHATSAPP_NUMBER), shown on the front page; "" leaves the
	// number off and tells citizens to ask their kelurahan.
	Number string
}

// Rate limit of webhook requests per IP: high enough for Meta's own
// servers, which deliver every citizen's messages, low enough to blunt a
// flood of fakes. Intake limits each sender.
const (
	webhookPerMinute = 1200
	webhookBurst     = 300
)

// channelState is the webhook's own state, built by channelRoutes.
type channelState struct {
	ips *ratelimit.Keyed // webhook requests per IP
}

// channelRoutes registers the channels: the WhatsApp webhook (Cloud API
// and gateways), Open311, the citizen chat and kiosk pages, and, in dev
// mode, the simulated phone. It needs Config.Channels and Intake.
func (s *Server) channelRoutes(r *gin.Engine, api *gin.RouterGroup) {
	if s.cfg.Channels == nil || s.cfg.Intake == nil {
		return
	}
	if s.cfg.WhatsApp.AppSecret == "" && !s.cfg.Dev {
		s.logger.Error("WHATSAPP_APP_SECRET is not set: the WhatsApp Cloud API webhook refuses every delivery (503)")
	}
	s.channels = &channelState{ips: ratelimit.New(webhookPerMinute, webhookBurst, s.now)}
	r.GET("/webhook/whatsapp", s.whatsappVerify)
	// The webhook limits per IP itself: a delivery signed with the app
	// secret is Meta's, however many its servers send in a flood.
	r.POST("/webhook/whatsapp", s.whatsappWebhook)
	s.open311Routes(r)
	s.ui.CitizenRoutes(r, s.cfg.Dev)
	if s.cfg.Dev {
		s.devPhoneRoutes(api)
		s.devGraphRoutes(r, api)
	}
}

// whatsappVerify: GET /webhook/whatsapp, Meta's subscription handshake.
func (s *Server) whatsappVerify(c *gin.Context) {
	challenge, err := whatsapp.VerifyHandshake(c.Request.URL.Query(), s.cfg.WhatsApp.VerifyToken)
	if err != nil {
		app.Fail(c, err)
		return
	}
	c.Data(http.StatusOK, "text/plain; charset=utf-8", []byte(challenge))
}

// whatsappWebhook: POST /webhook/whatsapp. A Cloud API delivery (signed
// when WHATSAPP_APP_SECRET is set) or a gateway's flat payload (bearer API
// token of an admin or a kelurahan's moderator). Every message is stored
// before anything else; 5xx means "deliver again", and only comes when a
// message could not be stored (or, for a gateway, handed over). Cloud API
// messages are handed over by intake's inbox after the answer.
func (s *Server) whatsappWebhook(c *gin.Context) {
	body, err := readBody(c, whatsapp.DefaultMaxBodyBytes)
	if err != nil {
		app.Fail(c, err)
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request.Context()), intake.HandOverTimeout)
	defer cancel()
	c.Request = c.Request.WithContext(ctx)

	cloud := whatsapp.IsCloudAPIPayload(body)
	if cloud && s.cfg.WhatsApp.AppSecret == "" {
		if err := s.unsignedRefusal(c.Request); err != nil {
			app.Fail(c, err)
			return
		}
	}
	var sigErr error
	signed := false
	if secret := s.cfg.WhatsApp.AppSecret; cloud && secret != "" {
		sigErr = whatsapp.CheckSignature(body, c.GetHeader("X-Hub-Signature-256"), secret)
		signed = sigErr == nil
	}
	// Deliveries signed with the app secret are Meta's and are never held
	// back by address: on a flood night Meta's few servers carry every
	// citizen's messages, and the per-sender limit still applies. Anything
	// else (unsigned, badly signed, gateways) is limited per IP.
	if !signed && !app.AllowIP(c, s.channels.ips) {
		return
	}
	if sigErr != nil {
		app.Fail(c, sigErr)
		return
	}
	if !cloud {
		s.gatewayWebhook(c, body)
		return
	}
	d, err := whatsapp.ParseWebhook(body, whatsapp.Limits{})
	if err != nil {
		app.Fail(c, err)
		return
	}
	if err := s.acceptCloud(c.Request.Context(), d); err != nil {
		app.Fail(c, err)
		return
	}
	// Meta reads only the status; the body says no more than a count, so
	// an unsigned poster learns nothing about tickets.
	c.JSON(http.StatusOK, gin.H{"received": len(d.Messages), "statuses": len(d.Statuses)})
}

// unsignedRefusal says why a Cloud API delivery that cannot be signed
// (no WHATSAPP_APP_SECRET) is refused, or nil in dev from this machine:
// anyone can post an unsigned delivery naming any number.
func (s *Server) unsignedRefusal(r *http.Request) error {
	switch {
	case !s.cfg.Dev:
		return hailurah.Errorf(hailurah.EUNAVAILABLE, "Webhook WhatsApp belum siap: WHATSAPP_APP_SECRET belum diatur, jadi kiriman tidak dapat diperiksa.")
	case !directLoopback(r):
		return hailurah.Errorf(hailurah.EFORBIDDEN, "Tanpa WHATSAPP_APP_SECRET, kiriman webhook hanya diterima dari mesin ini (mode dev).")
	}
	return nil
}

// whatsappUnready is why /readyz is not ready for WhatsApp: configured
// (a verify token or a number) but without the app secret, outside dev.
func (s *Server) whatsappUnready() string {
	w := s.cfg.WhatsApp
	if s.channels == nil || s.cfg.Dev || w.AppSecret != "" || (w.VerifyToken == "" && w.PhoneNumberID == "") {
		return ""
	}
	return "WHATSAPP_APP_SECRET belum diatur: webhook Cloud API menolak setiap kiriman (503)"
}

// acceptCloud gives every message of a delivery to intake, which keeps it
// and hands it over after the webhook has answered, and applies the
// delivery's status reports. Only a failure to keep a message answers
// 5xx, so that Meta delivers again.
func (s *Server) acceptCloud(ctx context.Context, d *whatsapp.Delivery) error {
	for _, in := range d.Messages {
		if err := s.cfg.Intake.Accept(ctx, cloudMessage(in, false)); err != nil {
			return err
		}
	}
	for _, st := range d.Statuses {
		if err := s.applyStatus(ctx, st); err != nil {
			return err
		}
	}
	return nil
}

// readBody reads the whole body, at most max bytes.
func readBody(c *gin.Context, max int) ([]byte, error) {
	if c.Request.Body == nil {
		return nil, hailurah.Errorf(hailurah.EINVALID, "Isi permintaan kosong.")
	}
	body, err := io.ReadAll(io.LimitReader(c.Request.Body, int64(max)+1))
	var maxErr *http.MaxBytesError
	switch {
	case errors.As(err, &maxErr) || len(body) > max:
		return nil, hailurah.Errorf(hailurah.ETOOLARGE, "Permintaan terlalu besar.")
	case err != nil:
		return nil, hailurah.Errorf(hailurah.EBADREQUEST, "Isi permintaan tidak terbaca.")
	case len(body) == 0:
		return nil, hailurah.Errorf(hailurah.EINVALID, "Isi permintaan kosong.")
	}
	return body, nil
}

// receiveCloud hands every message of a delivery over before answering,
// and applies its status reports: the simulated phone shows what became
// of each. The first hand-over that fails for a reason a retry can cure
// ends the delivery with that error; the handled messages are skipped
// when it is delivered again.
//
// simulated marks the simulated phone's messages: their contacts are
// never sent to (hailurah.ContactSimulated).
func (s *Server) receiveCloud(c *gin.Context, d *whatsapp.Delivery, simulated bool) ([]intake.Receipt, error) {
	ctx := c.Request.Context()
	receipts := make([]intake.Receipt, 0, len(d.Messages))
	for _, in := range d.Messages {
		rc, err := s.cfg.Intake.Receive(ctx, cloudMessage(in, simulated))
		if err != nil {
			return nil, err
		}
		receipts = append(receipts, rc)
	}
	for _, st := range d.Statuses {
		if err := s.applyStatus(ctx, st); err != nil {
			return nil, err
		}
	}
	return receipts, nil
}

// cloudRaw is what is kept of a Cloud API message: everything but the
// sender's number and profile name.
type cloudRaw struct {
	ID            string    `json:"id"`
	PhoneNumberID string    `json:"phone_number_id"`
	Type          string    `json:"type"`
	Timestamp     time.Time `json:"timestamp"`
	Text          string    `json:"text,omitempty"`
	ButtonID      string    `json:"button_id,omitempty"`
	Lat           *float64  `json:"lat,omitempty"`
	Lng           *float64  `json:"lng,omitempty"`
	MediaID       string    `json:"media_id,omitempty"`
	MediaMime     string    `json:"media_mime,omitempty"`
}

// cloudMessage is a Cloud API message as intake takes it. Meta delivers
// from the sender's number, so it is verified.
func cloudMessage(in whatsapp.Inbound, simulated bool) intake.Message {
	raw, _ := json.Marshal(cloudRaw{ID: in.ProviderID, PhoneNumberID: in.PhoneNumberID, Type: in.Kind, Timestamp: in.At,
		Text: in.Text, ButtonID: in.ButtonID, Lat: in.Lat, Lng: in.Lng, MediaID: in.MediaID, MediaMime: in.MediaMime})
	m := intake.Message{
		Channel: hailurah.ChannelWhatsApp, ProviderID: in.ProviderID, PhoneNumberID: in.PhoneNumberID,
		Phone: in.From, PhoneVerified: true, Simulated: simulated, Name: in.ProfileName,
		Kind: in.Kind, Text: in.Text, ButtonID: in.ButtonID, Lat: in.Lat, Lng: in.Lng, Raw: raw, SentAt: in.At,
	}
	if in.MediaID != "" {
		m.Media = []string{"whatsapp-media:" + in.MediaID}
	}
	return m
}

// applyStatus applies Meta's delivery report to the outbox row it is
// about; a failure tells the ticket's moderators. Reports on messages this
// system did not send are ignored.
func (s *Server) applyStatus(ctx context.Context, st whatsapp.Status) error {
	detail := ""
	if st.Status == whatsapp.StatusFailed {
		detail = "WhatsApp melaporkan gagal"
		if st.ErrorCode != 0 {
			detail += " (" + strconv.Itoa(st.ErrorCode) + ": " + st.ErrorTitle + ")"
		}
	}
	d, changed, err := s.cfg.Channels.UpdateOutboxStatus(ctx, st.ProviderID, st.Status, st.At, detail)
	switch hailurah.ErrorCode(err) {
	case "":
	case hailurah.ENOTFOUND, hailurah.EINVALID:
		return nil
	default:
		return err
	}
	if changed && d.Status == hailurah.OutboxStatusFailed {
		if err := outbox.NotifyFailure(ctx, s.cfg.Channels, s.cfg.Tickets, d); err != nil {
			s.logger.ErrorContext(ctx, "notifying moderators of a failed message", slog.Any("err", err))
		}
	}
	return nil
}

// gatewayWebhook handles the seed's flat payload. Gateways and kiosks
// authenticate with an API token (Authorization: Bearer) of an admin
// (city-wide) or of a kelurahan's moderator, whose kelurahan becomes the
// channel's kelurahan (a message naming another still goes there).
func (s *Server) gatewayWebhook(c *gin.Context, body []byte) {
	p := app.PrincipalOf(c)
	if p == nil || p.Session != nil {
		app.Fail(c, hailurah.Errorf(hailurah.EUNAUTHORIZED, "Payload gateway memerlukan token API: Authorization: Bearer <token>."))
		return
	}
	u := p.User
	if u.Role != hailurah.RoleAdmin && u.Role != hailurah.RoleModerator {
		app.Fail(c, hailurah.Errorf(hailurah.EFORBIDDEN, "Token API ini bukan milik admin atau moderator kelurahan."))
		return
	}
	g, err := whatsapp.ParseGateway(body, whatsapp.Limits{})
	if err != nil {
		app.Fail(c, err)
		return
	}
	rc, err := s.receiveGateway(c, u, g)
	if err != nil {
		app.Fail(c, err)
		return
	}
	status := http.StatusAccepted
	if rc.Duplicate {
		status = http.StatusOK
	}
	c.JSON(status, rc)
}

// receiveGateway hands a gateway's message over while the gateway waits.
// A moderator's gateway is its kelurahan's channel.
func (s *Server) receiveGateway(c *gin.Context, u *hailurah.User, g *whatsapp.GatewayMessage) (intake.Receipt, error) {
	at := g.At
	if at.IsZero() {
		at = s.now()
	}
	m := intake.Message{Channel: g.Channel, ProviderID: hailurah.GatewayIDPrefix + u.Username + ":" + g.ID,
		Kind: whatsapp.KindText, Text: g.Text, Media: g.Media, SentAt: at, Anonim: g.Anonim, Tembusan: g.Tembusan}
	if g.Channel == hailurah.ChannelWhatsApp {
		if _, err := whatsapp.NormalizePhone(g.From); err != nil {
			return intake.Receipt{}, hailurah.FieldErrorf("from", "Nomor pengirim tidak valid: %s", hailurah.ErrorMessage(err))
		}
		// The token's owner vouches for the gateway's numbers.
		m.Phone, m.PhoneVerified = g.From, true
	} else {
		m.From = g.From
	}
	if strings.TrimSpace(g.Text) == "" {
		m.Kind = whatsapp.KindImage
	}
	m.Raw, _ = json.Marshal(map[string]any{"id": g.ID, "channel": g.Channel, "timestamp": at, "text": g.Text,
		"media": g.Media, "tembusan": g.Tembusan, "anonim": g.Anonim, "gateway_user": u.Username})
	if u.Role == hailurah.RoleModerator {
		m.Kelurahan = u.Kelurahan
	}
	return s.cfg.Intake.Receive(c.Request.Context(), m)
}
