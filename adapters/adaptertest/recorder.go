package adaptertest

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// recorder is the Backend every behaviour talks to: it passes each call
// to the backend under test and notes the outcome of each by operation,
// so the suite can check that every operation a backend lists in its
// Capabilities was exercised.
type recorder struct {
	b  canonical.Backend
	mu sync.Mutex
	// calls holds, by operation, the code of every answer ("" for
	// success).
	calls map[canonical.Operation][]canonical.Code
}

var _ canonical.Backend = (*recorder)(nil)

func newRecorder(b canonical.Backend) *recorder {
	return &recorder{b: b, calls: map[canonical.Operation][]canonical.Code{}}
}

// note records a call of op that answered err.
func (r *recorder) note(op canonical.Operation, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls[op] = append(r.calls[op], canonical.CodeOf(err))
}

// operations returns, sorted, the operations that answered anything but
// NotImplemented at least once: those the backend performed.
func (r *recorder) operations() []canonical.Operation {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []canonical.Operation
	for op, codes := range r.calls {
		if slices.ContainsFunc(codes, func(c canonical.Code) bool { return c != canonical.NotImplemented }) {
			out = append(out, op)
		}
	}
	slices.Sort(out)
	return out
}

// Capabilities implements canonical.Backend.
func (r *recorder) Capabilities() canonical.Capabilities { return r.b.Capabilities() }

// AddCoupons implements canonical.Backend.
func (r *recorder) AddCoupons(ctx context.Context, campaignID string, groupID string, codes []string) (canonical.CouponGroup, error) {
	v, err := r.b.AddCoupons(ctx, campaignID, groupID, codes)
	r.note("AddCoupons", err)
	return v, err
}

// AddPoints implements canonical.Backend.
func (r *recorder) AddPoints(ctx context.Context, campaignID string, ref canonical.ParticipantRef, delta int64) (canonical.Participant, error) {
	v, err := r.b.AddPoints(ctx, campaignID, ref, delta)
	r.note("AddPoints", err)
	return v, err
}

// ApproveCommission implements canonical.Backend.
func (r *recorder) ApproveCommission(ctx context.Context, id string) (canonical.Commission, error) {
	v, err := r.b.ApproveCommission(ctx, id)
	r.note("ApproveCommission", err)
	return v, err
}

// ApproveReward implements canonical.Backend.
func (r *recorder) ApproveReward(ctx context.Context, id string, fulfill bool) (canonical.EarnedReward, error) {
	v, err := r.b.ApproveReward(ctx, id, fulfill)
	r.note("ApproveReward", err)
	return v, err
}

// CampaignStats implements canonical.Backend.
func (r *recorder) CampaignStats(ctx context.Context, campaignID string) (canonical.CampaignStats, error) {
	v, err := r.b.CampaignStats(ctx, campaignID)
	r.note("CampaignStats", err)
	return v, err
}

// CancelReferralTrigger implements canonical.Backend.
func (r *recorder) CancelReferralTrigger(ctx context.Context, campaignID string, referred canonical.ParticipantRef) (bool, error) {
	v, err := r.b.CancelReferralTrigger(ctx, campaignID, referred)
	r.note("CancelReferralTrigger", err)
	return v, err
}

// ConfirmReferral implements canonical.Backend.
func (r *recorder) ConfirmReferral(ctx context.Context, campaignID string, referred canonical.ParticipantRef) (canonical.Participant, error) {
	v, err := r.b.ConfirmReferral(ctx, campaignID, referred)
	r.note("ConfirmReferral", err)
	return v, err
}

// CreateCampaign implements canonical.Backend.
func (r *recorder) CreateCampaign(ctx context.Context, c canonical.Campaign) (canonical.Campaign, error) {
	v, err := r.b.CreateCampaign(ctx, c)
	r.note("CreateCampaign", err)
	return v, err
}

// CreateCoupon implements canonical.Backend.
func (r *recorder) CreateCoupon(ctx context.Context, campaignID string, owner canonical.ParticipantRef, code string) (canonical.Coupon, error) {
	v, err := r.b.CreateCoupon(ctx, campaignID, owner, code)
	r.note("CreateCoupon", err)
	return v, err
}

// CreateCouponGroup implements canonical.Backend.
func (r *recorder) CreateCouponGroup(ctx context.Context, campaignID string, g canonical.NewCouponGroup) (canonical.CouponGroup, error) {
	v, err := r.b.CreateCouponGroup(ctx, campaignID, g)
	r.note("CreateCouponGroup", err)
	return v, err
}

