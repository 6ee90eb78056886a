package rewardful_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/rewardful"
	"github.com/refbridge/refbridge/adapters/surface"
	"github.com/refbridge/refbridge/adapters/surface/surfacetest"
	"github.com/refbridge/refbridge/openapi"
)

// TestWebhooksThroughEngine: an affiliate and a link created through the
// REST surface are queued for a Rewardful endpoint of the account and
// render as affiliate.created and affiliate_link.created, with the ids
// the REST surface answered, signed as Rewardful documents.
func TestWebhooksThroughEngine(t *testing.T) {
	t.Parallel()
	env, c := newEnv(t, nil)
	ctx := context.Background()
	wh := env.Backend.(canonical.Webhooks)
	hooks := rewardful.NewSurface().Webhooks(surface.Config{IDSecret: env.Engine.IDSecret()})
	events := []string{"affiliate.created", "affiliate_link.created"}
	kinds, err := hooks.Kinds(events)
	if err != nil {
		t.Fatal(err)
	}
	ep, err := wh.CreateWebhookEndpoint(ctx, canonical.WebhookEndpoint{Vendor: canonical.Rewardful, URL: "https://hooks.example.com/rw",
		Events: events, Kinds: kinds, Secret: "rw-secret", Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	aff := c.do(t, "POST", "/v1/affiliates", form("first_name", "Ann", "last_name", "A", "email", "ann@a.example")).must(t, 200).json(t)
	link := c.do(t, "POST", "/v1/affiliate_links", form("affiliate_id", str(aff, "id"), "token", "ann-extra")).must(t, 200).json(t)

	ds, err := wh.ListDeliveries(ctx, canonical.DeliveryQuery{EndpointID: ep.ID})
	if err != nil {
		t.Fatal(err)
	}
	changes, err := wh.ListChanges(ctx, canonical.ChangeQuery{Kinds: kinds})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Items) != len(changes.Items) || len(changes.Items) == 0 {
		t.Fatalf("%d deliveries of %d changes", len(ds.Items), len(changes.Items))
	}
	schemas := surfacetest.WebhookSchemas(t, openapi.Rewardful)
	seen := map[string]string{}
	for _, ch := range changes.Items {
		req, ok, err := hooks.Render(ch, ep, ds.Items[0].ID, env.Clock.Now())
		if err != nil || !ok {
			t.Fatalf("%s: %v %v", ch.Kind, ok, err)
		}
		var p struct {
			Object struct {
				ID          string
				AffiliateID string `json:"affiliate_id"`
				Campaign    struct{ ID string }
			}
			Event struct{ Type string }
		}
		if err := json.Unmarshal(req.Body, &p); err != nil {
			t.Fatal(err)
		}
		surfacetest.CheckPayload(t, p.Event.Type, schemas[p.Event.Type], req.Body)
		seen[p.Event.Type] = p.Object.ID
		if p.Event.Type == "affiliate.created" && p.Object.Campaign.ID != str(aff["campaign"].(map[string]any), "id") {
			t.Errorf("campaign %q, REST %v", p.Object.Campaign.ID, aff["campaign"])
		}
		if p.Event.Type == "affiliate_link.created" && p.Object.AffiliateID != str(aff, "id") {
			t.Errorf("link's affiliate %q, REST %q", p.Object.AffiliateID, str(aff, "id"))
		}
		mac := hmac.New(sha256.New, []byte("rw-secret"))
		mac.Write(req.Body)
		if req.Header.Get("X-Rewardful-Signature") != hex.EncodeToString(mac.Sum(nil)) {
			t.Errorf("%s: signature does not verify", p.Event.Type)
		}
	}
	if seen["affiliate.created"] != str(aff, "id") || seen["affiliate_link.created"] != str(link, "id") {
		t.Errorf("rendered ids %v; REST affiliate %s, link %s", seen, str(aff, "id"), str(link, "id"))
	}
}
