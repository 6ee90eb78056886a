package growsurf

import (
	"context"
	"errors"
	"slices"

	"github.com/refbridge/refbridge/adapters/canonical"
	api "github.com/refbridge/refbridge/client/growsurf"
)

// ListEarnedRewards implements canonical.Backend: GET
// /campaign/{id}/participant/{p}/rewards for one participant; for a whole
// campaign the participants are paged through (the cursor is theirs) and
// their embedded rewards listed (a page may hold more than Limit rewards,
// or none). Statuses are applied to each page.
func (b *Backend) ListEarnedRewards(ctx context.Context, q canonical.RewardQuery) (canonical.Page[canonical.EarnedReward], error) {
	page := canonical.Page[canonical.EarnedReward]{Items: []canonical.EarnedReward{}, Total: -1}
	if err := needCampaign(q.CampaignID); err != nil {
		return page, err
	}
	keep := func(r canonical.EarnedReward) bool {
		return len(q.Statuses) == 0 || slices.Contains(q.Statuses, r.Status)
	}
	if q.ParticipantID != "" {
		list, err := result[api.ParticipantRewardList](b.c.ListParticipantRewardsWithResponse(ctx, q.CampaignID, q.ParticipantID,
			&api.ListParticipantRewardsParams{Limit: pageLimitOut(q.Limit), NextId: cursorOut(q.Cursor)}))
		if err != nil {
			return page, err
		}
		for _, r := range list.Rewards {
			if er := fromParticipantReward(q.CampaignID, q.ParticipantID, r); keep(er) {
				page.Items = append(page.Items, er)
			}
		}
		page.NextCursor = str(list.NextId)
		return page, nil
	}
	next := cursorOut(q.Cursor)
	for pages := 1; ; pages++ {
		list, err := result[api.ParticipantList](b.c.ListParticipantsWithResponse(ctx, q.CampaignID,
			&api.ListParticipantsParams{Limit: pageLimitOut(q.Limit), NextId: next}))
		if err != nil {
			return page, err
		}
		for _, p := range list.Participants {
			for _, r := range p.Rewards {
				if er := fromParticipantReward(q.CampaignID, p.Id, r); keep(er) {
					page.Items = append(page.Items, er)
				}
			}
		}
		page.NextCursor = str(list.NextId)
		if len(page.Items) > 0 || page.NextCursor == "" || pages == maxRewardScan {
			return page, nil
		}
		next = list.NextId
	}
}

// maxRewardScan bounds how many participant pages one campaign-wide
// ListEarnedRewards call reads while they hold no matching reward; the
// page then comes back empty with a cursor to go on.
const maxRewardScan = 10

// findReward pages through a participant's rewards for one of them.
func (b *Backend) findReward(ctx context.Context, campaignID, participantID, rewardID string) (canonical.EarnedReward, error) {
	params := &api.ListParticipantRewardsParams{Limit: ptr(100)}
	for {
		list, err := result[api.ParticipantRewardList](b.c.ListParticipantRewardsWithResponse(ctx, campaignID, participantID, params))
		if canonical.IsCode(err, canonical.NotFound) {
			break
		}
		if err != nil {
			return canonical.EarnedReward{}, err
		}
		for _, r := range list.Rewards {
			if r.Id == rewardID {
				return fromParticipantReward(campaignID, participantID, r), nil
			}
		}
		if list.NextId == nil || *list.NextId == "" {
			break
		}
		params.NextId = list.NextId
	}
	return canonical.EarnedReward{}, canonical.Errorf(canonical.NotFound, "reward %s not found", rewardID)
}

// GetEarnedReward implements canonical.Backend: the reward is found in
// its participant's GET /campaign/{id}/participant/{p}/rewards.
func (b *Backend) GetEarnedReward(ctx context.Context, id string) (canonical.EarnedReward, error) {
	parts, err := splitID(id, 3, "reward")
	if err != nil {
		return canonical.EarnedReward{}, err
	}
	return b.findReward(ctx, parts[0], parts[1], parts[2])
}

// rewardState turns GrowSurf's 400 for a reward in the wrong state into
// the contract's Conflict.
func rewardState(err error) error {
	var ce *canonical.Error
	if errors.As(err, &ce) && ce.Code == canonical.Invalid {
		return &canonical.Error{Code: canonical.Conflict, Message: ce.Message, Err: ce.Err}
	}
	return err
}

// ApproveReward implements canonical.Backend: POST
// /campaign/{id}/reward/{rewardId}/approve (with fulfill), then the
// reward is read back.
func (b *Backend) ApproveReward(ctx context.Context, id string, fulfill bool) (canonical.EarnedReward, error) {
	parts, err := splitID(id, 3, "reward")
	if err != nil {
		return canonical.EarnedReward{}, err
	}
	in := api.ApproveParticipantRewardRequest{}
	if fulfill {
		in.Fulfill = ptr(true)
	}
	if _, err := result[api.SuccessResult](b.c.ApproveParticipantRewardWithResponse(ctx, parts[0], parts[2], in)); err != nil {
		return canonical.EarnedReward{}, rewardState(err)
	}
	return b.findReward(ctx, parts[0], parts[1], parts[2])
}

// FulfillReward implements canonical.Backend: POST
// /campaign/{id}/reward/{rewardId}/fulfill, then the reward is read back.
func (b *Backend) FulfillReward(ctx context.Context, id string) (canonical.EarnedReward, error) {
	parts, err := splitID(id, 3, "reward")
	if err != nil {
		return canonical.EarnedReward{}, err
	}
	if _, err := result[api.SuccessResult](b.c.FulfillParticipantRewardWithResponse(ctx, parts[0], parts[2])); err != nil {
		return canonical.EarnedReward{}, rewardState(err)
	}
	return b.findReward(ctx, parts[0], parts[1], parts[2])
}

// DeleteReward implements canonical.Backend: DELETE
// /campaign/{id}/reward/{rewardId}.
func (b *Backend) DeleteReward(ctx context.Context, id string) error {
	parts, err := splitID(id, 3, "reward")
	if err != nil {
		return err
	}
	_, err = result[api.SuccessResult](b.c.DeleteParticipantRewardWithResponse(ctx, parts[0], parts[2]))
	return rewardState(err)
}
