package rewardful

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/refbridge/refbridge/client/rewardful/rewardfulserver"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/surface"
)

// Rewardful's error envelope is {"error": "...", "details": [...]}: 401
// "Invalid API Secret.", 404 "<Thing> not found: <id>", 422 "Could not
// <verb> <thing>." with human-readable details, 429 for rate limits. This
// file maps canonical errors to it, in one place.

// errVendorText marks a *canonical.Error whose Message is already in
// Rewardful's wording (a 404 text or a 422 detail), to be sent as is.
var errVendorText = errors.New("rewardful wording")

// errBadRequest marks input that could not be read at all (a body that is
// not JSON or form data); it is answered with 400.
var errBadRequest = errors.New("rewardful bad request")

// vendorErr returns a canonical error carrying Rewardful's own wording.
func vendorErr(code canonical.Code, msg string) error {
	return &canonical.Error{Code: code, Message: msg, Err: errVendorText}
}

// notFound is Rewardful's 404 for a thing ("Affiliate") with an id.
func notFound(thing, id string) error {
	return vendorErr(canonical.NotFound, thing+" not found: "+id)
}

// invalid is a 422 detail ("Email can't be blank").
func invalid(detail string) error { return vendorErr(canonical.Invalid, detail) }

// blank is the detail for a required field left empty.
func blank(field string) error { return invalid(humanize(field) + " can't be blank") }

// badRequest is a 400 for unreadable input.
func badRequest(msg string) error {
	return &canonical.Error{Code: canonical.Invalid, Message: msg, Err: errBadRequest}
}

// opInfo is what error texts need to know about an operation: the thing
// its path id names (for 404s) and, for writes, what it does (for 422s).
type opInfo struct {
	thing  string
	action string
}

var operations = map[string]opInfo{
	"listCampaigns":         {"Campaign", ""},
	"createCampaign":        {"Campaign", "create campaign"},
	"getCampaign":           {"Campaign", ""},
	"updateCampaign":        {"Campaign", "update campaign"},
	"listAffiliates":        {"Affiliate", ""},
	"createAffiliate":       {"Affiliate", "create affiliate"},
	"getAffiliate":          {"Affiliate", ""},
	"updateAffiliate":       {"Affiliate", "update affiliate"},
	"getAffiliateSso":       {"Affiliate", ""},
	"listAffiliateLinks":    {"Affiliate link", ""},
	"createAffiliateLink":   {"Affiliate link", "create affiliate link"},
	"getAffiliateLink":      {"Affiliate link", ""},
	"updateAffiliateLink":   {"Affiliate link", "update affiliate link"},
	"listAffiliateCoupons":  {"Affiliate coupon", ""},
	"createAffiliateCoupon": {"Affiliate coupon", "create affiliate coupon"},
	"getAffiliateCoupon":    {"Affiliate coupon", ""},
	"listReferrals":         {"Referral", ""},
	"listCommissions":       {"Commission", ""},
	"getCommission":         {"Commission", ""},
	"updateCommission":      {"Commission", "update commission"},
	"deleteCommission":      {"Commission", "delete commission"},
	"listPayouts":           {"Payout", ""},
	"getPayout":             {"Payout", ""},
	"payPayout":             {"Payout", "pay payout"},
}

// Fixed texts.
const (
	msgUnauthorized = "Invalid API Secret."
	msgRateLimited  = "Rate limit exceeded."
	msgNotFound     = "Not found."
	msgInternal     = "Internal server error."
	msgUnavailable  = "Service unavailable. Please try again."
	msgTimeout      = "Request timed out. Please try again."
	msgCanceled     = "Request canceled."
)

