package ui

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/server/app"
)

// actionLabels are the buttons' words.
var actionLabels = map[string]string{
	hailurah.ActionVerify:       "Verifikasi triase",
	hailurah.ActionReply:        "Balas warga",
	hailurah.ActionAssign:       "Teruskan ke dinas",
	hailurah.ActionResolve:      "Selesaikan dengan saran",
	hailurah.ActionReject:       "Tolak",
	hailurah.ActionNote:         "Catatan internal",
	hailurah.ActionSetKelurahan: "Tetapkan kelurahan",
	hailurah.ActionAccept:       "Terima tugas",
	hailurah.ActionProgress:     "Catat perkembangan",
	hailurah.ActionDone:         "Tandai selesai",
	hailurah.ActionReturn:       "Kembalikan ke moderator",
}

// offered reports whether the page offers the action's form to u for t:
// the workflow's own rules, applied to the ticket as the page shows it. The
// workflow checks again, and its refusal is what the user reads when the
// page was stale. From the city queue a moderator claims a ticket only for
// their own kelurahan, which is the one the form offers.
func offered(u *hailurah.User, t *hailurah.Ticket, action string) bool {
	req := hailurah.ActionRequest{Action: action, Actor: hailurah.ActorOf(u), Kelurahan: u.Kelurahan}
	return hailurah.ActionAllowedIn(action, t.Status) && req.Authorize(t.Kelurahan, t.AssignedUnit) == nil
}

type cannedReply struct {
	Key, Label, Text string
}

// cannedReplies are the moderators' usual answers; the reply form fills
// the text box with one (app.js), or the server uses it when the box is
// left empty.
var cannedReplies = []cannedReply{
	{"diproses", "Laporan diterima dan diproses",
		"Terima kasih atas laporan Anda. Laporan sudah kami terima dan sedang kami tindak lanjuti. Kami akan mengabari perkembangannya lewat nomor ini."},
	{"lengkapi", "Minta keterangan tambahan",
		"Mohon lengkapi laporan Anda dengan alamat yang jelas (RT/RW dan patokan) dan, bila ada, foto lokasi agar petugas dapat segera menindaklanjuti."},
	{"diteruskan", "Sudah diteruskan ke dinas",
		"Laporan Anda sudah kami teruskan ke dinas terkait. Petugas akan meninjau lokasi sesuai jadwal. Terima kasih atas kesabaran Anda."},
	{"jadwal", "Petugas dijadwalkan datang",
		"Petugas sudah dijadwalkan datang ke lokasi. Mohon kesediaan Anda bila petugas perlu bertanya di tempat."},
	{"darurat", "Keadaan darurat: hubungi 112",
		"Bila keadaan membahayakan jiwa, segera hubungi 112 atau Puskesmas terdekat. Laporan Anda tetap kami tindak lanjuti."},
}

func cannedText(key string) string {
	for _, r := range cannedReplies {
		if r.Key == key {
			return r.Text
		}
	}
	return ""
}

// Reject reasons the form offers.
const (
	rejectSpam      = "spam"
	rejectDuplicate = "duplikat"
	rejectOther     = "lainnya"
)

type messageView struct {
	At          string
	Text        string
	Attachments []attachmentView
}

// sentView is one message sent to the citizen (app.SentMessage).
type sentView struct {
	At, Kind, Text, Status, StatusLabel, StatusAt, Error string
}

type attachmentView struct {
	URL   string
	Image bool // evidence stored here: shown as a thumbnail
	Name  string
	// A citizen's downloaded attachment (media.go): its thumbnail, a
	// player for audio or video, the reason one was not kept.
	Thumb        string
	Audio, Video bool
	Note         string
	// Transcribed: the message's text is this voice note's transcript.
	Transcribed bool
}

type eventView struct {
	At          string
	Label       string
	Actor       string
	Change      string
	Note        string
	Attachments []attachmentView
}

type triageView struct {
	Summary, Kategori, KategoriCode, Subkategori, Severity, Unit, UnitCode, Response, Sentiment, Model string
	Urgency, People                                                                                    int
}

