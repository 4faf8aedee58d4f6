package fieldui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/server/app"
)

// maxPick bounds the members a session page lists to pick from.
const maxPick = 300

type trainingRowView struct {
	ID                          int64
	Title, Topic, Trainer, Date string
	Certifying                  bool
	Attended, Certified         int
}

type trainingsData struct {
	Rows     []trainingRowView
	Form     map[string]string
	Kel      string
	Options  []option
	CanWrite bool
	Today    string
}

// trainingsPage: GET /pelatihan — the sessions and the form of a new one.
func (s *Pages) trainingsPage(c *gin.Context) { s.renderTrainings(c, nil, fieldErrors{}) }

func (s *Pages) renderTrainings(c *gin.Context, form map[string]string, e fieldErrors) {
	kel, opts, err := s.kelurahan(c)
	if err != nil {
		s.ui.RenderError(c, err)
		return
	}
	ctx := c.Request.Context()
	list, err := s.Programme.Participation.ListTrainings(ctx, kel)
	if err != nil {
		s.ui.RenderError(c, err)
		return
	}
	d := &trainingsData{Form: form, Kel: kel, Options: opts, CanWrite: canWrite(c), Today: app.DateOrToday(s.Zone, s.Now())}
	if d.Form == nil {
		d.Form = map[string]string{}
	}
	if d.Form["date"] == "" {
		d.Form["date"] = d.Today
	}
	for _, t := range list {
		v := trainingRowView{ID: t.ID, Title: t.Title, Topic: t.Topic, Trainer: t.Trainer, Date: dayLabel(t.HeldOn), Certifying: t.Certifying}
		att, err := s.Programme.Field.ListAttendance(ctx, t.ID)
		if err != nil {
			s.ui.RenderError(c, err)
			return
		}
		for _, a := range att {
			if a.Attended {
				v.Attended++
			}
			if a.Certified {
				v.Certified++
			}
		}
		d.Rows = append(d.Rows, v)
	}
	s.render(c, "field_trainings", "Pelatihan", e, d)
}

// trainingCreate: POST /pelatihan — topic, trainer, date; then the
// session's page to record who came.
func (s *Pages) trainingCreate(c *gin.Context) {
	kel, _, err := s.kelurahan(c)
	if err != nil {
		s.ui.RenderError(c, err)
		return
	}
	form := map[string]string{"title": c.PostForm("title"), "topic": c.PostForm("topic"), "trainer": c.PostForm("trainer"),
		"date": c.PostForm("date"), "certifying": c.PostForm("certifying")}
	e := fieldErrors{}
	if strings.TrimSpace(form["title"]) == "" {
		e.add("title", "Judul pelatihan wajib diisi, misalnya \"Pemasaran lewat WhatsApp Bisnis\".")
	}
	if strings.TrimSpace(form["trainer"]) == "" {
		e.add("trainer", "Nama pelatih wajib diisi.")
	}
	held := s.date(e, "date", form["date"], "Tanggal pelatihan", true)
	t := &hailurah.Training{Kelurahan: kel, Title: form["title"], Topic: form["topic"], Trainer: form["trainer"], HeldOn: held,
		Certifying: form["certifying"] != "", CreatedBy: app.UserOf(c).Username}
	if len(e) == 0 {
		if err := s.Programme.Participation.CreateTraining(c.Request.Context(), t); err != nil && !e.addErr(err) {
			s.ui.RenderError(c, err)
			return
		}
	}
	if len(e) > 0 {
		s.renderTrainings(c, form, e)
		return
	}
	s.Audit(c, "training.create", strconv.FormatInt(t.ID, 10), "")
	c.Redirect(http.StatusSeeOther, "/pelatihan/"+strconv.FormatInt(t.ID, 10)+"?ok=pelatihan")
}

type pickView struct {
	ID                    int64
	Name, Household, HHID string
	RTRW, Gender          string
	Age                   int
	Checked, Certified    bool
	Recorded              bool
	Days                  int
}

type trainingData struct {
	T         *hailurah.Training
	Date      string
	Q         string
	Picks     []pickView
	Attended  int
	Certified int
	CanWrite  bool
	Truncated bool
}

// trainingPage: GET /pelatihan/{id}[?q=] — who came: every member of the
// kelurahan's households (or those matching q), ticked when recorded.
func (s *Pages) trainingPage(c *gin.Context) { s.renderTraining(c, fieldErrors{}, nil) }

func (s *Pages) visibleTraining(c *gin.Context) (*hailurah.Training, error) {
	return visible(c, s.Programme.Participation.FindTraining, func(v *hailurah.Training) string { return v.Kelurahan }, "Pelatihan")
}

