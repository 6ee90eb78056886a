package referralhero_test

import (
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/referralhero"
	"github.com/refbridge/refbridge/proxy/proxytest"
)

// counting is an http.RoundTripper that counts the requests it passes on.
type counting struct {
	next http.RoundTripper
	n    atomic.Int64
}

func (c *counting) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(r)
}

// calls is how many requests went through.
func (c *counting) calls() int { return int(c.n.Load()) }

// proxyEnv is an outbound Backend pointed at refbridge's proxy serving
// ReferralHero only, for one fresh tenant.
type proxyEnv struct {
	srv  *proxytest.Server
	tn   proxytest.Tenant
	b    *referralhero.Backend
	cnt  *counting
	list string // the tenant's campaign as a list uuid
}

// newProxyEnv starts a proxy and a tenant with campaign c.
func newProxyEnv(t *testing.T, c canonical.Campaign) *proxyEnv {
	t.Helper()
	srv := proxytest.New(t, &proxytest.Options{Vendors: []canonical.Vendor{canonical.ReferralHero}})
	tn := srv.NewTenant(t, "acme", c)
	cnt := &counting{next: http.DefaultTransport}
	b, err := referralhero.NewBackend(&referralhero.BackendOptions{
		BaseURL:    srv.URL + "/api/v2",
		APIToken:   tn.Secret(canonical.ReferralHero, canonical.APIKey),
		HTTPClient: &http.Client{Transport: cnt},
	})
	if err != nil {
		t.Fatal(err)
	}
	return &proxyEnv{srv: srv, tn: tn, b: b, cnt: cnt, list: referralhero.NewIDs(srv.Engine.IDSecret()).ListUUID(tn.Campaign.ID)}
}
