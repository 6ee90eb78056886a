package engine_test

import (
	"reflect"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// TestCreateCampaignLeavesItsInputAlone: defaults are filled in on the
// engine's copy of the rules; the caller's slice, which other goroutines
// may share, is not written.
func TestCreateCampaignLeavesItsInputAlone(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	in := canonical.Campaign{Name: "spring", Status: canonical.CampaignActive, Rules: []canonical.RewardRule{
		{Kind: canonical.DoubleSided, Title: "both"},
		{Kind: canonical.LeaderboardReward, Title: "top"},
	}}
	want := canonical.Campaign{Name: "spring", Status: canonical.CampaignActive, Rules: []canonical.RewardRule{
		{Kind: canonical.DoubleSided, Title: "both"},
		{Kind: canonical.LeaderboardReward, Title: "top"},
	}}
	out := e.campaign(in)
	if !reflect.DeepEqual(in, want) {
		t.Errorf("CreateCampaign changed its input to %+v", in.Rules)
	}
	if out.Rules[0].Threshold != 1 || out.Rules[1].Winners != 3 {
		t.Errorf("defaults not applied to the stored rules: %+v", out.Rules)
	}
}
