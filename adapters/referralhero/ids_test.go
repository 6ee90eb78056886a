package referralhero

import (
	"regexp"
	"strconv"
	"testing"
)

func TestIDRoundTrip(t *testing.T) {
	t.Parallel()
	type kind struct {
		name   string
		render func(string) string
		parse  func(string) (string, bool)
		format *regexp.Regexp
	}
	kinds := []kind{
		{"list", ListUUID, CampaignID, regexp.MustCompile(`^MF[0-9a-f]{10}$`)},
		{"subscriber", SubscriberID, ParticipantID, regexp.MustCompile(`^sub_[0-9a-f]{12}$`)},
		{"reward", func(id string) string { return strconv.Itoa(RewardID(id)) }, RuleID, regexp.MustCompile(`^[1-9][0-9]*$`)},
		{"unlocked reward", func(id string) string { return strconv.Itoa(UnlockedRewardID(id)) }, EarnedRewardID, regexp.MustCompile(`^[1-9][0-9]*$`)},
		{"transaction", func(id string) string { return strconv.Itoa(TransactionID(id)) }, EngineTransactionID, regexp.MustCompile(`^[1-9][0-9]*$`)},
		{"coupon group", CouponGroupID, GroupID, regexp.MustCompile(`^rh[1-9][0-9]*$`)},
	}
	ids := []string{"1", "2", "3", "42", "1000", "65535", "999999", "123456789"}
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			t.Parallel()
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
		})
	}
}

func TestIDKindsDiffer(t *testing.T) {
	t.Parallel()
	if RewardID("7") == UnlockedRewardID("7") || UnlockedRewardID("7") == TransactionID("7") {
		t.Fatal("integer kinds render the same engine ID alike")
	}
	if ListUUID("7")[2:] == SubscriberID("7")[4:14] {
		t.Fatal("lists and subscribers render alike")
	}
}

func TestIDFixed(t *testing.T) {
	t.Parallel()
	// The codecs are keyed with fixed keys: these renderings must never
	// change, or every ID a client stored breaks.
	want := map[string]string{
		ListUUID("1"):                    "MFb4bbb9c83b",
		SubscriberID("1"):                "sub_1b80c173db7f",
		CouponGroupID("1"):               "rh812715509",
		strconv.Itoa(TransactionID("1")): "823211103",
	}
	for got, exp := range want {
		if got != exp {
			t.Errorf("rendered %q, want %q", got, exp)
		}
	}
}

func TestDocumentedIDsDecode(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		id     string
		parse  func(string) (string, bool)
		render func(string) string
	}{
		{"MF078d000987", CampaignID, ListUUID},
		{"sub_4f1c2a9b7d30", ParticipantID, SubscriberID},
		{"rh200", GroupID, CouponGroupID},
		{"1795", EarnedRewardID, func(id string) string { return strconv.Itoa(UnlockedRewardID(id)) }},
	} {
		got, ok := tt.parse(tt.id)
		if !ok || tt.render(got) != tt.id {
			t.Errorf("documented id %q does not round-trip (%q, %v)", tt.id, got, ok)
		}
	}
}
