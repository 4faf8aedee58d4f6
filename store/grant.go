package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/hailurah/hailurah"
)

var _ hailurah.GrantService = (*DB)(nil)

const (
	defaultGrantLimit = 100
	maxGrantLimit     = 500
)

type grantRow struct {
	ID              string `gorm:"primaryKey"`
	HouseholdID     string
	KelurahanCode   string
	HouseholdName   string
	DTKS            bool `gorm:"column:dtks"`
	Amount          int64
	Purpose         string
	Plan            string
	Status          string
	AppliedBy       string
	AppliedAt       time.Time
	VerifiedBy      string
	VerifiedAt      *time.Time
	VerifyNotes     string
	VerifyPhotos    *string
	DecidedBy       string
	ApprovedAt      *time.Time
	ApproveNotes    string
	RejectedAt      *time.Time
	RejectReason    string
	DisbursedBy     string
	DisbursedAt     *time.Time
	DisbursementRef string
	ProofAt         *time.Time
	ProofBy         string
	ProofNotes      string
	ProofPhotos     *string
	AuditFlag       bool
	AuditFlaggedAt  *time.Time
	VerifyDue       *time.Time
	ApproveDue      *time.Time
	DisburseDue     *time.Time
	ProofDue        *time.Time
	AuditAt         *time.Time
	ReminderLevel   int
	Escalated       bool
	Checkins        *string
	BaselineOmzet   int64
	BaselineIncome  int64
	LatestOmzet     *int64
	LatestIncome    *int64
	OmzetChangePct  *float64
	IncomeChangePct *float64
	CompletedAt     *time.Time
	// BudgetReleased and ModalCredited are the store's own bookkeeping
	// (see ProjectGrant); projections never write them.
	BudgetReleased bool `gorm:"->"`
	ModalCredited  bool `gorm:"->"`
	Version        int64
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (grantRow) TableName() string { return "grants" }

// grantProjectedColumns are what a projection rewrites: everything the
// workflow knows, nothing fixed at application.
var grantProjectedColumns = []string{
	"status", "verified_by", "verified_at", "verify_notes", "verify_photos", "decided_by", "approved_at",
	"approve_notes", "rejected_at", "reject_reason", "disbursed_by", "disbursed_at", "disbursement_ref",
	"proof_at", "proof_by", "proof_notes", "proof_photos", "audit_flag", "audit_flagged_at", "verify_due",
	"approve_due", "disburse_due", "proof_due", "audit_at", "reminder_level", "escalated", "checkins",
	"latest_omzet", "latest_income", "omzet_change_pct", "income_change_pct", "completed_at", "version", "updated_at",
}

func newGrantRow(g *hailurah.Grant, now time.Time) grantRow {
	r := grantRow{
		ID: g.ID, HouseholdID: g.HouseholdID, KelurahanCode: g.Kelurahan, HouseholdName: g.HouseholdName,
		DTKS: g.DTKS, Amount: g.Amount, Purpose: g.Purpose, Plan: g.Plan, Status: string(g.Status),
		AppliedBy: g.AppliedBy, AppliedAt: orNow(g.AppliedAt, now),
		VerifiedBy: g.VerifiedBy, VerifiedAt: utcPtr(g.VerifiedAt), VerifyNotes: g.VerifyNotes, VerifyPhotos: jsonList(g.VerifyPhotos),
		DecidedBy: g.DecidedBy, ApprovedAt: utcPtr(g.ApprovedAt), ApproveNotes: g.ApproveNotes,
		RejectedAt: utcPtr(g.RejectedAt), RejectReason: g.RejectReason,
		DisbursedBy: g.DisbursedBy, DisbursedAt: utcPtr(g.DisbursedAt), DisbursementRef: g.DisbursementRef,
		ProofAt: utcPtr(g.ProofAt), ProofBy: g.ProofBy, ProofNotes: g.ProofNotes, ProofPhotos: jsonList(g.ProofPhotos),
		AuditFlag: g.AuditFlag, AuditFlaggedAt: utcPtr(g.AuditFlaggedAt),
		VerifyDue: utcPtr(g.VerifyDue), ApproveDue: utcPtr(g.ApproveDue), DisburseDue: utcPtr(g.DisburseDue),
		ProofDue: utcPtr(g.ProofDue), AuditAt: utcPtr(g.AuditAt), ReminderLevel: g.ReminderLevel, Escalated: g.Escalated,
		BaselineOmzet: g.BaselineOmzet, BaselineIncome: g.BaselineIncome, LatestOmzet: g.LatestOmzet,
		LatestIncome: g.LatestIncome, OmzetChangePct: g.OmzetChangePct, IncomeChangePct: g.IncomeChangePct,
		CompletedAt: utcPtr(g.CompletedAt), Version: g.Version,
		CreatedAt: orNow(g.CreatedAt, now), UpdatedAt: orNow(g.UpdatedAt, now),
	}
	if len(g.Checkins) > 0 {
		checkins := make([]hailurah.GrantCheckin, len(g.Checkins))
		for i, c := range g.Checkins {
			c.Due, c.At = utc(c.Due), utcPtr(c.At)
			checkins[i] = c
		}
		b, _ := json.Marshal(checkins) // plain values always encode
		s := string(b)
		r.Checkins = &s
	}
	return r
}

func (r *grantRow) grant() *hailurah.Grant {
	g := &hailurah.Grant{
		ID: r.ID, HouseholdID: r.HouseholdID, Kelurahan: r.KelurahanCode, HouseholdName: r.HouseholdName,
		DTKS: r.DTKS, Amount: r.Amount, Purpose: r.Purpose, Plan: r.Plan, Status: hailurah.GrantStatus(r.Status),
		AppliedBy: r.AppliedBy, AppliedAt: r.AppliedAt.UTC(),
		VerifiedBy: r.VerifiedBy, VerifiedAt: utcPtr(r.VerifiedAt), VerifyNotes: r.VerifyNotes, VerifyPhotos: parseJSONList(r.VerifyPhotos),
		DecidedBy: r.DecidedBy, ApprovedAt: utcPtr(r.ApprovedAt), ApproveNotes: r.ApproveNotes,
		RejectedAt: utcPtr(r.RejectedAt), RejectReason: r.RejectReason,
		DisbursedBy: r.DisbursedBy, DisbursedAt: utcPtr(r.DisbursedAt), DisbursementRef: r.DisbursementRef,
		ProofAt: utcPtr(r.ProofAt), ProofBy: r.ProofBy, ProofNotes: r.ProofNotes, ProofPhotos: parseJSONList(r.ProofPhotos),
		AuditFlag: r.AuditFlag, AuditFlaggedAt: utcPtr(r.AuditFlaggedAt),
		VerifyDue: utcPtr(r.VerifyDue), ApproveDue: utcPtr(r.ApproveDue), DisburseDue: utcPtr(r.DisburseDue),
		ProofDue: utcPtr(r.ProofDue), AuditAt: utcPtr(r.AuditAt), ReminderLevel: r.ReminderLevel, Escalated: r.Escalated,
		BaselineOmzet: r.BaselineOmzet, BaselineIncome: r.BaselineIncome, LatestOmzet: r.LatestOmzet,
		LatestIncome: r.LatestIncome, OmzetChangePct: r.OmzetChangePct, IncomeChangePct: r.IncomeChangePct,
		CompletedAt: utcPtr(r.CompletedAt), Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
	if r.Checkins != nil {
		// Written by newGrantRow; a row edited by hand into something else
		// shows no check-ins.
		_ = json.Unmarshal([]byte(*r.Checkins), &g.Checkins)
		for i := range g.Checkins {
			g.Checkins[i].Due = g.Checkins[i].Due.UTC()
			g.Checkins[i].At = utcPtr(g.Checkins[i].At)
		}
	}
	return g
}

func validateGrant(g *hailurah.Grant) error {
	switch {
	case !validText(g.ID, 64, true):
		return hailurah.FieldErrorf("id", "ID hibah wajib diisi (maks. 64 karakter).")
	case !g.Status.Valid():
		return hailurah.FieldErrorf("status", "Status hibah %q tidak dikenal.", g.Status)
	case g.ReminderLevel < 0:
		return hailurah.FieldErrorf("reminder_level", "Tingkat pengingat tidak boleh negatif.")
	}
	fields := []textField{{"verified_by", g.VerifiedBy}, {"verify_notes", g.VerifyNotes}, {"decided_by", g.DecidedBy},
		{"approve_notes", g.ApproveNotes}, {"reject_reason", g.RejectReason}, {"disbursed_by", g.DisbursedBy},
		{"disbursement_ref", g.DisbursementRef}, {"proof_by", g.ProofBy}, {"proof_notes", g.ProofNotes}}
	for _, p := range append(append([]string{}, g.VerifyPhotos...), g.ProofPhotos...) {
		fields = append(fields, textField{"photos", p})
	}
	for _, c := range g.Checkins {
		fields = append(fields, textField{"checkins", c.Notes}, textField{"checkins", c.By})
	}
	return checkText(fields)
}

// CreateGrant stores g as a new grant in status applied and reserves its
// amount from the household's kelurahan's budget, in one transaction. The
// reservation is one conditional UPDATE, so of two applications racing for
// the last of the budget exactly one succeeds, and the unique index on the
// household's active grant does the same for two applications of one
// household. It fills g from the stored row.
func (db *DB) CreateGrant(ctx context.Context, g *hailurah.Grant) error {
	if g == nil {
		return hailurah.Errorf(hailurah.EINVALID, "Data hibah kosong.")
	}
	app := hailurah.GrantApplication{HouseholdID: g.HouseholdID, Amount: g.Amount, Purpose: g.Purpose, Plan: g.Plan}
	if err := app.Validate(); err != nil {
		return err
	}
	if !validText(g.AppliedBy, 100, true) {
		return hailurah.FieldErrorf("applied_by", "Pengaju hibah wajib diisi.")
	}
	now := db.now()
	var created grantRow
	err := db.tx(ctx, func(tx *gorm.DB) error {
		var h householdRow
		if err := tx.Where("id = ?", g.HouseholdID).Take(&h).Error; errors.Is(err, gorm.ErrRecordNotFound) {
			return errHouseholdNotFound(g.HouseholdID)
		} else if err != nil {
			return err
		}
		var active grantRow
		err := tx.Where("household_id = ? AND status NOT IN ?", g.HouseholdID,
			[]string{string(hailurah.GrantRejected), string(hailurah.GrantCompleted)}).Take(&active).Error
		if err == nil {
			return errActiveGrant(g.HouseholdID, active.ID)
		} else if !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		res := tx.Exec(`UPDATE kelurahan SET grant_reserved = grant_reserved + ?
			WHERE code = ? AND grant_reserved + ? <= grant_budget`, g.Amount, h.KelurahanCode, g.Amount)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return budgetShort(tx, h.KelurahanCode, g.Amount)
		}
		id, err := nextGrantID(tx, now)
		if err != nil {
			return err
		}
		x := &hailurah.Grant{
			ID: id, HouseholdID: h.ID, HouseholdName: h.NamaKepalaKeluarga, Kelurahan: h.KelurahanCode, DTKS: h.DTKSStatus,
			Amount: g.Amount, Purpose: g.Purpose, Plan: app.Plan, Status: hailurah.GrantApplied,
			AppliedBy: g.AppliedBy, AppliedAt: now, BaselineOmzet: h.OmzetMonthly, BaselineIncome: h.BaselineIncome,
		}
		created = newGrantRow(x, now)
		if err := tx.Create(&created).Error; errors.Is(err, gorm.ErrDuplicatedKey) {
			// The unique index caught an application that committed
			// after the check above.
			return errActiveGrant(g.HouseholdID, "")
		} else if err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return err
	}
	*g = *created.grant()
	return nil
}

func errActiveGrant(household, grant string) error {
	if grant == "" {
		return hailurah.Errorf(hailurah.ECONFLICT, "Rumah tangga %s sudah memiliki hibah yang sedang berjalan.", household)
	}
	return hailurah.Errorf(hailurah.ECONFLICT, "Rumah tangga %s sudah memiliki hibah yang sedang berjalan (%s); ajukan lagi setelah hibah itu selesai atau ditolak.", household, grant)
}

// budgetShort explains a refused reservation with what is left.
func budgetShort(tx *gorm.DB, kelurahan string, amount int64) error {
	var k struct{ GrantBudget, GrantReserved int64 }
	if err := tx.Table("kelurahan").Select("grant_budget, grant_reserved").Where("code = ?", kelurahan).Take(&k).Error; err != nil {
		return err
	}
	return hailurah.Errorf(hailurah.ECONFLICT, "Anggaran hibah kelurahan tidak cukup: sisa %s, diajukan %s.",
		hailurah.FormatRupiah(k.GrantBudget-k.GrantReserved), hailurah.FormatRupiah(amount))
}

// nextGrantID allocates "HB-<year>-<n>" in the caller's transaction, so a
// grant that is rolled back gives its number back too.
func nextGrantID(tx *gorm.DB, at time.Time) (string, error) {
	var last int64
	err := tx.Raw(`INSERT INTO grant_seq (year, last) VALUES (?, 1)
		ON CONFLICT (year) DO UPDATE SET last = grant_seq.last + 1
		RETURNING last`, at.Year()).Scan(&last).Error
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("HB-%04d-%06d", at.Year(), last), nil
}

// CancelGrant removes a grant whose workflow never started (the server
// could not reach Temporal) with its events, and gives its reservation
// back. A grant the workflow has projected is running: ECONFLICT, also
// when that projection commits while the undo runs (the delete is
// conditional). A workflow that started after all and finds its row gone
// ends (workflows.ErrorWithdrawn).
func (db *DB) CancelGrant(ctx context.Context, id string) error {
	return db.tx(ctx, func(tx *gorm.DB) error {
		var row grantRow
		if err := tx.Where("id = ?", id).Take(&row).Error; errors.Is(err, gorm.ErrRecordNotFound) {
			return errGrantNotFound(id)
		} else if err != nil {
			return err
		}
		if row.Version > 0 || row.Status != string(hailurah.GrantApplied) {
			return hailurah.Errorf(hailurah.ECONFLICT, "Hibah %s sudah berjalan dan tidak dapat dibatalkan.", id)
		}
		res := tx.Where("id = ? AND version = 0 AND status = ?", id, string(hailurah.GrantApplied)).Delete(&grantRow{})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return hailurah.Errorf(hailurah.ECONFLICT, "Hibah %s sudah berjalan dan tidak dapat dibatalkan.", id)
		}
		if err := tx.Where("grant_id = ?", id).Delete(&grantEventRow{}).Error; err != nil {
			return err
		}
		if row.BudgetReleased {
			return nil
		}
		return tx.Exec("UPDATE kelurahan SET grant_reserved = grant_reserved - ? WHERE code = ?", row.Amount, row.KelurahanCode).Error
	})
}

func errGrantNotFound(id string) error {
	return hailurah.Errorf(hailurah.ENOTFOUND, "Hibah %s tidak ditemukan.", id)
}

// ProjectGrant writes one transition of the workflow in one transaction:
// the event and the check-in once per key, the grant unless the store
// holds a newer version. Two side effects follow the stored state, each
// guarded by a flag so a retry or a late stale write cannot repeat it: a
// rejected grant gives its reservation back, a disbursed one adds its
// amount to the household's modal_received.
func (db *DB) ProjectGrant(ctx context.Context, p *hailurah.GrantProjection) error {
	if p == nil || p.Grant == nil {
		return hailurah.Errorf(hailurah.EINVALID, "Proyeksi hibah kosong.")
	}
	g := p.Grant
	if err := validateGrant(g); err != nil {
		return err
	}
	now := db.now()
	return db.tx(ctx, func(tx *gorm.DB) error {
		var stored grantRow
		if err := tx.Where("id = ?", g.ID).Take(&stored).Error; errors.Is(err, gorm.ErrRecordNotFound) {
			return errGrantNotFound(g.ID)
		} else if err != nil {
			return err
		}
		if p.Event != nil {
			if err := db.addGrantEvent(tx, p.Event); err != nil {
				return err
			}
		}
		if p.Checkin != nil {
			if err := db.addCheckin(tx, p.Checkin); err != nil {
				return err
			}
		}
		row := newGrantRow(g, now)
		if g.UpdatedAt.IsZero() {
			row.UpdatedAt = now
		}
		// Equal versions are written again: a retry carries the same data.
		if err := tx.Model(&grantRow{}).Where("id = ? AND version <= ?", g.ID, g.Version).
			Select(grantProjectedColumns).Updates(&row).Error; err != nil {
			return grantWriteError(err, g.ID)
		}
		res := tx.Exec(`UPDATE grants SET budget_released = ? WHERE id = ? AND status = ? AND budget_released = ?`,
			true, g.ID, string(hailurah.GrantRejected), false)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 1 {
			if err := tx.Exec("UPDATE kelurahan SET grant_reserved = grant_reserved - ? WHERE code = ?",
				stored.Amount, stored.KelurahanCode).Error; err != nil {
				return err
			}
		}
		res = tx.Exec(`UPDATE grants SET modal_credited = ? WHERE id = ? AND disbursed_at IS NOT NULL AND modal_credited = ?`,
			true, g.ID, false)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 1 {
			return tx.Exec("UPDATE households SET modal_received = modal_received + ?, updated_at = ? WHERE id = ?",
				stored.Amount, now, stored.HouseholdID).Error
		}
		return nil
	})
}

func grantWriteError(err error, id string) error {
	if isConstraint(err) {
		return hailurah.Errorf(hailurah.EINVALID, "Data hibah %s tidak sah.", id)
	}
	return err
}

// FindGrant returns ENOTFOUND if there is no such grant.
func (db *DB) FindGrant(ctx context.Context, id string) (*hailurah.Grant, error) {
	var row grantRow
	err := db.q(ctx).Where("id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, errGrantNotFound(id)
	} else if err != nil {
		return nil, err
	}
	return row.grant(), nil
}

// ListGrants lists DTKS households first (the seed's priority), then by
// application time. Returns EINVALID for a bad limit or status.
func (db *DB) ListGrants(ctx context.Context, f hailurah.GrantFilter) ([]*hailurah.Grant, error) {
	limit := f.Limit
	switch {
	case limit == 0:
		limit = defaultGrantLimit
	case limit < 1 || limit > maxGrantLimit:
		return nil, hailurah.FieldErrorf("limit", "limit harus 1–%d.", maxGrantLimit)
	}
	q := db.q(ctx).Model(&grantRow{})
	if f.Kelurahan != "" {
		q = q.Where("kelurahan_code = ?", f.Kelurahan)
	}
	if len(f.Statuses) > 0 {
		statuses := make([]string, len(f.Statuses))
		for i, s := range f.Statuses {
			if !s.Valid() {
				return nil, hailurah.FieldErrorf("status", "Status hibah %q tidak dikenal.", s)
			}
			statuses[i] = string(s)
		}
		q = q.Where("status IN ?", statuses)
	}
	if f.HouseholdID != "" {
		q = q.Where("household_id = ?", f.HouseholdID)
	}
	if f.AuditFlag != nil {
		q = q.Where("audit_flag = ?", *f.AuditFlag)
	}
	var rows []grantRow
	if err := q.Order("dtks DESC, applied_at, id").Limit(limit).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]*hailurah.Grant, len(rows))
	for i := range rows {
		out[i] = rows[i].grant()
	}
	return out, nil
}

