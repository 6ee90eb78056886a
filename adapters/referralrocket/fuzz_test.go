package referralrocket_test

import (
	"net/http"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/referralrocket"
	"github.com/refbridge/refbridge/proxy/proxytest"
)

// FuzzSurface sends the Referral Rocket surface random requests through
// the in-process proxy: never a 5xx, never a redirect, always Referral
// Rocket's shapes, and the surface still answers afterwards.
func FuzzSurface(f *testing.F) {
	proxytest.FuzzSurface(f, proxytest.FuzzTarget{
		Vendor:      canonical.ReferralRocket,
		Host:        "app.referralrocket.io",
		ErrorSchema: "ErrorDetail",
		Authorize: func(req *http.Request, secret func(canonical.CredentialKind) string) {
			req.Header.Set(referralrocket.APIKeyHeader, secret(canonical.APIKey))
		},
		Params: map[string]string{"id": "campaign", "campaignId": "campaign", "email": "email"},
		Ping:   "/api/v1/getCampaign?id={{campaign}}",
		Placeholders: func(t testing.TB, tn proxytest.Tenant, do func(method, target, body string) (int, []byte)) map[string]string {
			cid, ok := referralrocket.NewIDs(tn.IDSecret).EncodeCampaignID(tn.Campaign.ID)
			if !ok {
				t.Fatalf("campaign %s has no Referral Rocket id", tn.Campaign.ID)
			}
			if status, raw := do("POST", "/api/v1/addParticipant", `{"id":"`+cid+`","email":"fuzz@example.com"}`); status != 200 {
				t.Fatalf("add participant: %d %s", status, raw)
			}
			return map[string]string{"campaign": cid, "email": "fuzz@example.com"}
		},
	})
}
