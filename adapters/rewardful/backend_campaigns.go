package rewardful

import (
	"context"
	"slices"
	"strings"

	"github.com/refbridge/refbridge/adapters/canonical"
	api "github.com/refbridge/refbridge/client/rewardful"
)

func (b *Backend) campaignResolver() *campaignOf {
	return &campaignOf{b: b, cache: map[string]string{}}
}

// of returns the campaign of the affiliate with id ("" when it is gone).
func (c *campaignOf) of(ctx context.Context, affiliateID string) (string, error) {
	if affiliateID == "" {
		return "", nil
	}
	if id, ok := c.cache[affiliateID]; ok {
		return id, nil
	}
	a, err := c.b.getAffiliate(ctx, affiliateID)
	if canonical.IsCode(err, canonical.NotFound) {
		c.cache[affiliateID] = ""
		return "", nil
	}
	if err != nil {
		return "", err
	}
	id := ""
	if a.Campaign != nil {
		id = uuidString(a.Campaign.Id)
	}
	c.cache[affiliateID] = id
	return id, nil
}

// requireCampaign checks that a campaign exists (NotFound otherwise).
func (b *Backend) requireCampaign(ctx context.Context, id string) error {
	_, err := b.getCampaign(ctx, id)
	return err
}

func (b *Backend) getCampaign(ctx context.Context, id string) (api.Campaign, error) {
	u, err := parseID("campaign", id)
	if err != nil {
		return api.Campaign{}, err
	}
	resp, err := b.c.GetCampaignWithResponse(ctx, u)
	return decode(resp, err, func() *api.Campaign { return resp.JSON200 })
}

// ListCampaigns implements canonical.Backend.
func (b *Backend) ListCampaigns(ctx context.Context, opts canonical.ListOptions) (canonical.Page[canonical.Campaign], error) {
	page, limit, err := pageQuery(opts)
	if err != nil {
		return canonical.Page[canonical.Campaign]{}, err
	}
	resp, err := b.c.ListCampaignsWithResponse(ctx, &api.ListCampaignsParams{Page: page, Limit: limit})
	list, err := decode(resp, err, func() *api.CampaignList { return resp.JSON200 })
	if err != nil {
		return canonical.Page[canonical.Campaign]{}, err
	}
	items := make([]canonical.Campaign, 0, len(list.Data))
	for _, c := range list.Data {
		items = append(items, campaignFromAPI(c))
	}
	return pageFrom(items, list.Pagination, false), nil
}

// GetCampaign implements canonical.Backend.
func (b *Backend) GetCampaign(ctx context.Context, id string) (canonical.Campaign, error) {
	c, err := b.getCampaign(ctx, id)
	if err != nil {
		return canonical.Campaign{}, err
	}
	return campaignFromAPI(c), nil
}

// commissionFields renders a commission rule as Rewardful's campaign
// fields.
func commissionFields(cr canonical.CommissionRule) (rt api.RewardType, pct *float64, cents *int, cur *string) {
	if cr.Type == canonical.FixedCommission {
		amount := int(cr.Amount.Amount)
		c := strings.ToUpper(cr.Amount.Currency)
		if c == "" {
			return api.RewardTypeAmount, nil, &amount, nil
		}
		return api.RewardTypeAmount, nil, &amount, &c
	}
	p := cr.Percent
	return api.RewardTypePercent, &p, nil, nil
}

