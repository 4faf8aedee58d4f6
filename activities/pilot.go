package activities

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/hailurah/hailurah"
)

// PilotActivities are the side effects of PilotReviewWorkflow: its
// projection into the store, the day-76 KPI snapshot and its
// notifications. They are a struct of their own, registered beside
// Activities, because they need the pilot and KPI stores and nothing of
// the curhat pipeline. Like every activity they are idempotent:
// projections are keyed by event, cycle and version, notifications by key.
type PilotActivities struct {
	Pilots        hailurah.PilotService
	KPIs          hailurah.KPIService
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

func (a *PilotActivities) logger() *slog.Logger {
	if a.Logger != nil {
		return a.Logger
	}
	return slog.Default()
}

func (a *PilotActivities) pilotLink(id string) string {
	return strings.TrimRight(a.BaseURL, "/") + "/pilot/" + id
}

// ProjectPilot writes one transition of a pilot to the store: the event,
// the packet or the decision, and the pilot row, in one transaction.
func (a *PilotActivities) ProjectPilot(ctx context.Context, p hailurah.PilotProjection) error {
	if p.Pilot == nil {
		return nonRetryable(hailurah.Errorf(hailurah.EINVALID, "pilot projection without a pilot"))
	}
	return nonRetryable(a.Pilots.ProjectPilot(ctx, &p))
}

// SnapshotInput asks for the review packet of a pilot's cycle at At.
type SnapshotInput struct {
	Pilot       hailurah.Pilot `json:"pilot"`
	At          time.Time      `json:"at"`
	DecisionDay int            `json:"decision_day"`
	// DayLength is the policy's day; 0 means hailurah.PilotDay.
	DayLength time.Duration `json:"day_length,omitempty"`
}

// SnapshotPilot measures every target of the cycle from the store and
// builds the review packet: the values from the cycle's start to each
// milestone day already passed (the trend), to At (the actuals), and the
// curhat figures of tickets from the pilot's scope. The workflow passes
// At, so a retried activity measures the same period.
func (a *PilotActivities) SnapshotPilot(ctx context.Context, in SnapshotInput) (*hailurah.PilotPacket, error) {
	p := in.Pilot
	if !p.CycleStart.Before(in.At) {
		return nil, nonRetryable(hailurah.Errorf(hailurah.EINVALID, "snapshot of pilot %s before its cycle started", p.ID))
	}
	pk, err := a.measurePacket(ctx, in, p)
	if err != nil {
		return nil, err
	}
	// A scope across kelurahan also gets each kelurahan's figures, so each
	// reader can be shown only those they may see (PilotPacket.For).
	if kels := hailurah.ScopeKelurahan(p.Scope); len(kels) > 1 {
		for _, k := range kels {
			one := p
			one.Scope = nil
			for _, area := range p.Scope {
				if area.Kelurahan == k {
					one.Scope = append(one.Scope, area)
				}
			}
			part, err := a.measurePacket(ctx, in, one)
			if err != nil {
				return nil, err
			}
			pk.Parts = append(pk.Parts, hailurah.PacketPart{Kelurahan: k, Rows: part.Rows, Curhat: part.Curhat, Warnings: part.Warnings})
		}
	}
	return pk, nil
}

// measurePacket builds the packet of p's cycle over p's scope.
func (a *PilotActivities) measurePacket(ctx context.Context, in SnapshotInput, p hailurah.Pilot) (*hailurah.PilotPacket, error) {
	scope := hailurah.KPIScope{Areas: p.Scope}
	var series []hailurah.SeriesPoint
	for _, m := range p.Milestones {
		if !m.Due.Before(in.At) {
			continue
		}
		values, err := a.KPIs.MeasureKPIs(ctx, scope, p.CycleStart, m.Due)
		if err != nil {
			return nil, nonRetryable(err)
		}
		series = append(series, hailurah.SeriesPoint{Day: m.Day, At: m.Due, Values: values})
	}
	values, err := a.KPIs.MeasureKPIs(ctx, scope, p.CycleStart, in.At)
	if err != nil {
		return nil, nonRetryable(err)
	}
	series = append(series, hailurah.SeriesPoint{Day: p.DayAt(in.At, in.DayLength), At: in.At, Values: values})
	curhat, err := a.KPIs.CurhatFigures(ctx, scope, p.CycleStart, in.At)
	if err != nil {
		return nil, nonRetryable(err)
	}
	return hailurah.BuildPacket(hailurah.PacketInput{Pilot: &p, DecisionDay: in.DecisionDay, DayLength: in.DayLength, At: in.At,
		Series: series, Curhat: *curhat}), nil
}

// PilotNotifyInput is one notification about a pilot, to its kelurahan's
// lurah, its owner and, for a scale decision, the lurah of every kelurahan
// the new scope adds.
type PilotNotifyInput struct {
	// Key is unique per event ("<pilot>/<cycle>/<kind>/<n>"); each
	// recipient's copy is keyed "<Key>/<recipient>".
	Key      string                  `json:"key"`
	Kind     string                  `json:"kind"` // a hailurah.NotifyPilot* constant
	Pilot    hailurah.Pilot          `json:"pilot"`
	Day      int                     `json:"day,omitempty"` // the milestone's day
	Decision *hailurah.PilotDecision `json:"decision,omitempty"`
	// NewKelurahan are the kelurahan a scale decision adds.
	NewKelurahan []string `json:"new_kelurahan,omitempty"`
}

// NotifyPilot stores the notification for the lurah (an audience) and the
// owner (by name). Nobody to notify is logged, not an error: nobody would
// be helped by retrying it.
func (a *PilotActivities) NotifyPilot(ctx context.Context, in PilotNotifyInput) error {
	link := a.pilotLink(in.Pilot.ID)
	reached := 0
	lurahs := append([]string{in.Pilot.Kelurahan}, in.NewKelurahan...)
	for _, kel := range lurahs {
		// Each kelurahan's lurah reads the figures of their kelurahan only.
		title, body, err := a.composePilot(ctx, in, kel)
		if err != nil {
			return nonRetryable(err)
		}
		to := hailurah.Audience{Role: hailurah.RoleLurah, Kelurahan: kel}
		key := in.Key + "/" + audienceKey(to)
		n, err := a.Notifications.Notify(ctx, &hailurah.Notification{
			IdempotencyKey: key, To: to, Kind: in.Kind, Title: title, Body: body, Link: link,
		})
		if err != nil {
			return nonRetryable(err)
		}
		reached += n
		p := in.Pilot
		notice := hailurah.StaffNotice{Key: key, Kind: in.Kind, Ref: p.ID, Kategori: "Pilot " + hailurah.ComponentLabel(p.Component),
			Kelurahan: kel, KelurahanName: a.kelurahanName(ctx, kel),
			Summary: fmt.Sprintf("%s, siklus ke-%d: keputusan paling lambat %s", p.Name, p.Cycle, formatWaktu(a.Zone, &p.DecisionDue)), Link: link}
		if err := a.Notices.fanOut(ctx, to, notice); err != nil {
			return nonRetryable(err)
		}
	}
	if owner := in.Pilot.Owner; owner != "" {
		// The owner works for the owning kelurahan (or is an admin, shown
		// the same as its lurah).
		title, body, err := a.composePilot(ctx, in, in.Pilot.Kelurahan)
		if err != nil {
			return nonRetryable(err)
		}
		ok, err := a.Pilots.NotifyUser(ctx, owner, &hailurah.Notification{
			IdempotencyKey: in.Key + "/user:" + owner, Kind: in.Kind, Title: title, Body: body, Link: link,
		})
		if err != nil {
			return nonRetryable(err)
		}
		if ok {
			reached++
		}
	}
	if reached == 0 {
		a.logger().WarnContext(ctx, "pilot notification reached nobody new", "key", in.Key, "pilot", in.Pilot.ID)
	}
	return nil
}

func (a *PilotActivities) kelurahanName(ctx context.Context, code string) string {
	if a.Kelurahan != nil {
		if k, err := a.Kelurahan.FindKelurahan(ctx, code); err == nil {
			return k.Name
		}
	}
	return code
}

// composePilot writes the notification for a reader of kelurahan reader.
func (a *PilotActivities) composePilot(ctx context.Context, in PilotNotifyInput, reader string) (title, body string, err error) {
	p := in.Pilot
	about := fmt.Sprintf("Pilot %s \"%s\" (%s), Kel. %s, siklus ke-%d.", p.ID, p.Name, hailurah.ComponentLabel(p.Component),
		a.kelurahanName(ctx, p.Kelurahan), p.Cycle)
	switch in.Kind {
	case hailurah.NotifyPilotMilestone:
		title = fmt.Sprintf("Milestone hari ke-%d: %s", in.Day, p.Name)
		body = fmt.Sprintf("%s\nHari ini hari ke-%d dari 90. Tahap yang seharusnya selesai:\n%s\nTahap berikutnya:\n%s",
			about, in.Day, hailurah.MilestonePhase(in.Day), hailurah.MilestonePhase(in.Day+1))
	case hailurah.NotifyPilotPacket:
		title = fmt.Sprintf("Paket evaluasi 90 hari siap: %s", p.Name)
		body = fmt.Sprintf("%s\nKPI dibandingkan dengan target; mohon tanda tangani keputusan perluas, sesuaikan, atau hentikan paling lambat %s.",
			about, formatWaktu(a.Zone, &p.DecisionDue))
		if pk := p.Packet.For(reader, p.Scope); pk != nil && !pk.Withheld {
			var lines []string
			for _, r := range pk.Rows {
				lines = append(lines, fmt.Sprintf("• %s: %s dari target %s (%s)", r.Label, hailurah.FormatKPI(r.Unit, r.Actual),
					hailurah.FormatKPI(r.Unit, &r.Target), hailurah.FlagLabel(r.Flag)))
			}
			if len(pk.Warnings) > 0 {
				lines = append(lines, fmt.Sprintf("Peringatan dini: %d.", len(pk.Warnings)))
			}
			body += "\n" + strings.Join(lines, "\n")
		}
	case hailurah.NotifyPilotOverdue:
		title = fmt.Sprintf("Keputusan pilot terlambat: %s", p.Name)
		body = fmt.Sprintf("%s\nKeputusan jatuh tempo %s dan belum ditandatangani (pengingat ke-%d).",
			about, formatWaktu(a.Zone, &p.DecisionDue), p.OverdueReminders)
	case hailurah.NotifyPilotDecision:
		d := in.Decision
		if d == nil {
			return "", "", hailurah.Errorf(hailurah.EINVALID, "decision notification without a decision")
		}
		title = fmt.Sprintf("Keputusan pilot: %s — %s", hailurah.DecisionLabel(d.Decision), p.Name)
		body = fmt.Sprintf("%s\nDitandatangani %s pada %s.\nAlasan: %s", about, d.DecidedBy, formatWaktu(a.Zone, &d.DecidedAt), d.Rationale)
		if len(in.NewKelurahan) > 0 {
			names := make([]string, len(in.NewKelurahan))
			for i, k := range in.NewKelurahan {
				names[i] = a.kelurahanName(ctx, k)
			}
			slices.Sort(names)
			body += "\nPilot direplikasi ke: " + strings.Join(names, ", ") + "."
		}
	default:
		return "", "", hailurah.Errorf(hailurah.EINVALID, "unknown pilot notification kind %q", in.Kind)
	}
	return title, body, nil
}
