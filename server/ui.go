package server

import (
	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
)

// uiRoutes registers the staff pages. Every page and form goes through
// requireStaffPage (login, CSRF on posts) and a role check; what a user
// sees inside a page is narrowed again by kelurahan or unit, with the same
// helpers as the JSON API.
func (s *Server) uiRoutes(r *gin.Engine) {
	staff := r.Group("", s.requireStaffPage)
	cases := s.cfg.Tickets != nil && s.cfg.Cases != nil && s.cfg.Notifications != nil
	real := map[string]gin.HandlerFunc{"/admin": s.adminUsersPage}
	if cases {
		real["/antrian"] = s.queuePage
		real["/tugas"] = s.tasksPage
		real["/kotak-masuk"] = s.inboxPage
	}
	if s.cfg.Programme != nil {
		real["/rumah-tangga"] = s.householdsPage
		real["/hibah"] = s.grantQueuePage
	}
	for _, h := range roleHomes {
		handler, ok := real[h.Path]
		if !ok {
			handler = s.rolePage(h)
		}
		staff.GET(h.Path, s.requireRolePage(h.Roles...), handler)
	}

	admin := staff.Group("/admin", s.requireRolePage(hailurah.RoleAdmin))
	admin.POST("/pengguna", s.adminCreateUser)
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
func (s *Server) renderError(c *gin.Context, err error) {
	if hailurah.ErrorCode(err) == hailurah.EINTERNAL {
		s.logger.ErrorContext(c.Request.Context(), "page error", "path", c.FullPath(), "err", err)
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
	s.renderPage(c, ErrorStatus(err), "error", pageData{Title: title, Message: hailurah.ErrorMessage(err)})
}
