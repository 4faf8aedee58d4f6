package ui

import (
	"maps"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/server/app"
)

// --- grant queue ---

type queueTab struct {
	Label, URL string
	Current    bool
}

type grantQueueData struct {
	Tabs      []queueTab
	Rows      []grantRowView
	Budget    *budgetView
	IsAdmin   bool
	Kelurahan []option
	Chosen    string
	Intro     string
}

type budgetView struct {
	Budget, Reserved, Disbursed, Available string
	Used                                   int64
	Max                                    int64
}

// grantTabs are the queues in process order: each role starts on the one
// it acts in.
var grantTabs = []struct{ Key, Label string }{
	{"verifikasi", "Verifikasi lapangan"}, {"persetujuan", "Menunggu Lurah"}, {"pencairan", "Pencairan"},
	{"pemantauan", "Pemantauan"}, {"semua", "Semua"},
}

var defaultGrantTab = map[hailurah.Role]string{
	hailurah.RoleFasilitator: "verifikasi",
	hailurah.RoleLurah:       "persetujuan",
	hailurah.RoleAdmin:       "pencairan",
}

// grantQueuePage: GET /hibah — the grants waiting for the user's role,
// DTKS households first.
func (s *UI) grantQueuePage(c *gin.Context) {
	u := app.UserOf(c)
	ctx := c.Request.Context()
	n := s.LoadNames(ctx)
	tab := c.Query("antrian")
	if tab == "" {
		tab = defaultGrantTab[u.Role]
	}
	d := &grantQueueData{IsAdmin: u.Role == hailurah.RoleAdmin, Kelurahan: kelurahanOptions(n), Chosen: c.Query("kelurahan")}
	known := false
	for _, t := range grantTabs {
		v := url.Values{"antrian": {t.Key}}
		if d.Chosen != "" {
			v.Set("kelurahan", d.Chosen)
		}
		d.Tabs = append(d.Tabs, queueTab{Label: t.Label, URL: "/hibah?" + v.Encode(), Current: t.Key == tab})
		known = known || t.Key == tab
	}
	if !known {
		s.renderError(c, hailurah.Errorf(hailurah.ENOTFOUND, "Antrian %q tidak ada.", tab))
		return
	}
	kel, err := app.KelurahanScope(u, d.Chosen)
	if err != nil {
		s.renderError(c, err)
		return
	}
	f := hailurah.GrantFilter{Kelurahan: kel, Limit: 500}
	switch tab {
	case "verifikasi":
		f.Statuses = []hailurah.GrantStatus{hailurah.GrantApplied}
		d.Intro = "Pengajuan yang menunggu verifikasi lapangan oleh fasilitator."
	case "persetujuan":
		f.Statuses = []hailurah.GrantStatus{hailurah.GrantVerified}
		d.Intro = "Hasil verifikasi yang menunggu persetujuan atau penolakan Lurah. Rumah tangga DTKS didahulukan."
	case "pencairan":
		f.Statuses = []hailurah.GrantStatus{hailurah.GrantApproved}
		d.Intro = "Hibah yang disetujui dan menunggu pencairan."
	case "pemantauan":
		f.Statuses = []hailurah.GrantStatus{hailurah.GrantDisbursed, hailurah.GrantInUse}
		d.Intro = "Hibah yang sudah dicairkan: bukti penggunaan dan check-in omzet 30/60/90 hari."
	default:
		d.Intro = "Semua hibah, rumah tangga DTKS lebih dulu."
	}
	list, err := s.Programme.Grants.ListGrants(ctx, f)
	if err != nil {
		s.renderError(c, err)
		return
	}
	for _, g := range list {
		d.Rows = append(d.Rows, s.grantRow(g, n))
	}
	if kel != "" {
		if b, err := s.Programme.Grants.FindGrantBudget(ctx, kel); err == nil {
			d.Budget = &budgetView{Budget: hailurah.FormatRupiah(b.Budget), Reserved: hailurah.FormatRupiah(b.Reserved),
				Disbursed: hailurah.FormatRupiah(b.Disbursed), Available: hailurah.FormatRupiah(b.Available),
				Used: b.Reserved, Max: max(b.Budget, 1)}
		}
	}
	s.renderPage(c, http.StatusOK, "programme_grants", pageData{Title: "Hibah produktif", Data: d, Wide: true})
}

