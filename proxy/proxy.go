// Package proxy is refbridge's server: it finds the vendor surface a
// request is for (by Host, by /<vendor>/ prefix, or by the vendor's own
// path at the root), and wraps every surface with what all of them need —
// a credential cache in front of the tenants, request body limits, CORS
// for browser clients, panic recovery in the vendor's error shape, and
// logs — plus the admin API under /_refbridge/.
package proxy

import (
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/surface"
	"github.com/refbridge/refbridge/proxy/metrics"
)

// Options configures a proxy; nil means defaults.
type Options struct {
	// Hosts overrides a surface's Host names (api.growsurf.com …), per
	// vendor. An empty list turns Host dispatch off for that vendor.
	Hosts map[canonical.Vendor][]string
	// Logger receives errors, recovered panics and (at debug level) one
	// line per request. nil discards.
	Logger *slog.Logger
	// Now is the clock for rate-limit windows and envelopes; nil means
	// time.Now.
	Now func() time.Time
	// MaxBodyBytes limits request bodies; 0 means 1 MiB.
	MaxBodyBytes int64
	// AllowedOrigins are the browser origins (scheme://host[:port]) that
	// may call every surface cross-origin; "*" allows any. iRefer also
	// admits the origin of a campaign's registered site by itself.
	AllowedOrigins []string
	// EnforceLimits makes calls over a vendor's documented rate limits
	// fail with its 429; by default the limits are only reported.
	EnforceLimits bool
	// CredentialTTL is how long a resolved credential is cached; 0 means
	// 30 seconds. A revoked credential keeps working for at most this
	// long on other replicas (this one forgets it at once, see
	// Proxy.Forget).
	CredentialTTL time.Duration
	// ReadCacheTTL turns on the read cache (surface.ReadCache) when the
	// tenants report generations (the engine does): answers to the
	// hottest reads are kept until the account changes, for at most this
	// long. Writes through this process invalidate at once; the TTL bounds
	// staleness from time alone and, with several replicas on one
	// database, from the other replicas' writes. 0 turns it off.
	ReadCacheTTL time.Duration
	// Outbound is the client surfaces use for deliveries to caller-given
	// URLs; nil refuses internal addresses (see surface.Config.Outbound).
	Outbound *http.Client
	// IDSecret keys the IDs every surface renders: the engine's
	// IDSecret. nil means the fixed keys in the public source, which only
	// a database that handed out IDs under them (the engine reports no
	// secret for it) should use: anyone can decode those IDs.
	IDSecret []byte
	// Admin, when set, serves the admin API under /_refbridge/.
	Admin *AdminOptions
	// Metrics, when set, counts every request (surface, method, route
	// template, status, latency, in flight), and the admin API serves
	// them at /_refbridge/metrics.
	Metrics *metrics.Metrics
}

// Proxy serves every configured vendor surface. It is an http.Handler.
type Proxy struct {
	log      *slog.Logger
	maxBody  int64
	origins  map[string]bool
	anyOrig  bool
	tenants  *cachedTenants
	hosts    map[string]*mounted
	prefixes map[string]*mounted
	// roots maps a path's first segment to the surfaces whose own paths
	// start there, in the order given to New.
	roots   map[string][]root
	admin   http.Handler
	metrics *metrics.Metrics
	// hooks are the webhook renderers of the surfaces that have them, by
	// vendor (the admin API maps subscriptions' event names with them).
	hooks map[canonical.Vendor]surface.Webhooks
	// recent keeps each surface's latest requests for the console, by
	// vendor, in the order of surfaces given to New (recentOrder).
	recent      map[string]*requestRing
	recentOrder []string
}

// mounted is one surface with its wrapped handler.
type mounted struct {
	s surface.Surface
	h http.Handler
}

type root struct {
	prefix   string
	claim    func(path string) bool
	fallback bool
	m        *mounted
}

