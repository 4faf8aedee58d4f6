package workflows

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/activities"
)

// storeOptions are for activities that write to the store, the outbox or
// the notifications. They retry for a day: a projection or a message that
// is given up on leaves the read model wrong or the citizen unanswered, so
// a database outage should delay them, not drop them.
func storeOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout:    30 * time.Second,
		ScheduleToCloseTimeout: 24 * time.Hour,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    time.Minute,
		},
	})
}

// triageOptions give the classifier (Gemini with a rules fallback) a few
// tries; after that a moderator classifies by hand.
func triageOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 2 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    2 * time.Second,
			BackoffCoefficient: 2,
			MaximumAttempts:    3,
		},
	})
}

func parseOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: 5 * time.Second,
	})
}

// runID names the run whose effects (events, messages, notifications) a key
// belongs to. A retried activity is in the same run and writes the same
// key, so it writes once. `temporal workflow reset` starts a new run that
// replays the old one up to the reset point and then counts its sequence
// numbers on from there: without the run in the key its new events and
// messages would carry the abandoned timeline's keys and be dropped as
// duplicates. The key is an activity input, not a command, so recorded
// histories replay as before.
func runID(ctx workflow.Context) string { return workflow.GetInfo(ctx).WorkflowExecution.RunID }

// record appends an event to the ticket's timeline and projects the ticket
// as it is now. The event key and the ticket's version are fixed before the
// activity runs, so concurrent handlers cannot mix them up and a retry
// writes the same rows.
func (c *curhat) record(ctx workflow.Context, e hailurah.TicketEvent) {
	st := &c.s.State
	now := workflow.Now(ctx)
	c.s.EventSeq++
	e.Seq = c.s.EventSeq
	e.Key = st.TicketID + "/" + runID(ctx) + "/" + strconv.Itoa(e.Seq)
	e.TicketID = st.TicketID
	e.At = now
	st.UpdatedAt = now
	c.touch()
	c.upsertSearch(ctx)
	in := activities.ProjectInput{Ticket: c.ticket(), Event: &e}
	if err := workflow.ExecuteActivity(storeOptions(ctx), a.ProjectTicket, in).Get(ctx, nil); err != nil {
		c.logger.Error("projecting the ticket failed", "ticket", st.TicketID, "event", e.Key, "error", err)
	}
}

// sendCitizen fills in the addressing and queues one message to the
// citizen.
func (c *curhat) sendCitizen(ctx workflow.Context, in activities.SendCitizenInput) {
	st := &c.s.State
	c.s.SendSeq++
	in.Run, in.Seq = runID(ctx), c.s.SendSeq
	in.TicketID = st.TicketID
	in.Channel, in.Recipient = c.in.Channel, c.in.SenderID
	if to := c.s.Contact; to.SenderID != "" {
		in.Channel, in.Recipient = to.Channel, to.SenderID
	}
	in.Kelurahan, in.KelurahanName = st.Kelurahan, st.KelurahanName
	in.LastCitizenAt = st.LastCitizenMessageAt
	if err := workflow.ExecuteActivity(storeOptions(ctx), a.SendCitizen, in).Get(ctx, nil); err != nil {
		c.logger.Error("queueing a citizen message failed", "ticket", st.TicketID, "kind", in.Kind, "error", err)
	}
}

// notify sends a staff notification about the ticket as it is now.
func (c *curhat) notify(ctx workflow.Context, in activities.NotifyInput) {
	st := &c.s.State
	c.s.NotifySeq++
	in.Key = fmt.Sprintf("%s/%s/%s/%d", st.TicketID, runID(ctx), in.Kind, c.s.NotifySeq)
	in.Ticket = c.snapshot()
	if t := c.s.Triage; t != nil && in.Suggestion == "" {
		in.Suggestion = t.Solutions.B
		if in.Suggestion == "" {
			in.Suggestion = t.Solutions.C
		}
	}
	if err := workflow.ExecuteActivity(storeOptions(ctx), a.NotifyStaff, in).Get(ctx, nil); err != nil {
		c.logger.Error("notifying staff failed", "ticket", st.TicketID, "kind", in.Kind, "error", err)
	}
}

// escalate marks the ticket escalated and sends the seed's [NOTIF] to the
// lurah, with the moderators in copy.
func (c *curhat) escalate(ctx workflow.Context, reasons []string) {
	st := &c.s.State
	st.Escalated = true
	c.s.LurahNotified = true
	c.record(ctx, hailurah.TicketEvent{Type: hailurah.EventEscalated, Actor: hailurah.ActorSystem,
		From: st.Status, To: st.Status, Note: "Eskalasi ke Lurah: " + strings.Join(reasons, ", ")})
	c.notify(ctx, activities.NotifyInput{Kind: hailurah.NotifyEscalation, To: c.audience(c.lurah(), c.moderator())})
}

// notifyLurahTembusan sends the [NOTIF] the citizen asked for with
// TEMBUSAN: YA.
func (c *curhat) notifyLurahTembusan(ctx workflow.Context) {
	c.s.LurahNotified = true
	c.notify(ctx, activities.NotifyInput{Kind: hailurah.NotifyTembusan, To: c.audience(c.lurah())})
}

// lurah is who escalations go to: the lurah of the ticket's kelurahan, or
// the city's admins while the ticket waits in the city queue.
func (c *curhat) lurah() hailurah.Audience {
	if k := c.s.State.Kelurahan; k != "" {
		return hailurah.Audience{Role: hailurah.RoleLurah, Kelurahan: k}
	}
	return hailurah.Audience{Role: hailurah.RoleAdmin}
}

