package server

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/outbox"
	"github.com/hailurah/hailurah/triage"
	"github.com/hailurah/hailurah/whatsapp"
)

// ChannelStore is what the channel handlers (webhook, gateway, simulated
// phone) need of the store: inbound messages and contacts, the outbox rows
// Meta reports on, and notifications for failed deliveries.
type ChannelStore interface {
	hailurah.InboundService
	UpdateOutboxStatus(ctx context.Context, providerMessageID, status string, at time.Time, detail string) (*hailurah.OutboxDelivery, bool, error)
	ListOutboxByRecipient(ctx context.Context, recipient string, afterID int64, limit int) ([]*hailurah.OutboxDelivery, error)
	hailurah.NotificationService
}

// WhatsAppSettings configures the WhatsApp webhook.
type WhatsAppSettings struct {
	// VerifyToken is WHATSAPP_VERIFY_TOKEN, which Meta's subscription
	// handshake must present; "" refuses every handshake.
	VerifyToken string
	// AppSecret is WHATSAPP_APP_SECRET. When set, every Cloud API delivery
	// must carry a valid X-Hub-Signature-256; when empty (the embedded
	// default) unsigned deliveries are accepted.
	AppSecret string
	// PhoneNumberID is the city's WhatsApp number, which the simulated
	// phone writes to.
	PhoneNumberID string
}

// Rate limits of citizen messages. Per sender: a citizen telling a story
// in a burst of bubbles stays well inside it, a flood from one phone does
// not starve the others. Per IP: high enough for Meta's own servers, which
// deliver every citizen's messages, low enough to blunt a flood of fakes.
const (
	senderPerMinute  = 30
	senderBurst      = 15
	webhookPerMinute = 1200
	webhookBurst     = 300
	// handOverTimeout bounds one delivery's work. It is detached from the
	// request: Meta hanging up must not cut a hand-over in half, between
	// starting a ticket and recording that it started.
	handOverTimeout = 30 * time.Second
)

// channelState is the webhook's own state, built by channelRoutes.
type channelState struct {
	sealer  *whatsapp.Sealer
	senders *keyedLimiter // citizen messages per sender
	ips     *keyedLimiter // webhook requests per IP
	locks   keyedMutex    // one hand-over per sender at a time
}

// channelRoutes registers the channels: the WhatsApp webhook (Cloud API
// and gateways), Open311, the citizen chat and kiosk pages, and, in dev
// mode, the simulated phone. It needs Config.Channels, Tickets and Cases.
func (s *Server) channelRoutes(r *gin.Engine, api *gin.RouterGroup) {
	if s.cfg.Channels == nil || s.cfg.Tickets == nil || s.cfg.Cases == nil {
		return
	}
	sealer, err := whatsapp.NewSealer(s.cfg.Secret)
	if err != nil {
		s.logger.Error("channels disabled: HAILURAH_SECRET cannot seal contacts", slog.Any("err", err))
		return
	}
	if s.cfg.WhatsApp.AppSecret == "" && !s.cfg.Dev {
		s.logger.Warn("WHATSAPP_APP_SECRET is not set: unsigned WhatsApp webhook deliveries are accepted")
	}
	s.channels = &channelState{
		sealer:  sealer,
		senders: newKeyedLimiter(senderPerMinute, senderBurst, s.now),
		ips:     newKeyedLimiter(webhookPerMinute, webhookBurst, s.now),
	}
	r.GET("/webhook/whatsapp", s.whatsappVerify)
	// The webhook limits per IP itself: a delivery signed with the app
	// secret is Meta's, however many its servers send in a flood.
	r.POST("/webhook/whatsapp", s.whatsappWebhook)
	s.open311Routes(r)
	s.citizenPageRoutes(r)
	if s.cfg.Dev {
		s.devPhoneRoutes(r, api)
	}
}

// whatsappVerify: GET /webhook/whatsapp, Meta's subscription handshake.
func (s *Server) whatsappVerify(c *gin.Context) {
	challenge, err := whatsapp.VerifyHandshake(c.Request.URL.Query(), s.cfg.WhatsApp.VerifyToken)
	if err != nil {
		fail(c, err)
		return
	}
	c.Data(http.StatusOK, "text/plain; charset=utf-8", []byte(challenge))
}

