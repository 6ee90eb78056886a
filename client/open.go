package client

import (
	"context"
	"io"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// Open opens a client from a URL. The scheme picks the backend, through
// the opener registered for it (see Register); package client itself
// registers none, so a program links only the backends it imports:
//
//	import _ "github.com/refbridge/refbridge/client/growsurfclient"
//
// The schemes and the packages that register them:
//
//	growsurf://[KEY@][HOST[:PORT][/PATH]]        client/growsurfclient: GrowSurf; key from the URL or GROWSURF_API_KEY
//	referralhero://[TOKEN@][HOST…]               client/referralheroclient: ReferralHero; REFERRALHERO_API_TOKEN
//	rewardful://[SECRET@][HOST…]                 client/rewardfulclient: Rewardful; REWARDFUL_API_SECRET
//	referralrocket://[KEY@][HOST…]               client/referralrocketclient: Referral Rocket; REFERRALROCKET_API_KEY (optional)
//	irefer://[LICENSE:SITEKEY@][HOST…]?campaign_id=N
//	                                             client/ireferclient: iRefer; IREFER_LICENSE_KEY, IREFER_API_KEY, IREFER_CAMPAIGN_ID
//	sqlite:///path/to.db[?account=ID]            client/engineclient: the native engine in-process on a SQLite file
//	postgres://…[&account=ID]                    client/engineclient: the native engine in-process on PostgreSQL
//
// client/allclients registers them all.
//
// For a vendor, HOST (and PATH) override the vendor's production API, so
// the same URL shape points at refbridge's proxy: growsurf://KEY@127.0.0.1:8080/v2?insecure=true
// (insecure=true speaks plain HTTP, for loopback). Without HOST the
// vendor's own API is used.
//
// Vendor clients pace their requests to the vendor's documented limits
// (GrowSurf, ReferralHero and Rewardful publish them), waiting before a
// request that would go over rather than collecting 429s; pace=off sends
// at once, for a proxy that does not enforce them.
//
// For the engine, account selects the tenant; without it the database's
// only account is used, or, on an empty database, an account named
// "default" is created.
//
// A scheme no imported package registered is an Invalid error naming the
// package to import.
func Open(ctx context.Context, rawURL string) (*Client, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, canonical.Wrap(canonical.Invalid, err, "client URL is not a URL")
	}
	registry.mu.RLock()
	open, ok := registry.openers[u.Scheme]
	registry.mu.RUnlock()
	if !ok {
		return nil, unregistered(u.Scheme)
	}
	b, closer, err := open(ctx, u)
	if err != nil {
		return nil, err
	}
	c := New(b)
	c.closer = closer
	return c, nil
}

// OpenerFunc opens a backend from a URL with a scheme it was registered
// for. The closer, which may be nil, releases what opening acquired; the
// Client's Close calls it.
type OpenerFunc func(ctx context.Context, u *url.URL) (b canonical.Backend, closer io.Closer, err error)

var registry struct {
	mu      sync.RWMutex
	openers map[string]OpenerFunc
}

// Register makes Open use open for URLs of the given scheme. Opener
// packages call it from init, so a blank import enables their schemes.
// It panics when open is nil or the scheme is taken, as database/sql's
// Register does.
func Register(scheme string, open OpenerFunc) {
	if open == nil {
		panic("client: Register of a nil opener for scheme " + scheme)
	}
	registry.mu.Lock()
	defer registry.mu.Unlock()
	if _, dup := registry.openers[scheme]; dup {
		panic("client: Register called twice for scheme " + scheme)
	}
	if registry.openers == nil {
		registry.openers = map[string]OpenerFunc{}
	}
	registry.openers[scheme] = open
}

// Schemes returns the registered schemes, sorted.
func Schemes() []string {
	registry.mu.RLock()
	defer registry.mu.RUnlock()
	s := make([]string, 0, len(registry.openers))
	for k := range registry.openers {
		s = append(s, k)
	}
	slices.Sort(s)
	return s
}

// openerPackages names, per scheme refbridge knows, the package whose
// blank import registers it.
var openerPackages = map[string]string{
	"growsurf":       "growsurfclient",
	"referralhero":   "referralheroclient",
	"rewardful":      "rewardfulclient",
	"referralrocket": "referralrocketclient",
	"irefer":         "ireferclient",
	"sqlite":         "engineclient",
	"postgres":       "engineclient",
	"postgresql":     "engineclient",
}

// unregistered is the error for a scheme no opener is registered for.
func unregistered(scheme string) error {
	const mod = "github.com/refbridge/refbridge/client/"
	registered := "none"
	if s := Schemes(); len(s) > 0 {
		registered = strings.Join(s, ", ")
	}
	if pkg, ok := openerPackages[scheme]; ok {
		return canonical.Errorf(canonical.Invalid, "client URL scheme %q is not registered: import _ %q (or %q for every backend); registered: %s",
			scheme, mod+pkg, mod+"allclients", registered)
	}
	return canonical.Errorf(canonical.Invalid, "unknown client URL scheme %q (want growsurf, referralhero, rewardful, referralrocket, irefer, sqlite or postgres); registered: %s", scheme, registered)
}

// VendorURL is what every vendor opener reads from its URL.
type VendorURL struct {
	// Paced is false when the URL says pace=off.
	Paced bool
	// BaseURL is the API base URL from HOST and PATH ("https://", or
	// "http://" with insecure=true), "" for the vendor's default.
	BaseURL string
	// User and Password are the URL's credentials, if any.
	User, Password string
	// Query is the URL's query.
	Query url.Values
}

// ParseVendorURL reads HOST/PATH, credentials and options from u.
func ParseVendorURL(u *url.URL) VendorURL {
	v := VendorURL{Query: u.Query()}
	if u.User != nil {
		v.User = u.User.Username()
		v.Password, _ = u.User.Password()
	}
	v.Paced = v.Query.Get("pace") != "off"
	if u.Host != "" {
		scheme := "https"
		if v.Query.Get("insecure") == "true" {
			scheme = "http"
		}
		v.BaseURL = scheme + "://" + u.Host + strings.TrimSuffix(u.Path, "/")
	}
	return v
}

// Secret returns the URL's value, or else the environment variable's.
func Secret(fromURL, env string) string {
	if fromURL != "" {
		return fromURL
	}
	return os.Getenv(env)
}

// Credential returns the URL's value, or else the environment variable's;
// when both are empty it is an Invalid error saying that what is required
// and where to put it.
func Credential(fromURL, env, what string) (string, error) {
	if v := Secret(fromURL, env); v != "" {
		return v, nil
	}
	return "", canonical.Errorf(canonical.Invalid, "%s is required: put it in the URL or set %s", what, env)
}
