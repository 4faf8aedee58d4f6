package hailurah

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// GrantStatus is where a hibah produktif is in its process. GrantWorkflow
// is the source of truth; the store keeps a projection for queues, pages
// and the budget.
type GrantStatus string

const (
	GrantApplied   GrantStatus = "applied"   // awaiting the fasilitator's field verification
	GrantVerified  GrantStatus = "verified"  // awaiting the lurah's decision
	GrantApproved  GrantStatus = "approved"  // awaiting disbursement
	GrantDisbursed GrantStatus = "disbursed" // money out, awaiting proof of use
	GrantInUse     GrantStatus = "in_use"    // proof of use received, check-ins running
	GrantCompleted GrantStatus = "completed" // the 90-day check-in is done
	GrantRejected  GrantStatus = "rejected"  // by the lurah, with a reason; the budget is released
)

// GrantStatuses lists every status in process order.
var GrantStatuses = []GrantStatus{
	GrantApplied, GrantVerified, GrantApproved, GrantDisbursed, GrantInUse, GrantCompleted, GrantRejected,
}

// Valid reports whether s is a known status.
func (s GrantStatus) Valid() bool {
	for _, x := range GrantStatuses {
		if s == x {
			return true
		}
	}
	return false
}

// Final reports whether the grant's process has ended. A household may
// apply again once its grant is final.
func (s GrantStatus) Final() bool { return s == GrantCompleted || s == GrantRejected }

// Label is the status's name in Bahasa Indonesia.
func (s GrantStatus) Label() string {
	switch s {
	case GrantApplied:
		return "Menunggu verifikasi lapangan"
	case GrantVerified:
		return "Menunggu persetujuan Lurah"
	case GrantApproved:
		return "Disetujui, menunggu pencairan"
	case GrantDisbursed:
		return "Dicairkan, menunggu bukti penggunaan"
	case GrantInUse:
		return "Digunakan, pemantauan omzet"
	case GrantCompleted:
		return "Selesai"
	case GrantRejected:
		return "Ditolak"
	}
	return string(s)
}

// The seed's grant range: Rp 1–3 juta per household.
const (
	MinGrant int64 = 1_000_000
	MaxGrant int64 = 3_000_000
)

// Purposes of a grant: working capital or a production tool.
const (
	PurposeModal = "modal"
	PurposeAlat  = "alat"
)

// Limits of a grant's free text.
const (
	MinPlanLen    = 20
	MaxPlanLen    = 2000
	MaxGrantNote  = 2000
	MaxGrantPhoto = 10
)

// GrantApplication is what a fasilitator submits for a household.
type GrantApplication struct {
	HouseholdID string `json:"household_id"`
	Amount      int64  `json:"amount"`
	Purpose     string `json:"purpose"`
	Plan        string `json:"plan"`
}

// Validate checks the application's own fields; the household and the
// budget are checked by the store. Returns EINVALID naming the field.
func (a *GrantApplication) Validate() error {
	a.Plan = strings.TrimSpace(a.Plan)
	switch {
	case strings.TrimSpace(a.HouseholdID) == "":
		return FieldErrorf("household_id", "household_id wajib diisi.")
	case a.Amount < MinGrant || a.Amount > MaxGrant:
		return FieldErrorf("amount", "Nilai hibah harus antara Rp 1.000.000 dan Rp 3.000.000.")
	case a.Purpose != PurposeModal && a.Purpose != PurposeAlat:
		return FieldErrorf("purpose", "Tujuan hibah harus \"modal\" (modal usaha) atau \"alat\" (alat produksi).")
	case len([]rune(a.Plan)) < MinPlanLen:
		return FieldErrorf("plan", "Rencana usaha singkat wajib diisi (min. %d karakter): apa yang dibeli, untuk usaha apa.", MinPlanLen)
	case !plainText(a.Plan, MaxPlanLen, true):
		return FieldErrorf("plan", "Rencana usaha terlalu panjang atau memuat karakter tidak sah (maks. %d karakter).", MaxPlanLen)
	}
	return nil
}

