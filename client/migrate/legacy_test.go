package migrate_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/client/migrate"
	"github.com/refbridge/refbridge/proxy/proxytest"
)

// TestLegacyIDsAfterMigration: after a program moves from a vendor into
// refbridge's engine, the proxy's surface for that vendor answers the
// vendor's old IDs, so a legacy client's stored references keep working.
func TestLegacyIDsAfterMigration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		vendor canonical.Vendor
		// path builds the request for a participant by its old IDs.
		path func(campaign, participant string) string
		auth func(req *http.Request, tn proxytest.Tenant)
	}{
		{canonical.GrowSurf,
			func(c, p string) string { return "/v2/campaign/" + c + "/participant/" + p },
			func(req *http.Request, tn proxytest.Tenant) {
				req.Header.Set("Authorization", "Bearer "+tn.Secret(canonical.GrowSurf, canonical.APIKey))
			}},
		{canonical.ReferralHero,
			func(c, p string) string { return "/api/v2/lists/" + c + "/subscribers/" + p },
			func(req *http.Request, tn proxytest.Tenant) {
				req.Header.Set("Authorization", "Bearer "+tn.Secret(canonical.ReferralHero, canonical.APIKey))
			}},
		{canonical.ReferralRocket,
			func(c, p string) string { return "/api/v1/getParticipant?id=" + c + "&email=" + p },
			func(req *http.Request, tn proxytest.Tenant) {
				req.Header.Set("X-API-Key", tn.Secret(canonical.ReferralRocket, canonical.APIKey))
			}},
		{canonical.Rewardful,
			func(_, p string) string { return "/v1/affiliates/" + p },
			func(req *http.Request, tn proxytest.Tenant) {
				req.SetBasicAuth(tn.Secret(canonical.Rewardful, canonical.APISecret), "")
			}},
	}
	for _, tt := range tests {
		t.Run(string(tt.vendor), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			src := open(t, tt.vendor, "before")
			seed(t, src.tn, 5)
			// The engine behind a proxy serving every surface.
			after := proxytest.New(t, nil)
			tn := after.NewTenant(t, "after", canonical.Campaign{})
			// Unrelated participants first, so the migrated ones get other
			// engine IDs than they had at the source: an old ID decoded by
			// the codec would name one of these.
			for i := range 7 {
				if _, _, err := tn.Backend.CreateParticipant(ctx, canonical.NewParticipant{Participant: canonical.Participant{
					CampaignID: tn.Campaign.ID, Email: "other" + string(rune('a'+i)) + "@example.com"}}); err != nil {
					t.Fatal(err)
				}
			}
			idmap, _ := migrate.OpenIDMap("")
			opts := migrate.Options{Campaigns: []string{src.campaign}, IDMap: idmap}
			if tt.vendor == canonical.Rewardful {
				opts.TargetCampaign = tn.Campaign.ID
			}
			if _, err := migrate.Run(ctx, src.b, tn.Backend, opts); err != nil {
				t.Fatal(err)
			}
			for old := range idmap.Entries(migrate.EntityParticipants) {
				// The source's own record of that participant.
				want, err := src.b.GetParticipant(ctx, src.campaign, canonical.ByID(old))
				if err != nil {
					t.Fatal(err)
				}
				req, _ := http.NewRequest(http.MethodGet, after.URL+tt.path(src.campaign, old), nil)
				tt.auth(req, tn)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("GET %s by the old IDs: %d %s", tt.path(src.campaign, old), resp.StatusCode, body)
				}
				var any map[string]any
				if err := json.Unmarshal(body, &any); err != nil || !strings.Contains(strings.ToLower(string(body)), strings.ToLower(want.Email)) {
					t.Fatalf("GET by the old IDs answered %s, want %s", body, want.Email)
				}
			}
		})
	}
}
