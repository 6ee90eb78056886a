package irefer

import (
	"context"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// unsupported implements every canonical.Backend method (except
// Capabilities) by returning NotImplemented without any I/O. Backend embeds
// it and overrides the operations iRefer's API can perform, so an
// operation missing from Capabilities can never reach the network.
type unsupported struct{}

// notImplemented is the error of an operation iRefer's API cannot
// perform.
func notImplemented(op canonical.Operation) error {
	return canonical.Errorf(canonical.NotImplemented, "iRefer cannot %s: the vendor's API has no such operation", op)
}

// ListCampaigns implements canonical.Backend: NotImplemented.
func (unsupported) ListCampaigns(context.Context, canonical.ListOptions) (r0 canonical.Page[canonical.Campaign], err error) {
	return r0, notImplemented("ListCampaigns")
}

// GetCampaign implements canonical.Backend: NotImplemented.
func (unsupported) GetCampaign(context.Context, string) (r0 canonical.Campaign, err error) {
	return r0, notImplemented("GetCampaign")
}

// CreateCampaign implements canonical.Backend: NotImplemented.
func (unsupported) CreateCampaign(context.Context, canonical.Campaign) (r0 canonical.Campaign, err error) {
	return r0, notImplemented("CreateCampaign")
}

// UpdateCampaign implements canonical.Backend: NotImplemented.
func (unsupported) UpdateCampaign(context.Context, string, canonical.CampaignPatch) (r0 canonical.Campaign, err error) {
	return r0, notImplemented("UpdateCampaign")
}

// ListRewardRules implements canonical.Backend: NotImplemented.
func (unsupported) ListRewardRules(context.Context, string) (r0 []canonical.RewardRule, err error) {
	return r0, notImplemented("ListRewardRules")
}

// CreateRewardRule implements canonical.Backend: NotImplemented.
func (unsupported) CreateRewardRule(context.Context, string, canonical.RewardRule) (r0 canonical.RewardRule, err error) {
	return r0, notImplemented("CreateRewardRule")
}

// UpdateRewardRule implements canonical.Backend: NotImplemented.
func (unsupported) UpdateRewardRule(context.Context, string, string, canonical.RewardRulePatch) (r0 canonical.RewardRule, err error) {
	return r0, notImplemented("UpdateRewardRule")
}

// DeleteRewardRule implements canonical.Backend: NotImplemented.
func (unsupported) DeleteRewardRule(context.Context, string, string) error {
	return notImplemented("DeleteRewardRule")
}

// CreateParticipant implements canonical.Backend: NotImplemented.
func (unsupported) CreateParticipant(context.Context, canonical.NewParticipant) (r0 canonical.Participant, r1 bool, err error) {
	return r0, r1, notImplemented("CreateParticipant")
}

// GetParticipant implements canonical.Backend: NotImplemented.
func (unsupported) GetParticipant(context.Context, string, canonical.ParticipantRef) (r0 canonical.Participant, err error) {
	return r0, notImplemented("GetParticipant")
}

// ListParticipants implements canonical.Backend: NotImplemented.
func (unsupported) ListParticipants(context.Context, canonical.ParticipantQuery) (r0 canonical.Page[canonical.Participant], err error) {
	return r0, notImplemented("ListParticipants")
}

// UpdateParticipant implements canonical.Backend: NotImplemented.
func (unsupported) UpdateParticipant(context.Context, string, canonical.ParticipantRef, canonical.ParticipantPatch) (r0 canonical.Participant, err error) {
	return r0, notImplemented("UpdateParticipant")
}

// DeleteParticipant implements canonical.Backend: NotImplemented.
func (unsupported) DeleteParticipant(context.Context, string, canonical.ParticipantRef) (r0 canonical.Participant, err error) {
	return r0, notImplemented("DeleteParticipant")
}

// AddPoints implements canonical.Backend: NotImplemented.
func (unsupported) AddPoints(context.Context, string, canonical.ParticipantRef, int64) (r0 canonical.Participant, err error) {
	return r0, notImplemented("AddPoints")
}

// Leaderboard implements canonical.Backend: NotImplemented.
func (unsupported) Leaderboard(context.Context, canonical.LeaderboardQuery) (r0 canonical.Page[canonical.Participant], err error) {
	return r0, notImplemented("Leaderboard")
}

// ListLinks implements canonical.Backend: NotImplemented.
func (unsupported) ListLinks(context.Context, canonical.LinkQuery) (r0 canonical.Page[canonical.Link], err error) {
	return r0, notImplemented("ListLinks")
}

// CreateLink implements canonical.Backend: NotImplemented.
func (unsupported) CreateLink(context.Context, string, canonical.ParticipantRef, string) (r0 canonical.Link, err error) {
	return r0, notImplemented("CreateLink")
}

// GetLink implements canonical.Backend: NotImplemented.
func (unsupported) GetLink(context.Context, string) (r0 canonical.Link, err error) {
	return r0, notImplemented("GetLink")
}

// UpdateLink implements canonical.Backend: NotImplemented.
func (unsupported) UpdateLink(context.Context, string, string) (r0 canonical.Link, err error) {
	return r0, notImplemented("UpdateLink")
}

// ListReferrals implements canonical.Backend: NotImplemented.
func (unsupported) ListReferrals(context.Context, canonical.ReferralQuery) (r0 canonical.Page[canonical.Referral], err error) {
	return r0, notImplemented("ListReferrals")
}

// RecordVisit implements canonical.Backend: NotImplemented.
func (unsupported) RecordVisit(context.Context, string, canonical.Visit) (r0 canonical.Referral, err error) {
	return r0, notImplemented("RecordVisit")
}

// RecordEvent implements canonical.Backend: NotImplemented.
func (unsupported) RecordEvent(context.Context, string, canonical.Event) error {
	return notImplemented("RecordEvent")
}

// TriggerReferral implements canonical.Backend: NotImplemented.
func (unsupported) TriggerReferral(context.Context, string, canonical.ParticipantRef, time.Duration) (r0 bool, err error) {
	return r0, notImplemented("TriggerReferral")
}

// CancelReferralTrigger implements canonical.Backend: NotImplemented.
func (unsupported) CancelReferralTrigger(context.Context, string, canonical.ParticipantRef) (r0 bool, err error) {
	return r0, notImplemented("CancelReferralTrigger")
}

// TrackConversion implements canonical.Backend: NotImplemented.
func (unsupported) TrackConversion(context.Context, string, canonical.ConversionEvent) (r0 canonical.Participant, err error) {
	return r0, notImplemented("TrackConversion")
}

// ConfirmReferral implements canonical.Backend: NotImplemented.
func (unsupported) ConfirmReferral(context.Context, string, canonical.ParticipantRef) (r0 canonical.Participant, err error) {
	return r0, notImplemented("ConfirmReferral")
}

// QualifyReferral implements canonical.Backend: NotImplemented.
func (unsupported) QualifyReferral(context.Context, string, canonical.ParticipantRef, canonical.Money) (r0 canonical.Participant, err error) {
	return r0, notImplemented("QualifyReferral")
}

// RecordSpecificAction implements canonical.Backend: NotImplemented.
func (unsupported) RecordSpecificAction(context.Context, string, canonical.SpecificAction, string) (r0 canonical.SpecificAction, err error) {
	return r0, notImplemented("RecordSpecificAction")
}

// ListSpecificActions implements canonical.Backend: NotImplemented.
func (unsupported) ListSpecificActions(context.Context, string, canonical.ListOptions) (r0 canonical.Page[canonical.SpecificAction], err error) {
	return r0, notImplemented("ListSpecificActions")
}

// ListEarnedRewards implements canonical.Backend: NotImplemented.
func (unsupported) ListEarnedRewards(context.Context, canonical.RewardQuery) (r0 canonical.Page[canonical.EarnedReward], err error) {
	return r0, notImplemented("ListEarnedRewards")
}

// GetEarnedReward implements canonical.Backend: NotImplemented.
func (unsupported) GetEarnedReward(context.Context, string) (r0 canonical.EarnedReward, err error) {
	return r0, notImplemented("GetEarnedReward")
}

// ApproveReward implements canonical.Backend: NotImplemented.
func (unsupported) ApproveReward(context.Context, string, bool) (r0 canonical.EarnedReward, err error) {
	return r0, notImplemented("ApproveReward")
}

// FulfillReward implements canonical.Backend: NotImplemented.
func (unsupported) FulfillReward(context.Context, string) (r0 canonical.EarnedReward, err error) {
	return r0, notImplemented("FulfillReward")
}

// SetRewardStatus implements canonical.Backend: NotImplemented.
func (unsupported) SetRewardStatus(context.Context, string, canonical.RewardStatus, canonical.Native) (r0 canonical.EarnedReward, err error) {
	return r0, notImplemented("SetRewardStatus")
}

// DeleteReward implements canonical.Backend: NotImplemented.
func (unsupported) DeleteReward(context.Context, string) error {
	return notImplemented("DeleteReward")
}

// PromoteParticipant implements canonical.Backend: NotImplemented.
func (unsupported) PromoteParticipant(context.Context, string, canonical.ParticipantRef) (r0 canonical.Participant, err error) {
	return r0, notImplemented("PromoteParticipant")
}

// GrantReward implements canonical.Backend: NotImplemented.
func (unsupported) GrantReward(context.Context, string, canonical.ParticipantRef, string) (r0 canonical.EarnedReward, err error) {
	return r0, notImplemented("GrantReward")
}

// CreateTransaction implements canonical.Backend: NotImplemented.
func (unsupported) CreateTransaction(context.Context, canonical.NewTransaction) (r0 canonical.TransactionResult, err error) {
	return r0, notImplemented("CreateTransaction")
}

// RefundTransaction implements canonical.Backend: NotImplemented.
func (unsupported) RefundTransaction(context.Context, canonical.NewRefund) (r0 canonical.RefundResult, err error) {
	return r0, notImplemented("RefundTransaction")
}

// ListTransactions implements canonical.Backend: NotImplemented.
func (unsupported) ListTransactions(context.Context, canonical.TransactionQuery) (r0 canonical.Page[canonical.Transaction], err error) {
	return r0, notImplemented("ListTransactions")
}

// ListCommissions implements canonical.Backend: NotImplemented.
func (unsupported) ListCommissions(context.Context, canonical.CommissionQuery) (r0 canonical.Page[canonical.Commission], err error) {
	return r0, notImplemented("ListCommissions")
}

// GetCommission implements canonical.Backend: NotImplemented.
func (unsupported) GetCommission(context.Context, string) (r0 canonical.Commission, err error) {
	return r0, notImplemented("GetCommission")
}

// UpdateCommission implements canonical.Backend: NotImplemented.
func (unsupported) UpdateCommission(context.Context, string, canonical.CommissionPatch) (r0 canonical.Commission, err error) {
	return r0, notImplemented("UpdateCommission")
}

// ApproveCommission implements canonical.Backend: NotImplemented.
func (unsupported) ApproveCommission(context.Context, string) (r0 canonical.Commission, err error) {
	return r0, notImplemented("ApproveCommission")
}

// DeleteCommission implements canonical.Backend: NotImplemented.
func (unsupported) DeleteCommission(context.Context, string) (r0 canonical.Commission, err error) {
	return r0, notImplemented("DeleteCommission")
}

// ListPayouts implements canonical.Backend: NotImplemented.
func (unsupported) ListPayouts(context.Context, canonical.PayoutQuery) (r0 canonical.Page[canonical.Payout], err error) {
	return r0, notImplemented("ListPayouts")
}

// GetPayout implements canonical.Backend: NotImplemented.
func (unsupported) GetPayout(context.Context, string) (r0 canonical.Payout, err error) {
	return r0, notImplemented("GetPayout")
}

// PayPayout implements canonical.Backend: NotImplemented.
func (unsupported) PayPayout(context.Context, string) (r0 canonical.Payout, err error) {
	return r0, notImplemented("PayPayout")
}

// CreateCouponGroup implements canonical.Backend: NotImplemented.
func (unsupported) CreateCouponGroup(context.Context, string, canonical.NewCouponGroup) (r0 canonical.CouponGroup, err error) {
	return r0, notImplemented("CreateCouponGroup")
}

// AddCoupons implements canonical.Backend: NotImplemented.
func (unsupported) AddCoupons(context.Context, string, string, []string) (r0 canonical.CouponGroup, err error) {
	return r0, notImplemented("AddCoupons")
}

// ListCouponGroups implements canonical.Backend: NotImplemented.
func (unsupported) ListCouponGroups(context.Context, string, canonical.ListOptions) (r0 canonical.Page[canonical.CouponGroup], err error) {
	return r0, notImplemented("ListCouponGroups")
}

// GetCouponGroup implements canonical.Backend: NotImplemented.
func (unsupported) GetCouponGroup(context.Context, string, string) (r0 canonical.CouponGroup, err error) {
	return r0, notImplemented("GetCouponGroup")
}

// CreateCoupon implements canonical.Backend: NotImplemented.
func (unsupported) CreateCoupon(context.Context, string, canonical.ParticipantRef, string) (r0 canonical.Coupon, err error) {
	return r0, notImplemented("CreateCoupon")
}

// GetCoupon implements canonical.Backend: NotImplemented.
func (unsupported) GetCoupon(context.Context, string) (r0 canonical.Coupon, err error) {
	return r0, notImplemented("GetCoupon")
}

// ListCoupons implements canonical.Backend: NotImplemented.
func (unsupported) ListCoupons(context.Context, canonical.CouponQuery) (r0 canonical.Page[canonical.Coupon], err error) {
	return r0, notImplemented("ListCoupons")
}

// CampaignStats implements canonical.Backend: NotImplemented.
func (unsupported) CampaignStats(context.Context, string) (r0 canonical.CampaignStats, err error) {
	return r0, notImplemented("CampaignStats")
}
