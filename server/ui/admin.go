package ui

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/server/app"
)

// RulesView is the active rules file, for the admin's read-only view.
type RulesView interface {
	Source() string
	OverridePath() string
}

// The admin pages write only through the store's services, and every write
// goes to the audit log with what changed.

type adminTab struct {
	Path, Label string
	Current     bool
}

var adminTabs = []adminTab{
	{"/admin", "Pengguna", false},
	{"/admin/unit", "Unit dinas", false},
	{"/admin/kelurahan", "Kelurahan", false},
	{"/admin/token", "Token API", false},
	{"/admin/aturan", "Aturan triase", false},
	{"/admin/audit", "Log audit", false},
}

func tabsFor(current string) []adminTab {
	out := make([]adminTab, len(adminTabs))
	for i, t := range adminTabs {
		t.Current = t.Path == current
		out[i] = t
	}
	return out
}

func auditDetail(v map[string]any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// --- users ---

type userRow struct {
	ID       int64
	Username string
	Name     string
	Role     string
	Where    string
	Phone    string
	Notices  bool
	Disabled bool
	Self     bool
}

type userForm struct {
	Username, Name, Role, Kelurahan, Unit, Phone string
}

type adminUsersData struct {
	Tabs      []adminTab
	Users     []userRow
	Form      userForm
	Roles     []option
	Kelurahan []option
	Units     []option
}

// adminUsersPage: GET /admin.
func (s *UI) adminUsersPage(c *gin.Context) {
	s.renderAdminUsers(c, http.StatusOK, userForm{Role: string(hailurah.RoleModerator)}, nil, "")
}

func (s *UI) renderAdminUsers(c *gin.Context, status int, form userForm, fieldErrs map[string]string, formErr string) {
	ctx := c.Request.Context()
	n := s.LoadNames(ctx)
	users, err := s.Users.ListUsers(ctx, hailurah.UserFilter{})
	if err != nil {
		s.renderError(c, err)
		return
	}
	me := app.UserOf(c)
	d := &adminUsersData{Tabs: tabsFor("/admin"), Form: form, Kelurahan: kelurahanOptions(n), Units: unitOptions(n)}
	for _, r := range hailurah.Roles {
		d.Roles = append(d.Roles, option{string(r), r.Label()})
	}
	for _, u := range users {
		d.Users = append(d.Users, userRow{ID: u.ID, Username: u.Username, Name: u.Name, Role: u.Role.Label(),
			Where: userWhere(n, u), Phone: u.Phone, Notices: u.WhatsAppNotices, Disabled: u.Disabled, Self: u.ID == me.ID})
	}
	s.renderPage(c, status, "admin", pageData{Title: "Administrasi · Pengguna", Flash: flashOf(c), Data: d,
		FieldErrors: fieldErrs, Error: formErr, Wide: true})
}

// adminCreateUser: POST /admin/pengguna.
func (s *UI) adminCreateUser(c *gin.Context) {
	form := userForm{
		Username: strings.ToLower(strings.TrimSpace(c.PostForm("username"))), Name: strings.TrimSpace(c.PostForm("name")),
		Role: c.PostForm("role"), Kelurahan: c.PostForm("kelurahan"), Unit: c.PostForm("unit"),
		Phone: strings.TrimSpace(c.PostForm("phone")),
	}
	password := c.PostForm("password")
	errs := map[string]string{}
	if form.Name == "" || utf8.RuneCountInString(form.Name) > 100 {
		errs["name"] = "Nama lengkap wajib diisi (maks. 100 karakter)."
	}
	if password != c.PostForm("password2") {
		errs["password2"] = "Ulangi kata sandi yang sama."
	}
	u := &hailurah.User{Username: form.Username, Name: form.Name, Role: hailurah.Role(form.Role), WhatsAppNotices: true}
	if phone, err := hailurah.NormalizeStaffPhone(form.Phone); err != nil {
		errs["phone"] = hailurah.ErrorMessage(err)
	} else {
		u.Phone = phone
	}
	// Only the place that fits the role is kept, so a leftover choice in
	// the other select does not make the user invalid.
	switch u.Role {
	case hailurah.RoleDinas:
		u.Unit = form.Unit
	case hailurah.RoleModerator, hailurah.RoleLurah, hailurah.RoleFasilitator:
		u.Kelurahan = form.Kelurahan
	}
	if err := u.Validate(); err != nil {
		errs[hailurah.ErrorField(err)] = hailurah.ErrorMessage(err)
	}
	if len(errs) > 0 {
		s.renderAdminUsers(c, http.StatusUnprocessableEntity, form, errs, "")
		return
	}
	if err := s.Users.CreateUser(c.Request.Context(), u, password); err != nil {
		field := hailurah.ErrorField(err)
		if field == "" && hailurah.ErrorCode(err) == hailurah.ECONFLICT {
			field = "username"
		}
		if field == "" {
			if hailurah.ErrorCode(err) == hailurah.EINTERNAL {
				s.renderError(c, err)
				return
			}
			s.renderAdminUsers(c, app.ErrorStatus(err), form, nil, hailurah.ErrorMessage(err))
			return
		}
		s.renderAdminUsers(c, app.ErrorStatus(err), form, map[string]string{field: hailurah.ErrorMessage(err)}, "")
		return
	}
	s.Audit(c, "user.create", u.Username, auditDetail(map[string]any{"role": u.Role, "kelurahan": u.Kelurahan, "unit": u.Unit}))
	c.Redirect(http.StatusSeeOther, "/admin?ok=pengguna")
}

// adminSetUserDisabled: POST /admin/pengguna/{id}/status. Disabling ends
// the user's sessions at once.
func (s *UI) adminSetUserDisabled(c *gin.Context) {
	ctx := c.Request.Context()
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		s.renderError(c, hailurah.Errorf(hailurah.ENOTFOUND, "Pengguna tidak ditemukan."))
		return
	}
	u, err := s.Users.FindUserByID(ctx, id)
	if err != nil {
		s.renderError(c, err)
		return
	}
	disable := c.PostForm("disabled") == "1"
	if disable && u.ID == app.UserOf(c).ID {
		s.renderAdminUsers(c, http.StatusConflict, userForm{Role: string(hailurah.RoleModerator)}, nil,
			"Anda tidak dapat menonaktifkan akun Anda sendiri.")
		return
	}
	if err := s.Users.SetDisabled(ctx, id, disable); err != nil {
		s.renderError(c, err)
		return
	}
	action := "user.enable"
	if disable {
		action = "user.disable"
		if err := s.Users.DeleteUserSessions(ctx, id); err != nil {
			s.Logger.ErrorContext(ctx, "delete sessions of disabled user", "user", u.Username, "err", err)
		}
	}
	s.Audit(c, action, u.Username, "")
	c.Redirect(http.StatusSeeOther, "/admin?ok=status")
}

