package canonical

import (
	"context"
	"errors"
	"io"
	"net"
)

// TransportCode classifies a failure to reach a remote service or to read
// its answer (what an HTTP client's Do or a database driver returns) by
// what the caller can do about it:
//
//   - Canceled: the caller's context was cancelled (context.Canceled);
//   - DeadlineExceeded: the caller's deadline passed
//     (context.DeadlineExceeded, an http.Client timeout) or the network
//     timed out (a net.Error whose Timeout is true);
//   - Unavailable: no connection could be made, or it broke before the
//     answer was complete (a *net.OpError such as connection refused or
//     reset, a *net.DNSError, io.EOF, io.ErrUnexpectedEOF, net.ErrClosed);
//   - Internal: anything else, such as an answer that arrived but could
//     not be decoded.
//
// An *Error already in err's chain keeps its code.
func TransportCode(err error) Code {
	var (
		ce  *Error
		ne  net.Error
		op  *net.OpError
		dns *net.DNSError
	)
	switch {
	case err == nil:
		return ""
	case errors.As(err, &ce):
		return ce.Code
	case errors.Is(err, context.Canceled):
		return Canceled
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return DeadlineExceeded
	case errors.As(err, &op), errors.As(err, &dns), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, net.ErrClosed):
		return Unavailable
	}
	return Internal
}

// Transport returns the *Error for a failure to reach a remote service or
// to read its answer: the *Error already in cause's chain, if there is
// one, else an *Error of TransportCode(cause) with the caller-safe
// message around cause.
func Transport(cause error, message string) *Error {
	var ce *Error
	if errors.As(cause, &ce) {
		return ce
	}
	return Wrap(TransportCode(cause), cause, message)
}
