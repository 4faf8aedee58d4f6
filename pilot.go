package hailurah

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode"
)

// PilotStatus is where a 90-day pilot is in its cycle. PilotReviewWorkflow
// is the source of truth; the store keeps a projection for pages and the
// public decision list.
type PilotStatus string

const (
	PilotRunning          PilotStatus = "running"           // before the day-76 review packet
	PilotAwaitingDecision PilotStatus = "awaiting_decision" // the packet is out; the lurah must sign
	PilotStopped          PilotStatus = "stopped"           // the lurah signed stop; final
)

// PilotStatuses lists every status in process order.
var PilotStatuses = []PilotStatus{PilotRunning, PilotAwaitingDecision, PilotStopped}

// Valid reports whether s is a known status.
func (s PilotStatus) Valid() bool {
	for _, x := range PilotStatuses {
		if s == x {
			return true
		}
	}
	return false
}

// Label is the status's name in Bahasa Indonesia.
func (s PilotStatus) Label() string {
	switch s {
	case PilotRunning:
		return "Berjalan"
	case PilotAwaitingDecision:
		return "Menunggu keputusan Lurah"
	case PilotStopped:
		return "Dihentikan"
	}
	return string(s)
}

// The seed's programme components. A pilot may also run a component the
// seed does not name ("a named other"), written as free text.
const (
	ComponentPelatihan   = "pelatihan"
	ComponentHibah       = "hibah"
	ComponentPadatKarya  = "padat_karya"
	ComponentMarketplace = "marketplace"
	ComponentPasarRakyat = "pasar_rakyat"
)

// PilotComponents lists the seed's components.
var PilotComponents = []string{ComponentPelatihan, ComponentHibah, ComponentPadatKarya, ComponentMarketplace, ComponentPasarRakyat}

// ComponentLabel names a component in Bahasa Indonesia; a named other
// component is its own name.
func ComponentLabel(c string) string {
	switch c {
	case ComponentPelatihan:
		return "Pelatihan & sertifikasi"
	case ComponentHibah:
		return "Hibah produktif"
	case ComponentPadatKarya:
		return "Padat karya produktif"
	case ComponentMarketplace:
		return "Onboarding marketplace"
	case ComponentPasarRakyat:
		return "Pasar rakyat hybrid"
	}
	return c
}

// The lurah's three decisions at the 90-day review.
const (
	DecisionScale  = "scale"  // widen the scope: more RW, or other kelurahan (replication)
	DecisionAdjust = "adjust" // another cycle with adjusted targets
	DecisionStop   = "stop"   // end the pilot
)

// Decisions lists the decisions in the order the form offers them.
var Decisions = []string{DecisionScale, DecisionAdjust, DecisionStop}

// DecisionLabel names a decision in Bahasa Indonesia.
func DecisionLabel(d string) string {
	switch d {
	case DecisionScale:
		return "Perluas"
	case DecisionAdjust:
		return "Sesuaikan"
	case DecisionStop:
		return "Hentikan"
	}
	return d
}

// Limits of a pilot's fields.
const (
	MaxPilotName      = 200
	MaxComponentName  = 80
	MaxPilotAreas     = 100
	MaxPilotTargets   = 10
	MinRationaleLen   = 20
	MaxRationaleLen   = 4000
	MaxPilotPastDays  = 366 // a pilot recorded late may have started up to a year ago
	MaxPilotAheadDays = 366
)

// PilotTarget is one KPI target of a cycle: a code of KPICatalogue and the
// value the cycle should reach, in the KPI's unit.
type PilotTarget struct {
	KPI    string  `json:"kpi"`
	Target float64 `json:"target"`
}

