package intake

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/outbox"
	"github.com/hailurah/hailurah/triage"
	"github.com/hailurah/hailurah/whatsapp"
)

// routing is what a channel adds to a message that starts a ticket.
type routing struct {
	kelurahan        string // the channel's kelurahan code, when the number or gateway has one
	anonim, tembusan *bool
}

// handOver passes a stored message on: to the sender's running ticket as
// a signal, to a new ticket, or answered without one, and records the
// outcome. Messages of one sender are handed over one at a time in this
// process, in order, and each hand-over first claims the stored row, so
// two concurrent deliveries of one message, to this server or to two,
// start one ticket. A message waits (EUNAVAILABLE, stays stored) while an
// earlier one of its sender is still stored: after a failed hand-over the
// sender's next message must not overtake it ("ANONIM YA" reaching no
// ticket before the "HAI LURAH …" that opens it). It returns an error only when the message should be
// delivered again (the store or Temporal is unavailable); the message then
// stays stored. A message refused for good is kept as failed, and the
// admins are told.
func (x *Intake) handOver(ctx context.Context, m *hailurah.InboundMessage, fresh bool, opt routing) (Receipt, error) {
	rc := Receipt{ProviderID: m.ProviderID, Status: m.Status, TicketID: m.TicketID}
	if m.Status != hailurah.InboundStored {
		rc.Duplicate = true
		return rc, nil
	}
	unlock := x.locks.lock(m.SenderID)
	defer unlock()
	if earlier, err := x.store.EarlierStoredInbound(ctx, m.SenderID, m.ID); err != nil {
		return rc, err
	} else if earlier {
		return rc, hailurah.Errorf(hailurah.EUNAVAILABLE, "Pesan %s menunggu pesan sebelumnya dari pengirim yang sama diteruskan.", m.ProviderID)
	}
	claimed, err := x.store.ClaimInbound(ctx, m.ProviderID, x.now().Add(-2*HandOverTimeout))
	if err != nil {
		return rc, err
	}
	cur, err := x.store.FindInbound(ctx, m.ProviderID)
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
		if ok, _ := x.senders.Allow(m.SenderID); !ok {
			// Kept, acknowledged, and not handed over: a flood from one
			// phone does not reach the ticket or the AI. Staff can read it.
			rc.Status = hailurah.InboundThrottled
			return rc, x.store.MarkInbound(ctx, m.ProviderID, hailurah.InboundThrottled, "",
				"Melebihi batas pesan per pengirim; disimpan tanpa diteruskan.")
		}
	}
	out, err := x.dispatch(ctx, m, opt)
	if err != nil {
		if code := hailurah.ErrorCode(err); code == hailurah.EINVALID || code == hailurah.ECONFLICT {
			// The message itself cannot become a ticket; sending it again
			// gives the same answer.
			x.logger.WarnContext(ctx, "inbound message refused", slog.String("provider_id", m.ProviderID), slog.Any("err", err))
			rc.Status = hailurah.InboundFailed
			if err := x.store.MarkInbound(ctx, m.ProviderID, hailurah.InboundFailed, "", hailurah.ErrorMessage(err)); err != nil {
				return rc, err
			}
			x.notifyInboundFailed(ctx, m, hailurah.ErrorMessage(err))
			return rc, nil
		}
		if rerr := x.store.ReleaseInbound(ctx, m.ProviderID); rerr != nil {
			x.logger.WarnContext(ctx, "releasing an inbound claim", slog.String("provider_id", m.ProviderID), slog.Any("err", rerr))
		}
		return rc, err
	}
	rc.Status, rc.TicketID, rc.TrackingCode, rc.Ack, rc.Reply = out.status, out.ticketID, out.trackingCode, out.ack, out.reply
	return rc, x.store.MarkInbound(ctx, m.ProviderID, out.status, out.ticketID, out.note)
}

// notifyInboundFailed tells the admins that a citizen's message could not
// become a ticket; it stays in inbound_messages with the reason.
func (x *Intake) notifyInboundFailed(ctx context.Context, m *hailurah.InboundMessage, reason string) {
	_, err := x.store.Notify(ctx, &hailurah.Notification{
		IdempotencyKey: "inbound-failed/" + m.ProviderID,
		To:             hailurah.Audience{Role: hailurah.RoleAdmin},
		Kind:           hailurah.NotifyInboundFailed,
		Title:          "Pesan warga gagal diproses",
		Body: fmt.Sprintf("Pesan %s lewat kanal %s (diterima %s) tidak dapat dijadikan tiket: %s. Pesan tetap tersimpan.",
			m.ProviderID, m.Channel, m.ReceivedAt.Format("2006-01-02 15:04 MST"), reason),
	})
	if err != nil {
		x.logger.ErrorContext(ctx, "notifying admins of a failed inbound message", slog.Any("err", err))
	}
}

