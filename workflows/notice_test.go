package workflows_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/activities"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/storetest"
	"github.com/hailurah/hailurah/whatsapp"
	"github.com/hailurah/hailurah/workflows"
)

var na *activities.NoticeActivities

const noticeSecret = "rahasia-instansi-yang-cukup-panjang-32"

// noticeHarness runs one staff member's StaffNoticeWorkflow in the test
// environment (virtual time) with the real SendStaffNotices on a real
// SQLite store, recording when each message was queued.
type noticeHarness struct {
	t     *testing.T
	env   *testsuite.TestWorkflowEnvironment
	db    *store.DB
	start time.Time
	user  *hailurah.User

	mu   sync.Mutex
	sent []noticeSent
}

type noticeSent struct {
	at   time.Duration
	refs []string
}

func newNoticeHarness(t *testing.T, startAt time.Time) *noticeHarness {
	t.Helper()
	ctx := t.Context()
	db := storetest.Open(t)
	if err := db.UpsertKelurahan(ctx, &hailurah.Kelurahan{Code: "taman", Name: "Taman"}); err != nil {
		t.Fatal(err)
	}
	u := &hailurah.User{Username: "irfa", Name: "Irfa", Role: hailurah.RoleLurah, Kelurahan: "taman", Phone: "0811-1000-0001"}
	if err := db.CreateUser(ctx, u, "rahasia-123"); err != nil {
		t.Fatal(err)
	}
	sealer, err := whatsapp.NewSealer([]byte(noticeSecret))
	if err != nil {
		t.Fatal(err)
	}
	real := &activities.NoticeActivities{Store: db, Secret: []byte(noticeSecret), Sealer: sealer, BaseURL: "https://hailurah.test",
		Logger: slog.New(slog.DiscardHandler)}
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))))
	h := &noticeHarness{t: t, env: suite.NewTestWorkflowEnvironment(), db: db, start: startAt, user: u}
	h.env.SetStartTime(startAt)
	h.env.SetTestTimeout(20 * time.Second)
	h.env.RegisterWorkflow(workflows.StaffNoticeWorkflow)
	h.env.RegisterActivity(real)
	h.env.OnActivity(na.SendStaffNotices, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, in activities.SendNoticesInput) error {
			var refs []string
			for _, n := range in.Notices {
				refs = append(refs, n.Ref)
			}
			h.mu.Lock()
			h.sent = append(h.sent, noticeSent{h.env.Now().Sub(h.start), refs})
			h.mu.Unlock()
			return real.SendStaffNotices(ctx, in)
		})
	return h
}

// notice signals a notice about ref with urgency u at virtual time at.
func (h *noticeHarness) notice(at time.Duration, ref string, u int) {
	n := hailurah.StaffNotice{Key: "key/" + ref, Kind: hailurah.NotifyEscalation, Ref: ref, Ticket: true, Kategori: "kesehatan", Urgency: u,
		Kelurahan: "taman", KelurahanName: "Taman", RT: "01", RW: "02", Summary: "Balita gizi buruk di " + ref,
		Link: "https://hailurah.test/tiket/" + ref, Quiet: hailurah.DefaultQuietHours}
	h.env.RegisterDelayedCallback(func() { h.env.SignalWorkflow(workflows.SignalStaffNotice, n) }, at)
}

// run runs the workflow until it ends by itself after a quiet window.
func (h *noticeHarness) run() time.Duration {
	h.t.Helper()
	h.env.ExecuteWorkflow(workflows.StaffNoticeWorkflow, workflows.StaffNoticeInput{Username: h.user.Username})
	if !h.env.IsWorkflowCompleted() {
		h.t.Fatal("notice workflow did not end")
	}
	if err := h.env.GetWorkflowError(); err != nil {
		h.t.Fatalf("notice workflow failed: %v", err)
	}
	return h.env.Now().Sub(h.start)
}

func (h *noticeHarness) outbox() []*hailurah.OutboxDelivery {
	h.t.Helper()
	list, err := h.db.ListOutboxByRecipient(h.t.Context(), whatsapp.SenderID([]byte(noticeSecret), h.user.Phone), 0, 100)
	if err != nil {
		h.t.Fatal(err)
	}
	return list
}

func (h *noticeHarness) sends() string {
	var out []string
	for _, s := range h.sent {
		out = append(out, fmt.Sprintf("%v:%s", s.at, strings.Join(s.refs, "+")))
	}
	return strings.Join(out, " ")
}

// dayStart is a Wednesday at 09:00 WIB, outside the quiet hours.
var dayStart = time.Date(2026, 7, 1, 9, 0, 0, 0, wib)