// New returns a proxy serving surfaces over tenants.
func New(tenants surface.Tenants, surfaces []surface.Surface, opts *Options) *Proxy {
	if opts == nil {
		opts = &Options{}
	}
	p := &Proxy{
		log:      opts.Logger,
		maxBody:  opts.MaxBodyBytes,
		origins:  make(map[string]bool),
		hosts:    make(map[string]*mounted),
		prefixes: make(map[string]*mounted),
		roots:    make(map[string][]root),
		hooks:    make(map[canonical.Vendor]surface.Webhooks),
		metrics:  opts.Metrics,
		recent:   make(map[string]*requestRing),
	}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	if p.maxBody <= 0 {
		p.maxBody = 1 << 20
	}
	for _, o := range opts.AllowedOrigins {
		if o == "*" {
			p.anyOrig = true
		}
		p.origins[strings.TrimSuffix(strings.ToLower(o), "/")] = true
	}
	ttl := opts.CredentialTTL
	if ttl <= 0 {
		ttl = 30 * time.Second
	}
	p.tenants = newCachedTenants(tenants, ttl)
	cfg := surface.Config{
		Tenants:       p.tenants,
		Logger:        p.log,
		Now:           opts.Now,
		Limits:        surface.NewLimiter(),
		EnforceLimits: opts.EnforceLimits,
		Outbound:      opts.Outbound,
		IDSecret:      opts.IDSecret,
	}
	if gens, ok := tenants.(surface.Generations); ok && opts.ReadCacheTTL > 0 {
		cfg.Reads = surface.NewReadCache(gens, opts.ReadCacheTTL, opts.Now)
		if p.metrics != nil {
			p.metrics.ReadCache(cfg.Reads.Stats)
		}
	}
	for _, s := range surfaces {
		if ws, ok := s.(surface.WebhookSurface); ok {
			p.hooks[s.Vendor()] = ws.Webhooks(cfg)
		}
		m := &mounted{s: s}
		if v := string(s.Vendor()); p.recent[v] == nil {
			p.recent[v] = new(requestRing)
			p.recentOrder = append(p.recentOrder, v)
		}
		m.h = p.wrap(s, s.Handler(cfg))
		routes := s.Routes()
		hosts := routes.Hosts
		if h, ok := opts.Hosts[s.Vendor()]; ok {
			hosts = h
		}
		for _, h := range hosts {
			p.hosts[strings.ToLower(h)] = m
		}
		if routes.Prefix != "" {
			p.prefixes[strings.Trim(routes.Prefix, "/")] = m
		}
		for _, r := range routes.Roots {
			first := firstSegment(r)
			p.roots[first] = append(p.roots[first], root{prefix: r, claim: routes.Claim, fallback: routes.Fallback, m: m})
		}
	}
	if opts.Admin != nil {
		p.admin = newAdmin(p, opts.Admin)
	}
	return p
}

// ServeHTTP dispatches r: admin API, then Host, then prefix, then the
// vendors' own root paths. Every step is a map lookup.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if strings.HasPrefix(path, adminPrefix) {
		if p.admin == nil {
			writeNotFound(w)
			return
		}
		if p.metrics != nil {
			m := p.metrics.Begin("admin")
			rec := &statusRecorder{ResponseWriter: w}
			var route *string
			r, route = surface.NoteRoute(r)
			defer func() { m.End(r.Method, *route, rec.status()) }()
			w = rec
		}
		p.admin.ServeHTTP(w, r)
		return
	}
	if m := p.hosts[hostOf(r.Host)]; m != nil {
		m.h.ServeHTTP(w, r)
		return
	}
	first := firstSegment(path)
	if m := p.prefixes[first]; m != nil {
		rest := path[len(first)+1:]
		if rest == "" {
			rest = "/"
		}
		r2 := r.Clone(r.Context())
		r2.URL.Path = rest
		if r.URL.RawPath != "" {
			r2.URL.RawPath = strings.TrimPrefix(r.URL.RawPath, "/"+first)
		}
		m.h.ServeHTTP(w, r2)
		return
	}
	// A surface whose Claim accepts the path wins; when none does, the
	// surface marked Fallback for that root answers, so an unknown path
	// still gets a vendor's own 404 (Rewardful's for /v1/nope), and a root
	// only one surface has is that surface's whole (iRefer's /v1.0//x).
	var fallback, sole *mounted
	holders := 0
	for _, rt := range p.roots[first] {
		if !strings.HasPrefix(path, rt.prefix) {
			continue
		}
		if sole != rt.m {
			sole, holders = rt.m, holders+1
		}
		if rt.claim != nil && !rt.claim(path) {
			if rt.fallback && fallback == nil {
				fallback = rt.m
			}
			continue
		}
		rt.m.h.ServeHTTP(w, r)
		return
	}
	if fallback == nil && holders == 1 {
		fallback = sole
	}
	if fallback != nil {
		fallback.h.ServeHTTP(w, r)
		return
	}
	writeNotFound(w)
}

// Forget drops every cached credential, so a revocation takes effect at
// once on this replica.
func (p *Proxy) Forget() { p.tenants.forget() }

// firstSegment returns the first segment of a path, without slashes.
func firstSegment(path string) string {
	path = strings.TrimPrefix(path, "/")
	if i := strings.IndexByte(path, '/'); i >= 0 {
		return path[:i]
	}
	return path
}

// hostOf returns a Host header's lower-case name without its port.
func hostOf(h string) string {
	if name, _, err := net.SplitHostPort(h); err == nil {
		h = name
	}
	return strings.ToLower(h)
}

// writeNotFound answers a path no surface claims. There is no vendor
// whose shape to use, so it is refbridge's own.
func writeNotFound(w http.ResponseWriter) {
	surface.WriteJSON(w, http.StatusNotFound, map[string]string{
		"error": "not found: no vendor surface serves this path (use a vendor host, a /<vendor>/ prefix, or the vendor's own path)",
	})
}
