package rewardful_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/proxy/proxytest"
)

// FuzzSurface sends the Rewardful surface random requests through the
// in-process proxy: never a 5xx (but the documented 501 of the SSO link),
// never a redirect, always Rewardful's shapes, and the surface still
// answers afterwards.
func FuzzSurface(f *testing.F) {
	proxytest.FuzzSurface(f, proxytest.FuzzTarget{
		Vendor:      canonical.Rewardful,
		Host:        "api.getrewardful.com",
		ErrorSchema: "Error",
		Authorize: func(req *http.Request, secret func(canonical.CredentialKind) string) {
			req.SetBasicAuth(secret(canonical.APISecret), "")
		},
		Params:   map[string]string{"id": "affiliate", "campaign_id": "campaign", "affiliate_id": "affiliate", "email": "email"},
		Ping:     "/campaigns",
		Unserved: []string{"getAffiliateSso"},
		Placeholders: func(t testing.TB, _ proxytest.Tenant, do func(method, target, body string) (int, []byte)) map[string]string {
			var list struct{ Data []struct{ ID string } }
			status, raw := do("GET", "/campaigns", "")
			if err := json.Unmarshal(raw, &list); status != 200 || err != nil || len(list.Data) == 0 {
				t.Fatalf("list campaigns: %d %s", status, raw)
			}
			cid := list.Data[0].ID
			var aff struct{ ID string }
			status, raw = do("POST", "/affiliates", `{"first_name":"Fuzz","last_name":"Er","email":"fuzz@example.com","campaign_id":"`+cid+`"}`)
			if err := json.Unmarshal(raw, &aff); status != 200 || err != nil || aff.ID == "" {
				t.Fatalf("create affiliate: %d %s", status, raw)
			}
			return map[string]string{"campaign": cid, "affiliate": aff.ID, "email": "fuzz@example.com"}
		},
	})
}
