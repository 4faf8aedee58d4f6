package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
)

const (
	sessionCookie = "hailurah_session"
	csrfHeader    = "X-CSRF-Token"
	CSRFField     = "csrf_token"
	// touchEvery limits session writes to one per minute per session.
	touchEvery = time.Minute
)

// principal is who made a request: a staff user by session cookie or by
// bearer API token.
type Principal struct {
	User    *hailurah.User
	Session *hailurah.Session // nil for bearer tokens
}

const PrincipalKey = "hailurah.principal"

// authenticate identifies the caller, if any; it never rejects. Routes that
// need a user say so with requireStaff.
func (s *Server) authenticate(c *gin.Context) {
	ctx := c.Request.Context()
	if c.FullPath() == metricsRoute {
		// A scraper's bearer is the metrics token, not a user's.
		c.Next()
		return
	}
	if h := c.GetHeader("Authorization"); h != "" {
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || token == "" {
			Fail(c, hailurah.Errorf(hailurah.EUNAUTHORIZED, "Header Authorization harus berbentuk 'Bearer <token>'."))
			return
		}
		u, err := s.cfg.Users.FindUserByAPIToken(ctx, strings.TrimSpace(token))
		if err != nil {
			Fail(c, err)
			return
		}
		if u.Disabled {
			Fail(c, hailurah.Errorf(hailurah.EUNAUTHORIZED, "Akun dinonaktifkan."))
			return
		}
		c.Set(PrincipalKey, &Principal{User: u})
		NoStore(c)
		c.Next()
		return
	}
	if cookie, err := c.Cookie(sessionCookie); err == nil && cookie != "" {
		if p := s.sessionPrincipal(ctx, cookie); p != nil {
			c.Set(PrincipalKey, p)
			NoStore(c)
		} else {
			s.clearSessionCookie(c)
		}
	}
	c.Next()
}

// noStore keeps what a signed-in user is shown out of every cache, the
// browser's included, so it is not there for the next user of a shared
// office computer. A handler may still set its own (photos do).
func NoStore(c *gin.Context) { c.Header("Cache-Control", "no-store") }

// sessionPrincipal returns the user of a valid session cookie, or nil for an
// unknown, expired or idle session (which it deletes).
func (s *Server) sessionPrincipal(ctx context.Context, cookie string) *Principal {
	id := sessionID(cookie)
	now := s.now()
	sess, err := s.cfg.Users.FindSession(ctx, id, now)
	if err != nil {
		if hailurah.ErrorCode(err) != hailurah.ENOTFOUND {
			s.logger.ErrorContext(ctx, "find session", slog.Any("err", err))
		}
		return nil
	}
	if now.After(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) > s.cfg.SessionIdle {
		_ = s.cfg.Users.DeleteSession(ctx, id)
		return nil
	}
	u, err := s.cfg.Users.FindUserByID(ctx, sess.UserID)
	if err != nil || u.Disabled {
		_ = s.cfg.Users.DeleteSession(ctx, id)
		return nil
	}
	if now.Sub(sess.LastSeenAt) > touchEvery {
		if err := s.cfg.Users.TouchSession(ctx, id, now); err != nil {
			s.logger.WarnContext(ctx, "touch session", slog.Any("err", err))
		}
	}
	return &Principal{User: u, Session: sess}
}

func PrincipalOf(c *gin.Context) *Principal {
	if v, ok := c.Get(PrincipalKey); ok {
		return v.(*Principal)
	}
	return nil
}

// userOf returns the authenticated user; only call it behind requireStaff.
func UserOf(c *gin.Context) *hailurah.User { return PrincipalOf(c).User }

func UsernameOf(c *gin.Context) string {
	if p := PrincipalOf(c); p != nil {
		return p.User.Username
	}
	return ""
}

