package surface

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// WriteJSON writes v as the JSON body of a response with the given
// status. v is encoded before anything is written, so an encoding failure
// still produces a whole 500 rather than half a body.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	body, err := EncodeJSON(v)
	if err != nil {
		http.Error(w, `{"error":"internal error"}`, http.StatusInternalServerError)
		return
	}
	WriteBody(w, status, body)
}

// EncodeJSON encodes v the way WriteJSON writes it: HTML characters
// unescaped, one trailing newline.
func EncodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// WriteBody writes an encoded JSON body with the given status.
func WriteBody(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// Public returns the code of err and the message that may be shown to a
// client: the canonical message for every code but Internal, whose details
// stay in the logs.
func Public(err error) (canonical.Code, string) {
	code := canonical.CodeOf(err)
	if code == canonical.Internal || code == "" {
		return canonical.Internal, "internal server error"
	}
	var e *canonical.Error
	if errors.As(err, &e) && e.Message != "" {
		return code, e.Message
	}
	return code, string(code)
}

// ServerFault reports whether err is a failure on the serving side that
// its logs must record with the details: Internal, Unavailable or
// DeadlineExceeded. Answers about the request (NotFound, Invalid, …) and a
// caller that went away (Canceled) are not.
func ServerFault(err error) bool {
	code := canonical.CodeOf(err)
	return code.Uncertain() && code != canonical.Canceled
}

// Status is the HTTP status most vendors use for a canonical code; a
// surface's error mapper overrides it where its vendor differs.
func Status(code canonical.Code) int {
	switch code {
	case canonical.NotFound:
		return http.StatusNotFound
	case canonical.Conflict:
		return http.StatusConflict
	case canonical.Invalid:
		return http.StatusBadRequest
	case canonical.Unauthorized:
		return http.StatusUnauthorized
	case canonical.Forbidden:
		return http.StatusForbidden
	case canonical.RateLimited:
		return http.StatusTooManyRequests
	case canonical.NotImplemented:
		return http.StatusNotImplemented
	case canonical.Unavailable:
		return http.StatusServiceUnavailable
	case canonical.DeadlineExceeded:
		return http.StatusGatewayTimeout
	case canonical.Canceled:
		return StatusClientClosedRequest
	}
	return http.StatusInternalServerError
}

// StatusClientClosedRequest is the status a surface records for a request
// whose caller went away before the answer (its context was cancelled):
// nginx's 499, which gRPC gateways use for a cancelled call too. The
// caller never reads it; logs and metrics do, and they should not count
// it as a server failure.
const StatusClientClosedRequest = 499

// ServerErrorCode is the code of a vendor's 5xx answer that its own error
// body does not classify further: 502 Bad Gateway and 503 Service
// Unavailable are Unavailable, 504 Gateway Timeout is DeadlineExceeded,
// any other status Internal. Outbound error mappers use it for the
// statuses their vendor documents nothing special for.
func ServerErrorCode(status int) canonical.Code {
	switch status {
	case http.StatusBadGateway, http.StatusServiceUnavailable:
		return canonical.Unavailable
	case http.StatusGatewayTimeout:
		return canonical.DeadlineExceeded
	}
	return canonical.Internal
}
