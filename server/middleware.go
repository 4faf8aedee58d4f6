package server

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/server/app"
)

// recoverPanics turns a panic into a logged 500 so one bad request never
// takes the process down.
func (s *Server) recoverPanics(c *gin.Context) {
	defer func() {
		if v := recover(); v != nil {
			s.logger.ErrorContext(c.Request.Context(), "panic serving request",
				slog.String("method", c.Request.Method),
				slog.String("route", c.FullPath()),
				slog.String("panic", fmt.Sprint(v)),
				slog.String("stack", string(debug.Stack())))
			if !c.Writer.Written() && open311IsPath(c) {
				// A GeoReport client decodes the spec's error list only.
				open311Fail(c, open311PathFormat(c.Request.URL.Path), http.StatusInternalServerError, hailurah.ErrorMessage(fmt.Errorf("panic")))
				return
			}
			if !c.Writer.Written() {
				c.AbortWithStatusJSON(http.StatusInternalServerError, app.ErrorBody{Error: app.ErrorDetail{
					Code: hailurah.EINTERNAL, Message: hailurah.ErrorMessage(fmt.Errorf("panic")),
				}})
			}
		}
	}()
	c.Next()
}

// logRequests writes one structured line per request. It logs the route
// pattern and never the query string, which may carry tokens.
func (s *Server) logRequests(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	level := slog.LevelInfo
	if c.Writer.Status() >= 500 {
		level = slog.LevelError
	} else if route == "/healthz" || route == "/readyz" || route == "/metrics" || strings.HasPrefix(route, "/static") {
		level = slog.LevelDebug
	}
	s.logger.Log(c.Request.Context(), level, "http request",
		slog.String("method", c.Request.Method),
		slog.String("route", route),
		slog.Int("status", c.Writer.Status()),
		slog.Duration("duration", time.Since(start)),
		slog.String("ip", c.ClientIP()),
		slog.String("user", app.UsernameOf(c)))
}

// securityHeaders keeps pages from being framed, sniffed or leaking
// referrers, forbids inline scripts (every script is a vendored file) and
// browser features no page uses. Behind TLS (SecureCookies) browsers are
// told to use HTTPS only, so a downgraded first request cannot carry the
// session cookie.
func (s *Server) securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:"+tileSource(s.cfg.MapTiles)+"; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(self), payment=(), usb=(), interest-cohort=()")
	if s.cfg.SecureCookies {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
	c.Next()
}

// limitBody bounds every request body; a larger one fails to decode with a
// *http.MaxBytesError, which BindJSON reports as 413.
func (s *Server) limitBody(c *gin.Context) {
	if c.Request.Body != nil {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, app.BodyLimit(c, s.cfg.MaxBodyBytes))
	}
	c.Next()
}

func (s *Server) notFound(c *gin.Context) {
	if wantsHTML(c) {
		s.ui.NotFound(c)
		return
	}
	app.Fail(c, hailurah.Errorf(hailurah.ENOTFOUND, "Alamat tidak ditemukan."))
}

// wantsHTML tells a browser page request from an API call.
func wantsHTML(c *gin.Context) bool {
	p := c.Request.URL.Path
	if strings.HasPrefix(p, "/api/") || strings.HasPrefix(p, "/webhook/") || strings.HasPrefix(p, "/open311/") {
		return false
	}
	return strings.Contains(c.GetHeader("Accept"), "text/html")
}

// tileSource is the CSP source of the maps' tile server (" https://host"),
// "" when the maps draw the grid only. A {s} subdomain becomes a wildcard.
func tileSource(template string) string {
	if template == "" {
		return ""
	}
	u, err := url.Parse(strings.ReplaceAll(template, "{s}", "s"))
	if err != nil || u.Host == "" {
		return ""
	}
	host := u.Host
	if strings.Contains(template, "{s}.") {
		host = "*." + strings.TrimPrefix(host, "s.")
	}
	return " " + u.Scheme + "://" + host
}
