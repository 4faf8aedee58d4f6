package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/media"
	"github.com/hailurah/hailurah/server/app"
)

// The citizen pages: /curhat, the public web chat, and /kiosk, the same
// conversation for a tablet in a kelurahan office. Both are static pages
// driven by web/static/js/citizen.js through the public API (POST
// /api/v1/curhat, GET /api/v1/track/{code}, POST …/reply, POST …/phone
// with the code a typed WhatsApp number was sent); no login, no
// cookie, nothing stored in the browser beyond the tab's session.

// kioskIdleSeconds is how long a kiosk waits without a touch before it
// clears the conversation for the next citizen.
const kioskIdleSeconds = 120

type citizenPage struct {
	Channel   string // hailurah.ChannelWeb or ChannelKiosk
	Kelurahan []*hailurah.Kelurahan
	// Fixed is the kiosk's own kelurahan (?kelurahan=code); nil lets the
	// citizen choose, or name it in the message.
	Fixed       *hailurah.Kelurahan
	IdleSeconds int
	MaxText     int
	// MaxPhotos and MaxPhotoMB bound "Tambah foto"; 0 hides it (no media
	// storage on this server).
	MaxPhotos, MaxPhotoMB int
}

// withPhotos turns "Tambah foto" on where the server keeps media, with the
// limits the server checks.
func (s *UI) withPhotos(p citizenPage) citizenPage {
	if s.Media != nil {
		p.MaxPhotos, p.MaxPhotoMB = app.MaxCurhatPhotos, media.MaxBytes>>20
	}
	return p
}

func (s *UI) citizenPageRoutes(r *gin.Engine) {
	r.GET("/curhat", s.curhatPage)
	r.GET("/kiosk", s.kioskPage)
}

func (s *UI) curhatPage(c *gin.Context) {
	all, err := s.Kelurahan.ListKelurahan(c.Request.Context())
	if err != nil {
		s.citizenPageError(c, err)
		return
	}
	s.renderPage(c, http.StatusOK, "citizen_curhat", pageData{Title: "Curhat ke HAI LURAH",
		Data: s.withPhotos(citizenPage{Channel: hailurah.ChannelWeb, Kelurahan: all, MaxText: app.MaxCurhatText})})
}

// kioskPage: GET /kiosk[?kelurahan=code][&idle=seconds]. The office's
// kelurahan is fixed by the address the tablet opens; an unknown code is an
// error page, so a misconfigured kiosk is noticed at once rather than
// filing curhat in the city queue. idle (10–600) changes the reset delay
// for an office that wants it shorter or longer.
func (s *UI) kioskPage(c *gin.Context) {
	data := citizenPage{Channel: hailurah.ChannelKiosk, IdleSeconds: kioskIdleSeconds, MaxText: app.MaxCurhatText}
	if n, err := strconv.Atoi(c.Query("idle")); err == nil && n >= 10 && n <= 600 {
		data.IdleSeconds = n
	}
	if code := strings.ToLower(strings.TrimSpace(c.Query("kelurahan"))); code != "" {
		k, err := s.Kelurahan.FindKelurahan(c.Request.Context(), code)
		if err != nil {
			s.citizenPageError(c, err)
			return
		}
		data.Fixed = k
	} else {
		all, err := s.Kelurahan.ListKelurahan(c.Request.Context())
		if err != nil {
			s.citizenPageError(c, err)
			return
		}
		data.Kelurahan = all
	}
	s.renderPage(c, http.StatusOK, "citizen_kiosk", pageData{Title: "Kios HAI LURAH", Data: s.withPhotos(data)})
}

func (s *UI) citizenPageError(c *gin.Context, err error) {
	if hailurah.ErrorCode(err) == hailurah.ENOTFOUND {
		s.renderPage(c, http.StatusNotFound, "error", pageData{Title: "Kelurahan tidak ditemukan",
			Message: "Alamat kios ini menyebut kelurahan yang tidak terdaftar. Hubungi petugas kelurahan."})
		return
	}
	s.Logger.ErrorContext(c.Request.Context(), "citizen page", "err", err)
	s.renderPage(c, app.ErrorStatus(err), "error", pageData{Title: "Terjadi kesalahan", Message: hailurah.ErrorMessage(err)})
}
