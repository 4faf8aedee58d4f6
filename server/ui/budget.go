package ui

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/finance"
	"github.com/hailurah/hailurah/programme"
	"github.com/hailurah/hailurah/server/app"
)

type budgetLineView struct {
	Line, Label, Source, SourceLabel, Planned, Committed, Spent, PlannedInput string
	// SpentPct is the share of the plan spent, for the bar; -1 when the
	// line has nothing to compute from yet.
	SpentPct int
}

type budgetPageData struct {
	Lines                     []budgetLineView
	Planned, Committed, Spent string
	Where                     string
	CanPlan                   bool
	IsAdmin                   bool
	Kelurahan                 []option
	Chosen                    string
	Sources                   []option
}

// budgetView turns a budget into its rows.
func budgetLines(b *finance.Budget) []budgetLineView {
	var out []budgetLineView
	for _, l := range b.Lines {
		v := budgetLineView{Line: l.Line, Label: l.Label, Source: l.Source, SourceLabel: l.SourceLabel,
			Planned: hailurah.FormatRupiah(l.Planned), Committed: "—", Spent: "—", PlannedInput: hailurah.FormatRupiah(l.Planned), SpentPct: -1}
		v.PlannedInput = strings.TrimPrefix(v.PlannedInput, "Rp ")
		if l.Committed != nil {
			v.Committed, v.Spent = hailurah.FormatRupiah(*l.Committed), hailurah.FormatRupiah(*l.Spent)
			v.SpentPct = 0
			if l.Planned > 0 {
				v.SpentPct = int(min(100, *l.Spent*100/l.Planned))
			}
		}
		out = append(out, v)
	}
	return out
}

// budgetPage: GET /anggaran — planned, committed and spent per line, for
// the user's kelurahan or, for the admin, a kelurahan or the city.
func (s *UI) budgetPage(c *gin.Context) {
	s.renderBudget(c, http.StatusOK, nil)
}

func (s *UI) renderBudget(c *gin.Context, status int, fieldErrs map[string]string) {
	u := app.UserOf(c)
	ctx := c.Request.Context()
	n := s.LoadNames(ctx)
	d := &budgetPageData{IsAdmin: u.Role == hailurah.RoleAdmin, Kelurahan: kelurahanOptions(n), Chosen: c.Query("kelurahan")}
	if c.Request.Method == http.MethodPost {
		d.Chosen = c.PostForm("kelurahan")
	}
	kel, err := app.KelurahanScope(u, d.Chosen)
	if err != nil {
		s.renderError(c, err)
		return
	}
	b, err := s.Programme.Loans.Budget.FindBudget(ctx, kel)
	if err != nil {
		s.renderError(c, err)
		return
	}
	d.Lines = budgetLines(b)
	d.Planned, d.Committed, d.Spent = hailurah.FormatRupiah(b.Planned), hailurah.FormatRupiah(b.Committed), hailurah.FormatRupiah(b.Spent)
	d.Where = "seluruh kota"
	if kel != "" {
		d.Where = "Kelurahan " + n.KelurahanName(kel)
		d.CanPlan = u.Role == hailurah.RoleLurah || u.Role == hailurah.RoleAdmin
	}
	for _, src := range []string{finance.SourceAPBD, finance.SourceCSR, finance.SourceDanaBergulir} {
		d.Sources = append(d.Sources, option{src, finance.BudgetSourceLabel(src)})
	}
	s.renderPage(c, status, "programme_budget", pageData{Title: "Anggaran program", Flash: loanFlash[c.Query("ok")], FieldErrors: fieldErrs, Data: d, Wide: true})
}

// budgetForm: POST /anggaran — the lurah's or admin's plan of every line
// at once; each bad amount is named beside its line.
func (s *UI) budgetForm(c *gin.Context) {
	u := app.UserOf(c)
	kel, err := app.KelurahanScope(u, c.PostForm("kelurahan"))
	if err == nil && kel == "" {
		err = hailurah.FieldErrorf("kelurahan", "Pilih kelurahan yang anggarannya direncanakan.")
	}
	if err != nil {
		s.renderError(c, err)
		return
	}
	type plan struct {
		line, source string
		amount       int64
	}
	var plans []plan
	fieldErrs := map[string]string{}
	for _, d := range finance.SeedBudget {
		amount, err := programme.ParseRupiah(c.PostForm("planned_" + d.Line))
		if err != nil {
			fieldErrs[d.Line] = "Rencana " + d.Label + " tidak sah: tulis seperti 35.000.000."
			continue
		}
		plans = append(plans, plan{d.Line, c.PostForm("source_" + d.Line), amount})
	}
	if len(fieldErrs) > 0 {
		s.renderBudget(c, http.StatusUnprocessableEntity, fieldErrs)
		return
	}
	ctx := c.Request.Context()
	for _, p := range plans {
		if err := s.Programme.Loans.Budget.SetBudgetLine(ctx, kel, p.line, p.source, p.amount, u.Username); err != nil {
			if hailurah.ErrorCode(err) == hailurah.EINVALID {
				fieldErrs[p.line] = hailurah.ErrorMessage(err)
				continue
			}
			s.renderError(c, err)
			return
		}
	}
	if len(fieldErrs) > 0 {
		s.renderBudget(c, http.StatusUnprocessableEntity, fieldErrs)
		return
	}
	s.Audit(c, "budget.plan", kel, "")
	q := url.Values{"ok": {"anggaran"}}
	if u.Role == hailurah.RoleAdmin {
		q.Set("kelurahan", kel)
	}
	c.Redirect(http.StatusSeeOther, "/anggaran?"+q.Encode()+"#pos")
}

// publicBudget is the /data page's summary: planned against spent per
// line, for the kelurahan shown or the city; nil without the programme.
func (s *UI) publicBudget(c *gin.Context, kelurahan string) *budgetPageData {
	if s.Programme == nil || s.Programme.Loans == nil {
		return nil
	}
	b, err := s.Programme.Loans.Budget.FindBudget(c.Request.Context(), kelurahan)
	if err != nil || b.Planned == 0 {
		return nil
	}
	return &budgetPageData{Lines: budgetLines(b), Planned: hailurah.FormatRupiah(b.Planned), Spent: hailurah.FormatRupiah(b.Spent),
		Committed: hailurah.FormatRupiah(b.Committed)}
}