// ValidateTargets checks a cycle's targets: 1 to MaxPilotTargets, each a
// catalogue KPI once, with a value the KPI can reach. Returns EINVALID
// (field "targets").
func ValidateTargets(targets []PilotTarget) error {
	if len(targets) == 0 {
		return FieldErrorf("targets", "Minimal satu target KPI wajib diisi.")
	}
	if len(targets) > MaxPilotTargets {
		return FieldErrorf("targets", "Paling banyak %d target KPI per pilot.", MaxPilotTargets)
	}
	seen := map[string]bool{}
	for _, t := range targets {
		def, ok := FindKPI(t.KPI)
		if !ok {
			return FieldErrorf("targets", "KPI %q tidak ada di katalog; gunakan salah satu dari: %s.", t.KPI, strings.Join(KPICodes(), ", "))
		}
		if seen[t.KPI] {
			return FieldErrorf("targets", "KPI %s disebut lebih dari sekali.", t.KPI)
		}
		seen[t.KPI] = true
		if math.IsNaN(t.Target) || math.IsInf(t.Target, 0) || t.Target <= 0 {
			return FieldErrorf("targets", "Target %s harus lebih dari 0.", def.Label)
		}
		switch def.Unit {
		case KPIUnitPercent:
			if def.Code != KPIIncomeIncreasePct && t.Target > 100 {
				return FieldErrorf("targets", "Target %s adalah persentase: paling tinggi 100.", def.Label)
			}
			if t.Target > 1000 {
				return FieldErrorf("targets", "Target %s paling tinggi 1000%%.", def.Label)
			}
		case KPIUnitCount:
			if t.Target != math.Trunc(t.Target) || t.Target > 1_000_000 {
				return FieldErrorf("targets", "Target %s harus bilangan bulat 1–1.000.000.", def.Label)
			}
		case KPIUnitRupiah:
			if t.Target != math.Trunc(t.Target) || t.Target > MaxRupiah {
				return FieldErrorf("targets", "Target %s harus rupiah bulat, paling banyak Rp 1 triliun.", def.Label)
			}
		}
	}
	return nil
}

// Milestone statuses.
const (
	MilestonePending  = "pending"  // its day has not come
	MilestoneReminded = "reminded" // the owner and the lurah were reminded on the day
	MilestoneMissed   = "missed"   // the pilot was recorded after the day; nobody was reminded
)

// PilotMilestone is one of the roadmap's checkpoints in a cycle.
type PilotMilestone struct {
	Day    int        `json:"day"`
	Due    time.Time  `json:"due"`
	Status string     `json:"status"`
	At     *time.Time `json:"at,omitempty"` // when it was reminded or found missed
}

// MilestonePhase is what the seed's "Roadmap 90 Hari" expects done by a
// milestone day, for reminders.
func MilestonePhase(day int) string {
	switch {
	case day <= 14:
		return "Hari 0–14 Inisiasi & Mobilisasi: Tim SWAT, SK Lurah, sosialisasi RW/RT, verifikasi data DTKS, kickoff dengan mitra."
	case day <= 45:
		return "Hari 15–45 Pemetaan & Pelatihan Awal: pelatihan batch 1 (wirausaha & digital onboarding), pemetaan rumah tangga prioritas, seleksi penerima hibah awal."
	case day <= 75:
		return "Hari 46–75 Distribusi & Pilot Lapangan: penyaluran hibah/alat produksi, proyek padat karya, pasar rakyat pilot, onboarding UMKM ke marketplace."
	}
	return "Hari 76–90 Evaluasi Awal & Keputusan Skala: evaluasi hasil pilot, rapat review, keputusan perluas, sesuaikan, atau hentikan."
}

// PilotPolicy is the shape of a cycle, in days from the cycle's start. A
// pilot keeps the policy it started with.
type PilotPolicy struct {
	// Day is the length of a pilot day: PilotDay, except in recordings of
	// histories and demonstrations that run a cycle in minutes.
	Day         time.Duration `json:"day,omitempty"`
	Milestones  []int         `json:"milestones"`
	ReviewDay   int           `json:"review_day"`
	DecisionDay int           `json:"decision_day"`
	// OverdueEvery is how often the lurah is reminded once the decision
	// is overdue.
	OverdueEvery time.Duration `json:"overdue_every"`
	// Zone is the clock the workflow writes dates in (HAILURAH_TZ); a
	// pilot keeps it through its cycles. The zero Zone, Asia/Jakarta, is
	// what pilots started before it was set use.
	Zone Zone `json:"time_zone,omitzero"`
}

// DefaultPilotPolicy is the seed's roadmap: milestones at days 14, 45 and
// 75, the review packet on day 76, the decision due by day 90, and a
// weekly reminder after that.
func DefaultPilotPolicy() PilotPolicy {
	return PilotPolicy{Day: PilotDay, Milestones: []int{14, 45, 75}, ReviewDay: 76, DecisionDay: 90, OverdueEvery: 7 * PilotDay}
}

