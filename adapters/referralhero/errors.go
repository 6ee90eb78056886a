package referralhero

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/surface"
	api "github.com/refbridge/refbridge/client/referralhero"
	"github.com/refbridge/refbridge/client/referralhero/referralheroserver"
)

// The vendor's documented error codes this surface sends.
const (
	codeNoToken           = "no_token"
	codeInvalidToken      = "invalid_token"
	codeInactiveAccount   = "inactive_account"
	codeTooManyCalls      = "too_many_calls"
	codeNoListUUID        = "no_list_uuid"
	codeInvalidList       = "invalid_list"
	codeNoSubscriberID    = "no_subscriber_id"
	codeSubscriberMissing = "subscriber_not_found"
	codeNoEmail           = "no_email_address"
	codeInvalidEmail      = "invalid_email_address"
	codeNoName            = "no_name"
	codeNoPoints          = "no_points"
	codeAlreadyPromoted   = "subscriber_already_promoted"
	codeNotPromoted       = "subscriber_not_promoted"
	codeWrongListType     = "wrong_list_type"
	codeErrorListCreation = "error_list_creation"
)

// The vendor's documented messages (and ours where it documents none).
const (
	msgNoToken         = "Missing API token"
	msgInvalidToken    = "Invalid API token"
	msgInactive        = "Your account is inactive"
	msgTooManyCalls    = "Too many calls, please wait 60 minutes"
	msgListNotFound    = "List not found"
	msgSubNotFound     = "Subscriber not found"
	msgNoEmail         = "Email address is missing"
	msgNoPoints        = "Points are missing"
	msgNoName          = "Name is missing"
	msgAlreadyPromoted = "Subscriber was already promoted"
	msgNotPromoted     = "Subscriber was not promoted"
	msgInternal        = "Internal server error"
	msgUnavailable     = "Service unavailable, please try again"
	msgTimeout         = "Request timed out, please try again"
	msgCanceled        = "Request canceled"
	msgNotFoundPath    = "Not found"
	msgMethod          = "Method not allowed"
)

// errorBody is the vendor's error envelope. Code is absent for the failures
// the vendor documents by message only.
type errorBody struct {
	Status  string `json:"status"`
	Message string `json:"message"`
	Code    string `json:"code,omitempty"`
}

// vendorError is a failure already decided in the vendor's terms: the
// handlers return it where the vendor's code depends on the operation (the
// same canonical NotFound is invalid_list for a list and
// subscriber_not_found for a subscriber).
type vendorError struct {
	status  int
	code    string
	message string
	cause   error
}

func (e *vendorError) Error() string {
	if e.cause != nil {
		return fmt.Sprintf("referralhero %d %s: %s: %v", e.status, e.code, e.message, e.cause)
	}
	return fmt.Sprintf("referralhero %d %s: %s", e.status, e.code, e.message)
}

func (e *vendorError) Unwrap() error { return e.cause }

// fail returns a vendorError.
func fail(status int, code, message string) *vendorError {
	return &vendorError{status: status, code: code, message: message}
}

// Frequent vendor failures.
var (
	errListNotFound = fail(http.StatusNotFound, codeInvalidList, msgListNotFound)
	errSubNotFound  = fail(http.StatusNotFound, codeSubscriberMissing, msgSubNotFound)
	errNoIdentifier = fail(http.StatusBadRequest, codeNoEmail, msgNoEmail)
)

// as maps a canonical NotFound (the only code where the vendor's answer
// depends on what was looked up) to nf and passes anything else through.
func as(err error, nf *vendorError) error {
	if canonical.IsCode(err, canonical.NotFound) {
		return &vendorError{status: nf.status, code: nf.code, message: nf.message, cause: err}
	}
	return err
}

