package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/finance"
	"github.com/hailurah/hailurah/programme"
	"github.com/hailurah/hailurah/server/app"
)

// loanRoutes registers the dana bergulir and the budget.
func (s *API) loanRoutes(api *gin.RouterGroup) {
	readers := app.RequireRole(hailurah.RoleFasilitator, hailurah.RoleLurah, hailurah.RoleAdmin)
	api.POST("/loans", s.RequireStaff, app.RequireRole(hailurah.RoleFasilitator, hailurah.RoleLurah), s.apiApplyLoan)
	api.GET("/loans", s.RequireStaff, readers, s.apiLoans)
	api.POST("/loans/fund", s.RequireStaff, app.RequireRole(hailurah.RoleLurah, hailurah.RoleAdmin), s.apiAddToFund)
	api.GET("/loans/:id", s.RequireStaff, readers, s.apiLoan)
	api.POST("/loans/:id/actions", s.RequireStaff, readers, s.apiLoanAction)
	api.GET("/budget", s.RequireStaff, readers, s.apiBudget)
	api.PUT("/budget/lines/:line", s.RequireStaff, app.RequireRole(hailurah.RoleLurah, hailurah.RoleAdmin), s.apiSetBudgetLine)
}

type applyLoanBody struct {
	HouseholdID string         `json:"household_id"`
	Amount      app.RupiahJSON `json:"amount"`
	Months      int            `json:"months"`
	Purpose     string         `json:"purpose"`
	Phone       string         `json:"phone"`
}

// loanAmount reads an amount the way people write it; an amount
// that cannot be read counts as missing, so every field is judged at once.
func loanAmount(r app.RupiahJSON) int64 {
	v, err := r.Amount("amount")
	if err != nil || v == nil {
		return 0
	}
	return *v
}

// apiApplyLoan: POST /api/v1/loans → 201 {"id","status"}.
func (s *API) apiApplyLoan(c *gin.Context) {
	var body applyLoanBody
	if err := app.BindJSON(c, &body); err != nil {
		app.Fail(c, err)
		return
	}
	l, err := s.ApplyLoan(c, finance.LoanApplication{HouseholdID: strings.TrimSpace(body.HouseholdID), Amount: loanAmount(body.Amount),
		Months: body.Months, Purpose: body.Purpose, Phone: body.Phone})
	if err != nil {
		app.Fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"id": l.ID, "status": l.Status})
}

// kelurahanOf is the kelurahan a list or the fund is about: the user's,
// or for the admin the one named.
func kelurahanOf(c *gin.Context) (string, error) {
	k, err := app.KelurahanScope(app.UserOf(c), c.Query("kelurahan"))
	if err == nil && k == "" {
		err = hailurah.FieldErrorf("kelurahan", "Parameter kelurahan wajib diisi.")
	}
	return k, err
}

// apiLoans: GET /api/v1/loans?kelurahan= — the loans and the fund.
func (s *API) apiLoans(c *gin.Context) {
	k, err := kelurahanOf(c)
	if err != nil {
		app.Fail(c, err)
		return
	}
	ctx := c.Request.Context()
	loans, err := s.Programme.Loans.Store.ListLoans(ctx, finance.LoanFilter{Kelurahan: k})
	if err != nil {
		app.Fail(c, err)
		return
	}
	fund, err := s.Programme.Loans.Store.FindLoanFund(ctx, k)
	if err != nil {
		app.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"loans": loans, "fund": fund})
}

// apiAddToFund: POST /api/v1/loans/fund {"kelurahan","amount"} — capital
// into the revolving fund (the lurah's own kelurahan, the admin's named).
func (s *API) apiAddToFund(c *gin.Context) {
	var body struct {
		Kelurahan string         `json:"kelurahan"`
		Amount    app.RupiahJSON `json:"amount"`
	}
	if err := app.BindJSON(c, &body); err != nil {
		app.Fail(c, err)
		return
	}
	k, err := app.KelurahanScope(app.UserOf(c), body.Kelurahan)
	if err == nil && k == "" {
		err = hailurah.FieldErrorf("kelurahan", "Kelurahan wajib diisi.")
	}
	if err != nil {
		app.Fail(c, err)
		return
	}
	fund, err := s.Programme.Loans.Store.AddToLoanFund(c.Request.Context(), k, loanAmount(body.Amount))
	if err != nil {
		app.Fail(c, err)
		return
	}
	s.Audit(c, "loan.fund", k, app.ProgrammeAudit(map[string]any{"amount": loanAmount(body.Amount)}))
	c.JSON(http.StatusOK, fund)
}

// loanJSON is a loan with its labels and timeline.
type loanJSON struct {
	*finance.Loan
	StatusLabel string          `json:"status_label"`
	Outstanding int64           `json:"outstanding"`
	Timeline    []loanEventJSON `json:"timeline"`
}

