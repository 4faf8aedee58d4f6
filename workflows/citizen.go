package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/activities"
)

// listen handles the citizen's messages one at a time, in arrival order:
// "BELUM" followed by more text must not be handled the other way round.
func (c *curhat) listen(ctx workflow.Context) {
	for {
		var m hailurah.CitizenMessage
		c.signals.Receive(ctx, &m)
		c.busy++
		c.onMessage(ctx, m)
		c.busy--
	}
}

func (c *curhat) onMessage(ctx workflow.Context, m hailurah.CitizenMessage) {
	st := &c.s.State
	// WhatsApp redelivers a message it is not sure arrived; the server
	// signals each delivery.
	if m.ID != "" && c.seen(m.ID) {
		return
	}
	c.remember(m.ID)
	at := m.At
	if at.IsZero() {
		at = workflow.Now(ctx)
	}
	if at.After(st.LastCitizenMessageAt) {
		st.LastCitizenMessageAt = at
	}
	st.MessagesCount++
	if c.s.Lat == nil && m.Lat != nil && m.Lng != nil {
		c.s.Lat, c.s.Lng = m.Lat, m.Lng
	}

	if c.voiceNote(ctx, m) {
		c.onVoice(ctx, m)
		return
	}

	var cmd activities.Command
	if err := workflow.ExecuteLocalActivity(parseOptions(ctx), activities.ParseCitizenMessage, m.Text).Get(ctx, &cmd); err != nil {
		c.logger.Warn("parsing a citizen message failed; kept as text", "ticket", st.TicketID, "error", err)
		cmd = activities.Command{}
	}

	// The flags matter to intake itself (TEMBUSAN YA before triage ends is
	// honoured by the rules step), so they apply at once.
	switch cmd.Kind {
	case activities.CommandAnonim:
		st.Anonim, c.s.AnonimSet = cmd.Value, true
		c.recordMessage(ctx, m, hailurah.EventFlags)
		c.sendCitizen(ctx, activities.SendCitizenInput{Kind: hailurah.OutboxFlags, Anonim: st.Anonim, Tembusan: st.Tembusan})
		return
	case activities.CommandTembusan:
		st.Tembusan, c.s.TembusanSet = cmd.Value, true
		c.recordMessage(ctx, m, hailurah.EventFlags)
		c.sendCitizen(ctx, activities.SendCitizenInput{Kind: hailurah.OutboxFlags, Anonim: st.Anonim, Tembusan: st.Tembusan})
		if st.Tembusan && c.s.IntakeDone && !c.s.LurahNotified {
			c.notifyLurahTembusan(ctx)
		}
		return
	}

	// Every other command acts on the triaged ticket.
	if err := workflow.Await(ctx, func() bool { return c.s.IntakeDone }); err != nil {
		return
	}
	switch cmd.Kind {
	case activities.CommandLanjut:
		c.recordMessage(ctx, m, hailurah.EventCitizenMessage)
		if c.s.ReplySent {
			c.sendCitizen(ctx, activities.SendCitizenInput{Kind: hailurah.OutboxReply, Triage: c.s.Triage})
		} else {
			c.sendCitizen(ctx, activities.SendCitizenInput{Kind: hailurah.OutboxStatus, Status: st.Status})
		}

	case activities.CommandStatus:
		c.recordMessage(ctx, m, hailurah.EventCitizenMessage)
		c.sendCitizen(ctx, activities.SendCitizenInput{Kind: hailurah.OutboxStatus, Status: st.Status})

	case activities.CommandMintaDraft:
		c.recordMessage(ctx, m, hailurah.EventDraftSent)
		var draft string
		in := activities.DraftInput{TicketID: st.TicketID, Kelurahan: st.Kelurahan, KelurahanName: st.KelurahanName,
			RT: st.RT, RW: st.RW, Anonim: st.Anonim, Arg: cmd.Arg, Text: c.in.First.Text,
			Kategori: st.Kategori, Subkategori: st.Subkategori, Summary: st.Summary, Unit: nonEmpty(st.Unit, st.SuggestedUnit)}
		if err := workflow.ExecuteActivity(storeOptions(ctx), a.DraftLetter, in).Get(ctx, &draft); err != nil {
			c.logger.Error("drafting the letter failed", "ticket", st.TicketID, "error", err)
			return
		}
		c.sendCitizen(ctx, activities.SendCitizenInput{Kind: hailurah.OutboxDraft, Text: draft})

	case activities.CommandSesudah:
		if st.Status.Final() {
			c.recordMessage(ctx, m, hailurah.EventCitizenMessage)
			return
		}
		// SESUDAH closes the loop whenever it comes: the AI reply invites
		// the citizen to say so once solution A worked, before any staff
		// acted.
		now := workflow.Now(ctx)
		from := st.Status
		st.ResolvedAt = &now
		c.setStatus(hailurah.StatusResolved)
		c.record(ctx, hailurah.TicketEvent{Type: hailurah.EventCitizenConfirmed, Actor: hailurah.ActorCitizen,
			From: from, To: st.Status, Note: m.Text})
		c.sendCitizen(ctx, activities.SendCitizenInput{Kind: hailurah.OutboxRatingQuestion})

	case activities.CommandBelum:
		if st.Status != hailurah.StatusAwaitingConfirmation {
			// A late BELUM on a resolved ticket is recorded as a message
			// (DESIGN.md); before the question it is just text.
			c.recordMessage(ctx, m, hailurah.EventCitizenMessage)
			return
		}
		from := st.Status
		st.ReopenedCount++
		// The moderator decides again whether the same unit gets the task.
		st.Unit, st.DinasDue = "", nil
		c.openForModerator(ctx)
		c.record(ctx, hailurah.TicketEvent{Type: hailurah.EventCitizenReopened, Actor: hailurah.ActorCitizen,
			From: from, To: st.Status, Note: m.Text})
		c.notify(ctx, activities.NotifyInput{Kind: hailurah.NotifyReopened, To: c.moderators()})
		c.sendCitizen(ctx, activities.SendCitizenInput{Kind: hailurah.OutboxReopened})

	case activities.CommandRating:
		if st.Status != hailurah.StatusResolved {
			c.recordMessage(ctx, m, hailurah.EventCitizenMessage)
			return
		}
		st.Rating = cmd.Rating
		c.record(ctx, hailurah.TicketEvent{Type: hailurah.EventRated, Actor: hailurah.ActorCitizen,
			From: st.Status, To: st.Status, Note: itoa(cmd.Rating) + "/5"})
		c.sendCitizen(ctx, activities.SendCitizenInput{Kind: hailurah.OutboxRatingThanks})

	default:
		c.recordMessage(ctx, m, hailurah.EventCitizenMessage)
	}
}

// recordMessage appends the citizen's message to the timeline.
func (c *curhat) recordMessage(ctx workflow.Context, m hailurah.CitizenMessage, typ string) {
	st := &c.s.State
	c.record(ctx, hailurah.TicketEvent{Type: typ, Actor: hailurah.ActorCitizen,
		From: st.Status, To: st.Status, Note: m.Text, Attachments: m.Media})
	c.fetchMedia(ctx, m.Media)
}
