package rewardful

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	api "github.com/refbridge/refbridge/client/rewardful"
)

// ---- referrals ----

// conversionStates turns canonical referral filters into Rewardful's
// conversion states: visitor (and invited) is visitor, a credited referral
// is a lead or a conversion; Converted picks conversions (or the others).
// ok is false when nothing can match.
func conversionStates(states []canonical.ReferralState, converted *bool) (out []api.ConversionState, ok bool) {
	set := map[api.ConversionState]bool{}
	if len(states) == 0 {
		set[api.ConversionStateVisitor], set[api.ConversionStateLead], set[api.ConversionStateConversion] = true, true, true
	}
	for _, s := range states {
		switch s {
		case canonical.StateVisitor, canonical.StateInvited:
			set[api.ConversionStateVisitor] = true
		case canonical.StateCredited:
			set[api.ConversionStateLead], set[api.ConversionStateConversion] = true, true
		}
	}
	if converted != nil {
		if *converted {
			set[api.ConversionStateVisitor], set[api.ConversionStateLead] = false, false
		} else {
			set[api.ConversionStateConversion] = false
		}
	}
	for _, s := range []api.ConversionState{api.ConversionStateVisitor, api.ConversionStateLead, api.ConversionStateConversion} {
		if set[s] {
			out = append(out, s)
		}
	}
	if len(out) == 3 {
		return nil, true
	}
	return out, len(out) > 0
}

// referralExpand expands the referrer, which carries the campaign.
var referralExpand = []api.ListReferralsParamsExpand{api.ListReferralsParamsExpandAffiliate}

// ListReferrals implements canonical.Backend, newest first. Rewardful
// filters by referrer, state, email, Stripe customer and update time; the
// campaign is filtered here (through the expanded referrer). ReferredID
// and Oldest are Invalid.
func (b *Backend) ListReferrals(ctx context.Context, q canonical.ReferralQuery) (canonical.Page[canonical.Referral], error) {
	switch {
	case q.ReferredID != "":
		return canonical.Page[canonical.Referral]{}, canonical.Errorf(canonical.Invalid, "rewardful cannot filter referrals by referred participant")
	case q.Oldest:
		return canonical.Page[canonical.Referral]{}, canonical.Errorf(canonical.Invalid, "rewardful lists referrals newest first only")
	}
	states, ok := conversionStates(q.States, q.Converted)
	if !ok {
		return emptyPage[canonical.Referral](), nil
	}
	page, limit, err := pageQuery(q.ListOptions)
	if err != nil {
		return canonical.Page[canonical.Referral]{}, err
	}
	params := &api.ListReferralsParams{Page: page, Limit: limit, Expand: &referralExpand,
		UpdatedSince: q.UpdatedSince, UpdatedUntil: q.UpdatedUntil}
	if len(states) > 0 {
		params.ConversionState = &states
	}
	if q.ReferrerID != "" {
		u, err := parseID("affiliate", q.ReferrerID)
		if err != nil {
			return emptyPage[canonical.Referral](), nil
		}
		params.AffiliateId = &u
	}
	if q.Email != "" {
		params.Email = &q.Email
	}
	if q.StripeCustomerID != "" {
		params.StripeCustomerId = &q.StripeCustomerID
	}
	if q.CampaignID != "" {
		if err := b.requireCampaign(ctx, q.CampaignID); err != nil {
			return canonical.Page[canonical.Referral]{}, err
		}
	}
	resp, err := b.c.ListReferralsWithResponse(ctx, params)
	list, err := decode(resp, err, func() *api.ReferralList { return resp.JSON200 })
	if err != nil {
		return canonical.Page[canonical.Referral]{}, err
	}
	items := make([]canonical.Referral, 0, len(list.Data))
	for _, r := range list.Data {
		ref := referralFromAPI(r)
		if q.CampaignID != "" && !strings.EqualFold(ref.CampaignID, q.CampaignID) {
			continue
		}
		items = append(items, ref)
	}
	return pageFrom(items, list.Pagination, q.CampaignID != ""), nil
}

// RecordVisit implements canonical.Backend: not available (visits are
// tracked by Rewardful's JavaScript, not its REST API).
func (b *Backend) RecordVisit(context.Context, string, canonical.Visit) (canonical.Referral, error) {
	return canonical.Referral{}, notImplemented("RecordVisit")
}

// RecordEvent implements canonical.Backend: not available.
func (b *Backend) RecordEvent(context.Context, string, canonical.Event) error {
	return notImplemented("RecordEvent")
}

// TriggerReferral implements canonical.Backend: not available.
func (b *Backend) TriggerReferral(context.Context, string, canonical.ParticipantRef, time.Duration) (bool, error) {
	return false, notImplemented("TriggerReferral")
}

