package irefer

import (
	"context"
	"strconv"

	"github.com/refbridge/refbridge/adapters/canonical"
	api "github.com/refbridge/refbridge/client/irefer"
)

// fetchCampaignStats calls campaignStats.
func (b *Backend) fetchCampaignStats(ctx context.Context, id string) (api.CampaignStats, error) {
	if err := b.checkCampaign(id); err != nil {
		return api.CampaignStats{}, err
	}
	res, err := b.client.CampaignStatsWithResponse(ctx, b.license, &api.CampaignStatsParams{CampaignId: b.campaign})
	return call[api.CampaignStats]("campaignStats", res, err)
}

// GetCampaign implements canonical.Backend over campaignStats: the
// campaign's name and its tiers as milestone rules. iRefer reports nothing
// else about a campaign (status, URL, dates, qualification stay empty).
// NotFound.
func (b *Backend) GetCampaign(ctx context.Context, id string) (canonical.Campaign, error) {
	s, err := b.fetchCampaignStats(ctx, id)
	if err != nil {
		return canonical.Campaign{}, err
	}
	return canonical.Campaign{
		ID:    b.campaign,
		Name:  s.CampaignName,
		Kind:  canonical.ReferralProgram,
		Rules: b.rulesOf(s.RewardsOffered),
	}, nil
}

// ListRewardRules implements canonical.Backend: campaignStats'
// rewards_offered as milestone rules (without IDs). NotFound.
func (b *Backend) ListRewardRules(ctx context.Context, campaignID string) ([]canonical.RewardRule, error) {
	s, err := b.fetchCampaignStats(ctx, campaignID)
	if err != nil {
		return nil, err
	}
	return b.rulesOf(s.RewardsOffered), nil
}

// rulesOf is the inverse of tiersOf.
func (b *Backend) rulesOf(tiers []api.Tier) []canonical.RewardRule {
	out := make([]canonical.RewardRule, 0, len(tiers))
	for i, t := range tiers {
		n, _ := strconv.Atoi(t.SignupsCount)
		out = append(out, canonical.RewardRule{
			CampaignID:  b.campaign,
			Kind:        canonical.Milestone,
			Title:       t.RewardHeading,
			Description: t.RewardDescription,
			Threshold:   n,
			Order:       i,
		})
	}
	return out
}

// CampaignStats implements canonical.Backend over campaignStats:
// Participants (signups_total), SignupsToday, ReferredSignups (referrals),
// ReferralsByChannel (the per-network counts that are not zero) and Views
// (total_views). iRefer reports no credited-referral count. NotFound.
func (b *Backend) CampaignStats(ctx context.Context, campaignID string) (canonical.CampaignStats, error) {
	s, err := b.fetchCampaignStats(ctx, campaignID)
	if err != nil {
		return canonical.CampaignStats{}, err
	}
	views, _ := strconv.Atoi(s.TotalViews)
	out := canonical.CampaignStats{
		Participants:    s.SignupsTotal,
		SignupsToday:    s.SignupsToday,
		ReferredSignups: s.Referrals,
		Views:           views,
	}
	for ch, n := range map[string]int{
		"facebook": s.FacebookReferrals, "whatsapp": s.WhatsappReferrals, "twitter": s.TwitterReferrals,
		"linkedin": s.LinkedinReferrals, "email": s.EmailReferrals,
	} {
		if n != 0 {
			if out.ReferralsByChannel == nil {
				out.ReferralsByChannel = map[string]int{}
			}
			out.ReferralsByChannel[ch] = n
		}
	}
	return out, nil
}
