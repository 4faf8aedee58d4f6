package whatsapp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hailurah/hailurah"
)

// DefaultBaseURL is the Graph API root used when Client.BaseURL is empty
// (WHATSAPP_API_BASE overrides it, and tests point it at a fake).
const DefaultBaseURL = "https://graph.facebook.com/v23.0"

// Kinds of outgoing message.
const (
	OutgoingText     = "text"
	OutgoingButtons  = "buttons"
	OutgoingTemplate = "template"
	// OutgoingImage is a photo by link with the text as its caption.
	OutgoingImage = "image"
)

// DefaultLanguage is the template language used when Outgoing.Language is "".
const DefaultLanguage = "id"

// Cloud API limits on what we send, checked before the request so a bad
// message fails at once instead of after a round trip.
const (
	MaxTextRunes        = 4096 // a text message body
	MaxButtonBodyRunes  = 1024 // the body of an interactive message
	MaxButtons          = 3    // reply buttons per message
	MaxButtonTitleRunes = 20
	MaxCaptionRunes     = 1024 // a media message's caption
	maxButtonIDRunes    = 256
	maxResponseBytes    = 1 << 20
)

var (
	templateNamePattern = regexp.MustCompile(`^[a-z0-9_]{1,512}$`)
	languagePattern     = regexp.MustCompile(`^[a-z]{2,3}(_[A-Z]{2})?$`)
	defaultHTTPClient   = &http.Client{Timeout: 30 * time.Second}
)

// Client sends messages through the WhatsApp Cloud API. The zero value is not
// usable: Token and a phone number id (here or per message) are required.
type Client struct {
	BaseURL string // DefaultBaseURL when ""
	Token   string // system-user access token, sent as a bearer token
	// PhoneNumberID is the sending number used when Outgoing.From is "".
	PhoneNumberID string
	HTTP          *http.Client // a client with a 30-second timeout when nil
}

// Button is one reply button.
type Button struct {
	ID    string // returned as Inbound.ButtonID when the citizen taps it
	Title string // at most 20 characters
}

// Outgoing is one message to send.
type Outgoing struct {
	// From is the phone_number_id to send from, for a kelurahan with its own
	// number; "" uses Client.PhoneNumberID.
	From     string
	To       string // E.164 ("+628…") or a wa_id ("628…")
	Kind     string // OutgoingText, OutgoingButtons or OutgoingTemplate
	Text     string // the body of a text or buttons message
	Buttons  []Button
	Template string // an approved template's name, e.g. TemplateReminder
	Language string // template language code, DefaultLanguage when ""
	Params   []string
	// Image is the https link of an image message's photo, or of a
	// template's image header (TemplateHasImageHeader); Meta fetches it
	// when it sends.
	Image string
}

// Validate checks m against the Cloud API's rules without sending it.
// Returns EINVALID, naming the field, for an invalid recipient, an empty or
// too long text, 0 or more than 3 buttons, a button title over 20
// characters, duplicate button ids or titles, a malformed template name or
// language, a template parameter that is empty or has line breaks or tabs,
// or the wrong number of parameters for one of this system's templates.
func (m Outgoing) Validate() error {
	if _, err := recipient(m.To); err != nil {
		return err
	}
	switch m.Kind {
	case OutgoingText:
		return checkBody("text", m.Text, MaxTextRunes)
	case OutgoingButtons:
		if err := checkBody("text", m.Text, MaxButtonBodyRunes); err != nil {
			return err
		}
		return checkButtons(m.Buttons)
	case OutgoingTemplate:
		return checkTemplate(m)
	case OutgoingImage:
		if m.Text != "" {
			if err := checkBody("text", m.Text, MaxCaptionRunes); err != nil {
				return err
			}
		}
		return checkImage(m.Image)
	default:
		return hailurah.FieldErrorf("kind", "Jenis pesan %q tidak dikenal (text, buttons, template, image).", quoteClip(m.Kind))
	}
}

func recipient(to string) (string, error) {
	e164, err := NormalizePhone(to)
	if err != nil {
		return "", hailurah.FieldErrorf("to", "Nomor tujuan tidak valid: %s", hailurah.ErrorMessage(err))
	}
	return strings.TrimPrefix(e164, "+"), nil
}

