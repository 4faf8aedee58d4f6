// Package workflows holds the durable case processes: the curhat ticket
// and the weekly digest. Names that cross process boundaries (task queue,
// signal, update and query names, workflow ids, error types) are declared
// here once, for the server and the worker.
package workflows

import enumspb "go.temporal.io/api/enums/v1"

// TaskQueue is where the worker polls for every workflow and activity.
const TaskQueue = "hailurah"

// CurhatWorkflowID is the workflow id of a ticket: "curhat-HL-2026-000123".
func CurhatWorkflowID(ticketID string) string { return "curhat-" + ticketID }

// Interactions with a running CurhatWorkflow.
const (
	// SignalCitizenMessage carries a hailurah.CitizenMessage: more text or a
	// command (ANONIM, TEMBUSAN, LANJUT, SESUDAH, BELUM, MINTA DRAFT,
	// STATUS, a rating).
	SignalCitizenMessage = "citizen_message"
	// SignalContact carries a hailurah.ContactChange: the citizen
	// confirmed a phone typed into the web or kiosk form, and the
	// ticket's messages go to it from now on.
	SignalContact = "contact"
	// UpdateAction carries a hailurah.ActionRequest and returns the
	// hailurah.TicketState after it; a request the ticket's status or the
	// actor's role does not allow is rejected with an error of one of the
	// Error* types below, before it enters the history.
	UpdateAction = "action"
	// QueryState returns the live hailurah.TicketState.
	QueryState = "state"
	// QueryMessageSeen takes a citizen message's provider id and answers
	// whether the ticket took it (one of its last seenLimit messages). It
	// answers for a closed ticket too, within the namespace's retention.
	QueryMessageSeen = "message_seen"
)

// Types of the application errors UpdateAction returns, for the HTTP layer
// to map: forbidden → 403, conflict → 409, invalid → 422. They equal the
// hailurah error codes so one table serves both.
const (
	ErrorForbidden = "forbidden" // this role, kelurahan or unit may not act on this ticket
	ErrorConflict  = "conflict"  // the action is not allowed in the ticket's status
	ErrorInvalid   = "invalid"   // the request is incomplete or malformed
	// ErrorWithdrawn ends a GrantWorkflow whose application the server
	// undid before the workflow could record it.
	ErrorWithdrawn = "withdrawn"
)

// Search attributes the curhat workflow keeps current, so the Temporal UI
// can list tickets by kelurahan, status, unit and urgency. A cluster must
// have them registered before the worker runs (SearchAttributes).
const (
	SearchAttrKelurahan = "HailurahKelurahan"
	SearchAttrStatus    = "HailurahStatus"
	SearchAttrUnit      = "HailurahUnit"
	SearchAttrUrgency   = "HailurahUrgency"
)

// SearchAttributes lists the custom search attributes to register with a
// namespace, by name and type.
func SearchAttributes() map[string]enumspb.IndexedValueType {
	return map[string]enumspb.IndexedValueType{
		SearchAttrKelurahan: enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		SearchAttrStatus:    enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		SearchAttrUnit:      enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		SearchAttrUrgency:   enumspb.INDEXED_VALUE_TYPE_INT,
	}
}

// The weekly digest to every lurah.
const (
	DigestScheduleID = "hailurah-weekly-digest"
	// DigestCron is Monday 07:00 in the deployment's zone.
	DigestCron = "0 7 * * 1"
)
