package ui

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/programme"
	"github.com/hailurah/hailurah/server/app"
)

// programmePages registers the staff pages of the programme beside the
// landing pages roleHomes gives /rumah-tangga and /hibah.
func (s *UI) programmePages(r *gin.Engine) {
	staff := r.Group("", s.requireStaffPage)
	registry := s.requireRolePage(hailurah.RoleFasilitator, hailurah.RoleAdmin)
	readers := s.requireRolePage(hailurah.RoleFasilitator, hailurah.RoleLurah, hailurah.RoleAdmin)
	staff.GET("/rumah-tangga/impor", registry, s.householdImportPage)
	staff.POST("/rumah-tangga/impor", registry, s.householdImportForm)
	staff.GET("/rumah-tangga/:id", readers, s.householdPage)
	staff.POST("/rumah-tangga/:id/anggota", registry, s.householdMemberForm)
	staff.POST("/rumah-tangga/:id/checkin", s.requireRolePage(hailurah.RoleFasilitator), s.householdCheckinForm)
	staff.POST("/rumah-tangga/:id/marketplace", s.requireRolePage(hailurah.RoleFasilitator), s.householdMarketplaceForm)
	staff.POST("/rumah-tangga/:id/hibah", s.requireRolePage(hailurah.RoleFasilitator), s.grantApplyForm)
	staff.GET("/hibah/:id", readers, s.grantPage)
	staff.POST("/hibah/:id/aksi", readers, s.grantActionForm)
	staff.GET("/hibah/:id/foto/:file", readers, s.grantPhoto)
}

// programmeFlash confirms what the previous form did; the "ok" parameter
// selects one of these fixed texts and is never echoed.
var programmeFlash = map[string]string{
	okPending:                    pendingFlash,
	"anggota":                    "Anggota rumah tangga disimpan.",
	"marketplace":                "Toko di marketplace dicatat.",
	"hibah":                      "Pengajuan hibah dikirim; fasilitator memverifikasi di lapangan.",
	hailurah.GrantActionVerify:   "Verifikasi lapangan dicatat; hibah menunggu persetujuan Lurah.",
	hailurah.GrantActionApprove:  "Hibah disetujui; menunggu pencairan.",
	hailurah.GrantActionReject:   "Hibah ditolak; anggaran yang dicadangkan dikembalikan.",
	hailurah.GrantActionDisburse: "Pencairan dicatat.",
	hailurah.GrantActionProof:    "Bukti penggunaan dicatat.",
	hailurah.GrantActionCheckin:  "Check-in omzet dicatat.",
}

// --- household list ---

type householdRowView struct {
	ID, Name, Kelurahan, RTRW, Potensi, Omzet, Updated string
	DTKS, UMKM                                         bool
}

type householdsData struct {
	Form                        map[string]string
	Rows                        []householdRowView
	Total                       int
	From, To                    int
	PrevURL, NextURL, ExportURL string
	IsAdmin, CanImport          bool
	Kelurahan                   []option
}

const householdsPageSize = 50

// householdsPage: GET /rumah-tangga — the registry of the user's
// kelurahan (admin: the city, or one kelurahan), with filters and export.
func (s *UI) householdsPage(c *gin.Context) {
	u := app.UserOf(c)
	q := c.Request.URL.Query()
	d := &householdsData{Form: map[string]string{}, IsAdmin: u.Role == hailurah.RoleAdmin,
		CanImport: u.Role == hailurah.RoleAdmin || u.Role == hailurah.RoleFasilitator}
	for _, k := range []string{"q", "rt", "rw", "dtks", "umkm", "kelurahan", "offset"} {
		d.Form[k] = q.Get(k)
	}
	data := pageData{Title: "Rumah tangga sasaran", Flash: programmeFlash[c.Query("ok")], Data: d, Wide: true, FieldErrors: map[string]string{}}
	n := s.LoadNames(c.Request.Context())
	d.Kelurahan = kelurahanOptions(n)
	f, err := app.HouseholdFilterFrom(c, u)
	if err == nil {
		f.Limit = householdsPageSize
		var page *hailurah.HouseholdPage
		page, err = s.Programme.Households.ListHouseholds(c.Request.Context(), f)
		if err == nil {
			d.Total = page.Total
			for _, h := range page.Items {
				d.Rows = append(d.Rows, householdRowView{ID: h.ID, Name: h.NamaKepalaKeluarga, Kelurahan: n.KelurahanName(h.Kelurahan),
					RTRW: rtrw(h.RT, h.RW), Potensi: dash(h.PotensiUsaha), Omzet: hailurah.FormatRupiah(h.OmzetMonthly),
					Updated: dateLabel(h.DateUpdated), DTKS: h.DTKS, UMKM: h.UMKMOnboarded})
			}
			d.From, d.To = f.Offset+1, f.Offset+len(page.Items)
			d.PrevURL, d.NextURL = pageURLs("/rumah-tangga", q, f.Offset, len(page.Items), page.Total, householdsPageSize)
		}
	}
	if err != nil {
		if hailurah.ErrorCode(err) != hailurah.EINVALID && hailurah.ErrorCode(err) != hailurah.EFORBIDDEN {
			s.renderError(c, err)
			return
		}
		data.Error = hailurah.ErrorMessage(err)
		if field := hailurah.ErrorField(err); field != "" {
			data.FieldErrors[field] = data.Error
		}
	}
	export := url.Values{"format": {"csv"}}
	for _, k := range []string{"q", "rt", "rw", "dtks", "umkm", "kelurahan"} {
		if v := q.Get(k); v != "" {
			export.Set(k, v)
		}
	}
	d.ExportURL = "/api/v1/households?" + export.Encode()
	status := http.StatusOK
	if data.Error != "" {
		status = http.StatusUnprocessableEntity
	}
	s.renderPage(c, status, "programme_households", data)
}

