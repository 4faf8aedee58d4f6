package workflows

import "github.com/hailurah/hailurah"

// AwaitDeadline lets the black-box tests drive the one wait helper.
var AwaitDeadline = awaitDeadline

// SetLaterRule adds a validation rule to every ticket action, as a later
// version might, until restore is called.
func SetLaterRule(rule func(hailurah.ActionRequest) error) (restore func()) {
	old := laterRule
	laterRule = rule
	return func() { laterRule = old }
}