// --- units ---

var unitCode = regexp.MustCompile(`^[a-z0-9_]{2,32}$`)

type adminUnitsData struct {
	Tabs  []adminTab
	Units []*hailurah.Unit
	Form  hailurah.Unit
	Edit  bool
}

// adminUnitsPage: GET /admin/unit[?kode=pupr].
func (s *UI) adminUnitsPage(c *gin.Context) {
	var form hailurah.Unit
	edit := false
	if code := c.Query("kode"); code != "" {
		u, err := s.Kelurahan.FindUnit(c.Request.Context(), code)
		if err != nil {
			s.renderError(c, err)
			return
		}
		form, edit = *u, true
	}
	s.renderAdminUnits(c, http.StatusOK, form, edit, nil)
}

func (s *UI) renderAdminUnits(c *gin.Context, status int, form hailurah.Unit, edit bool, errs map[string]string) {
	units, err := s.Kelurahan.ListUnits(c.Request.Context())
	if err != nil {
		s.renderError(c, err)
		return
	}
	s.renderPage(c, status, "admin-unit", pageData{Title: "Administrasi · Unit dinas", Flash: flashOf(c),
		FieldErrors: errs, Data: &adminUnitsData{Tabs: tabsFor("/admin/unit"), Units: units, Form: form, Edit: edit}})
}

