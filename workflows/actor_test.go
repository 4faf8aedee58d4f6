package workflows_test

import (
	"testing"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/worker"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/workflows"
)

// TestUnsignedActorRefused: with the worker's ActorSigner, an update whose
// actor the server did not sign (as `temporal workflow update` would send
// it), or whose signature belongs to another actor or another case, is
// refused by validation as forbidden and never enters the history; the
// same actions signed by the server's key go through.
func TestUnsignedActorRefused(t *testing.T) {
	key := workflows.ActorKey("rahasia-aplikasi-yang-panjang-sekali-0123456789")
	id := workflows.CurhatWorkflowID("HL-2026-000001")
	h := newHarness(t, start)
	h.env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: id})
	h.env.SetWorkerOptions(worker.Options{Interceptors: []interceptor.WorkerInterceptor{workflows.NewActorSigner(key)}})
	sign := func(a hailurah.Actor) hailurah.Actor { return workflows.SignActor(key, id, a) }
	admin := hailurah.Actor{Username: "penyusup", Role: hailurah.RoleAdmin}
	asAdmin := sign(modTaman)
	asAdmin.Role = hailurah.RoleAdmin
	assign := hailurah.ActionRequest{Action: hailurah.ActionAssign, Unit: "pupr"}

	forged := map[string]*updateResult{
		"unsigned admin":                    h.act(hour, admin, assign),
		"moderator's signature, role admin": h.act(hour, asAdmin, assign),
		"signed for another ticket":         h.act(hour, workflows.SignActor(key, workflows.CurhatWorkflowID("HL-2026-000002"), modTaman), assign),
		"signed with another key":           h.act(hour, workflows.SignActor(workflows.ActorKey("kunci-lain"), id, modTaman), assign),
	}
	h.mustAct(2*hour, sign(modTaman), hailurah.ActionRequest{Action: hailurah.ActionAssign, Unit: "dlh"})
	h.mustAct(3*hour, sign(dinasDLH), hailurah.ActionRequest{Action: hailurah.ActionAccept})
	h.mustAct(4*hour, sign(dinasDLH), hailurah.ActionRequest{Action: hailurah.ActionDone, Text: "Selesai."})
	h.say(5*hour, "SESUDAH")
	h.say(6*hour, "5")

	st := h.run(input())
	for name, r := range forged {
		if !r.rejected || r.accepted || errorType(r.err) != workflows.ErrorForbidden {
			t.Errorf("%s: want refused as forbidden before it is accepted, got %+v", name, r)
		}
	}
	if st.Unit != "dlh" || len(h.eventsOf(hailurah.ActionAssign)) != 1 {
		t.Errorf("only the signed assignment counts: unit %q, %d assign events", st.Unit, len(h.eventsOf(hailurah.ActionAssign)))
	}
}
