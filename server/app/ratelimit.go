package app

import (
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/ratelimit"
)

// LimitByIP applies l to the client's IP.
func LimitByIP(l *ratelimit.Keyed) gin.HandlerFunc {
	return func(c *gin.Context) {
		if AllowIP(c, l) {
			c.Next()
		}
	}
}

// AllowIP takes one request of the client's address from l, or answers
// 429 with Retry-After and reports false.
func AllowIP(c *gin.Context, l *ratelimit.Keyed) bool {
	if ok, wait := l.Allow(c.ClientIP()); !ok {
		c.Header("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		Fail(c, hailurah.Errorf(hailurah.ETOOMANY, "Terlalu banyak permintaan. Coba lagi sebentar lagi."))
		return false
	}
	return true
}
