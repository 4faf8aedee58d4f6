package app

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
)

// Pilots is what the routes of the 90-day pilots, the dashboards and the
// public open data need. Those routes exist only when Config.Pilots is set.
type Pilots struct {
	Store  hailurah.PilotService
	KPIs   hailurah.KPIService
	Runner PilotRunner
	// Map lists the located tickets for the maps of /dasbor and /data;
	// nil leaves the map endpoints out.
	Map hailurah.TicketMapService
	// Policy is the cycle new pilots start with; zero values take
	// hailurah.DefaultPilotPolicy's.
	Policy hailurah.PilotPolicy
}

// PilotRunner is what the server needs of the pilot workflows.
// workflows.Client implements it on a Temporal client.
type PilotRunner interface {
	// StartPilot starts the pilot's workflow. Returns EUNAVAILABLE when
	// Temporal cannot be reached, ECONFLICT when the id was used before.
	StartPilot(ctx context.Context, in hailurah.PilotInput) error
	// DecidePilot signs the cycle's decision and returns the pilot after
	// it. Returns the workflow's refusals as EFORBIDDEN, ECONFLICT or
	// EINVALID, and ECONFLICT when the pilot's workflow has ended.
	DecidePilot(ctx context.Context, id string, req hailurah.DecisionRequest) (*hailurah.Pilot, error)
}

// canSeePilot is the one rule of who sees which pilot: admin all, staff of
// the kelurahan that owns it or that its scope names.
func canSeePilot(u *hailurah.User, p *hailurah.Pilot) bool {
	if u.Role == hailurah.RoleAdmin {
		return true
	}
	return u.Kelurahan != "" && (p.Kelurahan == u.Kelurahan || slices.Contains(hailurah.ScopeKelurahan(p.Scope), u.Kelurahan))
}

// VisiblePilot loads a pilot the user may see; another kelurahan's pilot
// is "not found".
func (s *App) VisiblePilot(c *gin.Context, id string) (*hailurah.Pilot, error) {
	notFound := hailurah.Errorf(hailurah.ENOTFOUND, "Pilot %s tidak ditemukan.", id)
	if !hailurah.IsPilotID(id) {
		return nil, notFound
	}
	p, err := s.Pilots.Store.FindPilot(c.Request.Context(), id)
	if hailurah.ErrorCode(err) == hailurah.ENOTFOUND {
		return nil, notFound
	} else if err != nil {
		return nil, err
	}
	if !canSeePilot(UserOf(c), p) {
		return nil, notFound
	}
	packetForReader(UserOf(c), p)
	return p, nil
}

// packetForReader leaves in p's packet only the kelurahan u may see: a
// pilot scaled to other kelurahan is visible to their staff, but each
// sees their own kelurahan's figures, as on the dashboard.
func packetForReader(u *hailurah.User, p *hailurah.Pilot) {
	kel, _ := KelurahanScope(u, "")
	p.Packet = p.Packet.For(kel, p.Scope)
}

