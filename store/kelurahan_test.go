package store_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/storetest"
)

func TestUpsertKelurahan(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		c := useClock(db)
		taman := &hailurah.Kelurahan{Code: "taman", Name: "Taman", Kecamatan: "Taman", Kota: "Madiun",
			LurahName: "Ibu Lurah", WhatsAppPhoneNumberID: "106540352242922", GrantBudget: 150_000_000}
		mustOK(t, db.UpsertKelurahan(ctx, taman))
		got, err := db.FindKelurahan(ctx, "taman")
		mustOK(t, err)
		if *got != *taman {
			t.Fatalf("FindKelurahan = %+v, want %+v", got, taman)
		}

		// Upsert by code updates every field and keeps the creation time.
		c.Advance(time.Hour)
		update := *taman
		update.Name, update.LurahName, update.WhatsAppPhoneNumberID, update.GrantBudget = "Kelurahan Taman", "Bapak Lurah", "", 0
		mustOK(t, db.UpsertKelurahan(ctx, &update))
		got, err = db.FindKelurahan(ctx, "taman")
		mustOK(t, err)
		if *got != update {
			t.Fatalf("after update FindKelurahan = %+v, want %+v", got, update)
		}
		var times struct{ CreatedAt, UpdatedAt time.Time }
		mustOK(t, db.Gorm().Raw("SELECT created_at, updated_at FROM kelurahan WHERE code = ?", "taman").Scan(&times).Error)
		start := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
		if !times.CreatedAt.Equal(start) || !times.UpdatedAt.Equal(start.Add(time.Hour)) {
			t.Fatalf("created_at %v, updated_at %v; want %v and an hour later", times.CreatedAt, times.UpdatedAt, start)
		}

		all, err := db.ListKelurahan(ctx)
		mustOK(t, err)
		if len(all) != 1 {
			t.Fatalf("ListKelurahan returned %d, want 1 (upsert must not duplicate)", len(all))
		}
	})
}

func TestListKelurahanOrderedByName(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		for _, k := range []hailurah.Kelurahan{
			{Code: "taman", Name: "Taman"}, {Code: "demangan", Name: "Demangan"}, {Code: "nambangan", Name: "Nambangan Lor"},
		} {
			mustOK(t, db.UpsertKelurahan(ctx, &k))
		}
		all, err := db.ListKelurahan(ctx)
		mustOK(t, err)
		var codes []string
		for _, k := range all {
			codes = append(codes, k.Code)
		}
		if got := strings.Join(codes, ","); got != "demangan,nambangan,taman" {
			t.Fatalf("ListKelurahan order = %s", got)
		}
	})
}

func TestFindKelurahanNotFound(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		_, err := db.FindKelurahan(t.Context(), "atlantis")
		wantCode(t, err, hailurah.ENOTFOUND, "")
	})
}

func TestKelurahanWhatsAppNumberUnique(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		// Kelurahan sharing the city's number leave the id empty: no conflict.
		mustOK(t, db.UpsertKelurahan(ctx, &hailurah.Kelurahan{Code: "taman", Name: "Taman"}))
		mustOK(t, db.UpsertKelurahan(ctx, &hailurah.Kelurahan{Code: "demangan", Name: "Demangan"}))

		mustOK(t, db.UpsertKelurahan(ctx, &hailurah.Kelurahan{Code: "taman", Name: "Taman", WhatsAppPhoneNumberID: "111"}))
		// Upserting the owner again with its own number is fine.
		mustOK(t, db.UpsertKelurahan(ctx, &hailurah.Kelurahan{Code: "taman", Name: "Taman", WhatsAppPhoneNumberID: "111"}))
		err := db.UpsertKelurahan(ctx, &hailurah.Kelurahan{Code: "demangan", Name: "Demangan", WhatsAppPhoneNumberID: "111"})
		wantCode(t, err, hailurah.ECONFLICT, "whatsapp_phone_number_id")
		err = db.UpsertKelurahan(ctx, &hailurah.Kelurahan{Code: "nambangan", Name: "Nambangan", WhatsAppPhoneNumberID: "111"})
		wantCode(t, err, hailurah.ECONFLICT, "whatsapp_phone_number_id")

		got, err := db.FindKelurahan(ctx, "demangan")
		mustOK(t, err)
		if got.WhatsAppPhoneNumberID != "" {
			t.Fatalf("rejected upsert changed demangan: %+v", got)
		}
		if _, err := db.FindKelurahan(ctx, "nambangan"); hailurah.ErrorCode(err) != hailurah.ENOTFOUND {
			t.Fatalf("rejected upsert created nambangan (err %v)", err)
		}
	})
}

