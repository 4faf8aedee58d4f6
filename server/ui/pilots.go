package ui

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/server/app"
	"github.com/hailurah/hailurah/server/chart"
)

// pilotPages registers the pages of the pilots, the dashboards and the
// public open data.
func (s *UI) pilotPages(r *gin.Engine) {
	r.GET("/data", app.LimitByIP(s.TrackingLimit), s.openDataPage)
	pages := r.Group("", s.requireStaffPage, s.requireRolePage(hailurah.RoleAdmin, hailurah.RoleLurah, hailurah.RoleModerator, hailurah.RoleFasilitator))
	pages.GET("/dasbor", s.curhatDashboardPage)
	pages.GET("/siap-taman", s.programmeDashboardPage)
	pages.GET("/pilot", s.pilotsPage)
	pages.GET("/pilot/:id", s.pilotPage)
	pages.POST("/pilot", s.requireRolePage(hailurah.RoleAdmin, hailurah.RoleLurah), s.createPilotForm)
	pages.POST("/pilot/:id/keputusan", s.requireRolePage(hailurah.RoleLurah), s.decidePilotForm)
}

// targetField is one KPI of the pilot forms' target inputs.
type targetField struct {
	Code, Label, Unit, Value, Hint string
}

func targetFields(current []hailurah.PilotTarget, form url.Values) []targetField {
	var out []targetField
	for _, def := range hailurah.KPICatalogue {
		f := targetField{Code: def.Code, Label: def.Label, Hint: def.Description}
		switch def.Unit {
		case hailurah.KPIUnitPercent:
			f.Unit = "%"
		case hailurah.KPIUnitRupiah:
			f.Unit = "Rp"
		default:
			f.Unit = "orang/unit"
		}
		for _, t := range current {
			if t.KPI == def.Code {
				f.Value = strconv.FormatFloat(t.Target, 'f', -1, 64)
			}
		}
		if form != nil {
			f.Value = form.Get("target_" + def.Code)
		}
		out = append(out, f)
	}
	return out
}

// parseTargets reads the target_<kpi> inputs; empty ones are not targets.
// Indonesian decimals ("12,5") and grouping ("150.000.000") are accepted.
func parseTargets(form url.Values) ([]hailurah.PilotTarget, error) {
	var out []hailurah.PilotTarget
	for _, def := range hailurah.KPICatalogue {
		v := strings.TrimSpace(form.Get("target_" + def.Code))
		if v == "" {
			continue
		}
		if def.Unit == hailurah.KPIUnitRupiah || strings.Count(v, ".") > 1 {
			v = strings.ReplaceAll(v, ".", "")
		}
		v = strings.ReplaceAll(strings.TrimPrefix(strings.TrimSpace(strings.TrimPrefix(v, "Rp")), " "), ",", ".")
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return nil, hailurah.FieldErrorf("targets", "Target %s harus berupa angka.", def.Label)
		}
		out = append(out, hailurah.PilotTarget{KPI: def.Code, Target: x})
	}
	return out, nil
}

type pilotsPage struct {
	Pilots     []pilotRowView
	CanCreate  bool
	Admin      bool
	Components []option
	Kelurahan  []option
	Owners     []option
	Targets    []targetField
	Form       map[string]string
	Other      bool
}

// pilotsPage: GET /pilot — the pilots of the user's kelurahan (all for
// admin) and, for the lurah and admin, the form to start one.
func (s *UI) pilotsPage(c *gin.Context) {
	s.renderPilots(c, http.StatusOK, nil, "", nil)
}

