package referralrocket

import (
	"strconv"

	"github.com/refbridge/refbridge/adapters/canonical"
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
// to ten characters. The key derives from the installation's ID secret
// (surface.IDKey), so it never changes in an installation: a campaign keeps
// its id across restarts and migrations.

const (
	// campaignIDLength is the length of a rendered campaign id.
	campaignIDLength = 10
	// campaignBits is the width of the campaign ID permutation.
	campaignBits = 58
	// campaignKey is the fixed key of the campaign ID permutation, used
	// as is by databases that handed out ids before installations had
	// secrets. Never change it: their campaign ids would stop resolving.
	campaignKey uint64 = 0x5252_6361_6d70_0001
)

// Webhooks also name participants, by an integer participantId: the
// engine's participant ID through a keyed 30-bit permutation
// (surface.IntCodec), so it fits the vendor's 32-bit ints and hides the
// sequence.
const (
	// participantBits is the width of the participant ID permutation.
	participantBits = 30
	// participantKey is the fixed key of the participant ID permutation.
	// Never change it: receivers store the ids.
	participantKey uint64 = 0x5252_7061_7274_0001
)

// IDs renders and reads one installation's Referral Rocket ids.
type IDs struct {
	campaign    surface.Scrambler
	participant surface.IntCodec
}

// NewIDs returns the codec of the installation whose ID secret is secret
// (surface.Config.IDSecret); nil gives the fixed key.
func NewIDs(secret []byte) IDs {
	return IDs{
		campaign: surface.NewScrambler(campaignBits, surface.IDKey(secret, canonical.ReferralRocket, "campaign", campaignKey)),
		participant: surface.NewIntCodec(surface.NewScrambler(participantBits,
			surface.IDKey(secret, canonical.ReferralRocket, "participant", participantKey))),
	}
}

// EncodeParticipantID renders an engine participant ID as a webhook
// participantId; 0 for an ID the engine cannot have issued.
func (x IDs) EncodeParticipantID(id string) int64 { return x.participant.Encode(id) }

// DecodeParticipantID reads a participantId back into the engine's
// participant ID.
func (x IDs) DecodeParticipantID(s string) (string, bool) { return x.participant.Decode(s) }

// EncodeCampaignID renders an engine campaign ID as a Referral Rocket
// campaign id. ok is false for an ID the engine cannot have issued (not a
// positive decimal integer, or beyond the codec's range).
func (x IDs) EncodeCampaignID(id string) (string, bool) {
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil || n == 0 || n >= x.campaign.Limit() {
		return "", false
	}
	return surface.Base62.Encode(x.campaign.Forward(n), campaignIDLength), true
}

// DecodeCampaignID turns a Referral Rocket campaign id back into the
// engine's campaign ID. ok is false for anything EncodeCampaignID cannot
// have produced; callers answer such ids as not found.
func (x IDs) DecodeCampaignID(s string) (string, bool) {
	if len(s) != campaignIDLength {
		return "", false
	}
	n, ok := surface.Base62.Decode(s)
	if !ok || n >= x.campaign.Limit() {
		return "", false
	}
	id := x.campaign.Backward(n)
	if id == 0 {
		return "", false
	}
	return strconv.FormatUint(id, 10), true
}