func TestUpsertKelurahanInvalid(t *testing.T) {
	t.Parallel()
	valid := hailurah.Kelurahan{Code: "taman", Name: "Taman"}
	tests := []struct {
		name  string
		edit  func(k *hailurah.Kelurahan)
		field string
	}{
		{"empty code", func(k *hailurah.Kelurahan) { k.Code = "" }, "code"},
		{"uppercase code", func(k *hailurah.Kelurahan) { k.Code = "Taman" }, "code"},
		{"code with space", func(k *hailurah.Kelurahan) { k.Code = "taman lor" }, "code"},
		{"code starting with hyphen", func(k *hailurah.Kelurahan) { k.Code = "-taman" }, "code"},
		{"code with double hyphen", func(k *hailurah.Kelurahan) { k.Code = "taman--lor" }, "code"},
		{"code too long", func(k *hailurah.Kelurahan) { k.Code = strings.Repeat("a", 33) }, "code"},
		{"blank name", func(k *hailurah.Kelurahan) { k.Name = "   " }, "name"},
		{"name too long", func(k *hailurah.Kelurahan) { k.Name = strings.Repeat("é", 201) }, "name"},
		{"NUL in name", func(k *hailurah.Kelurahan) { k.Name = "Ta\x00man" }, "name"},
		{"invalid UTF-8 in kota", func(k *hailurah.Kelurahan) { k.Kota = "Madiun\xff" }, "kota"},
		{"kecamatan too long", func(k *hailurah.Kelurahan) { k.Kecamatan = strings.Repeat("k", 201) }, "kecamatan"},
		{"lurah name too long", func(k *hailurah.Kelurahan) { k.LurahName = strings.Repeat("l", 201) }, "lurah_name"},
		{"non-digit whatsapp id", func(k *hailurah.Kelurahan) { k.WhatsAppPhoneNumberID = "+62 812" }, "whatsapp_phone_number_id"},
		{"negative budget", func(k *hailurah.Kelurahan) { k.GrantBudget = -1 }, "grant_budget"},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		for _, tt := range tests {
			k := valid
			tt.edit(&k)
			wantCode(t, db.UpsertKelurahan(t.Context(), &k), hailurah.EINVALID, tt.field)
		}
		wantCode(t, db.UpsertKelurahan(t.Context(), nil), hailurah.EINVALID, "")
		all, err := db.ListKelurahan(t.Context())
		mustOK(t, err)
		if len(all) != 0 {
			t.Fatalf("invalid upserts stored %d kelurahan", len(all))
		}
		// The valid base is accepted, so the cases above fail for their edit.
		mustOK(t, db.UpsertKelurahan(t.Context(), &valid))
	})
}

func TestUnits(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		mustOK(t, db.UpsertUnit(ctx, &hailurah.Unit{Code: "pupr", Name: "PUPR"}))
		mustOK(t, db.UpsertUnit(ctx, &hailurah.Unit{Code: "dlh", Name: "Dinas Lingkungan Hidup"}))
		mustOK(t, db.UpsertUnit(ctx, &hailurah.Unit{Code: "pupr", Name: "Dinas Pekerjaan Umum dan Penataan Ruang"}))

		u, err := db.FindUnit(ctx, "pupr")
		mustOK(t, err)
		if u.Name != "Dinas Pekerjaan Umum dan Penataan Ruang" {
			t.Fatalf("upsert did not rename the unit: %+v", u)
		}
		all, err := db.ListUnits(ctx)
		mustOK(t, err)
		if len(all) != 2 || all[0].Code != "dlh" || all[1].Code != "pupr" {
			t.Fatalf("ListUnits = %+v, want dlh and pupr in that order", all)
		}

		_, err = db.FindUnit(ctx, "nasa")
		wantCode(t, err, hailurah.ENOTFOUND, "")
		wantCode(t, db.UpsertUnit(ctx, &hailurah.Unit{Code: "Dinas PU", Name: "x"}), hailurah.EINVALID, "code")
		wantCode(t, db.UpsertUnit(ctx, &hailurah.Unit{Code: "satpol-pp", Name: ""}), hailurah.EINVALID, "name")
		wantCode(t, db.UpsertUnit(ctx, nil), hailurah.EINVALID, "")
	})
}
