package ui

import (
	"bytes"
	"crypto/subtle"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"unicode"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/server/app"
	"github.com/hailurah/hailurah/web"
)

// loginCSRFCookie carries the double-submit token of the login form, which
// has no session yet to hold one.
const loginCSRFCookie = "hailurah_login_csrf"

type navItem struct {
	Path, Label string
	Current     bool
}

// pageData is what every page template receives.
type pageData struct {
	Title         string
	User          *hailurah.User
	KelurahanName string
	UnitName      string
	CSRFToken     string
	Nav           []navItem
	Message       string
	Error         string
	FieldErrors   map[string]string
	Next          string
	Username      string
	Duties        []string
	// Flash confirms the action the previous request carried out.
	Flash string
	// Bell shows the notification bell; Unread is its count.
	Bell   bool
	Unread int
	// Wide lets a page with a table use the whole screen.
	Wide bool
	// Data is the page's own content.
	Data any
}

// roleHome is a role's landing page.
type roleHome struct {
	Path   string
	Label  string
	Title  string
	Roles  []hailurah.Role
	Intro  string
	Duties []string
}

// roleHomes lists the landing pages in menu order. Later features fill
// each page with its queue; the menu and access rules are fixed here.
var roleHomes = []roleHome{
	{Path: "/antrian", Label: "Antrian", Title: "Antrian kasus", Roles: []hailurah.Role{hailurah.RoleModerator, hailurah.RoleAdmin, hailurah.RoleLurah},
		Intro: "Curhat warga yang menunggu verifikasi, diurutkan dari tenggat SLA terdekat.",
		Duties: []string{"Verifikasi hasil triase AI dalam 24 jam", "Perbaiki kategori dan urgensi bila perlu",
			"Balas warga, teruskan ke dinas, selesaikan dengan saran, atau tolak spam/duplikat"}},
	{Path: "/tugas", Label: "Tugas dinas", Title: "Tugas dinas", Roles: []hailurah.Role{hailurah.RoleDinas},
		Intro: "Tugas yang diteruskan ke unit Anda dari semua kelurahan, yang lewat tenggat lebih dulu.",
		Duties: []string{"Terima tugas unit Anda", "Catat perkembangan pekerjaan",
			"Tandai selesai dengan bukti foto, atau kembalikan bila salah unit"}},
	{Path: "/kotak-masuk", Label: "Kotak masuk", Title: "Kotak masuk Lurah", Roles: []hailurah.Role{hailurah.RoleLurah},
		Intro: "Eskalasi, tembusan, pelanggaran SLA, hibah yang menunggu persetujuan dan keputusan pilot 90 hari.",
		Duties: []string{"Tindak lanjuti eskalasi dan tembusan warga", "Setujui atau tolak hibah produktif",
			"Tandatangani keputusan pilot: perluas, sesuaikan, atau hentikan"}},
	{Path: "/rumah-tangga", Label: "Rumah tangga", Title: "Rumah tangga sasaran", Roles: []hailurah.Role{hailurah.RoleFasilitator, hailurah.RoleLurah, hailurah.RoleAdmin},
		Intro: "Pendataan rumah tangga program Satu Rumah Satu Penghasilan.",
		Duties: []string{"Daftarkan dan verifikasi rumah tangga", "Verifikasi pengajuan hibah di lapangan",
			"Catat omzet usaha pada hari ke-30, 60 dan 90"}},
	{Path: "/hibah", Label: "Hibah", Title: "Hibah produktif", Roles: []hailurah.Role{hailurah.RoleFasilitator, hailurah.RoleLurah, hailurah.RoleAdmin},
		Intro: "Hibah produktif Rp 1–3 juta: pengajuan, verifikasi lapangan, persetujuan Lurah, pencairan, bukti penggunaan dan check-in omzet.",
		Duties: []string{"Fasilitator: verifikasi lapangan, bukti penggunaan, check-in omzet 30/60/90 hari",
			"Lurah: setujui atau tolak dengan alasan", "Admin atau Lurah: catat pencairan"}},
	{Path: "/dana-bergulir", Label: "Dana bergulir", Title: "Dana bergulir", Roles: []hailurah.Role{hailurah.RoleFasilitator, hailurah.RoleLurah, hailurah.RoleAdmin},
		Intro: "Pinjaman bergulir warga: pengajuan, persetujuan Lurah, pencairan, cicilan bulanan yang kembali ke saldo kelurahan."},
	{Path: "/anggaran", Label: "Anggaran", Title: "Anggaran program", Roles: []hailurah.Role{hailurah.RoleFasilitator, hailurah.RoleLurah, hailurah.RoleAdmin},
		Intro: "Rencana, komitmen dan realisasi anggaran program per pos dan sumber dana."},
	{Path: "/admin", Label: "Admin", Title: "Administrasi", Roles: []hailurah.Role{hailurah.RoleAdmin},
		Intro: "Pengguna, unit dinas, token API, aturan triase, impor dan ekspor data untuk seluruh kota.",
		Duties: []string{"Kelola pengguna dan token API", "Kelola unit dinas dan nomor WhatsApp kelurahan",
			"Pantau dasbor seluruh kota"}},
}

