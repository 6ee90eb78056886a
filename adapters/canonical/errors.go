package canonical

import (
	"context"
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
	// Unavailable: the service could not be reached, or the connection
	// was lost before its answer was complete (connection refused or
	// reset, an answer cut short, a vendor's 502 or 503); try again
	// later. A write that failed so may or may not have been applied.
	Unavailable Code = "unavailable"
	// DeadlineExceeded: no answer came in time (the caller's deadline
	// passed, the network timed out, a vendor's 504). A write that failed
	// so may or may not have been applied.
	DeadlineExceeded Code = "deadline_exceeded"
	// Canceled: the caller cancelled the call (its context was
	// cancelled), usually because whoever asked is gone. A write that
	// failed so may or may not have been applied.
	Canceled Code = "canceled"
	// Internal: anything else; details are logged, never shown to callers.
	// A write that failed so may or may not have been applied.
	Internal Code = "internal"
)

// Uncertain reports whether an error with code c leaves it unknown
// whether the call took effect: the call itself failed (Unavailable,
// DeadlineExceeded, Canceled, Internal) rather than being answered. Such
// an error also says nothing about the request's input or credentials.
// A caller that tries a write again after one must first make sure the
// write was not applied, unless the write is idempotent.
func (c Code) Uncertain() bool {
	switch c {
	case Unavailable, DeadlineExceeded, Canceled, Internal:
		return true
	}
	return false
}

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

// CodeOf returns the code of the first *Error in err's chain; for an error
// without one, Canceled or DeadlineExceeded when the chain holds
// context.Canceled or context.DeadlineExceeded (a context's own errors
// mean the same wherever they surface), Internal otherwise; and "" for
// nil.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	switch {
	case errors.As(err, &e):
		return e.Code
	case errors.Is(err, context.Canceled):
		return Canceled
	case errors.Is(err, context.DeadlineExceeded):
		return DeadlineExceeded
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
	switch CodeOf(err) {
	case "":
		return ""
	case Canceled:
		return "request canceled"
	case DeadlineExceeded:
		return "request timed out"
	}
	return "internal error"
}

// IsCode reports whether err carries code.
func IsCode(err error, code Code) bool { return err != nil && CodeOf(err) == code }
