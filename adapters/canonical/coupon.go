package canonical

import "time"

// CouponGroup is a named pool of coupon codes handed out as rewards
// (ReferralHero coupon groups).
type CouponGroup struct {
	ID         string    `json:",omitzero"`
	CampaignID string    `json:",omitzero"`
	Name       string    `json:",omitzero"`
	Active     bool      `json:",omitzero"`
	Coupons    []Coupon  `json:",omitzero"`
	CreatedAt  time.Time `json:",omitzero"`
	Native     Native    `json:",omitzero"`
}

// Coupon is a coupon code: one of a group's pool, or an affiliate's own
// tracked code (a Rewardful affiliate coupon).
type Coupon struct {
	ID         string `json:",omitzero"`
	CampaignID string `json:",omitzero"`
	GroupID    string `json:",omitzero"`
	// ParticipantID owns or received the coupon.
	ParticipantID string `json:",omitzero"`
	Code          string `json:",omitzero"`
	// ExternalID is the payment provider's id for the code (a Stripe
	// promotion code).
	ExternalID  string     `json:",omitzero"`
	Available   bool       `json:",omitzero"`
	SentAt      *time.Time `json:",omitzero"`
	Archived    bool       `json:",omitzero"`
	ArchivedAt  *time.Time `json:",omitzero"`
	Leads       int        `json:",omitzero"`
	Conversions int        `json:",omitzero"`
	CreatedAt   time.Time  `json:",omitzero"`
	UpdatedAt   time.Time  `json:",omitzero"`
	Native      Native     `json:",omitzero"`
}

// NewCouponGroup is the input of CreateCouponGroup.
type NewCouponGroup struct {
	Name   string   `json:",omitzero"`
	Active bool     `json:",omitzero"`
	Codes  []string `json:",omitzero"`
}
