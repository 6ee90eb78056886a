// Package growsurf serves GrowSurf's REST API v2 (api.growsurf.com/v2) over
// any canonical.Backend: the inbound HTTP surface that lets clients written
// for GrowSurf keep working, unchanged, against refbridge.
//
// The package holds both directions. Inbound, NewSurface returns the
// surface (a surface.Surface the proxy serves). Outbound, NewBackend
// returns a canonical.Backend over GrowSurf's real API at api.growsurf.com,
// through the generated client in client/growsurf; client.Open reaches it
// by the scheme that client/growsurfclient registers.
package growsurf

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/surface"
	"github.com/refbridge/refbridge/client/growsurf/growsurfserver"
	"github.com/refbridge/refbridge/openapi"
)

// PathPrefix is the path GrowSurf's server URL puts in front of every
// operation (DefaultBaseURL is the whole URL of its API, for the backend).
const PathPrefix = "/v2"

// windows are GrowSurf's documented rate-limit policies per API key
// (limits), as the surface reports and enforces them.
var windows = surface.WindowsOf(limits)

// Surface is GrowSurf's inbound HTTP surface.
type Surface struct{}

var _ surface.Surface = (*Surface)(nil)

// NewSurface returns the GrowSurf surface, the inbound
// direction (NewBackend is the outbound one).
func NewSurface() *Surface { return &Surface{} }

// Vendor implements surface.Surface.
func (*Surface) Vendor() canonical.Vendor { return canonical.GrowSurf }

// Routes implements surface.Surface.
func (*Surface) Routes() surface.Routes {
	return surface.Routes{Hosts: []string{"api.growsurf.com"}, Prefix: "/growsurf", Roots: []string{PathPrefix + "/"}}
}

// WriteError implements surface.Surface.
func (*Surface) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	writeError(surface.Config{}, w, r, err)
}

// Handler implements surface.Surface.
func (*Surface) Handler(cfg surface.Config) http.Handler {
	r := mux.NewRouter()
	fail := func(w http.ResponseWriter, r *http.Request, err error) { writeError(cfg, w, r, err) }
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fail(w, r, notFound(msgNoRoute)) })
	// GrowSurf documents no 405; a wrong method is an unknown route.
	r.MethodNotAllowedHandler = r.NotFoundHandler
	doc, err := openapi.Shared(openapi.GrowSurf)
	if err != nil {
		// The embedded spec is tested; should it ever fail to load, every
		// call answers 500 rather than unvalidated.
		cfg.Log().Error("growsurf: load spec", "err", err)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fail(w, r, err) })
	}
	mws := []mux.MiddlewareFunc{authenticate(cfg, fail), limit(cfg, fail), defaultJSON, surface.NewValidator(doc, PathPrefix).Middleware(fail)}
	r.Use(mws...)
	srv := &server{cfg: cfg, ids: newIDCodecs(cfg.IDSecret)}
	growsurfserver.HandlerWithOptions(srv, growsurfserver.GorillaServerOptions{BaseRouter: r, BaseURL: PathPrefix, ErrorHandlerFunc: fail})
	return surface.Index(r, mws...)
}

// writeError renders err with the one error mapper, logging internal
// failures.
func writeError(cfg surface.Config, w http.ResponseWriter, r *http.Request, err error) {
	status, body, internal := toVendor(err, cfg.Clock())
	if internal {
		cfg.Log().Error("growsurf: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	surface.WriteJSON(w, status, body)
}

// authenticate resolves GrowSurf's `Authorization: Bearer <API key>` to
// the caller's account; a missing or unknown key is GrowSurf's 403.
func authenticate(cfg surface.Config, fail func(http.ResponseWriter, *http.Request, error)) mux.MiddlewareFunc {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			scheme, key, _ := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
			key = strings.TrimSpace(key)
			if !strings.EqualFold(scheme, "Bearer") || key == "" {
				fail(w, r, canonical.Errorf(canonical.Unauthorized, "missing API key"))
				return
			}
			cred, err := cfg.Tenants.Authenticate(r.Context(), canonical.GrowSurf, canonical.APIKey, key)
			if err != nil {
				fail(w, r, err)
				return
			}
			ctx := surface.WithCaller(r.Context(), surface.Caller{Credential: cred, Backend: cfg.Tenants.Backend(cred.AccountID)})
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

// limit counts the call against GrowSurf's windows for the caller's
// account, sets the GrowSurf-RateLimit headers and, when enforcing,
// refuses calls over a limit with GrowSurf's 429.
func limit(cfg surface.Config, fail func(http.ResponseWriter, *http.Request, error)) mux.MiddlewareFunc {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			caller, ok := surface.CallerFrom(r.Context())
			if cfg.Limits == nil || !ok {
				next.ServeHTTP(w, r)
				return
			}
			usage := cfg.Limits.Take(caller.Credential.AccountID+"|growsurf", windows, cfg.Clock())
			h := w.Header()
			for _, u := range usage {
				label := windowLabel(u.Name)
				// GrowSurf's own header spelling, kept as is on the wire.
				h["GrowSurf-RateLimit-"+label+"-Limit"] = []string{strconv.Itoa(u.Limit)}
				h["GrowSurf-RateLimit-"+label+"-Remaining"] = []string{strconv.Itoa(u.Remaining)}
				if u.Over() {
					h["GrowSurf-Retry-After-"+label+"-Milliseconds"] = []string{strconv.FormatInt(u.Period.Milliseconds(), 10)}
				}
			}
			if over, hit := surface.FirstOver(usage); hit && cfg.EnforceLimits {
				fail(w, r, &rateLimited{usage: over})
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// defaultJSON reads a body sent without a Content-Type as JSON, the only
// body format GrowSurf's SDKs send.
func defaultJSON(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Content-Type") == "" && r.ContentLength != 0 && r.Body != nil && r.Body != http.NoBody {
			r.Header.Set("Content-Type", "application/json")
		}
		next.ServeHTTP(w, r)
	})
}

// windowLabel turns "SECOND" into the header spelling "Second".
func windowLabel(name string) string {
	if name == "" {
		return name
	}
	return name[:1] + strings.ToLower(name[1:])
}