// Staff actions on a grant, all through one validated update.
const (
	GrantActionVerify   = "verify"   // fasilitator: field verification, notes and photos
	GrantActionApprove  = "approve"  // lurah
	GrantActionReject   = "reject"   // lurah, with a reason
	GrantActionDisburse = "disburse" // admin or lurah, with the transfer's reference
	GrantActionProof    = "proof"    // fasilitator: photos of the tool or stock
	GrantActionCheckin  = "checkin"  // fasilitator: omzet at 30, 60 and 90 days
)

// GrantActions lists every grant action.
var GrantActions = []string{
	GrantActionVerify, GrantActionApprove, GrantActionReject, GrantActionDisburse, GrantActionProof, GrantActionCheckin,
}

// GrantActionRequest is one staff action on a grant. The server fills
// Actor from the session, never from the request body.
type GrantActionRequest struct {
	Action    string   `json:"action"`
	Actor     Actor    `json:"actor"`
	Notes     string   `json:"notes,omitempty"`     // verify (required), approve, proof, checkin
	Reason    string   `json:"reason,omitempty"`    // reject (required)
	Photos    []string `json:"photos,omitempty"`    // verify, proof (at least one)
	Reference string   `json:"reference,omitempty"` // disburse (required)
	Omzet     *int64   `json:"omzet,omitempty"`     // checkin (required): the business's monthly omzet
	Income    *int64   `json:"income,omitempty"`    // checkin: the household's monthly income, when asked
	// IdempotencyKey as in ActionRequest.
	IdempotencyKey string `json:"-"`
}

// Validate checks that the request is complete for its action. Status and
// permission are the workflow's to check. Returns EINVALID.
func (r *GrantActionRequest) Validate() error {
	known := false
	for _, a := range GrantActions {
		known = known || a == r.Action
	}
	if !known {
		return FieldErrorf("action", "Aksi %q tidak dikenal untuk hibah.", r.Action)
	}
	if r.Actor.Username == "" || !r.Actor.Role.Valid() {
		return FieldErrorf("actor", "Pelaku aksi tidak dikenal.")
	}
	for field, v := range map[string]string{"notes": r.Notes, "reason": r.Reason} {
		if !plainText(v, MaxGrantNote, false) {
			return FieldErrorf(field, "Teks terlalu panjang atau memuat karakter tidak sah (maks. %d karakter).", MaxGrantNote)
		}
	}
	if len(r.Photos) > MaxGrantPhoto {
		return FieldErrorf("photos", "Paling banyak %d foto.", MaxGrantPhoto)
	}
	for _, p := range r.Photos {
		if !plainText(p, 500, true) || strings.ContainsAny(p, " \n\t") {
			return FieldErrorf("photos", "Alamat foto tidak sah.")
		}
	}
	switch r.Action {
	case GrantActionVerify:
		if strings.TrimSpace(r.Notes) == "" {
			return FieldErrorf("notes", "Catatan verifikasi lapangan wajib diisi.")
		}
	case GrantActionReject:
		if strings.TrimSpace(r.Reason) == "" {
			return FieldErrorf("reason", "Alasan penolakan wajib diisi.")
		}
	case GrantActionDisburse:
		ref := strings.TrimSpace(r.Reference)
		if ref == "" || !plainText(ref, 100, true) {
			return FieldErrorf("reference", "Nomor referensi pencairan wajib diisi (maks. 100 karakter).")
		}
	case GrantActionProof:
		if len(r.Photos) == 0 {
			return FieldErrorf("photos", "Bukti penggunaan wajib berupa minimal satu foto alat atau stok.")
		}
	case GrantActionCheckin:
		if r.Omzet == nil {
			return FieldErrorf("omzet", "Omzet bulanan wajib diisi (Rp, boleh 0).")
		}
		if *r.Omzet < 0 || *r.Omzet > MaxRupiah {
			return FieldErrorf("omzet", "Omzet harus antara Rp 0 dan Rp 1 triliun.")
		}
		if r.Income != nil && (*r.Income < 0 || *r.Income > MaxRupiah) {
			return FieldErrorf("income", "Pendapatan harus antara Rp 0 dan Rp 1 triliun.")
		}
	}
	return nil
}

