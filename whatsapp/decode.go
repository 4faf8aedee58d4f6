package whatsapp

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/hailurah/hailurah"
)

// decodeJSON unmarshals body into v and turns the decoder's errors into
// EINVALID errors that name the field or the offset.
func decodeJSON(body []byte, v any) error {
	err := json.Unmarshal(body, v)
	if err == nil {
		return nil
	}
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return hailurah.Errorf(hailurah.EINVALID, "JSON tidak valid pada byte %d.", syntax.Offset)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "(root)"
		}
		return hailurah.FieldErrorf(field, "Tipe data salah untuk %s: %s tidak bisa dibaca sebagai %s.", field, typ.Value, typ.Type)
	default:
		return hailurah.Errorf(hailurah.EINVALID, "JSON tidak valid.")
	}
}

// Unix timestamps outside these bounds are mistakes (milliseconds sent as
// seconds, zero, negative) rather than real message times.
var (
	minUnix = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	maxUnix = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
)

// parseUnix reads a Unix time in seconds given as a JSON string ("1749416383",
// Meta's form) or a JSON number.
func parseUnix(raw json.RawMessage, field string) (time.Time, error) {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return time.Time{}, hailurah.FieldErrorf(field, "Waktu (%s) wajib diisi.", field)
	}
	if strings.HasPrefix(s, `"`) {
		var str string
		if err := json.Unmarshal(raw, &str); err != nil {
			return time.Time{}, hailurah.FieldErrorf(field, "Waktu (%s) tidak valid.", field)
		}
		s = strings.TrimSpace(str)
	}
	sec, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, hailurah.FieldErrorf(field, "Waktu (%s) harus detik Unix, bukan %q.", field, quoteClip(s))
	}
	if sec < minUnix || sec > maxUnix {
		return time.Time{}, hailurah.FieldErrorf(field, "Waktu (%s) di luar rentang wajar: %d (detik Unix, bukan milidetik).", field, sec)
	}
	return time.Unix(sec, 0).UTC(), nil
}
