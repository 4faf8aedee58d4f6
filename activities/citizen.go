package activities

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/triage"
)

// whatsAppWindow is how long after the citizen's last message WhatsApp
// allows free-form messages; later ones must be approved templates.
const whatsAppWindow = 24 * time.Hour

// SendCitizenInput is one message to the citizen. Kind selects the text;
// the other fields are what that kind's text needs.
type SendCitizenInput struct {
	TicketID string `json:"ticket_id"`
	// Run and Seq make the idempotency key unique per send while a retry
	// of the same send reuses it (OutboxKey).
	Run           string    `json:"run,omitempty"`
	Seq           int       `json:"seq"`
	Kind          string    `json:"kind"` // a hailurah.Outbox* constant
	Channel       string    `json:"channel"`
	Recipient     string    `json:"recipient"`
	Kelurahan     string    `json:"kelurahan,omitempty"`
	KelurahanName string    `json:"kelurahan_name,omitempty"`
	LastCitizenAt time.Time `json:"last_citizen_at"`

	Triage      *triage.Triage        `json:"triage,omitempty"` // reply
	Text        string                `json:"text,omitempty"`   // staff_reply, draft
	Status      hailurah.TicketStatus `json:"status,omitempty"` // status
	Anonim      bool                  `json:"anonim,omitempty"` // flags
	Tembusan    bool                  `json:"tembusan,omitempty"`
	DuplicateOf string                `json:"duplicate_of,omitempty"` // rejected
	// Unit, Note and Evidence make the confirmation after a unit's done
	// action name the unit and what it did, with its photo.
	Unit     string   `json:"unit,omitempty"`
	Note     string   `json:"note,omitempty"`
	Evidence []string `json:"evidence,omitempty"`
}

// OutboxKey is the idempotency key of one citizen message:
// "<ticket>/<run>/<kind>/<seq>", the run being the workflow run that sends
// it, so a run started by `temporal workflow reset` sends its own messages
// although it counts seq from the same point. A send scheduled before runs
// were named (run "") keeps the key it had, so its retry sends once.
func OutboxKey(ticketID, run, kind string, seq int) string {
	if run == "" {
		return fmt.Sprintf("%s/%s/%d", ticketID, kind, seq)
	}
	return fmt.Sprintf("%s/%s/%s/%d", ticketID, run, kind, seq)
}

// SendCitizen composes the message and puts it in the outbox; the messenger
// delivers it. Enqueueing the same key again is a no-op, so a retry never
// sends twice.
func (a *Activities) SendCitizen(ctx context.Context, in SendCitizenInput) error {
	if in.Recipient == "" {
		// Tickets entered by staff for a walk-in citizen have nobody to
		// message; that is not worth failing the workflow's step over.
		a.logger().InfoContext(ctx, "no recipient for citizen message", "ticket", in.TicketID, "kind", in.Kind)
		return nil
	}
	text, err := a.composeCitizen(ctx, in)
	if err != nil {
		return nonRetryable(err)
	}
	m := &hailurah.OutboxMessage{
		IdempotencyKey: OutboxKey(in.TicketID, in.Run, in.Kind, in.Seq),
		TicketID:       in.TicketID,
		Channel:        in.Channel,
		Recipient:      in.Recipient,
		Kind:           in.Kind,
		Text:           text,
	}
	if in.Channel == hailurah.ChannelWhatsApp && a.now().Sub(in.LastCitizenAt) > whatsAppWindow {
		m.Template = WhatsAppTemplate(in.Kind)
	}
	if in.Kind == hailurah.OutboxConfirm && in.Unit != "" {
		if err := a.doneMessage(ctx, in, m); err != nil {
			return err // a photo's download that may pass: try again
		}
	}
	return nonRetryable(a.Outbox.Enqueue(ctx, m))
}

// WhatsAppTemplate names the approved template for a kind of message sent
// outside the 24-hour window. Templates are registered with Meta under
// these names, each with the ticket id and the text as parameters.
func WhatsAppTemplate(kind string) string {
	return "hailurah_" + kind
}

func (a *Activities) composeCitizen(ctx context.Context, in SendCitizenInput) (string, error) {
	switch in.Kind {
	case hailurah.OutboxAck:
		return composeACK(a.kelurahanName(ctx, in.Kelurahan, in.KelurahanName)), nil
	case hailurah.OutboxReply:
		if in.Triage == nil {
			return "", hailurah.Errorf(hailurah.EINVALID, "reply for %s without triage", in.TicketID)
		}
		return composeReply(in.Triage), nil
	case hailurah.OutboxStaffReply, hailurah.OutboxDraft:
		if strings.TrimSpace(in.Text) == "" {
			return "", hailurah.Errorf(hailurah.EINVALID, "%s for %s without text", in.Kind, in.TicketID)
		}
		if in.Kind == hailurah.OutboxStaffReply {
			return fmt.Sprintf("Pesan dari petugas HAI LURAH untuk tiket %s:\n%s", in.TicketID, in.Text), nil
		}
		return in.Text, nil
	case hailurah.OutboxStatus:
		return composeStatus(in.TicketID, in.Status.Label()), nil
	case hailurah.OutboxFlags:
		return fmt.Sprintf("Baik, pilihan Anda kami catat: anonim %s, tembusan ke Lurah %s.", yaTidak(in.Anonim), yaTidak(in.Tembusan)), nil
	case hailurah.OutboxConfirm:
		return composeConfirmQuestion(in.TicketID), nil
	case hailurah.OutboxConfirmReminder:
		return composeConfirmReminder(in.TicketID), nil
	case hailurah.OutboxRatingQuestion:
		return composeRatingQuestion(in.TicketID), nil
	case hailurah.OutboxAskText: // a voice note of the ticket's that was not transcribed
		return triage.ComposeAskVoice(in.TicketID), nil
	case hailurah.OutboxRatingThanks:
		return "Terima kasih atas penilaian Anda. Masukan Anda membantu kami melayani lebih baik.", nil
	case hailurah.OutboxPhoneLinked:
		return fmt.Sprintf("Nomor WhatsApp ini kini terhubung dengan tiket %s. Kabar tiket kami kirim ke sini; "+
			"balas STATUS untuk melihat perkembangannya, atau SESUDAH bila masalahnya sudah selesai.", in.TicketID), nil
	case hailurah.OutboxReopened:
		return fmt.Sprintf("Baik, tiket %s kami buka kembali dan akan ditinjau ulang oleh petugas kelurahan.", in.TicketID), nil
	case hailurah.OutboxClosed:
		return fmt.Sprintf("Tiket %s kami tutup karena belum ada konfirmasi. Jika masalah belum selesai, silakan kirim curhat baru kapan saja.", in.TicketID), nil
	case hailurah.OutboxRejected:
		if in.DuplicateOf != "" {
			return fmt.Sprintf("Laporan Anda sama dengan tiket %s yang sedang ditangani. Perkembangannya kami lanjutkan di tiket tersebut.", in.DuplicateOf), nil
		}
		return fmt.Sprintf("Tiket %s tidak dapat kami tindak lanjuti.", in.TicketID), nil
	}
	return "", hailurah.Errorf(hailurah.EINVALID, "unknown citizen message kind %q", in.Kind)
}