// adminUpsertUnit: POST /admin/unit.
func (s *UI) adminUpsertUnit(c *gin.Context) {
	form := hailurah.Unit{Code: strings.ToLower(strings.TrimSpace(c.PostForm("code"))), Name: strings.TrimSpace(c.PostForm("name"))}
	edit := c.PostForm("edit") == "1"
	errs := map[string]string{}
	if !unitCode.MatchString(form.Code) {
		errs["code"] = "Kode unit 2–32 karakter: huruf kecil, angka atau garis bawah, misalnya pupr."
	}
	if n := utf8.RuneCountInString(form.Name); n < 3 || n > 120 {
		errs["name"] = "Nama unit wajib diisi (3–120 karakter)."
	}
	if len(errs) > 0 {
		s.renderAdminUnits(c, http.StatusUnprocessableEntity, form, edit, errs)
		return
	}
	if err := s.Kelurahan.UpsertUnit(c.Request.Context(), &form); err != nil {
		s.renderAdminFormError(c, err, func(errs map[string]string) { s.renderAdminUnits(c, app.ErrorStatus(err), form, edit, errs) })
		return
	}
	s.Audit(c, "unit.upsert", form.Code, auditDetail(map[string]any{"name": form.Name}))
	c.Redirect(http.StatusSeeOther, "/admin/unit?ok=unit")
}

// renderAdminFormError shows a store error next to its field, or above
// the form; internal errors go to the error page.
func (s *UI) renderAdminFormError(c *gin.Context, err error, render func(map[string]string)) {
	if hailurah.ErrorCode(err) == hailurah.EINTERNAL {
		s.renderError(c, err)
		return
	}
	render(map[string]string{hailurah.ErrorField(err): hailurah.ErrorMessage(err)})
}

// --- kelurahan ---

var (
	kelurahanCode = regexp.MustCompile(`^[a-z0-9-]{2,40}$`)
	phoneNumberID = regexp.MustCompile(`^[0-9]{5,32}$`)
)

type kelurahanForm struct {
	Code, Name, Kecamatan, Kota, LurahName, PhoneNumberID, GrantBudget string
	// QuietHours for WhatsApp notices, "21:00-06:00"; shown when the
	// server keeps them (App.Notices).
	QuietHours string
}

type kelurahanRow struct {
	hailurah.Kelurahan
	Budget string
	Quiet  string
}

type adminKelurahanData struct {
	Tabs      []adminTab
	Kelurahan []kelurahanRow
	Form      kelurahanForm
	Edit      bool
	// Quiet shows the quiet hours.
	Quiet bool
}

// adminKelurahanPage: GET /admin/kelurahan[?kode=taman].
func (s *UI) adminKelurahanPage(c *gin.Context) {
	form := kelurahanForm{Kota: "Madiun", QuietHours: hailurah.DefaultQuietHours.Form()}
	edit := false
	if code := c.Query("kode"); code != "" {
		k, err := s.Kelurahan.FindKelurahan(c.Request.Context(), code)
		if err != nil {
			s.renderError(c, err)
			return
		}
		form = kelurahanForm{Code: k.Code, Name: k.Name, Kecamatan: k.Kecamatan, Kota: k.Kota, LurahName: k.LurahName,
			PhoneNumberID: k.WhatsAppPhoneNumberID, GrantBudget: strconv.FormatInt(k.GrantBudget, 10)}
		if s.Notices != nil {
			q, err := s.Notices.QuietHours(c.Request.Context(), code)
			if err != nil {
				s.renderError(c, err)
				return
			}
			form.QuietHours = q.Form()
		}
		edit = true
	}
	s.renderAdminKelurahan(c, http.StatusOK, form, edit, nil)
}

func (s *UI) renderAdminKelurahan(c *gin.Context, status int, form kelurahanForm, edit bool, errs map[string]string) {
	ks, err := s.Kelurahan.ListKelurahan(c.Request.Context())
	if err != nil {
		s.renderError(c, err)
		return
	}
	d := &adminKelurahanData{Tabs: tabsFor("/admin/kelurahan"), Form: form, Edit: edit, Quiet: s.Notices != nil}
	for _, k := range ks {
		row := kelurahanRow{Kelurahan: *k, Budget: hailurah.FormatRupiah(k.GrantBudget)}
		if s.Notices != nil {
			if q, err := s.Notices.QuietHours(c.Request.Context(), k.Code); err == nil {
				row.Quiet = q.String()
			}
		}
		d.Kelurahan = append(d.Kelurahan, row)
	}
	s.renderPage(c, status, "admin-kelurahan", pageData{Title: "Administrasi · Kelurahan", Flash: flashOf(c),
		FieldErrors: errs, Data: d, Wide: true})
}

