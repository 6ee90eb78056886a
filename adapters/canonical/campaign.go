package canonical

import "time"

// CampaignKind is what a campaign rewards.
type CampaignKind string

// Campaign kinds.
const (
	// ReferralProgram rewards participants for referring (GrowSurf REFERRAL,
	// Referral Rocket, iRefer, ReferralHero).
	ReferralProgram CampaignKind = "referral"
	// AffiliateProgram pays commissions on referred sales (GrowSurf
	// AFFILIATE, Rewardful).
	AffiliateProgram CampaignKind = "affiliate"
	// ContestProgram ranks participants by points (ReferralHero contests).
	ContestProgram CampaignKind = "contest"
	// WaitlistProgram ranks participants by position (ReferralHero waitlists).
	WaitlistProgram CampaignKind = "waitlist"
)

// CampaignStatus is a campaign's lifecycle state.
type CampaignStatus string

// Campaign states.
const (
	CampaignDraft   CampaignStatus = "draft"
	CampaignActive  CampaignStatus = "active"
	CampaignPaused  CampaignStatus = "paused"
	CampaignEnded   CampaignStatus = "ended"
	CampaignDeleted CampaignStatus = "deleted"
)

// Qualification says when a referral starts to count for its referrer.
type Qualification string

// Qualification rules.
const (
	// QualifyOnSignup credits a referral as soon as the referred person
	// signs up (GrowSurf trigger "Sign up", ReferralHero goal of 1
	// conversion event, iRefer, Rewardful leads).
	QualifyOnSignup Qualification = "signup"
	// QualifyOnEvent keeps a referral pending until one conversion event:
	// GrowSurf's trigger call, ReferralHero's tracked event (goal of 2),
	// Referral Rocket's qualifying purchase.
	QualifyOnEvent Qualification = "event"
	// QualifyOnReview adds a manual review step after the event: pending →
	// unconfirmed → credited (ReferralHero goal of 3).
	QualifyOnReview Qualification = "review"
)

// Campaign is a referral or affiliate program (a GrowSurf program, a
// ReferralHero list, a Rewardful campaign, an iRefer or Referral Rocket
// campaign).
type Campaign struct {
	ID     string         `json:",omitzero"`
	Name   string         `json:",omitzero"`
	Kind   CampaignKind   `json:",omitzero"`
	Status CampaignStatus `json:",omitzero"`
	// Qualification decides when referrals are credited.
	Qualification Qualification `json:",omitzero"`
	// ManualApproval holds earned rewards pending until approved.
	ManualApproval bool `json:",omitzero"`
	// Currency is the ISO 4217 code of the campaign's money.
	Currency string `json:",omitzero"`
	// URL is the site participants share; share links are built on it and
	// browser calls (iRefer) must come from its host.
	URL string `json:",omitzero"`
	// Private campaigns are invite-only (Rewardful).
	Private bool `json:",omitzero"`
	// PrivateTokens makes generated link tokens random rather than
	// name-based (Rewardful).
	PrivateTokens bool `json:",omitzero"`
	// ReferralExpiryDays is how long an uncredited referral (or a
	// Rewardful visitor) stays attributable; 0 means forever.
	ReferralExpiryDays int `json:",omitzero"`
	// CommissionHoldDays is how long a commission stays pending before it is
	// due (Rewardful days_until_commissions_are_due).
	CommissionHoldDays int `json:",omitzero"`
	// MinimumPayout is the threshold below which a payout stays pending.
	MinimumPayout Money `json:",omitzero"`
	// Rules are the campaign's reward rules, filled in on reads.
	Rules     []RewardRule `json:",omitzero"`
	CreatedAt time.Time    `json:",omitzero"`
	UpdatedAt time.Time    `json:",omitzero"`
	EndsAt    *time.Time   `json:",omitzero"`
	Native    Native       `json:",omitzero"`
}

// CampaignPatch changes the non-nil fields of a campaign.
type CampaignPatch struct {
	Name               *string         `json:",omitzero"`
	Status             *CampaignStatus `json:",omitzero"`
	Qualification      *Qualification  `json:",omitzero"`
	ManualApproval     *bool           `json:",omitzero"`
	URL                *string         `json:",omitzero"`
	Private            *bool           `json:",omitzero"`
	PrivateTokens      *bool           `json:",omitzero"`
	ReferralExpiryDays *int            `json:",omitzero"`
	CommissionHoldDays *int            `json:",omitzero"`
	MinimumPayout      *Money          `json:",omitzero"`
	EndsAt             **time.Time     `json:",omitzero"`
	// Native values are merged key by key; a nil value deletes a key.
	Native Native `json:",omitzero"`
}

// RewardKind is the shape of a reward rule.
type RewardKind string

// Reward kinds.
const (
	// SingleSided rewards the referrer for each qualifying referral.
	SingleSided RewardKind = "single_sided"
	// DoubleSided rewards the referrer and the referred person.
	DoubleSided RewardKind = "double_sided"
	// Milestone rewards the referrer on reaching Threshold referrals (or
	// points), once or every Threshold referrals (Repeat).
	Milestone RewardKind = "milestone"
	// LeaderboardReward goes to the top Winners participants.
	LeaderboardReward RewardKind = "leaderboard"
	// CommissionReward pays a share of referred sales (affiliates).
	CommissionReward RewardKind = "commission"
	// ManualReward is only ever granted explicitly (ReferralHero's reward
	// for promoted winners).
	ManualReward RewardKind = "manual"
)

