package hailurah

import (
	"fmt"
	"time"

	// Every binary of the project carries the tz database, so a zone the
	// server accepted loads on any worker that replays its workflows.
	_ "time/tzdata"
)

// DefaultZoneName is the time zone of a deployment that does not set
// HAILURAH_TZ: Western Indonesian Time, Kota Madiun's.
const DefaultZoneName = "Asia/Jakarta"

// indonesianZones are Indonesia's three zones as fixed offsets, with the
// names people read on a clock. None has had daylight saving since 1964, so
// the fixed zone gives the tz database's wall clock, and deadlines
// computed inside workflows do not depend on the tzdata of whichever
// machine replays them.
var indonesianZones = map[string]*time.Location{
	"Asia/Jakarta":   time.FixedZone("WIB", 7*60*60),
	"Asia/Pontianak": time.FixedZone("WIB", 7*60*60),
	"Asia/Makassar":  time.FixedZone("WITA", 8*60*60),
	"Asia/Jayapura":  time.FixedZone("WIT", 9*60*60),
}

// Zone is the one time zone of a deployment (HAILURAH_TZ): the kelurahan's
// clock. SLA working days, pilot days, reminders, reports and every time
// shown to people are counted in it. The zero Zone is Asia/Jakarta, which
// is also what a workflow started before zones were configurable gets.
//
// A Zone is a value: Main loads it once and gives the same one to the
// store, the server and the activities; workflows receive it in their
// input (as its name, see MarshalText), never from the process they run
// in, so a replay elsewhere counts in the same zone.
type Zone struct {
	name string
	loc  *time.Location
}

// LoadZone returns the zone of an IANA name ("Asia/Makassar"); "" is the
// zero Zone, DefaultZoneName. "Local" is refused: the deployment's zone must not
// depend on the machine. Returns EINVALID for a name the tz database does
// not know.
func LoadZone(name string) (Zone, error) {
	if name == "" {
		return Zone{}, nil
	}
	if loc, ok := indonesianZones[name]; ok {
		return Zone{name: name, loc: loc}, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil || name == "Local" {
		return Zone{}, Errorf(EINVALID, "Zona waktu %q tidak dikenal; tulis nama IANA seperti Asia/Jakarta, Asia/Makassar atau Asia/Jayapura.", name)
	}
	return Zone{name: name, loc: loc}, nil
}

// Name is the zone's IANA name.
func (z Zone) Name() string {
	if z.loc == nil {
		return DefaultZoneName
	}
	return z.name
}

// Location is the zone for the time package.
func (z Zone) Location() *time.Location {
	if z.loc == nil {
		return indonesianZones[DefaultZoneName]
	}
	return z.loc
}

// IsZero reports whether z is the zero Zone, the default.
func (z Zone) IsZero() bool { return z.loc == nil }

// In returns t on the zone's clock.
func (z Zone) In(t time.Time) time.Time { return t.In(z.Location()) }

// Abbrev is the zone's name on a clock at t, as people read it after a
// time: "WIB", "WITA", "WIT"; the tz database's abbreviation elsewhere.
func (z Zone) Abbrev(t time.Time) string {
	name, _ := z.In(t).Zone()
	return name
}

// StartOfDay returns 00:00 of t's calendar day in the zone.
func (z Zone) StartOfDay(t time.Time) time.Time {
	y, m, d := z.In(t).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, z.Location())
}

// ParseDate reads "YYYY-MM-DD" as 00:00 of that day in the zone.
func (z Zone) ParseDate(s string) (time.Time, error) {
	return time.ParseInLocation(time.DateOnly, s, z.Location())
}

// MarshalText writes the zone as its name, so it travels in workflow
// inputs and continues with them.
func (z Zone) MarshalText() ([]byte, error) { return []byte(z.Name()), nil }

// UnmarshalText reads a zone name; "" is the default zone.
func (z *Zone) UnmarshalText(b []byte) error {
	v, err := LoadZone(string(b))
	if err != nil {
		return fmt.Errorf("time zone: %s", ErrorMessage(err))
	}
	*z = v
	return nil
}

// String is the zone's name.
func (z Zone) String() string { return z.Name() }
