package ui

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/finance"
	"github.com/hailurah/hailurah/programme"
	"github.com/hailurah/hailurah/server/app"
)

// loanPages registers the dana bergulir and budget forms; their GET pages
// are the role homes /dana-bergulir and /anggaran.
func (s *UI) loanPages(r *gin.Engine) {
	staff := r.Group("", s.requireStaffPage)
	readers := s.requireRolePage(hailurah.RoleFasilitator, hailurah.RoleLurah, hailurah.RoleAdmin)
	staff.POST("/dana-bergulir", s.requireRolePage(hailurah.RoleFasilitator, hailurah.RoleLurah), s.loanApplyForm)
	staff.GET("/dana-bergulir/:id", readers, s.loanPage)
	staff.POST("/dana-bergulir/:id/aksi", readers, s.loanActionForm)
	staff.POST("/anggaran", s.requireRolePage(hailurah.RoleLurah, hailurah.RoleAdmin), s.budgetForm)
}

var loanFlash = map[string]string{
	okPending:                  pendingFlash,
	"diajukan":                 "Pengajuan pinjaman dikirim; menunggu persetujuan Lurah.",
	finance.LoanActionApprove:  "Pinjaman disetujui; menunggu pencairan.",
	finance.LoanActionReject:   "Pinjaman ditolak; dana dikembalikan ke saldo.",
	finance.LoanActionDisburse: "Pencairan dicatat; jadwal cicilan dimulai.",
	finance.LoanActionRepay:    "Pembayaran cicilan dicatat dan kembali ke saldo dana bergulir.",
	"anggaran":                 "Rencana anggaran disimpan.",
}

type loanRowView struct {
	ID, Household, Amount, Months, StatusLabel, StatusClass, Applied, Outstanding string
}

type fundView struct {
	Balance, Committed, Outstanding, Repaid string
}

type loanListData struct {
	Rows       []loanRowView
	Fund       *fundView
	CanApply   bool
	Households []option
	Form       map[string]string
	IsAdmin    bool
	Kelurahan  []option
	Chosen     string
}

func loanStatusClass(st finance.LoanStatus) string {
	switch st {
	case finance.LoanArrears:
		return "breach"
	case finance.LoanRejected:
		return "st-final"
	case finance.LoanPaid:
		return "st-done"
	case finance.LoanApplied, finance.LoanApproved:
		return "st-wait"
	}
	return "st-open"
}

// loanListPage: GET /dana-bergulir — the kelurahan's loans, its fund and
// the application form.
func (s *UI) loanListPage(c *gin.Context) {
	s.renderLoanList(c, http.StatusOK, nil, nil)
}

func (s *UI) renderLoanList(c *gin.Context, status int, form, fieldErrs map[string]string) {
	u := app.UserOf(c)
	ctx := c.Request.Context()
	n := s.LoadNames(ctx)
	d := &loanListData{IsAdmin: u.Role == hailurah.RoleAdmin, Kelurahan: kelurahanOptions(n), Chosen: c.Query("kelurahan"), Form: form,
		CanApply: u.Role == hailurah.RoleFasilitator || u.Role == hailurah.RoleLurah}
	if d.Form == nil {
		d.Form = map[string]string{"months": "10"}
	}
	kel, err := app.KelurahanScope(u, d.Chosen)
	if err != nil {
		s.renderError(c, err)
		return
	}
	if kel != "" {
		loans, err := s.Programme.Loans.Store.ListLoans(ctx, finance.LoanFilter{Kelurahan: kel})
		if err != nil {
			s.renderError(c, err)
			return
		}
		for _, l := range loans {
			d.Rows = append(d.Rows, loanRowView{ID: l.ID, Household: l.HouseholdName + " (" + l.HouseholdID + ")",
				Amount: hailurah.FormatRupiah(l.Amount), Months: strconv.Itoa(l.Months) + " bulan", StatusLabel: l.Status.Label(),
				StatusClass: loanStatusClass(l.Status), Applied: formatWaktu(s.Zone, l.AppliedAt), Outstanding: hailurah.FormatRupiah(l.Outstanding())})
		}
		if f, err := s.Programme.Loans.Store.FindLoanFund(ctx, kel); err == nil {
			d.Fund = &fundView{Balance: hailurah.FormatRupiah(f.Balance), Committed: hailurah.FormatRupiah(f.Committed),
				Outstanding: hailurah.FormatRupiah(f.Outstanding), Repaid: hailurah.FormatRupiah(f.Repaid)}
		}
		if d.CanApply {
			page, err := s.Programme.Households.ListHouseholds(ctx, hailurah.HouseholdFilter{Kelurahan: kel, Limit: 500})
			if err != nil {
				s.renderError(c, err)
				return
			}
			for _, h := range page.Items {
				d.Households = append(d.Households, option{h.ID, h.NamaKepalaKeluarga + " (" + h.ID + ")"})
			}
		}
	}
	s.renderPage(c, status, "programme_loans", pageData{Title: "Dana bergulir", Flash: loanFlash[c.Query("ok")], FieldErrors: fieldErrs, Data: d})
}

