package store

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/hailurah/hailurah"
)

var _ hailurah.PilotService = (*DB)(nil)

type pilotRow struct {
	ID               string `gorm:"primaryKey"`
	KelurahanCode    string
	Name             string
	Component        string
	Scope            string
	Targets          string
	StartDate        time.Time
	Owner            string
	CreatedBy        string
	Status           string
	Cycle            int
	CycleStart       time.Time
	Milestones       *string
	ReviewAt         time.Time
	DecisionDue      time.Time
	Overdue          bool
	OverdueReminders int
	StoppedAt        *time.Time
	Version          int64
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

func (pilotRow) TableName() string { return "pilots" }

type pilotEventRow struct {
	ID      int64 `gorm:"primaryKey"`
	Key     string
	PilotID string
	Cycle   int
	Seq     int
	At      time.Time
	Type    string
	Actor   string
	Note    string
}

func (pilotEventRow) TableName() string { return "pilot_events" }

type pilotPacketRow struct {
	PilotID     string `gorm:"primaryKey"`
	Cycle       int    `gorm:"primaryKey"`
	Packet      string
	GeneratedAt time.Time
}

func (pilotPacketRow) TableName() string { return "pilot_packets" }

type pilotDecisionRow struct {
	PilotID   string `gorm:"primaryKey"`
	Cycle     int    `gorm:"primaryKey"`
	Decision  string
	Rationale string
	Targets   *string
	Scope     *string
	DecidedBy string
	DecidedAt time.Time
	Overdue   bool
}

func (pilotDecisionRow) TableName() string { return "pilot_decisions" }

// mustJSON encodes a value the store itself built; its types always encode.
func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// jsonOrNull encodes a slice, NULL when it is empty.
func jsonOrNull[T any](items []T) *string {
	if len(items) == 0 {
		return nil
	}
	s := mustJSON(items)
	return &s
}

func fromJSON[T any](s *string) T {
	var v T
	if s != nil {
		_ = json.Unmarshal([]byte(*s), &v)
	}
	return v
}

func newPilotRow(p *hailurah.Pilot, now time.Time) pilotRow {
	r := pilotRow{
		ID: p.ID, KelurahanCode: p.Kelurahan, Name: p.Name, Component: p.Component,
		Scope: mustJSON(nonNil(p.Scope)), Targets: mustJSON(nonNil(p.Targets)),
		StartDate: utc(p.StartDate), Owner: p.Owner, CreatedBy: p.CreatedBy, Status: string(p.Status),
		Cycle: p.Cycle, CycleStart: utc(p.CycleStart), Milestones: jsonOrNull(p.Milestones),
		ReviewAt: utc(p.ReviewAt), DecisionDue: utc(p.DecisionDue), Overdue: p.Overdue,
		OverdueReminders: p.OverdueReminders, StoppedAt: utcPtr(p.StoppedAt), Version: p.Version,
		CreatedAt: orNow(p.CreatedAt, now), UpdatedAt: orNow(p.UpdatedAt, now),
	}
	return r
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (r *pilotRow) pilot() *hailurah.Pilot {
	return &hailurah.Pilot{
		ID: r.ID, Name: r.Name, Component: r.Component, Kelurahan: r.KelurahanCode,
		Scope: fromJSON[[]hailurah.PilotArea](&r.Scope), Targets: fromJSON[[]hailurah.PilotTarget](&r.Targets),
		StartDate: r.StartDate.UTC(), Owner: r.Owner, CreatedBy: r.CreatedBy, Status: hailurah.PilotStatus(r.Status),
		Cycle: r.Cycle, CycleStart: r.CycleStart.UTC(), Milestones: fromJSON[[]hailurah.PilotMilestone](r.Milestones),
		ReviewAt: r.ReviewAt.UTC(), DecisionDue: r.DecisionDue.UTC(), Overdue: r.Overdue,
		OverdueReminders: r.OverdueReminders, StoppedAt: utcPtr(r.StoppedAt), Version: r.Version,
		Decisions: []hailurah.PilotDecision{}, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
}

func (r *pilotDecisionRow) decision() hailurah.PilotDecision {
	return hailurah.PilotDecision{
		PilotID: r.PilotID, Cycle: r.Cycle, Decision: r.Decision, Rationale: r.Rationale,
		Targets: fromJSON[[]hailurah.PilotTarget](r.Targets), Scope: fromJSON[[]hailurah.PilotArea](r.Scope),
		DecidedBy: r.DecidedBy, DecidedAt: r.DecidedAt.UTC(), Overdue: r.Overdue,
	}
}

// validatePilot checks what the store needs of a pilot row; the request's
// own rules are hailurah.PilotRequest's.
func validatePilot(p *hailurah.Pilot) error {
	switch {
	case p.Kelurahan == "":
		return hailurah.FieldErrorf("kelurahan", "Kelurahan pilot wajib diisi.")
	case !validText(p.Name, hailurah.MaxPilotName, true):
		return hailurah.FieldErrorf("name", "Nama pilot wajib diisi (maks. %d karakter).", hailurah.MaxPilotName)
	case !validText(p.Component, hailurah.MaxComponentName, true):
		return hailurah.FieldErrorf("component", "Komponen pilot wajib diisi (maks. %d karakter).", hailurah.MaxComponentName)
	case !validText(p.Owner, 64, true) || !validText(p.CreatedBy, 64, false):
		return hailurah.FieldErrorf("owner", "Penanggung jawab pilot wajib diisi.")
	case !p.Status.Valid():
		return hailurah.FieldErrorf("status", "Status pilot %q tidak dikenal.", p.Status)
	case p.Cycle < 1:
		return hailurah.FieldErrorf("cycle", "Siklus pilot dimulai dari 1.")
	case len(p.Scope) == 0:
		return hailurah.FieldErrorf("scope", "Cakupan pilot wajib diisi.")
	case p.StartDate.IsZero() || p.CycleStart.IsZero():
		return hailurah.FieldErrorf("start_date", "Tanggal mulai pilot wajib diisi.")
	}
	return hailurah.ValidateTargets(p.Targets)
}

// CreatePilot stores p as a new pilot at version 0 and sets p.ID, its
// deadlines (from p.CycleStart and the default policy, if not planned yet)
// and times. Returns EINVALID for a bad field or an unknown kelurahan.
func (db *DB) CreatePilot(ctx context.Context, p *hailurah.Pilot) error {
	if p == nil {
		return hailurah.Errorf(hailurah.EINVALID, "Data pilot kosong.")
	}
	x := *p
	if x.Status == "" {
		x.Status = hailurah.PilotRunning
	}
	if x.Cycle == 0 {
		x.Cycle = 1
	}
	if x.CycleStart.IsZero() {
		x.CycleStart = x.StartDate
	}
	x.Version = 0
	if err := validatePilot(&x); err != nil {
		return err
	}
	now := db.now()
	if x.ReviewAt.IsZero() {
		x.PlanCycle(hailurah.DefaultPilotPolicy(), now)
	}
	err := db.tx(ctx, func(tx *gorm.DB) error {
		var last int64
		if err := tx.Raw(`INSERT INTO pilot_seq (year, last) VALUES (?, 1)
			ON CONFLICT (year) DO UPDATE SET last = pilot_seq.last + 1
			RETURNING last`, now.Year()).Scan(&last).Error; err != nil {
			return err
		}
		x.ID = hailurah.PilotID(now.Year(), last)
		x.CreatedAt, x.UpdatedAt = now, now
		row := newPilotRow(&x, now)
		return tx.Create(&row).Error
	})
	if errors.Is(err, gorm.ErrForeignKeyViolated) {
		return hailurah.FieldErrorf("kelurahan", "Kelurahan %q tidak ditemukan.", x.Kelurahan)
	} else if err != nil {
		return err
	}
	x.Decisions = []hailurah.PilotDecision{}
	*p = x
	return nil
}

// CancelPilot removes a pilot whose workflow never started (the server
// could not reach Temporal). A pilot the workflow has projected is
// running: ECONFLICT.
func (db *DB) CancelPilot(ctx context.Context, id string) error {
	return db.tx(ctx, func(tx *gorm.DB) error {
		var row pilotRow
		if err := tx.Where("id = ?", id).Take(&row).Error; errors.Is(err, gorm.ErrRecordNotFound) {
			return errPilotNotFound(id)
		} else if err != nil {
			return err
		}
		if row.Version > 0 {
			return hailurah.Errorf(hailurah.ECONFLICT, "Pilot %s sudah berjalan dan tidak dapat dibatalkan.", id)
		}
		return tx.Where("id = ?", id).Delete(&pilotRow{}).Error
	})
}

func errPilotNotFound(id string) error {
	return hailurah.Errorf(hailurah.ENOTFOUND, "Pilot %s tidak ditemukan.", id)
}

// pilotUpsertColumns are the columns a projection rewrites: everything but
// the id, the creation time and who created it.
var pilotUpsertColumns = []string{
	"kelurahan_code", "name", "component", "scope", "targets", "start_date", "owner", "status", "cycle",
	"cycle_start", "milestones", "review_at", "decision_due", "overdue", "overdue_reminders", "stopped_at",
	"version", "updated_at",
}

// ProjectPilot writes one transition of the workflow in one transaction.
// The event is stored once per key and the packet once per cycle. A
// decision is stored once per cycle: the same decision again (a retried
// activity) changes nothing, a different one is ECONFLICT, because a
// signed decision is never changed. The pilot row is rewritten unless the
// stored version is newer. Returns ENOTFOUND for a pilot the store does
// not have.
func (db *DB) ProjectPilot(ctx context.Context, pr *hailurah.PilotProjection) error {
	if pr == nil || pr.Pilot == nil {
		return hailurah.Errorf(hailurah.EINVALID, "Proyeksi pilot kosong.")
	}
	p := pr.Pilot
	if err := validatePilot(p); err != nil {
		return err
	}
	if e := pr.Event; e != nil && (!validText(e.Key, 200, true) || !validText(e.Type, 64, true) || !validText(e.Note, 8000, false)) {
		return hailurah.FieldErrorf("event", "Peristiwa pilot tidak sah.")
	}
	if d := pr.Decision; d != nil && (!validText(d.Rationale, hailurah.MaxRationaleLen, true) || !validText(d.DecidedBy, 64, true)) {
		return hailurah.FieldErrorf("decision", "Keputusan pilot tidak sah.")
	}
	now := db.now()
	return db.tx(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&pilotRow{}).Where("id = ?", p.ID).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return errPilotNotFound(p.ID)
		}
		if e := pr.Event; e != nil {
			row := pilotEventRow{Key: e.Key, PilotID: p.ID, Cycle: e.Cycle, Seq: e.Seq, At: utc(e.At), Type: e.Type, Actor: e.Actor, Note: e.Note}
			if err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "key"}}, DoNothing: true}).Create(&row).Error; err != nil {
				return err
			}
		}
		if pk := pr.Packet; pk != nil {
			row := pilotPacketRow{PilotID: p.ID, Cycle: pk.Cycle, Packet: mustJSON(pk), GeneratedAt: utc(pk.GeneratedAt)}
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error; err != nil {
				return err
			}
		}
		if d := pr.Decision; d != nil {
			if err := insertDecision(tx, p.ID, d); err != nil {
				return err
			}
		}
		row := newPilotRow(p, now)
		row.UpdatedAt = now
		return tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "id"}},
			DoUpdates: clause.AssignmentColumns(pilotUpsertColumns),
			Where:     clause.Where{Exprs: []clause.Expression{clause.Expr{SQL: "pilots.version <= excluded.version"}}},
		}).Create(&row).Error
	})
}

