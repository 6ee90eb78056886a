package referralhero_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/referralhero"
	checks "github.com/refbridge/refbridge/adapters/surface/surfacetest"
	"github.com/refbridge/refbridge/openapi"
	"github.com/refbridge/refbridge/proxy/surfacetest"
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
	schema := checks.WebhookSchemas(t, openapi.ReferralHero)["new_registration"]
	for i, want := range []map[string]any{bo, ana} {
		r := rendered[i]
		if err := checks.ValidBody(schema, r.Request.Body); err != nil {
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
		if !strings.HasPrefix(got["referral_link"].(string), checks.SiteURL) {
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

// TestWebhookDeliverySchedule runs the delivery workers against a real
// receiver on the test clock: a receiver that is down gets an attempt and
// 3 retries within 5 minutes per event; only a 200 acknowledges; after 10
// consecutive failed attempts the webhook is disabled; re-enabled and
// replayed, it gets what it missed, signed and schema-valid.
func TestWebhookDeliverySchedule(t *testing.T) {
	t.Parallel()
	env := newEnv(t, nil)
	rc := checks.NewReceiver(t)
	rc.SetStatus(http.StatusCreated) // not a 200: a failure for ReferralHero
	ctx := context.Background()
	wh := env.Backend.(canonical.Webhooks)
	ep, err := wh.CreateWebhookEndpoint(ctx, canonical.WebhookEndpoint{Vendor: canonical.ReferralHero, URL: rc.URL,
		Events: []string{"new_registration"}, Kinds: []canonical.ChangeKind{canonical.ChangeParticipantAdded}, Secret: "whsec_rh", Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	settle := env.Deliver(t)
	key := env.Secrets[canonical.APIKey]
	sub := listPath(env, env.Campaign.ID, "/subscribers")
	for _, email := range []string{"a@example.org", "b@example.org", "c@example.org"} {
		send(t, env, key, req{method: http.MethodPost, path: sub, body: obj{"email": email}})
	}
	settle()
	// Each event: an attempt, then retries 1, 3 and 5 minutes later; when
	// its last retry fails the next event's first attempt follows at once.
	// 10 failures in a row disable the webhook.
	if n := len(rc.Got()); n != 1 {
		t.Fatalf("%d attempts at first, want 1", n)
	}
	for _, step := range []struct {
		wait time.Duration
		want int
	}{{time.Minute, 2}, {2 * time.Minute, 3}, {2 * time.Minute, 5}, {time.Minute, 6}, {2 * time.Minute, 7}, {2 * time.Minute, 9}, {time.Minute, 10}} {
		before := len(rc.Got())
		env.Clock.Advance(step.wait - time.Millisecond)
		settle()
		if got := len(rc.Got()); got != before {
			t.Fatalf("%d attempts a millisecond before a retry at %v, want %d", got, env.Clock.Now().Sub(surfacetest.Start), before)
		}
		env.Clock.Advance(time.Millisecond)
		settle()
		if got := len(rc.Got()); got != step.want {
			t.Fatalf("%d attempts at %v, want %d", got, env.Clock.Now().Sub(surfacetest.Start), step.want)
		}
	}
	got, err := wh.GetWebhookEndpoint(ctx, ep.ID)
	if err != nil || got.Enabled || !got.AutoDisabled || got.FailureCount != 10 || len(rc.Got()) != 10 {
		t.Fatalf("after %d attempts the webhook is %+v, %v; want disabled after 10", len(rc.Got()), got, err)
	}
	env.Clock.Advance(time.Hour)
	settle()
	if n := len(rc.Got()); n != 10 {
		t.Fatalf("a disabled webhook got %d attempts", n)
	}
	rc.SetStatus(http.StatusOK)
	got.Enabled = true
	if _, err := wh.UpdateWebhookEndpoint(ctx, got); err != nil {
		t.Fatal(err)
	}
	if _, err := wh.ReplayDeliveries(ctx, ep.ID, canonical.ChangeQuery{}); err != nil {
		t.Fatal(err)
	}
	settle()
	all := rc.Got()
	schema := checks.WebhookSchemas(t, openapi.ReferralHero)["new_registration"]
	emails := map[string]bool{}
	for _, r := range all[10:] {
		m := hmac.New(sha256.New, []byte("whsec_rh"))
		m.Write(r.Body)
		if r.Header.Get("X-ReferralHero-Signature") != base64.StdEncoding.EncodeToString(m.Sum(nil)) {
			t.Errorf("bad signature on %s", r.Body)
		}
		if err := checks.ValidBody(schema, r.Body); err != nil {
			t.Errorf("%v: %s", err, r.Body)
		}
		var p struct{ Email string }
		_ = json.Unmarshal(r.Body, &p)
		emails[p.Email] = true
	}
	if len(emails) != 3 {
		t.Errorf("after the replay the receiver has %v, want all three signups", emails)
	}
	// Every attempt of one event carries one event id.
	if all[0].Header.Get("X-Refbridge-Event-Id") == "" || all[0].Header.Get("X-Refbridge-Event-Id") != all[3].Header.Get("X-Refbridge-Event-Id") ||
		all[3].Header.Get("X-Refbridge-Event-Id") == all[4].Header.Get("X-Refbridge-Event-Id") {
		t.Errorf("event ids of attempts: %q %q %q", all[0].Header.Get("X-Refbridge-Event-Id"), all[3].Header.Get("X-Refbridge-Event-Id"),
			all[4].Header.Get("X-Refbridge-Event-Id"))
	}
}

// TestEveryEventFromTheEngine: calls through the REST surface that the
// vendor announces reach an endpoint subscribed to every event as each of
// its events, each schema-valid.
func TestEveryEventFromTheEngine(t *testing.T) {
	t.Parallel()
	env := newEnv(t, nil)
	a := newAPI(t, env)
	m := func(rest string) string { return listPath(env, env.Campaign.ID, rest) }
	if _, err := env.Backend.CreateRewardRule(context.Background(), env.Campaign.ID,
		canonical.RewardRule{Kind: canonical.Milestone, Title: "Early access", Threshold: 1}); err != nil {
		t.Fatal(err)
	}
	var bo obj
	_, rendered := env.QueuedWebhooks(t, referralhero.EventNames(), func() {
		bo = ok(t, a.post(m("/subscribers"), obj{"email": "bo@example.org"})).data()
		boID := bo["id"].(string)
		ok(t, a.post(m("/subscribers/"+boID), obj{"name": "Bo Lind"}))
		ok(t, a.post(m("/subscribers/"+boID+"/promote"), nil))
		ana := ok(t, a.post(m("/subscribers"), obj{"email": "ana@example.org", "referrer": bo["code"]})).data()
		rewards := ok(t, a.get(m("/subscribers/"+boID+"/rewards"))).data()["rewards"].([]any)
		if len(rewards) != 1 {
			t.Fatalf("rewards %v", rewards)
		}
		ok(t, a.post(m("/subscribers/update_reward_status"), obj{"reward_id": num(rewards[0].(obj)["id"]), "status": "sent"}))
		ok(t, a.do(http.MethodDelete, m("/subscribers/"+ana["id"].(string)), nil))
	})
	schemas := checks.WebhookSchemas(t, openapi.ReferralHero)
	var events []string
	for _, r := range rendered {
		event := responseOf(r.Request.Body)
		events = append(events, event)
		if err := checks.ValidBody(schemas[event], r.Request.Body); err != nil {
			t.Errorf("%s (%s): %v\n%s", event, r.Change.Kind, err, r.Request.Body)
		}
		// Ana, referred by Bo, names Bo in every event, her deletion too.
		var p struct {
			Email    string `json:"email"`
			Referral any    `json:"referral"`
		}
		_ = json.Unmarshal(r.Request.Body, &p)
		if ref, _ := p.Referral.(map[string]any); p.Email == "ana@example.org" && (ref == nil || ref["code"] != bo["code"]) {
			t.Errorf("%s of ana: referral %v, want bo", event, p.Referral)
		}
	}
	for _, want := range []string{"new_registration", "subscriber_updated", "subscriber_promoted", "reward_unlocked", "reward_sent", "subscriber_deleted"} {
		if !slices.Contains(events, want) {
			t.Errorf("no %s among the deliveries %q", want, events)
		}
	}
}
