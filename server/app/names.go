package app

import (
	"context"
	"strings"
)

// Names resolves kelurahan and unit codes to names for one page.
type Names struct {
	Kelurahan map[string]string
	Units     map[string]string
}

func (s *App) LoadNames(ctx context.Context) Names {
	n := Names{Kelurahan: map[string]string{}, Units: map[string]string{}}
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
