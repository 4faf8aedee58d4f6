// Package intake takes a citizen's message, as a channel's parser read it,
// to its ticket's workflow: it keeps the message (inbound_messages, keyed
// by its provider id, so a redelivery is a duplicate) and the sender's
// sealed contact, then decides what the message is — a new curhat, more
// words or a command for the sender's running ticket, or something to
// answer without a ticket — routes a new ticket to its kelurahan and
// starts or signals the workflow. Messages a channel acknowledged before
// handing them over wait in the inbox (inbox.go), whose shards and sweep
// run while Run does.
//
// The channels (the WhatsApp webhook and gateways, the web and kiosk form,
// Open311, the simulated phone) only parse and answer; none of them routes.
package intake

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/ratelimit"
	"github.com/hailurah/hailurah/whatsapp"
)

// Store is what intake needs of the store: inbound messages and contacts,
// the tickets it records at the start, the kelurahan it routes to, the
// outbox for answers without a ticket and notifications for the admins.
type Store interface {
	hailurah.InboundService
	hailurah.OutboxService
	hailurah.NotificationService
	hailurah.PhoneClaimService
	hailurah.TicketPrivateService
	FindContact(ctx context.Context, senderID string) (*hailurah.Contact, error)
	ListKelurahan(ctx context.Context) ([]*hailurah.Kelurahan, error)
	NextTicketID(ctx context.Context, at time.Time) (string, error)
	CreateTicket(ctx context.Context, t *hailurah.Ticket) error
	FindTicket(ctx context.Context, id string) (*hailurah.Ticket, error)
	// FindIntakeKey and ReserveIntakeKey keep the ticket a form's curhat
	// with an idempotency key starts (see Start).
	FindIntakeKey(ctx context.Context, keyHash string) (ticketID, trackingCode string, err error)
	ReserveIntakeKey(ctx context.Context, keyHash, ticketID, trackingCode string) (string, string, error)
	// FindActiveUserByPhone, MarkTicketNotificationsRead and Audit serve
	// the staff who answer by WhatsApp (staff.go).
	FindActiveUserByPhone(ctx context.Context, phone string) (*hailurah.User, error)
	MarkTicketNotificationsRead(ctx context.Context, username, ticketID string) (int, error)
	Audit(ctx context.Context, e *hailurah.AuditEntry) error
}

// Cases is what intake needs of the ticket workflows; workflows.Client
// implements it.
type Cases interface {
	// StartCurhat returns ECONFLICT when the ticket's workflow was started
	// before, EUNAVAILABLE when Temporal cannot be reached.
	StartCurhat(ctx context.Context, in hailurah.CurhatInput) error
	// SignalCitizen returns ENOTFOUND when the ticket's workflow has ended.
	SignalCitizen(ctx context.Context, ticketID string, m hailurah.CitizenMessage) error
	// ChangeContact sends the ticket's messages to a confirmed contact;
	// ENOTFOUND when the ticket's workflow has ended.
	ChangeContact(ctx context.Context, ticketID string, c hailurah.ContactChange) error
	// SawMessage reports whether the ticket's workflow took the message
	// with this provider id, also after it closed; ENOTFOUND when the
	// ticket has no workflow.
	SawMessage(ctx context.Context, ticketID, messageID string) (bool, error)
}

// Config holds what an Intake needs.
type Config struct {
	Store Store
	Cases Cases
	// Secret keys the senders' pseudonyms and seals their phone numbers
	// (HAILURAH_SECRET).
	Secret []byte
	// Policy is the SLA table new tickets start with (rules.yaml).
	Policy hailurah.SLAPolicy
	Now    func() time.Time
	Logger *slog.Logger
	// SweepEvery is how often the inbox looks for stored messages nobody
	// is handing over; 0 means every 10 seconds.
	SweepEvery time.Duration
	// Actions lets staff act on tickets by WhatsApp (staff.go); nil uses
	// Cases when it has the methods (workflows.Client does). Without
	// them, a staff member's message is read as anyone's.
	Actions Actions
}

