package rewardful

import (
	"crypto/rand"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/refbridge/refbridge/adapters/surface/surfacetest"
)

// kindsOf lists the ID kinds of installation x.
func kindsOf(x *idCodecs) []idKind {
	return []idKind{x.campaign, x.affiliate, x.link, x.coupon, x.referral, x.commission, x.payout, x.sale, x.event, x.request}
}

// installations are the codecs the format checks run on: the fixed keys of
// databases from before installations had secrets, and a new
// installation's.
var installations = map[string]*idCodecs{"fixed keys": newIDCodecs(nil), "random secret": newIDCodecs([]byte(rand.Text()))}

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestIDRoundTripAndFormat(t *testing.T) {
	t.Parallel()
	for name, x := range installations {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ids := []uint64{1, 2, 3, 42, 999, 1 << 20, 1<<31 - 1, 1 << 40, 1<<62 - 1}
			for _, k := range kindsOf(x) {
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
		})
	}
}

func TestIDKindsLookUnrelated(t *testing.T) {
	t.Parallel()
	for name, x := range installations {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for i, a := range kindsOf(x) {
				for j, b := range kindsOf(x) {
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
		})
	}
}

// legacyIDs are renderings under the fixed keys, taken from the code
// before installations had secrets: databases from then keep them.
var legacyIDs = map[string]map[string]string{
	"campaign": {"1": "993d6434-c73f-4466-b6bb-d74ce00fad5c", "2": "6ecbbad5-834b-4d28-8de2-50b4c05925b4",
		"123456": "f9506a6f-a7cc-4ae6-8933-877bee422461"},
	"affiliate": {"1": "0cc13df8-6e05-49c8-8a79-507c1868912a", "2": "c11055d1-b756-40fa-aecb-4a595ce8a843",
		"123456": "9e798298-6da4-4a89-b4a5-919c2322a3a8"},
	"affiliate_link": {"1": "e826635d-3f13-4541-9c1b-1ab0c52bc79e", "2": "4c95ff5e-f6c4-4e37-b9b5-cfbd1dddab69",
		"123456": "cd88296c-381d-4dcd-8b90-1c59ca94b9b6"},
	"affiliate_coupon": {"1": "c33652bb-71a8-404a-af61-0fdb675da357", "2": "46d45584-e250-4959-9a8c-9d258f0fce8a",
		"123456": "1c9eb488-c7f3-4bc9-8f9c-adfb30bfac9c"},
	"referral": {"1": "079390ef-868d-458b-bc21-365accd09886", "2": "1ef7dfe3-9245-4d35-ae03-a5415e0b6862",
		"123456": "1e2b758a-19b5-4334-973d-3bac2e6a57db"},
	"commission": {"1": "bbe027ee-a5da-4c9e-9ddc-53799c4a6863", "2": "daf69922-66c0-490d-a512-8929389256d2",
		"123456": "2bbf91a0-445b-45bc-8843-f814499a6bc6"},
	"payout": {"1": "b69d9634-5022-471f-b3fc-4f104686a99d", "2": "a7e8cd00-8bb2-456e-a329-170dc25c9afb",
		"123456": "4d7d1203-0b9f-412c-a37d-30a5ae13886a"},
	"sale": {"1": "0cbf38dd-1d0a-4bd8-a0a3-8d769d093617", "2": "33f245b1-80cd-4b57-9e84-4359b25af175",
		"123456": "6a6b36ec-7dd3-4453-9ad0-5bd135edb01a"},
}

func TestIDsKeyedPerInstallation(t *testing.T) {
	t.Parallel()
	for i, k := range kindsOf(newIDCodecs(nil)) {
		t.Run(k.name, func(t *testing.T) {
			t.Parallel()
			surfacetest.CheckKeyedIDs(t, func(secret []byte) (func(string) string, func(string) (string, bool)) {
				kind := kindsOf(newIDCodecs(secret))[i]
				return kind.encode, kind.decode
			}, legacyIDs[k.name], "3", "42", "999", "2147483647", "1099511627776", "4611686018427387903")
		})
	}
}

func TestIDJunkIsNotFound(t *testing.T) {
	t.Parallel()
	for name, x := range installations {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			good := x.affiliate.encode("12")
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
				if id, ok := x.affiliate.decode(s); ok {
					t.Errorf("decode(%q) = %q, want not found", s, id)
				}
			}
			// IDs the codec cannot hold pass through unchanged.
			for _, s := range []string{"", "abc", "0", fmt.Sprint(uint64(1) << 62)} {
				if got := x.affiliate.encode(s); got != s {
					t.Errorf("encode(%q) = %q, want it unchanged", s, got)
				}
			}
		})
	}
}
