package growsurf

import (
	"context"
	"strconv"
	"strings"

	"github.com/refbridge/refbridge/adapters/canonical"
	api "github.com/refbridge/refbridge/client/growsurf"
)

// ListCampaigns implements canonical.Backend: GET /campaigns (GrowSurf
// answers every program at once; the cursor is an offset into it).
func (b *Backend) ListCampaigns(ctx context.Context, opts canonical.ListOptions) (canonical.Page[canonical.Campaign], error) {
	var page canonical.Page[canonical.Campaign]
	offset := 0
	if opts.Cursor != "" {
		n, err := strconv.Atoi(opts.Cursor)
		if err != nil || n < 0 {
			return page, canonical.Errorf(canonical.Invalid, "invalid cursor %q", opts.Cursor)
		}
		offset = n
	}
	list, err := result[api.CampaignList](b.c.ListCampaignsWithResponse(ctx))
	if err != nil {
		return page, err
	}
	var all []canonical.Campaign
	for _, c := range list.Campaigns {
		if c.Status != "DELETED" {
			all = append(all, fromCampaign(c))
		}
	}
	limit := opts.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 100)
	page.Total = len(all)
	page.Items = []canonical.Campaign{}
	if offset < len(all) {
		end := min(offset+limit, len(all))
		page.Items = all[offset:end]
		if end < len(all) {
			page.NextCursor = strconv.Itoa(end)
		}
	}
	return page, nil
}

// GetCampaign implements canonical.Backend: GET /campaign/{id}.
func (b *Backend) GetCampaign(ctx context.Context, id string) (canonical.Campaign, error) {
	if err := needCampaign(id); err != nil {
		return canonical.Campaign{}, err
	}
	c, err := result[api.Campaign](b.c.GetCampaignWithResponse(ctx, id))
	if err != nil {
		return canonical.Campaign{}, err
	}
	return fromCampaign(*c), nil
}

// statusOut is the status GrowSurf's PATCH accepts for a canonical status:
// publish/resume or end.
func statusOut(s canonical.CampaignStatus) (api.UpdateCampaignRequestStatus, error) {
	switch s {
	case canonical.CampaignActive:
		return "IN_PROGRESS", nil
	case canonical.CampaignEnded:
		return "COMPLETE", nil
	}
	return "", canonical.Errorf(canonical.Invalid, "growsurf can only publish (active) or end (ended) a program, not set it %s", s)
}

// CreateCampaign implements canonical.Backend: POST /campaigns (a DRAFT
// program with its rewards), then PATCH /campaign/{id} for a status other
// than draft and PATCH /campaign/{id}/installation for the site URL.
// Qualification, approval, expiry and payout settings live in GrowSurf's
// options and installation objects, whose keys are undocumented; they are
// left at GrowSurf's defaults (use As for those objects).
func (b *Backend) CreateCampaign(ctx context.Context, c canonical.Campaign) (canonical.Campaign, error) {
	if strings.TrimSpace(c.Name) == "" {
		return canonical.Campaign{}, canonical.Errorf(canonical.Invalid, "a campaign needs a name")
	}
	if c.Kind != "" && c.Kind != canonical.ReferralProgram && c.Kind != canonical.AffiliateProgram {
		return canonical.Campaign{}, canonical.Errorf(canonical.Invalid, "growsurf programs are referral or affiliate programs, not %s", c.Kind)
	}
	var status api.UpdateCampaignRequestStatus
	if c.Status != "" && c.Status != canonical.CampaignDraft {
		var err error
		if status, err = statusOut(c.Status); err != nil {
			return canonical.Campaign{}, err
		}
	}
	in := api.CreateCampaignRequest{Type: api.CampaignType(campaignType(c.Kind)), Name: &c.Name, CurrencyISO: strOrNull(c.Currency)}
	if s := c.Native.String(vendor, nCompanyName); s != "" {
		in.CompanyName = &s
	}
	if s := c.Native.String(vendor, nCompanyLogo); s != "" {
		in.CompanyLogoImageUrl = &s
	}
	if s := c.Native.String(vendor, nGoal); s != "" {
		in.Goal = ptr(api.CampaignGoal(s))
	}
	if len(c.Rules) > 0 {
		rewards := make([]api.CreateCampaignRewardRequest, 0, len(c.Rules))
		for _, r := range c.Rules {
			rr, err := rewardRequest(r)
			if err != nil {
				return canonical.Campaign{}, err
			}
			rewards = append(rewards, rr)
		}
		in.Rewards = &rewards
	}
	created, err := result[api.Campaign](b.c.CreateCampaignWithResponse(ctx, in))
	if err != nil {
		return canonical.Campaign{}, err
	}
	out := fromCampaign(*created)
	if status == "" && c.URL == "" {
		return out, nil
	}
	patch := canonical.CampaignPatch{}
	if status != "" {
		patch.Status = &c.Status
	}
	if c.URL != "" {
		patch.URL = &c.URL
	}
	return b.UpdateCampaign(ctx, out.ID, patch)
}