// FindGrantBudget returns the kelurahan's budget, what grants hold of it
// and what has been disbursed. Returns ENOTFOUND for an unknown kelurahan.
func (db *DB) FindGrantBudget(ctx context.Context, kelurahan string) (*hailurah.GrantBudget, error) {
	var k struct{ GrantBudget, GrantReserved int64 }
	err := db.q(ctx).Table("kelurahan").Select("grant_budget, grant_reserved").Where("code = ?", kelurahan).Take(&k).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, hailurah.Errorf(hailurah.ENOTFOUND, "Kelurahan %q tidak ditemukan.", kelurahan)
	} else if err != nil {
		return nil, err
	}
	var disbursed int64
	if err := db.q(ctx).Model(&grantRow{}).Select("COALESCE(SUM(amount), 0)").
		Where("kelurahan_code = ? AND disbursed_at IS NOT NULL", kelurahan).Scan(&disbursed).Error; err != nil {
		return nil, err
	}
	return &hailurah.GrantBudget{Kelurahan: kelurahan, Budget: k.GrantBudget, Reserved: k.GrantReserved,
		Disbursed: disbursed, Available: k.GrantBudget - k.GrantReserved}, nil
}

type grantEventRow struct {
	ID          int64 `gorm:"primaryKey"`
	Key         string
	GrantID     string
	Seq         int
	At          time.Time
	Type        string
	Actor       string
	Role        string
	FromStatus  string
	ToStatus    string
	Note        string
	Attachments *string
}