// insertDecision stores d unless the cycle has one: the same decision is a
// retry and changes nothing; another is refused.
func insertDecision(tx *gorm.DB, pilotID string, d *hailurah.PilotDecision) error {
	var existing pilotDecisionRow
	err := tx.Where("pilot_id = ? AND cycle = ?", pilotID, d.Cycle).Take(&existing).Error
	switch {
	case err == nil:
		if existing.Decision == d.Decision && existing.Rationale == d.Rationale && existing.DecidedBy == d.DecidedBy {
			return nil
		}
		return hailurah.Errorf(hailurah.ECONFLICT, "Keputusan siklus %d pilot %s sudah ditandatangani dan tidak dapat diubah.", d.Cycle, pilotID)
	case !errors.Is(err, gorm.ErrRecordNotFound):
		return err
	}
	row := pilotDecisionRow{
		PilotID: pilotID, Cycle: d.Cycle, Decision: d.Decision, Rationale: d.Rationale,
		Targets: jsonOrNull(d.Targets), Scope: jsonOrNull(d.Scope), DecidedBy: d.DecidedBy,
		DecidedAt: utc(d.DecidedAt), Overdue: d.Overdue,
	}
	return tx.Create(&row).Error
}

// FindPilotPacket returns the packet of one cycle, or ENOTFOUND.
func (db *DB) FindPilotPacket(ctx context.Context, id string, cycle int) (*hailurah.PilotPacket, error) {
	var packet pilotPacketRow
	err := db.q(ctx).Where("pilot_id = ? AND cycle = ?", id, cycle).Take(&packet).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, hailurah.Errorf(hailurah.ENOTFOUND, "Paket evaluasi pilot %s siklus %d tidak ditemukan.", id, cycle)
	} else if err != nil {
		return nil, err
	}
	var pk hailurah.PilotPacket
	if err := json.Unmarshal([]byte(packet.Packet), &pk); err != nil {
		return nil, err
	}
	return &pk, nil
}