func checkBody(field, s string, maxRunes int) error {
	switch {
	case strings.TrimSpace(s) == "":
		return hailurah.FieldErrorf(field, "Teks pesan wajib diisi.")
	case !utf8.ValidString(s):
		return hailurah.FieldErrorf(field, "Teks pesan bukan UTF-8 yang valid.")
	case utf8.RuneCountInString(s) > maxRunes:
		return hailurah.FieldErrorf(field, "Teks pesan terlalu panjang (maks. %d karakter).", maxRunes)
	}
	return nil
}

func checkButtons(buttons []Button) error {
	if len(buttons) == 0 || len(buttons) > MaxButtons {
		return hailurah.FieldErrorf("buttons", "Pesan tombol butuh 1–%d tombol, bukan %d.", MaxButtons, len(buttons))
	}
	ids := make(map[string]bool, len(buttons))
	titles := make(map[string]bool, len(buttons))
	for i, b := range buttons {
		field := fmt.Sprintf("buttons[%d]", i)
		switch {
		case strings.TrimSpace(b.ID) == "" || utf8.RuneCountInString(b.ID) > maxButtonIDRunes || !utf8.ValidString(b.ID):
			return hailurah.FieldErrorf(field+".id", "id tombol wajib diisi (maks. %d karakter).", maxButtonIDRunes)
		case strings.TrimSpace(b.Title) == "" || !utf8.ValidString(b.Title):
			return hailurah.FieldErrorf(field+".title", "Judul tombol wajib diisi.")
		case utf8.RuneCountInString(b.Title) > MaxButtonTitleRunes:
			return hailurah.FieldErrorf(field+".title", "Judul tombol %q lebih dari %d karakter.", b.Title, MaxButtonTitleRunes)
		case ids[b.ID]:
			return hailurah.FieldErrorf(field+".id", "id tombol %q dipakai dua kali.", b.ID)
		case titles[b.Title]:
			// Meta rejects a message whose buttons share a title.
			return hailurah.FieldErrorf(field+".title", "Judul tombol %q dipakai dua kali.", b.Title)
		}
		ids[b.ID], titles[b.Title] = true, true
	}
	return nil
}

// checkImage wants an absolute https link: Meta fetches the photo from
// it, and refuses plain http.
func checkImage(link string) error {
	u, err := url.Parse(link)
	if err != nil || u.Scheme != "https" || u.Host == "" || len(link) > 2000 {
		return hailurah.FieldErrorf("image", "Tautan foto harus alamat https yang lengkap.")
	}
	return nil
}

func checkTemplate(m Outgoing) error {
	if !templateNamePattern.MatchString(m.Template) {
		return hailurah.FieldErrorf("template", "Nama template wajib diisi (huruf kecil, angka, garis bawah).")
	}
	if m.Language != "" && !languagePattern.MatchString(m.Language) {
		return hailurah.FieldErrorf("language", "Kode bahasa template %q tidak valid (mis. id, en_US).", quoteClip(m.Language))
	}
	if want, known := TemplateParamCount(m.Template); known && len(m.Params) != want {
		return hailurah.FieldErrorf("params", "Template %s butuh %d parameter, bukan %d.", m.Template, want, len(m.Params))
	}
	if TemplateHasImageHeader(m.Template) || m.Image != "" {
		if err := checkImage(m.Image); err != nil {
			return err
		}
	}
	for i, p := range m.Params {
		field := fmt.Sprintf("params[%d]", i)
		switch {
		case strings.TrimSpace(p) == "" || !utf8.ValidString(p):
			return hailurah.FieldErrorf(field, "Parameter template wajib diisi.")
		case strings.ContainsAny(p, "\n\r\t") || strings.Contains(p, "     "):
			// Meta refuses template parameters with line breaks, tabs or
			// more than four spaces in a row (error 132018).
			return hailurah.FieldErrorf(field, "Parameter template tidak boleh berisi baris baru, tab, atau lebih dari 4 spasi berturut-turut.")
		case utf8.RuneCountInString(p) > MaxButtonBodyRunes:
			return hailurah.FieldErrorf(field, "Parameter template terlalu panjang (maks. %d karakter).", MaxButtonBodyRunes)
		}
	}
	return nil
}

