package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/server/app"
)

type auditRow struct {
	At                                         string
	Actor, Action, ActionLabel, Target, Detail string
	IP                                         string
}

type adminAuditData struct {
	Tabs  []adminTab
	Rows  []auditRow
	Older string // link to the next page, "" on the last
	Error string
}

// adminAuditPage: GET /admin/audit.
func (s *UI) adminAuditPage(c *gin.Context) {
	d := &adminAuditData{Tabs: tabsFor("/admin/audit")}
	entries, next, err := s.AuditPage(c)
	if err != nil {
		if hailurah.ErrorCode(err) == hailurah.EINTERNAL {
			app.Fail(c, err)
			return
		}
		d.Error = hailurah.ErrorMessage(err)
	}
	n := s.LoadNames(c.Request.Context())
	for _, e := range entries {
		d.Rows = append(d.Rows, auditRow{At: formatWaktu(s.Zone, e.At), Actor: n.PersonName(e.Actor), Action: e.Action, ActionLabel: auditActionLabel(e.Action), Target: e.Target, Detail: e.Detail, IP: e.IP})
	}
	if next > 0 {
		d.Older = "/admin/audit?before=" + strconv.FormatInt(next, 10)
	}
	s.renderPage(c, http.StatusOK, "admin-audit", pageData{Title: "Administrasi · Log audit", Data: d, Wide: true})
}

// auditWhat and auditVerb say an audit action's code ("ticket.verify",
// "user.create") in words; a code they do not know is shown as it is.
var auditWhat = map[string]string{
	"ticket": "Tiket", "grant": "Hibah", "pilot": "Pilot", "user": "Pengguna", "token": "Token API",
	"household": "Rumah tangga", "export": "Ekspor", "training": "Pelatihan", "padat_karya": "Padat karya",
	"marketplace": "Marketplace", "kelurahan": "Kelurahan", "unit": "Unit dinas", "rules": "Aturan triase",
}

var auditVerb = map[string]string{
	"login": "Masuk", "logout": "Keluar", "login_failed": "Gagal masuk", "create": "dibuat", "update": "diubah",
	"upsert": "disimpan", "revoke": "dicabut", "disable": "dinonaktifkan", "enable": "diaktifkan",
	"profile": "profil diubah", "decision": "keputusan ditandatangani", "import": "diimpor", "export": "diekspor",
	"apply": "diajukan", "verify": "diverifikasi", "approve": "disetujui", "reject": "ditolak",
	"disburse": "dicairkan", "proof": "bukti penggunaan", "checkin": "check-in omzet", "member": "anggota diubah",
	"attendance": "kehadiran dicatat", "workers": "pekerja dicatat", "onboard": "onboarding dicatat",
	"phone_confirmed": "nomor warga dikonfirmasi", "phone_code_wrong": "kode nomor warga salah", "contact": "kontak dibuka",
}

func auditActionLabel(code string) string {
	what, verb, ok := strings.Cut(code, ".")
	if !ok {
		if v, ok := auditVerb[code]; ok {
			return v
		}
		return code
	}
	w, known := auditWhat[what]
	if !known {
		return code
	}
	if what == "ticket" {
		if l := app.TicketEventLabel(verb); l != verb {
			return w + ": " + strings.ToLower(l[:1]) + l[1:]
		}
	}
	if v, ok := auditVerb[verb]; ok {
		return w + " " + v
	}
	if what == "export" {
		return w + " " + verb
	}
	return code
}
