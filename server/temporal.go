package server

import (
	"context"
	"errors"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/workflows"
)

// TemporalCases runs the case workflows on a Temporal client.
type TemporalCases struct {
	Client client.Client
}

var _ Cases = (*TemporalCases)(nil)

// StartCurhat starts the ticket's workflow. The id reuse policy refuses a
// second workflow for the same ticket, even after the first has ended.
func (t *TemporalCases) StartCurhat(ctx context.Context, in hailurah.CurhatInput) error {
	opts := client.StartWorkflowOptions{
		ID:                       workflows.CurhatWorkflowID(in.TicketID),
		TaskQueue:                workflows.TaskQueue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
	}
	_, err := t.Client.ExecuteWorkflow(ctx, opts, workflows.CurhatWorkflow, in)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return hailurah.Errorf(hailurah.ECONFLICT, "Tiket %s sudah berjalan.", in.TicketID)
	}
	return unavailable(err)
}

func (t *TemporalCases) SignalCitizen(ctx context.Context, ticketID string, m hailurah.CitizenMessage) error {
	err := t.Client.SignalWorkflow(ctx, workflows.CurhatWorkflowID(ticketID), "", workflows.SignalCitizenMessage, m)
	return workflowError(ticketID, err)
}

func (t *TemporalCases) Act(ctx context.Context, ticketID string, req hailurah.ActionRequest) (*hailurah.TicketState, error) {
	handle, err := t.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   workflows.CurhatWorkflowID(ticketID),
		UpdateName:   workflows.UpdateAction,
		Args:         []any{req},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return nil, workflowError(ticketID, err)
	}
	var state hailurah.TicketState
	if err := handle.Get(ctx, &state); err != nil {
		return nil, workflowError(ticketID, err)
	}
	return &state, nil
}

func (t *TemporalCases) State(ctx context.Context, ticketID string) (*hailurah.TicketState, error) {
	v, err := t.Client.QueryWorkflow(ctx, workflows.CurhatWorkflowID(ticketID), "", workflows.QueryState)
	if err != nil {
		return nil, workflowError(ticketID, err)
	}
	var state hailurah.TicketState
	if err := v.Get(&state); err != nil {
		return nil, err
	}
	return &state, nil
}

// workflowError turns Temporal's errors into the application's: the
// workflow's own refusals keep their message (written for the user), a
// finished or unknown workflow is ENOTFOUND, an unreachable cluster is
// EUNAVAILABLE.
func workflowError(ticketID string, err error) error {
	if err == nil {
		return nil
	}
	if refused, ok := refusal(err); ok {
		return refused
	}
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return hailurah.Errorf(hailurah.ENOTFOUND, "Tiket %s tidak sedang berjalan.", ticketID)
	}
	return unavailable(err)
}

// refusal turns an application error a workflow returned into the
// application's own: the workflows' Error* types keep their message, which
// is written for the user; other application errors pass unchanged. It
// reports false for errors that are not application errors.
func refusal(err error) (error, bool) {
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) {
		return nil, false
	}
	switch appErr.Type() {
	case workflows.ErrorForbidden:
		return hailurah.Errorf(hailurah.EFORBIDDEN, "%s", appErr.Message()), true
	case workflows.ErrorConflict:
		return hailurah.Errorf(hailurah.ECONFLICT, "%s", appErr.Message()), true
	case workflows.ErrorInvalid:
		return hailurah.Errorf(hailurah.EINVALID, "%s", appErr.Message()), true
	}
	return err, true
}

// unavailable marks errors of an unreachable Temporal cluster, so callers
// (a webhook) answer 503 and the sender retries.
func unavailable(err error) error {
	if err == nil {
		return nil
	}
	var unavail *serviceerror.Unavailable
	var deadline *serviceerror.DeadlineExceeded
	if errors.As(err, &unavail) || errors.As(err, &deadline) || errors.Is(err, context.DeadlineExceeded) {
		return &hailurah.Error{Code: hailurah.EUNAVAILABLE, Message: "Layanan alur kerja sedang tidak tersedia. Coba lagi sebentar lagi."}
	}
	return err
}
