package surface

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/gorilla/mux"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// Validator checks requests against a vendor's OpenAPI document. It finds
// the operation from the gorilla/mux route that matched (its path template
// and method), so validation never routes a second time.
type Validator struct {
	base   string
	routes map[string]*routers.Route
	opts   *openapi3filter.Options
}

// NewValidator indexes doc's operations. base is the path the vendor's
// server URL adds in front of the document's paths ("/v2" for GrowSurf,
// "" when the paths are absolute).
func NewValidator(doc *openapi3.T, base string) *Validator {
	v := &Validator{
		base:   strings.TrimSuffix(base, "/"),
		routes: make(map[string]*routers.Route),
		opts: &openapi3filter.Options{
			// Each surface authenticates the way its vendor does; the
			// document's security schemes are documentation here.
			AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
			// The request reaches the handler as the client sent it.
			SkipSettingDefaults: true,
		},
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			v.routes[method+" "+v.base+path] = &routers.Route{
				Spec: doc, Path: path, PathItem: item, Method: method, Operation: op,
			}
		}
	}
	return v
}

// Route returns the spec operation of the route that matched r, or nil
// when r did not come through a mux route the document describes.
func (v *Validator) Route(r *http.Request) *routers.Route {
	cur := mux.CurrentRoute(r)
	if cur == nil {
		return nil
	}
	tmpl, err := cur.GetPathTemplate()
	if err != nil {
		return nil
	}
	return v.routes[r.Method+" "+tmpl]
}

// Operation returns the operationId of the route that matched r, or "".
func (v *Validator) Operation(r *http.Request) string {
	if rt := v.Route(r); rt != nil {
		return rt.Operation.OperationID
	}
	return ""
}

// Validate checks r with CheckRequest (UTF-8, nesting depth), then its
// parameters and body against its operation. The body is read and put
// back, so handlers can read it again. The error is a canonical Invalid
// error whose message names the offending parameter or body field.
func (v *Validator) Validate(r *http.Request) error {
	rt := v.Route(r)
	if rt == nil {
		return canonical.Errorf(canonical.NotFound, "no operation for %s %s", r.Method, r.URL.Path)
	}
	if err := CheckRequest(r); err != nil {
		return err
	}
	in := &openapi3filter.RequestValidationInput{
		Request:    r,
		PathParams: mux.Vars(r),
		Route:      rt,
		Options:    v.opts,
	}
	err := openapi3filter.ValidateRequest(r.Context(), in)
	if err == nil {
		return nil
	}
	return canonical.Wrap(canonical.Invalid, err, describe(err))
}

// Middleware is a mux middleware validating each request; failures go to
// fail, which renders the vendor's error.
func (v *Validator) Middleware(fail func(http.ResponseWriter, *http.Request, error)) mux.MiddlewareFunc {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := v.Validate(r); err != nil {
				fail(w, r, err)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// describe turns a kin-openapi validation error into one line a client
// can act on: which parameter or body field, and what is wrong with it.
func describe(err error) string {
	var re *openapi3filter.RequestError
	if !errors.As(err, &re) {
		return "invalid request"
	}
	reason := re.Reason
	var se *openapi3.SchemaError
	if errors.As(re.Err, &se) {
		reason = se.Reason
		if ptr := se.JSONPointer(); len(ptr) > 0 {
			field := strings.Join(ptr, ".")
			if re.Parameter != nil {
				return fmt.Sprintf("parameter %q: %s: %s", re.Parameter.Name, field, reason)
			}
			return fmt.Sprintf("%s: %s", field, reason)
		}
	} else if reason == "" && re.Err != nil {
		reason = re.Err.Error()
	}
	if re.Parameter != nil {
		if reason == "" {
			reason = "is invalid"
		}
		return fmt.Sprintf("parameter %q in %s: %s", re.Parameter.Name, re.Parameter.In, reason)
	}
	if reason == "" {
		reason = "invalid request body"
	}
	return reason
}