// requireStaff rejects anonymous API calls with 401 and cookie-authenticated
// writes without the session's CSRF token with 403.
func (s *Server) RequireStaff(c *gin.Context) {
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

// requireRole allows only the given roles; use it after requireStaff.
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

// checkCSRF requires the session's token on state-changing requests that a
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

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type loginResponse struct {
	Username  string `json:"username"`
	Role      string `json:"role"`
	Kelurahan string `json:"kelurahan"`
	Unit      string `json:"unit"`
	CSRFToken string `json:"csrf_token"`
}

// apiLogin: POST /api/v1/login. The JSON content type is required: a
// cross-site form cannot send it without a CORS preflight, which protects
// the login itself from CSRF.
func (s *Server) apiLogin(c *gin.Context) {
	if !strings.HasPrefix(c.ContentType(), "application/json") {
		Fail(c, hailurah.Errorf(hailurah.EUNSUPPORTED, "Gunakan Content-Type: application/json."))
		return
	}
	var req loginRequest
	if err := BindJSON(c, &req); err != nil {
		Fail(c, err)
		return
	}
	u, sess, err := s.login(c, req.Username, req.Password)
	if err != nil {
		Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, loginResponse{
		Username: u.Username, Role: string(u.Role), Kelurahan: u.Kelurahan, Unit: u.Unit, CSRFToken: sess.CSRFToken,
	})
}

// login checks the throttle and the password, starts a fresh session (a new
// id on every login, so a planted cookie is never promoted) and sets the
// cookie.
func (s *Server) login(c *gin.Context, username, password string) (*hailurah.User, *hailurah.Session, error) {
	ctx := c.Request.Context()
	username = strings.ToLower(strings.TrimSpace(username))
	if username == "" || password == "" {
		return nil, nil, hailurah.Errorf(hailurah.EINVALID, "Nama pengguna dan kata sandi wajib diisi.")
	}
	ip := c.ClientIP()
	if wait := s.throttle.blocked(username, ip); wait > 0 {
		c.Header("Retry-After", retryAfter(wait))
		return nil, nil, hailurah.Errorf(hailurah.ETOOMANY, "Terlalu banyak percobaan masuk. Coba lagi dalam %s.", humanWait(wait))
	}
	u, err := s.cfg.Users.Authenticate(ctx, username, password)
	if err != nil {
		if hailurah.ErrorCode(err) == hailurah.EUNAUTHORIZED {
			s.throttle.failure(username, ip)
			s.Audit(c, "login_failed", username, "")
			return nil, nil, hailurah.Errorf(hailurah.EUNAUTHORIZED, "Nama pengguna atau kata sandi salah.")
		}
		return nil, nil, err
	}
	s.throttle.success(username, ip)
	if old, err := c.Cookie(sessionCookie); err == nil && old != "" {
		_ = s.cfg.Users.DeleteSession(ctx, sessionID(old))
	}
	token := RandomToken()
	now := s.now()
	sess := &hailurah.Session{
		ID: sessionID(token), UserID: u.ID, CSRFToken: RandomToken(),
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(s.cfg.SessionAbsolute),
	}
	if err := s.cfg.Users.CreateSession(ctx, sess); err != nil {
		return nil, nil, err
	}
	s.setSessionCookie(c, token)
	c.Set(PrincipalKey, &Principal{User: u, Session: sess})
	s.Audit(c, "login", u.Username, "")
	return u, sess, nil
}

func (s *Server) apiLogout(c *gin.Context) {
	if err := s.logout(c); err != nil {
		Fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// logout deletes the session on the server, so a copied cookie is useless
// afterwards, and clears it in the browser.
func (s *Server) logout(c *gin.Context) error {
	p := PrincipalOf(c)
	if p.Session != nil {
		if err := s.cfg.Users.DeleteSession(c.Request.Context(), p.Session.ID); err != nil {
			return err
		}
	}
	s.clearSessionCookie(c)
	s.Audit(c, "logout", p.User.Username, "")
	return nil
}

type meResponse struct {
	Username  string `json:"username"`
	Name      string `json:"name"`
	Role      string `json:"role"`
	Kelurahan string `json:"kelurahan"`
	Unit      string `json:"unit"`
	CSRFToken string `json:"csrf_token"`
}

func (s *Server) apiMe(c *gin.Context) {
	p := PrincipalOf(c)
	resp := meResponse{Username: p.User.Username, Name: p.User.Name, Role: string(p.User.Role),
		Kelurahan: p.User.Kelurahan, Unit: p.User.Unit}
	if p.Session != nil {
		resp.CSRFToken = p.Session.CSRFToken
	}
	c.JSON(http.StatusOK, resp)
}

func (s *Server) setSessionCookie(c *gin.Context, token string) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: sessionCookie, Value: token, Path: "/",
		MaxAge:   int(s.cfg.SessionAbsolute / time.Second),
		HttpOnly: true, Secure: s.Secure(c), SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) clearSessionCookie(c *gin.Context) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.Secure(c), SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) Secure(c *gin.Context) bool {
	return s.cfg.SecureCookies || c.Request.TLS != nil
}

// audit appends to the audit log; a failure is logged, not shown to the
// user, because the action itself already happened.
func (s *Server) Audit(c *gin.Context, action, target, detail string) {
	actor := UsernameOf(c)
	if actor == "" {
		actor = "anonymous"
	}
	e := &hailurah.AuditEntry{At: s.now(), Actor: actor, Action: action, Target: target, Detail: detail, IP: c.ClientIP()}
	if err := s.cfg.Audit.Audit(c.Request.Context(), e); err != nil {
		s.logger.ErrorContext(c.Request.Context(), "audit log", slog.String("action", action), slog.Any("err", err))
	}
}

func RandomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

// sessionID is what the store keeps of a cookie token: a stolen database
// does not yield usable cookies.
func sessionID(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}