// inbound maps err, raised while serving operation op (an operationId, or
// "" outside any operation) on the resource with path id pathID, to
// Rewardful's status and error body. Internal details never reach the
// body; the caller logs them. Unavailable (503), DeadlineExceeded (504)
// and Canceled (499, a caller that went away) carry fixed texts.
func inbound(op, pathID string, err error) (int, errorBody) {
	info := operations[op]
	code := canonical.CodeOf(err)
	msg := canonical.MessageOf(err)
	vendor := errors.Is(err, errVendorText)
	switch code {
	case canonical.Unauthorized:
		return http.StatusUnauthorized, errorBody{Error: msgUnauthorized}
	case canonical.Forbidden:
		return http.StatusForbidden, errorBody{Error: sentence(msg)}
	case canonical.RateLimited:
		return http.StatusTooManyRequests, errorBody{Error: msgRateLimited}
	case canonical.NotFound:
		switch {
		case vendor:
			return http.StatusNotFound, errorBody{Error: msg}
		case info.thing != "":
			return http.StatusNotFound, errorBody{Error: info.thing + " not found: " + pathID}
		}
		return http.StatusNotFound, errorBody{Error: msgNotFound}
	case canonical.Invalid, canonical.Conflict, canonical.NotImplemented:
		if errors.Is(err, errBadRequest) {
			return http.StatusBadRequest, errorBody{Error: msg}
		}
		detail := msg
		if !vendor {
			detail = sentence(msg)
		}
		if info.action != "" {
			// Several details travel as one message, one per line.
			return http.StatusUnprocessableEntity, errorBody{Error: "Could not " + info.action + ".", Details: strings.Split(detail, "\n")}
		}
		if code == canonical.NotImplemented {
			return http.StatusNotImplemented, errorBody{Error: detail}
		}
		return http.StatusBadRequest, errorBody{Error: detail}
	case canonical.Unavailable:
		return http.StatusServiceUnavailable, errorBody{Error: msgUnavailable}
	case canonical.DeadlineExceeded:
		return http.StatusGatewayTimeout, errorBody{Error: msgTimeout}
	case canonical.Canceled:
		return surface.StatusClientClosedRequest, errorBody{Error: msgCanceled}
	}
	return http.StatusInternalServerError, errorBody{Error: msgInternal}
}

// sentence capitalises a canonical message for display.
func sentence(msg string) string {
	msg = strings.TrimSpace(msg)
	if msg == "" {
		return "Invalid request"
	}
	return strings.ToUpper(msg[:1]) + msg[1:]
}

var missingProperty = regexp.MustCompile(`property "([^"]+)" is missing`)

// fromValidation turns a surface.Validator failure into Rewardful's
// terms: a bad path id is the thing not found, a bad query parameter a
// 400, a body field that is missing "<Field> can't be blank" and any other
// bad field "<Field> is invalid" (422 on writes).
func fromValidation(err error) error {
	var re *openapi3filter.RequestError
	if !errors.As(err, &re) {
		if canonical.CodeOf(err) == canonical.Invalid {
			return badRequest(sentence(canonical.MessageOf(err)))
		}
		return err
	}
	if p := re.Parameter; p != nil {
		if p.In == openapi3.ParameterInPath {
			return &canonical.Error{Code: canonical.NotFound, Message: "not found", Err: err}
		}
		return badRequest(fmt.Sprintf("Invalid value for %s.", p.Name))
	}
	var se *openapi3.SchemaError
	if errors.As(re.Err, &se) {
		if m := missingProperty.FindStringSubmatch(se.Reason); m != nil {
			return missing(se, m[1])
		}
		if ptr := se.JSONPointer(); len(ptr) > 0 {
			return invalid(humanize(ptr[0]) + " is invalid")
		}
		return invalid(sentence(se.Reason))
	}
	if errors.Is(re.Err, openapi3filter.ErrInvalidRequired) || re.RequestBody != nil && re.Err == nil {
		return invalid("Request body can't be blank")
	}
	var pe *openapi3filter.ParseError
	if errors.As(re.Err, &pe) {
		return badRequest("Bad request.")
	}
	if strings.Contains(re.Reason, "Content-Type") || strings.Contains(re.Error(), "Content-Type") {
		return badRequest("Bad request.")
	}
	return invalid(sentence(re.Reason))
}

// fromBinding turns a parameter-binding error of the generated router into
// Rewardful's terms: a path id that is not a UUID is simply not found.
func fromBinding(err error) error {
	var (
		pf *rewardfulserver.InvalidParamFormatError
		rq *rewardfulserver.RequiredParamError
		tm *rewardfulserver.TooManyValuesForParamError
	)
	switch {
	case errors.As(err, &pf):
		if pf.ParamName == "id" {
			return &canonical.Error{Code: canonical.NotFound, Message: "not found", Err: err}
		}
		return badRequest(fmt.Sprintf("Invalid value for %s.", pf.ParamName))
	case errors.As(err, &rq):
		return badRequest(fmt.Sprintf("Missing parameter %s.", rq.ParamName))
	case errors.As(err, &tm):
		return badRequest(fmt.Sprintf("Too many values for %s.", tm.ParamName))
	}
	return badRequest("Bad request.")
}

