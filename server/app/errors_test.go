package app

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/hailurah/hailurah"
)

// TestJSONTypeErrorEmbedded: encoding/json puts the Go name of an embedded
// struct in the error's path; the field named to the client is the JSON
// one, and its shape is read through pointers and maps.
func TestJSONTypeErrorEmbedded(t *testing.T) {
	type Place struct {
		RT int `json:"rt"`
	}
	type body struct {
		Place
		Stops map[string]*Place `json:"stops"`
	}
	for _, tc := range []struct{ in, field, message string }{
		{`{"rt":"tiga"}`, "rt", "Kolom rt harus berupa bilangan bulat."},
		{`{"stops":{"a":{"rt":true}}}`, "stops.rt", "Kolom stops.rt harus berupa bilangan bulat."},
		{`{"stops":["a"]}`, "stops", "Kolom stops harus berupa objek."},
	} {
		var v body
		err := json.Unmarshal([]byte(tc.in), &v)
		var te *json.UnmarshalTypeError
		if !errors.As(err, &te) {
			t.Fatalf("%s: %v is not a type error", tc.in, err)
		}
		got := jsonTypeError(reflect.TypeOf(&v), te)
		if hailurah.ErrorField(got) != tc.field || hailurah.ErrorMessage(got) != tc.message {
			t.Errorf("%s: field %q, message %q; want %q, %q", tc.in, hailurah.ErrorField(got), hailurah.ErrorMessage(got), tc.field, tc.message)
		}
	}
}
