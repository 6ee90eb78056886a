package canonical

import (
	"context"
	"time"
)

// Unsupported implements every Backend method but Capabilities by
// returning NotImplemented, without any I/O. An outbound backend whose
// vendor can do little (iRefer, Referral Rocket) embeds it and overrides
// the operations the vendor's API performs, so an operation missing from
// its Capabilities can never reach the network.
type Unsupported struct {
	// Name is the vendor, for the error message.
	Name string
}

// notImplemented is the error of an operation the vendor cannot perform.
func (u Unsupported) notImplemented(op Operation) error {
	return Errorf(NotImplemented, "%s cannot %s: the vendor's API has no such operation", u.Name, op)
}

// ListCampaigns implements Backend: NotImplemented.
func (u Unsupported) ListCampaigns(context.Context, ListOptions) (r0 Page[Campaign], err error) {
	return r0, u.notImplemented("ListCampaigns")
}

// GetCampaign implements Backend: NotImplemented.
func (u Unsupported) GetCampaign(context.Context, string) (r0 Campaign, err error) {
	return r0, u.notImplemented("GetCampaign")
}

// CreateCampaign implements Backend: NotImplemented.
func (u Unsupported) CreateCampaign(context.Context, Campaign) (r0 Campaign, err error) {
	return r0, u.notImplemented("CreateCampaign")
}

// UpdateCampaign implements Backend: NotImplemented.
func (u Unsupported) UpdateCampaign(context.Context, string, CampaignPatch) (r0 Campaign, err error) {
	return r0, u.notImplemented("UpdateCampaign")
}

// ListRewardRules implements Backend: NotImplemented.
func (u Unsupported) ListRewardRules(context.Context, string) (r0 []RewardRule, err error) {
	return r0, u.notImplemented("ListRewardRules")
}

// CreateRewardRule implements Backend: NotImplemented.
func (u Unsupported) CreateRewardRule(context.Context, string, RewardRule) (r0 RewardRule, err error) {
	return r0, u.notImplemented("CreateRewardRule")
}

// UpdateRewardRule implements Backend: NotImplemented.
func (u Unsupported) UpdateRewardRule(context.Context, string, string, RewardRulePatch) (r0 RewardRule, err error) {
	return r0, u.notImplemented("UpdateRewardRule")
}

// DeleteRewardRule implements Backend: NotImplemented.
func (u Unsupported) DeleteRewardRule(context.Context, string, string) error {
	return u.notImplemented("DeleteRewardRule")
}

// CreateParticipant implements Backend: NotImplemented.
func (u Unsupported) CreateParticipant(context.Context, NewParticipant) (r0 Participant, r1 bool, err error) {
	return r0, r1, u.notImplemented("CreateParticipant")
}

// GetParticipant implements Backend: NotImplemented.
func (u Unsupported) GetParticipant(context.Context, string, ParticipantRef) (r0 Participant, err error) {
	return r0, u.notImplemented("GetParticipant")
}

// ListParticipants implements Backend: NotImplemented.
func (u Unsupported) ListParticipants(context.Context, ParticipantQuery) (r0 Page[Participant], err error) {
	return r0, u.notImplemented("ListParticipants")
}

// UpdateParticipant implements Backend: NotImplemented.
func (u Unsupported) UpdateParticipant(context.Context, string, ParticipantRef, ParticipantPatch) (r0 Participant, err error) {
	return r0, u.notImplemented("UpdateParticipant")
}

// DeleteParticipant implements Backend: NotImplemented.
func (u Unsupported) DeleteParticipant(context.Context, string, ParticipantRef) (r0 Participant, err error) {
	return r0, u.notImplemented("DeleteParticipant")
}

// AddPoints implements Backend: NotImplemented.
func (u Unsupported) AddPoints(context.Context, string, ParticipantRef, int64) (r0 Participant, err error) {
	return r0, u.notImplemented("AddPoints")
}

// Leaderboard implements Backend: NotImplemented.
func (u Unsupported) Leaderboard(context.Context, LeaderboardQuery) (r0 Page[Participant], err error) {
	return r0, u.notImplemented("Leaderboard")
}

// ListLinks implements Backend: NotImplemented.
func (u Unsupported) ListLinks(context.Context, LinkQuery) (r0 Page[Link], err error) {
	return r0, u.notImplemented("ListLinks")
}