type ticketPageData struct {
	T          ticketView
	Message    string
	Messages   []messageView
	Sent       []sentView
	Triage     triageView
	Timeline   []eventView
	Can        map[string]bool
	Labels     map[string]string
	HasActions bool
	// Refused is the workflow's (or the form's) answer to an action whose
	// form the page no longer offers, e.g. after another moderator acted.
	Refused       string
	RefusedAction string
	Units         []option
	Kelurahan     []option
	Kategoris     []option
	Urgencies     []int
	Canned        []cannedReply
	Duplicates    []ticketView
	DueMin        string
	DueMax        string
	Zone          string // the kelurahan's clock as people name it: "WIB"
	MaxFiles      int
	MaxFileMB     int
	Submitted     string
	Primary       string
	Contact       *contactPanel // nil: the user may not reveal the contact (contact.go)
	errs          map[string]string
	vals          map[string]string
}

// E returns the error of a field of the submitted action's form; field ""
// is the form's own error.
func (d *ticketPageData) E(action, field string) string {
	if action != d.Submitted {
		return ""
	}
	return d.errs[field]
}

// Open reports whether an action's form starts unfolded: the one just
// submitted, and the usual next step of the ticket's status.
func (d *ticketPageData) Open(action string) bool {
	if d.Submitted != "" {
		return action == d.Submitted
	}
	return action == d.Primary
}

// V returns a field's submitted value, or def for a fresh form.
func (d *ticketPageData) V(action, field, def string) string {
	if action != d.Submitted {
		return def
	}
	return d.vals[field]
}

// submission is a refused action form, rendered back with its values.
type submission struct {
	Action string
	Vals   map[string]string
	Errs   map[string]string
	// Contact is the reveal's outcome (contact.go), with no Action.
	Contact *contactPanel
}

