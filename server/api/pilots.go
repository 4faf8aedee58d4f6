package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/server/app"
)

// pilotRoutes registers the pilot API, the dashboards' and the public
// open data; package ui registers their pages.
func (s *API) pilotRoutes(api *gin.RouterGroup) {
	staff := app.RequireRole(hailurah.RoleAdmin, hailurah.RoleLurah, hailurah.RoleModerator, hailurah.RoleFasilitator)
	api.POST("/pilots", s.RequireStaff, app.RequireRole(hailurah.RoleAdmin, hailurah.RoleLurah), s.apiCreatePilot)
	api.GET("/pilots", s.RequireStaff, staff, s.apiPilots)
	api.GET("/pilots/:id", s.RequireStaff, staff, s.apiPilot)
	api.POST("/pilots/:id/decision", s.RequireStaff, app.RequireRole(hailurah.RoleLurah), s.apiPilotDecision)
	api.GET("/dashboard/curhat", s.RequireStaff, staff, s.apiCurhatDashboard)
	api.GET("/dashboard/program", s.RequireStaff, staff, s.apiProgrammeDashboard)
	api.GET("/opendata", app.LimitByIP(s.TrackingLimit), s.apiOpenData)
	if s.Pilots.Map != nil {
		api.GET("/dashboard/curhat/map", s.RequireStaff, staff, s.apiCurhatMap)
		api.GET("/opendata/map", app.LimitByIP(s.TrackingLimit), s.apiOpenDataMap)
	}
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

// apiCreatePilot: POST /api/v1/pilots.
func (s *API) apiCreatePilot(c *gin.Context) {
	var req hailurah.PilotRequest
	if err := app.BindJSON(c, &req); err != nil {
		app.Fail(c, err)
		return
	}
	p, err := s.CreatePilot(c, &req)
	if err != nil {
		app.Fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/pilots/"+p.ID)
	c.JSON(http.StatusCreated, gin.H{"id": p.ID, "status": p.Status})
}

// apiPilots: GET /api/v1/pilots.
func (s *API) apiPilots(c *gin.Context) {
	u := app.UserOf(c)
	kel, err := app.KelurahanScope(u, c.Query("kelurahan"))
	if err != nil {
		app.Fail(c, err)
		return
	}
	f := hailurah.PilotFilter{Kelurahan: kel}
	for _, st := range strings.Split(c.Query("status"), ",") {
		if st = strings.TrimSpace(st); st == "" {
			continue
		}
		if !hailurah.PilotStatus(st).Valid() {
			app.Fail(c, hailurah.FieldErrorf("status", "Status %q tidak dikenal; gunakan running, awaiting_decision atau stopped.", st))
			return
		}
		f.Statuses = append(f.Statuses, hailurah.PilotStatus(st))
	}
	list, err := s.Pilots.Store.ListPilots(c.Request.Context(), f)
	if err != nil {
		app.Fail(c, err)
		return
	}
	items := make([]pilotJSON, 0, len(list))
	for _, p := range list {
		items = append(items, toPilotJSON(p, s.Now(), s.Zone))
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

// apiPilot: GET /api/v1/pilots/{id}.
func (s *API) apiPilot(c *gin.Context) {
	p, err := s.VisiblePilot(c, c.Param("id"))
	if err != nil {
		app.Fail(c, err)
		return
	}
	j := toPilotJSON(p, s.Now(), s.Zone)
	if j.Timeline, err = s.Pilots.Store.ListPilotEvents(c.Request.Context(), p.ID); err != nil {
		app.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, j)
}

// apiPilotDecision: POST /api/v1/pilots/{id}/decision.
func (s *API) apiPilotDecision(c *gin.Context) {
	p, err := s.VisiblePilot(c, c.Param("id"))
	if err != nil {
		app.Fail(c, err)
		return
	}
	var req hailurah.DecisionRequest
	if err := app.BindJSON(c, &req); err != nil {
		app.Fail(c, err)
		return
	}
	after, err := s.DecidePilot(c, p, &req)
	if app.AnswerPending(c, err) {
		return
	}
	if err != nil {
		app.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toPilotJSON(after, s.Now(), s.Zone))
}