// CreateLink implements canonical.Backend.
func (r *recorder) CreateLink(ctx context.Context, campaignID string, owner canonical.ParticipantRef, token string) (canonical.Link, error) {
	v, err := r.b.CreateLink(ctx, campaignID, owner, token)
	r.note("CreateLink", err)
	return v, err
}

// CreateParticipant implements canonical.Backend.
func (r *recorder) CreateParticipant(ctx context.Context, in canonical.NewParticipant) (canonical.Participant, bool, error) {
	v, created, err := r.b.CreateParticipant(ctx, in)
	r.note("CreateParticipant", err)
	return v, created, err
}

// CreateRewardRule implements canonical.Backend.
func (r *recorder) CreateRewardRule(ctx context.Context, campaignID string, rule canonical.RewardRule) (canonical.RewardRule, error) {
	v, err := r.b.CreateRewardRule(ctx, campaignID, rule)
	r.note("CreateRewardRule", err)
	return v, err
}

// CreateTransaction implements canonical.Backend.
func (r *recorder) CreateTransaction(ctx context.Context, in canonical.NewTransaction) (canonical.TransactionResult, error) {
	v, err := r.b.CreateTransaction(ctx, in)
	r.note("CreateTransaction", err)
	return v, err
}

// DeleteCommission implements canonical.Backend.
func (r *recorder) DeleteCommission(ctx context.Context, id string) (canonical.Commission, error) {
	v, err := r.b.DeleteCommission(ctx, id)
	r.note("DeleteCommission", err)
	return v, err
}

// DeleteParticipant implements canonical.Backend.
func (r *recorder) DeleteParticipant(ctx context.Context, campaignID string, ref canonical.ParticipantRef) (canonical.Participant, error) {
	v, err := r.b.DeleteParticipant(ctx, campaignID, ref)
	r.note("DeleteParticipant", err)
	return v, err
}

// DeleteReward implements canonical.Backend.
func (r *recorder) DeleteReward(ctx context.Context, id string) error {
	err := r.b.DeleteReward(ctx, id)
	r.note("DeleteReward", err)
	return err
}

// DeleteRewardRule implements canonical.Backend.
func (r *recorder) DeleteRewardRule(ctx context.Context, campaignID string, ruleID string) error {
	err := r.b.DeleteRewardRule(ctx, campaignID, ruleID)
	r.note("DeleteRewardRule", err)
	return err
}

// FulfillReward implements canonical.Backend.
func (r *recorder) FulfillReward(ctx context.Context, id string) (canonical.EarnedReward, error) {
	v, err := r.b.FulfillReward(ctx, id)
	r.note("FulfillReward", err)
	return v, err
}

// GetCampaign implements canonical.Backend.
func (r *recorder) GetCampaign(ctx context.Context, id string) (canonical.Campaign, error) {
	v, err := r.b.GetCampaign(ctx, id)
	r.note("GetCampaign", err)
	return v, err
}

// GetCommission implements canonical.Backend.
func (r *recorder) GetCommission(ctx context.Context, id string) (canonical.Commission, error) {
	v, err := r.b.GetCommission(ctx, id)
	r.note("GetCommission", err)
	return v, err
}

// GetCoupon implements canonical.Backend.
func (r *recorder) GetCoupon(ctx context.Context, id string) (canonical.Coupon, error) {
	v, err := r.b.GetCoupon(ctx, id)
	r.note("GetCoupon", err)
	return v, err
}

// GetCouponGroup implements canonical.Backend.
func (r *recorder) GetCouponGroup(ctx context.Context, campaignID string, groupID string) (canonical.CouponGroup, error) {
	v, err := r.b.GetCouponGroup(ctx, campaignID, groupID)
	r.note("GetCouponGroup", err)
	return v, err
}

// GetEarnedReward implements canonical.Backend.
func (r *recorder) GetEarnedReward(ctx context.Context, id string) (canonical.EarnedReward, error) {
	v, err := r.b.GetEarnedReward(ctx, id)
	r.note("GetEarnedReward", err)
	return v, err
}

// GetLink implements canonical.Backend.
func (r *recorder) GetLink(ctx context.Context, id string) (canonical.Link, error) {
	v, err := r.b.GetLink(ctx, id)
	r.note("GetLink", err)
	return v, err
}

// GetParticipant implements canonical.Backend.
func (r *recorder) GetParticipant(ctx context.Context, campaignID string, ref canonical.ParticipantRef) (canonical.Participant, error) {
	v, err := r.b.GetParticipant(ctx, campaignID, ref)
	r.note("GetParticipant", err)
	return v, err
}

// GetPayout implements canonical.Backend.
func (r *recorder) GetPayout(ctx context.Context, id string) (canonical.Payout, error) {
	v, err := r.b.GetPayout(ctx, id)
	r.note("GetPayout", err)
	return v, err
}