func (s *UI) renderPilots(c *gin.Context, status int, form url.Values, message string, fieldErrs map[string]string) {
	ctx := c.Request.Context()
	u := app.UserOf(c)
	kel, _ := app.KelurahanScope(u, "")
	list, err := s.Pilots.Store.ListPilots(ctx, hailurah.PilotFilter{Kelurahan: kel})
	if err != nil {
		s.renderError(c, err)
		return
	}
	n := s.LoadNames(ctx)
	pg := &pilotsPage{CanCreate: u.Role == hailurah.RoleAdmin || u.Role == hailurah.RoleLurah, Admin: u.Role == hailurah.RoleAdmin,
		Form: map[string]string{"start_date": s.Zone.StartOfDay(s.Now()).Format(time.DateOnly), "scope": "semua"}}
	for _, p := range list {
		pg.Pilots = append(pg.Pilots, viewPilotRow(p, n, s.Now(), s.Zone))
	}
	for _, comp := range hailurah.PilotComponents {
		pg.Components = append(pg.Components, option{comp, hailurah.ComponentLabel(comp)})
	}
	pg.Components = append(pg.Components, option{"lainnya", "Komponen lain…"})
	if pg.Admin {
		pg.Kelurahan = kelurahanOptions(n)
	}
	if users, err := s.Users.ListUsers(ctx, hailurah.UserFilter{Kelurahan: kel}); err == nil {
		for _, x := range users {
			if !x.Disabled && x.Role != hailurah.RoleDinas {
				pg.Owners = append(pg.Owners, option{x.Username, x.Name + " (" + x.Role.Label() + ")"})
			}
		}
		sortOptions(pg.Owners)
	}
	for _, k := range []string{"name", "component", "component_other", "kelurahan", "start_date", "scope", "owner"} {
		if form != nil {
			pg.Form[k] = form.Get(k)
		}
	}
	pg.Other = pg.Form["component"] == "lainnya"
	pg.Targets = targetFields([]hailurah.PilotTarget{{KPI: hailurah.KPITrained, Target: 100}, {KPI: hailurah.KPIWomenSharePct, Target: 50}}, form)
	s.renderPage(c, status, "dash_pilots", pageData{Title: "Pilot 90 hari", Wide: true, Data: pg, Error: message, FieldErrors: fieldErrs,
		Flash: pilotFlash[c.Query("ok")]})
}

var pilotFlash = map[string]string{
	okPending:   pendingFlash,
	"pilot":     "Pilot dibuat; pengingat milestone dan evaluasi hari ke-76 sudah dijadwalkan.",
	"keputusan": "Keputusan ditandatangani dan dicatat; tidak dapat diubah lagi.",
}

// createPilotForm: POST /pilot.
func (s *UI) createPilotForm(c *gin.Context) {
	form := c.Request.PostForm
	if form == nil {
		_ = c.Request.ParseForm()
		form = c.Request.PostForm
	}
	req := hailurah.PilotRequest{Name: form.Get("name"), Component: form.Get("component"), Kelurahan: form.Get("kelurahan"),
		StartDate: form.Get("start_date"), Owner: form.Get("owner")}
	if req.Component == "lainnya" {
		req.Component = form.Get("component_other")
	}
	kel := app.UserOf(c).Kelurahan
	if app.UserOf(c).Role == hailurah.RoleAdmin {
		kel = req.Kelurahan
	}
	var err error
	if req.Scope, err = hailurah.ParseScope(form.Get("scope"), kel); err == nil {
		req.Targets, err = parseTargets(form)
	}
	var p *hailurah.Pilot
	if err == nil {
		p, err = s.CreatePilot(c, &req)
	}
	if err != nil {
		s.refusePilotForm(c, err, form, s.renderPilots)
		return
	}
	c.Redirect(http.StatusSeeOther, "/pilot/"+p.ID+"?ok=pilot")
}

// packetRowView is one target of the packet on the pilot page.
type packetRowView struct {
	Label, Target, Actual, Pct, Expected, Flag, FlagClass, Detail string
	BarW, BarMax, ExpectedX                                       int
	BarClass                                                      string
	Spark                                                         chart.Sparkline
}

type milestoneView struct {
	Day                           int
	Due, Status, StatusClass, Say string
}

type decisionView struct {
	Cycle, Decision, Rationale, By, At, Scope, Targets string
	Overdue                                            bool
}

type pilotPage struct {
	ID, Name, Component, Kelurahan, Scope, Owner, Status, StatusClass, Cycle, Day string
	Start, CycleStart, ReviewAt, DecisionDue, Overdue                             string
	IsOverdue, Stopped                                                            bool
	Milestones                                                                    []milestoneView
	HasPacket                                                                     bool
	PacketNote                                                                    string // whose figures the packet shows, when not the whole scope's
	PacketAt, PacketDay                                                           string
	PacketBasis                                                                   string // the signed decision a previous cycle's packet supported
	Rows                                                                          []packetRowView
	Curhat                                                                        []tile
	Warnings                                                                      []string
	CanDecide                                                                     bool
	DecideNote                                                                    string
	Decisions                                                                     []decisionView
	Timeline                                                                      []timelineView
	Targets                                                                       []targetField
	Form                                                                          map[string]string
	TargetsText                                                                   string
}

