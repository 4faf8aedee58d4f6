package hailurah

import (
	"errors"
	"fmt"
)

// Error codes. The HTTP layer maps each to one status in a single table;
// everything else is EINTERNAL and its message is shown to nobody.
const (
	EINVALID        = "invalid"         // 422
	EUNAUTHORIZED   = "unauthorized"    // 401
	EFORBIDDEN      = "forbidden"       // 403
	ENOTFOUND       = "not_found"       // 404
	ECONFLICT       = "conflict"        // 409
	ETOOMANY        = "too_many"        // 429
	ETOOLARGE       = "too_large"       // 413
	EUNAVAILABLE    = "unavailable"     // 503
	EINTERNAL       = "internal"        // 500
	EBADREQUEST     = "bad_request"     // 400
	EUNSUPPORTED    = "unsupported"     // 415
	ENOTIMPLEMENTED = "not_implemented" // 501
	// EPENDING is not a failure: the case took the action and has not
	// finished it yet (its effects are retrying). The caller answers 202
	// and a repeat with the same idempotency key gets the outcome.
	EPENDING = "pending" // 202
)

// Error is the one error type the application returns to its callers. Message
// is written for the user (Bahasa Indonesia in the UI); Field names the input
// that was wrong, when there is one, so a form can show the message next to it.
type Error struct {
	Code    string
	Message string
	Field   string
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("hailurah error: code=%s field=%s message=%s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("hailurah error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code string, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an EINVALID error about one input field.
func FieldErrorf(field string, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of an application error, "" for nil and
// EINTERNAL for any other error.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of an application error, or a generic
// message for any other error so internal details never reach a user.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Terjadi kesalahan internal."
}

// ErrorField returns the input field an application error is about, or "".
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}
