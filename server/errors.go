package server

import (
	"database/sql/driver"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"syscall"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/hailurah/hailurah"
)

// statusOf maps error codes to HTTP statuses: the one table for the whole API.
var statusOf = map[string]int{
	hailurah.EBADREQUEST:     http.StatusBadRequest,
	hailurah.EUNAUTHORIZED:   http.StatusUnauthorized,
	hailurah.EFORBIDDEN:      http.StatusForbidden,
	hailurah.ENOTFOUND:       http.StatusNotFound,
	hailurah.ECONFLICT:       http.StatusConflict,
	hailurah.ETOOLARGE:       http.StatusRequestEntityTooLarge,
	hailurah.EUNSUPPORTED:    http.StatusUnsupportedMediaType,
	hailurah.EINVALID:        http.StatusUnprocessableEntity,
	hailurah.ETOOMANY:        http.StatusTooManyRequests,
	hailurah.EINTERNAL:       http.StatusInternalServerError,
	hailurah.ENOTIMPLEMENTED: http.StatusNotImplemented,
	hailurah.EUNAVAILABLE:    http.StatusServiceUnavailable,
}

// ErrorStatus returns the HTTP status for an error.
func ErrorStatus(err error) int {
	if st, ok := statusOf[hailurah.ErrorCode(err)]; ok {
		return st
	}
	return http.StatusInternalServerError
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

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
	c.AbortWithStatusJSON(ErrorStatus(err), errorBody{Error: errorDetail{
		Code:    code,
		Message: hailurah.ErrorMessage(err),
		Field:   hailurah.ErrorField(err),
	}})
}

// fail records err for renderErrors and stops the handler chain.
func fail(c *gin.Context, err error) {
	_ = c.Error(err)
	c.Abort()
}

// bindJSON decodes a JSON body into v, turning every decoding problem into a
// clear EINVALID or ETOOLARGE error.
func bindJSON(c *gin.Context, v any) error {
	dec := json.NewDecoder(c.Request.Body)
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("trailing data after the JSON value")
	}
	var maxErr *http.MaxBytesError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &maxErr):
		return hailurah.Errorf(hailurah.ETOOLARGE, "Permintaan terlalu besar (maks. %d byte).", maxErr.Limit)
	case errors.Is(err, io.EOF):
		return hailurah.Errorf(hailurah.EINVALID, "Isi permintaan kosong; kirim JSON.")
	}
	return hailurah.Errorf(hailurah.EINVALID, "Isi permintaan bukan JSON yang valid.")
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
