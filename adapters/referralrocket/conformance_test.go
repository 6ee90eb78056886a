package referralrocket_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/refbridge/refbridge/adapters/adaptertest"
	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/referralrocket"
	"github.com/refbridge/refbridge/proxy/proxytest"
)

// conformanceHarness is the Referral Rocket backend against a proxy that
// serves only Referral Rocket, for a fresh account.
type conformanceHarness struct {
	b        *referralrocket.Backend
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
		srv := proxytest.New(t, &proxytest.Options{Vendors: []canonical.Vendor{canonical.ReferralRocket}})
		tn := srv.NewTenant(t, "conformance", adaptertest.Campaign())
		cid, ok := referralrocket.EncodeCampaignID(tn.Campaign.ID)
		if !ok {
			t.Fatalf("encode campaign %s", tn.Campaign.ID)
		}
		ct := &countingTransport{}
		b, err := referralrocket.NewBackend(referralrocket.BackendOptions{
			BaseURL:    srv.URL,
			APIKey:     tn.Secret(canonical.ReferralRocket, canonical.APIKey),
			HTTPClient: &http.Client{Transport: ct},
		})
		if err != nil {
			return nil, err
		}
		return &conformanceHarness{b: b, campaign: cid, calls: ct}, nil
	})
}
