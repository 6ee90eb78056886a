package irefer_test

import (
	"net/http"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/irefer"
	"github.com/refbridge/refbridge/proxy/proxytest"
)

// FuzzSurface sends the iRefer surface random requests through the
// in-process proxy: never a 5xx, never a redirect, always iRefer's shapes
// (errors are its 200 error object), and the surface still answers
// afterwards.
func FuzzSurface(f *testing.F) {
	proxytest.FuzzSurface(f, proxytest.FuzzTarget{
		Vendor:      canonical.IRefer,
		Host:        "api.irefer.io",
		ErrorSchema: "ErrorResponse",
		Authorize: func(req *http.Request, secret func(canonical.CredentialKind) string) {
			q := req.URL.Query()
			q.Set("api_key", secret(canonical.SiteKey))
			req.URL.RawQuery = q.Encode()
		},
		Params: map[string]string{"license_key": "license", "campaign_id": "campaign", "email": "email"},
		Ping:   "/v1.0/{{license}}.js/campaignStats?campaign_id={{campaign}}",
		Placeholders: func(t testing.TB, tn proxytest.Tenant, do func(method, target, body string) (int, []byte)) map[string]string {
			license := tn.Secret(canonical.IRefer, canonical.LicenseKey)
			cid := irefer.NewIDs(tn.IDSecret).EncodeID(irefer.KindCampaign, tn.Campaign.ID)
			if status, raw := do("GET", "/v1.0/"+license+".js/newSignup?campaign_id="+cid+"&email=fuzz@example.com&name=Fuzz", ""); status != 200 {
				t.Fatalf("new signup: %d %s", status, raw)
			}
			return map[string]string{"license": license, "campaign": cid, "email": "fuzz@example.com"}
		},
	})
}
