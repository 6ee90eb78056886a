package referralrocket

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/surface"
	"github.com/refbridge/refbridge/client/referralrocket/referralrocketserver"
)

// errorDetail is Referral Rocket's ErrorDetail: Spring Boot's default error
// body (the vendor names the schema without its fields; see the spec).
type errorDetail struct {
	Timestamp string `json:"timestamp"`
	Status    int    `json:"status"`
	Error     string `json:"error"`
	Message   string `json:"message"`
	Path      string `json:"path"`
}

// statusOf is the HTTP status Referral Rocket answers a canonical code
// with: Unavailable 503, DeadlineExceeded 504 and Canceled 499 (a caller
// that went away) are refbridge's choices, the vendor documents only 404
// and 500.
func statusOf(code canonical.Code) int {
	switch code {
	case canonical.Unavailable, canonical.DeadlineExceeded, canonical.Canceled:
		return surface.Status(code)
	case canonical.Invalid:
		return http.StatusBadRequest
	case canonical.Unauthorized:
		return http.StatusUnauthorized
	case canonical.Forbidden:
		return http.StatusForbidden
	case canonical.NotFound:
		return http.StatusNotFound
	case canonical.Conflict:
		return http.StatusConflict
	case canonical.RateLimited:
		return http.StatusTooManyRequests
	case canonical.NotImplemented:
		return http.StatusNotImplemented
	}
	return http.StatusInternalServerError
}

// inboundError maps a canonical error to the status and ErrorDetail body
// the vendor answers with. path is the request path, now the response
// time. Errors that leave the outcome uncertain (Internal, Unavailable,
// DeadlineExceeded, Canceled, and errors that are not *canonical.Error)
// show a generic message, Spring's reason phrase; their details are for
// the logs only.
func inboundError(err error, path string, now time.Time) (int, errorDetail) {
	code := canonical.CodeOf(err)
	status := statusOf(code)
	msg := canonical.MessageOf(err)
	if code.Uncertain() {
		msg = reason(status)
	}
	return status, newDetail(status, msg, path, now)
}

// reason is the HTTP reason phrase of status, as Spring writes it in
// ErrorDetail.error.
func reason(status int) string {
	if status == surface.StatusClientClosedRequest {
		return "Client Closed Request"
	}
	return http.StatusText(status)
}

// newDetail builds an ErrorDetail body.
func newDetail(status int, message, path string, now time.Time) errorDetail {
	return errorDetail{
		Timestamp: formatTime(now),
		Status:    status,
		Error:     reason(status),
		Message:   message,
		Path:      path,
	}
}

// bindingError turns an error of the generated parameter binding into a
// canonical Invalid error naming the parameter, in Spring's words.
func bindingError(err error) error {
	var (
		required *referralrocketserver.RequiredParamError
		format   *referralrocketserver.InvalidParamFormatError
		tooMany  *referralrocketserver.TooManyValuesForParamError
		unmarsh  *referralrocketserver.UnmarshalingParamError
	)
	switch {
	case errors.As(err, &required):
		return canonical.Wrap(canonical.Invalid, err,
			fmt.Sprintf("Required request parameter '%s' is not present", required.ParamName))
	case errors.As(err, &format):
		return canonical.Wrap(canonical.Invalid, err,
			fmt.Sprintf("Invalid value for request parameter '%s'", format.ParamName))
	case errors.As(err, &tooMany):
		return canonical.Wrap(canonical.Invalid, err,
			fmt.Sprintf("Request parameter '%s' must have one value", tooMany.ParamName))
	case errors.As(err, &unmarsh):
		return canonical.Wrap(canonical.Invalid, err,
			fmt.Sprintf("Invalid value for request parameter '%s'", unmarsh.ParamName))
	}
	return canonical.Wrap(canonical.Invalid, err, "Invalid request")
}

// notFoundAs renames a NotFound error in the vendor's words (the engine's
// messages name internal IDs); other errors pass through.
func notFoundAs(err error, message string) error {
	if canonical.IsCode(err, canonical.NotFound) {
		return canonical.Wrap(canonical.NotFound, err, message)
	}
	return err
}

// Messages of the vendor's not-found answers.
const (
	msgCampaignNotFound    = "Campaign not found"
	msgParticipantNotFound = "Participant not found"
)

// APIError is an error answer of Referral Rocket's API as the outbound
// Backend received it. The *canonical.Error every Backend method returns
// wraps it, so errors.As(err, &apiErr) reaches the raw answer.
type APIError struct {
	// StatusCode is the HTTP status.
	StatusCode int
	// Body is the raw response body.
	Body []byte
	// Reason is ErrorDetail.error, the HTTP reason phrase.
	Reason string
	// Message is ErrorDetail.message, "" when absent.
	Message string
	// Path is ErrorDetail.path, the request path the vendor reports.
	Path string
}

// Error implements error.
func (e *APIError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = e.Reason
	}
	if msg == "" {
		msg = http.StatusText(e.StatusCode)
	}
	return fmt.Sprintf("referralrocket: HTTP %d: %s", e.StatusCode, msg)
}

// codeOfStatus is the canonical code of a Referral Rocket error status.
func codeOfStatus(status int) canonical.Code {
	switch status {
	case http.StatusBadRequest, http.StatusUnprocessableEntity:
		return canonical.Invalid
	case http.StatusUnauthorized:
		return canonical.Unauthorized
	case http.StatusForbidden:
		return canonical.Forbidden
	case http.StatusNotFound:
		return canonical.NotFound
	case http.StatusConflict:
		return canonical.Conflict
	case http.StatusTooManyRequests:
		return canonical.RateLimited
	case http.StatusNotImplemented:
		return canonical.NotImplemented
	}
	return surface.ServerErrorCode(status)
}

// outboundError is the outbound mapper: it turns an answer of Referral
// Rocket's API that is not a success (status and body) into a
// *canonical.Error wrapping an *APIError. The status decides the code (400
// Invalid, 401 Unauthorized, 403 Forbidden, 404 NotFound, 409 Conflict, 429
// RateLimited, 501 NotImplemented, 502 and 503 Unavailable, 504
// DeadlineExceeded, anything else Internal); the ErrorDetail message, when the
// body is one, is the caller-safe message, except for the vendor's own
// failures (5xx), whose details stay in the wrapped APIError.
func outboundError(status int, body []byte) *canonical.Error {
	apiErr := &APIError{StatusCode: status, Body: body}
	var d struct {
		Error   string `json:"error"`
		Message string `json:"message"`
		Path    string `json:"path"`
	}
	if json.Unmarshal(body, &d) == nil {
		apiErr.Reason, apiErr.Message, apiErr.Path = d.Error, d.Message, d.Path
	}
	code := codeOfStatus(status)
	msg := apiErr.Message
	if msg == "" {
		msg = apiErr.Reason
	}
	if msg == "" || code.Uncertain() {
		msg = "Referral Rocket answered " + strconv.Itoa(status)
	}
	return canonical.Wrap(code, apiErr, msg)
}

// transportError wraps a failure to reach the vendor, or to read or parse
// its answer (the generated client refuses a body that does not decode),
// coded by canonical.TransportCode: Unavailable, DeadlineExceeded,
// Canceled, or Internal for a body that did not decode.
func transportError(op string, err error) *canonical.Error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err // drop the URL: its query holds participants' emails
	}
	return canonical.Transport(fmt.Errorf("referralrocket: %s: %w", op, err), "Referral Rocket call failed")
}