// Wire shapes of POST /{phone_number_id}/messages.
type (
	sendRequest struct {
		MessagingProduct string           `json:"messaging_product"`
		RecipientType    string           `json:"recipient_type"`
		To               string           `json:"to"`
		Type             string           `json:"type"`
		Text             *sendText        `json:"text,omitempty"`
		Interactive      *sendInteractive `json:"interactive,omitempty"`
		Template         *sendTemplate    `json:"template,omitempty"`
		Image            *sendMedia       `json:"image,omitempty"`
	}
	sendText struct {
		Body string `json:"body"`
	}
	sendInteractive struct {
		Type string `json:"type"`
		Body struct {
			Text string `json:"text"`
		} `json:"body"`
		Action struct {
			Buttons []sendButton `json:"buttons"`
		} `json:"action"`
	}
	sendButton struct {
		Type  string       `json:"type"`
		Reply sendButtonID `json:"reply"`
	}
	sendButtonID struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	sendTemplate struct {
		Name     string `json:"name"`
		Language struct {
			Code string `json:"code"`
		} `json:"language"`
		Components []sendComponent `json:"components,omitempty"`
	}
	sendComponent struct {
		Type       string          `json:"type"`
		Parameters []sendParameter `json:"parameters"`
	}
	sendParameter struct {
		Type  string     `json:"type"`
		Text  string     `json:"text,omitempty"`
		Image *sendMedia `json:"image,omitempty"`
	}
	sendMedia struct {
		Link    string `json:"link"`
		Caption string `json:"caption,omitempty"`
	}
	sendResponse struct {
		Messages []struct {
			ID string `json:"id"`
		} `json:"messages"`
	}
	graphErrorBody struct {
		Error *struct {
			Message      string `json:"message"`
			Type         string `json:"type"`
			Code         int    `json:"code"`
			ErrorSubcode int    `json:"error_subcode"`
			FBTraceID    string `json:"fbtrace_id"`
			ErrorData    struct {
				Details string `json:"details"`
			} `json:"error_data"`
		} `json:"error"`
	}
)

func buildRequest(m Outgoing, to string) sendRequest {
	req := sendRequest{MessagingProduct: "whatsapp", RecipientType: "individual", To: to}
	switch m.Kind {
	case OutgoingText:
		req.Type = "text"
		req.Text = &sendText{Body: m.Text}
	case OutgoingButtons:
		req.Type = "interactive"
		it := &sendInteractive{Type: "button"}
		it.Body.Text = m.Text
		for _, b := range m.Buttons {
			it.Action.Buttons = append(it.Action.Buttons, sendButton{Type: "reply", Reply: sendButtonID{ID: b.ID, Title: b.Title}})
		}
		req.Interactive = it
	case OutgoingTemplate:
		req.Type = "template"
		t := &sendTemplate{Name: m.Template}
		t.Language.Code = m.Language
		if t.Language.Code == "" {
			t.Language.Code = DefaultLanguage
		}
		if m.Image != "" {
			t.Components = append(t.Components, sendComponent{Type: "header",
				Parameters: []sendParameter{{Type: "image", Image: &sendMedia{Link: m.Image}}}})
		}
		if len(m.Params) > 0 {
			c := sendComponent{Type: "body"}
			for _, p := range m.Params {
				c.Parameters = append(c.Parameters, sendParameter{Type: "text", Text: p})
			}
			t.Components = append(t.Components, c)
		}
		req.Template = t
	case OutgoingImage:
		req.Type = "image"
		req.Image = &sendMedia{Link: m.Image, Caption: m.Text}
	}
	return req
}

