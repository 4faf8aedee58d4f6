package intake

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"math/big"
	"strconv"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/whatsapp"
)

// A phone typed into the web or kiosk form becomes the ticket's contact
// only when its owner types the code sent to it (finding 2 of issue 15):
// until then the ticket has a pseudonym of its own (sender), nothing of it
// goes to the phone and nothing from the phone joins it.

// The limits of a phone's confirmation.
const (
	// PhoneCodeTTL is how long a code may be typed.
	PhoneCodeTTL = 15 * time.Minute
	// PhoneCodeAttempts is how many codes may be tried against one claim:
	// a guess of six digits then succeeds once in 200,000 claims.
	PhoneCodeAttempts = 5
	// phoneCodesPerHour bounds the codes one phone is sent, whoever asks,
	// so the form cannot flood a stranger's WhatsApp.
	phoneCodesPerHour = 3
)

// Phone confirmation states, for the tracking page.
const (
	PhonePending   = "pending"   // a code was sent and may be typed
	PhoneConfirmed = "confirmed" // the phone follows the ticket
)

// claimPhone sends a new form ticket's typed phone its one-time code and
// reports whether it did. A failure only leaves the phone unconfirmed:
// the citizen still follows with the tracking code, so it does not fail
// the curhat.
func (x *Intake) claimPhone(ctx context.Context, ticketID, e164 string) bool {
	phone := whatsapp.SenderID(x.cfg.Secret, e164)
	log := x.logger.With(slog.String("ticket", ticketID), slog.String("phone", MaskPhone(e164)))
	n, err := x.store.CountPhoneClaims(ctx, phone, x.now().Add(-time.Hour))
	if err != nil {
		log.WarnContext(ctx, "counting a phone's codes failed; none sent", slog.Any("err", err))
		return false
	}
	if n >= phoneCodesPerHour {
		log.InfoContext(ctx, "phone was sent enough codes this hour; none sent")
		return false
	}
	sealed, err := x.sealer.Seal(e164)
	if err != nil {
		log.WarnContext(ctx, "sealing the phone failed; no code sent", slog.Any("err", err))
		return false
	}
	if err := x.ensureContact(ctx, phone, sealed); err != nil {
		log.WarnContext(ctx, "keeping the phone to send its code failed; none sent", slog.Any("err", err))
		return false
	}
	code, err := newPhoneCode()
	if err != nil {
		log.WarnContext(ctx, "making a code failed; none sent", slog.Any("err", err))
		return false
	}
	claim := &hailurah.PhoneClaim{TicketID: ticketID, PhoneSender: phone, PhoneSealed: sealed, CodeHash: x.phoneCodeHash(ticketID, code),
		ExpiresAt: x.now().Add(PhoneCodeTTL)}
	if err := x.store.CreatePhoneClaim(ctx, claim); err != nil {
		log.WarnContext(ctx, "recording the phone's claim failed; no code sent", slog.Any("err", err))
		return false
	}
	// No ticket id: the tracking page lists the ticket's messages, and
	// whoever typed the number must not read the code there.
	msg := &hailurah.OutboxMessage{IdempotencyKey: "phone-code/" + strconv.FormatInt(claim.ID, 10),
		Channel: hailurah.ChannelWhatsApp, Recipient: phone, Kind: hailurah.OutboxPhoneCode, Text: ComposePhoneCode(code)}
	if err := x.store.Enqueue(ctx, msg); err != nil {
		log.WarnContext(ctx, "queueing the phone's code failed", slog.Any("err", err))
		return false
	}
	log.InfoContext(ctx, "code sent to a typed phone")
	return true
}

// ComposePhoneCode is the code's message: nothing of the curhat, since the
// number's owner may not be its author.
func ComposePhoneCode(code string) string {
	return fmt.Sprintf("Kode verifikasi HAI LURAH: %s\nBerlaku %d menit. Jangan berikan kode ini kepada siapa pun. "+
		"Bila Anda tidak memintanya, abaikan pesan ini.", code, int(PhoneCodeTTL/time.Minute))
}