func yaTidak(b bool) string {
	if b {
		return "YA"
	}
	return "TIDAK"
}

// kelurahanName prefers the name the workflow knows and looks the code up
// otherwise; a failed lookup is not worth failing a message over.
func (a *Activities) kelurahanName(ctx context.Context, code, name string) string {
	if name != "" || code == "" || a.Kelurahan == nil {
		return name
	}
	k, err := a.Kelurahan.FindKelurahan(ctx, code)
	if err != nil {
		a.logger().WarnContext(ctx, "kelurahan lookup failed", "kelurahan", code, "err", err)
		return code
	}
	return k.Name
}

// DraftInput is what a draft request letter is written from: the ticket as
// the moderator corrected it and the citizen's own words.
type DraftInput struct {
	TicketID      string `json:"ticket_id"`
	Kelurahan     string `json:"kelurahan,omitempty"`
	KelurahanName string `json:"kelurahan_name,omitempty"`
	RT            string `json:"rt,omitempty"`
	RW            string `json:"rw,omitempty"`
	Anonim        bool   `json:"anonim"`
	// Arg is what the citizen asked the letter to be about ("SEDOT" in
	// "MINTA DRAFT SEDOT"); it replaces the subkategori as the subject.
	Arg         string `json:"arg,omitempty"`
	Text        string `json:"text"` // the citizen's first message
	Kategori    string `json:"kategori,omitempty"`
	Subkategori string `json:"subkategori,omitempty"`
	Summary     string `json:"summary,omitempty"`
	Unit        string `json:"unit,omitempty"` // assigned, else suggested
}

// DraftLetter writes the draft request letter MINTA DRAFT asks for. It is
// an activity, not a function in the workflow, so a later AI-written draft
// changes no workflow code. Names it cannot look up are left out of the
// letter rather than failing it.
func (a *Activities) DraftLetter(ctx context.Context, in DraftInput) (string, error) {
	d := draftLetter{
		TicketID: in.TicketID, KelurahanName: in.KelurahanName, RT: in.RT, RW: in.RW,
		Kategori: in.Kategori, Subkategori: in.Subkategori, Summary: in.Summary, Text: in.Text,
		Unit: in.Unit, Date: a.now(), Anonim: in.Anonim,
	}
	if in.Arg != "" {
		d.Subkategori = strings.ToLower(in.Arg)
	}
	if a.Kelurahan != nil && in.Kelurahan != "" {
		if k, err := a.Kelurahan.FindKelurahan(ctx, in.Kelurahan); err == nil {
			d.KelurahanName, d.LurahName = k.Name, k.LurahName
		} else {
			a.logger().WarnContext(ctx, "kelurahan lookup failed", "kelurahan", in.Kelurahan, "err", err)
		}
	}
	if a.Kelurahan != nil && in.Unit != "" {
		if u, err := a.Kelurahan.FindUnit(ctx, in.Unit); err == nil {
			d.UnitName = u.Name
		} else {
			a.logger().WarnContext(ctx, "unit lookup failed", "unit", in.Unit, "err", err)
		}
	}
	return composeDraftLetter(d), nil
}

// Command is a citizen command recognised in a message. Kind is "" for a
// message that is not a command.
type Command struct {
	Kind   string `json:"kind,omitempty"` // a Command* constant
	Value  bool   `json:"value,omitempty"`
	Rating int    `json:"rating,omitempty"`
	Arg    string `json:"arg,omitempty"`
}

// Citizen command kinds.
const (
	CommandAnonim     = "anonim"   // Value: YA/TIDAK
	CommandTembusan   = "tembusan" // Value: YA/TIDAK
	CommandLanjut     = "lanjut"
	CommandSesudah    = "sesudah"
	CommandBelum      = "belum"
	CommandMintaDraft = "minta_draft" // Arg: what the letter is for
	CommandStatus     = "status"
	CommandRating     = "rating" // Rating: 1–5
)

// ParseCitizenMessage recognises a command in a citizen's message. The
// workflow runs it as a local activity, so its answer is recorded in the
// history: a parser that later learns new spellings cannot change what a
// replayed ticket did.
func ParseCitizenMessage(_ context.Context, text string) (Command, error) {
	c, _ := parseCommand(text)
	return c, nil
}