// pageURLs are the links to the previous and next page of a list.
func pageURLs(path string, q url.Values, offset, shown, total, size int) (prev, next string) {
	link := func(off int) string {
		v := url.Values{}
		for k, vals := range q {
			if k != "offset" && k != "ok" {
				v[k] = vals
			}
		}
		if off > 0 {
			v.Set("offset", strconv.Itoa(off))
		}
		if len(v) == 0 {
			return path
		}
		return path + "?" + v.Encode()
	}
	if offset > 0 {
		prev = link(max(0, offset-size))
	}
	if offset+shown < total {
		next = link(offset + shown)
	}
	return prev, next
}

func dateLabel(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return formatTanggal(*t)
}

// --- import ---

type importData struct {
	IsAdmin   bool
	Kelurahan []option
	Chosen    string
	Report    *app.ImportReport
	Refused   bool
	Columns   []string
	Optional  []string
	MaxMB     int
	MaxRows   int
}

func (s *UI) importData(c *gin.Context) *importData {
	u := app.UserOf(c)
	return &importData{IsAdmin: u.Role == hailurah.RoleAdmin, Kelurahan: kelurahanOptions(s.LoadNames(c.Request.Context())),
		Columns: programme.Columns, Optional: []string{programme.ColBaselineIncome, programme.ColKelompokRentan},
		MaxMB: programme.MaxImportBytes >> 20, MaxRows: programme.MaxImportRows}
}

// householdImportPage: GET /rumah-tangga/impor.
func (s *UI) householdImportPage(c *gin.Context) {
	s.renderPage(c, http.StatusOK, "programme_import", pageData{Title: "Impor rumah tangga", Data: s.importData(c)})
}

// householdImportForm: POST /rumah-tangga/impor — the report shows on the
// same page: counts, then every error by line and column.
func (s *UI) householdImportForm(c *gin.Context) {
	d := s.importData(c)
	d.Chosen = c.PostForm("kelurahan")
	data := pageData{Title: "Impor rumah tangga", Data: d, FieldErrors: map[string]string{}}
	render := func(status int, err error) {
		if err != nil {
			data.Error = hailurah.ErrorMessage(err)
			if f := hailurah.ErrorField(err); f != "" {
				data.FieldErrors[f] = data.Error
			}
		}
		s.renderPage(c, status, "programme_import", data)
	}
	kelurahan, err := s.ImportKelurahan(c, d.Chosen)
	if err != nil {
		render(app.ErrorStatus(err), err)
		return
	}
	content, err := app.ReadImportFile(c)
	if err != nil {
		render(app.ErrorStatus(err), err)
		return
	}
	rep, ok, err := s.ImportHouseholds(c, kelurahan, content)
	if err != nil {
		if hailurah.ErrorCode(err) == hailurah.EINTERNAL {
			s.renderError(c, err)
			return
		}
		render(app.ErrorStatus(err), err)
		return
	}
	d.Report, d.Refused = rep, !ok
	if !ok {
		render(http.StatusUnprocessableEntity, nil)
		return
	}
	render(http.StatusOK, nil)
}

