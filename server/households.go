package server

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/programme"
)

// HouseholdImportBody bounds an import request: the file's own limit plus
// room for the multipart envelope. The body-limit middleware raises the
// default for the import routes to it (BodyLimit).
const HouseholdImportBody = programme.MaxImportBytes + 1<<20

// importFileField is the multipart field that carries the CSV.
const importFileField = "file"

// importReport is the answer to an import: what was written and every
// problem by line, column and reason.
type ImportReport struct {
	Imported  int                    `json:"imported"`
	Updated   int                    `json:"updated"`
	Unchanged int                    `json:"unchanged"`
	Errors    []hailurah.ImportIssue `json:"errors"`
	Warnings  []hailurah.ImportIssue `json:"warnings"`
	Encoding  string                 `json:"encoding,omitempty"`
	// Error is set when the file as a whole was refused (HTTP 422), in the
	// API's usual error shape.
	Error *ErrorDetail `json:"error,omitempty"`
}

// importKelurahan is the kelurahan an import writes to: the fasilitator's
// own, or the one an admin names.
func (s *Server) ImportKelurahan(c *gin.Context, requested string) (string, error) {
	u := UserOf(c)
	if u.Role != hailurah.RoleAdmin {
		return KelurahanScope(u, requested)
	}
	if requested == "" {
		return "", hailurah.FieldErrorf("kelurahan", "Admin wajib memilih kelurahan tujuan impor (parameter kelurahan).")
	}
	if _, err := s.cfg.Kelurahan.FindKelurahan(c.Request.Context(), requested); err != nil {
		if hailurah.ErrorCode(err) == hailurah.ENOTFOUND {
			return "", hailurah.FieldErrorf("kelurahan", "Kelurahan %q tidak dikenal.", requested)
		}
		return "", err
	}
	return requested, nil
}

// readImportFile returns the CSV of an import request: the body itself
// (text/csv), or the "file" field of a multipart form.
func ReadImportFile(c *gin.Context) ([]byte, error) {
	mediaType, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	var r io.Reader
	switch mediaType {
	case "text/csv", "application/csv", "text/plain", "application/vnd.ms-excel":
		r = c.Request.Body
	case "multipart/form-data":
		fh, err := c.FormFile(importFileField)
		if err != nil {
			var maxErr *http.MaxBytesError
			if errors.As(err, &maxErr) {
				return nil, importTooLarge()
			}
			return nil, hailurah.FieldErrorf(importFileField, "Pilih file CSV pada kolom %q.", importFileField)
		}
		f, err := fh.Open()
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	default:
		return nil, hailurah.Errorf(hailurah.EUNSUPPORTED, "Kirim file sebagai text/csv atau sebagai kolom %q dari multipart/form-data.", importFileField)
	}
	data, err := io.ReadAll(io.LimitReader(r, programme.MaxImportBytes+1))
	var maxErr *http.MaxBytesError
	switch {
	case errors.As(err, &maxErr):
		return nil, importTooLarge()
	case err != nil:
		return nil, err
	case len(data) > programme.MaxImportBytes:
		return nil, importTooLarge()
	}
	return data, nil
}

func importTooLarge() error {
	return hailurah.Errorf(hailurah.ETOOLARGE, "File terlalu besar; maks. %d MB per impor. Pecah file per RW.", programme.MaxImportBytes>>20)
}

