package activities

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/report"
)

// ReportActivities make, keep and announce the office's monthly and
// quarterly reports (ReportWorkflow).
type ReportActivities struct {
	Sources       report.Sources
	Reports       hailurah.ReportService
	Notifications hailurah.NotificationService
	// Notices, when set, also tells the lurah on WhatsApp.
	Notices *NoticeActivities
	BaseURL string
	Now     func() time.Time
	Logger  *slog.Logger
}

func (a *ReportActivities) logger() *slog.Logger {
	if a.Logger != nil {
		return a.Logger
	}
	return slog.Default()
}

// ReportFormats are the files kept of every report: the PDF to send and
// the CSV to work with.
var ReportFormats = []string{hailurah.ReportPDF, hailurah.ReportCSV}

// ReportPlaces lists where reports are made: the city ("") and every
// kelurahan.
func (a *ReportActivities) ReportPlaces(ctx context.Context) ([]string, error) {
	kels, err := a.Sources.Kelurahan.ListKelurahan(ctx)
	if err != nil {
		return nil, err
	}
	out := []string{""}
	for _, k := range kels {
		out = append(out, k.Code)
	}
	return out, nil
}

// MakeReportInput is one report to make and keep in every format.
type MakeReportInput struct {
	Kind      string `json:"kind"`
	Period    string `json:"period"`
	Kelurahan string `json:"kelurahan"`
}

// MakeReport builds one report, writes it in ReportFormats and stores
// each file, replacing what an earlier run kept for the same period.
func (a *ReportActivities) MakeReport(ctx context.Context, in MakeReportInput) error {
	p, err := hailurah.ParseReportPeriod(in.Period)
	if err != nil {
		return nonRetryable(err)
	}
	now := time.Now()
	if a.Now != nil {
		now = a.Now()
	}
	doc, err := report.Build(ctx, a.Sources, report.Request{Kind: in.Kind, Period: p, Kelurahan: in.Kelurahan, At: now})
	if err != nil {
		return nonRetryable(err)
	}
	for _, f := range ReportFormats {
		data, err := report.Write(doc, f)
		if err != nil {
			return err
		}
		r := &hailurah.StoredReport{Kind: in.Kind, Period: p.String(), Kelurahan: in.Kelurahan, Format: f, Content: data, MadeAt: now}
		if err := a.Reports.SaveReport(ctx, r); err != nil {
			return nonRetryable(err)
		}
	}
	return nil
}

// NotifyReportsInput names the kelurahan whose lurah is told that the
// period's reports are on /laporan.
type NotifyReportsInput struct {
	Periods   []string `json:"periods"`
	Kelurahan string   `json:"kelurahan"`
}

// NotifyReports tells the kelurahan's lurah, in the app and (when staff
// notices are on) on WhatsApp, once per set of periods.
func (a *ReportActivities) NotifyReports(ctx context.Context, in NotifyReportsInput) error {
	labels := make([]string, 0, len(in.Periods))
	for _, s := range in.Periods {
		p, err := hailurah.ParseReportPeriod(s)
		if err != nil {
			return nonRetryable(err)
		}
		labels = append(labels, p.Label())
	}
	to := hailurah.Audience{Role: hailurah.RoleLurah, Kelurahan: in.Kelurahan}
	n := &hailurah.Notification{
		IdempotencyKey: "report/" + strings.Join(in.Periods, "+") + "/" + audienceKey(to),
		To:             to,
		Kind:           hailurah.NotifyReport,
		Title:          "Laporan " + strings.Join(labels, " dan ") + " siap dikirim",
		Body: fmt.Sprintf("Laporan SIAP-TAMAN dan HAI LURAH periode %s untuk Kecamatan dan Baperida sudah dibuat (PDF dan CSV). "+
			"Periksa lalu kirimkan dari halaman Laporan.", strings.Join(labels, " dan ")),
		Link: strings.TrimRight(a.BaseURL, "/") + "/laporan",
	}
	count, err := a.Notifications.Notify(ctx, n)
	if err != nil {
		return nonRetryable(err)
	}
	if count == 0 {
		a.logger().WarnContext(ctx, "report notification reached nobody", "kelurahan", in.Kelurahan)
		return nil
	}
	notice := hailurah.StaffNotice{Key: n.IdempotencyKey, Kind: hailurah.NotifyReport, Ref: strings.Join(in.Periods, ", "),
		Kategori: "Laporan", Kelurahan: in.Kelurahan, KelurahanName: in.Kelurahan, Summary: n.Title, Link: n.Link}
	if k, err := a.Sources.Kelurahan.FindKelurahan(ctx, in.Kelurahan); err == nil {
		notice.KelurahanName = k.Name
	}
	return nonRetryable(a.Notices.fanOut(ctx, to, notice))
}
