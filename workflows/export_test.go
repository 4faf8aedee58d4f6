package workflows

// AwaitDeadline lets the black-box tests drive the one wait helper.
var AwaitDeadline = awaitDeadline
