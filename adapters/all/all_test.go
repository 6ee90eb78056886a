package all_test

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/refbridge/refbridge/adapters/all"
	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/growsurf"
	"github.com/refbridge/refbridge/adapters/irefer"
	"github.com/refbridge/refbridge/adapters/referralhero"
	"github.com/refbridge/refbridge/adapters/referralrocket"
	"github.com/refbridge/refbridge/adapters/rewardful"
	"github.com/refbridge/refbridge/openapi"
)

// limitations are the surfaces' own lists of operations they do not
// fully serve.
var limitations = map[canonical.Vendor]map[string]string{
	canonical.ReferralRocket: referralrocket.Limitations,
	canonical.GrowSurf:       growsurf.Limitations,
	canonical.ReferralHero:   referralhero.Limitations,
	canonical.Rewardful:      rewardful.Limitations,
	canonical.IRefer:         irefer.Limitations,
}

var names = map[string]canonical.Vendor{
	"Referral Rocket": canonical.ReferralRocket,
	"GrowSurf":        canonical.GrowSurf,
	"ReferralHero":    canonical.ReferralHero,
	"Rewardful":       canonical.Rewardful,
	"iRefer":          canonical.IRefer,
}

func TestSurfacesCoverEveryVendor(t *testing.T) {
	t.Parallel()
	seen := map[canonical.Vendor]bool{}
	for _, s := range all.Surfaces() {
		if seen[s.Vendor()] {
			t.Errorf("%s listed twice", s.Vendor())
		}
		seen[s.Vendor()] = true
		r := s.Routes()
		if len(r.Hosts) == 0 || r.Prefix == "" || len(r.Roots) == 0 {
			t.Errorf("%s: incomplete routes %+v", s.Vendor(), r)
		}
	}
	for _, v := range canonical.Vendors() {
		if !seen[v] {
			t.Errorf("no surface for %s", v)
		}
	}
}

// TestLimitationsAreDocumented holds the README's table of operations
// not fully served and the surfaces' Limitations to each other, and
// every listed operation to its spec.
func TestLimitationsAreDocumented(t *testing.T) {
	t.Parallel()
	documented := readmeLimitations(t)
	for v, ops := range limitations {
		doc, err := openapi.Load(openapi.Vendor(v))
		if err != nil {
			t.Fatal(err)
		}
		known := map[string]bool{}
		for _, item := range doc.Paths.Map() {
			for _, op := range item.Operations() {
				known[op.OperationID] = true
			}
		}
		for op, reason := range ops {
			if !known[op] {
				t.Errorf("%s lists %q, which its spec does not have", v, op)
			}
			if strings.TrimSpace(reason) == "" {
				t.Errorf("%s lists %q without a reason", v, op)
			}
			if !documented[v][op] {
				t.Errorf("%s: %q is in the surface's Limitations but not in the README's table", v, op)
			}
		}
		for op := range documented[v] {
			if _, ok := ops[op]; !ok {
				t.Errorf("%s: the README lists %q, which the surface serves fully", v, op)
			}
		}
		t.Logf("%s: %d of %d operations with a documented limitation", v, len(ops), len(known))
	}
}

// readmeLimitations parses the "Operations not fully served" table.
func readmeLimitations(t *testing.T) map[canonical.Vendor]map[string]bool {
	t.Helper()
	f, err := os.Open("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[canonical.Vendor]map[string]bool{}
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			in = strings.Contains(line, "Operations not fully served")
			continue
		}
		if !in || !strings.HasPrefix(line, "| ") {
			continue
		}
		cells := strings.Split(line, "|")
		if len(cells) < 4 {
			continue
		}
		v, ok := names[strings.TrimSpace(cells[1])]
		op := strings.Trim(strings.TrimSpace(cells[2]), "`")
		if !ok {
			continue // the header row
		}
		if out[v] == nil {
			out[v] = map[string]bool{}
		}
		out[v][op] = true
	}
	if len(out) == 0 {
		t.Fatal("README has no \"Operations not fully served\" table")
	}
	return out
}

// TestNewBackendNilOptions: every vendor's NewBackend takes its options
// by pointer, and nil is the zero options: refused as Invalid where the
// vendor needs a credential, served where it needs none.
func TestNewBackendNilOptions(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		vendor string
		open   func() error
		ok     bool
	}{
		{"growsurf", func() error { _, err := growsurf.NewBackend(nil); return err }, false},
		{"rewardful", func() error { _, err := rewardful.NewBackend(nil); return err }, false},
		{"referralhero", func() error { _, err := referralhero.NewBackend(nil); return err }, false},
		{"irefer", func() error { _, err := irefer.NewBackend(nil); return err }, false},
		{"referralrocket", func() error { _, err := referralrocket.NewBackend(nil); return err }, true},
	} {
		err := tc.open()
		if tc.ok && err != nil || !tc.ok && canonical.CodeOf(err) != canonical.Invalid {
			t.Errorf("%s: NewBackend(nil) = %v", tc.vendor, err)
		}
	}
}