// loanApplyForm: POST /dana-bergulir — an application; every bad field is
// shown at once beside it.
func (s *UI) loanApplyForm(c *gin.Context) {
	form := map[string]string{}
	for _, k := range []string{"household_id", "amount", "months", "purpose", "phone"} {
		form[k] = strings.TrimSpace(c.PostForm(k))
	}
	months, _ := strconv.Atoi(form["months"])
	var amount int64
	if v, err := programme.ParseRupiah(form["amount"]); err == nil {
		amount = v
	}
	l, err := s.ApplyLoan(c, finance.LoanApplication{HouseholdID: form["household_id"], Amount: amount, Months: months,
		Purpose: form["purpose"], Phone: form["phone"]})
	if err != nil {
		if hailurah.ErrorCode(err) == hailurah.EINTERNAL {
			s.renderError(c, err)
			return
		}
		fields := finance.ErrorFields(err)
		if fields == nil {
			fields = map[string]string{"household_id": hailurah.ErrorMessage(err)}
		}
		s.renderLoanList(c, app.ErrorStatus(err), form, fields)
		return
	}
	c.Redirect(http.StatusSeeOther, "/dana-bergulir/"+url.PathEscape(l.ID)+"?ok=diajukan")
}

type instalmentView struct {
	N                    int
	Due, Amount, Paid    string
	State, StateClass    string
	Settled, Overdue, Up bool
}

type loanPageData struct {
	L           *finance.Loan
	Row         loanRowView
	Kelurahan   string
	Schedule    []instalmentView
	Timeline    []grantEventView
	Can         map[string]bool
	Any         bool
	Refused     string
	FormOf      string
	Form        map[string]string
	Today       string
	NextAmount  string
	Outstanding string
	Repaid      string
}

// loanOffered is whether the page offers a form: the domain's rules of
// role and status.
func loanOffered(u *hailurah.User, l *finance.Loan, action string) bool {
	req := finance.LoanActionRequest{Action: action, Actor: hailurah.ActorOf(u)}
	return req.Authorize(l.Kelurahan) == nil && finance.LoanActionAllowedIn(action, l.Status) &&
		!(action == finance.LoanActionDisburse && l.Status != finance.LoanApproved) &&
		!(action == finance.LoanActionRepay && l.Status == finance.LoanPaid)
}

// loanPage: GET /dana-bergulir/{id}.
func (s *UI) loanPage(c *gin.Context) {
	s.renderLoan(c, http.StatusOK, "", nil, "")
}

