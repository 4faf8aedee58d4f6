package reportstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/reportstore"
	"github.com/hailurah/hailurah/store/storetest"
)

func TestReportSavedOncePerPeriod(t *testing.T) {
	storetest.Each(t, func(t *testing.T, sdb *store.DB) {
		ctx := context.Background()
		at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
		sdb.SetNow(func() time.Time { return at })
		db := reportstore.New(sdb)
		first := &hailurah.StoredReport{Kind: hailurah.ReportSIAPTaman, Period: "2026-11", Kelurahan: "taman", Format: hailurah.ReportPDF, Content: []byte("%PDF-1 first")}
		if err := db.SaveReport(ctx, first); err != nil {
			t.Fatal(err)
		}
		at = at.Add(time.Hour)
		again := &hailurah.StoredReport{Kind: hailurah.ReportSIAPTaman, Period: "2026-11", Kelurahan: "taman", Format: hailurah.ReportPDF, Content: []byte("%PDF-1 again")}
		if err := db.SaveReport(ctx, again); err != nil {
			t.Fatal(err)
		}
		city := &hailurah.StoredReport{Kind: hailurah.ReportHaiLurah, Period: "2026-q4", Format: hailurah.ReportCSV, Content: []byte("a,b")}
		if err := db.SaveReport(ctx, city); err != nil {
			t.Fatal(err)
		}
		if again.ID != first.ID || city.Period != "2026-Q4" {
			t.Errorf("ids %d %d, city period %q", first.ID, again.ID, city.Period)
		}
		got, err := db.FindReport(ctx, first.ID)
		if err != nil {
			t.Fatal(err)
		}
		if string(got.Content) != "%PDF-1 again" || got.Size != 12 || !got.MadeAt.Equal(at) || len(got.SHA256) != 64 {
			t.Errorf("stored %+v", got)
		}
		mine, err := db.ListReports(ctx, hailurah.ReportFilter{Kelurahan: "taman"})
		if err != nil || len(mine) != 1 || mine[0].Content != nil {
			t.Fatalf("taman's: %v %+v", err, mine)
		}
		all, err := db.ListReports(ctx, hailurah.ReportFilter{All: true})
		if err != nil || len(all) != 2 || all[0].Period != "2026-Q4" {
			t.Fatalf("all: %v %+v", err, all)
		}
		if _, err := db.FindReport(ctx, 999); hailurah.ErrorCode(err) != hailurah.ENOTFOUND {
			t.Errorf("missing: %v", err)
		}
		for _, bad := range []*hailurah.StoredReport{
			{Kind: "lain", Period: "2026-11", Format: "pdf", Content: []byte("x")},
			{Kind: hailurah.ReportHaiLurah, Period: "2026-13", Format: "pdf", Content: []byte("x")},
			{Kind: hailurah.ReportHaiLurah, Period: "2026-11", Format: "doc", Content: []byte("x")},
			{Kind: hailurah.ReportHaiLurah, Period: "2026-11", Format: "pdf"},
		} {
			if err := db.SaveReport(ctx, bad); hailurah.ErrorCode(err) != hailurah.EINVALID {
				t.Errorf("%+v: %v", bad, err)
			}
		}
	})
}