// importHouseholds parses the file and writes its valid rows. A file that
// cannot be read as a whole returns its report with ok false and writes
// nothing.
func (s *Server) ImportHouseholds(c *gin.Context, kelurahan string, data []byte) (rep *ImportReport, ok bool, err error) {
	parsed := programme.ParseHouseholdCSV(data, kelurahan)
	rep = &ImportReport{Errors: parsed.Errors, Warnings: parsed.Warnings, Encoding: parsed.Encoding}
	if rep.Errors == nil {
		rep.Errors = []hailurah.ImportIssue{}
	}
	if rep.Warnings == nil {
		rep.Warnings = []hailurah.ImportIssue{}
	}
	if parsed.Fatal {
		return rep, false, nil
	}
	if len(parsed.Rows) > 0 {
		res, err := s.cfg.Programme.Households.ImportHouseholds(c.Request.Context(), kelurahan, parsed.Rows)
		if err != nil {
			return nil, false, err
		}
		rep.Imported, rep.Updated, rep.Unchanged = res.Imported, res.Updated, res.Unchanged
		rep.Errors = append(rep.Errors, res.Errors...)
		rep.Warnings = append(rep.Warnings, res.Warnings...)
		sort.SliceStable(rep.Errors, func(i, j int) bool { return rep.Errors[i].Line < rep.Errors[j].Line })
	}
	s.Audit(c, "household.import", kelurahan, ProgrammeAudit(map[string]any{"imported": rep.Imported, "updated": rep.Updated,
		"unchanged": rep.Unchanged, "errors": len(rep.Errors), "bytes": len(data)}))
	return rep, true, nil
}

// apiImportHouseholds: POST /api/v1/households/import[?kelurahan=].
func (s *Server) apiImportHouseholds(c *gin.Context) {
	kelurahan, err := s.ImportKelurahan(c, c.Query("kelurahan"))
	if err != nil {
		Fail(c, err)
		return
	}
	data, err := ReadImportFile(c)
	if err != nil {
		Fail(c, err)
		return
	}
	rep, ok, err := s.ImportHouseholds(c, kelurahan, data)
	if err != nil {
		Fail(c, err)
		return
	}
	if !ok {
		rep.Error = &ErrorDetail{Code: hailurah.EINVALID, Message: "File tidak dapat diimpor: " + rep.Errors[0].Reason}
		c.JSON(http.StatusUnprocessableEntity, rep)
		return
	}
	c.JSON(http.StatusOK, rep)
}

// householdFilterFrom reads the list filters within the user's kelurahan.
func HouseholdFilterFrom(c *gin.Context, u *hailurah.User) (hailurah.HouseholdFilter, error) {
	q := c.Request.URL.Query()
	f := hailurah.HouseholdFilter{RT: programme.NormalizeRTRW(q.Get("rt")), RW: programme.NormalizeRTRW(q.Get("rw")),
		Q: strings.TrimSpace(q.Get("q"))}
	k, err := KelurahanScope(u, q.Get("kelurahan"))
	if err != nil {
		return f, err
	}
	f.Kelurahan = k
	for name, dst := range map[string]**bool{"dtks": &f.DTKS, "umkm": &f.UMKM} {
		if v := q.Get(name); v != "" {
			b, err := programme.ParseBool(v)
			if err != nil {
				return f, hailurah.FieldErrorf(name, "%s harus YA atau TIDAK.", name)
			}
			*dst = &b
		}
	}
	for name, dst := range map[string]*int{"limit": &f.Limit, "offset": &f.Offset} {
		if v := q.Get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return f, hailurah.FieldErrorf(name, "%s harus bilangan bulat positif.", name)
			}
			*dst = n
		}
	}
	return f, nil
}