// pickMembers are the members of kelurahan a page offers to tick: those
// matching the search q (from the address, or the form that was posted),
// at most maxPick.
func (s *Pages) pickMembers(c *gin.Context, kelurahan string) (string, []*hailurah.MemberPick, error) {
	q := strings.TrimSpace(c.Query("q"))
	if v := c.PostForm("q"); v != "" {
		q = v
	}
	members, err := s.Programme.Field.SearchMembers(c.Request.Context(), kelurahan, q, maxPick)
	return q, members, err
}

func (s *Pages) renderTraining(c *gin.Context, e fieldErrors, posted map[int64]pickView) {
	t, err := s.visibleTraining(c)
	if err != nil {
		s.ui.RenderError(c, err)
		return
	}
	ctx := c.Request.Context()
	att, err := s.Programme.Field.ListAttendance(ctx, t.ID)
	if err != nil {
		s.ui.RenderError(c, err)
		return
	}
	q, members, err := s.pickMembers(c, t.Kelurahan)
	if err != nil {
		s.ui.RenderError(c, err)
		return
	}
	recorded := map[int64]*hailurah.AttendanceRow{}
	d := &trainingData{T: t, Date: dayLabel(t.HeldOn), Q: q, CanWrite: canWrite(c), Truncated: len(members) == maxPick}
	for _, a := range att {
		recorded[a.MemberID] = a
		if a.Attended {
			d.Attended++
		}
		if a.Certified {
			d.Certified++
		}
	}
	for _, m := range members {
		p := pick(m)
		if a := recorded[m.ID]; a != nil {
			p.Recorded, p.Checked, p.Certified = true, a.Attended, a.Certified
		}
		if v, ok := posted[m.ID]; ok {
			p.Checked, p.Certified = v.Checked, v.Certified
		}
		d.Picks = append(d.Picks, p)
	}
	s.render(c, "field_training", "Pelatihan "+t.Title, e, d)
}

func pick(m *hailurah.MemberPick) pickView {
	g := "Perempuan"
	if m.Gender == hailurah.GenderLakiLaki {
		g = "Laki-laki"
	}
	return pickView{ID: m.ID, Name: m.Name, Household: m.Household, HHID: m.HouseholdID, RTRW: m.RTRW, Gender: g, Age: m.Age}
}

// postedIDs reads the member ids the page listed ("m") and which of them
// a checkbox named name ticked.
func postedIDs(c *gin.Context, name string) (listed []int64, ticked map[int64]bool) {
	ticked = map[int64]bool{}
	for _, v := range c.PostFormArray(name) {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			ticked[id] = true
		}
	}
	for _, v := range c.PostFormArray("m") {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			listed = append(listed, id)
		}
	}
	return listed, ticked
}

// attendanceForm: POST /pelatihan/{id}/hadir — the ticked members came
// (all listed ones with "semua"); a member recorded before and now
// unticked is recorded as absent.
func (s *Pages) attendanceForm(c *gin.Context) {
	t, err := s.visibleTraining(c)
	if err != nil {
		s.ui.RenderError(c, err)
		return
	}
	ctx := c.Request.Context()
	att, err := s.Programme.Field.ListAttendance(ctx, t.ID)
	if err != nil {
		s.ui.RenderError(c, err)
		return
	}
	before := map[int64]bool{}
	for _, a := range att {
		before[a.MemberID] = true
	}
	listed, came := postedIDs(c, "hadir")
	_, cert := postedIDs(c, "sertifikat")
	all := c.PostForm("semua") != ""
	e := fieldErrors{}
	posted := map[int64]pickView{}
	var rows []hailurah.TrainingAttendance
	for _, id := range listed {
		attended := came[id] || all
		posted[id] = pickView{Checked: attended, Certified: cert[id]}
		if cert[id] && !attended {
			e.add("sertifikat", "Sertifikat hanya untuk peserta yang hadir: centang juga kehadirannya.")
		}
		if cert[id] && !t.Certifying {
			e.add("sertifikat", "Pelatihan ini tidak bersertifikat.")
		}
		if attended || before[id] {
			rows = append(rows, hailurah.TrainingAttendance{MemberID: id, Attended: attended, Certified: cert[id] && attended})
		}
	}
	if len(rows) == 0 {
		e.add("hadir", "Centang minimal satu peserta yang hadir.")
	}
	if len(e) == 0 {
		if err := s.Programme.Participation.RecordAttendance(ctx, t.ID, rows); err != nil && !e.addErr(err) {
			s.ui.RenderError(c, err)
			return
		}
	}
	if len(e) > 0 {
		s.renderTraining(c, e, posted)
		return
	}
	s.Audit(c, "training.attendance", strconv.FormatInt(t.ID, 10), strconv.Itoa(len(rows))+" anggota")
	c.Redirect(http.StatusSeeOther, "/pelatihan/"+strconv.FormatInt(t.ID, 10)+"?ok=hadir#hadir")
}
