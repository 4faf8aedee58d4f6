package app

import (
	"context"
	"strings"

	"github.com/hailurah/hailurah"
)

// Names resolves kelurahan and unit codes, and staff usernames, to the
// names people read, for one page.
type Names struct {
	Kelurahan map[string]string
	Units     map[string]string
	People    map[string]string // username → full name
}

func (s *App) LoadNames(ctx context.Context) Names {
	n := Names{Kelurahan: map[string]string{}, Units: map[string]string{}, People: map[string]string{}}
	if us, err := s.Users.ListUsers(ctx, hailurah.UserFilter{}); err == nil {
		for _, u := range us {
			n.People[u.Username] = u.Name
		}
	}
	if ks, err := s.Kelurahan.ListKelurahan(ctx); err == nil {
		for _, k := range ks {
			n.Kelurahan[k.Code] = k.Name
		}
	}
	if us, err := s.Kelurahan.ListUnits(ctx); err == nil {
		for _, u := range us {
			n.Units[u.Code] = u.Name
		}
	}
	return n
}

func (n Names) KelurahanName(code string) string {
	if code == "" {
		return "Antrean kota"
	}
	if name, ok := n.Kelurahan[code]; ok {
		return name
	}
	return code
}

func (n Names) UnitName(code string) string {
	if code == "" {
		return ""
	}
	if name, ok := n.Units[code]; ok {
		return name
	}
	return strings.ToUpper(code)
}

// PersonName is a staff member's full name; a username no account has
// (a deleted one, a system actor) stays as it is.
func (n Names) PersonName(username string) string {
	if name := n.People[username]; name != "" {
		return name
	}
	return username
}

// ActorName names who did something on a timeline: "Sistem", or the
// person with their role, "Irfa Darojat (Lurah)".
func (n Names) ActorName(actor string, role hailurah.Role) string {
	if actor == hailurah.ActorSystem {
		return "Sistem"
	}
	if role != "" {
		return n.PersonName(actor) + " (" + role.Label() + ")"
	}
	return n.PersonName(actor)
}
