// Package ui is the HTML face of HAI LURAH: the staff pages (queue, tasks,
// inbox, tickets, the programme, pilots, dashboards, administration), the
// login form, the citizens' chat and kiosk pages, the public open data and
// the simulated phone, rendered from web/templates. Its forms take the
// same actions as the JSON API, package app's.
package ui

import (
	"html/template"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/server/app"
)

// Sessions is what the login and logout forms need of package server's
// authentication (throttle, sessions, cookies).
type Sessions struct {
	// Login checks the throttle and the password, starts a fresh session
	// and sets its cookie.
	Login func(c *gin.Context, username, password string) (*hailurah.User, *hailurah.Session, error)
	// Logout deletes the request's session and clears its cookie.
	Logout func(c *gin.Context) error
}

// Options are what only the pages need besides App.
type Options struct {
	Sessions Sessions
	// Rules is the active rules.yaml, shown read-only to admins.
	Rules RulesView
	// PhoneNumberID is the city's WhatsApp number, which the simulated
	// phone writes to.
	PhoneNumberID string
	// WhatsAppNumber is the city's number as citizens dial it, for the
	// front page; "" leaves it off.
	WhatsAppNumber string
	// MapTiles is the maps' tile URL template; "" draws the grid only.
	MapTiles string
}

// UI serves the pages through the services and actions of App.
type UI struct {
	*app.App
	Options
	pages map[string]*template.Template
}

// New parses the page templates and returns the UI over a.
func New(a *app.App, opt Options) (*UI, error) {
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	return &UI{App: a, Options: opt, pages: pages}, nil
}

// Routes registers the login form and the staff pages for what App
// configures: the case pages with cases, the programme's and the pilots'
// with theirs. The citizens' pages come with the channels
// (CitizenRoutes).
func (s *UI) Routes(r *gin.Engine) {
	r.GET("/login", s.loginPage)
	r.POST("/login", s.loginForm)
	r.POST("/logout", s.requireStaffPage, s.logoutForm)
	r.GET("/", s.frontPage)
	if s.HandlesCases() {
		s.lacakRoutes(r)
	}
	if s.Programme != nil {
		s.programmePages(r)
		if s.Programme.Loans != nil {
			s.loanPages(r)
		}
	}
	if s.Pilots != nil {
		s.pilotPages(r)
	}
	s.uiRoutes(r)
}

// CitizenRoutes registers the citizens' chat and kiosk pages, and in dev
// mode the simulated phone's page; package server registers them with
// the channels they post to.
func (s *UI) CitizenRoutes(r *gin.Engine, dev bool) {
	s.citizenPageRoutes(r)
	if dev {
		r.GET("/dev/phone", s.devPhonePage)
	}
}

// NotFound answers a browser's request for a page that does not exist.
func (s *UI) NotFound(c *gin.Context) {
	s.renderPage(c, http.StatusNotFound, "error", pageData{Title: "Halaman tidak ditemukan",
		Message: "Halaman yang Anda cari tidak ada."})
}