// adminUpsertKelurahan: POST /admin/kelurahan.
func (s *UI) adminUpsertKelurahan(c *gin.Context) {
	ctx := c.Request.Context()
	trim := func(k string) string { return strings.TrimSpace(c.PostForm(k)) }
	form := kelurahanForm{Code: strings.ToLower(trim("code")), Name: trim("name"), Kecamatan: trim("kecamatan"), Kota: trim("kota"),
		LurahName: trim("lurah_name"), PhoneNumberID: trim("phone_number_id"), GrantBudget: trim("grant_budget"),
		QuietHours: trim("quiet_hours")}
	edit := c.PostForm("edit") == "1"
	errs := map[string]string{}
	if !kelurahanCode.MatchString(form.Code) {
		errs["code"] = "Kode kelurahan 2–40 karakter: huruf kecil, angka atau tanda hubung, misalnya taman."
	}
	for field, v := range map[string]string{"name": form.Name, "kecamatan": form.Kecamatan, "kota": form.Kota, "lurah_name": form.LurahName} {
		if utf8.RuneCountInString(v) > 100 {
			errs[field] = "Maksimal 100 karakter."
		}
	}
	if form.Name == "" {
		errs["name"] = "Nama kelurahan wajib diisi."
	}
	if form.PhoneNumberID != "" && !phoneNumberID.MatchString(form.PhoneNumberID) {
		errs["phone_number_id"] = "Phone number ID WhatsApp berupa angka saja (5–32 digit), dari Meta Business Manager."
	}
	budget := int64(0)
	if form.GrantBudget != "" {
		digits := strings.NewReplacer(".", "", " ", "", "Rp", "", "rp", "").Replace(form.GrantBudget)
		v, err := strconv.ParseInt(digits, 10, 64)
		if err != nil || v < 0 || v > 1_000_000_000_000 {
			errs["grant_budget"] = "Anggaran hibah berupa angka rupiah, misalnya 150000000."
		}
		budget = v
	}
	if form.PhoneNumberID != "" && errs["phone_number_id"] == "" {
		if ks, err := s.Kelurahan.ListKelurahan(ctx); err == nil {
			for _, k := range ks {
				if k.Code != form.Code && k.WhatsAppPhoneNumberID == form.PhoneNumberID {
					errs["phone_number_id"] = "Nomor WhatsApp ini sudah dipakai Kelurahan " + k.Name + "."
				}
			}
		}
	}
	if !edit && errs["code"] == "" {
		if _, err := s.Kelurahan.FindKelurahan(ctx, form.Code); err == nil {
			errs["code"] = "Kode ini sudah dipakai; pilih Ubah pada daftar untuk mengubahnya."
		}
	}
	quiet, err := hailurah.ParseQuietHours(form.QuietHours)
	if s.Notices != nil && err != nil {
		errs["quiet_hours"] = hailurah.ErrorMessage(err)
	}
	if len(errs) > 0 {
		s.renderAdminKelurahan(c, http.StatusUnprocessableEntity, form, edit, errs)
		return
	}
	k := &hailurah.Kelurahan{Code: form.Code, Name: form.Name, Kecamatan: form.Kecamatan, Kota: form.Kota,
		LurahName: form.LurahName, WhatsAppPhoneNumberID: form.PhoneNumberID, GrantBudget: budget}
	if err := s.Kelurahan.UpsertKelurahan(ctx, k); err != nil {
		s.renderAdminFormError(c, err, func(errs map[string]string) { s.renderAdminKelurahan(c, app.ErrorStatus(err), form, edit, errs) })
		return
	}
	detail := map[string]any{"name": k.Name, "whatsapp_phone_number_id": k.WhatsAppPhoneNumberID, "grant_budget": k.GrantBudget}
	if s.Notices != nil {
		if err := s.Notices.SetQuietHours(ctx, k.Code, quiet); err != nil {
			s.renderAdminFormError(c, err, func(errs map[string]string) { s.renderAdminKelurahan(c, app.ErrorStatus(err), form, edit, errs) })
			return
		}
		detail["quiet_hours"] = quiet.String()
	}
	s.Audit(c, "kelurahan.upsert", k.Code, auditDetail(detail))
	c.Redirect(http.StatusSeeOther, "/admin/kelurahan?ok=kelurahan")
}

// --- API tokens ---

type tokenRow struct {
	ID       int64
	Name     string
	User     string
	Prefix   string
	Created  string
	LastUsed string
	Revoked  string
}

type adminTokensData struct {
	Tabs      []adminTab
	Tokens    []tokenRow
	Users     []option
	FormName  string
	FormUser  string
	NewSecret string
	NewName   string
}

// adminTokensPage: GET /admin/token.
func (s *UI) adminTokensPage(c *gin.Context) {
	s.renderAdminTokens(c, http.StatusOK, &adminTokensData{}, nil)
}