// WithDefaults returns p with every zero value replaced by the default.
func (p PilotPolicy) WithDefaults() PilotPolicy {
	d := DefaultPilotPolicy()
	if p.Day <= 0 {
		p.Day = d.Day
	}
	if len(p.Milestones) == 0 {
		p.Milestones = d.Milestones
	}
	if p.ReviewDay <= 0 {
		p.ReviewDay = d.ReviewDay
	}
	if p.DecisionDay < p.ReviewDay {
		p.DecisionDay = max(d.DecisionDay, p.ReviewDay)
	}
	if p.OverdueEvery <= 0 {
		p.OverdueEvery = d.OverdueEvery
	}
	return p
}

// PilotDay is the length of a pilot day. Days are counted from 00:00 of
// the start date in the deployment's Zone; Indonesia's zones have no
// daylight saving, so every day is 24 hours.
const PilotDay = 24 * time.Hour

// ParsePilotDate reads "YYYY-MM-DD" as 00:00 of that day in zone z.
func ParsePilotDate(s string, z Zone) (time.Time, error) {
	t, err := z.ParseDate(strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, FieldErrorf("start_date", "Tanggal mulai harus berformat YYYY-MM-DD, misalnya 2026-01-15.")
	}
	return t, nil
}

// PilotDecision is a lurah's signed decision at the end of a cycle. It is
// immutable: the store keeps one per pilot and cycle.
type PilotDecision struct {
	PilotID   string `json:"pilot_id"`
	Cycle     int    `json:"cycle"`
	Decision  string `json:"decision"`
	Rationale string `json:"rationale"`
	// Targets and Scope are the next cycle's (adjust, scale); empty for stop.
	Targets   []PilotTarget `json:"targets,omitempty"`
	Scope     []PilotArea   `json:"scope,omitempty"`
	DecidedBy string        `json:"decided_by"`
	DecidedAt time.Time     `json:"decided_at"`
	// Overdue says it was signed after the decision was due.
	Overdue bool `json:"overdue"`
}

// DecisionRequest is the lurah's decision as the API receives it. The
// server fills Actor from the session, never from the body.
type DecisionRequest struct {
	Decision  string        `json:"decision"`
	Rationale string        `json:"rationale"`
	Targets   []PilotTarget `json:"targets,omitempty"`
	Scope     []PilotArea   `json:"scope,omitempty"`
	Actor     Actor         `json:"actor"`
	// IdempotencyKey as in ActionRequest.
	IdempotencyKey string `json:"-"`
}

// Validate checks the request on its own: a known decision, a rationale,
// and the targets and scope that decision takes. It normalises Scope to
// kelurahan. Whether the actor may sign and the pilot is ready for a
// decision is the workflow's to check. Returns EINVALID.
func (r *DecisionRequest) Validate(kelurahan string) error {
	r.Rationale = strings.TrimSpace(r.Rationale)
	switch {
	case !containsString(Decisions, r.Decision):
		return FieldErrorf("decision", "Keputusan harus scale, adjust atau stop.")
	case r.Actor.Username == "" || !r.Actor.Role.Valid():
		return FieldErrorf("actor", "Penanda tangan keputusan tidak dikenal.")
	case len([]rune(r.Rationale)) < MinRationaleLen:
		return FieldErrorf("rationale", "Alasan keputusan wajib diisi, minimal %d karakter, agar dapat dipublikasikan.", MinRationaleLen)
	case !plainText(r.Rationale, MaxRationaleLen, true):
		return FieldErrorf("rationale", "Alasan keputusan terlalu panjang atau memuat karakter tidak sah (maks. %d karakter).", MaxRationaleLen)
	}
	switch r.Decision {
	case DecisionStop:
		if len(r.Targets) > 0 || len(r.Scope) > 0 {
			return FieldErrorf("decision", "Keputusan stop mengakhiri pilot: jangan sertakan target atau cakupan baru.")
		}
	case DecisionAdjust:
		if len(r.Scope) > 0 {
			return FieldErrorf("scope", "Mengubah cakupan adalah keputusan scale, bukan adjust.")
		}
	case DecisionScale:
		if len(r.Scope) == 0 {
			return FieldErrorf("scope", "Keputusan scale wajib menyebut cakupan baru yang lebih luas (RW lain atau kelurahan lain).")
		}
		scope, err := NormalizeScope(r.Scope, kelurahan)
		if err != nil {
			return err
		}
		r.Scope = scope
	}
	if len(r.Targets) > 0 {
		if err := ValidateTargets(r.Targets); err != nil {
			return err
		}
	}
	return nil
}

