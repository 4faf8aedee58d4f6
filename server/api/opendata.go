package api

import (
	"github.com/gin-gonic/gin"
	"github.com/hailurah/hailurah/server/app"
)

// apiOpenData: GET /api/v1/opendata (public).
func (s *API) apiOpenData(c *gin.Context) {
	d, p, err := s.OpenData(c)
	if err != nil {
		app.Fail(c, err)
		return
	}
	c.Header("Access-Control-Allow-Origin", "*")
	s.writeExport(c, "opendata", p, d, app.OpenDataTables(d, s.Zone))
}
