package server

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/programme"
	"github.com/hailurah/hailurah/triage"
	"github.com/hailurah/hailurah/whatsapp"
)

// MaxCurhatText bounds one citizen message: the seed's format is a few
// paragraphs; WhatsApp itself stops at 4096 characters.
const MaxCurhatText = 4000

type curhatRequest struct {
	Text      string `json:"text"`
	Channel   string `json:"channel"`
	Kelurahan string `json:"kelurahan"`
	Phone     string `json:"phone"`
	RT        string `json:"rt"`
	RW        string `json:"rw"`
	Anonim    *bool  `json:"anonim"`
	Tembusan  *bool  `json:"tembusan"`
}

type curhatResponse struct {
	TicketID     string `json:"ticket_id"`
	TrackingCode string `json:"tracking_code"`
	Ack          string `json:"ack"`
}

var rtrwPattern = regexp.MustCompile(`^[0-9]{1,3}$`)

// apiCurhat: POST /api/v1/curhat, the web chat and kiosk intake.
func (s *Server) apiCurhat(c *gin.Context) {
	var req curhatRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	if err := req.validate(); err != nil {
		fail(c, err)
		return
	}
	senderID := ""
	if req.Phone != "" {
		e164, err := whatsapp.NormalizePhone(req.Phone)
		if err != nil {
			fail(c, hailurah.FieldErrorf("phone", "Nomor telepon tidak valid: tulis seperti 0812xxxxxxx atau +62812xxxxxxx."))
			return
		}
		senderID = whatsapp.SenderID(s.cfg.Secret, e164)
	}
	in := intake{
		Text: req.Text, Channel: req.Channel, Kelurahan: req.Kelurahan, SenderID: senderID,
		RT: req.RT, RW: req.RW, Anonim: req.Anonim, Tembusan: req.Tembusan,
	}
	resp, err := s.startTicket(c.Request.Context(), in)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, resp)
}

func (r *curhatRequest) validate() error {
	r.Text = strings.TrimSpace(r.Text)
	switch {
	case r.Text == "":
		return hailurah.FieldErrorf("text", "Isi curhat wajib diisi.")
	case !utf8.ValidString(r.Text):
		return hailurah.FieldErrorf("text", "Isi curhat berisi karakter yang tidak valid.")
	case utf8.RuneCountInString(r.Text) > MaxCurhatText:
		return hailurah.FieldErrorf("text", "Isi curhat terlalu panjang (maks. %d karakter).", MaxCurhatText)
	}
	switch r.Channel {
	case "":
		r.Channel = hailurah.ChannelWeb
	case hailurah.ChannelWeb, hailurah.ChannelKiosk:
	default:
		return hailurah.FieldErrorf("channel", "Kanal harus \"web\" atau \"kiosk\".")
	}
	for field, v := range map[string]*string{"rt": &r.RT, "rw": &r.RW} {
		*v = strings.TrimSpace(*v)
		if *v != "" && !rtrwPattern.MatchString(*v) {
			return hailurah.FieldErrorf(field, "%s harus berupa angka, misalnya 03.", strings.ToUpper(field))
		}
	}
	return nil
}

// intake is a first message from any channel, before routing.
type intake struct {
	Text, Channel, Kelurahan, SenderID string
	RT, RW                             string
	Anonim, Tembusan                   *bool
	MessageID                          string // provider id; "" → generated
	TicketID                           string // reserved by a channel before starting (webhook.go); "" → the next id
	Lat, Lng                           *float64
	Media                              []string
	Raw                                json.RawMessage
}