// CancelReferralTrigger implements canonical.Backend: not available.
func (b *Backend) CancelReferralTrigger(context.Context, string, canonical.ParticipantRef) (bool, error) {
	return false, notImplemented("CancelReferralTrigger")
}

// TrackConversion implements canonical.Backend: not available.
func (b *Backend) TrackConversion(context.Context, string, canonical.ConversionEvent) (canonical.Participant, error) {
	return canonical.Participant{}, notImplemented("TrackConversion")
}

// ConfirmReferral implements canonical.Backend: not available.
func (b *Backend) ConfirmReferral(context.Context, string, canonical.ParticipantRef) (canonical.Participant, error) {
	return canonical.Participant{}, notImplemented("ConfirmReferral")
}

// QualifyReferral implements canonical.Backend: not available.
func (b *Backend) QualifyReferral(context.Context, string, canonical.ParticipantRef, canonical.Money) (canonical.Participant, error) {
	return canonical.Participant{}, notImplemented("QualifyReferral")
}

// RecordSpecificAction implements canonical.Backend: not available.
func (b *Backend) RecordSpecificAction(context.Context, string, canonical.SpecificAction, string) (canonical.SpecificAction, error) {
	return canonical.SpecificAction{}, notImplemented("RecordSpecificAction")
}

// ListSpecificActions implements canonical.Backend: not available.
func (b *Backend) ListSpecificActions(context.Context, string, canonical.ListOptions) (canonical.Page[canonical.SpecificAction], error) {
	return canonical.Page[canonical.SpecificAction]{}, notImplemented("ListSpecificActions")
}

// ---- rewards: Rewardful pays commissions, it keeps no earned rewards ----

// ListEarnedRewards implements canonical.Backend: not available.
func (b *Backend) ListEarnedRewards(context.Context, canonical.RewardQuery) (canonical.Page[canonical.EarnedReward], error) {
	return canonical.Page[canonical.EarnedReward]{}, notImplemented("ListEarnedRewards")
}

// GetEarnedReward implements canonical.Backend: not available.
func (b *Backend) GetEarnedReward(context.Context, string) (canonical.EarnedReward, error) {
	return canonical.EarnedReward{}, notImplemented("GetEarnedReward")
}

// ApproveReward implements canonical.Backend: not available.
func (b *Backend) ApproveReward(context.Context, string, bool) (canonical.EarnedReward, error) {
	return canonical.EarnedReward{}, notImplemented("ApproveReward")
}

// FulfillReward implements canonical.Backend: not available.
func (b *Backend) FulfillReward(context.Context, string) (canonical.EarnedReward, error) {
	return canonical.EarnedReward{}, notImplemented("FulfillReward")
}

// SetRewardStatus implements canonical.Backend: not available.
func (b *Backend) SetRewardStatus(context.Context, string, canonical.RewardStatus, canonical.Native) (canonical.EarnedReward, error) {
	return canonical.EarnedReward{}, notImplemented("SetRewardStatus")
}

// DeleteReward implements canonical.Backend: not available.
func (b *Backend) DeleteReward(context.Context, string) error {
	return notImplemented("DeleteReward")
}

// PromoteParticipant implements canonical.Backend: not available.
func (b *Backend) PromoteParticipant(context.Context, string, canonical.ParticipantRef) (canonical.Participant, error) {
	return canonical.Participant{}, notImplemented("PromoteParticipant")
}

// GrantReward implements canonical.Backend: not available.
func (b *Backend) GrantReward(context.Context, string, canonical.ParticipantRef, string) (canonical.EarnedReward, error) {
	return canonical.EarnedReward{}, notImplemented("GrantReward")
}

// ---- money ----

// CreateTransaction implements canonical.Backend: not available (sales
// reach Rewardful from Stripe, not through its REST API).
func (b *Backend) CreateTransaction(context.Context, canonical.NewTransaction) (canonical.TransactionResult, error) {
	return canonical.TransactionResult{}, notImplemented("CreateTransaction")
}

// RefundTransaction implements canonical.Backend: not available.
func (b *Backend) RefundTransaction(context.Context, canonical.NewRefund) (canonical.RefundResult, error) {
	return canonical.RefundResult{}, notImplemented("RefundTransaction")
}

// ListTransactions implements canonical.Backend: not available (sales
// only appear inside commissions).
func (b *Backend) ListTransactions(context.Context, canonical.TransactionQuery) (canonical.Page[canonical.Transaction], error) {
	return canonical.Page[canonical.Transaction]{}, notImplemented("ListTransactions")
}