// Send delivers m and returns the provider's message id ("wamid.…"), which
// later Status reports carry. The Cloud API has no idempotency key: a
// retried Send after a lost response may deliver twice, so the outbox relay
// retries only on a *SendError with Retryable set.
//
// Returns EINVALID (see Outgoing.Validate) for an invalid message and
// EINTERNAL when the client lacks a token or a phone number id, before any
// request. Every failure of the request itself is a *SendError: Retryable
// for transport errors, HTTP 429 and 5xx, and Meta's rate-limit and
// temporary-outage codes; OutsideWindow (errors.Is ErrOutsideWindow) for
// 131047, when the citizen's 24-hour window has closed and only a template
// may be sent; permanent otherwise (a bad token, an unknown template, a
// number not on WhatsApp).
func (c *Client) Send(ctx context.Context, m Outgoing) (providerID string, err error) {
	if err := m.Validate(); err != nil {
		return "", err
	}
	to, _ := recipient(m.To) // Validate has checked it
	from := m.From
	if from == "" {
		from = c.PhoneNumberID
	}
	// The id becomes a URL path segment: digits only, nothing to escape.
	if !isDigits(from, 1, 32) {
		return "", hailurah.Errorf(hailurah.EINTERNAL, "whatsapp: phone number id %q is not set or not numeric", quoteClip(from))
	}
	if c.Token == "" {
		return "", hailurah.Errorf(hailurah.EINTERNAL, "whatsapp: client has no access token")
	}
	body, err := json.Marshal(buildRequest(m, to))
	if err != nil {
		return "", err
	}
	base := strings.TrimRight(c.BaseURL, "/")
	if base == "" {
		base = DefaultBaseURL
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/"+from+"/messages", bytes.NewReader(body))
	if err != nil {
		return "", hailurah.Errorf(hailurah.EINTERNAL, "whatsapp: bad base URL: %v", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")

	hc := c.HTTP
	if hc == nil {
		hc = defaultHTTPClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return "", &SendError{Message: "request failed", Retryable: true, err: err}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return "", &SendError{Status: resp.StatusCode, Message: "reading the response failed", Retryable: true, err: err}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return "", classify(resp.StatusCode, raw)
	}
	var ok sendResponse
	if err := json.Unmarshal(raw, &ok); err != nil || len(ok.Messages) == 0 || ok.Messages[0].ID == "" {
		// Meta accepted the request, so the message is probably on its way:
		// sending it again would more likely duplicate than help.
		return "", &SendError{Status: resp.StatusCode, Message: "success response without a message id"}
	}
	return ok.Messages[0].ID, nil
}

// ErrOutsideWindow reports that a free-form message cannot be sent because
// the citizen's 24-hour customer-service window has closed and no template
// was given. A *SendError with OutsideWindow set matches it with errors.Is.
var ErrOutsideWindow = errors.New("whatsapp: outside the 24-hour customer-service window and no template")

// SendError is a failed Send, classified for the outbox relay.
type SendError struct {
	Status        int    // HTTP status; 0 when no response arrived
	Code          int    // Meta's error.code, 0 when the body had none
	Subcode       int    // Meta's error.error_subcode
	Message       string // Meta's error.message and error_data.details, for logs
	TraceID       string // fbtrace_id, for Meta support
	Retryable     bool   // try again later, with backoff
	OutsideWindow bool   // send a template instead (code 131047)
	err           error
}

func (e *SendError) Error() string {
	switch {
	case e.Status == 0 && e.err != nil:
		return fmt.Sprintf("whatsapp send: %s: %v", e.Message, e.err)
	case e.Status == 0:
		return "whatsapp send: " + e.Message
	case e.Code != 0:
		return fmt.Sprintf("whatsapp send: HTTP %d, code %d: %s", e.Status, e.Code, e.Message)
	default:
		return fmt.Sprintf("whatsapp send: HTTP %d: %s", e.Status, e.Message)
	}
}

// Unwrap returns the transport error, if any (context.DeadlineExceeded…).
func (e *SendError) Unwrap() error { return e.err }

// Is makes errors.Is(err, ErrOutsideWindow) true for a 131047 failure.
func (e *SendError) Is(target error) bool { return target == ErrOutsideWindow && e.OutsideWindow }

// Meta error codes the classification needs.
const (
	codeReEngagement = 131047 // more than 24 hours since the citizen's last message
)

// retryableCodes are Meta errors that pass with time: rate limits and
// temporary outages. Some arrive with HTTP 400, hence the list.
var retryableCodes = map[int]bool{
	2:      true, // temporary API service outage
	4:      true, // application request limit
	80007:  true, // WhatsApp Business Account rate limit
	130429: true, // cloud API throughput limit
	131016: true, // service unavailable
	131056: true, // too many messages to the same recipient
	133004: true, // server temporarily unavailable
}

func classify(status int, raw []byte) *SendError {
	e := &SendError{Status: status, Message: http.StatusText(status)}
	var body graphErrorBody
	if json.Unmarshal(raw, &body) == nil && body.Error != nil {
		ge := body.Error
		e.Code, e.Subcode, e.TraceID = ge.Code, ge.ErrorSubcode, ge.FBTraceID
		e.Message = truncateRunes(cleanLine(ge.Message), 500)
		if d := cleanLine(ge.ErrorData.Details); d != "" {
			e.Message += ": " + truncateRunes(d, 500)
		}
	}
	e.OutsideWindow = e.Code == codeReEngagement
	e.Retryable = !e.OutsideWindow && (status == http.StatusTooManyRequests || status >= 500 || retryableCodes[e.Code])
	return e
}
