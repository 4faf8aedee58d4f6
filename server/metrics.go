package server

import (
	"crypto/subtle"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/server/app"
)

// metrics uses its own registry so the embedded Temporal server's metrics
// never collide with the application's.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics(reg *prometheus.Registry) *metrics {
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	m := &metrics{
		registry: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hailurah_http_requests_total",
			Help: "HTTP requests by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "hailurah_http_request_duration_seconds",
			Help:    "HTTP request latency by route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route", "method"}),
	}
	reg.MustRegister(m.requests, m.duration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry lets other parts of the program (the worker, the outbox relay)
// register their metrics on the same /metrics endpoint.
func (s *Server) Registry() *prometheus.Registry { return s.metrics.registry }

func (m *metrics) middleware(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	m.requests.WithLabelValues(route, c.Request.Method, strconv.Itoa(c.Writer.Status())).Inc()
	m.duration.WithLabelValues(route, c.Request.Method).Observe(time.Since(start).Seconds())
}

const metricsRoute = "/metrics"

// guardMetrics keeps /metrics off the public internet outside dev: it
// answers a caller on loopback that came through no proxy, or one bearing
// Config.MetricsToken; anyone else finds nothing there (404).
func (s *Server) guardMetrics(c *gin.Context) {
	if s.cfg.Dev || MetricsAllowed(c.Request, s.cfg.MetricsToken) {
		c.Next()
		return
	}
	app.Fail(c, hailurah.Errorf(hailurah.ENOTFOUND, "Alamat tidak ditemukan."))
}

// MetricsAllowed is the rule of /metrics outside dev, for this server and
// for the worker's own (which has no Server): a direct loopback caller, or
// one bearing token.
func MetricsAllowed(r *http.Request, token string) bool {
	if directLoopback(r) {
		return true
	}
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && token != "" && subtle.ConstantTimeCompare([]byte(got), []byte(token)) == 1
}

// directLoopback reports whether r came from this machine and not through
// a proxy on it: a reverse proxy on the same host connects from loopback
// for every client, and says so in a forwarding header.
func directLoopback(r *http.Request) bool {
	for _, h := range []string{"X-Forwarded-For", "X-Real-Ip", "Forwarded"} {
		if r.Header.Get(h) != "" {
			return false
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (m *metrics) handler() gin.HandlerFunc {
	h := promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
	return func(c *gin.Context) { h.ServeHTTP(c.Writer, c.Request) }
}