// dispatched is where a message went.
type dispatched struct {
	status, ticketID, trackingCode, ack, reply, note string
}

// dispatch decides by the kind of message: text, captions and button taps
// go to a ticket; locations and photos without a caption join a running
// ticket; a voice note goes to a ticket as a message without words (its
// workflow transcribes it, or asks for text and keeps the audio for the
// staff); stickers and what cannot be read are answered with a request for
// text; reactions are only kept.
func (x *Intake) dispatch(ctx context.Context, m *hailurah.InboundMessage, opt routing) (dispatched, error) {
	text := strings.TrimSpace(m.Text)
	if m.Kind != whatsapp.KindReaction {
		// A staff member's number is never a citizen's (staff.go).
		if u, err := x.staffOf(ctx, m); err != nil {
			return dispatched{}, err
		} else if u != nil {
			return x.staff(ctx, m, u, text)
		}
	}
	switch m.Kind {
	case whatsapp.KindReaction:
		return dispatched{status: hailurah.InboundIgnored, note: "Reaksi emoji; tidak diteruskan."}, nil
	case whatsapp.KindAudio, whatsapp.KindSticker, whatsapp.KindUnsupported:
		if m.Kind == whatsapp.KindAudio && len(ticketMedia(m.Media)) > 0 {
			return x.route(ctx, m, "", opt)
		}
		return x.answer(ctx, m, hailurah.OutboxAskText, triage.ComposeAskText())
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
		return x.attach(ctx, m, note)
	}
	if text == "" {
		return x.attach(ctx, m, "(lampiran tanpa keterangan)")
	}
	return x.route(ctx, m, text, opt)
}

// attach passes a message without words of its own (a photo, a location)
// to the sender's running ticket with a note; without one it cannot start
// a ticket (there is nothing to triage), so the citizen is asked to write.
func (x *Intake) attach(ctx context.Context, m *hailurah.InboundMessage, note string) (dispatched, error) {
	t, err := x.runningTicket(ctx, m.SenderID, "")
	if err != nil {
		return dispatched{}, err
	}
	if took, err := x.tookBefore(ctx, m, t); err != nil {
		return dispatched{}, err
	} else if took {
		// The earlier attempt's ticket took it and has ended since.
		return deliveredBefore(m.TicketID), nil
	}
	if t != nil {
		if d, ok, err := x.signal(ctx, t, m, note); ok || err != nil {
			return d, err
		}
	}
	return x.answer(ctx, m, hailurah.OutboxAskText, triage.ComposeAskText())
}

// route sends a message with text to the sender's running ticket, or
// starts a new one. A "HAI LURAH …" message always starts a new ticket.
// Otherwise the sender's newest ticket takes it while it is not final; a
// resolved one still takes commands (the rating, a late BELUM or STATUS)
// while its workflow waits for the rating. A command with no ticket to
// take it is answered with how to start one, not made a ticket of its own.
func (x *Intake) route(ctx context.Context, m *hailurah.InboundMessage, text string, opt routing) (dispatched, error) {
	_, isCommand := triage.ParseCommand(text)
	if !triage.ParseMessage(text).HaiLurah {
		t, err := x.runningTicket(ctx, m.SenderID, text)
		if err != nil {
			return dispatched{}, err
		}
		if took, err := x.tookBefore(ctx, m, t); err != nil {
			return dispatched{}, err
		} else if took {
			// The earlier attempt's ticket took it and has ended since.
			return deliveredBefore(m.TicketID), nil
		}
		if t != nil {
			if d, ok, err := x.signal(ctx, t, m, text); ok || err != nil {
				return d, err
			}
			// The ticket ended before taking the message: a new ticket,
			// with an id of its own.
			m.TicketID = ""
		}
		if isCommand {
			return x.answer(ctx, m, hailurah.OutboxNoTicket, noTicketText)
		}
	}
	in := first{Text: text, Channel: m.Channel, Kelurahan: opt.kelurahan, SenderID: m.SenderID,
		Anonim: opt.anonim, Tembusan: opt.tembusan, MessageID: m.ProviderID, Lat: m.Lat, Lng: m.Lng,
		Media: ticketMedia(m.Media), Raw: m.Raw, TicketID: m.TicketID, Private: m.PrivateSealed, Voice: voiceNote(m, text)}
	if in.Kelurahan == "" {
		kel, err := x.kelurahanOfNumber(ctx, m.PhoneNumberID)
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
		id, err := x.store.NextTicketID(ctx, x.now())
		if err != nil {
			return dispatched{}, err
		}
		if err := x.store.ReserveInboundTicket(ctx, m.ProviderID, id); err != nil {
			return dispatched{}, err
		}
		in.TicketID = id
	}
	resp, err := x.startTicket(ctx, in)
	if retry && hailurah.ErrorCode(err) == hailurah.ECONFLICT {
		return dispatched{status: hailurah.InboundDelivered, ticketID: in.TicketID, note: "Tiket sudah dimulai oleh percobaan sebelumnya."}, nil
	} else if err != nil {
		return dispatched{}, err
	}
	return dispatched{status: hailurah.InboundDelivered, ticketID: resp.TicketID, trackingCode: resp.TrackingCode, ack: resp.Ack}, nil
}

