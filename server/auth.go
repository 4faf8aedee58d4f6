package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/server/app"
)

const (
	sessionCookie = "hailurah_session"
	// touchEvery limits session writes to one per minute per session.
	touchEvery = time.Minute
)

// authenticate identifies the caller, if any; it never rejects. Routes that
// need a user say so with RequireStaff.
func (s *Server) authenticate(c *gin.Context) {
	ctx := c.Request.Context()
	if path := c.FullPath(); path == metricsRoute || strings.HasPrefix(path, DevGraphPath+"/") {
		// A scraper's bearer is the metrics token, the media fetcher's on
		// the dev Graph API stand-in its own (DevGraphToken), not a user's.
		c.Next()
		return
	}
	if h := c.GetHeader("Authorization"); h != "" {
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || token == "" {
			app.Fail(c, hailurah.Errorf(hailurah.EUNAUTHORIZED, "Header Authorization harus berbentuk 'Bearer <token>'."))
			return
		}
		u, err := s.cfg.Users.FindUserByAPIToken(ctx, strings.TrimSpace(token))
		if err != nil {
			app.Fail(c, err)
			return
		}
		if u.Disabled {
			app.Fail(c, hailurah.Errorf(hailurah.EUNAUTHORIZED, "Akun dinonaktifkan."))
			return
		}
		c.Set(app.PrincipalKey, &app.Principal{User: u})
		app.NoStore(c)
		c.Next()
		return
	}
	if cookie, err := c.Cookie(sessionCookie); err == nil && cookie != "" {
		if p := s.sessionPrincipal(ctx, cookie); p != nil {
			c.Set(app.PrincipalKey, p)
			app.NoStore(c)
		} else {
			s.clearSessionCookie(c)
		}
	}
	c.Next()
}

// sessionPrincipal returns the user of a valid session cookie, or nil for an
// unknown, expired or idle session (which it deletes).
func (s *Server) sessionPrincipal(ctx context.Context, cookie string) *app.Principal {
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
	return &app.Principal{User: u, Session: sess}
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
		app.Fail(c, hailurah.Errorf(hailurah.EUNSUPPORTED, "Gunakan Content-Type: application/json."))
		return
	}
	var req loginRequest
	if err := app.BindJSON(c, &req); err != nil {
		app.Fail(c, err)
		return
	}
	u, sess, err := s.login(c, req.Username, req.Password)
	if err != nil {
		app.Fail(c, err)
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
			s.app.Audit(c, "login_failed", username, "")
			return nil, nil, hailurah.Errorf(hailurah.EUNAUTHORIZED, "Nama pengguna atau kata sandi salah.")
		}
		return nil, nil, err
	}
	s.throttle.success(username, ip)
	if old, err := c.Cookie(sessionCookie); err == nil && old != "" {
		_ = s.cfg.Users.DeleteSession(ctx, sessionID(old))
	}
	token := app.RandomToken()
	now := s.now()
	sess := &hailurah.Session{
		ID: sessionID(token), UserID: u.ID, CSRFToken: app.RandomToken(),
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(s.cfg.SessionAbsolute),
	}
	if err := s.cfg.Users.CreateSession(ctx, sess); err != nil {
		return nil, nil, err
	}
	s.setSessionCookie(c, token)
	c.Set(app.PrincipalKey, &app.Principal{User: u, Session: sess})
	s.app.Audit(c, "login", u.Username, "")
	return u, sess, nil
}

func (s *Server) apiLogout(c *gin.Context) {
	if err := s.logout(c); err != nil {
		app.Fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// logout deletes the session on the server, so a copied cookie is useless
// afterwards, and clears it in the browser.
func (s *Server) logout(c *gin.Context) error {
	p := app.PrincipalOf(c)
	if p.Session != nil {
		if err := s.cfg.Users.DeleteSession(c.Request.Context(), p.Session.ID); err != nil {
			return err
		}
	}
	s.clearSessionCookie(c)
	s.app.Audit(c, "logout", p.User.Username, "")
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
	p := app.PrincipalOf(c)
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
		HttpOnly: true, Secure: s.app.Secure(c), SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) clearSessionCookie(c *gin.Context) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.app.Secure(c), SameSite: http.SameSiteLaxMode,
	})
}

// sessionID is what the store keeps of a cookie token: a stolen database
// does not yield usable cookies.
func sessionID(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}