func (c *curhat) moderator() hailurah.Audience {
	if k := c.s.State.Kelurahan; k != "" {
		return hailurah.Audience{Role: hailurah.RoleModerator, Kelurahan: k}
	}
	return hailurah.Audience{Role: hailurah.RoleAdmin}
}

func (c *curhat) moderators() []hailurah.Audience { return []hailurah.Audience{c.moderator()} }

// breachAudience is the lurah and the moderators; from the second level on
// the city's admins too.
func (c *curhat) breachAudience(level int) []hailurah.Audience {
	to := []hailurah.Audience{c.lurah(), c.moderator()}
	if level >= 2 {
		to = append(to, hailurah.Audience{Role: hailurah.RoleAdmin})
	}
	return c.audience(to...)
}

// audience drops duplicates, which happen for tickets in the city queue
// where the lurah and the moderators are both the admins.
func (c *curhat) audience(to ...hailurah.Audience) []hailurah.Audience {
	var out []hailurah.Audience
	for _, x := range to {
		dup := false
		for _, y := range out {
			dup = dup || x == y
		}
		if !dup {
			out = append(out, x)
		}
	}
	return out
}

// ticket is the store's row for the ticket as it is now.
func (c *curhat) ticket() *hailurah.Ticket {
	st := &c.s.State
	t := &hailurah.Ticket{
		ID:                      st.TicketID,
		TrackingCode:            st.TrackingCode,
		DatetimeReceived:        st.ReceivedAt,
		Channel:                 st.Channel,
		SenderID:                c.in.SenderID,
		Kelurahan:               st.Kelurahan,
		RT:                      st.RT,
		RW:                      st.RW,
		MessageText:             c.in.First.Text,
		Summary:                 st.Summary,
		Kategori:                st.Kategori,
		Subkategori:             st.Subkategori,
		UrgencyScore:            st.Urgency,
		Severity:                st.Severity,
		EstimatedPeopleAffected: st.PeopleAffected,
		SuggestedUnit:           st.SuggestedUnit,
		AssignedUnit:            st.Unit,
		EscalationFlag:          st.Escalated,
		TembusanFlag:            st.Tembusan,
		PrivacyFlag:             st.Anonim,
		Lat:                     c.s.Lat,
		Lng:                     c.s.Lng,
		SentimentScore:          st.Sentiment,
		ModelVersion:            st.ModelVersion,
		FinalActionTaken:        st.FinalAction,
		Status:                  st.Status,
		ModeratorDue:            st.ModeratorDue,
		DinasDue:                st.DinasDue,
		ModeratorBreached:       st.ModeratorBreached,
		DinasBreached:           st.DinasBreached,
		ModeratorBreachLevel:    st.ModeratorBreachLevel,
		DinasBreachLevel:        st.DinasBreachLevel,
		Verified:                st.Verified,
		ReopenedCount:           st.ReopenedCount,
		Rating:                  st.Rating,
		RejectReason:            st.RejectReason,
		DuplicateOf:             st.DuplicateOf,
		LastCitizenMessageAt:    st.LastCitizenMessageAt,
		MessagesCount:           st.MessagesCount,
		AssignedAt:              st.AssignedAt,
		ResolvedAt:              st.ResolvedAt,
		ClosedAt:                st.ClosedAt,
		Version:                 st.Version,
		CreatedAt:               st.ReceivedAt,
		UpdatedAt:               st.UpdatedAt,
	}
	if to := c.s.Contact; to.SenderID != "" {
		// The store keeps the sender it has (the confirmation wrote the
		// phone's); this one counts where the intake's insert failed and
		// the projection makes the row.
		t.SenderID = to.SenderID
	}
	if c.s.Triage != nil {
		t.SuggestedResponseType = c.s.Triage.SuggestedResponse
	}
	if raw, err := json.Marshal(c.in.First); err == nil {
		t.RawPayload = raw
	}
	return t
}

// searchValues are the search attributes last set, so unchanged values are
// not upserted again at every event.
type searchValues struct {
	set       bool
	kelurahan string
	status    string
	unit      string
	urgency   int
}

var (
	searchKelurahan = temporal.NewSearchAttributeKeyKeyword(SearchAttrKelurahan)
	searchStatus    = temporal.NewSearchAttributeKeyKeyword(SearchAttrStatus)
	searchUnit      = temporal.NewSearchAttributeKeyKeyword(SearchAttrUnit)
	searchUrgency   = temporal.NewSearchAttributeKeyInt64(SearchAttrUrgency)
)

func (c *curhat) upsertSearch(ctx workflow.Context) {
	st := &c.s.State
	v := searchValues{set: true, kelurahan: st.Kelurahan, status: string(st.Status), unit: st.Unit, urgency: st.Urgency}
	if v == c.search {
		return
	}
	c.search = v
	if err := workflow.UpsertTypedSearchAttributes(ctx,
		searchKelurahan.ValueSet(v.kelurahan),
		searchStatus.ValueSet(v.status),
		searchUnit.ValueSet(v.unit),
		searchUrgency.ValueSet(int64(v.urgency)),
	); err != nil {
		c.logger.Warn("upserting search attributes failed", "ticket", st.TicketID, "error", err)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