type timelineView struct {
	At, Type, Actor, Note string
}

var pilotEventLabels = map[string]string{
	hailurah.EventPilotStarted:         "Pilot dimulai",
	hailurah.EventPilotCycleStarted:    "Siklus baru dimulai",
	hailurah.EventPilotMilestone:       "Pengingat milestone",
	hailurah.EventPilotMilestoneMissed: "Milestone terlewat",
	hailurah.EventPilotPacket:          "Paket evaluasi",
	hailurah.EventPilotOverdue:         "Keputusan terlambat",
	hailurah.EventPilotDecision:        "Keputusan Lurah",
}

func flagClass(f string) string {
	switch f {
	case hailurah.FlagOnTrack:
		return "st-done"
	case hailurah.FlagAtRisk:
		return "st-wait"
	case hailurah.FlagOffTrack:
		return "breach"
	}
	return "st-final"
}

func scopeLabel(scope []hailurah.PilotArea, n app.Names) string {
	parts := make([]string, len(scope))
	for i, a := range scope {
		s := n.KelurahanName(a.Kelurahan)
		switch {
		case a.RT != "":
			s += " RT " + a.RT + "/RW " + a.RW
		case a.RW != "":
			s += " RW " + a.RW
		default:
			s += " (seluruh kelurahan)"
		}
		parts[i] = s
	}
	return strings.Join(parts, ", ")
}

func targetsText(ts []hailurah.PilotTarget) string {
	var parts []string
	for _, t := range ts {
		def, _ := hailurah.FindKPI(t.KPI)
		parts = append(parts, def.Label+" "+hailurah.FormatKPI(def.Unit, &t.Target))
	}
	return strings.Join(parts, "; ")
}

// pilotPage: GET /pilot/{id} — the pilot, its packet and, for its lurah
// once the packet is out, the decision form.
func (s *UI) pilotPage(c *gin.Context) {
	s.renderPilot(c, http.StatusOK, nil, "", nil)
}

