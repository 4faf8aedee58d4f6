package workflows

import (
	"encoding/json"
	"time"

	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/activities"
	"github.com/hailurah/hailurah/triage"
)

// a is only used to name activities; the worker registers a filled one.
var a *activities.Activities

// seenLimit bounds the provider message ids kept for dedupe. Redeliveries
// come within minutes, so the last hundred messages are plenty, and the
// list travels through continue-as-new without growing.
const seenLimit = 100

// CurhatWorkflow runs one ticket from intake to resolved, closed or
// rejected (DESIGN.md, "The curhat ticket"). Staff act through the
// UpdateAction update, the citizen through SignalCitizenMessage; QueryState
// returns the live state, which is also the result.
//
// Changes to this function's logic must be guarded by workflow.GetVersion,
// and a history recorded before the change kept in testdata/ (see
// replay_test.go), because tickets run for weeks.
func CurhatWorkflow(ctx workflow.Context, in hailurah.CurhatInput) (*hailurah.TicketState, error) {
	c, err := newCurhat(ctx, in)
	if err != nil {
		return nil, err
	}
	return c.run(ctx)
}

// curhatState is everything a run hands to the next on continue-as-new.
type curhatState struct {
	State  hailurah.TicketState `json:"state"`
	Triage *triage.Triage       `json:"triage,omitempty"`

	IntakeDone    bool `json:"intake_done"`
	ReplySent     bool `json:"reply_sent"`
	LurahNotified bool `json:"lurah_notified"` // [NOTIF] sent to the current kelurahan's lurah
	// AnonimSet and TembusanSet say the citizen chose explicitly, so the
	// ANONIM:/TEMBUSAN: lines triage finds do not override the choice.
	AnonimSet   bool `json:"anonim_set"`
	TembusanSet bool `json:"tembusan_set"`
	// KategoriSet says the ticket started in the kategori its client chose
	// (an Open311 service_code), which triage does not replace.
	KategoriSet bool `json:"kategori_set,omitempty"`

	Lat *float64 `json:"lat,omitempty"`
	Lng *float64 `json:"lng,omitempty"`

	Seen      []string `json:"seen,omitempty"`
	EventSeq  int      `json:"event_seq"`
	SendSeq   int      `json:"send_seq"`
	NotifySeq int      `json:"notify_seq"`
	// Phase grows at every status change. A wait that started in one
	// phase ends when it moves on, even if the status comes back to the
	// same value (returned, then assigned again) before the wait notices.
	Phase int `json:"phase"`
	// Assignment grows at every assign, for the same reason.
	Assignment int `json:"assignment"`

	// The SLA clocks: level n escalates at start + (n+1)×SLA.
	ModStart   time.Time     `json:"mod_start"`
	ModSLA     time.Duration `json:"mod_sla"`
	DinasStart time.Time     `json:"dinas_start"`
	DinasSLA   time.Duration `json:"dinas_sla"`
	DinasCal   string        `json:"dinas_cal"`
	// Holidays is the holiday list the unit's working days are counted
	// with, for the ticket's whole life (see holidayList); zero in a state
	// written before lists had versions, which counts with the first.
	Holidays hailurah.HolidayList `json:"holidays,omitempty"`

	ReminderSent bool `json:"reminder_sent"`

	// Contact is where the citizen's messages go once they confirmed a
	// phone typed into a form (SignalContact); zero, the intake's sender
	// and channel, as for every ticket before confirmations existed.
	Contact hailurah.ContactChange `json:"contact,omitzero"`
}

type curhat struct {
	in hailurah.CurhatInput
	s  curhatState

	// busy counts citizen messages being handled, so the run does not end
	// or continue as new in the middle of one.
	busy int
	// fetching counts attachments' downloads in flight (fetchMedia).
	fetching int
	signals  workflow.ReceiveChannel
	phones   workflow.ReceiveChannel // confirmed phones (SignalContact)
	search   searchValues
	logger   log.Logger
}

