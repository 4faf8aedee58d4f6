package server

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
)

func (s *Server) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// readyz answers 200 only when every dependency answers and WhatsApp is
// safely configured; a load balancer stops sending traffic while the
// database or Temporal is away, and an operator reads why.
func (s *Server) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 3*time.Second)
	defer cancel()
	results := make(map[string]string, len(s.cfg.Checks))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, chk := range s.cfg.Checks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status := "ok"
			if err := chk.Ping(ctx); err != nil {
				status = "unavailable"
			}
			mu.Lock()
			results[chk.Name] = status
			mu.Unlock()
		}()
	}
	wg.Wait()
	if why := s.whatsappUnready(); why != "" {
		results["whatsapp"] = why
	}
	code, overall := http.StatusOK, "ok"
	for _, st := range results {
		if st != "ok" {
			code, overall = http.StatusServiceUnavailable, "unavailable"
		}
	}
	c.JSON(code, gin.H{"status": overall, "checks": results})
}
