package referralhero_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/proxy/proxytest"
)

// FuzzSurface sends the ReferralHero surface random requests through the
// in-process proxy: never a 5xx, never a redirect, always ReferralHero's
// shapes, and the surface still answers afterwards.
func FuzzSurface(f *testing.F) {
	proxytest.FuzzSurface(f, proxytest.FuzzTarget{
		Vendor:      canonical.ReferralHero,
		Host:        "app.referralhero.com",
		ErrorSchema: "Error",
		Authorize: func(req *http.Request, secret func(canonical.CredentialKind) string) {
			req.Header.Set("Authorization", "Bearer "+secret(canonical.APIKey))
		},
		Params: map[string]string{"uuid": "list", "subscriber_id": "subscriber", "email": "email"},
		Ping:   "/lists",
		Placeholders: func(t testing.TB, _ proxytest.Tenant, do func(method, target, body string) (int, []byte)) map[string]string {
			var lists struct {
				Data struct{ Lists []struct{ UUID string } }
			}
			status, raw := do("GET", "/lists", "")
			if err := json.Unmarshal(raw, &lists); status != 200 || err != nil || len(lists.Data.Lists) == 0 {
				t.Fatalf("list lists: %d %s", status, raw)
			}
			uuid := lists.Data.Lists[0].UUID
			var sub struct{ Data struct{ ID string } }
			status, raw = do("POST", "/lists/"+uuid+"/subscribers", `{"email":"fuzz@example.com","name":"Fuzz"}`)
			if err := json.Unmarshal(raw, &sub); status != 200 || err != nil || sub.Data.ID == "" {
				t.Fatalf("add subscriber: %d %s", status, raw)
			}
			return map[string]string{"list": uuid, "subscriber": sub.Data.ID, "email": "fuzz@example.com"}
		},
	})
}