func newCurhat(ctx workflow.Context, in hailurah.CurhatInput) (*curhat, error) {
	c := &curhat{in: in, logger: workflow.GetLogger(ctx)}
	if len(in.Resume) > 0 {
		if err := json.Unmarshal(in.Resume, &c.s); err != nil {
			return nil, temporal.NewNonRetryableApplicationError("cannot resume ticket state", ErrorInvalid, err)
		}
		c.in.Resume = nil
		return c, nil
	}
	if in.TicketID == "" {
		return nil, temporal.NewNonRetryableApplicationError("ticket id wajib diisi", ErrorInvalid, nil)
	}
	now := workflow.Now(ctx)
	lastMsg := in.First.At
	if lastMsg.IsZero() {
		lastMsg = now
	}
	c.s.State = hailurah.TicketState{
		TicketID:             in.TicketID,
		TrackingCode:         in.TrackingCode,
		Kelurahan:            in.Kelurahan,
		KelurahanName:        in.KelurahanName,
		Channel:              in.Channel,
		RT:                   in.RT,
		RW:                   in.RW,
		Status:               hailurah.StatusNew,
		ReceivedAt:           now,
		UpdatedAt:            now,
		LastCitizenMessageAt: lastMsg,
		MessagesCount:        1,
	}
	if in.Anonim != nil {
		c.s.State.Anonim, c.s.AnonimSet = *in.Anonim, true
	}
	if in.Tembusan != nil {
		c.s.State.Tembusan, c.s.TembusanSet = *in.Tembusan, true
	}
	// Only an input with a kategori takes the branch, and no history
	// recorded before it has one; the version still marks the tickets that
	// kept their client's kategori, as every change to this logic does.
	if in.Kategori != "" && workflow.GetVersion(ctx, serviceKategoriChange, workflow.DefaultVersion, 1) == 1 {
		c.s.State.Kategori, c.s.KategoriSet = in.Kategori, true
	}
	c.s.Lat, c.s.Lng = in.First.Lat, in.First.Lng
	c.s.Holidays = holidayList(ctx)
	c.remember(in.First.ID)
	return c, nil
}

// serviceKategoriChange is the workflow.GetVersion change id of keeping
// the kategori a ticket's client chose instead of triage's.
const serviceKategoriChange = "service-kategori"

// holidayChange is the workflow.GetVersion change id of the holiday list.
const holidayChange = "holiday-list"

// holidayList is the holiday list a new ticket counts working days with:
// the latest when its workflow first runs, recorded in its history, so a
// later list (the 2027 SKB replacing the estimate) changes neither its
// deadlines nor its replay. A history recorded before lists had versions
// replays with the first list, which it counted with.
func holidayList(ctx workflow.Context) hailurah.HolidayList {
	v := workflow.GetVersion(ctx, holidayChange, workflow.DefaultVersion, workflow.Version(hailurah.HolidaysLatest))
	if v == workflow.DefaultVersion {
		return hailurah.HolidaysV1
	}
	return hailurah.HolidayList(v)
}