// startTicket routes a first message to a kelurahan, starts its workflow
// and records the ticket. The workflow start is the commit point: once it
// succeeds the ticket exists durably, and its first activity writes the
// projection too, so a failed insert here loses nothing.
func (s *Server) startTicket(ctx context.Context, in intake) (*curhatResponse, error) {
	msg := triage.ParseMessage(in.Text)
	kel, err := s.routeKelurahan(ctx, msg.Kelurahan, in.Kelurahan)
	if err != nil {
		return nil, err
	}
	now := s.now()
	id := in.TicketID
	if id == "" {
		if id, err = s.cfg.Tickets.NextTicketID(ctx, now); err != nil {
			return nil, err
		}
	}
	rt, rw := firstNonEmpty(msg.RT, programme.NormalizeRTRW(in.RT)), firstNonEmpty(msg.RW, programme.NormalizeRTRW(in.RW))
	anonim, tembusan := in.Anonim, in.Tembusan
	if anonim == nil {
		anonim = msg.Anonim
	}
	if tembusan == nil {
		tembusan = msg.Tembusan
	}
	senderID := in.SenderID
	if senderID == "" {
		senderID = "anon-" + randomCode(16)
	}
	messageID := in.MessageID
	if messageID == "" {
		messageID = in.Channel + "-" + id
	}
	first := hailurah.CitizenMessage{ID: messageID, At: now, Text: in.Text, Channel: in.Channel, Lat: in.Lat, Lng: in.Lng, Media: in.Media}
	input := hailurah.CurhatInput{
		TicketID: id, TrackingCode: randomCode(10), Channel: in.Channel, SenderID: senderID,
		Anonim: anonim, Tembusan: tembusan, RT: rt, RW: rw, First: first, Policy: s.cfg.Policy,
	}
	if kel != nil {
		input.Kelurahan, input.KelurahanName = kel.Code, kel.Name
	}
	if err := s.cfg.Cases.StartCurhat(ctx, input); err != nil {
		return nil, err
	}
	raw := in.Raw
	if raw == nil {
		raw, _ = json.Marshal(first)
	}
	t := &hailurah.Ticket{
		ID: id, TrackingCode: input.TrackingCode, DatetimeReceived: now, Channel: in.Channel,
		SenderID: senderID, Kelurahan: input.Kelurahan, RT: rt, RW: rw, MessageText: in.Text,
		Status: hailurah.StatusNew, PrivacyFlag: anonim != nil && *anonim, TembusanFlag: tembusan != nil && *tembusan,
		Lat: in.Lat, Lng: in.Lng, RawPayload: raw, LastCitizenMessageAt: now, MessagesCount: 1,
	}
	if err := s.cfg.Tickets.CreateTicket(ctx, t); err != nil && hailurah.ErrorCode(err) != hailurah.ECONFLICT {
		s.logger.WarnContext(ctx, "record ticket at intake; the workflow projects it", "ticket", id, "err", err)
	}
	name := ""
	if kel != nil {
		name = kel.Name
	}
	return &curhatResponse{TicketID: id, TrackingCode: input.TrackingCode, Ack: triage.ComposeACK(name)}, nil
}

// routeKelurahan picks the kelurahan a message names, else the one the
// channel gave, else none (the city triage queue). Names are matched
// tolerantly; an explicit code that matches nothing is an error only when
// it came from a form field, since a citizen's typo must not lose a curhat.
func (s *Server) routeKelurahan(ctx context.Context, named, given string) (*hailurah.Kelurahan, error) {
	all, err := s.cfg.Kelurahan.ListKelurahan(ctx)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(all))
	for i, k := range all {
		names[i] = k.Name
	}
	if named != "" {
		if i, ok := triage.MatchKelurahan(named, names); ok {
			return all[i], nil
		}
	}
	if given == "" {
		return nil, nil
	}
	for _, k := range all {
		if strings.EqualFold(k.Code, given) {
			return k, nil
		}
	}
	if i, ok := triage.MatchKelurahan(given, names); ok {
		return all[i], nil
	}
	return nil, hailurah.FieldErrorf("kelurahan", "Kelurahan %q tidak dikenal.", given)
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// trackingAlphabet leaves out letters people confuse when reading a code
// aloud or from a small screen (0/O, 1/I/L).
const trackingAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// randomCode draws n characters uniformly from trackingAlphabet; bytes
// that would bias the draw are thrown away.
func randomCode(n int) string {
	const limit = 256 - 256%len(trackingAlphabet)
	out := make([]byte, 0, n)
	buf := make([]byte, 2*n)
	for len(out) < n {
		_, _ = rand.Read(buf)
		for _, b := range buf {
			if int(b) < limit && len(out) < n {
				out = append(out, trackingAlphabet[int(b)%len(trackingAlphabet)])
			}
		}
	}
	return string(out)
}