// UpdateCampaign implements canonical.Backend: PATCH /campaign/{id} (name,
// status, company name and logo) and PATCH /campaign/{id}/installation
// for the URL. Fields GrowSurf's API cannot change answer Invalid.
func (b *Backend) UpdateCampaign(ctx context.Context, id string, patch canonical.CampaignPatch) (canonical.Campaign, error) {
	if err := needCampaign(id); err != nil {
		return canonical.Campaign{}, err
	}
	switch {
	case patch.Qualification != nil, patch.ManualApproval != nil, patch.Private != nil, patch.PrivateTokens != nil,
		patch.ReferralExpiryDays != nil, patch.CommissionHoldDays != nil, patch.MinimumPayout != nil, patch.EndsAt != nil:
		return canonical.Campaign{}, canonical.Errorf(canonical.Invalid,
			"growsurf's API changes only a program's name, status, company name and logo, and site URL")
	}
	in := api.UpdateCampaignRequest{Name: patch.Name}
	if patch.Name != nil && strings.TrimSpace(*patch.Name) == "" {
		return canonical.Campaign{}, canonical.Errorf(canonical.Invalid, "a campaign needs a name")
	}
	if patch.Status != nil {
		st, err := statusOut(*patch.Status)
		if err != nil {
			return canonical.Campaign{}, err
		}
		in.Status = &st
	}
	for key, val := range patch.Native[vendor] {
		s, _ := val.(string)
		switch key {
		case nCompanyName:
			in.CompanyName = &s
		case nCompanyLogo:
			in.CompanyLogoImageUrl = &s
		default:
			return canonical.Campaign{}, canonical.Errorf(canonical.Invalid, "growsurf cannot change %q of a program", key)
		}
	}
	var out *api.Campaign
	if in.Name != nil || in.Status != nil || in.CompanyName != nil || in.CompanyLogoImageUrl != nil || patch.URL == nil {
		var err error
		if out, err = result[api.Campaign](b.c.UpdateCampaignWithResponse(ctx, id, in)); err != nil {
			return canonical.Campaign{}, err
		}
	}
	if patch.URL != nil {
		if _, err := result[api.CampaignInstallation](b.c.UpdateCampaignInstallationWithResponse(ctx, id,
			api.CampaignInstallation{"shareUrl": *patch.URL})); err != nil {
			return canonical.Campaign{}, err
		}
		return b.GetCampaign(ctx, id)
	}
	return fromCampaign(*out), nil
}

// ListRewardRules implements canonical.Backend: GET
// /campaign/{id}/reward-configs.
func (b *Backend) ListRewardRules(ctx context.Context, campaignID string) ([]canonical.RewardRule, error) {
	if err := needCampaign(campaignID); err != nil {
		return nil, err
	}
	list, err := result[api.CampaignRewardList](b.c.ListRewardConfigsWithResponse(ctx, campaignID))
	if err != nil {
		return nil, err
	}
	out := make([]canonical.RewardRule, 0, len(list.Rewards))
	for _, r := range list.Rewards {
		out = append(out, fromReward(campaignID, r))
	}
	return out, nil
}