// missing lists every required property absent from the body, as Rails
// lists every blank attribute ("Last name can't be blank", "Email can't
// be blank"); first is the one the validator reported.
func missing(se *openapi3.SchemaError, first string) error {
	details := []string{humanize(first) + " can't be blank"}
	obj, _ := se.Value.(map[string]any)
	if se.Schema != nil && obj != nil {
		details = details[:0]
		for _, name := range se.Schema.Required {
			if _, ok := obj[name]; !ok {
				details = append(details, humanize(name)+" can't be blank")
			}
		}
		if len(details) == 0 {
			details = append(details, humanize(first)+" can't be blank")
		}
	}
	return &canonical.Error{Code: canonical.Invalid, Message: strings.Join(details, "\n"), Err: errVendorText}
}

// APIError is an error answer of Rewardful's API as the outbound Backend
// received it: the HTTP status, the raw body, and the envelope's "error"
// text and "details" list when the body was Rewardful's envelope. Every
// vendor error a Backend returns wraps one, so errors.As(err, &apiErr)
// reaches it.
type APIError struct {
	StatusCode int
	Body       []byte
	// Message is the envelope's "error" text ("Affiliate not found: …").
	Message string
	// Details are the envelope's "details" (422 validation texts).
	Details []string
	// Wait is how long Rewardful asked a rate-limited client to wait
	// (RateLimit-Reset, else Retry-After, in seconds), 0 if it did not.
	Wait time.Duration
}

// RetryAfter is how long Rewardful asked to wait before trying again.
func (e *APIError) RetryAfter() time.Duration { return e.Wait }

// Error implements error.

func (e *APIError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.StatusCode)
	}
	if len(e.Details) > 0 {
		msg += " (" + strings.Join(e.Details, "; ") + ")"
	}
	return fmt.Sprintf("rewardful: HTTP %d: %s", e.StatusCode, msg)
}

// conflictDetails are the 422 detail fragments that mean a unique value
// is taken rather than malformed.
var conflictDetails = []string{"already in use", "has already been taken"}

// outbound maps an error answer of Rewardful's API (status and body) to a
// canonical error wrapping an *APIError: 400 and 422 are Invalid (Conflict
// when a detail says a unique value is taken), 401 Unauthorized, 403
// Forbidden, 404 NotFound, 409 Conflict, 429 RateLimited, 501
// NotImplemented, 502 and 503 Unavailable, 504 DeadlineExceeded and
// anything else Internal. The message is the vendor's
// own text, details included.
func outbound(status int, body []byte) *canonical.Error {
	apiErr := &APIError{StatusCode: status, Body: body}
	var env struct {
		Error   any      `json:"error"`
		Details []string `json:"details"`
	}
	if json.Unmarshal(body, &env) == nil {
		if s, ok := env.Error.(string); ok {
			apiErr.Message = s
		}
		apiErr.Details = env.Details
	}
	code := surface.ServerErrorCode(status)
	switch status {
	case http.StatusBadRequest:
		code = canonical.Invalid
	case http.StatusUnauthorized:
		code = canonical.Unauthorized
	case http.StatusForbidden:
		code = canonical.Forbidden
	case http.StatusNotFound:
		code = canonical.NotFound
	case http.StatusConflict:
		code = canonical.Conflict
	case http.StatusUnprocessableEntity:
		code = canonical.Invalid
		for _, d := range apiErr.Details {
			for _, frag := range conflictDetails {
				if strings.Contains(strings.ToLower(d), frag) {
					code = canonical.Conflict
				}
			}
		}
	case http.StatusTooManyRequests:
		code = canonical.RateLimited
	case http.StatusNotImplemented:
		code = canonical.NotImplemented
	}
	msg := apiErr.Message
	if len(apiErr.Details) > 0 {
		msg = strings.Join(apiErr.Details, "\n")
	}
	if msg == "" {
		msg = strings.ToLower(http.StatusText(status))
	}
	if code.Uncertain() {
		msg = "rewardful answered HTTP " + strconv.Itoa(status)
	}
	return &canonical.Error{Code: code, Message: msg, Err: apiErr}
}