// GrantReward implements canonical.Backend.
func (r *recorder) GrantReward(ctx context.Context, campaignID string, ref canonical.ParticipantRef, ruleID string) (canonical.EarnedReward, error) {
	v, err := r.b.GrantReward(ctx, campaignID, ref, ruleID)
	r.note("GrantReward", err)
	return v, err
}

// Leaderboard implements canonical.Backend.
func (r *recorder) Leaderboard(ctx context.Context, q canonical.LeaderboardQuery) (canonical.Page[canonical.Participant], error) {
	v, err := r.b.Leaderboard(ctx, q)
	r.note("Leaderboard", err)
	return v, err
}

// ListCampaigns implements canonical.Backend.
func (r *recorder) ListCampaigns(ctx context.Context, opts canonical.ListOptions) (canonical.Page[canonical.Campaign], error) {
	v, err := r.b.ListCampaigns(ctx, opts)
	r.note("ListCampaigns", err)
	return v, err
}

// ListCommissions implements canonical.Backend.
func (r *recorder) ListCommissions(ctx context.Context, q canonical.CommissionQuery) (canonical.Page[canonical.Commission], error) {
	v, err := r.b.ListCommissions(ctx, q)
	r.note("ListCommissions", err)
	return v, err
}

// ListCouponGroups implements canonical.Backend.
func (r *recorder) ListCouponGroups(ctx context.Context, campaignID string, opts canonical.ListOptions) (canonical.Page[canonical.CouponGroup], error) {
	v, err := r.b.ListCouponGroups(ctx, campaignID, opts)
	r.note("ListCouponGroups", err)
	return v, err
}

// ListCoupons implements canonical.Backend.
func (r *recorder) ListCoupons(ctx context.Context, q canonical.CouponQuery) (canonical.Page[canonical.Coupon], error) {
	v, err := r.b.ListCoupons(ctx, q)
	r.note("ListCoupons", err)
	return v, err
}

// ListEarnedRewards implements canonical.Backend.
func (r *recorder) ListEarnedRewards(ctx context.Context, q canonical.RewardQuery) (canonical.Page[canonical.EarnedReward], error) {
	v, err := r.b.ListEarnedRewards(ctx, q)
	r.note("ListEarnedRewards", err)
	return v, err
}

// ListLinks implements canonical.Backend.
func (r *recorder) ListLinks(ctx context.Context, q canonical.LinkQuery) (canonical.Page[canonical.Link], error) {
	v, err := r.b.ListLinks(ctx, q)
	r.note("ListLinks", err)
	return v, err
}

// ListParticipants implements canonical.Backend.
func (r *recorder) ListParticipants(ctx context.Context, q canonical.ParticipantQuery) (canonical.Page[canonical.Participant], error) {
	v, err := r.b.ListParticipants(ctx, q)
	r.note("ListParticipants", err)
	return v, err
}

// ListPayouts implements canonical.Backend.
func (r *recorder) ListPayouts(ctx context.Context, q canonical.PayoutQuery) (canonical.Page[canonical.Payout], error) {
	v, err := r.b.ListPayouts(ctx, q)
	r.note("ListPayouts", err)
	return v, err
}

// ListReferrals implements canonical.Backend.
func (r *recorder) ListReferrals(ctx context.Context, q canonical.ReferralQuery) (canonical.Page[canonical.Referral], error) {
	v, err := r.b.ListReferrals(ctx, q)
	r.note("ListReferrals", err)
	return v, err
}

// ListRewardRules implements canonical.Backend.
func (r *recorder) ListRewardRules(ctx context.Context, campaignID string) ([]canonical.RewardRule, error) {
	v, err := r.b.ListRewardRules(ctx, campaignID)
	r.note("ListRewardRules", err)
	return v, err
}

// ListSpecificActions implements canonical.Backend.
func (r *recorder) ListSpecificActions(ctx context.Context, campaignID string, opts canonical.ListOptions) (canonical.Page[canonical.SpecificAction], error) {
	v, err := r.b.ListSpecificActions(ctx, campaignID, opts)
	r.note("ListSpecificActions", err)
	return v, err
}

// ListTransactions implements canonical.Backend.
func (r *recorder) ListTransactions(ctx context.Context, q canonical.TransactionQuery) (canonical.Page[canonical.Transaction], error) {
	v, err := r.b.ListTransactions(ctx, q)
	r.note("ListTransactions", err)
	return v, err
}

// PayPayout implements canonical.Backend.
func (r *recorder) PayPayout(ctx context.Context, id string) (canonical.Payout, error) {
	v, err := r.b.PayPayout(ctx, id)
	r.note("PayPayout", err)
	return v, err
}

