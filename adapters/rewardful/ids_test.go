package rewardful

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"
)

var allKinds = []idKind{campaignIDs, affiliateIDs, linkIDs, couponIDs, referralIDs, commissionIDs, payoutIDs, saleIDs}

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestIDRoundTripAndFormat(t *testing.T) {
	t.Parallel()
	ids := []uint64{1, 2, 3, 42, 999, 1 << 20, 1<<31 - 1, 1 << 40, 1<<62 - 1}
	for _, k := range allKinds {
		seen := map[string]bool{}
		for _, n := range ids {
			id := strconv.FormatUint(n, 10)
			enc := k.encode(id)
			if !uuidV4.MatchString(enc) {
				t.Errorf("%s: encode(%s) = %q, not a lower-case v4 UUID", k.name, id, enc)
			}
			if seen[enc] {
				t.Errorf("%s: encode(%s) = %q collides", k.name, id, enc)
			}
			seen[enc] = true
			for _, form := range []string{enc, strings.ToUpper(enc)} {
				if back, ok := k.decode(form); !ok || back != id {
					t.Errorf("%s: decode(%q) = %q, %v; want %s", k.name, form, back, ok, id)
				}
			}
			if _, err := uuid.Parse(enc); err != nil {
				t.Errorf("%s: %q does not parse as a UUID: %v", k.name, enc, err)
			}
		}
	}
}

func TestIDKindsLookUnrelated(t *testing.T) {
	t.Parallel()
	for i, a := range allKinds {
		for j, b := range allKinds {
			if i == j {
				continue
			}
			enc := a.encode("7")
			if enc == b.encode("7") {
				t.Errorf("%s and %s render 7 alike", a.name, b.name)
			}
			if _, ok := b.decode(enc); ok {
				t.Errorf("%s decodes a %s id", b.name, a.name)
			}
		}
	}
}

// The keys are fixed forever: these renderings must never change.
func TestIDsAreStable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		k    idKind
		id   string
		want string
	}{
		{campaignIDs, "1", pinnedCampaign1},
		{affiliateIDs, "1", pinnedAffiliate1},
		{commissionIDs, "123456", pinnedCommission123456},
	}
	for _, tt := range tests {
		if got := tt.k.encode(tt.id); got != tt.want {
			t.Errorf("%s: encode(%s) = %q, want %q", tt.k.name, tt.id, got, tt.want)
		}
	}
}

func TestIDJunkIsNotFound(t *testing.T) {
	t.Parallel()
	good := affiliateIDs.encode("12")
	flipped := []byte(good)
	if flipped[0] == '0' {
		flipped[0] = '1'
	} else {
		flipped[0] = '0'
	}
	junk := []string{"", "12", "not-a-uuid", "00000000-0000-0000-0000-000000000000", uuid.NewString(), uuid.NewString(),
		"ffffffff-ffff-4fff-bfff-ffffffffffff", string(flipped), good[:35], good + "0", strings.ReplaceAll(good, "-", ""),
		"zzzzzzzz-zzzz-4zzz-bzzz-zzzzzzzzzzzz"}
	for _, s := range junk {
		if id, ok := affiliateIDs.decode(s); ok {
			t.Errorf("decode(%q) = %q, want not found", s, id)
		}
	}
	// IDs the codec cannot hold pass through unchanged.
	for _, s := range []string{"", "abc", "0", fmt.Sprint(uint64(1) << 62)} {
		if got := affiliateIDs.encode(s); got != s {
			t.Errorf("encode(%q) = %q, want it unchanged", s, got)
		}
	}
}

const (
	pinnedCampaign1        = "993d6434-c73f-4466-b6bb-d74ce00fad5c"
	pinnedAffiliate1       = "0cc13df8-6e05-49c8-8a79-507c1868912a"
	pinnedCommission123456 = "2bbf91a0-445b-45bc-8843-f814499a6bc6"
)
