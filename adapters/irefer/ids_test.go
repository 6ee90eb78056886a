package irefer_test

import (
	"crypto/rand"
	"strconv"
	"testing"

	"github.com/refbridge/refbridge/adapters/irefer"
	"github.com/refbridge/refbridge/adapters/surface/surfacetest"
)

var kinds = []irefer.Kind{irefer.KindCampaign, irefer.KindParticipant, irefer.KindRewardRule, irefer.KindEarnedReward, irefer.KindSpecificAction}

// installations are codecs the format checks run on: the fixed keys of
// databases from before installations had secrets, and a new
// installation's.
var installations = map[string]*irefer.IDs{"fixed keys": irefer.NewIDs(nil), "random secret": irefer.NewIDs([]byte(rand.Text()))}

// legacyIDs are renderings under the fixed keys, taken from the code
// before installations had secrets: databases from then keep them.
var legacyIDs = map[irefer.Kind]map[string]string{
	irefer.KindCampaign:       {"1": "669015", "2": "747823", "1048581": "1898732465", "4294967305": "4281286045282607622"},
	irefer.KindParticipant:    {"1": "400541", "2": "302919", "1048581": "1077036117", "4294967305": "445703045423146271"},
	irefer.KindRewardRule:     {"1": "725162", "2": "1012909", "1048581": "2527501781", "4294967305": "2990265717777286595"},
	irefer.KindEarnedReward:   {"1": "8215", "2": "875493", "1048581": "2552968113", "4294967305": "327793118325813646"},
	irefer.KindSpecificAction: {"1": "826922", "2": "753646", "1048581": "1071147830", "4294967305": "3116938268953566574"},
}

func TestIDsKeyedPerInstallation(t *testing.T) {
	t.Parallel()
	for _, k := range kinds {
		surfacetest.CheckKeyedIDs(t, func(secret []byte) (func(string) string, func(string) (string, bool)) {
			x := irefer.NewIDs(secret)
			return func(id string) string { return x.EncodeID(k, id) }, func(v string) (string, bool) { return x.DecodeID(k, v) }
		}, legacyIDs[k], "3", "42", "1000", "1048575", "1048576", "123456789", "4294967295", "4294967296", "4611686018427387903")
	}
}

func TestIDRoundTrip(t *testing.T) {
	t.Parallel()
	for name, x := range installations {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ids := []uint64{1, 2, 3, 42, 1000, 1<<20 - 1, 1 << 20, 1<<20 + 1, 123456789, 1<<32 - 1, 1 << 32, 1<<40 + 7, 1<<62 - 1}
			for _, k := range kinds {
				seen := map[string]bool{}
				for _, n := range ids {
					id := strconv.FormatUint(n, 10)
					v := x.EncodeID(k, id)
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
					back, ok := x.DecodeID(k, v)
					if !ok || back != id {
						t.Errorf("kind %d: DecodeID(EncodeID(%s)) = %q, %v", k, id, back, ok)
					}
				}
			}
		})
	}
}

func TestIDFormats(t *testing.T) {
	t.Parallel()
	for name, x := range installations {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			// Small engine IDs stay at most 7 digits, like iRefer's.
			for _, k := range kinds {
				for n := uint64(1); n < 2000; n += 37 {
					if v := x.EncodeID(k, strconv.FormatUint(n, 10)); len(v) > 7 {
						t.Errorf("kind %d: %d rendered as %q", k, n, v)
					}
				}
			}
			// Kinds do not look alike, and IDs of one kind are not another's.
			p := x.EncodeID(irefer.KindParticipant, "5")
			if c := x.EncodeID(irefer.KindCampaign, "5"); c == p {
				t.Errorf("participant and campaign 5 both render as %s", p)
			}
			if got, ok := x.DecodeID(irefer.KindCampaign, p); ok && got == "5" {
				t.Errorf("participant ID %s decodes as campaign 5", p)
			}
		})
	}
}

func TestIDJunk(t *testing.T) {
	t.Parallel()
	for name, x := range installations {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			junk := []string{"", " ", "abc", "-1", "+5", "1e5", "0012", "12 ", "3.0", "99999999999999999999999", "18446744073709551615"}
			for _, k := range kinds {
				for _, s := range junk {
					if got, ok := x.DecodeID(k, s); ok {
						t.Errorf("kind %d: DecodeID(%q) = %q, want not found", k, s, got)
					}
				}
			}
			if got, ok := x.DecodeID(irefer.Kind(99), "5"); ok {
				t.Errorf("unknown kind decoded %q", got)
			}
			// Not every decimal decodes: values whose preimage is outside their
			// tier are nobody's ID. One second-tier value in 4096 is such;
			// 2^17 values miss them all with probability e^-32.
			misses := 0
			for n := uint64(1 << 20); n < 1<<20+1<<17; n++ {
				if _, ok := x.DecodeID(irefer.KindParticipant, strconv.FormatUint(n, 10)); !ok {
					misses++
				}
			}
			if misses == 0 {
				t.Errorf("every value of the second tier decoded; tier ranges are not checked")
			}
			// Non-engine IDs pass through and do not decode.
			if got := x.EncodeID(irefer.KindParticipant, "abc"); got != "abc" {
				t.Errorf("EncodeID(abc) = %q", got)
			}
		})
	}
}
