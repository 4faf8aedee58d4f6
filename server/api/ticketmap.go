package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/server/app"
)

// apiCurhatMap: GET /api/v1/dashboard/curhat/map — the located tickets of
// the staff member's kelurahan (an admin's: any one, or the city) in the
// dashboard's period, for the clustered map of /dasbor.
func (s *API) apiCurhatMap(c *gin.Context) {
	f, p, err := s.DashboardFilter(c, app.LastDays(s.Zone, s.Now(), 30))
	if err != nil {
		app.Fail(c, err)
		return
	}
	points, err := s.Pilots.Map.TicketPoints(c.Request.Context(), f.Kelurahan, f.From, f.To, hailurah.MaxMapPoints)
	if err != nil {
		app.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"from": p.FromText(), "to": p.ToText(), "kelurahan": f.Kelurahan, "points": points})
}

// apiOpenDataMap: GET /api/v1/opendata/map (public) — located tickets
// counted per grid cell of hailurah.MapCellDegrees; cells under
// hailurah.MinPublicCell are left out, and no point is ever given.
func (s *API) apiOpenDataMap(c *gin.Context) {
	m, p, kel, err := s.OpenDataMap(c)
	if err != nil {
		app.Fail(c, err)
		return
	}
	c.Header("Access-Control-Allow-Origin", "*")
	c.JSON(http.StatusOK, gin.H{"from": p.FromText(), "to": p.ToText(), "kelurahan": kel, "map": m})
}
