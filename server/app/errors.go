package app

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
)

// statusOf maps error codes to HTTP statuses: the one table for the whole API.
var statusOf = map[string]int{
	hailurah.EBADREQUEST:     http.StatusBadRequest,
	hailurah.EUNAUTHORIZED:   http.StatusUnauthorized,
	hailurah.EFORBIDDEN:      http.StatusForbidden,
	hailurah.ENOTFOUND:       http.StatusNotFound,
	hailurah.ECONFLICT:       http.StatusConflict,
	hailurah.ETOOLARGE:       http.StatusRequestEntityTooLarge,
	hailurah.EUNSUPPORTED:    http.StatusUnsupportedMediaType,
	hailurah.EINVALID:        http.StatusUnprocessableEntity,
	hailurah.ETOOMANY:        http.StatusTooManyRequests,
	hailurah.EINTERNAL:       http.StatusInternalServerError,
	hailurah.ENOTIMPLEMENTED: http.StatusNotImplemented,
	hailurah.EUNAVAILABLE:    http.StatusServiceUnavailable,
	hailurah.EPENDING:        http.StatusAccepted,
}

// ErrorStatus returns the HTTP status for an error.
func ErrorStatus(err error) int {
	if st, ok := statusOf[hailurah.ErrorCode(err)]; ok {
		return st
	}
	return http.StatusInternalServerError
}

type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// Fail records err for renderErrors and stops the handler chain.
func Fail(c *gin.Context, err error) {
	_ = c.Error(err)
	c.Abort()
}

// BindJSON decodes a JSON body into v, turning every decoding problem into a
// clear EINVALID or ETOOLARGE error.
func BindJSON(c *gin.Context, v any) error {
	var raw json.RawMessage
	dec := json.NewDecoder(c.Request.Body)
	err := dec.Decode(&raw)
	if err == nil && dec.More() {
		err = errors.New("trailing data after the JSON value")
	}
	if err == nil {
		err = json.Unmarshal(raw, v)
	}
	if err == nil {
		// encoding/json matches keys regardless of case, so "Action" would
		// override "action"; only the exact names are accepted.
		var tree any
		_ = json.Unmarshal(raw, &tree)
		return exactKeys(reflect.TypeOf(v), tree, "")
	}
	var maxErr *http.MaxBytesError
	var typeErr *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &maxErr):
		return hailurah.Errorf(hailurah.ETOOLARGE, "Permintaan terlalu besar (maks. %d byte).", maxErr.Limit)
	case errors.Is(err, io.EOF):
		return hailurah.Errorf(hailurah.EINVALID, "Isi permintaan kosong; kirim JSON.")
	case errors.As(err, &typeErr):
		return jsonTypeError(reflect.TypeOf(v), typeErr)
	}
	return hailurah.Errorf(hailurah.EINVALID, "Isi permintaan bukan JSON yang valid.")
}

// exactKeys walks the decoded JSON value along t and refuses an object key
// that names a field of t only when case is ignored. Keys that name no field
// at all are ignored, as encoding/json ignores them.
func exactKeys(t reflect.Type, v any, path string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(reflect.TypeFor[json.Unmarshaler]()) {
		return nil
	}
	switch v := v.(type) {
	case []any:
		if t.Kind() != reflect.Slice && t.Kind() != reflect.Array {
			return nil
		}
		for _, e := range v {
			if err := exactKeys(t.Elem(), e, path); err != nil {
				return err
			}
		}
	case map[string]any:
		switch t.Kind() {
		case reflect.Map:
			for _, e := range v {
				if err := exactKeys(t.Elem(), e, path); err != nil {
					return err
				}
			}
		case reflect.Struct:
			fields := jsonFields(t)
			for key, e := range v {
				ft, ok := fields[key]
				if !ok {
					for name := range fields {
						if strings.EqualFold(name, key) {
							return hailurah.FieldErrorf(path+key, "Kolom %q tidak dikenal; nama kolom peka huruf besar-kecil, maksudnya %q?", path+key, path+name)
						}
					}
					continue
				}
				if err := exactKeys(ft, e, path+key+"."); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// jsonFields maps the JSON names of t's fields, those of embedded structs
// included, to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		if f.Anonymous && tag == "" {
			et := f.Type
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				for name, ft := range jsonFields(et) {
					if _, ok := out[name]; !ok {
						out[name] = ft
					}
				}
				continue
			}
		}
		if tag == "" {
			tag = f.Name
		}
		out[tag] = f.Type
	}
	return out
}

// jsonTypeError reports valid JSON with a value of the wrong type: it names
// the field and the shape the field must have. The shape is that of the
// field's declared type, found by following the error's path through t, so
// a list with a wrong element ("attendance": [1]) is still described as a
// list; when the path cannot be followed, the type the decoder wanted is
// described.
func jsonTypeError(t reflect.Type, e *json.UnmarshalTypeError) error {
	if e.Field == "" {
		return hailurah.Errorf(hailurah.EINVALID, "Isi permintaan harus berupa %s.", jsonShape(e.Type))
	}
	field, want := e.Field, e.Type
	if f, ft, ok := jsonField(t, strings.Split(e.Field, ".")); ok {
		field, want = f, ft
	}
	return hailurah.FieldErrorf(field, "Kolom %s harus berupa %s.", field, jsonShape(want))
}

// jsonField follows a path of JSON names through the structs, pointers,
// lists and maps of t and returns the path as a client writes it (without the
// Go names of embedded structs, which encoding/json puts in it) and the
// type declared at its end.
func jsonField(t reflect.Type, path []string) (string, reflect.Type, bool) {
	var names []string
	for _, name := range path {
		st := jsonElem(t)
		if st.Kind() != reflect.Struct {
			return "", nil, false
		}
		found := false
		for i := range st.NumField() {
			f := st.Field(i)
			tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if tag == "" {
				tag = f.Name
			}
			if tag != name {
				continue
			}
			if !f.Anonymous || f.Tag.Get("json") != "" {
				names = append(names, name)
			}
			t, found = f.Type, true
			break
		}
		if !found {
			return "", nil, false
		}
	}
	return strings.Join(names, "."), t, len(names) > 0
}

// jsonElem strips pointers, lists and maps down to the type of their values.
func jsonElem(t reflect.Type) reflect.Type {
	for {
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
			t = t.Elem()
		default:
			return t
		}
	}
}

// jsonShape says in words what JSON a value of type t must be.
func jsonShape(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return "teks base64"
		}
		return "daftar " + jsonShape(t.Elem())
	case reflect.Struct, reflect.Map:
		return "objek"
	case reflect.String:
		return "teks"
	case reflect.Bool:
		return "true atau false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "bilangan bulat"
	case reflect.Float32, reflect.Float64:
		return "angka"
	}
	return "nilai JSON yang lain"
}
