// Package proxytest runs the whole proxy in-process for tests: the native
// engine on a fresh SQLite file in t.TempDir() (or a given one, to restart
// on it or to serve a database an earlier version wrote), the vendor
// surfaces chosen, a settable clock, the admin API, and helpers to create
// tenants with a credential for every surface.
package proxytest

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/all"
	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/surface"
	"github.com/refbridge/refbridge/proxy"
	"github.com/refbridge/refbridge/proxy/deliver"
	"github.com/refbridge/refbridge/proxy/engine"
	"github.com/refbridge/refbridge/proxy/store/sqlite"
)

// Start is the clock's initial time.
var Start = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

// SiteURL is the website of every test campaign.
const SiteURL = "https://shop.example.com"

// AdminToken is the admin API's token.
const AdminToken = "proxytest-admin-token"

// Options chooses what runs; nil means every surface.
type Options struct {
	// Vendors limits the surfaces served; empty means all five.
	Vendors []canonical.Vendor
	// AllowedOrigins is passed to the proxy.
	AllowedOrigins []string
	// EnforceLimits is passed to the proxy.
	EnforceLimits bool
	// NoReadCache turns the read cache off (it is on, with a one-second
	// TTL on the test clock, by default).
	NoReadCache bool
	// DBPath is the SQLite file to serve; empty means a fresh one in
	// t.TempDir(). Give it the DBPath of a closed Server to restart on
	// its data, or a database an earlier version wrote.
	DBPath string
	// Webhooks runs webhook delivery workers (allowed to post to
	// loopback, where test receivers listen): Server.Deliveries.
	Webhooks bool
	// WebhookSurfaces are extra surfaces that render webhooks (test
	// renderers such as HookSurface), beside those served.
	WebhookSurfaces []surface.Surface
}

// Server is a running proxy.
type Server struct {
	URL    string
	Engine *engine.Engine
	Proxy  *proxy.Proxy
	Clock  *Clock
	// Deliveries are the webhook delivery workers (Options.Webhooks);
	// Settle waits for them on the test clock.
	Deliveries *deliver.Pool
	// DBPath is the SQLite file the server runs on.
	DBPath string
	close  func()
}

// Clock is a settable clock.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock set to t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d and returns the new time.
func (c *Clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	return c.t
}

// New starts a proxy; it stops when t ends.
func New(t testing.TB, opts *Options) *Server {
	t.Helper()
	if opts == nil {
		opts = &Options{}
	}
	path := opts.DBPath
	if path == "" {
		path = filepath.Join(t.TempDir(), "proxy.db")
	}
	st, err := sqlite.Open(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	clock := &Clock{t: Start}
	// Open, as serve does: the database gets its own ID secret, so tests
	// cannot lean on the fixed keys.
	eng, err := engine.Open(context.Background(), st, &engine.Options{Clock: clock.Now})
	if err != nil {
		st.Close()
		t.Fatal(err)
	}
	var surfaces []surface.Surface
	for _, s := range all.Surfaces() {
		if len(opts.Vendors) == 0 || slices.Contains(opts.Vendors, s.Vendor()) {
			surfaces = append(surfaces, s)
		}
	}
	// The extra renderers are mounted too (they serve no requests), so
	// the admin API maps their endpoints' events.
	surfaces = append(surfaces, opts.WebhookSurfaces...)
	var pool *deliver.Pool
	advance := clock.Advance
	if opts.Webhooks {
		pool = deliver.New(eng, deliver.Options{
			Surfaces:     surfaces,
			Config:       surface.Config{Now: clock.Now, IDSecret: eng.IDSecret()},
			AllowPrivate: true,
		})
		advance = func(d time.Duration) time.Time {
			t := clock.Advance(d)
			pool.Wake()
			return t
		}
	}
	readTTL := time.Second
	if opts.NoReadCache {
		readTTL = 0
	}
	p := proxy.New(eng, surfaces, &proxy.Options{
		Now:            clock.Now,
		AllowedOrigins: opts.AllowedOrigins,
		EnforceLimits:  opts.EnforceLimits,
		// Tests run with the read cache on, so a write a read does not
		// see fails them.
		ReadCacheTTL: readTTL,
		IDSecret:     eng.IDSecret(),
		Admin: &proxy.AdminOptions{
			Token:    AdminToken,
			Accounts: eng,
			Test:     &proxy.TestHooks{Reset: eng.Reset, Advance: advance},
		},
	})
	srv := httptest.NewServer(p)
	stopWorkers := func() {}
	if pool != nil {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			pool.Run(ctx)
		}()
		stopWorkers = func() {
			cancel()
			<-done
		}
	}
	stop := sync.OnceFunc(func() {
		srv.Close()
		stopWorkers()
		st.Close()
	})
	t.Cleanup(stop)
	return &Server{URL: srv.URL, Engine: eng, Proxy: p, Clock: clock, Deliveries: pool, DBPath: path, close: stop}
}

