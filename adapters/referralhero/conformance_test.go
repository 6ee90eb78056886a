package referralhero_test

import (
	"context"
	"testing"

	"github.com/refbridge/refbridge/adapters/adaptertest"
	"github.com/refbridge/refbridge/adapters/canonical"
)

// harness is the conformance harness: the outbound Backend against the
// proxy serving ReferralHero for a fresh tenant.
type harness struct{ env *proxyEnv }

func (h harness) Backend() canonical.Backend { return h.env.b }
func (h harness) CampaignID() string         { return h.env.list }
func (h harness) Calls() int                 { return h.env.cnt.calls() }
func (h harness) Close()                     {}

func TestConformance(t *testing.T) {
	t.Parallel()
	adaptertest.RunConformanceTests(t, func(_ context.Context, t *testing.T) (adaptertest.Harness, error) {
		return harness{env: newProxyEnv(t, adaptertest.Campaign())}, nil
	})
}
