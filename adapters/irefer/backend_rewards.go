package irefer

import (
	"context"
	"slices"
	"strconv"

	"github.com/refbridge/refbridge/adapters/canonical"
	api "github.com/refbridge/refbridge/client/irefer"
)

// fetchRewards calls rewards and converts every trigger.
func (b *Backend) fetchRewards(ctx context.Context) ([]canonical.EarnedReward, error) {
	res, err := b.client.RewardsWithResponse(ctx, b.license, &api.RewardsParams{CampaignId: b.campaign})
	rows, err := call[[]api.RewardTriggered]("rewards", res, err)
	if err != nil {
		return nil, err
	}
	out := make([]canonical.EarnedReward, 0, len(rows))
	for _, row := range rows {
		out = append(out, rewardFrom(row))
	}
	return out, nil
}

// rewardFrom is the inverse of rewardOf. iRefer has no approval step: a
// triggered reward is earned and due, so it is reported approved (whether
// it was delivered is not in the API).
func rewardFrom(row api.RewardTriggered) canonical.EarnedReward {
	n, _ := strconv.Atoi(row.ReferralsMade)
	er := canonical.EarnedReward{
		ID:                 row.Id,
		CampaignID:         row.CampaignId,
		RuleID:             row.RewardId,
		ParticipantID:      row.RecipientId,
		IsReferrer:         row.RewardTo != "REFERRED",
		Status:             canonical.RewardApproved,
		ReferralsAtEarning: n,
		CreatedAt:          row.TriggeredAt.UTC(),
	}
	for k, v := range map[string]string{
		nativeRewardHeading:      row.RewardHeading,
		nativeRewardDescription:  row.RewardDescription,
		nativeRewardSignupsCount: row.RewardSignupsCount,
		nativeRewardQuantity:     row.RewardQuantity,
		nativeRewardDelivery:     row.RewardDelivery,
		nativeRewardGoalType:     row.RewardGoalType,
		nativeRewardTo:           row.RewardTo,
	} {
		er.Native.Set(canonical.IRefer, k, v)
	}
	return er
}

// ListEarnedRewards implements canonical.Backend over rewards, newest
// first, filtered by ParticipantID and Statuses (every trigger is
// approved). NotFound.
func (b *Backend) ListEarnedRewards(ctx context.Context, q canonical.RewardQuery) (canonical.Page[canonical.EarnedReward], error) {
	var none canonical.Page[canonical.EarnedReward]
	if err := checkCursor(q.ListOptions); err != nil {
		return none, err
	}
	if err := b.checkCampaign(q.CampaignID); err != nil {
		return none, err
	}
	all, err := b.fetchRewards(ctx)
	if err != nil {
		return none, err
	}
	all = slices.DeleteFunc(all, func(er canonical.EarnedReward) bool {
		return (q.ParticipantID != "" && er.ParticipantID != q.ParticipantID) ||
			(len(q.Statuses) > 0 && !slices.Contains(q.Statuses, er.Status))
	})
	return cut(all, q.ListOptions, func(er canonical.EarnedReward) string { return er.ID })
}

// GetEarnedReward implements canonical.Backend: the trigger with that id
// from rewards. NotFound.
func (b *Backend) GetEarnedReward(ctx context.Context, id string) (canonical.EarnedReward, error) {
	all, err := b.fetchRewards(ctx)
	if err != nil {
		return canonical.EarnedReward{}, err
	}
	for _, er := range all {
		if er.ID == id {
			return er, nil
		}
	}
	return canonical.EarnedReward{}, canonical.Errorf(canonical.NotFound, "no iRefer reward trigger %s", id)
}
