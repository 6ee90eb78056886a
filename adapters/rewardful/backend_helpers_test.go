package rewardful_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/rewardful"
	"github.com/refbridge/refbridge/proxy/proxytest"
)

// countingTransport counts the HTTP round trips a backend makes.
type countingTransport struct {
	next http.RoundTripper
	n    atomic.Int64
}

// RoundTrip implements http.RoundTripper.
func (c *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(req)
}

// proxyBackend is an outbound Backend pointed at an in-process refbridge
// proxy serving only Rewardful, for one fresh tenant.
type proxyBackend struct {
	srv      *proxytest.Server
	tenant   proxytest.Tenant
	b        *rewardful.Backend
	calls    *countingTransport
	campaign string // the tenant campaign's Rewardful UUID
}

// newProxyBackend starts a proxy with a tenant whose campaign is c and
// returns the outbound backend acting for that tenant.
func newProxyBackend(t *testing.T, c canonical.Campaign) *proxyBackend {
	t.Helper()
	srv := proxytest.New(t, &proxytest.Options{Vendors: []canonical.Vendor{canonical.Rewardful}})
	tn := srv.NewTenant(t, "acme", c)
	ct := &countingTransport{next: http.DefaultTransport}
	b, err := rewardful.NewBackend(&rewardful.BackendOptions{
		BaseURL:    srv.URL + "/v1",
		APISecret:  tn.Secret(canonical.Rewardful, canonical.APISecret),
		HTTPClient: &http.Client{Transport: ct},
	})
	if err != nil {
		t.Fatal(err)
	}
	page, err := b.ListCampaigns(context.Background(), canonical.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 1 {
		t.Fatalf("tenant has %d campaigns, want 1", len(page.Items))
	}
	return &proxyBackend{srv: srv, tenant: tn, b: b, calls: ct, campaign: page.Items[0].ID}
}
