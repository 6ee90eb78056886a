package referralrocket_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/referralrocket"
	"github.com/refbridge/refbridge/adapters/surface"
	checks "github.com/refbridge/refbridge/adapters/surface/surfacetest"
	"github.com/refbridge/refbridge/openapi"
	"github.com/refbridge/refbridge/proxy/surfacetest"
)

// TestWebhooksFromTheEngine: a direct and a referred signup through the
// REST surface reach a Referral Rocket endpoint's queue in the engine and
// render as referrer_added and referee_added with the campaign id and
// codes the REST surface answered, participantIds that decode to the
// engine's participants, and the endpoint's signature.
func TestWebhooksFromTheEngine(t *testing.T) {
	t.Parallel()
	env := surfacetest.New(t, referralrocket.NewSurface(), nil)
	cid := campaignID(t, env, env.Campaign)
	var lee, pat participant
	ep, rendered := env.QueuedWebhooks(t, []string{"referrer_added", "referee_added"}, func() {
		lee = add(t, env, cid, "lee@example.com", nil)
		pat = add(t, env, cid, "pat@example.com", map[string]string{"referredByCode": lee.ReferralCode})
	})
	if len(rendered) != 2 {
		t.Fatalf("%d deliveries queued, want the two signups", len(rendered))
	}
	schemas := checks.WebhookSchemas(t, openapi.ReferralRocket)
	ids := referralrocket.NewIDs(env.Engine.IDSecret())
	for i, want := range []struct {
		event string
		p     participant
	}{{"referrer_added", lee}, {"referee_added", pat}} {
		r := rendered[i]
		var got struct {
			EventType string `json:"eventType"`
			Data      struct {
				ParticipantID  int64   `json:"participantId"`
				Email          string  `json:"email"`
				Code           string  `json:"code"`
				CampaignID     string  `json:"campaignId"`
				ReferredByCode *string `json:"referredByCode"`
				Score          string  `json:"score"`
				CreatedOn      string  `json:"createdOn"`
			} `json:"data"`
		}
		if err := json.Unmarshal(r.Request.Body, &got); err != nil {
			t.Fatal(err)
		}
		if err := checks.ValidBody(schemas[want.event], r.Request.Body); err != nil || got.EventType != want.event {
			t.Errorf("delivery %d is %q, want %s: %v\n%s", i, got.EventType, want.event, err, r.Request.Body)
		}
		d := got.Data
		if d.Email != want.p.Email || d.Code != want.p.ReferralCode || d.CampaignID != want.p.CampaignID ||
			d.Score != want.p.FraudScore || d.CreatedOn != want.p.CreatedOn {
			t.Errorf("delivery %d says %+v; the REST surface said %+v", i, d, want.p)
		}
		if (d.ReferredByCode == nil) != (want.p.ReferredByCode == nil) || d.ReferredByCode != nil && *d.ReferredByCode != *want.p.ReferredByCode {
			t.Errorf("delivery %d: referredByCode %v, REST %v", i, d.ReferredByCode, want.p.ReferredByCode)
		}
		engineP, err := env.Backend.GetParticipant(context.Background(), env.Campaign.ID, canonical.ByEmail(want.p.Email))
		if err != nil {
			t.Fatal(err)
		}
		if id, ok := ids.DecodeParticipantID(strconv.FormatInt(d.ParticipantID, 10)); !ok || id != engineP.ID {
			t.Errorf("delivery %d: participantId %d decodes to %q, %v; want %s", i, d.ParticipantID, id, ok, engineP.ID)
		}
		if sig := r.Request.Header.Get(referralrocket.SignatureHeader); sig != referralrocket.Sign([]byte(ep.Secret), r.Request.Body) {
			t.Errorf("delivery %d: signature %q", i, sig)
		}
	}
}

