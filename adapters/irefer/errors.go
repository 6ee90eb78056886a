package irefer

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/surface"
	api "github.com/refbridge/refbridge/client/irefer"
)

// errorText is the one message iRefer's error object ever carries.
const errorText = "input missing or incorrect"

// errorCode is iRefer's error_code for a method: the exact method name
// between "irefer_api_" and "_err_401" (the 401 is only text).
func errorCode(method string) string {
	return "irefer_api_" + method + "_err_401"
}

// inboundError maps a canonical error to what iRefer sends for it: the
// HTTP status and the body (nil meaning a literal JSON null).
//
// iRefer has one error object for every failure its guide describes — a
// bad license key, api_key or calling host, an unknown campaign, a missing
// or malformed parameter, an unknown participant — and sends it with HTTP
// 200 (the guide's jQuery sample reads it in the success callback). So
// every code that answers the request becomes that object; a failure of
// the call itself — Internal, Unavailable, DeadlineExceeded, Canceled —
// becomes the "rare error" the guide warns about, a null body, with the
// details kept in the logs.
func inboundError(method string, err error) (int, any) {
	if code := canonical.CodeOf(err); code.Uncertain() {
		return http.StatusOK, nil
	}
	return http.StatusOK, api.ErrorResponse{Error: errorText, ErrorCode: errorCode(method)}
}

// methodOf names the iRefer method a request addressed: the last segment
// of its path (/v1.0/{key}.js/{method}), reduced to ASCII letters as
// method names are. A path without one is reported as "unknown".
func methodOf(r *http.Request) string {
	base := path.Base(r.URL.Path)
	var b strings.Builder
	for i := 0; i < len(base) && b.Len() < 64; i++ {
		if c := base[i]; c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			b.WriteByte(c)
		}
	}
	if b.Len() == 0 {
		return "unknown"
	}
	return b.String()
}

// writeError renders err for the request's method, logging failures of
// the call itself (whose details are never sent) unless the caller went
// away.
func writeError(cfg surface.Config, w http.ResponseWriter, r *http.Request, err error) {
	method := methodOf(r)
	if surface.ServerFault(err) {
		cfg.Log().ErrorContext(r.Context(), "irefer: internal error", "method", method, "err", err) // the path holds the license key: never logged
	}
	status, body := inboundError(method, err)
	surface.WriteJSON(w, status, body)
}

// APIError is an error answer of iRefer's API as the outbound Backend
// received it: iRefer's error object (HTTP 200), its "rare" null body, or
// an HTTP failure. The *canonical.Error every Backend method returns wraps
// it, so errors.As(err, &apiErr) reaches the raw answer.
type APIError struct {
	// StatusCode is the HTTP status (200 for iRefer's error object).
	StatusCode int
	// Body is the raw response body.
	Body []byte
	// Method is the iRefer method called (referrerStats, newSignup, ...).
	Method string
	// Message is the error object's error, "" for other answers.
	Message string
	// Code is the error object's error_code
	// (irefer_api_<method>_err_401), "" for other answers.
	Code string
}

// Error implements error.
func (e *APIError) Error() string {
	switch {
	case e.Code != "":
		return "irefer: " + e.Method + ": " + e.Code + ": " + e.Message
	case e.StatusCode != http.StatusOK:
		return "irefer: " + e.Method + ": HTTP " + strconv.Itoa(e.StatusCode)
	}
	return "irefer: " + e.Method + ": null or unexpected body"
}

// errorObjectCode is what iRefer's one error object means for each
// method, given what the backend checks before calling it: the backend
// only calls a method for its own campaign, with every required
// parameter, so the object says that the credentials were refused (the
// list and stats methods, whose only other input is the campaign id), that
// the participant is unknown (referrerStats), that the signup's input was
// refused (newSignup), or that the referrer code or the action matched
// nothing (newSpecificAction).
var errorObjectCode = map[string]canonical.Code{
	"campaignStats":         canonical.Unauthorized,
	"referrers":             canonical.Unauthorized,
	"rewards":               canonical.Unauthorized,
	"specificActionSignups": canonical.Unauthorized,
	"referrerStats":         canonical.NotFound,
	"newSignup":             canonical.Invalid,
	"newSpecificAction":     canonical.NotFound,
}

// outboundError is the outbound mapper: it tells an iRefer answer (method,
// HTTP status, body) that is a failure and returns the *canonical.Error
// for it, wrapping an *APIError; it returns nil for a success. iRefer
// answers failures with HTTP 200, so the body decides:
//
//   - {"error": …, "error_code": "irefer_api_<method>_err_…"}: the code
//     errorObjectCode gives the method (Invalid for a method it does not
//     list), with a caller-safe message naming what iRefer refused;
//   - a null or empty body (the guide's "rare error"): Internal;
//   - any other HTTP status: by status (400 Invalid, 401 Unauthorized, 403
//     Forbidden, 404 NotFound, 429 RateLimited, 502 and 503 Unavailable,
//     504 DeadlineExceeded, anything else Internal).
func outboundError(method string, status int, body []byte) *canonical.Error {
	apiErr := &APIError{StatusCode: status, Body: body, Method: method}
	if status != http.StatusOK {
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
		case http.StatusTooManyRequests:
			code = canonical.RateLimited
		}
		return canonical.Wrap(code, apiErr, "iRefer answered HTTP "+strconv.Itoa(status)+" to "+method)
	}
	trimmed := strings.TrimSpace(string(body))
	if trimmed == "" || trimmed == "null" {
		return canonical.Wrap(canonical.Internal, apiErr, "iRefer failed to answer "+method)
	}
	if !strings.HasPrefix(trimmed, "{") {
		return nil
	}
	var obj struct {
		Error     *string `json:"error"`
		ErrorCode *string `json:"error_code"`
	}
	if json.Unmarshal(body, &obj) != nil || obj.ErrorCode == nil || !strings.HasPrefix(*obj.ErrorCode, "irefer_api_") {
		return nil
	}
	apiErr.Code = *obj.ErrorCode
	if obj.Error != nil {
		apiErr.Message = *obj.Error
	}
	code, ok := errorObjectCode[method]
	if !ok {
		code = canonical.Invalid
	}
	msg := map[canonical.Code]string{
		canonical.Unauthorized: "iRefer refused the license key, api_key or campaign_id",
		canonical.NotFound:     "iRefer found no match for the " + method + " input",
		canonical.Invalid:      "iRefer refused the " + method + " input",
	}[code]
	return canonical.Wrap(code, apiErr, msg+" ("+apiErr.Code+")")
}

// transportError wraps a failure to reach iRefer, or to read or parse its
// answer (the generated client refuses a 200 body that is not JSON),
// coded by canonical.TransportCode: Unavailable, DeadlineExceeded,
// Canceled, or Internal for a body that did not decode. The request URL
// holds the license key, so only the method is named.
func transportError(method string, err error) *canonical.Error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err // drop the URL: its path holds the license key
	}
	return canonical.Transport(fmt.Errorf("irefer: %s: %w", method, err), "iRefer call failed")
}
