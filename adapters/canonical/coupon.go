package canonical

import "time"

// CouponGroup is a named pool of coupon codes handed out as rewards
// (ReferralHero coupon groups).
type CouponGroup struct {
	ID         string
	CampaignID string
	Name       string
	Active     bool
	Coupons    []Coupon
	CreatedAt  time.Time
	Native     Native
}

// Coupon is a coupon code: one of a group's pool, or an affiliate's own
// tracked code (a Rewardful affiliate coupon).
type Coupon struct {
	ID         string
	CampaignID string
	GroupID    string
	// ParticipantID owns or received the coupon.
	ParticipantID string
	Code          string
	// ExternalID is the payment provider's id for the code (a Stripe
	// promotion code).
	ExternalID  string
	Available   bool
	SentAt      *time.Time
	Archived    bool
	ArchivedAt  *time.Time
	Leads       int
	Conversions int
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Native      Native
}

// NewCouponGroup is the input of CreateCouponGroup.
type NewCouponGroup struct {
	Name   string
	Active bool
	Codes  []string
}