// TestWebhookDeliverySchedule runs the delivery workers against a real
// receiver on the test clock: a receiver that is down gets retries with
// growing waits over several days, then the delivery is undeliverable
// (failed) while the endpoint stays enabled, and the next signup is
// delivered, signed with hex HMAC-SHA256 and schema-valid.
func TestWebhookDeliverySchedule(t *testing.T) {
	t.Parallel()
	env := surfacetest.New(t, referralrocket.NewSurface(), nil)
	cid := campaignID(t, env, env.Campaign)
	rc := checks.NewReceiver(t)
	rc.SetStatus(http.StatusBadGateway)
	ctx := context.Background()
	wh := env.Backend.(canonical.Webhooks)
	ep, err := wh.CreateWebhookEndpoint(ctx, canonical.WebhookEndpoint{Vendor: canonical.ReferralRocket, URL: rc.URL,
		Events: []string{"referrer_added"}, Kinds: []canonical.ChangeKind{canonical.ChangeParticipantAdded}, Secret: "whsec_rr", Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	settle := env.Deliver(t)
	add(t, env, cid, "lee@example.com", nil)
	settle()
	var elapsed time.Duration
	for i, wait := range referralrocket.NewSurface().Webhooks(surface.Config{}).Policy().Retries {
		env.Clock.Advance(wait - time.Millisecond)
		settle()
		if n := len(rc.Got()); n != i+1 {
			t.Fatalf("%d attempts a millisecond before retry %d, want %d", n, i+1, i+1)
		}
		env.Clock.Advance(time.Millisecond)
		settle()
		if n := len(rc.Got()); n != i+2 {
			t.Fatalf("%d attempts when retry %d fell due, want %d", n, i+1, i+2)
		}
		elapsed += wait
	}
	if elapsed < 3*24*time.Hour {
		t.Errorf("retries end after %v, not several days", elapsed)
	}
	ds, err := wh.ListDeliveries(ctx, canonical.DeliveryQuery{EndpointID: ep.ID})
	if err != nil || len(ds.Items) != 1 || ds.Items[0].State != canonical.DeliveryFailed || ds.Items[0].LastStatus != http.StatusBadGateway {
		t.Fatalf("deliveries = %+v, %v; want one undeliverable", ds.Items, err)
	}
	if got, err := wh.GetWebhookEndpoint(ctx, ep.ID); err != nil || !got.Enabled || got.AutoDisabled {
		t.Fatalf("endpoint = %+v, %v; Referral Rocket never turns endpoints off", got, err)
	}
	rc.SetStatus(http.StatusNoContent) // any 2xx acknowledges
	add(t, env, cid, "kim@example.com", nil)
	settle()
	all := rc.Got()
	last := all[len(all)-1]
	m := hmac.New(sha256.New, []byte("whsec_rr"))
	m.Write(last.Body)
	if last.Header.Get("X-RR-Signature") != hex.EncodeToString(m.Sum(nil)) {
		t.Errorf("bad signature on %s", last.Body)
	}
	if err := checks.ValidBody(checks.WebhookSchemas(t, openapi.ReferralRocket)["referrer_added"], last.Body); err != nil ||
		!strings.Contains(string(last.Body), `"email":"kim@example.com"`) {
		t.Errorf("%v: %s", err, last.Body)
	}
	if ds, _ := wh.ListDeliveries(ctx, canonical.DeliveryQuery{EndpointID: ep.ID, States: []canonical.DeliveryState{canonical.DeliveryDelivered}}); len(ds.Items) != 1 {
		t.Errorf("delivered = %+v, want kim's signup", ds.Items)
	}
}

// TestEveryEventFromTheEngine: a direct signup, a referred signup and its
// qualification through the REST surface reach an endpoint subscribed to
// every event as each of its events, each schema-valid; the reward the
// referrer unlocked shows in its data.
func TestEveryEventFromTheEngine(t *testing.T) {
	t.Parallel()
	env := surfacetest.New(t, referralrocket.NewSurface(), &surfacetest.Options{Campaign: rewardCampaign})
	cid := campaignID(t, env, env.Campaign)
	_, rendered := env.QueuedWebhooks(t, referralrocket.EventNames(), func() {
		lee := add(t, env, cid, "lee@example.com", nil)
		add(t, env, cid, "pat@example.com", map[string]string{"referredByCode": lee.ReferralCode})
		if res := do(t, env, call{method: http.MethodPost, path: "/api/v1/qualifyParticipant",
			body: map[string]any{"id": cid, "email": "pat@example.com", "amount": 250}}); res.status != http.StatusOK {
			t.Fatalf("qualify: %d %s", res.status, res.body)
		}
	})
	schemas := checks.WebhookSchemas(t, openapi.ReferralRocket)
	var events []string
	leeRewarded := false
	for _, r := range rendered {
		event := eventTypeOf(r.Request.Body)
		events = append(events, event)
		if err := checks.ValidBody(schemas[event], r.Request.Body); err != nil {
			t.Errorf("%s (%s): %v\n%s", event, r.Change.Kind, err, r.Request.Body)
		}
		var body struct {
			Data struct {
				Email          string `json:"email"`
				ReferralReward int    `json:"referralReward"`
			} `json:"data"`
		}
		_ = json.Unmarshal(r.Request.Body, &body)
		if event == "reward_unlocked" && body.Data.Email == "lee@example.com" && body.Data.ReferralReward == 20 {
			leeRewarded = true
		}
	}
	if len(events) < 3 || events[0] != "referrer_added" || events[1] != "referee_added" || !slices.Contains(events, "reward_unlocked") {
		t.Errorf("deliveries %q, want referrer_added, referee_added, then reward_unlocked", events)
	}
	if !leeRewarded {
		t.Errorf("no reward_unlocked shows lee's $20 referral reward")
	}
}
