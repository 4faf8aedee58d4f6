// Package fieldui holds the fasilitator's field pages of "Satu Rumah Satu
// Penghasilan": trainings and their attendance, padat karya projects and
// their workers, Pasar Rakyat, mentoring visits and the Toko Warga Taman
// catalogue (its staff pages and the public /toko-warga). Each form feeds
// the SIAP-TAMAN indicators. The pages render through package ui's layout;
// they live here to keep ui within its size bound.
package fieldui

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/programme"
	"github.com/hailurah/hailurah/server/app"
	"github.com/hailurah/hailurah/server/ui"
)

// Pages serves the field pages through ui's layout and app's services.
type Pages struct {
	*app.App
	ui *ui.UI
}

// New returns the field pages of u.
func New(u *ui.UI) *Pages { return &Pages{App: u.App, ui: u} }

// Routes registers the field pages; without the programme's field
// service there are none.
func (s *Pages) Routes(r *gin.Engine) {
	if s.Programme == nil || s.Programme.Field == nil {
		return
	}
	staff := r.Group("", s.ui.RequireStaffPage)
	readers := s.ui.RequireRolePage(hailurah.RoleFasilitator, hailurah.RoleLurah, hailurah.RoleAdmin)
	writers := s.ui.RequireRolePage(hailurah.RoleFasilitator, hailurah.RoleAdmin)
	staff.GET("/kegiatan", readers, s.hubPage)
	staff.GET("/pelatihan", readers, s.trainingsPage)
	staff.POST("/pelatihan", writers, s.trainingCreate)
	staff.GET("/pelatihan/:id", readers, s.trainingPage)
	staff.POST("/pelatihan/:id/hadir", writers, s.attendanceForm)
	staff.GET("/padat-karya", readers, s.projectsPage)
	staff.POST("/padat-karya", writers, s.projectCreate)
	staff.GET("/padat-karya/:id", readers, s.projectPage)
	staff.POST("/padat-karya/:id/pekerja", writers, s.workersForm)
	staff.GET("/pasar-rakyat", readers, s.bazaarsPage)
	staff.POST("/pasar-rakyat", writers, s.bazaarCreate)
	staff.GET("/pasar-rakyat/:id", readers, s.bazaarPage)
	staff.POST("/pasar-rakyat/:id/lapak", writers, s.stallsForm)
	staff.GET("/pendampingan", readers, s.visitsPage)
	staff.POST("/pendampingan", writers, s.visitCreate)
	staff.GET("/toko-warga/kelola", readers, s.productsPage)
	staff.POST("/toko-warga/kelola", writers, s.productCreate)
	staff.GET("/toko-warga/kelola/:id", readers, s.productPage)
	staff.POST("/toko-warga/kelola/:id", writers, s.productUpdate)
	staff.POST("/toko-warga/kelola/:id/pesanan", writers, s.orderForm)
	r.GET("/toko-warga", s.shopPage)
	r.GET("/toko-warga/:id/pesan", s.orderRedirect)
	r.GET("/toko-warga/:id/foto", s.productPhoto)
}

// flash confirms what the previous form did; "ok" selects one of these
// fixed texts and is never echoed.
var flash = map[string]string{
	"pelatihan": "Sesi pelatihan disimpan. Sekarang catat kehadiran.",
	"hadir":     "Kehadiran disimpan.",
	"proyek":    "Proyek padat karya disimpan. Sekarang catat pekerja.",
	"pekerja":   "Hari kerja disimpan.",
	"pasar":     "Pasar rakyat disimpan. Sekarang catat lapak.",
	"lapak":     "Lapak dan penjualan disimpan.",
	"kunjungan": "Kunjungan pendampingan disimpan.",
	"produk":    "Produk disimpan.",
	"pesanan":   "Pesanan dicatat.",
}

// fieldErrors collects every bad field of a form, so the page shows them
// all at once; the first message of a field wins.
type fieldErrors map[string]string

func (e fieldErrors) add(field, msg string) {
	if _, ok := e[field]; !ok {
		e[field] = msg
	}
}

func (e fieldErrors) addAll(errs []*hailurah.Error) {
	for _, err := range errs {
		e.add(err.Field, err.Message)
	}
}

// addErr adds an application error of one field; it reports false for
// any other error, which the caller shows as the error page.
func (e fieldErrors) addErr(err error) bool {
	var ae *hailurah.Error
	if !errors.As(err, &ae) || ae.Code != hailurah.EINVALID {
		return false
	}
	field := ae.Field
	if field == "" {
		field = "form"
	}
	e.add(field, ae.Message)
	return true
}

// summary is the one line above a refused form.
func (e fieldErrors) summary() string {
	if len(e) == 0 {
		return ""
	}
	return "Periksa isian yang ditandai: " + strconv.Itoa(len(e)) + " perlu diperbaiki."
}

