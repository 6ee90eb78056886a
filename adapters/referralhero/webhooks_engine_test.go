package referralhero_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/referralhero"
	"github.com/refbridge/refbridge/adapters/surface/surfacetest"
	"github.com/refbridge/refbridge/openapi"
)

// TestWebhooksFromTheEngine: signups made through the REST surface reach
// a ReferralHero endpoint's queue in the engine and render as
// new_registration payloads whose ids, codes and links are the ones the
// REST surface answered, signed with the endpoint's secret.
func TestWebhooksFromTheEngine(t *testing.T) {
	t.Parallel()
	env := newEnv(t, nil)
	key := env.Secrets[canonical.APIKey]
	sub := listPath(env, env.Campaign.ID, "/subscribers")
	var bo, ana map[string]any
	ep, rendered := env.QueuedWebhooks(t, []string{"new_registration", "reward_sent"}, func() {
		bo = send(t, env, key, req{method: http.MethodPost, path: sub, body: obj{"email": "bo@example.org", "name": "Bo Lind"}}).data()
		ana = send(t, env, key, req{method: http.MethodPost, path: sub, body: obj{"email": "ana@example.org", "name": "Ana Ruiz",
			"referrer": bo["code"]}}).data()
	})
	if bo["id"] == nil || ana["id"] == nil {
		t.Fatalf("signups failed: %v, %v", bo, ana)
	}
	if len(rendered) != 2 {
		t.Fatalf("%d deliveries queued, want the two signups", len(rendered))
	}
	schema := surfacetest.WebhookSchemas(t, openapi.ReferralHero)["new_registration"]
	for i, want := range []map[string]any{bo, ana} {
		r := rendered[i]
		if err := surfacetest.ValidBody(schema, r.Request.Body); err != nil {
			t.Errorf("delivery %d: %v\n%s", i, err, r.Request.Body)
		}
		var got map[string]any
		if err := json.Unmarshal(r.Request.Body, &got); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"code", "referral_link", "referred", "source"} {
			if got[k] != want[k] {
				t.Errorf("delivery %d: %s = %v; the REST surface said %v", i, k, got[k], want[k])
			}
		}
		if got["subscriber_id"] != want["id"] || got["list_uuid"] != codec(env).ListUUID(env.Campaign.ID) || got["response"] != "new_registration" {
			t.Errorf("delivery %d: %s", i, r.Request.Body)
		}
		if !strings.HasPrefix(got["referral_link"].(string), surfacetest.SiteURL) {
			t.Errorf("delivery %d: referral_link %v is not on the campaign's site", i, got["referral_link"])
		}
		if sig := r.Request.Header.Get(referralhero.SignatureHeader); sig == "" || sig != referralhero.Sign(ep.Secret, r.Request.Body) {
			t.Errorf("delivery %d: signature %q", i, sig)
		}
	}
	var second map[string]any
	_ = json.Unmarshal(rendered[1].Request.Body, &second)
	if ref, _ := second["referral"].(map[string]any); ref == nil || ref["code"] != bo["code"] || ref["email"] != "bo@example.org" {
		t.Errorf("the referred signup's referral is %v", second["referral"])
	}
}
