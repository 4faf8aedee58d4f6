package hailurah

import (
	"context"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"
)

// TicketStatus is where a curhat ticket is in its process. The workflow is
// the source of truth; the store keeps a projection for queues and reports.
type TicketStatus string

const (
	StatusNew                  TicketStatus = "new"                   // received, triage running
	StatusOpen                 TicketStatus = "open"                  // awaiting a moderator
	StatusAssigned             TicketStatus = "assigned"              // to a dinas unit
	StatusInProgress           TicketStatus = "in_progress"           // the unit accepted
	StatusAwaitingConfirmation TicketStatus = "awaiting_confirmation" // citizen asked SESUDAH/BELUM
	StatusResolved             TicketStatus = "resolved"
	StatusClosed               TicketStatus = "closed"   // auto-closed without an answer
	StatusRejected             TicketStatus = "rejected" // spam or duplicate
)

// TicketStatuses lists every status in process order.
var TicketStatuses = []TicketStatus{
	StatusNew, StatusOpen, StatusAssigned, StatusInProgress,
	StatusAwaitingConfirmation, StatusResolved, StatusClosed, StatusRejected,
}

// Final reports whether no further action can change the status.
// A resolved ticket is final for staff, though a citizen's late BELUM is
// recorded as a new message.
func (s TicketStatus) Final() bool {
	return s == StatusResolved || s == StatusClosed || s == StatusRejected
}

// Valid reports whether s is a known status.
func (s TicketStatus) Valid() bool {
	for _, x := range TicketStatuses {
		if s == x {
			return true
		}
	}
	return false
}

// Label is the status's name in Bahasa Indonesia.
func (s TicketStatus) Label() string {
	switch s {
	case StatusNew:
		return "Baru"
	case StatusOpen:
		return "Menunggu verifikasi"
	case StatusAssigned:
		return "Diteruskan ke dinas"
	case StatusInProgress:
		return "Sedang dikerjakan"
	case StatusAwaitingConfirmation:
		return "Menunggu konfirmasi warga"
	case StatusResolved:
		return "Selesai"
	case StatusClosed:
		return "Ditutup"
	case StatusRejected:
		return "Ditolak"
	}
	return string(s)
}

// Kategori codes: exactly these, in this order.
const (
	KategoriLingkungan    = "lingkungan"
	KategoriInfrastruktur = "infrastruktur"
	KategoriKesehatan     = "kesehatan"
	KategoriSosial        = "sosial"
	KategoriEkonomi       = "ekonomi"
	KategoriPendidikan    = "pendidikan"
	KategoriKeamanan      = "keamanan"
	KategoriBencana       = "bencana"
	KategoriAdministrasi  = "administrasi"
	KategoriLainnya       = "lainnya"
)

// Kategoris lists every kategori code.
var Kategoris = []string{
	KategoriLingkungan, KategoriInfrastruktur, KategoriKesehatan, KategoriSosial,
	KategoriEkonomi, KategoriPendidikan, KategoriKeamanan, KategoriBencana,
	KategoriAdministrasi, KategoriLainnya,
}

// ValidKategori reports whether k is a known kategori code.
func ValidKategori(k string) bool {
	for _, x := range Kategoris {
		if k == x {
			return true
		}
	}
	return false
}

// Severity follows the seed's curhat_messages.severity.
const (
	SeverityLow      = "Low"
	SeverityMedium   = "Medium"
	SeverityHigh     = "High"
	SeverityCritical = "Critical"
)

