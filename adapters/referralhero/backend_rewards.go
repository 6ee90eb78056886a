package referralhero

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/refbridge/refbridge/adapters/canonical"
	api "github.com/refbridge/refbridge/client/referralhero"
)

// rewardWords maps canonical reward statuses to the vendor's words.
func rewardWords(s canonical.RewardStatus) []string {
	switch s {
	case canonical.RewardPending:
		return []string{"pending"}
	case canonical.RewardApproved:
		return []string{"confirmed"}
	case canonical.RewardFulfilled:
		return []string{"sent", "resent"}
	case canonical.RewardCanceled:
		return []string{"canceled"}
	case canonical.RewardFailed:
		return []string{"failed"}
	case canonical.RewardFlagged:
		return []string{"flagged"}
	}
	return nil
}

// decodeUnlocked decodes a page of unlocked rewards.
func decodeUnlocked(body []byte) ([]api.UnlockedReward, api.Pagination, error) {
	var data api.UnlockedRewardsPage
	if err := decodeData(body, &data); err != nil {
		return nil, api.Pagination{}, err
	}
	return data.Rewards, data.Pagination, nil
}

// listRewardsPage reads one page of a list's unlocked rewards, in one
// vendor status when status is set.
func (b *Backend) listRewardsPage(ctx context.Context, campaignID string, page int, status *api.UnlockedRewardStatus) ([]api.UnlockedReward, api.Pagination, error) {
	resp, err := b.c.ListRewardsWithResponse(ctx, campaignID, &api.ListRewardsParams{Page: &page, Status: status})
	if err := check(resp, err, ""); err != nil {
		return nil, api.Pagination{}, err
	}
	return decodeUnlocked(resp.Body)
}

// ListEarnedRewards implements canonical.Backend: GET
// /lists/{uuid}/subscribers/{id}/rewards for one participant, GET
// /lists/{uuid}/rewards (with status when one vendor word covers the
// statuses asked for) for the whole list, 10 per vendor page. Other status
// sets filter client-side. The rule a reward was earned under is not in
// the vendor's payload (its name is, in Native).
func (b *Backend) ListEarnedRewards(ctx context.Context, q canonical.RewardQuery) (canonical.Page[canonical.EarnedReward], error) {
	if err := needCampaign(q.CampaignID); err != nil {
		return canonical.Page[canonical.EarnedReward]{}, err
	}
	var keep func(api.UnlockedReward) bool
	if len(q.Statuses) > 0 {
		keep = func(u api.UnlockedReward) bool {
			return slices.Contains(q.Statuses, earnedOf(u, "", "").Status)
		}
	}
	var fetch fetchFunc[api.UnlockedReward]
	if q.ParticipantID != "" {
		fetch = func(page int) ([]api.UnlockedReward, api.Pagination, error) {
			resp, err := b.c.ListSubscriberRewardsWithResponse(ctx, q.CampaignID, q.ParticipantID, &api.ListSubscriberRewardsParams{Page: &page})
			if err := check(resp, err, ""); err != nil {
				return nil, api.Pagination{}, err
			}
			return decodeUnlocked(resp.Body)
		}
	} else {
		var status *api.UnlockedRewardStatus
		if len(q.Statuses) == 1 {
			if words := rewardWords(q.Statuses[0]); len(words) == 1 {
				st := api.UnlockedRewardStatus(words[0])
				status, keep = &st, nil
			}
		}
		fetch = func(page int) ([]api.UnlockedReward, api.Pagination, error) {
			return b.listRewardsPage(ctx, q.CampaignID, page, status)
		}
	}
	pg, err := paged(q.ListOptions, rewardsPerPage, fetch, keep)
	if err != nil {
		return canonical.Page[canonical.EarnedReward]{}, err
	}
	out := canonical.Page[canonical.EarnedReward]{Items: make([]canonical.EarnedReward, 0, len(pg.Items)), NextCursor: pg.NextCursor, Total: pg.Total}
	for _, u := range pg.Items {
		out.Items = append(out.Items, earnedOf(u, q.CampaignID, q.ParticipantID))
	}
	return out, nil
}

// GetEarnedReward implements canonical.Backend. The vendor has no call for
// one unlocked reward: every list's GET /lists/{uuid}/rewards is scanned
// for it.
func (b *Backend) GetEarnedReward(ctx context.Context, id string) (canonical.EarnedReward, error) {
	n, err := strconv.Atoi(strings.TrimSpace(id))
	if err != nil {
		return canonical.EarnedReward{}, canonical.Errorf(canonical.NotFound, "reward %s not found", id)
	}
	var (
		found canonical.EarnedReward
		ok    bool
	)
	err = b.eachList(ctx, func(l api.List) error {
		for page := 1; page <= maxScan; page++ {
			rs, pg, err := b.listRewardsPage(ctx, l.Uuid, page, nil)
			if err != nil {
				return err
			}
			for _, u := range rs {
				if u.Id == n {
					found, ok = earnedOf(u, l.Uuid, ""), true
					return errStop
				}
			}
			if len(rs) == 0 || page >= pg.TotalPages {
				return nil
			}
		}
		return nil
	})
	if err != nil {
		return canonical.EarnedReward{}, err
	}
	if !ok {
		return canonical.EarnedReward{}, canonical.Errorf(canonical.NotFound, "reward %s not found", id)
	}
	return found, nil
}

// ApproveReward implements canonical.Backend: NotImplemented, the API
// cannot move a reward to confirmed (update_reward_status takes sent,
// resent or canceled; use SetRewardStatus).
func (b *Backend) ApproveReward(context.Context, string, bool) (canonical.EarnedReward, error) {
	return canonical.EarnedReward{}, unsupported("ApproveReward", "the API sets only sent, resent or canceled (see SetRewardStatus)")
}

