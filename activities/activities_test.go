package activities_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/activities"
	"github.com/hailurah/hailurah/triage"
)

// The fakes below keep only what the activities' logic needs: idempotency
// by key and the audience. The store's own behaviour is tested with the
// store.

type fakeOutbox struct{ msgs []*hailurah.OutboxMessage }

func (f *fakeOutbox) Enqueue(_ context.Context, m *hailurah.OutboxMessage) error {
	for _, x := range f.msgs {
		if x.IdempotencyKey == m.IdempotencyKey {
			*m = *x
			return nil
		}
	}
	m.ID = int64(len(f.msgs) + 1)
	f.msgs = append(f.msgs, m)
	return nil
}

type fakeNotifications struct {
	got []*hailurah.Notification
	err error
}

func (f *fakeNotifications) Notify(_ context.Context, n *hailurah.Notification) (int, error) {
	if f.err != nil {
		return 0, f.err
	}
	for _, x := range f.got {
		if x.IdempotencyKey == n.IdempotencyKey {
			return 0, nil
		}
	}
	f.got = append(f.got, n)
	return 1, nil
}

type fakeTickets struct {
	calls  []string
	err    error
	digest []*hailurah.KelurahanDigest
}

func (f *fakeTickets) UpsertTicket(_ context.Context, t *hailurah.Ticket) error {
	f.calls = append(f.calls, "ticket "+t.ID)
	return f.err
}

func (f *fakeTickets) AddTicketEvent(_ context.Context, e *hailurah.TicketEvent) error {
	f.calls = append(f.calls, "event "+e.Key)
	return f.err
}

func (f *fakeTickets) DigestCounts(_ context.Context, from, to time.Time) ([]*hailurah.KelurahanDigest, error) {
	return f.digest, f.err
}

type fakeKelurahan struct{ hailurah.KelurahanService }

func (fakeKelurahan) FindKelurahan(_ context.Context, code string) (*hailurah.Kelurahan, error) {
	if code == "nambangan" {
		return &hailurah.Kelurahan{Code: code, Name: "Nambangan", LurahName: "Dewi Lestari"}, nil
	}
	return nil, hailurah.Errorf(hailurah.ENOTFOUND, "no kelurahan %s", code)
}

func (fakeKelurahan) FindUnit(_ context.Context, code string) (*hailurah.Unit, error) {
	if code == "pupr" {
		return &hailurah.Unit{Code: code, Name: "Dinas Pekerjaan Umum dan Penataan Ruang"}, nil
	}
	return nil, hailurah.Errorf(hailurah.ENOTFOUND, "no unit %s", code)
}

type fakeClassifier struct{ got string }

func (f *fakeClassifier) Classify(_ context.Context, text string) (*triage.Triage, error) {
	f.got = text
	return &triage.Triage{Kategori: hailurah.KategoriLingkungan, Urgency: 3}, nil
}

var now = time.Date(2026, 7, 1, 9, 0, 0, 0, time.FixedZone("WIB", 7*3600))

func newActivities() (*activities.Activities, *fakeOutbox, *fakeNotifications, *fakeTickets) {
	o, n, tk := &fakeOutbox{}, &fakeNotifications{}, &fakeTickets{}
	return &activities.Activities{
		Tickets: tk, Outbox: o, Notifications: n, Kelurahan: fakeKelurahan{},
		BaseURL: "https://hailurah.example.id/", Now: func() time.Time { return now },
		Logger: slog.New(slog.DiscardHandler),
	}, o, n, tk
}

func nonRetryable(err error) bool {
	var ae *temporal.ApplicationError
	return errors.As(err, &ae) && ae.NonRetryable()
}

func TestSendCitizenIsIdempotent(t *testing.T) {
	acts, out, _, _ := newActivities()
	in := activities.SendCitizenInput{TicketID: "HL-2026-000123", Run: "run-1", Seq: 4, Kind: hailurah.OutboxAck,
		Channel: hailurah.ChannelWhatsApp, Recipient: "phonehash", KelurahanName: "Taman", LastCitizenAt: now}
	for range 2 { // a retry after a lost response
		if err := acts.SendCitizen(context.Background(), in); err != nil {
			t.Fatal(err)
		}
	}
	if len(out.msgs) != 1 {
		t.Fatalf("enqueued %d messages, want 1", len(out.msgs))
	}
	m := out.msgs[0]
	if m.IdempotencyKey != "HL-2026-000123/run-1/ack/4" || m.Recipient != "phonehash" || m.Template != "" {
		t.Errorf("message: %+v", m)
	}
	if !strings.Contains(m.Text, "HAI LURAH (Kel. Taman)") || !strings.Contains(m.Text, "ANONIM YA / ANONIM TIDAK") ||
		!strings.Contains(m.Text, "LANJUT") {
		t.Errorf("ACK text: %q", m.Text)
	}
}

