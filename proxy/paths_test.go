package proxy_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/refbridge/refbridge/adapters/all"
	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/proxy/proxytest"
)

// shape is what identifies a vendor's answer whatever its text: status,
// media type and the top-level JSON keys (or the JSON kind of the body).
type shape struct {
	status int
	media  string
	keys   string
}

func shapeOf(a answer) shape {
	s := shape{status: a.status, media: a.header.Get("Content-Type")}
	var v any
	if err := json.Unmarshal(a.raw, &v); err != nil {
		s.keys = "not JSON: " + string(a.raw)
		return s
	}
	switch x := v.(type) {
	case map[string]any:
		var keys []string
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		s.keys = strings.Join(keys, ",")
	default:
		s.keys = fmt.Sprintf("JSON %T", x)
	}
	return s
}

// TestUncleanPathsStayInTheSurface sends every surface — by prefix, by
// Host and at the vendor's own root path — paths with empty, "." and ".."
// segments, literal and percent-encoded, and paths with encoded slashes,
// some aimed at the admin API: each is answered in the surface's own shape
// (as the surface answers an unknown path), none redirects, and none
// reaches /_refbridge/.
func TestUncleanPathsStayInTheSurface(t *testing.T) {
	t.Parallel()
	srv := proxytest.New(t, nil)
	tn := srv.NewTenant(t, "paths-tenant-acme", canonical.Campaign{})
	license := tn.Secret(canonical.IRefer, canonical.LicenseKey)
	// The admin API answers the admin token with the tenant's account,
	// so its name in an answer means the admin API answered.
	admin, _ := http.NewRequest(http.MethodGet, srv.URL+"/_refbridge/accounts", nil)
	admin.Header.Set("Authorization", "Bearer "+proxytest.AdminToken)
	if a := fetch(t, admin); a.status != http.StatusOK || !strings.Contains(string(a.raw), tn.Account.Name) {
		t.Fatalf("the admin API does not list the tenant: %d %s", a.status, a.raw)
	}
	// Each vendor's own root and a path under it.
	paths := map[canonical.Vendor]struct{ root, rest string }{
		canonical.GrowSurf:       {"/v2", "/campaign"},
		canonical.ReferralHero:   {"/api/v2", "/lists/MF0123456789"},
		canonical.ReferralRocket: {"/api/v1", "/getCampaign"},
		canonical.Rewardful:      {"/v1", "/campaigns"},
		canonical.IRefer:         {"/v1.0", "/" + license + ".js/referrers"},
	}
	for _, s := range all.Surfaces() {
		v := s.Vendor()
		root, rest := paths[v].root, paths[v].rest
		unknown := root + "/nope"
		if v == canonical.IRefer {
			unknown = root + "/" + license + ".js/nope"
		}
		unclean := []string{
			root + "/" + rest,
			root + "/." + rest,
			root + "/%2e" + rest,
			root + "/%2E%2E" + rest,
			root + rest + "/",
			root + rest + "/.",
			root + rest + "/..",
			root + rest + "/%2e%2e",
			root + rest + "/%2e%2E/",
			root + rest + "/x/../..",
			root + rest + "/..%2F..%2F_refbridge%2Faccounts",
			root + rest + "/..%2f..%2f..%2f_refbridge%2faccounts",
			root + rest + "/../../_refbridge/accounts",
			root + rest + "/../../../../_refbridge/accounts",
			root + rest + "%2F..%2F..%2F..%2F_refbridge%2Faccounts",
			root + "/%2e%2e/_refbridge/accounts",
			root + "/%2e%2e/%2e%2e/_refbridge/accounts",
			root + "%2F..%2F_refbridge%2Faccounts",
		}
		// Encoded slashes are slashes (as in Go's URL.Path and gorilla's
		// matching): these are canonical paths of the surface, answered as
		// such — here an auth failure or a 404, in the vendor's shape.
		encoded := []string{
			root + rest + "%2Fx",
			root + "%2F_refbridge%2Faccounts",
			root + rest + "%2F_refbridge%2Faccounts",
		}
		if v == canonical.GrowSurf {
			// The issue's own example.
			unclean = append(unclean, "/v2/campaign/..%2F..%2F_refbridge%2Faccounts")
		}
		routes := s.Routes()
		modes := []struct {
			name, prefix, host string
		}{
			{"root", "", ""},
			{"prefix", routes.Prefix, ""},
			{"host", "", routes.Hosts[0]},
		}
		for _, m := range modes {
			get := func(path string) answer {
				req, err := http.NewRequest(http.MethodGet, srv.URL+m.prefix+path, nil)
				if err != nil {
					t.Fatal(err)
				}
				if m.host != "" {
					req.Host = m.host
				}
				req.Header.Set("Authorization", "Bearer "+proxytest.AdminToken)
				return fetch(t, req)
			}
			want := shapeOf(get(unknown))
			if want.status >= 300 && want.status < 400 || strings.Contains(want.keys, "not JSON") {
				t.Fatalf("%s by %s: an unknown path answers %+v", v, m.name, want)
			}
			// exact: the answer is the surface's unknown-path answer;
			// otherwise any answer of the surface but a redirect or a 5xx.
			check := func(path string, exact bool) {
				a := get(path)
				what := string(v) + " by " + m.name + ": GET " + m.prefix + path
				if loc := a.header.Get("Location"); a.status >= 300 && a.status < 400 || loc != "" {
					t.Errorf("%s: %d redirect to %q", what, a.status, loc)
					return
				}
				if strings.Contains(string(a.raw), tn.Account.Name) {
					t.Errorf("%s: the admin API answered: %s", what, a.raw)
				}
				got := shapeOf(a)
				if exact && got != want || got.media != want.media || got.keys != want.keys || a.status >= 500 {
					t.Errorf("%s: %+v, want the shape of the surface's unknown-path answer %+v: %.300s", what, got, want, a.raw)
				}
			}
			for _, path := range unclean {
				check(path, true)
			}
			for _, path := range encoded {
				check(path, false)
			}
		}
	}
}
