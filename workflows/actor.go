package workflows

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/finance"
)

// A staff action names its actor inside the update's payload, and anyone
// who reaches the Temporal frontend can send an update (`temporal workflow
// update`). So the server signs the actor with a key derived from the app
// secret as the action leaves (ActorSigner on the client) and the worker
// refuses an actor whose signature does not hold, while the update is
// validated: validation is skipped on replay, so histories recorded
// without signatures replay unchanged.

// ActorKey derives the key that signs actors from the app secret
// (HAILURAH_SECRET), under a label of its own.
func ActorKey(secret string) []byte {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("hailurah/temporal-actor/v1"))
	return mac.Sum(nil)
}

// SignActor returns a with its Signature set for an action on the workflow
// workflowID: the signature binds who acts (name, role, kelurahan, unit) to
// the case, so it cannot be lifted onto another case.
func SignActor(key []byte, workflowID string, a hailurah.Actor) hailurah.Actor {
	a.Signature = actorMAC(key, workflowID, a)
	return a
}

// VerifyActor reports whether a carries the signature SignActor gives it.
func VerifyActor(key []byte, workflowID string, a hailurah.Actor) bool {
	return hmac.Equal([]byte(a.Signature), []byte(actorMAC(key, workflowID, a)))
}

func actorMAC(key []byte, workflowID string, a hailurah.Actor) string {
	mac := hmac.New(sha256.New, key)
	for _, f := range []string{workflowID, a.Username, string(a.Role), a.Kelurahan, a.Unit} {
		mac.Write([]byte(f))
		mac.Write([]byte{0})
	}
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// withActor returns arg with its actor replaced by f(actor), for the
// requests that carry one (sent and decoded as values); other arguments
// come back unchanged.
func withActor(arg any, f func(hailurah.Actor) hailurah.Actor) any {
	switch r := arg.(type) {
	case hailurah.ActionRequest:
		r.Actor = f(r.Actor)
		return r
	case hailurah.GrantActionRequest:
		r.Actor = f(r.Actor)
		return r
	case hailurah.DecisionRequest:
		r.Actor = f(r.Actor)
		return r
	case finance.LoanActionRequest:
		r.Actor = f(r.Actor)
		return r
	}
	return arg
}

// ActorSigner signs the actor of every update a client sends and, on the
// workers built from that client, refuses updates whose actor is not
// signed with the same key. Give it to client.Options.Interceptors.
type ActorSigner struct {
	interceptor.ClientInterceptorBase
	interceptor.WorkerInterceptorBase
	Key []byte
}

// NewActorSigner returns the interceptor for key (ActorKey).
func NewActorSigner(key []byte) *ActorSigner { return &ActorSigner{Key: key} }

// InterceptClient signs outgoing updates.
func (s *ActorSigner) InterceptClient(next interceptor.ClientOutboundInterceptor) interceptor.ClientOutboundInterceptor {
	o := &actorSigningClient{key: s.Key}
	o.Next = next
	return o
}

// InterceptWorkflow checks incoming updates.
func (s *ActorSigner) InterceptWorkflow(ctx workflow.Context, next interceptor.WorkflowInboundInterceptor) interceptor.WorkflowInboundInterceptor {
	i := &actorCheckingWorkflow{key: s.Key}
	i.Next = next
	return i
}

type actorSigningClient struct {
	interceptor.ClientOutboundInterceptorBase
	key []byte
}

func (o *actorSigningClient) UpdateWorkflow(ctx context.Context, in *interceptor.ClientUpdateWorkflowInput) (client.WorkflowUpdateHandle, error) {
	signed := *in
	signed.Args = make([]any, len(in.Args))
	for i, arg := range in.Args {
		signed.Args[i] = withActor(arg, func(a hailurah.Actor) hailurah.Actor { return SignActor(o.key, in.WorkflowID, a) })
	}
	return o.Next.UpdateWorkflow(ctx, &signed)
}

type actorCheckingWorkflow struct {
	interceptor.WorkflowInboundInterceptorBase
	key []byte
}

// ValidateUpdate refuses an actor without a valid signature before the
// workflow's own validator runs; the refusal never enters the history.
func (i *actorCheckingWorkflow) ValidateUpdate(ctx workflow.Context, in *interceptor.UpdateInput) error {
	id := workflow.GetInfo(ctx).WorkflowExecution.ID
	for _, arg := range in.Args {
		valid := true
		withActor(arg, func(a hailurah.Actor) hailurah.Actor {
			valid = VerifyActor(i.key, id, a)
			return a
		})
		if !valid {
			return temporal.NewApplicationError("Tindakan ini tidak dikirim oleh server HAI LURAH (tanda tangan pelaku tidak sah).",
				ErrorForbidden)
		}
	}
	return i.Next.ValidateUpdate(ctx, in)
}
