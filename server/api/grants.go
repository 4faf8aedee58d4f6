package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/server/app"
)

// programmeRoutes registers the JSON API of the programme; package ui
// registers its pages.
func (s *API) programmeRoutes(api *gin.RouterGroup) {
	registry := app.RequireRole(hailurah.RoleFasilitator, hailurah.RoleAdmin)
	readers := app.RequireRole(hailurah.RoleFasilitator, hailurah.RoleLurah, hailurah.RoleAdmin)

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

	api.POST("/grants", s.RequireStaff, app.RequireRole(hailurah.RoleFasilitator), s.apiApplyGrant)
	api.GET("/grants", s.RequireStaff, readers, s.apiGrants)
	api.GET("/grants/budget", s.RequireStaff, readers, s.apiGrantBudget)
	api.GET("/grants/:id", s.RequireStaff, readers, s.apiGrant)
	api.POST("/grants/:id/actions", s.RequireStaff, readers, s.apiGrantAction)
}

type applyGrantBody struct {
	HouseholdID string         `json:"household_id"`
	Amount      app.RupiahJSON `json:"amount"`
	Purpose     string         `json:"purpose"`
	Plan        string         `json:"plan"`
}

// apiApplyGrant: POST /api/v1/grants. The application is stored with its
// budget reservation first, then its workflow starts; when the start
// fails, the application is undone, so nothing is left half-done.
func (s *API) apiApplyGrant(c *gin.Context) {
	var body applyGrantBody
	if err := app.BindJSON(c, &body); err != nil {
		app.Fail(c, err)
		return
	}
	amount, err := body.Amount.Amount("amount")
	if err != nil {
		app.Fail(c, err)
		return
	}
	if amount == nil {
		amount = new(int64)
	}
	g, err := s.ApplyGrant(c, hailurah.GrantApplication{HouseholdID: strings.TrimSpace(body.HouseholdID),
		Amount: *amount, Purpose: strings.TrimSpace(body.Purpose), Plan: body.Plan})
	if err != nil {
		app.Fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"id": g.ID, "status": g.Status})
}

// grantFilterFrom reads GET /api/v1/grants's filters within the user's
// kelurahan.
func grantFilterFrom(c *gin.Context, u *hailurah.User) (hailurah.GrantFilter, error) {
	q := c.Request.URL.Query()
	f := hailurah.GrantFilter{HouseholdID: strings.TrimSpace(q.Get("household_id"))}
	k, err := app.KelurahanScope(u, q.Get("kelurahan"))
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
func (s *API) apiGrants(c *gin.Context) {
	f, err := grantFilterFrom(c, app.UserOf(c))
	if err != nil {
		app.Fail(c, err)
		return
	}
	list, err := s.Programme.Grants.ListGrants(c.Request.Context(), f)
	if err != nil {
		app.Fail(c, err)
		return
	}
	items := make([]app.GrantJSON, len(list))
	for i, g := range list {
		items[i] = app.ToGrantJSON(g)
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

// apiGrantBudget: GET /api/v1/grants/budget[?kelurahan=] — admin names the
// kelurahan; staff see their own.
func (s *API) apiGrantBudget(c *gin.Context) {
	u := app.UserOf(c)
	k, err := app.KelurahanScope(u, c.Query("kelurahan"))
	if err != nil {
		app.Fail(c, err)
		return
	}
	if k == "" {
		app.Fail(c, hailurah.FieldErrorf("kelurahan", "Parameter kelurahan wajib diisi."))
		return
	}
	b, err := s.Programme.Grants.FindGrantBudget(c.Request.Context(), k)
	if err != nil {
		app.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, b)
}

// apiGrant: GET /api/v1/grants/{id} — state, deadlines and timeline.
func (s *API) apiGrant(c *gin.Context) {
	g, err := s.VisibleGrant(c, c.Param("id"))
	if err != nil {
		app.Fail(c, err)
		return
	}
	events, err := s.Programme.Grants.ListGrantEvents(c.Request.Context(), g.ID)
	if err != nil {
		app.Fail(c, err)
		return
	}
	out := app.ToGrantJSON(g)
	out.Timeline = make([]*app.GrantEventJSON, len(events))
	for i, e := range events {
		out.Timeline[i] = &app.GrantEventJSON{GrantEvent: e, Label: app.GrantEventLabel(e.Type)}
	}
	c.JSON(http.StatusOK, out)
}

// grantActionBody is the JSON of POST /api/v1/grants/{id}/actions. The
// actor comes from the session, never from the body.
type grantActionBody struct {
	Action    string         `json:"action"`
	Notes     string         `json:"notes"`
	Reason    string         `json:"reason"`
	Photos    []string       `json:"photos"`
	Reference string         `json:"reference"`
	Omzet     app.RupiahJSON `json:"omzet"`
	Income    app.RupiahJSON `json:"income"`
}

// apiGrantAction: POST /api/v1/grants/{id}/actions.
func (s *API) apiGrantAction(c *gin.Context) {
	g, err := s.VisibleGrant(c, c.Param("id"))
	if err != nil {
		app.Fail(c, err)
		return
	}
	var body grantActionBody
	if err := app.BindJSON(c, &body); err != nil {
		app.Fail(c, err)
		return
	}
	omzet, err := body.Omzet.Amount("omzet")
	if err != nil {
		app.Fail(c, err)
		return
	}
	income, err := body.Income.Amount("income")
	if err != nil {
		app.Fail(c, err)
		return
	}
	req := hailurah.GrantActionRequest{Action: body.Action, Actor: hailurah.ActorOf(app.UserOf(c)), Notes: body.Notes,
		Reason: body.Reason, Photos: body.Photos, Reference: strings.TrimSpace(body.Reference), Omzet: omzet, Income: income}
	out, err := s.ActGrant(c, g, req)
	if app.AnswerPending(c, err) {
		return
	}
	if err != nil {
		app.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, app.ToGrantJSON(out))
}
