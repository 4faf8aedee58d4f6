// Package outbox is the relay that delivers the messages activities queue
// for citizens. Activities only write outbox rows (keyed by an idempotency
// key, so a retried activity queues nothing new); the relay, a loop in the
// dev and worker processes, sends them.
//
// WhatsApp rows go through the Cloud API: the recipient (a sender id) is
// resolved to a phone through the sealed contact, free-form text or reply
// buttons are sent inside the 24-hour window and the kind's approved
// template outside it, sends are paced by a rate limit, and 5xx, 429 and
// Meta's rate-limit codes are retried with exponential backoff. A row is
// claimed with a guarded UPDATE before it is sent, so it is sent at most
// once even with several relays; a claim that never finished (the relay
// died mid-send) is failed rather than sent again, because the Cloud API
// has no idempotency key. Permanent failures are recorded on the row and
// the ticket's moderators get an in-app notification.
//
// Rows of channels without a messenger (web, kiosk, Open311) are marked
// posted: the citizen reads them on the tracking page. Without WhatsApp
// credentials (the embedded default) WhatsApp rows stay pending, and the
// simulated phone shows them.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/time/rate"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/whatsapp"
)

// Store is what the relay needs of the store.
type Store interface {
	hailurah.RelayService
	FindContact(ctx context.Context, senderID string) (*hailurah.Contact, error)
}

// TicketFinder finds the ticket a failed message belongs to, to notify its
// kelurahan's moderators.
type TicketFinder interface {
	FindTicket(ctx context.Context, id string) (*hailurah.Ticket, error)
}

// Sender sends one WhatsApp message; *whatsapp.Client is one.
type Sender interface {
	Send(ctx context.Context, m whatsapp.Outgoing) (providerID string, err error)
}

// Defaults for Config fields left at zero.
const (
	DefaultPollInterval = time.Second
	// DefaultRate stays well under the Cloud API's 80 messages a second
	// per number, leaving room for other senders on the same account.
	DefaultRate = 20
	// DefaultMaxAttempts, with the default backoff, keeps a message that
	// fails with a retryable error (5xx, 429, Meta's rate-limit and
	// outage codes, a dropped connection) in the outbox for hours: the 15th
	// and last send comes 3 h 13 min after the first (waits of 5 s, 10 s,
	// … 21 min 20 s, then 30 min five times; 11,555 s in all), never
	// sooner than 2 h 34 min with the ±20 % jitter. A WhatsApp outage
	// shorter than that delays messages but loses none. With 8 attempts
	// the last send came 10 min 35 s after the first, or 8 min 28 s with
	// unlucky jitter, so a 10-minute outage could fail a message for good.
	DefaultMaxAttempts  = 15
	DefaultBaseBackoff  = 5 * time.Second
	DefaultMaxBackoff   = 30 * time.Minute
	DefaultClaimTimeout = 5 * time.Minute
	claimBatch          = 20
)

// SentAsSimulated records a message for a simulated phone's contact,
// which the relay shows there instead of sending.
const SentAsSimulated = "simulated"

// PostedChannels have no messenger: their messages are read on the
// tracking page.
var PostedChannels = []string{hailurah.ChannelWeb, hailurah.ChannelKiosk, hailurah.ChannelOpen311}

// Config configures a Relay.
type Config struct {
	Store         Store
	Tickets       TicketFinder
	Notifications hailurah.NotificationService
	// Sender is nil without WhatsApp credentials: WhatsApp rows then stay
	// pending for the simulated phone.
	Sender Sender
	// Sealer opens the sealed phone numbers; required with Sender.
	Sealer *whatsapp.Sealer
	// PhotoLink gives the public https link of a row's photo (its ticket
	// and reference; media.Links under HAILURAH_BASE_URL), signed at each
	// send so a retry hours later has a live one; nil or "" sends the
	// words without the photo.
	PhotoLink func(ticketID, ref string) string

	PollInterval time.Duration
	Rate         float64 // sends per second
	// MaxAttempts is how many sends of one row fail with a retryable
	// error before it fails for good; see DefaultMaxAttempts for how long
	// that is with the default backoff.
	MaxAttempts int
	BaseBackoff time.Duration
	MaxBackoff  time.Duration
	// ClaimTimeout is how long a claimed row may stay unfinished before it
	// is failed as "outcome unknown".
	ClaimTimeout time.Duration
	Now          func() time.Time
	Logger       *slog.Logger
}

