package referralrocket

import (
	"context"
	"net/url"
	"strings"

	"github.com/refbridge/refbridge/adapters/canonical"
	api "github.com/refbridge/refbridge/client/referralrocket"
)

// fetchCampaign calls getCampaign.
func (b *Backend) fetchCampaign(ctx context.Context, id string) (api.CampaignResponse, error) {
	id, err := b.campaignOr(id)
	if err != nil {
		return api.CampaignResponse{}, err
	}
	res, err := b.client.GetCampaignWithResponse(ctx, &api.GetCampaignParams{Id: id})
	c, err := call("getCampaign", res, err, (*api.GetCampaignResponse).GetJSON200)
	if err != nil {
		return api.CampaignResponse{}, err
	}
	if c.CampaignId == nil || *c.CampaignId == "" {
		c.CampaignId = &id
	}
	return c, nil
}

// GetCampaign implements canonical.Backend over getCampaign. The vendor
// reports no qualification rule, so Qualification stays empty; Currency is
// BackendOptions.Currency. NotFound.
func (b *Backend) GetCampaign(ctx context.Context, id string) (canonical.Campaign, error) {
	c, err := b.fetchCampaign(ctx, id)
	if err != nil {
		return canonical.Campaign{}, err
	}
	return b.fromCampaign(c), nil
}

// ListRewardRules implements canonical.Backend: the one reward
// configuration getCampaign describes (referrer and referee reward), with
// the campaign id as its ID; none when the campaign describes no reward.
// NotFound.
func (b *Backend) ListRewardRules(ctx context.Context, campaignID string) ([]canonical.RewardRule, error) {
	c, err := b.fetchCampaign(ctx, campaignID)
	if err != nil {
		return nil, err
	}
	return b.fromCampaign(c).Rules, nil
}

// CampaignStats implements canonical.Backend over getCampaign: only
// Participants (totalParticipants) is known to the vendor's API; every
// other counter is zero. NotFound.
func (b *Backend) CampaignStats(ctx context.Context, campaignID string) (canonical.CampaignStats, error) {
	c, err := b.fetchCampaign(ctx, campaignID)
	if err != nil {
		return canonical.CampaignStats{}, err
	}
	return canonical.CampaignStats{Participants: deref(c.TotalParticipants)}, nil
}

// fromCampaign is the inverse of toCampaign.
func (b *Backend) fromCampaign(r api.CampaignResponse) canonical.Campaign {
	id := deref(r.CampaignId)
	c := canonical.Campaign{
		ID:       id,
		Name:     deref(r.CampaignName),
		Kind:     canonical.ReferralProgram,
		Currency: b.currency,
		URL:      campaignURL(deref(r.HostURL)),
	}
	switch {
	case r.Status != nil && *r.Status == api.Active:
		c.Status = canonical.CampaignActive
	case r.Status != nil && *r.Status == api.End, deref(r.Ended):
		c.Status = canonical.CampaignEnded
	case r.Status != nil && *r.Status == api.Pause, deref(r.Paused):
		c.Status = canonical.CampaignPaused
	}
	if r.CreatedOn != nil {
		c.CreatedAt = r.CreatedOn.UTC()
	}
	if r.End != nil {
		end := r.End.UTC()
		c.EndsAt = &end
	}
	for key, v := range map[string]*string{
		nativeShareWidgetHeader:      r.ShareWidgetHeader,
		nativeShareWidgetDescription: r.ShareWidgetDescription,
		nativeRewardType:             r.RewardType,
	} {
		if v != nil {
			c.Native.Set(canonical.ReferralRocket, key, *v)
		}
	}
	if r.ReferrerReward == nil && r.RefereeReward == nil && r.RewardHeader == nil && r.RewardDescription == nil {
		return c
	}
	rule := canonical.RewardRule{
		ID:            id,
		CampaignID:    id,
		Kind:          canonical.SingleSided,
		Title:         deref(r.RewardHeader),
		Description:   deref(r.RewardDescription),
		Threshold:     1,
		ReferrerValue: b.moneyOf(deref(r.ReferrerReward)),
		ReferredValue: b.moneyOf(deref(r.RefereeReward)),
		CreatedAt:     c.CreatedAt,
	}
	if !rule.ReferredValue.IsZero() {
		rule.Kind = canonical.DoubleSided
	}
	if rt := deref(r.RewardType); rt != "" {
		rule.Native.Set(canonical.ReferralRocket, nativeRewardType, rt)
		if strings.EqualFold(rt, "Percentage") {
			rule.Kind = canonical.CommissionReward
			rule.Commission = &canonical.CommissionRule{Type: canonical.PercentCommission, Percent: float64(deref(r.ReferrerReward))}
			rule.ReferrerValue = canonical.Money{}
		}
	}
	c.Rules = []canonical.RewardRule{rule}
	return c
}

// campaignURL recovers a campaign's site from its hostURL (the site with
// the campaign id as the id query parameter).
func campaignURL(host string) string {
	if host == "" {
		return ""
	}
	u, err := url.Parse(host)
	if err != nil {
		return host
	}
	q := u.Query()
	q.Del("id")
	u.RawQuery = q.Encode()
	return u.String()
}
