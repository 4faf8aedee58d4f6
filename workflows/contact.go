package workflows

import (
	"context"

	"go.temporal.io/sdk/workflow"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/activities"
)

// contactChange is the workflow.GetVersion change id of SignalContact. A
// worker without the handler leaves the signal unread; when a newer worker
// replays that history, the change reads DefaultVersion there and the
// signal is dropped as the old worker did, instead of issuing commands the
// history lacks.
const contactChange = "contact-change"

// listenPhones handles the confirmed phones, one at a time.
func (c *curhat) listenPhones(ctx workflow.Context) {
	for {
		var to hailurah.ContactChange
		c.phones.Receive(ctx, &to)
		c.busy++
		c.onContact(ctx, to)
		c.busy--
	}
}

// onContact sends the ticket's messages to the phone the citizen
// confirmed, records that on the timeline and tells the phone. Repeating
// the same contact changes nothing.
func (c *curhat) onContact(ctx workflow.Context, to hailurah.ContactChange) {
	if workflow.GetVersion(ctx, contactChange, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return
	}
	if to.SenderID == "" || to.Channel == "" || to == c.s.Contact {
		return
	}
	st := &c.s.State
	c.s.Contact = to
	c.record(ctx, hailurah.TicketEvent{Type: hailurah.EventPhoneConfirmed, Actor: hailurah.ActorCitizen,
		From: st.Status, To: st.Status, Note: "Warga mengonfirmasi nomor WhatsApp dengan kode."})
	c.sendCitizen(ctx, activities.SendCitizenInput{Kind: hailurah.OutboxPhoneLinked})
}

// ChangeContact sends the ticket's messages to a contact the citizen
// confirmed. Returns ENOTFOUND if the workflow has ended.
func (c *Client) ChangeContact(ctx context.Context, ticketID string, to hailurah.ContactChange) error {
	if c.Temporal == nil {
		return errNoClient()
	}
	err := c.Temporal.SignalWorkflow(ctx, CurhatWorkflowID(ticketID), "", SignalContact, to)
	return caseError(nounTicket, ticketID, err)
}
