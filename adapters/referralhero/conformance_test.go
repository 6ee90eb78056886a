package referralhero_test

import (
	"context"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/adaptertest"
	"github.com/refbridge/refbridge/adapters/canonical"
)

// harness is the conformance harness: the outbound Backend against the
// proxy serving ReferralHero for a fresh tenant.
type harness struct{ env *proxyEnv }

func (h harness) Backend() canonical.Backend { return h.env.b }
func (h harness) CampaignID() string         { return h.env.list }
func (h harness) Calls() int                 { return h.env.cnt.calls() }
func (h harness) Arrange() (canonical.Backend, string) {
	return h.env.tn.Backend, h.env.tn.Campaign.ID
}
func (h harness) Advance(d time.Duration) { h.env.srv.Clock.Advance(d) }
func (h harness) Close()                  {}

// Limits are ReferralHero's rows of the README's "what does not survive"
// table that the suite meets.
func (h harness) Limits() adaptertest.Limits {
	return adaptertest.Limits{
		// Lists carry no qualification or URL; POST /lists takes a name
		// and a website only, and the website is not read back.
		NoQualification: true, NoCampaignURL: true, NoRulesOnCreate: true,
		// and the lists the API shows are the active ones.
		NoCampaignStatus: true,
		// Bonuses and unlocked rewards carry no value, and an unlocked
		// reward does not say which side of a referral it rewards.
		NoRuleValue: true, NoRewardValue: true, NoRewardSide: true,
		// add_transactions answers the transaction record only.
		NoSaleOutcome: true,
		// risk_level carries the risk, not its reason.
		NoFraudReason: true,
		// Subscribers have two extra fields, not metadata; an update
		// changes names, email, points and those fields only.
		NoMetadata: true, NoReferralPatch: true,
		// The list's one ranking: by referrals, or by points in contests.
		Boards: []canonical.Board{canonical.AllTime, canonical.PointsBoard},
	}
}

func TestConformance(t *testing.T) {
	t.Parallel()
	adaptertest.RunConformanceTests(t, func(_ context.Context, t *testing.T, c canonical.Campaign) (adaptertest.Harness, error) {
		return harness{env: newProxyEnv(t, c)}, nil
	})
}