// --- household detail ---

type memberView struct {
	Name, Gender string
	Age          int
	Youth        bool
}

type checkinView struct {
	Date, Omzet, Income, Source, Note, By string
	Meter                                 int64
}

type participationView struct {
	What, Who, Detail string
}

type grantRowView struct {
	ID, Status, StatusLabel, StatusClass, Amount, Purpose, Household, Applied, Step, Due string
	DTKS, Audit, Over                                                                    bool
}

type householdData struct {
	H             *hailurah.Household
	Kelurahan     string
	RTRW          string
	Omzet         string
	Modal         string
	Baseline      string
	Vulnerability string
	Pelatihan     string
	Updated       string
	Members       []memberView
	Checkins      []checkinView
	MeterMax      int64
	Participation []participationView
	Grants        []grantRowView
	CanRegister   bool
	CanFieldwork  bool
	CanApply      bool
	Today         string
	Form          map[string]string
	FormOf        string
	Purposes      []option
	Platforms     []string
}

// householdPage: GET /rumah-tangga/{id}.
func (s *UI) householdPage(c *gin.Context) {
	s.renderHousehold(c, http.StatusOK, "", nil, nil)
}

func (s *UI) renderHousehold(c *gin.Context, status int, formOf string, form map[string]string, formErr error) {
	s.renderHouseholdWith(c, status, formOf, form, formErr, nil)
}

// renderHouseholdErrs shows the page again with a form's every bad field.
func (s *UI) renderHouseholdErrs(c *gin.Context, formOf string, form map[string]string, formErr error, errs map[string]string) {
	s.renderHouseholdWith(c, app.ErrorStatus(formErr), formOf, form, formErr, errs)
}

