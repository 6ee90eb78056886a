package irefer

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/gorilla/mux"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/surface"
	"github.com/refbridge/refbridge/client/irefer/ireferserver"
	"github.com/refbridge/refbridge/openapi"
)

// Host is iRefer's API host.
const Host = "api.irefer.io"

// Limitations lists the operations (by operationId) this surface does not
// serve as the vendor does, with the reason. Every operation is served for
// real; the three that list other participants' data refuse browser calls
// by default (see server.lister).
var Limitations = map[string]string{
	"referrers":               listingLimitation,
	"referrersV1":             listingLimitation,
	"rewards":                 listingLimitation,
	"rewardsV1":               listingLimitation,
	"specificActionSignups":   listingLimitation,
	"specificActionSignupsV1": listingLimitation,
}

// listingLimitation is the one difference of the listing methods.
const listingLimitation = "needs the api_key: a browser call (license key and calling host only) answers the error object, " +
	"since the license key is public and Origin can be forged; a campaign opts in with its Native iRefer value browser_lists"

// Surface is iRefer's inbound HTTP surface.
type Surface struct{}

var _ surface.Surface = (*Surface)(nil)

// NewSurface returns iRefer's surface, the inbound
// direction (NewBackend is the outbound one).
func NewSurface() *Surface { return &Surface{} }

// Vendor implements surface.Surface.
func (*Surface) Vendor() canonical.Vendor { return canonical.IRefer }

// Routes implements surface.Surface: api.irefer.io, /irefer, or the
// /v1.0/ and /v1/ roots, where iRefer paths are told from Rewardful's /v1/
// paths by their second segment, the license key with its ".js" suffix.
func (*Surface) Routes() surface.Routes {
	return surface.Routes{
		Hosts:  []string{Host},
		Prefix: "/irefer",
		Roots:  []string{"/v1.0/", "/v1/"},
		Claim:  claim,
		// Preflights from a campaign's site are answered here, where
		// the license key in the path says which site that is.
		SiteOrigins: true,
	}
}

// claim reports whether path (under /v1.0/ or /v1/) is an iRefer path:
// its second segment ends in ".js".
func claim(path string) bool {
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	return len(segs) >= 2 && len(segs[1]) > len(".js") && strings.HasSuffix(segs[1], ".js")
}

// WriteError implements surface.Surface: iRefer's error object for the
// method the path names, or a null body for internal errors.
func (*Surface) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	writeError(surface.Config{}, w, r, err)
}

// Handler implements surface.Surface. Every request goes through
// authentication (license key, then api_key or the calling host) and spec
// validation before its method runs. iRefer documents no rate limits, so
// nothing is counted and no rate-limit headers are sent.
func (s *Surface) Handler(cfg surface.Config) http.Handler {
	r := mux.NewRouter()
	fail := func(w http.ResponseWriter, req *http.Request, err error) { writeError(cfg, w, req, err) }
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		fail(w, req, canonical.Errorf(canonical.NotFound, "no such method"))
	})
	ids := NewIDs(cfg.IDSecret)
	a := &authenticator{cfg: cfg, ids: ids}
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method == http.MethodOptions && a.preflight(w, req) {
			return
		}
		fail(w, req, canonical.Errorf(canonical.Invalid, "method not allowed"))
	})
	doc, err := openapi.Shared(openapi.IRefer)
	if err != nil {
		cfg.Log().Error("irefer: loading the spec", "err", err)
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			fail(w, req, canonical.Wrap(canonical.Internal, err, "spec unavailable"))
		})
	}
	mws := []mux.MiddlewareFunc{a.middleware(fail), surface.NewValidator(doc, "").Middleware(fail)}
	r.Use(mws...)
	ireferserver.HandlerWithOptions(&server{cfg: cfg, ids: ids}, ireferserver.GorillaServerOptions{
		BaseRouter:       r,
		BaseURL:          "",
		ErrorHandlerFunc: fail,
	})
	return surface.Index(r, mws...)
}

// session is an authenticated request's context: who calls, on which
// campaign, and how.
type session struct {
	surface.Caller
	// Campaign is the license key's campaign, with its rules.
	Campaign canonical.Campaign
	// Browser is set when the call was authenticated by its calling host
	// (no api_key), i.e. made by JavaScript on the campaign's site.
	Browser bool
	// IP is the browser's address, recorded on signups and actions; ""
	// for server-side calls, whose address is the customer's server.
	IP string
}

type sessionKey struct{}

func sessionFrom(ctx context.Context) (session, bool) {
	s, ok := ctx.Value(sessionKey{}).(session)
	return s, ok
}

// authenticator checks iRefer's credentials.
type authenticator struct {
	cfg surface.Config
	ids *IDs
}

// middleware authenticates every routed request and stores its session.
// A browser call that passes the host check gets CORS headers for its
// origin, on errors too, so the page can read iRefer's error object.
func (a *authenticator) middleware(fail func(http.ResponseWriter, *http.Request, error)) mux.MiddlewareFunc {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s, err := a.authenticate(r.Context(), r, mux.Vars(r)["license_key"])
			if err != nil {
				fail(w, r, err)
				return
			}
			if s.Browser {
				allowOrigin(w, r)
			}
			ctx := surface.WithCaller(r.Context(), s.Caller)
			next.ServeHTTP(w, r.WithContext(context.WithValue(ctx, sessionKey{}, s)))
		})
	}
}