// CreateLink implements Backend: NotImplemented.
func (u Unsupported) CreateLink(context.Context, string, ParticipantRef, string) (r0 Link, err error) {
	return r0, u.notImplemented("CreateLink")
}

// GetLink implements Backend: NotImplemented.
func (u Unsupported) GetLink(context.Context, string) (r0 Link, err error) {
	return r0, u.notImplemented("GetLink")
}

// UpdateLink implements Backend: NotImplemented.
func (u Unsupported) UpdateLink(context.Context, string, string) (r0 Link, err error) {
	return r0, u.notImplemented("UpdateLink")
}

// ListReferrals implements Backend: NotImplemented.
func (u Unsupported) ListReferrals(context.Context, ReferralQuery) (r0 Page[Referral], err error) {
	return r0, u.notImplemented("ListReferrals")
}

// RecordVisit implements Backend: NotImplemented.
func (u Unsupported) RecordVisit(context.Context, string, Visit) (r0 Referral, err error) {
	return r0, u.notImplemented("RecordVisit")
}

// RecordEvent implements Backend: NotImplemented.
func (u Unsupported) RecordEvent(context.Context, string, Event) error {
	return u.notImplemented("RecordEvent")
}

// TriggerReferral implements Backend: NotImplemented.
func (u Unsupported) TriggerReferral(context.Context, string, ParticipantRef, time.Duration) (r0 bool, err error) {
	return r0, u.notImplemented("TriggerReferral")
}

// CancelReferralTrigger implements Backend: NotImplemented.
func (u Unsupported) CancelReferralTrigger(context.Context, string, ParticipantRef) (r0 bool, err error) {
	return r0, u.notImplemented("CancelReferralTrigger")
}

// TrackConversion implements Backend: NotImplemented.
func (u Unsupported) TrackConversion(context.Context, string, ConversionEvent) (r0 Participant, err error) {
	return r0, u.notImplemented("TrackConversion")
}

// ConfirmReferral implements Backend: NotImplemented.
func (u Unsupported) ConfirmReferral(context.Context, string, ParticipantRef) (r0 Participant, err error) {
	return r0, u.notImplemented("ConfirmReferral")
}

// QualifyReferral implements Backend: NotImplemented.
func (u Unsupported) QualifyReferral(context.Context, string, ParticipantRef, Money) (r0 Participant, err error) {
	return r0, u.notImplemented("QualifyReferral")
}

// RecordSpecificAction implements Backend: NotImplemented.
func (u Unsupported) RecordSpecificAction(context.Context, string, SpecificAction, string) (r0 SpecificAction, err error) {
	return r0, u.notImplemented("RecordSpecificAction")
}

// ListSpecificActions implements Backend: NotImplemented.
func (u Unsupported) ListSpecificActions(context.Context, string, ListOptions) (r0 Page[SpecificAction], err error) {
	return r0, u.notImplemented("ListSpecificActions")
}

// ListEarnedRewards implements Backend: NotImplemented.
func (u Unsupported) ListEarnedRewards(context.Context, RewardQuery) (r0 Page[EarnedReward], err error) {
	return r0, u.notImplemented("ListEarnedRewards")
}

// GetEarnedReward implements Backend: NotImplemented.
func (u Unsupported) GetEarnedReward(context.Context, string) (r0 EarnedReward, err error) {
	return r0, u.notImplemented("GetEarnedReward")
}

// ApproveReward implements Backend: NotImplemented.
func (u Unsupported) ApproveReward(context.Context, string, bool) (r0 EarnedReward, err error) {
	return r0, u.notImplemented("ApproveReward")
}

// FulfillReward implements Backend: NotImplemented.
func (u Unsupported) FulfillReward(context.Context, string) (r0 EarnedReward, err error) {
	return r0, u.notImplemented("FulfillReward")
}

// SetRewardStatus implements Backend: NotImplemented.
func (u Unsupported) SetRewardStatus(context.Context, string, RewardStatus, Native) (r0 EarnedReward, err error) {
	return r0, u.notImplemented("SetRewardStatus")
}

// DeleteReward implements Backend: NotImplemented.
func (u Unsupported) DeleteReward(context.Context, string) error {
	return u.notImplemented("DeleteReward")
}

// PromoteParticipant implements Backend: NotImplemented.
func (u Unsupported) PromoteParticipant(context.Context, string, ParticipantRef) (r0 Participant, err error) {
	return r0, u.notImplemented("PromoteParticipant")
}

