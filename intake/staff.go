package intake

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strings"

	"github.com/hailurah/hailurah"
)

// A message from the WhatsApp number of an active staff member is staff,
// never a curhat (issue 19): they answer the notices they get with
// TERIMA, SELESAI, OK or STATUS and a ticket's code, and anything else is
// answered with what they can write. Each command goes through the same
// rules as the web's forms: the ticket must be one the user may see
// (hailurah.CanSeeTicket), and the action is the ticket workflow's
// validated Update, whose validator checks status, role, kelurahan and
// unit. The answers go through the outbox.

// Actions is what staff commands need of the ticket workflows;
// workflows.Client implements it.
type Actions interface {
	// Act returns the workflow's refusals as EFORBIDDEN, ECONFLICT or
	// EINVALID, ENOTFOUND when the workflow has ended, EPENDING when the
	// action was taken and is not finished yet.
	Act(ctx context.Context, ticketID string, req hailurah.ActionRequest) (*hailurah.TicketState, error)
	// State returns ENOTFOUND when the workflow has ended.
	State(ctx context.Context, ticketID string) (*hailurah.TicketState, error)
}

// The commands staff send.
const (
	staffAccept = "TERIMA"
	staffDone   = "SELESAI"
	staffAck    = "OK"
	staffStatus = "STATUS"
)

// staffCommand is a parsed staff message: "SELESAI HL-2026-000123 got sudah dikeruk".
type staffCommand struct {
	verb, ticketID, note string
}

var staffCommandRe = regexp.MustCompile(`(?is)^\s*(TERIMA|SELESAI|OK|STATUS)\s*[:#]?\s*#?(HL-\d{4}-\d{6})\b[\s:.,-]*(.*)$`)

func parseStaffCommand(text string) (staffCommand, bool) {
	m := staffCommandRe.FindStringSubmatch(text)
	if m == nil {
		return staffCommand{}, false
	}
	return staffCommand{verb: strings.ToUpper(m[1]), ticketID: strings.ToUpper(m[2]), note: strings.TrimSpace(m[3])}, true
}

