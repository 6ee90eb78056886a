package irefer_test

import (
	"strconv"
	"testing"

	"github.com/refbridge/refbridge/adapters/irefer"
)

var kinds = []irefer.Kind{irefer.KindCampaign, irefer.KindParticipant, irefer.KindRewardRule, irefer.KindEarnedReward, irefer.KindSpecificAction}

func TestIDRoundTrip(t *testing.T) {
	t.Parallel()
	ids := []uint64{1, 2, 3, 42, 1000, 1<<20 - 1, 1 << 20, 1<<20 + 1, 123456789, 1<<32 - 1, 1 << 32, 1<<40 + 7, 1<<62 - 1}
	for _, k := range kinds {
		seen := map[string]bool{}
		for _, n := range ids {
			id := strconv.FormatUint(n, 10)
			v := irefer.EncodeID(k, id)
			if v == id && n > 3 {
				t.Errorf("kind %d: %s rendered unchanged", k, id)
			}
			if seen[v] {
				t.Errorf("kind %d: %s collides", k, v)
			}
			seen[v] = true
			if _, err := strconv.ParseUint(v, 10, 64); err != nil || (v != "0" && v[0] == '0') {
				t.Errorf("kind %d: %s rendered as %q, not a decimal integer", k, id, v)
			}
			back, ok := irefer.DecodeID(k, v)
			if !ok || back != id {
				t.Errorf("kind %d: DecodeID(EncodeID(%s)) = %q, %v", k, id, back, ok)
			}
		}
	}
}

func TestIDFormats(t *testing.T) {
	t.Parallel()
	// Small engine IDs stay at most 7 digits, like iRefer's.
	for _, k := range kinds {
		for n := uint64(1); n < 2000; n += 37 {
			if v := irefer.EncodeID(k, strconv.FormatUint(n, 10)); len(v) > 7 {
				t.Errorf("kind %d: %d rendered as %q", k, n, v)
			}
		}
	}
	// Kinds do not look alike, and IDs of one kind are not another's.
	p := irefer.EncodeID(irefer.KindParticipant, "5")
	if c := irefer.EncodeID(irefer.KindCampaign, "5"); c == p {
		t.Errorf("participant and campaign 5 both render as %s", p)
	}
	if got, ok := irefer.DecodeID(irefer.KindCampaign, p); ok && got == "5" {
		t.Errorf("participant ID %s decodes as campaign 5", p)
	}
	// Stable forever: fixed keys give fixed renderings.
	if a, b := irefer.EncodeID(irefer.KindParticipant, "1"), irefer.EncodeID(irefer.KindParticipant, "1"); a != b {
		t.Errorf("unstable: %s, %s", a, b)
	}
}

func TestIDJunk(t *testing.T) {
	t.Parallel()
	junk := []string{"", " ", "abc", "-1", "+5", "1e5", "0012", "12 ", "3.0", "99999999999999999999999", "18446744073709551615"}
	for _, k := range kinds {
		for _, s := range junk {
			if got, ok := irefer.DecodeID(k, s); ok {
				t.Errorf("kind %d: DecodeID(%q) = %q, want not found", k, s, got)
			}
		}
	}
	if got, ok := irefer.DecodeID(irefer.Kind(99), "5"); ok {
		t.Errorf("unknown kind decoded %q", got)
	}
	// Not every decimal decodes: values whose preimage is outside their
	// tier are nobody's ID.
	misses := 0
	for n := uint64(1 << 20); n < 1<<20+5000; n++ {
		if _, ok := irefer.DecodeID(irefer.KindParticipant, strconv.FormatUint(n, 10)); !ok {
			misses++
		}
	}
	if misses == 0 {
		t.Errorf("every value of the second tier decoded; tier ranges are not checked")
	}
	// Non-engine IDs pass through and do not decode.
	if got := irefer.EncodeID(irefer.KindParticipant, "abc"); got != "abc" {
		t.Errorf("EncodeID(abc) = %q", got)
	}
}
