package referralhero

import (
	"crypto/rand"
	"regexp"
	"strconv"
	"testing"

	"github.com/refbridge/refbridge/adapters/surface/surfacetest"
)

// idKind is one kind of ID, as an installation renders it.
type idKind struct {
	name   string
	render func(string) string
	parse  func(string) (string, bool)
	format *regexp.Regexp
}

// kindsOf lists the ID kinds of installation x.
func kindsOf(x *IDs) []idKind {
	return []idKind{
		{"list", x.ListUUID, x.CampaignID, regexp.MustCompile(`^MF[0-9a-f]{10}$`)},
		{"subscriber", x.SubscriberID, x.ParticipantID, regexp.MustCompile(`^sub_[0-9a-f]{12}$`)},
		{"reward", func(id string) string { return strconv.Itoa(x.RewardID(id)) }, x.RuleID, regexp.MustCompile(`^[1-9][0-9]*$`)},
		{"unlocked reward", func(id string) string { return strconv.Itoa(x.UnlockedRewardID(id)) }, x.EarnedRewardID, regexp.MustCompile(`^[1-9][0-9]*$`)},
		{"transaction", func(id string) string { return strconv.Itoa(x.TransactionID(id)) }, x.EngineTransactionID, regexp.MustCompile(`^[1-9][0-9]*$`)},
		{"coupon group", x.CouponGroupID, x.GroupID, regexp.MustCompile(`^rh[1-9][0-9]*$`)},
	}
}

// installations are the codecs the format checks run on: the fixed keys of
// databases from before installations had secrets, and a new
// installation's.
var installations = map[string]*IDs{"fixed keys": NewIDs(nil), "random secret": NewIDs([]byte(rand.Text()))}

func TestIDRoundTrip(t *testing.T) {
	t.Parallel()
	for name, x := range installations {
		for _, k := range kindsOf(x) {
			t.Run(name+"/"+k.name, func(t *testing.T) {
				t.Parallel()
				checkKind(t, k)
			})
		}
	}
}

// checkKind checks one kind's format, round trip and junk handling.
func checkKind(t *testing.T, k idKind) {
	ids := []string{"1", "2", "3", "42", "1000", "65535", "999999", "123456789"}
	seen := map[string]string{}
	for _, id := range ids {
		s := k.render(id)
		if !k.format.MatchString(s) {
			t.Fatalf("%s renders as %q", id, s)
		}
		if prev, dup := seen[s]; dup {
			t.Fatalf("%s and %s both render as %q", prev, id, s)
		}
		seen[s] = id
		back, ok := k.parse(s)
		if !ok || back != id {
			t.Fatalf("%q decodes to %q, %v; want %s", s, back, ok, id)
		}
		if k.render(id) != s {
			t.Fatalf("%s renders unstably", id)
		}
	}
	for _, junk := range []string{"", "0", "x", "MF", "sub_", "rh", "-1", "01", "MF078d00098", "MF078d0009877",
		"sub_4f1c2a9b7d3", "sub_4f1c2a9b7d3g", "mf078d000987", "SUB_4f1c2a9b7d30", "rh012", "18446744073709551616",
		"99999999999", "MFzzzzzzzzzz", "sub_zzzzzzzzzzzz", "rhx"} {
		if got, ok := k.parse(junk); ok {
			// A value of the right shape is allowed to decode, but
			// only to the ID that renders back to it.
			if k.render(got) != junk {
				t.Fatalf("junk %q decodes to %q", junk, got)
			}
		}
	}
}

func TestIDKindsDiffer(t *testing.T) {
	t.Parallel()
	x := fixedIDs
	if x.RewardID("7") == x.UnlockedRewardID("7") || x.UnlockedRewardID("7") == x.TransactionID("7") {
		t.Fatal("integer kinds render the same engine ID alike")
	}
	if x.ListUUID("7")[2:] == x.SubscriberID("7")[4:14] {
		t.Fatal("lists and subscribers render alike")
	}
}