func (c *curhat) run(ctx workflow.Context) (*hailurah.TicketState, error) {
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (hailurah.TicketState, error) {
		return c.snapshot(), nil
	}); err != nil {
		return nil, err
	}
	// A query changes no history: recorded histories replay unchanged.
	if err := workflow.SetQueryHandler(ctx, QueryMessageSeen, func(id string) (bool, error) {
		return id != "" && c.seen(id), nil
	}); err != nil {
		return nil, err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateAction, c.act,
		workflow.UpdateHandlerOptions{Validator: c.validate}); err != nil {
		return nil, err
	}
	c.signals = workflow.GetSignalChannel(ctx, SignalCitizenMessage)
	workflow.Go(ctx, c.listen)
	c.phones = workflow.GetSignalChannel(ctx, SignalContact)
	workflow.Go(ctx, c.listenPhones)

	if !c.s.IntakeDone {
		c.intake(ctx)
	} else {
		// A new run starts without the previous run's search attributes
		// being known to this struct; setting them again is harmless.
		c.upsertSearch(ctx)
	}

	for {
		// Every wait below returns when the workflow is cancelled.
		if ctx.Err() != nil {
			return c.cancelled(ctx)
		}
		if c.continueAsNewSuggested(ctx) {
			return c.continueAsNew(ctx)
		}
		switch c.s.State.Status {
		case hailurah.StatusOpen:
			c.awaitModerator(ctx)
		case hailurah.StatusAssigned, hailurah.StatusInProgress:
			c.awaitDinas(ctx)
		case hailurah.StatusAwaitingConfirmation:
			c.awaitConfirmation(ctx)
		case hailurah.StatusResolved:
			if c.awaitRating(ctx) {
				return c.finish(ctx)
			}
		case hailurah.StatusClosed, hailurah.StatusRejected:
			return c.finish(ctx)
		default:
			return nil, temporal.NewNonRetryableApplicationError("unexpected status "+string(c.s.State.Status), ErrorConflict, nil)
		}
	}
}

// intake is steps 1–4 of the SOP: ACK at once, triage, the AI reply, the
// escalation rules, then the ticket waits for a moderator.
func (c *curhat) intake(ctx workflow.Context) {
	st := &c.s.State
	c.sendCitizen(ctx, activities.SendCitizenInput{Kind: hailurah.OutboxAck})
	c.record(ctx, hailurah.TicketEvent{Type: hailurah.EventCreated, Actor: hailurah.ActorCitizen, To: hailurah.StatusNew})
	if !c.voiceNote(ctx, c.in.First) {
		c.fetchMedia(ctx, c.in.First.Media)
	} else if !c.voiceFirst(ctx) {
		return
	}

	var t *triage.Triage
	err := workflow.ExecuteActivity(triageOptions(ctx), a.Triage,
		activities.TriageInput{TicketID: st.TicketID, Text: c.in.First.Text}).Get(ctx, &t)
	if ctx.Err() != nil {
		// Cancelled: the triage did not fail, the ticket ends (run).
		return
	}
	if err != nil {
		c.logger.Error("triage failed; the moderator classifies by hand", "ticket", st.TicketID, "error", err)
		c.triageByHand(ctx, "Analisis otomatis gagal.")
		return
	}
	c.applyTriage(t)
	c.sendCitizen(ctx, activities.SendCitizenInput{Kind: hailurah.OutboxReply, Triage: t})
	c.s.ReplySent = true

	reasons := c.escalationReasons()
	c.openForModerator(ctx)
	c.s.IntakeDone = true
	c.record(ctx, hailurah.TicketEvent{Type: hailurah.EventTriaged, Actor: hailurah.ActorSystem,
		From: hailurah.StatusNew, To: hailurah.StatusOpen,
		Note: "Kategori " + st.Kategori + ", urgensi " + itoa(st.Urgency) + " (" + t.ModelVersion + ")"})
	switch {
	case len(reasons) > 0:
		c.escalate(ctx, reasons)
	case st.Tembusan && !c.s.LurahNotified:
		// A TEMBUSAN YA handled while the steps above waited on their
		// activities may have sent the copy already.
		c.notifyLurahTembusan(ctx)
	}
}

// triageByHand opens the ticket for a moderator to classify, without the
// AI's triage; note says why.
func (c *curhat) triageByHand(ctx workflow.Context, note string) {
	c.openForModerator(ctx)
	c.s.IntakeDone = true
	c.record(ctx, hailurah.TicketEvent{Type: hailurah.EventTriageFailed, Actor: hailurah.ActorSystem,
		From: hailurah.StatusNew, To: hailurah.StatusOpen, Note: note})
	c.notify(ctx, activities.NotifyInput{Kind: hailurah.NotifyTriageFailed, To: c.moderators()})
}

