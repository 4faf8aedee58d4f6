package store_test

import (
	"slices"
	"testing"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/storetest"
)

func ptr[T any](v T) *T { return &v }

func TestUserPhone(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		seed(t, db)

		// Written as people write it, kept in E.164; notices start on.
		lurah := &hailurah.User{Username: "lurah", Name: "Ibu Lurah", Role: hailurah.RoleLurah, Kelurahan: "taman", Phone: "0812-3456-7890"}
		mustOK(t, db.CreateUser(ctx, lurah, testPassword))
		if lurah.Phone != "+6281234567890" || !lurah.WhatsAppNotices {
			t.Fatalf("created user phone %q notices %v, want +6281234567890 and on", lurah.Phone, lurah.WhatsAppNotices)
		}
		got, err := db.FindActiveUserByPhone(ctx, "+62 812 3456 7890")
		mustOK(t, err)
		if got.Username != "lurah" || !got.WhatsAppNotices {
			t.Fatalf("FindActiveUserByPhone = %+v", got)
		}
		_, err = db.FindActiveUserByPhone(ctx, "08111111111")
		wantCode(t, err, hailurah.ENOTFOUND, "")
		_, err = db.FindActiveUserByPhone(ctx, "halo")
		wantCode(t, err, hailurah.EINVALID, "phone")

		// A foreign number or a bad one is refused on its field.
		err = db.CreateUser(ctx, &hailurah.User{Username: "x", Name: "X", Role: hailurah.RoleAdmin, Phone: "+1 650 555 1234"}, testPassword)
		wantCode(t, err, hailurah.EINVALID, "phone")
		err = db.CreateUser(ctx, &hailurah.User{Username: "x", Name: "X", Role: hailurah.RoleAdmin, Phone: "0812-abc"}, testPassword)
		wantCode(t, err, hailurah.EINVALID, "phone")

		// One phone, one active user.
		err = db.CreateUser(ctx, &hailurah.User{Username: "mod", Name: "Mod", Role: hailurah.RoleModerator, Kelurahan: "taman", Phone: "6281234567890"}, testPassword)
		wantCode(t, err, hailurah.ECONFLICT, "phone")
		mod := mustUser(t, db, "mod", hailurah.RoleModerator, "taman", "")
		_, err = db.UpdateUser(ctx, "mod", hailurah.UserPatch{Phone: ptr("081234567890")})
		wantCode(t, err, hailurah.ECONFLICT, "phone")

		// A disabled user's phone is free; enabling them again is refused
		// while another active user has it.
		mustOK(t, db.SetDisabled(ctx, lurah.ID, true))
		if _, err := db.FindActiveUserByPhone(ctx, lurah.Phone); hailurah.ErrorCode(err) != hailurah.ENOTFOUND {
			t.Fatalf("a disabled user is found by phone: %v", err)
		}
		updated, err := db.UpdateUser(ctx, "mod", hailurah.UserPatch{Phone: ptr("081234567890")})
		mustOK(t, err)
		if updated.Phone != "+6281234567890" || updated.Username != "mod" || updated.ID != mod.ID {
			t.Fatalf("UpdateUser = %+v", updated)
		}
		wantCode(t, db.SetDisabled(ctx, lurah.ID, false), hailurah.ECONFLICT, "phone")

		// Each field of a patch is checked; nothing changes on a refusal.
		for _, tt := range []struct {
			name  string
			patch hailurah.UserPatch
			code  string
			field string
		}{
			{"bad phone", hailurah.UserPatch{Phone: ptr("12")}, hailurah.EINVALID, "phone"},
			{"empty name", hailurah.UserPatch{Name: ptr(" ")}, hailurah.EINVALID, "name"},
			{"unknown kelurahan", hailurah.UserPatch{Kelurahan: ptr("atlantis")}, hailurah.EINVALID, "kelurahan"},
			{"dinas with a kelurahan", hailurah.UserPatch{Role: ptr(hailurah.RoleDinas), Unit: ptr("pupr")}, hailurah.EINVALID, "kelurahan"},
			{"unknown role", hailurah.UserPatch{Role: ptr(hailurah.Role("raja"))}, hailurah.EINVALID, "role"},
		} {
			_, err := db.UpdateUser(ctx, "mod", tt.patch)
			if hailurah.ErrorCode(err) != tt.code || hailurah.ErrorField(err) != tt.field {
				t.Errorf("%s: error %v, want %s on %q", tt.name, err, tt.code, tt.field)
			}
		}
		_, err = db.UpdateUser(ctx, "nobody", hailurah.UserPatch{Phone: ptr("")})
		wantCode(t, err, hailurah.ENOTFOUND, "")

		// The switch, a cleared phone and a move to another role stick.
		updated, err = db.UpdateUser(ctx, "mod", hailurah.UserPatch{WhatsAppNotices: ptr(false), Name: ptr(" Sri ")})
		mustOK(t, err)
		again, err := db.FindUserByUsername(ctx, "mod")
		mustOK(t, err)
		if *again != *updated || again.WhatsAppNotices || again.Name != "Sri" || again.Phone != "+6281234567890" {
			t.Fatalf("after patch: %+v, returned %+v", again, updated)
		}
		updated, err = db.UpdateUser(ctx, "mod", hailurah.UserPatch{Role: ptr(hailurah.RoleDinas), Kelurahan: ptr(""), Unit: ptr("pupr"), Phone: ptr("")})
		mustOK(t, err)
		if updated.Role != hailurah.RoleDinas || updated.Unit != "pupr" || updated.Kelurahan != "" || updated.Phone != "" {
			t.Fatalf("moved user = %+v", updated)
		}
		mustOK(t, db.SetDisabled(ctx, lurah.ID, false)) // the phone is free again
	})
}