// Staff actions on a ticket. All of them reach the workflow through one
// validated update, so the HTTP API maps POST /tickets/{id}/actions 1:1.
const (
	// Moderator (and lurah, admin) actions.
	ActionVerify       = "verify"        // confirm the triage, optionally correcting kategori/urgency/unit
	ActionReply        = "reply"         // free text to the citizen
	ActionAssign       = "assign"        // hand the ticket to a dinas unit
	ActionResolve      = "resolve"       // advice given, no dinas needed
	ActionReject       = "reject"        // spam or duplicate
	ActionNote         = "note"          // internal note, never sent to the citizen
	ActionSetKelurahan = "set_kelurahan" // route a ticket from the city queue (or a wrong kelurahan)

	// Dinas (officers of the assigned unit, and admin) actions.
	ActionAccept   = "accept"   // the unit takes the task
	ActionProgress = "progress" // progress note
	ActionDone     = "done"     // work finished; the citizen is asked to confirm
	ActionReturn   = "return"   // wrong unit: back to the moderators
)

// Actions lists every staff action.
var Actions = []string{
	ActionVerify, ActionReply, ActionAssign, ActionResolve, ActionReject, ActionNote,
	ActionSetKelurahan, ActionAccept, ActionProgress, ActionDone, ActionReturn,
}

// DinasAction reports whether action belongs to the officers of the assigned
// unit rather than to the kelurahan's moderators.
func DinasAction(action string) bool {
	switch action {
	case ActionAccept, ActionProgress, ActionDone, ActionReturn:
		return true
	}
	return false
}

// Actor is the staff user performing an action, as the server authenticated
// them. It travels with the request so the workflow can check what this
// user may do with this ticket.
type Actor struct {
	Username  string `json:"username"`
	Role      Role   `json:"role"`
	Kelurahan string `json:"kelurahan,omitempty"`
	Unit      string `json:"unit,omitempty"`
	// Signature is the server's HMAC of the fields above and the workflow
	// acted on (workflows.SignActor): a workflow refuses an actor that
	// anyone reaching the Temporal frontend could have written.
	Signature string `json:"signature,omitempty"`
}

// ActorOf returns the Actor for a logged-in user.
func ActorOf(u *User) Actor {
	return Actor{Username: u.Username, Role: u.Role, Kelurahan: u.Kelurahan, Unit: u.Unit}
}

// MaxActionText bounds an action's text and reason, on every channel
// staff act through (the web, WhatsApp).
const MaxActionText = 4000

// ActionRequest is one staff action on a ticket. Which fields matter depends
// on Action; Validate checks them. The server must fill Actor from the
// session, never from the request body.
type ActionRequest struct {
	Action      string     `json:"action"`
	Actor       Actor      `json:"actor"`
	Kategori    string     `json:"kategori,omitempty"`    // verify: correction
	Subkategori string     `json:"subkategori,omitempty"` // verify: correction
	Urgency     int        `json:"urgency,omitempty"`     // verify: correction, 1–5
	Unit        string     `json:"unit,omitempty"`        // verify: suggested unit; assign: required
	DueAt       *time.Time `json:"due_at,omitempty"`      // assign: overrides the dinas SLA
	Text        string     `json:"text,omitempty"`        // reply, resolve (advice), note, progress, done
	Reason      string     `json:"reason,omitempty"`      // reject, return
	DuplicateOf string     `json:"duplicate_of,omitempty"`
	Kelurahan   string     `json:"kelurahan,omitempty"` // set_kelurahan: kelurahan code
	Evidence    []string   `json:"evidence,omitempty"`  // done: photo/document URLs
	// IdempotencyKey names one attempt of the user's: the server sends it as
	// the Update's id, never in its payload, so a repeat gets the first
	// answer instead of acting twice. Empty: every request acts.
	IdempotencyKey string `json:"-"`
}