func (c *curhat) applyTriage(t *triage.Triage) {
	st := &c.s.State
	c.s.Triage = t
	st.Triaged = true
	st.Summary = t.Summary
	switch {
	case !c.s.KategoriSet:
		st.Kategori, st.Subkategori = t.Kategori, t.Subkategori
	case t.Kategori == st.Kategori:
		// A subkategori of another kategori would not fit the client's.
		st.Subkategori = t.Subkategori
	}
	st.Urgency, st.Severity, st.SuggestedUnit = t.Urgency, t.Severity, t.Unit
	st.PeopleAffected, st.Sentiment, st.ModelVersion = t.PeopleAffected, t.Sentiment, t.ModelVersion
	if st.RT == "" {
		st.RT = t.RT
	}
	if st.RW == "" {
		st.RW = t.RW
	}
	if !c.s.AnonimSet && t.Anonim != nil {
		st.Anonim = *t.Anonim
	}
	if !c.s.TembusanSet && t.Tembusan != nil {
		st.Tembusan = *t.Tembusan
	}
	c.touch()
}

// escalationReasons applies the seed's rules: urgency ≥ 4, a critical
// keyword, or the classifier's own flag.
func (c *curhat) escalationReasons() []string {
	var reasons []string
	if c.s.State.Urgency >= 4 {
		reasons = append(reasons, "urgensi "+itoa(c.s.State.Urgency))
	}
	if t := c.s.Triage; t != nil {
		for _, k := range t.CriticalKeywords {
			reasons = append(reasons, "kata kunci kritis: "+k)
		}
		if t.Escalate && len(reasons) == 0 {
			reasons = append(reasons, "ditandai oleh analisis")
		}
	}
	return reasons
}

// openForModerator moves the ticket to open and starts the moderator's SLA
// clock: at receipt for a new ticket, now for a returned or reopened one.
func (c *curhat) openForModerator(ctx workflow.Context) {
	st := &c.s.State
	start := workflow.Now(ctx)
	if st.Status == hailurah.StatusNew {
		start = st.ReceivedAt
	}
	c.s.ModStart = start
	c.s.ModSLA = c.in.Policy.ModeratorSLAFor(st.Urgency)
	due := start.Add(c.s.ModSLA)
	st.ModeratorDue = &due
	st.ModeratorBreachLevel = 0
	st.Verified, st.VerifiedBy = false, ""
	c.setStatus(hailurah.StatusOpen)
}

// awaitModerator waits for a moderator to verify or decide, escalating at
// the SLA and again at each further multiple of it.
func (c *curhat) awaitModerator(ctx workflow.Context) {
	st := &c.s.State
	phase := c.s.Phase
	leave := func() bool { return c.s.Phase != phase || c.continueAsNewSuggested(ctx) }
	for !leave() {
		if st.Verified || st.ModeratorBreachLevel >= c.in.Policy.Escalations() {
			_ = workflow.Await(ctx, leave) // cancelled: run ends the ticket
			return
		}
		deadline := c.s.ModStart.Add(time.Duration(st.ModeratorBreachLevel+1) * c.s.ModSLA)
		held, err := awaitDeadline(ctx, deadline, func() bool { return leave() || st.Verified })
		if err != nil {
			return // cancelled, not breached
		}
		if held {
			continue
		}
		st.ModeratorBreached = true
		st.ModeratorBreachLevel++
		c.record(ctx, hailurah.TicketEvent{Type: hailurah.EventModeratorBreach, Actor: hailurah.ActorSystem,
			From: st.Status, To: st.Status, Note: "Batas waktu verifikasi terlewati, level " + itoa(st.ModeratorBreachLevel)})
		c.notify(ctx, activities.NotifyInput{Kind: hailurah.NotifyModeratorBreach, Level: st.ModeratorBreachLevel,
			To: c.breachAudience(st.ModeratorBreachLevel)})
	}
}

