package app

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
)

const (
	csrfHeader = "X-CSRF-Token"
	// CSRFField is the form field that carries the session's CSRF token.
	CSRFField = "csrf_token"
)

// Principal is who made a request: a staff user by session cookie or by
// bearer API token.
type Principal struct {
	User    *hailurah.User
	Session *hailurah.Session // nil for bearer tokens
}

// PrincipalKey is where authentication keeps the request's *Principal.
const PrincipalKey = "hailurah.principal"

// NoStore keeps what a signed-in user is shown out of every cache, the
// browser's included, so it is not there for the next user of a shared
// office computer. A handler may still set its own (photos do).
func NoStore(c *gin.Context) { c.Header("Cache-Control", "no-store") }

// PrincipalOf returns who made the request, or nil for an anonymous one.
func PrincipalOf(c *gin.Context) *Principal {
	if v, ok := c.Get(PrincipalKey); ok {
		return v.(*Principal)
	}
	return nil
}

// UserOf returns the authenticated user; only call it behind RequireStaff.
func UserOf(c *gin.Context) *hailurah.User { return PrincipalOf(c).User }

// UsernameOf returns the authenticated user's name, or "".
func UsernameOf(c *gin.Context) string {
	if p := PrincipalOf(c); p != nil {
		return p.User.Username
	}
	return ""
}

// RequireStaff rejects anonymous API calls with 401 and cookie-authenticated
// writes without the session's CSRF token with 403.
func (s *App) RequireStaff(c *gin.Context) {
	p := PrincipalOf(c)
	if p == nil {
		Fail(c, hailurah.Errorf(hailurah.EUNAUTHORIZED, "Silakan masuk terlebih dahulu."))
		return
	}
	if err := CheckCSRF(c, p); err != nil {
		Fail(c, err)
		return
	}
	c.Next()
}

// RequireRole allows only the given roles; use it after RequireStaff.
func RequireRole(roles ...hailurah.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !HasRole(UserOf(c), roles) {
			Fail(c, hailurah.Errorf(hailurah.EFORBIDDEN, "Peran Anda tidak berwenang untuk tindakan ini."))
			return
		}
		c.Next()
	}
}

func HasRole(u *hailurah.User, roles []hailurah.Role) bool {
	for _, r := range roles {
		if u.Role == r {
			return true
		}
	}
	return false
}

// KelurahanScope returns the kelurahan a user may see: their own for
// kelurahan staff, requested (possibly "" for all) for admin. Dinas officers
// are city-wide but limited by unit elsewhere, so they get requested too.
// Returns EFORBIDDEN when kelurahan staff ask for another kelurahan.
func KelurahanScope(u *hailurah.User, requested string) (string, error) {
	switch u.Role {
	case hailurah.RoleAdmin, hailurah.RoleDinas:
		return requested, nil
	}
	if requested != "" && requested != u.Kelurahan {
		return "", hailurah.Errorf(hailurah.EFORBIDDEN, "Anda hanya dapat melihat data Kelurahan Anda sendiri.")
	}
	return u.Kelurahan, nil
}

// CheckCSRF requires the session's token on state-changing requests that a
// browser authenticates with the cookie. Bearer-token requests carry no
// ambient credentials, so they need none.
func CheckCSRF(c *gin.Context, p *Principal) error {
	if p.Session == nil {
		return nil
	}
	switch c.Request.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return nil
	}
	token := c.GetHeader(csrfHeader)
	if token == "" {
		token = c.PostForm(CSRFField)
	}
	if token == "" || subtle.ConstantTimeCompare([]byte(token), []byte(p.Session.CSRFToken)) != 1 {
		return hailurah.Errorf(hailurah.EFORBIDDEN, "Token CSRF tidak ada atau tidak cocok. Muat ulang halaman lalu coba lagi.")
	}
	return nil
}

func (s *App) Secure(c *gin.Context) bool {
	return s.SecureCookies || c.Request.TLS != nil
}

// Audit appends to the audit log; a failure is logged, not shown to the
// user, because the action itself already happened.
func (s *App) Audit(c *gin.Context, action, target, detail string) {
	actor := UsernameOf(c)
	if actor == "" {
		actor = "anonymous"
	}
	e := &hailurah.AuditEntry{At: s.Now(), Actor: actor, Action: action, Target: target, Detail: detail, IP: c.ClientIP()}
	if err := s.AuditLog.Audit(c.Request.Context(), e); err != nil {
		s.Logger.ErrorContext(c.Request.Context(), "audit log", slog.String("action", action), slog.Any("err", err))
	}
}

func RandomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}
