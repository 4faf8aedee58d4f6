package server

import (
	"context"
	"encoding/json"
	"net/http"
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
	Cases         GrantCases
	// Policy is the process new grants start with; zero values take
	// hailurah.DefaultGrantPolicy's.
	Policy hailurah.GrantPolicy
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

// programmeRoutes registers the JSON API and the staff pages of the
// programme. The landing pages /rumah-tangga and /hibah come from
// roleHomes (see householdsPage and grantQueuePage).
func (s *Server) programmeRoutes(r *gin.Engine, api *gin.RouterGroup) {
	registry := RequireRole(hailurah.RoleFasilitator, hailurah.RoleAdmin)
	readers := RequireRole(hailurah.RoleFasilitator, hailurah.RoleLurah, hailurah.RoleAdmin)

	api.POST("/households/import", s.RequireStaff, registry, s.apiImportHouseholds)
	api.GET("/households", s.RequireStaff, readers, s.apiHouseholds)
	api.GET("/households/:id", s.RequireStaff, readers, s.apiHousehold)
	api.POST("/households/:id/members", s.RequireStaff, registry, s.apiAddMember)
	api.POST("/households/:id/checkins", s.RequireStaff, registry, s.apiAddCheckin)
	api.GET("/trainings", s.RequireStaff, readers, s.apiTrainings)
	api.POST("/trainings", s.RequireStaff, registry, s.apiCreateTraining)
	api.POST("/trainings/:id/attendance", s.RequireStaff, registry, s.apiRecordAttendance)
	api.GET("/padat-karya", s.RequireStaff, readers, s.apiPadatKarya)
	api.POST("/padat-karya", s.RequireStaff, registry, s.apiCreatePadatKarya)
	api.POST("/padat-karya/:id/workers", s.RequireStaff, registry, s.apiRecordWorkers)
	api.POST("/marketplace-onboardings", s.RequireStaff, registry, s.apiAddOnboarding)

	api.POST("/grants", s.RequireStaff, RequireRole(hailurah.RoleFasilitator), s.apiApplyGrant)
	api.GET("/grants", s.RequireStaff, readers, s.apiGrants)
	api.GET("/grants/budget", s.RequireStaff, readers, s.apiGrantBudget)
	api.GET("/grants/:id", s.RequireStaff, readers, s.apiGrant)
	api.POST("/grants/:id/actions", s.RequireStaff, readers, s.apiGrantAction)

	s.programmePages(r)
}

// rupiahJSON is an amount written as a JSON number or as a string the
// way people write rupiah ("1.500.000", "Rp 1.500.000"). Decoding keeps
// the raw value; amount reads it, so the error can name the field.
type RupiahJSON struct{ raw json.RawMessage }

func (r *RupiahJSON) UnmarshalJSON(b []byte) error {
	r.raw = append(r.raw[:0], b...)
	return nil
}

// amount returns nil when the field was absent or null.
func (r RupiahJSON) Amount(field string) (*int64, error) {
	if len(r.raw) == 0 || string(r.raw) == "null" {
		return nil, nil
	}
	bad := hailurah.FieldErrorf(field, "Nilai rupiah tidak sah: tulis 1500000 atau \"Rp 1.500.000\".")
	var n json.Number
	if err := json.Unmarshal(r.raw, &n); err == nil {
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

type applyGrantBody struct {
	HouseholdID string     `json:"household_id"`
	Amount      RupiahJSON `json:"amount"`
	Purpose     string     `json:"purpose"`
	Plan        string     `json:"plan"`
}

// apiApplyGrant: POST /api/v1/grants. The application is stored with its
// budget reservation first, then its workflow starts; when the start
// fails, the application is undone, so nothing is left half-done.
func (s *Server) apiApplyGrant(c *gin.Context) {
	var body applyGrantBody
	if err := BindJSON(c, &body); err != nil {
		Fail(c, err)
		return
	}
	amount, err := body.Amount.Amount("amount")
	if err != nil {
		Fail(c, err)
		return
	}
	if amount == nil {
		amount = new(int64)
	}
	g, err := s.ApplyGrant(c, hailurah.GrantApplication{HouseholdID: strings.TrimSpace(body.HouseholdID),
		Amount: *amount, Purpose: strings.TrimSpace(body.Purpose), Plan: body.Plan})
	if err != nil {
		Fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"id": g.ID, "status": g.Status})
}

func (s *Server) ApplyGrant(c *gin.Context, app hailurah.GrantApplication) (*hailurah.Grant, error) {
	p := s.cfg.Programme
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
func (s *Server) undoGrant(ctx context.Context, id string, startErr error) error {
	// The request's context may be what failed; the undo must run.
	undo, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	cerr := s.cfg.Programme.Grants.CancelGrant(undo, id)
	if hailurah.ErrorCode(cerr) == hailurah.ECONFLICT {
		s.logger.WarnContext(ctx, "grant workflow runs although its start failed", "grant", id, "err", startErr)
		return nil
	}
	if cerr != nil {
		s.logger.ErrorContext(ctx, "undo grant application after a failed start", "grant", id, "err", cerr)
	}
	s.logger.WarnContext(ctx, "start grant workflow", "grant", id, "err", startErr)
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

// grantJSON is a grant as the API shows it: the stored projection with
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

// grantFilterFrom reads GET /api/v1/grants's filters within the user's
// kelurahan.
func grantFilterFrom(c *gin.Context, u *hailurah.User) (hailurah.GrantFilter, error) {
	q := c.Request.URL.Query()
	f := hailurah.GrantFilter{HouseholdID: strings.TrimSpace(q.Get("household_id"))}
	k, err := KelurahanScope(u, q.Get("kelurahan"))
	if err != nil {
		return f, err
	}
	f.Kelurahan = k
	switch q.Get("queue") {
	case "":
	case "verifikasi":
		f.Statuses = []hailurah.GrantStatus{hailurah.GrantApplied}
	case "persetujuan":
		f.Statuses = []hailurah.GrantStatus{hailurah.GrantVerified}
	case "pencairan":
		f.Statuses = []hailurah.GrantStatus{hailurah.GrantApproved}
	case "pemantauan":
		f.Statuses = []hailurah.GrantStatus{hailurah.GrantDisbursed, hailurah.GrantInUse}
	default:
		return f, hailurah.FieldErrorf("queue", "queue harus verifikasi, persetujuan, pencairan atau pemantauan.")
	}
	for _, v := range q["status"] {
		for _, one := range strings.Split(v, ",") {
			st := hailurah.GrantStatus(strings.TrimSpace(one))
			if !st.Valid() {
				return f, hailurah.FieldErrorf("status", "Status hibah %q tidak dikenal.", one)
			}
			f.Statuses = append(f.Statuses, st)
		}
	}
	if v := q.Get("audit_flag"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return f, hailurah.FieldErrorf("audit_flag", "audit_flag harus true atau false.")
		}
		f.AuditFlag = &b
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return f, hailurah.FieldErrorf("limit", "limit harus angka 1–500.")
		}
		f.Limit = n
	}
	return f, nil
}

// apiGrants: GET /api/v1/grants — DTKS households first, then by
// application time.
func (s *Server) apiGrants(c *gin.Context) {
	f, err := grantFilterFrom(c, UserOf(c))
	if err != nil {
		Fail(c, err)
		return
	}
	list, err := s.cfg.Programme.Grants.ListGrants(c.Request.Context(), f)
	if err != nil {
		Fail(c, err)
		return
	}
	items := make([]GrantJSON, len(list))
	for i, g := range list {
		items[i] = ToGrantJSON(g)
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

// apiGrantBudget: GET /api/v1/grants/budget[?kelurahan=] — admin names the
// kelurahan; staff see their own.
func (s *Server) apiGrantBudget(c *gin.Context) {
	u := UserOf(c)
	k, err := KelurahanScope(u, c.Query("kelurahan"))
	if err != nil {
		Fail(c, err)
		return
	}
	if k == "" {
		Fail(c, hailurah.FieldErrorf("kelurahan", "Parameter kelurahan wajib diisi."))
		return
	}
	b, err := s.cfg.Programme.Grants.FindGrantBudget(c.Request.Context(), k)
	if err != nil {
		Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, b)
}

// visibleGrant loads a grant the user may see; another kelurahan's grant
// is "not found".
func (s *Server) VisibleGrant(c *gin.Context, id string) (*hailurah.Grant, error) {
	g, err := s.cfg.Programme.Grants.FindGrant(c.Request.Context(), id)
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

// apiGrant: GET /api/v1/grants/{id} — state, deadlines and timeline.
func (s *Server) apiGrant(c *gin.Context) {
	g, err := s.VisibleGrant(c, c.Param("id"))
	if err != nil {
		Fail(c, err)
		return
	}
	events, err := s.cfg.Programme.Grants.ListGrantEvents(c.Request.Context(), g.ID)
	if err != nil {
		Fail(c, err)
		return
	}
	out := ToGrantJSON(g)
	out.Timeline = make([]*GrantEventJSON, len(events))
	for i, e := range events {
		out.Timeline[i] = &GrantEventJSON{GrantEvent: e, Label: GrantEventLabel(e.Type)}
	}
	c.JSON(http.StatusOK, out)
}

// grantActionBody is the JSON of POST /api/v1/grants/{id}/actions. The
// actor comes from the session, never from the body.
type grantActionBody struct {
	Action    string     `json:"action"`
	Notes     string     `json:"notes"`
	Reason    string     `json:"reason"`
	Photos    []string   `json:"photos"`
	Reference string     `json:"reference"`
	Omzet     RupiahJSON `json:"omzet"`
	Income    RupiahJSON `json:"income"`
}

// apiGrantAction: POST /api/v1/grants/{id}/actions.
func (s *Server) apiGrantAction(c *gin.Context) {
	g, err := s.VisibleGrant(c, c.Param("id"))
	if err != nil {
		Fail(c, err)
		return
	}
	var body grantActionBody
	if err := BindJSON(c, &body); err != nil {
		Fail(c, err)
		return
	}
	omzet, err := body.Omzet.Amount("omzet")
	if err != nil {
		Fail(c, err)
		return
	}
	income, err := body.Income.Amount("income")
	if err != nil {
		Fail(c, err)
		return
	}
	req := hailurah.GrantActionRequest{Action: body.Action, Actor: hailurah.ActorOf(UserOf(c)), Notes: body.Notes,
		Reason: body.Reason, Photos: body.Photos, Reference: strings.TrimSpace(body.Reference), Omzet: omzet, Income: income}
	out, err := s.ActGrant(c, g, req)
	if AnswerPending(c, err) {
		return
	}
	if err != nil {
		Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, ToGrantJSON(out))
}

// actGrant validates what the server can, then lets the workflow decide.
// A disbursement recorded again on a grant whose workflow has ended is
// answered with the grant as it is: recording it twice changes nothing.
func (s *Server) ActGrant(c *gin.Context, g *hailurah.Grant, req hailurah.GrantActionRequest) (*hailurah.Grant, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	key, err := IdempotencyKey(c)
	if err != nil {
		return nil, err
	}
	req.IdempotencyKey = key
	out, err := s.cfg.Programme.Cases.ActGrant(c.Request.Context(), g.ID, req)
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

// grantEventLabel names a timeline entry in Bahasa Indonesia.
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
