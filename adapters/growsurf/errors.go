package growsurf

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/surface"
	api "github.com/refbridge/refbridge/client/growsurf"
	"github.com/refbridge/refbridge/client/growsurf/growsurfserver"
)

// supportURL is the supportUrl of GrowSurf's error bodies; 429 bodies carry
// the older address of the API guidelines.
const (
	supportURL          = "https://app.growsurf.com/settings#contact_support"
	rateLimitSupportURL = "https://growsurf.com/settings#contact_support"
)

// errorBody is GrowSurf's error envelope, in the vendor's field order.
type errorBody struct {
	Name       string        `json:"name"`
	Code       string        `json:"code"`
	Message    string        `json:"message"`
	Status     int           `json:"status"`
	PolicyName string        `json:"policyName,omitempty"`
	Level      string        `json:"level,omitempty"`
	Timestamp  string        `json:"timestamp,omitempty"`
	SupportURL string        `json:"supportUrl"`
	Errors     []fieldDetail `json:"errors,omitempty"`
}

// fieldDetail is one per-field validation problem.
type fieldDetail struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// vendorError is an error that already knows its GrowSurf rendering: the
// statuses canonical codes do not cover (422 program-type refusals) and
// failures with field details.
type vendorError struct {
	status  int
	message string
	details []fieldDetail
	cause   error
}

func (e *vendorError) Error() string { return fmt.Sprintf("growsurf %d: %s", e.status, e.message) }
func (e *vendorError) Unwrap() error { return e.cause }

// unprocessable is GrowSurf's 422 (an endpoint that does not apply to the
// program type).
func unprocessable(msg string) error {
	return &vendorError{status: http.StatusUnprocessableEntity, message: msg}
}

// badField is a 400 naming one request field.
func badField(field, code, msg string) error {
	return &vendorError{status: http.StatusBadRequest, message: "Invalid request.",
		details: []fieldDetail{{Field: field, Code: code, Message: msg}}}
}

// notFound is a 404 with a vendor message such as "Participant not found.".
func notFound(msg string) error { return canonical.Errorf(canonical.NotFound, "%s", msg) }

// rateLimited is the 429 of a window that was exceeded.
type rateLimited struct{ usage surface.Usage }

func (e *rateLimited) Error() string { return "rate limited: " + e.usage.Name }

// errorNames are the name/code pairs per status; 404/409/422, 503/504 and
// 499 (a request whose caller went away) are the naming-pattern choices
// recorded in the spec.
var errorNames = map[int][2]string{
	http.StatusBadRequest:             {"BadRequestError", "BAD_REQUEST_ERROR"},
	http.StatusPaymentRequired:        {"PaymentRequiredError", "PAYMENT_REQUIRED_ERROR"},
	http.StatusForbidden:              {"NotAuthorizedError", "NOT_AUTHORIZED_ERROR"},
	http.StatusNotFound:               {"NotFoundError", "NOT_FOUND_ERROR"},
	http.StatusConflict:               {"ConflictError", "CONFLICT_ERROR"},
	http.StatusUnprocessableEntity:    {"UnprocessableEntityError", "UNPROCESSABLE_ENTITY_ERROR"},
	http.StatusTooManyRequests:        {"RateLimit", "RATE_LIMIT"},
	http.StatusInternalServerError:    {"InternalServerError", "INTERNAL_SERVER_ERROR"},
	http.StatusServiceUnavailable:     {"ServiceUnavailableError", "SERVICE_UNAVAILABLE_ERROR"},
	http.StatusGatewayTimeout:         {"GatewayTimeoutError", "GATEWAY_TIMEOUT_ERROR"},
	surface.StatusClientClosedRequest: {"ClientClosedRequestError", "CLIENT_CLOSED_REQUEST_ERROR"},
}

// Fixed client messages.
const (
	msgNotAuthorized = "You are not allowed to perform that action."
	msgInternal      = "Something went wrong."
	msgInvalid       = "Invalid request."
	msgNoRoute       = "The requested resource does not exist."
	msgUnavailable   = "The service is temporarily unavailable. Please try again."
	msgTimeout       = "The request timed out. Please try again."
	msgCanceled      = "The request was canceled."
)