type loanEventJSON struct {
	*finance.LoanEvent
	Label string `json:"label"`
}

// apiLoan: GET /api/v1/loans/{id} — the loan with "schedule".
func (s *API) apiLoan(c *gin.Context) {
	l, err := s.VisibleLoan(c, c.Param("id"))
	if err != nil {
		app.Fail(c, err)
		return
	}
	events, err := s.Programme.Loans.Store.ListLoanEvents(c.Request.Context(), l.ID)
	if err != nil {
		app.Fail(c, err)
		return
	}
	out := loanJSON{Loan: l, StatusLabel: l.Status.Label(), Outstanding: l.Outstanding(), Timeline: []loanEventJSON{}}
	for _, e := range events {
		out.Timeline = append(out.Timeline, loanEventJSON{LoanEvent: e, Label: app.LoanEventLabel(e.Type)})
	}
	c.JSON(http.StatusOK, out)
}

type loanActionBody struct {
	Action    string         `json:"action"`
	Notes     string         `json:"notes"`
	Reason    string         `json:"reason"`
	Reference string         `json:"reference"`
	Amount    app.RupiahJSON `json:"amount"`
	PaidOn    string         `json:"paid_on"`
	Key       string         `json:"key"`
}

// apiLoanAction: POST /api/v1/loans/{id}/actions — approve, reject,
// disburse {"reference"}, repay {"amount","paid_on","key"} (or the
// Idempotency-Key header as the key).
func (s *API) apiLoanAction(c *gin.Context) {
	l, err := s.VisibleLoan(c, c.Param("id"))
	if err != nil {
		app.Fail(c, err)
		return
	}
	var body loanActionBody
	if err := app.BindJSON(c, &body); err != nil {
		app.Fail(c, err)
		return
	}
	req := finance.LoanActionRequest{Action: body.Action, Notes: body.Notes, Reason: body.Reason,
		Reference: strings.TrimSpace(body.Reference), Amount: loanAmount(body.Amount), IdempotencyKey: strings.TrimSpace(body.Key)}
	if req.PaidOn, err = paidOnOf(body.PaidOn); err != nil {
		app.Fail(c, err)
		return
	}
	out, err := s.ActLoan(c, l, req)
	if app.AnswerPending(c, err) {
		return
	}
	if err != nil {
		app.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, loanJSON{Loan: out, StatusLabel: out.Status.Label(), Outstanding: out.Outstanding()})
}

// paidOnOf reads a payment's date ("2026-08-01" or "01-08-2026"); nil
// when absent.
func paidOnOf(s string) (*time.Time, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	d, err := programme.ParseDate(s)
	if err != nil {
		return nil, hailurah.FieldErrorf("paid_on", "Tanggal pembayaran %s.", err)
	}
	return &d, nil
}

// apiBudget: GET /api/v1/budget?kelurahan= — planned, committed and spent
// per line; the admin without a kelurahan gets the city.
func (s *API) apiBudget(c *gin.Context) {
	k, err := app.KelurahanScope(app.UserOf(c), c.Query("kelurahan"))
	if err != nil {
		app.Fail(c, err)
		return
	}
	b, err := s.Programme.Loans.Budget.FindBudget(c.Request.Context(), k)
	if err != nil {
		app.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, b)
}

// apiSetBudgetLine: PUT /api/v1/budget/lines/{line} {"kelurahan","source","planned"}.
func (s *API) apiSetBudgetLine(c *gin.Context) {
	var body struct {
		Kelurahan string         `json:"kelurahan"`
		Source    string         `json:"source"`
		Planned   app.RupiahJSON `json:"planned"`
	}
	if err := app.BindJSON(c, &body); err != nil {
		app.Fail(c, err)
		return
	}
	u := app.UserOf(c)
	k, err := app.KelurahanScope(u, body.Kelurahan)
	if err == nil && k == "" {
		err = hailurah.FieldErrorf("kelurahan", "Kelurahan wajib diisi.")
	}
	if err != nil {
		app.Fail(c, err)
		return
	}
	planned, err := body.Planned.Amount("planned")
	if err == nil && planned == nil {
		err = hailurah.FieldErrorf("planned", "Rencana anggaran wajib diisi.")
	}
	if err != nil {
		app.Fail(c, err)
		return
	}
	ctx := c.Request.Context()
	if err := s.Programme.Loans.Budget.SetBudgetLine(ctx, k, c.Param("line"), body.Source, *planned, u.Username); err != nil {
		app.Fail(c, err)
		return
	}
	s.Audit(c, "budget.plan", k+"/"+c.Param("line"), app.ProgrammeAudit(map[string]any{"planned": *planned, "source": body.Source}))
	b, err := s.Programme.Loans.Budget.FindBudget(ctx, k)
	if err != nil {
		app.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, b)
}