// PromoteParticipant implements canonical.Backend.
func (r *recorder) PromoteParticipant(ctx context.Context, campaignID string, ref canonical.ParticipantRef) (canonical.Participant, error) {
	v, err := r.b.PromoteParticipant(ctx, campaignID, ref)
	r.note("PromoteParticipant", err)
	return v, err
}

// QualifyReferral implements canonical.Backend.
func (r *recorder) QualifyReferral(ctx context.Context, campaignID string, referred canonical.ParticipantRef, amount canonical.Money) (canonical.Participant, error) {
	v, err := r.b.QualifyReferral(ctx, campaignID, referred, amount)
	r.note("QualifyReferral", err)
	return v, err
}

// RecordEvent implements canonical.Backend.
func (r *recorder) RecordEvent(ctx context.Context, campaignID string, e canonical.Event) error {
	err := r.b.RecordEvent(ctx, campaignID, e)
	r.note("RecordEvent", err)
	return err
}

// RecordSpecificAction implements canonical.Backend.
func (r *recorder) RecordSpecificAction(ctx context.Context, campaignID string, a canonical.SpecificAction, referrerCode string) (canonical.SpecificAction, error) {
	v, err := r.b.RecordSpecificAction(ctx, campaignID, a, referrerCode)
	r.note("RecordSpecificAction", err)
	return v, err
}

// RecordVisit implements canonical.Backend.
func (r *recorder) RecordVisit(ctx context.Context, campaignID string, visit canonical.Visit) (canonical.Referral, error) {
	v, err := r.b.RecordVisit(ctx, campaignID, visit)
	r.note("RecordVisit", err)
	return v, err
}

// RefundTransaction implements canonical.Backend.
func (r *recorder) RefundTransaction(ctx context.Context, in canonical.NewRefund) (canonical.RefundResult, error) {
	v, err := r.b.RefundTransaction(ctx, in)
	r.note("RefundTransaction", err)
	return v, err
}

// SetRewardStatus implements canonical.Backend.
func (r *recorder) SetRewardStatus(ctx context.Context, id string, status canonical.RewardStatus, native canonical.Native) (canonical.EarnedReward, error) {
	v, err := r.b.SetRewardStatus(ctx, id, status, native)
	r.note("SetRewardStatus", err)
	return v, err
}

// TrackConversion implements canonical.Backend.
func (r *recorder) TrackConversion(ctx context.Context, campaignID string, e canonical.ConversionEvent) (canonical.Participant, error) {
	v, err := r.b.TrackConversion(ctx, campaignID, e)
	r.note("TrackConversion", err)
	return v, err
}

// TriggerReferral implements canonical.Backend.
func (r *recorder) TriggerReferral(ctx context.Context, campaignID string, referred canonical.ParticipantRef, delay time.Duration) (bool, error) {
	v, err := r.b.TriggerReferral(ctx, campaignID, referred, delay)
	r.note("TriggerReferral", err)
	return v, err
}

// UpdateCampaign implements canonical.Backend.
func (r *recorder) UpdateCampaign(ctx context.Context, id string, patch canonical.CampaignPatch) (canonical.Campaign, error) {
	v, err := r.b.UpdateCampaign(ctx, id, patch)
	r.note("UpdateCampaign", err)
	return v, err
}

// UpdateCommission implements canonical.Backend.
func (r *recorder) UpdateCommission(ctx context.Context, id string, patch canonical.CommissionPatch) (canonical.Commission, error) {
	v, err := r.b.UpdateCommission(ctx, id, patch)
	r.note("UpdateCommission", err)
	return v, err
}

// UpdateLink implements canonical.Backend.
func (r *recorder) UpdateLink(ctx context.Context, id string, token string) (canonical.Link, error) {
	v, err := r.b.UpdateLink(ctx, id, token)
	r.note("UpdateLink", err)
	return v, err
}

// UpdateParticipant implements canonical.Backend.
func (r *recorder) UpdateParticipant(ctx context.Context, campaignID string, ref canonical.ParticipantRef, patch canonical.ParticipantPatch) (canonical.Participant, error) {
	v, err := r.b.UpdateParticipant(ctx, campaignID, ref, patch)
	r.note("UpdateParticipant", err)
	return v, err
}

// UpdateRewardRule implements canonical.Backend.
func (r *recorder) UpdateRewardRule(ctx context.Context, campaignID string, ruleID string, patch canonical.RewardRulePatch) (canonical.RewardRule, error) {
	v, err := r.b.UpdateRewardRule(ctx, campaignID, ruleID, patch)
	r.note("UpdateRewardRule", err)
	return v, err
}