// toVendor is the one inbound error mapper: it turns any error met while
// serving a request into GrowSurf's status and error body. internal
// reports whether the error is an internal failure whose details must go
// to the log only. (An outbound mapper, vendor body → canonical error,
// would sit beside it as fromVendor.)
func toVendor(err error, now time.Time) (status int, body errorBody, internal bool) {
	status, msg := http.StatusInternalServerError, msgInternal
	var details []fieldDetail
	var (
		ve  *vendorError
		rl  *rateLimited
		ipf *growsurfserver.InvalidParamFormatError
		rp  *growsurfserver.RequiredParamError
		tmv *growsurfserver.TooManyValuesForParamError
		up  *growsurfserver.UnmarshalingParamError
	)
	switch {
	case errors.As(err, &rl):
		label := strings.ToLower(rl.usage.Name)
		body := errorBody{Name: "RateLimit", Code: "RATE_LIMIT", Status: http.StatusTooManyRequests,
			Message: "You have reached your " + label + " limit.", PolicyName: rl.usage.Name, Level: "error",
			Timestamp: now.UTC().Format("2006-01-02T15:04:05.000Z07:00"), SupportURL: rateLimitSupportURL}
		return http.StatusTooManyRequests, body, false
	case errors.As(err, &ve):
		status, msg, details = ve.status, ve.message, ve.details
	case errors.As(err, &ipf):
		status, msg = http.StatusBadRequest, msgInvalid
		details = []fieldDetail{paramDetail(ipf.ParamName, ipf.Err)}
	case errors.As(err, &rp):
		status, msg = http.StatusBadRequest, msgInvalid
		details = []fieldDetail{{Field: rp.ParamName, Code: "MISSING_" + upperField(rp.ParamName), Message: rp.Error()}}
	case errors.As(err, &tmv):
		status, msg = http.StatusBadRequest, msgInvalid
		details = []fieldDetail{{Field: tmv.ParamName, Code: "INVALID_" + upperField(tmv.ParamName), Message: tmv.Error()}}
	case errors.As(err, &up):
		status, msg = http.StatusBadRequest, msgInvalid
		details = []fieldDetail{paramDetail(up.ParamName, up.Err)}
	default:
		code, public := surface.Public(err)
		switch code {
		case canonical.NotFound:
			status, msg = http.StatusNotFound, notFoundMessage(public)
		case canonical.Invalid:
			status, msg = http.StatusBadRequest, public
			if field, reason, ok := specField(err); ok {
				msg = msgInvalid
				code := "INVALID_" + upperField(field)
				if strings.Contains(reason, "missing") {
					code = "MISSING_" + upperField(field)
				}
				details = []fieldDetail{{Field: field, Code: code, Message: reason}}
			}
		case canonical.Conflict:
			status, msg = http.StatusConflict, public
		case canonical.Unauthorized, canonical.Forbidden:
			status, msg = http.StatusForbidden, msgNotAuthorized
		case canonical.RateLimited:
			status, msg = http.StatusTooManyRequests, public
		case canonical.NotImplemented:
			status, msg = http.StatusUnprocessableEntity, public
		case canonical.Unavailable:
			status, msg = http.StatusServiceUnavailable, msgUnavailable
		case canonical.DeadlineExceeded:
			status, msg = http.StatusGatewayTimeout, msgTimeout
		case canonical.Canceled:
			status, msg = surface.StatusClientClosedRequest, msgCanceled
		default:
			return http.StatusInternalServerError, newBody(http.StatusInternalServerError, msgInternal, nil), true
		}
	}
	return status, newBody(status, msg, details), status >= 500
}

func newBody(status int, msg string, details []fieldDetail) errorBody {
	names := errorNames[status]
	if names[0] == "" {
		names = errorNames[http.StatusBadRequest]
	}
	return errorBody{Name: names[0], Code: names[1], Message: msg, Status: status, SupportURL: supportURL, Errors: details}
}

// notFoundMessage rewrites the engine's not-found messages, which may
// carry internal IDs, as GrowSurf's resource messages; messages the
// surface wrote itself (ending in a period) pass through.
func notFoundMessage(msg string) string {
	if strings.HasSuffix(msg, ".") {
		return msg
	}
	switch m := strings.ToLower(msg); {
	case strings.HasPrefix(m, "campaign"):
		return "Program not found."
	case strings.HasPrefix(m, "participant"), strings.HasPrefix(m, "referrer"):
		return "Participant not found."
	case strings.HasPrefix(m, "reward rule"):
		return "Reward not found."
	case strings.HasPrefix(m, "reward"):
		return "Reward not found."
	case strings.HasPrefix(m, "commission"):
		return "Commission not found."
	case strings.HasPrefix(m, "payout"):
		return "Payout not found."
	}
	return "Resource not found."
}

// paramDetail describes a parameter the generated binding could not read.
func paramDetail(name string, cause error) fieldDetail {
	reason := "has an invalid format"
	if cause != nil {
		reason = cause.Error()
	}
	return fieldDetail{Field: name, Code: "INVALID_" + upperField(name), Message: fmt.Sprintf("Invalid format for parameter %s: %s", name, reason)}
}