// Pilot is a pilot as its workflow holds it, which is also its row in the
// store: what the state query and GET /pilots/{id} return.
type Pilot struct {
	ID        string `json:"id"` // "PL-2026-001"
	Name      string `json:"name"`
	Component string `json:"component"`
	// Kelurahan owns the pilot: its lurah signs the decisions, even after
	// a scale decision replicated it to other kelurahan.
	Kelurahan string        `json:"kelurahan"`
	Scope     []PilotArea   `json:"scope"`
	StartDate time.Time     `json:"start_date"` // 00:00 of the first day, in the deployment's zone
	Targets   []PilotTarget `json:"targets"`
	Owner     string        `json:"owner"` // username of the staff member running it
	CreatedBy string        `json:"created_by"`

	Status PilotStatus `json:"status"`
	// Cycle counts the 90-day cycles, from 1; a scale or adjust decision
	// starts the next one on the day it is signed.
	Cycle       int              `json:"cycle"`
	CycleStart  time.Time        `json:"cycle_start"`
	Milestones  []PilotMilestone `json:"milestones"`
	ReviewAt    time.Time        `json:"review_at"`
	DecisionDue time.Time        `json:"decision_due"`
	// Overdue is set when DecisionDue passed without a decision;
	// OverdueReminders counts the reminders sent since.
	Overdue          bool            `json:"overdue"`
	OverdueReminders int             `json:"overdue_reminders"`
	Packet           *PilotPacket    `json:"packet"` // this cycle's, nil before the review day
	Decisions        []PilotDecision `json:"decisions"`
	StoppedAt        *time.Time      `json:"stopped_at,omitempty"`

	// Version grows with every change; the store ignores a stale write.
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// DayAt is the cycle's day number at t, for days of length dayLen (0
// means PilotDay): 0 on its first day.
func (p *Pilot) DayAt(t time.Time, dayLen time.Duration) int {
	if dayLen <= 0 {
		dayLen = PilotDay
	}
	return int(math.Floor(float64(t.Sub(p.CycleStart)) / float64(dayLen)))
}

// PlanCycle sets the cycle's milestones, review and decision deadlines from
// CycleStart and policy. Milestones due at or before now are missed: a
// pilot recorded after its start does not replay old reminders.
func (p *Pilot) PlanCycle(policy PilotPolicy, now time.Time) {
	policy = policy.WithDefaults()
	p.Milestones = nil
	for _, d := range policy.Milestones {
		m := PilotMilestone{Day: d, Due: p.CycleStart.Add(time.Duration(d) * policy.Day), Status: MilestonePending}
		if !m.Due.After(now) {
			at := now
			m.Status, m.At = MilestoneMissed, &at
		}
		p.Milestones = append(p.Milestones, m)
	}
	p.ReviewAt = p.CycleStart.Add(time.Duration(policy.ReviewDay) * policy.Day)
	p.DecisionDue = p.CycleStart.Add(time.Duration(policy.DecisionDay) * policy.Day)
	p.Overdue, p.OverdueReminders = false, 0
	p.Packet = nil
}

// CycleDecision returns the decision signed in the current cycle, if any.
func (p *Pilot) CycleDecision() (PilotDecision, bool) {
	for _, d := range p.Decisions {
		if d.Cycle == p.Cycle {
			return d, true
		}
	}
	return PilotDecision{}, false
}

// PilotRequest is POST /api/v1/pilots.
type PilotRequest struct {
	Name      string        `json:"name"`
	Component string        `json:"component"`
	Kelurahan string        `json:"kelurahan,omitempty"` // admin names it; a lurah's own is used
	Scope     []PilotArea   `json:"scope"`
	StartDate string        `json:"start_date"` // YYYY-MM-DD
	Targets   []PilotTarget `json:"targets"`
	Owner     string        `json:"owner"`
}

// Pilot validates the request and returns the pilot it describes, for
// kelurahan, starting on its start date in zone z. today bounds the start
// date to a year either side. Its scope names only kelurahan. It does not
// check that the owner exists. Returns EINVALID naming the field.
func (r *PilotRequest) Pilot(kelurahan string, today time.Time, z Zone) (*Pilot, error) {
	name := strings.TrimSpace(r.Name)
	component := strings.TrimSpace(r.Component)
	switch {
	case !plainText(name, MaxPilotName, true) || strings.ContainsAny(name, "\n\t"):
		return nil, FieldErrorf("name", "Nama pilot wajib diisi, satu baris (maks. %d karakter).", MaxPilotName)
	case component == "":
		return nil, FieldErrorf("component", "Komponen wajib diisi: pelatihan, hibah, padat_karya, marketplace, pasar_rakyat, atau nama komponen lain.")
	case !containsString(PilotComponents, component) &&
		(!plainText(component, MaxComponentName, true) || strings.ContainsAny(component, "\n\t") || len([]rune(component)) < 3):
		return nil, FieldErrorf("component", "Nama komponen lain harus 3–%d karakter, satu baris.", MaxComponentName)
	case strings.TrimSpace(r.Owner) == "":
		return nil, FieldErrorf("owner", "Penanggung jawab (nama pengguna) wajib diisi.")
	}
	start, err := ParsePilotDate(r.StartDate, z)
	if err != nil {
		return nil, err
	}
	today = z.StartOfDay(today)
	if start.Before(today.AddDate(0, 0, -MaxPilotPastDays)) || start.After(today.AddDate(0, 0, MaxPilotAheadDays)) {
		return nil, FieldErrorf("start_date", "Tanggal mulai harus dalam satu tahun ke belakang atau ke depan dari hari ini.")
	}
	scope, err := NormalizeScope(r.Scope, kelurahan)
	if err != nil {
		return nil, err
	}
	// A new pilot runs in its own kelurahan: its lurah signs its decisions
	// and sees its figures. Another kelurahan joins only through a signed
	// scale decision.
	for _, a := range scope {
		if a.Kelurahan != kelurahan {
			return nil, FieldErrorf("scope", "Cakupan pilot baru hanya boleh di kelurahan %s; kelurahan lain (%s) ditambahkan lewat keputusan perluasan (scale) setelah evaluasi.", kelurahan, a.Kelurahan)
		}
	}
	if err := ValidateTargets(r.Targets); err != nil {
		return nil, err
	}
	return &Pilot{
		Name: name, Component: component, Kelurahan: kelurahan, Scope: scope, StartDate: start,
		Targets: append([]PilotTarget(nil), r.Targets...), Owner: strings.TrimSpace(r.Owner),
		Status: PilotRunning, Cycle: 1, CycleStart: start,
	}, nil
}

// PilotInput starts (and continues) a pilot's workflow: the pilot as the
// store created it, or as the previous cycle's decision left it.
type PilotInput struct {
	Pilot  Pilot       `json:"pilot"`
	Policy PilotPolicy `json:"policy"`
	// Answered are the recent decisions' Update ids and results, carried
	// across continue-as-new: Temporal dedupes an Update id only within a
	// run, so a decision repeated (same idempotency key) after it opened
	// the next cycle is answered from here with its first result.
	Answered []PilotAnswer `json:"answered,omitempty"`
}

// PilotAnswer is a decision's Update id and the pilot it returned.
type PilotAnswer struct {
	UpdateID string `json:"update_id"`
	Pilot    Pilot  `json:"pilot"`
}

// PilotEvent is one row of a pilot's timeline.
type PilotEvent struct {
	// Key is "<pilot id>/<run id>/<cycle>/<seq>"; the store inserts each key once.
	Key     string    `json:"key"`
	PilotID string    `json:"pilot_id"`
	Cycle   int       `json:"cycle"`
	Seq     int       `json:"seq"`
	At      time.Time `json:"at"`
	Type    string    `json:"type"` // an EventPilot* constant
	Actor   string    `json:"actor"`
	Note    string    `json:"note,omitempty"`
}

// Pilot event types.
const (
	EventPilotStarted         = "started"
	EventPilotCycleStarted    = "cycle_started"
	EventPilotMilestone       = "milestone_reminder"
	EventPilotMilestoneMissed = "milestone_missed"
	EventPilotPacket          = "review_packet"
	EventPilotOverdue         = "decision_overdue"
	EventPilotDecision        = "decision"
)

// Kinds of staff notifications about pilots.
const (
	NotifyPilotMilestone = "pilot_milestone"
	NotifyPilotPacket    = "pilot_packet"
	NotifyPilotOverdue   = "pilot_overdue"
	NotifyPilotDecision  = "pilot_decision"
)

// PilotProjection is one transition for the read model: the pilot as it is
// now and what happened, with the packet or the decision it produced.
type PilotProjection struct {
	Pilot    *Pilot         `json:"pilot"`
	Event    *PilotEvent    `json:"event,omitempty"`
	Packet   *PilotPacket   `json:"packet,omitempty"`
	Decision *PilotDecision `json:"decision,omitempty"`
}

// PilotFilter narrows a pilot list.
type PilotFilter struct {
	// Kelurahan lists the pilots the kelurahan owns or whose scope names
	// it; "" lists every pilot (admin only).
	Kelurahan string
	Statuses  []PilotStatus
}

// PublicDecision is a signed decision as the open-data page shows it: the
// pilot's name and component, the kelurahan, RW-level scope, no usernames.
type PublicDecision struct {
	PilotID       string    `json:"pilot_id"`
	PilotName     string    `json:"pilot_name"`
	Component     string    `json:"component"`
	Kelurahan     string    `json:"kelurahan"`
	KelurahanName string    `json:"kelurahan_name"`
	Cycle         int       `json:"cycle"`
	Decision      string    `json:"decision"`
	Rationale     string    `json:"rationale"`
	Scope         []string  `json:"scope"` // PublicLabel of the next cycle's areas (scale)
	DecidedAt     time.Time `json:"decided_at"`
}

// PilotService stores pilots: their rows, timelines, packets and decisions.
type PilotService interface {
	// CreatePilot stores p as a new pilot in status running at version 0,
	// allocating p.ID ("PL-2026-001"). Returns EINVALID for a bad field or
	// an unknown kelurahan.
	CreatePilot(ctx context.Context, p *Pilot) error
	// CancelPilot removes a pilot whose workflow never started. Returns
	// ENOTFOUND for an unknown pilot and ECONFLICT for one with history.
	CancelPilot(ctx context.Context, id string) error
	// ProjectPilot writes the event (once per key), the packet (once per
	// cycle), the decision (once per cycle: a different second decision is
	// ECONFLICT) and the pilot row (ignored when the stored version is
	// newer), in one transaction. Returns ENOTFOUND for an unknown pilot.
	ProjectPilot(ctx context.Context, p *PilotProjection) error
	// FindPilot returns the pilot with its current packet and every
	// decision, or ENOTFOUND.
	FindPilot(ctx context.Context, id string) (*Pilot, error)
	// FindPilotPacket returns the packet of one cycle of a pilot, so the
	// evidence behind a signed decision stays in view in the next cycle.
	// Returns ENOTFOUND when that cycle has none.
	FindPilotPacket(ctx context.Context, id string, cycle int) (*PilotPacket, error)
	// ListPilots returns pilots newest first, without packets.
	ListPilots(ctx context.Context, f PilotFilter) ([]*Pilot, error)
	// ListPilotEvents returns the timeline, oldest first.
	ListPilotEvents(ctx context.Context, id string) ([]*PilotEvent, error)
	// PublicDecisions returns every signed decision, newest first; kelurahan
	// "" is the whole city.
	PublicDecisions(ctx context.Context, kelurahan string) ([]*PublicDecision, error)
	// NotifyUser stores n for one active staff user, once per key, and
	// reports whether it stored it. An unknown or disabled user stores
	// nothing. Pilots notify their owner by name, which no audience covers.
	NotifyUser(ctx context.Context, username string, n *Notification) (bool, error)
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// PilotID formats the id of the n-th pilot of a year.
func PilotID(year int, n int64) string { return fmt.Sprintf("PL-%04d-%03d", year, n) }

// IsPilotID reports whether s looks like a pilot id, so a URL segment can
// be refused before it reaches the store.
func IsPilotID(s string) bool {
	if len(s) < 11 || len(s) > 20 || !strings.HasPrefix(s, "PL-") {
		return false
	}
	for _, r := range s[3:] {
		if !unicode.IsDigit(r) && r != '-' {
			return false
		}
	}
	return true
}