// CreatePilot checks a pilot request for the user and starts the pilot:
// the store row first, then its workflow; a workflow that cannot start
// takes the row back with it.
func (s *App) CreatePilot(c *gin.Context, req *hailurah.PilotRequest) (*hailurah.Pilot, error) {
	ctx := c.Request.Context()
	u := UserOf(c)
	kel := u.Kelurahan
	switch u.Role {
	case hailurah.RoleAdmin:
		kel = strings.TrimSpace(req.Kelurahan)
		if kel == "" {
			return nil, hailurah.FieldErrorf("kelurahan", "Admin wajib memilih kelurahan pemilik pilot.")
		}
	case hailurah.RoleLurah:
		if req.Kelurahan != "" && req.Kelurahan != u.Kelurahan {
			return nil, hailurah.Errorf(hailurah.EFORBIDDEN, "Lurah hanya dapat membuat pilot untuk kelurahannya sendiri.")
		}
	}
	if _, err := s.Kelurahan.FindKelurahan(ctx, kel); err != nil {
		if hailurah.ErrorCode(err) == hailurah.ENOTFOUND {
			return nil, hailurah.FieldErrorf("kelurahan", "Kelurahan %q tidak ditemukan.", kel)
		}
		return nil, err
	}
	p, err := req.Pilot(kel, s.Now(), s.Zone)
	if err != nil {
		return nil, err
	}
	if err := s.checkScope(ctx, p.Scope); err != nil {
		return nil, err
	}
	owner, err := s.Users.FindUserByUsername(ctx, p.Owner)
	switch {
	case hailurah.ErrorCode(err) == hailurah.ENOTFOUND || err == nil && owner.Disabled:
		return nil, hailurah.FieldErrorf("owner", "Pengguna %q tidak ditemukan atau tidak aktif.", p.Owner)
	case err != nil:
		return nil, err
	case owner.Role != hailurah.RoleAdmin && owner.Kelurahan != kel:
		return nil, hailurah.FieldErrorf("owner", "Penanggung jawab harus petugas Kelurahan %s atau admin kota.", kel)
	}
	p.CreatedBy = u.Username
	if err := s.Pilots.Store.CreatePilot(ctx, p); err != nil {
		return nil, err
	}
	if err := s.Pilots.Runner.StartPilot(ctx, hailurah.PilotInput{Pilot: *p, Policy: s.Pilots.Policy}); err != nil {
		if cerr := s.Pilots.Store.CancelPilot(context.WithoutCancel(ctx), p.ID); cerr != nil {
			s.Logger.ErrorContext(ctx, "cancel pilot after failed start", "pilot", p.ID, "err", cerr)
		}
		return nil, err
	}
	detail, _ := json.Marshal(map[string]any{"name": p.Name, "component": p.Component, "kelurahan": p.Kelurahan, "start_date": p.StartDate})
	s.Audit(c, "pilot.create", p.ID, string(detail))
	return p, nil
}

// checkScope refuses a scope that names a kelurahan the city does not have.
func (s *App) checkScope(ctx context.Context, scope []hailurah.PilotArea) error {
	for _, k := range hailurah.ScopeKelurahan(scope) {
		if _, err := s.Kelurahan.FindKelurahan(ctx, k); err != nil {
			if hailurah.ErrorCode(err) == hailurah.ENOTFOUND {
				return hailurah.FieldErrorf("scope", "Kelurahan %q pada cakupan tidak ditemukan.", k)
			}
			return err
		}
	}
	return nil
}

// DecidePilot checks a decision for the user and sends it to the workflow.
func (s *App) DecidePilot(c *gin.Context, p *hailurah.Pilot, req *hailurah.DecisionRequest) (*hailurah.Pilot, error) {
	ctx := c.Request.Context()
	if p.Status == hailurah.PilotStopped {
		return nil, hailurah.Errorf(hailurah.ECONFLICT, "Pilot %s sudah dihentikan; keputusannya tidak dapat diubah.", p.ID)
	}
	req.Actor = hailurah.ActorOf(UserOf(c))
	if err := req.Validate(p.Kelurahan); err != nil {
		return nil, err
	}
	if err := s.checkScope(ctx, req.Scope); err != nil {
		return nil, err
	}
	key, err := IdempotencyKey(c)
	if err != nil {
		return nil, err
	}
	req.IdempotencyKey = key
	after, err := s.Pilots.Runner.DecidePilot(ctx, p.ID, *req)
	if err != nil {
		return nil, err
	}
	detail, _ := json.Marshal(map[string]any{"cycle": p.Cycle, "decision": req.Decision, "rationale": req.Rationale})
	s.Audit(c, "pilot.decision", p.ID, string(detail))
	// The workflow projected the decision before answering; the store has
	// the pilot with its history.
	if stored, err := s.Pilots.Store.FindPilot(ctx, p.ID); err == nil && stored.Version >= after.Version {
		after = stored
	}
	packetForReader(UserOf(c), after)
	return after, nil
}