// GrantPolicy holds the durations of a grant's process. A grant keeps the
// policy it started with. Zero values take DefaultGrantPolicy's.
type GrantPolicy struct {
	// VerifySLA, ApproveSLA and DisburseSLA are how long the fasilitator,
	// the lurah and the disbursing officer have. A late step is reminded
	// at the SLA and at each further multiple of it, Reminders times; from
	// the second reminder on it is escalated (verification to the lurah,
	// approval and disbursement to the city's admins).
	VerifySLA   time.Duration `json:"verify_sla"`
	ApproveSLA  time.Duration `json:"approve_sla"`
	DisburseSLA time.Duration `json:"disburse_sla"`
	Reminders   int           `json:"reminders"`
	// ProofDue is when proof of use is due after disbursement, with a
	// reminder at ProofReminder and again at ProofDue; AuditAfter without
	// proof raises the audit flag.
	ProofReminder time.Duration `json:"proof_reminder"`
	ProofDue      time.Duration `json:"proof_due"`
	AuditAfter    time.Duration `json:"audit_after"`
	// Checkins are the omzet check-ins after disbursement. Each may be
	// recorded from CheckinWindow before it is due; it is reminded when
	// due and halfway through CheckinGrace, and counted missed after it.
	Checkins      []time.Duration `json:"checkins"`
	CheckinWindow time.Duration   `json:"checkin_window"`
	CheckinGrace  time.Duration   `json:"checkin_grace"`
	// Zone is the clock the workflow writes dates in (HAILURAH_TZ, not
	// HAILURAH_GRANT_POLICY). The zero Zone, Asia/Jakarta, is what grants
	// started before it was set use.
	Zone Zone `json:"time_zone,omitzero"`
}

// DefaultGrantPolicy is the seed's process: proof within 14 days, audit at
// 30, check-ins at 30, 60 and 90 days; a week for each human step.
func DefaultGrantPolicy() GrantPolicy {
	const day = 24 * time.Hour
	return GrantPolicy{
		VerifySLA: 7 * day, ApproveSLA: 7 * day, DisburseSLA: 14 * day, Reminders: 3,
		ProofReminder: 7 * day, ProofDue: 14 * day, AuditAfter: 30 * day,
		Checkins:      []time.Duration{30 * day, 60 * day, 90 * day},
		CheckinWindow: 7 * day, CheckinGrace: 14 * day,
	}
}

// WithDefaults returns p with every zero value replaced by the default.
func (p GrantPolicy) WithDefaults() GrantPolicy {
	d := DefaultGrantPolicy()
	for _, f := range []struct{ v, def *time.Duration }{
		{&p.VerifySLA, &d.VerifySLA}, {&p.ApproveSLA, &d.ApproveSLA}, {&p.DisburseSLA, &d.DisburseSLA},
		{&p.ProofReminder, &d.ProofReminder}, {&p.ProofDue, &d.ProofDue}, {&p.AuditAfter, &d.AuditAfter},
		{&p.CheckinWindow, &d.CheckinWindow}, {&p.CheckinGrace, &d.CheckinGrace},
	} {
		if *f.v <= 0 {
			*f.v = *f.def
		}
	}
	if p.Reminders <= 0 {
		p.Reminders = d.Reminders
	}
	if len(p.Checkins) == 0 {
		p.Checkins = d.Checkins
	}
	return p
}

// GrantInput starts a grant's workflow. The server fills it from the
// grant row the store created.
type GrantInput struct {
	GrantID        string      `json:"grant_id"` // "HB-2026-000001"
	HouseholdID    string      `json:"household_id"`
	HouseholdName  string      `json:"household_name"`
	Kelurahan      string      `json:"kelurahan"`
	DTKS           bool        `json:"dtks"`
	Amount         int64       `json:"amount"`
	Purpose        string      `json:"purpose"`
	Plan           string      `json:"plan"`
	AppliedBy      string      `json:"applied_by"`
	AppliedAt      time.Time   `json:"applied_at"`
	BaselineOmzet  int64       `json:"baseline_omzet"`
	BaselineIncome int64       `json:"baseline_income"`
	Policy         GrantPolicy `json:"policy"`
	// From, when set, starts the workflow part-way through the grant's life
	// instead of at the application, for a grant whose row and timeline
	// are written already (seed-demo's grants in progress). Nil for every
	// grant the server starts.
	From *GrantFrom `json:"from,omitempty"`
}

