package hailurah_test

import (
	"strings"
	"testing"

	"github.com/hailurah/hailurah"
)

func validHousehold() hailurah.Household {
	return hailurah.Household{ID: "TMN-RT03/001", Kelurahan: "taman", NamaKepalaKeluarga: "Siti Aminah",
		AlamatRTRW: "RT03/RW02", RT: "03", RW: "02", Pelatihan: []string{"Wirausaha dasar"},
		Vulnerability: []string{hailurah.VulnerableIbuRumahTangga}}
}

func TestHouseholdValidate(t *testing.T) {
	h := validHousehold()
	if err := h.Validate(); err != nil {
		t.Fatalf("valid household: %v", err)
	}
	for field, change := range map[string]func(*hailurah.Household){
		"household_id":            func(h *hailurah.Household) { h.ID = "TMN 001" },
		"kelurahan":               func(h *hailurah.Household) { h.Kelurahan = "" },
		"nama_kepala_keluarga":    func(h *hailurah.Household) { h.NamaKepalaKeluarga = "Siti\x00" },
		"alamat_rt_rw":            func(h *hailurah.Household) { h.RT = "1000" },
		"omzet_monthly":           func(h *hailurah.Household) { h.OmzetMonthly = -1 },
		"modal_received":          func(h *hailurah.Household) { h.ModalReceived = hailurah.MaxRupiah + 1 },
		"baseline_income":         func(h *hailurah.Household) { h.BaselineIncome = -5 },
		"pelatihan_participation": func(h *hailurah.Household) { h.Pelatihan = []string{""} },
		"kelompok_rentan":         func(h *hailurah.Household) { h.Vulnerability = []string{"pensiunan"} },
		"potensi_usaha":           func(h *hailurah.Household) { h.PotensiUsaha = strings.Repeat("x", 2001) },
	} {
		h := validHousehold()
		change(&h)
		if err := h.Validate(); hailurah.ErrorCode(err) != hailurah.EINVALID || hailurah.ErrorField(err) != field {
			t.Errorf("%s: %v", field, err)
		}
	}
	for _, id := range []string{"a", "3577/012", "TMN_01.2", strings.Repeat("x", 64)} {
		if !hailurah.ValidHouseholdID(id) {
			t.Errorf("%q should be a valid id", id)
		}
	}
	for _, id := range []string{"", strings.Repeat("x", 65), "TMN 1", "TMN;1", "é"} {
		if hailurah.ValidHouseholdID(id) {
			t.Errorf("%q should not be a valid id", id)
		}
	}
}

func TestHouseholdMember(t *testing.T) {
	for age, youth := range map[int]bool{14: false, 15: true, 35: true, 36: false} {
		m := hailurah.HouseholdMember{Name: "A", Gender: hailurah.GenderPerempuan, Age: age}
		if m.Youth() != youth || m.Validate() != nil {
			t.Errorf("age %d: youth %v, %v", age, m.Youth(), m.Validate())
		}
	}
	for field, m := range map[string]hailurah.HouseholdMember{
		"name": {Gender: "P", Age: 20}, "gender": {Name: "A", Gender: "X", Age: 20}, "age": {Name: "A", Gender: "L", Age: 121},
	} {
		if err := m.Validate(); hailurah.ErrorField(err) != field {
			t.Errorf("%s: %v", field, err)
		}
	}
}

func TestHouseholdCheckinValidate(t *testing.T) {
	neg := int64(-1)
	c := hailurah.HouseholdCheckin{HouseholdID: "TMN-1", Omzet: 0, Source: hailurah.CheckinFasilitator}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	for field, bad := range map[string]hailurah.HouseholdCheckin{
		"household_id": {Source: hailurah.CheckinGrant},
		"omzet":        {HouseholdID: "x", Omzet: -1, Source: hailurah.CheckinGrant},
		"income":       {HouseholdID: "x", Income: &neg, Source: hailurah.CheckinGrant},
		"source":       {HouseholdID: "x", Source: "sms"},
	} {
		if err := bad.Validate(); hailurah.ErrorField(err) != field {
			t.Errorf("%s: %v", field, err)
		}
	}
}