// GrantReward implements Backend: NotImplemented.
func (u Unsupported) GrantReward(context.Context, string, ParticipantRef, string) (r0 EarnedReward, err error) {
	return r0, u.notImplemented("GrantReward")
}

// CreateTransaction implements Backend: NotImplemented.
func (u Unsupported) CreateTransaction(context.Context, NewTransaction) (r0 TransactionResult, err error) {
	return r0, u.notImplemented("CreateTransaction")
}

// RefundTransaction implements Backend: NotImplemented.
func (u Unsupported) RefundTransaction(context.Context, NewRefund) (r0 RefundResult, err error) {
	return r0, u.notImplemented("RefundTransaction")
}

// ListTransactions implements Backend: NotImplemented.
func (u Unsupported) ListTransactions(context.Context, TransactionQuery) (r0 Page[Transaction], err error) {
	return r0, u.notImplemented("ListTransactions")
}

// ListCommissions implements Backend: NotImplemented.
func (u Unsupported) ListCommissions(context.Context, CommissionQuery) (r0 Page[Commission], err error) {
	return r0, u.notImplemented("ListCommissions")
}

// GetCommission implements Backend: NotImplemented.
func (u Unsupported) GetCommission(context.Context, string) (r0 Commission, err error) {
	return r0, u.notImplemented("GetCommission")
}

// UpdateCommission implements Backend: NotImplemented.
func (u Unsupported) UpdateCommission(context.Context, string, CommissionPatch) (r0 Commission, err error) {
	return r0, u.notImplemented("UpdateCommission")
}

// ApproveCommission implements Backend: NotImplemented.
func (u Unsupported) ApproveCommission(context.Context, string) (r0 Commission, err error) {
	return r0, u.notImplemented("ApproveCommission")
}

// DeleteCommission implements Backend: NotImplemented.
func (u Unsupported) DeleteCommission(context.Context, string) (r0 Commission, err error) {
	return r0, u.notImplemented("DeleteCommission")
}

// ListPayouts implements Backend: NotImplemented.
func (u Unsupported) ListPayouts(context.Context, PayoutQuery) (r0 Page[Payout], err error) {
	return r0, u.notImplemented("ListPayouts")
}

// GetPayout implements Backend: NotImplemented.
func (u Unsupported) GetPayout(context.Context, string) (r0 Payout, err error) {
	return r0, u.notImplemented("GetPayout")
}

// PayPayout implements Backend: NotImplemented.
func (u Unsupported) PayPayout(context.Context, string) (r0 Payout, err error) {
	return r0, u.notImplemented("PayPayout")
}

// CreateCouponGroup implements Backend: NotImplemented.
func (u Unsupported) CreateCouponGroup(context.Context, string, NewCouponGroup) (r0 CouponGroup, err error) {
	return r0, u.notImplemented("CreateCouponGroup")
}

// AddCoupons implements Backend: NotImplemented.
func (u Unsupported) AddCoupons(context.Context, string, string, []string) (r0 CouponGroup, err error) {
	return r0, u.notImplemented("AddCoupons")
}

// ListCouponGroups implements Backend: NotImplemented.
func (u Unsupported) ListCouponGroups(context.Context, string, ListOptions) (r0 Page[CouponGroup], err error) {
	return r0, u.notImplemented("ListCouponGroups")
}

// GetCouponGroup implements Backend: NotImplemented.
func (u Unsupported) GetCouponGroup(context.Context, string, string) (r0 CouponGroup, err error) {
	return r0, u.notImplemented("GetCouponGroup")
}

// CreateCoupon implements Backend: NotImplemented.
func (u Unsupported) CreateCoupon(context.Context, string, ParticipantRef, string) (r0 Coupon, err error) {
	return r0, u.notImplemented("CreateCoupon")
}

// GetCoupon implements Backend: NotImplemented.
func (u Unsupported) GetCoupon(context.Context, string) (r0 Coupon, err error) {
	return r0, u.notImplemented("GetCoupon")
}

// ListCoupons implements Backend: NotImplemented.
func (u Unsupported) ListCoupons(context.Context, CouponQuery) (r0 Page[Coupon], err error) {
	return r0, u.notImplemented("ListCoupons")
}

// CampaignStats implements Backend: NotImplemented.
func (u Unsupported) CampaignStats(context.Context, string) (r0 CampaignStats, err error) {
	return r0, u.notImplemented("CampaignStats")
}
