// Package surface is the contract between the proxy and a vendor's inbound
// HTTP surface, and the machinery every surface shares: the request's
// caller (account and backend), spec validation with kin-openapi, vendor
// rate-limit windows, JSON rendering and the obfuscating ID codec the
// per-vendor ID formats are built on.
//
// A surface (adapters/<vendor>.Surface) answers requests in its vendor's
// own path shape, exactly as the real vendor's host would see them
// (/v2/campaigns for GrowSurf, /api/v2/lists for ReferralHero); the proxy
// finds the surface by Host, prefix or root path, strips any prefix and
// hands the request over.
package surface

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// Tenants resolves credentials to accounts and gives each account's
// backend. The native engine implements it; the proxy wraps it with a
// credential cache.
type Tenants interface {
	// Authenticate resolves a secret presented on a vendor surface to its
	// credential. Unauthorized when nothing matches.
	Authenticate(ctx context.Context, vendor canonical.Vendor, kind canonical.CredentialKind, secret string) (canonical.Credential, error)
	// Backend returns the backend scoped to one account.
	Backend(accountID string) canonical.Backend
}

// Config is what a surface's handler runs on.
type Config struct {
	// Tenants authenticates callers and gives their backend. Required.
	Tenants Tenants
	// Logger receives internal errors and recovered panics; nil discards.
	Logger *slog.Logger
	// Now is the clock for envelopes (timestamps, rate-limit windows);
	// nil means time.Now.
	Now func() time.Time
	// Limits counts calls per account against the vendor's documented
	// windows; nil means no counting (no rate-limit headers).
	Limits *Limiter
	// EnforceLimits makes calls over a window's limit fail with the
	// vendor's 429; by default limits are only reported.
	EnforceLimits bool
	// Reads, when set, caches rendered answers to the hottest read-only
	// calls until the account changes (see ReadCache). nil caches nothing.
	Reads *ReadCache
	// Outbound is the HTTP client for deliveries a surface makes on a
	// caller's behalf (GrowSurf's webhook test). nil means a client that
	// refuses loopback, private and link-local addresses, so a stored URL
	// cannot reach the proxy's own network.
	Outbound *http.Client
	// IDSecret is the installation's ID secret (the engine's IDSecret):
	// each surface keys the permutations that render engine IDs in its
	// vendor's format with it (see IDKey). nil or empty means the fixed,
	// public keys, for databases that handed out IDs under them.
	IDSecret []byte
}

// Clock returns c.Now or time.Now.
func (c Config) Clock() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Log returns c.Logger or a logger that discards.
func (c Config) Log() *slog.Logger {
	if c.Logger != nil {
		return c.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// Routes says where a surface's requests come from.
type Routes struct {
	// Hosts are the vendor's API host names (api.growsurf.com); a
	// request whose Host is one of them goes to this surface.
	Hosts []string
	// Prefix is refbridge's path prefix for the surface ("/growsurf");
	// the proxy strips it before the surface sees the path.
	Prefix string
	// Roots are the vendor's own path prefixes ("/v2/"), served at the
	// proxy's root when no Host or Prefix matched.
	Roots []string
	// Claim, when set, decides among surfaces sharing a root (Rewardful's
	// /v1/… and iRefer's /v1/{key}.js/…): it reports whether path,
	// which starts with one of Roots, belongs to this surface.
	Claim func(path string) bool
	// Fallback makes the surface answer paths under its Roots that no
	// surface claims, so an unknown path there still gets this vendor's
	// own 404 (Rewardful's for /v1/nope, which iRefer does not claim).
	Fallback bool
	// SiteOrigins says the surface admits browser calls from a
	// campaign's registered site by itself (iRefer): the proxy passes
	// CORS preflights from origins it does not allow globally on to the
	// surface, which can tell from the path whose site it is.
	SiteOrigins bool
}

// Surface is one vendor's inbound HTTP surface over canonical.Backend.
type Surface interface {
	// Vendor names the surface.
	Vendor() canonical.Vendor
	// Routes says which requests reach the surface.
	Routes() Routes
	// Handler returns the surface's handler: a small gorilla/mux router
	// of the vendor's operations behind its authentication and spec
	// validation. It renders every outcome, including unknown paths, in
	// the vendor's shapes.
	Handler(cfg Config) http.Handler
	// WriteError renders err (a *canonical.Error, or anything else as
	// Internal) in the vendor's error envelope and status. The proxy uses
	// it for failures outside the handler: recovered panics, bodies over
	// the size limit.
	WriteError(w http.ResponseWriter, r *http.Request, err error)
}

// Caller is the authenticated party of a request.
type Caller struct {
	// Credential is what the request presented (without its secret).
	Credential canonical.Credential
	// Backend is the caller's account's backend.
	Backend canonical.Backend
}

type callerKey struct{}

// WithCaller returns ctx carrying c.
func WithCaller(ctx context.Context, c Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// CallerFrom returns the caller stored by WithCaller.
func CallerFrom(ctx context.Context) (Caller, bool) {
	c, ok := ctx.Value(callerKey{}).(Caller)
	return c, ok
}
