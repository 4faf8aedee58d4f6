package server_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/storetest"
)

// The admin changes staff accounts through PATCH /api/v1/users/{username}:
// the phone is normalised, every bad field is named, and the change is
// audited without the number.
func TestPatchUserAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		admin := f.client()
		admin.login("admin", testPassword)
		csrf := map[string]string{"X-CSRF-Token": admin.csrf}
		patch := func(c *client, username, body string) (*http.Response, map[string]any) {
			return c.do("PATCH", "/api/v1/users/"+username, body, map[string]string{"X-CSRF-Token": c.csrf})
		}

		resp, out := patch(admin, "moderator", `{"phone": "0812-3456-7890", "name": "Sri Moderator"}`)
		if resp.StatusCode != http.StatusOK || out["phone"] != "+6281234567890" || out["name"] != "Sri Moderator" || out["whatsapp_notices"] != true {
			t.Fatalf("patch phone: %d %v", resp.StatusCode, out)
		}
		if u, _ := db.FindUserByUsername(ctx, "moderator"); u.Phone != "+6281234567890" || u.Role != hailurah.RoleModerator || u.Kelurahan != "taman" {
			t.Errorf("stored: %+v", u)
		}
		for _, tc := range []struct {
			body, field string
			status      int
		}{
			{`{"phone": 6281234567890}`, "phone", http.StatusUnprocessableEntity},
			{`{"phone": "12345"}`, "phone", http.StatusUnprocessableEntity},
			{`{"phone": "+4915112345678"}`, "phone", http.StatusUnprocessableEntity},
			{`{"whatsapp_notices": "ya"}`, "whatsapp_notices", http.StatusUnprocessableEntity},
			{`{"role": "raja"}`, "role", http.StatusUnprocessableEntity},
			{`{"role": "dinas"}`, "unit", http.StatusUnprocessableEntity},
			{`{"name": ""}`, "name", http.StatusUnprocessableEntity},
			{`{}`, "", http.StatusUnprocessableEntity},
		} {
			if resp, out := patch(admin, "lurah", tc.body); resp.StatusCode != tc.status || errorField(out) != tc.field {
				t.Errorf("%s: %d field %q, want %d %q (%v)", tc.body, resp.StatusCode, errorField(out), tc.status, tc.field, out)
			}
		}
		// The moderator's number cannot be the lurah's too.
		if resp, out := patch(admin, "lurah", `{"phone": "+62 812 3456 7890"}`); resp.StatusCode != http.StatusConflict || errorField(out) != "phone" {
			t.Errorf("a taken phone: %d %v", resp.StatusCode, out)
		}
		if resp, _ := patch(admin, "nobody", `{"phone": "081299990000"}`); resp.StatusCode != http.StatusNotFound {
			t.Errorf("unknown user: %d", resp.StatusCode)
		}
		if resp, out := patch(admin, "admin", `{"role": "moderator", "kelurahan": "taman"}`); resp.StatusCode != http.StatusUnprocessableEntity || errorField(out) != "role" {
			t.Errorf("admin demotes self: %d %v", resp.StatusCode, out)
		}
		// A role change moves the user: a moderator becomes a PUPR officer.
		if resp, out := patch(admin, "fasilitator", `{"role": "dinas", "kelurahan": "", "unit": "pupr"}`); resp.StatusCode != http.StatusOK || out["unit"] != "pupr" {
			t.Errorf("role change: %d %v", resp.StatusCode, out)
		}

		// Disabling through PATCH ends the user's sessions.
		lurah := f.client()
		lurah.login("lurah", testPassword)
		if resp, out := patch(admin, "lurah", `{"disabled": true}`); resp.StatusCode != http.StatusOK || out["disabled"] != true {
			t.Errorf("disable: %d %v", resp.StatusCode, out)
		}
		if resp, _ := lurah.do("GET", "/api/v1/me", "", nil); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("a disabled user's session still works: %d", resp.StatusCode)
		}

		// Only the admin: a moderator may not patch anyone, not even self
		// through the API (the profile page is theirs).
		mod := f.client()
		mod.login("moderator", testPassword)
		if resp, _ := patch(mod, "moderator", `{"whatsapp_notices": false}`); resp.StatusCode != http.StatusForbidden {
			t.Errorf("moderator patches: %d", resp.StatusCode)
		}
		if resp, _ := mod.do("GET", "/api/v1/users", "", nil); resp.StatusCode != http.StatusForbidden {
			t.Errorf("moderator lists users: %d", resp.StatusCode)
		}
		resp, out = admin.do("GET", "/api/v1/users", "", csrf)
		items, _ := out["items"].([]any)
		if resp.StatusCode != http.StatusOK || len(items) != 5 {
			t.Errorf("list users: %d %d", resp.StatusCode, len(items))
		}

		entries, _ := db.ListAudit(ctx, 50, 0)
		updates := 0
		for _, e := range entries {
			if e.Action == "user.update" {
				updates++
				if strings.Contains(e.Detail, "3456") {
					t.Errorf("the audit log holds the phone number: %s", e.Detail)
				}
			}
		}
		// Accepted changes only: moderator, fasilitator, lurah disabled.
		if updates != 3 {
			t.Errorf("user.update entries: %d, want 3", updates)
		}
	})
}

