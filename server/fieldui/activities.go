package fieldui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/server/app"
)

// households lists the kelurahan's households to pick from, by id.
func (s *Pages) households(c *gin.Context, kel, q string) ([]*hailurah.Household, bool, error) {
	page, err := s.Programme.Households.ListHouseholds(c.Request.Context(),
		hailurah.HouseholdFilter{Kelurahan: kel, Q: q, Limit: maxPick})
	if err != nil {
		return nil, false, err
	}
	return page.Items, page.Total > len(page.Items), nil
}

// --- Pasar Rakyat ---

type bazaarRowView struct {
	ID                 int64
	Date, Place, Sales string
	Stalls             int
}

type bazaarsData struct {
	Rows     []bazaarRowView
	Form     map[string]string
	Options  []option
	Kel      string
	CanWrite bool
}

// bazaarsPage: GET /pasar-rakyat.
func (s *Pages) bazaarsPage(c *gin.Context) { s.renderBazaars(c, nil, fieldErrors{}) }

func (s *Pages) renderBazaars(c *gin.Context, form map[string]string, e fieldErrors) {
	kel, opts, err := s.kelurahan(c)
	if err != nil {
		s.ui.RenderError(c, err)
		return
	}
	list, err := s.Programme.Field.ListBazaars(c.Request.Context(), kel)
	if err != nil {
		s.ui.RenderError(c, err)
		return
	}
	d := &bazaarsData{Form: form, Options: opts, Kel: kel, CanWrite: canWrite(c)}
	if d.Form == nil {
		d.Form = map[string]string{"date": app.DateOrToday(s.Zone, s.Now())}
	}
	for _, b := range list {
		var sales int64
		for _, st := range b.Stalls {
			sales += st.Sales
		}
		d.Rows = append(d.Rows, bazaarRowView{ID: b.ID, Date: dayLabel(b.HeldOn), Place: b.Place, Stalls: len(b.Stalls),
			Sales: hailurah.FormatRupiah(sales)})
	}
	s.render(c, "field_bazaars", "Pasar Rakyat", e, d)
}

// bazaarCreate: POST /pasar-rakyat — date and place; then its stalls.
func (s *Pages) bazaarCreate(c *gin.Context) {
	kel, _, err := s.kelurahan(c)
	if err != nil {
		s.ui.RenderError(c, err)
		return
	}
	form := map[string]string{"date": c.PostForm("date"), "place": c.PostForm("place")}
	e := fieldErrors{}
	b := &hailurah.Bazaar{Kelurahan: kel, HeldOn: s.date(e, "date", form["date"], "Tanggal pasar", true), Place: form["place"],
		CreatedBy: app.UserOf(c).Username}
	if len(e) == 0 {
		e.addAll(b.FieldErrors())
	}
	if len(e) == 0 {
		if err := s.Programme.Field.CreateBazaar(c.Request.Context(), b); err != nil && !e.addErr(err) {
			s.ui.RenderError(c, err)
			return
		}
	}
	if len(e) > 0 {
		s.renderBazaars(c, form, e)
		return
	}
	s.Audit(c, "bazaar.create", strconv.FormatInt(b.ID, 10), "")
	c.Redirect(http.StatusSeeOther, "/pasar-rakyat/"+strconv.FormatInt(b.ID, 10)+"?ok=pasar")
}

type stallView struct {
	HHID, Name, RTRW, Product, Sales string
	Checked                          bool
}

type bazaarData struct {
	B                   *hailurah.Bazaar
	Date, Total         string
	Q                   string
	Stalls              []stallView
	Count               int
	CanWrite, Truncated bool
}

func (s *Pages) visibleBazaar(c *gin.Context) (*hailurah.Bazaar, error) {
	return visible(c, s.Programme.Field.FindBazaar, func(v *hailurah.Bazaar) string { return v.Kelurahan }, "Pasar rakyat")
}

// bazaarPage: GET /pasar-rakyat/{id}[?q=] — the households with a stall,
// what they sold, and the others to add.
func (s *Pages) bazaarPage(c *gin.Context) { s.renderBazaar(c, fieldErrors{}, nil) }

func (s *Pages) renderBazaar(c *gin.Context, e fieldErrors, posted map[string]stallView) {
	b, err := s.visibleBazaar(c)
	if err != nil {
		s.ui.RenderError(c, err)
		return
	}
	q := strings.TrimSpace(c.Query("q"))
	hs, truncated, err := s.households(c, b.Kelurahan, q)
	if err != nil {
		s.ui.RenderError(c, err)
		return
	}
	d := &bazaarData{B: b, Date: dayLabel(b.HeldOn), Q: q, CanWrite: canWrite(c), Truncated: truncated, Count: len(b.Stalls)}
	had := map[string]hailurah.BazaarStall{}
	var total int64
	for _, st := range b.Stalls {
		had[st.HouseholdID] = st
		total += st.Sales
	}
	d.Total = hailurah.FormatRupiah(total)
	for _, h := range hs {
		v := stallView{HHID: h.ID, Name: h.NamaKepalaKeluarga, RTRW: h.AlamatRTRW}
		if st, ok := had[h.ID]; ok {
			v.Checked, v.Product, v.Sales = true, st.Product, groupRupiah(st.Sales)
		}
		if p, ok := posted[h.ID]; ok {
			v.Checked, v.Product, v.Sales = p.Checked, p.Product, p.Sales
		}
		d.Stalls = append(d.Stalls, v)
	}
	s.render(c, "field_bazaar", "Pasar Rakyat "+d.Date, e, d)
}