// commissionExpand expands the sale (referrer, referred, amount) and the
// campaign.
var commissionExpand = []api.ListCommissionsParamsExpand{api.ListCommissionsParamsExpandSale, api.ListCommissionsParamsExpandCampaign}

// ListCommissions implements canonical.Backend, newest first; the
// campaign is filtered here.
func (b *Backend) ListCommissions(ctx context.Context, q canonical.CommissionQuery) (canonical.Page[canonical.Commission], error) {
	page, limit, err := pageQuery(q.ListOptions)
	if err != nil {
		return canonical.Page[canonical.Commission]{}, err
	}
	params := &api.ListCommissionsParams{Page: page, Limit: limit, Expand: &commissionExpand}
	if len(q.Statuses) > 0 {
		var states []api.CommissionState
		for _, s := range q.Statuses {
			if st := api.CommissionState(s); st.Valid() && !slices.Contains(states, st) {
				states = append(states, st)
			}
		}
		if len(states) == 0 {
			return emptyPage[canonical.Commission](), nil
		}
		params.State = &states
	}
	if q.ReferrerID != "" {
		u, err := parseID("affiliate", q.ReferrerID)
		if err != nil {
			return emptyPage[canonical.Commission](), nil
		}
		params.AffiliateId = &u
	}
	if q.CampaignID != "" {
		if err := b.requireCampaign(ctx, q.CampaignID); err != nil {
			return canonical.Page[canonical.Commission]{}, err
		}
	}
	resp, err := b.c.ListCommissionsWithResponse(ctx, params)
	list, err := decode(resp, err, func() *api.CommissionList { return resp.JSON200 })
	if err != nil {
		return canonical.Page[canonical.Commission]{}, err
	}
	items := make([]canonical.Commission, 0, len(list.Data))
	for _, c := range list.Data {
		com := commissionFromAPI(c)
		if q.CampaignID != "" && !strings.EqualFold(com.CampaignID, q.CampaignID) {
			continue
		}
		items = append(items, com)
	}
	return pageFrom(items, list.Pagination, q.CampaignID != ""), nil
}

func (b *Backend) getCommission(ctx context.Context, id string) (api.Commission, error) {
	u, err := parseID("commission", id)
	if err != nil {
		return api.Commission{}, err
	}
	resp, err := b.c.GetCommissionWithResponse(ctx, u)
	return decode(resp, err, func() *api.Commission { return resp.JSON200 })
}

// GetCommission implements canonical.Backend.
func (b *Backend) GetCommission(ctx context.Context, id string) (canonical.Commission, error) {
	c, err := b.getCommission(ctx, id)
	if err != nil {
		return canonical.Commission{}, err
	}
	return commissionFromAPI(c), nil
}

// putCommission sends PUT /commissions/:id; a 422 (a voided commission)
// is a Conflict.
func (b *Backend) putCommission(ctx context.Context, c api.Commission, body api.UpdateCommissionRequest) (canonical.Commission, error) {
	resp, err := b.c.UpdateCommissionWithFormdataBodyWithResponse(ctx, c.Id, body)
	out, err := decode(resp, err, func() *api.Commission { return resp.JSON200 })
	if err != nil {
		return canonical.Commission{}, conflictOn422(err)
	}
	return commissionFromAPI(out), nil
}

// conflictOn422 turns a 422 of a state change into a Conflict.
func conflictOn422(err error) error {
	if e, ok := err.(*canonical.Error); ok && e.Code == canonical.Invalid {
		if apiErr, ok := e.Err.(*APIError); ok && apiErr.StatusCode == 422 {
			return &canonical.Error{Code: canonical.Conflict, Message: e.Message, Err: e.Err}
		}
	}
	return err
}

// UpdateCommission implements canonical.Backend: PUT /commissions/:id
// with due_at and paid_at (empty marks the commission unpaid).
func (b *Backend) UpdateCommission(ctx context.Context, id string, patch canonical.CommissionPatch) (canonical.Commission, error) {
	u, err := parseID("commission", id)
	if err != nil {
		return canonical.Commission{}, err
	}
	var body api.UpdateCommissionRequest
	if patch.DueAt != nil {
		s := fmtTime(*patch.DueAt)
		body.DueAt = &s
	}
	if patch.PaidAt != nil {
		s := ""
		if *patch.PaidAt != nil {
			s = fmtTime(**patch.PaidAt)
		}
		body.PaidAt = &s
	}
	return b.putCommission(ctx, api.Commission{Id: u}, body)
}