func (s *UI) renderPilot(c *gin.Context, status int, form url.Values, message string, fieldErrs map[string]string) {
	p, err := s.VisiblePilot(c, c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	ctx := c.Request.Context()
	n := s.LoadNames(ctx)
	now := s.Now()
	u := app.UserOf(c)
	pg := &pilotPage{ID: p.ID, Name: p.Name, Component: hailurah.ComponentLabel(p.Component), Kelurahan: n.KelurahanName(p.Kelurahan),
		Scope: scopeLabel(p.Scope, n), Owner: n.PersonName(p.Owner), Status: p.Status.Label(), StatusClass: pilotStatusClass(p.Status),
		Cycle: app.IntText(p.Cycle), Start: formatWaktu(s.Zone, p.StartDate), CycleStart: formatWaktu(s.Zone, p.CycleStart), ReviewAt: formatWaktu(s.Zone, p.ReviewAt),
		DecisionDue: formatWaktu(s.Zone, p.DecisionDue), IsOverdue: p.Overdue, Stopped: p.Status == hailurah.PilotStopped,
		TargetsText: targetsText(p.Targets), Form: map[string]string{}}
	if !pg.Stopped {
		pg.Day = fmt.Sprintf("Hari ke-%d dari 90", max(0, p.DayAt(now, 0)))
		if p.Overdue {
			pg.Overdue = fmt.Sprintf("Terlambat %s; %d pengingat terkirim.", formatDurasi(now.Sub(p.DecisionDue)), p.OverdueReminders)
		}
	}
	for _, m := range p.Milestones {
		mv := milestoneView{Day: m.Day, Due: formatWaktu(s.Zone, m.Due), Say: hailurah.MilestonePhase(m.Day)}
		switch m.Status {
		case hailurah.MilestoneReminded:
			mv.Status, mv.StatusClass = "Diingatkan", "st-done"
		case hailurah.MilestoneMissed:
			mv.Status, mv.StatusClass = "Terlewat (pilot dicatat setelahnya)", "st-final"
		default:
			mv.Status, mv.StatusClass = "Akan datang", "st-open"
		}
		pg.Milestones = append(pg.Milestones, mv)
	}
	// After a decision the next cycle has no packet yet: the one the
	// lurah signed on stays in view, marked as the decision's basis.
	pk := p.Packet
	if pk == nil && len(p.Decisions) > 0 {
		last := p.Decisions[len(p.Decisions)-1]
		if prev, err := s.Pilots.Store.FindPilotPacket(ctx, p.ID, last.Cycle); err == nil {
			pk = prev
			pg.PacketBasis = fmt.Sprintf("Paket siklus %d, dasar keputusan %q yang ditandatangani %s.", last.Cycle,
				hailurah.DecisionLabel(last.Decision), formatWaktu(s.Zone, last.DecidedAt))
		}
	}
	if pk != nil {
		pg.HasPacket = true
		pg.PacketAt, pg.PacketDay = formatWaktu(s.Zone, pk.GeneratedAt), app.IntText(pk.Day)
		switch {
		case pk.Withheld:
			pg.PacketNote = "Angka paket ini berasal dari kelurahan lain dalam cakupan pilot; hanya petugas kelurahan tersebut dan admin kota yang dapat melihatnya."
		case len(pk.Parts) == 1:
			pg.PacketNote = "Angka di bawah hanya untuk Kelurahan " + n.KelurahanName(pk.Parts[0].Kelurahan) + "; angka kelurahan lain dalam cakupan pilot tidak ditampilkan."
		}
		for _, r := range pk.Rows {
			rv := packetRowView{Label: r.Label, Target: hailurah.FormatKPI(r.Unit, &r.Target), Actual: hailurah.FormatKPI(r.Unit, r.Actual),
				Pct: hailurah.FormatPct(r.PercentOfTarget), Expected: fmt.Sprintf("%.0f%%", r.ExpectedPct), Flag: hailurah.FlagLabel(r.Flag),
				FlagClass: flagClass(r.Flag), BarMax: chart.ProgressWidth, ExpectedX: int(math.Round(r.ExpectedPct / 100 * chart.ProgressWidth))}
			rv.BarW, rv.BarClass = chart.Progress(r.PercentOfTarget)
			rv.Spark = chart.NewSparkline(r.Trend, r.Target, r.Unit, s.Zone)
			if r.Den > 0 {
				rv.Detail = fmt.Sprintf("%.0f dari %.0f", r.Num, r.Den)
			}
			pg.Rows = append(pg.Rows, rv)
		}
		cu := pk.Curhat
		pg.Curhat = []tile{
			{Label: "Curhat dari cakupan", Value: app.IntText(cu.Tickets)},
			{Label: "SLA moderator", Value: hailurah.FormatPct(cu.ModeratorSLAPct)},
			{Label: "SLA dinas", Value: hailurah.FormatPct(cu.DinasSLAPct)},
			{Label: "Kepatuhan SLA", Value: hailurah.FormatPct(cu.SLACompliancePct), Warn: cu.SLACompliancePct != nil && *cu.SLACompliancePct < hailurah.WarnSLAPct},
			{Label: "Kepuasan ≥ 4/5", Value: hailurah.FormatPct(cu.SatisfactionPct), Sub: fmt.Sprintf("%d penilaian", cu.Rated),
				Warn: cu.SatisfactionPct != nil && *cu.SatisfactionPct < hailurah.WarnSatisfactionPct},
			{Label: "Median waktu selesai", Value: secondsText(cu.MedianResolveSeconds)},
		}
		// A warning several parts of the scope raise is one warning.
		for _, w := range pk.Warnings {
			if !slices.Contains(pg.Warnings, w) {
				pg.Warnings = append(pg.Warnings, w)
			}
		}
	}
	switch {
	case u.Role != hailurah.RoleLurah || u.Kelurahan != p.Kelurahan:
		pg.DecideNote = "Keputusan ditandatangani oleh Lurah " + n.KelurahanName(p.Kelurahan) + "."
	case p.Status == hailurah.PilotRunning:
		pg.DecideNote = "Formulir keputusan terbuka setelah paket evaluasi hari ke-76 (" + formatWaktu(s.Zone, p.ReviewAt) + ")."
	case p.Status == hailurah.PilotAwaitingDecision:
		pg.CanDecide = true
	}
	for _, d := range slices.Backward(p.Decisions) {
		dv := decisionView{Cycle: app.IntText(d.Cycle), Decision: hailurah.DecisionLabel(d.Decision), Rationale: d.Rationale, By: n.PersonName(d.DecidedBy),
			At: formatWaktu(s.Zone, d.DecidedAt), Overdue: d.Overdue, Targets: targetsText(d.Targets)}
		if d.Decision == hailurah.DecisionScale {
			dv.Scope = scopeLabel(d.Scope, n)
		}
		pg.Decisions = append(pg.Decisions, dv)
	}
	if events, err := s.Pilots.Store.ListPilotEvents(ctx, p.ID); err == nil {
		for _, e := range slices.Backward(events) {
			label := pilotEventLabels[e.Type]
			if label == "" {
				label = e.Type
			}
			pg.Timeline = append(pg.Timeline, timelineView{At: formatWaktu(s.Zone, e.At), Type: label, Actor: n.ActorName(e.Actor, ""), Note: e.Note})
		}
	}
	pg.Targets = targetFields(p.Targets, form)
	scope := make([]string, len(p.Scope))
	for i, a := range p.Scope {
		scope[i] = a.String()
	}
	pg.Form["scope"] = strings.Join(scope, ", ")
	if form != nil {
		for _, k := range []string{"decision", "rationale", "scope", "yakin"} {
			pg.Form[k] = form.Get(k)
		}
	}
	s.renderPage(c, status, "dash_pilot", pageData{Title: "Pilot " + p.ID, Wide: true, Data: pg, Error: message,
		FieldErrors: fieldErrs, Flash: pilotFlash[c.Query("ok")]})
}

// decidePilotForm: POST /pilot/{id}/keputusan.
func (s *UI) decidePilotForm(c *gin.Context) {
	p, err := s.VisiblePilot(c, c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	form := c.Request.PostForm
	if form == nil {
		_ = c.Request.ParseForm()
		form = c.Request.PostForm
	}
	req := hailurah.DecisionRequest{Decision: form.Get("decision"), Rationale: form.Get("rationale")}
	// Every mistake of the form at once, in the words of the page; the
	// action checks again.
	fe := map[string]string{}
	if !slices.Contains(hailurah.Decisions, req.Decision) {
		fe["decision"] = "Pilih keputusan: Perluas, Sesuaikan atau Hentikan."
	}
	if n := len([]rune(strings.TrimSpace(req.Rationale))); n < hailurah.MinRationaleLen {
		fe["rationale"] = fmt.Sprintf("Tuliskan alasan keputusan, minimal %d karakter: alasan ini dipublikasikan.", hailurah.MinRationaleLen)
	}
	if req.Decision != hailurah.DecisionStop {
		if req.Targets, err = parseTargets(form); err != nil {
			fe["targets"] = hailurah.ErrorMessage(err)
		}
		if req.Decision == hailurah.DecisionScale {
			if req.Scope, err = hailurah.ParseScope(form.Get("scope"), p.Kelurahan); err != nil {
				fe["scope"] = hailurah.ErrorMessage(err)
			}
		}
	}
	vals := map[string]string{}
	confirmIrreversible(c, vals, fe, "Keputusan pilot")
	if len(fe) > 0 {
		s.renderPilot(c, http.StatusUnprocessableEntity, form, "Periksa isian yang ditandai di formulir keputusan.", fe)
		return
	}
	_, err = s.DecidePilot(c, p, &req)
	if hailurah.ErrorCode(err) == hailurah.EPENDING {
		c.Redirect(http.StatusSeeOther, "/pilot/"+p.ID+"?ok="+okPending)
		return
	}
	if err != nil {
		s.refusePilotForm(c, err, form, s.renderPilot)
		return
	}
	c.Redirect(http.StatusSeeOther, "/pilot/"+p.ID+"?ok=keputusan")
}

// refusePilotForm answers a pilot form the action refused: an internal
// error as the error page, anything else as the form again with the
// message, beside its field when it names one.
func (s *UI) refusePilotForm(c *gin.Context, err error, form url.Values,
	render func(c *gin.Context, status int, form url.Values, message string, fieldErrs map[string]string)) {
	if hailurah.ErrorCode(err) == hailurah.EINTERNAL {
		s.renderError(c, err)
		return
	}
	var fe map[string]string
	if f := hailurah.ErrorField(err); f != "" {
		fe = map[string]string{f: hailurah.ErrorMessage(err)}
	}
	render(c, app.ErrorStatus(err), form, hailurah.ErrorMessage(err), fe)
}