// CreateCampaign implements canonical.Backend. Rewardful campaigns are
// always live affiliate programs paying one commission, so c must carry a
// commission rule; Status, Qualification, hold and expiry days are set in
// Rewardful's dashboard and are not sent. Native stripe_coupon_id is.
func (b *Backend) CreateCampaign(ctx context.Context, c canonical.Campaign) (canonical.Campaign, error) {
	if strings.TrimSpace(c.Name) == "" {
		return canonical.Campaign{}, canonical.Errorf(canonical.Invalid, "campaign name is required")
	}
	rule, ok := commissionRule(c)
	if !ok {
		return canonical.Campaign{}, canonical.Errorf(canonical.Invalid, "a rewardful campaign needs a commission rule")
	}
	rt, pct, cents, cur := commissionFields(*rule.Commission)
	if cur == nil && rt == api.RewardTypeAmount && c.Currency != "" {
		s := strings.ToUpper(c.Currency)
		cur = &s
	}
	body := api.CreateCampaignRequest{Name: c.Name, Url: c.URL, RewardType: rt, CommissionPercent: pct,
		CommissionAmountCents: cents, CommissionAmountCurrency: cur}
	if c.Private {
		body.Private = &c.Private
	}
	if c.MinimumPayout.Amount != 0 {
		m := int(c.MinimumPayout.Amount)
		body.MinimumPayoutCents = &m
	}
	if s := nativeString(c.Native, nativeStripeCouponID, ""); s != "" {
		body.StripeCouponId = &s
	}
	resp, err := b.c.CreateCampaignWithFormdataBodyWithResponse(ctx, body)
	out, err := decode(resp, err, func() *api.Campaign { return resp.JSON200 })
	if err != nil {
		return canonical.Campaign{}, err
	}
	return campaignFromAPI(out), nil
}

// UpdateCampaign implements canonical.Backend. Rewardful's API changes the
// name, URL, privacy, minimum payout and (Native) stripe_coupon_id; a
// patch of any other field is Invalid.
func (b *Backend) UpdateCampaign(ctx context.Context, id string, patch canonical.CampaignPatch) (canonical.Campaign, error) {
	var bad []string
	for name, set := range map[string]bool{
		"Status": patch.Status != nil, "Qualification": patch.Qualification != nil,
		"ManualApproval": patch.ManualApproval != nil, "PrivateTokens": patch.PrivateTokens != nil,
		"ReferralExpiryDays": patch.ReferralExpiryDays != nil, "CommissionHoldDays": patch.CommissionHoldDays != nil,
		"EndsAt": patch.EndsAt != nil,
	} {
		if set {
			bad = append(bad, name)
		}
	}
	var body api.UpdateCampaignRequest
	for v, m := range patch.Native {
		for k, val := range m {
			if v != canonical.Rewardful || k != nativeStripeCouponID {
				bad = append(bad, "Native["+string(v)+"]["+k+"]")
				continue
			}
			s, _ := val.(string)
			body.StripeCouponId = &s
		}
	}
	if len(bad) > 0 {
		slices.Sort(bad)
		return canonical.Campaign{}, canonical.Errorf(canonical.Invalid, "rewardful cannot change %s", strings.Join(bad, ", "))
	}
	u, err := parseID("campaign", id)
	if err != nil {
		return canonical.Campaign{}, err
	}
	body.Name, body.Url, body.Private = patch.Name, patch.URL, patch.Private
	if patch.MinimumPayout != nil {
		m := int(patch.MinimumPayout.Amount)
		body.MinimumPayoutCents = &m
	}
	resp, err := b.c.UpdateCampaignWithFormdataBodyWithResponse(ctx, u, body)
	out, err := decode(resp, err, func() *api.Campaign { return resp.JSON200 })
	if err != nil {
		return canonical.Campaign{}, err
	}
	return campaignFromAPI(out), nil
}

// ListRewardRules implements canonical.Backend: a campaign's commission
// rule, whose ID is the campaign's.
func (b *Backend) ListRewardRules(ctx context.Context, campaignID string) ([]canonical.RewardRule, error) {
	c, err := b.GetCampaign(ctx, campaignID)
	if err != nil {
		return nil, err
	}
	if c.Rules == nil {
		return []canonical.RewardRule{}, nil
	}
	return c.Rules, nil
}

// CreateRewardRule implements canonical.Backend: not available (a
// Rewardful campaign has exactly one commission, set on the campaign).
func (b *Backend) CreateRewardRule(context.Context, string, canonical.RewardRule) (canonical.RewardRule, error) {
	return canonical.RewardRule{}, notImplemented("CreateRewardRule")
}