// inboundReceipt is what happened to one inbound message.
type inboundReceipt struct {
	ProviderID   string `json:"provider_id"`
	Status       string `json:"status"` // a hailurah.Inbound* status
	TicketID     string `json:"ticket_id,omitempty"`
	TrackingCode string `json:"tracking_code,omitempty"` // a ticket this message started
	Ack          string `json:"ack,omitempty"`
	// Reply is the answer queued instead of a ticket (please write text;
	// no ticket running), for a kiosk to show.
	Reply string `json:"reply,omitempty"`
	// Duplicate is true when the id had been handled before.
	Duplicate bool `json:"duplicate"`
}

// whatsappWebhook: POST /webhook/whatsapp. A Cloud API delivery (signed
// when WHATSAPP_APP_SECRET is set) or a gateway's flat payload (bearer API
// token of an admin or a kelurahan's moderator). Every message is stored
// before anything else; 5xx means "deliver again", and only comes when a
// message could not be stored (or, for a gateway, handed over). Cloud API
// messages are handed over by the inbox after the answer (inbox.go).
func (s *Server) whatsappWebhook(c *gin.Context) {
	body, err := readBody(c, whatsapp.DefaultMaxBodyBytes)
	if err != nil {
		fail(c, err)
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request.Context()), handOverTimeout)
	defer cancel()
	c.Request = c.Request.WithContext(ctx)

	cloud := whatsapp.IsCloudAPIPayload(body)
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
	if !signed && !allowIP(c, s.channels.ips) {
		return
	}
	if sigErr != nil {
		fail(c, sigErr)
		return
	}
	if !cloud {
		s.gatewayWebhook(c, body)
		return
	}
	d, err := whatsapp.ParseWebhook(body, whatsapp.Limits{})
	if err != nil {
		fail(c, err)
		return
	}
	if err := s.acceptCloud(c.Request.Context(), d); err != nil {
		fail(c, err)
		return
	}
	// Meta reads only the status; the body says no more than a count, so
	// an unsigned poster learns nothing about tickets.
	c.JSON(http.StatusOK, gin.H{"received": len(d.Messages), "statuses": len(d.Statuses)})
}

