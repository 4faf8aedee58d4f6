package ui

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/pii"
	"github.com/hailurah/hailurah/server/app"
	"github.com/hailurah/hailurah/triage"
)

// The citizens' public pages besides the chat: the front page (/), and
// /lacak/{code}, the tracking page a citizen shares or opens from the
// kiosk's QR code. Neither needs a login; the tracking code is the key.

// frontPage is the front page's content.
type frontPage struct {
	WhatsApp     string // the number as dialled; "" when not configured
	WhatsAppLink string // https://wa.me/<digits>?text=HAI%20LURAH
	Kelurahan    []*hailurah.Kelurahan
	StaffHome    string // a signed-in staff member's work page
}

// lacakRoutes come with the case pages (Routes); they need only the
// tickets, not the channels.
func (s *UI) lacakRoutes(r *gin.Engine) {
	r.GET("/lacak", s.lacakForm)
	limit := app.LimitByIP(s.TrackingLimit)
	r.GET("/lacak/:code", limit, s.lacakPage)
	r.GET("/lacak/:code/qr.png", limit, s.lacakQR)
}

// frontPage: GET / — what HAI LURAH is and the ways to use it. Staff see
// the same page with a link to their work.
func (s *UI) frontPage(c *gin.Context) {
	all, err := s.Kelurahan.ListKelurahan(c.Request.Context())
	if err != nil {
		s.renderError(c, err)
		return
	}
	pg := frontPage{WhatsApp: s.WhatsAppNumber, Kelurahan: all}
	if digits := onlyDigits(s.WhatsAppNumber); digits != "" {
		if strings.HasPrefix(digits, "0") {
			digits = "62" + digits[1:]
		}
		pg.WhatsAppLink = "https://wa.me/" + digits + "?text=" + url.QueryEscape("HAI LURAH ")
	}
	if p := app.PrincipalOf(c); p != nil && p.User != nil {
		pg.StaffHome = homeOf[p.User.Role]
	}
	s.renderPage(c, http.StatusOK, "citizen_home", pageData{Title: "Layanan curhat warga Kota Madiun", Data: pg})
}

func onlyDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// lacakForm: GET /lacak?kode=… — the front page's form, sent on to the
// tracking page of the code; no code shows the form alone.
func (s *UI) lacakForm(c *gin.Context) {
	code := normalCode(c.Query("kode"))
	if code == "" {
		s.renderPage(c, http.StatusOK, "citizen_lacak", pageData{Title: "Lacak curhat", Data: lacakPage{}})
		return
	}
	c.Redirect(http.StatusSeeOther, "/lacak/"+url.PathEscape(code))
}

func normalCode(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) > 32 {
		return ""
	}
	return s
}

// lacakStep is one step of the tracker.
type lacakStep struct {
	Label, Date    string
	Done, Current  bool
	Skipped, Final bool
}

// lacakPage is the tracking page's content.
type lacakPage struct {
	Code, TicketID string
	NotFound       bool
	Status         string
	StatusLabel    string
	Kelurahan      string
	Received       string
	Steps          []lacakStep
	Words          string // the citizen's first message, masked
	Anonim         bool
	Unit           string
	UnitDid        string // the unit's words when it marked the work done
	UnitDidAt      string
	Rejected       bool
	Ask            string // "confirm", "rate", "rated" or ""
	Closed         bool
	UpdatedAt      string // to notice news while the page is open
}

// lacakPage: GET /lacak/{code}.
func (s *UI) lacakPage(c *gin.Context) {
	code := normalCode(c.Param("code"))
	t, err := s.findByCode(c, code)
	if hailurah.ErrorCode(err) == hailurah.ENOTFOUND {
		s.renderPage(c, http.StatusNotFound, "citizen_lacak", pageData{Title: "Kode lacak tidak ditemukan",
			Data: lacakPage{Code: code, NotFound: true}})
		return
	}
	if err != nil {
		s.renderError(c, err)
		return
	}
	ctx := c.Request.Context()
	events, err := s.Tickets.ListTicketEvents(ctx, t.ID)
	if err != nil {
		s.renderError(c, err)
		return
	}
	n := s.LoadNames(ctx)
	pg := lacakPage{Code: t.TrackingCode, TicketID: t.ID, Status: string(t.Status), StatusLabel: t.Status.Label(),
		Kelurahan: n.KelurahanName(t.Kelurahan), Received: formatWaktu(s.Zone, t.DatetimeReceived), Anonim: t.PrivacyFlag,
		Words: citizenWords(t.MessageText), Rejected: t.Status == hailurah.StatusRejected,
		Closed:    t.Status == hailurah.StatusClosed || t.Status == hailurah.StatusRejected,
		UpdatedAt: t.UpdatedAt.UTC().Format("2006-01-02T15:04:05.000000Z")}
	if t.Kelurahan == "" {
		pg.Kelurahan = ""
	}
	if t.AssignedUnit != "" {
		pg.Unit = n.UnitName(t.AssignedUnit)
	}
	for _, e := range events {
		if e.Type == hailurah.ActionDone {
			pg.UnitDid, pg.UnitDidAt = pii.Redact(strings.TrimSpace(e.Note)), formatWaktu(s.Zone, e.At)
		}
	}
	switch {
	case t.Status == hailurah.StatusAwaitingConfirmation:
		pg.Ask = "confirm"
	case t.Status == hailurah.StatusResolved && t.Rating == 0:
		pg.Ask = "rate"
	case t.Rating != 0:
		pg.Ask = "rated"
	}
	pg.Steps = s.lacakSteps(t, events, pg.Unit)
	s.renderPage(c, http.StatusOK, "citizen_lacak", pageData{Title: "Lacak curhat " + t.ID, Data: pg})
}

