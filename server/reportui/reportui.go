// Package reportui is the reports page: the reports to Kecamatan and
// Baperida the monthly schedule made and kept, to download, and a form that
// makes one now. It renders through package ui's layout; it lives here to
// keep ui within its size bound.
package reportui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/server/app"
	"github.com/hailurah/hailurah/server/ui"
)

// Pages serves the reports page through ui's layout and app's services.
type Pages struct {
	*app.App
	ui *ui.UI
}

// New returns the reports page of u.
func New(u *ui.UI) *Pages { return &Pages{App: u.App, ui: u} }

// Routes registers the reports page; without the reports' store there is
// none.
func (s *Pages) Routes(r *gin.Engine) {
	if s.Reports == nil {
		return
	}
	staff := r.Group("", s.ui.RequireStaffPage, s.ui.RequireRolePage(app.ReportRoles...))
	staff.GET("/laporan", s.reportsPage)
	staff.GET("/laporan/buat", s.reportMakeForm)
	staff.GET("/laporan/berkas/:id", s.reportFile)
}

// storedReport is one report on the page, with its files.
type storedReport struct {
	Title, Period, Place, MadeAt string
	Files                        []reportFile
}

type reportFile struct {
	Label string
	URL   string
}

type option struct{ Value, Label string }

type reportsData struct {
	Reports   []storedReport
	Form      map[string]string
	Kinds     []option
	Kelurahan []option
	Admin     bool
}

func (s *Pages) reportsPage(c *gin.Context) {
	s.renderReports(c, http.StatusOK, nil, nil)
}

func (s *Pages) renderReports(c *gin.Context, status int, form, errs map[string]string) {
	ctx := c.Request.Context()
	u := app.UserOf(c)
	stored, err := s.Reports.Store.ListReports(ctx, app.ReportFilterFor(u))
	if err != nil {
		s.ui.RenderError(c, err)
		return
	}
	n := s.LoadNames(ctx)
	d := reportsData{Form: form, Admin: u.Role == hailurah.RoleAdmin}
	if d.Form == nil {
		d.Form = map[string]string{"period": hailurah.PreviousMonth(s.Zone, s.Now()).String(), "format": hailurah.ReportPDF}
	}
	for _, k := range hailurah.ReportKinds {
		d.Kinds = append(d.Kinds, option{Value: k, Label: hailurah.ReportKindLabel(k)})
	}
	if d.Admin {
		d.Kelurahan = append(d.Kelurahan, option{Value: "", Label: "Seluruh kota"})
		kels, err := s.Kelurahan.ListKelurahan(ctx)
		if err != nil {
			s.ui.RenderError(c, err)
			return
		}
		for _, k := range kels {
			d.Kelurahan = append(d.Kelurahan, option{Value: k.Code, Label: "Kel. " + k.Name})
		}
	}
	// One entry per report, its PDF and CSV together.
	index := map[string]int{}
	for _, r := range stored {
		key := r.Kind + "/" + r.Period + "/" + r.Kelurahan
		i, ok := index[key]
		if !ok {
			place := "Seluruh kota"
			if r.Kelurahan != "" {
				place = "Kel. " + n.KelurahanName(r.Kelurahan)
			}
			label := r.Period
			if p, err := hailurah.ParseReportPeriod(r.Period); err == nil {
				label = p.Label()
			}
			d.Reports = append(d.Reports, storedReport{Title: hailurah.ReportKindLabel(r.Kind), Period: label, Place: place,
				MadeAt: ui.FormatWaktu(s.Zone, r.MadeAt)})
			i = len(d.Reports) - 1
			index[key] = i
		}
		d.Reports[i].Files = append(d.Reports[i].Files, reportFile{Label: "Unduh " + strings.ToUpper(r.Format),
			URL: "/laporan/berkas/" + strconv.FormatInt(r.ID, 10)})
	}
	s.ui.Render(c, status, "laporan", ui.Page{Title: "Laporan", FieldErrors: errs, Data: d})
}

// reportMakeForm: GET /laporan/buat — makes the report now and sends the
// file, or shows the page again with every bad field.
func (s *Pages) reportMakeForm(c *gin.Context) {
	form := map[string]string{"kind": c.Query("kind"), "period": c.Query("period"), "format": c.Query("format"), "kelurahan": c.Query("kelurahan")}
	errs := map[string]string{}
	r, err := hailurah.ParseReportRequest(form["kind"], form["period"], form["format"])
	if err != nil {
		// The page names the fields in words, one message each.
		for _, f := range strings.Split(hailurah.ErrorField(err), ",") {
			errs[f] = reportFieldError(f)
		}
		if form["format"] == "" {
			errs["format"] = reportFieldError("format")
		}
	} else if form["format"] == hailurah.ReportJSON {
		errs["format"] = reportFieldError("format")
	}
	kel, err := s.ReportScope(c, form["kelurahan"])
	if err != nil {
		if hailurah.ErrorField(err) == "" {
			s.ui.RenderError(c, err)
			return
		}
		errs["kelurahan"] = hailurah.ErrorMessage(err)
	}
	if len(errs) > 0 {
		s.renderReports(c, http.StatusUnprocessableEntity, form, errs)
		return
	}
	data, err := s.MakeReport(c, r, kel)
	if err != nil {
		s.ui.RenderError(c, err)
		return
	}
	s.Audit(c, "report.make", r.Kind, `{"period":"`+r.Period.String()+`","format":"`+r.Format+`","kelurahan":"`+kel+`"}`)
	app.SendReport(c, r.Kind, r.Period.String(), kel, r.Format, data)
}

func reportFieldError(field string) string {
	switch field {
	case "kind":
		return "Pilih jenis laporan."
	case "period":
		return "Periode tidak dikenali; tulis dengan angka, misalnya 2026-11 (bulan) atau 2026-Q4 (triwulan)."
	case "format":
		return "Pilih PDF atau CSV."
	}
	return "Isian ini belum benar."
}

// reportFile: GET /laporan/berkas/{id} — a stored report's file, to whom
// may see it; 404 to anyone else.
func (s *Pages) reportFile(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	var r *hailurah.StoredReport
	if err == nil {
		r, err = s.Reports.Store.FindReport(c.Request.Context(), id)
	}
	if err == nil && !app.CanSeeReport(app.UserOf(c), r) {
		err = hailurah.Errorf(hailurah.ENOTFOUND, "Laporan tidak ditemukan.")
	}
	if err != nil {
		if hailurah.ErrorCode(err) == hailurah.EINTERNAL {
			s.ui.RenderError(c, err)
			return
		}
		s.ui.NotFound(c)
		return
	}
	app.SendReport(c, r.Kind, r.Period, r.Kelurahan, r.Format, r.Content)
}
