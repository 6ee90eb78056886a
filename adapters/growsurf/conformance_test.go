package growsurf_test

import (
	"context"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/adaptertest"
	"github.com/refbridge/refbridge/adapters/canonical"
)

// conformanceHarness is the outbound GrowSurf backend pointed at
// refbridge's proxy serving only the GrowSurf surface.
type conformanceHarness struct{ env proxyBackend }

func (h conformanceHarness) Backend() canonical.Backend { return h.env.b }
func (h conformanceHarness) CampaignID() string         { return h.env.camp }
func (h conformanceHarness) Calls() int                 { return h.env.calls.Count() }
func (h conformanceHarness) Arrange() (canonical.Backend, string) {
	return h.env.tn.Backend, h.env.tn.Campaign.ID
}
func (h conformanceHarness) Advance(d time.Duration) { h.env.srv.Clock.Advance(d) }
func (h conformanceHarness) Close()                  {}

// Limits are GrowSurf's rows of the README's "what does not survive"
// table that the suite meets.
func (h conformanceHarness) Limits() adaptertest.Limits {
	return adaptertest.Limits{
		// Campaign URL and qualification live in GrowSurf's installation
		// and options objects, whose keys are undocumented.
		NoQualification: true, NoCampaignURL: true,
		// A participant reward names its program reward but carries no
		// value of its own.
		NoRewardValue: true,
		// Recording a sale answers whether it was a duplicate or a first
		// sale, but not the commissions it earned (they are listed).
		NoSaleCommissions: true,
		// A participant counts credited referrals, not pending ones.
		NoPendingCount: true,
		// GrowSurf ranks referrals all-time and by month; it keeps no
		// points.
		Boards: []canonical.Board{canonical.AllTime, canonical.CurrentMonth, canonical.PreviousMonth},
		// The counters CampaignStats reads from the program and its
		// analytics.
		StatsCounters: []string{"Participants", "Referrals", "PendingReferrals", "ExpiredReferrals", "Impressions",
			"UniqueImpressions", "Invites", "Shares", "Winners", "Revenue", "Commissions"},
	}
}

func TestConformance(t *testing.T) {
	t.Parallel()
	adaptertest.RunConformanceTests(t, func(_ context.Context, t *testing.T, c canonical.Campaign) (adaptertest.Harness, error) {
		return conformanceHarness{env: newProxyBackend(t, c)}, nil
	})
}
