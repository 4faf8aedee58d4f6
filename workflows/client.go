package workflows

import (
	"context"
	"errors"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/hailurah/hailurah"
)

// Client starts, signals, updates and queries the case workflows on a
// Temporal client, and turns Temporal's errors into the application's:
// the workflows' refusals keep their message (written for the user), a
// workflow that is not running is ENOTFOUND, an unreachable cluster is
// EUNAVAILABLE. The server, the CLI and the bench all go through it.
//
// A Client without a Temporal client answers every call EUNAVAILABLE, so
// a server built without Temporal (a test) says so instead of failing.
type Client struct {
	Temporal client.Client
}

// StartOptions are the options every case workflow starts with: on the
// one task queue, and an id reuse policy that refuses a second workflow
// for the same case, even after the first has ended.
func StartOptions(workflowID string) client.StartWorkflowOptions {
	return client.StartWorkflowOptions{
		ID:                       workflowID,
		TaskQueue:                TaskQueue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
	}
}

// The nouns the errors of each kind of case name it by.
const (
	nounTicket = "Tiket"
	nounGrant  = "Hibah"
	nounPilot  = "Pilot"
)

// StartCurhat starts the ticket's CurhatWorkflow. Returns ECONFLICT when
// the ticket's workflow was started before, EUNAVAILABLE when Temporal
// cannot be reached.
func (c *Client) StartCurhat(ctx context.Context, in hailurah.CurhatInput) error {
	return c.start(ctx, nounTicket, in.TicketID, CurhatWorkflowID(in.TicketID), CurhatWorkflow, in)
}

// SignalCitizen delivers a citizen's message to the ticket's workflow.
// Returns ENOTFOUND if the workflow is not running.
func (c *Client) SignalCitizen(ctx context.Context, ticketID string, m hailurah.CitizenMessage) error {
	if c.Temporal == nil {
		return errNoClient()
	}
	err := c.Temporal.SignalWorkflow(ctx, CurhatWorkflowID(ticketID), "", SignalCitizenMessage, m)
	return caseError(nounTicket, ticketID, err)
}

// Act performs a staff action on a ticket and returns its state after it.
// The workflow's refusals come back as EFORBIDDEN, ECONFLICT or EINVALID
// with its message; ENOTFOUND if the workflow has ended or does not exist.
func (c *Client) Act(ctx context.Context, ticketID string, req hailurah.ActionRequest) (*hailurah.TicketState, error) {
	var state hailurah.TicketState
	if err := c.update(ctx, nounTicket, ticketID, CurhatWorkflowID(ticketID), UpdateAction, req, &state); err != nil {
		return nil, err
	}
	return &state, nil
}

// State returns the ticket's live state; ENOTFOUND as for Act.
func (c *Client) State(ctx context.Context, ticketID string) (*hailurah.TicketState, error) {
	if c.Temporal == nil {
		return nil, errNoClient()
	}
	v, err := c.Temporal.QueryWorkflow(ctx, CurhatWorkflowID(ticketID), "", QueryState)
	if err != nil {
		return nil, caseError(nounTicket, ticketID, err)
	}
	var state hailurah.TicketState
	if err := v.Get(&state); err != nil {
		return nil, err
	}
	return &state, nil
}

// StartGrant starts the grant's GrantWorkflow. Returns ECONFLICT when the
// grant's workflow was started before and EUNAVAILABLE for any other
// failure: the caller then undoes the application, so to the user the
// grant did not start because of an outage.
//
// A grant whose workflow runs already starts without error (the conflict
// policy uses the existing run), so a start repeated after an ambiguous
// timeout does not undo a grant that is in fact running.
func (c *Client) StartGrant(ctx context.Context, in hailurah.GrantInput) error {
	opts := StartOptions(GrantWorkflowID(in.GrantID))
	opts.WorkflowIDConflictPolicy = enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING
	err := c.startWith(ctx, opts, nounGrant, in.GrantID, GrantWorkflow, in)
	switch hailurah.ErrorCode(err) {
	case "", hailurah.ECONFLICT, hailurah.EUNAVAILABLE:
		return err
	}
	return errUnavailable()
}

// ActGrant performs a staff action on a grant and returns the grant after
// it. Refusals as for Act; ENOTFOUND when the workflow has ended.
func (c *Client) ActGrant(ctx context.Context, grantID string, req hailurah.GrantActionRequest) (*hailurah.Grant, error) {
	var g hailurah.Grant
	if err := c.update(ctx, nounGrant, grantID, GrantWorkflowID(grantID), UpdateGrantAction, req, &g); err != nil {
		return nil, err
	}
	return &g, nil
}

