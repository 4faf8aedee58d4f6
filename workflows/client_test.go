package workflows_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/mocks"
	"go.temporal.io/sdk/temporal"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/workflows"
)

// TestClientErrors: every kind of case maps Temporal's errors the same
// way, and each names itself: a grant that is not running is "Hibah …",
// not "Tiket …" as the grant wrapper once said.
func TestClientErrors(t *testing.T) {
	ctx := context.Background()
	notFound := serviceerror.NewNotFound("workflow not found")
	tc := &mocks.Client{}
	tc.On("UpdateWorkflow", mock.Anything, mock.Anything).Return(nil, notFound)
	tc.On("SignalWorkflow", mock.Anything, mock.Anything, mock.Anything, mock.Anything, mock.Anything).Return(notFound)
	c := &workflows.Client{Temporal: tc}

	_, err := c.ActGrant(ctx, "G-1", hailurah.GrantActionRequest{})
	if hailurah.ErrorCode(err) != hailurah.ENOTFOUND || hailurah.ErrorMessage(err) != "Hibah G-1 tidak sedang berjalan." {
		t.Errorf("grant not running: %v", err)
	}
	_, err = c.Act(ctx, "HL-1", hailurah.ActionRequest{})
	if hailurah.ErrorCode(err) != hailurah.ENOTFOUND || hailurah.ErrorMessage(err) != "Tiket HL-1 tidak sedang berjalan." {
		t.Errorf("ticket not running: %v", err)
	}
	if err := c.SignalCitizen(ctx, "HL-1", hailurah.CitizenMessage{}); hailurah.ErrorCode(err) != hailurah.ENOTFOUND {
		t.Errorf("signal to an ended ticket: %v", err)
	}
	// A pilot that has ended cannot take its decision any more.
	_, err = c.DecidePilot(ctx, "P-1", hailurah.DecisionRequest{})
	if hailurah.ErrorCode(err) != hailurah.ECONFLICT || !strings.HasPrefix(hailurah.ErrorMessage(err), "Pilot P-1 tidak lagi berjalan") {
		t.Errorf("pilot ended: %v", err)
	}

	// The workflows' refusals keep their message and take their code.
	refused := &mocks.Client{}
	refused.On("UpdateWorkflow", mock.Anything, mock.Anything).
		Return(nil, temporal.NewApplicationError("Hanya lurah yang dapat memutuskan.", workflows.ErrorForbidden))
	_, err = (&workflows.Client{Temporal: refused}).DecidePilot(ctx, "P-1", hailurah.DecisionRequest{})
	if hailurah.ErrorCode(err) != hailurah.EFORBIDDEN || hailurah.ErrorMessage(err) != "Hanya lurah yang dapat memutuskan." {
		t.Errorf("refusal: %v", err)
	}

	// Started twice: ECONFLICT naming the case; an unreachable cluster:
	// EUNAVAILABLE.
	twice := &mocks.Client{}
	twice.On("ExecuteWorkflow", mock.Anything, mock.Anything, mock.Anything, mock.Anything).
		Return(nil, serviceerror.NewWorkflowExecutionAlreadyStarted("started", "", ""))
	err = (&workflows.Client{Temporal: twice}).StartGrant(ctx, hailurah.GrantInput{GrantID: "G-2"})
	if hailurah.ErrorCode(err) != hailurah.ECONFLICT || hailurah.ErrorMessage(err) != "Hibah G-2 sudah berjalan." {
		t.Errorf("grant started twice: %v", err)
	}
	down := &mocks.Client{}
	down.On("ExecuteWorkflow", mock.Anything, mock.Anything, mock.Anything, mock.Anything).
		Return(nil, serviceerror.NewUnavailable("connection refused"))
	if err := (&workflows.Client{Temporal: down}).StartCurhat(ctx, hailurah.CurhatInput{TicketID: "HL-2"}); hailurah.ErrorCode(err) != hailurah.EUNAVAILABLE {
		t.Errorf("Temporal down: %v", err)
	}

	// Without a Temporal client every call says the service is not there.
	none := &workflows.Client{}
	if err := none.StartPilot(ctx, hailurah.PilotInput{}); hailurah.ErrorCode(err) != hailurah.EUNAVAILABLE {
		t.Errorf("no client: %v", err)
	}
	if _, err := none.State(ctx, "HL-1"); hailurah.ErrorCode(err) != hailurah.EUNAVAILABLE {
		t.Errorf("no client: %v", err)
	}
}

// TestStartOptions: every case starts on the one task queue and refuses a
// second workflow with its id, even after the first ended.
func TestStartOptions(t *testing.T) {
	opts := workflows.StartOptions(workflows.GrantWorkflowID("G-1"))
	if opts.ID != "grant-G-1" || opts.TaskQueue != workflows.TaskQueue ||
		opts.WorkflowIDReusePolicy.String() != "RejectDuplicate" || opts.WorkflowIDConflictPolicy.String() != "Fail" {
		t.Errorf("start options: %+v", opts)
	}
}