// awaitDinas waits for the unit to finish (or return) the task, escalating
// to the lurah and the moderators at the SLA and at its multiples.
func (c *curhat) awaitDinas(ctx workflow.Context) {
	st := &c.s.State
	// The SLA runs from assign through accept to done, so the wait follows
	// the assignment, not the phase.
	assignment := c.s.Assignment
	moved := func() bool {
		inTask := st.Status == hailurah.StatusAssigned || st.Status == hailurah.StatusInProgress
		return !inTask || c.s.Assignment != assignment || c.continueAsNewSuggested(ctx)
	}
	for !moved() {
		if st.DinasBreachLevel >= c.in.Policy.Escalations() {
			_ = workflow.Await(ctx, moved) // cancelled: run ends the ticket
			return
		}
		deadline := c.in.Policy.Zone.AddWorkingTimeWith(c.s.Holidays, c.s.DinasStart, time.Duration(st.DinasBreachLevel+1)*c.s.DinasSLA, c.s.DinasCal)
		held, err := awaitDeadline(ctx, deadline, moved)
		if err != nil {
			return // cancelled, not breached
		}
		if held {
			continue
		}
		st.DinasBreached = true
		st.DinasBreachLevel++
		c.record(ctx, hailurah.TicketEvent{Type: hailurah.EventDinasBreach, Actor: hailurah.ActorSystem,
			From: st.Status, To: st.Status, Note: "Batas waktu unit " + st.Unit + " terlewati, level " + itoa(st.DinasBreachLevel)})
		// The unit's officers hear of their own overdue task too (issue
		// 19): an activity input, so recorded histories replay unchanged.
		c.notify(ctx, activities.NotifyInput{Kind: hailurah.NotifyDinasBreach, Level: st.DinasBreachLevel,
			To: append(c.breachAudience(st.DinasBreachLevel), hailurah.Audience{Role: hailurah.RoleDinas, Unit: st.Unit})})
	}
}

// awaitConfirmation is the close-the-loop wait: a reminder, then closing
// the ticket when the citizen never answers SESUDAH or BELUM.
func (c *curhat) awaitConfirmation(ctx workflow.Context) {
	st := &c.s.State
	phase := c.s.Phase
	leave := func() bool { return c.s.Phase != phase || c.continueAsNewSuggested(ctx) }
	asked := *st.ConfirmAskedAt
	// A cancelled wait is no answer from the citizen: run ends the ticket.
	if !c.s.ReminderSent {
		if held, err := awaitDeadline(ctx, asked.Add(c.in.Policy.ReminderAfter()), leave); held || err != nil {
			return
		}
		c.s.ReminderSent = true
		c.record(ctx, hailurah.TicketEvent{Type: hailurah.EventConfirmReminder, Actor: hailurah.ActorSystem,
			From: st.Status, To: st.Status})
		c.sendCitizen(ctx, activities.SendCitizenInput{Kind: hailurah.OutboxConfirmReminder})
	}
	if held, err := awaitDeadline(ctx, asked.Add(c.in.Policy.AutoCloseAfter()), leave); held || err != nil {
		return
	}
	now := workflow.Now(ctx)
	st.ClosedAt = &now
	from := st.Status
	c.setStatus(hailurah.StatusClosed)
	c.record(ctx, hailurah.TicketEvent{Type: hailurah.EventAutoClosed, Actor: hailurah.ActorSystem,
		From: from, To: hailurah.StatusClosed, Note: "Tidak ada konfirmasi dari warga."})
	c.sendCitizen(ctx, activities.SendCitizenInput{Kind: hailurah.OutboxClosed})
}

// awaitRating keeps a resolved ticket open for its rating for as long as
// the close-the-loop question would wait. It reports whether the ticket is
// finished (rated or out of time) rather than continuing as new.
func (c *curhat) awaitRating(ctx workflow.Context) bool {
	st := &c.s.State
	until := st.ResolvedAt.Add(c.in.Policy.AutoCloseAfter())
	if _, err := awaitDeadline(ctx, until, func() bool { return st.Rating != 0 || c.continueAsNewSuggested(ctx) }); err != nil {
		return false // cancelled: run ends the ticket
	}
	return st.Rating != 0 || !workflow.Now(ctx).Before(until)
}

