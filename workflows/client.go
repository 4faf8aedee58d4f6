package workflows

import (
	"context"
	"errors"
	"time"

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
	// ActionWait bounds how long a staff action waits, once its case has
	// accepted it, for its outcome; zero is DefaultActionWait. An action
	// not finished by then returns EPENDING: its handler waits on
	// activities that may retry for a day, and the user should not.
	ActionWait time.Duration
}

const (
	// DefaultActionWait is Client.ActionWait's default: long enough for a
	// database that stumbles for a few seconds, short of a browser's
	// patience.
	DefaultActionWait = 15 * time.Second
	// acceptWait bounds the wait for a case to accept (validate) an action.
	acceptWait = 10 * time.Second
)

// ActionUpdateID is the Update id of a staff action sent with an
// idempotency key: the same key for the same action on the same case is
// the same Update, which Temporal runs once and answers again with its
// first outcome.
func ActionUpdateID(workflowID, action, key string) string {
	return workflowID + "/" + action + "/" + key
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
	if err := c.update(ctx, nounTicket, ticketID, CurhatWorkflowID(ticketID), UpdateAction, req.Action, req.IdempotencyKey, req, &state); err != nil {
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

// SawMessage reports whether the ticket's workflow took the citizen
// message with this provider id, also after the ticket closed (within the
// namespace's retention). ENOTFOUND when the ticket has no workflow.
func (c *Client) SawMessage(ctx context.Context, ticketID, messageID string) (bool, error) {
	if c.Temporal == nil {
		return false, errNoClient()
	}
	v, err := c.Temporal.QueryWorkflow(ctx, CurhatWorkflowID(ticketID), "", QueryMessageSeen, messageID)
	if err != nil {
		return false, caseError(nounTicket, ticketID, err)
	}
	var seen bool
	if err := v.Get(&seen); err != nil {
		return false, err
	}
	return seen, nil
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
	return c.startOrUse(ctx, nounGrant, in.GrantID, GrantWorkflowID(in.GrantID), GrantWorkflow, in)
}

// startOrUse starts a case whose application the server undoes when the
// start fails: a workflow running already is used (a repeated start after
// an ambiguous timeout), and every failure but a conflict is EUNAVAILABLE.
func (c *Client) startOrUse(ctx context.Context, noun, id, workflowID string, workflow, in any) error {
	opts := StartOptions(workflowID)
	opts.WorkflowIDConflictPolicy = enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING
	err := c.startWith(ctx, opts, noun, id, workflow, in)
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
	if err := c.update(ctx, nounGrant, grantID, GrantWorkflowID(grantID), UpdateGrantAction, req.Action, req.IdempotencyKey, req, &g); err != nil {
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
	err := c.update(ctx, nounPilot, pilotID, PilotWorkflowID(pilotID), UpdatePilotDecision, req.Decision, req.IdempotencyKey, req, &p)
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

// update sends a validated Update for action, waits up to acceptWait for
// the case to accept it and then up to ActionWait for its result, which it
// decodes into out. With an idempotency key the Update's id is
// ActionUpdateID, so a repeat is answered with the first outcome. An
// Update accepted but not finished in time is EPENDING; one not even
// accepted is EUNAVAILABLE (Temporal keeps no Update it has not accepted,
// so sending it again is safe).
func (c *Client) update(ctx context.Context, noun, id, workflowID, name, action, key string, req, out any) error {
	if c.Temporal == nil {
		return errNoClient()
	}
	opts := client.UpdateWorkflowOptions{
		WorkflowID:   workflowID,
		UpdateName:   name,
		Args:         []any{req},
		WaitForStage: client.WorkflowUpdateStageAccepted,
	}
	if key != "" {
		opts.UpdateID = ActionUpdateID(workflowID, action, key)
	}
	accepting, cancel := context.WithTimeout(ctx, acceptWait)
	defer cancel()
	handle, err := c.Temporal.UpdateWorkflow(accepting, opts)
	if err != nil {
		return caseError(noun, id, err)
	}
	wait := c.ActionWait
	if wait <= 0 {
		wait = DefaultActionWait
	}
	bounded, cancelWait := context.WithTimeout(ctx, wait)
	defer cancelWait()
	err = handle.Get(bounded, out)
	if err != nil && bounded.Err() != nil && ctx.Err() == nil {
		return errPending()
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

func errPending() error {
	return hailurah.Errorf(hailurah.EPENDING, "Aksi sudah diterima dan sedang diproses. Muat ulang halaman sebentar lagi untuk melihat hasilnya.")
}

func errNoClient() error {
	return hailurah.Errorf(hailurah.EUNAVAILABLE, "Layanan alur kerja belum tersedia.")
}