// homeOf is where each role lands after login.
var homeOf = map[hailurah.Role]string{
	hailurah.RoleModerator:   "/antrian",
	hailurah.RoleDinas:       "/tugas",
	hailurah.RoleLurah:       "/kotak-masuk",
	hailurah.RoleFasilitator: "/rumah-tangga",
	hailurah.RoleAdmin:       "/admin",
}

// parsePages parses each page with the layout and the shared parts
// (badges, the bell, form fields), so a page can also render one of its
// blocks alone as an htmx fragment.
// pageFuncs are the few helpers templates call; everything else is
// computed into the page's data.
var pageFuncs = template.FuncMap{"dash": dash, "idempotencyKey": app.RandomToken}

func parsePages() (map[string]*template.Template, error) {
	names, err := fs.Glob(web.Templates(), "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, name := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(name, "templates/"), ".html")
		if base == "layout" || base == "parts" {
			continue
		}
		t, err := template.New(base).Funcs(pageFuncs).ParseFS(web.Templates(), "templates/layout.html", "templates/parts.html", name)
		if err != nil {
			return nil, fmt.Errorf("parse page %s: %w", name, err)
		}
		pages[base] = t
	}
	return pages, nil
}

// renderPage renders into a buffer first, so a template error becomes a
// clean 500 instead of half a page.
func (s *UI) renderPage(c *gin.Context, status int, page string, data pageData) {
	t, ok := s.pages[page]
	if !ok {
		s.Logger.Error("unknown page", slog.String("page", page))
		c.Status(http.StatusInternalServerError)
		return
	}
	if p := app.PrincipalOf(c); p != nil && data.User == nil {
		data.User = p.User
	}
	if data.User != nil {
		if p := app.PrincipalOf(c); p != nil && p.Session != nil && data.CSRFToken == "" {
			data.CSRFToken = p.Session.CSRFToken
		}
		data.Nav = s.navFor(data.User, c.Request.URL.Path)
		s.fillNames(c, &data)
		if s.Notifications != nil {
			data.Bell = true
			data.Unread = s.unreadCount(c)
		}
	}
	s.execute(c, status, t, "layout", data)
}

// renderFragment renders one block of a page without the layout: the
// answer to an htmx poll.
func (s *UI) renderFragment(c *gin.Context, status int, page, block string, data pageData) {
	t, ok := s.pages[page]
	if !ok || t.Lookup(block) == nil {
		s.Logger.Error("unknown fragment", slog.String("page", page), slog.String("block", block))
		c.Status(http.StatusInternalServerError)
		return
	}
	if p := app.PrincipalOf(c); p != nil && data.User == nil {
		data.User = p.User
	}
	s.execute(c, status, t, block, data)
}

