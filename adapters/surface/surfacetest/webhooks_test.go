package surfacetest_test

import (
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/surface/surfacetest"
)

// TestChangesCoverEveryKind checks the renderer fixtures: one change per
// kind, in canonical order, each carrying the entity its kind is about.
func TestChangesCoverEveryKind(t *testing.T) {
	t.Parallel()
	kinds := canonical.ChangeKinds()
	changes := surfacetest.Changes()
	if len(changes) != len(kinds) {
		t.Fatalf("%d changes for %d kinds", len(changes), len(kinds))
	}
	seen := map[string]bool{}
	for i, c := range changes {
		if c.Kind != kinds[i] {
			t.Errorf("change %d is %s, want %s", i, c.Kind, kinds[i])
		}
		if seen[c.ID] {
			t.Errorf("change %d reuses ID %s", i, c.ID)
		}
		seen[c.ID] = true
		var subject bool
		switch c.Kind {
		case canonical.ChangeCampaignEnded:
			subject = c.Campaign != nil && c.Campaign.Status == canonical.CampaignEnded
		case canonical.ChangeCouponDeleted:
			subject = c.Coupon != nil
		case canonical.ChangeLinkDeleted:
			subject = c.Link != nil
		case canonical.ChangeRewardEarned, canonical.ChangeRewardApproved, canonical.ChangeRewardFulfilled:
			subject = c.Reward != nil && c.Rule != nil && c.Participant != nil && c.Reward.ParticipantID == c.Participant.ID
		case canonical.ChangeCommissionCreated, canonical.ChangeCommissionAdjusted, canonical.ChangeCommissionVoided,
			canonical.ChangeCommissionPaid:
			subject = c.Commission != nil && c.Participant != nil
		case canonical.ChangePayoutCreated, canonical.ChangePayoutPaid, canonical.ChangePayoutFailed:
			subject = c.Payout != nil && c.Participant != nil
		default:
			subject = c.Participant != nil
		}
		if !subject {
			t.Errorf("%s lacks the entities its kind names: %+v", c.Kind, c)
		}
	}
}