// ConfirmPhone checks a code typed for the ticket's claimed phone. The
// right one makes the phone the ticket's contact: the workflow sends the
// ticket's news to it (a SignalContact), and the ticket takes the phone's
// pseudonym, so its WhatsApp replies are routed to it. Returns ENOTFOUND
// when no phone waits, ECONFLICT when the phone is confirmed already, the
// code expired or the ticket ended, ETOOMANY after PhoneCodeAttempts
// wrong codes, and EINVALID (field "code") for a wrong code.
func (x *Intake) ConfirmPhone(ctx context.Context, ticketID, code string) error {
	c, err := x.store.LatestPhoneClaim(ctx, ticketID)
	if hailurah.ErrorCode(err) == hailurah.ENOTFOUND {
		return hailurah.Errorf(hailurah.ENOTFOUND, "Tiket ini tidak menunggu konfirmasi nomor WhatsApp.")
	} else if err != nil {
		return err
	}
	switch {
	case c.ConfirmedAt != nil:
		return hailurah.Errorf(hailurah.ECONFLICT, "Nomor WhatsApp tiket ini sudah dikonfirmasi.")
	case c.Attempts >= PhoneCodeAttempts:
		return errTooManyCodes()
	case !x.now().Before(c.ExpiresAt):
		return hailurah.Errorf(hailurah.ECONFLICT, "Kode sudah kedaluwarsa (berlaku %d menit). Ikuti tiket dengan kode lacak, "+
			"atau kirim HAI LURAH dari WhatsApp Anda untuk curhat berikutnya.", int(PhoneCodeTTL/time.Minute))
	}
	ok, err := x.store.AttemptPhoneClaim(ctx, c.ID, PhoneCodeAttempts)
	if err != nil {
		return err
	}
	if !ok {
		return errTooManyCodes()
	}
	if !hmac.Equal([]byte(x.phoneCodeHash(ticketID, code)), []byte(c.CodeHash)) {
		left := PhoneCodeAttempts - c.Attempts - 1
		if left <= 0 {
			return errTooManyCodes()
		}
		return hailurah.FieldErrorf("code", "Kode salah. Sisa %d kali percobaan.", left)
	}
	// The messages to come need the contact, which the retention sweep
	// may have purged since the code went out.
	if err := x.ensureContact(ctx, c.PhoneSender, c.PhoneSealed); err != nil {
		return err
	}
	// The workflow first: a confirmation it did not take is not recorded,
	// and the same code may be typed again while it is valid.
	err = x.cases.ChangeContact(ctx, ticketID, hailurah.ContactChange{SenderID: c.PhoneSender, Channel: hailurah.ChannelWhatsApp})
	if hailurah.ErrorCode(err) == hailurah.ENOTFOUND {
		return hailurah.Errorf(hailurah.ECONFLICT, "Tiket ini sudah selesai; nomor tidak dapat dihubungkan lagi.")
	} else if err != nil {
		return err
	}
	return x.store.ConfirmPhoneClaim(ctx, c.ID, x.now())
}

// neverWrote is the last message of a phone that never wrote to us: long
// past, so the relay sends it templates only (WhatsApp allows free text
// only within 24 hours of the phone's own message), and the next retention
// sweep purges the number unless the phone became a ticket's contact.
var neverWrote = time.Unix(0, 0).UTC()

// ensureContact keeps a typed phone's sealed number under its own
// pseudonym, for the relay to send to. A contact the phone's WhatsApp
// messages made is left as it is (its number, window and kelurahan).
func (x *Intake) ensureContact(ctx context.Context, phone, sealed string) error {
	_, err := x.store.FindContact(ctx, phone)
	if hailurah.ErrorCode(err) != hailurah.ENOTFOUND || sealed == "" {
		return err
	}
	return x.store.RecordContact(ctx, &hailurah.Contact{SenderID: phone, Channel: hailurah.ChannelWhatsApp,
		PhoneSealed: sealed, LastInboundAt: neverWrote})
}

func errTooManyCodes() error {
	return hailurah.Errorf(hailurah.ETOOMANY, "Terlalu banyak kode yang salah. Nomor ini tidak dapat lagi dihubungkan dengan tiket ini; "+
		"ikuti tiket dengan kode lacak.")
}

// PhoneStatus says whether a code may be typed for the ticket
// (PhonePending), its phone is confirmed (PhoneConfirmed), or neither ("").
func (x *Intake) PhoneStatus(ctx context.Context, ticketID string) (string, error) {
	c, err := x.store.LatestPhoneClaim(ctx, ticketID)
	switch {
	case hailurah.ErrorCode(err) == hailurah.ENOTFOUND:
		return "", nil
	case err != nil:
		return "", err
	case c.ConfirmedAt != nil:
		return PhoneConfirmed, nil
	case c.Attempts < PhoneCodeAttempts && x.now().Before(c.ExpiresAt):
		return PhonePending, nil
	}
	return "", nil
}

// phoneCodeHash keys the code with the secret and the ticket, so a copy of
// the database does not give the codes away (a million candidates are
// quickly hashed) and a code fits one ticket only.
func (x *Intake) phoneCodeHash(ticketID, code string) string {
	mac := hmac.New(sha256.New, x.cfg.Secret)
	mac.Write([]byte("phone-code\x00" + ticketID + "\x00" + code))
	return hex.EncodeToString(mac.Sum(nil))
}

// newPhoneCode returns six random digits.
func newPhoneCode() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

// MaskPhone shows a number in logs and the audit log without giving it
// away: the country code and the last two digits.
func MaskPhone(e164 string) string {
	if len(e164) < 7 {
		return "***"
	}
	return e164[:3] + "******" + e164[len(e164)-2:]
}