func (s *UI) execute(c *gin.Context, status int, t *template.Template, name string, data pageData) {
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
		s.Logger.Error("render page", slog.String("template", name), slog.Any("err", err))
		c.Status(http.StatusInternalServerError)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

func (s *UI) fillNames(c *gin.Context, data *pageData) {
	ctx := c.Request.Context()
	if code := data.User.Kelurahan; code != "" {
		data.KelurahanName = code
		if k, err := s.Kelurahan.FindKelurahan(ctx, code); err == nil {
			data.KelurahanName = k.Name
		}
	}
	if code := data.User.Unit; code != "" {
		data.UnitName = strings.ToUpper(code)
		if u, err := s.Kelurahan.FindUnit(ctx, code); err == nil {
			data.UnitName = u.Name
		}
	}
}

// reportNav are the menu entries of the dashboards and pilots, which
// pilotPages registers when App.Pilots is set.
var reportNav = []roleHome{
	{Path: "/dasbor", Label: "Dasbor", Roles: []hailurah.Role{hailurah.RoleModerator, hailurah.RoleLurah, hailurah.RoleFasilitator, hailurah.RoleAdmin}},
	{Path: "/siap-taman", Label: "SIAP-TAMAN", Roles: []hailurah.Role{hailurah.RoleModerator, hailurah.RoleLurah, hailurah.RoleFasilitator, hailurah.RoleAdmin}},
	{Path: "/pilot", Label: "Pilot 90 hari", Roles: []hailurah.Role{hailurah.RoleModerator, hailurah.RoleLurah, hailurah.RoleFasilitator, hailurah.RoleAdmin}},
}

// laporanNav is the reports page's menu entry, when App.Reports is set.
var laporanNav = roleHome{Path: "/laporan", Label: "Laporan", Roles: app.ReportRoles}

// fieldNav are the menu entries of the fasilitator's field pages
// (package fieldui).
var fieldNav = []roleHome{
	{Path: "/kegiatan", Label: "Kegiatan", Roles: []hailurah.Role{hailurah.RoleFasilitator, hailurah.RoleLurah, hailurah.RoleAdmin}},
	{Path: "/toko-warga/kelola", Label: "Toko Warga", Roles: []hailurah.Role{hailurah.RoleFasilitator, hailurah.RoleLurah, hailurah.RoleAdmin}},
}

func (s *UI) navFor(u *hailurah.User, current string) []navItem {
	entries := roleHomes
	if s.Pilots != nil {
		entries = append(append([]roleHome{}, roleHomes...), reportNav...)
	}
	if s.Reports != nil {
		entries = append(entries[:len(entries):len(entries)], laporanNav)
	}
	if s.Programme != nil && s.Programme.Field != nil {
		entries = append(append([]roleHome{}, entries...), fieldNav...)
	}
	var nav []navItem
	for _, h := range entries {
		if app.HasRole(u, h.Roles) {
			nav = append(nav, navItem{Path: h.Path, Label: h.Label, Current: h.Path == current})
		}
	}
	return nav
}

// requireStaffPage sends an anonymous browser to the login page and checks
// the CSRF token of form posts.
func (s *UI) requireStaffPage(c *gin.Context) {
	p := app.PrincipalOf(c)
	if p == nil {
		// An htmx poll whose session ended must move the whole page to the
		// login form, not swap the form into the queue.
		if c.GetHeader("HX-Request") == "true" {
			next := "/"
			if ref, err := url.Parse(c.Request.Referer()); err == nil && ref.Host == c.Request.Host {
				next = ref.RequestURI()
			}
			c.Header("HX-Redirect", "/login?next="+url.QueryEscape(next))
			c.AbortWithStatus(http.StatusUnauthorized)
			return
		}
		c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
		c.Abort()
		return
	}
	if err := app.CheckCSRF(c, p); err != nil {
		s.renderPage(c, http.StatusForbidden, "error", pageData{Title: "Permintaan ditolak", Message: hailurah.ErrorMessage(err)})
		c.Abort()
		return
	}
	c.Next()
}

func (s *UI) requireRolePage(roles ...hailurah.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !app.HasRole(app.UserOf(c), roles) {
			s.renderPage(c, http.StatusForbidden, "error", pageData{Title: "Akses ditolak",
				Message: "Peran Anda tidak berwenang membuka halaman ini."})
			c.Abort()
			return
		}
		c.Next()
	}
}

