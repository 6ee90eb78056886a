package irefer_test

import (
	"context"
	"net/http"
	"testing"
	"time"

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
		// campaignStats carries a campaign's name and tiers only.
		NoCampaignStatus: true, NoQualification: true, NoCampaignURL: true,
		// iRefer has milestone tiers only; its rewards carry no value,
		// its referrals no state.
		RuleKinds: []canonical.RewardKind{canonical.Milestone}, NoRuleValue: true, NoRewardValue: true, NoReferralState: true,
		// newSpecificAction answers the campaign and the external id.
		NoActionDetails: true,
		// Participants carry no fraud assessment.
		NoFraudRisk: true, NoFraudReason: true,
		// referrerStats counts referrals made, not pending ones.
		NoPendingCount: true,
		// info_1…info_5 travel as native values, not metadata.
		NoMetadata: true,
		// The referrers list ranks by all-time referrals.
		Boards: []canonical.Board{canonical.AllTime},
		// campaignStats' counters.
		StatsCounters: []string{"Participants", "SignupsToday", "ReferredSignups", "ReferralsByChannel", "Views"},
	}
}

func TestConformance(t *testing.T) {
	t.Parallel()
	adaptertest.RunConformanceTests(t, func(_ context.Context, t *testing.T, c canonical.Campaign) (adaptertest.Harness, error) {
		srv := proxytest.New(t, &proxytest.Options{Vendors: []canonical.Vendor{canonical.IRefer}})
		tn := srv.NewTenant(t, "conformance", c)
		h := &conformanceHarness{campaign: irefer.NewIDs(srv.Engine.IDSecret()).EncodeID(irefer.KindCampaign, tn.Campaign.ID), calls: &countingTransport{}, srv: srv, tn: tn}
		b, err := irefer.NewBackend(&irefer.BackendOptions{
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