// apiHouseholds: GET /api/v1/households — a page of JSON, or with
// format=csv every household under the filters as a Lampiran C file.
func (s *Server) apiHouseholds(c *gin.Context) {
	u := UserOf(c)
	f, err := HouseholdFilterFrom(c, u)
	if err != nil {
		Fail(c, err)
		return
	}
	csv := c.Query("format") == "csv"
	if csv {
		f.Limit, f.Offset = -1, 0
	}
	page, err := s.cfg.Programme.Households.ListHouseholds(c.Request.Context(), f)
	if err != nil {
		Fail(c, err)
		return
	}
	if !csv {
		c.JSON(http.StatusOK, page)
		return
	}
	var buf bytes.Buffer
	if err := programme.WriteHouseholdCSV(&buf, page.Items); err != nil {
		Fail(c, err)
		return
	}
	scope := f.Kelurahan
	if scope == "" {
		scope = "kota"
	}
	s.Audit(c, "household.export", scope, ProgrammeAudit(map[string]any{"rows": len(page.Items)}))
	name := fmt.Sprintf("rumah-tangga-%s-%s.csv", scope, s.cfg.Zone.In(s.now()).Format("2006-01-02"))
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

// visibleHousehold loads a household the user may see; another
// kelurahan's is "not found".
func (s *Server) VisibleHousehold(c *gin.Context, id string) (*hailurah.Household, error) {
	h, err := s.cfg.Programme.Households.FindHousehold(c.Request.Context(), id)
	if err != nil {
		return nil, err
	}
	if u := UserOf(c); u.Role != hailurah.RoleAdmin && u.Kelurahan != h.Kelurahan {
		return nil, hailurah.Errorf(hailurah.ENOTFOUND, "Rumah tangga %q tidak ditemukan.", id)
	}
	return h, nil
}

// householdDetail is everything a household's page and API show.
type HouseholdDetail struct {
	*hailurah.Household
	Members       []*hailurah.HouseholdMember  `json:"members"`
	Checkins      []*hailurah.HouseholdCheckin `json:"checkins"`
	Participation *hailurah.Participation      `json:"participation"`
	Grants        []GrantJSON                  `json:"grants"`
}

func (s *Server) HouseholdDetail(c *gin.Context, h *hailurah.Household) (*HouseholdDetail, error) {
	ctx := c.Request.Context()
	p := s.cfg.Programme
	d := &HouseholdDetail{Household: h, Grants: []GrantJSON{}}
	var err error
	if d.Members, err = p.Households.ListMembers(ctx, h.ID); err != nil {
		return nil, err
	}
	if d.Checkins, err = p.Households.ListCheckins(ctx, h.ID); err != nil {
		return nil, err
	}
	if d.Participation, err = p.Participation.HouseholdParticipation(ctx, h.ID); err != nil {
		return nil, err
	}
	grants, err := p.Grants.ListGrants(ctx, hailurah.GrantFilter{HouseholdID: h.ID})
	if err != nil {
		return nil, err
	}
	for _, g := range grants {
		d.Grants = append(d.Grants, ToGrantJSON(g))
	}
	return d, nil
}

// apiHousehold: GET /api/v1/households/{id}.
func (s *Server) apiHousehold(c *gin.Context) {
	h, err := s.VisibleHousehold(c, c.Param("id"))
	if err != nil {
		Fail(c, err)
		return
	}
	d, err := s.HouseholdDetail(c, h)
	if err != nil {
		Fail(c, err)
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
func (s *Server) apiAddMember(c *gin.Context) {
	h, err := s.VisibleHousehold(c, c.Param("id"))
	if err != nil {
		Fail(c, err)
		return
	}
	var body memberBody
	if err := BindJSON(c, &body); err != nil {
		Fail(c, err)
		return
	}
	m := &hailurah.HouseholdMember{HouseholdID: h.ID, Name: body.Name, Gender: strings.ToUpper(strings.TrimSpace(body.Gender)), Age: body.Age}
	if err := s.cfg.Programme.Households.AddMember(c.Request.Context(), m); err != nil {
		Fail(c, err)
		return
	}
	s.Audit(c, "household.member", h.ID, ProgrammeAudit(map[string]any{"member_id": m.ID}))
	c.JSON(http.StatusCreated, m)
}

type CheckinBody struct {
	Key    string     `json:"key"`
	Date   string     `json:"date"`
	Omzet  RupiahJSON `json:"omzet"`
	Income RupiahJSON `json:"income"`
	Note   string     `json:"note"`
}

// apiAddCheckin: POST /api/v1/households/{id}/checkins — a field visit's
// omzet (and income). A client that retries sends the same key.
func (s *Server) apiAddCheckin(c *gin.Context) {
	h, err := s.VisibleHousehold(c, c.Param("id"))
	if err != nil {
		Fail(c, err)
		return
	}
	var body CheckinBody
	if err := BindJSON(c, &body); err != nil {
		Fail(c, err)
		return
	}
	ci, err := s.CheckinFrom(h, body)
	if err != nil {
		Fail(c, err)
		return
	}
	ci.By = UserOf(c).Username
	if err := s.cfg.Programme.Households.AddCheckin(c.Request.Context(), ci); err != nil {
		Fail(c, err)
		return
	}
	s.Audit(c, "household.checkin", h.ID, ProgrammeAudit(map[string]any{"key": ci.Key}))
	c.JSON(http.StatusCreated, ci)
}

func (s *Server) CheckinFrom(h *hailurah.Household, body CheckinBody) (*hailurah.HouseholdCheckin, error) {
	omzet, err := body.Omzet.Amount("omzet")
	if err != nil {
		return nil, err
	}
	if omzet == nil {
		return nil, hailurah.FieldErrorf("omzet", "Omzet bulanan wajib diisi (Rp, boleh 0).")
	}
	income, err := body.Income.Amount("income")
	if err != nil {
		return nil, err
	}
	at := s.now()
	if strings.TrimSpace(body.Date) != "" {
		d, err := programme.ParseDate(body.Date)
		if err != nil {
			return nil, hailurah.FieldErrorf("date", "Tanggal %s.", err)
		}
		if d.After(s.now()) {
			return nil, hailurah.FieldErrorf("date", "Tanggal kunjungan tidak boleh di masa depan.")
		}
		at = d
	}
	key := strings.TrimSpace(body.Key)
	switch {
	case key == "":
		key = h.ID + "/kunjungan/" + hailurah.RandomCode(12)
	case len(key) > 100:
		return nil, hailurah.FieldErrorf("key", "Kunci terlalu panjang (maks. 100 karakter).")
	default:
		// A client's key is scoped to the household, so it cannot collide
		// with a grant's check-in or another household's.
		key = h.ID + "/kunjungan/" + key
	}
	return &hailurah.HouseholdCheckin{Key: key, HouseholdID: h.ID, At: at, Omzet: *omzet, Income: income,
		Source: hailurah.CheckinFasilitator, Note: strings.TrimSpace(body.Note)}, nil
}

// scopeKelurahan is the kelurahan a participation record belongs to: the
// user's own, or the one an admin names.
func (s *Server) scopeKelurahan(c *gin.Context, requested string) (string, error) {
	return s.ImportKelurahan(c, requested)
}

type trainingBody struct {
	Kelurahan  string `json:"kelurahan"`
	Title      string `json:"title"`
	Topic      string `json:"topic"`
	HeldOn     string `json:"held_on"`
	Certifying bool   `json:"certifying"`
}

// apiCreateTraining: POST /api/v1/trainings.
func (s *Server) apiCreateTraining(c *gin.Context) {
	var body trainingBody
	if err := BindJSON(c, &body); err != nil {
		Fail(c, err)
		return
	}
	k, err := s.scopeKelurahan(c, body.Kelurahan)
	if err != nil {
		Fail(c, err)
		return
	}
	held, err := programme.ParseDate(body.HeldOn)
	if err != nil {
		Fail(c, hailurah.FieldErrorf("held_on", "Tanggal pelatihan %s.", err))
		return
	}
	t := &hailurah.Training{Kelurahan: k, Title: body.Title, Topic: body.Topic, HeldOn: held, Certifying: body.Certifying,
		CreatedBy: UserOf(c).Username}
	if err := s.cfg.Programme.Participation.CreateTraining(c.Request.Context(), t); err != nil {
		Fail(c, err)
		return
	}
	s.Audit(c, "training.create", strconv.FormatInt(t.ID, 10), "")
	c.JSON(http.StatusCreated, t)
}

// apiTrainings: GET /api/v1/trainings[?kelurahan=].
func (s *Server) apiTrainings(c *gin.Context) {
	k, err := KelurahanScope(UserOf(c), c.Query("kelurahan"))
	if err != nil {
		Fail(c, err)
		return
	}
	list, err := s.cfg.Programme.Participation.ListTrainings(c.Request.Context(), k)
	if err != nil {
		Fail(c, err)
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
func (s *Server) apiRecordAttendance(c *gin.Context) {
	id, err := pathID(c, "Pelatihan")
	if err != nil {
		Fail(c, err)
		return
	}
	p := s.cfg.Programme.Participation
	t, err := p.FindTraining(c.Request.Context(), id)
	if err == nil && !sameKelurahan(UserOf(c), t.Kelurahan) {
		err = hailurah.Errorf(hailurah.ENOTFOUND, "Pelatihan %d tidak ditemukan.", id)
	}
	if err != nil {
		Fail(c, err)
		return
	}
	var body struct {
		Attendance []hailurah.TrainingAttendance `json:"attendance"`
	}
	if err := BindJSON(c, &body); err != nil {
		Fail(c, err)
		return
	}
	if err := p.RecordAttendance(c.Request.Context(), id, body.Attendance); err != nil {
		Fail(c, err)
		return
	}
	s.Audit(c, "training.attendance", strconv.FormatInt(id, 10), ProgrammeAudit(map[string]any{"members": len(body.Attendance)}))
	c.JSON(http.StatusOK, gin.H{"training_id": id, "recorded": len(body.Attendance)})
}

// sameKelurahan reports whether u may work with a record of kelurahan.
func sameKelurahan(u *hailurah.User, kelurahan string) bool {
	return u.Role == hailurah.RoleAdmin || u.Kelurahan == kelurahan
}

type padatKaryaBody struct {
	Kelurahan  string     `json:"kelurahan"`
	Name       string     `json:"name"`
	Location   string     `json:"location"`
	StartDate  string     `json:"start_date"`
	EndDate    string     `json:"end_date"`
	WagePerDay RupiahJSON `json:"wage_per_day"`
}

// apiCreatePadatKarya: POST /api/v1/padat-karya.
func (s *Server) apiCreatePadatKarya(c *gin.Context) {
	var body padatKaryaBody
	if err := BindJSON(c, &body); err != nil {
		Fail(c, err)
		return
	}
	k, err := s.scopeKelurahan(c, body.Kelurahan)
	if err != nil {
		Fail(c, err)
		return
	}
	p := &hailurah.PadatKaryaProject{Kelurahan: k, Name: body.Name, Location: body.Location, CreatedBy: UserOf(c).Username}
	if p.StartDate, err = programme.ParseDate(body.StartDate); err != nil {
		Fail(c, hailurah.FieldErrorf("start_date", "Tanggal mulai %s.", err))
		return
	}
	if strings.TrimSpace(body.EndDate) != "" {
		end, err := programme.ParseDate(body.EndDate)
		if err != nil {
			Fail(c, hailurah.FieldErrorf("end_date", "Tanggal selesai %s.", err))
			return
		}
		p.EndDate = &end
	}
	wage, err := body.WagePerDay.Amount("wage_per_day")
	if err != nil {
		Fail(c, err)
		return
	}
	if wage != nil {
		if *wage == 0 {
			Fail(c, hailurah.FieldErrorf("wage_per_day", "Upah harian tidak boleh Rp 0."))
			return
		}
		p.WagePerDay = *wage
	}
	if err := s.cfg.Programme.Participation.CreatePadatKarya(c.Request.Context(), p); err != nil {
		Fail(c, err)
		return
	}
	s.Audit(c, "padat_karya.create", strconv.FormatInt(p.ID, 10), "")
	c.JSON(http.StatusCreated, p)
}

// apiPadatKarya: GET /api/v1/padat-karya[?kelurahan=].
func (s *Server) apiPadatKarya(c *gin.Context) {
	k, err := KelurahanScope(UserOf(c), c.Query("kelurahan"))
	if err != nil {
		Fail(c, err)
		return
	}
	list, err := s.cfg.Programme.Participation.ListPadatKarya(c.Request.Context(), k)
	if err != nil {
		Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": list})
}

type workerBody struct {
	MemberID   int64      `json:"member_id"`
	Days       int        `json:"days"`
	WagePerDay RupiahJSON `json:"wage_per_day"`
}

// apiRecordWorkers: POST /api/v1/padat-karya/{id}/workers.
func (s *Server) apiRecordWorkers(c *gin.Context) {
	id, err := pathID(c, "Proyek padat karya")
	if err != nil {
		Fail(c, err)
		return
	}
	p := s.cfg.Programme.Participation
	proj, err := p.FindPadatKarya(c.Request.Context(), id)
	if err == nil && !sameKelurahan(UserOf(c), proj.Kelurahan) {
		err = hailurah.Errorf(hailurah.ENOTFOUND, "Proyek padat karya %d tidak ditemukan.", id)
	}
	if err != nil {
		Fail(c, err)
		return
	}
	var body struct {
		Workers []workerBody `json:"workers"`
	}
	if err := BindJSON(c, &body); err != nil {
		Fail(c, err)
		return
	}
	workers := make([]hailurah.PadatKaryaWorker, len(body.Workers))
	for i, w := range body.Workers {
		wage, err := w.WagePerDay.Amount("wage_per_day")
		if err != nil {
			Fail(c, err)
			return
		}
		workers[i] = hailurah.PadatKaryaWorker{MemberID: w.MemberID, Days: w.Days}
		if wage != nil {
			workers[i].WagePerDay = *wage
		}
	}
	if err := p.RecordWorkers(c.Request.Context(), id, workers); err != nil {
		Fail(c, err)
		return
	}
	s.Audit(c, "padat_karya.workers", strconv.FormatInt(id, 10), ProgrammeAudit(map[string]any{"workers": len(workers)}))
	c.JSON(http.StatusOK, gin.H{"project_id": id, "recorded": len(workers)})
}

type onboardingBody struct {
	HouseholdID string `json:"household_id"`
	Platform    string `json:"platform"`
	ShopURL     string `json:"shop_url"`
	OnboardedOn string `json:"onboarded_on"`
}

// apiAddOnboarding: POST /api/v1/marketplace-onboardings.
func (s *Server) apiAddOnboarding(c *gin.Context) {
	var body onboardingBody
	if err := BindJSON(c, &body); err != nil {
		Fail(c, err)
		return
	}
	h, err := s.VisibleHousehold(c, strings.TrimSpace(body.HouseholdID))
	if err != nil {
		if hailurah.ErrorCode(err) == hailurah.ENOTFOUND {
			err = hailurah.FieldErrorf("household_id", "Rumah tangga %q tidak terdaftar di kelurahan Anda.", body.HouseholdID)
		}
		Fail(c, err)
		return
	}
	on := s.now()
	if strings.TrimSpace(body.OnboardedOn) != "" {
		if on, err = programme.ParseDate(body.OnboardedOn); err != nil {
			Fail(c, hailurah.FieldErrorf("onboarded_on", "Tanggal onboarding %s.", err))
			return
		}
	}
	if u := strings.TrimSpace(body.ShopURL); u != "" && !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
		Fail(c, hailurah.FieldErrorf("shop_url", "Alamat toko harus diawali https://."))
		return
	}
	o := &hailurah.MarketplaceOnboarding{HouseholdID: h.ID, Platform: body.Platform, ShopURL: strings.TrimSpace(body.ShopURL),
		OnboardedOn: on, CreatedBy: UserOf(c).Username}
	if err := s.cfg.Programme.Participation.AddMarketplaceOnboarding(c.Request.Context(), o); err != nil {
		Fail(c, err)
		return
	}
	s.Audit(c, "marketplace.onboard", h.ID, ProgrammeAudit(map[string]any{"platform": o.Platform}))
	c.JSON(http.StatusCreated, o)
}

// dateOrToday formats a date field for a form, as a day of zone z.
func DateOrToday(z hailurah.Zone, t time.Time) string { return z.In(t).Format("2006-01-02") }
