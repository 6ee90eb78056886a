package irefer

import (
	"net/http"
	"path"
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
// every code but Internal becomes that object; Internal becomes the "rare
// error" the guide warns about, a null body, with the details kept in the
// logs. An outbound mapper (iRefer body → canonical error) would sit
// beside this one: an ErrorResponse body means Invalid, null means
// Internal.
func inboundError(method string, err error) (int, any) {
	switch canonical.CodeOf(err) {
	case canonical.Internal, "":
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

// writeError renders err for the request's method, logging internal
// errors (whose details are never sent).
func writeError(cfg surface.Config, w http.ResponseWriter, r *http.Request, err error) {
	method := methodOf(r)
	if c := canonical.CodeOf(err); c == canonical.Internal || c == "" {
		cfg.Log().ErrorContext(r.Context(), "irefer: internal error", "method", method, "err", err) // the path holds the license key: never logged
	}
	status, body := inboundError(method, err)
	surface.WriteJSON(w, status, body)
}
