package referralhero

import (
	"strconv"
	"strings"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/surface"
)

// ReferralHero renders its identifiers as:
//
//	list uuid           "MF" + 10 lowercase hex digits (MF078d000987)
//	subscriber id       "sub_" + 12 lowercase hex digits (sub_bd0ed699b77a)
//	reward (bonus) id   integer (201)
//	unlocked reward id  integer (1795)
//	transaction id      integer (592)
//	coupon group id     "rh" + decimal digits (rh200)
//
// The engine's IDs are decimal integers with a sequence per entity kind.
// Each kind passes through a scrambler with its own key, so that rendered
// IDs look random, differ between kinds and decode back exactly. The keys
// derive from the installation's ID secret (surface.IDKey), so they never
// change in an installation. Integer IDs stay below 2^30 so that clients
// that model them as 32-bit integers (the Android SDK) keep working.

// codec renders one entity kind's engine IDs.
type codec struct {
	s surface.Scrambler
}

// IDs renders and reads one installation's ReferralHero IDs.
type IDs struct {
	list, subscriber, reward, unlocked, transaction, couponGroup codec
}

// NewIDs returns the codecs of the installation whose ID secret is secret
// (surface.Config.IDSecret); nil gives the fixed keys, those of databases
// that handed out IDs before installations had secrets.
func NewIDs(secret []byte) *IDs {
	kind := func(bits uint, name string, fixed uint64) codec {
		return codec{surface.NewScrambler(bits, surface.IDKey(secret, canonical.ReferralHero, name, fixed))}
	}
	return &IDs{
		list:        kind(40, "list", 0x5265664865726f01),
		subscriber:  kind(48, "subscriber", 0x5265664865726f02),
		reward:      kind(30, "reward", 0x5265664865726f03),
		unlocked:    kind(30, "unlocked_reward", 0x5265664865726f04),
		transaction: kind(30, "transaction", 0x5265664865726f05),
		couponGroup: kind(30, "coupon_group", 0x5265664865726f06),
	}
}

// forward scrambles an engine ID; ok is false for an ID that is not a
// positive integer within the codec's range.
func (c codec) forward(id string) (uint64, bool) {
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil || n == 0 || n >= c.s.Limit() {
		return 0, false
	}
	return c.s.Forward(n), true
}

// backward unscrambles a rendered value back to an engine ID.
func (c codec) backward(v uint64) (string, bool) {
	if v >= c.s.Limit() {
		return "", false
	}
	n := c.s.Backward(v)
	if n == 0 {
		return "", false
	}
	return strconv.FormatUint(n, 10), true
}

// hexID renders id as prefix + width lowercase hex digits.
func (c codec) hexID(prefix string, width int, id string) string {
	v, ok := c.forward(id)
	if !ok {
		return ""
	}
	return prefix + surface.Hex.Encode(v, width)
}

// parseHexID decodes a value rendered by hexID; anything else is not ok.
func (c codec) parseHexID(prefix string, width int, s string) (string, bool) {
	rest, found := strings.CutPrefix(s, prefix)
	if !found || len(rest) != width {
		return "", false
	}
	v, ok := surface.Hex.Decode(strings.ToLower(rest))
	if !ok {
		return "", false
	}
	return c.backward(v)
}

// intID renders id as an integer, never 0 (surface.IntCodec).
func (c codec) intID(id string) int { return int(surface.NewIntCodec(c.s).Encode(id)) }

// parseIntID decodes a decimal value rendered by intID (as a JSON number or
// a numeric string); anything else is not ok.
func (c codec) parseIntID(s string) (string, bool) { return surface.NewIntCodec(c.s).Decode(s) }

// ListUUID renders a campaign ID as a list uuid ("MF" + 10 hex digits).
func (x *IDs) ListUUID(campaignID string) string { return x.list.hexID("MF", 10, campaignID) }

// CampaignID decodes a list uuid; ok is false when it is not one.
func (x *IDs) CampaignID(uuid string) (string, bool) { return x.list.parseHexID("MF", 10, uuid) }

// SubscriberID renders a participant ID as a subscriber id ("sub_" + 12
// hex digits).
func (x *IDs) SubscriberID(participantID string) string {
	return x.subscriber.hexID("sub_", 12, participantID)
}

// ParticipantID decodes a subscriber id; ok is false when it is not one.
func (x *IDs) ParticipantID(subscriberID string) (string, bool) {
	return x.subscriber.parseHexID("sub_", 12, subscriberID)
}

// RewardID renders a reward rule ID as a reward (bonus) id.
func (x *IDs) RewardID(ruleID string) int { return x.reward.intID(ruleID) }

// RuleID decodes a reward (bonus) id.
func (x *IDs) RuleID(rewardID string) (string, bool) { return x.reward.parseIntID(rewardID) }

// UnlockedRewardID renders an earned reward ID as an unlocked-reward id.
func (x *IDs) UnlockedRewardID(earnedID string) int { return x.unlocked.intID(earnedID) }

// EarnedRewardID decodes an unlocked-reward id.
func (x *IDs) EarnedRewardID(unlockedID string) (string, bool) {
	return x.unlocked.parseIntID(unlockedID)
}

// TransactionID renders a transaction ID as ReferralHero's integer
// transaction record id.
func (x *IDs) TransactionID(transactionID string) int { return x.transaction.intID(transactionID) }

// EngineTransactionID decodes a transaction record id.
func (x *IDs) EngineTransactionID(id string) (string, bool) { return x.transaction.parseIntID(id) }

// CouponGroupID renders a coupon group ID ("rh" + decimal digits).
func (x *IDs) CouponGroupID(groupID string) string {
	v, ok := x.couponGroup.forward(groupID)
	if !ok {
		return ""
	}
	return "rh" + strconv.FormatUint(v, 10)
}

// GroupID decodes a coupon group id.
func (x *IDs) GroupID(couponGroupID string) (string, bool) {
	rest, found := strings.CutPrefix(couponGroupID, "rh")
	if !found {
		return "", false
	}
	v, ok := surface.ParseDigits(rest)
	if !ok {
		return "", false
	}
	return x.couponGroup.backward(v)
}
