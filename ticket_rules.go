package hailurah

// The rules of who may see a ticket, who may act on it and in which
// status. The workflow applies them to every action before it enters the
// history; the server applies the same ones to decide what a user sees
// and which forms a page offers. A change here reaches running tickets at
// their next action, so it must be one their replay tolerates (see
// workflows/replay_test.go).

// actionStatuses lists the statuses each staff action may be taken in.
var actionStatuses = map[string][]TicketStatus{
	ActionVerify:  {StatusOpen},
	ActionAssign:  {StatusOpen},
	ActionResolve: {StatusOpen},
	ActionReject:  {StatusOpen},
	ActionReply: {StatusNew, StatusOpen, StatusAssigned,
		StatusInProgress, StatusAwaitingConfirmation},
	ActionSetKelurahan: {StatusNew, StatusOpen, StatusAssigned,
		StatusInProgress, StatusAwaitingConfirmation},
	ActionNote:     TicketStatuses,
	ActionAccept:   {StatusAssigned},
	ActionProgress: {StatusInProgress},
	ActionDone:     {StatusInProgress},
	ActionReturn:   {StatusAssigned, StatusInProgress},
}

// ActionAllowedIn reports whether action may be taken on a ticket in
// status s. An unknown action is allowed in no status.
func ActionAllowedIn(action string, s TicketStatus) bool {
	for _, x := range actionStatuses[action] {
		if x == s {
			return true
		}
	}
	return false
}

// ActionsAllowed lists the actions a ticket in status s allows, in the
// order of Actions.
func ActionsAllowed(s TicketStatus) []string {
	var out []string
	for _, a := range Actions {
		if ActionAllowedIn(a, s) {
			out = append(out, a)
		}
	}
	return out
}

// Authorize reports whether r.Actor may take r.Action on a ticket of
// kelurahan ("" is the city queue) whose task is with unit, as DESIGN.md's
// scopes say: moderators and the lurah act on their kelurahan's tickets,
// dinas officers on their unit's tasks, admin on all. A ticket in the city
// queue belongs to no kelurahan yet: a moderator may only note it or claim
// it for their own (r.Kelurahan). It does not look at the status
// (ActionAllowedIn) or at the rest of the request (Validate). Returns
// EFORBIDDEN with the reason.
func (r *ActionRequest) Authorize(kelurahan, unit string) error {
	actor := r.Actor
	switch actor.Role {
	case RoleAdmin:
		return nil
	case RoleDinas:
		if !DinasAction(r.Action) {
			return Errorf(EFORBIDDEN, "Petugas dinas hanya dapat menerima, memperbarui, menyelesaikan atau mengembalikan tugas.")
		}
		if actor.Unit == "" || actor.Unit != unit {
			return Errorf(EFORBIDDEN, "Tiket ini tidak ditugaskan ke unit Anda.")
		}
		return nil
	case RoleModerator, RoleLurah:
		if DinasAction(r.Action) {
			return Errorf(EFORBIDDEN, "Aksi ini hanya untuk petugas unit dinas yang ditugaskan.")
		}
		if actor.Kelurahan == "" {
			return Errorf(EFORBIDDEN, "Akun Anda tidak terhubung ke kelurahan mana pun.")
		}
		if kelurahan == "" {
			if r.Action != ActionSetKelurahan && r.Action != ActionNote {
				return Errorf(EFORBIDDEN, "Tiket ini masih di antrean kota; tetapkan kelurahannya terlebih dahulu.")
			}
			if r.Action == ActionSetKelurahan && r.Kelurahan != actor.Kelurahan {
				return Errorf(EFORBIDDEN, "Anda hanya dapat memindahkan tiket ke kelurahan Anda sendiri.")
			}
			return nil
		}
		if actor.Kelurahan != kelurahan {
			return Errorf(EFORBIDDEN, "Tiket ini bukan milik kelurahan Anda.")
		}
		return nil
	}
	return Errorf(EFORBIDDEN, "Peran %s tidak dapat menindaklanjuti tiket.", actor.Role.Label())
}

// CanSeeTicket is the one rule of who sees which ticket: admin every one,
// a dinas officer the tasks of their unit, the kelurahan's moderators and
// lurah its tickets. Everyone else sees none; a ticket they may not see
// is, to them, one that does not exist.
func CanSeeTicket(u *User, t *Ticket) bool {
	switch u.Role {
	case RoleAdmin:
		return true
	case RoleDinas:
		return t.AssignedUnit != "" && t.AssignedUnit == u.Unit
	case RoleModerator, RoleLurah:
		return t.Kelurahan == u.Kelurahan
	}
	return false
}
