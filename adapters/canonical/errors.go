package canonical

import (
	"errors"
	"fmt"
)

// Code classifies an error so that each vendor surface can render it in the
// vendor's own envelope and status, and each outbound backend can map the
// vendor's errors back.
type Code string

// The error codes. Every error a Backend returns carries exactly one.
const (
	// NotFound: the addressed entity does not exist in this account.
	NotFound Code = "not_found"
	// Conflict: the request contradicts the entity's current state (a
	// duplicate unique value, a transition that is not allowed now).
	Conflict Code = "conflict"
	// Invalid: the input is malformed or incomplete.
	Invalid Code = "invalid"
	// Unauthorized: no valid credential was presented.
	Unauthorized Code = "unauthorized"
	// Forbidden: the credential is valid but may not do this.
	Forbidden Code = "forbidden"
	// RateLimited: too many requests; retry later.
	RateLimited Code = "rate_limited"
	// NotImplemented: the backend cannot perform this operation at all.
	NotImplemented Code = "not_implemented"
	// Internal: anything else; details are logged, never shown to callers.
	Internal Code = "internal"
)

// Error is the error type every Backend returns. Message is safe to show to
// an API caller; Err, when set, is the underlying cause (a vendor error, a
// database error) and is for logs and errors.As only.
type Error struct {
	Code    Code   `json:",omitzero"`
	Message string `json:",omitzero"`
	Err     error  `json:",omitzero"`
}

// Error implements error.
func (e *Error) Error() string {
	switch {
	case e.Err != nil && e.Message != "":
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	case e.Err != nil:
		return fmt.Sprintf("%s: %v", e.Code, e.Err)
	default:
		return fmt.Sprintf("%s: %s", e.Code, e.Message)
	}
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with code and a formatted, caller-safe message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an *Error with code and message around cause.
func Wrap(code Code, cause error, message string) *Error {
	return &Error{Code: code, Message: message, Err: cause}
}

// CodeOf returns the code of the first *Error in err's chain, Internal for
// any other non-nil error, and "" for nil.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// MessageOf returns the caller-safe message of the first *Error in err's
// chain, or a generic text for errors that carry none.
func MessageOf(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Message != "" {
		return e.Message
	}
	if err == nil {
		return ""
	}
	return "internal error"
}

// IsCode reports whether err carries code.
func IsCode(err error, code Code) bool { return err != nil && CodeOf(err) == code }
