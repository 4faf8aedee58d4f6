package api

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/programme"
	"github.com/hailurah/hailurah/server/app"
)

// apiImportHouseholds: POST /api/v1/households/import[?kelurahan=].
func (s *API) apiImportHouseholds(c *gin.Context) {
	kelurahan, err := s.ImportKelurahan(c, c.Query("kelurahan"))
	if err != nil {
		app.Fail(c, err)
		return
	}
	data, err := app.ReadImportFile(c)
	if err != nil {
		app.Fail(c, err)
		return
	}
	rep, ok, err := s.ImportHouseholds(c, kelurahan, data)
	if err != nil {
		app.Fail(c, err)
		return
	}
	if !ok {
		rep.Error = &app.ErrorDetail{Code: hailurah.EINVALID, Message: "File tidak dapat diimpor: " + rep.Errors[0].Reason}
		c.JSON(http.StatusUnprocessableEntity, rep)
		return
	}
	c.JSON(http.StatusOK, rep)
}

// apiHouseholds: GET /api/v1/households — a page of JSON, or with
// format=csv every household under the filters as a Lampiran C file.
func (s *API) apiHouseholds(c *gin.Context) {
	u := app.UserOf(c)
	f, err := app.HouseholdFilterFrom(c, u)
	if err != nil {
		app.Fail(c, err)
		return
	}
	csv := c.Query("format") == "csv"
	if csv {
		f.Limit, f.Offset = -1, 0
	}
	page, err := s.Programme.Households.ListHouseholds(c.Request.Context(), f)
	if err != nil {
		app.Fail(c, err)
		return
	}
	if !csv {
		c.JSON(http.StatusOK, page)
		return
	}
	var buf bytes.Buffer
	if err := programme.WriteHouseholdCSV(&buf, page.Items); err != nil {
		app.Fail(c, err)
		return
	}
	scope := f.Kelurahan
	if scope == "" {
		scope = "kota"
	}
	s.Audit(c, "household.export", scope, app.ProgrammeAudit(map[string]any{"rows": len(page.Items)}))
	name := fmt.Sprintf("rumah-tangga-%s-%s.csv", scope, s.Zone.In(s.Now()).Format("2006-01-02"))
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

// apiHousehold: GET /api/v1/households/{id}.
func (s *API) apiHousehold(c *gin.Context) {
	h, err := s.VisibleHousehold(c, c.Param("id"))
	if err != nil {
		app.Fail(c, err)
		return
	}
	d, err := s.HouseholdDetail(c, h)
	if err != nil {
		app.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

type memberBody struct {
	Name   string `json:"name"`
	Gender string `json:"gender"`
	Age    int    `json:"age"`
}

// apiAddMember: POST /api/v1/households/{id}/members.
func (s *API) apiAddMember(c *gin.Context) {
	h, err := s.VisibleHousehold(c, c.Param("id"))
	if err != nil {
		app.Fail(c, err)
		return
	}
	var body memberBody
	if err := app.BindJSON(c, &body); err != nil {
		app.Fail(c, err)
		return
	}
	m := &hailurah.HouseholdMember{HouseholdID: h.ID, Name: body.Name, Gender: strings.ToUpper(strings.TrimSpace(body.Gender)), Age: body.Age}
	if err := s.Programme.Households.AddMember(c.Request.Context(), m); err != nil {
		app.Fail(c, err)
		return
	}
	s.Audit(c, "household.member", h.ID, app.ProgrammeAudit(map[string]any{"member_id": m.ID}))
	c.JSON(http.StatusCreated, m)
}

// apiAddCheckin: POST /api/v1/households/{id}/checkins — a field visit's
// omzet (and income). A client that retries sends the same key.
func (s *API) apiAddCheckin(c *gin.Context) {
	h, err := s.VisibleHousehold(c, c.Param("id"))
	if err != nil {
		app.Fail(c, err)
		return
	}
	var body app.CheckinBody
	if err := app.BindJSON(c, &body); err != nil {
		app.Fail(c, err)
		return
	}
	ci, err := s.CheckinFrom(h, body)
	if err != nil {
		app.Fail(c, err)
		return
	}
	ci.By = app.UserOf(c).Username
	if err := s.Programme.Households.AddCheckin(c.Request.Context(), ci); err != nil {
		app.Fail(c, err)
		return
	}
	s.Audit(c, "household.checkin", h.ID, app.ProgrammeAudit(map[string]any{"key": ci.Key}))
	c.JSON(http.StatusCreated, ci)
}

// scopeKelurahan is the kelurahan a participation record belongs to: the
// user's own, or the one an admin names.
func (s *API) scopeKelurahan(c *gin.Context, requested string) (string, error) {
	return s.ImportKelurahan(c, requested)
}

type trainingBody struct {
	Kelurahan  string `json:"kelurahan"`
	Title      string `json:"title"`
	Topic      string `json:"topic"`
	Trainer    string `json:"trainer"`
	HeldOn     string `json:"held_on"`
	Certifying bool   `json:"certifying"`
}

// apiCreateTraining: POST /api/v1/trainings.
func (s *API) apiCreateTraining(c *gin.Context) {
	var body trainingBody
	if err := app.BindJSON(c, &body); err != nil {
		app.Fail(c, err)
		return
	}
	k, err := s.scopeKelurahan(c, body.Kelurahan)
	if err != nil {
		app.Fail(c, err)
		return
	}
	held, err := programme.ParseDate(body.HeldOn)
	if err != nil {
		app.Fail(c, hailurah.FieldErrorf("held_on", "Tanggal pelatihan %s.", err))
		return
	}
	t := &hailurah.Training{Kelurahan: k, Title: body.Title, Topic: body.Topic, Trainer: body.Trainer, HeldOn: held, Certifying: body.Certifying,
		CreatedBy: app.UserOf(c).Username}
	if err := s.Programme.Participation.CreateTraining(c.Request.Context(), t); err != nil {
		app.Fail(c, err)
		return
	}
	s.Audit(c, "training.create", strconv.FormatInt(t.ID, 10), "")
	c.JSON(http.StatusCreated, t)
}

// apiTrainings: GET /api/v1/trainings[?kelurahan=].
func (s *API) apiTrainings(c *gin.Context) {
	k, err := app.KelurahanScope(app.UserOf(c), c.Query("kelurahan"))
	if err != nil {
		app.Fail(c, err)
		return
	}
	list, err := s.Programme.Participation.ListTrainings(c.Request.Context(), k)
	if err != nil {
		app.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": list})
}

// pathID reads a numeric path parameter; anything else is not found.
func pathID(c *gin.Context, what string) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		return 0, hailurah.Errorf(hailurah.ENOTFOUND, "%s %q tidak ditemukan.", what, c.Param("id"))
	}
	return id, nil
}

// apiRecordAttendance: POST /api/v1/trainings/{id}/attendance.
func (s *API) apiRecordAttendance(c *gin.Context) {
	id, err := pathID(c, "Pelatihan")
	if err != nil {
		app.Fail(c, err)
		return
	}
	p := s.Programme.Participation
	t, err := p.FindTraining(c.Request.Context(), id)
	if err == nil && !sameKelurahan(app.UserOf(c), t.Kelurahan) {
		err = hailurah.Errorf(hailurah.ENOTFOUND, "Pelatihan %d tidak ditemukan.", id)
	}
	if err != nil {
		app.Fail(c, err)
		return
	}
	var body struct {
		Attendance []hailurah.TrainingAttendance `json:"attendance"`
	}
	if err := app.BindJSON(c, &body); err != nil {
		app.Fail(c, err)
		return
	}
	if err := p.RecordAttendance(c.Request.Context(), id, body.Attendance); err != nil {
		app.Fail(c, err)
		return
	}
	s.Audit(c, "training.attendance", strconv.FormatInt(id, 10), app.ProgrammeAudit(map[string]any{"members": len(body.Attendance)}))
	c.JSON(http.StatusOK, gin.H{"training_id": id, "recorded": len(body.Attendance)})
}

// sameKelurahan reports whether u may work with a record of kelurahan.
func sameKelurahan(u *hailurah.User, kelurahan string) bool {
	return u.Role == hailurah.RoleAdmin || u.Kelurahan == kelurahan
}

type padatKaryaBody struct {
	Kelurahan  string         `json:"kelurahan"`
	Name       string         `json:"name"`
	Location   string         `json:"location"`
	StartDate  string         `json:"start_date"`
	EndDate    string         `json:"end_date"`
	WagePerDay app.RupiahJSON `json:"wage_per_day"`
}

// apiCreatePadatKarya: POST /api/v1/padat-karya.
func (s *API) apiCreatePadatKarya(c *gin.Context) {
	var body padatKaryaBody
	if err := app.BindJSON(c, &body); err != nil {
		app.Fail(c, err)
		return
	}
	k, err := s.scopeKelurahan(c, body.Kelurahan)
	if err != nil {
		app.Fail(c, err)
		return
	}
	p := &hailurah.PadatKaryaProject{Kelurahan: k, Name: body.Name, Location: body.Location, CreatedBy: app.UserOf(c).Username}
	if p.StartDate, err = programme.ParseDate(body.StartDate); err != nil {
		app.Fail(c, hailurah.FieldErrorf("start_date", "Tanggal mulai %s.", err))
		return
	}
	if strings.TrimSpace(body.EndDate) != "" {
		end, err := programme.ParseDate(body.EndDate)
		if err != nil {
			app.Fail(c, hailurah.FieldErrorf("end_date", "Tanggal selesai %s.", err))
			return
		}
		p.EndDate = &end
	}
	wage, err := body.WagePerDay.Amount("wage_per_day")
	if err != nil {
		app.Fail(c, err)
		return
	}
	if wage != nil {
		if *wage == 0 {
			app.Fail(c, hailurah.FieldErrorf("wage_per_day", "Upah harian tidak boleh Rp 0."))
			return
		}
		p.WagePerDay = *wage
	}
	if err := s.Programme.Participation.CreatePadatKarya(c.Request.Context(), p); err != nil {
		app.Fail(c, err)
		return
	}
	s.Audit(c, "padat_karya.create", strconv.FormatInt(p.ID, 10), "")
	c.JSON(http.StatusCreated, p)
}

// apiPadatKarya: GET /api/v1/padat-karya[?kelurahan=].
func (s *API) apiPadatKarya(c *gin.Context) {
	k, err := app.KelurahanScope(app.UserOf(c), c.Query("kelurahan"))
	if err != nil {
		app.Fail(c, err)
		return
	}
	list, err := s.Programme.Participation.ListPadatKarya(c.Request.Context(), k)
	if err != nil {
		app.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": list})
}

type workerBody struct {
	MemberID   int64          `json:"member_id"`
	Days       int            `json:"days"`
	WagePerDay app.RupiahJSON `json:"wage_per_day"`
}

// apiRecordWorkers: POST /api/v1/padat-karya/{id}/workers.
func (s *API) apiRecordWorkers(c *gin.Context) {
	id, err := pathID(c, "Proyek padat karya")
	if err != nil {
		app.Fail(c, err)
		return
	}
	p := s.Programme.Participation
	proj, err := p.FindPadatKarya(c.Request.Context(), id)
	if err == nil && !sameKelurahan(app.UserOf(c), proj.Kelurahan) {
		err = hailurah.Errorf(hailurah.ENOTFOUND, "Proyek padat karya %d tidak ditemukan.", id)
	}
	if err != nil {
		app.Fail(c, err)
		return
	}
	var body struct {
		Workers []workerBody `json:"workers"`
	}
	if err := app.BindJSON(c, &body); err != nil {
		app.Fail(c, err)
		return
	}
	workers := make([]hailurah.PadatKaryaWorker, len(body.Workers))
	for i, w := range body.Workers {
		wage, err := w.WagePerDay.Amount("wage_per_day")
		if err != nil {
			app.Fail(c, err)
			return
		}
		workers[i] = hailurah.PadatKaryaWorker{MemberID: w.MemberID, Days: w.Days}
		if wage != nil {
			workers[i].WagePerDay = *wage
		}
	}
	if err := p.RecordWorkers(c.Request.Context(), id, workers); err != nil {
		app.Fail(c, err)
		return
	}
	s.Audit(c, "padat_karya.workers", strconv.FormatInt(id, 10), app.ProgrammeAudit(map[string]any{"workers": len(workers)}))
	c.JSON(http.StatusOK, gin.H{"project_id": id, "recorded": len(workers)})
}

type onboardingBody struct {
	HouseholdID string `json:"household_id"`
	Platform    string `json:"platform"`
	ShopURL     string `json:"shop_url"`
	OnboardedOn string `json:"onboarded_on"`
}

// apiAddOnboarding: POST /api/v1/marketplace-onboardings.
func (s *API) apiAddOnboarding(c *gin.Context) {
	var body onboardingBody
	if err := app.BindJSON(c, &body); err != nil {
		app.Fail(c, err)
		return
	}
	h, err := s.VisibleHousehold(c, strings.TrimSpace(body.HouseholdID))
	if err != nil {
		if hailurah.ErrorCode(err) == hailurah.ENOTFOUND {
			err = hailurah.FieldErrorf("household_id", "Rumah tangga %q tidak terdaftar di kelurahan Anda.", body.HouseholdID)
		}
		app.Fail(c, err)
		return
	}
	on := s.Now()
	if strings.TrimSpace(body.OnboardedOn) != "" {
		if on, err = programme.ParseDate(body.OnboardedOn); err != nil {
			app.Fail(c, hailurah.FieldErrorf("onboarded_on", "Tanggal onboarding %s.", err))
			return
		}
	}
	if u := strings.TrimSpace(body.ShopURL); u != "" && !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
		app.Fail(c, hailurah.FieldErrorf("shop_url", "Alamat toko harus diawali https://."))
		return
	}
	o := &hailurah.MarketplaceOnboarding{HouseholdID: h.ID, Platform: body.Platform, ShopURL: strings.TrimSpace(body.ShopURL),
		OnboardedOn: on, CreatedBy: app.UserOf(c).Username}
	if err := s.Programme.Participation.AddMarketplaceOnboarding(c.Request.Context(), o); err != nil {
		app.Fail(c, err)
		return
	}
	s.Audit(c, "marketplace.onboard", h.ID, app.ProgrammeAudit(map[string]any{"platform": o.Platform}))
	c.JSON(http.StatusCreated, o)
}