// Validate checks that the request is complete for its action. It does not
// check the ticket's status or whether the actor may act; the workflow does,
// because only it knows the current state. Returns EINVALID.
func (r *ActionRequest) Validate() error {
	if !validAction(r.Action) {
		return FieldErrorf("action", "Aksi %q tidak dikenal.", r.Action)
	}
	for _, f := range []struct{ name, value string }{{"text", r.Text}, {"reason", r.Reason}} {
		if utf8.RuneCountInString(f.value) > MaxActionText {
			return FieldErrorf(f.name, "Teks terlalu panjang (maks. %d karakter).", MaxActionText)
		}
	}
	if r.Actor.Username == "" || !r.Actor.Role.Valid() {
		return FieldErrorf("actor", "Pelaku aksi tidak dikenal.")
	}
	switch r.Action {
	case ActionVerify:
		if r.Kategori != "" && !ValidKategori(r.Kategori) {
			return FieldErrorf("kategori", "Kategori %q tidak dikenal.", r.Kategori)
		}
		if r.Urgency != 0 && (r.Urgency < 1 || r.Urgency > 5) {
			return FieldErrorf("urgency", "Urgensi harus antara 1 dan 5.")
		}
	case ActionAssign:
		if r.Unit == "" {
			return FieldErrorf("unit", "Unit dinas wajib dipilih.")
		}
	case ActionReply, ActionResolve, ActionNote, ActionProgress, ActionDone:
		if strings.TrimSpace(r.Text) == "" {
			return FieldErrorf("text", "Teks wajib diisi.")
		}
	case ActionReject, ActionReturn:
		if strings.TrimSpace(r.Reason) == "" {
			return FieldErrorf("reason", "Alasan wajib diisi.")
		}
	case ActionSetKelurahan:
		if r.Kelurahan == "" {
			return FieldErrorf("kelurahan", "Kelurahan wajib dipilih.")
		}
	}
	return nil
}

func validAction(a string) bool {
	for _, x := range Actions {
		if a == x {
			return true
		}
	}
	return false
}

// CitizenMessage is one message from the citizen on any channel. The first
// starts the ticket; later ones are signalled to its workflow.
type CitizenMessage struct {
	// ID is the provider's message id; a redelivered message with the same
	// id is handled once.
	ID      string    `json:"id"`
	At      time.Time `json:"at"`
	Text    string    `json:"text"`
	Channel string    `json:"channel"` // ChannelWhatsApp, ChannelWeb, ChannelKiosk, ChannelOpen311
	Lat     *float64  `json:"lat,omitempty"`
	Lng     *float64  `json:"lng,omitempty"`
	Media   []string  `json:"media,omitempty"`
	// Voice marks a voice note without words of its own (Media[0] is the
	// audio): the ticket's workflow transcribes it, or asks for text.
	Voice bool `json:"voice,omitempty"`
}

// Channels a curhat arrives on, as in the seed's curhat_messages.channel.
const (
	ChannelWhatsApp = "whatsapp"
	ChannelWeb      = "web"
	ChannelKiosk    = "kiosk"
	ChannelOpen311  = "open311"
)

// CurhatInput starts a ticket's workflow. The server fills it from the first
// message after routing it to a kelurahan.
type CurhatInput struct {
	TicketID     string `json:"ticket_id"`     // "HL-2026-000123"
	TrackingCode string `json:"tracking_code"` // random, for the public tracking page
	// Kelurahan is the kelurahan code; "" puts the ticket in the city triage
	// queue until a moderator routes it (ActionSetKelurahan).
	Kelurahan     string `json:"kelurahan"`
	KelurahanName string `json:"kelurahan_name"`
	Channel       string `json:"channel"`
	SenderID      string `json:"sender_id"` // phone hash or anonymous id; the messenger resolves the contact
	// Anonim and Tembusan are nil when the citizen has not said; the
	// message's own ANONIM:/TEMBUSAN: lines are used then, else false.
	Anonim   *bool  `json:"anonim,omitempty"`
	Tembusan *bool  `json:"tembusan,omitempty"`
	RT       string `json:"rt,omitempty"`
	RW       string `json:"rw,omitempty"`
	// Kategori is the kategori the citizen's client chose (an Open311
	// service_code); the ticket starts in it and triage does not replace
	// it. "" leaves the kategori to triage.
	Kategori string         `json:"kategori,omitempty"`
	First    CitizenMessage `json:"first"`
	// Policy is the SLA table in force when the ticket started; a running
	// ticket keeps it even when rules.yaml changes.
	Policy SLAPolicy `json:"policy"`

	// Resume is set by the workflow itself when it continues as new, and by
	// workflows.ResumeCurhat for a ticket recorded before its workflow
	// starts: the workflow's private state, opaque to every other package.
	// Other callers leave it nil.
	Resume json.RawMessage `json:"resume,omitempty"`
}