// UpdateRewardRule implements canonical.Backend for the commission rule
// (ruleID is the campaign ID): its type, percentage or amount change
// through the campaign. The commission period and cap, and every other
// rule field, are not changeable over the API (Invalid when the patch
// changes them).
func (b *Backend) UpdateRewardRule(ctx context.Context, campaignID, ruleID string, patch canonical.RewardRulePatch) (canonical.RewardRule, error) {
	var bad []string
	for name, set := range map[string]bool{
		"Title": patch.Title != nil, "Description": patch.Description != nil,
		"ReferredDescription": patch.ReferredDescription != nil, "Threshold": patch.Threshold != nil,
		"PointsThreshold": patch.PointsThreshold != nil, "Repeat": patch.Repeat != nil,
		"Unlimited": patch.Unlimited != nil, "Limit": patch.Limit != nil, "LimitPeriod": patch.LimitPeriod != nil,
		"Winners": patch.Winners != nil, "ReferrerValue": patch.ReferrerValue != nil,
		"ReferredValue": patch.ReferredValue != nil, "CouponCode": patch.CouponCode != nil,
		"ReferredCouponCode": patch.ReferredCouponCode != nil, "ReferredUpfront": patch.ReferredUpfront != nil,
		"ReferredAtSignup": patch.ReferredAtSignup != nil, "Visible": patch.Visible != nil,
		"Order": patch.Order != nil, "ImageURL": patch.ImageURL != nil, "Metadata": patch.Metadata != nil,
		"Native": len(patch.Native) > 0,
	} {
		if set {
			bad = append(bad, name)
		}
	}
	if len(bad) > 0 {
		slices.Sort(bad)
		return canonical.RewardRule{}, canonical.Errorf(canonical.Invalid, "rewardful cannot change %s", strings.Join(bad, ", "))
	}
	if !strings.EqualFold(strings.TrimSpace(ruleID), strings.TrimSpace(campaignID)) {
		return canonical.RewardRule{}, canonical.Errorf(canonical.NotFound, "reward rule not found: %s", ruleID)
	}
	cur, err := b.GetCampaign(ctx, campaignID)
	if err != nil {
		return canonical.RewardRule{}, err
	}
	rule, ok := commissionRule(cur)
	if !ok {
		return canonical.RewardRule{}, canonical.Errorf(canonical.NotFound, "reward rule not found: %s", ruleID)
	}
	if patch.Commission == nil {
		return rule, nil
	}
	cr := *patch.Commission
	if cr.DurationMonths != rule.Commission.DurationMonths || cr.MaxCommissions != rule.Commission.MaxCommissions {
		return canonical.RewardRule{}, canonical.Errorf(canonical.Invalid, "rewardful cannot change the commission period or cap over its API")
	}
	rt, pct, cents, currency := commissionFields(cr)
	if currency == nil && rt == api.RewardTypeAmount && cur.Currency != "" {
		s := cur.Currency
		currency = &s
	}
	u, err := parseID("campaign", cur.ID)
	if err != nil {
		return canonical.RewardRule{}, err
	}
	body := api.UpdateCampaignRequest{RewardType: &rt, CommissionPercent: pct, CommissionAmountCents: cents, CommissionAmountCurrency: currency}
	resp, err := b.c.UpdateCampaignWithFormdataBodyWithResponse(ctx, u, body)
	out, err := decode(resp, err, func() *api.Campaign { return resp.JSON200 })
	if err != nil {
		return canonical.RewardRule{}, err
	}
	rule, ok = commissionRule(campaignFromAPI(out))
	if !ok {
		return canonical.RewardRule{}, canonical.Errorf(canonical.Internal, "rewardful campaign has no commission after the update")
	}
	return rule, nil
}

// DeleteRewardRule implements canonical.Backend: not available (a
// Rewardful campaign always pays its commission).
func (b *Backend) DeleteRewardRule(context.Context, string, string) error {
	return notImplemented("DeleteRewardRule")
}

// CampaignStats implements canonical.Backend from the campaign's
// roll-ups: affiliates, visitors, leads (also the credited referrals and
// referred signups) and conversions. Rewardful reports no other counters.
func (b *Backend) CampaignStats(ctx context.Context, campaignID string) (canonical.CampaignStats, error) {
	c, err := b.getCampaign(ctx, campaignID)
	if err != nil {
		return canonical.CampaignStats{}, err
	}
	return statsFromAPI(c), nil
}
