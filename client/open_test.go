package client_test

import (
	"context"
	"strings"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/client"
)

// TestOpenVendorURLs: each scheme opens its vendor's backend, with
// credentials from the URL or the environment, and says which credential
// is missing otherwise. Opening makes no request.
func TestOpenVendorURLs(t *testing.T) {
	for _, env := range []string{client.EnvGrowSurfKey, client.EnvReferralHeroToken, client.EnvRewardfulSecret,
		client.EnvReferralRocketKey, client.EnvIReferLicenseKey, client.EnvIReferAPIKey, client.EnvIReferCampaignID} {
		t.Setenv(env, "")
	}
	ctx := context.Background()
	tests := []struct {
		url     string
		backend string
		missing string
	}{
		{"growsurf://KEY@127.0.0.1:8080/v2?insecure=true", "growsurf", ""},
		{"growsurf://", "", client.EnvGrowSurfKey},
		{"referralhero://TOKEN@", "referralhero", ""},
		{"referralhero://", "", client.EnvReferralHeroToken},
		{"rewardful://SECRET@api.example.com/v1", "rewardful", ""},
		{"rewardful://", "", client.EnvRewardfulSecret},
		{"referralrocket://", "referralrocket", ""}, // the vendor itself needs no key
		{"irefer://LICENSE:SITE@?campaign_id=7", "irefer", ""},
		{"irefer://LICENSE:SITE@", "", client.EnvIReferCampaignID},
		{"irefer://", "", client.EnvIReferLicenseKey},
	}
	for _, tt := range tests {
		c, err := client.Open(ctx, tt.url)
		if tt.missing != "" {
			if canonical.CodeOf(err) != canonical.Invalid || !strings.Contains(canonical.MessageOf(err), tt.missing) {
				t.Errorf("Open(%q) = %v, want Invalid naming %s", tt.url, err, tt.missing)
			}
			continue
		}
		if err != nil {
			t.Errorf("Open(%q): %v", tt.url, err)
			continue
		}
		if got := c.Capabilities().Backend; got != tt.backend {
			t.Errorf("Open(%q) opened %q, want %q", tt.url, got, tt.backend)
		}
	}
	// The environment supplies what the URL leaves out.
	t.Setenv(client.EnvGrowSurfKey, "from-env")
	if _, err := client.Open(ctx, "growsurf://"); err != nil {
		t.Fatalf("key from %s: %v", client.EnvGrowSurfKey, err)
	}
}
