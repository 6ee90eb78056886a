package rewardful_test

import (
	"context"
	"testing"

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

// Close implements adaptertest.Harness; the proxy stops with the test.
func (h harness) Close() {}

// TestConformance runs the canonical conformance suite against the
// Rewardful backend talking to refbridge's proxy.
func TestConformance(t *testing.T) {
	t.Parallel()
	adaptertest.RunConformanceTests(t, func(_ context.Context, t *testing.T) (adaptertest.Harness, error) {
		return harness{pb: newProxyBackend(t, adaptertest.Campaign())}, nil
	})
}