// specField finds the parameter or body field a spec validation failure
// is about.
func specField(err error) (field, reason string, ok bool) {
	var re *openapi3filter.RequestError
	if !errors.As(err, &re) {
		var ue *json.UnmarshalTypeError
		if errors.As(err, &ue) && ue.Field != "" {
			return ue.Field, fmt.Sprintf("%s must be %s", ue.Field, jsonKind(ue.Type.Kind().String())), true
		}
		return "", "", false
	}
	reason = canonical.MessageOf(err)
	if re.Parameter != nil {
		return re.Parameter.Name, reason, true
	}
	var se *openapi3.SchemaError
	if errors.As(re.Err, &se) {
		if ptr := se.JSONPointer(); len(ptr) > 0 {
			return strings.Join(ptr, "."), reason, true
		}
		// A missing required property names itself in the reason.
		if name, found := strings.CutPrefix(se.Reason, "property \""); found {
			if i := strings.IndexByte(name, '"'); i > 0 {
				return name[:i], reason, true
			}
		}
	}
	return "body", reason, true
}

func jsonKind(k string) string {
	switch k {
	case "int", "int64", "int32", "float64", "uint64":
		return "a number"
	case "bool":
		return "a boolean"
	case "string":
		return "a string"
	case "slice":
		return "an array"
	}
	return "an object"
}

// upperField turns "referredBy" or "metadata.plan" into "REFERRED_BY",
// "METADATA_PLAN" for detail codes.
func upperField(field string) string {
	var b strings.Builder
	for i, r := range field {
		switch {
		case r >= 'A' && r <= 'Z':
			if i > 0 {
				b.WriteByte('_')
			}
			b.WriteRune(r)
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

// ------------------------------------------------------------- outbound

// APIError is an error response of GrowSurf's API as the outbound Backend
// received it. Backend methods return it wrapped in a *canonical.Error;
// errors.As(err, &apiErr) reaches it.
type APIError struct {
	// StatusCode is the HTTP status.
	StatusCode int
	// Body is the raw response body.
	Body []byte
	// Name and Code are GrowSurf's error class name and machine code
	// ("NotFoundError", "NOT_FOUND_ERROR"), empty when the body was not
	// GrowSurf's error envelope.
	Name, Code string
	// Message is GrowSurf's human-readable message.
	Message string
	// Fields are the per-field validation problems, if any.
	Fields []APIFieldError
	// Wait is how long GrowSurf asked a rate-limited client to wait
	// (its GrowSurf-Retry-After-…-Milliseconds headers), 0 if it did not.
	Wait time.Duration
}

// APIFieldError is one per-field problem of a GrowSurf 400.
type APIFieldError struct {
	Field, Code, Message string
}

// Error implements error.
// RetryAfter is how long GrowSurf asked to wait before trying again.
func (e *APIError) RetryAfter() time.Duration { return e.Wait }

func (e *APIError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.StatusCode)
	}
	if e.Code != "" {
		return fmt.Sprintf("growsurf: %d %s: %s", e.StatusCode, e.Code, msg)
	}
	return fmt.Sprintf("growsurf: %d: %s", e.StatusCode, msg)
}

// fromVendor is the one outbound error mapper: it turns a GrowSurf error
// response (status and body) into a *canonical.Error around an *APIError.
func fromVendor(status int, body []byte) *canonical.Error {
	ae := &APIError{StatusCode: status, Body: body}
	var env api.Error
	if json.Unmarshal(body, &env) == nil {
		ae.Name, ae.Code, ae.Message = env.Name, env.Code, env.Message
		if env.Errors != nil {
			for _, d := range *env.Errors {
				ae.Fields = append(ae.Fields, APIFieldError{Field: derefStr(d.Field), Code: derefStr(d.Code), Message: derefStr(d.Message)})
			}
		}
	}
	msg := ae.Message
	if len(ae.Fields) > 0 && ae.Fields[0].Message != "" {
		msg = ae.Fields[0].Message
	}
	if msg == "" {
		msg = http.StatusText(status)
	}
	var code canonical.Code
	switch {
	case status == http.StatusBadRequest, status == http.StatusUnprocessableEntity:
		code = canonical.Invalid
	case status == http.StatusUnauthorized:
		code = canonical.Unauthorized
	case status == http.StatusForbidden && (ae.Code == "" || ae.Code == "NOT_AUTHORIZED_ERROR"):
		// A bad, revoked or missing API key.
		code = canonical.Unauthorized
	case status == http.StatusForbidden, status == http.StatusPaymentRequired:
		// A valid key refused: paid plan or payment method required,
		// unverified owner email, usage limits.
		code = canonical.Forbidden
	case status == http.StatusNotFound:
		code = canonical.NotFound
	case status == http.StatusConflict:
		code = canonical.Conflict
	case status == http.StatusTooManyRequests:
		code = canonical.RateLimited
	default:
		code, msg = surface.ServerErrorCode(status), "growsurf answered "+strconv.Itoa(status)
	}
	return &canonical.Error{Code: code, Message: msg, Err: ae}
}

// transportError wraps a failure to reach GrowSurf or to read its answer,
// coded by canonical.TransportCode (Unavailable, DeadlineExceeded,
// Canceled, or Internal for an answer that did not decode).
func transportError(err error) *canonical.Error {
	return canonical.Transport(fmt.Errorf("growsurf: %w", err), "growsurf request failed")
}

func derefStr(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