func (s *UI) renderAdminTokens(c *gin.Context, status int, d *adminTokensData, errs map[string]string) {
	ctx := c.Request.Context()
	users, err := s.Users.ListUsers(ctx, hailurah.UserFilter{})
	if err != nil {
		s.renderError(c, err)
		return
	}
	tokens, err := s.Users.ListAPITokens(ctx)
	if err != nil {
		s.renderError(c, err)
		return
	}
	byID := map[int64]string{}
	for _, u := range users {
		byID[u.ID] = u.Username
		if !u.Disabled {
			d.Users = append(d.Users, option{strconv.FormatInt(u.ID, 10), u.Username + " · " + u.Role.Label()})
		}
	}
	for _, t := range tokens {
		row := tokenRow{ID: t.ID, Name: t.Name, User: byID[t.UserID], Prefix: t.Prefix, Created: formatWaktu(s.Zone, t.CreatedAt),
			LastUsed: formatWaktuPtr(s.Zone, t.LastUsedAt)}
		if t.RevokedAt != nil {
			row.Revoked = formatWaktu(s.Zone, *t.RevokedAt)
		}
		d.Tokens = append(d.Tokens, row)
	}
	d.Tabs = tabsFor("/admin/token")
	s.renderPage(c, status, "admin-token", pageData{Title: "Administrasi · Token API", Flash: flashOf(c),
		FieldErrors: errs, Data: d, Wide: true})
}

// adminCreateToken: POST /admin/token. The secret is shown on this one
// response and never again.
func (s *UI) adminCreateToken(c *gin.Context) {
	ctx := c.Request.Context()
	d := &adminTokensData{FormName: strings.TrimSpace(c.PostForm("name")), FormUser: c.PostForm("user_id")}
	errs := map[string]string{}
	if d.FormName == "" || utf8.RuneCountInString(d.FormName) > 100 {
		errs["name"] = "Nama token wajib diisi (maks. 100 karakter), misalnya \"Gateway WhatsApp Taman\"."
	}
	var owner *hailurah.User
	if id, err := strconv.ParseInt(d.FormUser, 10, 64); err != nil {
		errs["user_id"] = "Pilih pengguna pemilik token."
	} else if u, err := s.Users.FindUserByID(ctx, id); err != nil || u.Disabled {
		errs["user_id"] = "Pengguna tidak ditemukan atau nonaktif."
	} else {
		owner = u
	}
	if len(errs) > 0 {
		s.renderAdminTokens(c, http.StatusUnprocessableEntity, d, errs)
		return
	}
	tok, secret, err := s.Users.CreateAPIToken(ctx, owner.ID, d.FormName)
	if err != nil {
		s.renderAdminFormError(c, err, func(errs map[string]string) { s.renderAdminTokens(c, app.ErrorStatus(err), d, errs) })
		return
	}
	s.Audit(c, "token.create", tok.Name, auditDetail(map[string]any{"id": tok.ID, "user": owner.Username, "prefix": tok.Prefix}))
	s.renderAdminTokens(c, http.StatusCreated, &adminTokensData{NewSecret: secret, NewName: tok.Name}, nil)
}

// adminRevokeToken: POST /admin/token/{id}/cabut.
func (s *UI) adminRevokeToken(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		s.renderError(c, hailurah.Errorf(hailurah.ENOTFOUND, "Token API tidak ditemukan."))
		return
	}
	if err := s.Users.RevokeAPIToken(c.Request.Context(), id); err != nil {
		s.renderError(c, err)
		return
	}
	s.Audit(c, "token.revoke", strconv.FormatInt(id, 10), "")
	c.Redirect(http.StatusSeeOther, "/admin/token?ok=cabut")
}

// --- rules ---

type adminRulesData struct {
	Tabs     []adminTab
	Source   string
	Override string
	Missing  bool
}

// adminRulesPage: GET /admin/aturan — the active rules.yaml, read-only.
func (s *UI) adminRulesPage(c *gin.Context) {
	d := &adminRulesData{Tabs: tabsFor("/admin/aturan")}
	if s.Rules == nil {
		d.Missing = true
	} else {
		d.Source, d.Override = s.Rules.Source(), s.Rules.OverridePath()
	}
	s.renderPage(c, http.StatusOK, "admin-aturan", pageData{Title: "Administrasi · Aturan triase", Data: d, Wide: true})
}
