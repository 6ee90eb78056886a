package rewardful_test

import (
	"context"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/adaptertest"
	"github.com/refbridge/refbridge/adapters/canonical"
)

// harness is the Rewardful backend against refbridge's proxy.
type harness struct{ pb *proxyBackend }

// Backend implements adaptertest.Harness.
func (h harness) Backend() canonical.Backend { return h.pb.b }

// CampaignID implements adaptertest.Harness: the campaign's Rewardful UUID.
func (h harness) CampaignID() string { return h.pb.campaign }

// Calls implements adaptertest.Harness: HTTP requests sent so far.
func (h harness) Calls() int { return int(h.pb.calls.n.Load()) }

// Arrange implements adaptertest.Harness: the engine behind the proxy.
func (h harness) Arrange() (canonical.Backend, string) {
	return h.pb.tenant.Backend, h.pb.tenant.Campaign.ID
}

// Advance implements adaptertest.Harness: the proxy's clock.
func (h harness) Advance(d time.Duration) { h.pb.srv.Clock.Advance(d) }

// Limits implements adaptertest.Harness: Rewardful's rows of the README's
// "what does not survive" table that the suite meets.
func (h harness) Limits() adaptertest.Limits {
	return adaptertest.Limits{
		// Affiliates have no referrer over the API.
		NoReferredCreate: true,
		// Campaigns are live affiliate programs; their status is not in
		// the API.
		NoCampaignStatus: true,
		// Affiliates carry no metadata.
		NoMetadata: true,
		// Rewardful pays commissions: a campaign's one rule is its
		// commission.
		RuleKinds: []canonical.RewardKind{canonical.CommissionReward},
		// A campaign's roll-ups; every referral reads as a lead.
		StatsCounters: []string{"Participants", "Visitors", "Leads", "Conversions", "Referrals", "ReferredSignups"},
	}
}

// Close implements adaptertest.Harness; the proxy stops with the test.
func (h harness) Close() {}

// TestConformance runs the canonical conformance suite against the
// Rewardful backend talking to refbridge's proxy.
func TestConformance(t *testing.T) {
	t.Parallel()
	adaptertest.RunConformanceTests(t, func(_ context.Context, t *testing.T, c canonical.Campaign) (adaptertest.Harness, error) {
		return harness{pb: newProxyBackend(t, c)}, nil
	})
}
