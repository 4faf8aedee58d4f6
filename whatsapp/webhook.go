package whatsapp

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/hailurah/hailurah"
)

// objectWABA is the "object" of every WhatsApp Cloud API webhook.
const objectWABA = "whatsapp_business_account"

// Kinds of inbound message. Types this package does not read (contacts,
// orders, system notices, and whatever Meta adds next) arrive as
// KindUnsupported rather than failing the delivery, so Meta never retries a
// body that would fail again.
const (
	KindText        = "text"
	KindImage       = "image"
	KindVideo       = "video"
	KindDocument    = "document"
	KindAudio       = "audio"
	KindSticker     = "sticker"
	KindLocation    = "location"
	KindButton      = "button" // a reply button, a list row, or a template's quick reply
	KindReaction    = "reaction"
	KindUnsupported = "unsupported"
)

// Statuses of a sent message, as Meta reports them.
const (
	StatusSent      = "sent"
	StatusDelivered = "delivered"
	StatusRead      = "read"
	StatusFailed    = "failed"
)

// Delivery is one webhook POST, flattened over its entries and changes.
type Delivery struct {
	Messages []Inbound
	Statuses []Status
}

// Inbound is one message a citizen sent to one of our numbers.
type Inbound struct {
	ProviderID    string    // messages[].id, the "wamid."; the dedupe key
	PhoneNumberID string    // metadata.phone_number_id: which of our numbers (which kelurahan)
	From          string    // the sender's wa_id: country code and number, digits only
	ProfileName   string    // the sender's WhatsApp display name, "" when not given
	At            time.Time // when the citizen sent it, by Meta's clock, in UTC
	Kind          string    // a Kind* constant
	// Text is the text body, a media caption, the chosen button's title, a
	// location's "name, address", or a reaction's emoji.
	Text string
	// ButtonID is the id of the chosen reply button or list row, or the
	// payload of a template's quick-reply button.
	ButtonID  string
	Lat, Lng  *float64 // KindLocation only
	MediaID   string   // image, video, document, audio, sticker: fetch it from the Graph API
	MediaMime string
}

// Status is a delivery report for a message we sent.
type Status struct {
	ProviderID    string // the "wamid." Client.Send returned
	PhoneNumberID string // the number that sent it
	Status        string // a Status* constant
	RecipientID   string
	At            time.Time // when Meta recorded the status, in UTC
	ErrorCode     int       // failed only: Meta's error code, e.g. 131047
	ErrorTitle    string    // failed only
}

// Wire shapes of the Cloud API "messages" webhook. Only the fields read here
// are declared; the decoder ignores the rest.
type (
	cloudPayload struct {
		Object string       `json:"object"`
		Entry  []cloudEntry `json:"entry"`
	}
	cloudEntry struct {
		ID      string        `json:"id"`
		Changes []cloudChange `json:"changes"`
	}
	cloudChange struct {
		Field string     `json:"field"`
		Value cloudValue `json:"value"`
	}
	cloudValue struct {
		MessagingProduct string `json:"messaging_product"`
		Metadata         struct {
			DisplayPhoneNumber string `json:"display_phone_number"`
			PhoneNumberID      string `json:"phone_number_id"`
		} `json:"metadata"`
		Contacts []cloudContact `json:"contacts"`
		Messages []cloudMessage `json:"messages"`
		Statuses []cloudStatus  `json:"statuses"`
	}
	cloudContact struct {
		Profile struct {
			Name string `json:"name"`
		} `json:"profile"`
		WaID string `json:"wa_id"`
	}
	cloudMedia struct {
		ID       string `json:"id"`
		MimeType string `json:"mime_type"`
		Caption  string `json:"caption"`
	}
	cloudMessage struct {
		From      string          `json:"from"`
		ID        string          `json:"id"`
		Timestamp json.RawMessage `json:"timestamp"`
		Type      string          `json:"type"`
		Text      *struct {
			Body string `json:"body"`
		} `json:"text"`
		Image    *cloudMedia `json:"image"`
		Video    *cloudMedia `json:"video"`
		Document *cloudMedia `json:"document"`
		Audio    *cloudMedia `json:"audio"`
		Sticker  *cloudMedia `json:"sticker"`
		Location *struct {
			Latitude  *float64 `json:"latitude"`
			Longitude *float64 `json:"longitude"`
			Name      string   `json:"name"`
			Address   string   `json:"address"`
		} `json:"location"`
		Interactive *struct {
			Type        string       `json:"type"`
			ButtonReply *cloudChoice `json:"button_reply"`
			ListReply   *cloudChoice `json:"list_reply"`
		} `json:"interactive"`
		Button *struct {
			Payload string `json:"payload"`
			Text    string `json:"text"`
		} `json:"button"`
		Reaction *struct {
			Emoji string `json:"emoji"`
		} `json:"reaction"`
	}
	cloudChoice struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	cloudStatus struct {
		ID          string          `json:"id"`
		Status      string          `json:"status"`
		Timestamp   json.RawMessage `json:"timestamp"`
		RecipientID string          `json:"recipient_id"`
		Errors      []struct {
			Code    int    `json:"code"`
			Title   string `json:"title"`
			Message string `json:"message"`
		} `json:"errors"`
	}
)