// TicketState is the live state of a ticket as its workflow holds it: what
// the state query and every staff action return.
type TicketState struct {
	TicketID      string       `json:"ticket_id"`
	TrackingCode  string       `json:"tracking_code"`
	Kelurahan     string       `json:"kelurahan"` // "" = city triage queue
	KelurahanName string       `json:"kelurahan_name,omitempty"`
	Channel       string       `json:"channel"`
	RT            string       `json:"rt,omitempty"`
	RW            string       `json:"rw,omitempty"`
	Status        TicketStatus `json:"status"`
	ReceivedAt    time.Time    `json:"received_at"`
	UpdatedAt     time.Time    `json:"updated_at"`

	// Triage, as corrected by the moderator's verify.
	Triaged        bool    `json:"triaged"` // false while triage runs, or when it failed
	Summary        string  `json:"summary,omitempty"`
	Kategori       string  `json:"kategori,omitempty"`
	Subkategori    string  `json:"subkategori,omitempty"`
	Urgency        int     `json:"urgency,omitempty"`
	Severity       string  `json:"severity,omitempty"`
	SuggestedUnit  string  `json:"suggested_unit,omitempty"`
	PeopleAffected int     `json:"people_affected,omitempty"`
	Sentiment      float64 `json:"sentiment"`
	ModelVersion   string  `json:"model_version,omitempty"`

	Verified   bool       `json:"verified"`
	VerifiedBy string     `json:"verified_by,omitempty"`
	Unit       string     `json:"unit,omitempty"` // assigned dinas unit
	AssignedAt *time.Time `json:"assigned_at,omitempty"`

	Anonim    bool `json:"anonim"`
	Tembusan  bool `json:"tembusan"`
	Escalated bool `json:"escalated"`

	ModeratorDue         *time.Time `json:"moderator_due,omitempty"`
	DinasDue             *time.Time `json:"dinas_due,omitempty"`
	ModeratorBreached    bool       `json:"moderator_breached"`
	DinasBreached        bool       `json:"dinas_breached"`
	ModeratorBreachLevel int        `json:"moderator_breach_level"`
	DinasBreachLevel     int        `json:"dinas_breach_level"`

	ConfirmAskedAt *time.Time `json:"confirm_asked_at,omitempty"`
	ResolvedAt     *time.Time `json:"resolved_at,omitempty"`
	ClosedAt       *time.Time `json:"closed_at,omitempty"`
	ReopenedCount  int        `json:"reopened_count"`
	Rating         int        `json:"rating,omitempty"` // 1–5, 0 = not rated
	RejectReason   string     `json:"reject_reason,omitempty"`
	DuplicateOf    string     `json:"duplicate_of,omitempty"`
	// FinalAction is the seed's final_action_taken: FinalActionAdvice or
	// FinalActionReferred once a moderator decided.
	FinalAction string `json:"final_action,omitempty"`

	// LastCitizenMessageAt opens WhatsApp's 24-hour window for free-form
	// messages; later ones must use an approved template.
	LastCitizenMessageAt time.Time `json:"last_citizen_message_at"`
	MessagesCount        int       `json:"messages_count"`
	// Version grows with every change; projections carry it so the store
	// can ignore a stale write that a retry delivered late.
	Version int64 `json:"version"`
}

// The seed's final_action_taken values.
const (
	FinalActionAdvice   = "advice_sent"
	FinalActionReferred = "referred"
)