// FindPilot returns the pilot with the packet of its current cycle (nil
// before the review) and every decision, oldest first.
func (db *DB) FindPilot(ctx context.Context, id string) (*hailurah.Pilot, error) {
	var row pilotRow
	err := db.q(ctx).Where("id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, errPilotNotFound(id)
	} else if err != nil {
		return nil, err
	}
	p := row.pilot()
	if p.Packet, err = db.FindPilotPacket(ctx, id, p.Cycle); err != nil && hailurah.ErrorCode(err) != hailurah.ENOTFOUND {
		return nil, err
	}
	var decisions []pilotDecisionRow
	if err := db.q(ctx).Where("pilot_id = ?", id).Order("cycle").Find(&decisions).Error; err != nil {
		return nil, err
	}
	for i := range decisions {
		p.Decisions = append(p.Decisions, decisions[i].decision())
	}
	return p, nil
}

// ListPilots returns the pilots a kelurahan owns or whose scope names it
// (or every pilot), newest first, with their decisions but not packets.
// Pilots are few (a handful per kelurahan and year), so the scope is
// matched here rather than inside the JSON column, the same on both
// dialects.
func (db *DB) ListPilots(ctx context.Context, f hailurah.PilotFilter) ([]*hailurah.Pilot, error) {
	q := db.q(ctx).Order("created_at DESC, id DESC")
	if len(f.Statuses) > 0 {
		st := make([]string, len(f.Statuses))
		for i, s := range f.Statuses {
			st[i] = string(s)
		}
		q = q.Where("status IN ?", st)
	}
	var rows []pilotRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, err
	}
	out := []*hailurah.Pilot{}
	byID := map[string]*hailurah.Pilot{}
	var ids []string
	for i := range rows {
		p := rows[i].pilot()
		if f.Kelurahan != "" && p.Kelurahan != f.Kelurahan && !slices.Contains(hailurah.ScopeKelurahan(p.Scope), f.Kelurahan) {
			continue
		}
		out = append(out, p)
		byID[p.ID] = p
		ids = append(ids, p.ID)
	}
	if len(ids) == 0 {
		return out, nil
	}
	var decisions []pilotDecisionRow
	if err := db.q(ctx).Where("pilot_id IN ?", ids).Order("pilot_id, cycle").Find(&decisions).Error; err != nil {
		return nil, err
	}
	for i := range decisions {
		p := byID[decisions[i].PilotID]
		p.Decisions = append(p.Decisions, decisions[i].decision())
	}
	return out, nil
}