// GrantFrom is a grant part-way through its life, in a status a workflow
// waits in (applied, verified, approved, disbursed, in_use). The step it
// waits in began at AppliedAt, VerifiedAt or ApprovedAt, and its deadline
// counts from there with ReminderLevel reminders sent; the proof of use and
// the check-ins count from DisbursedAt and their Due. A deadline already
// past fires at once.
type GrantFrom struct {
	Grant Grant `json:"grant"`
	// Events counts the grant's timeline events, so the workflow's follow.
	Events int `json:"events"`
}

// GrantCheckin is one of a grant's omzet check-ins.
type GrantCheckin struct {
	N      int        `json:"n"` // 1, 2, 3
	Due    time.Time  `json:"due"`
	At     *time.Time `json:"at,omitempty"`
	Omzet  *int64     `json:"omzet,omitempty"`
	Income *int64     `json:"income,omitempty"`
	By     string     `json:"by,omitempty"`
	Notes  string     `json:"notes,omitempty"`
	Missed bool       `json:"missed"`
}

// Done reports whether the check-in was recorded or counted missed.
func (c GrantCheckin) Done() bool { return c.At != nil || c.Missed }

// Grant is a grant as its workflow holds it, which is also its row in the
// store: what the state query, every action and the detail page return.
type Grant struct {
	ID            string      `json:"id"` // "HB-2026-000001"
	HouseholdID   string      `json:"household_id"`
	HouseholdName string      `json:"household_name"`
	Kelurahan     string      `json:"kelurahan"`
	DTKS          bool        `json:"dtks"`
	Amount        int64       `json:"amount"`
	Purpose       string      `json:"purpose"`
	Plan          string      `json:"plan"`
	Status        GrantStatus `json:"status"`
	AppliedBy     string      `json:"applied_by"`
	AppliedAt     time.Time   `json:"applied_at"`

	VerifiedBy   string     `json:"verified_by,omitempty"`
	VerifiedAt   *time.Time `json:"verified_at,omitempty"`
	VerifyNotes  string     `json:"verify_notes,omitempty"`
	VerifyPhotos []string   `json:"verify_photos,omitempty"`

	// DecidedBy is the lurah who approved or rejected.
	DecidedBy    string     `json:"decided_by,omitempty"`
	ApprovedAt   *time.Time `json:"approved_at,omitempty"`
	ApproveNotes string     `json:"approve_notes,omitempty"`
	RejectedAt   *time.Time `json:"rejected_at,omitempty"`
	RejectReason string     `json:"reject_reason,omitempty"`

	DisbursedBy     string     `json:"disbursed_by,omitempty"`
	DisbursedAt     *time.Time `json:"disbursed_at,omitempty"`
	DisbursementRef string     `json:"disbursement_ref,omitempty"`

	ProofAt     *time.Time `json:"proof_at,omitempty"`
	ProofBy     string     `json:"proof_by,omitempty"`
	ProofNotes  string     `json:"proof_notes,omitempty"`
	ProofPhotos []string   `json:"proof_photos,omitempty"`
	// AuditFlag is raised when no proof came within the audit period. It
	// stays raised when proof comes later: the audit wants to know.
	AuditFlag      bool       `json:"audit_flag"`
	AuditFlaggedAt *time.Time `json:"audit_flagged_at,omitempty"`

	// Deadlines of the step the grant waits in; nil when none runs.
	VerifyDue   *time.Time `json:"verify_due,omitempty"`
	ApproveDue  *time.Time `json:"approve_due,omitempty"`
	DisburseDue *time.Time `json:"disburse_due,omitempty"`
	ProofDue    *time.Time `json:"proof_due,omitempty"`
	AuditAt     *time.Time `json:"audit_at,omitempty"`
	// ReminderLevel counts the reminders of the current step; Escalated
	// says the current step went over someone's head.
	ReminderLevel int  `json:"reminder_level"`
	Escalated     bool `json:"escalated"`

	Checkins []GrantCheckin `json:"checkins,omitempty"`

	// The baseline is the household's at application; the latest values
	// come from the check-ins. Changes are nil until they can be computed.
	BaselineOmzet   int64    `json:"baseline_omzet"`
	BaselineIncome  int64    `json:"baseline_income"`
	LatestOmzet     *int64   `json:"latest_omzet,omitempty"`
	LatestIncome    *int64   `json:"latest_income,omitempty"`
	OmzetChangePct  *float64 `json:"omzet_change_pct,omitempty"`
	IncomeChangePct *float64 `json:"income_change_pct,omitempty"`

	CompletedAt *time.Time `json:"completed_at,omitempty"`
	// Version grows with every change; the store ignores a stale write.
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// NextCheckin returns the first check-in neither recorded nor missed.
func (g *Grant) NextCheckin() (GrantCheckin, bool) {
	for _, c := range g.Checkins {
		if !c.Done() {
			return c, true
		}
	}
	return GrantCheckin{}, false
}

// ChangePct is the change from base to v in percent, to one decimal; nil
// when there is no base to compare with.
func ChangePct(base, v int64) *float64 {
	if base <= 0 {
		return nil
	}
	// Rounded in integer arithmetic so the workflow, which computes it,
	// stays deterministic whatever the platform's float rounding.
	tenths := (v - base) * 1000 / base
	p := float64(tenths) / 10
	return &p
}

// GrantEvent is one row of a grant's timeline.
type GrantEvent struct {
	// Key is "<grant id>/<run id>/<seq>"; the store inserts each key once.
	Key         string      `json:"key"`
	GrantID     string      `json:"grant_id"`
	Seq         int         `json:"seq"`
	At          time.Time   `json:"at"`
	Type        string      `json:"type"` // a GrantAction*, or an EventGrant* constant
	Actor       string      `json:"actor"`
	Role        Role        `json:"role,omitempty"`
	From        GrantStatus `json:"from"`
	To          GrantStatus `json:"to"`
	Note        string      `json:"note,omitempty"`
	Attachments []string    `json:"attachments,omitempty"`
}

// Grant event types other than staff actions.
const (
	EventGrantApplied         = "applied"
	EventGrantReminder        = "reminder"
	EventGrantEscalated       = "escalated"
	EventGrantProofReminder   = "proof_reminder"
	EventGrantAuditFlag       = "audit_flag"
	EventGrantCheckinReminder = "checkin_reminder"
	EventGrantCheckinMissed   = "checkin_missed"
	EventGrantCompleted       = "completed"
	// EventGrantCancelled ends a grant whose workflow an operator
	// cancelled: rejected before disbursement (the budget is released),
	// completed after it (the money is out).
	EventGrantCancelled = "cancelled"
)

// Kinds of staff notifications about grants.
const (
	NotifyGrantToVerify      = "grant_to_verify"   // a new application for the fasilitator
	NotifyGrantToApprove     = "grant_to_approve"  // verified, for the lurah
	NotifyGrantToDisburse    = "grant_to_disburse" // approved, for admin and lurah
	NotifyGrantRejected      = "grant_rejected"
	NotifyGrantCancelled     = "grant_cancelled" // the grant's workflow was cancelled
	NotifyGrantDisbursed     = "grant_disbursed" // the fasilitator collects proof
	NotifyGrantReminder      = "grant_reminder"  // a step is late
	NotifyGrantProofReminder = "grant_proof_reminder"
	NotifyGrantAudit         = "grant_audit"
	NotifyGrantCheckinDue    = "grant_checkin_due"
	NotifyGrantCheckinMissed = "grant_checkin_missed"
	NotifyGrantCompleted     = "grant_completed"
)

// GrantProjection is one transition for the read model: the grant as it is
// now, the event that got it there and, for a check-in, the household's
// measurement.
type GrantProjection struct {
	Grant   *Grant            `json:"grant"`
	Event   *GrantEvent       `json:"event,omitempty"`
	Checkin *HouseholdCheckin `json:"checkin,omitempty"`
}

// GrantFilter narrows a grant list. Zero values mean "any".
type GrantFilter struct {
	Kelurahan   string // "" = every kelurahan (admin only)
	Statuses    []GrantStatus
	HouseholdID string
	AuditFlag   *bool
	Limit       int // 1–500; 0 means 100
}

// GrantBudget is a kelurahan's grant budget and what is committed of it.
type GrantBudget struct {
	Kelurahan string `json:"kelurahan"`
	Budget    int64  `json:"budget"`
	// Reserved is the sum of every grant not rejected: applied grants
	// hold their amount from the moment they are submitted.
	Reserved  int64 `json:"reserved"`
	Disbursed int64 `json:"disbursed"`
	Available int64 `json:"available"`
}

// GrantService stores grants and their budget.
type GrantService interface {
	// CreateGrant stores a new grant in status applied and reserves its
	// amount from the household's kelurahan's budget, in one transaction,
	// so concurrent applications never over-commit the budget. It fills
	// g.ID, Kelurahan, HouseholdName, DTKS and the baselines from the
	// household. Returns ENOTFOUND for an unknown household, ECONFLICT when
	// the household has an active grant or the budget is short, EINVALID
	// for a bad field.
	CreateGrant(ctx context.Context, g *Grant) error
	// CancelGrant removes a grant whose workflow never started and releases
	// its reservation. Returns ENOTFOUND for an unknown grant and ECONFLICT
	// for one past applied.
	CancelGrant(ctx context.Context, id string) error
	// ProjectGrant writes the event (once per key), the check-in (once per
	// key) and the grant (ignored when the stored version is newer), in one
	// transaction. The first projection of a rejected grant releases its
	// reservation, the first of a disbursed one adds the amount to the
	// household's modal_received; both exactly once. Returns ENOTFOUND for
	// a grant the store does not have.
	ProjectGrant(ctx context.Context, p *GrantProjection) error
	// FindGrant returns ENOTFOUND if there is no such grant.
	FindGrant(ctx context.Context, id string) (*Grant, error)
	// ListGrants lists DTKS households first, then by application time.
	ListGrants(ctx context.Context, f GrantFilter) ([]*Grant, error)
	// ListGrantEvents returns the timeline, oldest first.
	ListGrantEvents(ctx context.Context, grantID string) ([]*GrantEvent, error)
	// FindGrantBudget returns ENOTFOUND for an unknown kelurahan.
	FindGrantBudget(ctx context.Context, kelurahan string) (*GrantBudget, error)
}

// ParseGrantPolicy reads a policy written as comma-separated key=value
// pairs, the keys of GrantPolicy's JSON: "verify_sla=3d,checkins=30d/60d/90d,
// reminders=2". Durations are Go durations or whole days ("14d"); the
// check-ins are separated by "/". An empty string is the zero policy (all
// defaults). Returns EINVALID naming the key.
func ParseGrantPolicy(s string) (GrantPolicy, error) {
	var p GrantPolicy
	durations := map[string]*time.Duration{
		"verify_sla": &p.VerifySLA, "approve_sla": &p.ApproveSLA, "disburse_sla": &p.DisburseSLA,
		"proof_reminder": &p.ProofReminder, "proof_due": &p.ProofDue, "audit_after": &p.AuditAfter,
		"checkin_window": &p.CheckinWindow, "checkin_grace": &p.CheckinGrace,
	}
	for _, pair := range strings.Split(s, ",") {
		if strings.TrimSpace(pair) == "" {
			continue
		}
		key, value, _ := strings.Cut(pair, "=")
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		switch {
		case key == "reminders":
			n, err := strconv.Atoi(value)
			if err != nil || n < 1 || n > 10 {
				return p, FieldErrorf(key, "reminders harus angka 1–10.")
			}
			p.Reminders = n
		case key == "checkins":
			p.Checkins = nil
			for _, v := range strings.Split(value, "/") {
				d, err := parsePolicyDuration(v)
				if err != nil {
					return p, FieldErrorf(key, "checkins: %q bukan durasi (mis. 30d/60d/90d).", v)
				}
				if n := len(p.Checkins); n > 0 && d <= p.Checkins[n-1] {
					return p, FieldErrorf(key, "checkins harus berurutan naik.")
				}
				p.Checkins = append(p.Checkins, d)
			}
		case durations[key] != nil:
			d, err := parsePolicyDuration(value)
			if err != nil {
				return p, FieldErrorf(key, "%s: %q bukan durasi (mis. 7d atau 36h).", key, value)
			}
			*durations[key] = d
		default:
			return p, FieldErrorf(key, "Kunci kebijakan hibah %q tidak dikenal.", key)
		}
	}
	return p, nil
}

func parsePolicyDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n <= 0 {
			return 0, FieldErrorf("", "bad days")
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, FieldErrorf("", "bad duration")
	}
	return d, nil
}
