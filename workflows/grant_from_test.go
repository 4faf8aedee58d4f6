package workflows_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/workflows"
)

// grantFrom is the test grant recorded up to status, its step begun
// stepAgo before the run starts.
func grantFrom(status hailurah.GrantStatus, stepAgo time.Duration, events int, change func(*hailurah.Grant)) hailurah.GrantInput {
	in := grantInput()
	in.AppliedAt = start.Add(-stepAgo - 2*day)
	g := hailurah.Grant{
		ID: in.GrantID, HouseholdID: in.HouseholdID, HouseholdName: in.HouseholdName, Kelurahan: in.Kelurahan, DTKS: in.DTKS,
		Amount: in.Amount, Purpose: in.Purpose, Plan: in.Plan, Status: status, AppliedBy: in.AppliedBy, AppliedAt: in.AppliedAt,
		BaselineOmzet: in.BaselineOmzet, BaselineIncome: in.BaselineIncome, Version: 7, CreatedAt: in.AppliedAt, UpdatedAt: in.AppliedAt,
	}
	if change != nil {
		change(&g)
	}
	in.From = &hailurah.GrantFrom{Grant: g, Events: events}
	return in
}

// A verified grant started from its state: no second application, the
// lurah's step counted from the verification (nine days ago, so the
// first reminder goes at once and the escalation at 14 days), and the
// timeline going on from the recorded events.
func TestGrantFromVerifiedState(t *testing.T) {
	h := newGrantHarness(t)
	h.mustAct(6*day, lurahTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionReject, Reason: "Anggaran dialihkan."})
	// Verified already: a second verification is refused by the status.
	h.refused(time.Hour, fasilTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionVerify,
		Notes: "Usaha berjalan.", Photos: []string{"x.jpg"}}, workflows.ErrorConflict)

	g := h.run(grantFrom(hailurah.GrantVerified, 9*day, 2, func(g *hailurah.Grant) {
		g.VerifiedAt, g.VerifiedBy = at(-9*day), "rina"
		due := start.Add(-2 * day)
		g.ApproveDue = &due
	}))

	equal(t, "timeline", h.events(), []string{
		"reminder verified→verified @0d",
		"escalated verified→verified @5d",
		"reject verified→rejected @6d",
	})
	if e := h.projected[0].in.Event; e.Seq != 3 || e.Key != "HB-2026-000001/default-test-run-id/3" || h.projected[0].in.Grant.Version != 8 {
		t.Errorf("first event %s seq %d, version %d", e.Key, e.Seq, h.projected[0].in.Grant.Version)
	}
	for _, n := range h.notes() {
		if strings.HasPrefix(n, hailurah.NotifyGrantToVerify) {
			t.Errorf("the application was notified again: %s", n)
		}
	}
	if g.Status != hailurah.GrantRejected || g.VerifiedBy != "rina" || g.DecidedBy != "irfa" {
		t.Errorf("final: %+v", g)
	}
}

// A grant in use with two check-ins recorded completes with the third,
// due ten days into the run.
func TestGrantFromInUseCompletes(t *testing.T) {
	h := newGrantHarness(t)
	h.mustAct(9*day, fasilTaman, hailurah.GrantActionRequest{Action: hailurah.GrantActionCheckin, Omzet: omzet(1_300_000)})

	g := h.run(grantFrom(hailurah.GrantInUse, 80*day, 7, func(g *hailurah.Grant) {
		disbursed := start.Add(-80 * day)
		g.DisbursedAt, g.DisbursementRef, g.ProofAt = &disbursed, "TRF-9", at(-75*day)
		for n := 1; n <= 3; n++ {
			c := hailurah.GrantCheckin{N: n, Due: disbursed.Add(time.Duration(30*n) * day)}
			if n < 3 {
				c.At, c.Omzet = at(time.Duration(30*n-80)*day), omzet(1_100_000)
			}
			g.Checkins = append(g.Checkins, c)
		}
	}))

	equal(t, "timeline", h.events(), []string{
		"checkin in_use→in_use @9d",
		"completed in_use→completed @9d",
	})
	if g.Status != hailurah.GrantCompleted || g.OmzetChangePct == nil || *g.OmzetChangePct != 30 {
		t.Errorf("final: %+v", g)
	}
}

func TestGrantFromRefusesIncompleteState(t *testing.T) {
	for _, in := range []hailurah.GrantInput{
		grantFrom(hailurah.GrantVerified, day, 2, nil),
		grantFrom(hailurah.GrantDisbursed, day, 4, func(g *hailurah.Grant) { g.DisbursedAt = at(-day) }),
		grantFrom(hailurah.GrantCompleted, day, 9, nil),
		grantFrom(hailurah.GrantApplied, day, 1, func(g *hailurah.Grant) { g.ID = "HB-2026-000002" }),
	} {
		h := newGrantHarness(t)
		h.env.ExecuteWorkflow(workflows.GrantWorkflow, in)
		if err := h.env.GetWorkflowError(); err == nil || !strings.Contains(err.Error(), "cannot start the grant from its state") {
			t.Errorf("%s: %v", fmt.Sprint(in.From.Grant.Status), err)
		}
	}
}
