package main

import (
	"context"
	"path/filepath"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/triage"
)

// demoKelurahan are the seed's three kelurahan of Kota Madiun.
var demoKelurahan = []hailurah.Kelurahan{
	{Code: "taman", Name: "Taman", Kecamatan: "Taman", Kota: "Madiun", LurahName: "Irfa Darojat", GrantBudget: 150_000_000},
	{Code: "nambangan", Name: "Nambangan", Kecamatan: "Manguharjo", Kota: "Madiun", LurahName: "Lurah Nambangan", GrantBudget: 150_000_000},
	{Code: "demangan", Name: "Demangan", Kecamatan: "Taman", Kota: "Madiun", LurahName: "Lurah Demangan", GrantBudget: 150_000_000},
}

// demoUsers are the logins `hailurah dev` prints. Taman's staff and the
// officers have WhatsApp numbers of the 0811-3000 range, so their notices
// can be read and answered on the simulated phone (/dev/phone).
var demoUsers = []hailurah.User{
	{Username: "admin", Name: "Admin Baperida", Role: hailurah.RoleAdmin},
	{Username: "moderator", Name: "Moderator Taman", Role: hailurah.RoleModerator, Kelurahan: "taman", Phone: "+6281130000002"},
	{Username: "lurah", Name: "Irfa Darojat", Role: hailurah.RoleLurah, Kelurahan: "taman", Phone: "+6281130000001"},
	{Username: "fasilitator", Name: "Fasilitator Taman", Role: hailurah.RoleFasilitator, Kelurahan: "taman"},
	{Username: "moderator-demangan", Name: "Moderator Demangan", Role: hailurah.RoleModerator, Kelurahan: "demangan"},
	{Username: "lurah-demangan", Name: "Lurah Demangan", Role: hailurah.RoleLurah, Kelurahan: "demangan"},
	{Username: "dinas-pupr", Name: "Petugas PUPR", Role: hailurah.RoleDinas, Unit: "pupr", Phone: "+6281130000003"},
	{Username: "dinas-dlh", Name: "Petugas DLH", Role: hailurah.RoleDinas, Unit: "dlh", Phone: "+6281130000004"},
	{Username: "dinas-dinsos", Name: "Petugas Dinsos", Role: hailurah.RoleDinas, Unit: "dinsos", Phone: "+6281130000005"},
	{Username: "dinas-dinkes", Name: "Petugas Dinkes", Role: hailurah.RoleDinas, Unit: "dinkes", Phone: "+6281130000006"},
}

// seedDemo creates the demo kelurahan, the city's dinas units from
// rules.yaml and the demo users. It runs at every dev start and is
// idempotent; demo users get the printed password each time, so the banner
// is always true.
func seedDemo(ctx context.Context, db *store.DB, rules *triage.Rules, password string) error {
	for _, k := range demoKelurahan {
		existing, err := db.FindKelurahan(ctx, k.Code)
		if err == nil {
			// Keep what an admin changed since (budget, WhatsApp number).
			k = *existing
		} else if hailurah.ErrorCode(err) != hailurah.ENOTFOUND {
			return err
		}
		if err := db.UpsertKelurahan(ctx, &k); err != nil {
			return err
		}
		if err := seedBudget(ctx, db, k.Code); err != nil {
			return err
		}
	}
	for _, u := range rules.Units() {
		if err := db.UpsertUnit(ctx, &u); err != nil {
			return err
		}
	}
	for _, u := range demoUsers {
		existing, err := db.FindUserByUsername(ctx, u.Username)
		switch {
		case err == nil:
			if err := db.SetPassword(ctx, existing.ID, password); err != nil {
				return err
			}
			if existing.Phone == "" && u.Phone != "" {
				// A data dir from before staff phones gets the demo's.
				if _, err := db.UpdateUser(ctx, u.Username, hailurah.UserPatch{Phone: &u.Phone}); err != nil && hailurah.ErrorCode(err) != hailurah.ECONFLICT {
					return err
				}
			}
		case hailurah.ErrorCode(err) == hailurah.ENOTFOUND:
			if err := db.CreateUser(ctx, &u, password); err != nil {
				return err
			}
		default:
			return err
		}
	}
	return nil
}

// demoPassword is HAILURAH_DEMO_PASSWORD, or a random one kept in the data
// dir so a restart prints the same logins.
func (m *Main) demoPassword() (string, error) {
	if m.Config.DemoPassword != "" {
		return m.Config.DemoPassword, nil
	}
	return readOrCreate(filepath.Join(m.Config.DataDir, "demo-password"), func() string { return randomHex(8) })
}
