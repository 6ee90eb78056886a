package irefer_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/refbridge/refbridge/adapters/adaptertest"
	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/irefer"
	"github.com/refbridge/refbridge/proxy/proxytest"
)

// conformanceHarness is the iRefer backend against a proxy that serves
// only iRefer, for a fresh account.
type conformanceHarness struct {
	b        *irefer.Backend
	campaign string
	calls    *countingTransport
}

func (h *conformanceHarness) Backend() canonical.Backend { return h.b }
func (h *conformanceHarness) CampaignID() string         { return h.campaign }
func (h *conformanceHarness) Calls() int                 { return int(h.calls.n.Load()) }
func (h *conformanceHarness) Close()                     {}

func TestConformance(t *testing.T) {
	t.Parallel()
	adaptertest.RunConformanceTests(t, func(_ context.Context, t *testing.T) (adaptertest.Harness, error) {
		srv := proxytest.New(t, &proxytest.Options{Vendors: []canonical.Vendor{canonical.IRefer}})
		tn := srv.NewTenant(t, "conformance", adaptertest.Campaign())
		h := &conformanceHarness{campaign: irefer.EncodeID(irefer.KindCampaign, tn.Campaign.ID), calls: &countingTransport{}}
		b, err := irefer.NewBackend(irefer.BackendOptions{
			BaseURL:    srv.URL,
			LicenseKey: tn.Secret(canonical.IRefer, canonical.LicenseKey),
			APIKey:     tn.Secret(canonical.IRefer, canonical.SiteKey),
			CampaignID: h.campaign,
			HTTPClient: &http.Client{Transport: h.calls},
		})
		if err != nil {
			return nil, err
		}
		h.b = b
		return h, nil
	})
}
