package hailurah

// The rules of who may act on a grant and in which status: the workflow
// applies them before an action enters the history, the web UI to decide
// which forms a page offers. As with tickets, a change here reaches running
// grants at their next action.

// grantActionStatuses lists the statuses each action may be taken in.
var grantActionStatuses = map[string][]GrantStatus{
	GrantActionVerify:  {GrantApplied},
	GrantActionApprove: {GrantVerified},
	GrantActionReject:  {GrantApplied, GrantVerified},
	// A disbursement recorded again, with the same reference, is answered
	// without change in every status after it, up to the run's last moment.
	GrantActionDisburse: {GrantApproved, GrantDisbursed, GrantInUse, GrantCompleted},
	GrantActionProof:    {GrantDisbursed},
	GrantActionCheckin:  {GrantDisbursed, GrantInUse},
}

// grantActionsOf is what each role may do with a grant of its kelurahan.
// Approval and rejection are the lurah's alone, not the admin's: the
// Peraturan Lurah gives the lurah the authority over the grants, and the
// lurah signs them; the city's data officer only records the transfer.
var grantActionsOf = map[Role][]string{
	RoleFasilitator: {GrantActionVerify, GrantActionProof, GrantActionCheckin},
	RoleLurah:       {GrantActionApprove, GrantActionReject, GrantActionDisburse},
	RoleAdmin:       {GrantActionDisburse},
}

// GrantActionAllowedIn reports whether action may be taken on a grant in
// status s.
func GrantActionAllowedIn(action string, s GrantStatus) bool {
	for _, x := range grantActionStatuses[action] {
		if x == s {
			return true
		}
	}
	return false
}

// Authorize reports whether r.Actor may take r.Action on a grant of
// kelurahan: the actor's role must take that action, and everyone but
// admin acts only on their own kelurahan's grants. It does not look at the
// status (GrantActionAllowedIn) or at the rest of the request (Validate).
// Returns EFORBIDDEN with the reason.
func (r *GrantActionRequest) Authorize(kelurahan string) error {
	actor := r.Actor
	allowed, ok := grantActionsOf[actor.Role]
	if !ok {
		return Errorf(EFORBIDDEN, "Peran %s tidak menangani hibah.", actor.Role.Label())
	}
	if actor.Role != RoleAdmin && (actor.Kelurahan == "" || actor.Kelurahan != kelurahan) {
		return Errorf(EFORBIDDEN, "Hibah ini bukan milik kelurahan Anda.")
	}
	for _, a := range allowed {
		if a == r.Action {
			return nil
		}
	}
	switch r.Action {
	case GrantActionApprove, GrantActionReject:
		return Errorf(EFORBIDDEN, "Persetujuan dan penolakan hibah ditandatangani Lurah.")
	case GrantActionVerify, GrantActionProof, GrantActionCheckin:
		return Errorf(EFORBIDDEN, "Verifikasi, bukti penggunaan dan check-in dicatat oleh fasilitator kelurahan.")
	}
	return Errorf(EFORBIDDEN, "Peran %s tidak dapat melakukan aksi %s pada hibah.", actor.Role.Label(), r.Action)
}
