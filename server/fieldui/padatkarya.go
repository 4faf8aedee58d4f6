package fieldui

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/server/app"
)

// weekDays is what the workers form adds by default: a working week.
const weekDays = 5

type projectRowView struct {
	ID                          int64
	Name, Location, Dates, Wage string
	Workers                     int
	Days                        int
	Wages                       string
}

type projectsData struct {
	Rows     []projectRowView
	Form     map[string]string
	Options  []option
	Kel      string
	CanWrite bool
	Default  string
}

// projectsPage: GET /padat-karya — the projects and the form of a new one.
func (s *Pages) projectsPage(c *gin.Context) { s.renderProjects(c, nil, fieldErrors{}) }

func (s *Pages) renderProjects(c *gin.Context, form map[string]string, e fieldErrors) {
	kel, opts, err := s.kelurahan(c)
	if err != nil {
		s.ui.RenderError(c, err)
		return
	}
	ctx := c.Request.Context()
	list, err := s.Programme.Participation.ListPadatKarya(ctx, kel)
	if err != nil {
		s.ui.RenderError(c, err)
		return
	}
	d := &projectsData{Form: form, Options: opts, Kel: kel, CanWrite: canWrite(c), Default: hailurah.FormatRupiah(hailurah.DefaultPadatKaryaWage)}
	if d.Form == nil {
		d.Form = map[string]string{"start": app.DateOrToday(s.Zone, s.Now()), "wage": "100.000"}
	}
	for _, p := range list {
		ws, err := s.Programme.Field.ListWorkers(ctx, p.ID)
		if err != nil {
			s.ui.RenderError(c, err)
			return
		}
		v := projectRowView{ID: p.ID, Name: p.Name, Location: p.Location, Dates: projectDates(p), Wage: hailurah.FormatRupiah(p.WagePerDay), Workers: len(ws)}
		var wages int64
		for _, w := range ws {
			v.Days += w.Days
			wages += w.Wages()
		}
		v.Wages = hailurah.FormatRupiah(wages)
		d.Rows = append(d.Rows, v)
	}
	s.render(c, "field_projects", "Padat karya", e, d)
}

func projectDates(p *hailurah.PadatKaryaProject) string {
	if p.EndDate == nil {
		return "mulai " + dayLabel(p.StartDate)
	}
	return dayLabel(p.StartDate) + " – " + dayLabel(*p.EndDate)
}

// projectCreate: POST /padat-karya — name, location, dates, daily wage
// (Rp 100.000 unless changed).
func (s *Pages) projectCreate(c *gin.Context) {
	kel, _, err := s.kelurahan(c)
	if err != nil {
		s.ui.RenderError(c, err)
		return
	}
	form := map[string]string{"name": c.PostForm("name"), "location": c.PostForm("location"), "start": c.PostForm("start"),
		"end": c.PostForm("end"), "wage": c.PostForm("wage")}
	e := fieldErrors{}
	if strings.TrimSpace(form["name"]) == "" {
		e.add("name", "Nama proyek wajib diisi, misalnya \"Paving gang RT 03\".")
	}
	if strings.TrimSpace(form["location"]) == "" {
		e.add("location", "Lokasi proyek wajib diisi.")
	}
	start := s.date(e, "start", form["start"], "Tanggal mulai", true)
	var end *time.Time
	if strings.TrimSpace(form["end"]) != "" {
		t := s.date(e, "end", form["end"], "Tanggal selesai", true)
		if !t.IsZero() && !start.IsZero() && t.Before(start) {
			e.add("end", "Tanggal selesai tidak boleh sebelum tanggal mulai.")
		}
		end = &t
	}
	wage := rupiah(e, "wage", form["wage"], "Upah harian", hailurah.DefaultPadatKaryaWage)
	if wage <= 0 {
		e.add("wage", "Upah harian harus lebih dari Rp 0.")
	}
	p := &hailurah.PadatKaryaProject{Kelurahan: kel, Name: form["name"], Location: form["location"], StartDate: start, EndDate: end,
		WagePerDay: wage, CreatedBy: app.UserOf(c).Username}
	if len(e) == 0 {
		if err := s.Programme.Participation.CreatePadatKarya(c.Request.Context(), p); err != nil && !e.addErr(err) {
			s.ui.RenderError(c, err)
			return
		}
	}
	if len(e) > 0 {
		s.renderProjects(c, form, e)
		return
	}
	s.Audit(c, "padat_karya.create", strconv.FormatInt(p.ID, 10), "")
	c.Redirect(http.StatusSeeOther, "/padat-karya/"+strconv.FormatInt(p.ID, 10)+"?ok=proyek")
}

