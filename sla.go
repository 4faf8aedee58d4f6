package hailurah

import "time"

// SLAPolicy is the `sla:` section of rules.yaml: how long each party may
// take before the ticket is escalated. Durations are Go durations ("24h").
type SLAPolicy struct {
	Moderator        ModeratorSLA `json:"moderator" yaml:"moderator"`
	Dinas            DinasSLA     `json:"dinas" yaml:"dinas"`
	Citizen          CitizenSLA   `json:"citizen" yaml:"citizen"`
	EscalationLevels int          `json:"escalation_levels" yaml:"escalation_levels"`
}

// ModeratorSLA is the time to verify a new ticket.
type ModeratorSLA struct {
	Default   time.Duration         `json:"default" yaml:"default"`
	ByUrgency map[int]time.Duration `json:"by_urgency,omitempty" yaml:"by_urgency"`
}

// DinasSLA is the time a unit has to finish an assigned task.
type DinasSLA struct {
	ByUrgency map[int]time.Duration `json:"by_urgency" yaml:"by_urgency"`
	// Calendar is "hours" (wall-clock) or "working_days" (skip weekends and
	// Indonesian public holidays, as LAPOR! counts).
	Calendar string `json:"calendar" yaml:"calendar"`
}

// CitizenSLA is how long the close-the-loop question waits for an answer.
type CitizenSLA struct {
	Reminder  time.Duration `json:"reminder" yaml:"reminder"`
	AutoClose time.Duration `json:"auto_close" yaml:"auto_close"`
}

const (
	CalendarHours       = "hours"
	CalendarWorkingDays = "working_days"
)