// toVendor is the one inbound mapper: any error the surface meets (a
// vendorError, a canonical error from the backend or the validator, a
// generated-binding error) becomes the vendor's status and error body.
// internal reports an error whose details must be logged, not sent. The
// vendor documents no code for a failure of its own, so Unavailable (503),
// DeadlineExceeded (504) and Canceled (499, a caller that went away) carry
// a message only.
func toVendor(err error) (status int, body errorBody, internal bool) {
	body.Status = "error"
	var ve *vendorError
	if errors.As(err, &ve) {
		body.Code, body.Message = ve.code, ve.message
		return ve.status, body, false
	}
	if field, ok := bindingField(err); ok {
		err = canonical.Wrap(canonical.Invalid, err, fmt.Sprintf("parameter %q is invalid", field))
	}
	code, msg := surface.Public(err)
	body.Message = msg
	switch code {
	case canonical.Unauthorized:
		body.Code, body.Message = codeInvalidToken, msgInvalidToken
		return http.StatusUnauthorized, body, false
	case canonical.Forbidden:
		body.Code, body.Message = codeInactiveAccount, msgInactive
		return http.StatusForbidden, body, false
	case canonical.RateLimited:
		body.Code, body.Message = codeTooManyCalls, msgTooManyCalls
		return http.StatusTooManyRequests, body, false
	case canonical.NotFound:
		return http.StatusNotFound, body, false
	case canonical.Invalid:
		if c, m := validationCode(err); c != "" {
			body.Code, body.Message = c, m
		}
		return http.StatusBadRequest, body, false
	case canonical.Conflict:
		return http.StatusBadRequest, body, false
	case canonical.NotImplemented:
		return http.StatusNotImplemented, body, false
	case canonical.Unavailable:
		body.Message = msgUnavailable
		return http.StatusServiceUnavailable, body, true
	case canonical.DeadlineExceeded:
		body.Message = msgTimeout
		return http.StatusGatewayTimeout, body, true
	case canonical.Canceled:
		// The caller went away; nothing reads this answer.
		body.Message = msgCanceled
		return surface.StatusClientClosedRequest, body, false
	}
	body.Message = msgInternal
	return http.StatusInternalServerError, body, true
}