// Bounds on identifiers; Meta's are far shorter, and anything longer is not
// worth a database key.
const (
	maxProviderIDLen  = 256
	maxMediaIDLen     = 128
	maxProfileRunes   = 128
	maxMimeLen        = 128
	maxRecipientIDLen = 64
)

// IsCloudAPIPayload reports whether body is a WhatsApp Cloud API webhook
// (top-level "object": "whatsapp_business_account") rather than a gateway
// payload. Invalid JSON is neither; it reports false.
func IsCloudAPIPayload(body []byte) bool {
	var p struct {
		Object string `json:"object"`
	}
	return json.Unmarshal(body, &p) == nil && p.Object == objectWABA
}

// ParseWebhook reads a WhatsApp Cloud API webhook body. Changes of a field
// other than "messages" (template or account updates) are skipped, as are
// statuses Meta may add beyond sent, delivered, read and failed.
//
// Returns ETOOLARGE for a body over limits.MaxBodyBytes, and EINVALID for
// invalid JSON, an object other than whatsapp_business_account, more messages
// (or statuses) than limits.MaxMessages, text over limits.MaxTextBytes, or a
// message without id, sender, timestamp, phone_number_id or the part its type
// needs. One bad message rejects the whole delivery: Meta sends it signed,
// so a malformed one means something is wrong upstream, not one bad citizen.
func ParseWebhook(body []byte, limits Limits) (*Delivery, error) {
	limits = limits.withDefaults()
	if err := limits.checkBody(body); err != nil {
		return nil, err
	}
	var p cloudPayload
	if err := decodeJSON(body, &p); err != nil {
		return nil, err
	}
	if p.Object != objectWABA {
		return nil, hailurah.FieldErrorf("object", "Bukan payload WhatsApp Cloud API: object %q.", quoteClip(p.Object))
	}
	d := &Delivery{}
	for i, e := range p.Entry {
		for j, ch := range e.Changes {
			if ch.Field != "messages" {
				continue
			}
			path := fmt.Sprintf("entry[%d].changes[%d].value", i, j)
			if err := d.add(&ch.Value, path, limits); err != nil {
				return nil, err
			}
		}
	}
	return d, nil
}

