package referralrocket

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	api "github.com/refbridge/refbridge/client/referralrocket"
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

// internalMessage is the only message an internal error ever shows.
const internalMessage = "Internal Server Error"

// statusOf is the HTTP status Referral Rocket answers a canonical code
// with.
func statusOf(code canonical.Code) int {
	switch code {
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
// time. Internal errors (and errors that are not *canonical.Error) show a
// generic message; their details are for the logs only.
func inboundError(err error, path string, now time.Time) (int, errorDetail) {
	code := canonical.CodeOf(err)
	msg := internalMessage
	if code != canonical.Internal && code != "" {
		msg = canonical.MessageOf(err)
	} else {
		code = canonical.Internal
	}
	status := statusOf(code)
	return status, newDetail(status, msg, path, now)
}

// newDetail builds an ErrorDetail body.
func newDetail(status int, message, path string, now time.Time) errorDetail {
	return errorDetail{
		Timestamp: formatTime(now),
		Status:    status,
		Error:     http.StatusText(status),
		Message:   message,
		Path:      path,
	}
}

// bindingError turns an error of the generated parameter binding into a
// canonical Invalid error naming the parameter, in Spring's words.
func bindingError(err error) error {
	var (
		required *api.RequiredParamError
		format   *api.InvalidParamFormatError
		tooMany  *api.TooManyValuesForParamError
		unmarsh  *api.UnmarshalingParamError
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
