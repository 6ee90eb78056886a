package growsurf_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/proxy/proxytest"
)

// FuzzSurface sends the GrowSurf surface random requests through the
// in-process proxy: never a 5xx, never a redirect, always GrowSurf's
// shapes, and the surface still answers afterwards.
func FuzzSurface(f *testing.F) {
	proxytest.FuzzSurface(f, proxytest.FuzzTarget{
		Vendor:      canonical.GrowSurf,
		Host:        "api.growsurf.com",
		ErrorSchema: "Error",
		Authorize: func(req *http.Request, secret func(canonical.CredentialKind) string) {
			req.Header.Set("Authorization", "Bearer "+secret(canonical.APIKey))
		},
		Params: map[string]string{"id": "campaign", "participantIdOrEmail": "participant"},
		Ping:   "/campaigns",
		Placeholders: func(t testing.TB, _ proxytest.Tenant, do func(method, target, body string) (int, []byte)) map[string]string {
			var list struct{ Campaigns []struct{ ID string } }
			status, raw := do("GET", "/campaigns", "")
			if err := json.Unmarshal(raw, &list); status != 200 || err != nil || len(list.Campaigns) == 0 {
				t.Fatalf("list campaigns: %d %s", status, raw)
			}
			cid := list.Campaigns[0].ID
			var p struct{ ID string }
			status, raw = do("POST", "/campaign/"+cid+"/participant", `{"email":"fuzz@example.com","firstName":"Fuzz"}`)
			if err := json.Unmarshal(raw, &p); status != 200 || err != nil || p.ID == "" {
				t.Fatalf("add participant: %d %s", status, raw)
			}
			return map[string]string{"campaign": cid, "participant": p.ID, "email": "fuzz@example.com"}
		},
	})
}
