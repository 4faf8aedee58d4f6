package activities

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/finance"
	"github.com/hailurah/hailurah/whatsapp"
)

// LoanActivities are the side effects of LoanWorkflow: its projection, its
// notifications to staff and the borrower's instalment reminders on
// WhatsApp. Each is idempotent: projections by event, version and
// repayment key, notifications and messages by key.
type LoanActivities struct {
	Loans         finance.LoanService
	Notifications hailurah.NotificationService
	// Notices reaches phones: the borrower's reminders go through its
	// contacts and outbox, as staff notices do. Nil sends no reminder.
	Notices *NoticeActivities
	BaseURL string
	Zone    hailurah.Zone
	Logger  *slog.Logger
}

func (a *LoanActivities) logger() *slog.Logger {
	if a.Logger != nil {
		return a.Logger
	}
	return slog.Default()
}

// ProjectLoan writes one transition of a loan to the store.
func (a *LoanActivities) ProjectLoan(ctx context.Context, p finance.LoanProjection) error {
	if p.Loan == nil {
		return nonRetryable(hailurah.Errorf(hailurah.EINVALID, "loan projection without a loan"))
	}
	return nonRetryable(a.Loans.ProjectLoan(ctx, &p))
}

// LoanNotifyInput is one staff notification about a loan.
type LoanNotifyInput struct {
	Key  string              `json:"key"`
	Kind string              `json:"kind"` // a hailurah.NotifyLoan* constant
	To   []hailurah.Audience `json:"to"`
	Loan finance.Loan        `json:"loan"`
	// Instalment is the late instalment's number (arrears).
	Instalment int `json:"instalment,omitempty"`
}

// NotifyLoan stores the notification for every audience and hands it to
// their WhatsApp where staff notices go.
func (a *LoanActivities) NotifyLoan(ctx context.Context, in LoanNotifyInput) error {
	l := in.Loan
	about := fmt.Sprintf("Pinjaman %s — %s (%s): %s dalam %d bulan untuk %s.", l.ID, dash(l.HouseholdName), l.HouseholdID,
		hailurah.FormatRupiah(l.Amount), l.Months, dash(l.Purpose))
	var title, body string
	switch in.Kind {
	case finance.NotifyLoanToApprove:
		title = "Pinjaman dana bergulir menunggu persetujuan: " + l.ID
		body = about + "\nMohon setujui atau tolak."
	case finance.NotifyLoanArrears:
		title = fmt.Sprintf("Pinjaman %s menunggak", l.ID)
		due := "-"
		if in.Instalment > 0 && in.Instalment <= len(l.Schedule) {
			due = formatTanggal(a.Zone, l.Schedule[in.Instalment-1].Due)
		}
		body = fmt.Sprintf("%s\nCicilan ke-%d (jatuh tempo %s) belum dibayar. Sisa pinjaman %s. Mohon kunjungi peminjam.",
			about, in.Instalment, due, hailurah.FormatRupiah(l.Outstanding()))
	case finance.NotifyLoanPaid:
		title = fmt.Sprintf("Pinjaman %s lunas", l.ID)
		body = about + "\nSeluruh cicilan sudah dibayar dan kembali ke saldo dana bergulir."
	default:
		return nonRetryable(hailurah.Errorf(hailurah.EINVALID, "unknown loan notification kind %q", in.Kind))
	}
	link := strings.TrimRight(a.BaseURL, "/") + "/dana-bergulir/" + l.ID
	for _, to := range in.To {
		n := &hailurah.Notification{IdempotencyKey: in.Key + "/" + audienceKey(to), To: to, Kind: in.Kind, Title: title, Body: body, Link: link}
		count, err := a.Notifications.Notify(ctx, n)
		if err != nil {
			return nonRetryable(err)
		}
		if count == 0 {
			a.logger().WarnContext(ctx, "loan notification reached nobody", "key", n.IdempotencyKey, "loan", l.ID)
		}
		notice := hailurah.StaffNotice{Key: n.IdempotencyKey, Kind: in.Kind, Ref: l.ID, Kategori: "Dana bergulir",
			Kelurahan: l.Kelurahan, Summary: fmt.Sprintf("%s, %s", dash(l.HouseholdName), hailurah.FormatRupiah(l.Amount)), Link: link}
		if err := a.Notices.fanOut(ctx, to, notice); err != nil {
			return nonRetryable(err)
		}
	}
	return nil
}

// RemindInput is one instalment reminder to the borrower.
type RemindInput struct {
	Key        string       `json:"key"` // "<loan>/<run id>/remind/<n>"
	Phone      string       `json:"phone"`
	Loan       finance.Loan `json:"loan"`
	Instalment int          `json:"instalment"`
}

// RemindBorrower queues the WhatsApp reminder of an instalment: the full
// text inside the 24-hour window, else the approved template
// whatsapp.TemplateLoanReminder. A loan without a phone, or a deployment
// without WhatsApp, sends nothing and says so in the log.
func (a *LoanActivities) RemindBorrower(ctx context.Context, in RemindInput) error {
	l := in.Loan
	if in.Instalment < 1 || in.Instalment > len(l.Schedule) {
		return nonRetryable(hailurah.Errorf(hailurah.EINVALID, "instalment %d of %s", in.Instalment, l.ID))
	}
	if in.Phone == "" || a.Notices == nil {
		a.logger().InfoContext(ctx, "loan reminder not sent: no phone or no WhatsApp", "loan", l.ID)
		return nil
	}
	x := l.Schedule[in.Instalment-1]
	due := formatTanggal(a.Zone, x.Due)
	amount := hailurah.FormatRupiah(x.Amount - x.Paid)
	recipient, err := a.Notices.ensureContact(ctx, in.Phone)
	if err != nil {
		return err
	}
	text := fmt.Sprintf("Yth. %s, pengingat dari Kelurahan: cicilan ke-%d dana bergulir %s sebesar %s jatuh tempo %s. "+
		"Mohon dibayarkan melalui fasilitator kelurahan. Terima kasih.", dash(l.HouseholdName), x.N, l.ID, amount, due)
	m := &hailurah.OutboxMessage{IdempotencyKey: in.Key, Channel: hailurah.ChannelWhatsApp, Recipient: recipient,
		Kind: finance.OutboxLoanReminder, Text: text, Template: whatsapp.TemplateLoanReminder,
		TemplateParams: []string{param(l.HouseholdName, 60), param(l.ID, 40), param(fmt.Sprintf("%d", x.N), 5), amount, due}}
	return nonRetryable(a.Notices.Store.Enqueue(ctx, m))
}

// formatTanggal writes a calendar date the way the pages do: "4 Jun 2026".
func formatTanggal(z hailurah.Zone, t time.Time) string {
	d := z.In(t)
	return fmt.Sprintf("%d %s %d", d.Day(), hailurah.ShortMonth(d.Month()), d.Year())
}
