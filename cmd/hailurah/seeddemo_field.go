package main

import (
	"context"
	"fmt"
	"time"

	"github.com/hailurah/hailurah"
)

// demoTrainers name who gave the demo trainings.
var demoTrainers = []string{"Pak Arif (Dinas Koperasi)", "Bu Lestari (UMKM mentor)", "Tim Rumah BUMN", "Bu Dewi (LPK Tata Boga)"}

// demoProducts are the Toko Warga Taman products of the demo, by the
// household's business.
var demoProducts = []struct{ name, desc string }{
	{"Keripik tempe original", "Renyah, tanpa pengawet, 250 gram."},
	{"Brem Madiun", "Oleh-oleh khas Madiun, isi 10."},
	{"Pecel Madiun bumbu kacang", "Bumbu pecel siap seduh, 500 gram."},
	{"Kue basah aneka", "Pesanan hajatan, minimal 50 biji."},
	{"Jahit seragam", "Jahit dan permak seragam sekolah."},
	{"Kerajinan bambu", "Tempat tisu dan nampan anyaman bambu."},
}

// fieldDemo fills the field pages of the demo: Pasar Rakyat with stalls,
// mentoring visits, Toko Warga products with orders, and the check-ins'
// answers of the field indicators (usaha aktif, bansos, new jobs).
func (g *demoGen) fieldDemo(ctx context.Context, w *demoWriter, byKel map[string][]*demoHousehold, created time.Time) error {
	bazaarID, err := w.nextID(ctx, "bazaars")
	if err != nil {
		return err
	}
	productID, err := w.nextID(ctx, "toko_products")
	if err != nil {
		return err
	}
	start := g.start()
	var bazaars, stalls, visits, products, orders, checkins [][]any
	for _, a := range demoAreas {
		hs := byKel[a.code]
		for i := 0; i < map[string]int{"taman": 3, "nambangan": 2, "demangan": 1}[a.code]; i++ {
			held := g.dateOnlyUTC(start.Add(time.Duration(float64(g.now.Sub(start)) * (float64(i) + 0.5) / 3)))
			bazaars = append(bazaars, []any{bazaarID, a.code, held, "Balai RW " + rtrwNum(1+g.rnd.IntN(a.rws)), "fasilitator", created})
			seen := map[string]bool{}
			for k := 0; k < 12; k++ {
				h := hs[g.rnd.IntN(len(hs))]
				if seen[h.id] {
					continue
				}
				seen[h.id] = true
				stalls = append(stalls, []any{bazaarID, h.id, h.potensi, int64(100_000+g.rnd.IntN(900_000)) / 5_000 * 5_000, created})
			}
			bazaarID++
		}
		for k := 0; k < map[string]int{"taman": 10, "nambangan": 5, "demangan": 3}[a.code]; k++ {
			h := hs[g.rnd.IntN(len(hs))]
			on := g.dateOnlyUTC(g.now.Add(-g.between(24*time.Hour, 80*24*time.Hour)))
			visits = append(visits, []any{h.id, a.code, on, g.pick("Bu Lestari", "Pak Hartono", "Bu Rina"),
				g.pick("Pembukuan kas harian sudah rapi.", "Foto produk diperbaiki untuk katalog.", "Omzet naik sejak ikut pasar rakyat."),
				g.pick("Daftar Toko Warga Taman", "Ikut pelatihan keuangan mikro", "Ajukan hibah alat produksi"), "fasilitator", created})
			at := on.Add(10 * time.Hour)
			active := h.omzet > 0
			// A DTKS household first received bansos; some no longer do.
			bansos := h.dtks && g.rnd.Float64() < 0.6
			if h.dtks {
				first := at.AddDate(0, 0, -30)
				checkins = append(checkins, []any{fmt.Sprintf("%s/kunjungan/demo-%d-awal", h.id, k), h.id, first, h.omzet, nil, active, true,
					0, hailurah.CheckinFasilitator, nil, "Kunjungan awal", "fasilitator", first})
			}
			checkins = append(checkins, []any{fmt.Sprintf("%s/kunjungan/demo-%d", h.id, k), h.id, at, h.omzet, nil, active, bansos,
				g.rnd.IntN(2), hailurah.CheckinFasilitator, nil, "Kunjungan pendampingan", "fasilitator", at})
		}
		for k := 0; k < map[string]int{"taman": 6, "nambangan": 3, "demangan": 2}[a.code]; k++ {
			h := hs[k*7%len(hs)]
			p := demoProducts[(k+len(a.code))%len(demoProducts)]
			consent := k%3 != 2
			phone := ""
			if consent {
				phone = fmt.Sprintf("+62812%08d", 10_000_000+g.rnd.IntN(80_000_000))
			}
			products = append(products, []any{productID, a.code, h.id, p.name, p.desc, int64(10_000 + 5_000*g.rnd.IntN(10)),
				h.potensi + " " + h.head, phone, consent, "", "", false, "fasilitator", created, created})
			for o := 0; o < g.rnd.IntN(4); o++ {
				at := g.now.Add(-g.between(time.Hour, 60*24*time.Hour))
				orders = append(orders, []any{productID, h.id, a.code, g.pick(hailurah.OrderClick, hailurah.OrderReport), 1 + g.rnd.IntN(3), 0, at, "fasilitator"})
			}
			productID++
		}
	}
	steps := []struct {
		table string
		cols  []string
		rows  [][]any
	}{
		{"bazaars", []string{"id", "kelurahan_code", "held_on", "place", "created_by", "created_at"}, bazaars},
		{"bazaar_stalls", []string{"bazaar_id", "household_id", "product", "sales", "updated_at"}, stalls},
		{"mentoring_visits", []string{"household_id", "kelurahan_code", "visited_on", "mentor", "notes", "next_step", "created_by", "created_at"}, visits},
		{"household_checkins", []string{"key", "household_id", "at", "omzet", "income", "active", "bansos", "new_jobs", "source", "grant_id",
			"note", "created_by", "created_at"}, checkins},
		{"toko_products", []string{"id", "kelurahan_code", "household_id", "name", "description", "price", "business_name", "seller_phone",
			"wa_consent", "photo_key", "photo_mime", "hidden", "created_by", "created_at", "updated_at"}, products},
		{"toko_orders", []string{"product_id", "household_id", "kelurahan_code", "source", "quantity", "amount", "at", "created_by"}, orders},
	}
	for _, s := range steps {
		if err := w.write(ctx, s.table, s.cols, s.rows); err != nil {
			return err
		}
	}
	for _, table := range []string{"bazaars", "toko_products"} {
		if err := w.syncIdentity(ctx, table); err != nil {
			return err
		}
	}
	return nil
}
