package workflows_test

import (
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/workflows"
)

// TestContactChange: a web ticket's messages are posted for the tracking
// page until the citizen confirms their phone; from then on they go to the
// phone on WhatsApp, the first telling it that it follows the ticket. The
// same confirmation again changes nothing.
func TestContactChange(t *testing.T) {
	h := newHarness(t, start)
	in := input()
	in.Channel, in.SenderID = hailurah.ChannelWeb, "gw-unverified"
	to := hailurah.ContactChange{SenderID: "phone-pseudonym", Channel: hailurah.ChannelWhatsApp}
	for _, d := range []time.Duration{time.Hour, 2 * time.Hour} {
		h.env.RegisterDelayedCallback(func() { h.env.SignalWorkflow(workflows.SignalContact, to) }, d)
	}
	h.say(3*time.Hour, "STATUS")
	h.say(4*time.Hour, "SESUDAH")
	h.say(5*time.Hour, "5")

	st := h.run(in)

	if st.Status != hailurah.StatusResolved || st.Rating != 5 {
		t.Errorf("final: %+v", st)
	}
	for _, s := range h.sent {
		before := s.at < time.Hour
		wantTo, wantChannel := to.SenderID, to.Channel
		if before {
			wantTo, wantChannel = in.SenderID, in.Channel
		}
		if s.in.Recipient != wantTo || s.in.Channel != wantChannel {
			t.Errorf("%s at %v went to %s on %s, want %s on %s", s.in.Kind, s.at, s.in.Recipient, s.in.Channel, wantTo, wantChannel)
		}
	}
	if linked := h.sentOf(hailurah.OutboxPhoneLinked); len(linked) != 1 || linked[0].at != time.Hour {
		t.Errorf("phone linked messages: %+v", linked)
	}
	if ev := h.eventsOf(hailurah.EventPhoneConfirmed); len(ev) != 1 || ev[0].in.Event.Actor != hailurah.ActorCitizen {
		t.Errorf("timeline: %v", h.events())
	}
	if tk := h.lastTicket(); tk.SenderID != to.SenderID || tk.Channel != hailurah.ChannelWeb {
		t.Errorf("projected sender %q on %q, want the phone's on the web (where the curhat came from)", tk.SenderID, tk.Channel)
	}
}
