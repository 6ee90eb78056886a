package rewardful

import (
	"context"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// Rewardful pays commissions; it keeps no earned rewards.

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
