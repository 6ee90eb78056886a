// Package surfacetest runs one vendor surface in-process for tests: the
// native engine on a fresh SQLite file, an account with an active campaign
// and the vendor's credentials, a settable clock, and an httptest server
// serving the proxy with just that surface, at the vendor's own paths; and
// the delivery workers over it. The vendor adapters' external tests use it.
// It lives under proxy/ because it runs the server: the checks a surface's
// tests need without a server are in adapters/surface/surfacetest.
package surfacetest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/surface"
	checks "github.com/refbridge/refbridge/adapters/surface/surfacetest"
	"github.com/refbridge/refbridge/proxy"
	"github.com/refbridge/refbridge/proxy/engine"
	"github.com/refbridge/refbridge/proxy/store"
	"github.com/refbridge/refbridge/proxy/store/sqlite"
)

// Start is the test clock's initial time.
var Start = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

// SiteURL is the test campaign's website (iRefer host checks use it): the
// one the sample changes of adapters/surface/surfacetest carry.
const SiteURL = checks.SiteURL

// Clock is a settable clock.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Tenant is one account with its campaign and credentials.
type Tenant struct {
	Account  canonical.Account
	Campaign canonical.Campaign
	// Backend is the account's engine backend, for arranging state and
	// checking results without going through HTTP.
	Backend canonical.Backend
	// Secrets holds the account's secret for the surface's vendor per
	// credential kind (iRefer's are scoped to Campaign).
	Secrets map[canonical.CredentialKind]string
}

// Env is a running surface.
type Env struct {
	Tenant
	Engine *engine.Engine
	// Store is the engine's store, for arranging what only the proxy's
	// workers write (delivery attempts, endpoint failures).
	Store  store.Store
	Clock  *Clock
	Server *httptest.Server
	// URL is the surface's base URL (the server's plus the surface's
	// prefix); request paths are the vendor's own (URL + "/v2/campaigns").
	URL     string
	Surface surface.Surface
}

// Options adjusts an Env; nil means defaults.
type Options struct {
	// Campaign is the first tenant's campaign; Name and Status default
	// to "Spring launch" and active, URL to SiteURL.
	Campaign canonical.Campaign
	// EnforceLimits turns on rate-limit enforcement.
	EnforceLimits bool
}

// New starts s over a fresh engine; everything is closed when t ends.
func New(t testing.TB, s surface.Surface, opts *Options) *Env {
	t.Helper()
	if opts == nil {
		opts = &Options{}
	}
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "surface.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clock := &Clock{t: Start}
	// Open, as serve does: the database gets its own ID secret, so tests
	// cannot lean on the fixed keys.
	eng, err := engine.Open(context.Background(), st, &engine.Options{Clock: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	e := &Env{Engine: eng, Store: st, Clock: clock, Surface: s}
	e.Tenant = e.NewTenant(t, "acme", opts.Campaign)
	// The surface runs inside the real proxy, so every adapter test also
	// goes through dispatch, the credential cache, body limits, CORS and
	// recovery.
	h := proxy.New(eng, []surface.Surface{s}, &proxy.Options{
		Now:           clock.Now,
		EnforceLimits: opts.EnforceLimits,
		// The read cache is on, so a write a later read does not see
		// fails the adapter's tests.
		ReadCacheTTL: time.Second,
		IDSecret:     eng.IDSecret(),
		// Tests deliver webhooks to loopback receivers.
		Outbound: &http.Client{Timeout: 10 * time.Second},
	})
	e.Server = httptest.NewServer(h)
	t.Cleanup(e.Server.Close)
	// Requests go through the surface's prefix, so every path reaches
	// it (unknown ones included) whatever the other surfaces' roots.
	e.URL = e.Server.URL + s.Routes().Prefix
	return e
}

// NewTenant adds an account with an active campaign and the surface
// vendor's credentials: an API key (an API secret for Rewardful), and for
// iRefer a license key and a site key on the campaign.
func (e *Env) NewTenant(t testing.TB, name string, c canonical.Campaign) Tenant {
	t.Helper()
	ctx := context.Background()
	acct, err := e.Engine.CreateAccount(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	b := e.Engine.Backend(acct.ID)
	if c.Name == "" {
		c.Name = "Spring launch"
	}
	if c.Status == "" {
		c.Status = canonical.CampaignActive
	}
	if c.URL == "" {
		c.URL = SiteURL
	}
	camp, err := b.CreateCampaign(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	tn := Tenant{Account: acct, Campaign: camp, Backend: b, Secrets: map[canonical.CredentialKind]string{}}
	vendor := e.Surface.Vendor()
	var kinds []canonical.CredentialKind
	switch vendor {
	case canonical.Rewardful:
		kinds = []canonical.CredentialKind{canonical.APISecret}
	case canonical.IRefer:
		kinds = []canonical.CredentialKind{canonical.LicenseKey, canonical.SiteKey}
	default:
		kinds = []canonical.CredentialKind{canonical.APIKey}
	}
	for _, k := range kinds {
		cred := canonical.Credential{AccountID: acct.ID, Vendor: vendor, Kind: k}
		if k == canonical.LicenseKey || k == canonical.SiteKey {
			cred.CampaignID = camp.ID
		}
		got, err := e.Engine.IssueCredential(ctx, cred)
		if err != nil {
			t.Fatal(err)
		}
		tn.Secrets[k] = got.Secret
	}
	return tn
}

// Do sends req to the server with the default client and returns the
// response; the body is closed when t ends.
func (e *Env) Do(t testing.TB, req *http.Request) *http.Response {
	t.Helper()
	resp, err := e.Server.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}