type projectData struct {
	P                   *hailurah.PadatKaryaProject
	Dates, Wage         string
	Q                   string
	Picks               []pickView
	Workers, Days       int
	Wages               string
	AddDays             string
	CanWrite, Truncated bool
}

// projectPage: GET /padat-karya/{id}[?q=] — the workers: each member of
// the kelurahan with the days already recorded, to tick for this week.
func (s *Pages) projectPage(c *gin.Context) { s.renderProject(c, fieldErrors{}, nil, "") }

func (s *Pages) visibleProject(c *gin.Context) (*hailurah.PadatKaryaProject, error) {
	return visible(c, s.Programme.Participation.FindPadatKarya, func(v *hailurah.PadatKaryaProject) string { return v.Kelurahan }, "Proyek padat karya")
}

func (s *Pages) renderProject(c *gin.Context, e fieldErrors, ticked map[int64]bool, addDays string) {
	p, err := s.visibleProject(c)
	if err != nil {
		s.ui.RenderError(c, err)
		return
	}
	ctx := c.Request.Context()
	ws, err := s.Programme.Field.ListWorkers(ctx, p.ID)
	if err != nil {
		s.ui.RenderError(c, err)
		return
	}
	q, members, err := s.pickMembers(c, p.Kelurahan)
	if err != nil {
		s.ui.RenderError(c, err)
		return
	}
	if addDays == "" {
		addDays = strconv.Itoa(weekDays)
	}
	d := &projectData{P: p, Dates: projectDates(p), Wage: hailurah.FormatRupiah(p.WagePerDay), Q: q, AddDays: addDays,
		CanWrite: canWrite(c), Truncated: len(members) == maxPick, Workers: len(ws)}
	days := map[int64]int{}
	var wages int64
	for _, w := range ws {
		days[w.MemberID] = w.Days
		d.Days += w.Days
		wages += w.Wages()
	}
	d.Wages = hailurah.FormatRupiah(wages)
	for _, m := range members {
		v := pick(m)
		v.Days, v.Recorded, v.Checked = days[m.ID], days[m.ID] > 0, ticked[m.ID]
		d.Picks = append(d.Picks, v)
	}
	s.render(c, "field_project", "Padat karya "+p.Name, e, d)
}

// workersForm: POST /padat-karya/{id}/pekerja — adds the days (a week of
// 5 unless changed) to every ticked member (every listed one with
// "semua"), at the project's wage.
func (s *Pages) workersForm(c *gin.Context) {
	p, err := s.visibleProject(c)
	if err != nil {
		s.ui.RenderError(c, err)
		return
	}
	ctx := c.Request.Context()
	ws, err := s.Programme.Field.ListWorkers(ctx, p.ID)
	if err != nil {
		s.ui.RenderError(c, err)
		return
	}
	had := map[int64]int{}
	for _, w := range ws {
		had[w.MemberID] = w.Days
	}
	listed, ticked := postedIDs(c, "kerja")
	if c.PostForm("semua") != "" {
		for _, id := range listed {
			ticked[id] = true
		}
	}
	e := fieldErrors{}
	addDays := c.PostForm("days")
	n, convErr := strconv.Atoi(strings.TrimSpace(addDays))
	if convErr != nil || n < 1 || n > 31 {
		e.add("days", "Jumlah hari kerja harus angka 1–31.")
	}
	var rows []hailurah.PadatKaryaWorker
	for _, id := range listed {
		if ticked[id] {
			rows = append(rows, hailurah.PadatKaryaWorker{MemberID: id, Days: had[id] + n})
		}
	}
	if len(rows) == 0 {
		e.add("kerja", "Centang minimal satu pekerja.")
	}
	if len(e) == 0 {
		if err := s.Programme.Participation.RecordWorkers(ctx, p.ID, rows); err != nil && !e.addErr(err) {
			s.ui.RenderError(c, err)
			return
		}
	}
	if len(e) > 0 {
		s.renderProject(c, e, ticked, addDays)
		return
	}
	s.Audit(c, "padat_karya.workers", strconv.FormatInt(p.ID, 10), strconv.Itoa(len(rows))+" pekerja × "+strconv.Itoa(n)+" hari")
	c.Redirect(http.StatusSeeOther, "/padat-karya/"+strconv.FormatInt(p.ID, 10)+"?ok=pekerja#pekerja")
}
