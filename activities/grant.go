package activities

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/hailurah/hailurah"
)

// GrantActivities are the side effects of GrantWorkflow: its projection
// into the store and its notifications to staff. They are a struct of
// their own, registered beside Activities, because they need the grant
// store and nothing of the curhat pipeline (classifier, outbox). Like
// every activity they are idempotent: projections are keyed by event and
// version, notifications by key.
type GrantActivities struct {
	Grants        hailurah.GrantService
	Notifications hailurah.NotificationService
	// Kelurahan, when set, names the kelurahan in notifications.
	Kelurahan hailurah.KelurahanService
	// BaseURL is the public address of the web UI, for links.
	BaseURL string
	Logger  *slog.Logger
	// Zone is the kelurahan's clock, for the times in messages; the zero
	// Zone is Asia/Jakarta.
	Zone hailurah.Zone
	// Notices, when set, sends the notifications that need staff to act
	// to their WhatsApp too.
	Notices *NoticeActivities
}

func (a *GrantActivities) logger() *slog.Logger {
	if a.Logger != nil {
		return a.Logger
	}
	return slog.Default()
}

// ProjectGrant writes one transition of a grant to the store: the event,
// the check-in, the grant row, and the budget and modal bookkeeping that
// follow from it, in one transaction.
func (a *GrantActivities) ProjectGrant(ctx context.Context, p hailurah.GrantProjection) error {
	if p.Grant == nil {
		return nonRetryable(hailurah.Errorf(hailurah.EINVALID, "grant projection without a grant"))
	}
	return nonRetryable(a.Grants.ProjectGrant(ctx, &p))
}

// GrantNotifyInput is one staff notification about a grant.
type GrantNotifyInput struct {
	// Key is unique per event ("<grant>/<kind>/<seq>"); each audience's
	// copy is keyed "<Key>/<audience>".
	Key   string              `json:"key"`
	Kind  string              `json:"kind"` // a hailurah.NotifyGrant* constant
	To    []hailurah.Audience `json:"to"`
	Grant hailurah.Grant      `json:"grant"`
	// Step names the late step of a reminder: a GrantAction* constant.
	Step    string `json:"step,omitempty"`
	Level   int    `json:"level,omitempty"`
	Checkin int    `json:"checkin,omitempty"` // the check-in's number
	Actor   string `json:"actor,omitempty"`
	Note    string `json:"note,omitempty"`
}

// NotifyGrant stores the notification for every audience. An audience
// without users is logged, not an error: retrying would not create one.
func (a *GrantActivities) NotifyGrant(ctx context.Context, in GrantNotifyInput) error {
	title, body, err := a.composeGrant(ctx, in)
	if err != nil {
		return nonRetryable(err)
	}
	for _, to := range in.To {
		n := &hailurah.Notification{
			IdempotencyKey: in.Key + "/" + audienceKey(to),
			To:             to,
			Kind:           in.Kind,
			Title:          title,
			Body:           body,
			Link:           strings.TrimRight(a.BaseURL, "/") + "/hibah/" + in.Grant.ID,
		}
		count, err := a.Notifications.Notify(ctx, n)
		if err != nil {
			return nonRetryable(err)
		}
		if count == 0 {
			a.logger().WarnContext(ctx, "grant notification reached nobody", "key", n.IdempotencyKey, "grant", in.Grant.ID)
		}
		g := in.Grant
		notice := hailurah.StaffNotice{Key: n.IdempotencyKey, Kind: in.Kind, Ref: g.ID, Kategori: "Hibah " + strings.ToLower(purposeLabel(g.Purpose)),
			Kelurahan: g.Kelurahan, KelurahanName: a.kelurahanName(ctx, g.Kelurahan),
			Summary: fmt.Sprintf("%s, %s: %s", dash(g.HouseholdName), hailurah.FormatRupiah(g.Amount), dash(g.Plan)), Link: n.Link}
		if err := a.Notices.fanOut(ctx, to, notice); err != nil {
			return nonRetryable(err)
		}
	}
	return nil
}

func (a *GrantActivities) kelurahanName(ctx context.Context, code string) string {
	if a.Kelurahan != nil && code != "" {
		if k, err := a.Kelurahan.FindKelurahan(ctx, code); err == nil {
			return k.Name
		}
	}
	return code
}

// stepLabels name the human steps reminders are about.
var stepLabels = map[string]string{
	hailurah.GrantActionVerify:   "verifikasi lapangan",
	hailurah.GrantActionApprove:  "persetujuan Lurah",
	hailurah.GrantActionDisburse: "pencairan",
}

