package api

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/server/app"
)

// writeExport answers a dashboard request: the whole dashboard as JSON, or
// one table (?table=) as JSON or CSV (?format=csv).
func (s *API) writeExport(c *gin.Context, prefix string, p app.Period, whole any, tables []app.ExportTable) {
	format := c.DefaultQuery("format", "json")
	name := c.Query("table")
	if format != "json" && format != "csv" {
		app.Fail(c, hailurah.FieldErrorf("format", "format harus json atau csv."))
		return
	}
	if name == "" && format == "json" {
		c.JSON(http.StatusOK, whole)
		return
	}
	var names []string
	for _, t := range tables {
		names = append(names, t.Name)
		if t.Name != name {
			continue
		}
		if format == "json" {
			c.JSON(http.StatusOK, gin.H{"table": t.Name, "title": t.Title, "from": p.FromText(), "to": p.ToText(), "rows": t.JSON})
			return
		}
		if app.PrincipalOf(c) != nil {
			s.Audit(c, "export."+prefix, t.Name, fmt.Sprintf(`{"from":%q,"to":%q,"kelurahan":%q}`, p.FromText(), p.ToText(), c.Query("kelurahan")))
		}
		writeCSV(c, fmt.Sprintf("hailurah-%s-%s-%s_%s.csv", prefix, t.Name, p.FromText(), p.ToText()), t.Header, t.Rows)
		return
	}
	app.Fail(c, hailurah.FieldErrorf("table", "Tabel %q tidak ada; pilih salah satu dari: %s.", name, strings.Join(names, ", ")))
}

// writeCSV writes a UTF-8 CSV with a BOM, so Excel opens Indonesian text
// right, as an attachment.
func writeCSV(c *gin.Context, filename string, header []string, rows [][]string) {
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="`+filename+`"`)
	c.Header("Cache-Control", "no-store")
	c.Status(http.StatusOK)
	_, _ = c.Writer.WriteString("\uFEFF")
	w := csv.NewWriter(c.Writer)
	_ = w.Write(header)
	for _, r := range rows {
		cells := make([]string, len(r))
		for i, v := range r {
			cells[i] = csvCell(v)
		}
		_ = w.Write(cells)
	}
	w.Flush()
}

// csvCell keeps a spreadsheet from running a cell as a formula: text a
// citizen wrote (a summary) may start with "=", "+", "-" or "@".
func csvCell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return "'" + v
		}
	}
	return v
}

// apiCurhatDashboard: GET /api/v1/dashboard/curhat.
func (s *API) apiCurhatDashboard(c *gin.Context) {
	f, p, err := s.DashboardFilter(c, app.LastDays(s.Zone, s.Now(), 30))
	if err != nil {
		app.Fail(c, err)
		return
	}
	d, err := s.Pilots.KPIs.CurhatDashboard(c.Request.Context(), f)
	if err != nil {
		app.Fail(c, err)
		return
	}
	s.writeExport(c, "curhat", p, d, app.CurhatTables(d, s.LoadNames(c.Request.Context())))
}

// apiProgrammeDashboard: GET /api/v1/dashboard/program.
func (s *API) apiProgrammeDashboard(c *gin.Context) {
	f, p, err := s.DashboardFilter(c, app.LastMonths(s.Zone, s.Now(), 12))
	if err != nil {
		app.Fail(c, err)
		return
	}
	d, err := s.Pilots.KPIs.ProgrammeDashboard(c.Request.Context(), f)
	if err != nil {
		app.Fail(c, err)
		return
	}
	s.writeExport(c, "program", p, d, app.ProgrammeTables(d))
}