// idle reports that no update handler, citizen message or buffered signal
// is pending, so the run may end.
func (c *curhat) idle(ctx workflow.Context) bool {
	return workflow.AllHandlersFinished(ctx) && c.busy == 0 && c.fetching == 0 && c.signals.Len() == 0 && c.phones.Len() == 0
}

func (c *curhat) finish(ctx workflow.Context) (*hailurah.TicketState, error) {
	if err := workflow.Await(ctx, func() bool { return c.idle(ctx) }); err != nil {
		return nil, err
	}
	s := c.snapshot()
	return &s, nil
}

// cancelled ends a ticket whose workflow was cancelled (the Temporal UI or
// CLI): one that is not final yet is closed with a note, projected, and
// the moderators, the unit holding its task and the citizen are told. The
// workflow ctx is cancelled, so the activities run on a disconnected one;
// the run then ends as cancelled, which is what the operator asked for.
func (c *curhat) cancelled(ctx workflow.Context) (*hailurah.TicketState, error) {
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	// A handler that was running has set its state; its activities fail
	// at once on the cancelled ctx, so this wait is short.
	_ = workflow.Await(dctx, func() bool { return c.idle(ctx) })
	st := &c.s.State
	if !st.Status.Final() {
		now := workflow.Now(ctx)
		from, unit := st.Status, st.Unit
		st.ClosedAt = &now
		c.setStatus(hailurah.StatusClosed)
		c.record(dctx, hailurah.TicketEvent{Type: hailurah.EventCancelled, Actor: hailurah.ActorSystem,
			From: from, To: hailurah.StatusClosed,
			Note: "Alur kerja tiket dibatalkan oleh operator sistem; tiket ditutup tanpa penyelesaian."})
		to := c.moderators()
		if unit != "" && (from == hailurah.StatusAssigned || from == hailurah.StatusInProgress) {
			to = append(to, hailurah.Audience{Role: hailurah.RoleDinas, Unit: unit})
		}
		c.notify(dctx, activities.NotifyInput{Kind: hailurah.NotifyCancelled, To: to})
		c.sendCitizen(dctx, activities.SendCitizenInput{Kind: hailurah.OutboxStatus, Status: st.Status})
	}
	return nil, ctx.Err()
}

func (c *curhat) continueAsNewSuggested(ctx workflow.Context) bool {
	return workflow.GetInfo(ctx).GetContinueAsNewSuggested()
}

// continueAsNew hands the whole state to a fresh run once the history is
// long (a chatty citizen, a ticket open for months). Timers are deadlines
// in the state, so the new run waits only what is left of them.
func (c *curhat) continueAsNew(ctx workflow.Context) (*hailurah.TicketState, error) {
	if err := workflow.Await(ctx, func() bool { return c.idle(ctx) }); err != nil {
		return nil, err
	}
	resume, err := json.Marshal(c.s)
	if err != nil {
		return nil, err
	}
	next := c.in
	next.Resume = resume
	return nil, workflow.NewContinueAsNewError(ctx, CurhatWorkflow, next)
}

func (c *curhat) remember(id string) {
	if id == "" {
		return
	}
	c.s.Seen = append(c.s.Seen, id)
	if len(c.s.Seen) > seenLimit {
		c.s.Seen = c.s.Seen[len(c.s.Seen)-seenLimit:]
	}
}

func (c *curhat) seen(id string) bool {
	for _, s := range c.s.Seen {
		if s == id {
			return true
		}
	}
	return false
}

func (c *curhat) setStatus(to hailurah.TicketStatus) {
	c.s.State.Status = to
	c.s.Phase++
	c.touch()
}

// touch marks a change: the projection carries the new version.
func (c *curhat) touch() {
	c.s.State.Version++
}

func (c *curhat) snapshot() hailurah.TicketState {
	return c.s.State
}
