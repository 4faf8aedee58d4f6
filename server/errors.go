package server

import (
	"database/sql/driver"
	"errors"
	"io"
	"log/slog"
	"net"
	"syscall"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/server/app"
)

// renderErrors is the one middleware that renders errors: handlers call
// c.Error(err) and return. Internal errors are logged with the request and
// shown to nobody.
func (s *Server) renderErrors(c *gin.Context) {
	c.Next()
	if len(c.Errors) == 0 || c.Writer.Written() {
		return
	}
	err := c.Errors.Last().Err
	code := hailurah.ErrorCode(err)
	if code == hailurah.EINTERNAL && unreachable(err) {
		// The database (or another backing service) is away: the caller
		// should retry, and nothing was promised.
		s.logger.WarnContext(c.Request.Context(), "backing service unavailable",
			slog.String("path", c.FullPath()), slog.Any("err", err))
		err = hailurah.Errorf(hailurah.EUNAVAILABLE, "Layanan sedang tidak tersedia. Coba lagi sebentar lagi.")
		code = hailurah.EUNAVAILABLE
		c.Header("Retry-After", "5")
	}
	if code == hailurah.EINTERNAL {
		s.logger.ErrorContext(c.Request.Context(), "internal error",
			slog.String("method", c.Request.Method),
			slog.String("path", c.FullPath()),
			slog.Any("err", err))
	}
	if open311IsPath(c) {
		// Unknown routes under /open311/ too: a client decodes one format.
		open311Fail(c, open311PathFormat(c.Request.URL.Path), open311Status(err), hailurah.ErrorMessage(err))
		return
	}
	c.AbortWithStatusJSON(app.ErrorStatus(err), app.ErrorBody{Error: app.ErrorDetail{
		Code:    code,
		Message: hailurah.ErrorMessage(err),
		Field:   hailurah.ErrorField(err),
	}})
}

// unreachable reports whether err comes from a backing service that cannot
// be reached (refused or broken connections, timeouts), as opposed to a
// bug: those answer 503 so clients and Meta retry.
func unreachable(err error) bool {
	var opErr *net.OpError
	var connErr *pgconn.ConnectError
	return errors.As(err, &opErr) || errors.As(err, &connErr) || pgconn.Timeout(err) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, io.ErrUnexpectedEOF)
}
