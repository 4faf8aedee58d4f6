package app

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/programme"
)

// Programme is what the routes of "Satu Rumah Satu Penghasilan" need: the
// household registry, participation, grants and their workflows. The
// routes exist only when Config.Programme is set.
type Programme struct {
	Households    hailurah.HouseholdService
	Participation hailurah.ProgrammeService
	Grants        hailurah.GrantService
	// Field serves the fasilitator's field records (Pasar Rakyat,
	// mentoring, Toko Warga); nil leaves their pages out.
	Field hailurah.FieldService
	Cases GrantCases
	// Policy is the process new grants start with; zero values take
	// hailurah.DefaultGrantPolicy's.
	Policy hailurah.GrantPolicy
	// Loans, when set, serves the dana bergulir and the budget.
	Loans *Loans
}

// GrantCases is what the server needs of the grant workflows.
// workflows.Client implements it on a Temporal client.
type GrantCases interface {
	// StartGrant starts the grant's workflow. Returns EUNAVAILABLE when
	// Temporal cannot be reached, ECONFLICT when the id was used before.
	StartGrant(ctx context.Context, in hailurah.GrantInput) error
	// ActGrant performs a staff action and returns the grant after it.
	// Refusals come back as EFORBIDDEN, ECONFLICT or EINVALID with the
	// workflow's message; ENOTFOUND when the workflow has ended.
	ActGrant(ctx context.Context, grantID string, req hailurah.GrantActionRequest) (*hailurah.Grant, error)
}

// RupiahJSON is an amount written as a JSON number or as a string the
// way people write rupiah ("1.500.000", "Rp 1.500.000"). Decoding keeps
// the raw value; amount reads it, so the error can name the field.
type RupiahJSON struct{ raw json.RawMessage }

func (r *RupiahJSON) UnmarshalJSON(b []byte) error {
	r.raw = append(r.raw[:0], b...)
	return nil
}

// Amount returns nil when the field was absent or null.
func (r RupiahJSON) Amount(field string) (*int64, error) {
	if len(r.raw) == 0 || string(r.raw) == "null" {
		return nil, nil
	}
	bad := hailurah.FieldErrorf(field, "Nilai rupiah tidak sah: tulis 1500000 atau \"Rp 1.500.000\".")
	// A quoted "1.500.000" would decode as a json.Number too (the dots
	// then fail ParseInt): only a bare number takes this path.
	var n json.Number
	if r.raw[0] != '"' && json.Unmarshal(r.raw, &n) == nil {
		v, err := strconv.ParseInt(string(n), 10, 64)
		if err != nil {
			return nil, bad
		}
		return &v, nil
	}
	var s string
	if err := json.Unmarshal(r.raw, &s); err != nil {
		return nil, bad
	}
	v, err := programme.ParseRupiah(s)
	if err != nil {
		return nil, hailurah.FieldErrorf(field, "Nilai rupiah %q %s.", s, err)
	}
	return &v, nil
}

func (s *App) ApplyGrant(c *gin.Context, app hailurah.GrantApplication) (*hailurah.Grant, error) {
	p := s.Programme
	u := UserOf(c)
	ctx := c.Request.Context()
	if err := app.Validate(); err != nil {
		return nil, err
	}
	h, err := p.Households.FindHousehold(ctx, app.HouseholdID)
	if err != nil && hailurah.ErrorCode(err) != hailurah.ENOTFOUND {
		return nil, err
	}
	// Another kelurahan's household is as unknown as one that does not
	// exist: a fasilitator applies only for their own.
	if err != nil || h.Kelurahan != u.Kelurahan {
		return nil, hailurah.FieldErrorf("household_id", "Rumah tangga %q tidak terdaftar di kelurahan Anda.", app.HouseholdID)
	}
	g := &hailurah.Grant{HouseholdID: h.ID, Amount: app.Amount, Purpose: app.Purpose, Plan: app.Plan, AppliedBy: u.Username}
	if err := p.Grants.CreateGrant(ctx, g); err != nil {
		return nil, err
	}
	in := hailurah.GrantInput{
		GrantID: g.ID, HouseholdID: g.HouseholdID, HouseholdName: g.HouseholdName, Kelurahan: g.Kelurahan, DTKS: g.DTKS,
		Amount: g.Amount, Purpose: g.Purpose, Plan: g.Plan, AppliedBy: g.AppliedBy, AppliedAt: g.AppliedAt,
		BaselineOmzet: g.BaselineOmzet, BaselineIncome: g.BaselineIncome, Policy: p.Policy.WithDefaults(),
	}
	if err := p.Cases.StartGrant(ctx, in); err != nil {
		if err := s.undoGrant(ctx, g.ID, err); err != nil {
			return nil, err
		}
	}
	s.Audit(c, "grant.apply", g.ID, ProgrammeAudit(map[string]any{"household_id": g.HouseholdID, "amount": g.Amount}))
	return g, nil
}

// undoGrant undoes the application of a grant whose workflow failed to
// start and returns the error to show, or nil when the grant runs after
// all. A start that timed out may have started the workflow: the store
// refuses to undo a grant its workflow has projected, and a workflow that
// starts after the undo finds no row and ends.
func (s *App) undoGrant(ctx context.Context, id string, startErr error) error {
	// The request's context may be what failed; the undo must run.
	undo, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	cerr := s.Programme.Grants.CancelGrant(undo, id)
	if hailurah.ErrorCode(cerr) == hailurah.ECONFLICT {
		s.Logger.WarnContext(ctx, "grant workflow runs although its start failed", "grant", id, "err", startErr)
		return nil
	}
	if cerr != nil {
		s.Logger.ErrorContext(ctx, "undo grant application after a failed start", "grant", id, "err", cerr)
	}
	s.Logger.WarnContext(ctx, "start grant workflow", "grant", id, "err", startErr)
	if hailurah.ErrorCode(startErr) != hailurah.EUNAVAILABLE {
		return &hailurah.Error{Code: hailurah.EUNAVAILABLE, Message: "Layanan alur kerja sedang tidak tersedia. Coba lagi sebentar lagi."}
	}
	return startErr
}