// grantRow is a grant in a list: its status, and the deadline of the step
// it waits in.
func (s *UI) grantRow(g *hailurah.Grant, n app.Names) grantRowView {
	v := grantRowView{ID: g.ID, Status: string(g.Status), StatusLabel: g.Status.Label(), StatusClass: grantStatusClass(g.Status),
		Amount: hailurah.FormatRupiah(g.Amount), Purpose: purposeText(g.Purpose), Household: g.HouseholdName + " (" + g.HouseholdID + ")",
		Applied: formatWaktu(s.Zone, g.AppliedAt), DTKS: g.DTKS, Audit: g.AuditFlag}
	step, due := grantStep(g)
	if due != nil {
		v.Step = step
		v.Due, v.Over = formatSisa(*due, s.Now())
		v.Due = formatWaktu(s.Zone, *due) + " (" + v.Due + ")"
	}
	return v
}

// grantStep names the step a grant waits in and its deadline.
func grantStep(g *hailurah.Grant) (string, *time.Time) {
	switch g.Status {
	case hailurah.GrantApplied:
		return "Verifikasi lapangan", g.VerifyDue
	case hailurah.GrantVerified:
		return "Persetujuan Lurah", g.ApproveDue
	case hailurah.GrantApproved:
		return "Pencairan", g.DisburseDue
	case hailurah.GrantDisbursed:
		return "Bukti penggunaan", g.ProofDue
	case hailurah.GrantInUse:
		if next, ok := g.NextCheckin(); ok {
			due := next.Due
			return "Check-in ke-" + strconv.Itoa(next.N), &due
		}
	}
	return "", nil
}

func grantStatusClass(st hailurah.GrantStatus) string {
	switch st {
	case hailurah.GrantApplied, hailurah.GrantVerified:
		return "st-open"
	case hailurah.GrantApproved:
		return "st-wait"
	case hailurah.GrantDisbursed, hailurah.GrantInUse:
		return "st-dinas"
	case hailurah.GrantCompleted:
		return "st-done"
	}
	return "st-final"
}

func purposeText(p string) string {
	if p == hailurah.PurposeAlat {
		return "Alat produksi"
	}
	return "Modal usaha"
}

// --- grant detail ---

type deadlineView struct {
	Label, Due, Left string
	Over             bool
}

type grantCheckinView struct {
	N                             int
	Due, At, Omzet, Income, State string
}

type grantPageData struct {
	G         grantRowView
	Grant     *hailurah.Grant
	Kelurahan string
	Plan      string
	Deadlines []deadlineView
	Checkins  []grantCheckinView
	Timeline  []grantEventView
	Photos    []photoView
	Changes   string
	Can       map[string]bool
	Any       bool
	AppliedBy string            // the applicant's name
	Refused   []string          // every message of a refused form
	Errs      map[string]string // the same by field, to mark the fields
	FormOf    string
	Form      map[string]string
	MaxPhotos int
}

type grantEventView struct {
	At, Label, Actor, Change, Note string
	Photos                         []photoView
}

type photoView struct {
	URL, Name string
	Local     bool
}

// grantOffered decides which forms the grant page shows with the
// workflow's own rules; the workflow checks again, and its refusal is what
// the user reads. The form offers a disbursement only while one is due
// (recording it again is the API's retry, not a page's), and a check-in
// only while one is open.
func grantOffered(u *hailurah.User, g *hailurah.Grant, action string) bool {
	req := hailurah.GrantActionRequest{Action: action, Actor: hailurah.ActorOf(u)}
	if !hailurah.GrantActionAllowedIn(action, g.Status) || req.Authorize(g.Kelurahan) != nil {
		return false
	}
	switch action {
	case hailurah.GrantActionDisburse:
		return g.Status == hailurah.GrantApproved
	case hailurah.GrantActionCheckin:
		_, open := g.NextCheckin()
		return open
	}
	return true
}