// Message is one inbound message of any channel, as its parser read it.
type Message struct {
	// Channel is a hailurah.Channel* constant.
	Channel string
	// ProviderID is the channel's own id of the message, unique across
	// channels ("wamid.…", "gw:<user>:<id>"). Receive and Accept keep the
	// message under it and hand a redelivery over once; Start needs none
	// (a form's submission is its own ticket).
	ProviderID string
	// PhoneNumberID is the WhatsApp number the message was sent to; a
	// kelurahan's own number routes its new tickets there.
	PhoneNumberID string
	// Phone is the sender's number as the channel gave it ("6281…",
	// "0812…", "+62812…"); verified, it becomes the sender's pseudonym,
	// the one its WhatsApp messages have; unverified, a pseudonym of its
	// own that no WhatsApp message has. From names
	// a sender of a channel without phone numbers (a kiosk session, a
	// chat user) instead. Neither: an anonymous sender.
	Phone, From string
	// PhoneVerified is true when the channel vouches that the sender holds
	// Phone (WhatsApp: Meta delivers from the number; a gateway: its
	// token's owner does). Only then is the sender the phone's own (whose
	// WhatsApp messages join the ticket) and the number kept, sealed, to
	// reply to; a number typed into a form is neither, or anyone could
	// name a stranger's phone.
	PhoneVerified bool
	// Name is the sender's name as the channel gave it (WhatsApp's
	// profile name, Open311's first and last name). Only a named ticket
	// keeps it, sealed, for the audited reveal (Contact).
	Name string
	// Simulated marks the simulated phone's messages: their contact is
	// never sent to (hailurah.ContactSimulated).
	Simulated bool
	// Kind is a whatsapp.Kind* constant; "" reads as text.
	Kind     string
	Text     string
	ButtonID string
	Lat, Lng *float64
	// Media are attachments: URLs a browser can open, or
	// "whatsapp-media:<id>" for Cloud API media.
	Media []string
	// Raw is what is kept of the channel's payload, without the sender's
	// number; nil keeps the message itself.
	Raw    json.RawMessage
	SentAt time.Time

	// What the channel adds to a message that starts a ticket.
	Kelurahan string // the channel's kelurahan code or name, when it has one
	RT, RW    string // from a form's fields; the words' own RT/RW win
	// Kategori is the kategori the channel's client chose (an Open311
	// service_code): the ticket starts in it, and triage only suggests
	// the unit and urgency; a moderator can still change it. "" leaves
	// it to triage.
	Kategori         string
	Anonim, Tembusan *bool // from a form or gateway; nil leaves them to the words
	// IdempotencyKey names one submission of a form (Start): sent again
	// with the same words, it returns the first ticket instead of a new one.
	IdempotencyKey string
}

