package api

import (
	"fmt"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/server/app"
)

func (s *API) reportRoutes(api *gin.RouterGroup) {
	api.GET("/reports/:kind", s.RequireStaff, app.RequireRole(app.ReportRoles...), s.apiReport)
}

// apiReport: GET /api/v1/reports/{kind}?period=YYYY-MM|YYYY-Qn&format=pdf|csv|json&kelurahan=
// makes the report now. Bad kind, period or format are one 400 naming
// every bad field.
func (s *API) apiReport(c *gin.Context) {
	r, err := hailurah.ParseReportRequest(c.Param("kind"), c.Query("period"), c.DefaultQuery("format", hailurah.ReportJSON))
	if err != nil {
		app.Fail(c, err)
		return
	}
	kel, err := s.ReportScope(c, c.Query("kelurahan"))
	if err != nil {
		app.Fail(c, err)
		return
	}
	data, err := s.MakeReport(c, r, kel)
	if err != nil {
		app.Fail(c, err)
		return
	}
	s.Audit(c, "report.make", r.Kind, fmt.Sprintf(`{"period":%q,"format":%q,"kelurahan":%q}`, r.Period.String(), r.Format, kel))
	app.SendReport(c, r.Kind, r.Period.String(), kel, r.Format, data)
}