// ListPilotEvents returns the pilot's timeline, oldest first.
func (db *DB) ListPilotEvents(ctx context.Context, id string) ([]*hailurah.PilotEvent, error) {
	var rows []pilotEventRow
	if err := db.q(ctx).Where("pilot_id = ?", id).Order("at, cycle, seq, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]*hailurah.PilotEvent, len(rows))
	for i, r := range rows {
		out[i] = &hailurah.PilotEvent{Key: r.Key, PilotID: r.PilotID, Cycle: r.Cycle, Seq: r.Seq, At: r.At.UTC(),
			Type: r.Type, Actor: r.Actor, Note: r.Note}
	}
	return out, nil
}

type publicDecisionRow struct {
	PilotID       string
	PilotName     string
	Component     string
	KelurahanCode string
	KelurahanName string
	Cycle         int
	Decision      string
	Rationale     string
	Scope         *string
	DecidedAt     time.Time
}

// PublicDecisions returns the signed decisions of the pilots a kelurahan
// owns (or of every pilot), newest first, as the public page shows them.
func (db *DB) PublicDecisions(ctx context.Context, kelurahan string) ([]*hailurah.PublicDecision, error) {
	q := db.q(ctx).Table("pilot_decisions d").
		Select("d.pilot_id, p.name AS pilot_name, p.component, p.kelurahan_code, k.name AS kelurahan_name, d.cycle, d.decision, d.rationale, d.scope, d.decided_at").
		Joins("JOIN pilots p ON p.id = d.pilot_id").
		Joins("JOIN kelurahan k ON k.code = p.kelurahan_code").
		Order("d.decided_at DESC, d.pilot_id")
	if kelurahan != "" {
		q = q.Where("p.kelurahan_code = ?", kelurahan)
	}
	var rows []publicDecisionRow
	if err := q.Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]*hailurah.PublicDecision, len(rows))
	for i, r := range rows {
		var scope []string
		for _, a := range fromJSON[[]hailurah.PilotArea](r.Scope) {
			if l := a.PublicLabel(); !slices.Contains(scope, l) {
				scope = append(scope, l)
			}
		}
		out[i] = &hailurah.PublicDecision{
			PilotID: r.PilotID, PilotName: r.PilotName, Component: r.Component, Kelurahan: r.KelurahanCode,
			KelurahanName: r.KelurahanName, Cycle: r.Cycle, Decision: r.Decision, Rationale: r.Rationale,
			Scope: nonNil(scope), DecidedAt: r.DecidedAt.UTC(),
		}
	}
	return out, nil
}