// staffOf returns the active staff member whose WhatsApp number sent m, or
// nil: the sender's sealed contact names the number. Without Actions no
// message is staff's.
func (x *Intake) staffOf(ctx context.Context, m *hailurah.InboundMessage) (*hailurah.User, error) {
	if x.actions == nil || m.Channel != hailurah.ChannelWhatsApp {
		return nil, nil
	}
	c, err := x.store.FindContact(ctx, m.SenderID)
	if hailurah.ErrorCode(err) == hailurah.ENOTFOUND {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	phone, err := x.sealer.Open(c.PhoneSealed)
	if err != nil {
		return nil, nil // a contact sealed under another key is no staff's
	}
	u, err := x.store.FindActiveUserByPhone(ctx, phone)
	switch hailurah.ErrorCode(err) {
	case "":
		return u, nil
	case hailurah.ENOTFOUND, hailurah.EINVALID:
		return nil, nil
	}
	return nil, err
}

// staff answers a staff member's message: a command on a ticket, or help.
func (x *Intake) staff(ctx context.Context, m *hailurah.InboundMessage, u *hailurah.User, text string) (dispatched, error) {
	cmd, ok := parseStaffCommand(text)
	if !ok {
		return x.staffAnswer(ctx, m, "", "Bukan perintah staf; bantuan dikirim.", staffHelp(u))
	}
	t, err := x.store.FindTicket(ctx, cmd.ticketID)
	if hailurah.ErrorCode(err) == hailurah.ENOTFOUND || (err == nil && !hailurah.CanSeeTicket(u, t)) {
		// As the web: a ticket the user may not see does not exist to them.
		return x.staffAnswer(ctx, m, "", "Tiket tidak ditemukan untuk staf ini.",
			fmt.Sprintf("Tiket %s tidak ditemukan atau bukan wewenang Anda.", cmd.ticketID))
	} else if err != nil {
		return dispatched{}, err
	}
	switch cmd.verb {
	case staffStatus:
		return x.staffStatus(ctx, m, t)
	case staffAck:
		return x.staffAck(ctx, m, u, t)
	}
	req := hailurah.ActionRequest{Action: hailurah.ActionAccept, Actor: hailurah.ActorOf(u), IdempotencyKey: m.ProviderID}
	if cmd.verb == staffDone {
		if cmd.note == "" {
			return x.staffAnswer(ctx, m, t.ID, "SELESAI tanpa catatan.",
				fmt.Sprintf("Tulis catatan penyelesaiannya: SELESAI %s <catatan>, boleh dengan foto.", t.ID))
		}
		// A photo's media id is kept as the evidence's reference, as the
		// web keeps an uploaded photo's address.
		req.Action, req.Text, req.Evidence = hailurah.ActionDone, cmd.note, m.Media
	}
	return x.staffAct(ctx, m, t, req)
}

// staffAct takes a staff action through the ticket's workflow and answers
// with its outcome or the workflow's refusal.
func (x *Intake) staffAct(ctx context.Context, m *hailurah.InboundMessage, t *hailurah.Ticket, req hailurah.ActionRequest) (dispatched, error) {
	if err := req.Validate(); err != nil {
		return x.staffAnswer(ctx, m, t.ID, "Perintah staf tidak lengkap.", hailurah.ErrorMessage(err))
	}
	state, err := x.actions.Act(ctx, t.ID, req)
	var reply string
	switch hailurah.ErrorCode(err) {
	case "":
		x.audit(ctx, req, t.ID)
		reply = fmt.Sprintf("Tiket %s: %s. Status kini %s.", t.ID, staffDoneWords(req.Action), state.Status.Label())
	case hailurah.EPENDING:
		x.audit(ctx, req, t.ID)
		reply = fmt.Sprintf("Tiket %s: perintah diterima dan sedang diproses.", t.ID)
	case hailurah.ENOTFOUND:
		reply = fmt.Sprintf("Tiket %s sudah selesai; tidak ada aksi yang dapat dilakukan.", t.ID)
	case hailurah.EFORBIDDEN, hailurah.ECONFLICT, hailurah.EINVALID:
		reply = fmt.Sprintf("Tiket %s: %s", t.ID, hailurah.ErrorMessage(err))
	default:
		return dispatched{}, err // Temporal unreachable: handed over again later
	}
	return x.staffAnswer(ctx, m, t.ID, "Perintah staf: "+req.Action, reply)
}

// staffAck marks the user's notifications of the ticket read and, for
// those who may note a ticket (its lurah, its moderators), records on its
// timeline that they know.
func (x *Intake) staffAck(ctx context.Context, m *hailurah.InboundMessage, u *hailurah.User, t *hailurah.Ticket) (dispatched, error) {
	n, err := x.store.MarkTicketNotificationsRead(ctx, u.Username, t.ID)
	if err != nil {
		return dispatched{}, err
	}
	req := hailurah.ActionRequest{Action: hailurah.ActionNote, Actor: hailurah.ActorOf(u), IdempotencyKey: m.ProviderID,
		Text: fmt.Sprintf("Notifikasi diketahui oleh %s (%s) lewat WhatsApp.", u.Name, u.Role.Label())}
	if req.Authorize(t.Kelurahan, t.AssignedUnit) == nil {
		return x.staffAct(ctx, m, t, req)
	}
	return x.staffAnswer(ctx, m, t.ID, "Notifikasi staf ditandai dibaca.",
		fmt.Sprintf("Tiket %s: %d notifikasi ditandai sudah dibaca.", t.ID, n))
}

// staffStatus answers with the ticket's live status, or the stored one
// when its workflow has ended.
func (x *Intake) staffStatus(ctx context.Context, m *hailurah.InboundMessage, t *hailurah.Ticket) (dispatched, error) {
	status, unit, urgency := t.Status, t.AssignedUnit, t.UrgencyScore
	due := t.DinasDue
	if unit == "" {
		due = t.ModeratorDue
	}
	state, err := x.actions.State(ctx, t.ID)
	switch hailurah.ErrorCode(err) {
	case "":
		status, unit, urgency, due = state.Status, state.Unit, state.Urgency, state.DinasDue
		if unit == "" {
			due = state.ModeratorDue
		}
	case hailurah.ENOTFOUND:
	default:
		return dispatched{}, err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Tiket %s: %s.", t.ID, status.Label())
	if t.Kategori != "" {
		fmt.Fprintf(&b, " Kategori %s, urgensi %d.", t.Kategori, urgency)
	}
	if unit != "" {
		fmt.Fprintf(&b, " Unit %s.", strings.ToUpper(unit))
	}
	if due != nil && !status.Final() {
		fmt.Fprintf(&b, " Batas waktu %s.", x.cfg.Policy.Zone.In(*due).Format("02-01-2006 15:04"))
	}
	if t.Summary != "" {
		fmt.Fprintf(&b, "\nRingkasan: %s", t.Summary)
	}
	return x.staffAnswer(ctx, m, t.ID, "STATUS staf.", b.String())
}

// staffAnswer queues the answer to a staff member's message, keyed by the
// message. It carries no ticket id: the citizen's tracking page lists a
// ticket's outbox rows.
func (x *Intake) staffAnswer(ctx context.Context, m *hailurah.InboundMessage, ticketID, note, text string) (dispatched, error) {
	msg := &hailurah.OutboxMessage{IdempotencyKey: "inbound/" + m.ProviderID + "/" + hailurah.OutboxStaffAnswer, Channel: m.Channel,
		Recipient: m.SenderID, Kind: hailurah.OutboxStaffAnswer, Text: text}
	if err := x.store.Enqueue(ctx, msg); err != nil {
		return dispatched{}, err
	}
	// Answered, never delivered: the message started or joined no ticket
	// of the sender's; the ticket it named is kept in the note.
	if ticketID != "" {
		note += " (" + ticketID + ")"
	}
	return dispatched{status: hailurah.InboundAnswered, reply: text, note: "Pesan staf: " + note}, nil
}

// audit records a staff action taken by WhatsApp as the web records its
// own; a failure is logged, the action stands.
func (x *Intake) audit(ctx context.Context, req hailurah.ActionRequest, ticketID string) {
	err := x.store.Audit(ctx, &hailurah.AuditEntry{Actor: req.Actor.Username, Action: "ticket." + req.Action, Target: ticketID,
		Detail: `{"via":"whatsapp"}`})
	if err != nil {
		x.logger.WarnContext(ctx, "auditing a staff action failed", slog.String("ticket", ticketID), slog.Any("err", err))
	}
}

func staffDoneWords(action string) string {
	switch action {
	case hailurah.ActionAccept:
		return "tugas diterima"
	case hailurah.ActionDone:
		return "tugas ditandai selesai; warga diminta konfirmasi"
	case hailurah.ActionNote:
		return "tercatat sudah Anda ketahui"
	}
	return action
}

// staffHelp says what a staff member can write, for their role.
func staffHelp(u *hailurah.User) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Nomor ini terdaftar untuk %s (%s) di HAI LURAH, jadi pesannya tidak dicatat sebagai curhat. Perintah yang dikenali:\n",
		u.Name, u.Role.Label())
	if u.Role == hailurah.RoleDinas || u.Role == hailurah.RoleAdmin {
		b.WriteString("• TERIMA HL-… — terima tugas\n• SELESAI HL-… <catatan> — tandai tugas selesai (boleh dengan foto)\n")
	}
	b.WriteString("• OK HL-… — tandai notifikasi tiket sudah dibaca\n• STATUS HL-… — status tiket\n")
	b.WriteString("Aksi lain dilakukan di aplikasi web HAI LURAH.")
	return b.String()
}