// LimitPeriod is the window a reward limit counts over.
type LimitPeriod string

// Limit periods.
const (
	LimitTotal    LimitPeriod = "total"
	LimitPerMonth LimitPeriod = "month"
	LimitPerYear  LimitPeriod = "year"
)

// RewardRule is a campaign's reward configuration (a GrowSurf campaign
// reward, a ReferralHero bonus, an iRefer tier, Referral Rocket's referrer
// and referee rewards, a Rewardful campaign's commission).
type RewardRule struct {
	ID         string     `json:",omitzero"`
	CampaignID string     `json:",omitzero"`
	Kind       RewardKind `json:",omitzero"`
	// Title is the reward's heading (iRefer reward_heading).
	Title string `json:",omitzero"`
	// Description is what the referrer gets.
	Description string `json:",omitzero"`
	// ReferredDescription is what the referred friend gets (double-sided).
	ReferredDescription string `json:",omitzero"`
	// Threshold is the number of credited referrals that earns the reward:
	// per referral for single- and double-sided rules (default 1), the
	// milestone for milestone rules.
	Threshold int `json:",omitzero"`
	// PointsThreshold earns the reward at this many points instead
	// (ReferralHero).
	PointsThreshold int `json:",omitzero"`
	// Repeat re-earns a milestone every Threshold referrals (iRefer
	// EACHTIME delivery); otherwise it is earned once.
	Repeat bool `json:",omitzero"`
	// Unlimited overrides Limit.
	Unlimited bool `json:",omitzero"`
	// Limit caps how often one participant can earn the rule per
	// LimitPeriod; it only applies when Unlimited is false.
	Limit       int         `json:",omitzero"`
	LimitPeriod LimitPeriod `json:",omitzero"`
	// Winners is the number of leaderboard winners.
	Winners int `json:",omitzero"`
	// ReferrerValue and ReferredValue are the monetary values of each side.
	ReferrerValue Money `json:",omitzero"`
	ReferredValue Money `json:",omitzero"`
	// Commission is set for commission rules.
	Commission *CommissionRule `json:",omitzero"`
	// CouponCode and ReferredCouponCode are display-only coupon codes.
	CouponCode         string `json:",omitzero"`
	ReferredCouponCode string `json:",omitzero"`
	// ReferredUpfront means the referred friend's side is given at signup
	// outside refbridge, so no earned reward is created for it.
	ReferredUpfront bool `json:",omitzero"`
	// ReferredAtSignup earns the referred friend's side when they sign up
	// through a referral rather than when the referral is credited
	// (Referral Rocket's referee reward).
	ReferredAtSignup bool              `json:",omitzero"`
	Visible          bool              `json:",omitzero"`
	Order            int               `json:",omitzero"`
	ImageURL         string            `json:",omitzero"`
	Metadata         map[string]string `json:",omitzero"`
	CreatedAt        time.Time         `json:",omitzero"`
	Native           Native            `json:",omitzero"`
}

// RewardRulePatch changes the non-nil fields of a reward rule. Kind cannot
// change.
type RewardRulePatch struct {
	Title               *string           `json:",omitzero"`
	Description         *string           `json:",omitzero"`
	ReferredDescription *string           `json:",omitzero"`
	Threshold           *int              `json:",omitzero"`
	PointsThreshold     *int              `json:",omitzero"`
	Repeat              *bool             `json:",omitzero"`
	Unlimited           *bool             `json:",omitzero"`
	Limit               *int              `json:",omitzero"`
	LimitPeriod         *LimitPeriod      `json:",omitzero"`
	Winners             *int              `json:",omitzero"`
	ReferrerValue       *Money            `json:",omitzero"`
	ReferredValue       *Money            `json:",omitzero"`
	Commission          *CommissionRule   `json:",omitzero"`
	CouponCode          *string           `json:",omitzero"`
	ReferredCouponCode  *string           `json:",omitzero"`
	ReferredUpfront     *bool             `json:",omitzero"`
	ReferredAtSignup    *bool             `json:",omitzero"`
	Visible             *bool             `json:",omitzero"`
	Order               *int              `json:",omitzero"`
	ImageURL            *string           `json:",omitzero"`
	Metadata            map[string]string `json:",omitzero"`
	Native              Native            `json:",omitzero"`
}

// CommissionType says how a commission is computed.
type CommissionType string

// Commission types.
const (
	PercentCommission CommissionType = "percent"
	FixedCommission   CommissionType = "fixed"
)

// CommissionRule computes an affiliate's commission on a referred sale.
type CommissionRule struct {
	Type CommissionType `json:",omitzero"`
	// Percent of the sale amount, e.g. 30 for 30%.
	Percent float64 `json:",omitzero"`
	// Amount is the fixed commission.
	Amount Money `json:",omitzero"`
	// DurationMonths limits commissions to sales within this many months of
	// the referral's conversion; 0 means forever.
	DurationMonths int `json:",omitzero"`
	// MaxCommissions caps commissions per referral; 0 means no cap.
	MaxCommissions int `json:",omitzero"`
}
