package hailurah

import (
	"context"
	"encoding/json"
	"strings"
	"time"
)

// InboundMessage is one message a citizen sent on a channel (a WhatsApp
// delivery, a gateway or kiosk post), stored before anything acts on it:
// the handler inserts it, then starts or signals the ticket, then marks it
// handed over. A redelivery of the same ProviderID finds the stored row.
type InboundMessage struct {
	ID int64 `json:"id"`
	// ProviderID is the dedupe key: Meta's "wamid.…", "gw:<user>:<id>" for
	// a gateway (GatewayIDPrefix), "dev.…" for the simulated phone.
	ProviderID string `json:"provider_id"`
	Channel    string `json:"channel"` // a Channel* constant
	// PhoneNumberID is which of our WhatsApp numbers received it; "" for
	// other channels.
	PhoneNumberID string `json:"phone_number_id,omitempty"`
	// SenderID is the pseudonym of the sender (the HMAC of their phone);
	// the number itself lives only sealed, in Contact.
	SenderID string   `json:"sender_id"`
	Kind     string   `json:"kind"` // whatsapp.Kind*: "text", "image", "location", "button"…
	Text     string   `json:"text"`
	ButtonID string   `json:"button_id,omitempty"`
	Lat      *float64 `json:"lat,omitempty"`
	Lng      *float64 `json:"lng,omitempty"`
	// Media are http(s) URLs from a gateway, or "whatsapp-media:<id>" for
	// a Cloud API attachment (fetched with the token when needed).
	Media []string `json:"media,omitempty"`
	// Raw is the message as received, without the sender's phone number.
	Raw        json.RawMessage `json:"raw,omitempty"`
	SentAt     time.Time       `json:"sent_at"` // by the provider's clock
	ReceivedAt time.Time       `json:"received_at"`
	TicketID   string          `json:"ticket_id,omitempty"`
	Status     string          `json:"status"` // an Inbound* constant
	// Note says why a message was answered without a ticket, ignored,
	// throttled or failed.
	Note      string    `json:"note,omitempty"`
	Attempts  int       `json:"attempts"` // hand-overs tried
	UpdatedAt time.Time `json:"updated_at"`
	// PrivateSealed is what the sender gave before intake masked it (their
	// name, the unmasked text), sealed, until the message is handed over:
	// a named ticket it starts keeps it (TicketPrivate), nothing else does.
	PrivateSealed string `json:"-"`
}

// Statuses of an inbound message.
const (
	InboundStored    = "stored"    // stored, not yet handed over (a redelivery retries)
	InboundDelivered = "delivered" // handed to the ticket's workflow (started or signalled)
	InboundAnswered  = "answered"  // answered without a ticket (please write text; no ticket running)
	InboundIgnored   = "ignored"   // nothing to act on (a reaction)
	InboundThrottled = "throttled" // over the sender's rate limit: kept, not handed over
	InboundFailed    = "failed"    // refused for good (invalid for a ticket); kept for staff
)

// InboundStatuses lists every inbound status.
// GatewayIDPrefix starts the ProviderID of a gateway's message.
const GatewayIDPrefix = "gw:"

var InboundStatuses = []string{InboundStored, InboundDelivered, InboundAnswered, InboundIgnored, InboundThrottled, InboundFailed}