func (s *UI) renderLoan(c *gin.Context, status int, formOf string, form map[string]string, refused string) {
	l, err := s.VisibleLoan(c, c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	ctx := c.Request.Context()
	events, err := s.Programme.Loans.Store.ListLoanEvents(ctx, l.ID)
	if err != nil {
		s.renderError(c, err)
		return
	}
	u := app.UserOf(c)
	n := s.LoadNames(ctx)
	now := s.Now()
	d := &loanPageData{L: l, Kelurahan: n.KelurahanName(l.Kelurahan), Can: map[string]bool{}, Refused: refused, FormOf: formOf, Form: form,
		Today: s.Zone.In(now).Format("2006-01-02"), Outstanding: hailurah.FormatRupiah(l.Outstanding()), Repaid: hailurah.FormatRupiah(l.Repaid),
		Row: loanRowView{ID: l.ID, Household: l.HouseholdName + " (" + l.HouseholdID + ")", Amount: hailurah.FormatRupiah(l.Amount),
			Months: strconv.Itoa(l.Months) + " bulan", StatusLabel: l.Status.Label(), StatusClass: loanStatusClass(l.Status),
			Applied: formatWaktu(s.Zone, l.AppliedAt)}}
	if d.Form == nil {
		d.Form = map[string]string{}
	}
	for _, a := range []string{finance.LoanActionApprove, finance.LoanActionReject, finance.LoanActionDisburse, finance.LoanActionRepay} {
		d.Can[a] = loanOffered(u, l, a)
		d.Any = d.Any || d.Can[a]
	}
	next := true
	for _, x := range l.Schedule {
		v := instalmentView{N: x.N, Due: formatTanggal(s.Zone.In(x.Due)), Amount: hailurah.FormatRupiah(x.Amount), Paid: hailurah.FormatRupiah(x.Paid),
			Settled: x.Settled(), Overdue: x.Overdue && !x.Settled()}
		switch {
		case v.Settled:
			v.State, v.StateClass = "Lunas", "st-done"
		case v.Overdue:
			v.State, v.StateClass = "Menunggak", "breach"
		case x.Due.Before(now):
			v.State, v.StateClass = "Jatuh tempo", "st-wait"
		default:
			v.State, v.StateClass = "Belum jatuh tempo", "flag"
		}
		if !v.Settled && next {
			v.Up, next = true, false
			d.NextAmount = strconv.FormatInt(x.Amount-x.Paid, 10)
		}
		d.Schedule = append(d.Schedule, v)
	}
	people := map[string]string{}
	for _, e := range events {
		change := ""
		if e.From != "" && e.From != e.To {
			change = e.From.Label() + " → " + e.To.Label()
		}
		actor := "Sistem"
		if e.Actor != hailurah.ActorSystem {
			actor = s.personName(c, people, e.Actor)
		}
		d.Timeline = append(d.Timeline, grantEventView{At: formatWaktu(s.Zone, e.At), Label: app.LoanEventLabel(e.Type), Actor: actor, Change: change, Note: e.Note})
	}
	s.renderPage(c, status, "programme_loan", pageData{Title: "Pinjaman " + l.ID, Flash: loanFlash[c.Query("ok")], Data: d})
}

// personName is a staff member's name for a username, the username when
// the account is gone.
func (s *UI) personName(c *gin.Context, names map[string]string, username string) string {
	if name, ok := names[username]; ok {
		return name
	}
	names[username] = username
	if u, err := s.Users.FindUserByUsername(c.Request.Context(), username); err == nil && u.Name != "" {
		names[username] = u.Name
	}
	return names[username]
}

// loanActionForm: POST /dana-bergulir/{id}/aksi — approve, reject,
// disburse and repay; the repayment's key is the form's idempotency key.
func (s *UI) loanActionForm(c *gin.Context) {
	l, err := s.VisibleLoan(c, c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	action := c.PostForm("action")
	form := map[string]string{"reason": c.PostForm("reason"), "reference": c.PostForm("reference"), "amount": c.PostForm("amount"),
		"paid_on": c.PostForm("paid_on"), "notes": c.PostForm("notes")}
	req := finance.LoanActionRequest{Action: action, Reason: form["reason"], Reference: strings.TrimSpace(form["reference"]), Notes: form["notes"]}
	if action == finance.LoanActionRepay {
		if v, err := programme.ParseRupiah(form["amount"]); err == nil {
			req.Amount = v
		}
		if strings.TrimSpace(form["paid_on"]) != "" {
			if d, err := programme.ParseDate(form["paid_on"]); err == nil {
				req.PaidOn = &d
			}
		}
	}
	if action != finance.LoanActionRepay && c.PostForm("confirm") != "ya" {
		s.renderLoan(c, http.StatusUnprocessableEntity, action, form, "Centang kotak konfirmasi dulu: langkah ini tidak dapat dibatalkan.")
		return
	}
	_, err = s.ActLoan(c, l, req)
	if hailurah.ErrorCode(err) == hailurah.EPENDING {
		c.Redirect(http.StatusSeeOther, "/dana-bergulir/"+url.PathEscape(l.ID)+"?ok="+okPending)
		return
	}
	if err != nil {
		if hailurah.ErrorCode(err) == hailurah.EINTERNAL {
			s.renderError(c, err)
			return
		}
		s.renderLoan(c, app.ErrorStatus(err), action, form, hailurah.ErrorMessage(err))
		return
	}
	c.Redirect(http.StatusSeeOther, "/dana-bergulir/"+url.PathEscape(l.ID)+"?ok="+url.QueryEscape(action)+"#jadwal")
}
