package activities

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/whatsapp"
)

// NoticeStore is what staff notices need of the store: who gets them,
// the kelurahan's quiet hours, the user's phone and switch at send time,
// their contact and the outbox.
type NoticeStore interface {
	hailurah.StaffNoticeService
	hailurah.OutboxService
	FindUserByUsername(ctx context.Context, username string) (*hailurah.User, error)
	FindContact(ctx context.Context, senderID string) (*hailurah.Contact, error)
	RecordContact(ctx context.Context, c *hailurah.Contact) error
}

// NoticeSignaler hands a notice to its staff member's notice workflow,
// starting it when none runs; workflows.Client is one.
type NoticeSignaler interface {
	NoticeStaff(ctx context.Context, username string, p hailurah.NoticePolicy, n hailurah.StaffNotice) error
}

// NoticeActivities send staff their WhatsApp notices. The notification
// activities (NotifyStaff, NotifyGrant, NotifyPilot) fan each notification
// out to the phones of its audiences (fanOut, not an activity: it runs
// inside theirs, so no workflow's commands change); each staff member's
// StaffNoticeWorkflow paces them and calls SendStaffNotices, the one
// activity here, which queues the message in the outbox.
type NoticeActivities struct {
	Store    NoticeStore
	Signaler NoticeSignaler
	// Secret keys the phones' pseudonyms (HAILURAH_SECRET), as intake's;
	// Sealer seals the numbers the relay sends to.
	Secret []byte
	Sealer *whatsapp.Sealer
	// Policy paces every staff member's notices.
	Policy hailurah.NoticePolicy
	// BaseURL is the public address of the web UI, for links.
	BaseURL string
	Logger  *slog.Logger
}

func (na *NoticeActivities) logger() *slog.Logger {
	if na.Logger != nil {
		return na.Logger
	}
	return slog.Default()
}

// fanOut hands notice n, about a notification to audience to, to the
// notice workflow of every staff member of to who has a phone and their
// notices on, if the notification's kind goes to WhatsApp for to's role.
// A nil NoticeActivities sends nothing (no WhatsApp notices configured).
// An error is worth retrying: the notification is stored once and each
// workflow takes a notice's key once.
func (na *NoticeActivities) fanOut(ctx context.Context, to hailurah.Audience, n hailurah.StaffNotice) error {
	if na == nil || !hailurah.StaffNoticeFor(n.Kind, to.Role) {
		return nil
	}
	users, err := na.Store.NoticeRecipients(ctx, to)
	if err != nil || len(users) == 0 {
		return err
	}
	if n.Kelurahan != "" {
		if n.Quiet, err = na.Store.QuietHours(ctx, n.Kelurahan); err != nil {
			return err
		}
	}
	for _, u := range users {
		if err := na.Signaler.NoticeStaff(ctx, u.Username, na.Policy, n); err != nil {
			return err
		}
	}
	return nil
}

// SendNoticesInput is what a staff member's notice workflow sends at once:
// one notice, or several as one bundle.
type SendNoticesInput struct {
	Username string                 `json:"username"`
	Notices  []hailurah.StaffNotice `json:"notices"`
}

// SendStaffNotices queues the notices for the user's WhatsApp, as one
// message: the [NOTIF] of one, or a bundle of several. It reads the user
// now, so a phone changed or notices switched off since the fan-out are
// honoured; a user without either is skipped, not an error. The key
// derives from the notices', so a retry queues nothing new.
func (na *NoticeActivities) SendStaffNotices(ctx context.Context, in SendNoticesInput) error {
	if len(in.Notices) == 0 {
		return nil
	}
	log := na.logger().With(slog.String("user", in.Username), slog.Int("notices", len(in.Notices)))
	u, err := na.Store.FindUserByUsername(ctx, in.Username)
	if hailurah.ErrorCode(err) == hailurah.ENOTFOUND {
		log.InfoContext(ctx, "staff notice to an unknown user; dropped")
		return nil
	} else if err != nil {
		return err
	}
	if u.Disabled || u.Phone == "" || !u.WhatsAppNotices {
		log.InfoContext(ctx, "staff member has no phone, is disabled or switched notices off; not sent")
		return nil
	}
	recipient, err := na.ensureContact(ctx, u.Phone)
	if err != nil {
		return err
	}
	m := na.compose(u, in.Notices)
	m.IdempotencyKey, m.Channel, m.Recipient = noticeKey(u.Username, in.Notices), hailurah.ChannelWhatsApp, recipient
	return nonRetryable(na.Store.Enqueue(ctx, m))
}

// neverWrote is the last message of a staff phone that never wrote: the
// relay sends it templates only, as staff are outside the 24-hour window.
var neverWrote = time.Unix(0, 0).UTC()