// uiRoutes registers the staff pages. Every page and form goes through
// requireStaffPage (login, CSRF on posts) and a role check; what a user
// sees inside a page is narrowed again by kelurahan or unit, with the same
// helpers as the JSON API.
func (s *UI) uiRoutes(r *gin.Engine) {
	staff := r.Group("", s.requireStaffPage)
	cases := s.HandlesCases()
	real := map[string]gin.HandlerFunc{"/admin": s.adminUsersPage}
	if cases {
		real["/antrian"] = s.queuePage
		real["/tugas"] = s.tasksPage
		real["/kotak-masuk"] = s.inboxPage
	}
	if s.Programme != nil {
		real["/rumah-tangga"] = s.householdsPage
		real["/hibah"] = s.grantQueuePage
		if s.Programme.Loans != nil {
			real["/dana-bergulir"], real["/anggaran"] = s.loanListPage, s.budgetPage
		}
	}
	for _, h := range roleHomes {
		handler, ok := real[h.Path]
		if !ok {
			handler = s.rolePage(h)
		}
		staff.GET(h.Path, s.requireRolePage(h.Roles...), handler)
	}

	staff.GET("/profil", s.profilePage)
	staff.POST("/profil", s.profileForm)

	admin := staff.Group("/admin", s.requireRolePage(hailurah.RoleAdmin))
	admin.POST("/pengguna", s.adminCreateUser)
	admin.GET("/pengguna/:id", s.adminUserPage)
	admin.POST("/pengguna/:id", s.adminUpdateUser)
	admin.POST("/pengguna/:id/status", s.adminSetUserDisabled)
	admin.GET("/unit", s.adminUnitsPage)
	admin.POST("/unit", s.adminUpsertUnit)
	admin.GET("/kelurahan", s.adminKelurahanPage)
	admin.POST("/kelurahan", s.adminUpsertKelurahan)
	admin.GET("/token", s.adminTokensPage)
	admin.POST("/token", s.adminCreateToken)
	admin.POST("/token/:id/cabut", s.adminRevokeToken)
	admin.GET("/aturan", s.adminRulesPage)
	admin.GET("/audit", s.adminAuditPage)

	if !cases {
		return
	}
	caseStaff := s.requireRolePage(hailurah.RoleModerator, hailurah.RoleLurah, hailurah.RoleDinas, hailurah.RoleAdmin)
	queueStaff := s.requireRolePage(hailurah.RoleModerator, hailurah.RoleLurah, hailurah.RoleAdmin)
	staff.GET("/antrian/daftar", queueStaff, s.queueFragment)
	staff.GET("/tiket/:id", caseStaff, s.ticketPage)
	staff.POST("/tiket/:id/aksi", caseStaff, s.ticketActionForm)
	staff.POST("/tiket/:id/kontak", caseStaff, s.ticketContactForm)
	staff.GET("/bukti/:id/:file", caseStaff, s.evidenceFile)

	staff.GET("/notifikasi", s.notificationsPage)
	staff.GET("/notifikasi/jumlah", s.bellFragment)
	staff.POST("/notifikasi/baca", s.notificationsRead)
}

// flashMessages confirm what the previous form did. Only these fixed texts
// are shown: the "ok" parameter selects one, it is never echoed.
var flashMessages = map[string]string{
	hailurah.ActionVerify:       "Triase diverifikasi.",
	hailurah.ActionReply:        "Balasan dikirim ke warga.",
	hailurah.ActionAssign:       "Tiket diteruskan ke unit dinas.",
	hailurah.ActionResolve:      "Tiket diselesaikan dengan saran; warga diminta konfirmasi SESUDAH/BELUM.",
	hailurah.ActionReject:       "Tiket ditolak.",
	hailurah.ActionNote:         "Catatan internal disimpan.",
	hailurah.ActionSetKelurahan: "Kelurahan tiket ditetapkan.",
	hailurah.ActionAccept:       "Tugas diterima.",
	hailurah.ActionProgress:     "Perkembangan pekerjaan dicatat.",
	hailurah.ActionDone:         "Tugas ditandai selesai; warga diminta konfirmasi SESUDAH/BELUM.",
	hailurah.ActionReturn:       "Tiket dikembalikan ke moderator kelurahan.",
	"dibaca":                    "Notifikasi ditandai sudah dibaca.",
	"pengguna":                  "Pengguna disimpan.",
	"status":                    "Status pengguna diubah.",
	"profil":                    "Profil Anda disimpan.",
	"unit":                      "Unit dinas disimpan.",
	"kelurahan":                 "Data kelurahan disimpan.",
	"cabut":                     "Token API dicabut.",
	okPending:                   pendingFlash,
}

// okPending selects pendingFlash: the action was taken and is still being
// carried out (EPENDING).
const (
	okPending    = "diproses"
	pendingFlash = "Aksi sudah diterima dan sedang diproses. Muat ulang halaman sebentar lagi untuk melihat hasilnya."
)

func flashOf(c *gin.Context) string {
	return flashMessages[c.Query("ok")]
}

// renderError shows an error page with the error's status and message;
// internal errors are logged and shown as a generic message.
func (s *UI) renderError(c *gin.Context, err error) {
	if hailurah.ErrorCode(err) == hailurah.EINTERNAL {
		s.Logger.ErrorContext(c.Request.Context(), "page error", "path", c.FullPath(), "err", err)
	}
	title := "Terjadi kesalahan"
	switch hailurah.ErrorCode(err) {
	case hailurah.ENOTFOUND:
		title = "Tidak ditemukan"
	case hailurah.EFORBIDDEN:
		title = "Akses ditolak"
	case hailurah.EUNAVAILABLE:
		title = "Layanan belum tersedia"
	}
	s.renderPage(c, app.ErrorStatus(err), "error", pageData{Title: title, Message: hailurah.ErrorMessage(err)})
}
