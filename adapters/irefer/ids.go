package irefer

import (
	"strconv"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/surface"
)

// Kind is an entity kind whose IDs the iRefer surface renders. Each kind
// has its own engine sequence and its own scrambling key, so the same
// engine number renders differently as a campaign and as a participant.
type Kind int

// The entity kinds iRefer payloads carry IDs of.
const (
	// KindCampaign renders campaign_id.
	KindCampaign Kind = iota
	// KindParticipant renders a referrer's id and a reward's recipient_id.
	KindParticipant
	// KindRewardRule renders a reward tier's reward_id.
	KindRewardRule
	// KindEarnedReward renders the id of a reward trigger.
	KindEarnedReward
	// KindSpecificAction renders the id of a specific-action completion.
	KindSpecificAction
	numKinds
)

// iRefer IDs are decimal integers sent as strings ("271047"). Engine IDs
// are decimal too, but they are sequential and shared by every account, so
// rendering them as is would tell each tenant how busy the others are.
// Each kind's IDs therefore go through keyed permutations and are printed
// in decimal. The keys derive from the installation's ID secret
// (surface.IDKey), so they never change in an installation.
//
// Small engine IDs stay short: the codec is tiered. IDs below 2^20 are
// permuted within [0, 2^20) (at most 7 digits, like iRefer's), IDs below
// 2^32 within a 32-bit domain printed after an offset of 2^20, and the
// rest within a 62-bit domain after a further 2^32. A rendered value
// identifies its tier by its range, and a value whose preimage is not in
// that tier's input range decodes to nothing.
type idTier struct {
	lo, hi uint64 // engine IDs this tier renders: [lo, hi)
	offset uint64 // added to the permuted value
	s      surface.Scrambler
}

type codec [3]idTier

// kindKeys are the fixed scrambling keys, one per kind, used as they are
// by databases that handed out IDs before installations had secrets
// (surface.IDKey). They must never change: rendered IDs are stored by
// clients.
var kindKeys = [numKinds]uint64{
	KindCampaign:       0x1bfe_72a9_5d03_c481,
	KindParticipant:    0x6e21_08d4_f7b3_9a55,
	KindRewardRule:     0xa4c7_3f10_8e69_d2b7,
	KindEarnedReward:   0x39d5_b862_0c1f_e74d,
	KindSpecificAction: 0xd08e_41a6_7b25_5f93,
}

// kindNames name the kinds in key derivation.
var kindNames = [numKinds]string{
	KindCampaign:       "campaign",
	KindParticipant:    "participant",
	KindRewardRule:     "reward_rule",
	KindEarnedReward:   "earned_reward",
	KindSpecificAction: "specific_action",
}

// IDs renders and reads one installation's iRefer IDs.
type IDs struct {
	codecs [numKinds]codec
}

// NewIDs returns the codecs of the installation whose ID secret is secret
// (surface.Config.IDSecret); nil gives the fixed keys.
func NewIDs(secret []byte) *IDs {
	x := &IDs{}
	for k, fixed := range kindKeys {
		key := surface.IDKey(secret, canonical.IRefer, kindNames[k], fixed)
		x.codecs[k] = codec{
			{lo: 1, hi: 1 << 20, offset: 0, s: surface.NewScrambler(20, key)},
			{lo: 1 << 20, hi: 1 << 32, offset: 1 << 20, s: surface.NewScrambler(32, key^0x5bd1e995)},
			{lo: 1 << 32, hi: 1 << 62, offset: 1<<20 + 1<<32, s: surface.NewScrambler(62, key^0xc2b2ae3d27d4eb4f)},
		}
	}
	return x
}

func (c *codec) encode(n uint64) (uint64, bool) {
	for _, t := range c {
		if n >= t.lo && n < t.hi {
			return t.offset + t.s.Forward(n), true
		}
	}
	return 0, false
}

func (c *codec) decode(v uint64) (uint64, bool) {
	for _, t := range c {
		if v < t.offset || v-t.offset >= t.s.Limit() {
			continue
		}
		n := t.s.Backward(v - t.offset)
		return n, n >= t.lo && n < t.hi
	}
	return 0, false
}

// EncodeID renders an engine ID of the given kind as an iRefer ID. An ID
// the engine cannot have issued (not a positive decimal integer) is
// returned unchanged; it will not decode.
func (x *IDs) EncodeID(kind Kind, engineID string) string {
	n, ok := parseDecimal(engineID)
	if !ok || kind < 0 || kind >= numKinds {
		return engineID
	}
	v, ok := x.codecs[kind].encode(n)
	if !ok {
		return engineID
	}
	return strconv.FormatUint(v, 10)
}

// DecodeID turns an iRefer ID of the given kind back into the engine ID.
// ok is false for anything EncodeID cannot have produced for that kind:
// such an ID is simply not found.
func (x *IDs) DecodeID(kind Kind, vendorID string) (engineID string, ok bool) {
	if kind < 0 || kind >= numKinds {
		return "", false
	}
	v, ok := uint64(0), vendorID == "0" // a permutation may map an ID to 0
	if !ok {
		if v, ok = parseDecimal(vendorID); !ok {
			return "", false
		}
	}
	n, ok := x.codecs[kind].decode(v)
	if !ok {
		return "", false
	}
	return strconv.FormatUint(n, 10), true
}

// parseDecimal accepts only the canonical decimal form of an unsigned
// integer (no sign, no leading zeros, no spaces), so that every ID has one
// spelling. Zero is rejected.
func parseDecimal(s string) (uint64, bool) {
	if s == "" || len(s) > 20 || s[0] == '0' {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(s, 10, 64)
	return n, err == nil
}
