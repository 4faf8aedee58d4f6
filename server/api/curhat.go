package api

import (
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/intake"
	"github.com/hailurah/hailurah/media"
	"github.com/hailurah/hailurah/server/app"
	"github.com/hailurah/hailurah/whatsapp"
)

type curhatRequest struct {
	Text      string `json:"text"`
	Channel   string `json:"channel"`
	Kelurahan string `json:"kelurahan"`
	Phone     string `json:"phone"`
	RT        string `json:"rt"`
	RW        string `json:"rw"`
	Anonim    *bool  `json:"anonim"`
	Tembusan  *bool  `json:"tembusan"`
	// Lat and Lng are the opt-in "bagikan lokasi" of the web chat: both
	// or neither.
	Lat *float64 `json:"lat"`
	Lng *float64 `json:"lng"`
}

type curhatResponse struct {
	TicketID     string `json:"ticket_id"`
	TrackingCode string `json:"tracking_code"`
	Ack          string `json:"ack"`
	// PhoneCodeSent: the phone typed into the form was sent a code that
	// makes it the ticket's WhatsApp contact (POST /api/v1/track/{code}/phone).
	PhoneCodeSent bool `json:"phone_code_sent"`
}

// apiCurhat: POST /api/v1/curhat, the web chat and kiosk intake.
func (s *API) apiCurhat(c *gin.Context) {
	var req curhatRequest
	var photos []*media.Checked
	var err error
	if c.ContentType() == "multipart/form-data" {
		photos, err = s.bindCurhatForm(c, &req)
	} else {
		err = app.BindJSON(c, &req)
	}
	if err != nil {
		app.Fail(c, err)
		return
	}
	if err := req.validate(); err != nil {
		app.Fail(c, err)
		return
	}
	if req.Phone != "" {
		if _, err := whatsapp.NormalizePhone(req.Phone); err != nil {
			app.Fail(c, hailurah.FieldErrorf("phone", "Nomor telepon tidak valid: tulis seperti 0812xxxxxxx atau +62812xxxxxxx."))
			return
		}
	}
	// A number typed into a form is not verified: the sender is not that
	// phone's, so nothing of the ticket goes to it and nothing from it
	// joins the ticket until the code sent to it is typed on the tracking
	// page; the citizen follows with the tracking code meanwhile. The key
	// makes a client's retry return the first ticket.
	key, err := app.IdempotencyKey(c)
	if err != nil {
		app.Fail(c, err)
		return
	}
	started, err := s.Intake.Start(c.Request.Context(), intake.Message{
		Channel: req.Channel, Phone: req.Phone, Text: req.Text, IdempotencyKey: key,
		Kelurahan: req.Kelurahan, RT: req.RT, RW: req.RW, Anonim: req.Anonim, Tembusan: req.Tembusan,
		Lat: req.Lat, Lng: req.Lng,
	})
	if err != nil {
		app.Fail(c, err)
		return
	}
	// The photos were checked before the ticket started; a failure to
	// store them now is the bucket's, and the client's retry with the
	// same key returns this ticket and stores them again.
	if err := s.KeepPhotos(c.Request.Context(), started.TicketID, photos); err != nil {
		app.Fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, curhatResponse{TicketID: started.TicketID, TrackingCode: started.TrackingCode, Ack: started.Ack,
		PhoneCodeSent: started.PhoneCodeSent})
}

// bindCurhatForm reads the multipart form of a curhat with photos: the
// JSON body's fields as form values, and up to MaxCurhatPhotos files in
// "photo", checked by content.
func (s *API) bindCurhatForm(c *gin.Context, req *curhatRequest) ([]*media.Checked, error) {
	form, err := c.MultipartForm()
	if err != nil {
		return nil, app.PhotoFormError(err)
	}
	value := func(k string) string {
		if v := form.Value[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	req.Text, req.Channel, req.Kelurahan, req.Phone = value("text"), value("channel"), value("kelurahan"), value("phone")
	req.RT, req.RW = value("rt"), value("rw")
	for field, dst := range map[string]**bool{"anonim": &req.Anonim, "tembusan": &req.Tembusan} {
		switch value(field) {
		case "":
		case "true", "on", "1":
			*dst = new(bool)
			**dst = true
		case "false", "0":
			*dst = new(bool)
		default:
			return nil, hailurah.FieldErrorf(field, "%s harus \"true\" atau \"false\".", field)
		}
	}
	for field, dst := range map[string]**float64{"lat": &req.Lat, "lng": &req.Lng} {
		if v := strings.TrimSpace(value(field)); v != "" {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return nil, hailurah.FieldErrorf(field, "Lokasi (%s) harus berupa angka, misalnya -7.6298.", field)
			}
			*dst = &f
		}
	}
	return s.CheckPhotos(form)
}

func (r *curhatRequest) validate() error {
	r.Text = strings.TrimSpace(r.Text)
	switch {
	case r.Text == "":
		return hailurah.FieldErrorf("text", "Isi curhat wajib diisi.")
	case !utf8.ValidString(r.Text):
		return hailurah.FieldErrorf("text", "Isi curhat berisi karakter yang tidak valid.")
	case utf8.RuneCountInString(r.Text) > app.MaxCurhatText:
		return hailurah.FieldErrorf("text", "Isi curhat terlalu panjang (maks. %d karakter).", app.MaxCurhatText)
	}
	switch r.Channel {
	case "":
		r.Channel = hailurah.ChannelWeb
	case hailurah.ChannelWeb, hailurah.ChannelKiosk:
	default:
		return hailurah.FieldErrorf("channel", "Kanal harus \"web\" atau \"kiosk\".")
	}
	switch {
	case (r.Lat == nil) != (r.Lng == nil):
		field := "lat"
		if r.Lng == nil {
			field = "lng"
		}
		return hailurah.FieldErrorf(field, "Lokasi harus berisi lat dan lng sekaligus.")
	case r.Lat != nil && !hailurah.ValidCoordinates(*r.Lat, *r.Lng):
		return hailurah.FieldErrorf("lat", "Lokasi tidak valid: lat antara -90 dan 90, lng antara -180 dan 180.")
	}
	for field, v := range map[string]*string{"rt": &r.RT, "rw": &r.RW} {
		*v = strings.TrimSpace(*v)
		if *v != "" && !hailurah.ValidRTRW(*v) {
			return hailurah.FieldErrorf(field, "%s harus berupa angka, misalnya 03.", strings.ToUpper(field))
		}
	}
	return nil
}
