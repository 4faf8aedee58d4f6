package server

import (
	"encoding/json"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/programme"
)

// programmePages registers the staff pages of the programme beside the
// landing pages roleHomes gives /rumah-tangga and /hibah.
func (s *Server) programmePages(r *gin.Engine) {
	staff := r.Group("", s.requireStaffPage)
	registry := s.requireRolePage(hailurah.RoleFasilitator, hailurah.RoleAdmin)
	readers := s.requireRolePage(hailurah.RoleFasilitator, hailurah.RoleLurah, hailurah.RoleAdmin)
	staff.GET("/rumah-tangga/impor", registry, s.householdImportPage)
	staff.POST("/rumah-tangga/impor", registry, s.householdImportForm)
	staff.GET("/rumah-tangga/:id", readers, s.householdPage)
	staff.POST("/rumah-tangga/:id/anggota", registry, s.householdMemberForm)
	staff.POST("/rumah-tangga/:id/checkin", s.requireRolePage(hailurah.RoleFasilitator), s.householdCheckinForm)
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
func (s *Server) householdsPage(c *gin.Context) {
	u := userOf(c)
	q := c.Request.URL.Query()
	d := &householdsData{Form: map[string]string{}, IsAdmin: u.Role == hailurah.RoleAdmin,
		CanImport: u.Role == hailurah.RoleAdmin || u.Role == hailurah.RoleFasilitator}
	for _, k := range []string{"q", "rt", "rw", "dtks", "umkm", "kelurahan", "offset"} {
		d.Form[k] = q.Get(k)
	}
	data := pageData{Title: "Rumah tangga sasaran", Flash: programmeFlash[c.Query("ok")], Data: d, Wide: true, FieldErrors: map[string]string{}}
	n := s.loadNames(c.Request.Context())
	d.Kelurahan = kelurahanOptions(n)
	f, err := householdFilterFrom(c, u)
	if err == nil {
		f.Limit = householdsPageSize
		var page *hailurah.HouseholdPage
		page, err = s.cfg.Programme.Households.ListHouseholds(c.Request.Context(), f)
		if err == nil {
			d.Total = page.Total
			for _, h := range page.Items {
				d.Rows = append(d.Rows, householdRowView{ID: h.ID, Name: h.NamaKepalaKeluarga, Kelurahan: n.kelurahanName(h.Kelurahan),
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
	return t.Format("02-01-2006")
}

// --- import ---

type importData struct {
	IsAdmin   bool
	Kelurahan []option
	Chosen    string
	Report    *importReport
	Refused   bool
	Columns   []string
	Optional  []string
	MaxMB     int
	MaxRows   int
}

func (s *Server) importData(c *gin.Context) *importData {
	u := userOf(c)
	return &importData{IsAdmin: u.Role == hailurah.RoleAdmin, Kelurahan: kelurahanOptions(s.loadNames(c.Request.Context())),
		Columns: programme.Columns, Optional: []string{programme.ColBaselineIncome, programme.ColKelompokRentan},
		MaxMB: programme.MaxImportBytes >> 20, MaxRows: programme.MaxImportRows}
}

// householdImportPage: GET /rumah-tangga/impor.
func (s *Server) householdImportPage(c *gin.Context) {
	s.renderPage(c, http.StatusOK, "programme_import", pageData{Title: "Impor rumah tangga", Data: s.importData(c)})
}

// householdImportForm: POST /rumah-tangga/impor — the report shows on the
// same page: counts, then every error by line and column.
func (s *Server) householdImportForm(c *gin.Context) {
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
	kelurahan, err := s.importKelurahan(c, d.Chosen)
	if err != nil {
		render(ErrorStatus(err), err)
		return
	}
	content, err := readImportFile(c)
	if err != nil {
		render(ErrorStatus(err), err)
		return
	}
	rep, ok, err := s.importHouseholds(c, kelurahan, content)
	if err != nil {
		if hailurah.ErrorCode(err) == hailurah.EINTERNAL {
			s.renderError(c, err)
			return
		}
		render(ErrorStatus(err), err)
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
}

// householdPage: GET /rumah-tangga/{id}.
func (s *Server) householdPage(c *gin.Context) {
	s.renderHousehold(c, http.StatusOK, "", nil, nil)
}

func (s *Server) renderHousehold(c *gin.Context, status int, formOf string, form map[string]string, formErr error) {
	h, err := s.visibleHousehold(c, c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	det, err := s.householdDetail(c, h)
	if err != nil {
		s.renderError(c, err)
		return
	}
	u := userOf(c)
	n := s.loadNames(c.Request.Context())
	d := &householdData{H: h, Kelurahan: n.kelurahanName(h.Kelurahan), RTRW: rtrw(h.RT, h.RW),
		Omzet: hailurah.FormatRupiah(h.OmzetMonthly), Modal: hailurah.FormatRupiah(h.ModalReceived),
		Baseline: hailurah.FormatRupiah(h.BaselineIncome), Pelatihan: dash(strings.Join(h.Pelatihan, "; ")),
		Vulnerability: dash(strings.ReplaceAll(strings.Join(h.Vulnerability, ", "), "_", " ")), Updated: dateLabel(h.DateUpdated),
		CanRegister:  u.Role == hailurah.RoleAdmin || u.Role == hailurah.RoleFasilitator,
		CanFieldwork: u.Role == hailurah.RoleFasilitator, Today: dateOrToday(s.cfg.Zone, s.now()), Form: form, FormOf: formOf,
		Purposes: []option{{hailurah.PurposeAlat, "Alat produksi"}, {hailurah.PurposeModal, "Modal usaha"}}}
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
		d.Checkins = append(d.Checkins, checkinView{Date: s.cfg.Zone.In(ci.At).Format("02-01-2006"), Omzet: hailurah.FormatRupiah(ci.Omzet),
			Income: income, Source: source, Note: ci.Note, By: ci.By, Meter: ci.Omzet})
	}
	for _, t := range det.Participation.Trainings {
		detail := "hadir"
		if !t.Attendance.Attended {
			detail = "tidak hadir"
		}
		if t.Attendance.Certified {
			detail += ", bersertifikat"
		}
		d.Participation = append(d.Participation, participationView{What: "Pelatihan " + t.Training.Title + " (" + t.Training.HeldOn.Format("02-01-2006") + ")",
			Who: t.MemberName, Detail: detail})
	}
	for _, w := range det.Participation.PadatKarya {
		d.Participation = append(d.Participation, participationView{What: "Padat karya " + w.Project.Name, Who: w.MemberName,
			Detail: strconv.Itoa(w.Worker.Days) + " hari × " + hailurah.FormatRupiah(w.Worker.WagePerDay) + " = " + hailurah.FormatRupiah(w.Worker.Wages())})
	}
	for _, o := range det.Participation.Marketplace {
		d.Participation = append(d.Participation, participationView{What: "Marketplace " + o.Platform, Who: "Rumah tangga",
			Detail: "sejak " + o.OnboardedOn.Format("02-01-2006") + " " + o.ShopURL})
	}
	active := false
	for _, g := range det.Grants {
		d.Grants = append(d.Grants, s.grantRow(g.Grant, n))
		active = active || !g.Status.Final()
	}
	d.CanApply = d.CanFieldwork && !active
	data := pageData{Title: "Rumah tangga " + h.ID, Flash: programmeFlash[c.Query("ok")], Data: d, FieldErrors: map[string]string{}}
	if formErr != nil {
		data.Error = hailurah.ErrorMessage(formErr)
		if f := hailurah.ErrorField(formErr); f != "" {
			data.FieldErrors[f] = data.Error
		}
	}
	s.renderPage(c, status, "programme_household", data)
}

// householdMemberForm: POST /rumah-tangga/{id}/anggota.
func (s *Server) householdMemberForm(c *gin.Context) {
	h, err := s.visibleHousehold(c, c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	form := map[string]string{"name": c.PostForm("name"), "gender": c.PostForm("gender"), "age": c.PostForm("age")}
	age, convErr := strconv.Atoi(strings.TrimSpace(form["age"]))
	if convErr != nil {
		err = hailurah.FieldErrorf("age", "Umur harus angka tahun.")
	} else {
		err = s.cfg.Programme.Households.AddMember(c.Request.Context(),
			&hailurah.HouseholdMember{HouseholdID: h.ID, Name: form["name"], Gender: form["gender"], Age: age})
	}
	if err != nil {
		s.formRefused(c, "anggota", form, err)
		return
	}
	s.audit(c, "household.member", h.ID, "")
	c.Redirect(http.StatusSeeOther, "/rumah-tangga/"+url.PathEscape(h.ID)+"?ok=anggota#anggota")
}

// formRefused shows the household page again with the form's values and
// its error; an internal error is the error page.
func (s *Server) formRefused(c *gin.Context, formOf string, form map[string]string, err error) {
	if hailurah.ErrorCode(err) == hailurah.EINTERNAL {
		s.renderError(c, err)
		return
	}
	s.renderHousehold(c, ErrorStatus(err), formOf, form, err)
}

// householdCheckinForm: POST /rumah-tangga/{id}/checkin.
func (s *Server) householdCheckinForm(c *gin.Context) {
	h, err := s.visibleHousehold(c, c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	form := map[string]string{"date": c.PostForm("date"), "omzet": c.PostForm("omzet"), "income": c.PostForm("income"), "note": c.PostForm("note")}
	body := checkinBody{Date: form["date"], Note: form["note"], Omzet: textRupiah(form["omzet"]), Income: textRupiah(form["income"])}
	ci, err := s.checkinFrom(h, body)
	if err == nil {
		ci.By = userOf(c).Username
		err = s.cfg.Programme.Households.AddCheckin(c.Request.Context(), ci)
	}
	if err != nil {
		s.formRefused(c, "checkin", form, err)
		return
	}
	s.audit(c, "household.checkin", h.ID, "")
	c.Redirect(http.StatusSeeOther, "/rumah-tangga/"+url.PathEscape(h.ID)+"?ok=checkin#omzet")
}

// textRupiah carries a form's text box as the JSON API would get it; an
// empty box is an absent value.
func textRupiah(s string) rupiahJSON {
	s = strings.TrimSpace(s)
	if s == "" {
		return rupiahJSON{}
	}
	b, _ := jsonString(s)
	return rupiahJSON{raw: b}
}

// grantApplyForm: POST /rumah-tangga/{id}/hibah.
func (s *Server) grantApplyForm(c *gin.Context) {
	h, err := s.visibleHousehold(c, c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	form := map[string]string{"amount": c.PostForm("amount"), "purpose": c.PostForm("purpose"), "plan": c.PostForm("plan")}
	amount, err := textRupiah(form["amount"]).amount("amount")
	if err == nil && amount == nil {
		err = hailurah.FieldErrorf("amount", "Nilai hibah wajib diisi (Rp 1.000.000–3.000.000).")
	}
	var g *hailurah.Grant
	if err == nil {
		g, err = s.applyGrant(c, hailurah.GrantApplication{HouseholdID: h.ID, Amount: *amount, Purpose: form["purpose"], Plan: form["plan"]})
	}
	if err != nil {
		s.formRefused(c, "hibah", form, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/hibah/"+url.PathEscape(g.ID)+"?ok=hibah")
}

// --- grant queue ---

type queueTab struct {
	Label, URL string
	Current    bool
}

type grantQueueData struct {
	Tabs      []queueTab
	Rows      []grantRowView
	Budget    *budgetView
	IsAdmin   bool
	Kelurahan []option
	Chosen    string
	Intro     string
}

type budgetView struct {
	Budget, Reserved, Disbursed, Available string
	Used                                   int64
	Max                                    int64
}

// grantTabs are the queues in process order: each role starts on the one
// it acts in.
var grantTabs = []struct{ Key, Label string }{
	{"verifikasi", "Verifikasi lapangan"}, {"persetujuan", "Menunggu Lurah"}, {"pencairan", "Pencairan"},
	{"pemantauan", "Pemantauan"}, {"semua", "Semua"},
}

var defaultGrantTab = map[hailurah.Role]string{
	hailurah.RoleFasilitator: "verifikasi",
	hailurah.RoleLurah:       "persetujuan",
	hailurah.RoleAdmin:       "pencairan",
}

// grantQueuePage: GET /hibah — the grants waiting for the user's role,
// DTKS households first.
func (s *Server) grantQueuePage(c *gin.Context) {
	u := userOf(c)
	ctx := c.Request.Context()
	n := s.loadNames(ctx)
	tab := c.Query("antrian")
	if tab == "" {
		tab = defaultGrantTab[u.Role]
	}
	d := &grantQueueData{IsAdmin: u.Role == hailurah.RoleAdmin, Kelurahan: kelurahanOptions(n), Chosen: c.Query("kelurahan")}
	known := false
	for _, t := range grantTabs {
		v := url.Values{"antrian": {t.Key}}
		if d.Chosen != "" {
			v.Set("kelurahan", d.Chosen)
		}
		d.Tabs = append(d.Tabs, queueTab{Label: t.Label, URL: "/hibah?" + v.Encode(), Current: t.Key == tab})
		known = known || t.Key == tab
	}
	if !known {
		s.renderError(c, hailurah.Errorf(hailurah.ENOTFOUND, "Antrian %q tidak ada.", tab))
		return
	}
	kel, err := KelurahanScope(u, d.Chosen)
	if err != nil {
		s.renderError(c, err)
		return
	}
	f := hailurah.GrantFilter{Kelurahan: kel, Limit: 500}
	switch tab {
	case "verifikasi":
		f.Statuses = []hailurah.GrantStatus{hailurah.GrantApplied}
		d.Intro = "Pengajuan yang menunggu verifikasi lapangan oleh fasilitator."
	case "persetujuan":
		f.Statuses = []hailurah.GrantStatus{hailurah.GrantVerified}
		d.Intro = "Hasil verifikasi yang menunggu persetujuan atau penolakan Lurah. Rumah tangga DTKS didahulukan."
	case "pencairan":
		f.Statuses = []hailurah.GrantStatus{hailurah.GrantApproved}
		d.Intro = "Hibah yang disetujui dan menunggu pencairan."
	case "pemantauan":
		f.Statuses = []hailurah.GrantStatus{hailurah.GrantDisbursed, hailurah.GrantInUse}
		d.Intro = "Hibah yang sudah dicairkan: bukti penggunaan dan check-in omzet 30/60/90 hari."
	default:
		d.Intro = "Semua hibah, rumah tangga DTKS lebih dulu."
	}
	list, err := s.cfg.Programme.Grants.ListGrants(ctx, f)
	if err != nil {
		s.renderError(c, err)
		return
	}
	for _, g := range list {
		d.Rows = append(d.Rows, s.grantRow(g, n))
	}
	if kel != "" {
		if b, err := s.cfg.Programme.Grants.FindGrantBudget(ctx, kel); err == nil {
			d.Budget = &budgetView{Budget: hailurah.FormatRupiah(b.Budget), Reserved: hailurah.FormatRupiah(b.Reserved),
				Disbursed: hailurah.FormatRupiah(b.Disbursed), Available: hailurah.FormatRupiah(b.Available),
				Used: b.Reserved, Max: max(b.Budget, 1)}
		}
	}
	s.renderPage(c, http.StatusOK, "programme_grants", pageData{Title: "Hibah produktif", Data: d, Wide: true})
}

// grantRow is a grant in a list: its status, and the deadline of the step
// it waits in.
func (s *Server) grantRow(g *hailurah.Grant, n names) grantRowView {
	v := grantRowView{ID: g.ID, Status: string(g.Status), StatusLabel: g.Status.Label(), StatusClass: grantStatusClass(g.Status),
		Amount: hailurah.FormatRupiah(g.Amount), Purpose: purposeText(g.Purpose), Household: g.HouseholdName + " (" + g.HouseholdID + ")",
		Applied: formatWaktu(s.cfg.Zone, g.AppliedAt), DTKS: g.DTKS, Audit: g.AuditFlag, Step: "-", Due: "-"}
	step, due := grantStep(g)
	if due != nil {
		v.Step = step
		v.Due, v.Over = formatSisa(*due, s.now())
		v.Due = formatWaktu(s.cfg.Zone, *due) + " (" + v.Due + ")"
	}
	return v
}

// grantStep names the step a grant waits in and its deadline.
func grantStep(g *hailurah.Grant) (string, *time.Time) {
	switch g.Status {
	case hailurah.GrantApplied:
		return "Verifikasi lapangan", g.VerifyDue
	case hailurah.GrantVerified:
		return "Persetujuan Lurah", g.ApproveDue
	case hailurah.GrantApproved:
		return "Pencairan", g.DisburseDue
	case hailurah.GrantDisbursed:
		return "Bukti penggunaan", g.ProofDue
	case hailurah.GrantInUse:
		if next, ok := g.NextCheckin(); ok {
			due := next.Due
			return "Check-in ke-" + strconv.Itoa(next.N), &due
		}
	}
	return "", nil
}

func grantStatusClass(st hailurah.GrantStatus) string {
	switch st {
	case hailurah.GrantApplied, hailurah.GrantVerified:
		return "st-open"
	case hailurah.GrantApproved:
		return "st-wait"
	case hailurah.GrantDisbursed, hailurah.GrantInUse:
		return "st-dinas"
	case hailurah.GrantCompleted:
		return "st-done"
	}
	return "st-final"
}

func purposeText(p string) string {
	if p == hailurah.PurposeAlat {
		return "Alat produksi"
	}
	return "Modal usaha"
}

// --- grant detail ---

type deadlineView struct {
	Label, Due, Left string
	Over             bool
}

type grantCheckinView struct {
	N                             int
	Due, At, Omzet, Income, State string
}

type grantPageData struct {
	G         grantRowView
	Grant     *hailurah.Grant
	Kelurahan string
	Plan      string
	Deadlines []deadlineView
	Checkins  []grantCheckinView
	Timeline  []grantEventView
	Photos    []photoView
	Changes   string
	Can       map[string]bool
	Any       bool
	Refused   string
	FormOf    string
	Form      map[string]string
	MaxPhotos int
}

type grantEventView struct {
	At, Label, Actor, Change, Note string
	Photos                         []photoView
}

type photoView struct {
	URL, Name string
	Local     bool
}

// grantOffered decides which forms the grant page shows with the
// workflow's own rules; the workflow checks again, and its refusal is what
// the user reads. The form offers a disbursement only while one is due
// (recording it again is the API's retry, not a page's), and a check-in
// only while one is open.
func grantOffered(u *hailurah.User, g *hailurah.Grant, action string) bool {
	req := hailurah.GrantActionRequest{Action: action, Actor: hailurah.ActorOf(u)}
	if !hailurah.GrantActionAllowedIn(action, g.Status) || req.Authorize(g.Kelurahan) != nil {
		return false
	}
	switch action {
	case hailurah.GrantActionDisburse:
		return g.Status == hailurah.GrantApproved
	case hailurah.GrantActionCheckin:
		_, open := g.NextCheckin()
		return open
	}
	return true
}

// grantPage: GET /hibah/{id}.
func (s *Server) grantPage(c *gin.Context) {
	s.renderGrant(c, http.StatusOK, "", nil, "")
}

func (s *Server) renderGrant(c *gin.Context, status int, formOf string, form map[string]string, refused string) {
	g, err := s.visibleGrant(c, c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	ctx := c.Request.Context()
	events, err := s.cfg.Programme.Grants.ListGrantEvents(ctx, g.ID)
	if err != nil {
		s.renderError(c, err)
		return
	}
	u := userOf(c)
	n := s.loadNames(ctx)
	d := &grantPageData{G: s.grantRow(g, n), Grant: g, Kelurahan: n.kelurahanName(g.Kelurahan), Plan: g.Plan,
		Can: map[string]bool{}, Refused: refused, FormOf: formOf, Form: form, MaxPhotos: maxEvidenceFiles}
	if d.Form == nil {
		d.Form = map[string]string{}
	}
	for _, a := range hailurah.GrantActions {
		d.Can[a] = grantOffered(u, g, a)
		d.Any = d.Any || d.Can[a]
	}
	now := s.now()
	for _, dl := range []struct {
		label string
		due   *time.Time
	}{{"Verifikasi lapangan", g.VerifyDue}, {"Persetujuan Lurah", g.ApproveDue}, {"Pencairan", g.DisburseDue},
		{"Bukti penggunaan", g.ProofDue}, {"Tanda audit tanpa bukti", g.AuditAt}} {
		if dl.due != nil {
			left, over := formatSisa(*dl.due, now)
			d.Deadlines = append(d.Deadlines, deadlineView{Label: dl.label, Due: formatWaktu(s.cfg.Zone, *dl.due), Left: left, Over: over})
		}
	}
	for _, ci := range g.Checkins {
		v := grantCheckinView{N: ci.N, Due: formatWaktu(s.cfg.Zone, ci.Due), At: "-", Omzet: "-", Income: "-", State: "Menunggu"}
		switch {
		case ci.At != nil:
			v.At, v.State = formatWaktu(s.cfg.Zone, *ci.At), "Dicatat oleh "+ci.By
		case ci.Missed:
			v.State = "Terlewat"
		}
		if ci.Omzet != nil {
			v.Omzet = hailurah.FormatRupiah(*ci.Omzet)
		}
		if ci.Income != nil {
			v.Income = hailurah.FormatRupiah(*ci.Income)
		}
		d.Checkins = append(d.Checkins, v)
	}
	if g.LatestOmzet != nil {
		d.Changes = "Omzet " + hailurah.FormatRupiah(g.BaselineOmzet) + " → " + hailurah.FormatRupiah(*g.LatestOmzet) + " (" + pctText(g.OmzetChangePct) + ")"
		if g.LatestIncome != nil {
			d.Changes += "; pendapatan " + hailurah.FormatRupiah(g.BaselineIncome) + " → " + hailurah.FormatRupiah(*g.LatestIncome) + " (" + pctText(g.IncomeChangePct) + ")"
		}
	}
	for _, e := range events {
		change := ""
		if e.From != "" && e.From != e.To {
			change = e.From.Label() + " → " + e.To.Label()
		}
		d.Timeline = append(d.Timeline, grantEventView{At: formatWaktu(s.cfg.Zone, e.At), Label: grantEventLabel(e.Type), Actor: grantActor(e),
			Change: change, Note: e.Note, Photos: photoViews(e.Attachments)})
	}
	s.renderPage(c, status, "programme_grant", pageData{Title: "Hibah " + g.ID, Flash: programmeFlash[c.Query("ok")], Data: d})
}

func grantActor(e *hailurah.GrantEvent) string {
	if e.Actor == hailurah.ActorSystem {
		return "Sistem"
	}
	if e.Role != "" {
		return e.Actor + " (" + e.Role.Label() + ")"
	}
	return e.Actor
}

func pctText(p *float64) string {
	if p == nil {
		return "tanpa pembanding"
	}
	return strconv.FormatFloat(*p, 'f', 1, 64) + "%"
}

// photoViews shows the photos stored here as thumbnails and other
// addresses as text: a URL a client sent is not fetched into the page.
func photoViews(urls []string) []photoView {
	var out []photoView
	for _, u := range urls {
		out = append(out, photoView{URL: u, Name: filepath.Base(u), Local: strings.HasPrefix(u, "/hibah/")})
	}
	return out
}

// grantActionForm: POST /hibah/{id}/aksi — the forms of the grant page,
// with photos for verify and proof.
func (s *Server) grantActionForm(c *gin.Context) {
	g, err := s.visibleGrant(c, c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	action := c.PostForm("action")
	form := map[string]string{"notes": c.PostForm("notes"), "reason": c.PostForm("reason"), "reference": c.PostForm("reference"),
		"omzet": c.PostForm("omzet"), "income": c.PostForm("income")}
	req := hailurah.GrantActionRequest{Action: action, Actor: hailurah.ActorOf(userOf(c)), Notes: form["notes"],
		Reason: form["reason"], Reference: strings.TrimSpace(form["reference"])}
	refuse := func(err error) {
		if hailurah.ErrorCode(err) == hailurah.EINTERNAL {
			s.renderError(c, err)
			return
		}
		s.renderGrant(c, ErrorStatus(err), action, form, hailurah.ErrorMessage(err))
	}
	if req.Omzet, err = textRupiah(form["omzet"]).amount("omzet"); err != nil {
		refuse(err)
		return
	}
	if req.Income, err = textRupiah(form["income"]).amount("income"); err != nil {
		refuse(err)
		return
	}
	var stored []string
	if action == hailurah.GrantActionVerify || action == hailurah.GrantActionProof {
		if stored, err = s.saveEvidence(c, g.ID); err != nil {
			refuse(err)
			return
		}
		for _, u := range stored {
			req.Photos = append(req.Photos, grantPhotoURL(u))
		}
	}
	_, err = s.actGrant(c, g, req)
	if hailurah.ErrorCode(err) == hailurah.EPENDING {
		c.Redirect(http.StatusSeeOther, "/hibah/"+url.PathEscape(g.ID)+"?ok="+okPending)
		return
	}
	if err != nil {
		removeEvidence(s.cfg.DataDir, stored)
		refuse(err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/hibah/"+url.PathEscape(g.ID)+"?ok="+url.QueryEscape(action))
}

// grantPhotoURL turns the evidence store's address of a photo into the
// grant page's, which checks the grant's kelurahan before serving it.
func grantPhotoURL(evidenceURL string) string {
	rest := strings.TrimPrefix(evidenceURL, "/bukti/")
	id, name, _ := strings.Cut(rest, "/")
	return "/hibah/" + id + "/foto/" + name
}

// grantPhoto: GET /hibah/{id}/foto/{file} — only for staff who may see
// the grant.
func (s *Server) grantPhoto(c *gin.Context) {
	g, err := s.visibleGrant(c, c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	s.serveUpload(c, g.ID, c.Param("file"), "Foto tidak ditemukan.")
}

// jsonString encodes s as a JSON string.
func jsonString(s string) ([]byte, error) { return json.Marshal(s) }
