package surface

import (
	"strconv"
	"strings"
)

// IntCodec renders engine IDs as the positive integers some vendors use
// for IDs (ReferralHero's reward and transaction ids, Referral Rocket's
// webhook participantId): the engine ID passed through a keyed Scrambler.
// Zero is never rendered: it is what Encode answers for an ID it cannot
// render, and what clients read as "none".
type IntCodec struct {
	s Scrambler
}

// NewIntCodec returns the integer codec over s; keep s below 2^31 (bits
// at most 30) where clients model the ids as 32-bit integers.
func NewIntCodec(s Scrambler) IntCodec { return IntCodec{s: s} }

// Encode renders an engine ID, 0 when it is not a positive integer within
// the scrambler's range. The one engine ID the permutation sends to 0
// takes the value no engine ID is sent to, Forward(0) (engine IDs start
// at 1).
func (c IntCodec) Encode(id string) int64 {
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil || n == 0 || n >= c.s.Limit() {
		return 0
	}
	v := c.s.Forward(n)
	if v == 0 {
		v = c.s.Forward(0)
	}
	return int64(v)
}

// Decode reads a value rendered by Encode, written as a JSON number or a
// numeric string (white space around it is ignored); anything else is not
// ok.
func (c IntCodec) Decode(s string) (string, bool) {
	v, ok := ParseDigits(strings.TrimSpace(s))
	if !ok || v == 0 || v >= c.s.Limit() {
		return "", false
	}
	if v == c.s.Forward(0) {
		v = 0 // see Encode
	}
	n := c.s.Backward(v)
	if n == 0 {
		return "", false
	}
	return strconv.FormatUint(n, 10), true
}

// ParseDigits reads s as written by strconv.FormatUint: digits only, no
// sign, no leading zero; so each value has exactly one spelling.
func ParseDigits(s string) (uint64, bool) {
	if s == "" || s[0] < '0' || s[0] > '9' || len(s) > 1 && s[0] == '0' {
		return 0, false
	}
	v, err := strconv.ParseUint(s, 10, 64)
	return v, err == nil
}