func TestNoticeRecipients(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		seed(t, db)
		create := func(username string, role hailurah.Role, kel, unit, phone string) *hailurah.User {
			u := &hailurah.User{Username: username, Name: username, Role: role, Kelurahan: kel, Unit: unit, Phone: phone}
			mustOK(t, db.CreateUser(ctx, u, testPassword))
			return u
		}
		create("pupr-a", hailurah.RoleDinas, "", "pupr", "081200000001")
		off := create("pupr-b", hailurah.RoleDinas, "", "pupr", "081200000002")
		create("pupr-c", hailurah.RoleDinas, "", "pupr", "") // no phone
		gone := create("pupr-d", hailurah.RoleDinas, "", "pupr", "081200000004")
		create("dlh-a", hailurah.RoleDinas, "", "dlh", "081200000005")
		create("lurah-taman", hailurah.RoleLurah, "taman", "", "081200000006")
		create("mod-taman", hailurah.RoleModerator, "taman", "", "081200000007")
		_, err := db.UpdateUser(ctx, off.Username, hailurah.UserPatch{WhatsAppNotices: ptr(false)})
		mustOK(t, err)
		mustOK(t, db.SetDisabled(ctx, gone.ID, true))

		names := func(a hailurah.Audience) []string {
			t.Helper()
			users, err := db.NoticeRecipients(ctx, a)
			mustOK(t, err)
			var out []string
			for _, u := range users {
				out = append(out, u.Username)
			}
			return out
		}
		for _, tt := range []struct {
			to   hailurah.Audience
			want []string
		}{
			{hailurah.Audience{Role: hailurah.RoleDinas, Unit: "pupr"}, []string{"pupr-a"}},
			{hailurah.Audience{Role: hailurah.RoleDinas, Unit: "dlh"}, []string{"dlh-a"}},
			{hailurah.Audience{Role: hailurah.RoleLurah, Kelurahan: "taman"}, []string{"lurah-taman"}},
			{hailurah.Audience{Role: hailurah.RoleModerator, Kelurahan: "taman"}, []string{"mod-taman"}},
			{hailurah.Audience{Role: hailurah.RoleLurah, Kelurahan: "nambangan"}, nil},
		} {
			if got := names(tt.to); !slices.Equal(got, tt.want) {
				t.Errorf("NoticeRecipients(%+v) = %v, want %v", tt.to, got, tt.want)
			}
		}
		_, err = db.NoticeRecipients(ctx, hailurah.Audience{Role: hailurah.RoleDinas})
		wantCode(t, err, hailurah.EINVALID, "to")
	})
}

func TestQuietHours(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		seed(t, db)
		q, err := db.QuietHours(ctx, "taman")
		mustOK(t, err)
		if q != hailurah.DefaultQuietHours {
			t.Fatalf("a kelurahan's quiet hours = %v, want the default %v", q, hailurah.DefaultQuietHours)
		}
		mustOK(t, db.SetQuietHours(ctx, "taman", hailurah.QuietHours{Start: 22 * 60, End: 5*60 + 30}))
		// Upserting the kelurahan (the admin's form, seed-demo) keeps them.
		mustOK(t, db.UpsertKelurahan(ctx, &hailurah.Kelurahan{Code: "taman", Name: "Taman", Kota: "Madiun"}))
		q, err = db.QuietHours(ctx, "taman")
		mustOK(t, err)
		if q.String() != "22:00–05:30" {
			t.Fatalf("quiet hours after set = %v", q)
		}
		wantCode(t, db.SetQuietHours(ctx, "taman", hailurah.QuietHours{Start: 1440}), hailurah.EINVALID, "quiet_hours")
		wantCode(t, db.SetQuietHours(ctx, "atlantis", hailurah.DefaultQuietHours), hailurah.ENOTFOUND, "")
		_, err = db.QuietHours(ctx, "atlantis")
		wantCode(t, err, hailurah.ENOTFOUND, "")
	})
}

func TestOutboxTemplateParams(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		m := &hailurah.OutboxMessage{IdempotencyKey: "notice/x/1", Channel: hailurah.ChannelWhatsApp, Recipient: "staff-sender",
			Kind: "staff_notice", Text: "[NOTIF] …", Template: "hailurah_notif_staf", TemplateParams: []string{"Eskalasi", "HL-2026-000001", "a \"b\""}}
		mustOK(t, db.Enqueue(ctx, m))
		list, err := db.ListOutboxByRecipient(ctx, "staff-sender", 0, 10)
		mustOK(t, err)
		if len(list) != 1 || !slices.Equal(list[0].TemplateParams, m.TemplateParams) || list[0].Template != m.Template {
			t.Fatalf("stored %+v, want the params %q", list, m.TemplateParams)
		}
		claimed, err := db.ClaimOutbox(ctx, []string{hailurah.ChannelWhatsApp}, 10)
		mustOK(t, err)
		if len(claimed) != 1 || !slices.Equal(claimed[0].TemplateParams, m.TemplateParams) {
			t.Fatalf("claimed %+v", claimed)
		}
	})
}
