package growsurf

import (
	"regexp"
	"strconv"
	"testing"
)

func TestIDCodecRoundTrip(t *testing.T) {
	t.Parallel()
	kinds := map[string]idKind{"campaign": campaignIDs, "participant": participantIDs, "rule": ruleIDs, "reward": rewardIDs,
		"commission": commissionIDs, "payout": payoutIDs, "invite": inviteIDs}
	ids := []uint64{1, 2, 3, 42, 999, 1 << 20, 1<<30 - 1, 1 << 30, 1<<30 + 1, 1 << 40, 1<<62 - 1}
	for name, k := range kinds {
		format := regexp.MustCompile("^" + regexp.QuoteMeta(k.prefix) + "([0-9a-z]{6}|[0-9a-z]{12})$")
		seen := map[string]bool{}
		for _, n := range ids {
			id := strconv.FormatUint(n, 10)
			enc := k.encode(id)
			if !format.MatchString(enc) {
				t.Errorf("%s %s: %q does not look like a GrowSurf id", name, id, enc)
			}
			if n < 1<<30 && len(enc) != len(k.prefix)+6 {
				t.Errorf("%s %s: %q is not six characters", name, id, enc)
			}
			if seen[enc] {
				t.Errorf("%s %s: %q collides", name, id, enc)
			}
			seen[enc] = true
			if got, ok := k.decode(enc); !ok || got != id {
				t.Errorf("%s: decode(%q) = %q, %v; want %s", name, enc, got, ok, id)
			}
		}
	}
	// Kinds do not look alike.
	if campaignIDs.encode("1") == participantIDs.encode("1") {
		t.Error("campaign and participant 1 render the same")
	}
}

func TestIDCodecJunk(t *testing.T) {
	t.Parallel()
	junk := []string{"", "abc", "abc12", "abc1234", "ABC123", "abc-12", "crew_", "crew_ABCDEF", "prw_1", "12345678901",
		"zzzzzz", "zzzzzzzzzzzz", "k3x9qz!", "é12345", "0"}
	for _, s := range junk {
		for _, k := range []idKind{campaignIDs, participantIDs, ruleIDs, rewardIDs} {
			if got, ok := k.decode(s); ok {
				// A six-character string may happen to be a valid id of a
				// kind without prefix; it must then round-trip.
				if k.encode(got) != s {
					t.Errorf("decode(%q) = %q, which encodes back differently", s, got)
				}
			}
		}
	}
	// A prefixed kind refuses another kind's id.
	if _, ok := ruleIDs.decode(rewardIDs.encode("5")); ok {
		t.Error("rule codec accepted a reward id")
	}
	// A long rendering of a small number is refused (one id, one rendering).
	small := participantIDs.long.Forward(5)
	if _, ok := participantIDs.decode(padBase36(small)); ok {
		t.Error("twelve-character rendering of a small id accepted")
	}
	// Non-engine ids pass through encode unchanged.
	if got := participantIDs.encode("not-a-number"); got != "not-a-number" {
		t.Errorf("encode passed %q", got)
	}
}

// TestIDCodecGolden pins renderings so a change of key or format (which
// would break every stored client reference) fails loudly.
func TestIDCodecGolden(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		k    idKind
		id   string
		want string
	}{
		{campaignIDs, "1", "f4ehlt"},
		{participantIDs, "1", "crytkn"},
		{ruleIDs, "1", "crew_961zzi"},
		{rewardIDs, "1", "prw_8z95c1"},
		{commissionIDs, "1", "com_0an94w"},
		{payoutIDs, "1", "po_gtkf4j"},
		{inviteIDs, "1", "inv_bq68ol"},
	} {
		if got := tc.k.encode(tc.id); got != tc.want {
			t.Errorf("encode(%s) = %q, want %q", tc.id, got, tc.want)
		}
	}
}

func padBase36(n uint64) string {
	s := strconv.FormatUint(n, 36)
	for len(s) < longWidth {
		s = "0" + s
	}
	return s
}
