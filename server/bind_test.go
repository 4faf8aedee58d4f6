package server_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/hailurah/hailurah/store/storetest"
)

// TestJSONTypeErrors: a body that is valid JSON with a value of the wrong
// type is refused as invalid input that names the field and its shape, not
// as "bukan JSON yang valid", so a client can tell which field to fix.
func TestJSONTypeErrors(t *testing.T) {
	db := storetest.Open(t)
	f := newProgrammeFixture(t, db)
	// A bearer token, not a session cookie: the request is what this test
	// is about, and it needs neither a login nor a CSRF token.
	u, err := db.FindUserByUsername(t.Context(), "fasilitator")
	if err != nil {
		t.Fatal(err)
	}
	_, secret, err := db.CreateAPIToken(t.Context(), u.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	c, bearer := f.client(), map[string]string{"Authorization": "Bearer " + secret}
	resp, tr := c.do("POST", "/api/v1/trainings", `{"title":"Digital marketing","held_on":"02/12/2026"}`, bearer)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("training: %d %v", resp.StatusCode, tr)
	}
	attendance := fmt.Sprintf("/api/v1/trainings/%v/attendance", tr["id"])

	for _, tc := range []struct {
		name, path, body string
		field, message   string
	}{
		{"a string for a list of objects", attendance, `{"attendance":"semua hadir"}`,
			"attendance", "Kolom attendance harus berupa daftar objek."},
		{"a number in a list of objects", attendance, `{"attendance":[7]}`,
			"attendance", "Kolom attendance harus berupa daftar objek."},
		{"a string for a number in a list", attendance, `{"attendance":[{"member_id":"7"}]}`,
			"attendance.member_id", "Kolom attendance.member_id harus berupa bilangan bulat."},
		{"a number for a string", "/api/v1/trainings", `{"title":2026,"held_on":"02/12/2026"}`,
			"title", "Kolom title harus berupa teks."},
		{"a list for the whole body", "/api/v1/trainings", `[]`,
			"", "Isi permintaan harus berupa objek."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, out := c.do("POST", tc.path, tc.body, bearer)
			e, _ := out["error"].(map[string]any)
			if resp.StatusCode != http.StatusUnprocessableEntity || errorCode(out) != "invalid" ||
				errorField(out) != tc.field || e["message"] != tc.message {
				t.Fatalf("%s: %d %v, want 422 invalid, field %q, message %q", tc.body, resp.StatusCode, out, tc.field, tc.message)
			}
		})
	}

	// Malformed JSON is still refused as such, with no field to point at.
	resp, out := c.do("POST", attendance, `{"attendance":[`, bearer)
	if e, _ := out["error"].(map[string]any); resp.StatusCode != http.StatusUnprocessableEntity ||
		errorField(out) != "" || e["message"] != "Isi permintaan bukan JSON yang valid." {
		t.Fatalf("malformed JSON: %d %v", resp.StatusCode, out)
	}
}