func (d *Delivery) add(v *cloudValue, path string, limits Limits) error {
	if len(v.Messages) == 0 && len(v.Statuses) == 0 {
		return nil
	}
	if len(d.Messages)+len(v.Messages) > limits.MaxMessages {
		return hailurah.FieldErrorf(path+".messages", "Terlalu banyak pesan dalam satu kiriman (maks. %d).", limits.MaxMessages)
	}
	if len(d.Statuses)+len(v.Statuses) > limits.MaxMessages {
		return hailurah.FieldErrorf(path+".statuses", "Terlalu banyak status dalam satu kiriman (maks. %d).", limits.MaxMessages)
	}
	if v.MessagingProduct != "whatsapp" {
		return hailurah.FieldErrorf(path+".messaging_product", "messaging_product harus \"whatsapp\", bukan %q.", quoteClip(v.MessagingProduct))
	}
	phoneNumberID := v.Metadata.PhoneNumberID
	if !isDigits(phoneNumberID, 1, 32) {
		return hailurah.FieldErrorf(path+".metadata.phone_number_id", "phone_number_id wajib berupa angka.")
	}
	for k := range v.Messages {
		in, err := parseMessage(&v.Messages[k], fmt.Sprintf("%s.messages[%d]", path, k), limits)
		if err != nil {
			return err
		}
		in.PhoneNumberID = phoneNumberID
		in.ProfileName = profileName(v.Contacts, in.From)
		d.Messages = append(d.Messages, in)
	}
	for k := range v.Statuses {
		st, ok, err := parseStatus(&v.Statuses[k], fmt.Sprintf("%s.statuses[%d]", path, k))
		if err != nil {
			return err
		}
		if ok {
			st.PhoneNumberID = phoneNumberID
			d.Statuses = append(d.Statuses, st)
		}
	}
	return nil
}

// profileName finds the sender's display name among the change's contacts.
// A lone contact is taken even when its wa_id differs from "from", which
// Meta does for some countries' number formats.
func profileName(contacts []cloudContact, from string) string {
	name := ""
	for _, c := range contacts {
		if c.WaID == from {
			name = c.Profile.Name
			break
		}
	}
	if name == "" && len(contacts) == 1 {
		name = contacts[0].Profile.Name
	}
	return truncateRunes(cleanLine(name), maxProfileRunes)
}

func parseMessage(m *cloudMessage, path string, limits Limits) (Inbound, error) {
	in := Inbound{ProviderID: m.ID, From: m.From}
	if !isToken(in.ProviderID, maxProviderIDLen) {
		return Inbound{}, hailurah.FieldErrorf(path+".id", "id pesan wajib diisi (teks tanpa spasi, maks. %d byte).", maxProviderIDLen)
	}
	// A wa_id is a full international number without "+": at most 15 digits
	// (E.164), and no real one is shorter than 7.
	if !isDigits(in.From, 7, 15) {
		return Inbound{}, hailurah.FieldErrorf(path+".from", "Pengirim (from) harus wa_id berupa 7–15 angka.")
	}
	at, err := parseUnix(m.Timestamp, path+".timestamp")
	if err != nil {
		return Inbound{}, err
	}
	in.At = at

	switch m.Type {
	case "text":
		in.Kind = KindText
		if m.Text != nil {
			in.Text = m.Text.Body
		}
	case "image", "video", "document", "audio", "sticker":
		if err := readMedia(&in, m, path); err != nil {
			return Inbound{}, err
		}
	case "location":
		if err := readLocation(&in, m, path); err != nil {
			return Inbound{}, err
		}
	case "interactive":
		if err := readInteractive(&in, m, path); err != nil {
			return Inbound{}, err
		}
	case "button":
		// The quick-reply button of a template message.
		if m.Button == nil || (m.Button.Payload == "" && m.Button.Text == "") {
			return Inbound{}, hailurah.FieldErrorf(path+".button", "Pesan tombol tanpa payload atau teks.")
		}
		in.Kind = KindButton
		in.ButtonID = cleanLine(m.Button.Payload)
		in.Text = m.Button.Text
	case "reaction":
		in.Kind = KindReaction
		if m.Reaction != nil {
			in.Text = m.Reaction.Emoji
		}
	default:
		in.Kind = KindUnsupported
	}

	in.Text = cleanText(in.Text)
	if err := limits.checkText(path+"."+m.Type, in.Text); err != nil {
		return Inbound{}, err
	}
	if len(in.ButtonID) > limits.MaxTextBytes {
		return Inbound{}, hailurah.FieldErrorf(path+".button", "id tombol terlalu panjang.")
	}
	return in, nil
}

