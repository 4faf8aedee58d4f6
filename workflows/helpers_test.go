package workflows_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/activities"
	"github.com/hailurah/hailurah/triage"
	"github.com/hailurah/hailurah/workflows"
)

// a names the activities to mock.
var a *activities.Activities

var wib = time.FixedZone("WIB", 7*60*60)

// start is a Wednesday morning without holidays around it.
var start = time.Date(2026, 7, 1, 9, 0, 0, 0, wib)

const (
	hour = time.Hour
	day  = 24 * time.Hour
)

var (
	modTaman     = hailurah.Actor{Username: "siti", Role: hailurah.RoleModerator, Kelurahan: "taman"}
	lurahTaman   = hailurah.Actor{Username: "irfa", Role: hailurah.RoleLurah, Kelurahan: "taman"}
	modNambangan = hailurah.Actor{Username: "budi", Role: hailurah.RoleModerator, Kelurahan: "nambangan"}
	lurahNamb    = hailurah.Actor{Username: "dewi", Role: hailurah.RoleLurah, Kelurahan: "nambangan"}
	fasilTaman   = hailurah.Actor{Username: "rina", Role: hailurah.RoleFasilitator, Kelurahan: "taman"}
	dinasDLH     = hailurah.Actor{Username: "joko", Role: hailurah.RoleDinas, Unit: "dlh"}
	dinasPUPR    = hailurah.Actor{Username: "eko", Role: hailurah.RoleDinas, Unit: "pupr"}
	admin        = hailurah.Actor{Username: "admin", Role: hailurah.RoleAdmin}
)

func input() hailurah.CurhatInput {
	return hailurah.CurhatInput{
		TicketID:      "HL-2026-000123",
		TrackingCode:  "TRK7Q2M",
		Kelurahan:     "taman",
		KelurahanName: "Taman",
		Channel:       hailurah.ChannelWhatsApp,
		SenderID:      "phonehash_abc123",
		First: hailurah.CitizenMessage{
			ID:      "wamid.first",
			At:      start,
			Channel: hailurah.ChannelWhatsApp,
			Text: "HAI LURAH Taman Irfa Darojat\nSaya warga RT03/RW02, Jalan Mawar. Sudah 3 bulan got sering " +
				"tersumbat, rumah banjir tiap hujan, anak sering batuk. Mohon bantu.",
		},
		Policy: hailurah.DefaultSLAPolicy(),
	}
}

func triageResult(urgency int) *triage.Triage {
	return &triage.Triage{
		Kategori: hailurah.KategoriLingkungan, Subkategori: "drainase", Urgency: urgency,
		Severity: hailurah.SeverityMedium, Summary: "Banjir rutin di RT03/RW02 karena got tersumbat.",
		Diagnosis: "Penumpukan sampah dan kapasitas drainase kecil.",
		Solutions: triage.Solutions{A: "Kerja bakti RT.", B: "Ajukan sedot drainase ke kelurahan.", C: "Perbaikan drainase RT."},
		Steps:     []string{"Jadwalkan kerja bakti.", "Foto lokasi.", "Hubungi Puskesmas bila anak sakit."},
		Unit:      "dlh", Sentiment: -0.6, SuggestedResponse: "B", ModelVersion: "rules-v1",
		RT: "03", RW: "02",
	}
}

// sent, notified and projected are what the mocked activities received, at
// which virtual time since the start.
type sent struct {
	at time.Duration
	in activities.SendCitizenInput
}

type notified struct {
	at time.Duration
	in activities.NotifyInput
}

type projected struct {
	at time.Duration
	in activities.ProjectInput
}

type harness struct {
	t     *testing.T
	env   *testsuite.TestWorkflowEnvironment
	start time.Time

	// Triage is what the mocked classifier answers; TriageErr fails it.
	Triage    *triage.Triage
	TriageErr error

	mu        sync.Mutex
	sent      []sent
	notified  []notified
	projected []projected
	triaged   int
	drafts    []activities.DraftInput
}

