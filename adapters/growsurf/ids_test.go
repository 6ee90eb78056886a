package growsurf

import (
	"crypto/rand"
	"regexp"
	"strconv"
	"testing"

	"github.com/refbridge/refbridge/adapters/surface/surfacetest"
)

// kindsOf names the ID kinds of installation x.
func kindsOf(x *idCodecs) map[string]idKind {
	return map[string]idKind{"campaign": x.campaign, "participant": x.participant, "rule": x.rule, "reward": x.reward,
		"commission": x.commission, "payout": x.payout, "invite": x.invite,
		"webhook": x.webhook}
}

// installations are the codecs the format checks run on: the fixed keys of
// databases from before installations had secrets, and a new
// installation's.
var installations = map[string]*idCodecs{"fixed keys": newIDCodecs(nil), "random secret": newIDCodecs([]byte(rand.Text()))}

func TestIDCodecRoundTrip(t *testing.T) {
	t.Parallel()
	for name, x := range installations {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			checkRoundTrip(t, x)
		})
	}
}

// checkRoundTrip checks every kind's format and round trip in x.
func checkRoundTrip(t *testing.T, x *idCodecs) {
	kinds := kindsOf(x)
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
	if x.campaign.encode("1") == x.participant.encode("1") {
		t.Error("campaign and participant 1 render the same")
	}
}

func TestIDCodecJunk(t *testing.T) {
	t.Parallel()
	for name, x := range installations {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			checkJunk(t, x)
		})
	}
}

// checkJunk checks that x refuses what it cannot have rendered.
func checkJunk(t *testing.T, x *idCodecs) {
	junk := []string{"", "abc", "abc12", "abc1234", "ABC123", "abc-12", "crew_", "crew_ABCDEF", "prw_1", "12345678901",
		"zzzzzz", "zzzzzzzzzzzz", "k3x9qz!", "é12345", "0"}
	for _, s := range junk {
		for _, k := range []idKind{x.campaign, x.participant, x.rule, x.reward} {
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
	if _, ok := x.rule.decode(x.reward.encode("5")); ok {
		t.Error("rule codec accepted a reward id")
	}
	// A long rendering of a small number is refused (one id, one rendering).
	small := x.participant.long.Forward(5)
	if _, ok := x.participant.decode(padBase36(small)); ok {
		t.Error("twelve-character rendering of a small id accepted")
	}
	// Non-engine ids pass through encode unchanged.
	if got := x.participant.encode("not-a-number"); got != "not-a-number" {
		t.Errorf("encode passed %q", got)
	}
}

// legacyIDs are renderings under the fixed keys, taken from the code
// before installations had secrets: databases from then keep them.
var legacyIDs = map[string]map[string]string{
	"campaign":    {"1": "f4ehlt", "2": "2p6yx8", "123456": "blfgzm", "1073741824": "xcodb9pbmz8i"},
	"participant": {"1": "crytkn", "2": "bi3qz6", "123456": "2q88jn", "1073741824": "7ewozwab7l0o"},
	"rule":        {"1": "crew_961zzi", "2": "crew_9i63us", "123456": "crew_1tp3xv", "1073741824": "crew_5c3c80ctwx9q"},
	"reward":      {"1": "prw_8z95c1", "2": "prw_700u82", "123456": "prw_9o06vh", "1073741824": "prw_r2zgvp2aek5b"},
	"commission":  {"1": "com_0an94w", "2": "com_cswb1q", "123456": "com_f7muvq", "1073741824": "com_364lker8rchd"},
	"payout":      {"1": "po_gtkf4j", "2": "po_92i0sc", "123456": "po_c9jnw2", "1073741824": "po_2m64affex1yn"},
	"invite":      {"1": "inv_bq68ol", "2": "inv_aydvrk", "123456": "inv_0tkr74", "1073741824": "inv_3ecz03l5m77s"},
}

func TestIDsKeyedPerInstallation(t *testing.T) {
	t.Parallel()
	for name := range kindsOf(newIDCodecs(nil)) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			surfacetest.CheckKeyedIDs(t, func(secret []byte) (func(string) string, func(string) (string, bool)) {
				k := kindsOf(newIDCodecs(secret))[name]
				return k.encode, k.decode
			}, legacyIDs[name], "3", "42", "999", "1048576", "1073741823", "1099511627776", "4611686018427387903")
		})
	}
}

func padBase36(n uint64) string {
	s := strconv.FormatUint(n, 36)
	for len(s) < longWidth {
		s = "0" + s
	}
	return s
}