func (grantEventRow) TableName() string { return "grant_events" }

func (db *DB) addGrantEvent(tx *gorm.DB, e *hailurah.GrantEvent) error {
	switch {
	case !validText(e.Key, 200, true):
		return hailurah.FieldErrorf("key", "Kunci peristiwa hibah wajib diisi (maks. 200 karakter).")
	case !validText(e.GrantID, 64, true):
		return hailurah.FieldErrorf("grant_id", "ID hibah pada peristiwa wajib diisi.")
	}
	fields := []textField{{"type", e.Type}, {"actor", e.Actor}, {"role", string(e.Role)},
		{"from", string(e.From)}, {"to", string(e.To)}, {"note", e.Note}}
	for _, a := range e.Attachments {
		fields = append(fields, textField{"attachments", a})
	}
	if err := checkText(fields); err != nil {
		return err
	}
	row := grantEventRow{Key: e.Key, GrantID: e.GrantID, Seq: e.Seq, At: orNow(e.At, db.now()), Type: e.Type,
		Actor: e.Actor, Role: string(e.Role), FromStatus: string(e.From), ToStatus: string(e.To), Note: e.Note,
		Attachments: jsonList(e.Attachments)}
	return tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "key"}}, DoNothing: true}).Create(&row).Error
}

// ListGrantEvents returns the grant's timeline, oldest first, in the
// workflow's order at equal times.
func (db *DB) ListGrantEvents(ctx context.Context, grantID string) ([]*hailurah.GrantEvent, error) {
	var rows []grantEventRow
	if err := db.q(ctx).Where("grant_id = ?", grantID).Order("at, seq, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]*hailurah.GrantEvent, len(rows))
	for i, r := range rows {
		out[i] = &hailurah.GrantEvent{Key: r.Key, GrantID: r.GrantID, Seq: r.Seq, At: r.At.UTC(), Type: r.Type,
			Actor: r.Actor, Role: hailurah.Role(r.Role), From: hailurah.GrantStatus(r.FromStatus),
			To: hailurah.GrantStatus(r.ToStatus), Note: r.Note, Attachments: parseJSONList(r.Attachments)}
	}
	return out, nil
}
