package server

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
)

// Pilots is what the routes of the 90-day pilots, the dashboards and the
// public open data need. Those routes exist only when Config.Pilots is set.
type Pilots struct {
	Store  hailurah.PilotService
	KPIs   hailurah.KPIService
	Runner PilotRunner
	// Policy is the cycle new pilots start with; zero values take
	// hailurah.DefaultPilotPolicy's.
	Policy hailurah.PilotPolicy
}

// PilotRunner is what the server needs of the pilot workflows.
// workflows.Client implements it on a Temporal client.
type PilotRunner interface {
	// StartPilot starts the pilot's workflow. Returns EUNAVAILABLE when
	// Temporal cannot be reached, ECONFLICT when the id was used before.
	StartPilot(ctx context.Context, in hailurah.PilotInput) error
	// DecidePilot signs the cycle's decision and returns the pilot after
	// it. Returns the workflow's refusals as EFORBIDDEN, ECONFLICT or
	// EINVALID, and ECONFLICT when the pilot's workflow has ended.
	DecidePilot(ctx context.Context, id string, req hailurah.DecisionRequest) (*hailurah.Pilot, error)
}

// pilotRoutes registers the pilot API, the dashboards, the public open
// data and their pages.
func (s *Server) pilotRoutes(r *gin.Engine, api *gin.RouterGroup) {
	staff := RequireRole(hailurah.RoleAdmin, hailurah.RoleLurah, hailurah.RoleModerator, hailurah.RoleFasilitator)
	api.POST("/pilots", s.RequireStaff, RequireRole(hailurah.RoleAdmin, hailurah.RoleLurah), s.apiCreatePilot)
	api.GET("/pilots", s.RequireStaff, staff, s.apiPilots)
	api.GET("/pilots/:id", s.RequireStaff, staff, s.apiPilot)
	api.POST("/pilots/:id/decision", s.RequireStaff, RequireRole(hailurah.RoleLurah), s.apiPilotDecision)
	api.GET("/dashboard/curhat", s.RequireStaff, staff, s.apiCurhatDashboard)
	api.GET("/dashboard/program", s.RequireStaff, staff, s.apiProgrammeDashboard)
	api.GET("/opendata", LimitByIP(s.tracking), s.apiOpenData)

	r.GET("/data", LimitByIP(s.tracking), s.openDataPage)
	pages := r.Group("", s.requireStaffPage, s.requireRolePage(hailurah.RoleAdmin, hailurah.RoleLurah, hailurah.RoleModerator, hailurah.RoleFasilitator))
	pages.GET("/dasbor", s.curhatDashboardPage)
	pages.GET("/siap-taman", s.programmeDashboardPage)
	pages.GET("/pilot", s.pilotsPage)
	pages.GET("/pilot/:id", s.pilotPage)
	pages.POST("/pilot", s.requireRolePage(hailurah.RoleAdmin, hailurah.RoleLurah), s.createPilotForm)
	pages.POST("/pilot/:id/keputusan", s.requireRolePage(hailurah.RoleLurah), s.decidePilotForm)
}

// pilotJSON is a pilot as the API shows it.
type pilotJSON struct {
	ID             string                   `json:"id"`
	Name           string                   `json:"name"`
	Component      string                   `json:"component"`
	ComponentLabel string                   `json:"component_label"`
	Kelurahan      string                   `json:"kelurahan"`
	Scope          []hailurah.PilotArea     `json:"scope"`
	StartDate      string                   `json:"start_date"`
	Targets        []hailurah.PilotTarget   `json:"targets"`
	Owner          string                   `json:"owner"`
	Status         hailurah.PilotStatus     `json:"status"`
	StatusLabel    string                   `json:"status_label"`
	Cycle          int                      `json:"cycle"`
	CycleStart     time.Time                `json:"cycle_start"`
	Day            int                      `json:"day"`
	Packet         *hailurah.PilotPacket    `json:"packet"`
	Decisions      []hailurah.PilotDecision `json:"decisions"`
	Deadlines      pilotDeadlines           `json:"deadlines"`
	StoppedAt      *time.Time               `json:"stopped_at,omitempty"`
	Timeline       []*hailurah.PilotEvent   `json:"timeline,omitempty"`
}

type pilotDeadlines struct {
	Milestones       []hailurah.PilotMilestone `json:"milestones"`
	ReviewAt         time.Time                 `json:"review_at"`
	DecisionDue      time.Time                 `json:"decision_due"`
	Overdue          bool                      `json:"overdue"`
	OverdueReminders int                       `json:"overdue_reminders"`
}