// newHarness returns a fresh test environment with every activity mocked
// and recorded. The workflow starts at startAt.
func newHarness(t *testing.T, startAt time.Time) *harness {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	// The test environment logs every activity at debug level; warnings
	// and errors (the workflow's own) are enough to read a failure.
	suite.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))))
	h := &harness{t: t, env: suite.NewTestWorkflowEnvironment(), start: startAt, Triage: triageResult(3)}
	env := h.env
	env.SetStartTime(startAt)
	env.SetTestTimeout(20 * time.Second)
	env.RegisterWorkflow(workflows.CurhatWorkflow)
	env.RegisterActivity(&activities.Activities{})

	// The workflow tests are about the workflow; the real parser is the
	// triage package's and is tested there and in activities.
	env.OnActivity(activities.ParseCitizenMessage, mock.Anything, mock.Anything).Return(
		func(_ context.Context, text string) (activities.Command, error) { return seedCommand(text), nil })
	env.OnActivity(a.Triage, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.TriageInput) (*triage.Triage, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.triaged++
			if h.TriageErr != nil {
				return nil, h.TriageErr
			}
			return h.Triage, nil
		})
	env.OnActivity(a.ProjectTicket, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ProjectInput) error {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.projected = append(h.projected, projected{h.now(), in})
			return nil
		})
	env.OnActivity(a.SendCitizen, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.SendCitizenInput) error {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.sent = append(h.sent, sent{h.now(), in})
			return nil
		})
	env.OnActivity(a.NotifyStaff, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.NotifyInput) error {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.notified = append(h.notified, notified{h.now(), in})
			return nil
		})
	env.OnActivity(a.DraftLetter, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.DraftInput) (string, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.drafts = append(h.drafts, in)
			return "DRAFT SURAT " + in.Arg, nil
		})
	return h
}

func (h *harness) now() time.Duration { return h.env.Now().Sub(h.start) }

// run executes the workflow to its end and returns its final state.
func (h *harness) run(in hailurah.CurhatInput) hailurah.TicketState {
	h.t.Helper()
	h.env.ExecuteWorkflow(workflows.CurhatWorkflow, in)
	if !h.env.IsWorkflowCompleted() {
		h.t.Fatal("workflow did not complete")
	}
	if err := h.env.GetWorkflowError(); err != nil {
		h.t.Fatalf("workflow failed: %v", err)
	}
	var st hailurah.TicketState
	if err := h.env.GetWorkflowResult(&st); err != nil {
		h.t.Fatalf("workflow result: %v", err)
	}
	return st
}

// ended is the virtual time the workflow ended at.
func (h *harness) ended() time.Duration { return h.now() }

type updateResult struct {
	accepted, rejected, completed bool
	err                           error
	state                         hailurah.TicketState
}

// act sends a staff action after d of virtual time.
func (h *harness) act(d time.Duration, actor hailurah.Actor, req hailurah.ActionRequest) *updateResult {
	req.Actor = actor
	r := &updateResult{}
	h.env.RegisterDelayedCallback(func() {
		h.env.UpdateWorkflow(workflows.UpdateAction, "", &testsuite.TestUpdateCallback{
			OnAccept: func() { r.accepted = true },
			OnReject: func(err error) { r.rejected, r.err = true, err },
			OnComplete: func(v any, err error) {
				r.completed, r.err = true, err
				switch v := v.(type) {
				case hailurah.TicketState:
					r.state = v
				case converter.EncodedValue:
					_ = v.Get(&r.state)
				}
			},
		}, req)
	}, d)
	return r
}

// mustAct sends an action that must succeed; checked after the run.
func (h *harness) mustAct(d time.Duration, actor hailurah.Actor, req hailurah.ActionRequest) {
	r := h.act(d, actor, req)
	h.t.Cleanup(func() {
		if !r.completed || r.err != nil {
			h.t.Errorf("%s by %s at %v: completed=%v rejected=%v err=%v", req.Action, actor.Username, d, r.completed, r.rejected, r.err)
		}
	})
}

var msgSeq int

