package canonical

import "sort"

// Tiers are a campaign's referral-count milestones in ascending order
// (iRefer's rewards_offered, a ReferralHero bonus ladder).
func Tiers(rules []RewardRule) []RewardRule {
	var out []RewardRule
	for _, r := range rules {
		if r.Kind == Milestone && r.Threshold > 0 {
			out = append(out, r)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Threshold < out[j].Threshold })
	return out
}

// TierProgress says where a participant with the given number of credited
// referrals stands on a ladder of tiers: the highest tier reached (nil when
// none), the next one to reach (nil when every tier is reached) and how many
// more referrals that takes. A tier that repeats (Repeat) is reached again
// every Threshold referrals, so it is always ahead once passed.
func TierProgress(tiers []RewardRule, referrals int) (last, next *RewardRule, remaining int) {
	for i := range tiers {
		t := &tiers[i]
		if referrals >= t.Threshold {
			last = t
		}
	}
	best := -1
	for i := range tiers {
		t := &tiers[i]
		need := t.Threshold - referrals
		if need <= 0 {
			if !t.Repeat {
				continue
			}
			need = t.Threshold - referrals%t.Threshold
		}
		if best < 0 || need < best {
			best, next = need, t
		}
	}
	if next == nil {
		return last, nil, 0
	}
	return last, next, best
}