// date reads a form date ("2026-12-07" from a date input, or 07-12-2026);
// blank is today, a day after today is refused.
func (s *Pages) date(e fieldErrors, field, value, label string, future bool) time.Time {
	if strings.TrimSpace(value) == "" {
		y, m, d := s.Zone.In(s.Now()).Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	t, err := programme.ParseDate(value)
	if err != nil {
		e.add(field, label+" "+err.Error()+".")
		return time.Time{}
	}
	if !future && t.After(s.Now()) {
		e.add(field, label+" tidak boleh di masa depan.")
	}
	return t
}

// rupiah reads an amount written "1.500.000" or "Rp 1.500.000"; blank is
// def.
func rupiah(e fieldErrors, field, value, label string, def int64) int64 {
	if strings.TrimSpace(value) == "" {
		return def
	}
	n, err := programme.ParseRupiah(value)
	if err != nil || n < 0 || n > hailurah.MaxRupiah {
		e.add(field, label+" tidak sah: tulis misalnya 1.500.000.")
		return def
	}
	return n
}

// kelurahan is where the user records: their own kelurahan, or for the
// city's admin the one chosen (?kelurahan=), else the first.
func (s *Pages) kelurahan(c *gin.Context) (code string, options []option, err error) {
	u := app.UserOf(c)
	if u.Kelurahan != "" {
		return u.Kelurahan, nil, nil
	}
	ks, err := s.Kelurahan.ListKelurahan(c.Request.Context())
	if err != nil {
		return "", nil, err
	}
	want := c.Query("kelurahan")
	if v := c.PostForm("kelurahan"); v != "" {
		want = v
	}
	for _, k := range ks {
		options = append(options, option{Value: k.Code, Label: k.Name})
		if k.Code == want || (code == "" && want == "") {
			code = k.Code
		}
	}
	if code == "" {
		return "", nil, hailurah.Errorf(hailurah.ENOTFOUND, "Kelurahan tidak ditemukan.")
	}
	return code, options, nil
}

type option struct{ Value, Label string }

// canWrite reports whether the user may use the forms (the lurah reads).
func canWrite(c *gin.Context) bool {
	r := app.UserOf(c).Role
	return r == hailurah.RoleFasilitator || r == hailurah.RoleAdmin
}

// id reads the :id of the path; a bad one is not found.
func pathID(c *gin.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, hailurah.Errorf(hailurah.ENOTFOUND, "Halaman tidak ditemukan.")
	}
	return id, nil
}

// visible finds the record the path's id names, when it belongs to the
// user's kelurahan (the city's admin sees every one); anything else is
// not found, what names it.
func visible[T any](c *gin.Context, find func(context.Context, int64) (T, error), kelurahan func(T) string, what string) (T, error) {
	var zero T
	id, err := pathID(c)
	if err != nil {
		return zero, err
	}
	v, err := find(c.Request.Context(), id)
	if err != nil {
		return zero, err
	}
	if u := app.UserOf(c); u.Role != hailurah.RoleAdmin && u.Kelurahan != kelurahan(v) {
		return zero, hailurah.Errorf(hailurah.ENOTFOUND, "%s tidak ditemukan.", what)
	}
	return v, nil
}

// householdOptions lists the kelurahan's households for a select.
func (s *Pages) householdOptions(c *gin.Context, kel string) ([]option, error) {
	hs, _, err := s.households(c, kel, "")
	if err != nil {
		return nil, err
	}
	out := make([]option, len(hs))
	for i, h := range hs {
		out[i] = option{Value: h.ID, Label: h.NamaKepalaKeluarga + " · " + h.ID}
	}
	return out, nil
}

// dayLabel writes a calendar date the pages' way: "7 Des 2026".
func dayLabel(t time.Time) string {
	months := [...]string{"Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"}
	return strconv.Itoa(t.Day()) + " " + months[t.Month()-1] + " " + strconv.Itoa(t.Year())
}

// render shows a page with its form's errors; status 422 when it has any.
func (s *Pages) render(c *gin.Context, name, title string, e fieldErrors, data any) {
	status := http.StatusOK
	if len(e) > 0 {
		status = http.StatusUnprocessableEntity
	}
	s.ui.Render(c, status, name, ui.Page{Title: title, Flash: flash[c.Query("ok")], Error: e.summary(),
		FieldErrors: e, Data: data})
}

// hubPage: GET /kegiatan — the fasilitator's forms, one big button each.
func (s *Pages) hubPage(c *gin.Context) {
	s.ui.Render(c, http.StatusOK, "field_hub", ui.Page{Title: "Kegiatan lapangan"})
}