func (a *GrantActivities) composeGrant(ctx context.Context, in GrantNotifyInput) (title, body string, err error) {
	g := in.Grant
	kel := a.kelurahanName(ctx, g.Kelurahan)
	dtks := ""
	if g.DTKS {
		dtks = ", DTKS"
	}
	about := fmt.Sprintf("Hibah %s — %s (%s%s), Kel. %s.\n%s %s: %s", g.ID, dash(g.HouseholdName), g.HouseholdID, dtks, kel,
		purposeLabel(g.Purpose), hailurah.FormatRupiah(g.Amount), dash(g.Plan))
	switch in.Kind {
	case hailurah.NotifyGrantToVerify:
		title = fmt.Sprintf("Hibah baru untuk diverifikasi: %s", g.ID)
		body = fmt.Sprintf("%s\nVerifikasi lapangan (foto dan catatan) paling lambat %s.", about, formatWaktu(a.Zone, g.VerifyDue))
	case hailurah.NotifyGrantToApprove:
		title = fmt.Sprintf("Hibah %s menunggu persetujuan Lurah", g.ID)
		body = fmt.Sprintf("%s\nHasil verifikasi %s: %s\nMohon setujui atau tolak paling lambat %s.", about, dash(g.VerifiedBy), dash(g.VerifyNotes), formatWaktu(a.Zone, g.ApproveDue))
	case hailurah.NotifyGrantToDisburse:
		title = fmt.Sprintf("Hibah %s disetujui: siap dicairkan", g.ID)
		body = fmt.Sprintf("%s\nDisetujui oleh %s. Catat pencairan dengan nomor referensi transfer paling lambat %s.", about, dash(g.DecidedBy), formatWaktu(a.Zone, g.DisburseDue))
	case hailurah.NotifyGrantRejected:
		title = fmt.Sprintf("Hibah %s ditolak", g.ID)
		body = fmt.Sprintf("%s\nDitolak oleh %s: %s\nAnggaran yang dicadangkan dikembalikan.", about, dash(g.DecidedBy), dash(g.RejectReason))
	case hailurah.NotifyGrantCancelled:
		title = fmt.Sprintf("Hibah %s dibatalkan", g.ID)
		body = fmt.Sprintf("%s\nAlur kerja hibah dibatalkan oleh operator sistem; tidak ada langkah lanjutan.", about)
		if g.Status == hailurah.GrantRejected {
			body += " Anggaran yang dicadangkan dikembalikan."
		}
	case hailurah.NotifyGrantDisbursed:
		title = fmt.Sprintf("Hibah %s dicairkan: kumpulkan bukti penggunaan", g.ID)
		body = fmt.Sprintf("%s\nDicairkan (ref. %s). Unggah foto alat/stok paling lambat %s.", about, dash(g.DisbursementRef), formatWaktu(a.Zone, g.ProofDue))
	case hailurah.NotifyGrantReminder:
		step := stepLabels[in.Step]
		if step == "" {
			step = in.Step
		}
		title = fmt.Sprintf("Pengingat ke-%d: %s hibah %s terlambat", in.Level, step, g.ID)
		body = fmt.Sprintf("%s\nTahap %s belum dilakukan sejak batas waktu.", about, step)
		if in.Level >= 2 {
			body += " Pengingat ini juga diteruskan ke atasan."
		}
	case hailurah.NotifyGrantProofReminder:
		title = fmt.Sprintf("Bukti penggunaan hibah %s ditunggu", g.ID)
		body = fmt.Sprintf("%s\nFoto alat/stok belum diunggah; batas %s. Tanpa bukti, hibah ditandai untuk audit pada %s.", about, formatWaktu(a.Zone, g.ProofDue), formatWaktu(a.Zone, g.AuditAt))
	case hailurah.NotifyGrantAudit:
		title = fmt.Sprintf("Audit: hibah %s tanpa bukti penggunaan", g.ID)
		body = fmt.Sprintf("%s\nDicairkan %s tanpa bukti penggunaan hingga kini; hibah ditandai untuk audit.", about, formatWaktu(a.Zone, g.DisbursedAt))
	case hailurah.NotifyGrantCheckinDue:
		title = fmt.Sprintf("Check-in omzet ke-%d hibah %s", in.Checkin, g.ID)
		body = fmt.Sprintf("%s\nCatat omzet bulanan usaha (dan pendapatan rumah tangga) pada kunjungan lapangan.", about)
		if in.Level >= 2 {
			title = fmt.Sprintf("Check-in omzet ke-%d hibah %s terlambat", in.Checkin, g.ID)
		}
	case hailurah.NotifyGrantCheckinMissed:
		title = fmt.Sprintf("Check-in omzet ke-%d hibah %s terlewat", in.Checkin, g.ID)
		body = fmt.Sprintf("%s\nCheck-in tidak dicatat dalam masa tenggang dan dihitung terlewat.", about)
	case hailurah.NotifyGrantCompleted:
		title = fmt.Sprintf("Hibah %s selesai", g.ID)
		body = fmt.Sprintf("%s\nOmzet: %s → %s (%s).", about, hailurah.FormatRupiah(g.BaselineOmzet), hailurah.FormatRupiahOrDash(g.LatestOmzet), pctOrDash(g.OmzetChangePct))
		if g.LatestIncome != nil {
			body += fmt.Sprintf("\nPendapatan rumah tangga: %s → %s (%s).", hailurah.FormatRupiah(g.BaselineIncome), hailurah.FormatRupiahOrDash(g.LatestIncome), pctOrDash(g.IncomeChangePct))
		}
		if g.AuditFlag {
			body += "\nCatatan: hibah ini ditandai untuk audit."
		}
	default:
		return "", "", hailurah.Errorf(hailurah.EINVALID, "unknown grant notification kind %q", in.Kind)
	}
	return title, body, nil
}

func purposeLabel(p string) string {
	if p == hailurah.PurposeAlat {
		return "Alat produksi"
	}
	return "Modal usaha"
}

func pctOrDash(p *float64) string {
	if p == nil {
		return "tanpa pembanding"
	}
	return fmt.Sprintf("%+.1f%%", *p)
}