// grantPage: GET /hibah/{id}.
func (s *UI) grantPage(c *gin.Context) {
	s.renderGrant(c, http.StatusOK, "", nil, nil)
}

// renderGrant shows the grant page; errs are a refused form's messages by
// field ("" for the form as a whole), every one shown at once.
func (s *UI) renderGrant(c *gin.Context, status int, formOf string, form map[string]string, errs map[string]string) {
	g, err := s.VisibleGrant(c, c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	ctx := c.Request.Context()
	events, err := s.Programme.Grants.ListGrantEvents(ctx, g.ID)
	if err != nil {
		s.renderError(c, err)
		return
	}
	u := app.UserOf(c)
	n := s.LoadNames(ctx)
	d := &grantPageData{G: s.grantRow(g, n), Grant: g, Kelurahan: n.KelurahanName(g.Kelurahan), Plan: g.Plan,
		Can: map[string]bool{}, Errs: errs, AppliedBy: n.PersonName(g.AppliedBy), FormOf: formOf, Form: form, MaxPhotos: app.MaxEvidenceFiles}
	for _, k := range slices.Sorted(maps.Keys(errs)) {
		d.Refused = append(d.Refused, errs[k])
	}
	if d.Form == nil {
		d.Form = map[string]string{}
	}
	for _, a := range hailurah.GrantActions {
		d.Can[a] = grantOffered(u, g, a)
		d.Any = d.Any || d.Can[a]
	}
	now := s.Now()
	for _, dl := range []struct {
		label string
		due   *time.Time
	}{{"Verifikasi lapangan", g.VerifyDue}, {"Persetujuan Lurah", g.ApproveDue}, {"Pencairan", g.DisburseDue},
		{"Bukti penggunaan", g.ProofDue}, {"Tanda audit tanpa bukti", g.AuditAt}} {
		if dl.due != nil {
			left, over := formatSisa(*dl.due, now)
			d.Deadlines = append(d.Deadlines, deadlineView{Label: dl.label, Due: formatWaktu(s.Zone, *dl.due), Left: left, Over: over})
		}
	}
	for _, ci := range g.Checkins {
		v := grantCheckinView{N: ci.N, Due: formatWaktu(s.Zone, ci.Due), At: "-", Omzet: "-", Income: "-", State: "Menunggu"}
		switch {
		case ci.At != nil:
			v.At, v.State = formatWaktu(s.Zone, *ci.At), "Dicatat oleh "+n.PersonName(ci.By)
		case ci.Missed:
			v.State = "Terlewat"
		}
		if ci.Omzet != nil {
			v.Omzet = hailurah.FormatRupiah(*ci.Omzet)
		}
		if ci.Income != nil {
			v.Income = hailurah.FormatRupiah(*ci.Income)
		}
		d.Checkins = append(d.Checkins, v)
	}
	if g.LatestOmzet != nil {
		d.Changes = "Omzet " + hailurah.FormatRupiah(g.BaselineOmzet) + " → " + hailurah.FormatRupiah(*g.LatestOmzet) + " (" + pctText(g.OmzetChangePct) + ")"
		if g.LatestIncome != nil {
			d.Changes += "; pendapatan " + hailurah.FormatRupiah(g.BaselineIncome) + " → " + hailurah.FormatRupiah(*g.LatestIncome) + " (" + pctText(g.IncomeChangePct) + ")"
		}
	}
	for _, e := range events {
		change := ""
		if e.From != "" && e.From != e.To {
			change = e.From.Label() + " → " + e.To.Label()
		}
		d.Timeline = append(d.Timeline, grantEventView{At: formatWaktu(s.Zone, e.At), Label: app.GrantEventLabel(e.Type), Actor: n.ActorName(e.Actor, e.Role),
			Change: change, Note: e.Note, Photos: photoViews(e.Attachments)})
	}
	s.renderPage(c, status, "programme_grant", pageData{Title: "Hibah " + g.ID, Flash: programmeFlash[c.Query("ok")], Data: d})
}

func pctText(p *float64) string {
	if p == nil {
		return "tanpa pembanding"
	}
	return strconv.FormatFloat(*p, 'f', 1, 64) + "%"
}

// photoViews shows the photos stored here as thumbnails and other
// addresses as text: a URL a client sent is not fetched into the page.
func photoViews(urls []string) []photoView {
	var out []photoView
	for _, u := range urls {
		out = append(out, photoView{URL: u, Name: filepath.Base(u), Local: strings.HasPrefix(u, "/hibah/")})
	}
	return out
}

// grantActionForm: POST /hibah/{id}/aksi — the forms of the grant page,
// with photos for verify and proof.
func (s *UI) grantActionForm(c *gin.Context) {
	g, err := s.VisibleGrant(c, c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	action := c.PostForm("action")
	form := map[string]string{"notes": c.PostForm("notes"), "reason": c.PostForm("reason"), "reference": c.PostForm("reference"),
		"omzet": c.PostForm("omzet"), "income": c.PostForm("income")}
	req := hailurah.GrantActionRequest{Action: action, Actor: hailurah.ActorOf(app.UserOf(c)), Notes: form["notes"],
		Reason: form["reason"], Reference: strings.TrimSpace(form["reference"])}
	refuse := func(err error) {
		if hailurah.ErrorCode(err) == hailurah.EINTERNAL {
			s.renderError(c, err)
			return
		}
		s.renderGrant(c, app.ErrorStatus(err), action, form, map[string]string{hailurah.ErrorField(err): hailurah.ErrorMessage(err)})
	}
	// Every mistake of the form at once: the amounts, and the
	// confirmation an approval or a rejection asks for.
	errs := map[string]string{}
	if req.Omzet, err = app.TextRupiah(form["omzet"]).Amount("omzet"); err != nil {
		errs["omzet"] = hailurah.ErrorMessage(err)
	}
	if req.Income, err = app.TextRupiah(form["income"]).Amount("income"); err != nil {
		errs["income"] = hailurah.ErrorMessage(err)
	}
	switch action {
	case hailurah.GrantActionApprove:
		confirmIrreversible(c, form, errs, "Persetujuan hibah")
	case hailurah.GrantActionReject:
		confirmIrreversible(c, form, errs, "Penolakan hibah")
	}
	if len(errs) > 0 {
		s.renderGrant(c, http.StatusUnprocessableEntity, action, form, errs)
		return
	}
	var stored []string
	if action == hailurah.GrantActionVerify || action == hailurah.GrantActionProof {
		if stored, err = s.SaveEvidence(c, g.ID); err != nil {
			refuse(err)
			return
		}
		for _, u := range stored {
			req.Photos = append(req.Photos, grantPhotoURL(u))
		}
	}
	_, err = s.ActGrant(c, g, req)
	if hailurah.ErrorCode(err) == hailurah.EPENDING {
		c.Redirect(http.StatusSeeOther, "/hibah/"+url.PathEscape(g.ID)+"?ok="+okPending)
		return
	}
	if err != nil {
		app.RemoveEvidence(s.DataDir, stored)
		refuse(err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/hibah/"+url.PathEscape(g.ID)+"?ok="+url.QueryEscape(action))
}

// grantPhotoURL turns the evidence store's address of a photo into the
// grant page's, which checks the grant's kelurahan before serving it.
func grantPhotoURL(evidenceURL string) string {
	rest := strings.TrimPrefix(evidenceURL, "/bukti/")
	id, name, _ := strings.Cut(rest, "/")
	return "/hibah/" + id + "/foto/" + name
}

// grantPhoto: GET /hibah/{id}/foto/{file} — only for staff who may see
// the grant.
func (s *UI) grantPhoto(c *gin.Context) {
	g, err := s.VisibleGrant(c, c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	s.serveUpload(c, g.ID, c.Param("file"), "Foto tidak ditemukan.")
}