// ApproveCommission implements canonical.Backend: a pending commission's
// due date is moved to its creation time, which makes it due at once by
// Rewardful's own clock. Conflict unless pending.
func (b *Backend) ApproveCommission(ctx context.Context, id string) (canonical.Commission, error) {
	c, err := b.getCommission(ctx, id)
	if err != nil {
		return canonical.Commission{}, err
	}
	if c.State != api.CommissionStatePending {
		return canonical.Commission{}, canonical.Errorf(canonical.Conflict, "commission %s is %s, not pending", id, c.State)
	}
	due := fmtTime(c.CreatedAt)
	return b.putCommission(ctx, c, api.UpdateCommissionRequest{DueAt: &due})
}

// DeleteCommission implements canonical.Backend; it returns the
// commission as it was. Conflict once paid.
func (b *Backend) DeleteCommission(ctx context.Context, id string) (canonical.Commission, error) {
	c, err := b.getCommission(ctx, id)
	if err != nil {
		return canonical.Commission{}, err
	}
	if c.State == api.CommissionStatePaid {
		return canonical.Commission{}, canonical.Errorf(canonical.Conflict, "commission %s is paid", id)
	}
	resp, err := b.c.DeleteCommissionWithResponse(ctx, c.Id)
	if _, err := decode(resp, err, func() *api.DeletedCommission { return resp.JSON200 }); err != nil {
		return canonical.Commission{}, conflictOn422(err)
	}
	return commissionFromAPI(c), nil
}

// payoutExpand expands the affiliate and the commissions.
var payoutExpand = []api.ListPayoutsParamsExpand{api.ListPayoutsParamsExpandAffiliate, api.ListPayoutsParamsExpandCommissions}

// ListPayouts implements canonical.Backend, newest first. A failed status
// matches nothing (Rewardful has none); the campaign is filtered here
// through each payee's campaign.
func (b *Backend) ListPayouts(ctx context.Context, q canonical.PayoutQuery) (canonical.Page[canonical.Payout], error) {
	page, limit, err := pageQuery(q.ListOptions)
	if err != nil {
		return canonical.Page[canonical.Payout]{}, err
	}
	params := &api.ListPayoutsParams{Page: page, Limit: limit, Expand: &payoutExpand}
	if len(q.Statuses) > 0 {
		var states []api.PayoutState
		for _, s := range q.Statuses {
			if st := api.PayoutState(s); st.Valid() && !slices.Contains(states, st) {
				states = append(states, st)
			}
		}
		if len(states) == 0 {
			return emptyPage[canonical.Payout](), nil
		}
		params.State = &states
	}
	if q.ParticipantID != "" {
		u, err := parseID("affiliate", q.ParticipantID)
		if err != nil {
			return emptyPage[canonical.Payout](), nil
		}
		params.AffiliateId = &u
	}
	if q.CampaignID != "" {
		if err := b.requireCampaign(ctx, q.CampaignID); err != nil {
			return canonical.Page[canonical.Payout]{}, err
		}
	}
	resp, err := b.c.ListPayoutsWithResponse(ctx, params)
	list, err := decode(resp, err, func() *api.PayoutList { return resp.JSON200 })
	if err != nil {
		return canonical.Page[canonical.Payout]{}, err
	}
	camps := b.campaignResolver()
	items := make([]canonical.Payout, 0, len(list.Data))
	for _, p := range list.Data {
		po := payoutFromAPI(p)
		if q.CampaignID != "" {
			cid, err := camps.of(ctx, po.ParticipantID)
			if err != nil {
				return canonical.Page[canonical.Payout]{}, err
			}
			if !strings.EqualFold(cid, q.CampaignID) {
				continue
			}
			po.CampaignID = cid
		}
		items = append(items, po)
	}
	return pageFrom(items, list.Pagination, q.CampaignID != ""), nil
}

// GetPayout implements canonical.Backend.
func (b *Backend) GetPayout(ctx context.Context, id string) (canonical.Payout, error) {
	u, err := parseID("payout", id)
	if err != nil {
		return canonical.Payout{}, err
	}
	resp, err := b.c.GetPayoutWithResponse(ctx, u)
	out, err := decode(resp, err, func() *api.Payout { return resp.JSON200 })
	if err != nil {
		return canonical.Payout{}, err
	}
	return payoutFromAPI(out), nil
}

// PayPayout implements canonical.Backend: PUT /payouts/:id/pay. Rewardful
// answers processing while it marks the commissions paid. Conflict (a 422)
// unless due.
func (b *Backend) PayPayout(ctx context.Context, id string) (canonical.Payout, error) {
	u, err := parseID("payout", id)
	if err != nil {
		return canonical.Payout{}, err
	}
	resp, err := b.c.PayPayoutWithResponse(ctx, u)
	out, err := decode(resp, err, func() *api.Payout { return resp.JSON200 })
	if err != nil {
		return canonical.Payout{}, conflictOn422(err)
	}
	return payoutFromAPI(out), nil
}