// Every staff member keeps their own WhatsApp number and notice switch on
// /profil; the admin edits any account on /admin/pengguna/{id}, and the
// kelurahan's quiet hours on /admin/kelurahan.
func TestProfileAndAdminUserPages(t *testing.T) {
	f := newUIFixture(t, rulesText{})
	ctx := context.Background()
	dinas := f.as(t, "dinas-pupr")
	st, page := dinas.page("GET", "/profil", nil)
	if st != http.StatusOK || !strings.Contains(page, "Petugas PUPR") || !strings.Contains(page, `name="whatsapp_notices" value="1" checked`) {
		t.Fatalf("profile page: %d", st)
	}
	token := between(page, `name="csrf-token" content="`, `"`)
	form := url.Values{"csrf_token": {token}, "phone": {"0812-abc"}, "whatsapp_notices": {"1"}}
	if st, body := dinas.page("POST", "/profil", form); st != http.StatusUnprocessableEntity || !strings.Contains(body, `id="p-phone-err"`) {
		t.Errorf("bad phone: %d", st)
	}
	form.Set("phone", "0857 1111 2222")
	form.Del("whatsapp_notices")
	if st, _ := dinas.page("POST", "/profil", form); st != http.StatusSeeOther {
		t.Fatalf("save profile: %d", st)
	}
	u, _ := f.db.FindUserByUsername(ctx, "dinas-pupr")
	if u.Phone != "+6285711112222" || u.WhatsAppNotices || u.Role != hailurah.RoleDinas || u.Unit != "pupr" {
		t.Errorf("stored profile: %+v", u)
	}
	if _, page := dinas.page("GET", "/profil?ok=profil", nil); !strings.Contains(page, "Profil Anda disimpan") || !strings.Contains(html.UnescapeString(page), `value="+6285711112222"`) {
		t.Error("saved profile not shown")
	}
	// A form with more than the profile's fields changes nothing else.
	form.Set("role", "admin")
	form.Set("name", "Raja")
	if st, _ := dinas.page("POST", "/profil", form); st != http.StatusSeeOther {
		t.Errorf("save again: %d", st)
	}
	if u, _ := f.db.FindUserByUsername(ctx, "dinas-pupr"); u.Role != hailurah.RoleDinas || u.Name != "Petugas PUPR" {
		t.Errorf("the profile form changed more than the phone: %+v", u)
	}

	admin := f.as(t, "admin")
	_, page = admin.page("GET", "/admin", nil)
	if !strings.Contains(html.UnescapeString(page), "+6285711112222") || !strings.Contains(page, "(pemberitahuan mati)") {
		t.Error("the user list does not show the phone and the switch")
	}
	atoken := between(page, `name="csrf-token" content="`, `"`)
	mod, _ := f.db.FindUserByUsername(ctx, "moderator")
	if st, page := admin.page("GET", "/admin/pengguna/"+itoa(mod.ID), nil); st != http.StatusOK || !strings.Contains(page, "Moderator Taman") {
		t.Errorf("edit page: %d", st)
	}
	edit := url.Values{"csrf_token": {atoken}, "name": {"Moderator Taman"}, "role": {"moderator"}, "kelurahan": {"taman"},
		"phone": {"085711112222"}, "whatsapp_notices": {"1"}}
	if st, body := admin.page("POST", "/admin/pengguna/"+itoa(mod.ID), edit); st != http.StatusConflict || !strings.Contains(body, `id="u-phone-err"`) {
		t.Errorf("a phone another user has: %d", st)
	}
	edit.Set("phone", "081233334444")
	if st, _ := admin.page("POST", "/admin/pengguna/"+itoa(mod.ID), edit); st != http.StatusSeeOther {
		t.Fatalf("edit user: %d", st)
	}
	if u, _ := f.db.FindUserByUsername(ctx, "moderator"); u.Phone != "+6281233334444" || !u.WhatsAppNotices {
		t.Errorf("edited: %+v", u)
	}
	newUser := url.Values{"csrf_token": {atoken}, "username": {"lurah-demangan"}, "name": {"Lurah Demangan"}, "role": {"lurah"},
		"kelurahan": {"demangan"}, "phone": {"0812 5555 6666"}, "password": {"sandi-panjang-1"}, "password2": {"sandi-panjang-1"}}
	if st, _ := admin.page("POST", "/admin/pengguna", newUser); st != http.StatusSeeOther {
		t.Fatalf("create with phone: %d", st)
	}
	if u, _ := f.db.FindUserByUsername(ctx, "lurah-demangan"); u.Phone != "+6281255556666" || !u.WhatsAppNotices {
		t.Errorf("created: %+v", u)
	}

	kel := url.Values{"csrf_token": {atoken}, "code": {"taman"}, "edit": {"1"}, "name": {"Taman"}, "kota": {"Madiun"}, "quiet_hours": {"jam 9"}}
	if st, body := admin.page("POST", "/admin/kelurahan", kel); st != http.StatusUnprocessableEntity || !strings.Contains(body, `id="kel-quiet-err"`) {
		t.Errorf("bad quiet hours: %d", st)
	}
	kel.Set("quiet_hours", "22:00-05:30")
	if st, _ := admin.page("POST", "/admin/kelurahan", kel); st != http.StatusSeeOther {
		t.Fatalf("quiet hours: %d", st)
	}
	if q, _ := f.db.QuietHours(ctx, "taman"); q != (hailurah.QuietHours{Start: 22 * 60, End: 5*60 + 30}) {
		t.Errorf("stored quiet hours: %+v", q)
	}
	if _, page := admin.page("GET", "/admin/kelurahan?kode=taman", nil); !strings.Contains(page, `value="22:00-05:30"`) {
		t.Error("the form does not show the quiet hours")
	}

	entries, _ := f.db.ListAudit(ctx, 100, 0)
	got := map[string]int{}
	for _, e := range entries {
		got[e.Action]++
	}
	if got["user.profile"] != 2 || got["user.update"] != 1 || got["user.create"] != 1 {
		t.Errorf("audit: %v", got)
	}
}
