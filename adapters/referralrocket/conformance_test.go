package referralrocket_test

import (
	"context"
	"net/http"
	"testing"
	"time"

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
	srv      *proxytest.Server
	tn       proxytest.Tenant
}

func (h *conformanceHarness) Backend() canonical.Backend { return h.b }
func (h *conformanceHarness) CampaignID() string         { return h.campaign }
func (h *conformanceHarness) Calls() int                 { return int(h.calls.n.Load()) }
func (h *conformanceHarness) Arrange() (canonical.Backend, string) {
	return h.tn.Backend, h.tn.Campaign.ID
}
func (h *conformanceHarness) Advance(d time.Duration) { h.srv.Clock.Advance(d) }
func (h *conformanceHarness) Close()                  {}

// Limits are the rows of the README's "what does not survive" table that
// the suite meets.
func (h *conformanceHarness) Limits() adaptertest.Limits {
	return adaptertest.Limits{
		// getCampaign reports no qualification rule, and of the counters
		// only totalParticipants.
		NoQualification: true, StatsCounters: []string{"Participants"},
		// A campaign describes one reward: its referrer and referee sides.
		FirstRuleOnly: true,
		// Participants carry no fraud assessment.
		NoFraudRisk: true, NoFraudReason: true,
		// A participant counts referrals, not pending ones.
		NoPendingCount: true,
		// addParticipant takes an email and a referral code only.
		NoNamesOnCreate: true, NoMetadata: true,
	}
}

func TestConformance(t *testing.T) {
	t.Parallel()
	adaptertest.RunConformanceTests(t, func(_ context.Context, t *testing.T, c canonical.Campaign) (adaptertest.Harness, error) {
		srv := proxytest.New(t, &proxytest.Options{Vendors: []canonical.Vendor{canonical.ReferralRocket}})
		tn := srv.NewTenant(t, "conformance", c)
		cid, ok := referralrocket.NewIDs(srv.Engine.IDSecret()).EncodeCampaignID(tn.Campaign.ID)
		if !ok {
			t.Fatalf("encode campaign %s", tn.Campaign.ID)
		}
		ct := &countingTransport{}
		b, err := referralrocket.NewBackend(&referralrocket.BackendOptions{
			BaseURL:    srv.URL,
			APIKey:     tn.Secret(canonical.ReferralRocket, canonical.APIKey),
			HTTPClient: &http.Client{Transport: ct},
		})
		if err != nil {
			return nil, err
		}
		return &conformanceHarness{b: b, campaign: cid, calls: ct, srv: srv, tn: tn}, nil
	})
}