func toPilotJSON(p *hailurah.Pilot, now time.Time, z hailurah.Zone) pilotJSON {
	j := pilotJSON{
		ID: p.ID, Name: p.Name, Component: p.Component, ComponentLabel: hailurah.ComponentLabel(p.Component),
		Kelurahan: p.Kelurahan, Scope: p.Scope, StartDate: z.In(p.StartDate).Format(time.DateOnly), Targets: p.Targets,
		Owner: p.Owner, Status: p.Status, StatusLabel: p.Status.Label(), Cycle: p.Cycle, CycleStart: p.CycleStart,
		Day: max(0, p.DayAt(now, 0)), Packet: p.Packet, Decisions: p.Decisions, StoppedAt: p.StoppedAt,
		Deadlines: pilotDeadlines{Milestones: p.Milestones, ReviewAt: p.ReviewAt, DecisionDue: p.DecisionDue,
			Overdue: p.Overdue, OverdueReminders: p.OverdueReminders},
	}
	if j.Decisions == nil {
		j.Decisions = []hailurah.PilotDecision{}
	}
	if j.Deadlines.Milestones == nil {
		j.Deadlines.Milestones = []hailurah.PilotMilestone{}
	}
	if p.Status == hailurah.PilotStopped {
		j.Day = 0
	}
	return j
}

// canSeePilot is the one rule of who sees which pilot: admin all, staff of
// the kelurahan that owns it or that its scope names.
func canSeePilot(u *hailurah.User, p *hailurah.Pilot) bool {
	if u.Role == hailurah.RoleAdmin {
		return true
	}
	return u.Kelurahan != "" && (p.Kelurahan == u.Kelurahan || slices.Contains(hailurah.ScopeKelurahan(p.Scope), u.Kelurahan))
}

// visiblePilot loads a pilot the user may see; another kelurahan's pilot
// is "not found".
func (s *Server) VisiblePilot(c *gin.Context, id string) (*hailurah.Pilot, error) {
	notFound := hailurah.Errorf(hailurah.ENOTFOUND, "Pilot %s tidak ditemukan.", id)
	if !hailurah.IsPilotID(id) {
		return nil, notFound
	}
	p, err := s.cfg.Pilots.Store.FindPilot(c.Request.Context(), id)
	if hailurah.ErrorCode(err) == hailurah.ENOTFOUND {
		return nil, notFound
	} else if err != nil {
		return nil, err
	}
	if !canSeePilot(UserOf(c), p) {
		return nil, notFound
	}
	packetForReader(UserOf(c), p)
	return p, nil
}

// packetForReader leaves in p's packet only the kelurahan u may see: a
// pilot scaled to other kelurahan is visible to their staff, but each
// sees their own kelurahan's figures, as on the dashboard.
func packetForReader(u *hailurah.User, p *hailurah.Pilot) {
	kel, _ := KelurahanScope(u, "")
	p.Packet = p.Packet.For(kel, p.Scope)
}

// createPilot checks a pilot request for the user and starts the pilot:
// the store row first, then its workflow; a workflow that cannot start
// takes the row back with it.
func (s *Server) CreatePilot(c *gin.Context, req *hailurah.PilotRequest) (*hailurah.Pilot, error) {
	ctx := c.Request.Context()
	u := UserOf(c)
	kel := u.Kelurahan
	switch u.Role {
	case hailurah.RoleAdmin:
		kel = strings.TrimSpace(req.Kelurahan)
		if kel == "" {
			return nil, hailurah.FieldErrorf("kelurahan", "Admin wajib memilih kelurahan pemilik pilot.")
		}
	case hailurah.RoleLurah:
		if req.Kelurahan != "" && req.Kelurahan != u.Kelurahan {
			return nil, hailurah.Errorf(hailurah.EFORBIDDEN, "Lurah hanya dapat membuat pilot untuk kelurahannya sendiri.")
		}
	}
	if _, err := s.cfg.Kelurahan.FindKelurahan(ctx, kel); err != nil {
		if hailurah.ErrorCode(err) == hailurah.ENOTFOUND {
			return nil, hailurah.FieldErrorf("kelurahan", "Kelurahan %q tidak ditemukan.", kel)
		}
		return nil, err
	}
	p, err := req.Pilot(kel, s.now(), s.cfg.Zone)
	if err != nil {
		return nil, err
	}
	if err := s.checkScope(ctx, p.Scope); err != nil {
		return nil, err
	}
	owner, err := s.cfg.Users.FindUserByUsername(ctx, p.Owner)
	switch {
	case hailurah.ErrorCode(err) == hailurah.ENOTFOUND || err == nil && owner.Disabled:
		return nil, hailurah.FieldErrorf("owner", "Pengguna %q tidak ditemukan atau tidak aktif.", p.Owner)
	case err != nil:
		return nil, err
	case owner.Role != hailurah.RoleAdmin && owner.Kelurahan != kel:
		return nil, hailurah.FieldErrorf("owner", "Penanggung jawab harus petugas Kelurahan %s atau admin kota.", kel)
	}
	p.CreatedBy = u.Username
	if err := s.cfg.Pilots.Store.CreatePilot(ctx, p); err != nil {
		return nil, err
	}
	if err := s.cfg.Pilots.Runner.StartPilot(ctx, hailurah.PilotInput{Pilot: *p, Policy: s.cfg.Pilots.Policy}); err != nil {
		if cerr := s.cfg.Pilots.Store.CancelPilot(context.WithoutCancel(ctx), p.ID); cerr != nil {
			s.logger.ErrorContext(ctx, "cancel pilot after failed start", "pilot", p.ID, "err", cerr)
		}
		return nil, err
	}
	detail, _ := json.Marshal(map[string]any{"name": p.Name, "component": p.Component, "kelurahan": p.Kelurahan, "start_date": p.StartDate})
	s.Audit(c, "pilot.create", p.ID, string(detail))
	return p, nil
}