// TestOutboxKeyOfASendScheduledBeforeRuns: a send the workflow scheduled
// before keys named the run is retried with the key it had, so a retry
// after the upgrade does not send it twice; a run's sends are its own.
func TestOutboxKeyOfASendScheduledBeforeRuns(t *testing.T) {
	if k := activities.OutboxKey("HL-9", "", hailurah.OutboxAck, 1); k != "HL-9/ack/1" {
		t.Errorf("legacy key %q", k)
	}
	if a, b := activities.OutboxKey("HL-9", "run-a", hailurah.OutboxAck, 1), activities.OutboxKey("HL-9", "run-b", hailurah.OutboxAck, 1); a == b {
		t.Errorf("two runs share the key %q", a)
	}
}

func TestSendCitizenUsesATemplateOutsideTheWindow(t *testing.T) {
	acts, out, _, _ := newActivities()
	base := activities.SendCitizenInput{TicketID: "HL-1", Kind: hailurah.OutboxConfirmReminder, Recipient: "r"}
	cases := []struct {
		channel  string
		last     time.Time
		template string
	}{
		{hailurah.ChannelWhatsApp, now.Add(-23 * time.Hour), ""},
		{hailurah.ChannelWhatsApp, now.Add(-25 * time.Hour), "hailurah_confirm_reminder"},
		{hailurah.ChannelWeb, now.Add(-25 * time.Hour), ""}, // no window on the web
	}
	for i, c := range cases {
		in := base
		in.Seq, in.Channel, in.LastCitizenAt = i, c.channel, c.last
		if err := acts.SendCitizen(context.Background(), in); err != nil {
			t.Fatal(err)
		}
		if got := out.msgs[i].Template; got != c.template {
			t.Errorf("%s, last message %v ago: template %q, want %q", c.channel, now.Sub(c.last), got, c.template)
		}
	}
}

func TestSendCitizenComposesEachKind(t *testing.T) {
	tr := &triage.Triage{Kategori: "lingkungan", Urgency: 4, Summary: "Banjir rutin.", Diagnosis: "Got tersumbat.",
		Solutions: triage.Solutions{A: "Kerja bakti.", B: "Sedot drainase.", C: "Perbaikan saluran."},
		Steps:     []string{"Jadwalkan.", "Foto.", "Lapor."}}
	cases := []struct {
		in   activities.SendCitizenInput
		want []string
	}{
		{activities.SendCitizenInput{Kind: hailurah.OutboxReply, Triage: tr},
			[]string{"Ringkasan: Banjir rutin.", "A (Sederhana, 1–7 hari): Kerja bakti.", "C (High-impact", "1) Jadwalkan.", "Urgensi: 4/5 | Kategori: Lingkungan", "MINTA DRAFT"}},
		{activities.SendCitizenInput{Kind: hailurah.OutboxStaffReply, Text: "Petugas datang besok."}, []string{"HL-9", "Petugas datang besok."}},
		{activities.SendCitizenInput{Kind: hailurah.OutboxStatus, Status: hailurah.StatusAssigned}, []string{"HL-9", "Diteruskan ke dinas"}},
		{activities.SendCitizenInput{Kind: hailurah.OutboxFlags, Anonim: true}, []string{"anonim YA", "tembusan ke Lurah TIDAK"}},
		{activities.SendCitizenInput{Kind: hailurah.OutboxConfirm}, []string{"SESUDAH", "BELUM", "HL-9"}},
		{activities.SendCitizenInput{Kind: hailurah.OutboxConfirmReminder}, []string{"Pengingat", "SESUDAH"}},
		{activities.SendCitizenInput{Kind: hailurah.OutboxRatingQuestion}, []string{"1", "5"}},
		{activities.SendCitizenInput{Kind: hailurah.OutboxRejected, DuplicateOf: "HL-1"}, []string{"tiket HL-1"}},
		{activities.SendCitizenInput{Kind: hailurah.OutboxClosed}, []string{"HL-9", "tutup"}},
		{activities.SendCitizenInput{Kind: hailurah.OutboxAck, Kelurahan: "nambangan"}, []string{"Kel. Nambangan"}},
	}
	for i, c := range cases {
		acts, out, _, _ := newActivities()
		in := c.in
		in.TicketID, in.Seq, in.Recipient, in.Channel, in.LastCitizenAt = "HL-9", i, "r", hailurah.ChannelWeb, now
		if err := acts.SendCitizen(context.Background(), in); err != nil {
			t.Errorf("%s: %v", in.Kind, err)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(out.msgs[0].Text, w) {
				t.Errorf("%s: %q lacks %q", in.Kind, out.msgs[0].Text, w)
			}
		}
	}
}