// Relay sends queued messages. Create it with New; Run loops until its
// context ends, Pass does one round.
type Relay struct {
	cfg     Config
	limiter *rate.Limiter
}

// New checks cfg and fills its defaults.
func New(cfg Config) (*Relay, error) {
	if cfg.Store == nil || cfg.Tickets == nil || cfg.Notifications == nil {
		return nil, errors.New("outbox: Store, Tickets and Notifications are required")
	}
	if cfg.Sender != nil && cfg.Sealer == nil {
		return nil, errors.New("outbox: a Sender needs the Sealer that opens the contacts' phones")
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = DefaultPollInterval
	}
	if cfg.Rate <= 0 {
		cfg.Rate = DefaultRate
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.BaseBackoff <= 0 {
		cfg.BaseBackoff = DefaultBaseBackoff
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = DefaultMaxBackoff
	}
	if cfg.ClaimTimeout <= 0 {
		cfg.ClaimTimeout = DefaultClaimTimeout
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Relay{cfg: cfg, limiter: rate.NewLimiter(rate.Limit(cfg.Rate), 1)}, nil
}

// Sends reports whether the relay sends WhatsApp messages (credentials are
// configured) or leaves them for the simulated phone.
func (r *Relay) Sends() bool { return r.cfg.Sender != nil }

// Run passes over the outbox every PollInterval until ctx ends, logging
// what fails; it returns nil when ctx is cancelled.
func (r *Relay) Run(ctx context.Context) error {
	t := time.NewTicker(r.cfg.PollInterval)
	defer t.Stop()
	for {
		if _, err := r.Pass(ctx); err != nil && ctx.Err() == nil {
			r.cfg.Logger.ErrorContext(ctx, "outbox relay pass failed", slog.Any("err", err))
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Pass does one round: marks web, kiosk and Open311 rows posted,
// fails claims that never finished, and sends
// every due WhatsApp row. It returns how many rows it sent.
func (r *Relay) Pass(ctx context.Context) (int, error) {
	if _, err := r.cfg.Store.PostOutbox(ctx, PostedChannels); err != nil {
		return 0, fmt.Errorf("outbox: post: %w", err)
	}
	if r.cfg.Sender == nil {
		return 0, nil
	}
	stale, err := r.cfg.Store.ExpireSending(ctx, r.cfg.Now().Add(-r.cfg.ClaimTimeout))
	if err != nil {
		return 0, fmt.Errorf("outbox: expire claims: %w", err)
	}
	for _, d := range stale {
		r.cfg.Logger.WarnContext(ctx, "outbox message claimed but never finished; failed", slog.Int64("outbox_id", d.ID))
		r.notifyFailure(ctx, d)
	}
	sent := 0
	for ctx.Err() == nil {
		batch, err := r.cfg.Store.ClaimOutbox(ctx, []string{hailurah.ChannelWhatsApp}, claimBatch)
		if err != nil {
			return sent, fmt.Errorf("outbox: claim: %w", err)
		}
		if len(batch) == 0 {
			break
		}
		for i, d := range batch {
			if err := r.limiter.Wait(ctx); err != nil {
				// Shutting down: hand the rows not sent back, due at once.
				r.release(ctx, batch[i:])
				return sent, nil
			}
			if r.send(ctx, d) {
				sent++
			}
		}
	}
	return sent, nil
}

// release puts claimed rows that were not sent back to pending, due at
// once; the store counts that as an attempt.
func (r *Relay) release(ctx context.Context, rows []*hailurah.OutboxDelivery) {
	wctx, cancel := writeContext(ctx)
	defer cancel()
	for _, d := range rows {
		if err := r.cfg.Store.RetryOutbox(wctx, d.ID, r.cfg.Now(), d.LastError); err != nil {
			r.cfg.Logger.WarnContext(ctx, "releasing an outbox claim failed", slog.Int64("outbox_id", d.ID), slog.Any("err", err))
		}
	}
}

// writeContext outlives a cancelled ctx briefly, so a send that happened
// is recorded even when the relay is stopping.
func writeContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
}

// send delivers one claimed row and records the outcome; it reports
// whether the provider accepted it.
func (r *Relay) send(ctx context.Context, d *hailurah.OutboxDelivery) bool {
	log := r.cfg.Logger.With(slog.Int64("outbox_id", d.ID), slog.String("ticket", d.TicketID), slog.String("kind", d.Kind))
	contact, err := r.cfg.Store.FindContact(ctx, d.Recipient)
	if hailurah.ErrorCode(err) == hailurah.ENOTFOUND {
		r.fail(ctx, d, "Kontak warga tidak tersedia (tidak pernah tercatat atau sudah dihapus setelah masa simpan).")
		return false
	} else if err != nil {
		r.retry(ctx, d, fmt.Sprintf("membaca kontak gagal: %v", err))
		return false
	}
	if contact.Channel == hailurah.ContactSimulated {
		// Typed into the simulated phone: the number may be anybody's.
		wctx, cancel := writeContext(ctx)
		defer cancel()
		if err := r.cfg.Store.MarkOutboxPosted(wctx, d.ID, SentAsSimulated); err != nil {
			log.ErrorContext(ctx, "recording a simulated message failed", slog.Any("err", err))
		}
		return false
	}
	phone, err := r.cfg.Sealer.Open(contact.PhoneSealed)
	if err != nil {
		r.fail(ctx, d, "Nomor warga tidak dapat dibuka (kunci HAILURAH_SECRET berubah?).")
		return false
	}
	link := ""
	if d.Image != "" && r.cfg.PhotoLink != nil {
		link = r.cfg.PhotoLink(d.TicketID, d.Image)
	}
	msg := ComposePhoto(d, phone, link)
	out, err := whatsapp.Choose(msg, contact.LastInboundAt, r.cfg.Now())
	if errors.Is(err, whatsapp.ErrOutsideWindow) {
		r.fail(ctx, d, "Di luar jendela 24 jam WhatsApp dan tidak ada templat untuk pesan jenis ini.")
		return false
	} else if err != nil {
		r.fail(ctx, d, "Pesan tidak valid: "+hailurah.ErrorMessage(err))
		return false
	}
	out.From = senderNumber(contact.PhoneNumberID)

	id, err := r.cfg.Sender.Send(ctx, out)
	var se *whatsapp.SendError
	if errors.As(err, &se) && se.OutsideWindow && out.Kind != whatsapp.OutgoingTemplate && msg.TemplateName != "" {
		// Meta's clock says the window closed: the template is the way.
		from := out.From
		out = msg.Template()
		out.From = from
		id, err = r.cfg.Sender.Send(ctx, out)
		se = nil
		errors.As(err, &se)
	}
	switch {
	case err == nil:
		wctx, cancel := writeContext(ctx)
		defer cancel()
		if err := r.cfg.Store.MarkOutboxSent(wctx, d.ID, id, sentAs(out)); err != nil {
			// The message went out; the claim will expire as "outcome
			// unknown" and is not sent again.
			log.ErrorContext(ctx, "recording a sent message failed", slog.String("provider_id", id), slog.Any("err", err))
		}
		return true
	case se != nil && se.Retryable:
		if d.Attempts+1 >= r.cfg.MaxAttempts {
			r.fail(ctx, d, fmt.Sprintf("Gagal %d kali, dihentikan: %s", d.Attempts+1, se.Error()))
			return false
		}
		log.WarnContext(ctx, "send failed; retrying later", slog.Int("attempt", d.Attempts+1), slog.Any("err", err))
		r.retry(ctx, d, se.Error())
	case se != nil:
		r.fail(ctx, d, se.Error())
	default:
		// Invalid before any request (EINVALID), or a misconfigured client
		// (EINTERNAL): sending again cannot help.
		log.ErrorContext(ctx, "message refused before sending", slog.Any("err", err))
		r.fail(ctx, d, "Pesan ditolak sebelum dikirim: "+err.Error())
	}
	return false
}

// senderNumber is the number to reply from: the one the citizen wrote to,
// when it is a real phone number id (the simulated phone's are not).
func senderNumber(id string) string {
	if id == "" || len(id) > 32 || strings.Trim(id, "0123456789") != "" {
		return ""
	}
	return id
}

func sentAs(out whatsapp.Outgoing) string {
	if out.Kind == whatsapp.OutgoingTemplate {
		return "template:" + out.Template
	}
	return out.Kind
}

// Backoff is the wait before attempt n+1 after n failed attempts:
// base·2^(n-1), at most max, with ±20 % jitter so relays that failed
// together do not retry together.
func Backoff(n int, base, max time.Duration) time.Duration {
	d := base
	for i := 1; i < n && d < max; i++ {
		d *= 2
	}
	d = min(d, max)
	jitter := 0.8 + 0.4*rand.Float64()
	return time.Duration(float64(d) * jitter)
}

func (r *Relay) retry(ctx context.Context, d *hailurah.OutboxDelivery, reason string) {
	wctx, cancel := writeContext(ctx)
	defer cancel()
	at := r.cfg.Now().Add(Backoff(d.Attempts+1, r.cfg.BaseBackoff, r.cfg.MaxBackoff))
	if err := r.cfg.Store.RetryOutbox(wctx, d.ID, at, reason); err != nil {
		r.cfg.Logger.ErrorContext(ctx, "scheduling a retry failed", slog.Int64("outbox_id", d.ID), slog.Any("err", err))
	}
}

func (r *Relay) fail(ctx context.Context, d *hailurah.OutboxDelivery, reason string) {
	wctx, cancel := writeContext(ctx)
	defer cancel()
	failed, err := r.cfg.Store.FailOutbox(wctx, d.ID, reason)
	if err != nil {
		r.cfg.Logger.ErrorContext(ctx, "recording a failed message failed", slog.Int64("outbox_id", d.ID), slog.Any("err", err))
		return
	}
	r.cfg.Logger.WarnContext(ctx, "message to citizen failed", slog.Int64("outbox_id", d.ID),
		slog.String("ticket", d.TicketID), slog.String("reason", reason))
	r.notifyFailure(wctx, failed)
}

func (r *Relay) notifyFailure(ctx context.Context, d *hailurah.OutboxDelivery) {
	if err := NotifyFailure(ctx, r.cfg.Notifications, r.cfg.Tickets, d); err != nil {
		r.cfg.Logger.ErrorContext(ctx, "notifying moderators of a failed message failed",
			slog.Int64("outbox_id", d.ID), slog.Any("err", err))
	}
}

// NotifyFailure tells the moderators of the message's ticket (the admins,
// for a ticket still in the city queue) that it could not be delivered,
// once per message. Messages that belong to no ticket (the "please write
// text" reply) notify nobody.
func NotifyFailure(ctx context.Context, n hailurah.NotificationService, tickets TicketFinder, d *hailurah.OutboxDelivery) error {
	if hailurah.StaffOutbox(d.Kind) {
		return notifyStaffFailure(ctx, n, d)
	}
	if d.TicketID == "" {
		return nil
	}
	to := hailurah.Audience{Role: hailurah.RoleAdmin}
	t, err := tickets.FindTicket(ctx, d.TicketID)
	switch {
	case err == nil && t.Kelurahan != "":
		to = hailurah.Audience{Role: hailurah.RoleModerator, Kelurahan: t.Kelurahan}
	case err != nil && hailurah.ErrorCode(err) != hailurah.ENOTFOUND:
		return err
	}
	reason := clip(d.LastError, 300)
	_, err = n.Notify(ctx, &hailurah.Notification{
		IdempotencyKey: fmt.Sprintf("outbox-failed/%d", d.ID),
		To:             to,
		TicketID:       d.TicketID,
		Kind:           hailurah.NotifyDeliveryFailed,
		Title:          "Pesan WhatsApp ke warga gagal terkirim",
		Body: fmt.Sprintf("Tiket %s: pesan %q tidak sampai ke warga. Alasan: %s. Hubungi warga lewat saluran lain bila perlu.",
			d.TicketID, KindLabel(d.Kind), reason),
		Link: "/tiket/" + d.TicketID,
	})
	return err
}

// notifyStaffFailure tells the admins, who keep the staff's phones, that
// a WhatsApp message to a staff member could not be delivered: the number
// may be wrong, or the template not approved. The staff member still has
// the in-app notification.
func notifyStaffFailure(ctx context.Context, n hailurah.NotificationService, d *hailurah.OutboxDelivery) error {
	first, _, _ := strings.Cut(d.Text, "\n")
	_, err := n.Notify(ctx, &hailurah.Notification{
		IdempotencyKey: fmt.Sprintf("outbox-failed/%d", d.ID),
		To:             hailurah.Audience{Role: hailurah.RoleAdmin},
		Kind:           hailurah.NotifyDeliveryFailed,
		Title:          "Pesan WhatsApp ke staf gagal terkirim",
		Body: fmt.Sprintf("Pesan %q (%s) tidak sampai ke nomor WhatsApp staf. Alasan: %s. Periksa nomor di halaman admin dan persetujuan templat di WhatsApp Manager.",
			KindLabel(d.Kind), clip(first, 120), clip(d.LastError, 300)),
		Link: "/notifikasi",
	})
	return err
}

// clip shortens s to n runes, marking the cut.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) > n {
		return string([]rune(s)[:n]) + "…"
	}
	return s
}