// legacyIDs are renderings under the fixed keys, taken from the code
// before installations had secrets: databases from then keep them.
var legacyIDs = map[string]map[string]string{
	"list":            {"1": "MFb4bbb9c83b", "2": "MF2097fa3c69", "123456": "MF258176609f"},
	"subscriber":      {"1": "sub_1b80c173db7f", "2": "sub_187eb6e5a866", "123456": "sub_04e0f6fe2a22"},
	"reward":          {"1": "120874609", "2": "831210853", "123456": "990232084"},
	"unlocked reward": {"1": "216417389", "2": "960723598", "123456": "840777237"},
	"transaction":     {"1": "823211103", "2": "677098096", "123456": "335654908"},
	"coupon group":    {"1": "rh812715509", "2": "rh83656429", "123456": "rh750639728"},
}

func TestIDsKeyedPerInstallation(t *testing.T) {
	t.Parallel()
	for i, k := range kindsOf(fixedIDs) {
		t.Run(k.name, func(t *testing.T) {
			t.Parallel()
			surfacetest.CheckKeyedIDs(t, func(secret []byte) (func(string) string, func(string) (string, bool)) {
				kind := kindsOf(NewIDs(secret))[i]
				return kind.render, kind.parse
			}, legacyIDs[k.name], "3", "42", "65535", "999999", "123456789")
		})
	}
}

func TestDocumentedIDsDecode(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		id     string
		parse  func(string) (string, bool)
		render func(string) string
	}{
		{"MF078d000987", fixedIDs.CampaignID, fixedIDs.ListUUID},
		{"sub_4f1c2a9b7d30", fixedIDs.ParticipantID, fixedIDs.SubscriberID},
		{"rh200", fixedIDs.GroupID, fixedIDs.CouponGroupID},
		{"1795", fixedIDs.EarnedRewardID, func(id string) string { return strconv.Itoa(fixedIDs.UnlockedRewardID(id)) }},
	} {
		got, ok := tt.parse(tt.id)
		if !ok || tt.render(got) != tt.id {
			t.Errorf("documented id %q does not round-trip (%q, %v)", tt.id, got, ok)
		}
	}
}

// TestIntegerIDsAreNeverZero: 0 means "none" in ReferralHero's integer
// IDs, so the engine ID the permutation sends to 0 renders as another
// value, decodes back, and "0" decodes to nothing.
func TestIntegerIDsAreNeverZero(t *testing.T) {
	t.Parallel()
	for name, x := range installations {
		for _, c := range []codec{x.reward, x.unlocked, x.transaction} {
			id := strconv.FormatUint(c.s.Backward(0), 10)
			v := c.intID(id)
			if v == 0 {
				t.Errorf("%s: engine ID %s renders as 0", name, id)
			}
			if back, ok := c.parseIntID(strconv.Itoa(v)); !ok || back != id {
				t.Errorf("%s: engine ID %s renders as %d, which decodes to %q, %v", name, id, v, back, ok)
			}
			if got, ok := c.parseIntID("0"); ok {
				t.Errorf("%s: 0 decodes to engine ID %s", name, got)
			}
		}
	}
}

// TestCouponGroupIDsAreCanonical: a coupon group id is "rh" and the digits
// FormatUint writes, nothing else (one group, one id), including the
// group the permutation sends to 0, which keeps its legacy "rh0".
func TestCouponGroupIDsAreCanonical(t *testing.T) {
	t.Parallel()
	for name, x := range installations {
		zero := strconv.FormatUint(x.couponGroup.s.Backward(0), 10)
		if got := x.CouponGroupID(zero); got != "rh0" {
			t.Errorf("%s: group %s renders as %q, want rh0", name, zero, got)
		}
		if got, ok := x.GroupID("rh0"); !ok || got != zero {
			t.Errorf("%s: rh0 decodes to %q, %v, want %s", name, got, ok, zero)
		}
		one := x.CouponGroupID("1")
		for _, bad := range []string{"rh 1", "rh+1", "rh01", "rh", "rh-1", one + " ", "rh" + " " + one[2:], "rh0" + one[2:]} {
			if got, ok := x.GroupID(bad); ok {
				t.Errorf("%s: %q decodes to group %s", name, bad, got)
			}
		}
	}
}