// Close stops the server and closes its database, as a process exit
// would; it also happens when the test ends.
func (s *Server) Close() { s.close() }

// Tenant is an account with an active campaign and a credential for every
// surface.
type Tenant struct {
	Account  canonical.Account
	Campaign canonical.Campaign
	Backend  canonical.Backend
	// Secrets maps vendor and credential kind to the secret; iRefer's
	// license and site keys belong to Campaign.
	Secrets map[canonical.Vendor]map[canonical.CredentialKind]string
	// IDSecret is the installation's ID secret, to render the IDs a
	// client is given the way the surfaces do (irefer.NewIDs, …).
	IDSecret []byte
}

// Secret returns the tenant's secret for a surface and kind.
func (tn Tenant) Secret(v canonical.Vendor, k canonical.CredentialKind) string {
	return tn.Secrets[v][k]
}

// NewTenant creates an account named name with an active campaign (c's
// name and status default to "Spring launch" and active, its URL to
// SiteURL) and credentials for every surface.
func (s *Server) NewTenant(t testing.TB, name string, c canonical.Campaign) Tenant {
	t.Helper()
	ctx := context.Background()
	acct, err := s.Engine.CreateAccount(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	b := s.Engine.Backend(acct.ID)
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
	return s.TenantOf(t, acct, camp)
}

// TenantOf issues a credential for every surface to an account that
// exists already, iRefer's on its campaign camp (for databases an earlier
// version wrote).
func (s *Server) TenantOf(t testing.TB, acct canonical.Account, camp canonical.Campaign) Tenant {
	t.Helper()
	ctx := context.Background()
	b := s.Engine.Backend(acct.ID)
	tn := Tenant{Account: acct, Campaign: camp, Backend: b, Secrets: map[canonical.Vendor]map[canonical.CredentialKind]string{},
		IDSecret: s.Engine.IDSecret()}
	kinds := []struct {
		v      canonical.Vendor
		k      canonical.CredentialKind
		scoped bool
	}{
		{canonical.ReferralRocket, canonical.APIKey, false},
		{canonical.GrowSurf, canonical.APIKey, false},
		{canonical.ReferralHero, canonical.APIKey, false},
		{canonical.Rewardful, canonical.APISecret, false},
		{canonical.IRefer, canonical.LicenseKey, true},
		{canonical.IRefer, canonical.SiteKey, true},
	}
	for _, k := range kinds {
		cred := canonical.Credential{AccountID: acct.ID, Vendor: k.v, Kind: k.k}
		if k.scoped {
			cred.CampaignID = camp.ID
		}
		got, err := s.Engine.IssueCredential(ctx, cred)
		if err != nil {
			t.Fatal(err)
		}
		if tn.Secrets[k.v] == nil {
			tn.Secrets[k.v] = map[canonical.CredentialKind]string{}
		}
		tn.Secrets[k.v][k.k] = got.Secret
	}
	return tn
}

// Gunzip writes the gunzipped file at path (a database an earlier version
// wrote, kept compressed in testdata) to a file in t.TempDir() and returns
// that file's path.
func Gunzip(t testing.TB, path string) string {
	t.Helper()
	gz, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), strings.TrimSuffix(filepath.Base(path), ".gz"))
	if err := os.WriteFile(out, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	return out
}
