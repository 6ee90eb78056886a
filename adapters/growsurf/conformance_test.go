package growsurf_test

import (
	"context"
	"testing"

	"github.com/refbridge/refbridge/adapters/adaptertest"
	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/growsurf"
)

// conformanceHarness is the outbound GrowSurf backend pointed at
// refbridge's proxy serving only the GrowSurf surface.
type conformanceHarness struct {
	b       *growsurf.Backend
	camp    string
	counter *countingTransport
}

func (h *conformanceHarness) Backend() canonical.Backend { return h.b }
func (h *conformanceHarness) CampaignID() string         { return h.camp }
func (h *conformanceHarness) Calls() int                 { return h.counter.Count() }
func (h *conformanceHarness) Close()                     {}

func TestConformance(t *testing.T) {
	t.Parallel()
	adaptertest.RunConformanceTests(t, func(ctx context.Context, t *testing.T) (adaptertest.Harness, error) {
		env := newProxyBackend(t, adaptertest.Campaign())
		return &conformanceHarness{b: env.b, camp: env.camp, counter: env.calls}, nil
	})
}