// NotifyUser stores n for one active user, once per key. The row records
// the user's own role and kelurahan as its audience, as Notify does for an
// audience it resolved.
func (db *DB) NotifyUser(ctx context.Context, username string, n *hailurah.Notification) (bool, error) {
	if n == nil || !validText(n.IdempotencyKey, 200, true) {
		return false, hailurah.FieldErrorf("idempotency_key", "Kunci idempotensi notifikasi wajib diisi (maks. 200 karakter).")
	}
	if err := checkText([]textField{{"kind", n.Kind}, {"title", n.Title}, {"body", n.Body}, {"link", n.Link}}); err != nil {
		return false, err
	}
	var u userRow
	err := db.q(ctx).Where("username = ? AND disabled = ?", username, false).Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	row := notificationRow{
		IdempotencyKey: n.IdempotencyKey, Username: u.Username, AudienceRole: u.Role,
		AudienceKelurahan: deref(u.KelurahanCode), AudienceUnit: deref(u.UnitCode),
		Kind: n.Kind, Title: n.Title, Body: n.Body, Link: n.Link, CreatedAt: db.now(),
	}
	res := db.q(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "idempotency_key"}, {Name: "username"}},
		DoNothing: true,
	}).Create(&row)
	return res.RowsAffected > 0, res.Error
}
