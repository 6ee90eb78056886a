package referralrocket_test

import (
	"crypto/rand"
	"strconv"
	"testing"

	"github.com/refbridge/refbridge/adapters/referralrocket"
	"github.com/refbridge/refbridge/adapters/surface"
	"github.com/refbridge/refbridge/adapters/surface/surfacetest"
)

// installations are codecs the format checks run on: the fixed key of
// databases from before installations had secrets, and a new
// installation's.
var installations = map[string]referralrocket.IDs{"fixed key": referralrocket.NewIDs(nil), "random secret": referralrocket.NewIDs([]byte(rand.Text()))}

func TestCampaignIDRoundTrip(t *testing.T) {
	t.Parallel()
	for name, x := range installations {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			seen := map[string]bool{}
			for _, n := range []uint64{1, 2, 3, 10, 999, 123456789, 1 << 40, 1<<58 - 1} {
				id := strconv.FormatUint(n, 10)
				enc, ok := x.EncodeCampaignID(id)
				if !ok {
					t.Fatalf("EncodeCampaignID(%s) failed", id)
				}
				if len(enc) != 10 {
					t.Fatalf("EncodeCampaignID(%s) = %q, want 10 characters", id, enc)
				}
				if _, ok := surface.Base62.Decode(enc); !ok {
					t.Fatalf("EncodeCampaignID(%s) = %q is not letters and digits", id, enc)
				}
				if seen[enc] {
					t.Fatalf("EncodeCampaignID(%s) = %q collides", id, enc)
				}
				seen[enc] = true
				back, ok := x.DecodeCampaignID(enc)
				if !ok || back != id {
					t.Fatalf("DecodeCampaignID(%q) = %q, %v; want %s", enc, back, ok, id)
				}
			}
		})
	}
}

// TestCampaignIDsKeyedPerInstallation: each installation renders campaign
// ids under its own key; databases from before installations had secrets
// keep the ids the fixed key gave them.
func TestCampaignIDsKeyedPerInstallation(t *testing.T) {
	t.Parallel()
	surfacetest.CheckKeyedIDs(t, func(secret []byte) (func(string) string, func(string) (string, bool)) {
		x := referralrocket.NewIDs(secret)
		return func(id string) string { enc, _ := x.EncodeCampaignID(id); return enc }, x.DecodeCampaignID
	}, map[string]string{"1": "GDsLiolORy", "2": "KcIkifdsUW", "123456": "6VSTsuC1hC"}, "3", "999", "123456789", "1099511627776", "288230376151711743")
	// The vendor's documented id is some campaign of a database from
	// before.
	fixed := referralrocket.NewIDs(nil)
	id, ok := fixed.DecodeCampaignID("JCu82f30F1")
	if !ok {
		t.Fatal("the documented id JCu82f30F1 does not decode")
	}
	if back, _ := fixed.EncodeCampaignID(id); back != "JCu82f30F1" {
		t.Fatalf("round trip of JCu82f30F1 gave %q", back)
	}
}

func TestCampaignIDJunk(t *testing.T) {
	t.Parallel()
	for name, x := range installations {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for _, s := range []string{"", "1", "JCu82f30F", "JCu82f30F1x", "JCu82f30F!", "zzzzzzzzzz", "JCu82f30-1", "ÄCu82f30F1"} {
				if id, ok := x.DecodeCampaignID(s); ok {
					t.Errorf("DecodeCampaignID(%q) = %q, want failure", s, id)
				}
			}
			for _, s := range []string{"", "0", "-1", "abc", "288230376151711744", "18446744073709551616"} {
				if enc, ok := x.EncodeCampaignID(s); ok {
					t.Errorf("EncodeCampaignID(%q) = %q, want failure", s, enc)
				}
			}
		})
	}
}

// TestParticipantIDsKeyedPerInstallation: webhook participantIds are keyed
// per installation, below 2^30, and pinned under the fixed key.
func TestParticipantIDsKeyedPerInstallation(t *testing.T) {
	t.Parallel()
	codec := func(secret []byte) (func(string) string, func(string) (string, bool)) {
		x := referralrocket.NewIDs(secret)
		return func(id string) string { return strconv.FormatInt(x.EncodeParticipantID(id), 10) }, x.DecodeParticipantID
	}
	surfacetest.CheckKeyedIDs(t, codec, map[string]string{"1": "19397618", "42": "8247818"}, "3", "999", "123456789", "1073741823")
	for name, x := range installations {
		for _, s := range []string{"", "0", "-1", "1073741824", "01", "abc"} {
			if id, ok := x.DecodeParticipantID(s); ok {
				t.Errorf("%s: DecodeParticipantID(%q) = %q, want failure", name, s, id)
			}
		}
		for _, id := range []string{"", "0", "1073741824", "x"} {
			if v := x.EncodeParticipantID(id); v != 0 {
				t.Errorf("%s: EncodeParticipantID(%q) = %d, want 0", name, id, v)
			}
		}
	}
}