func (s *UI) rolePage(h roleHome) gin.HandlerFunc {
	return func(c *gin.Context) {
		s.renderPage(c, http.StatusOK, "home", pageData{Title: h.Title, Message: h.Intro, Duties: h.Duties})
	}
}

func (s *UI) loginPage(c *gin.Context) {
	if app.PrincipalOf(c) != nil {
		c.Redirect(http.StatusSeeOther, safeNext(c.Query("next"), homeOf[app.PrincipalOf(c).User.Role]))
		return
	}
	s.renderLogin(c, http.StatusOK, pageData{Next: safeNext(c.Query("next"), "")})
}

// renderLogin keeps the browser's login token while it has one, so a form
// open in a second tab, or re-shown after a failed attempt, stays valid.
func (s *UI) renderLogin(c *gin.Context, status int, data pageData) {
	token, _ := c.Cookie(loginCSRFCookie)
	if len(token) != len(app.RandomToken()) {
		token = app.RandomToken()
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: loginCSRFCookie, Value: token, Path: "/login",
		HttpOnly: true, Secure: s.Secure(c), SameSite: http.SameSiteStrictMode, MaxAge: 3600})
	data.Title = "Masuk"
	data.CSRFToken = token
	data.User = nil
	s.renderPage(c, status, "login", data)
}

func (s *UI) loginForm(c *gin.Context) {
	username, password := c.PostForm("username"), c.PostForm("password")
	next := safeNext(c.PostForm("next"), "")
	data := pageData{Username: username, Next: next, FieldErrors: map[string]string{}}
	cookie, _ := c.Cookie(loginCSRFCookie)
	form := c.PostForm(app.CSRFField)
	if cookie == "" || subtle.ConstantTimeCompare([]byte(cookie), []byte(form)) != 1 {
		data.Error = "Sesi formulir kedaluwarsa. Silakan coba lagi."
		s.renderLogin(c, http.StatusForbidden, data)
		return
	}
	if strings.TrimSpace(username) == "" {
		data.FieldErrors["username"] = "Nama pengguna wajib diisi."
	}
	if password == "" {
		data.FieldErrors["password"] = "Kata sandi wajib diisi."
	}
	if len(data.FieldErrors) > 0 {
		s.renderLogin(c, http.StatusUnprocessableEntity, data)
		return
	}
	u, _, err := s.Sessions.Login(c, username, password)
	if err != nil {
		data.Error = hailurah.ErrorMessage(err)
		s.renderLogin(c, app.ErrorStatus(err), data)
		return
	}
	c.Redirect(http.StatusSeeOther, safeNext(next, homeOf[u.Role]))
}

func (s *UI) logoutForm(c *gin.Context) {
	if err := s.Sessions.Logout(c); err != nil {
		s.renderPage(c, app.ErrorStatus(err), "error", pageData{Title: "Gagal keluar", Message: hailurah.ErrorMessage(err)})
		return
	}
	c.Redirect(http.StatusSeeOther, "/login")
}

// safeNext accepts only a path on this site, so the login page cannot be
// used to send someone to another one. Browsers drop tabs and newlines and
// read a backslash as a slash, so "/\t/evil.example/" is "//evil.example/";
// the check looks at the value decoded as far as it decodes and refuses any
// control character, backslash or second leading slash in it.
func safeNext(next, fallback string) string {
	if !localPath(next) {
		return fallback
	}
	return next
}

// localPath reports whether p is an absolute path on this origin.
func localPath(p string) bool {
	decoded := p
	for range 3 {
		d, err := url.PathUnescape(decoded)
		if err != nil {
			return false
		}
		if d == decoded {
			break
		}
		decoded = d
	}
	for _, v := range []string{p, decoded} {
		if !strings.HasPrefix(v, "/") || strings.HasPrefix(v, "//") || strings.ContainsRune(v, '\\') {
			return false
		}
		for _, r := range v {
			if r < 0x20 || r == 0x7f || unicode.IsSpace(r) {
				return false
			}
		}
	}
	u, err := url.Parse(p)
	return err == nil && u.Scheme == "" && u.Host == "" && u.Opaque == ""
}