func ProgrammeAudit(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

// GrantJSON is a grant as the API shows it: the stored projection with
// its labels and, on the detail, the timeline.
type GrantJSON struct {
	*hailurah.Grant
	StatusLabel string                `json:"status_label"`
	Deadlines   map[string]string     `json:"deadlines"`
	Timeline    []*GrantEventJSON     `json:"timeline,omitempty"`
	Budget      *hailurah.GrantBudget `json:"budget,omitempty"`
}

type GrantEventJSON struct {
	*hailurah.GrantEvent
	Label string `json:"label"`
}

func ToGrantJSON(g *hailurah.Grant) GrantJSON {
	out := GrantJSON{Grant: g, StatusLabel: g.Status.Label(), Deadlines: map[string]string{}}
	for name, t := range map[string]*time.Time{"verify": g.VerifyDue, "approve": g.ApproveDue, "disburse": g.DisburseDue,
		"proof": g.ProofDue, "audit": g.AuditAt} {
		if t != nil {
			out.Deadlines[name] = t.UTC().Format(time.RFC3339)
		}
	}
	if next, ok := g.NextCheckin(); ok && !g.Status.Final() {
		out.Deadlines["checkin"] = next.Due.UTC().Format(time.RFC3339)
	}
	return out
}

// VisibleGrant loads a grant the user may see; another kelurahan's grant
// is "not found".
func (s *App) VisibleGrant(c *gin.Context, id string) (*hailurah.Grant, error) {
	g, err := s.Programme.Grants.FindGrant(c.Request.Context(), id)
	if err != nil {
		if hailurah.ErrorCode(err) == hailurah.ENOTFOUND {
			return nil, hailurah.Errorf(hailurah.ENOTFOUND, "Hibah %s tidak ditemukan.", id)
		}
		return nil, err
	}
	if u := UserOf(c); u.Role != hailurah.RoleAdmin && u.Kelurahan != g.Kelurahan {
		return nil, hailurah.Errorf(hailurah.ENOTFOUND, "Hibah %s tidak ditemukan.", id)
	}
	return g, nil
}

// ActGrant validates what the server can, then lets the workflow decide.
// A disbursement recorded again on a grant whose workflow has ended is
// answered with the grant as it is: recording it twice changes nothing.
func (s *App) ActGrant(c *gin.Context, g *hailurah.Grant, req hailurah.GrantActionRequest) (*hailurah.Grant, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	key, err := IdempotencyKey(c)
	if err != nil {
		return nil, err
	}
	req.IdempotencyKey = key
	out, err := s.Programme.Cases.ActGrant(c.Request.Context(), g.ID, req)
	if hailurah.ErrorCode(err) == hailurah.EPENDING {
		s.Audit(c, "grant."+req.Action, g.ID, "")
	}
	if hailurah.ErrorCode(err) == hailurah.ENOTFOUND {
		if req.Action == hailurah.GrantActionDisburse && g.DisbursedAt != nil && g.DisbursementRef == req.Reference {
			return g, nil
		}
		return nil, hailurah.Errorf(hailurah.ECONFLICT, "Hibah %s sudah %s; tidak ada aksi yang dapat dilakukan.", g.ID, strings.ToLower(g.Status.Label()))
	}
	if err != nil {
		return nil, err
	}
	s.Audit(c, "grant."+req.Action, g.ID, "")
	return out, nil
}

// GrantEventLabel names a timeline entry in Bahasa Indonesia.
func GrantEventLabel(typ string) string {
	switch typ {
	case hailurah.EventGrantApplied:
		return "Pengajuan"
	case hailurah.GrantActionVerify:
		return "Verifikasi lapangan"
	case hailurah.GrantActionApprove:
		return "Disetujui Lurah"
	case hailurah.GrantActionReject:
		return "Ditolak"
	case hailurah.GrantActionDisburse:
		return "Pencairan"
	case hailurah.GrantActionProof:
		return "Bukti penggunaan"
	case hailurah.GrantActionCheckin:
		return "Check-in omzet"
	case hailurah.EventGrantReminder:
		return "Pengingat"
	case hailurah.EventGrantEscalated:
		return "Eskalasi"
	case hailurah.EventGrantProofReminder:
		return "Pengingat bukti penggunaan"
	case hailurah.EventGrantAuditFlag:
		return "Ditandai audit"
	case hailurah.EventGrantCheckinReminder:
		return "Pengingat check-in"
	case hailurah.EventGrantCheckinMissed:
		return "Check-in terlewat"
	case hailurah.EventGrantCompleted:
		return "Selesai"
	case hailurah.EventGrantCancelled:
		return "Dibatalkan"
	}
	return typ
}

// TextRupiah carries a form's text box as the JSON API would get it; an
// empty box is an absent value.
func TextRupiah(s string) RupiahJSON {
	s = strings.TrimSpace(s)
	if s == "" {
		return RupiahJSON{}
	}
	b, _ := jsonString(s)
	return RupiahJSON{raw: b}
}

// jsonString encodes s as a JSON string.
func jsonString(s string) ([]byte, error) { return json.Marshal(s) }