// Receipt is what became of one stored message.
type Receipt struct {
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

// Started is the ticket a message started.
type Started struct {
	TicketID     string
	TrackingCode string
	// Ack is the acknowledgement the citizen is shown.
	Ack string
	// PhoneCodeSent is true when the phone typed into the form was sent
	// the code that confirms it (ConfirmPhone).
	PhoneCodeSent bool
}

// Intake hands inbound messages over to their tickets. Create it with New;
// Run serves the inbox.
type Intake struct {
	cfg     Config
	store   Store
	cases   Cases
	actions Actions // nil: no staff commands
	logger  *slog.Logger
	now     func() time.Time
	sealer  *whatsapp.Sealer // contacts
	private *whatsapp.Sealer // named tickets' originals (hailurah.TicketPrivate)
	senders *ratelimit.Keyed // citizen messages per sender
	locks   keyedMutex       // one hand-over per sender at a time
	inbox   *inbox
}

// Rate limit of citizen messages per sender: a citizen telling a story in
// a burst of bubbles stays well inside it, a flood from one phone does not
// starve the others.
const (
	senderPerMinute = 30
	senderBurst     = 15
)

// HandOverTimeout bounds one message's hand-over. A channel runs it
// detached from its request: a client hanging up must not cut a
// hand-over in half, between starting a ticket and recording that it
// started.
const HandOverTimeout = 30 * time.Second

// New builds an Intake. It returns an error when the secret cannot seal
// contacts.
func New(cfg Config) (*Intake, error) {
	if cfg.Store == nil || cfg.Cases == nil {
		return nil, errors.New("intake: Store and Cases are required")
	}
	sealer, err := whatsapp.NewSealer(cfg.Secret)
	if err != nil {
		return nil, err
	}
	private, err := whatsapp.NewSealerFor(cfg.Secret, privatePurpose)
	if err != nil {
		return nil, err
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.SweepEvery <= 0 {
		cfg.SweepEvery = defaultSweepEvery
	}
	if cfg.Actions == nil {
		cfg.Actions, _ = cfg.Cases.(Actions)
	}
	x := &Intake{cfg: cfg, store: cfg.Store, cases: cfg.Cases, actions: cfg.Actions, logger: cfg.Logger, now: cfg.Now, sealer: sealer, private: private,
		senders: ratelimit.New(senderPerMinute, senderBurst, cfg.Now)}
	x.inbox = newInbox(x)
	return x, nil
}

// Accept keeps a message and queues it for the inbox to hand over after
// the channel has answered (the WhatsApp Cloud API webhook). Only a
// failure to keep it is an error, which asks the sender to deliver again;
// a redelivery of a message still waiting queues it again.
func (x *Intake) Accept(ctx context.Context, m Message) error {
	stored, _, err := x.keep(ctx, m)
	if err != nil {
		return err
	}
	if stored.Status == hailurah.InboundStored {
		x.inbox.enqueue(stored)
	}
	return nil
}

// Receive keeps a message and hands it over before returning, for a
// channel that shows the outcome (a gateway, the simulated phone). It
// returns an error when the message should be delivered again (the store
// or Temporal is unavailable); the message then stays stored. A duplicate's
// receipt names the ticket and tracking code the first delivery reached.
func (x *Intake) Receive(ctx context.Context, m Message) (Receipt, error) {
	stored, fresh, err := x.keep(ctx, m)
	if err != nil {
		return Receipt{}, err
	}
	rc, err := x.handOver(ctx, stored, fresh, routing{kelurahan: m.Kelurahan, anonim: m.Anonim, tembusan: m.Tembusan})
	if err != nil {
		return rc, err
	}
	if rc.Duplicate && rc.TicketID != "" {
		if t, err := x.store.FindTicket(ctx, rc.TicketID); err == nil {
			rc.TrackingCode = t.TrackingCode
		}
	}
	return rc, nil
}

// Start makes a new ticket of a form's message (the web chat, a kiosk,
// Open311): the citizen fills in a form to start one, so it is never a
// command or more words for a running ticket, and it is not kept in
// inbound_messages. Returns EINVALID (field "kelurahan") for a kelurahan
// that matches none and (field "phone") for a number that is not one.
//
// With an IdempotencyKey the ticket's id and tracking code are kept under
// the key before its workflow starts, so a client's retry after a timeout
// (or a start that failed halfway) starts that same ticket, or finds it
// running, and answers with it.
func (x *Intake) Start(ctx context.Context, m Message) (*Started, error) {
	sender, _, err := x.sender(m)
	if err != nil {
		return nil, hailurah.FieldErrorf("phone", "Nomor telepon tidak valid: tulis seperti 0812xxxxxxx atau +62812xxxxxxx.")
	}
	words, err := x.mask(m)
	if err != nil {
		return nil, err
	}
	m.Text = words.text
	in := first{Text: m.Text, Channel: m.Channel, Kelurahan: m.Kelurahan, SenderID: sender,
		RT: m.RT, RW: m.RW, Kategori: m.Kategori, Anonim: m.Anonim, Tembusan: m.Tembusan, MessageID: m.ProviderID,
		Lat: m.Lat, Lng: m.Lng, Media: m.Media, Raw: words.raw, Private: words.private}
	if m.IdempotencyKey != "" {
		if in.TicketID, in.TrackingCode, err = x.reserveKey(ctx, m, sender); err != nil {
			return nil, err
		}
		in.Keyed = true
	}
	started, err := x.startTicket(ctx, in)
	if err != nil {
		return nil, err
	}
	// The web chat and the kiosk offer the code on their tracking view;
	// an Open311 client has no such page for its citizen.
	if e164, err := whatsapp.NormalizePhone(m.Phone); err == nil && !m.PhoneVerified &&
		(m.Channel == hailurah.ChannelWeb || m.Channel == hailurah.ChannelKiosk) {
		started.PhoneCodeSent = x.claimPhone(ctx, started.TicketID, e164)
	}
	return started, nil
}

// reserveKey returns the ticket id and tracking code kept for the form's
// key, choosing them on first use. The key is kept as an HMAC of itself
// with the submission, so another citizen's key (or words) finds nothing.
func (x *Intake) reserveKey(ctx context.Context, m Message, sender string) (string, string, error) {
	mac := hmac.New(sha256.New, x.cfg.Secret)
	for _, part := range []string{"intake-key", m.IdempotencyKey, m.Channel, sender, m.Kelurahan, m.RT, m.RW, m.Text} {
		mac.Write([]byte(part))
		mac.Write([]byte{0})
	}
	hash := hex.EncodeToString(mac.Sum(nil))
	id, code, err := x.store.FindIntakeKey(ctx, hash)
	if hailurah.ErrorCode(err) != hailurah.ENOTFOUND {
		return id, code, err
	}
	if id, err = x.store.NextTicketID(ctx, x.now()); err != nil {
		return "", "", err
	}
	return x.store.ReserveIntakeKey(ctx, hash, id, hailurah.RandomCode(10))
}