func TestSendCitizenRejectsWhatItCannotCompose(t *testing.T) {
	acts, out, _, _ := newActivities()
	for _, in := range []activities.SendCitizenInput{
		{Kind: "telepati"},
		{Kind: hailurah.OutboxReply},      // no triage
		{Kind: hailurah.OutboxStaffReply}, // no text
	} {
		in.TicketID, in.Recipient = "HL-9", "r"
		if err := acts.SendCitizen(context.Background(), in); !nonRetryable(err) {
			t.Errorf("%s: want a non-retryable error, got %v", in.Kind, err)
		}
	}
	if err := acts.SendCitizen(context.Background(), activities.SendCitizenInput{TicketID: "HL-9", Kind: hailurah.OutboxAck}); err != nil {
		t.Errorf("no recipient: %v", err)
	}
	if len(out.msgs) != 0 {
		t.Errorf("enqueued %d", len(out.msgs))
	}
}

func TestNotifyStaffFansOutByAudience(t *testing.T) {
	acts, _, notes, _ := newActivities()
	in := activities.NotifyInput{
		Key: "HL-9/escalation/1", Kind: hailurah.NotifyEscalation,
		To: []hailurah.Audience{{Role: hailurah.RoleLurah, Kelurahan: "taman"}, {Role: hailurah.RoleModerator, Kelurahan: "taman"}},
		Ticket: hailurah.TicketState{TicketID: "HL-9", Kelurahan: "taman", KelurahanName: "Taman", Kategori: "kesehatan",
			Urgency: 5, RT: "01", RW: "01", Summary: "Balita gizi buruk."},
		Suggestion: "Kirim tim Puskesmas.",
	}
	for range 2 {
		if err := acts.NotifyStaff(context.Background(), in); err != nil {
			t.Fatal(err)
		}
	}
	if len(notes.got) != 2 {
		t.Fatalf("stored %d notifications, want one per audience", len(notes.got))
	}
	if notes.got[0].IdempotencyKey != "HL-9/escalation/1/lurah:taman" || notes.got[1].IdempotencyKey != "HL-9/escalation/1/moderator:taman" {
		t.Errorf("keys: %s, %s", notes.got[0].IdempotencyKey, notes.got[1].IdempotencyKey)
	}
	body := notes.got[0].Body
	for _, w := range []string{"[NOTIF] Tiket #HL-9 — Kesehatan (Urgensi 5) | URGENT", "Kel: Taman, RT/RW 01/01", "Ringkasan: Balita gizi buruk.",
		"Saran awal AI: Kirim tim Puskesmas.", "Link tiket: https://hailurah.example.id/tiket/HL-9"} {
		if !strings.Contains(body, w) {
			t.Errorf("[NOTIF] %q lacks %q", body, w)
		}
	}
	if notes.got[0].Link != "https://hailurah.example.id/tiket/HL-9" {
		t.Errorf("link %q", notes.got[0].Link)
	}
}

func TestNotifyStaffComposesBreaches(t *testing.T) {
	acts, _, notes, _ := newActivities()
	due := time.Date(2026, 7, 2, 2, 0, 0, 0, time.UTC)
	err := acts.NotifyStaff(context.Background(), activities.NotifyInput{
		Key: "HL-9/dinas_breach/3", Kind: hailurah.NotifyDinasBreach, Level: 2,
		To:     []hailurah.Audience{{Role: hailurah.RoleAdmin}},
		Ticket: hailurah.TicketState{TicketID: "HL-9", Kelurahan: "nambangan", Unit: "pupr", DinasDue: &due},
	})
	if err != nil {
		t.Fatal(err)
	}
	n := notes.got[0]
	if n.IdempotencyKey != "HL-9/dinas_breach/3/admin" || !strings.Contains(n.Title, "level 2") ||
		!strings.Contains(n.Body, "Unit PUPR") || !strings.Contains(n.Body, "02-07-2026 09:00 WIB") || !strings.Contains(n.Body, "Kel. Nambangan") {
		t.Errorf("notification: %+v", n)
	}
}