// CreateRewardRule implements canonical.Backend: POST
// /campaign/{id}/reward-configs.
func (b *Backend) CreateRewardRule(ctx context.Context, campaignID string, rule canonical.RewardRule) (canonical.RewardRule, error) {
	if err := needCampaign(campaignID); err != nil {
		return canonical.RewardRule{}, err
	}
	in, err := rewardRequest(rule)
	if err != nil {
		return canonical.RewardRule{}, err
	}
	r, err := result[api.CampaignReward](b.c.CreateRewardConfigWithResponse(ctx, campaignID, in))
	if err != nil {
		return canonical.RewardRule{}, err
	}
	return fromReward(campaignID, *r), nil
}

// UpdateRewardRule implements canonical.Backend: PATCH
// /campaign/{id}/reward-configs/{campaignRewardId}.
func (b *Backend) UpdateRewardRule(ctx context.Context, campaignID, ruleID string, patch canonical.RewardRulePatch) (canonical.RewardRule, error) {
	if err := needCampaign(campaignID); err != nil {
		return canonical.RewardRule{}, err
	}
	in, err := rulePatchRequest(patch)
	if err != nil {
		return canonical.RewardRule{}, err
	}
	r, err := result[api.CampaignReward](b.c.UpdateRewardConfigWithResponse(ctx, campaignID, ruleID, in))
	if err != nil {
		return canonical.RewardRule{}, err
	}
	return fromReward(campaignID, *r), nil
}

// DeleteRewardRule implements canonical.Backend: DELETE
// /campaign/{id}/reward-configs/{campaignRewardId}.
func (b *Backend) DeleteRewardRule(ctx context.Context, campaignID, ruleID string) error {
	if err := needCampaign(campaignID); err != nil {
		return err
	}
	_, err := result[api.DeleteResult](b.c.DeleteRewardConfigWithResponse(ctx, campaignID, ruleID))
	return err
}

// CampaignStats implements canonical.Backend: GET /campaign/{id} for the
// program's counters and GET /campaign/{id}/analytics (the longest window
// GrowSurf allows, 1825 days) for the funnel, shares and money.
func (b *Backend) CampaignStats(ctx context.Context, campaignID string) (canonical.CampaignStats, error) {
	var st canonical.CampaignStats
	if err := needCampaign(campaignID); err != nil {
		return st, err
	}
	c, err := result[api.Campaign](b.c.GetCampaignWithResponse(ctx, campaignID))
	if err != nil {
		return st, err
	}
	st.Participants, st.Referrals, st.Impressions, st.Invites, st.Winners = c.ParticipantCount, c.ReferralCount, c.ImpressionCount,
		c.InviteCount, c.WinnerCount
	an, err := result[api.CampaignAnalyticsResponse](b.c.GetCampaignAnalyticsWithResponse(ctx, campaignID,
		&api.GetCampaignAnalyticsParams{Days: ptr(1825)}))
	if err != nil {
		return st, err
	}
	a := an.Analytics
	st.PendingReferrals, st.ExpiredReferrals, st.UniqueImpressions = intOf(a.ReferralCreditPendings), intOf(a.ReferralCreditExpireds),
		intOf(a.UniqueImpressions)
	st.Shares = analyticsShares(a)
	cur := strings.ToUpper(str(c.CurrencyISO))
	if a.TotalRevenue != nil {
		st.Revenue = canonical.Money{Amount: *a.TotalRevenue, Currency: cur}
	}
	if a.TotalCommissions != nil {
		st.Commissions = canonical.Money{Amount: *a.TotalCommissions, Currency: cur}
	}
	return st, nil
}