// TestStaffNoticeBundles: the first three notices within ten minutes go
// out at once as the [NOTIF] template; the next ones wait for the window
// and go as one bundle; a repeated key is sent once; the run ends after a
// quiet window.
func TestStaffNoticeBundles(t *testing.T) {
	h := newNoticeHarness(t, dayStart)
	for i := range 6 {
		h.notice(time.Duration(i+1)*time.Minute, fmt.Sprintf("HL-2026-00000%d", i+1), 3)
	}
	h.notice(7*time.Minute, "HL-2026-000001", 3) // the fan-out retried
	ended := h.run()

	want := "1m0s:HL-2026-000001 2m0s:HL-2026-000002 3m0s:HL-2026-000003 14m0s:HL-2026-000004+HL-2026-000005+HL-2026-000006"
	if got := h.sends(); got != want {
		t.Fatalf("sends: %s\nwant:  %s", got, want)
	}
	if ended != 24*time.Minute {
		t.Errorf("the run ended at %v, want one window after the bundle (24m)", ended)
	}
	rows := h.outbox()
	if len(rows) != 4 {
		t.Fatalf("outbox holds %d messages, want 4", len(rows))
	}
	one := rows[0]
	wantParams := []string{"Eskalasi", "HL-2026-000001", "Kesehatan", "3", "Kel. Taman, RT 01/RW 02",
		"Balita gizi buruk di HL-2026-000001", "https://hailurah.test/tiket/HL-2026-000001"}
	if one.Kind != hailurah.OutboxStaffNotice || one.Template != whatsapp.TemplateStaffNotice || !slices.Equal(one.TemplateParams, wantParams) ||
		one.TicketID != "" || !strings.Contains(one.Text, "[NOTIF] Tiket #HL-2026-000001") || !strings.Contains(one.Text, "OK HL-2026-000001") {
		t.Errorf("single notice: %+v", one)
	}
	bundle := rows[3]
	if bundle.Kind != hailurah.OutboxStaffBundle || bundle.Template != whatsapp.TemplateStaffBundle ||
		!slices.Equal(bundle.TemplateParams, []string{"3", "HL-2026-000004, HL-2026-000005, HL-2026-000006", "https://hailurah.test/notifikasi"}) {
		t.Errorf("bundle: %+v", bundle)
	}
	if n, _ := whatsapp.TemplateParamCount(one.Template); n != len(one.TemplateParams) {
		t.Errorf("the notice carries %d parameters, its template takes %d", len(one.TemplateParams), n)
	}
}

// TestStaffNoticeQuietHours: at 22:00 a notice waits for 06:00, an
// urgency-5 one goes at once; five held through the night go at 06:00 as
// one bundle.
func TestStaffNoticeQuietHours(t *testing.T) {
	night := time.Date(2026, 7, 1, 22, 0, 0, 0, wib)
	h := newNoticeHarness(t, night)
	h.notice(time.Minute, "HL-2026-000001", 3)
	h.notice(2*time.Minute, "HL-2026-000002", 5)
	for i := 3; i <= 6; i++ {
		h.notice(time.Duration(i)*time.Hour, fmt.Sprintf("HL-2026-00000%d", i), 4)
	}
	h.run()
	want := "2m0s:HL-2026-000002 8h0m0s:HL-2026-000001+HL-2026-000003+HL-2026-000004+HL-2026-000005+HL-2026-000006"
	if got := h.sends(); got != want {
		t.Fatalf("sends: %s\nwant:  %s", got, want)
	}
	if rows := h.outbox(); len(rows) != 2 || !slices.Contains(rows[0].TemplateParams, "5 URGENT") {
		t.Fatalf("outbox: %+v", rows)
	}
}

// TestStaffNoticeAfterQuietHoursFew: two notices held overnight go singly.
func TestStaffNoticeAfterQuietHoursFew(t *testing.T) {
	h := newNoticeHarness(t, time.Date(2026, 7, 2, 4, 0, 0, 0, wib))
	h.notice(time.Minute, "HL-2026-000001", 3)
	h.notice(2*time.Minute, "HL-2026-000002", 4)
	h.run()
	if got, want := h.sends(), "2h0m0s:HL-2026-000001 2h0m0s:HL-2026-000002"; got != want {
		t.Fatalf("sends: %s, want %s", got, want)
	}
}

// TestStaffNoticeOptOut: a staff member who switched notices off (after
// the fan-out) is sent nothing; the workflow still ends.
func TestStaffNoticeOptOut(t *testing.T) {
	h := newNoticeHarness(t, dayStart)
	off := false
	if _, err := h.db.UpdateUser(t.Context(), h.user.Username, hailurah.UserPatch{WhatsAppNotices: &off}); err != nil {
		t.Fatal(err)
	}
	h.notice(time.Minute, "HL-2026-000001", 5)
	h.run()
	if len(h.sent) != 1 || len(h.outbox()) != 0 {
		t.Fatalf("opted-out user: %d sends, outbox %+v", len(h.sent), h.outbox())
	}
}
