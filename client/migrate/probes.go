package migrate

import (
	"context"
	"strings"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// The probes below find, on the target, a write whose outcome a failure
// left uncertain (see retryOnce). Each is made before the write, from
// what the target held then where that is needed to tell the write's
// entity from older ones, and is nil when the target cannot be read that
// way.

// campaignProbe returns the probe of a create of campaign in: a campaign
// of that name on the target that was not there before the run's first
// campaign create, that the run did not create itself and that no source
// campaign maps to is the one the create made. That campaign is finished
// as the create would have (status and URL, which some targets set with a
// second call) and read back with its rules. The target's campaigns are
// listed once per run, before the first create; when that fails, there is
// no probe (an uncertain create is reported, not sent again).
func (r *run) campaignProbe(ctx context.Context, in canonical.Campaign) probe[canonical.Campaign] {
	if !r.dstCan("ListCampaigns") {
		return nil
	}
	list := func(ctx context.Context, keep func(canonical.Campaign)) error {
		return walk(ctx, r, func(o canonical.ListOptions) (canonical.Page[canonical.Campaign], error) {
			return r.dst.ListCampaigns(ctx, o)
		}, keep)
	}
	if !r.campaignsRead {
		r.campaignsRead = true
		known := map[string]bool{}
		if err := list(ctx, func(c canonical.Campaign) { known[c.ID] = true }); err == nil {
			r.targetCampaigns, r.campaignsKnown = known, true
		}
	}
	if !r.campaignsKnown {
		return nil
	}
	return func(ctx context.Context) (canonical.Campaign, bool, error) {
		var found *canonical.Campaign
		err := list(ctx, func(c canonical.Campaign) {
			if found == nil && c.Name == in.Name && !r.targetCampaigns[c.ID] && !r.ids().HasTarget(EntityCampaigns, c.ID) {
				found = &c
			}
		})
		if err != nil || found == nil {
			return canonical.Campaign{}, false, err
		}
		return r.finishCampaign(ctx, *found, in), true, nil
	}
}

// finishCampaign gives a campaign found by campaignProbe the status and
// URL of in, where the target can, and reads it back with its rules. It
// does what it can: what it could not do shows in the report's comparison
// of the campaigns.
func (r *run) finishCampaign(ctx context.Context, c, in canonical.Campaign) canonical.Campaign {
	var patch canonical.CampaignPatch
	if in.Status != "" && c.Status != in.Status {
		patch.Status = &in.Status
	}
	if in.URL != "" && c.URL != in.URL {
		patch.URL = &in.URL
	}
	if (patch.Status != nil || patch.URL != nil) && r.dstCan("UpdateCampaign") {
		if _, err := retry(ctx, r, func() (canonical.Campaign, error) { return r.dst.UpdateCampaign(ctx, c.ID, patch) }); err != nil {
			return c
		}
	}
	if r.dstCan("GetCampaign") {
		if got, err := retry(ctx, r, func() (canonical.Campaign, error) { return r.dst.GetCampaign(ctx, c.ID) }); err == nil {
			return got
		}
	}
	return c
}

// ruleIDs are the IDs of target campaign's rules, for ruleProbe; nil
// when the target cannot list them.
func (r *run) ruleIDs(ctx context.Context, campaign string) (map[string]bool, error) {
	if !r.dstCan("ListRewardRules") {
		return nil, nil
	}
	rules, err := retry(ctx, r, func() ([]canonical.RewardRule, error) { return r.dst.ListRewardRules(ctx, campaign) })
	if err != nil {
		return nil, err
	}
	known := make(map[string]bool, len(rules))
	for _, rule := range rules {
		known[rule.ID] = true
	}
	return known, nil
}

// ruleProbe returns the probe of a create of rule on target campaign,
// given known, the IDs of every rule the campaign had before (ruleIDs,
// which the caller extends with every rule it creates): a rule of its
// kind outside known is the one made.
func (r *run) ruleProbe(campaign string, rule canonical.RewardRule, known map[string]bool) probe[canonical.RewardRule] {
	if known == nil {
		return nil
	}
	return func(ctx context.Context) (canonical.RewardRule, bool, error) {
		rules, err := retry(ctx, r, func() ([]canonical.RewardRule, error) { return r.dst.ListRewardRules(ctx, campaign) })
		if err != nil {
			return canonical.RewardRule{}, false, err
		}
		for _, got := range rules {
			if !known[got.ID] && got.Kind == rule.Kind {
				return got, true, nil
			}
		}
		return canonical.RewardRule{}, false, nil
	}
}

// refundsOf lists the refunds of target sale sale, bought by buyer, in
// target campaign.
func (r *run) refundsOf(ctx context.Context, campaign, buyer, sale string) ([]canonical.Transaction, error) {
	var out []canonical.Transaction
	err := walk(ctx, r, func(o canonical.ListOptions) (canonical.Page[canonical.Transaction], error) {
		return r.dst.ListTransactions(ctx, canonical.TransactionQuery{CampaignID: campaign, ParticipantID: buyer, ListOptions: o})
	}, func(x canonical.Transaction) {
		if x.Kind == canonical.Refund && x.RefundOf == sale {
			out = append(out, x)
		}
	})
	return out, err
}

// refundProbe returns the probe of a refund of target sale sale, which
// had before refunds on the target: a refund more is the one made.
func (r *run) refundProbe(campaign, buyer, sale string, before int) probe[canonical.RefundResult] {
	if !r.dstCan("ListTransactions") || buyer == "" {
		return nil
	}
	return func(ctx context.Context) (canonical.RefundResult, bool, error) {
		refunds, err := r.refundsOf(ctx, campaign, buyer, sale)
		if err != nil || len(refunds) <= before {
			return canonical.RefundResult{}, false, err
		}
		newest := refunds[0]
		for _, x := range refunds[1:] {
			if x.CreatedAt.After(newest.CreatedAt) {
				newest = x
			}
		}
		return canonical.RefundResult{Matched: true, Refund: newest}, true, nil
	}
}

// voidProbe returns the probe of the full refund that voids commission
// id's sale: the commission voided is the refund made.
func (r *run) voidProbe(id string) probe[canonical.RefundResult] {
	if !r.dstCan("GetCommission") {
		return nil
	}
	return func(ctx context.Context) (canonical.RefundResult, bool, error) {
		cm, err := retry(ctx, r, func() (canonical.Commission, error) { return r.dst.GetCommission(ctx, id) })
		if err != nil || cm.Status != canonical.CommissionVoided {
			return canonical.RefundResult{}, false, err
		}
		return canonical.RefundResult{Matched: true, Voided: []canonical.Commission{cm}}, true, nil
	}
}

// couponProbe returns the probe of a create of coupon code for owner: the
// owner holding the code is the create made (the code was free, or the
// create would have been refused rather than failed).
func (r *run) couponProbe(campaign, owner, code string) probe[canonical.Coupon] {
	if !r.dstCan("ListCoupons") {
		return nil
	}
	return func(ctx context.Context) (canonical.Coupon, bool, error) {
		var found *canonical.Coupon
		err := walk(ctx, r, func(o canonical.ListOptions) (canonical.Page[canonical.Coupon], error) {
			return r.dst.ListCoupons(ctx, canonical.CouponQuery{CampaignID: campaign, ParticipantID: owner, ListOptions: o})
		}, func(cp canonical.Coupon) {
			if strings.EqualFold(cp.Code, code) && (cp.ParticipantID == "" || cp.ParticipantID == owner) {
				found = &cp
			}
		})
		if err != nil || found == nil {
			return canonical.Coupon{}, false, err
		}
		return *found, true, nil
	}
}

// groupProbe returns the probe of a create of coupon group name on target
// campaign, given known, the IDs of every group the target had before
// (which the caller extends with every group it creates).
func (r *run) groupProbe(campaign, name string, known map[string]bool) probe[canonical.CouponGroup] {
	if known == nil {
		return nil
	}
	return func(ctx context.Context) (canonical.CouponGroup, bool, error) {
		groups, err := allGroups(ctx, r, r.dst, campaign)
		if err != nil {
			return canonical.CouponGroup{}, false, err
		}
		for _, g := range groups {
			if g.Name == name && !known[g.ID] {
				return g, true, nil
			}
		}
		return canonical.CouponGroup{}, false, nil
	}
}

// rewardReached returns the probe of a change of reward id to status
// want: the reward in that status is the change made.
func (r *run) rewardReached(id string, want canonical.RewardStatus) probe[canonical.EarnedReward] {
	if !r.dstCan("GetEarnedReward") {
		return nil
	}
	return func(ctx context.Context) (canonical.EarnedReward, bool, error) {
		rw, err := retry(ctx, r, func() (canonical.EarnedReward, error) { return r.dst.GetEarnedReward(ctx, id) })
		return rw, err == nil && rw.Status == want, err
	}
}

// commissionReached returns the probe of the approval of commission id:
// the commission due (or since paid) is the approval made.
func (r *run) commissionReached(id string) probe[canonical.Commission] {
	if !r.dstCan("GetCommission") {
		return nil
	}
	return func(ctx context.Context) (canonical.Commission, bool, error) {
		cm, err := retry(ctx, r, func() (canonical.Commission, error) { return r.dst.GetCommission(ctx, id) })
		return cm, err == nil && (cm.Status == canonical.CommissionDue || cm.Status == canonical.CommissionPaid), err
	}
}

// payoutReached returns the probe of the payment of payout id: the
// payout paid is the payment made.
func (r *run) payoutReached(id string) probe[canonical.Payout] {
	if !r.dstCan("GetPayout") {
		return nil
	}
	return func(ctx context.Context) (canonical.Payout, bool, error) {
		po, err := retry(ctx, r, func() (canonical.Payout, error) { return r.dst.GetPayout(ctx, id) })
		return po, err == nil && po.Status == canonical.PayoutPaid, err
	}
}