// groupRupiah writes an amount as the forms take it back: "1.500.000".
func groupRupiah(v int64) string { return strings.TrimPrefix(hailurah.FormatRupiah(v), "Rp ") }

// stallsForm: POST /pasar-rakyat/{id}/lapak — every ticked household has
// a stall, with its product and sales.
func (s *Pages) stallsForm(c *gin.Context) {
	b, err := s.visibleBazaar(c)
	if err != nil {
		s.ui.RenderError(c, err)
		return
	}
	e := fieldErrors{}
	ticked := map[string]bool{}
	for _, id := range c.PostFormArray("lapak") {
		ticked[id] = true
	}
	posted := map[string]stallView{}
	var stalls []hailurah.BazaarStall
	for _, id := range c.PostFormArray("h") {
		v := stallView{Checked: ticked[id], Product: c.PostForm("produk-" + id), Sales: c.PostForm("jual-" + id)}
		posted[id] = v
		if !v.Checked {
			continue
		}
		sales := rupiah(e, "jual-"+id, v.Sales, "Penjualan lapak "+id, 0)
		stalls = append(stalls, hailurah.BazaarStall{HouseholdID: id, Product: v.Product, Sales: sales})
	}
	if len(stalls) == 0 {
		e.add("lapak", "Centang minimal satu rumah tangga yang membuka lapak.")
	}
	if len(e) == 0 {
		if err := s.Programme.Field.RecordStalls(c.Request.Context(), b.ID, stalls); err != nil && !e.addErr(err) {
			s.ui.RenderError(c, err)
			return
		}
	}
	if len(e) > 0 {
		s.renderBazaar(c, e, posted)
		return
	}
	s.Audit(c, "bazaar.stalls", strconv.FormatInt(b.ID, 10), strconv.Itoa(len(stalls))+" lapak")
	c.Redirect(http.StatusSeeOther, "/pasar-rakyat/"+strconv.FormatInt(b.ID, 10)+"?ok=lapak#lapak")
}

// --- mentoring ---

type visitView struct {
	Date, HHID, Household, Mentor, Notes, NextStep string
}

type visitsData struct {
	Rows       []visitView
	Households []option
	Form       map[string]string
	Options    []option
	Kel        string
	CanWrite   bool
}

// visitsPage: GET /pendampingan[?rumah=] — the visits and the form of a
// new one (the household preselected from its page's link).
func (s *Pages) visitsPage(c *gin.Context) {
	s.renderVisits(c, map[string]string{"household_id": c.Query("rumah"), "date": app.DateOrToday(s.Zone, s.Now())}, fieldErrors{})
}

func (s *Pages) renderVisits(c *gin.Context, form map[string]string, e fieldErrors) {
	kel, opts, err := s.kelurahan(c)
	if err != nil {
		s.ui.RenderError(c, err)
		return
	}
	list, err := s.Programme.Field.ListMentoringVisits(c.Request.Context(), kel, "")
	if err != nil {
		s.ui.RenderError(c, err)
		return
	}
	hs, err := s.householdOptions(c, kel)
	if err != nil {
		s.ui.RenderError(c, err)
		return
	}
	d := &visitsData{Form: form, Options: opts, CanWrite: canWrite(c), Households: hs, Kel: kel}
	for _, v := range list {
		d.Rows = append(d.Rows, visitView{Date: dayLabel(v.VisitedOn), HHID: v.HouseholdID, Household: v.Household, Mentor: v.Mentor,
			Notes: v.Notes, NextStep: v.NextStep})
	}
	s.render(c, "field_visits", "Pendampingan usaha", e, d)
}

// visitCreate: POST /pendampingan — household, date, mentor, notes, next
// step.
func (s *Pages) visitCreate(c *gin.Context) {
	kel, _, err := s.kelurahan(c)
	if err != nil {
		s.ui.RenderError(c, err)
		return
	}
	form := map[string]string{"household_id": c.PostForm("household_id"), "date": c.PostForm("date"), "mentor": c.PostForm("mentor"),
		"notes": c.PostForm("notes"), "next_step": c.PostForm("next_step")}
	e := fieldErrors{}
	v := &hailurah.MentoringVisit{HouseholdID: strings.TrimSpace(form["household_id"]), Mentor: form["mentor"], Notes: form["notes"],
		NextStep: form["next_step"], CreatedBy: app.UserOf(c).Username}
	v.VisitedOn = s.date(e, "visited_on", form["date"], "Tanggal kunjungan", false)
	e.addAll(v.FieldErrors())
	if len(e) == 0 {
		if h, err := s.VisibleHousehold(c, v.HouseholdID); err != nil || h.Kelurahan != kel {
			e.add("household_id", "Pilih rumah tangga dari kelurahan Anda.")
		}
	}
	if len(e) == 0 {
		if err := s.Programme.Field.AddMentoringVisit(c.Request.Context(), v); err != nil && !e.addErr(err) {
			s.ui.RenderError(c, err)
			return
		}
	}
	if len(e) > 0 {
		s.renderVisits(c, form, e)
		return
	}
	s.Audit(c, "mentoring.visit", v.HouseholdID, "")
	c.Redirect(http.StatusSeeOther, "/pendampingan?ok=kunjungan")
}