// checkScope refuses a scope that names a kelurahan the city does not have.
func (s *Server) checkScope(ctx context.Context, scope []hailurah.PilotArea) error {
	for _, k := range hailurah.ScopeKelurahan(scope) {
		if _, err := s.cfg.Kelurahan.FindKelurahan(ctx, k); err != nil {
			if hailurah.ErrorCode(err) == hailurah.ENOTFOUND {
				return hailurah.FieldErrorf("scope", "Kelurahan %q pada cakupan tidak ditemukan.", k)
			}
			return err
		}
	}
	return nil
}

// decidePilot checks a decision for the user and sends it to the workflow.
func (s *Server) DecidePilot(c *gin.Context, p *hailurah.Pilot, req *hailurah.DecisionRequest) (*hailurah.Pilot, error) {
	ctx := c.Request.Context()
	if p.Status == hailurah.PilotStopped {
		return nil, hailurah.Errorf(hailurah.ECONFLICT, "Pilot %s sudah dihentikan; keputusannya tidak dapat diubah.", p.ID)
	}
	req.Actor = hailurah.ActorOf(UserOf(c))
	if err := req.Validate(p.Kelurahan); err != nil {
		return nil, err
	}
	if err := s.checkScope(ctx, req.Scope); err != nil {
		return nil, err
	}
	key, err := IdempotencyKey(c)
	if err != nil {
		return nil, err
	}
	req.IdempotencyKey = key
	after, err := s.cfg.Pilots.Runner.DecidePilot(ctx, p.ID, *req)
	if err != nil {
		return nil, err
	}
	detail, _ := json.Marshal(map[string]any{"cycle": p.Cycle, "decision": req.Decision, "rationale": req.Rationale})
	s.Audit(c, "pilot.decision", p.ID, string(detail))
	// The workflow projected the decision before answering; the store has
	// the pilot with its history.
	if stored, err := s.cfg.Pilots.Store.FindPilot(ctx, p.ID); err == nil && stored.Version >= after.Version {
		after = stored
	}
	packetForReader(UserOf(c), after)
	return after, nil
}

// apiCreatePilot: POST /api/v1/pilots.
func (s *Server) apiCreatePilot(c *gin.Context) {
	var req hailurah.PilotRequest
	if err := BindJSON(c, &req); err != nil {
		Fail(c, err)
		return
	}
	p, err := s.CreatePilot(c, &req)
	if err != nil {
		Fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/pilots/"+p.ID)
	c.JSON(http.StatusCreated, gin.H{"id": p.ID, "status": p.Status})
}

// apiPilots: GET /api/v1/pilots.
func (s *Server) apiPilots(c *gin.Context) {
	u := UserOf(c)
	kel, err := KelurahanScope(u, c.Query("kelurahan"))
	if err != nil {
		Fail(c, err)
		return
	}
	f := hailurah.PilotFilter{Kelurahan: kel}
	for _, st := range strings.Split(c.Query("status"), ",") {
		if st = strings.TrimSpace(st); st == "" {
			continue
		}
		if !hailurah.PilotStatus(st).Valid() {
			Fail(c, hailurah.FieldErrorf("status", "Status %q tidak dikenal; gunakan running, awaiting_decision atau stopped.", st))
			return
		}
		f.Statuses = append(f.Statuses, hailurah.PilotStatus(st))
	}
	list, err := s.cfg.Pilots.Store.ListPilots(c.Request.Context(), f)
	if err != nil {
		Fail(c, err)
		return
	}
	items := make([]pilotJSON, 0, len(list))
	for _, p := range list {
		items = append(items, toPilotJSON(p, s.now(), s.cfg.Zone))
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

// apiPilot: GET /api/v1/pilots/{id}.
func (s *Server) apiPilot(c *gin.Context) {
	p, err := s.VisiblePilot(c, c.Param("id"))
	if err != nil {
		Fail(c, err)
		return
	}
	j := toPilotJSON(p, s.now(), s.cfg.Zone)
	if j.Timeline, err = s.cfg.Pilots.Store.ListPilotEvents(c.Request.Context(), p.ID); err != nil {
		Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, j)
}

// apiPilotDecision: POST /api/v1/pilots/{id}/decision.
func (s *Server) apiPilotDecision(c *gin.Context) {
	p, err := s.VisiblePilot(c, c.Param("id"))
	if err != nil {
		Fail(c, err)
		return
	}
	var req hailurah.DecisionRequest
	if err := BindJSON(c, &req); err != nil {
		Fail(c, err)
		return
	}
	after, err := s.DecidePilot(c, p, &req)
	if AnswerPending(c, err) {
		return
	}
	if err != nil {
		Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toPilotJSON(after, s.now(), s.cfg.Zone))
}
