package main

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store/reportstore"
	"github.com/hailurah/hailurah/workflows"
)

// TestReportsOnDemoData: `hailurah dev` on the demo data has the monthly
// report schedule and, without waiting for the 1st, last month's reports;
// the lurah finds them on /laporan on a 360 px phone and downloads the PDF,
// and the form names a bad period.
func TestReportsOnDemoData(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server and Chromium")
	}
	dir := t.TempDir()
	seedDemoDir(t, dir, "--tickets", "300", "--months", "2")
	m := startMain(t, dir)
	ctx := context.Background()

	desc, err := m.Temporal.ScheduleClient().GetHandle(ctx, workflows.ReportScheduleID).Describe(ctx)
	if err != nil {
		t.Fatalf("the report schedule: %v", err)
	}
	// The server keeps the cron "0 6 1 * *" as a calendar: 06:00 on the 1st.
	spec := desc.Schedule.Spec
	if len(spec.Calendars) != 1 || spec.TimeZoneName != m.Config.Zone.Name() {
		t.Fatalf("report schedule spec %+v", spec)
	}
	if c := spec.Calendars[0]; len(c.Hour) != 1 || c.Hour[0].Start != 6 || len(c.DayOfMonth) != 1 || c.DayOfMonth[0].Start != 1 ||
		c.DayOfMonth[0].End != 1 || len(c.Minute) != 1 || c.Minute[0].Start != 0 {
		t.Errorf("report schedule calendar %+v", c)
	}

	period := hailurah.PreviousMonth(m.Config.Zone, m.Now())
	reports := reportstore.New(m.DB)
	var mine []*hailurah.StoredReport
	eventually(t, "last month's reports", func() bool {
		mine, err = reports.ListReports(ctx, hailurah.ReportFilter{Kelurahan: "taman"})
		return err == nil && len(mine) == 4
	})
	for _, r := range mine {
		if r.Period != period.String() {
			t.Errorf("stored %+v", r)
		}
		full, err := reports.FindReport(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.Format == hailurah.ReportPDF && !bytes.HasPrefix(full.Content, []byte("%PDF-")) {
			t.Errorf("%s %s is not a PDF", r.Kind, r.Format)
		}
	}
	// The lurah was told, once: the workflow notifies after the last
	// report of every place is kept, so the notice may trail the files.
	var notified int64
	eventually(t, "the lurah's report notification", func() bool {
		m.DB.Gorm().Raw("SELECT COUNT(*) FROM notifications WHERE kind = ? AND username = 'lurah'", hailurah.NotifyReport).Scan(&notified)
		return notified >= 1
	})
	if notified != 1 {
		t.Errorf("the lurah got %d report notifications", notified)
	}

	b := newBrowser(t, m.HTTP.URL())
	lurah := b.newTab("lurah", 360, 740, true)
	lurah.login("lurah")
	if st := lurah.open("/laporan"); st != http.StatusOK {
		t.Fatalf("/laporan: %d", st)
	}
	lurah.shot("laporan-360")
	main := lurah.text("main")
	for _, want := range []string{"Laporan SIAP-TAMAN · " + period.Label(), "Laporan HAI LURAH · " + period.Label(), "Kel. Taman", "Unduh PDF", "Unduh CSV"} {
		if !strings.Contains(main, want) {
			t.Errorf("/laporan lacks %q: %s", want, main)
		}
	}
	if !lurah.eval(`document.documentElement.scrollWidth <= 360`) {
		t.Error("/laporan is wider than 360 px")
	}
	if !lurah.eval(`[...document.querySelectorAll('.report-files a')].every(a => a.getBoundingClientRect().height >= 44)`) {
		t.Error("the download buttons are smaller than a thumb")
	}
	lurah.do(chromedp.Clear(chromedp.ID("period")), chromedp.SendKeys(chromedp.ID("period"), "November"))
	if st := lurah.submit(`form[action="/laporan/buat"] button[type=submit]`); st != http.StatusUnprocessableEntity {
		t.Fatalf("a bad period: %d", st)
	}
	if got := lurah.text("#period-err"); !strings.Contains(got, "2026-11") || !lurah.eval(`document.activeElement.id === 'period'`) {
		t.Errorf("the period's error: %q, focus on %v", got, lurah.eval(`document.activeElement.id === 'period'`))
	}
	lurah.shot("laporan-360-salah")
}
