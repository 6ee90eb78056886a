package surface

import (
	"strconv"
	"strings"
)

// EventIDHeader names the header that carries a webhook's event id for
// vendors whose payloads have no id of their own (ReferralHero, Referral
// Rocket). It is the same on every attempt and every replay of one
// change, so receivers can de-duplicate.
const EventIDHeader = "X-Refbridge-Event-Id"

// eventIDKey is the fixed key of the event id permutation (see IDKey).
const eventIDKey uint64 = 0x7265666272646701

// EventIDs renders the engine's change IDs as an installation's event
// ids: "evt_" and 16 lowercase hex digits, the change ID through a keyed
// 62-bit permutation, so the ids do not reveal how many changes an
// installation logs, are equal across vendor surfaces, and decode back.
type EventIDs struct{ s Scrambler }

// NewEventIDs returns the event id codec of the installation whose ID
// secret is secret (Config.IDSecret).
func NewEventIDs(secret []byte) EventIDs {
	return EventIDs{s: NewScrambler(62, IDKey(secret, "refbridge", "event", eventIDKey))}
}

// Encode renders a change ID; "" when it is not a positive integer in
// range.
func (x EventIDs) Encode(changeID string) string {
	n, err := strconv.ParseUint(changeID, 10, 64)
	if err != nil || n == 0 || n >= x.s.Limit() {
		return ""
	}
	return "evt_" + Hex.Encode(x.s.Forward(n), 16)
}

// Decode reads an event id back into the change ID; ok is false for
// anything Encode cannot have written.
func (x EventIDs) Decode(eventID string) (string, bool) {
	rest, found := strings.CutPrefix(eventID, "evt_")
	if !found || len(rest) != 16 {
		return "", false
	}
	v, ok := Hex.Decode(rest)
	if !ok || v >= x.s.Limit() {
		return "", false
	}
	n := x.s.Backward(v)
	if n == 0 {
		return "", false
	}
	return strconv.FormatUint(n, 10), true
}
