package canonical

import "time"

// RewardStatus is where an earned reward stands. Earned rewards move
// pending → approved → fulfilled; ReferralHero's delivery statuses map to
// fulfilled (sent, resent), canceled, failed and flagged.
type RewardStatus string

// Earned reward states.
const (
	RewardPending   RewardStatus = "pending"
	RewardApproved  RewardStatus = "approved"
	RewardFulfilled RewardStatus = "fulfilled"
	RewardCanceled  RewardStatus = "canceled"
	RewardFailed    RewardStatus = "failed"
	RewardFlagged   RewardStatus = "flagged"
)

// Valid reports whether s is one of the defined statuses.
func (s RewardStatus) Valid() bool {
	switch s {
	case RewardPending, RewardApproved, RewardFulfilled, RewardCanceled, RewardFailed, RewardFlagged:
		return true
	}
	return false
}

// EarnedReward is one reward a participant earned under a rule (a GrowSurf
// participant reward, a ReferralHero unlocked reward, an iRefer triggered
// reward).
type EarnedReward struct {
	ID            string `json:",omitzero"`
	CampaignID    string `json:",omitzero"`
	RuleID        string `json:",omitzero"`
	ParticipantID string `json:",omitzero"`
	// ReferralID and ReferredID name the referral that earned it, when one
	// did.
	ReferralID string `json:",omitzero"`
	ReferredID string `json:",omitzero"`
	// IsReferrer is false for the referred friend's side of a double-sided
	// reward.
	IsReferrer bool         `json:",omitzero"`
	Status     RewardStatus `json:",omitzero"`
	// Value is what the reward is worth, from the rule.
	Value Money `json:",omitzero"`
	// ReferralsAtEarning is the participant's credited referral count when
	// the reward was earned.
	ReferralsAtEarning int        `json:",omitzero"`
	CouponCode         string     `json:",omitzero"`
	Unread             bool       `json:",omitzero"`
	CreatedAt          time.Time  `json:",omitzero"`
	ApprovedAt         *time.Time `json:",omitzero"`
	FulfilledAt        *time.Time `json:",omitzero"`
	UpdatedAt          time.Time  `json:",omitzero"`
	Native             Native     `json:",omitzero"`
}