// Ticket is the store's projection of a ticket, close to the seed's
// curhat_messages table. The workflow writes it at every transition;
// queues, dashboards and exports read it.
type Ticket struct {
	ID               string    `json:"id"` // "HL-2026-000123"
	TrackingCode     string    `json:"tracking_code"`
	DatetimeReceived time.Time `json:"datetime_received"`
	Channel          string    `json:"channel"`
	SenderID         string    `json:"sender_id"`
	// Kelurahan is the code; kecamatan and kota follow from it.
	Kelurahan   string `json:"kelurahan"`
	RT          string `json:"rt,omitempty"`
	RW          string `json:"rw,omitempty"`
	MessageText string `json:"message_text"`

	Summary                 string       `json:"summary"`
	Kategori                string       `json:"kategori"`
	Subkategori             string       `json:"subkategori"`
	UrgencyScore            int          `json:"urgency_score"`
	Severity                string       `json:"severity"`
	EstimatedPeopleAffected int          `json:"estimated_people_affected"`
	SuggestedResponseType   string       `json:"suggested_response_type"` // "A", "B", "C"
	SuggestedUnit           string       `json:"suggested_unit"`
	AssignedUnit            string       `json:"assigned_unit"`
	EscalationFlag          bool         `json:"escalation_flag"`
	TembusanFlag            bool         `json:"tembusan_flag"`
	PrivacyFlag             bool         `json:"privacy_flag"` // anonim
	Lat                     *float64     `json:"lat,omitempty"`
	Lng                     *float64     `json:"lng,omitempty"`
	SentimentScore          float64      `json:"sentiment_score"`
	ModelVersion            string       `json:"processed_by_model_version"`
	FinalActionTaken        string       `json:"final_action_taken,omitempty"`
	Status                  TicketStatus `json:"status"`
	// RawPayload is the first message as received, JSON.
	RawPayload json.RawMessage `json:"raw_payload,omitempty"`

	ModeratorDue         *time.Time `json:"moderator_due,omitempty"`
	DinasDue             *time.Time `json:"dinas_due,omitempty"`
	ModeratorBreached    bool       `json:"moderator_breached"`
	DinasBreached        bool       `json:"dinas_breached"`
	ModeratorBreachLevel int        `json:"moderator_breach_level"`
	DinasBreachLevel     int        `json:"dinas_breach_level"`
	Verified             bool       `json:"verified"`
	ReopenedCount        int        `json:"reopened_count"`
	Rating               int        `json:"rating,omitempty"`
	RejectReason         string     `json:"reject_reason,omitempty"`
	DuplicateOf          string     `json:"duplicate_of,omitempty"`
	LastCitizenMessageAt time.Time  `json:"last_citizen_message_at"`
	MessagesCount        int        `json:"messages_count"`
	AssignedAt           *time.Time `json:"assigned_at,omitempty"`
	ResolvedAt           *time.Time `json:"resolved_at,omitempty"`
	ClosedAt             *time.Time `json:"closed_at,omitempty"` // closed or rejected

	// Version is TicketState.Version at the time of the write.
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// TicketEvent is one row of a ticket's timeline: a transition, a staff
// action, a citizen message or a system event (breach, reminder).
type TicketEvent struct {
	// Key identifies the event across retries and continue-as-new:
	// "<ticket id>/<run id>/<seq>" (the run, so that a run started by a
	// reset writes its own events). The store inserts each key once.
	Key      string       `json:"key"`
	TicketID string       `json:"ticket_id"`
	Seq      int          `json:"seq"`
	At       time.Time    `json:"at"`
	Type     string       `json:"type"`  // an Action*, or an Event* constant
	Actor    string       `json:"actor"` // username, ActorSystem or ActorCitizen
	Role     Role         `json:"role,omitempty"`
	From     TicketStatus `json:"from"`
	To       TicketStatus `json:"to"`
	Note     string       `json:"note,omitempty"`
	// Attachments are evidence URLs (done) or the citizen's media.
	Attachments []string `json:"attachments,omitempty"`
}

// Event types other than staff actions (which use the Action* names).
const (
	EventCreated      = "created"
	EventTriaged      = "triaged"
	EventTriageFailed = "triage_failed"
	// EventTranscribed follows the citizen's message whose words were
	// transcribed from the voice note in its Attachments.
	EventTranscribed      = "transcribed"
	EventEscalated        = "escalated"
	EventModeratorBreach  = "moderator_breach"
	EventDinasBreach      = "dinas_breach"
	EventConfirmReminder  = "confirm_reminder"
	EventAutoClosed       = "auto_closed"
	EventCitizenMessage   = "citizen_message"
	EventCitizenConfirmed = "citizen_confirmed" // SESUDAH
	EventCitizenReopened  = "citizen_reopened"  // BELUM
	EventRated            = "rated"
	EventFlags            = "flags" // ANONIM / TEMBUSAN changed
	EventDraftSent        = "draft_sent"
	// EventCancelled closes a ticket whose workflow an operator cancelled
	// (the Temporal UI or CLI): nobody resolved it, nothing waits for it.
	EventCancelled = "cancelled"
)

// Actor names of events no staff user caused.
const (
	ActorSystem  = "system"
	ActorCitizen = "warga"
)

// OutboxMessage is one message to a citizen, waiting for the messenger.
type OutboxMessage struct {
	ID int64 `json:"id"`
	// IdempotencyKey is "<ticket id>/<run id>/<kind>/<seq>": an activity that retries
	// enqueues the same key, and the message is sent once.
	IdempotencyKey string `json:"idempotency_key"`
	TicketID       string `json:"ticket_id"`
	Channel        string `json:"channel"`
	Recipient      string `json:"recipient"` // the ticket's SenderID
	Kind           string `json:"kind"`      // an Outbox* constant
	Text           string `json:"text"`
	// Template names the approved WhatsApp template to use because the
	// citizen's 24-hour window has closed; "" sends Text free-form.
	Template string `json:"template,omitempty"`
	// TemplateParams are Template's parameters when the message carries
	// its own (a staff notice); none: the relay derives them from Kind.
	TemplateParams []string `json:"template_params,omitempty"`
	// Image is the reference of a photo the message carries (a unit's
	// evidence: "/bukti/<ticket>/<file>" or "whatsapp-media:<id>"); the
	// relay sends it by a signed link. "" for none.
	Image     string     `json:"image,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	SentAt    *time.Time `json:"sent_at,omitempty"`
	Attempts  int        `json:"attempts"`
	LastError string     `json:"last_error,omitempty"`
}

// Kinds of outbound citizen messages.
const (
	OutboxAck             = "ack"
	OutboxReply           = "reply"       // the AI reply
	OutboxStaffReply      = "staff_reply" // a moderator's reply or advice
	OutboxStatus          = "status"      // answer to STATUS, or a status change
	OutboxDraft           = "draft"       // MINTA DRAFT
	OutboxFlags           = "flags"       // ANONIM / TEMBUSAN noted
	OutboxConfirm         = "confirm"     // SESUDAH / BELUM?
	OutboxConfirmReminder = "confirm_reminder"
	OutboxRatingQuestion  = "rating_question"
	OutboxRatingThanks    = "rating_thanks"
	OutboxReopened        = "reopened"
	OutboxClosed          = "closed"
	OutboxRejected        = "rejected"
)

// Audience names who receives a staff notification, resolved to users when
// it is stored. Exactly one form is valid:
//   - Role lurah or moderator with Kelurahan: that kelurahan's lurah or moderators;
//   - Role dinas with Unit: the unit's officers;
//   - Role admin alone: every admin.
type Audience struct {
	Role      Role   `json:"role"`
	Kelurahan string `json:"kelurahan,omitempty"`
	Unit      string `json:"unit,omitempty"`
}

// Notification is an in-app message to staff.
type Notification struct {
	ID int64 `json:"id"`
	// IdempotencyKey is unique per event and audience; a retried activity
	// stores nothing new.
	IdempotencyKey string     `json:"idempotency_key"`
	To             Audience   `json:"to"`
	Username       string     `json:"username,omitempty"` // the recipient, set by the store
	TicketID       string     `json:"ticket_id,omitempty"`
	Kind           string     `json:"kind"` // a Notify* constant
	Title          string     `json:"title"`
	Body           string     `json:"body"`
	Link           string     `json:"link,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	ReadAt         *time.Time `json:"read_at,omitempty"`
}

// Kinds of staff notifications.
const (
	NotifyEscalation      = "escalation" // the seed's [NOTIF] to the lurah
	NotifyTembusan        = "tembusan"   // the citizen asked for a copy to the lurah
	NotifyModeratorBreach = "moderator_breach"
	NotifyDinasBreach     = "dinas_breach"
	NotifyAssigned        = "assigned"
	NotifyReturned        = "returned"
	NotifyDone            = "done"
	NotifyReopened        = "reopened"
	NotifyTriageFailed    = "triage_failed"
	NotifyCancelled       = "cancelled" // the ticket's workflow was cancelled
	NotifyDigest          = "digest"
)

// KelurahanDigest is one kelurahan's week for the lurah's Monday digest.
type KelurahanDigest struct {
	Kelurahan         string         `json:"kelurahan"`
	KelurahanName     string         `json:"kelurahan_name"`
	New               int            `json:"new"`      // received in the period
	Open              int            `json:"open"`     // not final at the end of the period
	Resolved          int            `json:"resolved"` // resolved in the period
	Closed            int            `json:"closed"`
	Rejected          int            `json:"rejected"`
	ModeratorBreached int            `json:"moderator_breached"` // open tickets past their moderator SLA
	DinasBreached     int            `json:"dinas_breached"`
	Escalated         int            `json:"escalated"`
	ByKategori        map[string]int `json:"by_kategori,omitempty"`
	AvgRating         float64        `json:"avg_rating"` // 0 when nobody rated
}

// TicketService is the read model of tickets. Every method is idempotent,
// because activities retry.
type TicketService interface {
	// UpsertTicket creates or replaces the ticket row by ID. A write whose
	// Version is lower than the stored one is ignored and returns nil, so a
	// late retry never rolls a ticket back. Returns EINVALID for an empty ID.
	UpsertTicket(ctx context.Context, t *Ticket) error
	// AddTicketEvent inserts the event once per Key; inserting an existing
	// Key again returns nil and changes nothing. Returns EINVALID for an
	// empty Key or TicketID.
	AddTicketEvent(ctx context.Context, e *TicketEvent) error
	// DigestCounts returns one entry per kelurahan that had tickets in
	// [from, to), ordered by kelurahan code. Tickets of the city queue are
	// left out.
	DigestCounts(ctx context.Context, from, to time.Time) ([]*KelurahanDigest, error)
}

// OutboxService queues messages to citizens.
type OutboxService interface {
	// Enqueue stores m and sets m.ID and m.CreatedAt. If a message with the
	// same IdempotencyKey exists, Enqueue stores nothing, fills m from the
	// existing row and returns nil. Returns EINVALID for an empty key,
	// recipient or text.
	Enqueue(ctx context.Context, m *OutboxMessage) error
}

// NotificationService stores in-app notifications for staff.
type NotificationService interface {
	// Notify stores one notification for each active user n.To resolves to,
	// keyed by n.IdempotencyKey and the user, and returns how many it
	// stored; a key already stored for a user is skipped. An audience with
	// no users (a kelurahan without a lurah yet) stores nothing and returns
	// 0, nil. Returns EINVALID for a malformed audience or an empty key.
	Notify(ctx context.Context, n *Notification) (int, error)
}
