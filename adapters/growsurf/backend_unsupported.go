package growsurf

import (
	"context"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// The operations below are not in Capabilities: GrowSurf's REST API has no
// endpoint for them. Each answers NotImplemented without any request.

// AddPoints implements canonical.Backend: GrowSurf has no contest points.
func (b *Backend) AddPoints(context.Context, string, canonical.ParticipantRef, int64) (canonical.Participant, error) {
	return canonical.Participant{}, notImplemented("AddPoints", "GrowSurf has no contest points")
}

const noLinks = "GrowSurf has no link entities (a participant's only link is their shareUrl)"

// ListLinks implements canonical.Backend: GrowSurf has no link entities.
func (b *Backend) ListLinks(context.Context, canonical.LinkQuery) (canonical.Page[canonical.Link], error) {
	return canonical.Page[canonical.Link]{}, notImplemented("ListLinks", noLinks)
}

// CreateLink implements canonical.Backend: GrowSurf has no link entities.
func (b *Backend) CreateLink(context.Context, string, canonical.ParticipantRef, string) (canonical.Link, error) {
	return canonical.Link{}, notImplemented("CreateLink", noLinks)
}

// GetLink implements canonical.Backend: GrowSurf has no link entities.
func (b *Backend) GetLink(context.Context, string) (canonical.Link, error) {
	return canonical.Link{}, notImplemented("GetLink", noLinks)
}

// UpdateLink implements canonical.Backend: GrowSurf has no link entities.
func (b *Backend) UpdateLink(context.Context, string, string) (canonical.Link, error) {
	return canonical.Link{}, notImplemented("UpdateLink", noLinks)
}

// RecordVisit implements canonical.Backend: GrowSurf's REST API records no
// visits (its browser script does).
func (b *Backend) RecordVisit(context.Context, string, canonical.Visit) (canonical.Referral, error) {
	return canonical.Referral{}, notImplemented("RecordVisit", "GrowSurf's REST API records no link visits")
}

// RecordEvent implements canonical.Backend: impressions, shares and
// campaign views are recorded by GrowSurf's browser script only, and its
// invite endpoint sends real emails with a subject and message the
// canonical event does not carry (use As and SendInvitesWithResponse).
func (b *Backend) RecordEvent(context.Context, string, canonical.Event) error {
	return notImplemented("RecordEvent", "GrowSurf's REST API records no impressions, shares or views, and invites need an email subject and message")
}

// TrackConversion implements canonical.Backend: a ReferralHero concept.
func (b *Backend) TrackConversion(context.Context, string, canonical.ConversionEvent) (canonical.Participant, error) {
	return canonical.Participant{}, notImplemented("TrackConversion", "GrowSurf credits referrals with TriggerReferral")
}

// ConfirmReferral implements canonical.Backend: GrowSurf has no review step.
func (b *Backend) ConfirmReferral(context.Context, string, canonical.ParticipantRef) (canonical.Participant, error) {
	return canonical.Participant{}, notImplemented("ConfirmReferral", "GrowSurf referrals have no review step")
}

// QualifyReferral implements canonical.Backend: a Referral Rocket concept.
func (b *Backend) QualifyReferral(context.Context, string, canonical.ParticipantRef, canonical.Money) (canonical.Participant, error) {
	return canonical.Participant{}, notImplemented("QualifyReferral", "GrowSurf records no qualifying purchases (use TriggerReferral)")
}

// RecordSpecificAction implements canonical.Backend: an iRefer concept.
func (b *Backend) RecordSpecificAction(context.Context, string, canonical.SpecificAction, string) (canonical.SpecificAction, error) {
	return canonical.SpecificAction{}, notImplemented("RecordSpecificAction", "GrowSurf has no specific actions")
}

// ListSpecificActions implements canonical.Backend: an iRefer concept.
func (b *Backend) ListSpecificActions(context.Context, string, canonical.ListOptions) (canonical.Page[canonical.SpecificAction], error) {
	return canonical.Page[canonical.SpecificAction]{}, notImplemented("ListSpecificActions", "GrowSurf has no specific actions")
}

// SetRewardStatus implements canonical.Backend: GrowSurf only approves and
// fulfills rewards.
func (b *Backend) SetRewardStatus(context.Context, string, canonical.RewardStatus, canonical.Native) (canonical.EarnedReward, error) {
	return canonical.EarnedReward{}, notImplemented("SetRewardStatus", "GrowSurf only approves and fulfills rewards")
}

// PromoteParticipant implements canonical.Backend: a ReferralHero concept.
func (b *Backend) PromoteParticipant(context.Context, string, canonical.ParticipantRef) (canonical.Participant, error) {
	return canonical.Participant{}, notImplemented("PromoteParticipant", "GrowSurf has no promoted winners")
}

// GrantReward implements canonical.Backend: GrowSurf rewards are only
// earned through its reward rules.
func (b *Backend) GrantReward(context.Context, string, canonical.ParticipantRef, string) (canonical.EarnedReward, error) {
	return canonical.EarnedReward{}, notImplemented("GrantReward", "GrowSurf grants no rewards by hand")
}

// ListTransactions implements canonical.Backend: GrowSurf records sales but
// does not list them.
func (b *Backend) ListTransactions(context.Context, canonical.TransactionQuery) (canonical.Page[canonical.Transaction], error) {
	return canonical.Page[canonical.Transaction]{}, notImplemented("ListTransactions", "GrowSurf's API does not list transactions")
}

// UpdateCommission implements canonical.Backend: GrowSurf commissions have
// no editable dates.
func (b *Backend) UpdateCommission(context.Context, string, canonical.CommissionPatch) (canonical.Commission, error) {
	return canonical.Commission{}, notImplemented("UpdateCommission", "GrowSurf commissions have no editable dates")
}

// PayPayout implements canonical.Backend: GrowSurf issues payouts itself.
func (b *Backend) PayPayout(context.Context, string) (canonical.Payout, error) {
	return canonical.Payout{}, notImplemented("PayPayout", "GrowSurf issues payouts itself; its API cannot mark one paid")
}

const noCoupons = "GrowSurf has no coupons (reward coupon codes are display-only rule fields)"

// CreateCouponGroup implements canonical.Backend: GrowSurf has no coupons.
func (b *Backend) CreateCouponGroup(context.Context, string, canonical.NewCouponGroup) (canonical.CouponGroup, error) {
	return canonical.CouponGroup{}, notImplemented("CreateCouponGroup", noCoupons)
}

// AddCoupons implements canonical.Backend: GrowSurf has no coupons.
func (b *Backend) AddCoupons(context.Context, string, string, []string) (canonical.CouponGroup, error) {
	return canonical.CouponGroup{}, notImplemented("AddCoupons", noCoupons)
}

// ListCouponGroups implements canonical.Backend: GrowSurf has no coupons.
func (b *Backend) ListCouponGroups(context.Context, string, canonical.ListOptions) (canonical.Page[canonical.CouponGroup], error) {
	return canonical.Page[canonical.CouponGroup]{}, notImplemented("ListCouponGroups", noCoupons)
}

// GetCouponGroup implements canonical.Backend: GrowSurf has no coupons.
func (b *Backend) GetCouponGroup(context.Context, string, string) (canonical.CouponGroup, error) {
	return canonical.CouponGroup{}, notImplemented("GetCouponGroup", noCoupons)
}

// CreateCoupon implements canonical.Backend: GrowSurf has no coupons.
func (b *Backend) CreateCoupon(context.Context, string, canonical.ParticipantRef, string) (canonical.Coupon, error) {
	return canonical.Coupon{}, notImplemented("CreateCoupon", noCoupons)
}

// GetCoupon implements canonical.Backend: GrowSurf has no coupons.
func (b *Backend) GetCoupon(context.Context, string) (canonical.Coupon, error) {
	return canonical.Coupon{}, notImplemented("GetCoupon", noCoupons)
}

// ListCoupons implements canonical.Backend: GrowSurf has no coupons.
func (b *Backend) ListCoupons(context.Context, canonical.CouponQuery) (canonical.Page[canonical.Coupon], error) {
	return canonical.Page[canonical.Coupon]{}, notImplemented("ListCoupons", noCoupons)
}