func readMedia(in *Inbound, m *cloudMessage, path string) error {
	var media *cloudMedia
	switch m.Type {
	case "image":
		in.Kind, media = KindImage, m.Image
	case "video":
		in.Kind, media = KindVideo, m.Video
	case "document":
		in.Kind, media = KindDocument, m.Document
	case "audio":
		in.Kind, media = KindAudio, m.Audio
	case "sticker":
		in.Kind, media = KindSticker, m.Sticker
	}
	field := path + "." + m.Type
	// The media id goes into a Graph API URL path later, so only a plain
	// token is accepted.
	if media == nil || !isToken(media.ID, maxMediaIDLen) || strings.ContainsAny(media.ID, "/?#%") {
		return hailurah.FieldErrorf(field+".id", "id media (%s) wajib diisi dan berupa token sederhana.", m.Type)
	}
	mime := cleanLine(media.MimeType)
	if len(mime) > maxMimeLen {
		return hailurah.FieldErrorf(field+".mime_type", "mime_type terlalu panjang.")
	}
	in.MediaID, in.MediaMime, in.Text = media.ID, mime, media.Caption
	return nil
}

func readLocation(in *Inbound, m *cloudMessage, path string) error {
	loc := m.Location
	field := path + ".location"
	if loc == nil || loc.Latitude == nil || loc.Longitude == nil {
		return hailurah.FieldErrorf(field, "Lokasi tanpa latitude/longitude.")
	}
	lat, lng := *loc.Latitude, *loc.Longitude
	if lat < -90 || lat > 90 || lng < -180 || lng > 180 {
		return hailurah.FieldErrorf(field, "Koordinat di luar rentang: %v, %v.", lat, lng)
	}
	in.Kind, in.Lat, in.Lng = KindLocation, &lat, &lng
	var parts []string
	for _, p := range []string{loc.Name, loc.Address} {
		if p = strings.TrimSpace(p); p != "" {
			parts = append(parts, p)
		}
	}
	in.Text = strings.Join(parts, ", ")
	return nil
}

func readInteractive(in *Inbound, m *cloudMessage, path string) error {
	it := m.Interactive
	if it == nil {
		in.Kind = KindUnsupported
		return nil
	}
	var choice *cloudChoice
	switch it.Type {
	case "button_reply":
		choice = it.ButtonReply
	case "list_reply":
		choice = it.ListReply
	default:
		// Flow replies (nfm_reply) and later types carry no choice we use.
		in.Kind = KindUnsupported
		return nil
	}
	field := path + ".interactive." + it.Type
	if choice == nil || cleanLine(choice.ID) == "" {
		return hailurah.FieldErrorf(field+".id", "id pilihan tombol wajib diisi.")
	}
	in.Kind, in.ButtonID, in.Text = KindButton, cleanLine(choice.ID), choice.Title
	return nil
}

// parseStatus reads one delivery report; ok is false for a status value this
// package does not know, which is skipped rather than rejected.
func parseStatus(s *cloudStatus, path string) (st Status, ok bool, err error) {
	switch s.Status {
	case StatusSent, StatusDelivered, StatusRead, StatusFailed:
	default:
		return Status{}, false, nil
	}
	if !isToken(s.ID, maxProviderIDLen) {
		return Status{}, false, hailurah.FieldErrorf(path+".id", "id status wajib diisi (teks tanpa spasi, maks. %d byte).", maxProviderIDLen)
	}
	recipient := cleanLine(s.RecipientID)
	if recipient == "" || len(recipient) > maxRecipientIDLen {
		return Status{}, false, hailurah.FieldErrorf(path+".recipient_id", "recipient_id wajib diisi (maks. %d byte).", maxRecipientIDLen)
	}
	at, err := parseUnix(s.Timestamp, path+".timestamp")
	if err != nil {
		return Status{}, false, err
	}
	st = Status{ProviderID: s.ID, Status: s.Status, RecipientID: recipient, At: at}
	if len(s.Errors) > 0 {
		e := s.Errors[0]
		st.ErrorCode = e.Code
		title := e.Title
		if title == "" {
			title = e.Message
		}
		st.ErrorTitle = truncateRunes(cleanLine(title), 256)
	}
	return st, true, nil
}
