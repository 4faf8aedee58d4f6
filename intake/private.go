package intake

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/pii"
)

// privatePurpose labels the key that seals a named citizen's name and
// unmasked words (hailurah.TicketPrivate), apart from the contacts' key.
const privatePurpose = "hailurah/ticket-private/v1"

// masked is a message's words as the system keeps them: personal data
// typed into the text and the raw payload masked (pii.Mask), and what
// the sender gave before masking, sealed, unless they asked to be
// anonymous already (then it is not kept at all).
type masked struct {
	text    string
	raw     json.RawMessage
	private string // sealed hailurah.TicketPrivate; "" when there is nothing to keep
}

// mask is where every channel's words enter the system: from here on
// tickets, workflow histories, notifications, exports and logs only see
// the masked text.
func (x *Intake) mask(m Message) (masked, error) {
	out := masked{text: pii.Mask(m.Text), raw: m.Raw}
	if raw, changed := pii.MaskJSON(m.Raw, nil); changed {
		out.raw = raw
	}
	if m.Anonim != nil && *m.Anonim {
		return out, nil
	}
	p := hailurah.TicketPrivate{Name: strings.TrimSpace(m.Name)}
	if out.text != m.Text {
		p.Message = m.Text
	}
	if p.Empty() {
		return out, nil
	}
	b, err := json.Marshal(p)
	if err != nil {
		return out, err
	}
	out.private, err = x.private.Seal(string(b))
	return out, err
}

// keepPrivate keeps a new named ticket's sealed originals. The store keeps
// nothing for an anonymous ticket; a failure loses only what a reveal
// would show, never the ticket.
func (x *Intake) keepPrivate(ctx context.Context, ticketID, sealed string) {
	if sealed == "" {
		return
	}
	if err := x.store.KeepTicketPrivate(ctx, ticketID, sealed); err != nil {
		x.logger.WarnContext(ctx, "keeping a named ticket's sealed originals", "ticket", ticketID, "err", err)
	}
}

// Contact is a named citizen's contact for staff to call them back: the
// phone the ticket's messages go to, the name the channel gave and the
// first message unmasked, whichever are kept. The caller checks who may
// see it (hailurah.AuthorizeContactReveal) and audits it. Returns
// EFORBIDDEN for an anonymous ticket.
func (x *Intake) Contact(ctx context.Context, t *hailurah.Ticket) (*hailurah.CitizenContact, error) {
	if err := hailurah.RefuseAnonymous(t); err != nil {
		return nil, err
	}
	out := &hailurah.CitizenContact{}
	sealed, err := x.store.FindTicketPrivate(ctx, t.ID)
	switch hailurah.ErrorCode(err) {
	case "":
		plain, err := x.private.Open(sealed)
		if err != nil {
			return nil, err
		}
		var p hailurah.TicketPrivate
		if err := json.Unmarshal([]byte(plain), &p); err != nil {
			return nil, err
		}
		out.Name, out.Message = p.Name, p.Message
	case hailurah.ENOTFOUND:
	default:
		return nil, err
	}
	c, err := x.store.FindContact(ctx, t.SenderID)
	switch {
	case hailurah.ErrorCode(err) == hailurah.ENOTFOUND:
	case err != nil:
		return nil, err
	case c.PhoneSealed != "":
		if out.Phone, err = x.sealer.Open(c.PhoneSealed); err != nil {
			return nil, err
		}
	}
	return out, nil
}