// allowOrigin lets the calling origin read the response.
func allowOrigin(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Add("Vary", "Origin")
	if o := r.Header.Get("Origin"); o != "" && o != "null" {
		h.Set("Access-Control-Allow-Origin", o)
	}
}

// pathKey matches an iRefer path and captures its license key.
var pathKey = regexp.MustCompile(`^/v1(?:\.0)?/([^/]+)\.js/[^/]+$`)

// preflight answers a CORS preflight for a browser call that would pass
// the host check; it reports false (and writes nothing) otherwise.
func (a *authenticator) preflight(w http.ResponseWriter, r *http.Request) bool {
	m := pathKey.FindStringSubmatch(r.URL.Path)
	if m == nil || r.Header.Get("Origin") == "" || r.Header.Get("Access-Control-Request-Method") == "" {
		return false
	}
	q := r.URL.Query()
	q.Del("api_key")
	probe := r.Clone(r.Context())
	probe.URL.RawQuery = q.Encode()
	s, err := a.authenticate(r.Context(), probe, m[1])
	if err != nil || !s.Browser {
		return false
	}
	allowOrigin(w, r)
	h := w.Header()
	h.Set("Access-Control-Allow-Methods", "GET")
	if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
		h.Set("Access-Control-Allow-Headers", req)
	}
	h.Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
	return true
}

// unauthorized is the one failure of every credential check; iRefer does
// not tell them apart.
func unauthorized() error {
	return canonical.Errorf(canonical.Unauthorized, "license key, api_key or calling host incorrect")
}

// authenticate checks a request's credentials:
//
//   - the license key (the path segment before ".js") must be a known
//     iRefer license key, and campaign_id must be that key's campaign;
//   - with an api_key parameter (server-side and direct calls), it must
//     be a site key of the same campaign;
//   - without one (JavaScript on the customer's site), the calling page's
//     host — from Origin, else Referer — must be the host of the
//     campaign's URL, a leading "www." ignored on both sides.
//
// Every failure is Unauthorized; failures of the credential store are
// Internal.
func (a *authenticator) authenticate(ctx context.Context, r *http.Request, licenseKey string) (session, error) {
	var s session
	if a.cfg.Tenants == nil {
		return s, canonical.Errorf(canonical.Internal, "irefer: no tenants configured")
	}
	cred, err := a.cfg.Tenants.Authenticate(ctx, canonical.IRefer, canonical.LicenseKey, licenseKey)
	if err != nil {
		return s, credentialErr(err)
	}
	q := r.URL.Query()
	campaignID, ok := a.ids.DecodeID(KindCampaign, q.Get("campaign_id"))
	if !ok || cred.CampaignID == "" || campaignID != cred.CampaignID {
		return s, unauthorized()
	}
	b := a.cfg.Tenants.Backend(cred.AccountID)
	// Every iRefer call needs the campaign (its site, its tiers); it is
	// read once per change of the account. The session only reads it.
	camp, err := surface.Cached(a.cfg.Reads, cred.AccountID, "irefer campaign "+cred.CampaignID, func() (canonical.Campaign, error) {
		return b.GetCampaign(ctx, cred.CampaignID)
	})
	if err != nil {
		return s, credentialErr(err)
	}
	if camp.Status == canonical.CampaignDeleted {
		return s, unauthorized()
	}
	s = session{Caller: surface.Caller{Credential: cred, Backend: b}, Campaign: camp}
	if keys, present := q["api_key"]; present {
		site, err := a.cfg.Tenants.Authenticate(ctx, canonical.IRefer, canonical.SiteKey, first(keys))
		if err != nil {
			return session{}, credentialErr(err)
		}
		if site.AccountID != cred.AccountID || site.CampaignID != cred.CampaignID {
			return session{}, unauthorized()
		}
		return s, nil
	}
	host := callerHost(r)
	if host == "" || !sameSite(host, camp.URL) {
		return session{}, unauthorized()
	}
	s.Browser, s.IP = true, clientIP(r)
	return s, nil
}

// credentialErr keeps failures of the check itself (a store that failed
// or was unreachable, a request that was cancelled or timed out) as they
// are and turns every other failure of a credential check into
// Unauthorized.
func credentialErr(err error) error {
	if canonical.CodeOf(err).Uncertain() {
		return err
	}
	return errors.Join(unauthorized(), err)
}

func first(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}

// callerHost is the host of the page that made a browser call: the Origin
// header's, else the Referer's; "" when neither names one.
func callerHost(r *http.Request) string {
	for _, h := range []string{"Origin", "Referer"} {
		v := r.Header.Get(h)
		if v == "" || v == "null" {
			continue
		}
		if u, err := url.Parse(v); err == nil && u.Hostname() != "" {
			return u.Hostname()
		}
		return ""
	}
	return ""
}

// sameSite compares a calling host with the host of the campaign's URL,
// case-insensitively, without ports and ignoring a leading "www.".
func sameSite(host, site string) bool {
	u, err := url.Parse(site)
	if err != nil || u.Hostname() == "" {
		return false
	}
	norm := func(h string) string {
		h = strings.TrimSuffix(strings.ToLower(h), ".")
		return strings.TrimPrefix(h, "www.")
	}
	return norm(host) == norm(u.Hostname())
}

// clientIP is the address the request came from.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
