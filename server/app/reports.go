package app

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/report"
)

// Reports makes the office's reports on demand and serves the stored
// ones; nil leaves their routes out.
type Reports struct {
	Sources report.Sources
	Store   hailurah.ReportService
}

// ReportRoles may read reports: the lurah their kelurahan's, the admin
// (the city's data officer) every one.
var ReportRoles = []hailurah.Role{hailurah.RoleAdmin, hailurah.RoleLurah}

// ReportScope is the kelurahan a report asked for by u is of: the lurah's
// own (another is EFORBIDDEN), for the admin the one requested ("" is the
// city; an unknown one is EINVALID naming kelurahan).
func (s *App) ReportScope(c *gin.Context, requested string) (string, error) {
	u := UserOf(c)
	requested = strings.TrimSpace(requested)
	if u.Role != hailurah.RoleAdmin {
		if requested != "" && requested != u.Kelurahan {
			return "", hailurah.Errorf(hailurah.EFORBIDDEN, "Anda hanya dapat membuat laporan Kelurahan Anda sendiri.")
		}
		return u.Kelurahan, nil
	}
	if requested != "" {
		if _, err := s.Kelurahan.FindKelurahan(c.Request.Context(), requested); err != nil {
			if hailurah.ErrorCode(err) == hailurah.ENOTFOUND {
				return "", &hailurah.Error{Code: hailurah.EBADREQUEST, Field: "kelurahan", Message: fmt.Sprintf("Kelurahan %q tidak ditemukan.", requested)}
			}
			return "", err
		}
	}
	return requested, nil
}

// MakeReport builds the report r of kelurahan now and writes it in r's
// format.
func (s *App) MakeReport(c *gin.Context, r hailurah.ReportRequest, kelurahan string) ([]byte, error) {
	doc, err := report.Build(c.Request.Context(), s.Reports.Sources,
		report.Request{Kind: r.Kind, Period: r.Period, Kelurahan: kelurahan, At: s.Now()})
	if err != nil {
		return nil, err
	}
	return report.Write(doc, r.Format)
}

// SendReport answers a report's file: the PDF and CSV as downloads, JSON
// inline, none of them cached (they hold a kelurahan's figures).
func SendReport(c *gin.Context, kind, period, kelurahan, format string, data []byte) {
	disp := "attachment"
	if format == hailurah.ReportJSON {
		disp = "inline"
	}
	c.Header("Content-Disposition", fmt.Sprintf(`%s; filename="%s"`, disp, report.FileName(kind, period, kelurahan, format)))
	c.Header("Cache-Control", "private, no-store")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Data(http.StatusOK, report.ContentType(format), data)
}

// CanSeeReport reports whether u may download a stored report: the admin
// every one, a lurah their kelurahan's.
func CanSeeReport(u *hailurah.User, r *hailurah.StoredReport) bool {
	return u.Role == hailurah.RoleAdmin || (u.Role == hailurah.RoleLurah && r.Kelurahan != "" && r.Kelurahan == u.Kelurahan)
}

// ReportFilterFor is the stored reports u may list.
func ReportFilterFor(u *hailurah.User) hailurah.ReportFilter {
	if u.Role == hailurah.RoleAdmin {
		return hailurah.ReportFilter{All: true}
	}
	return hailurah.ReportFilter{Kelurahan: u.Kelurahan}
}
