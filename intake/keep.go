package intake

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/whatsapp"
)

// keep stores a message, masked (see mask), and, unless it was handled
// before, refreshes its
// sender's sealed contact, which the ACK will need. A sender's number that
// is not one keeps the message under a pseudonym of what was sent, marked
// failed: a channel that vouches for its numbers (Meta) does not send
// such, and a gateway's parser refuses them first.
func (x *Intake) keep(ctx context.Context, in Message) (*hailurah.InboundMessage, bool, error) {
	sender, e164, phoneErr := x.sender(in)
	kind := in.Kind
	if kind == "" {
		kind = whatsapp.KindText
	}
	words, err := x.mask(in)
	if err != nil {
		return nil, false, err
	}
	m := &hailurah.InboundMessage{
		ProviderID: in.ProviderID, Channel: in.Channel, PhoneNumberID: in.PhoneNumberID,
		SenderID: sender, Kind: kind, Text: words.text, ButtonID: in.ButtonID, Lat: in.Lat, Lng: in.Lng,
		Media: in.Media, Raw: words.raw, SentAt: in.SentAt, PrivateSealed: words.private,
	}
	created, err := x.store.StoreInbound(ctx, m)
	if err != nil {
		return nil, false, err
	}
	if phoneErr != nil {
		if m.Status == hailurah.InboundStored {
			if err := x.store.MarkInbound(ctx, m.ProviderID, hailurah.InboundFailed, "", "Nomor pengirim tidak valid."); err != nil {
				return nil, false, err
			}
			m.Status = hailurah.InboundFailed
		}
		return m, created, nil
	}
	if e164 != "" && in.PhoneVerified && m.Status == hailurah.InboundStored {
		channel := hailurah.ChannelWhatsApp
		if in.Simulated {
			channel = hailurah.ContactSimulated
		}
		if err := x.recordContact(ctx, channel, sender, e164, in.PhoneNumberID, in.SentAt); err != nil {
			return nil, false, err
		}
	}
	return m, created, nil
}

// sender returns the pseudonym of a message's sender and, when it came
// from a phone, the number in E.164. A number that is not one still gets a
// pseudonym (of what was sent), with the error. A number nobody vouches
// for (typed into a form) gets a pseudonym of its own, never the phone's:
// as the phone's it would let anyone name a stranger, whose WhatsApp
// messages would then be filed on the form's ticket and who would be sent
// its news. Its sender follows the ticket with the tracking code.
func (x *Intake) sender(m Message) (sender, e164 string, err error) {
	switch {
	case m.Phone != "":
		e164, err = whatsapp.NormalizePhone(m.Phone)
		if err != nil {
			return whatsapp.SenderID(x.cfg.Secret, "invalid:"+m.Phone), "", err
		}
		if !m.PhoneVerified {
			return channelSender(x.cfg.Secret, "unverified-phone", e164), "", nil
		}
		return whatsapp.SenderID(x.cfg.Secret, e164), e164, nil
	case m.From != "":
		return channelSender(x.cfg.Secret, m.Channel, m.From), "", nil
	}
	return "", "", nil
}

// channelSender is the pseudonym of a kiosk session or chat user: keyed
// like a phone's, and prefixed so it can never equal one.
func channelSender(secret []byte, channel, from string) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(channel + "\x00" + from))
	return "gw-" + hex.EncodeToString(mac.Sum(nil))[:40]
}

// recordContact keeps the sender's phone, sealed, to reply to them.
func (x *Intake) recordContact(ctx context.Context, channel, sender, e164, phoneNumberID string, at time.Time) error {
	sealed, err := x.sealer.Seal(e164)
	if err != nil {
		return err
	}
	kel, err := x.kelurahanOfNumber(ctx, phoneNumberID)
	if err != nil {
		return err
	}
	return x.store.RecordContact(ctx, &hailurah.Contact{SenderID: sender, Channel: channel,
		PhoneSealed: sealed, PhoneNumberID: phoneNumberID, Kelurahan: kel, LastInboundAt: at})
}
