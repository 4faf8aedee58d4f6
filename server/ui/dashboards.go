package ui

import (
	"net/url"
	"slices"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/server/app"
)

// The dashboards draw their charts as SVG in the templates: the geometry
// is computed here, so the templates only place shapes, and every chart
// has its numbers in a table beside it (and as CSV/JSON) for screen
// readers and spreadsheets. Colours come from dash.css classes; the CSP
// allows no inline style.

// presetLink is a period shortcut above a dashboard.
type presetLink struct {
	Label, Href string
	Current     bool
}

// exportLink is a table's CSV and JSON download.
type exportLink struct {
	Label, CSV, JSON string
}

// dashHead is what every dashboard page shows above its charts.
type dashHead struct {
	Period      app.Period
	Presets     []presetLink
	City        bool   // the admin's city view
	Kelurahan   string // code; "" for the city
	ScopeLabel  string
	Options     []option // the admin's kelurahan choice
	ExportQuery string
	Exports     []exportLink
}

// dashQuery is the query string of a dashboard link.
func dashQuery(kel string, p app.Period) string {
	q := url.Values{}
	q.Set("from", p.FromText())
	q.Set("to", p.ToText())
	if kel != "" {
		q.Set("kelurahan", kel)
	}
	return q.Encode()
}

func (s *UI) dashHead(c *gin.Context, path string, f hailurah.DashboardFilter, p app.Period, presets []struct {
	label string
	p     app.Period
}) dashHead {
	n := s.LoadNames(c.Request.Context())
	h := dashHead{Period: p, City: f.Kelurahan == "", Kelurahan: f.Kelurahan, ExportQuery: dashQuery(f.Kelurahan, p)}
	h.ScopeLabel = "Seluruh kota"
	if f.Kelurahan != "" {
		h.ScopeLabel = "Kelurahan " + n.KelurahanName(f.Kelurahan)
	}
	h.Presets = presetLinks(path, c.Query("kelurahan"), presets, p)
	if app.UserOf(c).Role == hailurah.RoleAdmin {
		h.Options = kelurahanOptions(n)
	}
	return h
}

// presetLinks are the period choices of a dashboard's head, the current
// one marked. Two presets can be the same days (in December "12 bulan" is
// "Tahun ini"): the later one is left out, so one choice is highlighted.
func presetLinks(path, kelurahan string, presets []struct {
	label string
	p     app.Period
}, current app.Period) []presetLink {
	var out []presetLink
	var seen []app.Period
	for _, pr := range presets {
		if slices.ContainsFunc(seen, func(o app.Period) bool { return o.From.Equal(pr.p.From) && o.To.Equal(pr.p.To) }) {
			continue
		}
		seen = append(seen, pr.p)
		out = append(out, presetLink{Label: pr.label, Href: path + "?" + dashQuery(kelurahan, pr.p),
			Current: pr.p.From.Equal(current.From) && pr.p.To.Equal(current.To)})
	}
	return out
}

func (h *dashHead) export(api string, tables []app.ExportTable) {
	for _, t := range tables {
		if t.Name == "breakdown" && !h.City {
			continue // one kelurahan has no per-kelurahan table
		}
		base := api + "?" + h.ExportQuery + "&table=" + t.Name
		h.Exports = append(h.Exports, exportLink{Label: t.Title, CSV: base + "&format=csv", JSON: base})
	}
}

func periodPresets(z hailurah.Zone, now time.Time) []struct {
	label string
	p     app.Period
} {
	return []struct {
		label string
		p     app.Period
	}{
		{"7 hari", app.LastDays(z, now, 7)}, {"30 hari", app.LastDays(z, now, 30)}, {"90 hari", app.LastDays(z, now, 90)},
		{"12 bulan", app.LastMonths(z, now, 12)},
		{"Tahun ini", app.ThisYear(z, now)},
	}
}