// StartPilot starts the pilot's PilotReviewWorkflow. Returns ECONFLICT
// when the pilot's workflow was started before, EUNAVAILABLE when Temporal
// cannot be reached.
func (c *Client) StartPilot(ctx context.Context, in hailurah.PilotInput) error {
	return c.start(ctx, nounPilot, in.Pilot.ID, PilotWorkflowID(in.Pilot.ID), PilotReviewWorkflow, in)
}

// DecidePilot signs the cycle's decision and returns the pilot after it.
// Refusals as for Act. A pilot whose workflow has ended (stopped) cannot
// take a decision any more: ECONFLICT.
func (c *Client) DecidePilot(ctx context.Context, pilotID string, req hailurah.DecisionRequest) (*hailurah.Pilot, error) {
	var p hailurah.Pilot
	err := c.update(ctx, nounPilot, pilotID, PilotWorkflowID(pilotID), UpdatePilotDecision, req, &p)
	if hailurah.ErrorCode(err) == hailurah.ENOTFOUND {
		return nil, hailurah.Errorf(hailurah.ECONFLICT, "Pilot %s tidak lagi berjalan; keputusannya tidak dapat diubah.", pilotID)
	}
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// start starts one case's workflow with StartOptions.
func (c *Client) start(ctx context.Context, noun, id, workflowID string, workflow, in any) error {
	return c.startWith(ctx, StartOptions(workflowID), noun, id, workflow, in)
}

// startWith starts one case's workflow with the given options.
func (c *Client) startWith(ctx context.Context, opts client.StartWorkflowOptions, noun, id string, workflow, in any) error {
	if c.Temporal == nil {
		return errNoClient()
	}
	_, err := c.Temporal.ExecuteWorkflow(ctx, opts, workflow, in)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return hailurah.Errorf(hailurah.ECONFLICT, "%s %s sudah berjalan.", noun, id)
	}
	return unavailable(err)
}

// update sends a validated Update, waits for its result and decodes it
// into out.
func (c *Client) update(ctx context.Context, noun, id, workflowID, name string, req, out any) error {
	if c.Temporal == nil {
		return errNoClient()
	}
	handle, err := c.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   workflowID,
		UpdateName:   name,
		Args:         []any{req},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = handle.Get(ctx, out)
	}
	return caseError(noun, id, err)
}

// caseError turns Temporal's errors about a running case into the
// application's: the workflow's own refusals keep their message, a
// finished or unknown workflow is ENOTFOUND, an unreachable cluster is
// EUNAVAILABLE.
func caseError(noun, id string, err error) error {
	if err == nil {
		return nil
	}
	if refused, ok := refusal(err); ok {
		return refused
	}
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return hailurah.Errorf(hailurah.ENOTFOUND, "%s %s tidak sedang berjalan.", noun, id)
	}
	return unavailable(err)
}

// refusal turns an application error a workflow returned into the
// application's own: the Error* types keep their message, which is
// written for the user; other application errors pass unchanged. It
// reports false for errors that are not application errors.
func refusal(err error) (error, bool) {
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) {
		return nil, false
	}
	switch appErr.Type() {
	case ErrorForbidden:
		return hailurah.Errorf(hailurah.EFORBIDDEN, "%s", appErr.Message()), true
	case ErrorConflict:
		return hailurah.Errorf(hailurah.ECONFLICT, "%s", appErr.Message()), true
	case ErrorInvalid:
		return hailurah.Errorf(hailurah.EINVALID, "%s", appErr.Message()), true
	}
	return err, true
}

// unavailable marks errors of an unreachable or overloaded Temporal
// cluster EUNAVAILABLE, so callers (a webhook, a starter) answer 503 or
// try again later; other errors pass unchanged.
func unavailable(err error) error {
	if err == nil {
		return nil
	}
	var unavail *serviceerror.Unavailable
	var deadline *serviceerror.DeadlineExceeded
	var busy *serviceerror.ResourceExhausted
	if errors.As(err, &unavail) || errors.As(err, &deadline) || errors.As(err, &busy) || errors.Is(err, context.DeadlineExceeded) {
		return errUnavailable()
	}
	return err
}

func errUnavailable() error {
	return &hailurah.Error{Code: hailurah.EUNAVAILABLE, Message: "Layanan alur kerja sedang tidak tersedia. Coba lagi sebentar lagi."}
}

func errNoClient() error {
	return hailurah.Errorf(hailurah.EUNAVAILABLE, "Layanan alur kerja belum tersedia.")
}