// acceptCloud stores every message of a delivery and applies its status
// reports; the inbox hands the messages over after the webhook has
// answered (inbox.go). Only a failure to store answers 5xx, so that Meta
// delivers again; a redelivery of a stored message queues it again if it
// still waits.
func (s *Server) acceptCloud(ctx context.Context, d *whatsapp.Delivery) error {
	for _, in := range d.Messages {
		m, _, err := s.storeCloudMessage(ctx, in, false)
		if err != nil {
			return err
		}
		if m.Status == hailurah.InboundStored {
			s.inbox.enqueue(m)
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

// receiveCloud stores every message of a delivery, applies its status
// reports, then hands the messages over in order, before answering: the
// simulated phone shows what became of each. The first hand-over
// that fails for a reason a retry can cure ends the delivery with that
// error; Meta delivers it again and the handled messages are skipped.
//
// simulated marks the simulated phone's messages: their contacts are
// never sent to (hailurah.ContactSimulated).
func (s *Server) receiveCloud(c *gin.Context, d *whatsapp.Delivery, simulated bool) ([]inboundReceipt, error) {
	ctx := c.Request.Context()
	stored := make([]*hailurah.InboundMessage, 0, len(d.Messages))
	fresh := make([]bool, 0, len(d.Messages))
	for _, in := range d.Messages {
		m, created, err := s.storeCloudMessage(ctx, in, simulated)
		if err != nil {
			return nil, err
		}
		stored, fresh = append(stored, m), append(fresh, created)
	}
	for _, st := range d.Statuses {
		if err := s.applyStatus(ctx, st); err != nil {
			return nil, err
		}
	}
	receipts := make([]inboundReceipt, 0, len(stored))
	for i, m := range stored {
		rc, err := s.handOver(c.Request.Context(), m, fresh[i], intakeOptions{})
		if err != nil {
			return nil, err
		}
		receipts = append(receipts, rc)
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

// storeCloudMessage stores one Cloud API message and, unless it was
// already handled, refreshes its sender's sealed contact, which the ACK
// will need.
func (s *Server) storeCloudMessage(ctx context.Context, in whatsapp.Inbound, simulated bool) (*hailurah.InboundMessage, bool, error) {
	e164, phoneErr := whatsapp.NormalizePhone(in.From)
	sender := whatsapp.SenderID(s.cfg.Secret, e164)
	if phoneErr != nil {
		// Meta vouches for its wa_ids, so this is not expected; keep the
		// message under a pseudonym of what was sent, and refuse it below.
		sender = whatsapp.SenderID(s.cfg.Secret, "invalid:"+in.From)
	}
	raw, _ := json.Marshal(cloudRaw{ID: in.ProviderID, PhoneNumberID: in.PhoneNumberID, Type: in.Kind, Timestamp: in.At,
		Text: in.Text, ButtonID: in.ButtonID, Lat: in.Lat, Lng: in.Lng, MediaID: in.MediaID, MediaMime: in.MediaMime})
	m := &hailurah.InboundMessage{
		ProviderID: in.ProviderID, Channel: hailurah.ChannelWhatsApp, PhoneNumberID: in.PhoneNumberID,
		SenderID: sender, Kind: in.Kind, Text: in.Text, ButtonID: in.ButtonID, Lat: in.Lat, Lng: in.Lng,
		Raw: raw, SentAt: in.At,
	}
	if in.MediaID != "" {
		m.Media = []string{"whatsapp-media:" + in.MediaID}
	}
	created, err := s.cfg.Channels.StoreInbound(ctx, m)
	if err != nil {
		return nil, false, err
	}
	if phoneErr != nil {
		if m.Status == hailurah.InboundStored {
			if err := s.cfg.Channels.MarkInbound(ctx, m.ProviderID, hailurah.InboundFailed, "", "Nomor pengirim tidak valid."); err != nil {
				return nil, false, err
			}
			m.Status = hailurah.InboundFailed
		}
		return m, created, nil
	}
	if m.Status == hailurah.InboundStored {
		channel := hailurah.ChannelWhatsApp
		if simulated {
			channel = hailurah.ContactSimulated
		}
		if err := s.recordContact(ctx, channel, sender, e164, in.PhoneNumberID, in.At); err != nil {
			return nil, false, err
		}
	}
	return m, created, nil
}

// recordContact keeps the sender's phone, sealed, to reply to them.
func (s *Server) recordContact(ctx context.Context, channel, sender, e164, phoneNumberID string, at time.Time) error {
	sealed, err := s.channels.sealer.Seal(e164)
	if err != nil {
		return err
	}
	kel, err := s.kelurahanOfNumber(ctx, phoneNumberID)
	if err != nil {
		return err
	}
	return s.cfg.Channels.RecordContact(ctx, &hailurah.Contact{SenderID: sender, Channel: channel,
		PhoneSealed: sealed, PhoneNumberID: phoneNumberID, Kelurahan: kel, LastInboundAt: at})
}

// kelurahanOfNumber returns the code of the kelurahan whose own WhatsApp
// number received the message; "" for the city's shared number.
func (s *Server) kelurahanOfNumber(ctx context.Context, phoneNumberID string) (string, error) {
	if phoneNumberID == "" {
		return "", nil
	}
	all, err := s.cfg.Kelurahan.ListKelurahan(ctx)
	if err != nil {
		return "", err
	}
	for _, k := range all {
		if k.WhatsAppPhoneNumberID == phoneNumberID {
			return k.Code, nil
		}
	}
	return "", nil
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

// intakeOptions are what a channel adds to a message that starts a ticket.
type intakeOptions struct {
	Kelurahan        string // the channel's kelurahan code, when the number or gateway has one
	Anonim, Tembusan *bool
}

// handOver passes a stored message on: to the sender's running ticket as
// a signal, to a new ticket, or answered without one, and records the
// outcome. Messages of one sender are handed over one at a time in this
// process, in order, and each hand-over first claims the stored row, so
// two concurrent deliveries of one message, to this server or to two,
// start one ticket. It returns an error only when the message should be
// delivered again (the store or Temporal is unavailable); the message then
// stays stored. A message refused for good is kept as failed, and the
// admins are told.
func (s *Server) handOver(ctx context.Context, m *hailurah.InboundMessage, fresh bool, opt intakeOptions) (inboundReceipt, error) {
	rc := inboundReceipt{ProviderID: m.ProviderID, Status: m.Status, TicketID: m.TicketID}
	if m.Status != hailurah.InboundStored {
		rc.Duplicate = true
		return rc, nil
	}
	unlock := s.channels.locks.lock(m.SenderID)
	defer unlock()
	claimed, err := s.cfg.Channels.ClaimInbound(ctx, m.ProviderID, s.now().Add(-2*handOverTimeout))
	if err != nil {
		return rc, err
	}
	cur, err := s.cfg.Channels.FindInbound(ctx, m.ProviderID)
	if err != nil {
		return rc, err
	}
	if !claimed {
		if cur.Status == hailurah.InboundStored {
			// Another server is handing it over, or one died doing so:
			// "later" keeps the delivery coming until the hand-over is
			// done or the dead claim goes stale and is taken over.
			return rc, hailurah.Errorf(hailurah.EUNAVAILABLE, "Pesan %s sedang diteruskan; kirim ulang nanti.", m.ProviderID)
		}
		rc.Status, rc.TicketID, rc.Duplicate = cur.Status, cur.TicketID, true
		return rc, nil
	}
	m = cur // as the claim found it: a retry sees the ticket a crashed attempt reserved
	if fresh && m.Attempts == 0 {
		if ok, _ := s.channels.senders.allow(m.SenderID); !ok {
			// Kept, acknowledged, and not handed over: a flood from one
			// phone does not reach the ticket or the AI. Staff can read it.
			rc.Status = hailurah.InboundThrottled
			return rc, s.cfg.Channels.MarkInbound(ctx, m.ProviderID, hailurah.InboundThrottled, "",
				"Melebihi batas pesan per pengirim; disimpan tanpa diteruskan.")
		}
	}
	out, err := s.dispatch(ctx, m, opt)
	if err != nil {
		if code := hailurah.ErrorCode(err); code == hailurah.EINVALID || code == hailurah.ECONFLICT {
			// The message itself cannot become a ticket; sending it again
			// gives the same answer.
			s.logger.WarnContext(ctx, "inbound message refused", slog.String("provider_id", m.ProviderID), slog.Any("err", err))
			rc.Status = hailurah.InboundFailed
			if err := s.cfg.Channels.MarkInbound(ctx, m.ProviderID, hailurah.InboundFailed, "", hailurah.ErrorMessage(err)); err != nil {
				return rc, err
			}
			s.notifyInboundFailed(ctx, m, hailurah.ErrorMessage(err))
			return rc, nil
		}
		if rerr := s.cfg.Channels.ReleaseInbound(ctx, m.ProviderID); rerr != nil {
			s.logger.WarnContext(ctx, "releasing an inbound claim", slog.String("provider_id", m.ProviderID), slog.Any("err", rerr))
		}
		return rc, err
	}
	rc.Status, rc.TicketID, rc.TrackingCode, rc.Ack, rc.Reply = out.status, out.ticketID, out.trackingCode, out.ack, out.reply
	return rc, s.cfg.Channels.MarkInbound(ctx, m.ProviderID, out.status, out.ticketID, out.note)
}

// notifyInboundFailed tells the admins that a citizen's message could not
// become a ticket; it stays in inbound_messages with the reason.
func (s *Server) notifyInboundFailed(ctx context.Context, m *hailurah.InboundMessage, reason string) {
	_, err := s.cfg.Channels.Notify(ctx, &hailurah.Notification{
		IdempotencyKey: "inbound-failed/" + m.ProviderID,
		To:             hailurah.Audience{Role: hailurah.RoleAdmin},
		Kind:           hailurah.NotifyInboundFailed,
		Title:          "Pesan warga gagal diproses",
		Body: fmt.Sprintf("Pesan %s lewat kanal %s (diterima %s) tidak dapat dijadikan tiket: %s. Pesan tetap tersimpan.",
			m.ProviderID, m.Channel, m.ReceivedAt.Format("2006-01-02 15:04 MST"), reason),
	})
	if err != nil {
		s.logger.ErrorContext(ctx, "notifying admins of a failed inbound message", slog.Any("err", err))
	}
}

// dispatched is where a message went.
type dispatched struct {
	status, ticketID, trackingCode, ack, reply, note string
}

// dispatch decides by the kind of message: text, captions and button taps
// go to a ticket; locations and photos without a caption join a running
// ticket; audio, stickers and what cannot be read are answered with a
// request for text; reactions are only kept.
func (s *Server) dispatch(ctx context.Context, m *hailurah.InboundMessage, opt intakeOptions) (dispatched, error) {
	text := strings.TrimSpace(m.Text)
	switch m.Kind {
	case whatsapp.KindReaction:
		return dispatched{status: hailurah.InboundIgnored, note: "Reaksi emoji; tidak diteruskan."}, nil
	case whatsapp.KindAudio, whatsapp.KindSticker, whatsapp.KindUnsupported:
		return s.answer(ctx, m, hailurah.OutboxAskText, triage.ComposeAskText())
	case whatsapp.KindButton:
		if cmd, ok := hailurah.ButtonCommand(m.ButtonID); ok {
			text = cmd
		}
	case whatsapp.KindLocation:
		// A shared location (its text is the place's name and address)
		// adds geocoordinates to a running ticket; it is not a curhat.
		note := "(lokasi dikirim)"
		if text != "" {
			note = "Lokasi: " + text
		}
		return s.attach(ctx, m, note)
	}
	if text == "" {
		return s.attach(ctx, m, "(lampiran tanpa keterangan)")
	}
	return s.route(ctx, m, text, opt)
}

// attach passes a message without words of its own (a photo, a location)
// to the sender's running ticket with a note; without one it cannot start
// a ticket (there is nothing to triage), so the citizen is asked to write.
func (s *Server) attach(ctx context.Context, m *hailurah.InboundMessage, note string) (dispatched, error) {
	t, err := s.runningTicket(ctx, m.SenderID, "")
	if err != nil {
		return dispatched{}, err
	}
	if t != nil {
		if d, ok, err := s.signal(ctx, t, m, note); ok || err != nil {
			return d, err
		}
	}
	return s.answer(ctx, m, hailurah.OutboxAskText, triage.ComposeAskText())
}

// route sends a message with text to the sender's running ticket, or
// starts a new one. A "HAI LURAH …" message always starts a new ticket.
// Otherwise the sender's newest ticket takes it while it is not final; a
// resolved one still takes commands (the rating, a late BELUM or STATUS)
// while its workflow waits for the rating. A command with no ticket to
// take it is answered with how to start one, not made a ticket of its own.
func (s *Server) route(ctx context.Context, m *hailurah.InboundMessage, text string, opt intakeOptions) (dispatched, error) {
	_, isCommand := triage.ParseCommand(text)
	if !triage.ParseMessage(text).HaiLurah {
		t, err := s.runningTicket(ctx, m.SenderID, text)
		if err != nil {
			return dispatched{}, err
		}
		if t != nil {
			if d, ok, err := s.signal(ctx, t, m, text); ok || err != nil {
				return d, err
			}
		}
		if isCommand {
			return s.answer(ctx, m, hailurah.OutboxNoTicket, noTicketText)
		}
	}
	in := intake{Text: text, Channel: m.Channel, Kelurahan: opt.Kelurahan, SenderID: m.SenderID,
		Anonim: opt.Anonim, Tembusan: opt.Tembusan, MessageID: m.ProviderID, Lat: m.Lat, Lng: m.Lng,
		Media: webMedia(m.Media), Raw: m.Raw, TicketID: m.TicketID}
	if in.Kelurahan == "" {
		kel, err := s.kelurahanOfNumber(ctx, m.PhoneNumberID)
		if err != nil {
			return dispatched{}, err
		}
		in.Kelurahan = kel
	}
	// The ticket's id is chosen and recorded on the message before the
	// workflow starts: if this process dies after the start and before the
	// message is marked, the redelivery starts the same id and learns it
	// runs, instead of opening a second ticket.
	retry := in.TicketID != ""
	if !retry {
		id, err := s.cfg.Tickets.NextTicketID(ctx, s.now())
		if err != nil {
			return dispatched{}, err
		}
		if err := s.cfg.Channels.ReserveInboundTicket(ctx, m.ProviderID, id); err != nil {
			return dispatched{}, err
		}
		in.TicketID = id
	}
	resp, err := s.startTicket(ctx, in)
	if retry && hailurah.ErrorCode(err) == hailurah.ECONFLICT {
		return dispatched{status: hailurah.InboundDelivered, ticketID: in.TicketID, note: "Tiket sudah dimulai oleh percobaan sebelumnya."}, nil
	} else if err != nil {
		return dispatched{}, err
	}
	return dispatched{status: hailurah.InboundDelivered, ticketID: resp.TicketID, trackingCode: resp.TrackingCode, ack: resp.Ack}, nil
}

// noTicketText answers a command when no ticket of the sender is running.
const noTicketText = "Terima kasih. Saat ini tidak ada curhat Anda yang sedang kami proses.\n" +
	"Untuk menyampaikan curhat baru, tulis: HAI LURAH [nama kelurahan], lalu ceritakan masalahnya (RT/RW, lokasi, kronologi)."

// runningTicket returns the sender's newest ticket if it takes messages
// (see route), else nil. text "" asks about a message without words.
func (s *Server) runningTicket(ctx context.Context, sender, text string) (*hailurah.Ticket, error) {
	t, err := s.cfg.Channels.LatestTicketOfSender(ctx, sender)
	if hailurah.ErrorCode(err) == hailurah.ENOTFOUND {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if !t.Status.Final() {
		return t, nil
	}
	if _, isCommand := triage.ParseCommand(text); isCommand && t.Status == hailurah.StatusResolved {
		return t, nil
	}
	return nil, nil
}

// signal passes the message to the ticket's workflow; ok is false when the
// workflow has ended, and the caller starts a new ticket instead.
func (s *Server) signal(ctx context.Context, t *hailurah.Ticket, m *hailurah.InboundMessage, text string) (dispatched, bool, error) {
	msg := hailurah.CitizenMessage{ID: m.ProviderID, At: m.SentAt, Text: text, Channel: m.Channel,
		Lat: m.Lat, Lng: m.Lng, Media: webMedia(m.Media)}
	err := s.cfg.Cases.SignalCitizen(ctx, t.ID, msg)
	switch hailurah.ErrorCode(err) {
	case "":
		return dispatched{status: hailurah.InboundDelivered, ticketID: t.ID}, true, nil
	case hailurah.ENOTFOUND:
		return dispatched{}, false, nil
	}
	return dispatched{}, false, err
}

// answer queues a reply that needs no ticket, keyed by the message so a
// redelivery queues nothing new.
func (s *Server) answer(ctx context.Context, m *hailurah.InboundMessage, kind, text string) (dispatched, error) {
	msg := &hailurah.OutboxMessage{IdempotencyKey: "inbound/" + m.ProviderID + "/" + kind, Channel: m.Channel,
		Recipient: m.SenderID, Kind: kind, Text: text}
	if err := s.enqueue(ctx, msg); err != nil {
		return dispatched{}, err
	}
	return dispatched{status: hailurah.InboundAnswered, reply: text, note: outbox.KindLabel(kind)}, nil
}

// enqueue writes to the outbox through the store, which implements
// hailurah.OutboxService alongside ChannelStore.
func (s *Server) enqueue(ctx context.Context, m *hailurah.OutboxMessage) error {
	q, ok := s.cfg.Channels.(hailurah.OutboxService)
	if !ok {
		return hailurah.Errorf(hailurah.EINTERNAL, "server: the channel store has no outbox")
	}
	return q.Enqueue(ctx, m)
}

// webMedia keeps the attachments a browser can open (a gateway's URLs);
// Cloud API media ids need the access token and stay in the inbound row.
func webMedia(media []string) []string {
	var out []string
	for _, u := range media {
		if strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://") {
			out = append(out, u)
		}
	}
	return out
}

// gatewayWebhook handles the seed's flat payload. Gateways and kiosks
// authenticate with an API token (Authorization: Bearer) of an admin
// (city-wide) or of a kelurahan's moderator, whose kelurahan becomes the
// channel's kelurahan (a message naming another still goes there).
func (s *Server) gatewayWebhook(c *gin.Context, body []byte) {
	p := principalOf(c)
	if p == nil || p.Session != nil {
		fail(c, hailurah.Errorf(hailurah.EUNAUTHORIZED, "Payload gateway memerlukan token API: Authorization: Bearer <token>."))
		return
	}
	u := p.User
	if u.Role != hailurah.RoleAdmin && u.Role != hailurah.RoleModerator {
		fail(c, hailurah.Errorf(hailurah.EFORBIDDEN, "Token API ini bukan milik admin atau moderator kelurahan."))
		return
	}
	g, err := whatsapp.ParseGateway(body, whatsapp.Limits{})
	if err != nil {
		fail(c, err)
		return
	}
	rc, err := s.receiveGateway(c, u, g)
	if err != nil {
		fail(c, err)
		return
	}
	status := http.StatusAccepted
	if rc.Duplicate {
		status = http.StatusOK
	}
	c.JSON(status, rc)
}

func (s *Server) receiveGateway(c *gin.Context, u *hailurah.User, g *whatsapp.GatewayMessage) (inboundReceipt, error) {
	ctx := c.Request.Context()
	at := g.At
	if at.IsZero() {
		at = s.now()
	}
	var sender, e164 string
	if g.Channel == hailurah.ChannelWhatsApp {
		var err error
		if e164, err = whatsapp.NormalizePhone(g.From); err != nil {
			return inboundReceipt{}, hailurah.FieldErrorf("from", "Nomor pengirim tidak valid: %s", hailurah.ErrorMessage(err))
		}
		sender = whatsapp.SenderID(s.cfg.Secret, e164)
	} else {
		sender = gatewaySender(s.cfg.Secret, g.Channel, g.From)
	}
	kind := whatsapp.KindText
	if strings.TrimSpace(g.Text) == "" {
		kind = whatsapp.KindImage
	}
	raw, _ := json.Marshal(map[string]any{"id": g.ID, "channel": g.Channel, "timestamp": at, "text": g.Text,
		"media": g.Media, "tembusan": g.Tembusan, "anonim": g.Anonim, "gateway_user": u.Username})
	m := &hailurah.InboundMessage{ProviderID: hailurah.GatewayIDPrefix + u.Username + ":" + g.ID, Channel: g.Channel, SenderID: sender,
		Kind: kind, Text: g.Text, Media: g.Media, Raw: raw, SentAt: at}
	created, err := s.cfg.Channels.StoreInbound(ctx, m)
	if err != nil {
		return inboundReceipt{}, err
	}
	if e164 != "" && m.Status == hailurah.InboundStored {
		if err := s.recordContact(ctx, hailurah.ChannelWhatsApp, sender, e164, "", at); err != nil {
			return inboundReceipt{}, err
		}
	}
	opt := intakeOptions{Anonim: g.Anonim, Tembusan: g.Tembusan}
	if u.Role == hailurah.RoleModerator {
		opt.Kelurahan = u.Kelurahan
	}
	rc, err := s.handOver(c.Request.Context(), m, created, opt)
	if err != nil {
		return rc, err
	}
	if rc.Duplicate && rc.TicketID != "" {
		if t, err := s.cfg.Tickets.FindTicket(ctx, rc.TicketID); err == nil {
			rc.TrackingCode = t.TrackingCode
		}
	}
	return rc, nil
}

// gatewaySender is the pseudonym of a kiosk session or chat user: keyed
// like a phone's, and prefixed so it can never equal one.
func gatewaySender(secret []byte, channel, from string) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(channel + "\x00" + from))
	return "gw-" + hex.EncodeToString(mac.Sum(nil))[:40]
}

// keyedMutex serialises work per key (a sender) and forgets idle keys.
type keyedMutex struct {
	mu    sync.Mutex
	locks map[string]*keyedLock
}

type keyedLock struct {
	mu      sync.Mutex
	waiters int
}

func (k *keyedMutex) lock(key string) (unlock func()) {
	k.mu.Lock()
	if k.locks == nil {
		k.locks = map[string]*keyedLock{}
	}
	l := k.locks[key]
	if l == nil {
		l = &keyedLock{}
		k.locks[key] = l
	}
	l.waiters++
	k.mu.Unlock()
	l.mu.Lock()
	return func() {
		l.mu.Unlock()
		k.mu.Lock()
		l.waiters--
		if l.waiters == 0 {
			delete(k.locks, key)
		}
		k.mu.Unlock()
	}
}