// tookBefore answers, for a retry whose reserved ticket is no longer the
// sender's running one t (it has closed since, or never started), whether
// that ticket's workflow took the message: the earlier attempt may have
// died after reserving and before signalling or starting. If it did not,
// the reservation is dropped when the ticket's workflow exists (closed: the
// message goes where a message to a closed ticket goes) and kept when it
// does not (a start that never happened is made with the reserved id).
func (x *Intake) tookBefore(ctx context.Context, m *hailurah.InboundMessage, t *hailurah.Ticket) (bool, error) {
	if m.TicketID == "" || (t != nil && t.ID == m.TicketID) {
		return false, nil
	}
	seen, err := x.cases.SawMessage(ctx, m.TicketID, m.ProviderID)
	switch {
	case hailurah.ErrorCode(err) == hailurah.ENOTFOUND:
		return false, nil
	case err != nil:
		return false, err
	case seen:
		return true, nil
	}
	m.TicketID = ""
	return false, nil
}

// deliveredBefore is the outcome of a message an earlier attempt handed to
// ticketID, whose workflow has ended since.
func deliveredBefore(ticketID string) dispatched {
	return dispatched{status: hailurah.InboundDelivered, ticketID: ticketID, note: "Diteruskan oleh percobaan sebelumnya."}
}

// noTicketText answers a command when no ticket of the sender is running.
const noTicketText = "Terima kasih. Saat ini tidak ada curhat Anda yang sedang kami proses.\n" +
	"Untuk menyampaikan curhat baru, tulis: HAI LURAH [nama kelurahan], lalu ceritakan masalahnya (RT/RW, lokasi, kronologi)."

// runningTicket returns the sender's newest ticket if it takes messages
// (see route), else nil. text "" asks about a message without words.
func (x *Intake) runningTicket(ctx context.Context, sender, text string) (*hailurah.Ticket, error) {
	t, err := x.store.LatestTicketOfSender(ctx, sender)
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
// workflow has ended, and the caller starts a new ticket instead. The
// ticket is recorded on the message first: if this process dies after the
// signal and before the message is marked, and the ticket ends meanwhile,
// the retry finds the ticket reserved and knows it took the message,
// instead of starting a second ticket with it.
func (x *Intake) signal(ctx context.Context, t *hailurah.Ticket, m *hailurah.InboundMessage, text string) (dispatched, bool, error) {
	if m.TicketID != t.ID {
		if err := x.store.ReserveInboundTicket(ctx, m.ProviderID, t.ID); err != nil {
			return dispatched{}, false, err
		}
		m.TicketID = t.ID
	}
	msg := hailurah.CitizenMessage{ID: m.ProviderID, At: m.SentAt, Text: text, Channel: m.Channel,
		Lat: m.Lat, Lng: m.Lng, Media: ticketMedia(m.Media), Voice: voiceNote(m, text)}
	err := x.cases.SignalCitizen(ctx, t.ID, msg)
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
func (x *Intake) answer(ctx context.Context, m *hailurah.InboundMessage, kind, text string) (dispatched, error) {
	msg := &hailurah.OutboxMessage{IdempotencyKey: "inbound/" + m.ProviderID + "/" + kind, Channel: m.Channel,
		Recipient: m.SenderID, Kind: kind, Text: text}
	if err := x.store.Enqueue(ctx, msg); err != nil {
		return dispatched{}, err
	}
	return dispatched{status: hailurah.InboundAnswered, reply: text, note: outbox.KindLabel(kind)}, nil
}

// voiceNote reports whether m is a voice note without words of its own,
// for the ticket's workflow to transcribe.
func voiceNote(m *hailurah.InboundMessage, text string) bool {
	return m.Kind == whatsapp.KindAudio && text == "" && len(ticketMedia(m.Media)) > 0
}

// ticketMedia keeps the attachments the ticket's workflow can download:
// a gateway's URLs and Cloud API media ids (fetched with the token).
func ticketMedia(media []string) []string {
	var out []string
	for _, u := range media {
		if strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://") || strings.HasPrefix(u, hailurah.MediaSourcePrefix) {
			out = append(out, u)
		}
	}
	return out
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