// ticketPage: GET /tiket/{id}.
func (s *UI) ticketPage(c *gin.Context) {
	t, err := s.VisibleTicket(c, c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	s.renderTicket(c, http.StatusOK, t, nil)
}

func (s *UI) renderTicket(c *gin.Context, status int, t *hailurah.Ticket, sub *submission) {
	ctx := c.Request.Context()
	u := app.UserOf(c)
	n := s.LoadNames(ctx)
	events, err := s.Tickets.ListTicketEvents(ctx, t.ID)
	if err != nil {
		s.renderError(c, err)
		return
	}
	media, err := s.ticketMedia(ctx, t)
	if err != nil {
		s.renderError(c, err)
		return
	}
	sent, err := s.SentMessages(ctx, t)
	if err != nil {
		s.renderError(c, err)
		return
	}
	now := s.Zone.In(s.Now())
	d := &ticketPageData{
		T: s.viewTicket(t, n), Message: t.MessageText, Can: map[string]bool{}, Labels: actionLabels,
		Units: unitOptions(n), Kelurahan: kelurahanOptions(n), Kategoris: kategoriOptions(),
		Urgencies: []int{1, 2, 3, 4, 5}, Canned: cannedReplies,
		DueMin: now.Format("2006-01-02"), DueMax: now.AddDate(1, 0, 0).Format("2006-01-02"), Zone: s.Zone.Abbrev(now),
		MaxFiles: app.MaxEvidenceFiles, MaxFileMB: app.MaxEvidenceBytes >> 20,
		Triage: triageView{Summary: t.Summary, Kategori: app.KategoriLabel(t.Kategori), KategoriCode: t.Kategori,
			Subkategori: t.Subkategori, Severity: severityLabel(t.Severity), Unit: n.UnitName(t.SuggestedUnit), UnitCode: t.SuggestedUnit,
			Response: responseLabel(t.SuggestedResponseType), Sentiment: sentimentLabel(t.SentimentScore),
			Model: t.ModelVersion, Urgency: t.UrgencyScore, People: t.EstimatedPeopleAffected},
	}
	// A ticket moves to another kelurahan; from the city queue a
	// moderator may only claim it for their own.
	d.Kelurahan = slices.DeleteFunc(d.Kelurahan, func(o option) bool { return o.Value == t.Kelurahan })
	if t.Kelurahan == "" && u.Role != hailurah.RoleAdmin {
		d.Kelurahan = []option{{u.Kelurahan, n.KelurahanName(u.Kelurahan)}}
	}
	for _, a := range hailurah.Actions {
		if offered(u, t, a) {
			d.Can[a] = true
			d.HasActions = true
		}
	}
	for _, a := range []string{hailurah.ActionSetKelurahan, hailurah.ActionAssign, hailurah.ActionAccept, hailurah.ActionDone} {
		if d.Can[a] && (a != hailurah.ActionSetKelurahan || t.Kelurahan == "") {
			d.Primary = a
			break
		}
	}
	d.Contact = s.contactPanelFor(u, t, sub)
	if sub != nil && sub.Action != "" {
		d.Submitted, d.errs, d.vals = sub.Action, sub.Errs, sub.Vals
		if !d.Can[sub.Action] {
			// The form is gone (the status moved on): show its answer
			// above the actions instead.
			d.RefusedAction = actionLabels[sub.Action]
			d.Refused = sub.Errs[""]
			for _, msg := range sub.Errs {
				if d.Refused == "" {
					d.Refused = msg
				}
			}
		}
	}

	media.markTranscribed(events)
	d.Messages = append(d.Messages, messageView{At: formatWaktu(s.Zone, t.DatetimeReceived), Text: t.MessageText,
		Attachments: media.opening(events)})
	for _, e := range events {
		atts := attachmentsOf(t.ID, e.Attachments, media.views)
		if e.Actor == hailurah.ActorCitizen && e.Type != hailurah.EventCreated && (e.Note != "" || len(atts) > 0) {
			d.Messages = append(d.Messages, messageView{At: formatWaktu(s.Zone, e.At), Text: e.Note, Attachments: atts})
		}
		ev := eventView{At: formatWaktu(s.Zone, e.At), Label: app.TicketEventLabel(e.Type), Actor: actorLabel(t, e, n),
			Note: e.Note, Attachments: atts}
		if e.Type == hailurah.EventTranscribed {
			ev.Attachments = nil // the player is beside the message
		}
		if e.From != "" && e.From != e.To {
			ev.Change = e.From.Label() + " → " + e.To.Label()
		} else if e.From == "" && e.To != "" {
			ev.Change = e.To.Label()
		}
		d.Timeline = append(d.Timeline, ev)
	}
	for _, m := range sent {
		v := sentView{At: formatWaktu(s.Zone, m.At), Kind: m.KindLabel, Text: m.Text, Status: m.Status,
			StatusLabel: m.StatusLabel, Error: m.Error}
		if m.StatusAt != nil {
			v.StatusAt = formatWaktu(s.Zone, *m.StatusAt)
		}
		d.Sent = append(d.Sent, v)
	}
	if d.Can[hailurah.ActionReject] {
		d.Duplicates = s.duplicateCandidates(ctx, t, n)
	}
	s.renderPage(c, status, "tiket", pageData{Title: "Tiket " + t.ID, Flash: flashOf(c), Data: d})
}

func responseLabel(code string) string {
	switch code {
	case "A":
		return "A · solusi sederhana"
	case "B":
		return "B · solusi menengah"
	case "C":
		return "C · solusi berdampak besar"
	}
	return dash(code)
}

// severityLabel says the AI's severity in words; the codes stay English
// in the data and the API.
func severityLabel(code string) string {
	switch code {
	case hailurah.SeverityLow:
		return "dampak ringan"
	case hailurah.SeverityMedium:
		return "dampak sedang"
	case hailurah.SeverityHigh:
		return "dampak berat"
	case hailurah.SeverityCritical:
		return "dampak sangat berat"
	}
	return ""
}

// sentimentLabel reads the AI's sentiment score (-1 to 1) as the tone of
// the citizen's message.
func sentimentLabel(score float64) string {
	switch {
	case score <= -0.5:
		return "Sangat kesal atau cemas"
	case score < -0.15:
		return "Kurang puas"
	case score <= 0.15:
		return "Netral"
	case score < 0.5:
		return "Cukup positif"
	}
	return "Positif"
}

// actorLabel never names an anonymous reporter.
func actorLabel(t *hailurah.Ticket, e *hailurah.TicketEvent, n app.Names) string {
	if e.Actor == hailurah.ActorCitizen {
		if t.PrivacyFlag {
			return "Anonim"
		}
		return "Warga"
	}
	return n.ActorName(e.Actor, e.Role)
}

// attachmentsOf shows evidence stored by this server as pictures, a
// citizen's downloaded media as media.go says, and anything else (media
// not downloaded yet) as text.
func attachmentsOf(ticketID string, urls []string, media map[string]attachmentView) []attachmentView {
	var out []attachmentView
	prefix := "/bukti/" + ticketID + "/"
	for _, u := range urls {
		if name, ok := strings.CutPrefix(u, prefix); ok && app.EvidenceName.MatchString(name) {
			out = append(out, attachmentView{URL: u, Image: true, Name: name})
			continue
		}
		if m, ok := media[u]; ok {
			out = append(out, m)
			continue
		}
		if strings.HasPrefix(u, hailurah.MediaSourcePrefix) {
			u = "Lampiran WhatsApp" // not downloaded (yet): its id tells staff nothing
		}
		out = append(out, attachmentView{Name: u})
	}
	return out
}

// duplicateCandidates are the tickets a duplicate most likely repeats: same
// kelurahan, RT, RW and kategori, received in the last seven days.
func (s *UI) duplicateCandidates(ctx context.Context, t *hailurah.Ticket, n app.Names) []ticketView {
	if t.Kelurahan == "" || t.Kategori == "" {
		return nil
	}
	from := s.Now().Add(-7 * 24 * time.Hour)
	page, err := s.Tickets.ListTickets(ctx, hailurah.TicketFilter{
		Kelurahan: t.Kelurahan, RT: t.RT, RW: t.RW, Kategori: t.Kategori, ReceivedFrom: &from, Limit: 20,
	})
	if err != nil {
		s.Logger.WarnContext(ctx, "duplicate candidates", "ticket", t.ID, "err", err)
		return nil
	}
	var out []ticketView
	for _, o := range page.Items {
		if o.ID == t.ID || o.Status == hailurah.StatusRejected {
			continue
		}
		out = append(out, s.viewTicket(o, n))
		if len(out) == 5 {
			break
		}
	}
	return out
}

// ticketActionForm: POST /tiket/{id}/aksi. The form goes the API's way,
// through ActTicket. A refusal is shown next to the form; success
// redirects (post/redirect/get) with a confirmation.
func (s *UI) ticketActionForm(c *gin.Context) {
	u := app.UserOf(c)
	t, err := s.VisibleTicket(c, c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	action := c.PostForm("action")
	sub := &submission{Action: action, Vals: map[string]string{}, Errs: map[string]string{}}
	req, ok := s.parseActionForm(c, t, sub)
	if !ok {
		s.renderTicket(c, http.StatusUnprocessableEntity, t, sub)
		return
	}
	refuse := func(err error) {
		app.RemoveEvidence(s.DataDir, req.Evidence)
		field := formField(hailurah.ErrorField(err))
		sub.Errs[field] = hailurah.ErrorMessage(err)
		if hailurah.ErrorCode(err) == hailurah.EINTERNAL {
			s.Logger.ErrorContext(c.Request.Context(), "ticket action", "ticket", t.ID, "action", action, "err", err)
		}
		s.renderTicket(c, app.ErrorStatus(err), t, sub)
	}
	if action == hailurah.ActionProgress || action == hailurah.ActionDone {
		urls, err := s.SaveEvidence(c, t.ID)
		if err != nil {
			refuse(err)
			return
		}
		req.Evidence = urls
	}
	state, err := s.ActTicket(c, t, req)
	if hailurah.ErrorCode(err) == hailurah.EPENDING {
		c.Redirect(http.StatusSeeOther, "/tiket/"+t.ID+"?ok="+okPending)
		return
	}
	if err != nil {
		refuse(err)
		return
	}
	after := s.awaitProjection(c.Request.Context(), t.ID, state.Version)
	switch {
	case c.PostForm("kembali") == "tugas" && u.Role == hailurah.RoleDinas:
		c.Redirect(http.StatusSeeOther, "/tugas?ok="+action+"&tiket="+url.QueryEscape(t.ID)+"#task-"+t.ID)
	case after != nil && !hailurah.CanSeeTicket(u, after):
		c.Redirect(http.StatusSeeOther, homeOf[u.Role]+"?ok="+action)
	default:
		c.Redirect(http.StatusSeeOther, "/tiket/"+t.ID+"?ok="+action)
	}
}

// awaitProjection waits briefly until the store shows the workflow's new
// state, so the page the user is sent to shows what they just did. The
// activity that writes it usually takes milliseconds; after the wait the
// page shows whatever the store has.
func (s *UI) awaitProjection(ctx context.Context, id string, version int64) *hailurah.Ticket {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	var last *hailurah.Ticket
	for {
		if t, err := s.Tickets.FindTicket(ctx, id); err == nil {
			last = t
			if t.Version >= version {
				return t
			}
		}
		select {
		case <-ctx.Done():
			return last
		case <-tick.C:
		}
	}
}

// formField maps the request fields checkAction names to the form's.
func formField(f string) string {
	switch f {
	case "due_at":
		return "due_date"
	case "evidence":
		return "foto"
	case "action", "actor":
		return ""
	}
	return f
}

// parseActionForm reads the fields of one action's form into an
// ActionRequest. It records what the user typed, to render it back, and
// the errors only the form can find (a number that is not one, a date).
func (s *UI) parseActionForm(c *gin.Context, t *hailurah.Ticket, sub *submission) (hailurah.ActionRequest, bool) {
	get := func(field string) string {
		v := strings.TrimSpace(c.PostForm(field))
		sub.Vals[field] = v
		return v
	}
	req := hailurah.ActionRequest{Action: sub.Action}
	switch sub.Action {
	case hailurah.ActionVerify:
		req.Kategori, req.Subkategori, req.Unit = get("kategori"), get("subkategori"), get("unit")
		if v := get("urgency"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 5 {
				sub.Errs["urgency"] = "Urgensi harus angka 1 sampai 5."
			}
			req.Urgency = n
		}
	case hailurah.ActionReply:
		req.Text = get("text")
		if canned := get("canned"); req.Text == "" && canned != "" {
			req.Text = cannedText(canned)
		}
	case hailurah.ActionAssign:
		req.Unit, req.Text = get("unit"), get("text")
		if v := get("due_date"); v != "" {
			day, err := s.Zone.ParseDate(v)
			switch {
			case err != nil:
				sub.Errs["due_date"] = "Tanggal tenggat tidak valid; pilih tanggal dari kalender."
			case day.After(s.Now().AddDate(1, 0, 0)):
				sub.Errs["due_date"] = "Tenggat paling lambat satu tahun dari hari ini."
			default:
				// A due date means the end of that day on the kelurahan's clock.
				due := day.Add(23*time.Hour + 59*time.Minute)
				req.DueAt = &due
			}
		}
	case hailurah.ActionResolve, hailurah.ActionNote, hailurah.ActionProgress, hailurah.ActionDone, hailurah.ActionAccept:
		req.Text = get("text")
	case hailurah.ActionReject:
		kind, text := get("reason_kind"), get("reason")
		req.DuplicateOf = get("duplicate_of_lain")
		if req.DuplicateOf == "" {
			req.DuplicateOf = get("duplicate_of")
		} else {
			sub.Vals["duplicate_of"] = c.PostForm("duplicate_of")
		}
		req.DuplicateOf = strings.ToUpper(req.DuplicateOf)
		switch kind {
		case rejectSpam:
			req.Reason = joinReason("Spam", text)
			req.DuplicateOf = ""
		case rejectDuplicate:
			if req.DuplicateOf == "" {
				sub.Errs["duplicate_of"] = "Pilih tiket asli, atau tulis nomornya."
			}
			req.Reason = joinReason("Duplikat", text)
		case rejectOther:
			if text == "" {
				sub.Errs["reason"] = "Tuliskan alasan penolakan."
			}
			req.Reason, req.DuplicateOf = text, ""
		default:
			sub.Errs["reason_kind"] = "Pilih alasan penolakan."
		}
		confirmIrreversible(c, sub.Vals, sub.Errs, "Penolakan tiket")
	case hailurah.ActionSetKelurahan:
		req.Kelurahan = get("kelurahan")
	case hailurah.ActionReturn:
		req.Reason = get("reason")
	default:
		sub.Errs[""] = "Aksi tidak dikenal. Muat ulang halaman lalu coba lagi."
	}
	return req, len(sub.Errs) == 0
}

// confirmIrreversible asks for the "yakin" box of a form whose action cannot
// be undone (rejecting a ticket or a grant, approving a grant, signing a
// pilot's decision): the confirmation step that works without JavaScript.
// Its error joins the form's others, all shown at once.
func confirmIrreversible(c *gin.Context, vals, errs map[string]string, what string) {
	if c.PostForm("yakin") == "ya" {
		vals["yakin"] = "ya"
		return
	}
	errs["yakin"] = what + " tidak dapat dibatalkan: centang kotak ini bila Anda yakin."
}

func joinReason(kind, text string) string {
	if text == "" {
		return kind
	}
	return kind + ": " + text
}