func (s *UI) renderHouseholdWith(c *gin.Context, status int, formOf string, form map[string]string, formErr error, errs map[string]string) {
	h, err := s.VisibleHousehold(c, c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	det, err := s.HouseholdDetail(c, h)
	if err != nil {
		s.renderError(c, err)
		return
	}
	u := app.UserOf(c)
	n := s.LoadNames(c.Request.Context())
	d := &householdData{H: h, Kelurahan: n.KelurahanName(h.Kelurahan), RTRW: rtrw(h.RT, h.RW),
		Omzet: hailurah.FormatRupiah(h.OmzetMonthly), Modal: hailurah.FormatRupiah(h.ModalReceived),
		Baseline: hailurah.FormatRupiah(h.BaselineIncome), Pelatihan: dash(strings.Join(h.Pelatihan, "; ")),
		Vulnerability: dash(strings.ReplaceAll(strings.Join(h.Vulnerability, ", "), "_", " ")), Updated: dateLabel(h.DateUpdated),
		CanRegister:  u.Role == hailurah.RoleAdmin || u.Role == hailurah.RoleFasilitator,
		CanFieldwork: u.Role == hailurah.RoleFasilitator, Today: app.DateOrToday(s.Zone, s.Now()), Form: form, FormOf: formOf,
		Purposes:  []option{{hailurah.PurposeAlat, "Alat produksi"}, {hailurah.PurposeModal, "Modal usaha"}},
		Platforms: []string{"Toko Warga Taman", "Tokopedia", "Shopee", "TikTok Shop", "Lazada", "Facebook Marketplace", "Lainnya"}}
	if d.Form == nil {
		d.Form = map[string]string{}
	}
	for _, m := range det.Members {
		gender := "Perempuan"
		if m.Gender == hailurah.GenderLakiLaki {
			gender = "Laki-laki"
		}
		d.Members = append(d.Members, memberView{Name: m.Name, Gender: gender, Age: m.Age, Youth: m.Youth()})
	}
	for _, ci := range det.Checkins {
		d.MeterMax = max(d.MeterMax, ci.Omzet)
	}
	for _, ci := range det.Checkins {
		income := "-"
		if ci.Income != nil {
			income = hailurah.FormatRupiah(*ci.Income)
		}
		source := "Kunjungan"
		if ci.Source == hailurah.CheckinGrant {
			source = "Hibah " + ci.GrantID
		}
		d.Checkins = append(d.Checkins, checkinView{Date: formatTanggal(s.Zone.In(ci.At)), Omzet: hailurah.FormatRupiah(ci.Omzet),
			Income: income, Source: source, Note: ci.Note, By: n.PersonName(ci.By), Meter: ci.Omzet})
	}
	for _, t := range det.Participation.Trainings {
		detail := "hadir"
		if !t.Attendance.Attended {
			detail = "tidak hadir"
		}
		if t.Attendance.Certified {
			detail += ", bersertifikat"
		}
		d.Participation = append(d.Participation, participationView{What: "Pelatihan " + t.Training.Title + " (" + formatTanggal(t.Training.HeldOn) + ")",
			Who: t.MemberName, Detail: detail})
	}
	for _, w := range det.Participation.PadatKarya {
		d.Participation = append(d.Participation, participationView{What: "Padat karya " + w.Project.Name, Who: w.MemberName,
			Detail: strconv.Itoa(w.Worker.Days) + " hari × " + hailurah.FormatRupiah(w.Worker.WagePerDay) + " = " + hailurah.FormatRupiah(w.Worker.Wages())})
	}
	for _, o := range det.Participation.Marketplace {
		d.Participation = append(d.Participation, participationView{What: "Marketplace " + o.Platform, Who: "Rumah tangga",
			Detail: "sejak " + formatTanggal(o.OnboardedOn) + " " + o.ShopURL})
	}
	active := false
	for _, g := range det.Grants {
		d.Grants = append(d.Grants, s.grantRow(g.Grant, n))
		active = active || !g.Status.Final()
	}
	d.CanApply = d.CanFieldwork && !active
	data := pageData{Title: "Rumah tangga " + h.ID, Flash: programmeFlash[c.Query("ok")], Data: d, FieldErrors: map[string]string{}}
	for k, v := range errs {
		data.FieldErrors[k] = v
	}
	if formErr != nil {
		data.Error = hailurah.ErrorMessage(formErr)
		if f := hailurah.ErrorField(formErr); f != "" {
			data.FieldErrors[f] = data.Error
		}
	}
	s.renderPage(c, status, "programme_household", data)
}

// householdMemberForm: POST /rumah-tangga/{id}/anggota.
func (s *UI) householdMemberForm(c *gin.Context) {
	h, err := s.VisibleHousehold(c, c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	form := map[string]string{"name": c.PostForm("name"), "gender": c.PostForm("gender"), "age": c.PostForm("age")}
	age, convErr := strconv.Atoi(strings.TrimSpace(form["age"]))
	if convErr != nil {
		err = hailurah.FieldErrorf("age", "Umur harus angka tahun.")
	} else {
		err = s.Programme.Households.AddMember(c.Request.Context(),
			&hailurah.HouseholdMember{HouseholdID: h.ID, Name: form["name"], Gender: form["gender"], Age: age})
	}
	if err != nil {
		s.formRefused(c, "anggota", form, err)
		return
	}
	s.Audit(c, "household.member", h.ID, "")
	c.Redirect(http.StatusSeeOther, "/rumah-tangga/"+url.PathEscape(h.ID)+"?ok=anggota#anggota")
}

// formRefused shows the household page again with the form's values and
// its error; an internal error is the error page.
func (s *UI) formRefused(c *gin.Context, formOf string, form map[string]string, err error) {
	if hailurah.ErrorCode(err) == hailurah.EINTERNAL {
		s.renderError(c, err)
		return
	}
	s.renderHousehold(c, app.ErrorStatus(err), formOf, form, err)
}

// householdCheckinForm: POST /rumah-tangga/{id}/checkin — the month's
// omzet, whether the business is active, bansos and new jobs; every bad
// field is named at once.
func (s *UI) householdCheckinForm(c *gin.Context) {
	h, err := s.VisibleHousehold(c, c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	form := map[string]string{}
	for _, k := range []string{"date", "omzet", "income", "note", "active", "bansos", "new_jobs"} {
		form[k] = c.PostForm(k)
	}
	body := app.CheckinBody{Date: form["date"], Note: form["note"], Omzet: app.TextRupiah(form["omzet"]), Income: app.TextRupiah(form["income"]),
		Active: yesNo(form["active"]), Bansos: yesNo(form["bansos"])}
	errs := map[string]string{}
	if form["active"] == "" {
		errs["active"] = "Pilih apakah usahanya masih aktif."
	}
	if n, convErr := strconv.Atoi(strings.TrimSpace(form["new_jobs"])); strings.TrimSpace(form["new_jobs"]) != "" && (convErr != nil || n < 0 || n > hailurah.MaxNewJobs) {
		errs["new_jobs"] = "Pekerjaan baru harus angka 0 atau lebih (orang)."
	} else {
		body.NewJobs = n
	}
	for _, f := range []string{"omzet", "income"} {
		if _, err := app.TextRupiah(form[f]).Amount(f); err != nil {
			errs[f] = hailurah.ErrorMessage(err)
		}
	}
	ci, err := s.CheckinFrom(h, body)
	if err == nil && len(errs) == 0 {
		ci.By = app.UserOf(c).Username
		err = s.Programme.Households.AddCheckin(c.Request.Context(), ci)
	}
	if err != nil && hailurah.ErrorCode(err) == hailurah.EINVALID {
		if _, seen := errs[hailurah.ErrorField(err)]; !seen {
			errs[hailurah.ErrorField(err)] = hailurah.ErrorMessage(err)
		}
		err = nil
	}
	if err == nil && len(errs) > 0 {
		err = hailurah.Errorf(hailurah.EINVALID, "Periksa isian check-in yang ditandai.")
	}
	if err != nil {
		s.renderHouseholdErrs(c, "checkin", form, err, errs)
		return
	}
	s.Audit(c, "household.checkin", h.ID, "")
	c.Redirect(http.StatusSeeOther, "/rumah-tangga/"+url.PathEscape(h.ID)+"?ok=checkin#omzet")
}

// yesNo reads a "ya"/"tidak" choice; anything else is not asked.
func yesNo(v string) *bool {
	switch v {
	case "ya":
		t := true
		return &t
	case "tidak":
		f := false
		return &f
	}
	return nil
}

// householdMarketplaceForm: POST /rumah-tangga/{id}/marketplace — the
// household's shop on a marketplace: platform, link, date.
func (s *UI) householdMarketplaceForm(c *gin.Context) {
	h, err := s.VisibleHousehold(c, c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	form := map[string]string{"platform": c.PostForm("platform"), "shop_url": c.PostForm("shop_url"), "onboarded_on": c.PostForm("onboarded_on")}
	o, errs := app.OnboardingFrom(h, form["platform"], form["shop_url"], form["onboarded_on"], s.Zone, s.Now())
	if len(errs) == 0 {
		o.CreatedBy = app.UserOf(c).Username
		if err := s.Programme.Participation.AddMarketplaceOnboarding(c.Request.Context(), o); err != nil {
			if hailurah.ErrorCode(err) != hailurah.EINVALID {
				s.renderError(c, err)
				return
			}
			errs[hailurah.ErrorField(err)] = hailurah.ErrorMessage(err)
		}
	}
	if len(errs) > 0 {
		s.renderHouseholdErrs(c, "marketplace", form, hailurah.Errorf(hailurah.EINVALID, "Periksa isian marketplace yang ditandai."), errs)
		return
	}
	s.Audit(c, "household.marketplace", h.ID, o.Platform)
	c.Redirect(http.StatusSeeOther, "/rumah-tangga/"+url.PathEscape(h.ID)+"?ok=marketplace#partisipasi")
}

// grantApplyForm: POST /rumah-tangga/{id}/hibah.
func (s *UI) grantApplyForm(c *gin.Context) {
	h, err := s.VisibleHousehold(c, c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	form := map[string]string{"amount": c.PostForm("amount"), "purpose": c.PostForm("purpose"), "plan": c.PostForm("plan")}
	amount, err := app.TextRupiah(form["amount"]).Amount("amount")
	if err == nil && amount == nil {
		err = hailurah.FieldErrorf("amount", "Nilai hibah wajib diisi (Rp 1.000.000–3.000.000).")
	}
	var g *hailurah.Grant
	if err == nil {
		g, err = s.ApplyGrant(c, hailurah.GrantApplication{HouseholdID: h.ID, Amount: *amount, Purpose: form["purpose"], Plan: form["plan"]})
	}
	if err != nil {
		s.formRefused(c, "hibah", form, err)
		return
	}
	s.awaitGrantHistory(c.Request.Context(), g.ID)
	c.Redirect(http.StatusSeeOther, "/hibah/"+url.PathEscape(g.ID)+"?ok=hibah")
}

// awaitGrantHistory waits briefly until the new grant's workflow has
// written its first event, so the page the fasilitator lands on shows the
// application in its history; after the wait the page shows what there is.
func (s *UI) awaitGrantHistory(ctx context.Context, id string) {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		if events, err := s.Programme.Grants.ListGrantEvents(ctx, id); err == nil && len(events) > 0 {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