// ---- coupons ----

// CreateCouponGroup implements canonical.Backend: not available (no
// coupon pools).
func (b *Backend) CreateCouponGroup(context.Context, string, canonical.NewCouponGroup) (canonical.CouponGroup, error) {
	return canonical.CouponGroup{}, notImplemented("CreateCouponGroup")
}

// AddCoupons implements canonical.Backend: not available.
func (b *Backend) AddCoupons(context.Context, string, string, []string) (canonical.CouponGroup, error) {
	return canonical.CouponGroup{}, notImplemented("AddCoupons")
}

// ListCouponGroups implements canonical.Backend: not available.
func (b *Backend) ListCouponGroups(context.Context, string, canonical.ListOptions) (canonical.Page[canonical.CouponGroup], error) {
	return canonical.Page[canonical.CouponGroup]{}, notImplemented("ListCouponGroups")
}

// GetCouponGroup implements canonical.Backend: not available.
func (b *Backend) GetCouponGroup(context.Context, string, string) (canonical.CouponGroup, error) {
	return canonical.CouponGroup{}, notImplemented("GetCouponGroup")
}

// CreateCoupon implements canonical.Backend: an affiliate coupon (the
// code must be a Stripe coupon or promotion code on the real Rewardful).
func (b *Backend) CreateCoupon(ctx context.Context, campaignID string, owner canonical.ParticipantRef, code string) (canonical.Coupon, error) {
	if strings.TrimSpace(code) == "" {
		return canonical.Coupon{}, canonical.Errorf(canonical.Invalid, "a coupon code is required")
	}
	id, err := b.resolveID(ctx, campaignID, owner)
	if err != nil {
		return canonical.Coupon{}, err
	}
	resp, err := b.c.CreateAffiliateCouponWithFormdataBodyWithResponse(ctx, api.CreateAffiliateCouponRequest{AffiliateId: id, Token: code})
	out, err := decode(resp, err, func() *api.AffiliateCoupon { return resp.JSON200 })
	if err != nil {
		return canonical.Coupon{}, err
	}
	c := couponFromAPI(out)
	c.CampaignID = campaignID
	return c, nil
}

// GetCoupon implements canonical.Backend.
func (b *Backend) GetCoupon(ctx context.Context, id string) (canonical.Coupon, error) {
	u, err := parseID("coupon", id)
	if err != nil {
		return canonical.Coupon{}, err
	}
	resp, err := b.c.GetAffiliateCouponWithResponse(ctx, u)
	out, err := decode(resp, err, func() *api.AffiliateCoupon { return resp.JSON200 })
	if err != nil {
		return canonical.Coupon{}, err
	}
	return couponFromAPI(out), nil
}

// ListCoupons implements canonical.Backend, newest first; the campaign is
// filtered here through each owner's campaign.
func (b *Backend) ListCoupons(ctx context.Context, q canonical.CouponQuery) (canonical.Page[canonical.Coupon], error) {
	page, limit, err := pageQuery(q.ListOptions)
	if err != nil {
		return canonical.Page[canonical.Coupon]{}, err
	}
	params := &api.ListAffiliateCouponsParams{Page: page, Limit: limit}
	if q.ParticipantID != "" {
		u, err := parseID("affiliate", q.ParticipantID)
		if err != nil {
			return emptyPage[canonical.Coupon](), nil
		}
		params.AffiliateId = &u
	}
	if q.CampaignID != "" {
		if err := b.requireCampaign(ctx, q.CampaignID); err != nil {
			return canonical.Page[canonical.Coupon]{}, err
		}
	}
	resp, err := b.c.ListAffiliateCouponsWithResponse(ctx, params)
	list, err := decode(resp, err, func() *api.AffiliateCouponList { return resp.JSON200 })
	if err != nil {
		return canonical.Page[canonical.Coupon]{}, err
	}
	camps := b.campaignResolver()
	items := make([]canonical.Coupon, 0, len(list.Data))
	for _, c := range list.Data {
		cp := couponFromAPI(c)
		if q.CampaignID != "" {
			cid, err := camps.of(ctx, cp.ParticipantID)
			if err != nil {
				return canonical.Page[canonical.Coupon]{}, err
			}
			if !strings.EqualFold(cid, q.CampaignID) {
				continue
			}
			cp.CampaignID = cid
		}
		items = append(items, cp)
	}
	return pageFrom(items, list.Pagination, q.CampaignID != ""), nil
}