// ensureContact returns the phone's pseudonym, recording its sealed number
// for the relay when no contact has it: staff phones are reached as
// citizens' are.
func (na *NoticeActivities) ensureContact(ctx context.Context, phone string) (string, error) {
	sender := whatsapp.SenderID(na.Secret, phone)
	_, err := na.Store.FindContact(ctx, sender)
	if hailurah.ErrorCode(err) != hailurah.ENOTFOUND {
		return sender, err
	}
	sealed, err := na.Sealer.Seal(phone)
	if err != nil {
		return "", err
	}
	return sender, nonRetryable(na.Store.RecordContact(ctx, &hailurah.Contact{SenderID: sender, Channel: hailurah.ChannelWhatsApp,
		PhoneSealed: sealed, LastInboundAt: neverWrote}))
}

// noticeKey is the outbox key of a message to a staff member: keys of
// notifications are long, so they are hashed.
func noticeKey(username string, notices []hailurah.StaffNotice) string {
	h := sha256.New()
	for _, n := range notices {
		h.Write([]byte(n.Key + "\x00"))
	}
	return "notice/" + username + "/" + hex.EncodeToString(h.Sum(nil))[:32]
}

// maxBundled is how many notices a bundle lists one by one.
const maxBundled = 10

// compose writes the message: the free-form text (sent when the staff
// member wrote in the last 24 hours) and the template with its parameters.
func (na *NoticeActivities) compose(u *hailurah.User, notices []hailurah.StaffNotice) *hailurah.OutboxMessage {
	if len(notices) == 1 {
		n := notices[0]
		return &hailurah.OutboxMessage{Kind: hailurah.OutboxStaffNotice, Text: composeStaffNotice(u.Role, n),
			Template: whatsapp.TemplateStaffNotice, TemplateParams: []string{
				param(hailurah.StaffNoticeLabel(n.Kind), 60), param(n.Ref, 40), param(kategoriLabel(n.Kategori), 60),
				param(urgencyWords(n.Urgency), 20), param(n.Place(), 120), param(n.Summary, 300), param(n.Link, 500)}}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "[NOTIF] %d notifikasi baru untuk Anda:", len(notices))
	refs := make([]string, 0, len(notices))
	for i, n := range notices {
		if !slices.Contains(refs, n.Ref) {
			refs = append(refs, n.Ref)
		}
		if i < maxBundled {
			fmt.Fprintf(&b, "\n• %s %s", hailurah.StaffNoticeLabel(n.Kind), n.Ref)
			if n.Urgency > 0 {
				fmt.Fprintf(&b, " (urgensi %d)", n.Urgency)
			}
			if n.Summary != "" {
				b.WriteString(": " + param(n.Summary, 120))
			}
		}
	}
	if len(notices) > maxBundled {
		fmt.Fprintf(&b, "\n• … dan %d lainnya", len(notices)-maxBundled)
	}
	link := strings.TrimRight(na.BaseURL, "/") + "/notifikasi"
	b.WriteString("\nSemua notifikasi: " + link)
	listed := refs
	if len(listed) > maxBundled {
		listed = append(listed[:maxBundled:maxBundled], fmt.Sprintf("+%d lainnya", len(refs)-maxBundled))
	}
	return &hailurah.OutboxMessage{Kind: hailurah.OutboxStaffBundle, Text: b.String(),
		Template: whatsapp.TemplateStaffBundle, TemplateParams: []string{strconv.Itoa(len(notices)), param(strings.Join(listed, ", "), 400), link}}
}

// composeStaffNotice is the seed's [NOTIF] under what happened, with the
// commands the staff member may answer a ticket's notice with.
func composeStaffNotice(role hailurah.Role, n hailurah.StaffNotice) string {
	head := "*" + hailurah.StaffNoticeLabel(n.Kind) + "*\n"
	if !n.Ticket {
		return head + fmt.Sprintf("[NOTIF] %s — %s\nKel: %s\nRingkasan: %s\nLink: %s",
			n.Ref, dash(n.Kategori), n.Place(), dash(n.Summary), dash(n.Link))
	}
	text := head + composeLurahNotif(lurahNotif{TicketID: n.Ref, Kategori: n.Kategori, Urgency: n.Urgency,
		KelurahanName: dash(n.KelurahanName), RT: n.RT, RW: n.RW, Summary: n.Summary, Suggestion: dash(n.Suggestion),
		Link: n.Link, Tembusan: n.Kind == hailurah.NotifyTembusan})
	if role == hailurah.RoleDinas {
		return text + fmt.Sprintf("\nBalas TERIMA %s untuk menerima tugas, SELESAI %s <catatan> bila selesai, STATUS %s untuk statusnya.", n.Ref, n.Ref, n.Ref)
	}
	return text + fmt.Sprintf("\nBalas OK %s bila sudah Anda ketahui, STATUS %s untuk statusnya.", n.Ref, n.Ref)
}

// param is one template parameter: Meta refuses line breaks, tabs and
// long runs of spaces in one, and an empty one.
func param(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > max {
		s = string([]rune(s)[:max-1]) + "…"
	}
	return dash(s)
}

func urgencyWords(u int) string {
	if u <= 0 {
		return "-"
	}
	if u >= hailurah.UrgentNotice {
		return strconv.Itoa(u) + " URGENT"
	}
	return strconv.Itoa(u)
}