// writeError renders err with toVendor, logging internal errors.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	status, body, internal := toVendor(err)
	if internal {
		log.Error("referralhero: internal error", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	surface.WriteJSON(w, status, body)
}

// bindingField returns the parameter named by a generated-binding error.
func bindingField(err error) (string, bool) {
	var (
		f1 *referralheroserver.InvalidParamFormatError
		f2 *referralheroserver.RequiredParamError
		f3 *referralheroserver.UnmarshalingParamError
		f4 *referralheroserver.TooManyValuesForParamError
		f5 *referralheroserver.RequiredHeaderError
		f6 *referralheroserver.UnescapedCookieParamError
	)
	switch {
	case errors.As(err, &f1):
		return f1.ParamName, true
	case errors.As(err, &f2):
		return f2.ParamName, true
	case errors.As(err, &f3):
		return f3.ParamName, true
	case errors.As(err, &f4):
		return f4.ParamName, true
	case errors.As(err, &f5):
		return f5.ParamName, true
	case errors.As(err, &f6):
		return f6.ParamName, true
	}
	return "", false
}

// validationCode finds the field a spec-validation failure is about and
// the vendor code (and message) for it; "" when the vendor documents
// none.
func validationCode(err error) (code, message string) {
	field, missing := invalidField(err)
	switch field {
	case "email":
		if missing {
			return codeNoEmail, msgNoEmail
		}
		return codeInvalidEmail, "Email address is invalid"
	case "points":
		if missing {
			return codeNoPoints, msgNoPoints
		}
	case "name":
		if missing {
			return codeNoName, msgNoName
		}
	case "uuid":
		return codeNoListUUID, "List uuid is missing"
	case "subscriber_id":
		return codeNoSubscriberID, "Subscriber id is missing"
	}
	return "", ""
}

// invalidField names the parameter or top-level body field of a
// kin-openapi request error, and whether it was missing.
func invalidField(err error) (field string, missing bool) {
	var re *openapi3filter.RequestError
	if !errors.As(err, &re) {
		return "", false
	}
	if re.Parameter != nil {
		return re.Parameter.Name, errors.Is(re.Err, openapi3filter.ErrInvalidRequired) ||
			strings.Contains(re.Error(), "must have a value")
	}
	var se *openapi3.SchemaError
	if !errors.As(re.Err, &se) {
		return "", false
	}
	ptr := se.JSONPointer()
	if len(ptr) > 0 {
		field = ptr[0]
	}
	missing = se.SchemaField == "required"
	if field == "" && missing {
		// Older kin-openapi versions name the missing property in the
		// reason only.
		if _, rest, ok := strings.Cut(se.Reason, `property "`); ok {
			field, _, _ = strings.Cut(rest, `"`)
		}
	}
	return field, missing
}

// APIError is an error answer of the ReferralHero API as the outbound
// Backend received it: the HTTP status, the raw body and the envelope's
// code and message. Every error the Backend returns for a vendor failure
// is a *canonical.Error wrapping an *APIError, so that
//
//	var apiErr *referralhero.APIError
//	errors.As(err, &apiErr)
//
// reaches the vendor's own answer.
type APIError struct {
	// StatusCode is the HTTP status; the vendor sometimes answers errors
	// with 200 and status "error" in the body.
	StatusCode int
	// Body is the raw response body.
	Body []byte
	// Code is the envelope's code (such as subscriber_not_found), "" when
	// the vendor sent none.
	Code string
	// Message is the envelope's human-readable message.
	Message string
}

// Error implements error.
func (e *APIError) Error() string {
	if e.Code != "" {
		return fmt.Sprintf("referralhero: HTTP %d %s: %s", e.StatusCode, e.Code, e.Message)
	}
	return fmt.Sprintf("referralhero: HTTP %d: %s", e.StatusCode, e.Message)
}

// vendorErrorCodes maps the vendor's documented error codes to canonical
// codes.
var vendorErrorCodes = map[string]canonical.Code{
	codeNoToken:                          canonical.Unauthorized,
	codeInvalidToken:                     canonical.Unauthorized,
	codeInactiveAccount:                  canonical.Forbidden,
	codeTooManyCalls:                     canonical.RateLimited,
	codeInvalidList:                      canonical.NotFound,
	codeSubscriberMissing:                canonical.NotFound,
	codeNoListUUID:                       canonical.Invalid,
	codeNoSubscriberID:                   canonical.Invalid,
	codeNoEmail:                          canonical.Invalid,
	codeInvalidEmail:                     canonical.Invalid,
	codeNoName:                           canonical.Invalid,
	codeNoPoints:                         canonical.Invalid,
	codeWrongListType:                    canonical.Invalid,
	codeErrorListCreation:                canonical.Invalid,
	codeNotPromoted:                      canonical.Invalid,
	codeAlreadyPromoted:                  canonical.Conflict,
	string(api.ErrorCodeNoHostingUrl):    canonical.Invalid,
	string(api.ErrorCodeNoListType):      canonical.Invalid,
	string(api.ErrorCodeUnknownListType): canonical.Invalid,
}

// conflictWords are phrases of the vendor's code-less 400 messages that
// report a state conflict rather than bad input ("custom event is already
// completed", a coupon code or email already in use).
var conflictWords = []string{"already", "in use", "another participant", "not unconfirmed", "no referral to confirm", "reached"}

// fromVendor is the one outbound mapper: a ReferralHero answer (HTTP
// status and body) that failed — a non-2xx status, or any status with
// status "error" in the body — becomes a *canonical.Error wrapping an
// *APIError. Documented codes decide first; a body without a code is
// classified by HTTP status, a code-less 400 being Conflict when its
// message reports a state conflict (or when badRequest says so for the
// operation) and Invalid otherwise.
func fromVendor(status int, body []byte, badRequest canonical.Code) *canonical.Error {
	apiErr := &APIError{StatusCode: status, Body: body}
	var eb errorBody
	if json.Unmarshal(body, &eb) == nil {
		apiErr.Code, apiErr.Message = eb.Code, eb.Message
	}
	msg := apiErr.Message
	if msg == "" {
		msg = http.StatusText(status)
	}
	if msg == "" {
		msg = "ReferralHero answered an error"
	}
	if c, ok := vendorErrorCodes[apiErr.Code]; ok {
		return canonical.Wrap(c, apiErr, msg)
	}
	code := canonical.Internal
	switch {
	case status == http.StatusUnauthorized:
		code = canonical.Unauthorized
	case status == http.StatusForbidden:
		code = canonical.Forbidden
	case status == http.StatusNotFound:
		code = canonical.NotFound
	case status == http.StatusConflict:
		code = canonical.Conflict
	case status == http.StatusTooManyRequests:
		code = canonical.RateLimited
	case status == http.StatusNotImplemented:
		code = canonical.NotImplemented
	case status >= 500:
		code = surface.ServerErrorCode(status)
		msg = "ReferralHero failed to answer"
	default: // 400, 422, or a 2xx carrying status "error"
		code = canonical.Invalid
		lower := strings.ToLower(apiErr.Message)
		for _, w := range conflictWords {
			if strings.Contains(lower, w) {
				code = canonical.Conflict
			}
		}
		if badRequest != "" {
			code = badRequest
		}
	}
	return canonical.Wrap(code, apiErr, msg)
}