// FulfillReward implements canonical.Backend: NotImplemented, the API
// cannot check that a reward is approved before sending it (use
// SetRewardStatus with fulfilled).
func (b *Backend) FulfillReward(context.Context, string) (canonical.EarnedReward, error) {
	return canonical.EarnedReward{}, unsupported("FulfillReward", "the API cannot require an approved reward (see SetRewardStatus)")
}

// SetRewardStatus implements canonical.Backend: POST
// /lists/{uuid}/subscribers/update_reward_status. The vendor sets sent
// or resent (fulfilled; native "status" chooses resent) and canceled;
// other statuses are Invalid. The call needs the reward's list, which the
// ID does not carry: it is tried on each list of the account until one
// knows the reward.
func (b *Backend) SetRewardStatus(ctx context.Context, id string, status canonical.RewardStatus, native canonical.Native) (canonical.EarnedReward, error) {
	var word api.UpdateRewardStatusRequestStatus
	switch status {
	case canonical.RewardFulfilled:
		word = api.UpdateRewardStatusRequestStatusSent
		if nativeString(native, "status") == string(api.UpdateRewardStatusRequestStatusResent) {
			word = api.UpdateRewardStatusRequestStatusResent
		}
	case canonical.RewardCanceled:
		word = api.UpdateRewardStatusRequestStatusCanceled
	default:
		return canonical.EarnedReward{}, canonical.Errorf(canonical.Invalid, "ReferralHero sets a reward only to fulfilled (sent, resent) or canceled, not %q", status)
	}
	var (
		found canonical.EarnedReward
		ok    bool
	)
	err := b.eachList(ctx, func(l api.List) error {
		resp, err := b.c.UpdateRewardStatusWithResponse(ctx, l.Uuid, api.UpdateRewardStatusJSONRequestBody{RewardId: id, Status: word})
		err = check(resp, err, "")
		if canonical.IsCode(err, canonical.NotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		var u api.UnlockedReward
		if err := decodeData(resp.Body, &u); err != nil {
			return err
		}
		found, ok = earnedOf(u, l.Uuid, ""), true
		return errStop
	})
	if err != nil {
		return canonical.EarnedReward{}, err
	}
	if !ok {
		return canonical.EarnedReward{}, canonical.Errorf(canonical.NotFound, "reward %s not found", id)
	}
	return found, nil
}

// DeleteReward implements canonical.Backend: NotImplemented, the API
// cannot delete an unlocked reward.
func (b *Backend) DeleteReward(context.Context, string) error {
	return unsupported("DeleteReward", "the API cannot delete an unlocked reward")
}

// PromoteParticipant implements canonical.Backend: POST
// /lists/{uuid}/subscribers/{id}/promote; subscriber_already_promoted is
// a Conflict.
func (b *Backend) PromoteParticipant(ctx context.Context, campaignID string, ref canonical.ParticipantRef) (canonical.Participant, error) {
	if err := needCampaign(campaignID); err != nil {
		return canonical.Participant{}, err
	}
	id, err := b.subscriberIDOf(ctx, campaignID, ref)
	if err != nil {
		return canonical.Participant{}, err
	}
	resp, err := b.c.PromoteSubscriberWithResponse(ctx, campaignID, id)
	if err := check(resp, err, canonical.Conflict); err != nil {
		return canonical.Participant{}, err
	}
	return subscriberOf(resp.Body, campaignID)
}

// GrantReward implements canonical.Backend: POST
// /lists/{uuid}/subscribers/{id}/unlock_promoted_reward with ruleID as
// reward_id. The vendor answers the reward definition, not the unlocked
// reward, so the subscriber's rewards are read back for the newest one of
// that name; when none matches, the result carries only the rule,
// participant and campaign.
func (b *Backend) GrantReward(ctx context.Context, campaignID string, ref canonical.ParticipantRef, ruleID string) (canonical.EarnedReward, error) {
	if err := needCampaign(campaignID); err != nil {
		return canonical.EarnedReward{}, err
	}
	id, err := b.subscriberIDOf(ctx, campaignID, ref)
	if err != nil {
		return canonical.EarnedReward{}, err
	}
	resp, err := b.c.UnlockPromotedRewardWithResponse(ctx, campaignID, id, api.UnlockPromotedRewardJSONRequestBody{RewardId: ruleID})
	if err := check(resp, err, ""); err != nil {
		return canonical.EarnedReward{}, err
	}
	var unlocked api.PromotedRewardUnlock
	if err := jsonUnmarshal(resp.Body, &unlocked); err != nil {
		return canonical.EarnedReward{}, err
	}
	names := []string{unlocked.Reward.Title, deref(unlocked.Reward.Description)}
	out := canonical.EarnedReward{CampaignID: campaignID, RuleID: ruleID, ParticipantID: id, IsReferrer: true,
		Status: canonical.RewardPending}
	rs, err := b.ListEarnedRewards(ctx, canonical.RewardQuery{CampaignID: campaignID, ParticipantID: id,
		ListOptions: canonical.ListOptions{Limit: maxLimit}})
	if err != nil {
		return canonical.EarnedReward{}, err
	}
	var best *canonical.EarnedReward
	for i, r := range rs.Items {
		if n := nativeString(r.Native, "name"); n == "" || !slices.Contains(names, n) {
			continue
		}
		if best == nil || r.CreatedAt.After(best.CreatedAt) {
			best = &rs.Items[i]
		}
	}
	if best != nil {
		out = *best
		out.RuleID = ruleID
	}
	return out, nil
}
