package intake

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/programme"
	"github.com/hailurah/hailurah/triage"
)

// first is a ticket's first message, from any channel, before routing.
type first struct {
	Text, Channel, Kelurahan, SenderID string
	RT, RW                             string
	Kategori                           string // the client's choice, kept (Message.Kategori)
	Anonim, Tembusan                   *bool
	MessageID                          string // provider id; "" → generated
	TicketID                           string // reserved on the stored message before starting (route); "" → the next id
	TrackingCode                       string // reserved with TicketID under an idempotency key; "" → a new code
	Lat, Lng                           *float64
	Media                              []string
	Voice                              bool // a voice note without words (hailurah.CitizenMessage.Voice)
	Raw                                json.RawMessage
	// Keyed: TicketID and TrackingCode were reserved under an idempotency
	// key, so a workflow found running is an earlier attempt's start.
	Keyed bool
	// Private is the sender's sealed originals (see mask), kept if the
	// ticket is named.
	Private string
}

// startTicket routes a first message to a kelurahan, starts its workflow
// and records the ticket. The workflow start is the commit point: once it
// succeeds the ticket exists durably, and its first activity writes the
// projection too, so a failed insert here loses nothing.
func (x *Intake) startTicket(ctx context.Context, in first) (*Started, error) {
	msg := triage.ParseMessage(in.Text)
	kel, err := x.routeKelurahan(ctx, msg.Kelurahan, in.Kelurahan)
	if err != nil {
		return nil, err
	}
	now := x.now()
	id := in.TicketID
	if id == "" {
		if id, err = x.store.NextTicketID(ctx, now); err != nil {
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
		senderID = "anon-" + hailurah.RandomCode(16)
	}
	messageID := in.MessageID
	if messageID == "" {
		messageID = in.Channel + "-" + id
	}
	opening := hailurah.CitizenMessage{ID: messageID, At: now, Text: in.Text, Channel: in.Channel, Lat: in.Lat, Lng: in.Lng, Media: in.Media, Voice: in.Voice}
	code := in.TrackingCode
	if code == "" {
		code = hailurah.RandomCode(10)
	}
	input := hailurah.CurhatInput{
		TicketID: id, TrackingCode: code, Channel: in.Channel, SenderID: senderID,
		Anonim: anonim, Tembusan: tembusan, RT: rt, RW: rw, First: opening, Policy: x.cfg.Policy,
	}
	if hailurah.ValidKategori(in.Kategori) {
		input.Kategori = in.Kategori
	}
	if kel != nil {
		input.Kelurahan, input.KelurahanName = kel.Code, kel.Name
	}
	if err := x.cases.StartCurhat(ctx, input); err != nil && !(in.Keyed && hailurah.ErrorCode(err) == hailurah.ECONFLICT) {
		return nil, err
	}
	raw := in.Raw
	if raw == nil {
		raw, _ = json.Marshal(opening)
	}
	t := &hailurah.Ticket{
		ID: id, TrackingCode: input.TrackingCode, DatetimeReceived: now, Channel: in.Channel,
		SenderID: senderID, Kelurahan: input.Kelurahan, RT: rt, RW: rw, MessageText: in.Text, Kategori: input.Kategori,
		Status: hailurah.StatusNew, PrivacyFlag: anonim != nil && *anonim, TembusanFlag: tembusan != nil && *tembusan,
		Lat: in.Lat, Lng: in.Lng, RawPayload: raw, LastCitizenMessageAt: now, MessagesCount: 1,
	}
	if err := x.store.CreateTicket(ctx, t); err != nil && hailurah.ErrorCode(err) != hailurah.ECONFLICT {
		x.logger.WarnContext(ctx, "record ticket at intake; the workflow projects it", "ticket", id, "err", err)
	}
	if !t.PrivacyFlag {
		x.keepPrivate(ctx, id, in.Private)
	}
	name := ""
	if kel != nil {
		name = kel.Name
	}
	return &Started{TicketID: id, TrackingCode: input.TrackingCode, Ack: triage.ComposeACK(name)}, nil
}

// routeKelurahan picks the kelurahan a message names, else the one the
// channel gave, else none (the city triage queue). Names are matched
// tolerantly; an explicit code that matches nothing is an error only when
// it came from a form field, since a citizen's typo must not lose a curhat.
func (x *Intake) routeKelurahan(ctx context.Context, named, given string) (*hailurah.Kelurahan, error) {
	all, err := x.store.ListKelurahan(ctx)
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

// kelurahanOfNumber returns the code of the kelurahan whose own WhatsApp
// number received the message; "" for the city's shared number.
func (x *Intake) kelurahanOfNumber(ctx context.Context, phoneNumberID string) (string, error) {
	if phoneNumberID == "" {
		return "", nil
	}
	all, err := x.store.ListKelurahan(ctx)
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