// TestNotifyStaffComposesCancellation: the workflow's cancellation tells
// staff the ticket is closed without a resolution, in words, not codes.
func TestNotifyStaffComposesCancellation(t *testing.T) {
	acts, _, notes, _ := newActivities()
	err := acts.NotifyStaff(context.Background(), activities.NotifyInput{
		Key: "HL-9/cancelled/4", Kind: hailurah.NotifyCancelled,
		To:     []hailurah.Audience{{Role: hailurah.RoleModerator, Kelurahan: "nambangan"}},
		Ticket: hailurah.TicketState{TicketID: "HL-9", Kelurahan: "nambangan", Status: hailurah.StatusClosed},
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := notes.got[0]; n.Title != "Tiket HL-9 dibatalkan" || !strings.Contains(n.Body, "ditutup tanpa penyelesaian") {
		t.Errorf("notification: %+v", n)
	}
}

// TestNotifyStaffInTheKelurahansZone: a WITA kelurahan reads its
// deadlines on its own clock, named WITA.
func TestNotifyStaffInTheKelurahansZone(t *testing.T) {
	acts, _, notes, _ := newActivities()
	wita, err := hailurah.LoadZone("Asia/Makassar")
	if err != nil {
		t.Fatal(err)
	}
	acts.Zone = wita
	due := time.Date(2026, 7, 2, 2, 0, 0, 0, time.UTC)
	err = acts.NotifyStaff(context.Background(), activities.NotifyInput{
		Key: "HL-9/assigned/1", Kind: hailurah.NotifyAssigned,
		To:     []hailurah.Audience{{Role: hailurah.RoleDinas, Unit: "pupr"}},
		Ticket: hailurah.TicketState{TicketID: "HL-9", Kelurahan: "nambangan", Unit: "pupr", DinasDue: &due},
	})
	if err != nil {
		t.Fatal(err)
	}
	if body := notes.got[0].Body; !strings.Contains(body, "Batas waktu 02-07-2026 10:00 WITA.") {
		t.Errorf("body: %q", body)
	}
}

func TestNotifyStaffErrors(t *testing.T) {
	acts, _, notes, _ := newActivities()
	in := activities.NotifyInput{Key: "k", Kind: "gosip", To: []hailurah.Audience{{Role: hailurah.RoleAdmin}}}
	if err := acts.NotifyStaff(context.Background(), in); !nonRetryable(err) {
		t.Errorf("unknown kind: %v", err)
	}
	in.Kind = hailurah.NotifyDone
	notes.err = hailurah.Errorf(hailurah.EINVALID, "bad audience")
	if err := acts.NotifyStaff(context.Background(), in); !nonRetryable(err) {
		t.Errorf("EINVALID from the store must not be retried: %v", err)
	}
	notes.err = errors.New("connection refused")
	if err := acts.NotifyStaff(context.Background(), in); err == nil || nonRetryable(err) {
		t.Errorf("an outage must be retried: %v", err)
	}
}

func TestProjectTicketWritesEventThenTicket(t *testing.T) {
	acts, _, _, tickets := newActivities()
	err := acts.ProjectTicket(context.Background(), activities.ProjectInput{
		Ticket: &hailurah.Ticket{ID: "HL-9"}, Event: &hailurah.TicketEvent{Key: "HL-9/3"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(tickets.calls, ", ") != "event HL-9/3, ticket HL-9" {
		t.Errorf("calls: %v", tickets.calls)
	}
	tickets.err = hailurah.Errorf(hailurah.EINVALID, "empty id")
	if err := acts.ProjectTicket(context.Background(), activities.ProjectInput{Ticket: &hailurah.Ticket{}}); !nonRetryable(err) {
		t.Errorf("want non-retryable, got %v", err)
	}
}

func TestTriage(t *testing.T) {
	acts, _, _, _ := newActivities()
	c := &fakeClassifier{}
	acts.Classifier = c
	got, err := acts.Triage(context.Background(), activities.TriageInput{TicketID: "HL-9", Text: "got mampet"})
	if err != nil || got.Kategori != hailurah.KategoriLingkungan || c.got != "got mampet" {
		t.Errorf("triage %+v, %v; classifier saw %q", got, err, c.got)
	}
	if _, err := acts.Triage(context.Background(), activities.TriageInput{TicketID: "HL-9", Text: "  "}); !nonRetryable(err) {
		t.Errorf("empty text: %v", err)
	}
}

func TestParseCitizenMessage(t *testing.T) {
	tests := []struct {
		text string
		want activities.Command
	}{
		{"ANONIM YA", activities.Command{Kind: activities.CommandAnonim, Value: true}},
		{"anonim: tidak", activities.Command{Kind: activities.CommandAnonim}},
		{"TEMBUSAN: YA", activities.Command{Kind: activities.CommandTembusan, Value: true}},
		{" lanjut ", activities.Command{Kind: activities.CommandLanjut}},
		{"Sesudah.", activities.Command{Kind: activities.CommandSesudah}},
		{"BELUM", activities.Command{Kind: activities.CommandBelum}},
		{"MINTA DRAFT", activities.Command{Kind: activities.CommandMintaDraft}},
		{"minta draft sedot", activities.Command{Kind: activities.CommandMintaDraft, Arg: "SEDOT"}},
		{"BUTUH_SURAT", activities.Command{Kind: activities.CommandMintaDraft}},
		{"status", activities.Command{Kind: activities.CommandStatus}},
		{"5", activities.Command{Kind: activities.CommandRating, Rating: 5}},
		{"nilai 3", activities.Command{Kind: activities.CommandRating, Rating: 3}},
		{"6", activities.Command{}},
		{"Got di depan rumah belum dibersihkan", activities.Command{}},
		{"MINTA DRAFTING", activities.Command{}},
	}
	for _, tt := range tests {
		got, err := activities.ParseCitizenMessage(context.Background(), tt.text)
		if err != nil || got != tt.want {
			t.Errorf("%q: %+v, %v; want %+v", tt.text, got, err, tt.want)
		}
	}
}

func TestDraftLetter(t *testing.T) {
	acts, _, _, _ := newActivities()
	got, err := acts.DraftLetter(context.Background(), activities.DraftInput{
		TicketID: "HL-9", Kelurahan: "nambangan", RT: "03", RW: "02", Arg: "SEDOT", Unit: "pupr",
		Text: "Got mampet sejak 3 bulan.", Kategori: hailurah.KategoriLingkungan, Subkategori: "drainase", Summary: "Got tersumbat.",
	})
	if err != nil {
		t.Fatal(err)
	}
	// Names come from the kelurahan and unit tables; MINTA DRAFT's word is
	// the subject; the date is the activity's clock.
	for _, w := range []string{"HL-9", "Nambangan", "Dewi Lestari", "Dinas Pekerjaan Umum dan Penataan Ruang", "sedot",
		"Got tersumbat.", "Got mampet sejak 3 bulan.", "1 Juli 2026"} {
		if !strings.Contains(got, w) {
			t.Errorf("draft lacks %q:\n%s", w, got)
		}
	}
	// A unit the tables do not know is left out rather than failing the
	// letter.
	if _, err := acts.DraftLetter(context.Background(), activities.DraftInput{TicketID: "HL-9", Unit: "xyz", Text: "x"}); err != nil {
		t.Errorf("unknown unit: %v", err)
	}
	anon, _ := acts.DraftLetter(context.Background(), activities.DraftInput{TicketID: "HL-9", Anonim: true, Text: "x"})
	if !strings.Contains(anon, "dirahasiakan") {
		t.Errorf("an anonymous draft must say the identity is withheld:\n%s", anon)
	}
}

func TestSendWeeklyDigest(t *testing.T) {
	acts, _, notes, tickets := newActivities()
	tickets.digest = []*hailurah.KelurahanDigest{
		{Kelurahan: "taman", KelurahanName: "Taman", New: 12, Resolved: 7, Open: 5, ModeratorBreached: 1, AvgRating: 4.5,
			ByKategori: map[string]int{"lingkungan": 6, "sosial": 2, "kesehatan": 6}},
		{Kelurahan: "nambangan", New: 1},
	}
	to := time.Date(2026, 7, 6, 0, 0, 0, 0, time.UTC) // Monday 07:00 WIB
	period := activities.DigestPeriod{From: to.Add(-7 * 24 * time.Hour), To: to}
	for range 2 {
		n, err := acts.SendWeeklyDigest(context.Background(), period)
		if err != nil || n != 2 {
			t.Fatalf("%d, %v", n, err)
		}
	}
	if len(notes.got) != 2 {
		t.Fatalf("stored %d digests, want one per kelurahan once", len(notes.got))
	}
	taman := notes.got[0]
	if taman.IdempotencyKey != "digest/2026-07-06/lurah:taman" || taman.To != (hailurah.Audience{Role: hailurah.RoleLurah, Kelurahan: "taman"}) {
		t.Errorf("digest: %+v", taman)
	}
	for _, w := range []string{"Kel. Taman", "Curhat baru: 12", "Selesai: 7", "terlambat verifikasi 1", "4.5/5", "kesehatan 6, lingkungan 6, sosial 2"} {
		if !strings.Contains(taman.Body, w) {
			t.Errorf("digest body lacks %q:\n%s", w, taman.Body)
		}
	}
	if !strings.Contains(notes.got[1].Body, "Kel. Nambangan") {
		t.Errorf("name looked up: %s", notes.got[1].Body)
	}
}
