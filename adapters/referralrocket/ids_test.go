package referralrocket_test

import (
	"strconv"
	"testing"

	"github.com/refbridge/refbridge/adapters/referralrocket"
	"github.com/refbridge/refbridge/adapters/surface"
)

func TestCampaignIDRoundTrip(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, n := range []uint64{1, 2, 3, 10, 999, 123456789, 1 << 40, 1<<58 - 1} {
		id := strconv.FormatUint(n, 10)
		enc, ok := referralrocket.EncodeCampaignID(id)
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
		back, ok := referralrocket.DecodeCampaignID(enc)
		if !ok || back != id {
			t.Fatalf("DecodeCampaignID(%q) = %q, %v; want %s", enc, back, ok, id)
		}
	}
}

// TestCampaignIDsAreStable pins rendered ids: they are handed to clients
// and must never change.
func TestCampaignIDsAreStable(t *testing.T) {
	t.Parallel()
	for id, want := range map[string]string{"1": "GDsLiolORy", "2": "KcIkifdsUW"} {
		if got, _ := referralrocket.EncodeCampaignID(id); got != want {
			t.Errorf("EncodeCampaignID(%s) = %q, want %q", id, got, want)
		}
	}
	// The vendor's documented id is some campaign of ours.
	id, ok := referralrocket.DecodeCampaignID("JCu82f30F1")
	if !ok {
		t.Fatal("the documented id JCu82f30F1 does not decode")
	}
	if back, _ := referralrocket.EncodeCampaignID(id); back != "JCu82f30F1" {
		t.Fatalf("round trip of JCu82f30F1 gave %q", back)
	}
}

func TestCampaignIDJunk(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "1", "JCu82f30F", "JCu82f30F1x", "JCu82f30F!", "zzzzzzzzzz", "JCu82f30-1", "ÄCu82f30F1"} {
		if id, ok := referralrocket.DecodeCampaignID(s); ok {
			t.Errorf("DecodeCampaignID(%q) = %q, want failure", s, id)
		}
	}
	for _, s := range []string{"", "0", "-1", "abc", "288230376151711744", "18446744073709551616"} {
		if enc, ok := referralrocket.EncodeCampaignID(s); ok {
			t.Errorf("EncodeCampaignID(%q) = %q, want failure", s, enc)
		}
	}
}
