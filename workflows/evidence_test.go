package workflows_test

import (
	"reflect"
	"testing"

	"github.com/hailurah/hailurah"
)

// TestDoneSendsTheUnitsWorkToTheCitizen: the confirmation after a unit's
// done action carries the unit, its note and its evidence to the
// activity that composes it, so the citizen learns who did what and sees
// the photo. The question after a moderator's resolve carries none.
func TestDoneSendsTheUnitsWorkToTheCitizen(t *testing.T) {
	h := newHarness(t, start)
	h.mustAct(hour, modTaman, hailurah.ActionRequest{Action: hailurah.ActionAssign, Unit: "dlh"})
	h.mustAct(2*hour, dinasDLH, hailurah.ActionRequest{Action: hailurah.ActionAccept})
	evidence := []string{"whatsapp-media:778899", "/bukti/HL-2026-000123/0123456789abcdef0123456789abcdef.jpg"}
	h.mustAct(day, dinasDLH, hailurah.ActionRequest{Action: hailurah.ActionDone, Text: "Got sudah dikeruk.", Evidence: evidence})
	h.say(day+hour, "SESUDAH")
	h.say(day+2*hour, "5")
	h.run(input())

	confirms := h.sentOf(hailurah.OutboxConfirm)
	if len(confirms) != 1 {
		t.Fatalf("%d confirmations", len(confirms))
	}
	in := confirms[0].in
	if in.Unit != "dlh" || in.Note != "Got sudah dikeruk." || !reflect.DeepEqual(in.Evidence, evidence) || confirms[0].at != day {
		t.Errorf("confirmation input: unit %q note %q evidence %q at %v", in.Unit, in.Note, in.Evidence, confirms[0].at)
	}
}