// citizenWords is the citizen's first message as the tracking page shows
// it: the problem without the format's greeting and flags, with personal
// data redacted as on the public Open311 view (intake masked it as kept;
// the page is public to whoever holds the code).
func citizenWords(text string) string {
	words := strings.TrimSpace(triage.ParseMessage(text).Problem)
	if words == "" {
		words = strings.TrimSpace(text)
	}
	return pii.Redact(words)
}

// lacakSteps are the five steps of a case: received, verified, sent to
// the unit, worked on, done; each with the date it was reached. A case
// the moderator resolved with advice skips the unit's two steps.
func (s *UI) lacakSteps(t *hailurah.Ticket, events []*hailurah.TicketEvent, unit string) []lacakStep {
	at := map[string]string{}
	first := func(key string, e *hailurah.TicketEvent) {
		if _, ok := at[key]; !ok {
			at[key] = formatWaktu(s.Zone, e.At)
		}
	}
	last := func(key string, e *hailurah.TicketEvent) { at[key] = formatWaktu(s.Zone, e.At) }
	advice := false
	for _, e := range events {
		switch e.Type {
		case hailurah.ActionVerify:
			first("verify", e)
		case hailurah.ActionAssign:
			last("assign", e)
		case hailurah.ActionAccept, hailurah.ActionProgress:
			first("work", e)
		case hailurah.ActionDone, hailurah.EventCitizenConfirmed, hailurah.EventAutoClosed:
			last("done", e)
		case hailurah.ActionResolve:
			last("done", e)
			advice = true
		case hailurah.EventCitizenReopened:
			delete(at, "done")
			advice = false
		}
	}
	if t.Verified {
		if _, ok := at["verify"]; !ok {
			at["verify"] = "-"
		}
	}
	toUnit := "Diteruskan ke dinas terkait"
	if unit != "" {
		toUnit = "Diteruskan ke " + unit
	}
	steps := []lacakStep{
		{Label: "Diterima", Date: formatWaktu(s.Zone, t.DatetimeReceived), Done: true},
		{Label: "Diverifikasi", Date: at["verify"]},
		{Label: toUnit, Date: at["assign"]},
		{Label: "Dikerjakan", Date: at["work"]},
		{Label: "Selesai", Date: at["done"], Final: true},
	}
	for i := 1; i < len(steps); i++ {
		steps[i].Done = steps[i].Date != ""
	}
	st := t.Status
	// A case past the moderator was verified, whatever its history shows.
	steps[1].Done = steps[1].Done || (st != hailurah.StatusNew && st != hailurah.StatusOpen && st != hailurah.StatusRejected)
	steps[2].Done = steps[2].Done || st == hailurah.StatusAssigned || st == hailurah.StatusInProgress
	steps[3].Done = steps[3].Done || st == hailurah.StatusInProgress
	// "Selesai" is reached when the citizen confirms (or the case closes);
	// while they are asked, it is the step that waits, on them.
	steps[4].Done = st == hailurah.StatusResolved || st == hailurah.StatusClosed
	if st == hailurah.StatusAwaitingConfirmation {
		steps[3].Done = true
		steps[4].Date = "menunggu jawaban Anda"
	}
	if advice || ((steps[4].Done || st == hailurah.StatusAwaitingConfirmation) && !steps[2].Done) {
		steps[2].Skipped, steps[3].Skipped = true, true
		steps[2].Label, steps[3].Label = "Tidak perlu diteruskan ke dinas", "Diselesaikan dengan saran"
	}
	if t.Status == hailurah.StatusRejected {
		steps[4].Label = "Tidak dilanjutkan"
		steps[4].Done = true
	}
	// The current step is the first not reached (the case waits on it).
	for i := range steps {
		if steps[i].Date == "-" {
			steps[i].Date = ""
		}
		if !steps[i].Done && !steps[i].Skipped {
			steps[i].Current = true
			break
		}
	}
	return steps
}

// lacakQR: GET /lacak/{code}/qr.png — the QR code of the tracking page's
// address, for the kiosk to show and print.
func (s *UI) lacakQR(c *gin.Context) {
	t, err := s.findByCode(c, normalCode(c.Param("code")))
	if err != nil {
		s.renderError(c, err)
		return
	}
	png, err := qrcode.Encode(lacakURL(c, t.TrackingCode), qrcode.Medium, 320)
	if err != nil {
		s.renderError(c, hailurah.Errorf(hailurah.EINTERNAL, "qr: %v", err))
		return
	}
	c.Header("Cache-Control", "private, max-age=3600")
	c.Data(http.StatusOK, "image/png", png)
}

// lacakURL is the tracking page's absolute address as this request
// reached the server.
func lacakURL(c *gin.Context, code string) string {
	scheme := "http"
	if c.Request.TLS != nil || c.GetHeader("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + c.Request.Host + "/lacak/" + url.PathEscape(code)
}

func (s *UI) findByCode(c *gin.Context, code string) (*hailurah.Ticket, error) {
	if code == "" {
		return nil, hailurah.Errorf(hailurah.ENOTFOUND, "Kode lacak tidak ditemukan.")
	}
	t, err := s.Tickets.FindTicketByTrackingCode(c.Request.Context(), code)
	if hailurah.ErrorCode(err) == hailurah.ENOTFOUND {
		return nil, hailurah.Errorf(hailurah.ENOTFOUND, "Kode lacak tidak ditemukan.")
	}
	return t, err
}