// say sends the citizen's message after d; the id is unique unless given.
func (h *harness) say(d time.Duration, text string, id ...string) {
	msgSeq++
	m := hailurah.CitizenMessage{ID: fmt.Sprintf("wamid.%d", msgSeq), Text: text, Channel: hailurah.ChannelWhatsApp}
	if len(id) > 0 {
		m.ID = id[0]
	}
	h.env.RegisterDelayedCallback(func() {
		m.At = h.env.Now()
		h.env.SignalWorkflow(workflows.SignalCitizenMessage, m)
	}, d)
}

// stateAt queries the workflow's state after d.
func (h *harness) stateAt(d time.Duration) *hailurah.TicketState {
	st := &hailurah.TicketState{}
	h.env.RegisterDelayedCallback(func() {
		v, err := h.env.QueryWorkflow(workflows.QueryState)
		if err != nil {
			h.t.Errorf("query at %v: %v", d, err)
			return
		}
		if err := v.Get(st); err != nil {
			h.t.Errorf("query result at %v: %v", d, err)
		}
	}, d)
	return st
}

// kinds lists the citizen messages sent, in order.
func (h *harness) kinds() []string {
	var out []string
	for _, s := range h.sent {
		out = append(out, s.in.Kind)
	}
	return out
}

func (h *harness) sentOf(kind string) []sent {
	var out []sent
	for _, s := range h.sent {
		if s.in.Kind == kind {
			out = append(out, s)
		}
	}
	return out
}

func (h *harness) notifiedOf(kind string) []notified {
	var out []notified
	for _, n := range h.notified {
		if n.in.Kind == kind {
			out = append(out, n)
		}
	}
	return out
}

// events lists the timeline as "type from→to".
func (h *harness) events() []string {
	var out []string
	for _, p := range h.projected {
		if e := p.in.Event; e != nil {
			out = append(out, fmt.Sprintf("%s %s→%s", e.Type, e.From, e.To))
		}
	}
	return out
}

func (h *harness) eventsOf(typ string) []projected {
	var out []projected
	for _, p := range h.projected {
		if p.in.Event != nil && p.in.Event.Type == typ {
			out = append(out, p)
		}
	}
	return out
}

func (h *harness) lastTicket() *hailurah.Ticket {
	return h.projected[len(h.projected)-1].in.Ticket
}

func equal[T comparable](t *testing.T, what string, got, want []T) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s:\n got  %v\n want %v", what, got, want)
		return
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("%s:\n got  %v\n want %v", what, got, want)
			return
		}
	}
}

// errorType is the application error type of a rejected update.
func errorType(err error) string {
	var ae *temporal.ApplicationError
	if errors.As(err, &ae) {
		return ae.Type()
	}
	return ""
}

func audiences(n notified) string {
	var s []string
	for _, to := range n.in.To {
		s = append(s, fmt.Sprintf("%s:%s%s", to.Role, to.Kelurahan, to.Unit))
	}
	return strings.Join(s, ",")
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// seedCommand recognises the commands exactly as the seed writes them.
func seedCommand(text string) activities.Command {
	s := strings.Join(strings.Fields(strings.ToUpper(strings.NewReplacer(":", " ", ".", " ").Replace(text))), " ")
	switch s {
	case "ANONIM YA", "ANONIM TIDAK":
		return activities.Command{Kind: activities.CommandAnonim, Value: s == "ANONIM YA"}
	case "TEMBUSAN YA", "TEMBUSAN TIDAK":
		return activities.Command{Kind: activities.CommandTembusan, Value: s == "TEMBUSAN YA"}
	case "LANJUT":
		return activities.Command{Kind: activities.CommandLanjut}
	case "SESUDAH":
		return activities.Command{Kind: activities.CommandSesudah}
	case "BELUM":
		return activities.Command{Kind: activities.CommandBelum}
	case "STATUS":
		return activities.Command{Kind: activities.CommandStatus}
	case "1", "2", "3", "4", "5":
		return activities.Command{Kind: activities.CommandRating, Rating: int(s[0] - '0')}
	}
	if arg, ok := strings.CutPrefix(s, "MINTA DRAFT"); ok {
		return activities.Command{Kind: activities.CommandMintaDraft, Arg: strings.TrimSpace(arg)}
	}
	return activities.Command{}
}