// Contact is how the system can reply to a sender: their phone number,
// sealed (AES-GCM) so a leaked database lists no citizen's number. The
// WhatsApp profile name is never stored: replying does not need it, and it
// would identify anonymous reporters.
type Contact struct {
	SenderID string `json:"sender_id"`
	Channel  string `json:"channel"`
	// PhoneSealed is whatsapp.Sealer.Seal of the E.164 number; "" once the
	// retention period purged it.
	PhoneSealed string `json:"-"`
	// PhoneNumberID is our number the sender last wrote to; replies go out
	// from it, so a kelurahan with its own number answers from that number.
	PhoneNumberID string `json:"phone_number_id,omitempty"`
	// Kelurahan is the code of the kelurahan owning PhoneNumberID; "" for
	// the city's shared number.
	Kelurahan string `json:"kelurahan,omitempty"`
	// LastInboundAt opens WhatsApp's 24-hour window for free-form replies.
	LastInboundAt time.Time  `json:"last_inbound_at"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
	DeletedAt     *time.Time `json:"deleted_at,omitempty"` // purged by retention
}

// InboundService stores what citizens send and who to answer.
type InboundService interface {
	// StoreInbound inserts m unless a message with its ProviderID exists.
	// It sets m.ID, m.Status (InboundStored), m.ReceivedAt and returns
	// created=true; for an existing ProviderID it stores nothing, fills m
	// from the stored row (whatever m held) and returns created=false.
	// Returns EINVALID for an empty ProviderID, Channel, SenderID or Kind,
	// or a field too long or not valid UTF-8.
	StoreInbound(ctx context.Context, m *InboundMessage) (created bool, err error)
	// ClaimInbound takes a stored message for one hand-over, so that of
	// two servers receiving the same redelivery only one acts on it. It
	// reports false when the message is no longer stored, or another
	// claim newer than staleBefore holds it. Returns ENOTFOUND for an
	// unknown ProviderID.
	ClaimInbound(ctx context.Context, providerID string, staleBefore time.Time) (bool, error)
	// ReleaseInbound gives a claim up after a hand-over that failed for
	// now; the next delivery retries at once.
	ReleaseInbound(ctx context.Context, providerID string) error
	// ReserveInboundTicket records, while the message is still stored,
	// the id of the ticket a hand-over is about to start. A retry after a
	// crash between starting the ticket and marking the message reuses the
	// id, so it learns the ticket runs instead of starting a second one.
	// Returns ENOTFOUND unless the message is stored.
	ReserveInboundTicket(ctx context.Context, providerID, ticketID string) error
	// MarkInbound records the outcome of a hand-over: status (an Inbound*
	// constant), the ticket it reached ("" keeps the stored one) and a
	// note; attempts grows by one and the claim ends. Returns ENOTFOUND
	// for an unknown ProviderID and EINVALID for an unknown status.
	MarkInbound(ctx context.Context, providerID, status, ticketID, note string) error
	// FindInbound returns ENOTFOUND for an unknown ProviderID.
	FindInbound(ctx context.Context, providerID string) (*InboundMessage, error)
	// ListInboundBySender returns the sender's newest messages, oldest
	// first; limit is 1–500, 0 means 100.
	ListInboundBySender(ctx context.Context, senderID string, limit int) ([]*InboundMessage, error)
	// ListStoredInbound returns the messages still waiting to be handed
	// over (status stored), oldest first: received before receivedBefore,
	// unclaimed or claimed before staleBefore, and not a gateway's (those
	// are handed over while their gateway waits, and sent again by it);
	// limit is 1–500, 0 means 100. Intake's inbox sweeps them up after
	// a crash or a hand-over that failed for now.
	ListStoredInbound(ctx context.Context, receivedBefore, staleBefore time.Time, limit int) ([]*InboundMessage, error)
	// EarlierStoredInbound reports whether the sender has a message stored
	// before the one with id that is still waiting to be handed over
	// (claimed or not): the later one must wait, so that one sender's
	// messages reach their ticket in the order they came.
	EarlierStoredInbound(ctx context.Context, senderID string, id int64) (bool, error)

	// RecordContact creates or refreshes the contact of c.SenderID: the
	// sealed phone, number and kelurahan are replaced, LastInboundAt only
	// moves forward, and a purged contact is restored. Returns EINVALID
	// for an empty SenderID, Channel or PhoneSealed, or an unknown
	// kelurahan.
	RecordContact(ctx context.Context, c *Contact) error
	// FindContact returns ENOTFOUND if the sender has no contact, or it was
	// purged.
	FindContact(ctx context.Context, senderID string) (*Contact, error)

	// LatestTicketOfSender returns the sender's newest ticket by time
	// received, whatever its status. Returns ENOTFOUND if there is none.
	LatestTicketOfSender(ctx context.Context, senderID string) (*Ticket, error)
}

// Statuses of an outbox row, from queued to read.
const (
	OutboxStatusPending   = "pending"   // waiting for the relay (or, without WhatsApp credentials, for the simulated phone)
	OutboxStatusSending   = "sending"   // claimed by a relay
	OutboxStatusSent      = "sent"      // accepted by the provider
	OutboxStatusDelivered = "delivered" // on the citizen's phone
	OutboxStatusRead      = "read"
	OutboxStatusFailed    = "failed" // given up; moderators are notified
	// OutboxStatusPosted marks a message of a channel without a messenger (web,
	// kiosk, Open311): the citizen reads it on the tracking page.
	OutboxStatusPosted = "posted"
)

// OutboxDelivery is an outbox row as the relay and the simulated phone see
// it: the message and how its sending went.
type OutboxDelivery struct {
	OutboxMessage
	Status            string     `json:"status"` // an Outbox* status
	ProviderMessageID string     `json:"provider_message_id,omitempty"`
	NextAttemptAt     *time.Time `json:"next_attempt_at,omitempty"`
	DeliveredAt       *time.Time `json:"delivered_at,omitempty"`
	ReadAt            *time.Time `json:"read_at,omitempty"`
	// SentAs is how the relay sent it: "text", "buttons" or
	// "template:<name>".
	SentAs string `json:"sent_as,omitempty"`
}

// RelayService is the outbox as the relay works it.
type RelayService interface {
	// ClaimOutbox marks up to limit pending, due rows of the channels as
	// sending and returns them in id order. A recipient's messages go out
	// in order: a row is not claimed while an older one of the same
	// recipient is pending or sending. Each row is claimed by one caller
	// only, even when several relays run. limit is 1–100.
	ClaimOutbox(ctx context.Context, channels []string, limit int) ([]*OutboxDelivery, error)
	// MarkOutboxSent records a send the provider accepted. sentAs is
	// "text", "buttons" or "template:<name>". Returns ENOTFOUND unless the
	// row is sending.
	MarkOutboxSent(ctx context.Context, id int64, providerMessageID, sentAs string) error
	// RetryOutbox puts a sending row back to pending until at, counting
	// the attempt and keeping the error. Returns ENOTFOUND unless the row
	// is sending.
	RetryOutbox(ctx context.Context, id int64, at time.Time, lastError string) error
	// FailOutbox gives a pending or sending row up, counting the attempt.
	// Returns ENOTFOUND unless the row is pending or sending.
	FailOutbox(ctx context.Context, id int64, lastError string) (*OutboxDelivery, error)
	// PostOutbox marks every pending row of the channels posted (they are
	// read on the tracking page) and returns how many.
	PostOutbox(ctx context.Context, channels []string) (int, error)
	// MarkOutboxPosted marks one sending row posted instead of sent: it is
	// read where it was queued (the simulated phone), not delivered by the
	// provider. Returns ENOTFOUND unless the row is sending.
	MarkOutboxPosted(ctx context.Context, id int64, sentAs string) error
	// ExpireSending fails rows claimed before the cutoff and never marked:
	// a relay died mid-send, so whether the provider got the message is
	// unknown, and sending again might send twice. Returns the rows.
	ExpireSending(ctx context.Context, claimedBefore time.Time) ([]*OutboxDelivery, error)
	// UpdateOutboxStatus applies a provider's status report (an OutboxStatus*
	// status: sent, delivered, read or failed) to the row it sent. Reports
	// arrive out of order, so a status never moves back (read stays read);
	// failed is final. changed reports whether the row moved. Returns
	// ENOTFOUND when no row has the provider id, EINVALID for another
	// status.
	UpdateOutboxStatus(ctx context.Context, providerMessageID, status string, at time.Time, detail string) (d *OutboxDelivery, changed bool, err error)
	// ListOutboxByRecipient returns the recipient's messages with id >
	// afterID, oldest first; limit is 1–500, 0 means 200.
	ListOutboxByRecipient(ctx context.Context, recipient string, afterID int64, limit int) ([]*OutboxDelivery, error)
}

// ContactSimulated is the channel of a contact the simulated phone (dev
// mode) created: the relay never sends to it, even with WhatsApp
// credentials, since whoever typed the number may not own it.
const ContactSimulated = "simulated"

// Outbox kinds the channels send without a ticket's workflow.
const (
	OutboxAskText  = "ask_text"  // audio, a sticker, a photo without text: please write
	OutboxNoTicket = "no_ticket" // a command, but no ticket of this sender is running
)

// Kinds of staff notifications about the channels.
const (
	// NotifyDeliveryFailed tells moderators a message to a citizen could
	// not be sent, so they reach the citizen another way.
	NotifyDeliveryFailed = "delivery_failed"
	// NotifyInboundFailed tells admins a citizen's message could not
	// become a ticket; it stays stored with the reason.
	NotifyInboundFailed = "inbound_failed"
)

// ReplyButton is a quick-reply button offered with a message; a tap comes
// back as a message carrying its ID.
type ReplyButton struct {
	ID    string `json:"id"`
	Title string `json:"title"` // at most 20 characters (WhatsApp's limit)
}

// Reply buttons and the command each stands for.
const (
	ButtonAnonimYa      = "anonim_ya"
	ButtonAnonimTidak   = "anonim_tidak"
	ButtonTembusanYa    = "tembusan_ya"
	ButtonTembusanTidak = "tembusan_tidak"
	ButtonLanjut        = "lanjut"
	ButtonSesudah       = "sesudah"
	ButtonBelum         = "belum"
	ButtonMintaDraft    = "minta_draft"
	ButtonStatus        = "status"
)

var buttonCommands = map[string]string{
	ButtonAnonimYa:      "ANONIM YA",
	ButtonAnonimTidak:   "ANONIM TIDAK",
	ButtonTembusanYa:    "TEMBUSAN YA",
	ButtonTembusanTidak: "TEMBUSAN TIDAK",
	ButtonLanjut:        "LANJUT",
	ButtonSesudah:       "SESUDAH",
	ButtonBelum:         "BELUM",
	ButtonMintaDraft:    "MINTA DRAFT",
	ButtonStatus:        "STATUS",
}

// ButtonCommand returns the command text a reply button stands for, as the
// citizen would have typed it ("ANONIM YA"). ok is false for an id this
// system never sent; the caller then uses the button's title.
func ButtonCommand(id string) (text string, ok bool) {
	text, ok = buttonCommands[strings.ToLower(strings.TrimSpace(id))]
	return text, ok
}

// ButtonsFor returns the quick replies offered with a citizen message of
// an outbox kind (at most three, WhatsApp's limit): the ACK's choices,
// SESUDAH/BELUM with the confirmation question, the follow-ups after the
// AI reply. Nil for kinds without buttons.
func ButtonsFor(kind string) []ReplyButton {
	switch kind {
	case OutboxAck:
		// TIDAK is the default of both flags, so only YA needs a button.
		return []ReplyButton{{ButtonAnonimYa, "ANONIM YA"}, {ButtonTembusanYa, "TEMBUSAN YA"}, {ButtonLanjut, "LANJUT"}}
	case OutboxReply:
		return []ReplyButton{{ButtonMintaDraft, "MINTA DRAFT"}, {ButtonSesudah, "SESUDAH"}, {ButtonStatus, "STATUS"}}
	case OutboxConfirm, OutboxConfirmReminder:
		return []ReplyButton{{ButtonSesudah, "SESUDAH"}, {ButtonBelum, "BELUM"}}
	}
	return nil
}
