package referralrocket

import (
	"strconv"

	"github.com/refbridge/refbridge/adapters/surface"
)

// Referral Rocket exposes one kind of ID over REST: the campaign id, ten
// letters and digits (JCu82f30F1, PMf8BDZ1zb). Participants are addressed
// by email and referral code only; the codes are the engine's own (eight
// letters and digits, the vendor's format), so they need no codec.
//
// The engine's campaign IDs are decimal integers. The codec permutes them
// with a keyed Feistel network over 58 bits (62^10 > 2^58, so every value
// fits in ten base-62 digits) and writes the result in base 62, left-padded
// to ten characters. The key is fixed: a campaign keeps its id across
// restarts and migrations.

const (
	// campaignIDLength is the length of a rendered campaign id.
	campaignIDLength = 10
	// campaignBits is the width of the campaign ID permutation.
	campaignBits = 58
	// campaignKey keys the campaign ID permutation. Never change it: every
	// campaign id ever handed out would stop resolving.
	campaignKey uint64 = 0x5252_6361_6d70_0001
)

var campaignIDs = surface.NewScrambler(campaignBits, campaignKey)

// EncodeCampaignID renders an engine campaign ID as a Referral Rocket
// campaign id. ok is false for an ID the engine cannot have issued (not a
// positive decimal integer, or beyond the codec's range).
func EncodeCampaignID(id string) (string, bool) {
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil || n == 0 || n >= campaignIDs.Limit() {
		return "", false
	}
	return surface.Base62.Encode(campaignIDs.Forward(n), campaignIDLength), true
}

// DecodeCampaignID turns a Referral Rocket campaign id back into the
// engine's campaign ID. ok is false for anything EncodeCampaignID cannot
// have produced; callers answer such ids as not found.
func DecodeCampaignID(s string) (string, bool) {
	if len(s) != campaignIDLength {
		return "", false
	}
	n, ok := surface.Base62.Decode(s)
	if !ok || n >= campaignIDs.Limit() {
		return "", false
	}
	id := campaignIDs.Backward(n)
	if id == 0 {
		return "", false
	}
	return strconv.FormatUint(id, 10), true
}
